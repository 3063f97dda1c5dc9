"""Tests of sopcourse.mrp: master schedule / ATP, lot sizing and multi-level MRP."""

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import examples


@pytest.mark.parametrize(
    "instance, expected_lots, expected_cost",
    [
        # Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., Example 3.9:
        # d = (90, 120, 80, 70), K = 500, h = 2
        ("snyder_shen_example_3_9", [210, 0, 150, 0], 1380),
        # Snyder & Shen, 2nd ed., Problem 3.27: d = (150, 100, 80, 200), K = 120, h = 0.8
        ("snyder_shen_problem_3_27", [150, 180, 0, 200], 424),
        # Snyder & Shen, 2nd ed., Problem 3.29: d = (730, 580, 445, 650, 880), K = 100, h = 0.1
        ("snyder_shen_problem_3_29", [1310, 0, 1095, 0, 880], 423),
    ],
)
def test_wagner_whitin_matches_snyder_shen_2019_example_3_9_and_problems(
    instance, expected_lots, expected_cost
):
    ex = examples.get(instance)  # the data of the published instance
    demand, fixed_cost, holding_cost = ex.net_requirements, ex.fixed_cost, ex.holding_cost
    lots = sop.wagner_whitin(demand, fixed_cost, holding_cost)
    assert lots.tolist() == expected_lots
    cost = sop.lot_sizing_cost(demand, lots, fixed_cost, holding_cost)
    assert cost["total_cost"] == pytest.approx(expected_cost)


def test_silver_meal_on_example_3_9_stops_when_average_cost_rises():
    # Derived by hand: C(1) = 500, C(2) = (500 + 2*120)/2 = 370,
    # C(3) = (500 + 240 + 2*2*80)/3 = 353.3, C(4) = (1060 + 3*2*70)/4 = 370 > 353.3
    # so the first order covers periods 1-3 (290 units), then 70 in period 4.
    lots = sop.silver_meal(**examples.snyder_shen_example_3_9().data)
    assert lots.tolist() == [290, 0, 0, 70]


def test_silver_meal_nahmias_machine_shop_computer_casings_lots_48_47_20():
    """Silver-Meal example of Nahmias, Production and Operations Analysis, ch. 7 (machine
    shop, computer casings): r = (18, 30, 42, 5, 20), h = 2 per case-week, K = 80.
    Published: C(1) = 80, C(2) = 70, C(3) = 102.67 -> y1 = 48; then C(2) = 45,
    C(3) = 56.67 -> y3 = 47; y5 = 20 (as reproduced at solutioninn.com, "3.2 The
    Silver-Meal heuristic")."""
    lots = sop.silver_meal(**examples.nahmias_computer_casings().data)
    assert lots.tolist() == [48, 0, 47, 0, 20]


def test_wagner_whitin_is_never_beaten_by_the_heuristics():
    rng = np.random.default_rng(3)
    for _ in range(20):
        req = rng.integers(0, 100, 10).astype(float)
        table = sop.compare_lot_sizing(req, 300, 1.5)
        assert table.loc["wagner_whitin", "total_cost"] <= table["total_cost"].min() + 1e-9


def test_fixed_and_periodic_order_quantity_cover_requirements():
    req = [20, 0, 35, 10, 0, 40]
    foq = sop.fixed_order_quantity(req, 50)
    assert set(foq[foq > 0]) == {50}
    assert (np.cumsum(foq) >= np.cumsum(req)).all()
    poq = sop.periodic_order_quantity(req, 3)
    assert poq.tolist() == [55, 0, 0, 50, 0, 0]


def test_stevenson_industrial_pumps_master_schedule_pab_41_in_week_3_and_atp_11_in_week_1():
    """Stevenson, Operations Management (14th ed.), ch. 11 "Aggregate planning and master
    scheduling", industrial pumps example (Figures 11.10-11.11): 64 pumps on hand,
    forecast 30/week in June and 40/week in July, committed orders 33, 20, 10, 4, 2,
    lot size 70 whenever the projected on hand would go negative. Published: production
    in weeks 3, 5, 7 and 8; the week-3 lot covers a shortfall of 29 and leaves 41;
    ATP in week 1 = 64 + 0 - (33 + 20) = 11. Checked against the book's text as quoted
    at https://fliphtml5.com/cviyu/vkrs/OPERAT%7E1/519/ (p. 490) and studymode's summary of it."""
    pumps = examples.stevenson_industrial_pumps()
    forecast, orders = pumps.forecast.tolist(), pumps.customer_orders.tolist()
    # the MPS rule "a lot of 70 when projected on hand would go negative" is a
    # fixed-order-quantity MRP record with zero lead time on max(forecast, orders)
    mps = sop.mrp_record(
        np.maximum(forecast, orders),
        on_hand=pumps.on_hand,
        lot_rule="fixed_order_quantity",
        order_quantity=pumps.lot_size,
    )["planned_receipts"]
    assert [t for t, q in mps.items() if q > 0] == [3, 5, 7, 8]
    rec = sop.master_schedule_record(forecast, orders, mps, on_hand=pumps.on_hand)
    assert rec.loc[3, "projected_available"] == 41
    assert rec.loc[2, "projected_available"] - 30 == -29  # the shortfall the lot covers
    assert rec.loc[1, "atp"] == 11


def test_master_schedule_pab_and_atp_derived_by_hand():
    # OH 45; inside the demand time fence (period 1) only orders count.
    # PAB: 45-23 = 22; 22+60-max(20,15) = 62; 62-20 = 42; 42-20 = 22.
    # ATP1 = 45 - 23 = 22; ATP2 = 60 - (15+8+4) = 33.
    rec = sop.master_schedule_record([20] * 4, [23, 15, 8, 4], [0, 60, 0, 0], 45, 1, 2)
    assert rec["projected_available"].tolist() == [22, 62, 42, 22]
    assert rec["atp"].tolist() == [22, 33, 0, 0]
    assert rec["zone"].tolist() == ["frozen", "slushy", "liquid", "liquid"]


def test_negative_atp_borrows_from_the_earlier_mps_receipt():
    # ATP2 = 10 - 25 = -15 -> borrow 15 from ATP1 = 30 - 5 = 25 -> 10.
    rec = sop.master_schedule_record([0, 0, 0], [5, 25, 0], [0, 10, 0], 30)
    assert rec["atp"].tolist() == [10, 0, 0]


BOM = pd.DataFrame(
    {
        "parent": ["bike", "bike", "wheel", "wheel", "frame"],
        "component": ["wheel", "frame", "rim", "spoke", "tube"],
        "quantity": [2, 1, 1, 32, 3],
    }
)
ITEMS = pd.DataFrame(
    {
        "item": ["bike", "wheel", "frame", "rim", "spoke", "tube"],
        "lead_time": [1, 1, 2, 1, 1, 1],
        "on_hand": [5, 4, 0, 10, 500, 0],
    }
)


def test_mrp_explosion_gross_to_net_offsetting_and_pegging_derived_by_hand():
    mps = pd.DataFrame({"item": "bike", "period": [4, 6], "quantity": [15, 20]})
    sched = pd.DataFrame({"item": ["rim"], "period": [2], "quantity": [6]})
    res = sop.run_mrp(mps, BOM, ITEMS, scheduled_receipts=sched, periods=6)
    bike = res.record("bike")
    # bike: net 10 in p4 (15 - 5 on hand) and 20 in p6; lead time 1
    assert bike.loc["planned_releases"].tolist() == [0, 0, 10, 0, 20, 0]
    wheel = res.record("wheel")
    # wheel gross = 2 x bike releases: 20 in p3, 40 in p5; on hand 4 -> net 16, 40
    assert wheel.loc["gross_requirements"].tolist() == [0, 0, 20, 0, 40, 0]
    assert wheel.loc["planned_releases"].tolist() == [0, 16, 0, 40, 0, 0]
    rim = res.record("rim")
    # rim gross 16 in p2, 40 in p4; 10 on hand + 6 scheduled in p2 -> net 0, 40
    assert rim.loc["net_requirements"].tolist() == [0, 0, 0, 40, 0, 0]
    assert rim.loc["planned_releases"].tolist() == [0, 0, 40, 0, 0, 0]
    # frame lead time 2: releases 10 in p1 and 20 in p3; tube = 3 x, one period earlier
    assert res.record("frame").loc["planned_releases"].tolist() == [10, 0, 20, 0, 0, 0]
    assert res.past_due["tube"] == 30
    assert res.low_level_codes.to_dict() == {
        "bike": 0,
        "wheel": 1,
        "frame": 1,
        "rim": 2,
        "spoke": 2,
        "tube": 2,
    }
    # pegging: every gross requirement is traced to a parent or to independent demand
    pegged = res.pegging.groupby(["component", "period"])["quantity"].sum()
    gross = res.records.set_index(["item", "period"])["gross_requirements"]
    assert pegged.sum() == pytest.approx(gross.sum())
    assert set(res.pegging.loc[res.pegging["component"] == "spoke", "parent"]) == {"wheel"}


def test_low_level_code_is_the_deepest_level_of_a_shared_component():
    bom = pd.DataFrame(
        {"parent": ["A", "A", "B"], "component": ["B", "C", "C"], "quantity": [1, 1, 1]}
    )
    assert sop.low_level_codes(bom).to_dict() == {"A": 0, "B": 1, "C": 2}


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: sop.low_level_codes(
                pd.DataFrame({"parent": ["A", "B"], "component": ["B", "A"], "quantity": [1, 1]})
            ),
            "cycle",
        ),
        (lambda: sop.mrp_record([10, 10], lead_time=3), "lead_time"),
        (lambda: sop.mrp_record([10, -1]), "negative"),
        (lambda: sop.mrp_record([10, float("nan")]), "gross_requirements has NaN"),
        (lambda: sop.wagner_whitin([], 10, 1), "empty"),
        (lambda: sop.fixed_order_quantity([1, 2], 0), "order_quantity"),
        (lambda: sop.mrp_record([1, 2], lot_rule="magic"), "Unknown lot-sizing rule"),
        (
            lambda: sop.run_mrp(
                pd.DataFrame({"item": ["unicycle"], "period": [1], "quantity": [1]}), BOM, ITEMS
            ),
            "unknown item",
        ),
        (
            lambda: sop.run_mrp(pd.DataFrame({"item": ["bike"], "qty": [1]}), BOM, ITEMS),
            "missing column",
        ),
        (lambda: sop.master_schedule_record([1], [1, 2], [0], 0), "same length"),
        (lambda: sop.lot_sizing_cost([10, 10], [5, 0], 1, 1), "short in period 1"),
        (
            lambda: sop.master_schedule_record([1, 1], [1, 1], [0, 0], 5, demand_time_fence=3),
            "fence",
        ),
        (lambda: sop.master_schedule_record([1], [1], [0], -5), "on_hand"),
        (lambda: sop.periodic_order_quantity([1, 2], 0), "periods"),
        (lambda: sop.silver_meal([1, 2], 100, -1), "holding_cost"),
        (lambda: sop.mrp_record([1, 2], lot_rule="fixed_order_quantity"), "order_quantity"),
        # an infinite lot used to give NaN and 0 receipts: ceil(shortfall / inf) = 0 lots
        (lambda: sop.fixed_order_quantity([10, 5], float("inf")), "finite"),
        (lambda: sop.lot_for_lot([10, float("inf")]), "infinite"),
        (lambda: sop.wagner_whitin([10, 5], 100, float("inf")), "finite"),
        (lambda: sop.silver_meal([10, 5], float("inf"), 1), "finite"),
    ],
)
def test_bad_input_raises_value_error_that_says_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("rule", [sop.wagner_whitin, sop.silver_meal])
def test_free_holding_orders_once_and_free_set_ups_order_lot_for_lot(rule):
    """h = 0: carrying stock costs nothing, so one order in the first period covers all
    requirements (10 + 5 + 0 + 7 = 22); K = 0: orders cost nothing, so order each period's
    requirement (lot for lot)."""
    req = [10.0, 5.0, 0.0, 7.0]
    assert rule(req, 100, 0).tolist() == [22.0, 0.0, 0.0, 0.0]
    assert rule(req, 0, 1).tolist() == sop.lot_for_lot(req).tolist()


@pytest.mark.parametrize("rule", [sop.wagner_whitin, sop.silver_meal])
def test_no_requirements_need_no_orders(rule):
    assert rule([0.0, 0.0, 0.0], 100, 1).tolist() == [0.0, 0.0, 0.0]


def test_run_mrp_takes_the_horizon_under_its_old_name_periods_too():
    mps = pd.DataFrame({"item": "bike", "period": [4, 5], "quantity": [10, 10]})
    new = sop.run_mrp(mps, BOM, ITEMS, horizon=6)
    old = sop.run_mrp(mps, BOM, ITEMS, periods=6)
    pd.testing.assert_frame_equal(new.records, old.records)
    assert new.records["period"].max() == 6
    with pytest.raises(ValueError, match="not both"):
        sop.run_mrp(mps, BOM, ITEMS, horizon=6, periods=7)
