"""Tests of sopcourse.single_period: the newsvendor family (normal, Poisson, discrete,
lognormal, any scipy distribution; cost and price forms) and the scenario newsvendor.

Published answers are cited in each test; where no published answer was found the test
says so and checks the function against an independent computation instead."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from sopcourse import examples
from sopcourse.inventory import newsvendor
from sopcourse.single_period import (
    lognormal_demand,
    newsvendor_expected_cost,
    newsvendor_expected_profit,
    newsvendor_optimal_profit,
    newsvendor_optimal_quantity,
    scenario_newsvendor,
)
from sopcourse.solver import LinearProgram

# Snyder & Shen, Problem 4.7(b) demand table (as in stockpyl's tests/test_newsvendor.py).
PROBLEM_4_7B = {1: 0.25, 2: 0.05, 3: 0.1, 4: 0.2, 5: 0.15, 6: 0.10, 7: 0.10, 8: 0.05}


# --------------------------------------------------------------------------- published
def test_snyder_shen_2019_example_4_3_normal_newsvendor_56_60_cost_1_998():
    """Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., Example 4.3:
    h = 0.18, p = 0.70, D ~ N(50, 8^2) gives S* = 56.60 and expected cost 1.998."""
    ex = examples.snyder_shen_example_4_3()
    data = ex.data
    res = newsvendor_optimal_quantity(
        data["overage_cost"], data["underage_cost"], stats.norm(50, 8)
    )
    assert res["order_quantity"] == pytest.approx(ex.published["order_quantity"], abs=0.005)
    assert res["expected_cost"] == pytest.approx(ex.published["expected_cost"], abs=0.0005)
    assert res["critical_ratio"] == pytest.approx(0.70 / 0.88)


def test_snyder_shen_2019_example_4_3_cost_of_ordering_40_is_7_356():
    """Snyder & Shen, 2nd ed., Example 4.3 data, the cost of S = 40: 7.356 (the value in
    stockpyl's tests/test_newsvendor.py, test_example_4_3; checked here with the
    closed form g(S) = h nbar(S) + p n(S) of eq. 4.24 as well)."""
    res = newsvendor_expected_cost(40, 0.18, 0.70, stats.norm(50, 8))
    assert res["expected_cost"] == pytest.approx(7.356131552870388, rel=1e-9)


def test_snyder_shen_2019_example_4_2_price_form_56_60_profit_33_00():
    """Snyder & Shen, 2nd ed., Example 4.2 (explicit, profit form): r = 1, c = 0.30,
    v = 0.12, D ~ N(50, 8^2) gives S* = 56.60 and expected profit 33.00 (stockpyl's
    newsvendor_normal_explicit docstring: 56.6040, 33.0024)."""
    res = newsvendor_optimal_profit(1, 0.30, 0.12, stats.norm(50, 8))
    assert res["order_quantity"] == pytest.approx(56.60, abs=0.005)
    assert res["expected_profit"] == pytest.approx(33.00, abs=0.005)
    assert res["expected_profit"] == pytest.approx(33.002394806823354, rel=1e-9)


def test_snyder_shen_2019_example_4_7_poisson_newsvendor_without_fixed_cost():
    """Snyder & Shen, 2nd ed., Example 4.7 without its fixed cost (h = 1, p = 4, Poisson
    mean 6): S* = 8 with cost 3.570; S = 5 costs 6.590 (as in stockpyl's
    tests/test_newsvendor.py, TestNewsvendorPoisson.test_example_4_7)."""
    res = newsvendor_optimal_quantity(1, 4, stats.poisson(6))
    assert res["order_quantity"] == 8
    assert res["expected_cost"] == pytest.approx(3.570106945770946, rel=1e-9)
    at5 = newsvendor_expected_cost(5, 1, 4, stats.poisson(6))
    assert at5["expected_cost"] == pytest.approx(6.590296024616344, rel=1e-9)


def test_snyder_shen_2019_problem_4_7b_discrete_table_orders_5_at_1_225_000():
    """Snyder & Shen, 2nd ed., Problem 4.7(b): h = 500,000, p = 1,000,000 and the demand
    table PROBLEM_4_7B: S* = 5 with cost 1,225,000; S = 3 costs 1,725,000 (numbers as in
    stockpyl's tests, TestNewsvendorDiscrete.test_problem_4_7b; the book prints no
    answer to its problems. Checked by hand: alpha = 2/3, F(4) = 0.60 < 2/3 <= F(5) =
    0.75; E(5-D)+ = 1.55, E(D-5)+ = 0.45, 500,000 * 1.55 + 1,000,000 * 0.45 = 1,225,000)."""
    res = newsvendor_optimal_quantity(500_000, 1_000_000, PROBLEM_4_7B)
    assert res["order_quantity"] == 5
    assert res["expected_cost"] == pytest.approx(1_225_000)
    assert res["expected_leftover"] == pytest.approx(1.55)
    assert res["expected_shortage"] == pytest.approx(0.45)
    at3 = newsvendor_expected_cost(3, 500_000, 1_000_000, PROBLEM_4_7B)
    assert at3["expected_cost"] == pytest.approx(1_725_000)


def test_snyder_shen_2019_problem_4_8b_lognormal_newsvendor():
    """Snyder & Shen, 2nd ed., Problem 4.8(b): lognormal demand with log-mean 6 and
    log-sd 0.3, h = 1, p = 0.1765: S* = 295.63, cost 29.44; S = 350 costs 34.59 (values
    of stockpyl's tests, TestNewsvendorContinuous.test_problem_4_8b, computed by
    stockpyl, not printed in the book: not a published-answer test)."""
    demand = stats.lognorm(0.3, 0, math.exp(6))
    res = newsvendor_optimal_quantity(1, 0.1765, demand)
    assert res["order_quantity"] == pytest.approx(295.6266448071368, rel=1e-9)
    assert res["expected_cost"] == pytest.approx(29.442543582135290, rel=1e-6)
    at350 = newsvendor_expected_cost(350, 1, 0.1765, demand)
    assert at350["expected_cost"] == pytest.approx(34.588836685654854, rel=1e-6)


# --------------------------------------------------------------------------- properties
@pytest.mark.parametrize("seed", range(5))
def test_normal_answer_equals_inventory_newsvendor(seed):
    """Differential: the general function and sopcourse.inventory.newsvendor agree."""
    rng = np.random.default_rng(seed)
    h, p, mu, sd = (
        rng.uniform(0.1, 5),
        rng.uniform(0.1, 5),
        rng.uniform(20, 500),
        rng.uniform(1, 50),
    )
    ours = newsvendor_optimal_quantity(h, p, stats.norm(mu, sd))
    theirs = newsvendor(h, p, mu, sd)
    for key in ("order_quantity", "expected_cost", "expected_shortage", "expected_leftover"):
        assert ours[key] == pytest.approx(theirs[key], rel=1e-9, abs=1e-9)


def _by_quadrature(q, dist):
    """E(Q - D)+ and E(D - Q)+ by numerical integration (independent of the module)."""
    lo, hi = dist.support()
    leftover = integrate.quad(lambda x: (q - x) * dist.pdf(x), max(lo, -np.inf), q)[0]
    shortage = integrate.quad(lambda x: (x - q) * dist.pdf(x), q, hi)[0]
    return leftover, shortage


@pytest.mark.parametrize(
    "dist",
    [
        lognormal_demand(400, 120),
        stats.lognorm(0.5, loc=30, scale=200),  # shifted lognormal
        stats.gamma(3.0, scale=40),  # any scipy continuous distribution
        stats.norm(100, 30),
    ],
)
def test_continuous_outcomes_match_numerical_integration(dist):
    """Differential: leftover and shortage against quadrature of the density."""
    for q in (0.5 * dist.mean(), dist.mean(), dist.ppf(0.9)):
        res = newsvendor_expected_cost(q, 2.0, 3.0, dist)
        leftover, shortage = _by_quadrature(q, dist)
        assert res["expected_leftover"] == pytest.approx(leftover, rel=1e-6, abs=1e-8)
        assert res["expected_shortage"] == pytest.approx(shortage, rel=1e-6, abs=1e-8)
        assert res["expected_sales"] + res["expected_shortage"] == pytest.approx(dist.mean())


def test_lognormal_demand_has_the_requested_mean_and_sd():
    d = lognormal_demand(250, 90)
    assert d.mean() == pytest.approx(250)
    assert d.std() == pytest.approx(90)


@pytest.mark.parametrize("dist", [stats.poisson(6), stats.poisson(37.5), stats.nbinom(4, 0.2)])
def test_discrete_scipy_distribution_matches_the_same_table(dist):
    """Differential: closed form (Poisson) or scipy expect (negative binomial) against the
    same distribution written as a table {value: probability}."""
    ks = np.arange(int(dist.ppf(1 - 1e-14)) + 1)
    table = dict(zip(ks.tolist(), (dist.pmf(ks) / dist.pmf(ks).sum()).tolist(), strict=True))
    for q in (0, 3, int(dist.mean()), int(dist.ppf(0.95))):
        a = newsvendor_expected_cost(q, 1.0, 4.0, dist)
        b = newsvendor_expected_cost(q, 1.0, 4.0, table)
        assert a["expected_cost"] == pytest.approx(b["expected_cost"], rel=1e-7)
    assert (
        newsvendor_optimal_quantity(1, 4, dist)["order_quantity"]
        == newsvendor_optimal_quantity(1, 4, table)["order_quantity"]
    )


@pytest.mark.parametrize("seed", range(6))
def test_discrete_optimum_beats_every_other_quantity(seed):
    """Property: exhaustive search over a grid of order quantities finds no lower cost."""
    rng = np.random.default_rng(seed)
    values = np.sort(rng.choice(np.arange(0, 60), size=8, replace=False))
    probs = rng.dirichlet(np.ones(8))
    table = dict(zip(values.tolist(), probs.tolist(), strict=True))
    h, p = rng.uniform(0.5, 5, size=2)
    best = newsvendor_optimal_quantity(h, p, table)
    grid = np.arange(-5, 70, 0.5)
    costs = [newsvendor_expected_cost(q, h, p, table)["expected_cost"] for q in grid]
    assert best["expected_cost"] <= min(costs) + 1e-9
    assert best["order_quantity"] in values


@pytest.mark.parametrize("dist", [stats.norm(50, 8), lognormal_demand(50, 20), stats.poisson(20)])
def test_continuous_optimum_is_a_local_minimum(dist):
    best = newsvendor_optimal_quantity(0.4, 1.1, dist)
    for step in (-2.0, -0.5, 0.5, 2.0):
        other = newsvendor_expected_cost(best["order_quantity"] + step, 0.4, 1.1, dist)
        assert best["expected_cost"] <= other["expected_cost"] + 1e-12


@pytest.mark.parametrize("q", [30.0, 50.0, 61.3, 80.0])
def test_profit_equals_margin_times_mean_minus_newsvendor_cost(q):
    """Property: pi(Q) = (r - c) E[D] - g(Q) with c_o = c - v and c_u = r - c + b."""
    r, c, v, b = 10.0, 6.0, 2.5, 1.5
    dist = stats.norm(55, 12)
    profit = newsvendor_expected_profit(q, r, c, v, dist, shortage_penalty=b)
    cost = newsvendor_expected_cost(q, c - v, r - c + b, dist)
    assert profit["expected_profit"] == pytest.approx((r - c) * 55 - cost["expected_cost"])


def test_profit_optimum_uses_the_price_form_critical_ratio():
    res = newsvendor_optimal_profit(10, 6, 2.5, stats.norm(55, 12), shortage_penalty=1.5)
    assert res["critical_ratio"] == pytest.approx(5.5 / 9.0)
    assert res["order_quantity"] == pytest.approx(stats.norm(55, 12).ppf(5.5 / 9.0))
    assert res["underage_cost"] == 5.5 and res["overage_cost"] == 3.5


def test_profit_simulated_by_seeded_monte_carlo():
    """Differential: expected profit of any Q against 400,000 seeded demand draws."""
    dist = lognormal_demand(300, 150)
    q, r, c, v = 340.0, 12.0, 7.0, 3.0
    draws = dist.rvs(size=400_000, random_state=np.random.default_rng(3))
    simulated = np.mean(r * np.minimum(q, draws) + v * np.maximum(q - draws, 0) - c * q)
    res = newsvendor_expected_profit(q, r, c, v, dist)
    assert res["expected_profit"] == pytest.approx(simulated, rel=5e-3)


# --------------------------------------------------------------------------- scenarios
FUKASAWA_DATA = {"demands": [40, 60, 20], "probabilities": [0.25, 0.5, 0.25]}


def test_scenario_newsvendor_by_hand():
    """Data of Fukasawa, CO370 lecture notes on stochastic programming (Waterloo, 2017):
    buy 0.20, sell 1.00, recycle 0.10; demand 40 / 60 / 20 with probability 0.25 / 0.5 /
    0.25. The notes' published answers were not available: the expected numbers are
    worked by hand (not a published-answer test). c_u = 0.8, c_o = 0.1, alpha = 8/9:
    x* = 60; RP = 0.25*12 + 0.25*30 + 0.5*48 = 34.5; EV order 45, EEV = 0.25*13.5 +
    0.25*31.5 + 0.5*36 = 29.25; WS = 0.8*45 = 36; VSS = 5.25; EVPI = 1.5."""
    res = scenario_newsvendor(**FUKASAWA_DATA, price=1.0, unit_cost=0.2, salvage_value=0.1)
    assert res.stochastic_quantity == 60
    assert res.stochastic_profit == pytest.approx(34.5)
    assert res.expected_value_quantity == pytest.approx(45)
    assert res.expected_value_profit == pytest.approx(29.25)
    assert res.wait_and_see_profit == pytest.approx(36)
    assert res.vss == pytest.approx(5.25)
    assert res.evpi == pytest.approx(1.5)
    assert res["vss"] == res.vss
    assert list(res.scenarios.columns)[:2] == ["demand", "probability"]


def test_scenario_newsvendor_mo_book_pop_up_shop_vss_581_evpi_1300():
    """Published example: Postek, Zocca, Gromicho & Kantor, *Hands-On Mathematical
    Optimization with Python* (Cambridge University Press, 2024), section 9.1 "Pop-up
    shop" (companion notebook mobook/MO-book, notebooks/09/01-pop-up-shop.ipynb, printed
    output). r = 40, c = 12, salvage w = 2; demand 650 / 400 / 200 with probability
    0.10 / 0.60 / 0.30. Published: expected demand 365; EVM (our EEV) = 8,339 with scenario
    profits 10,220 / 10,220 / 3,950; stochastic order x = 400 with expected profit 8,920
    and scenario profits 11,200 / 11,200 / 3,600; perfect information 10,220 (the book
    calls this value "EVPI"; our wait-and-see) with scenario profits 18,200 / 11,200 /
    5,600; VSS = 8,920 - 8,339 = 581; VPI (our EVPI) = 10,220 - 8,920 = 1,300. The book's
    summary table prints EVM as 8,399.0, a typo for the 8,339.0 printed by its code and
    used in its VSS = 581."""
    res = scenario_newsvendor([650, 400, 200], [0.10, 0.60, 0.30], 40, 12, 2)
    assert res.expected_value_quantity == pytest.approx(365)
    assert res.stochastic_quantity == 400
    assert res.expected_value_profit == pytest.approx(8339)
    assert res.stochastic_profit == pytest.approx(8920)
    assert res.wait_and_see_profit == pytest.approx(10220)
    assert res.vss == pytest.approx(581)
    assert res.evpi == pytest.approx(1300)
    table = res.scenarios
    assert table["profit_expected_value"].tolist() == pytest.approx([10220, 10220, 3950])
    assert table["profit_stochastic"].tolist() == pytest.approx([11200, 11200, 3600])
    assert table["profit_wait_and_see"].tolist() == pytest.approx([18200, 11200, 5600])


def _extensive_form(demands, probs, r, c, v, b):
    """The two-stage recourse problem as one LP (built with sopcourse.solver)."""
    lp = LinearProgram("scenario_newsvendor", sense="max")
    lp.add_variable("order")
    objective = {"order": -c}
    for i, (d, pr) in enumerate(zip(demands, probs, strict=True)):
        sold, left, short = (lp.add_variable(f"{n}_{i}") for n in ("sold", "left", "short"))
        lp.add_constraint(f"demand_{i}", {sold: 1}, "<=", d)
        lp.add_constraint(f"stock_{i}", {sold: 1, left: 1, "order": -1}, "==", 0)
        lp.add_constraint(f"short_{i}", {sold: 1, short: 1}, ">=", d)
        objective.update({sold: pr * r, left: pr * v, short: -pr * b})
    lp.set_objective(objective)
    return lp.solve()


@pytest.mark.parametrize("seed", range(6))
def test_scenario_newsvendor_matches_the_extensive_form_lp(seed):
    """Differential: RP against the extensive-form LP solved by HiGHS."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    demands = rng.integers(0, 200, size=n).astype(float)
    probs = rng.dirichlet(np.ones(n))
    c = rng.uniform(1, 5)
    r, v, b = c + rng.uniform(0.5, 5), c - rng.uniform(0.2, 3), rng.uniform(0, 2)
    res = scenario_newsvendor(demands, probs, r, c, v, b)
    lp = _extensive_form(demands, probs, r, c, v, b)
    assert res.stochastic_profit == pytest.approx(lp.objective, rel=1e-7, abs=1e-7)
    assert res.vss >= -1e-9 and res.evpi >= -1e-9
    assert (
        res.wait_and_see_profit >= res.stochastic_profit - 1e-9 >= res.expected_value_profit - 2e-9
    )


def test_scenario_newsvendor_with_one_scenario_has_no_value_of_information():
    res = scenario_newsvendor([70], [1.0], 5, 3, 1)
    assert res.stochastic_quantity == 70 and res.vss == 0 and res.evpi == 0


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: newsvendor_optimal_quantity(0, 1, stats.norm(5, 1)), "overage_cost"),
        (lambda: newsvendor_optimal_quantity(1, -1, stats.norm(5, 1)), "underage_cost"),
        (lambda: newsvendor_expected_cost("10", 1, 1, stats.norm(5, 1)), "order_quantity"),
        (lambda: newsvendor_expected_cost(3, 1, 1, {1: 0.5, 2: 0.4}), "sum to 1"),
        (lambda: newsvendor_expected_cost(3, 1, 1, {1: 1.2, 2: -0.2}), "negative"),
        (lambda: newsvendor_expected_cost(3, 1, 1, {}), "no demand values"),
        (lambda: newsvendor_expected_cost(3, 1, 1, [1, 2, 3]), "must be a distribution"),
        (lambda: newsvendor_expected_cost(3, 1, 1, stats.norm(5, 0)), "finite mean"),
        (lambda: newsvendor_optimal_profit(10, 5, 5, stats.norm(5, 1)), "salvage_value"),
        (lambda: newsvendor_optimal_profit(4, 5, 1, stats.norm(5, 1)), "no unit is worth"),
        (lambda: newsvendor_expected_profit(3, 10, 5, 1, stats.norm(5, 1), -1), "shortage_penalty"),
        (lambda: lognormal_demand(100, 0), "sd"),
        (lambda: scenario_newsvendor([1, 2], [1.0], 5, 3, 1), "one probability per scenario"),
        (lambda: scenario_newsvendor([1, -2], [0.5, 0.5], 5, 3, 1), "negative"),
        (lambda: scenario_newsvendor([1, 2], [0.5, 0.6], 5, 3, 1), "sum to 1"),
        (lambda: scenario_newsvendor([1, 2], [0.5, 0.5], 5, 3, 3), "salvage_value"),
    ],
)
def test_errors_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
