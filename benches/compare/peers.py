"""The anchor policy (examples/bench/anchor.decree) in each peer of decree.

Run one peer on one CSV in a fresh process:

    python benches/compare/peers.py PEER population.csv totals.npy

It reads the file with the peer's own reader, computes the five anchor
formulas and each row's total, and prints one JSON line: the seconds from
the start of reading to the totals in hand (imports excluded), and what
the totals are. The totals go to `totals.npy` for compare.py to check
against exact decimal arithmetic: float64 yuan for the floating-point
peers, int64 thousandths of a yuan for the exact ones (every anchor
result is a multiple of 0.001 yuan: a rate of whole percent times fen).

The formulas, as the anchor writes them:
  tech_upgrade  = min(20% × investment, 5000万)
  interest      = min(50% × (loan_interest + lease_interest), 500万)
  major_project = min(20% × fixed_asset_investment, 5000万)
  milestone     = first reaching annual_output over prior_peak_output:
                  1000亿 → 2000万, 500亿 → 1000万, 100亿 → 300万
  first_set     = min(30% × actual_sales, 1000万)
"""

import json
import sys
import time
from decimal import Decimal

import numpy as np

INPUTS = ["investment", "fixed_asset_investment", "loan_interest", "lease_interest",
          "annual_output", "prior_peak_output", "actual_sales"]
WAN = 10_000
YI = 100_000_000
# (threshold, award) in yuan, highest first: the first level reached this
# year and not before.
LEVELS = [(1000 * YI, 2000 * WAN), (500 * YI, 1000 * WAN), (100 * YI, 300 * WAN)]


def numpy_formulas(c):
    """The anchor over float arrays (numpy, and OpenFisca's formulas)."""
    out, prior = c["annual_output"], c["prior_peak_output"]
    milestone = np.select([(out >= t) & (prior < t) for t, _ in LEVELS],
                          [float(a) for _, a in LEVELS], 0.0)
    return (np.minimum(0.2 * c["investment"], 5e7)
            + np.minimum(0.5 * (c["loan_interest"] + c["lease_interest"]), 5e6)
            + np.minimum(0.2 * c["fixed_asset_investment"], 5e7)
            + milestone
            + np.minimum(0.3 * c["actual_sales"], 1e7))


def pandas_numpy(path):
    df = pd.read_csv(path, dtype=np.float64, engine="c")
    total = numpy_formulas({k: df[k].to_numpy() for k in INPUTS})
    return total, "float"


def polars_expr(pl, lit):
    """The anchor as one polars expression; `lit` makes a constant of the
    columns' type (float64 or Decimal)."""
    col = pl.col
    out, prior = col("annual_output"), col("prior_peak_output")
    milestone = pl.when((out >= lit(LEVELS[0][0])) & (prior < lit(LEVELS[0][0]))).then(lit(LEVELS[0][1]))
    for t, a in LEVELS[1:]:
        milestone = milestone.when((out >= lit(t)) & (prior < lit(t))).then(lit(a))
    milestone = milestone.otherwise(lit(0))
    return (pl.min_horizontal(lit("0.2") * col("investment"), lit(5000 * WAN))
            + pl.min_horizontal(lit("0.5") * (col("loan_interest") + col("lease_interest")), lit(500 * WAN))
            + pl.min_horizontal(lit("0.2") * col("fixed_asset_investment"), lit(5000 * WAN))
            + milestone
            + pl.min_horizontal(lit("0.3") * col("actual_sales"), lit(1000 * WAN))).alias("total")


def polars_float(path):
    df = pl.read_csv(path, schema={k: pl.Float64 for k in INPUTS})
    lit = lambda v: pl.lit(float(v), dtype=pl.Float64)
    total = df.select(polars_expr(pl, lit))["total"].to_numpy()
    return total, "float"


def polars_decimal_at(rate_scale):
    """Decimal(38,2) columns, the rates as decimal literals of `rate_scale`
    digits (None: as written, "0.2" at scale 1). Polars gives a product
    the larger of its operands' scales and rounds to it, so with the rates
    as written 20% × 0.01元 is rounded to the fen; at scale 3 it is exact."""
    def run(path):
        return polars_decimal(path, rate_scale)
    return run


def polars_decimal(path, rate_scale):
    df = pl.read_csv(path, schema={k: pl.Decimal(38, 2) for k in INPUTS})

    def lit(v):
        d = Decimal(str(v))
        scale = max(0, -d.as_tuple().exponent)
        if isinstance(v, str) and rate_scale is not None:
            scale = rate_scale
        return pl.lit(d, dtype=pl.Decimal(38, scale))

    expr = polars_expr(pl, lit)
    # Exact to the end: thousandths of a yuan as integers.
    total = df.select((expr * pl.lit(1000, dtype=pl.Decimal(38, 0))).cast(pl.Int64))["total"].to_numpy()
    return total, "milli"


DUCKDB_SQL = """
SELECT CAST((
    LEAST(0.2 * investment, 50000000)
  + LEAST(0.5 * (loan_interest + lease_interest), 5000000)
  + LEAST(0.2 * fixed_asset_investment, 50000000)
  + CASE WHEN annual_output >= 100000000000 AND prior_peak_output < 100000000000 THEN 20000000
         WHEN annual_output >= 50000000000 AND prior_peak_output < 50000000000 THEN 10000000
         WHEN annual_output >= 10000000000 AND prior_peak_output < 10000000000 THEN 3000000
         ELSE 0 END
  + LEAST(0.3 * actual_sales, 10000000)) * 1000 AS BIGINT) AS total
FROM read_csv(?, header = true, columns = {COLUMNS})
"""


def duckdb_decimal(path):
    columns = "{" + ", ".join(f"'{k}': 'DECIMAL(38,2)'" for k in INPUTS) + "}"
    con = duckdb.connect()
    total = con.execute(DUCKDB_SQL.replace("{COLUMNS}", columns), [path]).fetchnumpy()["total"]
    return np.asarray(total, dtype=np.int64), "milli"


def openfisca_system():
    """The anchor as an OpenFisca tax-benefit system (float variables,
    which OpenFisca stores as float32)."""
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    enterprise = build_entity(key="enterprise", plural="enterprises", label="Enterprise", is_person=True)

    def variable(name, formula=None):
        attrs = {"value_type": float, "entity": enterprise, "definition_period": DateUnit.YEAR, "label": name}
        if formula is not None:
            attrs["formula"] = formula
        return type(name, (Variable,), attrs)

    def total(e, period):
        return numpy_formulas({k: e(k, period) for k in INPUTS})

    tbs = TaxBenefitSystem([enterprise])
    tbs.add_variables(*[variable(k) for k in INPUTS], variable("total", total))
    return tbs


def openfisca_pandas(path):
    from openfisca_core.simulation_builder import SimulationBuilder
    df = pd.read_csv(path, dtype=np.float64, engine="c")
    tbs = openfisca_system()
    sim = SimulationBuilder().build_default_simulation(tbs, count=len(df))
    for k in INPUTS:
        sim.set_input(k, "2024", df[k].to_numpy())
    total = sim.calculate("total", "2024")
    return np.asarray(total, dtype=np.float64), "float"


PEERS = {
    "pandas": pandas_numpy,
    "polars-float": polars_float,
    "polars-decimal": polars_decimal_at(None),
    "polars-decimal-scale3": polars_decimal_at(3),
    "duckdb-decimal": duckdb_decimal,
    "openfisca": openfisca_pandas,
}


def main():
    peer, path, out = sys.argv[1:4]
    run = PEERS[peer]
    # Imports are not timed: each peer's library is loaded before reading.
    global pd, pl, duckdb
    import pandas as pd
    import polars as pl
    import duckdb
    import openfisca_core.simulation_builder  # noqa: F401
    t0 = time.perf_counter()
    total, kind = run(path)
    seconds = time.perf_counter() - t0
    np.save(out, total)
    print(json.dumps({"peer": peer, "seconds": seconds, "rows": len(total), "kind": kind}))


if __name__ == "__main__":
    main()
