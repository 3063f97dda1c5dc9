"""Tests of sopcourse.loss_functions and sopcourse.policies: loss functions of normal,
Poisson, gamma and uniform demand, and continuous-review (r, Q) policies.

Published values are cited in each test; where a value comes through stockpyl (Snyder's
own package, whose docs and tests quote Snyder & Shen's examples), that is said. The
property tests check the closed forms against numerical integration, direct summation
and brute-force search, which share no code with the module.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from sopcourse import inventory
from sopcourse.loss_functions import loss_function, second_order_loss_function
from sopcourse.policies import (
    RQPolicy,
    compare_rq_policies,
    rq_approximation,
    rq_cost,
    rq_optimal,
    rq_optimal_reorder_point,
    rq_performance,
    rq_reorder_point_for_service,
)

# Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed. (2019), chapter 5 instances
# (the data as in stockpyl's named instances).
EXAMPLE_5_1 = dict(
    fixed_cost=8, holding_cost=0.225, backorder_cost=7.5, demand_rate=1300, demand_sd=150,
    lead_time=1 / 12,
)  # fmt: skip
PROBLEM_5_1 = dict(
    fixed_cost=50, holding_cost=3.1, backorder_cost=45, demand_rate=800, demand_sd=40,
    lead_time=4 / 365,
)  # fmt: skip
PROBLEM_5_3 = dict(
    fixed_cost=85, holding_cost=1.5 / 7, backorder_cost=40, demand_rate=192, demand_sd=17.4,
    lead_time=3,
)  # fmt: skip
EXAMPLE_5_8 = dict(
    fixed_cost=100, holding_cost=20, backorder_cost=150, demand_rate=1.5, lead_time=2,
    demand="poisson",
)  # fmt: skip
PROBLEM_5_2 = dict(
    fixed_cost=4, holding_cost=4, backorder_cost=28, demand_rate=12, lead_time=0.5,
    demand="poisson",
)  # fmt: skip


def without(data: dict, *keys) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


# =========================================================================== loss functions
# --------------------------------------------------------------------------- published values
@pytest.mark.parametrize(
    ("z", "loss", "complement"),
    [
        (-1.4, 1.436668142708465, 0.036668142708465),
        (0.3, 0.266761242117210, 0.566761242117210),
        (3.1, 2.672490952231408e-04, 3.100267249095223),
    ],
)
def test_standard_normal_loss_and_complement_as_in_stockpyl_tests(z, loss, complement):
    """Standard normal loss L(z) and complement z + L(z) (Snyder & Shen (C.22)-(C.23));
    the values of stockpyl's test suite."""
    assert loss_function(z, stats.norm()) == pytest.approx(loss, abs=1e-12)
    assert loss_function(z, stats.norm(), complement=True) == pytest.approx(complement, abs=1e-12)


def test_standard_normal_loss_table_values():
    """The printed standard normal loss table (Silver, Pyke & Thomas; Axsaeter; Snyder &
    Shen Table C.1 style): L(0) = 0.3989, L(0.5) = 0.1978, L(1) = 0.0833, L(2) = 0.0085."""
    got = loss_function(np.array([0.0, 0.5, 1.0, 2.0]), stats.norm())
    assert np.round(got, 4).tolist() == [0.3989, 0.1978, 0.0833, 0.0085]


def test_normal_loss_functions_as_in_stockpyl_docs():
    """stockpyl loss_functions docs and tests: n and n_bar of N(8, 3^2) at 11 and of
    N(15, 5^2) at 10.5; n2 and n2_bar of N(15, 3^2) at 18.6; L2(1.3) = 0.018807."""
    assert loss_function(11.0, stats.norm(8, 3)) == pytest.approx(0.249946411763059)
    assert loss_function(11.0, stats.norm(8, 3), complement=True) == pytest.approx(
        3.249946411763059
    )
    assert loss_function(10.5, stats.norm(15, 5)) == pytest.approx(5.002155685433356)
    assert loss_function(10.5, stats.norm(15, 5), complement=True) == pytest.approx(
        0.502155685433356
    )
    assert second_order_loss_function(18.6, stats.norm(15, 3)) == pytest.approx(0.21486028212500707)
    assert second_order_loss_function(18.6, stats.norm(15, 3), complement=True) == pytest.approx(
        10.765139717874998
    )
    assert second_order_loss_function(1.3, stats.norm()) == pytest.approx(0.01880706693657111)
    assert second_order_loss_function(1.3, stats.norm(), complement=True) == pytest.approx(
        1.326192933063429
    )


def test_poisson_loss_functions_as_in_stockpyl_docs():
    """Snyder & Shen (C.41)-(C.42) as in stockpyl: Poisson(15) at 18 gives n = 0.5176,
    n_bar = 3.5176, n2 = 0.8483, n2_bar = 12.6517; Poisson(200) at 220 n = 0.5360;
    Poisson(7) at 5 n = 2.2926, n_bar = 0.2926."""
    d = stats.poisson(15)
    assert loss_function(18, d) == pytest.approx(0.5176095282584724)
    assert loss_function(18, d, complement=True) == pytest.approx(3.5176095282584723)
    assert second_order_loss_function(18, d) == pytest.approx(0.848340302917789)
    assert second_order_loss_function(18, d, complement=True) == pytest.approx(12.651659697082211)
    assert loss_function(220, stats.poisson(200)) == pytest.approx(0.536005857158494)
    assert loss_function(5, stats.poisson(7)) == pytest.approx(2.292599516747219, abs=1e-6)
    assert loss_function(5, stats.poisson(7), complement=True) == pytest.approx(
        0.292600125697305, abs=1e-6
    )


def test_poisson_newsvendor_of_snyder_shen_costs_1_797_at_56():
    """Snyder & Shen, ch. 4 (as in stockpyl's newsvendor docs): h = 0.18, p = 0.70,
    Poisson(50) demand: S* = 56 with expected cost 1.797235 = h n_bar(56) + p n(56)."""
    d = stats.poisson(50)
    assert d.ppf(0.70 / 0.88) == 56
    cost = 0.18 * loss_function(56, d, complement=True) + 0.70 * loss_function(56, d)
    assert cost == pytest.approx(1.797235211809178)


def test_gamma_and_uniform_loss_functions_as_in_stockpyl_docs():
    """Zipkin (2000) p. 457 gamma formulas and the uniform ones, as in stockpyl's docs:
    Gamma(shape 2, scale 3) at 4: n = 2.6360, n_bar = 0.6360, n2 = 10.2803,
    n2_bar = 0.7197; U[2, 8] at 4: n = 4/3, n_bar = 1/3, n2 = 16/9, n2_bar = 2/9."""
    g = stats.gamma(2, scale=3)
    assert loss_function(4, g) == pytest.approx(2.635971381157268)
    assert loss_function(4, g, complement=True) == pytest.approx(0.635971381157268)
    assert second_order_loss_function(4, g) == pytest.approx(10.280288386513346)
    assert second_order_loss_function(4, g, complement=True) == pytest.approx(0.7197116134866537)
    u = stats.uniform(2, 6)
    assert loss_function(4, u) == pytest.approx(4 / 3)
    assert loss_function(4, u, complement=True) == pytest.approx(1 / 3)
    assert second_order_loss_function(4, u) == pytest.approx(16 / 9)
    assert second_order_loss_function(4, u, complement=True) == pytest.approx(2 / 9)


def test_normal_loss_is_sigma_times_the_inventory_modules_standard_normal_loss():
    z = np.linspace(-4, 4, 17)
    assert np.allclose(
        loss_function(10 + 3 * z, stats.norm(10, 3)), 3 * inventory.standard_normal_loss(z)
    )


# --------------------------------------------------------------------------- properties
def _continuous_reference(x, d):
    """n, n_bar, n2, n2_bar by numerical integration of the tails: n(x) = int_x sf,
    n_bar(x) = int^x F, n2(x) = int_x (t - x) sf(t) dt, n2_bar(x) = int^x (x - t) F(t) dt."""
    lo, hi = d.ppf(1e-15), d.isf(1e-15)
    lo, hi = min(lo, x), max(hi, x)

    def quad(f, a, b):
        return integrate.quad(f, a, b, limit=200, epsabs=1e-13, epsrel=1e-11)[0]

    return (
        quad(d.sf, x, hi),
        quad(d.cdf, lo, x),
        quad(lambda t: (t - x) * d.sf(t), x, hi),
        quad(lambda t: (x - t) * d.cdf(t), lo, x),
    )


def _all_four(x, d):
    return (
        loss_function(x, d),
        loss_function(x, d, complement=True),
        second_order_loss_function(x, d),
        second_order_loss_function(x, d, complement=True),
    )


continuous_demands = st.one_of(
    st.builds(stats.norm, st.floats(-50, 200), st.floats(0.5, 60)),
    st.builds(
        lambda a, b, loc: stats.gamma(a, loc=loc, scale=b),
        st.floats(0.3, 20),
        st.floats(0.2, 30),
        st.floats(-5, 5),
    ),
    st.builds(lambda a, w: stats.uniform(a, w), st.floats(-20, 50), st.floats(0.5, 80)),
)


@settings(max_examples=60)
@given(continuous_demands, st.floats(-3, 3))
def test_continuous_loss_functions_match_numerical_integration(d, where):
    """Every closed form equals the integral of its tail, at points from 3 sd below to 3
    sd above the mean (outside a uniform's range too)."""
    x = float(d.mean() + where * d.std())
    got, want = _all_four(x, d), _continuous_reference(x, d)
    scale = float(d.std())
    for name, g, w, unit in zip(
        ["n", "n_bar", "n2", "n2_bar"], got, want, [scale, scale, scale**2, scale**2], strict=True
    ):
        assert g == pytest.approx(w, rel=1e-6, abs=1e-8 * unit), name


@settings(max_examples=60)
@given(continuous_demands, st.floats(-3, 3))
def test_continuous_loss_identities_mean_variance_and_derivative(d, where):
    """n - n_bar = mu - x; n2 + n2_bar = ((x - mu)^2 + sigma^2) / 2; dn2/dx = -n and
    dn2_bar/dx = n_bar (central differences)."""
    mu, sd = float(d.mean()), float(d.std())
    x = mu + where * sd
    n, nb, n2, n2b = _all_four(x, d)
    assert n - nb == pytest.approx(mu - x, abs=1e-9 * (sd + abs(mu)))
    assert n2 + n2b == pytest.approx(((x - mu) ** 2 + sd**2) / 2, rel=1e-9)
    eps = 1e-4 * sd
    step = second_order_loss_function(np.array([x - eps, x + eps]), d)
    assert (step[0] - step[1]) / (2 * eps) == pytest.approx(n, rel=1e-5, abs=1e-7 * sd)
    back = second_order_loss_function(np.array([x - eps, x + eps]), d, complement=True)
    assert (back[1] - back[0]) / (2 * eps) == pytest.approx(nb, rel=1e-5, abs=1e-7 * sd)


@settings(max_examples=60)
@given(st.floats(0.0, 80), st.integers(-5, 5), st.integers(-10, 130))
def test_poisson_loss_functions_match_direct_sums(mu, loc, x):
    """Snyder & Shen's discrete definitions, summed over the support: n = E(X - x)^+,
    n_bar = E(x - X)^+, n2 = E[(X - x)^+ (X - x - 1)^+] / 2, n2_bar = E[(x - X)^+ (x + 1 - X)^+] / 2."""
    d = stats.poisson(mu, loc=loc)
    y = np.arange(loc, loc + 400)
    f = d.pmf(y)
    up, down = np.maximum(y - x, 0), np.maximum(x - y, 0)
    want = (
        np.sum(up * f),
        np.sum(down * f),
        0.5 * np.sum(up * np.maximum(y - x - 1, 0) * f),
        0.5 * np.sum(down * np.maximum(x + 1 - y, 0) * f),
    )
    for got, w in zip(_all_four(x, d), want, strict=True):
        assert got == pytest.approx(w, rel=1e-9, abs=1e-11)


@settings(max_examples=40)
@given(st.floats(0.1, 60), st.integers(-10, 100))
def test_poisson_second_order_differences_are_first_order_losses(mu, x):
    """n2(x) - n2(x+1) = n(x+1) and n2_bar(x+1) - n2_bar(x) = n_bar(x+1): what makes the
    (r, Q) sums exact differences."""
    d = stats.poisson(mu)
    n2 = second_order_loss_function(np.array([x, x + 1]), d)
    n2b = second_order_loss_function(np.array([x, x + 1]), d, complement=True)
    assert n2[0] - n2[1] == pytest.approx(loss_function(x + 1, d), rel=1e-9, abs=1e-12)
    assert n2b[1] - n2b[0] == pytest.approx(
        loss_function(x + 1, d, complement=True), rel=1e-9, abs=1e-12
    )


def test_a_series_keeps_its_index_and_an_array_its_shape():
    x = pd.Series([10.0, 12.0, 14.0], index=["a", "b", "c"], name="stock")
    out = loss_function(x, stats.norm(12, 2))
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b", "c"]
    assert out.name == "stock"
    grid = second_order_loss_function(np.arange(6).reshape(2, 3), stats.poisson(2))
    assert grid.shape == (2, 3)
    assert isinstance(loss_function(3, stats.poisson(2)), float)


def test_a_loss_is_zero_above_a_uniform_range_and_linear_below_it():
    u = stats.uniform(2, 6)  # U[2, 8], mean 5, variance 3
    assert loss_function(9, u) == 0.0 and second_order_loss_function(9, u) == 0.0
    assert loss_function(0, u) == pytest.approx(5.0)
    assert second_order_loss_function(0, u) == pytest.approx((25 + 3) / 2)


# =========================================================================== (r, Q) policies
# --------------------------------------------------------------------------- published values
def test_snyder_shen_example_5_1_cost_of_126_8_328_5_is_78_07():
    """Snyder & Shen (2019), Example 5.1 (N(1300, 150^2) per year, L = 1/12, h = 0.225,
    p = 7.5, K = 8): g(126.8, 328.5) = 78.07; and g(100, 250) = 87.35 (stockpyl's tests)."""
    assert rq_cost(126.8, 328.5, **EXAMPLE_5_1) == pytest.approx(78.071162509282942, rel=1e-9)
    assert rq_cost(100, 250, **EXAMPLE_5_1) == pytest.approx(87.346478028174985, rel=1e-9)


def test_snyder_shen_example_5_1_exact_optimum_is_the_published_policy_at_78_07():
    """Example 5.1 publishes r* = 126.8, Q* = 328.5, g* = 78.07. The exact optimum is
    within 0.1 unit of that point and costs the same to the cent (and no more than the
    published point, which is its rounding)."""
    best = rq_optimal(**EXAMPLE_5_1)
    assert isinstance(best, RQPolicy) and best.method == "exact"
    assert abs(best.reorder_point - 126.8) < 0.1
    assert abs(best.order_quantity - 328.5) < 0.1
    assert round(best.annual_cost, 2) == 78.07
    assert best.annual_cost <= rq_cost(126.8, 328.5, **EXAMPLE_5_1)


@pytest.mark.parametrize(
    ("data", "method", "r", "q"),
    [
        # Snyder & Shen Example 5.4 (EOQB), 5.5 (EOQ+SS), 5.6 (loss function)
        (EXAMPLE_5_1, "eoqb", 128.6378144242710, 308.5737801203754),
        (EXAMPLE_5_1, "eoq_ss", 190.3369965715624, 304.0467800264368),
        (EXAMPLE_5_1, "loss_function", 126.8670642878315, 328.4491413581765),
        # Problems 5.1 and 5.3, parts (b)-(d)
        (PROBLEM_5_1, "eoqb", -1.929822185100239, 166.0850065197970),
        (PROBLEM_5_1, "eoq_ss", 15.125515371852014, 160.6438657804998),
        (PROBLEM_5_1, "loss_function", -1.985868645048718, 166.9501022040942),
        (PROBLEM_5_3, "eoqb", 609.0252058220594, 391.3259510944808),
        (PROBLEM_5_3, "eoq_ss", 652.9638947041127, 390.2819493648150),
        (PROBLEM_5_3, "loss_function", 608.5445118000358, 403.8060023373138),
    ],
)
def test_snyder_shen_chapter_5_approximations_as_in_stockpyl(data, method, r, q):
    """The approximate (r, Q) of Snyder & Shen's chapter 5 examples and problems, as
    stockpyl's rq docs and tests give them."""
    policy = rq_approximation(method, **data)
    assert policy.reorder_point == pytest.approx(r, abs=1e-4)
    assert policy.order_quantity == pytest.approx(q, abs=1e-4)
    assert policy.annual_cost == pytest.approx(rq_cost(policy.reorder_point, q, **data), rel=1e-6)


def test_snyder_shen_example_5_1_costs_of_the_approximations():
    """stockpyl's rq docs evaluate the approximations of Example 5.1 exactly: EOQB 78.20,
    EOQ+SS 87.05, loss function 78.07; the table puts the optimum beside them."""
    table = compare_rq_policies(**EXAMPLE_5_1)
    assert list(table.index) == ["exact", "eoq_ss", "eoqb", "loss_function"]
    cost = table["annual_cost"]
    assert cost["eoqb"] == pytest.approx(78.20243187688158, rel=1e-8)
    assert cost["eoq_ss"] == pytest.approx(87.04837003438256, rel=1e-8)
    assert cost["loss_function"] == pytest.approx(78.07114627035178, rel=1e-8)
    assert (table["cost_increase"] >= -1e-12).all()
    assert table.loc["exact", "cost_increase"] == 0.0
    assert set(table.columns) >= {"description", "safety_stock", "cycle_service_level", "fill_rate"}


@pytest.mark.parametrize(
    ("data", "q", "r"),
    [
        (EXAMPLE_5_1, 318, 127.7880348669655),
        (EXAMPLE_5_1, 150, 147.1949581740714),
        (EXAMPLE_5_1, 750, 99.853773396165280),
        (PROBLEM_5_1, 318, -11.727678833180178),
        (PROBLEM_5_1, 150, -0.885130303271656),
        (PROBLEM_5_3, 750, 598.4126476551643),
    ],
)
def test_optimal_reorder_point_for_a_given_q_as_in_stockpyl_tests(data, q, r):
    """r(Q) solves g(r) = g(r + Q) (Snyder & Shen (5.9)); values of stockpyl's tests."""
    got = rq_optimal_reorder_point(q, **without(data, "fixed_cost"))
    assert got == pytest.approx(r, abs=1e-5)


def test_problem_5_1_cost_as_in_stockpyl_tests():
    """Snyder & Shen Problem 5.1: g(-1.9859, 166.95) = 484.21 and g(100, 250) = 830.32."""
    assert rq_cost(-1.9859, 166.95, **PROBLEM_5_1) == pytest.approx(484.2110418415538, rel=1e-8)
    assert rq_cost(100, 250, **PROBLEM_5_1) == pytest.approx(830.3219178082192, rel=1e-8)


def test_snyder_shen_example_5_8_poisson_optimum_is_r_3_q_5_cost_107_92():
    """Snyder & Shen (2019), Example 5.8 (Poisson, lambda = 1.5, L = 2, h = 20, p = 150,
    K = 100): g(3, 5) = 107.92 is optimal (Federgruen-Zheng); g(8, 12) = 242.53."""
    assert rq_cost(3, 5, **EXAMPLE_5_8) == pytest.approx(107.92358063314975, rel=1e-10)
    assert rq_cost(8, 12, **EXAMPLE_5_8) == pytest.approx(242.5281637662021, rel=1e-10)
    best = rq_optimal(**EXAMPLE_5_8)
    assert (best.reorder_point, best.order_quantity) == (3, 5)
    assert best.annual_cost == pytest.approx(107.92358063314975, rel=1e-10)


def test_snyder_shen_problem_5_2_poisson_optimum_is_r_6_q_7_cost_28_24():
    """Snyder & Shen Problem 5.2 (as in stockpyl's tests): (r*, Q*) = (6, 7), g = 28.24;
    g(3, 9) = 34.26."""
    best = rq_optimal(**PROBLEM_5_2)
    assert (best.reorder_point, best.order_quantity) == (6, 7)
    assert best.annual_cost == pytest.approx(28.241312842169155, rel=1e-10)
    assert rq_cost(3, 9, **PROBLEM_5_2) == pytest.approx(34.264154469469503, rel=1e-10)


def test_chopra_meindl_exercise_11_4_type_1_and_type_2_service_of_r_600():
    """Chopra & Meindl, ch. 11, Exercise 4 (HP printers at Sam's Club): weekly demand
    N(250, 150^2), L = 2 weeks, Q = 1000, r = 600: CSL 0.68, ESC 43.86, fill rate 0.96.
    Asked for that fill rate (or that CSL) back, the reorder point is 600."""
    hp = dict(demand_rate=250, demand_sd=150, lead_time=2)
    s = rq_performance(600, 1000, fixed_cost=0, holding_cost=1, backorder_cost=1, **hp)
    assert round(s["cycle_service_level"], 2) == 0.68
    assert round(1000 * (1 - s["fill_rate"]), 2) == 43.86
    assert round(s["fill_rate"], 2) == 0.96
    fill = rq_reorder_point_for_service(1000, s["fill_rate"], service="fill_rate", **hp)
    assert fill["reorder_point"] == pytest.approx(600, abs=1e-6)
    csl = rq_reorder_point_for_service(1000, s["cycle_service_level"], **hp)
    assert csl["reorder_point"] == pytest.approx(600, abs=1e-6)


# --------------------------------------------------------------------------- properties
normal_instances = st.fixed_dictionaries(
    {
        "fixed_cost": st.floats(1, 500),
        "holding_cost": st.floats(0.1, 20),
        "backorder_cost": st.floats(0.5, 200),
        "demand_rate": st.floats(20, 5000),
        "demand_sd": st.floats(5, 800),
        "lead_time": st.floats(0.01, 1.0),
    }
)
poisson_instances = st.fixed_dictionaries(
    {
        "fixed_cost": st.floats(1, 200),
        "holding_cost": st.floats(0.5, 20),
        "backorder_cost": st.floats(1, 200),
        "demand_rate": st.floats(0.5, 60),
        "lead_time": st.floats(0.0, 2.0),
        "demand": st.just("poisson"),
    }
)


def _newsvendor_quad(data):
    """G(y) = h E(y - D)^+ + p E(D - y)^+ of normal lead-time demand, by integration."""
    mu = data["demand_rate"] * data["lead_time"]
    sd = data["demand_sd"] * math.sqrt(data["lead_time"])
    d, h, p = stats.norm(mu, sd), data["holding_cost"], data["backorder_cost"]

    def g(y):
        over = integrate.quad(d.cdf, mu - 40 * sd, y)[0] if y > mu - 40 * sd else 0.0
        under = integrate.quad(d.sf, y, mu + 40 * sd)[0] if y < mu + 40 * sd else 0.0
        return h * over + p * under

    return g, mu, sd


@settings(max_examples=25)
@given(normal_instances, st.floats(-2, 3), st.floats(0.2, 5))
def test_normal_cost_equals_the_integral_of_the_newsvendor_function(data, where, width):
    """g(r, Q) = [K lambda + int_r^{r+Q} G(y) dy] / Q (Snyder & Shen (5.7)), the integral
    taken numerically: the second-order closed form is the same number."""
    g, mu, sd = _newsvendor_quad(data)
    r, q = mu + where * sd, width * sd
    area = integrate.quad(g, r, r + q, epsabs=1e-10, epsrel=1e-10)[0]
    want = (data["fixed_cost"] * data["demand_rate"] + area) / q
    assert rq_cost(r, q, **data) == pytest.approx(want, rel=1e-7)


@settings(max_examples=40)
@given(poisson_instances, st.integers(-5, 15), st.integers(1, 25))
def test_poisson_cost_and_fill_rate_equal_the_sums_over_the_window(data, r, q):
    """Snyder & Shen (5.48): g = [K lambda + sum_{y=r+1}^{r+Q} G(y)] / Q; the fill rate is
    the chance a unit demand finds stock, (1/Q) sum_{y=r+1}^{r+Q} P(D <= y - 1)."""
    d = stats.poisson(data["demand_rate"] * data["lead_time"])
    s = np.arange(0, 400)
    f = d.pmf(s)
    h, p = data["holding_cost"], data["backorder_cost"]
    window = range(r + 1, r + q + 1)
    g = [
        h * np.sum(np.maximum(y - s, 0) * f) + p * np.sum(np.maximum(s - y, 0) * f) for y in window
    ]
    want = (data["fixed_cost"] * data["demand_rate"] + sum(g)) / q
    perf = rq_performance(r, q, **data)
    assert perf["annual_cost"] == pytest.approx(want, rel=1e-9)
    assert perf["fill_rate"] == pytest.approx(np.mean([d.cdf(y - 1) for y in window]), abs=1e-12)
    assert perf["cycle_service_level"] == pytest.approx(d.cdf(r), abs=1e-12)


@settings(max_examples=25)
@given(normal_instances)
def test_normal_exact_optimum_beats_every_approximation_and_a_direct_minimiser(data):
    """The exact (r*, Q*) costs no more than EOQ+SS, EOQB, the loss-function policy, or
    scipy's Nelder-Mead started at the loss-function policy (none of the module's solver)."""
    table = compare_rq_policies(**data)
    best = table.loc["exact", "annual_cost"]
    assert (table["annual_cost"] >= best * (1 - 1e-10)).all()
    start = table.loc["loss_function", ["reorder_point", "order_quantity"]].to_numpy(float)
    found = optimize.minimize(
        lambda v: rq_cost(v[0], v[1], **data) if v[1] > 0 else np.inf,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 4000},
    )
    assert best <= found.fun * (1 + 1e-9)
    assert best == pytest.approx(found.fun, rel=1e-7)


@settings(max_examples=25)
@given(poisson_instances)
def test_poisson_exact_optimum_equals_a_brute_force_search(data):
    best = rq_optimal(**data)
    grid = [
        (rq_cost(r, q, **data), r, q)
        for q in range(1, max(40, 3 * best.order_quantity))
        for r in range(best.reorder_point - 12, best.reorder_point + 13)
    ]
    cost, r, q = min(grid)
    assert best.annual_cost == pytest.approx(cost, rel=1e-12)
    assert rq_cost(best.reorder_point, best.order_quantity, **data) == pytest.approx(cost)
    table = compare_rq_policies(**data)
    assert (table["cost_increase"] >= -1e-12).all()
    assert all(
        float(v).is_integer() for v in table[["reorder_point", "order_quantity"]].values.ravel()
    )


@settings(max_examples=30)
@given(normal_instances, st.floats(0.05, 20))
def test_best_r_for_q_equalises_g_at_both_ends_and_fills_p_over_p_plus_h(data, q_over_sd):
    """r(Q): G(r) = G(r + Q), so the expected shortage per cycle is h Q / (h + p) and the
    fill rate exactly p / (p + h), whatever Q; and no nearby r is cheaper."""
    costs = without(data, "fixed_cost")
    sd = data["demand_sd"] * math.sqrt(data["lead_time"])
    q = q_over_sd * sd
    r = rq_optimal_reorder_point(q, **costs)
    h, p = data["holding_cost"], data["backorder_cost"]
    perf = rq_performance(r, q, **data)
    assert perf["fill_rate"] == pytest.approx(p / (p + h), abs=1e-8)
    g = rq_cost(r, q, **data)
    for shift in (-0.01 * sd, 0.01 * sd):
        assert g <= rq_cost(r + shift, q, **data) * (1 + 1e-12)


@settings(max_examples=30)
@given(poisson_instances, st.integers(1, 30))
def test_poisson_best_r_for_q_is_the_cheapest_whole_reorder_point(data, q):
    r = rq_optimal_reorder_point(q, **without(data, "fixed_cost"))
    costs = {k: rq_cost(k, q, **data) for k in range(r - 15, r + 16)}
    assert costs[r] == pytest.approx(min(costs.values()), rel=1e-12)


@settings(max_examples=30)
@given(
    st.sampled_from(["normal", "poisson"]),
    st.floats(0.5, 0.999),
    st.floats(0.5, 2000),
    st.floats(0.05, 2),
    st.floats(0.05, 10),
)
def test_service_reorder_point_meets_its_target_and_is_the_lowest_that_does(
    demand, target, rate, lead_time, q_over_sd
):
    spread = {"demand_sd": 0.5 * rate} if demand == "normal" else {}
    common = dict(demand_rate=rate, lead_time=lead_time, demand=demand, **spread)
    sd = math.sqrt(rate * lead_time) if demand == "poisson" else 0.5 * rate * math.sqrt(lead_time)
    q = q_over_sd * max(sd, 1.0)
    q = max(1, round(q)) if demand == "poisson" else q
    for service in ("cycle_service_level", "fill_rate"):
        got = rq_reorder_point_for_service(q, target, service=service, **common)
        assert got[service] >= target - 1e-9
        costs = dict(fixed_cost=1, holding_cost=1, backorder_cost=1)
        below = got["reorder_point"] - (1 if demand == "poisson" else 1e-6 * max(sd, 1))
        assert rq_performance(below, q, **costs, **common)[service] < target + 1e-9
        if demand == "normal":
            assert got[service] == pytest.approx(target, abs=1e-9)


@settings(max_examples=30)
@given(st.floats(0.5, 0.999), st.floats(0.01, 50))
def test_fill_rate_needs_no_more_stock_than_the_textbook_shortcut(target, q_over_sd):
    """The exact fill rate 1 - [n(r) - n(r+Q)]/Q is above the shortcut 1 - n(r)/Q of
    inventory.safety_factor_for_fill_rate, so the exact r is at most the shortcut's and
    the two agree when Q is large against sigma."""
    sd = 100 * math.sqrt(0.5)
    q = q_over_sd * sd
    exact = rq_reorder_point_for_service(
        q, target, service="fill_rate", demand_rate=400, demand_sd=100, lead_time=0.5
    )["reorder_point"]
    shortcut = 200 + sd * inventory.safety_factor_for_fill_rate(target, q, sd)
    assert exact <= shortcut + 1e-9
    if q_over_sd >= 10:
        assert exact == pytest.approx(shortcut, abs=1e-6 * sd)


def test_a_fill_rate_target_needs_less_stock_than_the_same_cycle_service_level():
    """Silver, Pyke & Thomas / Axsaeter: with Q large against sigma_DL, 99 % of demand
    filled needs far less safety stock than 99 % of cycles without a stockout."""
    hp = dict(demand_rate=250, demand_sd=150, lead_time=2)
    fill = rq_reorder_point_for_service(1000, 0.99, service="fill_rate", **hp)
    csl = rq_reorder_point_for_service(1000, 0.99, **hp)
    assert fill["safety_stock"] < csl["safety_stock"]
    assert csl["safety_stock"] == pytest.approx(inventory.safety_stock(0.99, 150, 2))
    assert fill["cycle_service_level"] < 0.99 < csl["fill_rate"]


def test_lead_time_variability_widens_normal_lead_time_demand_as_in_inventory():
    """sigma_DL = sqrt(L tau^2 + lambda^2 sigma_L^2) (inventory.lead_time_demand_sd)."""
    base = dict(demand_rate=1300, demand_sd=150, lead_time=1 / 12)
    got = rq_reorder_point_for_service(300, 0.95, lead_time_sd=1 / 52, **base)
    sigma = inventory.lead_time_demand_sd(150, 1 / 12, 1300, 1 / 52)
    assert got["safety_stock"] == pytest.approx(stats.norm.ppf(0.95) * sigma)


def test_cost_parts_add_up_and_zero_fixed_cost_is_allowed_for_a_given_policy():
    s = rq_performance(126.8, 328.5, **EXAMPLE_5_1)
    assert s["annual_cost"] == pytest.approx(
        s["ordering_cost"] + s["holding_cost"] + s["backorder_cost"]
    )
    assert s["ordering_cost"] == pytest.approx(8 * 1300 / 328.5)
    # E[on hand] - E[backorders] = E[IL] = r + Q/2 - lambda L for continuous demand
    assert s["average_on_hand"] - s["average_backorders"] == pytest.approx(
        126.8 + 328.5 / 2 - 1300 / 12
    )
    free = rq_cost(126.8, 328.5, **{**EXAMPLE_5_1, "fixed_cost": 0})
    assert free == pytest.approx(s["annual_cost"] - s["ordering_cost"])


def test_poisson_without_lead_time_orders_at_minus_one_and_never_backorders():
    """L = 0: lead-time demand is 0, an order arrives at once; r = -1 (order on the first
    shortage) carries no backorders and Q balances ordering against holding only."""
    best = rq_optimal(fixed_cost=100, holding_cost=20, backorder_cost=150, demand_rate=1.5,
                      lead_time=0, demand="poisson")  # fmt: skip
    assert best.reorder_point == -1
    assert rq_performance(-1, best.order_quantity, **{**EXAMPLE_5_8, "lead_time": 0})[
        "average_backorders"
    ] == pytest.approx(0.0)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: loss_function(1.0, stats.norm), "not frozen"),
        (lambda: loss_function(1.0, [1, 2, 3]), "frozen scipy.stats distribution"),
        (lambda: loss_function(1.0, stats.expon(scale=2)), "expon"),
        (lambda: loss_function(1.0, stats.norm(5, 0)), "standard deviation"),
        (lambda: loss_function(2.5, stats.poisson(3)), "whole units"),
        (lambda: loss_function(2, stats.poisson(3, loc=0.5)), "whole units only"),
        (lambda: loss_function(2, stats.poisson(-1)), "mean"),
        (lambda: loss_function(float("nan"), stats.norm(5, 1)), "nan"),
        (lambda: loss_function("3", stats.norm(5, 1)), "must be a number"),
        (lambda: second_order_loss_function([1.0, None], stats.norm(5, 1)), "NaN"),
        (lambda: rq_cost(1, 2, **{**EXAMPLE_5_1, "demand": "gamma"}), "'normal' or 'poisson'"),
        (lambda: rq_cost(1, 2, **without(EXAMPLE_5_1, "demand_sd")), "needs demand_sd"),
        (lambda: rq_cost(1, 2, **EXAMPLE_5_8, demand_sd=3), "takes no demand_sd"),
        (lambda: rq_cost(1, 2, **EXAMPLE_5_8, lead_time_sd=0.1), "fixed lead time"),
        (lambda: rq_cost(1, 2, **{**EXAMPLE_5_1, "demand_sd": 0}), "standard deviation 0"),
        (lambda: rq_cost(1, 2, **{**EXAMPLE_5_1, "holding_cost": 0}), "holding_cost"),
        (lambda: rq_cost(1, 2, **{**EXAMPLE_5_1, "backorder_cost": -1}), "backorder_cost"),
        (lambda: rq_cost(1, 0, **EXAMPLE_5_1), "order_quantity"),
        (lambda: rq_cost(1.5, 4, **EXAMPLE_5_8), "whole numbers"),
        (lambda: rq_cost(1, 2, **{**EXAMPLE_5_1, "demand_rate": 0}), "demand_rate"),
        (lambda: rq_cost(1, 2, **{**EXAMPLE_5_1, "lead_time": -1}), "lead_time"),
        (lambda: rq_optimal(**{**EXAMPLE_5_1, "fixed_cost": 0}), "fixed_cost"),
        (lambda: rq_approximation("eil", **EXAMPLE_5_1), "eoq_ss"),
        (
            lambda: rq_reorder_point_for_service(
                100, 1.0, demand_rate=10, demand_sd=2, lead_time=1
            ),
            "target",
        ),
        (
            lambda: rq_reorder_point_for_service(
                100, 0.9, service="type 3", demand_rate=10, demand_sd=2, lead_time=1
            ),
            "fill_rate",
        ),
        (lambda: rq_optimal_reorder_point(2.5, **without(EXAMPLE_5_8, "fixed_cost")), "whole"),
    ],
)
def test_bad_input_raises_value_error_that_says_what_to_fix(call, message):
    with pytest.raises(ValueError, match=message):
        call()
