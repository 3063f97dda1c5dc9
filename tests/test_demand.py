"""Demand shaping, consensus and forecast consumption."""

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import demand as dm


def _promo_history(lift=40.0, dip=-15.0, noise=0.0, seed=0):
    t = np.arange(48)
    promo = np.isin(t, [2, 9, 17, 22, 30, 38, 45]).astype(int)
    post = np.r_[0, promo[:-1]] * (1 - promo)
    rng = np.random.default_rng(seed)
    units = (
        200
        + 1.5 * t
        + 60 * np.sin(2 * np.pi * t / 12)
        + lift * promo
        + dip * post
        + rng.normal(0, noise, t.size)
    )
    months = pd.date_range("2021-01-01", periods=48, freq="MS")
    return pd.DataFrame({"month": months, "units": units, "promo": promo})


def _same_month_promos():
    """Every promotion in March: the lift is collinear with the March season dummy."""
    h = _promo_history()
    return h.assign(promo=(h["month"].dt.month == 3).astype(int))


def test_regression_recovers_known_promotion_lift_and_post_promo_dip_exactly():
    eff = dm.estimate_promotion_effects(_promo_history())
    assert eff.loc["lift", "units"] == pytest.approx(40, abs=1e-6)
    assert eff.loc["post_promo_dip", "units"] == pytest.approx(-15, abs=1e-6)


def test_promotions_on_a_constant_series_have_no_effect_and_no_p_value():
    """Constant demand: lift and dip are exactly 0 and the model fits without residual, so
    the standard errors are 0 and a p-value (0 / 0) is undefined, not a number from
    rounding noise."""
    eff = dm.estimate_promotion_effects(_promo_history().assign(units=250.0))
    assert eff["units"].tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert eff["std_error"].tolist() == [0.0, 0.0]
    assert eff["p_value"].isna().all()
    assert (eff["ci_low"] == eff["units"]).all() and (eff["ci_high"] == eff["units"]).all()


def test_promotion_effects_scale_with_the_units():
    """The exact-fit verdict is relative: the same noiseless history in millions gives the
    same lift in millions, and a noisy one keeps its p-value at any scale."""
    small = dm.estimate_promotion_effects(_promo_history(noise=8, seed=3))
    big = dm.estimate_promotion_effects(
        _promo_history(noise=8, seed=3).assign(units=lambda h: h["units"] * 1e6)
    )
    assert big["units"].tolist() == pytest.approx((small["units"] * 1e6).tolist())
    assert big["p_value"].tolist() == pytest.approx(small["p_value"].tolist())
    exact = dm.estimate_promotion_effects(_promo_history().assign(units=lambda h: h["units"] * 1e6))
    assert exact["units"].tolist() == pytest.approx([40e6, -15e6])
    assert exact["p_value"].isna().all()


def test_regression_lift_confidence_interval_covers_truth_with_noise():
    eff = dm.estimate_promotion_effects(_promo_history(noise=8, seed=3))
    assert eff.loc["lift", "ci_low"] < 40 < eff.loc["lift", "ci_high"]
    assert eff.loc["lift", "p_value"] < 0.01
    assert eff.loc["lift", "pct_of_baseline"] > 0


def test_shaped_forecast_adds_lift_and_dip_to_the_baseline():
    base = pd.Series(100.0, index=pd.period_range("2025-01", periods=6, freq="M"))
    promo = dm.promotion_overlay([base.index[2]], base.index, lift=40, dip=-15)
    launch = pd.DataFrame({"period": [base.index[4]], "event": ["launch"], "effect_pct": [0.2]})
    shaped = dm.apply_overlays(base, pd.concat([promo, launch], ignore_index=True))
    assert shaped["shaped"].tolist() == [100, 100, 140, 85, 120, 100]
    assert shaped["shaped"].sum() == pytest.approx(600 + 40 - 15 + 20)


def test_overlays_never_make_demand_negative():
    base = pd.Series([10.0, 10.0])
    ov = pd.DataFrame({"period": [0], "event": ["recall"], "effect_units": [-50.0]})
    assert dm.apply_overlays(base, ov)["shaped"].tolist() == [0, 10]


def test_inverse_mae_weights_by_hand():
    # 1/10 : 1/20 : 1/40 = 4 : 2 : 1 -> 4/7, 2/7, 1/7
    w = dm.inverse_mae_weights({"statistical": 10, "sales": 20, "marketing": 40})
    np.testing.assert_allclose(w.to_numpy(), [4 / 7, 2 / 7, 1 / 7])


def test_consensus_bias_positive_when_sales_over_forecasts():
    inp = pd.DataFrame(
        {"actual": [100.0, 100, 100], "statistical": [98.0, 102, 100], "sales": [130.0, 125, 120]}
    )
    stat_only = dm.consensus_scenario(inp, {"statistical": 1, "sales": 0})
    with_sales = dm.consensus_scenario(inp, {"statistical": 1, "sales": 1})
    assert with_sales["bias"] > stat_only["bias"] > -1
    assert with_sales["bias"] == pytest.approx(12.5)


def test_consensus_bias_negative_with_a_downward_override():
    inp = pd.DataFrame({"actual": [100.0, 100], "statistical": [100.0, 100]})
    out = dm.consensus_scenario(inp, {"statistical": 1}, override_pct=-10)
    assert out["bias"] == pytest.approx(-10) and out["mae"] == pytest.approx(10)


def test_forecast_consumption_backward_then_forward():
    """Hand-derived: orders 60, 130, 20 against forecast 100 per period.

    Backward 1: the 30 excess of period 2 consumes period 1's leftover 40 -> 10 remains.
    Forward 1 only: the 30 excess consumes period 3 -> 100 - 30 - 20 = 50 remains.
    """
    f = pd.Series([100.0, 100, 100])
    o = pd.Series([60.0, 130, 20])
    back = dm.consume_forecast(f, o, backward_periods=1)
    assert back["remaining_forecast"].tolist() == [10, 0, 80]
    fwd = dm.consume_forecast(f, o, backward_periods=0, forward_periods=1)
    assert fwd["remaining_forecast"].tolist() == [40, 0, 50]
    none = dm.consume_forecast(f, o, backward_periods=0)
    assert none["excess_orders"].tolist() == [0, 30, 0]
    assert none["total_demand"].tolist() == [100, 130, 100]  # orders + unconsumed forecast


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: dm.inverse_mae_weights({}), "empty"),
        (lambda: dm.inverse_mae_weights({"a": 0}), "positive"),
        (lambda: dm.consensus_forecast(pd.DataFrame({"a": [1.0]}), {"b": 1}), "missing"),
        (lambda: dm.consensus_forecast(pd.DataFrame({"a": [1.0]}), {"a": 0}), "not all zero"),
        (
            lambda: dm.consensus_forecast(pd.DataFrame({"a": [1.0]}), {"a": 1}, override_pct=-100),
            "override_pct",
        ),
        (lambda: dm.consume_forecast(pd.Series([1.0]), pd.Series([-1.0])), "negative"),
        (lambda: dm.consume_forecast(pd.Series([1.0]), pd.Series([1.0], index=[5])), "index"),
        (
            lambda: dm.consume_forecast(pd.Series([1.0]), pd.Series([1.0]), backward_periods=-1),
            "backward_periods",
        ),
        (lambda: dm.estimate_promotion_effects(pd.DataFrame({"month": [1]})), "missing"),
        (lambda: dm.estimate_promotion_effects(_promo_history().assign(promo=0)), "no promotion"),
        (lambda: dm.estimate_promotion_effects(_promo_history().head(10)), "too few"),
        (lambda: dm.estimate_promotion_effects(_same_month_promos()), "told apart"),
        (lambda: dm.estimate_promotion_effects(_promo_history().assign(promo=1)), "no baseline"),
        (  # a promotion every other month: each other month is a post-promotion dip
            lambda: dm.estimate_promotion_effects(
                _promo_history().assign(promo=lambda h: (h.index % 2 == 0).astype(int))
            ),
            "no baseline",
        ),
        (lambda: dm.estimate_promotion_effects(_promo_history().assign(units=0.0)), "all zeros"),
        (
            lambda: dm.apply_overlays(
                pd.Series([1.0]),
                pd.DataFrame({"period": [9], "event": ["x"], "effect_units": [1.0]}),
            ),
            "not in the baseline",
        ),
        (lambda: dm.promotion_overlay([99], [1, 2], lift=1), "horizon"),
    ],
)
def test_bad_input_raises_value_error_saying_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_public_names_reexported():
    assert sop.consensus_scenario is dm.consensus_scenario


def test_consensus_explorer_summary_reports_over_forecast_for_optimistic_sales():
    inp = pd.DataFrame({"actual": [100.0, 100], "statistical": [100.0, 100], "sales": [140.0, 140]})
    box = sop.widgets.consensus_explorer(inp, ["statistical", "sales"])
    summary = box.children[1].value
    assert "over-forecast" in summary and "+20.0" in summary
    first_png = box.children[2].value
    assert first_png[:8] == b"\x89PNG\r\n\x1a\n"
    sales_slider = box.children[0].children[0].children[1]
    sales_slider.value = 0  # statistical only: unbiased
    assert "+0.0" in box.children[1].value and "unbiased" in box.children[1].value
    assert box.children[2].value != first_png  # the chart was redrawn


def test_consensus_scenario_is_a_result_that_reads_like_the_old_dict():
    inp = pd.DataFrame({"actual": [100.0, 100], "statistical": [90.0, 100], "sales": [120.0, 120]})
    out = dm.consensus_scenario(inp, {"statistical": 1, "sales": 1})
    assert isinstance(out, dm.ConsensusScenario)
    assert out.mae == out["mae"] == 7.5 and out.bias == out["bias"]
    assert list(out) == ["consensus", "mae", "wape", "bias", "inputs_mae"]
