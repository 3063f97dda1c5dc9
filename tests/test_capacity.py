"""Tests of sopcourse.capacity: available capacity, rough-cut capacity planning and the
aggregate production planning LP."""

import matplotlib

matplotlib.use("agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse import examples  # noqa: E402

# Chopra & Meindl, 6th ed., ch. 8 (data and citation: sopcourse.examples.red_tomato_tools)
RED_TOMATO = dict(examples.red_tomato_tools().data)
RED_TOMATO_DEMAND = RED_TOMATO.pop("demand")


def test_chopra_meindl_red_tomato_tools_lp_optimum_is_422275():
    """Chopra & Meindl, Supply Chain Management, 6th ed., ch. 8 (Red Tomato Tools): the LP
    relaxation costs $422,275 with 16 workers laid off in period 1 (80 -> 64.58)."""
    plan = sop.aggregate_plan(RED_TOMATO_DEMAND, **RED_TOMATO)
    assert plan.total_cost == pytest.approx(422275, abs=1)
    assert plan.plan["workforce"].iloc[0] == pytest.approx(64.583, abs=1e-3)


def test_chopra_meindl_red_tomato_tools_integer_optimum_is_422660():
    """Chopra & Meindl, 6th ed., ch. 8: with whole workers and units the optimal aggregate
    plan costs $422,660 (64 workers all horizon, subcontracting in period 4)."""
    plan = sop.aggregate_plan(RED_TOMATO_DEMAND, integer=True, **RED_TOMATO)
    assert plan.total_cost == pytest.approx(422660, abs=1)
    assert plan.plan["workforce"].tolist() == [64] * 6
    assert plan.costs.sum() == pytest.approx(plan.total_cost)


def test_hybrid_plan_is_never_dearer_than_chase_or_level():
    table = sop.compare_aggregate_plans(RED_TOMATO_DEMAND, **RED_TOMATO)
    assert table.loc["total", "hybrid"] <= table.loc["total"].min() + 1e-6
    chase = sop.aggregate_plan(RED_TOMATO_DEMAND, strategy="chase", **RED_TOMATO)
    assert (chase.plan["backorders"] == 0).all()
    assert (chase.plan["inventory"].iloc[:-1] == 0).all()
    level = sop.aggregate_plan(RED_TOMATO_DEMAND, strategy="level", **RED_TOMATO)
    assert level.plan["workforce"].nunique() == 1


def test_available_capacity_is_hours_times_shifts_times_utilisation_times_efficiency():
    assert sop.available_capacity(8, shifts=2, days=20, utilisation=0.9, efficiency=0.95) == (
        pytest.approx(8 * 2 * 20 * 0.9 * 0.95)
    )


def test_vollmann_capacity_bill_sarah_reed_walnut_hill_boom_box():
    """Vollmann, Berry, Whybark & Jacobs, Manufacturing Planning and Control, ch. 10
    problem (Sarah Reed, Walnut Hill, XYZ boom box): MPS 450, 300, 625, 890; 0.2 h/unit
    in circuit board, 0.3 h/unit in assembly; capacity 130 and 160 h per period. The
    published period-2 loads are 60 and 90 h; the others follow by the same arithmetic.
    """
    boom_box = examples.sarah_reed_boom_box()
    load = sop.rccp_bill_of_capacity(boom_box.mps, boom_box.bill_of_capacity)
    table = sop.load_vs_capacity(load, boom_box.capacity)
    wide = table.pivot(index="period", columns="work_centre", values="load_hours")
    assert wide.loc[2].to_dict() == pytest.approx({"assembly": 90.0, "circuit_board": 60.0})
    assert wide["assembly"].tolist() == pytest.approx([135, 90, 187.5, 267])
    assert sop.find_bottleneck(table) == "assembly"
    over = table[table["overload_hours"] > 0]
    assert set(zip(over["work_centre"], over["period"], strict=True)) == {
        ("assembly", 3),
        ("assembly", 4),
        ("circuit_board", 4),
    }


def test_three_rccp_methods_agree_on_total_hours_and_differ_in_where_and_when():
    # Derived by hand: A needs 1.0 h weld + 0.5 h paint; B needs 0.5 h weld + 0.5 h paint.
    mps = pd.DataFrame(
        {"product": ["A", "B", "A", "B"], "period": [2, 2, 3, 3], "quantity": [10, 20, 30, 0]}
    )
    boc = pd.DataFrame(
        {
            "product": ["A", "A", "B", "B"],
            "work_centre": ["weld", "paint", "weld", "paint"],
            "hours_per_unit": [1.0, 0.5, 0.5, 0.5],
        }
    )
    total = pd.Series({"A": 1.5, "B": 1.0})
    cpof = sop.rccp_overall_factors(mps, total, pd.Series({"weld": 0.6, "paint": 0.4}))
    bill = sop.rccp_bill_of_capacity(mps, boc)
    profile = sop.rccp_resource_profile(mps, boc.assign(offset=[1, 0, 1, 0]))
    for table in (cpof, bill, profile):
        assert table["load_hours"].sum() == pytest.approx(35 + 45)
    # bill of capacity: weld p2 = 10 + 10 = 20, p3 = 30; paint p2 = 15, p3 = 15
    assert bill.set_index(["work_centre", "period"])["load_hours"].to_dict() == {
        ("paint", 2): 15.0,
        ("paint", 3): 15.0,
        ("weld", 2): 20.0,
        ("weld", 3): 30.0,
    }
    # resource profile: welding happens one period before completion
    assert profile.loc[profile["work_centre"] == "weld", "period"].tolist() == [1, 2]


def test_plot_load_vs_capacity_draws_every_work_centre():
    load = pd.DataFrame(
        {"work_centre": ["a", "a", "b", "b"], "period": [1, 2, 1, 2], "load_hours": [1.0, 2, 3, 4]}
    )
    table = sop.load_vs_capacity(load, pd.Series({"a": 2.0, "b": 3.0}))
    ax = sop.plot_load_vs_capacity(table)
    assert len(ax.get_lines()) == 3
    assert "%" in ax.get_ylabel()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sop.available_capacity(8, utilisation=85), "fraction"),
        (lambda: sop.available_capacity(-8), "negative"),
        (
            lambda: sop.rccp_overall_factors(
                pd.DataFrame({"product": ["A"], "period": [1], "quantity": [1]}),
                pd.Series({"A": 1.0}),
                pd.Series({"weld": 0.5}),
            ),
            "sum to 1",
        ),
        (
            lambda: sop.rccp_bill_of_capacity(
                pd.DataFrame({"product": ["Z"], "period": [1], "quantity": [1]}),
                pd.DataFrame({"product": ["A"], "work_centre": ["w"], "hours_per_unit": [1.0]}),
            ),
            "product",
        ),
        (
            lambda: sop.rccp_bill_of_capacity(
                pd.DataFrame({"product": ["A"], "period": [1], "quantity": [-1]}),
                pd.DataFrame({"product": ["A"], "work_centre": ["w"], "hours_per_unit": [1.0]}),
            ),
            "negative",
        ),
        (
            lambda: sop.load_vs_capacity(
                pd.DataFrame({"work_centre": ["w"], "period": [1], "load_hours": [1.0]}),
                pd.Series({"x": 1.0}),
            ),
            "No capacity",
        ),
        (
            lambda: sop.rccp_resource_profile(
                pd.DataFrame({"product": ["A"], "period": [1], "quantity": [1]}),
                pd.DataFrame({"product": ["A"], "work_centre": ["w"], "hours_per_unit": [1.0]}),
            ),
            "offset",
        ),
        (
            lambda: sop.plot_load_vs_capacity(
                sop.load_vs_capacity(
                    pd.DataFrame({"work_centre": ["w"], "period": [1], "load_hours": [1.0]}),
                    pd.Series({"w": 1.0}),
                ),
                "paint",
            ),
            "Unknown work centre",
        ),
        (lambda: sop.aggregate_plan([], **RED_TOMATO), "demand"),
        (lambda: sop.aggregate_plan([100, float("nan")], **RED_TOMATO), "demand"),
        (lambda: sop.aggregate_plan([100], **{**RED_TOMATO, "hiring_cost": -1}), "hiring_cost"),
        (lambda: sop.aggregate_plan([100, -5], **RED_TOMATO), "demand"),
        (lambda: sop.aggregate_plan([100], strategy="magic", **RED_TOMATO), "strategy"),
        (
            lambda: sop.aggregate_plan(
                [100, 100],
                **{
                    **RED_TOMATO,
                    "final_inventory": 10**9,
                    "max_workforce": 100,
                    "subcontract_cost": None,
                },
            ),
            "No hybrid plan",
        ),
        (lambda: sop.available_capacity(8, 2, float("inf")), "infinite"),
        (  # no load anywhere: there is no bottleneck (it used to name the first centre)
            lambda: sop.find_bottleneck(
                pd.DataFrame(
                    {
                        "work_centre": ["weld", "paint"],
                        "load_hours": [0.0, 0.0],
                        "capacity_hours": [100.0, 0.0],
                    }
                )
            ),
            "no work centre has any load",
        ),
    ],
)
def test_bad_input_raises_value_error_that_says_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_load_on_a_work_centre_without_capacity_makes_it_the_bottleneck():
    """5 h of load on 10 h is 50 %; 1 h of load on 0 h can never be met (load / 0 = inf)."""
    table = pd.DataFrame(
        {"work_centre": ["weld", "paint"], "load_hours": [5.0, 1.0], "capacity_hours": [10.0, 0.0]}
    )
    assert sop.find_bottleneck(table) == "paint"
