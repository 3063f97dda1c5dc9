"""Tests of sopcourse.ss_policy: exact cost of an (s, S) policy, the Zheng & Federgruen
(1991) optimum, the power approximation and the seeded simulation.

Published answers are cited in each test; the differential tests check the functions
against an exhaustive search, an independent Markov-chain computation and simulation."""

import numpy as np
import pytest
from scipy import stats

from sopcourse.ss_policy import (
    optimal_ss_policy,
    simulate_ss_policy,
    ss_policy_cost,
    ss_power_approximation,
)

# Zheng & Federgruen (1991), "Finding optimal (s, S) policies is about as simple as
# evaluating a single policy", Operations Research 39(4), table of optimal policies for
# Poisson demand with h = 1, p = 9, K = 64 (zero lead time): mean, s*, S*, cost to three
# decimals. Transcribed from stockpyl's tests/test_ss.py (test_fz_instances).
ZF_MEAN = list(range(10, 80, 5)) + [21, 22, 23, 24, 51, 52, 59, 61, 63, 64]
ZF_S_LOW = [6, 10, 14, 19, 23, 28, 33, 37, 42, 47, 52, 56, 62, 67, 15, 16, 17, 18, 43, 44, 51]
ZF_S_LOW += [52, 54, 55]
ZF_S_HIGH = [40, 49, 62, 56, 66, 77, 87, 97, 108, 118, 129, 75, 81, 86, 65, 68, 52, 54, 110]
ZF_S_HIGH += [112, 126, 131, 73, 74]
ZF_COST = [35.022, 42.698, 49.173, 54.262, 57.819, 61.215, 64.512, 67.776, 70.975, 74.149]
ZF_COST += [77.306, 78.518, 79.037, 79.554, 50.406, 51.632, 52.757, 53.518, 71.611, 72.246]
ZF_COST += [76.679, 77.929, 78.287, 78.402]
ZF_TABLE = list(zip(ZF_MEAN, ZF_S_LOW, ZF_S_HIGH, ZF_COST, strict=True))


# --------------------------------------------------------------------------- published
def test_snyder_shen_2019_example_4_7_optimal_ss_is_4_10_cost_8_034():
    """Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., Example 4.7:
    h = 1, p = 4, K = 5, Poisson demand with mean 6: the optimal policy is s = 4,
    S = 10 with expected cost 8.034 per period (stockpyl's s_s_discrete_exact docstring
    and tests: (4, 10, 8.034111561471642))."""
    res = optimal_ss_policy(1, 4, 5, 6)
    assert (res["reorder_point"], res["order_up_to"]) == (4, 10)
    assert res["expected_cost"] == pytest.approx(8.034, abs=5e-4)
    assert res["expected_cost"] == pytest.approx(8.034111561471642, rel=1e-9)
    assert res["base_stock_level"] == 8  # the newsvendor y* the algorithm starts from


def test_snyder_shen_2019_example_4_7_cost_of_a_given_policy():
    """Snyder & Shen, 2nd ed., Example 4.7 data: cost of (4, 10) = 8.034 and of
    (6, 18) = 10.194 (values of stockpyl's tests/test_ss.py, TestsSCost)."""
    assert ss_policy_cost(4, 10, 1, 4, 5, 6) == pytest.approx(8.034111561471644, rel=1e-9)
    assert ss_policy_cost(6, 18, 1, 4, 5, 6) == pytest.approx(10.193798671644046, rel=1e-9)


@pytest.mark.parametrize("mean, s, big_s, cost", ZF_TABLE)
def test_zheng_federgruen_1991_published_optimal_policies(mean, s, big_s, cost):
    """Zheng & Federgruen (1991), Operations Research 39(4), table of optimal (s, S) for
    Poisson demand, h = 1, p = 9, K = 64: s*, S* and the cost to three decimals (note the
    jumps in S*, e.g. mean 20 -> S* = 62 but mean 25 -> S* = 56)."""
    res = optimal_ss_policy(1, 9, 64, mean)
    assert (res["reorder_point"], res["order_up_to"]) == (s, big_s)
    assert res["expected_cost"] == pytest.approx(cost, abs=5e-4)
    assert ss_policy_cost(s, big_s, 1, 9, 64, mean) == pytest.approx(cost, abs=5e-4)


def test_snyder_shen_2019_example_4_8_power_approximation_40_19_74_29():
    """Snyder & Shen, 2nd ed., Example 4.8: h = 0.18, p = 0.70, K = 2.5, N(50, 8^2)
    gives the power approximation s = 40.19, S = 74.29 (stockpyl's tests/test_ss.py,
    test_example_4_8: 40.194616956474071, 74.290170109805786)."""
    res = ss_power_approximation(0.18, 0.70, 2.5, 50, 8)
    assert res["reorder_point"] == pytest.approx(40.194616956474071, rel=1e-12)
    assert res["order_up_to"] == pytest.approx(74.290170109805786, rel=1e-12)
    assert res["order_quantity"] == pytest.approx(res["order_up_to"] - res["reorder_point"])


# --------------------------------------------------------------------------- properties
def _markov_chain_cost(s, big_s, h, p, k, pmf):
    """Independent check: the stationary distribution of the inventory position after
    ordering, y in {s+1, ..., S}, by a linear solve, and the cost
    sum_y pi(y) [G(y) + K P(y - D <= s)]."""
    states = np.arange(s + 1, big_s + 1)
    n = states.size
    d = np.arange(pmf.size)
    transition = np.zeros((n, n))
    order_probability = np.zeros(n)
    one_period = np.zeros(n)
    for i, y in enumerate(states):
        nxt = y - d
        one_period[i] = pmf @ (h * np.maximum(nxt, 0) + p * np.maximum(-nxt, 0))
        stay = nxt > s
        np.add.at(transition[i], (nxt[stay] - s - 1), pmf[stay])
        order_probability[i] = pmf[~stay].sum()
        transition[i, n - 1] += order_probability[i]
    a = np.vstack([transition.T - np.eye(n), np.ones(n)])
    b = np.append(np.zeros(n), 1.0)
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    return float(pi @ (one_period + k * order_probability))


def _poisson_pmf(mean):
    ks = np.arange(int(stats.poisson.ppf(1 - 1e-15, mean)) + 1)
    return stats.poisson.pmf(ks, mean)


@pytest.mark.parametrize("s, big_s", [(4, 10), (-3, 5), (0, 1), (6, 18), (10, 30)])
def test_policy_cost_matches_the_markov_chain(s, big_s):
    pmf = _poisson_pmf(6)
    expected = _markov_chain_cost(s, big_s, 1.0, 4.0, 5.0, pmf)
    assert ss_policy_cost(s, big_s, 1, 4, 5, 6) == pytest.approx(expected, rel=1e-9)


CUSTOM_PMF = {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.25, 5: 0.1, 8: 0.05}


@pytest.mark.parametrize(
    "h, p, k, demand",
    [
        (1, 4, 5, 6),  # Snyder & Shen Example 4.7 data
        (1, 9, 64, 10),
        (2, 5, 30, 4.5),
        (0.5, 3, 12, CUSTOM_PMF),
        (1, 20, 3, stats.nbinom(3, 0.4)),
    ],
)
def test_optimum_matches_exhaustive_search(h, p, k, demand):
    """Differential: brute force over every (s, S) with -5 <= s < S <= 50."""
    best = optimal_ss_policy(h, p, k, demand)
    grid = [
        (ss_policy_cost(s, big_s, h, p, k, demand), s, big_s)
        for s in range(-5, 36)
        for big_s in range(s + 1, 51)
    ]
    cost, s, big_s = min(grid)
    assert best["expected_cost"] == pytest.approx(cost, rel=1e-12)
    assert (best["reorder_point"], best["order_up_to"]) == (s, big_s)


def test_without_fixed_cost_the_optimum_is_the_base_stock_policy():
    res = optimal_ss_policy(1, 4, 0, 6)
    assert res["order_up_to"] == res["base_stock_level"] == 8
    assert res["reorder_point"] == 7
    assert res["expected_cost"] == pytest.approx(res["base_stock_cost"])


def test_dict_and_scipy_demand_equal_the_poisson_mean():
    pmf = _poisson_pmf(6)
    table = dict(enumerate(pmf / pmf.sum()))
    a = ss_policy_cost(4, 10, 1, 4, 5, 6)
    assert ss_policy_cost(4, 10, 1, 4, 5, stats.poisson(6)) == pytest.approx(a, rel=1e-12)
    assert ss_policy_cost(4, 10, 1, 4, 5, table) == pytest.approx(a, rel=1e-12)


@pytest.mark.parametrize("s, big_s, demand", [(4, 10, 6), (20, 70, 30), (1, 6, CUSTOM_PMF)])
def test_seeded_simulation_agrees_with_the_exact_cost(s, big_s, demand):
    """Differential: 200,000 simulated periods, within four standard errors."""
    exact = ss_policy_cost(s, big_s, 1, 4, 5, demand)
    sim = simulate_ss_policy(s, big_s, 1, 4, 5, demand, periods=200_000, seed=11)
    assert abs(sim["average_cost"] - exact) < 4 * sim["standard_error"] + 1e-9
    parts = sim["ordering_cost"] + sim["holding_cost"] + sim["backorder_cost"]
    assert parts == pytest.approx(sim["average_cost"])
    again = simulate_ss_policy(s, big_s, 1, 4, 5, demand, periods=200_000, seed=11)
    assert again.equals(sim)


@pytest.mark.parametrize("mean", [10, 30, 64])
def test_power_approximation_is_near_but_not_below_the_optimum(mean):
    """Property: the rounded power-approximation policy costs at least the optimum, and
    (Ehrhardt & Mosier report errors of a few per cent) within 10 % of it here."""
    approx = ss_power_approximation(1, 9, 64, mean, np.sqrt(mean))
    s, big_s = round(approx["reorder_point"]), round(approx["order_up_to"])
    cost = ss_policy_cost(s, big_s, 1, 9, 64, mean)
    best = optimal_ss_policy(1, 9, 64, mean)["expected_cost"]
    assert best - 1e-9 <= cost <= 1.10 * best


def test_power_approximation_order_quantity_grows_with_the_fixed_cost():
    small = ss_power_approximation(1, 9, 10, 50, 7)["order_quantity"]
    large = ss_power_approximation(1, 9, 100, 50, 7)["order_quantity"]
    assert large > small


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ss_policy_cost(10, 4, 1, 4, 5, 6), "greater than reorder_point"),
        (lambda: ss_policy_cost(4.5, 10, 1, 4, 5, 6), "whole number"),
        (lambda: ss_policy_cost(True, 10, 1, 4, 5, 6), "whole number"),
        (lambda: ss_policy_cost(4, 10, 0, 4, 5, 6), "holding_cost"),
        (lambda: ss_policy_cost(4, 10, 1, -4, 5, 6), "backorder_cost"),
        (lambda: ss_policy_cost(4, 10, 1, 4, -5, 6), "fixed_cost"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, 0), "Poisson mean"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, "6"), "Poisson mean"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, {0: 0.5, 2: 0.4}), "sum to 1"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, {0: 0.5, 2.5: 0.5}), "whole numbers"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, {-1: 0.5, 2: 0.5}), "negative"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, {0: 1.0}), "always 0 units"),
        (lambda: ss_policy_cost(4, 10, 1, 4, 5, stats.norm(6, 2)), "discrete distribution"),
        (lambda: optimal_ss_policy(1, 4, 5, {}), "no demand values"),
        (lambda: ss_power_approximation(1, 4, 0, 50, 8), "fixed_cost"),
        (lambda: ss_power_approximation(1, 4, 5, 50, 0), "demand_sd"),
        (lambda: simulate_ss_policy(4, 10, 1, 4, 5, 6, periods=5), "periods"),
        (lambda: simulate_ss_policy(4, 10, 1, 4, 5, 6, seed=1.5), "seed"),
    ],
)
def test_errors_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
