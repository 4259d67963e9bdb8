#!/usr/bin/env bash
# decree against its peers on the same generated files, in one run:
# pandas + numpy, polars (float64 and Decimal), DuckDB DECIMAL SQL and
# OpenFisca fed by pandas, each reading the CSV itself and computing the
# anchor's five formulas and their total, and `decree batch` on 1 and 2
# threads with and without --out. Every peer's per-row totals are checked
# against exact decimal arithmetic; a second population, at the caps and
# thresholds, shows where floating point goes wrong.
#
# Usage: bash benches/compare/run.sh [N]      (default 1,000,000 rows)
# Environment: COMPARE_VENV (default $TARGET/compare-venv) is the virtualenv
# it makes and reuses; CARGO_TARGET_DIR is honoured (give it a directory of
# this checkout's own: in a target directory shared by several checkouts of
# the crate, another's build can stand for this one's binaries); PYTHON
# picks the interpreter that makes the virtualenv (default python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-1000000}"
TARGET="${CARGO_TARGET_DIR:-target}"
VENV="${COMPARE_VENV:-$TARGET/compare-venv}"
WORK="$TARGET/compare"
mkdir -p "$WORK"

# The virtualenv, with the pinned peers. A package that does not install
# is reported in the table as such, not dropped.
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
MISSING=()
if ! "$VENV/bin/pip" install -q -r benches/compare/requirements.txt; then
  while read -r req; do
    case "$req" in ''|'#'*) continue ;; esac
    "$VENV/bin/pip" install -q "$req" || MISSING+=("${req%%==*}")
  done < benches/compare/requirements.txt
fi
# numpy is needed by the comparison itself.
"$VENV/bin/python" -c 'import numpy' || { echo "numpy did not install: nothing can be compared" >&2; exit 1; }

cargo build --release -q --example population
cargo build --release -q
ANCHOR="$WORK/anchor-$N.csv"
EDGES="$WORK/edges-$N.csv"
[ -s "$ANCHOR" ] || "$TARGET/release/examples/population" "$N" 42 > "$ANCHOR"
[ -s "$EDGES" ] || "$TARGET/release/examples/population" "$N" 42 edges > "$EDGES"
if [ "$(sed -n 2p "$ANCHOR")" = "$(sed -n 2p "$EDGES")" ]; then
  echo "$EDGES is the ordinary population: the population example is not this checkout's build" >&2
  rm -f "$EDGES"; exit 1
fi

echo "# decree and its peers, $N rows, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD), $(nproc) cores"
"$VENV/bin/python" benches/compare/compare.py \
  --decree "$TARGET/release/decree" --policy examples/bench/anchor.decree \
  --work "$WORK" --missing "$(IFS=,; echo "${MISSING[*]}")" "$ANCHOR" "$EDGES"
