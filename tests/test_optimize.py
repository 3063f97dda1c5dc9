"""Tests for sopcourse.optimize (module 5) and the sensitivity ranges of sopcourse.solver.

Published examples used (the expected numbers are the published ones):

* Hillier & Lieberman, *Introduction to Operations Research* (9th ed.), Wyndor Glass Co.
  prototype example (section 3.1): optimum x1 = 2, x2 = 6, Z = 36 ($36,000 a week);
  shadow prices y1 = 0, y2 = 3/2, y3 = 1 (section 4.7); allowable ranges
  0 <= c1 <= 7.5, c2 >= 2, b1 >= 2, 6 <= b2 <= 18, 12 <= b3 <= 24 (the book's
  sensitivity analysis of the same model, reproduced in its Excel sensitivity report).
* Goldratt, *The Haystack Syndrome* (North River Press, 1990), the P & Q example:
  resource B needs 3000 of its 2400 minutes a week; throughput per B-minute is $3 (P)
  and $2 (Q); making Q first earns -$300 a week, making P first (100 P, 30 Q) +$300.
* Winston, *Operations Research: Applications and Algorithms* (4th ed.), section 7.1,
  Powerco: three plants (35, 50, 40 million kWh), four cities (45, 20, 30, 30), optimal
  cost $1,020.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import examples
from sopcourse.allocation import (
    allocate_by_priority,
    allocate_fair_share,
    allocate_max_profit,
    compare_allocations,
)
from sopcourse.balancing import PlanningInputs, balancing_plan, example_planning_inputs
from sopcourse.optimize import (
    compare_toc_with_lp,
    constraint_analysis,
    product_mix,
    throughput_per_constraint_unit,
    toc_product_mix,
)
from sopcourse.solver import InfeasibleModelError, LinearProgram, UnboundedModelError

# -- data of the published examples (sopcourse.examples: data and citation) -----------
_WYNDOR = examples.wyndor()  # Hillier & Lieberman, section 3.1
WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY = _WYNDOR.margin, _WYNDOR.usage, _WYNDOR.capacity

_PQ = examples.goldratt_pq()  # Goldratt (1990), P & Q
PQ_THROUGHPUT, PQ_USAGE, PQ_CAPACITY = _PQ.throughput, _PQ.usage, _PQ.capacity
PQ_DEMAND, PQ_OPERATING_EXPENSE = _PQ.demand, _PQ.operating_expense


def wyndor():
    return product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY)


# -- Wyndor Glass (Hillier & Lieberman) -----------------------------------------------
def test_wyndor_optimum_hillier_lieberman_sec_3_1():
    res = wyndor()
    assert res.profit == pytest.approx(36.0)
    assert res.plan["quantity"].tolist() == pytest.approx([2.0, 6.0])


def test_wyndor_shadow_prices_hillier_lieberman_sec_4_7():
    res = wyndor()
    assert res.resources["shadow_price"].tolist() == pytest.approx([0.0, 1.5, 1.0])
    assert res.resources["binding"].tolist() == [False, True, True]
    assert res.resources.loc["plant1", "slack"] == pytest.approx(2.0)


def test_wyndor_allowable_ranges_hillier_lieberman_sensitivity_report():
    s = wyndor().sensitivity().set_index(["kind", "name"])
    assert (s.loc[("margin", "doors"), "lower"], s.loc[("margin", "doors"), "upper"]) == (
        pytest.approx(0.0),
        pytest.approx(7.5),
    )
    assert s.loc[("margin", "windows"), "lower"] == pytest.approx(2.0)
    assert math.isinf(s.loc[("margin", "windows"), "upper"])
    assert s.loc[("capacity", "plant1"), "lower"] == pytest.approx(2.0)
    assert math.isinf(s.loc[("capacity", "plant1"), "upper"])
    assert s.loc[("capacity", "plant2"), ["lower", "upper"]].tolist() == pytest.approx([6, 18])
    assert s.loc[("capacity", "plant3"), ["lower", "upper"]].tolist() == pytest.approx([12, 24])


def test_wyndor_business_wording_names_the_value_of_an_hour():
    res = wyndor()
    assert "one more hour of plant2 is worth 1.50" in res.resources.loc["plant2", "meaning"]
    assert "to spare" in res.resources.loc["plant1", "meaning"]
    text = res.explain()
    assert text.startswith("Best plan: profit 36.00")
    assert "plant3 is worth 1.00" in text


# -- ranges checked against re-solving (the method HiGHS's ranging must agree with) ----
@pytest.mark.parametrize("resource", ["plant2", "plant3"])
def test_rhs_range_is_where_the_shadow_price_holds(resource):
    base = wyndor()
    s = base.sensitivity().set_index(["kind", "name"]).loc[("capacity", resource)]
    price = base.resources.loc[resource, "shadow_price"]
    for inside in (s["lower"] + 0.25, s["upper"] - 0.25):
        cap = WYNDOR_CAPACITY.copy()
        cap[resource] = inside
        moved = product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, cap)
        delta = inside - WYNDOR_CAPACITY[resource]
        assert moved.profit == pytest.approx(base.profit + price * delta)
    for outside in (s["lower"] - 0.25, s["upper"] + 0.25):
        cap = WYNDOR_CAPACITY.copy()
        cap[resource] = outside
        moved = product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, cap)
        assert moved.resources.loc[resource, "shadow_price"] != pytest.approx(price)


def test_margin_range_is_where_the_plan_stays_the_same():
    base = wyndor()
    upper = base.sensitivity().set_index(["kind", "name"]).loc[("margin", "doors"), "upper"]
    inside = product_mix(WYNDOR_MARGIN.replace({3.0: upper - 0.1}), WYNDOR_USAGE, WYNDOR_CAPACITY)
    outside = product_mix(WYNDOR_MARGIN.replace({3.0: upper + 0.1}), WYNDOR_USAGE, WYNDOR_CAPACITY)
    assert inside.plan["quantity"].tolist() == pytest.approx([2.0, 6.0])
    assert outside.plan["quantity"].tolist() != pytest.approx([2.0, 6.0])


def test_ranging_needs_highs_and_a_continuous_model():
    lp = LinearProgram("t", "max")
    lp.add_variable("x", upper=3)
    lp.set_objective({"x": 1})
    with pytest.raises(ValueError, match="HiGHS"):
        lp.solve(solver="cbc", ranging=True)
    lp2 = LinearProgram("t", "max")
    lp2.add_variable("x", upper=3, integer=True)
    lp2.set_objective({"x": 1})
    with pytest.raises(ValueError, match="integer"):
        lp2.solve(ranging=True)


@pytest.mark.skipif("cbc" not in sop.available_solvers(), reason="CBC not installed")
def test_cbc_and_highs_give_the_same_business_signs():
    def build(sense):
        lp = LinearProgram("signs", sense)
        lp.add_variables(["a", "b"])
        if sense == "max":
            lp.add_constraint("hours", {"a": 1, "b": 2}, "<=", 40)
            lp.add_constraint("floor", {"a": 1}, ">=", 30)
            lp.set_objective({"a": 10, "b": 50})
        else:
            lp.add_constraint("need", {"a": 1, "b": 1}, ">=", 10)
            lp.add_constraint("cap", {"a": 1}, "<=", 4)
            lp.set_objective({"a": 1, "b": 3})
        return lp

    for sense in ("max", "min"):
        h, c = build(sense).solve("highs"), build(sense).solve("cbc")
        assert h.shadow_prices.to_dict() == pytest.approx(c.shadow_prices.to_dict())
        assert h.reduced_costs.to_dict() == pytest.approx(c.reduced_costs.to_dict())
    # max: b earns 50 per 2 hours, so one more hour is worth 25; each unit of the floor
    # on a earns 10 but takes an hour worth 25, so raising the floor costs 15 (dz/db < 0)
    h = build("max").solve()
    assert h.values.to_dict() == pytest.approx({"a": 30.0, "b": 5.0})
    assert h.shadow_prices["hours"] == pytest.approx(25.0)
    assert h.shadow_prices["floor"] == pytest.approx(-15.0)
    assert h.reduced_costs.to_dict() == pytest.approx({"a": 0.0, "b": 0.0})


# -- product mix: more behaviour ------------------------------------------------------
def test_tidy_and_wide_usage_give_the_same_mix():
    tidy = WYNDOR_USAGE.stack().rename("hours_per_unit").reset_index()
    tidy.columns = ["product", "resource", "hours_per_unit"]
    res = product_mix(WYNDOR_MARGIN, tidy, WYNDOR_CAPACITY)
    assert res.profit == pytest.approx(36.0)


def test_left_out_product_has_negative_reduced_cost_equal_to_margin_gap():
    # gravel uses 3 plant3 hours (worth 1 each) and 1 plant2 hour (worth 1.5) for 4 margin:
    # its resources are worth 3 * 1 + 1 * 1.5 = 4.5, so each unit forced in loses 0.5.
    usage = pd.concat(
        [
            WYNDOR_USAGE,
            pd.DataFrame({"plant1": [0.0], "plant2": [1.0], "plant3": [3.0]}, index=["gravel"]),
        ]
    )
    margin = pd.concat([WYNDOR_MARGIN, pd.Series({"gravel": 4.0})])
    res = product_mix(margin, usage, WYNDOR_CAPACITY)
    assert res.plan.loc["gravel", "quantity"] == pytest.approx(0.0)
    assert res.plan.loc["gravel", "reduced_cost"] == pytest.approx(-0.5)
    assert res.plan.loc["gravel", "status"] == "not made"
    assert "lower profit by 0.50" in res.plan.loc["gravel", "meaning"]


def test_demand_limit_gives_value_of_extra_demand_and_minimum_costs_profit():
    res = product_mix(
        WYNDOR_MARGIN,
        WYNDOR_USAGE,
        WYNDOR_CAPACITY,
        max_demand=pd.Series({"windows": 4.0}),
        min_quantity=pd.Series({"doors": 1.0}),
    )
    # windows capped at 4 (8 plant2 hours); doors then fill plant3: (18 - 8) / 3, capped at 4
    assert res.plan["quantity"].tolist() == pytest.approx([10 / 3, 4.0])
    # one more window displaces 2/3 door: 5 - 3 * 2/3 = 3
    assert res.plan.loc["windows", "demand_value"] == pytest.approx(3.0)
    assert res.plan.loc["windows", "status"] == "at demand limit"


def test_fixed_cost_lowers_profit_not_the_plan():
    res = product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, fixed_cost=10)
    assert res.profit == pytest.approx(26.0)
    assert res.plan["quantity"].tolist() == pytest.approx([2.0, 6.0])


def test_plot_shadow_prices_returns_axes():
    import matplotlib

    matplotlib.use("agg")
    ax = sop.plot_shadow_prices(wyndor())
    assert len(ax.patches) == 3


# -- P & Q (Goldratt) ---------------------------------------------------------------------
def test_pq_bottleneck_is_b_at_125_percent_goldratt_1990():
    t = constraint_analysis(PQ_USAGE, PQ_CAPACITY, PQ_DEMAND)
    assert t.index[0] == "B" and bool(t.loc["B", "bottleneck"])
    assert t.loc["B", "load"] == pytest.approx(3000.0)
    assert t.loc["B", "utilisation"] == pytest.approx(1.25)
    assert t["overloaded"].sum() == 1


def test_pq_throughput_per_constraint_minute_goldratt_1990():
    t = throughput_per_constraint_unit(PQ_THROUGHPUT, PQ_USAGE, "B")
    assert t["throughput_per_unit_time"].to_dict() == pytest.approx({"P": 3.0, "Q": 2.0})
    assert t["rank"].to_dict() == {"P": 1, "Q": 2}


def test_pq_net_profit_traditional_minus_300_toc_plus_300_goldratt_1990():
    t = compare_toc_with_lp(
        PQ_THROUGHPUT, PQ_USAGE, PQ_CAPACITY, PQ_DEMAND, fixed_cost=PQ_OPERATING_EXPENSE
    )
    assert t.loc["traditional (highest margin first)", ["P", "Q"]].tolist() == [60.0, 50.0]
    assert t.loc["traditional (highest margin first)", "net_profit"] == pytest.approx(-300.0)
    assert t.loc["TOC (throughput per constraint unit)", ["P", "Q"]].tolist() == [100.0, 30.0]
    assert t.loc["TOC (throughput per constraint unit)", "net_profit"] == pytest.approx(300.0)
    assert t.loc["LP optimum", "net_profit"] == pytest.approx(300.0)
    assert t.attrs["constraint"] == "B"


def test_toc_ranking_picks_the_wrong_mix_when_two_resources_bind():
    """P & Q with resource C cut to 1450 minutes (a constructed variant, not Goldratt's).

    B is still the most loaded (125 % vs 121 %), so TOC ranks on B and makes P first:
    P = min(100, 2400/15, 1450/15) = 96.67, which uses all of C, so Q = 0:
    throughput 96.67 * 45 = 4350. The LP makes both bind: 15P + 30Q = 2400 and
    15P + 5Q = 1450 give Q = 38, P = 84, throughput 84 * 45 + 38 * 60 = 6060.
    """
    cap = PQ_CAPACITY.copy()
    cap["C"] = 1450.0
    t = compare_toc_with_lp(PQ_THROUGHPUT, PQ_USAGE, cap, PQ_DEMAND)
    assert t.attrs["constraint"] == "B"
    assert t.loc["TOC (throughput per constraint unit)", "throughput"] == pytest.approx(4350.0)
    assert t.loc["LP optimum", ["P", "Q"]].tolist() == pytest.approx([84.0, 38.0])
    assert t.loc["LP optimum", "throughput"] == pytest.approx(6060.0)
    assert t.loc["LP optimum", "binding_resources"] == "B, C"
    assert (t["gap_to_lp"] <= 1e-9).all()


def test_toc_mix_never_beats_the_lp_on_random_instances():
    rng = np.random.default_rng(5)
    for _ in range(20):
        products = ["a", "b", "c"]
        margin = pd.Series(rng.uniform(5, 50, 3), index=products)
        usage = pd.DataFrame(rng.uniform(0, 3, (3, 3)), index=products, columns=["r1", "r2", "r3"])
        cap = pd.Series(rng.uniform(50, 150, 3), index=usage.columns)
        demand = pd.Series(rng.uniform(10, 60, 3), index=products)
        t = compare_toc_with_lp(margin, usage, cap, demand)
        assert t.loc["LP optimum", "throughput"] >= t["throughput"].max() - 1e-6


def test_toc_mix_respects_every_capacity():
    mix = toc_product_mix(PQ_THROUGHPUT, PQ_USAGE, PQ_CAPACITY, PQ_DEMAND)
    load = PQ_USAGE.mul(mix["quantity"].reindex(PQ_USAGE.index), axis=0).sum()
    assert (load <= PQ_CAPACITY + 1e-9).all()


# -- allocation -----------------------------------------------------------------------
DEMAND = pd.Series({"north": 400.0, "south": 300.0, "east": 200.0, "west": 100.0})
MARGIN = pd.Series({"north": 120.0, "south": 150.0, "east": 90.0, "west": 200.0})


def test_fair_share_gives_every_market_the_same_fill_rate():
    t = allocate_fair_share(600, DEMAND)
    assert t["allocated"].sum() == pytest.approx(600)
    assert t["fill_rate"].tolist() == pytest.approx([0.6] * 4)
    assert allocate_fair_share(2000, DEMAND)["fill_rate"].tolist() == pytest.approx([1.0] * 4)


def test_priority_serves_highest_first_and_splits_ties():
    t = allocate_by_priority(600, DEMAND, pd.Series({"north": 1, "south": 2, "east": 2, "west": 3}))
    assert t["allocated"].to_dict() == pytest.approx(
        {"west": 100.0, "south": 300.0, "east": 200.0, "north": 0.0}
    )
    t = allocate_by_priority(300, DEMAND, pd.Series({"north": 1, "south": 2, "east": 2, "west": 3}))
    # west 100 in full, then 200 shared by south and east in proportion 300:200
    assert t.loc[["south", "east"], "allocated"].tolist() == pytest.approx([120.0, 80.0])


def test_max_profit_meets_minimum_fill_rates_and_beats_the_others():
    t = allocate_max_profit(600, DEMAND, MARGIN, min_fill_rate=0.25)
    assert (t["fill_rate"] >= 0.25 - 1e-9).all()
    assert t["allocated"].sum() == pytest.approx(600)
    # floors: north 100, east 50; the rest goes by margin: west 100, south 300, then north
    assert t["allocated"].to_dict() == pytest.approx(
        {"north": 150.0, "south": 300.0, "east": 50.0, "west": 100.0}
    )
    assert t.attrs["supply_value"] == pytest.approx(120.0)
    # each unit of east's floor displaces a north unit: 120 - 90 = 30
    assert t.loc["east", "floor_cost"] == pytest.approx(30.0)
    c = compare_allocations(600, DEMAND, MARGIN, min_fill_rate=0.25)
    totals = c[c["market"] == "total"].set_index("method")
    # the LP earns most among plans that meet the floors; priority by margin ignores them
    # and earns more, which is exactly the cost of the minimum fill rates
    assert totals.loc["max profit", "margin"] > totals.loc["fair share", "margin"]
    assert totals.loc["priority", "margin"] >= totals.loc["max profit", "margin"]
    assert totals.loc["fair share", "min_fill_rate_met"]
    assert not totals.loc["priority", "min_fill_rate_met"]  # margin priority starves east
    assert totals["allocated"].tolist() == pytest.approx([600.0] * 3)


def test_min_fill_rates_above_supply_raise_a_clear_error():
    with pytest.raises(InfeasibleModelError, match="infeasible"):
        allocate_max_profit(300, DEMAND, MARGIN, min_fill_rate=0.5)


# -- balancing plan -------------------------------------------------------------------
def powerco_inputs() -> PlanningInputs:
    """Winston (4th ed.) section 7.1, Powerco, as a one-period balancing plan."""
    powerco = examples.powerco()
    plants, cities = list(powerco.supply.index), list(powerco.demand.index)
    cost = powerco.cost.to_numpy()
    return PlanningInputs(
        demand=pd.DataFrame(
            {
                "product": "kwh",
                "market": cities,
                "period": 1,
                "demand": powerco.demand.to_numpy(),
                "lost_sales_cost": 1000.0,
            }
        ),
        production_cost=pd.DataFrame({"product": "kwh", "plant": plants, "unit_cost": 0.0}),
        routings=pd.DataFrame(
            {"product": "kwh", "plant": plants, "work_centre": "generation", "hours_per_unit": 1.0}
        ),
        capacity=pd.DataFrame(
            {"plant": plants, "work_centre": "generation", "hours": powerco.supply.to_numpy()}
        ),
        lanes=pd.DataFrame(
            [(p, c, float(cost[i][j])) for i, p in enumerate(plants) for j, c in enumerate(cities)],
            columns=["plant", "market", "transport_cost"],
        ),
        holding_cost=pd.Series({"kwh": 1.0}),
    )


def test_powerco_transportation_cost_1020_winston_sec_7_1():
    plan = balancing_plan(powerco_inputs())
    assert plan.total_cost == pytest.approx(1020.0)
    assert plan.costs["transport"] == pytest.approx(1020.0)
    assert plan.fill_rate == pytest.approx(1.0)
    shipped = plan.shipments.groupby("plant")["quantity"].sum()
    assert shipped.to_dict() == pytest.approx({"plant1": 35.0, "plant2": 50.0, "plant3": 40.0})


def test_balancing_plan_conserves_units_and_respects_capacity_and_materials():
    inp = example_planning_inputs(5, 2, 3, 8, seed=11, tightness=0.8)
    plan = balancing_plan(inp)
    made = plan.production.groupby(["product", "plant"])["quantity"].sum()
    shipped = plan.shipments.groupby(["product", "plant"])["quantity"].sum().reindex(made.index)
    last = plan.inventory[plan.inventory["period"] == 8].set_index(["product", "plant"])["quantity"]
    assert np.allclose(made, shipped.fillna(0) + last.reindex(made.index), atol=1e-6)
    served = plan.shipments.groupby(["product", "market", "period"])["quantity"].sum()
    s = plan.sales.set_index(["product", "market", "period"])
    assert np.allclose(s["served"], served.reindex(s.index).fillna(0.0), atol=1e-6)
    assert (plan.capacity["load_hours"] <= plan.capacity["hours"] + 1e-6).all()
    assert (plan.materials["used"] <= plan.materials["available"] + 1e-6).all()
    assert (plan.sales["unmet"] >= -1e-9).all()
    assert plan.fill_rate < 1.0  # tight capacity: some demand is lost
    assert (plan.capacity["shadow_price"] >= -1e-9).all()
    assert (
        plan.capacity.loc[plan.capacity["utilisation"] < 0.999, "shadow_price"].abs().max() < 1e-6
    )
    total = plan.costs[["production", "transport", "holding", "lost_sales", "fixed"]].sum()
    assert plan.total_cost == pytest.approx(total)
    assert plan.lp.objective == pytest.approx(plan.total_cost)
    assert plan.costs["profit"] == pytest.approx(
        plan.costs["revenue"]
        - plan.costs["production"]
        - plan.costs["transport"]
        - plan.costs["holding"]
    )
    summary = plan.summary()
    assert summary["demand"].sum() == pytest.approx(inp.demand["demand"].sum())


def test_balancing_plan_builds_inventory_ahead_of_a_peak():
    inp = powerco_inputs()
    inp.demand = pd.DataFrame(
        {
            "product": "kwh",
            "market": "city4",
            "period": [1, 2],
            "demand": [10.0, 50.0],
            "lost_sales_cost": 1000.0,
        }
    )
    inp.production_cost = inp.production_cost[inp.production_cost["plant"] == "plant1"]
    inp.lanes = inp.lanes[inp.lanes["plant"] == "plant1"]
    plan = balancing_plan(inp)
    # plant1 makes 35 a period: period 2 needs 50, so 15 are made in period 1 and held
    held = plan.inventory.groupby("period")["quantity"].sum()
    assert held.tolist() == pytest.approx([15.0, 0.0])
    assert plan.fill_rate == pytest.approx(1.0)
    assert plan.costs["holding"] == pytest.approx(15.0)


def test_no_lost_sales_cost_means_nothing_is_worth_making():
    inp = powerco_inputs()
    inp.demand["lost_sales_cost"] = 0.0
    plan = balancing_plan(inp)
    assert plan.total_cost == pytest.approx(0.0)
    assert plan.fill_rate == pytest.approx(0.0)


def test_material_shortage_limits_production_and_gets_a_shadow_price():
    inp = powerco_inputs()
    inp.bom = pd.DataFrame({"product": ["kwh"], "component": ["fuel"], "quantity_per_unit": [1.0]})
    inp.component_supply = pd.DataFrame({"component": ["fuel"], "period": [1], "quantity": [100.0]})
    plan = balancing_plan(inp)
    assert plan.production["quantity"].sum() == pytest.approx(100.0)
    assert plan.materials.loc[0, "shadow_price"] > 0


def test_integer_plan_gives_whole_units():
    inp = example_planning_inputs(2, 2, 2, 3, seed=2)
    plan = balancing_plan(inp, integer=True)
    assert np.allclose(plan.production["quantity"], plan.production["quantity"].round())


# -- bad input, table-driven ----------------------------------------------------------
def _pi(**changes) -> PlanningInputs:
    inp = powerco_inputs()
    for k, v in changes.items():
        setattr(inp, k, v(getattr(inp, k)) if callable(v) else v)
    return inp


BAD_INPUTS = [
    (
        "negative capacity",
        lambda: product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY.replace({4.0: -4.0})),
        "negative",
    ),
    (
        "NaN margin",
        lambda: product_mix(
            pd.Series({"doors": np.nan, "windows": 5.0}), WYNDOR_USAGE, WYNDOR_CAPACITY
        ),
        "NaN",
    ),
    (
        "unknown product in usage",
        lambda: product_mix(pd.Series({"doors": 3.0}), WYNDOR_USAGE, WYNDOR_CAPACITY),
        "unknown product",
    ),
    (
        "product without routing",
        lambda: product_mix(
            pd.concat([WYNDOR_MARGIN, pd.Series({"tables": 1.0})]), WYNDOR_USAGE, WYNDOR_CAPACITY
        ),
        "no hours",
    ),
    (
        "resource without capacity",
        lambda: product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY.drop("plant3")),
        "no capacity",
    ),
    (
        "tidy usage missing a column",
        lambda: product_mix(
            WYNDOR_MARGIN,
            pd.DataFrame({"product": ["doors"], "resource": ["plant1"]}),
            WYNDOR_CAPACITY,
        ),
        "missing column",
    ),
    (
        "negative hours",
        lambda: product_mix(WYNDOR_MARGIN, -WYNDOR_USAGE, WYNDOR_CAPACITY),
        "negative hours",
    ),
    (
        "unknown product in demand",
        lambda: product_mix(
            WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, max_demand=pd.Series({"tables": 3.0})
        ),
        "unknown product",
    ),
    (
        "minimum above demand",
        lambda: product_mix(
            WYNDOR_MARGIN,
            WYNDOR_USAGE,
            WYNDOR_CAPACITY,
            max_demand=pd.Series({"doors": 1.0}),
            min_quantity=pd.Series({"doors": 2.0}),
        ),
        "above max_demand",
    ),
    (
        "infeasible minimums",
        lambda: product_mix(
            WYNDOR_MARGIN,
            WYNDOR_USAGE,
            WYNDOR_CAPACITY,
            min_quantity=pd.Series({"doors": 4.0, "windows": 6.0}),
        ),
        "infeasible",
    ),
    (
        "unbounded product",
        lambda: product_mix(
            pd.concat([WYNDOR_MARGIN, pd.Series({"gift card": 1.0})]),
            pd.concat(
                [
                    WYNDOR_USAGE,
                    pd.DataFrame(
                        {"plant1": [0.0], "plant2": [0.0], "plant3": [0.0]}, index=["gift card"]
                    ),
                ]
            ),
            WYNDOR_CAPACITY,
        ),
        "unbounded",
    ),
    (
        "empty margin",
        lambda: product_mix(pd.Series(dtype=float), WYNDOR_USAGE, WYNDOR_CAPACITY),
        "empty",
    ),
    (
        "unknown constraint",
        lambda: throughput_per_constraint_unit(PQ_THROUGHPUT, PQ_USAGE, "Z"),
        "Unknown constraint",
    ),
    (
        "negative demand",
        lambda: constraint_analysis(PQ_USAGE, PQ_CAPACITY, pd.Series({"P": -1.0, "Q": 5.0})),
        "negative",
    ),
    ("negative supply", lambda: allocate_fair_share(-5, DEMAND), "supply"),
    (
        "fill rate as a percent",
        lambda: allocate_max_profit(600, DEMAND, MARGIN, min_fill_rate=80),
        "between 0 and 1",
    ),
    (
        "priority missing a market",
        lambda: allocate_by_priority(600, DEMAND, pd.Series({"north": 1})),
        "no value",
    ),
    (
        "plan: missing demand column",
        lambda: balancing_plan(_pi(demand=lambda d: d.drop(columns="period"))),
        "missing column",
    ),
    (
        "plan: negative demand",
        lambda: balancing_plan(_pi(demand=lambda d: d.assign(demand=-d["demand"]))),
        "negative",
    ),
    (
        "plan: NaN capacity",
        lambda: balancing_plan(_pi(capacity=lambda c: c.assign(hours=np.nan))),
        "missing",
    ),
    (
        "plan: unknown product in routings",
        lambda: balancing_plan(_pi(routings=lambda r: r.assign(product="gas"))),
        "no demand rows",
    ),
    (
        "plan: lane to unknown market",
        lambda: balancing_plan(_pi(lanes=lambda x: x.assign(market="mars"))),
        "No lane reaches",
    ),
    (
        "plan: work centre without capacity",
        lambda: balancing_plan(_pi(capacity=lambda c: c.assign(work_centre="other"))),
        "no capacity",
    ),
    (
        "plan: no holding cost",
        lambda: balancing_plan(_pi(holding_cost=pd.Series({"other": 1.0}))),
        "holding_cost",
    ),
    (
        "plan: bom without supply",
        lambda: balancing_plan(
            _pi(
                bom=pd.DataFrame({"product": ["kwh"], "component": ["c"], "quantity_per_unit": [1]})
            )
        ),
        "both",
    ),
    ("plan: not PlanningInputs", lambda: balancing_plan({"demand": None}), "PlanningInputs"),
]


@pytest.mark.parametrize("case, call, message", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_a_clear_value_error(case, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_infeasible_and_unbounded_errors_are_value_errors_naming_the_cause():
    with pytest.raises(InfeasibleModelError) as err:
        product_mix(
            WYNDOR_MARGIN,
            WYNDOR_USAGE,
            WYNDOR_CAPACITY,
            min_quantity=pd.Series({"doors": 4.0, "windows": 6.0}),
        )
    assert "capacity[plant3]" in str(err.value) or "minimum" in str(err.value)
    assert issubclass(UnboundedModelError, ValueError)
    gift = pd.DataFrame({"plant1": [0.0], "plant2": [0.0], "plant3": [0.0]}, index=["gift card"])
    with pytest.raises(UnboundedModelError) as err:
        product_mix(
            pd.concat([WYNDOR_MARGIN, pd.Series({"gift card": 1.0})]),
            pd.concat([WYNDOR_USAGE, gift]),
            WYNDOR_CAPACITY,
        )
    # the message names the product nothing limits, not the ones capacity already limits
    assert "make[gift card]" in str(err.value) and "make[doors]" not in str(err.value)


# -- solver outcomes that are not an optimal plan ------------------------------------
class _StubBackend:
    """A solver that ends with a given PuLP status, to test how each status is reported."""

    def __init__(self, status: int, available: bool = True):
        self.status, self._available = status, available

    def available(self):
        return self._available

    def actualSolve(self, lp, **kwargs):  # noqa: N802 (PuLP's name)
        lp.status = self.status
        return self.status


def _small_lp() -> LinearProgram:
    lp = LinearProgram("small", sense="max")
    lp.add_variable("x", upper=5)
    lp.add_constraint("limit", {"x": 1}, "<=", 2)
    lp.set_objective({"x": 1})
    return lp


@pytest.mark.parametrize(
    "backend, message",
    [
        (_StubBackend(0), "before it found an optimal plan"),  # PuLP 'Not Solved'
        (_StubBackend(-3), "could not solve model 'small'"),  # PuLP 'Undefined'
        (_StubBackend(1, available=False), "not installed"),
    ],
)
def test_a_solve_that_ends_without_an_optimal_plan_raises_instead_of_zeros(
    monkeypatch, backend, message
):
    import sopcourse.solver as solver

    monkeypatch.setattr(solver, "_solver", lambda name, time_limit: backend)
    with pytest.raises(ValueError, match=message):
        _small_lp().solve()


def test_a_plan_that_breaks_a_constraint_is_not_returned_as_optimal():
    """HiGHS treats |a| <= 1e-9 as zero, so with a 1e-12 coefficient it reports x = 1e15 as
    optimal although 1e-12 x + y <= 1e-12 then fails by 1e3 (the size of the terms)."""
    lp = LinearProgram("badly scaled", sense="max")
    lp.add_variable("x")
    lp.add_variable("y")
    lp.add_constraint("tiny", {"x": 1e-12, "y": 1.0}, "<=", 1e-12)
    lp.add_constraint("huge", {"x": 1.0, "y": 1e12}, "<=", 1e15)
    lp.set_objective({"x": 1.0, "y": 1e6})
    with pytest.raises(ValueError, match="breaks constraint 'tiny'.*Rescale"):
        lp.solve()
    rescaled = LinearProgram("rescaled", sense="max")  # the same model in other units
    rescaled.add_variable("x")
    rescaled.add_variable("y")
    rescaled.add_constraint("tiny", {"x": 1.0, "y": 1.0}, "<=", 1.0)
    rescaled.add_constraint("huge", {"x": 1.0, "y": 1.0}, "<=", 1e3)
    rescaled.set_objective({"x": 1.0, "y": 1.0})
    assert rescaled.solve().objective == pytest.approx(1.0)


def test_a_variable_in_no_constraint_and_not_in_the_objective_keeps_its_bounds():
    """Nothing in the model involves y, so any value in [3, 4] is optimal; PuLP never hands
    it to the solver and returned None, which used to read as 0 (below its lower bound)."""
    lp = _small_lp()
    lp.add_variable("y", lower=3, upper=4)
    lp.add_variable("z", lower=-2, upper=7)
    res = lp.solve()
    assert res.values.to_dict() == {"x": 2.0, "y": 3.0, "z": 0.0}


# -- Tallridge Cycles data ------------------------------------------------------------
@pytest.fixture(scope="module")
def company():
    return sop.load_company()


def test_tallridge_product_mix_respects_capacity_and_prices_the_binding_hours(company):
    mix = sop.product_mix_inputs(company, "P1", "2026-05")
    res = product_mix(mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"])
    used = mix["usage"].mul(res.plan["quantity"], axis=0).sum()
    assert (used <= mix["capacity"] + 1e-6).all()
    assert (res.plan["quantity"] <= mix["max_demand"] + 1e-6).all()
    binding = res.resources[res.resources["binding"]]
    assert len(binding) >= 1 and (binding["shadow_price"] > 0).any()
    assert np.allclose(mix["margin"], mix["price"] - mix["material_cost"])


def test_tallridge_planning_inputs_cover_the_horizon_and_solve(company):
    supply = pd.DataFrame(
        {"component": "BAT-500", "period": ["2026-01", "2026-02"], "quantity": [300.0, 300.0]}
    )
    inp = sop.planning_inputs_from_company(company, months=2, component_supply=supply)
    assert sorted(inp.demand["period"].unique()) == ["2026-01", "2026-02"]
    assert set(inp.bom["component"]) == {"BAT-500"}
    plan = inp.solve()
    assert (plan.materials["used"] <= plan.materials["available"] + 1e-6).all()
    assert 0 < plan.fill_rate <= 1
    assert set(plan.production["plant"]) <= {"P1", "P2"}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda c: sop.product_mix_inputs(c, "P1", "2031-01"), "no rows"),
        (lambda c: sop.product_mix_inputs(c, "P7", "2026-05"), "Unknown plant"),
        (lambda c: sop.product_mix_inputs(c, "P1", "May"), "YYYY-MM"),
        (lambda c: sop.planning_inputs_from_company(c, months=0), "months"),
        (lambda c: sop.planning_inputs_from_company(c, start="2040-01"), "no months"),
        (
            lambda c: sop.planning_inputs_from_company(
                c,
                component_supply=pd.DataFrame(
                    {"component": ["X"], "period": ["2026-01"], "quantity": [1.0]}
                ),
            ),
            "unknown component",
        ),
    ],
)
def test_bad_company_arguments_raise_clear_errors(company, call, message):
    with pytest.raises(ValueError, match=message):
        call(company)


def test_horizon_is_the_number_of_periods_planned_and_the_old_names_still_work(company):
    new = sop.planning_inputs_from_company(company, horizon=2)
    old = sop.planning_inputs_from_company(company, months=2)
    pd.testing.assert_frame_equal(new.demand, old.demand)
    assert sorted(new.demand["period"].unique()) == ["2026-01", "2026-02"]
    with pytest.raises(ValueError, match="not both"):
        sop.planning_inputs_from_company(company, horizon=3, months=2)
    a = example_planning_inputs(2, 2, 2, horizon=3, seed=5)
    b = example_planning_inputs(2, 2, 2, n_periods=3, seed=5)
    pd.testing.assert_frame_equal(a.demand, b.demand)
    assert sorted(a.demand["period"].unique()) == [1, 2, 3]


def test_each_step_names_the_company_tables_it_reads(company):
    from sopcourse.case import PLANNING_TABLES, REVIEW_TABLES, STEP_TABLES

    assert set(STEP_TABLES) == {"product mix", "balancing plan", "management review"}
    assert PLANNING_TABLES == STEP_TABLES["balancing plan"]
    assert REVIEW_TABLES == STEP_TABLES["management review"]
    for tables in STEP_TABLES.values():
        assert all(getattr(company, t, None) is not None for t in tables)

    class NoRoutings:
        products = company.products
        sales_plan = company.sales_plan

    with pytest.raises(ValueError, match=r"lacks table\(s\) \['routings', 'work_centres'\]"):
        sop.product_mix_inputs(NoRoutings(), "P1", "2026-05")
