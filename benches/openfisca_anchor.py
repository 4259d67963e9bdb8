"""The anchor policy in OpenFisca, timed on the same population as decree.

Usage: python benches/openfisca_anchor.py population.csv
Prints the end-to-end time (build + set inputs + compute) and the time of the
formulas alone, and how many results differ from exact decimal arithmetic by
at least one fen (OpenFisca computes in float32).
"""

import csv
import sys
import time
from decimal import Decimal

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Enterprise = build_entity(key="enterprise", plural="enterprises", label="Enterprise", is_person=True)
INPUTS = ["investment", "fixed_asset_investment", "loan_interest", "lease_interest",
          "annual_output", "prior_peak_output", "actual_sales"]


def input_variable(name):
    return type(name, (Variable,), {"value_type": float, "entity": Enterprise,
                                   "definition_period": DateUnit.YEAR, "label": name})


class tech_upgrade(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR

    def formula(e, period):
        return np.minimum(0.2 * e("investment", period), 5e7)


class interest(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR

    def formula(e, period):
        return np.minimum(0.5 * (e("loan_interest", period) + e("lease_interest", period)), 5e6)


class major_project(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR

    def formula(e, period):
        return np.minimum(0.2 * e("fixed_asset_investment", period), 5e7)


class milestone(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR

    def formula(e, period):
        out = e("annual_output", period)
        prior = e("prior_peak_output", period)
        return np.select(
            [(out >= 1e11) & (prior < 1e11), (out >= 5e10) & (prior < 5e10), (out >= 1e10) & (prior < 1e10)],
            [2e7, 1e7, 3e6], 0)


class first_set(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR

    def formula(e, period):
        return np.minimum(0.3 * e("actual_sales", period), 1e7)


class total(Variable):
    value_type = float
    entity = Enterprise
    definition_period = DateUnit.YEAR

    def formula(e, period):
        return (e("tech_upgrade", period) + e("interest", period) + e("major_project", period)
                + e("milestone", period) + e("first_set", period))


def main():
    path = sys.argv[1]
    t0 = time.perf_counter()
    with open(path) as f:
        rows = list(csv.DictReader(f))
    columns = {k: np.array([float(r[k]) for r in rows]) for k in INPUTS}
    t_read = time.perf_counter()
    tbs = TaxBenefitSystem([Enterprise])
    tbs.add_variables(*[input_variable(k) for k in INPUTS])
    tbs.add_variables(tech_upgrade, interest, major_project, milestone, first_set, total)
    sim = SimulationBuilder().build_default_simulation(tbs, count=len(rows))
    for k, v in columns.items():
        sim.set_input(k, "2024", v)
    t_built = time.perf_counter()
    result = sim.calculate("total", "2024")
    t_done = time.perf_counter()
    n = len(rows)
    print(f"openfisca: {n} enterprises")
    print(f"  read CSV            {t_read - t0:8.3f} s")
    print(f"  build + set inputs  {t_built - t_read:8.3f} s")
    print(f"  formulas            {t_done - t_built:8.3f} s  ({(t_done - t_built) / n * 1e9:.1f} ns/enterprise)")
    print(f"  end to end          {t_done - t0:8.3f} s  ({(t_done - t0) / n * 1e9:.1f} ns/enterprise)")
    # Exactness against decimal arithmetic on the first 100,000 rows.
    off = 0
    total_exact = Decimal(0)
    for r, got in zip(rows[:100_000], result[:100_000]):
        d = {k: Decimal(r[k]) for k in INPUTS}
        levels = [(Decimal(10) ** 11, Decimal(20_000_000)), (Decimal(5) * 10 ** 10, Decimal(10_000_000)),
                  (Decimal(10) ** 10, Decimal(3_000_000))]
        ms = next((v for t, v in levels if d["annual_output"] >= t and d["prior_peak_output"] < t), Decimal(0))
        exact = (min(Decimal("0.2") * d["investment"], Decimal(50_000_000))
                 + min(Decimal("0.5") * (d["loan_interest"] + d["lease_interest"]), Decimal(5_000_000))
                 + min(Decimal("0.2") * d["fixed_asset_investment"], Decimal(50_000_000))
                 + ms + min(Decimal("0.3") * d["actual_sales"], Decimal(10_000_000)))
        total_exact += exact
        if abs(Decimal(float(got)) - exact) >= Decimal("0.01"):
            off += 1
    print(f"  of the first {min(n, 100_000)} results, {off} are off by a fen or more (float32)")


if __name__ == "__main__":
    main()
