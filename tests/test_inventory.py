"""Tests of sopcourse.inventory: EOQ family, safety stock, service levels, policies,
newsvendor, ABC/XYZ and the simulation. Textbook answers are cited in each test."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sopcourse as sop
from sopcourse import examples


def test_snyder_shen_2019_example_3_1_eoq_is_304_05_with_cost_68_41():
    """Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., Example 3.1:
    K = 8, h = 0.75 * 0.3, lambda = 1300 gives Q* = 304.05 and g(Q*) = 68.41."""
    res = sop.economic_order_quantity(**examples.snyder_shen_example_3_1().data)
    assert res["order_quantity"] == pytest.approx(304.0467800264368)
    assert res["annual_cost"] == pytest.approx(68.410525505948272)


def test_snyder_shen_2019_example_3_8_eoq_with_backorders():
    """Snyder & Shen, 2nd ed., Example 3.8: K = 8, h = 0.225, p = 5, lambda = 1300
    gives Q* = 310.81, x* = 0.0431 and g* = 66.92."""
    res = sop.eoq_with_backorders(**examples.snyder_shen_example_3_8().data)
    assert res["order_quantity"] == pytest.approx(310.8125551589646)
    assert res["stockout_fraction"] == pytest.approx(0.043062200956938)
    assert res["annual_cost"] == pytest.approx(66.921363550973254)


def test_snyder_shen_2019_problem_3_22_epq():
    """Snyder & Shen, 2nd ed., Problem 3.22 (EPQ): K = 4, h = 0.08, lambda = 80, mu = 110
    gives Q* = 171.27 and cost 3.737 (answers as in the stockpyl test suite)."""
    res = sop.economic_production_quantity(**examples.snyder_shen_problem_3_22().data)
    assert res["order_quantity"] == pytest.approx(171.2697677155351)
    assert res["annual_cost"] == pytest.approx(3.736794931975310)


def test_epq_tends_to_eoq_when_production_rate_is_very_fast():
    epq = sop.economic_production_quantity(8, 0.225, 1300, 1e12)
    eoq = sop.economic_order_quantity(8, 0.225, 1300)
    assert epq["order_quantity"] == pytest.approx(eoq["order_quantity"], rel=1e-6)


def test_heizer_render_wohls_discount_store_quantity_discount_picks_1000_units():
    """Heizer & Render, Operations Management, ch. 12 "Inventory management", quantity
    discount example (Wohl's Discount Store): D = 5000, S = 49, I = 20 %, prices 5.00,
    4.80 (1000+), 4.75 (2000+); total costs 25,700 / 24,725 / 24,822.50: order 1000."""
    table = sop.eoq_quantity_discounts(**examples.wohls_discount_store().data)
    assert table["total_cost"].tolist() == pytest.approx([25700, 24725, 24822.5])
    assert table.loc[table["best"], "order_quantity"].item() == 1000


def test_snyder_shen_2019_example_4_3_newsvendor_base_stock_56_60_cost_2_00():
    """Snyder & Shen, 2nd ed., Example 4.3: h = 0.18, p = 0.70, D ~ N(50, 8^2) gives
    S* = 56.60 and expected cost 1.998."""
    res = sop.newsvendor(**examples.snyder_shen_example_4_3().data)
    assert res["order_quantity"] == pytest.approx(56.603955927433887, rel=1e-9)
    assert res["expected_cost"] == pytest.approx(1.997605193176645, rel=1e-9)


def test_standard_normal_loss_identities():
    z = np.linspace(-3, 3, 13)
    loss = sop.standard_normal_loss(z)
    # L(z) - L(-z) = -z, and L(0) = phi(0) = 0.3989
    assert np.allclose(loss - sop.standard_normal_loss(-z), -z)
    assert float(sop.standard_normal_loss(0)) == pytest.approx(stats.norm.pdf(0))


def test_safety_stock_uses_demand_and_lead_time_variability():
    # sigma_DL = sqrt(L sigma_D^2 + D^2 sigma_L^2) = sqrt(4*30^2 + 100^2*1^2) = 116.62
    sigma = sop.lead_time_demand_sd(30, 4, demand_mean=100, lead_time_sd=1)
    assert sigma == pytest.approx(math.sqrt(4 * 900 + 10000))
    ss = sop.safety_stock(0.95, 30, 4, demand_mean=100, lead_time_sd=1)
    assert ss == pytest.approx(stats.norm.ppf(0.95) * sigma)


def test_chopra_meindl_exercise_11_4_hp_printers_sams_club_csl_0_68_fill_rate_0_96():
    """Chopra & Meindl, Supply Chain Management, ch. 11 (4th ed. numbering), Exercise 4
    (Hewlett Packard printers at Sam's Club): weekly demand N(250, 150), lead time 2
    weeks, Q = 1000, reorder point 600. Published solution: sigma_L = 212, ss = 100,
    CSL = 0.68, expected shortage per cycle ESC = 43.86, fill rate = 0.96."""
    hp = examples.hp_printers_sams_club()
    sigma = sop.lead_time_demand_sd(hp.demand_sd, hp.lead_time)
    assert round(sigma) == 212
    service = stats.norm.cdf(100 / sigma)
    policy = sop.reorder_point_policy(
        hp.demand_mean, hp.demand_sd, hp.lead_time, hp.order_quantity, service
    )
    assert policy["reorder_point"] == pytest.approx(600)
    assert policy["safety_stock"] == pytest.approx(100)
    assert round(policy["cycle_service_level"], 2) == 0.68
    esc = sigma * float(sop.standard_normal_loss(100 / sigma))
    assert round(esc, 2) == 43.86
    assert round(policy["fill_rate"], 2) == 0.96
    assert sop.fill_rate(100, hp.order_quantity, sigma) == pytest.approx(1 - esc / 1000)


def test_fill_rate_target_is_met_by_its_safety_factor():
    z = sop.safety_factor_for_fill_rate(0.98, 300, 120)
    assert sop.fill_rate(z * 120, 300, 120) == pytest.approx(0.98, abs=1e-9)


def test_reorder_point_and_periodic_review_policies():
    sq = sop.reorder_point_policy(100, 30, 4, 400, 0.95)
    assert sq["reorder_point"] == pytest.approx(400 + stats.norm.ppf(0.95) * 60)
    rs = sop.periodic_review_policy(100, 30, 4, 2, 0.95)
    # protection interval R + L = 6 periods
    assert rs["order_up_to"] == pytest.approx(600 + stats.norm.ppf(0.95) * 30 * math.sqrt(6))


def test_tradeoff_curve_more_service_costs_more_stock_and_fill_rate_exceeds_csl_here():
    t = sop.service_inventory_tradeoff(100, 30, 4, 400, 2.0)
    assert t["safety_stock"].is_monotonic_increasing
    assert t["fill_rate"].is_monotonic_increasing
    assert (t["fill_rate"] >= t["service_level"]).all()


def test_abc_xyz_classification_segments():
    d = pd.DataFrame(
        {"item": list("aabbcc"), "period": [1, 2] * 3, "quantity": [100, 100, 10, 30, 0, 4]}
    )
    out = sop.abc_xyz_classification(d, pd.Series({"a": 10.0, "b": 5.0, "c": 1.0}))
    assert out["abc"].tolist() == ["A", "B", "C"]
    assert out["xyz"].tolist() == ["X", "Y", "Z"]


def test_simulation_is_reproducible_and_more_stock_gives_better_service():
    demand = pd.Series(np.random.default_rng(1).poisson(20, 48))
    kwargs = dict(order_quantity=60, lead_time=2, replications=20, seed=7)
    low = sop.simulate_inventory_policy(demand, reorder_point=30, **kwargs)
    again = sop.simulate_inventory_policy(demand, reorder_point=30, **kwargs)
    high = sop.simulate_inventory_policy(demand, reorder_point=70, **kwargs)
    pd.testing.assert_series_equal(low.summary, again.summary)
    assert high.summary["fill_rate"] > low.summary["fill_rate"]
    assert high.summary["average_on_hand"] > low.summary["average_on_hand"]


def test_simulation_of_periodic_review_orders_every_review_period():
    demand = pd.Series([10.0] * 12)
    sim = sop.simulate_inventory_policy(
        demand, policy="RS", review_period=3, order_up_to=60, lead_time=1
    )
    assert (sim.periods["order"] > 0).sum() == 4
    assert sim.summary["fill_rate"] == 1.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sop.economic_order_quantity(8, -0.2, 1300), "holding_cost"),
        (lambda: sop.economic_order_quantity(8, 0.2, float("nan")), "demand_rate"),
        (lambda: sop.economic_production_quantity(8, 0.2, 1300, 1000), "production_rate"),
        (lambda: sop.safety_stock(95, 10, 2), "between 0 and 1"),
        (lambda: sop.safety_stock(1.0, 10, 2), "between 0 and 1"),
        (lambda: sop.newsvendor(1, 2, 50, -1), "demand_sd"),
        (lambda: sop.economic_order_quantity(8, 0, 1300), "free storage"),
        (lambda: sop.economic_order_quantity(8, 0.2, 0), "no demand"),
        (lambda: sop.economic_order_quantity(8, float("inf"), 1300), "infinite"),
        (lambda: sop.economic_order_quantity(8, 0.2, float("inf")), "infinite"),
        (lambda: sop.economic_production_quantity(8, 0, 1300, 2000), "free storage"),
        (lambda: sop.eoq_with_backorders(8, 0.2, 5, 0), "no demand"),
        (
            lambda: sop.eoq_quantity_discounts(
                49, 0, 5000, pd.DataFrame({"min_quantity": [0], "unit_price": [5.0]})
            ),
            "free storage",
        ),
        (lambda: sop.safety_stock(0.0, 10, 2), "service_level"),
        (lambda: sop.safety_stock(0.95, float("inf"), 2), "infinite"),
        (lambda: sop.fill_rate(float("nan"), 400, 100), "safety_stock_units"),
        (
            lambda: sop.abc_xyz_classification(
                pd.DataFrame({"item": ["a", "b"], "period": [1, 1], "quantity": [0, 0]}),
                pd.Series({"a": 1.0, "b": 2.0}),
            ),
            "no item has any demand value",
        ),
        (
            lambda: sop.abc_xyz_classification(
                pd.DataFrame({"item": ["a", "b"], "period": [1, 1], "quantity": [1, 2]}),
                pd.Series({"a": np.nan, "b": -2.0}),
            ),
            r"\['a', 'b'\]",
        ),
        (lambda: sop.newsvendor(-1, 2, 50, 5), "overage_cost"),
        (lambda: sop.eoq_with_backorders(8, 0.2, 0, 1300), "backorder_cost"),
        (lambda: sop.fill_rate(10, 0, 5), "order_quantity"),
        (lambda: sop.lead_time_demand_sd(10, -1), "lead_time"),
        (lambda: sop.simulate_inventory_policy(pd.Series([1.0, 2.0]), policy="magic"), "policy"),
        (
            lambda: sop.eoq_quantity_discounts(49, 0.2, 5000, pd.DataFrame({"price": [1]})),
            "min_quantity",
        ),
        (
            lambda: sop.abc_xyz_classification(
                pd.DataFrame({"item": ["a"], "period": [1], "quantity": [-1]}), pd.Series({"a": 1})
            ),
            "negative",
        ),
        (
            lambda: sop.abc_xyz_classification(
                pd.DataFrame({"item": ["a"], "period": [1], "quantity": [1]}), pd.Series({"b": 1})
            ),
            "unit_value",
        ),
        (lambda: sop.simulate_inventory_policy(pd.Series([], dtype=float)), "empty"),
        (lambda: sop.simulate_inventory_policy(pd.Series([1.0, -2.0])), "negative"),
        (
            lambda: sop.simulate_inventory_policy(
                pd.Series([1.0, 2.0]), reorder_point=1, order_quantity=2, lead_time=5
            ),
            "lead_time",
        ),
        (lambda: sop.simulate_inventory_policy(pd.Series([1.0, 2.0])), "reorder_point"),
        (lambda: sop.service_inventory_tradeoff(1, 1, 1, 1, 1, [0.5, 1.2]), "service_levels"),
    ],
)
def test_bad_input_raises_value_error_that_says_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --------------------------------------------------------------------------- degenerate input
def test_zero_demand_variability_needs_zero_safety_stock_and_fills_every_order():
    """sigma_DL = 0: ss = z * 0 = 0 at any service level, and the expected shortage per
    cycle sigma L(ss / sigma) tends to max(0, -ss) as sigma -> 0."""
    assert sop.safety_stock(0.99, demand_sd=0, lead_time=4) == 0.0
    assert sop.fill_rate(0, 400, 0) == 1.0
    assert sop.fill_rate(-100, 400, 0) == pytest.approx(1 - 100 / 400)
    assert sop.fill_rate(-100, 400, 1e-9) == pytest.approx(sop.fill_rate(-100, 400, 0))
    policy = sop.reorder_point_policy(100, 0, 4, 400, 0.95)
    assert policy["reorder_point"] == 400.0 and policy["fill_rate"] == 1.0
    review = sop.periodic_review_policy(100, 0, 4, 2, 0.95)
    assert review["order_up_to"] == 600.0 and review["fill_rate"] == 1.0


def test_newsvendor_with_certain_demand_orders_the_demand_at_no_cost():
    """sigma = 0: Q* = mu + z * 0 = mu, and (h + p) sigma phi(z) = 0; the normal answer
    tends to it as sigma -> 0."""
    certain = sop.newsvendor(0.18, 0.70, 50, 0)
    assert certain["order_quantity"] == 50.0
    assert certain[["expected_cost", "expected_shortage", "expected_leftover"]].tolist() == [0] * 3
    nearly = sop.newsvendor(0.18, 0.70, 50, 1e-9)
    assert nearly["order_quantity"] == pytest.approx(50.0)
    assert nearly["expected_cost"] == pytest.approx(0.0, abs=1e-8)


def test_periodic_review_without_expected_demand_has_no_fill_rate():
    """Mean demand 0 with some spread: there is no expected demand per cycle to measure the
    filled share of (the formula divides by D R = 0), so the fill rate is NaN, not 0."""
    review = sop.periodic_review_policy(0, 30, 4, 2, 0.95)
    assert np.isnan(review["fill_rate"])
    assert review["safety_stock"] == pytest.approx(stats.norm.ppf(0.95) * 30 * math.sqrt(6))


@pytest.mark.parametrize("target", [0.5, 0.9, 0.999999])
@pytest.mark.parametrize("q_over_sigma", [1e-3, 4.0, 1e3])
def test_safety_factor_for_any_reachable_fill_rate(target, q_over_sigma):
    """L(z) = (1 - beta) Q / sigma has a root for every beta in (0, 1): with a large Q the
    safety factor is very negative (Q alone fills the orders), with a small Q very large."""
    z = sop.safety_factor_for_fill_rate(target, 100 * q_over_sigma, 100)
    assert sop.standard_normal_loss(z) == pytest.approx((1 - target) * q_over_sigma, rel=1e-6)
