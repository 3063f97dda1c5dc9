"""MPS generation (sopcourse.mps): the published Stevenson example, properties,
a differential test against the MRP record, and the input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sopcourse.mps import generate_master_schedule
from sopcourse.mrp import master_schedule_record, mrp_record

PUMPS_FORECAST = [30, 30, 30, 30, 40, 40, 40, 40]
PUMPS_ORDERS = [33, 20, 10, 4, 2, 0, 0, 0]


def test_stevenson_industrial_pumps_mps_weeks_3_5_7_8_pab_41_atp_11():
    # Stevenson, Operations Management, 14th ed., ch. 11 "Aggregate planning and master
    # scheduling", industrial pumps (Figures 11.10-11.11, p. 490, as quoted at
    # fliphtml5.com/cviyu/vkrs/OPERAT~1/519/ and summarised at studymode.com): 64 on hand,
    # forecast 30/week (June) and 40/week (July), committed orders 33, 20, 10, 4, 2, lot
    # of 70 whenever projected on hand would go negative. Published: production in weeks
    # 3, 5, 7 and 8; week 3's lot meets a shortfall of 29 and leaves 41; ATP week 1 =
    # 64 + 0 - (33 + 20) = 11. Checked: those rows. (The remaining PAB/ATP cells of the
    # figure could not be read in the source; they are not asserted against it.)
    rec = generate_master_schedule(
        PUMPS_FORECAST, PUMPS_ORDERS, 64, lot_rule="fixed_order_quantity", lot_size=70
    )
    assert [t for t, q in rec["master_schedule"].items() if q > 0] == [3, 5, 7, 8]
    assert set(rec.loc[rec["master_schedule"] > 0, "master_schedule"]) == {70}
    assert rec.loc[2, "projected_available"] - 30 == -29
    assert rec.loc[3, "projected_available"] == 41
    assert rec.loc[1, "atp"] == 11


def test_fixed_lots_agree_with_a_zero_lead_time_mrp_record():
    # Differential: with no time fence and no safety stock, the MPS of fixed lots is the
    # planned receipts of an FOQ MRP record on max(forecast, orders).
    rng = np.random.default_rng(4)
    for _ in range(30):
        f = rng.integers(0, 60, 12).astype(float)
        co = rng.integers(0, 60, 12).astype(float)
        oh, q = float(rng.integers(0, 100)), float(rng.integers(10, 90))
        rec = generate_master_schedule(f, co, oh, lot_rule="fixed_order_quantity", lot_size=q)
        ref = mrp_record(
            np.maximum(f, co), on_hand=oh, lot_rule="fixed_order_quantity", order_quantity=q
        )
        assert rec["master_schedule"].tolist() == ref["planned_receipts"].tolist()


@pytest.mark.parametrize(
    "rule, extra",
    [
        ("lot_for_lot", {}),
        ("fixed_order_quantity", {"lot_size": 45}),
        ("periodic_order_quantity", {"periods": 3}),
    ],
)
def test_pab_never_below_safety_stock_and_each_receipt_is_needed(rule, extra):
    rng = np.random.default_rng(9)
    for _ in range(30):
        n = 16
        f = rng.integers(0, 50, n).astype(float)
        co = rng.integers(0, 50, n).astype(float)
        oh, ss = float(rng.integers(0, 80)), float(rng.integers(0, 20))
        dtf = int(rng.integers(0, 4))
        rec = generate_master_schedule(
            f, co, oh, lot_rule=rule, safety_stock=ss, demand_time_fence=dtf, **extra
        )
        pab = rec["projected_available"].to_numpy()
        mps = rec["master_schedule"].to_numpy()
        demand = rec["demand"].to_numpy()
        assert (pab >= ss - 1e-9).all()
        before = np.concatenate([[oh], pab[:-1]]) - demand  # PAB without this period's lot
        assert (before[mps > 0] < ss).all()  # a lot only where the balance would dip
        assert np.array_equal(demand[:dtf], co[:dtf])
        assert np.array_equal(demand[dtf:], np.maximum(f, co)[dtf:])
        if rule == "lot_for_lot":
            assert np.allclose(pab[mps > 0], ss)
        if rule == "fixed_order_quantity":
            assert np.allclose(mps % 45, 0)
        # the record is master_schedule_record of the generated quantities
        ref = master_schedule_record(f, co, mps, oh, dtf, dtf)
        pd.testing.assert_frame_equal(rec.drop(columns="demand"), ref)


def test_poq_lots_cover_p_periods_of_demand():
    # Derived by hand: demand 10 a period, OH 0, P = 3 -> 30 in periods 1 and 4, 20 in 7
    # (only two periods left); PAB 20, 10, 0 after each lot.
    rec = generate_master_schedule([10] * 8, [0] * 8, 0, "periodic_order_quantity", periods=3)
    assert rec["master_schedule"].tolist() == [30, 0, 0, 30, 0, 0, 20, 0]
    assert rec["projected_available"].tolist() == [20, 10, 0, 20, 10, 0, 10, 0]


def test_time_fence_zones_and_frozen_demand_uses_orders_only():
    rec = generate_master_schedule(
        [20] * 5, [25, 5, 0, 30, 0], 30, demand_time_fence=2, planning_time_fence=4
    )
    assert rec["zone"].tolist() == ["frozen", "frozen", "slushy", "slushy", "liquid"]
    assert rec["demand"].tolist() == [25, 5, 20, 30, 20]
    assert rec.attrs["lot_rule"] == "lot_for_lot"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"customer_orders": [1, 2]}, "same|per period"),
        ({"forecast": [10, -1, 10]}, "negative"),
        ({"on_hand": -3}, "on_hand"),
        ({"lot_rule": "eoq"}, "Unknown lot_rule"),
        ({"lot_rule": "fixed_order_quantity"}, "lot_size"),
        ({"lot_rule": "fixed_order_quantity", "lot_size": 0}, "lot_size"),
        ({"lot_rule": "periodic_order_quantity"}, "periods"),
        ({"lot_rule": "periodic_order_quantity", "periods": 1.5}, "whole number"),
        ({"safety_stock": -1}, "safety_stock"),
        ({"demand_time_fence": 5}, "horizon"),
        ({"demand_time_fence": 2, "planning_time_fence": 1}, "inside"),
        ({"demand_time_fence": 1.0}, "whole number"),
    ],
)
def test_generate_master_schedule_refuses_bad_inputs(kwargs, match):
    args = {"forecast": [10, 10, 10], "customer_orders": [5, 0, 0], "on_hand": 0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        generate_master_schedule(**args)
