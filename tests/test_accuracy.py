"""Accuracy and bias measures, checked against published textbook examples.

Error-sign convention of the course: error = forecast - actual (positive = over-forecast).
"""

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import accuracy as acc
from sopcourse import examples

# Heizer & Render, Operations Management (Pearson), Ch. 4 "Forecasting", Port of Baltimore
# exponential-smoothing example: tonnage unloaded over 8 quarters, starting forecast 175
# (data and citation: sopcourse.examples.port_of_baltimore).
BALTIMORE = examples.port_of_baltimore()
BALTIMORE_TONS = BALTIMORE.tons


def _ses_table(alpha):
    return sop.one_step_forecasts(
        BALTIMORE_TONS, "ses", alpha=alpha, initial_level=BALTIMORE.initial_forecast
    )


def test_heizer_render_port_of_baltimore_mad_10_31_and_12_33():
    """Published: MAD = 10.31 for alpha = 0.10 and 12.33 for alpha = 0.50."""
    assert acc.mae(BALTIMORE_TONS, _ses_table(0.10)) == pytest.approx(10.31, abs=0.01)
    assert acc.mae(BALTIMORE_TONS, _ses_table(0.50)) == pytest.approx(12.33, abs=0.01)


def test_heizer_render_port_of_baltimore_mse_190_8_and_mape_5_59_percent():
    """Published for alpha = 0.10: MSE = 190.8 and MAPE = 5.59 % (and 6.76 % for 0.50)."""
    assert acc.mse(BALTIMORE_TONS, _ses_table(0.10)) == pytest.approx(190.8, abs=0.1)
    assert acc.mape(BALTIMORE_TONS, _ses_table(0.10)) == pytest.approx(5.59, abs=0.01)
    assert acc.mape(BALTIMORE_TONS, _ses_table(0.50)) == pytest.approx(6.76, abs=0.01)


# Stevenson, Operations Management, Ch. 3 problem (N. Tasha Company), monthly actual and
# forecast demand May..December, with the worked solution published at
# https://pt.slideshare.net/amolmobileshop/the-follwing-are-monthly-actual-and-forcasted-demand-levels-from-maypdf
# (their convention: error = actual - forecast): running sum 48, MAD 11, tracking signal 4.4.
# Data and citation: sopcourse.examples.n_tasha.
_TASHA = examples.n_tasha()
TASHA_ACTUAL, TASHA_FORECAST = _TASHA.actual, _TASHA.forecast


def test_stevenson_tasha_tracking_signal_4_4_mads_flips_sign_in_our_convention():
    """Published: MAD = 11, TS = +4.4 (actual - forecast); ours is forecast - actual."""
    assert acc.mae(TASHA_ACTUAL, TASHA_FORECAST) == pytest.approx(11.0)
    ts = acc.tracking_signal(TASHA_ACTUAL, TASHA_FORECAST)
    assert ts.iloc[-1] == pytest.approx(-4.4, abs=0.05)
    # the published running column: 1, -1.5, -0.8, 0.9, 1.3, 2.0, 3.1, 4.4
    published = [1, -1.5, -0.8, 0.9, 1.3, 2.0, 3.1, 4.4]
    np.testing.assert_allclose(ts.to_numpy(), -np.array(published), atol=0.06)


def test_tracking_signal_by_hand_running_sum_over_running_mad():
    """Hand-derived: F - A = 10, 5, -15, 10, -15, -30; sums 10, 15, 0, 10, -5, -35;
    MAD 10, 7.5, 10, 10, 11, 14.17 -> TS 1, 2, 0, 1, -0.45, -2.47."""
    ts = acc.tracking_signal([90, 95, 115, 100, 125, 140], [100, 100, 100, 110, 110, 110])
    np.testing.assert_allclose(ts.to_numpy(), [1, 2, 0, 1, -5 / 11, -35 / (85 / 6)], rtol=1e-9)


def test_positive_bias_and_tracking_signal_mean_over_forecast():
    actual = [100, 100, 100, 100]
    over = [110, 120, 105, 115]
    assert acc.forecast_bias(actual, over) == pytest.approx(12.5)
    assert acc.tracking_signal(actual, over).iloc[-1] == pytest.approx(4.0)
    assert (acc.forecast_error(actual, over) > 0).all()


def test_negative_bias_and_tracking_signal_mean_under_forecast():
    actual = [100, 100, 100, 100]
    under = [90, 80, 95, 85]
    assert acc.forecast_bias(actual, under) == pytest.approx(-12.5)
    assert acc.tracking_signal(actual, under).iloc[-1] == pytest.approx(-4.0)
    assert (acc.forecast_error(actual, under) < 0).all()


def test_absolute_measures_do_not_depend_on_the_sign_of_the_error():
    actual = [100, 100]
    assert acc.mae(actual, [110, 90]) == acc.mae(actual, [90, 110]) == 10
    assert acc.rmse(actual, [110, 90]) == acc.rmse(actual, [90, 110])


def test_mase_hyndman_koehler_scaling_by_in_sample_naive_mae():
    """Hyndman & Koehler (2006), IJF 22(4): MASE = MAE / in-sample naive MAE.

    Hand-derived: training 10, 12, 11, 13 -> naive errors 2, 1, 2 -> scale 5/3;
    forecast errors 1, 1 -> MAE 1 -> MASE 0.6. Seasonal (m = 2): errors 1, 1 -> scale 1.
    """
    assert acc.mase([12, 14], [13, 13], training=[10, 12, 11, 13]) == pytest.approx(0.6)
    assert acc.mase([12, 14], [13, 13], [10, 12, 11, 13], season_length=2) == pytest.approx(1)


def test_mase_of_the_naive_forecast_in_sample_is_one():
    y = np.array([5.0, 8, 6, 9, 7, 10])
    assert acc.mase(y[1:], y[:-1], training=y) == pytest.approx(1.0)


def test_mape_misleads_at_low_volume_while_wape_does_not():
    # One slow mover (1 sold, 3 forecast) dominates MAPE; WAPE weighs it by volume.
    actual = [1, 1000]
    forecast = [3, 1000]
    assert acc.mape(actual, forecast) == pytest.approx(100.0)
    assert acc.wape(actual, forecast) == pytest.approx(2 / 1001 * 100)


def test_mape_with_a_zero_actual_raises_and_points_to_wape():
    with pytest.raises(ValueError, match="wape"):
        acc.mape([0, 5], [1, 5])
    assert np.isnan(acc.accuracy_summary([0, 5], [1, 5])["mape"])


def test_smape_is_bounded_by_200_and_zero_when_both_zero():
    assert acc.smape([0], [10]) == pytest.approx(200)
    assert acc.smape([0, 0], [0, 0]) == 0


def test_accuracy_by_group_by_lag():
    df = pd.DataFrame(
        {"lag": [1, 1, 2, 2], "actual": [10, 20, 10, 20], "forecast": [11, 19, 14, 24]}
    )
    out = acc.accuracy_by_group(df, by="lag")
    assert out["mae"].tolist() == [1.0, 4.0]
    assert out["bias"].tolist() == [0.0, 4.0]


def test_fva_positive_when_a_step_reduces_error():
    df = pd.DataFrame(
        {"actual": [100, 120], "naive": [80, 100], "statistical": [95, 115], "sales": [105, 130]}
    )
    fva = acc.forecast_value_added(df, ["naive", "statistical", "sales"], measure="mae")
    assert fva["fva_vs_naive"].tolist() == [0.0, 15.0, 12.5]
    assert fva["fva_vs_statistical"].tolist() == [-15.0, 0.0, -2.5]
    assert fva.loc[2, "bias"] == pytest.approx(7.5)  # sales over-forecast


def test_plot_fva_stairstep_returns_axes_with_units():
    import matplotlib

    matplotlib.use("agg")
    df = pd.DataFrame({"actual": [100, 120], "naive": [80, 100], "statistical": [95, 115]})
    ax = acc.plot_fva_stairstep(acc.forecast_value_added(df, ["naive", "statistical"]))
    assert "%" in ax.get_ylabel()


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        (acc.mae, ([], []), "empty"),
        (acc.mae, ([1, 2], [1]), "align"),
        (acc.mae, ([1, np.nan], [1, 2]), "NaN"),
        (acc.mae, ([-1, 2], [1, 2]), "negative"),
        (acc.mape, ([0, 2], [1, 2]), "zero"),
        (acc.wape, ([0, 0], [1, 2]), "total"),
        (acc.mase, ([1], [1], [3]), "training"),
        (acc.mase, ([1], [1], [3, 3, 3]), "constant"),
        # 0.1 * 3 is 0.30000000000000004: a constant series up to rounding, not a scale
        (acc.mase, ([1], [1], [0.1 * 3] * 3 + [0.3] * 3), "constant"),
        (acc.mase, ([1], [1], [1e12 * 0.1 * 3] * 3 + [1e12 * 0.3] * 3), "constant"),
        (acc.mae, ([1, 2], [1, np.inf]), "infinite"),
        (acc.forecast_bias, ([np.inf, 2], [1, 2]), "infinite"),
        (acc.mase, ([1], [1], [3, 4], 0), "season_length"),
        (acc.mae, (["a"], [1]), "numbers"),
    ],
)
def test_bad_input_raises_value_error_saying_what_to_do(func, args, message):
    with pytest.raises(ValueError, match=message):
        func(*args)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": []}, "steps is empty"),
        ({"steps": ["naive", "missing"]}, "missing column"),
        ({"steps": ["naive"], "measure": "r2"}, "measure must be"),
    ],
)
def test_fva_bad_input(kwargs, message):
    df = pd.DataFrame({"actual": [1.0], "naive": [1.0]})
    with pytest.raises(ValueError, match=message):
        acc.forecast_value_added(df, **kwargs)


def test_mase_on_a_small_but_real_change_is_a_number():
    """A training series that changes by 1e-6 (a real, if small, change) still scales MASE:
    the in-sample naive MAE is (0 + 1e-6) / 2."""
    scale = (0 + 1e-6) / 2
    assert acc.mase([1], [2], [3, 3, 3 + 1e-6]) == pytest.approx(1 / scale, rel=1e-6)


def test_zero_actuals_have_defined_and_undefined_measures():
    """All-zero actuals: MAE, bias and sMAPE are defined (sMAPE of 0 against 0 is 0 %), MAPE
    and WAPE divide by zero, so the summary reports them as NaN."""
    summary = acc.accuracy_summary([0.0, 0.0], [0.0, 2.0])
    assert summary["mae"] == 1.0 and summary["bias"] == 1.0
    assert summary["smape"] == pytest.approx(100 * (0 + 2) / 2)
    assert np.isnan(summary["mape"]) and np.isnan(summary["wape"])
