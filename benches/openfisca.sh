#!/usr/bin/env bash
# Runs OpenFisca (openfisca-core from PyPI, in a virtualenv made here) and
# decree on the same generated population with the anchor policy, and prints
# both timings. Usage: bash benches/openfisca.sh [N] (default 1,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
VENV="${VENV:-target/openfisca-venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q openfisca-core
cargo build --release -q --example population
cargo build --release -q
POP="target/population-$N.csv"
[ -f "$POP" ] || target/release/examples/population "$N" 42 > "$POP"
echo "== OpenFisca"
"$VENV/bin/python" benches/openfisca_anchor.py "$POP"
echo "== decree batch (CSV end to end, all cores)"
/usr/bin/time -f "  %e s, peak %M KB" target/release/decree batch examples/bench/anchor.decree --facts "$POP" --out target/decree-out.csv
echo "== decree batch (CSV end to end, one thread)"
RAYON_NUM_THREADS=1 /usr/bin/time -f "  %e s, peak %M KB" target/release/decree batch examples/bench/anchor.decree --facts "$POP" --out target/decree-out.csv
