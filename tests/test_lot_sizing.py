"""Part-period balancing, least unit cost and the incremental-discount EOQ
(sopcourse.lot_sizing): published examples, properties, differential tests, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sopcourse.inventory import economic_order_quantity, eoq_quantity_discounts
from sopcourse.lot_sizing import eoq_incremental_discounts, least_unit_cost, part_period_balancing
from sopcourse.mrp import compare_lot_sizing, lot_sizing_cost, silver_meal, wagner_whitin

HEURISTICS = [part_period_balancing, least_unit_cost]


# -- published examples ------------------------------------------------------------------
def test_ppb_nahmias_example_7_5_computer_casings_lots_48_67_cost_310():
    # Nahmias, Production and Operations Analysis, ch. 7, Example 7.5 (part period
    # balancing), as reproduced in course slides at numerade.com: K = $80, h = $2,
    # r = (18, 30, 42, 5, 20). Published: from period 1 holding costs 0, 60, 228 ->
    # horizon 2, y1 = 48; from period 3 holding costs 0, 10, 90 -> horizon 3, y3 = 67;
    # y = (48, 0, 67, 0, 0); set-up and holding costs = $310. Checked: lots and cost.
    lots = part_period_balancing([18, 30, 42, 5, 20], 80, 2)
    assert lots.tolist() == [48, 0, 67, 0, 0]
    assert lot_sizing_cost([18, 30, 42, 5, 20], lots, 80, 2)["total_cost"] == 310


def test_luc_course_solution_hw16_orders_133_and_82_cost_378():
    # Least unit cost worked solution, "HW 16 sol" (Management course, Fall 2010, as posted
    # at coursehero.com/file/6437930): weekly requirements 50, 83, 27, 55, set-up $120,
    # holding $1 per unit-week. Published: cost/unit 2.4, 1.526, 1.61 -> order 133 in
    # week 1; then 4.44, 2.134 -> order 82 in week 3; total (120 + 83) + (120 + 55) = $378.
    # Checked: lots and total cost.
    lots = least_unit_cost([50, 83, 27, 55], 120, 1)
    assert lots.tolist() == [133, 0, 82, 0]
    assert lot_sizing_cost([50, 83, 27, 55], lots, 120, 1)["total_cost"] == 378


def test_incremental_eoq_snyder_shen_example_3_7_q_304_05_cost_1043_41():
    # Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed., Example 3.7 (incremental
    # discounts on the data of Example 3.5), as checked in the test suite of the first
    # author's library stockpyl (tests/test_eoq.py, test_example_3_7: Q* = 304.04678003,
    # region 0, g* = 1043.41052551). The book's own page was NOT read. Data of Example 3.5
    # (stockpyl instance "example_3_5"; also quoted for "Snyder-Shen's Example 3.7" in the
    # docs of the R function EOQincr by A. Migdalas): K = 8, i = 0.3, lambda = 1300, c =
    # 0.75 below 400, 0.72 on [400, 800), 0.68 from 800. (The same data give the all-units
    # answer Q = 800, g = 978.60 of stockpyl's test_example_3_6, which confirms the data.)
    breaks = pd.DataFrame({"min_quantity": [0, 400, 800], "unit_price": [0.75, 0.72, 0.68]})
    t = eoq_incremental_discounts(8, 0.3, 1300, breaks)
    assert t["best"].tolist() == [True, False, False]
    assert t.loc[0, "eoq"] == pytest.approx(304.04678003, abs=1e-7)
    assert t.loc[0, "annual_cost"] == pytest.approx(1043.41052551, abs=1e-7)
    all_units = eoq_quantity_discounts(8, 0.3, 1300, breaks)
    best_all_units = all_units.loc[all_units["best"]].iloc[0]
    assert best_all_units["order_quantity"] == 800
    assert best_all_units["total_cost"] == pytest.approx(978.60)


def test_incremental_eoq_stockpyl_docs_example_q_1481_89_cost_222762_81():
    # Library documentation example, NOT a textbook worked example: the doctest of
    # stockpyl's economic_order_quantity_with_incremental_discounts (L. V. Snyder,
    # github.com/LarrySnyder/stockpyl, src/stockpyl/eoq.py at commit 1f07499b; the
    # docstring cites Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed.,
    # eqs. (3.20)-(3.22), but the numbers are not a numbered example of the book).
    # K = 150, i = 0.25, lambda = 2400, breaks 0 / 300 / 600, prices 100 / 90 / 80.
    # Printed: (1481.8906842274164, 2, 222762.8136845483), i.e. Q* = 1481.89 in the
    # third region with g* = 222,762.81. Checked: Q*, its region and g* to 1e-9.
    breaks = pd.DataFrame({"min_quantity": [0, 300, 600], "unit_price": [100, 90, 80]})
    t = eoq_incremental_discounts(150, 0.25, 2400, breaks)
    assert t["best"].tolist() == [False, False, True]
    best = t.loc[t["best"]].iloc[0]
    assert best["eoq"] == pytest.approx(1481.8906842274164, rel=1e-9)
    assert best["annual_cost"] == pytest.approx(222762.8136845483, rel=1e-9)


# -- properties and differential tests ------------------------------------------------------
def _exhaustive_optimum(d, k, h) -> float:
    """Cheapest plan by trying every set of order periods (small horizons only)."""
    n = len(d)
    first = next((t for t in range(n) if d[t] > 0), None)
    if first is None:
        return 0.0
    best = np.inf
    for mask in itertools.product([0, 1], repeat=n - first - 1):
        starts = [first] + [first + 1 + i for i, m in enumerate(mask) if m]
        bounds = starts + [n]
        cost = 0.0
        for a, b in zip(bounds[:-1], bounds[1:], strict=False):
            if d[a:b].sum() > 0:
                cost += k
            cost += h * sum((j - a) * d[j] for j in range(a, b))
        best = min(best, cost)
    return best


def test_wagner_whitin_equals_exhaustive_search_and_no_heuristic_beats_it():
    # Differential: the DP optimum equals the brute-force optimum over every choice of
    # order periods; PPB, LUC and Silver-Meal are never cheaper (property).
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 9))
        d = rng.integers(0, 60, n).astype(float)
        k, h = float(rng.uniform(10, 300)), float(rng.uniform(0.1, 3))
        best = _exhaustive_optimum(d, k, h)
        ww = lot_sizing_cost(d, wagner_whitin(d, k, h), k, h)["total_cost"]
        assert ww == pytest.approx(best)
        for rule in HEURISTICS + [silver_meal]:
            assert lot_sizing_cost(d, rule(d, k, h), k, h)["total_cost"] >= best - 1e-9


def test_wagner_whitin_never_beaten_on_52_week_instances():
    rng = np.random.default_rng(11)
    for _ in range(10):
        d = rng.poisson(40, 52).astype(float) * (rng.random(52) > 0.2)
        k, h = float(rng.uniform(50, 500)), float(rng.uniform(0.2, 2))
        ww = lot_sizing_cost(d, wagner_whitin(d, k, h), k, h)["total_cost"]
        for rule in HEURISTICS:
            assert lot_sizing_cost(d, rule(d, k, h), k, h)["total_cost"] >= ww - 1e-9


@pytest.mark.parametrize("rule", HEURISTICS)
def test_heuristics_cover_requirements_exactly_and_order_only_when_needed(rule):
    rng = np.random.default_rng(5)
    for _ in range(30):
        d = rng.integers(0, 50, 15).astype(float)
        lots = rule(d, 150, 1.0)
        assert lots.sum() == pytest.approx(d.sum())
        assert (np.cumsum(lots) >= np.cumsum(d) - 1e-9).all()
        # an order arrives only in a period that has a requirement of its own
        assert (d[lots.to_numpy() > 0] > 0).all()


@pytest.mark.parametrize("rule", HEURISTICS)
def test_free_setups_give_lot_for_lot_and_free_holding_gives_one_order(rule):
    d = [10, 0, 25, 5, 40]
    assert rule(d, 0, 1).tolist() == [10, 0, 25, 5, 40]
    assert rule(d, 100, 0).tolist() == [80, 0, 0, 0, 0]


@pytest.mark.parametrize("rule", HEURISTICS)
def test_heuristics_keep_the_index_and_accept_an_all_zero_stream(rule):
    req = pd.Series([5.0, 7.0], index=["w1", "w2"])
    assert list(rule(req, 10, 1).index) == ["w1", "w2"]
    assert rule([0, 0, 0], 10, 1).tolist() == [0, 0, 0]


def test_compare_lot_sizing_lists_the_two_new_heuristics():
    t = compare_lot_sizing([18, 30, 42, 5, 20], 80, 2)
    assert {"part_period_balancing", "least_unit_cost"} <= set(t.index)
    assert t.loc["part_period_balancing", "total_cost"] == 310  # Nahmias Ex. 7.5 (above)
    assert t.loc["wagner_whitin", "total_cost"] == t["total_cost"].min()


# -- incremental quantity discounts -------------------------------------------------------
def _brute_force_annual_cost(q, k, i, lam, mins, prices):
    """G(Q) by pricing the units of an order one interval at a time (independent of the
    module's R_j bookkeeping): lambda C(Q)/Q + K lambda/Q + i C(Q)/2."""
    q = np.asarray(q, dtype=float)
    upper = np.append(mins[1:], np.inf)
    units = np.clip(q[:, None] - np.asarray(mins)[None, :], 0, upper - mins)
    purchase = (units * np.asarray(prices)).sum(axis=1)
    return lam * purchase / q + k * lam / q + i * purchase / 2


@pytest.mark.parametrize("seed", range(8))
def test_incremental_eoq_matches_brute_force_over_integer_quantities(seed):
    # Differential test against minimising G(Q) over every integer Q (the published
    # example is Snyder & Shen's Example 3.7 above).
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 5))
    mins = np.concatenate([[0.0], np.sort(rng.choice(np.arange(50, 3000, 50), m - 1, False))])
    prices = np.sort(rng.uniform(1, 10, m))[::-1]
    k, i, lam = (
        float(rng.uniform(5, 200)),
        float(rng.uniform(0.05, 0.4)),
        float(rng.uniform(200, 20000)),
    )
    breaks = pd.DataFrame({"min_quantity": mins, "unit_price": prices})
    t = eoq_incremental_discounts(k, i, lam, breaks)
    best = t.loc[t["best"]].iloc[0]
    grid = np.arange(1, max(20000, 2 * int(t["eoq"].max())), dtype=float)
    costs = _brute_force_annual_cost(grid, k, i, lam, mins, prices)
    assert best["annual_cost"] <= costs.min() + 1e-9  # continuous optimum <= integer one
    assert best["annual_cost"] == pytest.approx(costs.min(), rel=1e-4)
    assert abs(best["eoq"] - grid[costs.argmin()]) <= 1.0
    # every realizable row reports its own G_j(Q_j) correctly
    for row in t[t["feasible"]].itertuples():
        g = _brute_force_annual_cost([row.eoq], k, i, lam, mins, prices)[0]
        assert row.annual_cost == pytest.approx(g)


def test_incremental_with_one_price_is_the_plain_eoq():
    breaks = pd.DataFrame({"min_quantity": [0], "unit_price": [2.5]})
    t = eoq_incremental_discounts(8, 0.09, 1300, breaks)  # h = i c = 0.225
    eoq = economic_order_quantity(8, 0.225, 1300)
    assert t.loc[0, "eoq"] == pytest.approx(eoq["order_quantity"])
    assert t.loc[0, "annual_cost"] == pytest.approx(eoq["annual_cost"] + 2.5 * 1300)


def test_all_units_discounts_never_cost_more_than_incremental_ones():
    # Property: with the same schedule, all-units pricing charges every unit the lower
    # price, so its best annual cost is never above the incremental best.
    rng = np.random.default_rng(2)
    for _ in range(20):
        mins = [0.0, float(rng.integers(100, 800)), float(rng.integers(900, 3000))]
        prices = sorted(rng.uniform(1, 5, 3), reverse=True)
        breaks = pd.DataFrame({"min_quantity": mins, "unit_price": prices})
        inc = eoq_incremental_discounts(50, 0.2, 5000, breaks)["annual_cost"].min()
        allu = eoq_quantity_discounts(50, 0.2, 5000, breaks)["total_cost"].min()
        assert allu <= inc + 1e-9


# -- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", HEURISTICS)
@pytest.mark.parametrize(
    "args, match",
    [
        (([10, -5], 100, 1), "negative"),
        (([10, float("nan")], 100, 1), "NaN"),
        (([10, "x"], 100, 1), "must be numbers"),
        (([], 100, 1), "empty"),
        (([10, 5], -1, 1), "fixed_cost"),
        (([10, 5], 100, -2), "holding_cost"),
        (([10, 5], float("inf"), 1), "finite"),
        (([10, 5], 100, "1"), "must be a number"),
    ],
)
def test_heuristics_refuse_bad_inputs(rule, args, match):
    with pytest.raises(ValueError, match=match):
        rule(*args)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"price_breaks": pd.DataFrame({"min_quantity": [100], "unit_price": [1.0]})}, "start"),
        (
            {"price_breaks": pd.DataFrame({"min_quantity": [0, 0], "unit_price": [2.0, 1.0]})},
            "twice",
        ),
        (
            {"price_breaks": pd.DataFrame({"min_quantity": [0, 50], "unit_price": [2.0, 0.0]})},
            "greater than zero",
        ),
        ({"price_breaks": pd.DataFrame({"min_quantity": [0]})}, "missing column"),
        ({"fixed_cost": 0}, "fixed_cost"),
        ({"holding_rate": 0}, "holding_rate"),
        ({"demand_rate": -5}, "demand_rate"),
    ],
)
def test_incremental_discounts_refuse_bad_inputs(kwargs, match):
    args = {
        "fixed_cost": 8,
        "holding_rate": 0.2,
        "demand_rate": 600,
        "price_breaks": pd.DataFrame({"min_quantity": [0, 500], "unit_price": [0.3, 0.29]}),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        eoq_incremental_discounts(**args)
