"""Tests for sopcourse.transportation (module 5): the plant-to-market transportation LP.

Published examples (the data and the published answers were read in secondary public
sources, not in the books themselves: a course page (Columbia IEOR 3608, "Powerco
Example") for Powerco's table, and a public benchmark file quoting the books' optima):

* Winston, *Operations Research: Applications and Algorithms*, 4th ed., section 7.1
  Example 1 (Powerco): 3 plants (35, 50, 40), 4 cities (45, 20, 30, 30); published
  optimum z = 1020 with x12 = 10, x13 = 25, x21 = 45, x23 = 5, x32 = 10, x34 = 30
  (the "$1,020" is dollars for costs given per million kWh, not $1,020,000).
* Hillier & Lieberman, *Introduction to Operations Research*, section 9.1 (P & T
  Company, Table 9.2): 3 canneries (75, 125, 100), 4 warehouses (80, 65, 70, 85);
  published optimal cost Z = $152,535.
* Winston 4th ed., section 7.1 Example 2 (water reservoirs, unmet demand penalised at
  20, 22, 23): published solution R1->C1 20, R1->C2 30, R2->C2 10, R2->C3 40, city 1
  short by 20. The book quotes no total; the 1,170 checked below is computed from the
  published flows, not published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from sopcourse import examples
from sopcourse.transportation import transportation

POWERCO = examples.powerco()  # the course's catalogue of published instances
POWERCO_COST, POWERCO_SUPPLY, POWERCO_DEMAND = POWERCO.cost, POWERCO.supply, POWERCO.demand


def flows_dict(res):
    return {(r.plant, r.market): r.quantity for r in res.flows.itertuples()}


def test_winston_powerco():
    # Winston 4th ed. §7.1/7.3: published z = 1020 and the published optimal shipments.
    res = transportation(POWERCO_SUPPLY, POWERCO_DEMAND, POWERCO_COST)
    assert res.objective == pytest.approx(POWERCO.published["total_cost"])  # 1020
    assert flows_dict(res) == {
        ("plant1", "city2"): 10,
        ("plant1", "city3"): 25,
        ("plant2", "city1"): 45,
        ("plant2", "city3"): 5,
        ("plant3", "city2"): 10,
        ("plant3", "city4"): 30,
    }
    assert res.balanced


def test_hillier_lieberman_p_and_t_company():
    # Hillier & Lieberman §9.1, P & T Company: published optimal cost $152,535.
    cost = pd.DataFrame(
        [[464, 513, 654, 867], [352, 416, 690, 791], [995, 682, 388, 685]],
        index=["Bellingham", "Eugene", "Albert Lea"],
        columns=["Sacramento", "Salt Lake City", "Rapid City", "Albuquerque"],
    )
    supply = pd.Series([75, 125, 100], index=cost.index)
    demand = pd.Series([80, 65, 70, 85], index=cost.columns)
    res = transportation(supply, demand, cost)
    assert res.objective == pytest.approx(152535)


def test_winston_reservoirs_unmet_demand_penalty():
    # Winston 4th ed. §7.1 Example 2: published flows and city 1's shortage of 20.
    cost = pd.DataFrame([[7, 8, 10], [9, 7, 8]], index=["R1", "R2"], columns=["C1", "C2", "C3"])
    res = transportation(
        {"R1": 50, "R2": 50},
        {"C1": 40, "C2": 40, "C3": 40},
        cost,
        unmet_penalty={"C1": 20, "C2": 22, "C3": 23},
    )
    assert flows_dict(res) == {
        ("R1", "C1"): 20,
        ("R1", "C2"): 30,
        ("R2", "C2"): 10,
        ("R2", "C3"): 40,
    }
    assert res.markets["unmet"].to_dict() == {"C1": 20, "C2": 0, "C3": 0}
    # computed from the published flows (not a published total): 20*7+30*8+10*7+40*8+20*20
    assert res.objective == pytest.approx(1170)
    # a unit more demand at C1 goes unmet: it costs exactly the penalty
    assert res.markets.loc["C1", "marginal_cost"] == pytest.approx(20)


# -- duals checked by re-solving (not published examples) --------------------------------


def solve(supply, demand, cost, **kw):
    return transportation(supply, demand, cost, **kw).objective


def test_duals_match_one_more_unit_when_supply_exceeds_demand():
    supply = POWERCO_SUPPLY + pd.Series([0, 10, 0], index=POWERCO_SUPPLY.index)
    res = transportation(supply, POWERCO_DEMAND, POWERCO_COST)
    assert not res.balanced
    for plant in supply.index:
        more = supply.copy()
        more[plant] += 1
        saved = res.objective - solve(more, POWERCO_DEMAND, POWERCO_COST)
        assert saved == pytest.approx(res.plants.loc[plant, "capacity_value"]), plant
        assert res.plants.loc[plant, "capacity_value"] >= 0
    for market in POWERCO_DEMAND.index:
        more = POWERCO_DEMAND.copy()
        more[market] += 1
        extra = solve(supply, more, POWERCO_COST) - res.objective
        assert extra == pytest.approx(res.markets.loc[market, "marginal_cost"]), market
    # the plant with spare capacity is worth nothing at the margin
    assert res.plants.loc["plant2", "unused"] == pytest.approx(10)
    assert res.plants.loc["plant2", "capacity_value"] == 0


def test_balanced_duals_price_a_unit_added_at_a_plant_and_a_market():
    res = transportation(POWERCO_SUPPLY, POWERCO_DEMAND, POWERCO_COST)
    for plant in POWERCO_SUPPLY.index:
        for market in POWERCO_DEMAND.index:
            s, d = POWERCO_SUPPLY.copy(), POWERCO_DEMAND.copy()
            s[plant] += 1
            d[market] += 1
            change = solve(s, d, POWERCO_COST) - res.objective
            expected = (
                res.markets.loc[market, "marginal_cost"] - res.plants.loc[plant, "capacity_value"]
            )
            assert change == pytest.approx(expected), (plant, market)


@pytest.mark.parametrize("seed", range(8))
def test_random_instances_against_scipy_and_small_steps(seed):
    rng = np.random.default_rng(seed)
    n_p, n_m = int(rng.integers(2, 5)), int(rng.integers(2, 6))
    cost = pd.DataFrame(
        rng.uniform(1, 20, (n_p, n_m)),
        index=[f"P{i}" for i in range(n_p)],
        columns=[f"M{j}" for j in range(n_m)],
    )
    demand = pd.Series(rng.uniform(5, 50, n_m), index=cost.columns)
    supply = pd.Series(rng.uniform(0.5, 1.0, n_p), index=cost.index)
    supply = supply / supply.sum() * demand.sum() * rng.uniform(1.05, 1.6)
    res = transportation(supply, demand, cost)
    # independent LP: scipy's linprog on the same model, written out by hand
    c = cost.to_numpy().ravel()
    a_ub = np.kron(np.eye(n_p), np.ones(n_m))
    a_eq = np.kron(np.ones(n_p), np.eye(n_m))
    ref = linprog(c, A_ub=a_ub, b_ub=supply.to_numpy(), A_eq=a_eq, b_eq=demand.to_numpy())
    assert res.objective == pytest.approx(ref.fun, rel=1e-9)
    # plan respects every capacity and serves every market
    assert (res.plants["shipped"] <= res.plants["supply"] + 1e-7).all()
    np.testing.assert_allclose(res.markets["received"], demand)
    # duals = finite differences (generic data: nondegenerate, step inside the range)
    step = 1e-3
    for plant in supply.index:
        s = supply.copy()
        s[plant] += step
        fd = (res.objective - solve(s, demand, cost)) / step
        assert fd == pytest.approx(res.plants.loc[plant, "capacity_value"], abs=1e-5)
    for market in demand.index:
        d = demand.copy()
        d[market] += step
        fd = (solve(supply, d, cost) - res.objective) / step
        assert fd == pytest.approx(res.markets.loc[market, "marginal_cost"], abs=1e-5)
    # unused routes: reduced costs are >= 0 in a minimisation
    assert (res.routes["reduced_cost"] >= -1e-7).all()


def test_penalty_caps_the_marginal_cost_and_routes_can_be_missing():
    cost = pd.DataFrame({"north": [4.0, np.nan], "south": [5.0, 3.0]}, index=["A", "B"])
    res = transportation({"A": 30, "B": 30}, {"north": 40, "south": 40}, cost, unmet_penalty=9)
    assert ("B", "north") not in set(zip(res.routes["plant"], res.routes["market"], strict=True))
    assert res.markets["unmet"].sum() == pytest.approx(20)
    assert (res.markets["marginal_cost"] <= res.markets["penalty"] + 1e-9).all()
    # cheap penalty: leaving demand unmet beats shipping
    cheap = transportation({"A": 60, "B": 30}, {"north": 40, "south": 40}, cost, unmet_penalty=1)
    assert cheap.objective == pytest.approx(80)
    assert cheap.flows.empty


# -- input checks ---------------------------------------------------------------------------


def test_errors_say_what_is_wrong():
    cost = pd.DataFrame({"north": [4, 6], "south": [5, 3]}, index=["A", "B"])
    with pytest.raises(ValueError, match="Total demand 80 is above total supply 50.*unmet_penalty"):
        transportation({"A": 20, "B": 30}, {"north": 40, "south": 40}, cost)
    with pytest.raises(ValueError, match="must be a DataFrame"):
        transportation({"A": 50, "B": 30}, {"north": 40, "south": 40}, [[4, 5], [6, 3]])
    with pytest.raises(ValueError, match=r"no row for plant\(s\) \['C'\]"):
        transportation({"A": 50, "C": 30}, {"north": 40, "south": 40}, cost)
    with pytest.raises(ValueError, match=r"no column for market\(s\) \['east'\]"):
        transportation({"A": 50, "B": 30}, {"north": 40, "east": 40}, cost)
    with pytest.raises(ValueError, match="infinite"):
        transportation({"A": 50, "B": 30}, {"north": 40, "south": 40}, cost.replace(6, np.inf))
    with pytest.raises(ValueError, match="No plant can ship"):
        transportation({"A": 50, "B": 30}, {"north": 40, "south": 40}, cost.assign(north=np.nan))
    with pytest.raises(ValueError, match="negative values"):
        transportation({"A": -5, "B": 30}, {"north": 40, "south": 40}, cost)
    with pytest.raises(ValueError, match="unmet_penalty must be a cost per unit"):
        transportation({"A": 50, "B": 30}, {"north": 40, "south": 40}, cost, unmet_penalty=-1)
    with pytest.raises(ValueError, match=r"unmet_penalty has no value for market\(s\) \['south'\]"):
        transportation(
            {"A": 50, "B": 30}, {"north": 40, "south": 40}, cost, unmet_penalty={"north": 5}
        )
    with pytest.raises(ValueError, match="must hold numbers"):
        transportation({"A": 50, "B": 30}, {"north": 40, "south": 40}, cost.astype(str) + "x")
