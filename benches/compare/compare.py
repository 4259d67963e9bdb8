"""Times decree and its peers on the same files in one run, and checks each
one's per-row totals against exact decimal arithmetic. Called by run.sh:

    python benches/compare/compare.py --decree target/release/decree \
        --policy examples/bench/anchor.decree --work DIR \
        [--missing PEER ...] anchor.csv edges.csv

For each CSV (the ordinary anchor population, then the population at the
caps and thresholds), every peer runs in a fresh process (peers.py: its own
reader, the five formulas and the total; its seconds are from reading to
totals, imports excluded), then `decree batch` on 1 and 2 threads, with
and without `--out`. Each peer's totals are checked row by row against
the exact ones (Python's `decimal`, computed here from the CSV text), and
the grand total beside the exact one. Prints markdown tables.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from decimal import Decimal, ROUND_HALF_UP, getcontext
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
getcontext().prec = 60

# The peers of peers.py, in the order of the table, with what they are.
PEERS = [
    ("pandas", "pandas `read_csv` + numpy, float64"),
    ("polars-float", "polars, float64"),
    ("polars-decimal", "polars, `Decimal(38,2)` columns, rates as written (`0.2`)"),
    ("polars-decimal-scale3", "polars, `Decimal(38,2)` columns, rates at scale 3 (`0.200`)"),
    ("duckdb-decimal", "DuckDB, `DECIMAL(38,2)` SQL over `read_csv`"),
    ("openfisca", "OpenFisca (float variables) fed by `pandas.read_csv`"),
]
# Which Python package each peer needs (to report a peer whose package
# did not install).
NEEDS = {"pandas": "pandas", "polars-float": "polars", "polars-decimal": "polars",
         "polars-decimal-scale3": "polars", "duckdb-decimal": "duckdb",
         "openfisca": "OpenFisca-Core"}

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
LEVELS = [(1000 * YI, 2000 * WAN), (500 * YI, 1000 * WAN), (100 * YI, 300 * WAN)]
R20, R50, R30 = Decimal("0.2"), Decimal("0.5"), Decimal("0.3")


def exact_total(r):
    """The anchor's total for one row, in Python's decimal (exact)."""
    inv, fixed, loan, lease, out, prior, sales = (Decimal(x) for x in r)
    milestone = next((a for t, a in LEVELS if out >= t and prior < t), Decimal(0))
    return (min(R20 * inv, 5000 * WAN) + min(R50 * (loan + lease), 500 * WAN)
            + min(R20 * fixed, 5000 * WAN) + milestone + min(R30 * sales, 1000 * WAN))


def exact_totals(path):
    """Every row's exact total, in thousandths of a yuan (every anchor
    result is a multiple of 0.001 yuan; checked)."""
    out = []
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for r in rows:
            milli = exact_total(r) * 1000
            if milli != milli.to_integral_value():
                sys.exit(f"{path}: a total finer than 0.001 yuan: {milli / 1000}")
            out.append(int(milli))
    return np.array(out, dtype=np.int64)


def off_counts(got, kind, exact):
    """(rows off by at least 1 fen, rows not exactly the exact total)."""
    if kind == "milli":
        diff = np.abs(got - exact)
        return int((diff >= 10).sum()), int((diff != 0).sum())
    # A float64 total: off by 1 fen is 10 thousandths; "not exact" is a
    # value nearer another thousandth than its own (float64's own error
    # on these magnitudes is about 1e-8 yuan, far below either).
    scaled = got * 1000.0
    diff = np.abs(scaled - exact.astype(np.float64))
    return int((diff >= 10).sum()), int((np.rint(scaled).astype(np.int64) != exact).sum())


def grand_total(got, kind):
    """The peer's own grand total, as an exact Decimal of what it holds."""
    if kind == "milli":
        return Decimal(int(got.sum(dtype=np.int64))) / 1000
    # As numpy sums (pairwise) in float64, the float's exact value.
    return Decimal(float(np.sum(got)))


def fen(d):
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def run_peer(python, peer, path, work):
    npy = work / f"{peer}.npy"
    t0 = time.perf_counter()
    p = subprocess.run([python, str(HERE / "peers.py"), peer, str(path), str(npy)],
                       capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        why = (p.stderr.strip().splitlines() or ["no message"])[-1]
        return {"failed": f"failed: {why}"}
    info = json.loads(p.stdout.strip().splitlines()[-1])
    return {"seconds": info["seconds"], "wall": wall, "kind": info["kind"], "totals": np.load(npy)}


def decree_totals(out_csv):
    """`total.min` of every row of decree's output, in thousandths."""
    out = []
    with open(out_csv, newline="") as f:
        rows = csv.DictReader(f)
        for r in rows:
            if r["total.min"] != r["total.max"]:
                sys.exit(f"{out_csv}: a range total on line {r['line']}")
            out.append(int(Decimal(r["total.min"]) * 1000))
    return np.array(out, dtype=np.int64)


def run_decree(binary, policy, path, threads, out, work):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    args = [binary, "batch", policy, "--facts", str(path)]
    out_csv = work / f"decree-{threads}.csv"
    if out:
        args += ["--out", str(out_csv)]
    t0 = time.perf_counter()
    p = subprocess.run(args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return {"failed": f"failed: {p.stderr.strip()[-200:]}"}
    result = {"seconds": wall, "wall": wall, "kind": "milli"}
    if out:
        result["totals"] = decree_totals(out_csv)
        out_csv.unlink()
    return result


def row(name, r, exact, exact_sum):
    if "failed" in r:
        return f"| {name} | — | — | — | — | {r['failed']} |", None
    if "totals" not in r:
        return f"| {name} | {r['seconds']:.2f} | {r['wall']:.2f} | (no rows written) | — | exact (the same run with `--out` is checked) |", None
    got, kind = r["totals"], r["kind"]
    if len(got) != len(exact):
        return f"| {name} | {r['seconds']:.2f} | {r['wall']:.2f} | {len(got)} rows of {len(exact)} | — | no |", None
    off, inexact = off_counts(got, kind, exact)
    total = grand_total(got, kind)
    if kind == "milli" and inexact == 0 and total == exact_sum:
        verdict = "yes"
    elif kind == "milli":
        verdict = f"no: {inexact} rows not exact"
    else:
        verdict = "no (float)" + ("; right to the fen on every row" if off == 0 else "")
    return (f"| {name} | {r['seconds']:.2f} | {r['wall']:.2f} | {off:,} | {inexact:,} | {verdict} |",
            total)


def table(title, path, runs, exact):
    exact_sum = Decimal(int(exact.sum(dtype=np.int64))) / 1000
    print(f"\n### {title}: `{path.name}`, {len(exact):,} rows\n")
    print("| peer | seconds (read → totals) | process wall | rows off by ≥ 1 fen | rows not exact | exact? |")
    print("|---|---:|---:|---:|---:|---|")
    totals = []
    for name, r in runs:
        line, total = row(name, r, exact, exact_sum)
        print(line)
        if total is not None:
            got = r["totals"]
            # numpy's sum is pairwise; a loop (or a spreadsheet's column)
            # adds in order, and its float64 error grows with the rows.
            running = Decimal(float(np.cumsum(got)[-1])) if r["kind"] == "float" else None
            totals.append((name, total, running))
    print(f"\nGrand total of {len(exact):,} rows — exact: **{exact_sum}** yuan (to the fen {fen(exact_sum)})\n")
    print("| peer | its grand total | to the fen | − exact | a running sum (row by row, as a loop adds), to the fen |")
    print("|---|---:|---:|---:|---:|")
    for name, total, running in totals:
        shown = "— (exact: the same)" if running is None else f"{fen(running)} ({running - exact_sum:+.4f})"
        print(f"| {name} | {total:.6f} | {fen(total)} | {total - exact_sum:+.6f} | {shown} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--decree", required=True)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--missing", default="", help="Python packages that did not install, comma-separated")
    ap.add_argument("csvs", nargs="+")
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    titles = ["The anchor population", "The population at the caps and thresholds"]
    for title, path in zip(titles, map(Path, a.csvs)):
        t0 = time.perf_counter()
        exact = exact_totals(path)
        print(f"(exact totals of {path.name} in Python's decimal: {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
        runs = []
        for peer, label in PEERS:
            if NEEDS[peer] in a.missing.split(","):
                runs.append((label, {"failed": f"not installed: {NEEDS[peer]} did not install"}))
                continue
            print(f"  {peer} …", file=sys.stderr)
            runs.append((label, run_peer(sys.executable, peer, path, work)))
        for threads in (1, 2):
            for out in (False, True):
                label = f"`decree batch`, {threads} thread{'s' if threads > 1 else ''}, " + (
                    "CSV → CSV (`--out`)" if out else "no `--out`")
                print(f"  {label} …", file=sys.stderr)
                runs.append((label, run_decree(a.decree, a.policy, path, threads, out, work)))
        table(title, path, runs, exact)


if __name__ == "__main__":
    main()
