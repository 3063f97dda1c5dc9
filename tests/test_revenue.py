"""Tests of sopcourse.revenue: revenue and margin plans, the pipeline, Bass diffusion,
like-item curves, cannibalisation and the gap to goal."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse import examples  # noqa: E402
from sopcourse.widgets.planning import BassChart  # noqa: E402


# --------------------------------------------------------------------------- published examples
def test_freshworks_crm_weighted_pipeline_negotiation_stage_is_8600():
    """Freshworks CRM support article "How to set up and use weighted pipelines": six deals
    in Negotiation (70 %) worth $3950, 3060, 1460, 1340, 1285 and 1190 total $12,285, and the
    expected revenue is 70 % of it, "$8600" (8599.5 rounded)."""
    out = sop.weighted_pipeline(**examples.freshworks_pipeline().data)
    assert out["value"].sum() == 12285
    assert round(out["weighted_amount"].sum()) == 8600


def test_revops_dictionary_weighted_pipeline_examples():
    """RevOps Dictionary, "Weighted Pipeline": $100K in Discovery (10 %) -> $10K, in
    Proposal (50 %) -> $50K, in Negotiation (80 %) -> $80K; and Operately KPI examples,
    "Pipeline forecast value": 3 deals of $10,000 at 60 % -> $18,000."""
    out = sop.weighted_pipeline(**examples.revops_pipeline().data)
    assert out["weighted_amount"].tolist() == pytest.approx([10_000, 50_000, 80_000])
    three = sop.weighted_pipeline(**examples.operately_pipeline().data)
    assert three["weighted_amount"].sum() == pytest.approx(18_000)


def test_bass_ols_class_exercise_five_years_of_adoptions():
    """Bass (1969) OLS estimation on five years of adoptions (millions) 0.517, 1.169, 1.604,
    2.044, 2.286 -- in-class exercise of the course "Data Analysis for Brand Management"
    (2.555A, Module 1), published answer p = 0.0626032, q = 0.73766359, M = 10.5036768."""
    fit = sop.fit_bass(examples.bass_class_exercise().sales, method="ols")
    assert fit["p"] == pytest.approx(0.0626032, rel=1e-5)
    assert fit["q"] == pytest.approx(0.73766359, rel=1e-6)
    assert fit["m"] == pytest.approx(10.5036768, rel=1e-6)


def test_bass_discrete_peak_class_exercise_p_00045_q_035_m_5m():
    """Same exercise set: with p = 0.0045, q = 0.35 and M = 5 million the expected peak time
    of adoption is t = 15, with "around 0.45 million adoptions" at the peak (Bass's
    discrete recursion)."""
    curve = sop.bass_curve(**examples.bass_peak_class_exercise().data, periods=30, form="discrete")
    assert curve["adoptions"].idxmax() == 15
    assert curve["adoptions"].max() / 1e6 == pytest.approx(0.45, abs=0.005)


def test_bass_nls_density_form_matches_the_r_nls_example_of_chengjun_wang():
    """Chengjun Wang, "Bass diffusion model" (RPubs rpubs.com/chengjun/bass_model, 2012),
    ten years of sales from 1979 fitted with R's nls on S_t = M f(t) from the start
    M = 60630, P = 0.03, Q = 0.38: M = 6.80e+04, P = 6.59e-03, Q = 6.38e-01, residual
    standard error 727 on 7 degrees of freedom."""
    wang = examples.chengjun_wang_bass()
    fit = sop.fit_bass(wang.sales, "nls", curve="density", initial=wang.initial)
    assert fit["m"] == pytest.approx(6.80e4, rel=5e-3)
    assert fit["p"] == pytest.approx(6.59e-3, rel=5e-3)
    assert fit["q"] == pytest.approx(6.38e-1, rel=5e-3)
    assert np.sqrt(fit["sse"] / 7) == pytest.approx(727, abs=0.5)


def test_mahajan_muller_bass_1990_peak_formulas_match_the_curve():
    """Mahajan, Muller & Bass (1990), J. Marketing 54(1): t* = ln(q/p)/(p+q),
    n(t*) = m (p+q)^2 / (4q), N(t*) = m (1/2 - p/(2q)); checked against the curve itself
    at the Sultan, Farley & Lehmann (1990) average coefficients p = 0.03, q = 0.38."""
    p, q, m = 0.03, 0.38, 1_000_000
    peak = sop.bass_peak(p, q, m)
    t = np.linspace(0, 30, 300_001)
    cumulative = m * sop.bass_cumulative(t, p, q)
    rate = np.gradient(cumulative, t)
    assert t[rate.argmax()] == pytest.approx(peak["peak_time"], abs=1e-3)
    assert rate.max() == pytest.approx(peak["peak_rate"], rel=1e-6)
    assert m * sop.bass_cumulative(peak["peak_time"], p, q) == pytest.approx(
        peak["cumulative_at_peak"], rel=1e-9
    )
    assert peak["peak_time"] == pytest.approx(np.log(q / p) / (p + q))


# --------------------------------------------------------------------------- Bass
def test_bass_nls_recovers_known_parameters_from_a_noiseless_curve():
    curve = sop.bass_curve(0.02, 0.45, 50_000, 12)
    fit = sop.fit_bass(curve["adoptions"], method="nls")
    assert fit[["p", "q", "m"]].tolist() == pytest.approx([0.02, 0.45, 50_000], rel=1e-4)
    assert fit["r_squared"] == pytest.approx(1.0)


def test_bass_nls_is_at_least_as_good_as_ols_on_its_own_criterion():
    rng = np.random.default_rng(1)
    sales = sop.bass_curve(0.01, 0.5, 20_000, 10)["adoptions"] * rng.normal(1, 0.05, 10)
    nls, ols = sop.fit_bass(sales, "nls"), sop.fit_bass(sales, "ols")
    assert nls["sse"] <= ols["sse"] + 1e-6


def test_bass_curve_adds_up_to_the_market_potential():
    curve = sop.bass_curve(0.03, 0.38, 1000, 80)
    assert curve["adoptions"].sum() == pytest.approx(1000, rel=1e-6)
    assert (curve["adoptions"] >= 0).all()
    assert curve["cumulative"].is_monotonic_increasing
    later = sop.bass_curve(0.03, 0.38, 1000, 5, start=11)
    assert later["adoptions"].tolist() == pytest.approx(curve.loc[11:15, "adoptions"].tolist())


def test_bass_peak_is_at_launch_when_imitation_is_weaker_than_innovation():
    peak = sop.bass_peak(0.3, 0.1, 100)
    assert peak["peak_time"] == 0 and peak["peak_rate"] == pytest.approx(30)
    curve = sop.bass_curve(0.3, 0.1, 100, 10)
    assert curve["adoptions"].idxmax() == 1


def test_bass_explorer_chart_moves_the_curve_and_the_peak_line():
    chart = BassChart(24, actual=pd.Series([50, 80, 120]))
    for p, q in ((0.02, 0.4), (0.05, 0.2)):
        curve = sop.bass_curve(p, q, 5000, 24)
        png = chart.update(curve, p, q)
        assert png[:4] == b"\x89PNG"
        assert chart.line.get_ydata() == pytest.approx(curve["adoptions"].to_numpy())
        assert chart.peak.get_xdata()[0] == pytest.approx(sop.bass_peak(p, q, 5000)["peak_time"])
    chart.close()


def test_bass_ols_no_peak_verdict_is_judged_relative_to_the_scale_of_the_sales():
    """The quadratic term of exact doubling is zero in exact arithmetic (S_t = 1 + N_{t-1});
    rounding leaves it a tiny number of either sign. Whatever the sign and the units, the
    fit must refuse rather than return m ~ 1e16."""
    from sopcourse.new_products import _bass_ols

    for scale in (1e-6, 1.0, 1e6):
        with pytest.raises(ValueError, match="no peak"):
            _bass_ols(scale * np.array([1.0, 2.0, 4.0, 8.0, 16.0]))


def test_bass_fit_checks_reject_an_implausible_market():
    from sopcourse.new_products import _check_bass_fit

    _check_bass_fit(0.03, 0.38, 100.0, 40.0, "ols")  # plausible: passes
    with pytest.raises(ValueError, match="not plausible"):
        _check_bass_fit(1e-16, 1.0, 9e15, 31.0, "ols")
    with pytest.raises(ValueError, match="not plausible"):
        _check_bass_fit(0.03, 0.38, float("inf"), 31.0, "ols")
    with pytest.raises(ValueError, match="below"):
        _check_bass_fit(0.03, 0.38, 20.0, 31.0, "ols")
    with pytest.raises(ValueError, match="innovation"):
        _check_bass_fit(1.5, 0.38, 100.0, 31.0, "ols")
    with pytest.raises(ValueError, match="imitation"):
        _check_bass_fit(0.03, 7.0, 100.0, 31.0, "ols")


def test_bass_nls_may_end_with_no_imitation():
    """q = 0 is a real answer (no word of mouth), not a bound to complain about: sales that
    fall geometrically from launch, m p (1-p)^(t-1), are Bass's discrete curve with q = 0."""
    p, m = 0.3, 1000.0
    sales = sop.bass_curve(p, 0.0, m, 8, form="discrete")["adoptions"]
    assert sales.tolist() == pytest.approx([m * p * (1 - p) ** t for t in range(8)])
    fit = sop.fit_bass(sales, "ols")
    assert fit[["p", "q", "m"]].tolist() == pytest.approx([p, 0.0, m], abs=1e-6)
    # the continuous curve with q = 0 is m (1 - e^{-pt}): NLS recovers it, q on its bound 0
    smooth = sop.bass_curve(p, 0.0, m, 8)["adoptions"]
    fit = sop.fit_bass(smooth, "nls")
    assert fit[["p", "q", "m"]].tolist() == pytest.approx([p, 0.0, m], rel=1e-4, abs=1e-6)


# --------------------------------------------------------------------------- NPI
def test_like_item_curve_is_the_mean_share_profile_scaled_to_the_volume():
    analogs = pd.DataFrame(
        {"sku": ["x"] * 4 + ["y"] * 4, "age": [0, 1, 2, 3] * 2, "units": [1, 2, 3, 4, 4, 3, 2, 1]}
    )
    curve = sop.like_item_curve(analogs, 500, 4)
    assert curve["share"].sum() == pytest.approx(1.0)
    assert curve["units"].sum() == pytest.approx(500)
    assert curve["units"].tolist() == pytest.approx([125.0] * 4)  # mirror images average flat
    assert (curve["min_share"] <= curve["share"]).all()


def test_cannibalisation_splits_lost_units_and_keeps_the_balance():
    out = sop.cannibalisation(pd.Series([100.0, 50.0]), 0.4, {"a": 0.75, "b": 0.25})
    assert out["lost_a"].tolist() == pytest.approx([30.0, 15.0])
    assert (out["net_incremental"] + out["total_lost"]).tolist() == pytest.approx([100.0, 50.0])
    assert out[["lost_a", "lost_b"]].sum(axis=1).tolist() == pytest.approx(
        out["total_lost"].tolist()
    )


# --------------------------------------------------------------------------- revenue
def test_revenue_plan_by_family_and_region():
    units = pd.DataFrame(
        {
            "family": ["road", "road", "city"],
            "region": ["north", "south", "north"],
            "units": [10, 5, 20],
        }
    )
    prices = pd.DataFrame(
        {
            "family": ["road", "road", "city"],
            "region": ["north", "south", "north"],
            "net_price": [1000.0, 900.0, 500.0],
        }
    )
    costs = pd.DataFrame({"family": ["road", "city"], "standard_cost": [600.0, 400.0]})
    plan = sop.revenue_plan(units, prices, costs).set_index(["family", "region"])
    assert plan.loc[("road", "south"), "revenue"] == 4500.0
    assert plan.loc[("road", "south"), "gross_margin"] == 1500.0
    assert plan.loc[("city", "north"), "gross_margin_pct"] == pytest.approx(0.2)
    total = sop.revenue_plan(units, prices, costs, by=())
    assert total["revenue"].item() == pytest.approx(plan["revenue"].sum())
    assert total["gross_margin_pct"].item() == pytest.approx(
        plan["gross_margin"].sum() / plan["revenue"].sum()
    )


def test_revenue_plan_can_take_the_price_from_the_unit_table():
    units = pd.DataFrame({"sku": ["a", "b"], "plan_units": [2, 3], "plan_price": [10.0, 20.0]})
    costs = pd.DataFrame({"sku": ["a", "b"], "standard_cost": [4.0, 5.0]})
    plan = sop.revenue_plan(units, None, costs, by=["sku"], value="plan_units", price="plan_price")
    assert plan["revenue"].tolist() == [20.0, 60.0]
    assert plan["gross_margin"].tolist() == [12.0, 45.0]


# --------------------------------------------------------------------------- pipeline
def test_pipeline_is_time_phased_by_close_month_and_stage():
    opps = pd.DataFrame(
        {
            "value": [100.0, 200.0, 300.0],
            "stage": ["propose", "commit", "propose"],
            "expected_close_month": pd.PeriodIndex(["2026-02", "2026-02", "2026-03"], freq="M"),
        }
    )
    probs = {"propose": 0.4, "commit": 0.9}
    monthly = sop.pipeline_by_month(opps, probs)
    assert monthly["weighted_amount"].tolist() == pytest.approx([220.0, 120.0])
    assert monthly["weighted_amount"].sum() == pytest.approx(
        sop.weighted_pipeline(opps, probs)["weighted_amount"].sum()
    )
    by_stage = sop.pipeline_by_month(opps, probs, by_stage=True)
    assert len(by_stage) == 3 and by_stage["opportunities"].sum() == 3


def test_win_rates_count_an_opportunity_at_every_stage_it_passed():
    closed = pd.DataFrame(
        {
            "stage": ["prospect"] * 4 + ["propose"] * 4 + ["commit"] * 2,
            "status": ["lost"] * 4 + ["won", "lost", "lost", "lost"] + ["won", "won"],
        }
    )
    rates = sop.calibrate_win_rates(
        closed, ["prospect", "propose", "commit"], {"prospect": 0.1, "propose": 0.5, "commit": 0.9}
    )
    assert rates["reached"].tolist() == [10, 6, 2]
    assert rates["won"].tolist() == [3, 3, 2]
    assert rates["win_rate"].tolist() == pytest.approx([0.3, 0.5, 1.0])
    assert rates.loc["propose", "difference"] == pytest.approx(0.0)
    assert (rates["ci_low"] <= rates["win_rate"]).all()
    assert (rates["win_rate"] <= rates["ci_high"]).all()


def test_win_rates_by_last_stage_count_each_opportunity_once():
    closed = pd.DataFrame(
        {
            "stage": ["prospect"] * 4 + ["propose"] * 4 + ["commit"] * 2,
            "status": ["lost"] * 4 + ["won", "lost", "lost", "lost"] + ["won", "won"],
        }
    )
    rates = sop.calibrate_win_rates(closed, ["prospect", "propose", "commit"], cumulative=False)
    assert rates["reached"].tolist() == [4, 4, 2]
    assert rates["win_rate"].tolist() == pytest.approx([0.0, 0.25, 1.0])


def test_win_rate_interval_narrows_with_more_history():
    small = pd.DataFrame({"stage": ["a"] * 10, "status": ["won"] * 5 + ["lost"] * 5})
    large = pd.concat([small] * 10, ignore_index=True)
    w_small = sop.calibrate_win_rates(small, ["a"]).iloc[0]
    w_large = sop.calibrate_win_rates(large, ["a"]).iloc[0]
    assert (w_large["ci_high"] - w_large["ci_low"]) < (w_small["ci_high"] - w_small["ci_low"])


# --------------------------------------------------------------------------- gap to goal
def test_gap_to_goal_bridge_adds_up():
    gap = sop.gap_to_goal(80.0, 6.0, 4.0, 100.0, other={"price_increase": 3.0})
    assert gap["plan"] == pytest.approx(93.0)
    assert gap["gap"] == pytest.approx(7.0)
    ahead = sop.gap_to_goal(80.0, 6.0, 20.0, 100.0)
    assert ahead["gap"] == pytest.approx(-6.0)


def test_gap_waterfall_bars_start_where_the_previous_ended():
    gap = sop.gap_to_goal(80.0, 6.0, 4.0, 100.0, other={"lost_customer": -2.0})
    ax = sop.plot_gap_to_goal(gap, units="EUR m")
    bars = ax.patches
    assert [round(b.get_height(), 6) for b in bars] == [80.0, 6.0, 4.0, 2.0, 88.0, 12.0, 100.0]
    assert bars[1].get_y() == pytest.approx(80.0)
    assert bars[3].get_y() == pytest.approx(88.0)  # a negative step hangs down from 90
    assert bars[5].get_y() == pytest.approx(88.0)  # the gap rises from the plan to the target
    assert "EUR m" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[-2:] == ["Gap to goal", "Target"]
    values = [t.get_text() for t in ax.texts]
    assert values == ["80.0", "+6.0", "+4.0", "-2.0", "88.0", "+12.0", "100.0"]
    plt.close("all")
    ahead = sop.plot_gap_to_goal(sop.gap_to_goal(80.0, 6.0, 20.0, 100.0), ymin=50.0)
    assert ahead.get_ylim()[0] == 50.0
    assert [t.get_text() for t in ahead.get_xticklabels()][-2] == "Ahead of goal"
    assert ahead.get_title(loc="left").startswith("Plan ahead of goal by 6.0")
    plt.close("all")


# --------------------------------------------------------------------------- bad input
OPPS = pd.DataFrame({"value": [10.0], "stage": ["propose"], "expected_close_month": ["2026-01"]})
UNITS = pd.DataFrame({"family": ["road"], "units": [1]})
COSTS = pd.DataFrame({"family": ["road"], "standard_cost": [1.0]})
PRICES = pd.DataFrame({"family": ["road"], "net_price": [2.0]})


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sop.weighted_pipeline(OPPS, {"commit": 0.9}), "no probability"),
        (lambda: sop.weighted_pipeline(OPPS, {"propose": 40}), "fraction"),
        (lambda: sop.weighted_pipeline(OPPS.assign(value=-1.0), {"propose": 0.4}), "negative"),
        (lambda: sop.weighted_pipeline(OPPS.drop(columns="value"), {"propose": 0.4}), "missing"),
        (lambda: sop.weighted_pipeline(OPPS.iloc[0:0], {"propose": 0.4}), "empty"),
        (
            lambda: sop.pipeline_by_month(
                OPPS.assign(expected_close_month="soon"), {"propose": 0.4}
            ),
            "months",
        ),
        (
            lambda: sop.calibrate_win_rates(
                pd.DataFrame({"stage": ["a"], "status": ["open"]}), ["a"]
            ),
            "closed",
        ),
        (
            lambda: sop.calibrate_win_rates(
                pd.DataFrame({"stage": ["z"], "status": ["won"]}), ["a"]
            ),
            "not in stages",
        ),
        (lambda: sop.bass_curve(0.0, 0.4, 100, 10), "p"),
        (lambda: sop.bass_curve(0.03, -0.1, 100, 10), "q"),
        (lambda: sop.bass_curve(0.03, 0.4, -100, 10), "m"),
        (lambda: sop.bass_curve(0.03, 0.4, 100, 0), "periods"),
        (lambda: sop.bass_curve(0.03, 0.4, 100, 5, form="logistic"), "form"),
        (lambda: sop.fit_bass([1.0, 2.0]), "at least 3"),
        (lambda: sop.fit_bass([1.0, float("nan"), 3.0]), "NaN"),
        (lambda: sop.fit_bass([1.0, -2.0, 3.0]), "negative"),
        (lambda: sop.fit_bass([]), "empty"),
        (lambda: sop.fit_bass([1.0, 2.0, 4.0, 8.0, 16.0], method="ols"), "no peak"),
        # the same doubling, scaled: the verdict must not depend on the units of the sales
        (lambda: sop.fit_bass([1e-6, 2e-6, 4e-6, 8e-6, 16e-6], method="ols"), "no peak"),
        (lambda: sop.fit_bass([1e6, 2e6, 4e6, 8e6, 16e6], method="ols"), "no peak"),
        (lambda: sop.fit_bass([2.0**k for k in range(12)], method="ols"), "no peak"),
        (lambda: sop.fit_bass([5.0] * 6, method="ols"), "no peak"),
        (lambda: sop.fit_bass([1.0, 1.0, 1.0, 100.0, 1.0], method="ols"), "intercept"),
        (lambda: sop.fit_bass([1.0, 2.0, 4.0, 8.0, 16.0], method="nls"), "no peak"),
        (lambda: sop.fit_bass([5.0] * 6, method="nls"), "no peak"),
        (lambda: sop.fit_bass([100.0, 1.0, 1.0, 1.0, 1.0], method="nls"), "on a bound"),
        (lambda: sop.fit_bass([1.0, 1.0, 1.0, 100.0, 1.0], method="nls"), "on a bound"),
        (lambda: sop.fit_bass([1.0, 2.0, 3.0], method="mle"), "method"),
        (lambda: sop.fit_bass([1.0, 2.0, 3.0], curve="logistic"), "curve"),
        (
            lambda: sop.like_item_curve(
                pd.DataFrame({"sku": ["x"], "age": [0], "units": [5]}), 100, 3
            ),
            "fewer than",
        ),
        (lambda: sop.cannibalisation(pd.Series([10.0]), 1.5, {"a": 1.0}), "rate"),
        (lambda: sop.cannibalisation(pd.Series([10.0]), 0.2, {"a": 0.5}), "sum to 1"),
        (lambda: sop.revenue_plan(UNITS, PRICES.iloc[0:0], COSTS, by=["family"]), "empty"),
        (
            lambda: sop.revenue_plan(UNITS.assign(family="bmx"), PRICES, COSTS, by=["family"]),
            "no net_price",
        ),
        (
            lambda: sop.revenue_plan(
                UNITS, PRICES.rename(columns={"family": "fam"}), COSTS, by=["family"]
            ),
            "no key column",
        ),
        (
            lambda: sop.revenue_plan(UNITS.assign(units=-1), PRICES, COSTS, by=["family"]),
            "negative",
        ),
        (lambda: sop.gap_to_goal(80.0, float("nan"), 0.0, 100.0), "finite"),
        (lambda: sop.gap_to_goal(-1.0, 0.0, 0.0, 100.0), "zero or more"),
        (lambda: sop.gap_to_goal(1.0, 0.0, 0.0, 100.0, other={"plan": 1.0}), "clashes"),
        (lambda: sop.plot_gap_to_goal(pd.Series({"a": 1.0})), "gap_to_goal"),
    ],
)
def test_bad_input_raises_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
