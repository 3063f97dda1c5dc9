"""ADIDA, IMAPA, Croston with optimised alphas, the tsintermittent / statsforecast starts of
Croston and TSB, and SES with a given starting level.

Kinds of expected numbers used here, each labelled at its test:

* **published**: a worked example printed by its author (source cited, numbers as printed);
* **reference run**: the output of the reference implementation, Nixtla statsforecast
  2.0.1 (``pip install statsforecast==2.0.1`` in a separate virtual environment,
  float64 input, ``Model().forecast(y=y, h=2)["mean"][0]``), printed to 16 digits and
  pasted here. Not a published table: a run of the reference code;
* **differential**: the reference algorithm re-implemented independently in this file
  (R tsintermittent's ``crost`` and ``tsb``, transcribed from their R source; R was not
  available to run them). It checks that we follow the same recursion, not a number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sopcourse import forecasting as fc
from sopcourse import intermittent_demand as im

# Three intermittent series given to statsforecast 2.0.1 (reference run, see above).
SERIES = {
    "A": [0, 0, 3, 0, 0, 0, 5, 0, 1, 0, 0, 4, 0, 0, 0, 0, 2, 0, 0, 6, 0, 0, 0, 3],
    "B": [2, 0, 0, 1, 0, 4, 0, 0, 0, 3, 0, 0, 5, 0, 0, 0, 0, 0],
    "C": [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 8, 0, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 12]
    + [0, 0, 0, 0, 1, 0, 0, 0, 0, 2],
}
# statsforecast 2.0.1 point forecasts (reference run): ADIDA(), IMAPA(), CrostonOptimized(),
# CrostonClassic(), CrostonSBA(), TSB(alpha_d=0.2, alpha_p=0.1)
STATSFORECAST = {
    "A": {
        "ADIDA": 1.017876403157383,
        "IMAPA": 1.0238855975790342,
        "CrostonOptimized": 0.9979537347797889,
        "CrostonClassic": 0.9979538857892899,
        "CrostonSBA": 0.9480561914998253,
        "TSB": 0.9918997659954608,
    },
    "B": {
        "ADIDA": 0.7340118563321143,
        "IMAPA": 0.7882101046992597,
        "CrostonOptimized": 1.2781095734170123,
        "CrostonClassic": 1.4610443187175857,
        "CrostonSBA": 1.3879921027817064,
        "TSB": 0.9323149509529642,
    },
    "C": {
        "ADIDA": 0.6525535128112117,
        "IMAPA": 0.7419681649813386,
        "CrostonOptimized": 0.6544196162000243,
        "CrostonClassic": 0.7377383651610747,
        "CrostonSBA": 0.7008514469030209,
        "TSB": 0.7876676001900609,
    },
}
# statsforecast 2.0.1 TSB(alpha_d=0.2, alpha_p=0.1).forecast(y, h=2, fitted=True)["fitted"]
# of series B, periods 2-10 (reference run)
STATSFORECAST_TSB_FITTED_B = [
    2.0,
    1.8,
    1.62,
    1.4922000000000002,
    1.3429800000000003,
    1.7281376000000004,
    1.5553238400000005,
    1.3997914560000004,
    1.2598123104000005,
]


# --------------------------------------------------------------------------- reference runs
@pytest.mark.parametrize("key", sorted(SERIES))
def test_adida_matches_statsforecast(key):
    """Reference run: statsforecast ADIDA()."""
    assert im.adida_forecast(SERIES[key]) == pytest.approx(STATSFORECAST[key]["ADIDA"], rel=1e-9)


@pytest.mark.parametrize("key", sorted(SERIES))
def test_imapa_matches_statsforecast(key):
    """Reference run: statsforecast IMAPA()."""
    assert im.imapa_forecast(SERIES[key]) == pytest.approx(STATSFORECAST[key]["IMAPA"], rel=1e-9)


@pytest.mark.parametrize("key", sorted(SERIES))
def test_croston_optimized_matches_statsforecast(key):
    """Reference run: statsforecast CrostonOptimized()."""
    out = im.croston_optimized_forecast(SERIES[key])
    assert out["forecast"] == pytest.approx(STATSFORECAST[key]["CrostonOptimized"], rel=1e-9)
    lo, hi = im.SES_ALPHA_BOUNDS
    assert lo <= out["alpha_size"] <= hi and lo <= out["alpha_interval"] <= hi


@pytest.mark.parametrize("key", sorted(SERIES))
def test_croston_and_sba_with_statsforecast_start_match_statsforecast(key):
    """Reference run: statsforecast CrostonClassic() and CrostonSBA() (alpha 0.1)."""
    y = SERIES[key]
    cro = im.croston_forecast(y, 0.1, init="statsforecast")[0]
    sba = im.croston_forecast(y, 0.1, variant="sba", init="statsforecast")[0]
    assert cro == pytest.approx(STATSFORECAST[key]["CrostonClassic"], rel=1e-9)
    assert sba == pytest.approx(STATSFORECAST[key]["CrostonSBA"], rel=1e-9)
    # statsforecast's start is Croston's own ("naive"): the same numbers
    assert cro == im.croston_forecast(y, 0.1, init="naive")[0]


@pytest.mark.parametrize("key", sorted(SERIES))
def test_tsb_with_statsforecast_start_matches_statsforecast(key):
    """Reference run: statsforecast TSB(alpha_d=0.2, alpha_p=0.1)."""
    f, _ = im.croston_forecast(SERIES[key], 0.2, beta=0.1, variant="tsb", init="statsforecast")
    assert f == pytest.approx(STATSFORECAST[key]["TSB"], rel=1e-9)


def test_tsb_in_sample_forecasts_match_statsforecast_after_the_first_demand():
    """Reference run: statsforecast TSB fitted values of series B (first demand: period 1)."""
    _, fitted = im.croston_forecast(SERIES["B"], 0.2, beta=0.1, variant="tsb", init="statsforecast")
    assert np.isnan(fitted[0])
    np.testing.assert_allclose(fitted[1:10], STATSFORECAST_TSB_FITTED_B, rtol=1e-12)


def test_forecast_series_offers_the_new_methods_by_name():
    """Reference run: the same numbers through forecast_series (flat over the horizon)."""
    y = pd.Series(SERIES["A"])
    for method, name in [("adida", "ADIDA"), ("imapa", "IMAPA"), ("croston_optimized", "Cros")]:
        out = fc.forecast_series(y, 3, method)
        expected = STATSFORECAST["A"]["CrostonOptimized" if name == "Cros" else name]
        np.testing.assert_allclose(out.to_numpy(), [expected] * 3, rtol=1e-9)
    assert {"adida", "imapa", "croston_optimized"} <= set(fc.FORECAST_METHODS)


# --------------------------------------------------------------------------- differential
def _r_tsb(data, w_demand, w_prob, init):
    """Independent transcription of tsintermittent R/tsb.R (h > 0, fixed weights), 1-based."""
    data = list(map(float, data))
    n = len(data)
    p = [1.0 if v != 0 else 0.0 for v in data]
    z = [v for v in data if v != 0]
    start = (z[0], sum(p) / n) if init == "mean" else (z[0], p[0])
    zfit, pfit = [0.0] * (n + 1), [0.0] * (n + 1)  # index 0 unused (R is 1-based)
    zfit[1], pfit[1] = start
    for i in range(2, n + 1):
        pfit[i] = pfit[i - 1] + w_prob * (p[i - 1] - pfit[i - 1])
        zfit[i] = (
            zfit[i - 1] if p[i - 1] == 0 else zfit[i - 1] + w_demand * (data[i - 1] - zfit[i - 1])
        )
    yfit = [pfit[i] * zfit[i] for i in range(1, n + 1)]
    return yfit[-1], [np.nan] + yfit[:-1]  # frc.out[1], frc.in


def _r_crost(data, w, init):
    """Independent transcription of tsintermittent R/crost.R (type="croston", one weight)."""
    nzd = [i + 1 for i, v in enumerate(data) if v != 0]
    z = [float(data[i - 1]) for i in nzd]
    x = [nzd[0]] + [b - a for a, b in zip(nzd[:-1], nzd[1:], strict=True)]
    zf, xf = z[0], (sum(x) / len(x) if init == "mean" else x[0])
    for k in range(1, len(z)):
        zf += w * (z[k] - zf)
        xf += w * (x[k] - xf)
    return zf / xf


@pytest.mark.parametrize("key", sorted(SERIES))
@pytest.mark.parametrize(
    "r_init, our_init", [("mean", "tsintermittent"), ("naive", "statsforecast")]
)
def test_tsb_starts_match_tsintermittent_tsb(key, r_init, our_init):
    """Differential: tsintermittent tsb(init="mean") is our "tsintermittent" start,
    tsb(init="naive") our "statsforecast" start (transcribed R, not a published number)."""
    y = SERIES[key]
    r_forecast, r_fitted = _r_tsb(y, 0.2, 0.1, r_init)
    f, fitted = im.croston_forecast(y, 0.2, beta=0.1, variant="tsb", init=our_init)
    assert f == pytest.approx(r_forecast, rel=1e-12)
    first = int(np.flatnonzero(np.asarray(y) > 0)[0])
    # R fills the periods up to the first demand with d * z_1; we leave them NaN
    assert np.isnan(fitted[: first + 1]).all()
    np.testing.assert_allclose(fitted[first + 1 :], r_fitted[first + 1 :], rtol=1e-12)


@pytest.mark.parametrize("key", sorted(SERIES))
@pytest.mark.parametrize("r_init, our_init", [("mean", "tsintermittent"), ("naive", "naive")])
def test_croston_starts_match_tsintermittent_crost(key, r_init, our_init):
    """Differential: tsintermittent crost(init=...) with one weight (transcribed R)."""
    y = SERIES[key]
    assert im.croston_forecast(y, 0.1, init=our_init)[0] == pytest.approx(
        _r_crost(y, 0.1, r_init), rel=1e-12
    )


def test_default_start_is_unchanged():
    """The default (init="mean") is what it was; only the new names are new."""
    y = SERIES["B"]
    assert im.croston_forecast(y, 0.1)[0] == im.croston_forecast(y, 0.1, init="mean")[0]
    assert im.croston_forecast(y, 0.1)[0] == im.croston_forecast(y, 0.1, init="tsintermittent")[0]
    tsb_default = im.croston_forecast(y, 0.2, beta=0.1, variant="tsb")[0]
    # TSB's default starts at the first demand with d0 = 1 / mean interval: not R's start
    assert (
        tsb_default
        != im.croston_forecast(y, 0.2, beta=0.1, variant="tsb", init="tsintermittent")[0]
    )


# --------------------------------------------------------------------------- by hand
def test_adida_by_hand():
    """Hand-worked: mean interval (2 + 2 + 3) / 3 = 2.33 -> k = 2; 7 periods: the oldest
    one is dropped, buckets [2, 0], [2, 0], [0, 4] -> sums 2, 2, 4; SES alpha 0.5 started
    at 2: 2, 2, then 3 -> forecast 3 per 2 periods = 1.5."""
    y = [0, 2, 0, 2, 0, 0, 4]
    assert im.adida_forecast(y, alpha=0.5) == pytest.approx(1.5)
    assert im.adida_forecast(y, aggregation_level=1, alpha=1.0) == pytest.approx(4.0)


def test_aggregation_level_rounds_half_to_even_as_statsforecast():
    """Mean interval 2.5 (intervals 2 and 3): Python's round gives 2, as statsforecast."""
    y = [0, 5, 0, 0, 5, 0]
    assert im.adida_forecast(y, alpha=0.5) == im.adida_forecast(y, aggregation_level=2, alpha=0.5)


def test_imapa_is_the_mean_of_adida_levels():
    y = SERIES["C"]  # 8 demands, the last in period 36: mean interval 4.5 -> K = 4 (to even)
    levels = [im.adida_forecast(y, aggregation_level=k) for k in range(1, 5)]
    assert im.imapa_forecast(y) == pytest.approx(np.mean(levels))


@pytest.mark.parametrize(
    "func, kwargs, message",
    [
        (im.adida_forecast, {"history": [0, 0, 0]}, "no demand"),
        (im.imapa_forecast, {"history": [0, 0]}, "no demand"),
        (im.croston_optimized_forecast, {"history": [0.0] * 5}, "no demand"),
        (im.adida_forecast, {"history": [0, 3, 0], "aggregation_level": 0}, "aggregation_level"),
        (im.adida_forecast, {"history": [0, 3, 0], "aggregation_level": 1.5}, "whole number"),
        (im.imapa_forecast, {"history": [0, 3, 0], "max_level": 9}, "max_level"),
        (im.adida_forecast, {"history": [0, 3, 0], "alpha": 1.5}, "alpha"),
        (im.adida_forecast, {"history": [0, -3, 0]}, "negative"),
        (im.croston_forecast, {"history": [0, 3, 0], "init": "first"}, "init"),
    ],
)
def test_bad_input_says_what_is_wrong(func, kwargs, message):
    with pytest.raises(ValueError, match=message):
        func(**kwargs)


# --------------------------------------------------------------------------- SES start
# Published: S. Wong, "Time Series Forecasting Exercise - Simple Exponential Smoothing",
# http://www.wongsteve.com/Exponential_Smoothing.htm: alpha = 0.3, the forecast for period
# 2 is the actual of period 1 (99); forecasts for periods 2-10 printed to one decimal, and
# the period-11 forecast 65.42 (worked from the rounded F10 = 65.6; exactly 65.43).
WONG_SALES = [99, 88, 50, 58, 62, 60, 55, 62, 71, 65]
WONG_FORECASTS = [99.0, 95.7, 82.0, 74.8, 71.0, 67.7, 63.9, 63.3, 65.6]  # periods 2-10


def test_ses_with_a_given_start_reproduces_a_published_hand_table():
    """Published (Wong): F_1 = A_1 = 99 makes F_2 = 99, as in the table."""
    fitted = fc.one_step_forecasts(WONG_SALES, "ses", alpha=0.3, initial_level=99)
    np.testing.assert_allclose(fitted.iloc[1:].round(1), WONG_FORECASTS)
    out = fc.forecast_series(pd.Series(WONG_SALES), 2, "ses", alpha=0.3, initial_level=99)
    assert out.tolist() == pytest.approx([65.42, 65.42], abs=0.015)
    # every prefix forecasts the next period of the printed table
    for t in range(1, len(WONG_SALES)):
        nxt = fc.forecast_series(WONG_SALES[:t], 1, "ses", alpha=0.3, initial_level=99)
        assert round(float(nxt.iloc[0]), 1) == WONG_FORECASTS[t - 1]


def test_ses_start_port_of_baltimore():
    """Heizer & Render, Port of Baltimore (alpha 0.10, F1 = 175), as cited in
    one_step_forecasts' docstring: F3 = 174.75 after 180 and 168 tons."""
    assert fc.forecast_series([180, 168], 1, "ses", alpha=0.1, initial_level=175).iloc[0] == (
        pytest.approx(174.75)
    )


def test_ses_start_needs_ses_and_alpha():
    with pytest.raises(ValueError, match="fixed alpha"):
        fc.forecast_series([5, 6, 7], 1, "ses", initial_level=5)
    with pytest.raises(ValueError, match="initial_level is for method='ses'"):
        fc.forecast_series([5, 6, 7, 8], 1, "holt", alpha=0.3, initial_level=5)
    with pytest.raises(ValueError, match="initial_level must be zero or more"):
        fc.forecast_series([5, 6, 7, 8], 1, "ses", alpha=0.3, initial_level=-5)


def test_ses_without_a_start_is_unchanged():
    """No initial_level: statsmodels still estimates the start (today's behaviour)."""
    y = pd.Series([10.0, 12, 11, 13, 12, 14, 13, 15])
    estimated = fc.forecast_series(y, 1, "ses", alpha=0.3)
    fixed = fc.forecast_series(y, 1, "ses", alpha=0.3, initial_level=10)
    assert estimated.iloc[0] != pytest.approx(fixed.iloc[0], abs=1e-9)
