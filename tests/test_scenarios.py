"""Tests for sopcourse.scenarios (module 5 what-if analysis) and the module 5 explorer.

Published example: Hillier & Lieberman, *Introduction to Operations Research* (9th ed.),
Wyndor Glass Co.: shadow price of plant 3 is 1 ($1,000 per hour) for 12 <= b3 <= 24
and plant 2 is 3/2 for 6 <= b2 <= 18, so the profit curve over b3 has slope 1 inside
that range (the capacity sweep must show it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import examples
from sopcourse.optimize import example_planning_inputs
from sopcourse.scenarios import (
    Change,
    Scenario,
    add_shift,
    capacity_sweep,
    change_capacity,
    change_component_cost,
    change_demand,
    change_price,
    compare_scenarios,
    lose_work_centre,
    mix_changes,
    plot_scenarios,
    run_scenarios,
    sensitivity_ranges,
    what_if_mix,
)

_WYNDOR = examples.wyndor()  # Hillier & Lieberman (9th ed.), Wyndor Glass Co.
WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY = _WYNDOR.margin, _WYNDOR.usage, _WYNDOR.capacity


@pytest.fixture(scope="module")
def base():
    return example_planning_inputs(4, 2, 3, 6, seed=7)


# -- changes --------------------------------------------------------------------------
def test_changes_never_touch_the_base(base):
    before = base.demand.copy(), base.capacity.copy(), base.production_cost.copy()
    s = Scenario(
        "everything",
        [
            change_demand(0.2, family="e-bike"),
            change_price(-0.1, market="M1"),
            lose_work_centre("P1", "weld", periods=[2]),
            add_shift("P2", "assembly", 100, cost_per_period=1000),
            change_component_cost("battery", 50),
        ],
    )
    changed = s.apply(base)
    pd.testing.assert_frame_equal(base.demand, before[0])
    pd.testing.assert_frame_equal(base.capacity, before[1])
    pd.testing.assert_frame_equal(base.production_cost, before[2])
    assert base.fixed_cost == 0.0 and changed.fixed_cost == 6000.0
    assert "work centre weld at P1 lost" in s.describe()


def test_demand_change_moves_only_the_filtered_rows(base):
    up = change_demand(0.25, family="e-bike", market="M2").apply(base)
    m = (base.demand["family"] == "e-bike") & (base.demand["market"] == "M2")
    assert np.allclose(up.demand.loc[m, "demand"], base.demand.loc[m, "demand"] * 1.25)
    assert np.allclose(up.demand.loc[~m, "demand"], base.demand.loc[~m, "demand"])


def test_lost_work_centre_has_no_load_that_month(base):
    plan = lose_work_centre("P1", "weld", periods=[3]).apply(base).solve()
    row = plan.capacity.query("plant == 'P1' and work_centre == 'weld' and period == 3")
    assert row["hours"].item() == 0.0 and row["load_hours"].item() == pytest.approx(0.0)


def test_component_cost_raises_the_cost_of_products_that_use_it(base):
    dearer = change_component_cost("battery", 40).apply(base)
    users = set(base.bom["product"])
    diff = dearer.production_cost["unit_cost"] - base.production_cost["unit_cost"]
    assert np.allclose(diff[base.production_cost["product"].isin(users)], 40.0)
    assert np.allclose(diff[~base.production_cost["product"].isin(users)], 0.0)
    assert dearer.component_cost["unit_cost"].item() == pytest.approx(190.0)


def test_more_capacity_never_lowers_profit_and_less_never_raises_it(base):
    t = compare_scenarios(
        base,
        [
            Scenario("more weld", [change_capacity("P1", "weld", factor=1.3)]),
            Scenario("less weld", [change_capacity("P1", "weld", factor=0.7)]),
            Scenario("free shift", [add_shift("P2", "assembly", 200)]),
        ],
    )
    assert t.loc["more weld", "profit"] >= t.loc["base", "profit"] - 1e-6
    assert t.loc["less weld", "profit"] <= t.loc["base", "profit"] + 1e-6
    assert t.loc["free shift", "profit"] >= t.loc["base", "profit"] - 1e-6
    assert t.loc["base", "profit_change"] == 0.0
    assert list(t.index) == ["base", "more weld", "less weld", "free shift"]


def test_a_costly_shift_is_charged_to_profit_not_to_the_plan(base):
    plans = run_scenarios(
        base, [Scenario("shift", [add_shift("P2", "assembly", 1e-6, cost_per_period=500)])]
    )
    assert plans["shift"].costs["fixed"] == pytest.approx(3000.0)
    assert plans["shift"].costs["profit"] == pytest.approx(
        plans["base"].costs["profit"] - 3000.0, rel=1e-6
    )


def test_price_cut_lowers_revenue_and_profit(base):
    t = compare_scenarios(base, [Scenario("cut", [change_price(-0.1)])])
    assert t.loc["cut", "revenue"] < t.loc["base", "revenue"]
    assert t.loc["cut", "profit_change"] < 0


def test_compare_table_columns_and_chart(base):
    import matplotlib

    matplotlib.use("agg")
    t = compare_scenarios(base, [Scenario("boom", [change_demand(0.3)])])
    for col in [
        "profit",
        "fill_rate",
        "utilisation",
        "bottleneck",
        "average_inventory",
        "lost_sales_units",
        "profit_change",
        "changes",
    ]:
        assert col in t.columns
    assert 0 < t.loc["boom", "fill_rate"] <= t.loc["base", "fill_rate"] + 1e-9
    assert t.loc["boom", "changes"] == "demand +30%"
    ax = plot_scenarios(t)
    assert len(ax.patches) == 2


# -- product-mix what-ifs ---------------------------------------------------------------
def test_capacity_sweep_slope_is_the_shadow_price_wyndor():
    t = capacity_sweep(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, "plant3", [12, 15, 18, 21, 24])
    slopes = np.diff(t["profit"]) / np.diff(t["capacity"])
    assert slopes == pytest.approx([1.0] * 4)  # H&L: y3 = 1 for 12 <= b3 <= 24
    beyond = capacity_sweep(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, "plant3", [24, 30])
    assert beyond["profit"].diff().iloc[1] == pytest.approx(0.0)  # plant 3 no longer binds


def test_capacity_sweep_profit_is_concave():
    t = capacity_sweep(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, "plant2", range(0, 30, 2))
    slopes = np.diff(t["profit"]) / 2
    assert (np.diff(slopes) <= 1e-9).all()


def test_sensitivity_ranges_of_a_mix_and_of_an_lp():
    res = sop.product_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY)
    t = sensitivity_ranges(res).set_index("name")
    assert t.loc["plant2", ["lower", "upper"]].tolist() == pytest.approx([6.0, 18.0])
    t2 = sensitivity_ranges(res.lp)
    assert set(t2["kind"]) == {"objective", "rhs"}
    lp = sop.LinearProgram("x", "max")
    lp.add_variable("a", upper=1)
    lp.set_objective({"a": 1})
    with pytest.raises(ValueError, match="ranging=True"):
        sensitivity_ranges(lp.solve())


def test_what_if_mix_losing_a_resource_and_cutting_price():
    lost = what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, capacity_change={"plant2": -1})
    assert lost.plan["quantity"].tolist() == pytest.approx([4.0, 0.0])  # only doors: plant1 cap
    price = pd.Series({"doors": 10.0, "windows": 10.0})
    cut = what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, margin_change=-0.2, price=price)
    # a 20 % price cut takes 2 off each margin: doors 1, windows 3 -> windows first
    assert cut.plan["margin"].tolist() == pytest.approx([1.0, 3.0])
    assert cut.profit == pytest.approx(2 * 1 + 6 * 3)
    same = what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY)
    assert same.profit == pytest.approx(36.0)
    t = mix_changes(same, cut)
    assert t["change"].tolist() == pytest.approx([0.0, 0.0])
    assert t["contribution_change"].sum() == pytest.approx(cut.profit - 36.0)


def test_what_if_mix_demand_change_scales_limits():
    demand = pd.Series({"doors": 2.0, "windows": 3.0})
    res = what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, demand, demand_change=1.0)
    assert res.plan["max_demand"].tolist() == pytest.approx([4.0, 6.0])
    assert res.profit == pytest.approx(36.0)


def test_explorer_builds_and_its_chart_compares_plans():
    import matplotlib

    matplotlib.use("agg")
    from sopcourse.widgets.profit import draw_mix_explorer, product_mix_explorer

    box = product_mix_explorer(
        WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, pd.Series({"doors": 5.0, "windows": 8.0})
    )
    assert "Profit" in box.children[1].value
    base = what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY)
    new = what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, capacity_change=0.5)
    ax = draw_mix_explorer(base, new)
    assert len(ax.patches) == 4
    from sopcourse.widgets.profit import MixChart

    chart = MixChart(base, ymax=10)
    first, second = chart.render(base), chart.render(new)
    assert first[1:4] == b"PNG" and first != second  # the bars moved
    assert chart.render(base) == first  # same plan, same picture: the background is reused
    assert [b.get_height() for b in chart.ax.containers[1]] == pytest.approx([2.0, 6.0])


# -- bad input, table-driven ------------------------------------------------------------
BAD = [
    ("demand change below -100 %", lambda b: change_demand(-1.5), "at least -1"),
    ("unknown family", lambda b: change_demand(0.1, family="scooter").apply(b), "Unknown family"),
    ("unknown market", lambda b: change_price(-0.1, market="Mars").apply(b), "Unknown market"),
    (
        "family filter without column",
        lambda b: change_demand(0.1, family="bike").apply(_drop(b, "family")),
        "no 'family'",
    ),
    ("price change without prices", lambda b: change_price(-0.1).apply(_drop(b, "price")), "price"),
    ("capacity change without factor or hours", lambda b: change_capacity("P1", "weld"), "factor"),
    ("negative factor", lambda b: change_capacity("P1", "weld", factor=-1), "zero or more"),
    (
        "unknown plant",
        lambda b: change_capacity("P9", "weld", factor=0.5).apply(b),
        "Unknown plant",
    ),
    (
        "negative capacity after removing hours",
        lambda b: change_capacity("P1", "weld", hours=-1e9).apply(b),
        "negative capacity",
    ),
    (
        "lost work centre without periods",
        lambda b: lose_work_centre("P1", "weld", periods=None),
        "periods",
    ),
    ("shift of zero hours", lambda b: add_shift("P1", "weld", 0), "positive"),
    (
        "unknown component",
        lambda b: change_component_cost("chain", 5).apply(b),
        "Unknown component",
    ),
    ("scenario without name", lambda b: Scenario("", []), "name"),
    ("change that is not a Change", lambda b: Scenario("x", ["demand +10%"]), "every change"),
    ("scenario called base", lambda b: run_scenarios(b, [Scenario("base", [])]), "unique"),
    (
        "unknown metric",
        lambda b: plot_scenarios(pd.DataFrame({"profit": [1.0]}), "margin"),
        "Unknown metric",
    ),
    (
        "what-if on unknown resource",
        lambda b: what_if_mix(
            WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, capacity_change={"plant9": 0.1}
        ),
        "unknown item",
    ),
    (
        "demand change without demand",
        lambda b: what_if_mix(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, demand_change=0.1),
        "max_demand",
    ),
    (
        "sweep of unknown resource",
        lambda b: capacity_sweep(WYNDOR_MARGIN, WYNDOR_USAGE, WYNDOR_CAPACITY, "plant9", [1]),
        "Unknown resource",
    ),
    ("ranges of something else", lambda b: sensitivity_ranges("plan"), "ProductMixResult"),
]


def _drop(inputs, column):
    changed = inputs.copy()
    changed.demand = changed.demand.drop(columns=column)
    return changed


@pytest.mark.parametrize("case, call, message", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_a_clear_value_error(base, case, call, message):
    with pytest.raises(ValueError, match=message):
        call(base)


def test_a_scenario_that_breaks_the_plan_is_named_in_the_error(base):
    def no_hours(inputs):
        inputs.capacity = inputs.capacity.assign(hours=np.nan)

    broken = Scenario("blackout", [Change("every work centre unmeasured", no_hours)])
    with pytest.raises(ValueError, match="Scenario 'blackout: every work centre unmeasured'"):
        run_scenarios(base, [Scenario("calm", []), broken])
