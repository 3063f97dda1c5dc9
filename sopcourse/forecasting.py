"""Statistical demand forecasting: benchmarks, exponential smoothing, intermittent demand.

Methods (the ``method`` names accepted by :func:`forecast_series`):

==================  ===========================================================
``naive``           last value repeated, :math:`F_{T+h} = y_T`
``seasonal_naive``  same month last year, :math:`F_{T+h} = y_{T+h-m\\lceil h/m\\rceil}`
``moving_average``  mean of the last ``window`` values (:math:`k`)
``ses``             simple exponential smoothing, ETS(A,N,N) (statsmodels)
``holt``            Holt's linear trend, ETS(A,A,N) (statsmodels)
``holt_damped``     Holt with a damped trend, ETS(A,Ad,N) (statsmodels)
``ses_seasonal``    level + additive seasonality, ETS(A,N,A) (statsmodels)
``holt_winters``    damped trend + additive seasonality, ETS(A,Ad,A) (statsmodels)
``ses_adjusted``    SES on the seasonally adjusted series, re-seasonalised
``holt_damped_adjusted``  damped Holt on the seasonally adjusted series, re-seasonalised
``croston``         Croston (1972) for intermittent demand
``sba``             Syntetos-Boylan approximation: Croston x (1 - alpha/2)
``tsb``             Teunter-Syntetos-Babai (2011): demand probability x size
``croston_optimized``  Croston with both alphas chosen on the history (statsforecast)
``adida``           ADIDA (Nikolopoulos et al., 2011): SES of buckets, shared equally
``imapa``           IMAPA (Petropoulos & Kourentzes, 2015): mean of ADIDA, levels 1..K
==================  ===========================================================

The seasonally adjusted methods decompose the history classically (statsmodels
``seasonal_decompose``: centred moving average, multiplicative seasonal indices
:math:`S_j`, additive when the series has a zero), smooth :math:`y_t / S_{t \\bmod m}`
with statsmodels and multiply the forecast by the index of the same month
(Hyndman & Athanasopoulos, FPP3, Sections 3.4 and 3.6, "forecasting with decomposition";
the seasonal adjustment of the M4 competition benchmarks, Makridakis et al., 2020).

``method="auto"`` chooses by a stated criterion (:func:`select_method`): intermittent or
lumpy series (by the Syntetos-Boylan-Croston ADI / CV² classification) get SBA; a series
with at least two full seasons is treated as seasonal and gets ``ses_adjusted`` or
``holt_damped_adjusted``, whichever has the lower AICc on the same seasonally adjusted
series; a series with one full season but not two gets ``seasonal_naive``; a shorter one
gets ``ses`` or ``holt_damped`` by AICc. ``criterion="backtest"`` chooses by
rolling-origin MAE instead (slower).

The intermittent-demand methods and the demand classification are in
:mod:`sopcourse.intermittent_demand`.

Forecast errors everywhere in the course use **error = forecast - actual** (positive =
over-forecast); see :mod:`sopcourse.accuracy`. Forecasts of demand are clipped at 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_number, check_whole_number, require_columns
from ._parallel import map_tasks
from ._results import Result

# ADI_CUTOFF, CV2_CUTOFF and demand_profile moved with Croston's methods; still reachable
# as sopcourse.forecasting.<name> for code written before the move.
from .intermittent_demand import (  # noqa: F401
    ADI_CUTOFF,
    CV2_CUTOFF,
    INTERMITTENT_METHODS,
    OPTIMISED_INTERMITTENT_METHODS,
    check_history,
    check_smoothing,
    classify_demand,
    croston_forecast,
    demand_profile,
    optimised_intermittent_level,
)

__all__ = [
    "FORECAST_METHODS",
    "forecast_series",
    "one_step_forecasts",
    "MethodChoice",
    "select_method",
    "rolling_origin_backtest",
    "forecast_all",
    "plot_forecast",
]

FORECAST_METHODS = (
    "naive",
    "seasonal_naive",
    "moving_average",
    "ses",
    "holt",
    "holt_damped",
    "ses_seasonal",
    "holt_winters",
    "ses_adjusted",
    "holt_damped_adjusted",
    "croston",
    "sba",
    "tsb",
    *OPTIMISED_INTERMITTENT_METHODS,
)
_ES_SPECS = {
    "ses": {},
    "holt": {"trend": "add"},
    "holt_damped": {"trend": "add", "damped_trend": True},
    "ses_seasonal": {"seasonal": "add"},
    "holt_winters": {"trend": "add", "damped_trend": True, "seasonal": "add"},
}
#: seasonally adjusted method -> the exponential smoothing model of the adjusted series
_ADJUSTED = {"ses_adjusted": "ses", "holt_damped_adjusted": "holt_damped"}


# --------------------------------------------------------------------------- periods
def _future_index(history, horizon: int):
    index = history.index if isinstance(history, pd.Series) else None
    if isinstance(index, pd.PeriodIndex) and len(index):
        return pd.period_range(index[-1] + 1, periods=horizon, freq=index.freq)
    if isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = index.freq or pd.DatetimeIndex(index, freq="infer").freq
        if freq is not None:
            return pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:]
    n = len(history)
    return pd.RangeIndex(n, n + horizon)


# --------------------------------------------------------------------------- methods
class _AdjustedFit:
    """An exponential smoothing fit of a seasonally adjusted series, re-seasonalised.

    ``aicc`` is the statsmodels AICc of the fit on the adjusted series (comparable only
    with other fits on the same adjusted series); ``forecast`` and ``fittedvalues`` are on
    the scale of the original series.
    """

    def __init__(self, res, seasonal: np.ndarray, season_length: int, multiplicative: bool):
        self.res, self.multiplicative = res, multiplicative
        self.seasonal = seasonal
        self.last_season = seasonal[-season_length:]
        self.aicc = res.aicc

    def _reseason(self, values, indices):
        values = np.asarray(values, dtype=float)
        return values * indices if self.multiplicative else values + indices

    def forecast(self, horizon: int) -> np.ndarray:
        m = self.last_season.size
        future = np.array([self.last_season[h % m] for h in range(horizon)])
        return self._reseason(self.res.forecast(horizon), future)

    @property
    def fittedvalues(self) -> np.ndarray:
        return self._reseason(self.res.fittedvalues, self.seasonal)

    @property
    def sse(self) -> float:
        return float(self.res.sse)

    @property
    def params(self) -> dict:
        return self.res.params


def _seasonal_adjust(y: np.ndarray, season_length: int, method: str):
    """Classical decomposition (statsmodels): adjusted series, seasonal component, kind."""
    from statsmodels.tsa.seasonal import seasonal_decompose

    if season_length < 2 or y.size < 2 * season_length:
        raise ValueError(
            f"{method} needs 2 full seasons ({2 * season_length} periods, season_length >= 2) "
            f"to estimate seasonal indices; history has {y.size}. Use ses or holt_damped."
        )
    multiplicative = bool((y > 0).all())
    if not multiplicative and y.mean() <= 0:
        raise ValueError(f"{method} needs some demand; the history is all zeros. Use naive.")
    decomposition = seasonal_decompose(
        y, model="multiplicative" if multiplicative else "additive", period=season_length
    )
    seasonal = np.asarray(decomposition.seasonal, dtype=float)
    adjusted = y / seasonal if multiplicative else y - seasonal
    return adjusted, seasonal, multiplicative


def _fit_es(y: np.ndarray, method: str, season_length: int, alpha: float | None, fast: bool):
    if method in _ADJUSTED:
        adjusted, seasonal, multiplicative = _seasonal_adjust(y, season_length, method)
        res = _fit_es(adjusted, _ADJUSTED[method], season_length, alpha, fast)
        return _AdjustedFit(res, seasonal, season_length, multiplicative)
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    spec = dict(_ES_SPECS[method])
    if "seasonal" in spec:
        if y.size < 2 * season_length + 2:
            raise ValueError(
                f"{method} needs at least 2 full seasons + 2 periods "
                f"({2 * season_length + 2}); history has {y.size}. Use ses or holt_damped."
            )
        spec["seasonal_periods"] = season_length
    elif y.size < (4 if "trend" in spec else 2):
        raise ValueError(f"{method} needs more history; got {y.size} period(s). Use naive.")
    # fast: heuristic start values (Hyndman et al., 2008, sec. 2.6.1) instead of estimating
    # them, and no brute-force search of starting parameters; about 3-5x quicker.
    heuristic = fast and y.size >= max(10, 2 * season_length + 2 if "seasonal" in spec else 10)
    init = "heuristic" if heuristic else "estimated"
    model = ExponentialSmoothing(y, initialization_method=init, **spec)
    fit_kw = {"use_brute": not fast}
    if fast:
        # SLSQP usually reaches the same optimum as the default L-BFGS-B on these small
        # problems in a fraction of the time (measured: 3-10x fewer ms per fit); when it
        # stops early (_converged is False) the fit is redone with the default method.
        fit_kw["method"] = "SLSQP"
    if alpha is not None:
        fit_kw["smoothing_level"] = alpha
    with warnings.catch_warnings():
        # statsmodels warns about convergence on short or flat series; expected here.
        warnings.simplefilter("ignore")
        res = model.fit(**fit_kw)
        if fast and not _converged(res):
            res = model.fit(use_brute=False)  # SLSQP stopped early: redo with the default
    _check_es_fit(res, y, method)
    return res


def _check_es_fit(res, y: np.ndarray, method: str) -> None:
    """A fit whose error sum or parameters are not finite numbers is not a fit."""
    # the parameters every model has (statsmodels sets those of absent components to NaN)
    params = np.asarray(
        [res.params.get("smoothing_level"), res.params.get("initial_level")], dtype=float
    )
    if np.isfinite(res.sse) and np.isfinite(params).all():
        return
    raise ValueError(
        f"{method}: the exponential smoothing fit did not give finite numbers (sum of "
        f"squared errors {res.sse!r}) on demand up to {y.max():.3g}: the values are too "
        "large to square in floating point, so rescale them (e.g. to thousands of units), "
        "or use naive."
    )


def _perfect_fit(res, y: np.ndarray) -> bool:
    """True when the fit reproduces the history to rounding (e.g. a constant series)."""
    scale = max(float(np.abs(y).max()), np.finfo(float).tiny)
    return float(res.sse) <= y.size * (1e3 * np.finfo(float).eps * scale) ** 2


def _converged(res) -> bool:
    """True when SLSQP reported success and the gradient vanishes at interior parameters."""
    info = getattr(res, "mle_retvals", None)
    if info is None or not getattr(info, "success", False):
        return False
    x = np.asarray(getattr(info, "x", []), dtype=float)
    jac = np.asarray(getattr(info, "jac", np.zeros_like(x)), dtype=float)
    if x.shape != jac.shape:
        return True
    interior = (x > 1e-3) & (x < 0.97)
    scale = max(1.0, abs(float(getattr(info, "fun", 1.0))))
    return bool(np.all(np.abs(jac[interior]) <= 1e-2 * scale))


def _forecast_values(
    y: np.ndarray,
    horizon: int,
    method: str,
    *,
    season_length: int,
    window: int,
    alpha: float | None,
    fast: bool = False,
) -> np.ndarray:
    if method == "naive":
        out = np.repeat(y[-1], horizon)
    elif method == "seasonal_naive":
        if y.size < season_length:
            raise ValueError(
                f"seasonal_naive needs one full season ({season_length} periods); "
                f"history has {y.size}. Use naive or a shorter season_length."
            )
        last = y[-season_length:]
        out = np.array([last[h % season_length] for h in range(horizon)])
    elif method == "moving_average":
        if y.size < window:
            raise ValueError(f"moving_average needs window={window} periods; got {y.size}.")
        out = np.repeat(y[-window:].mean(), horizon)
    elif method in _ES_SPECS or method in _ADJUSTED:
        res = _fit_es(y, method, season_length, alpha, fast)
        with warnings.catch_warnings():
            # statsmodels recomputes log(SSE) when forecasting: log(0) on a perfect fit
            warnings.simplefilter("ignore", RuntimeWarning)
            out = np.asarray(res.forecast(horizon))
    elif method in INTERMITTENT_METHODS:
        level, _ = croston_forecast(y, alpha if alpha is not None else 0.1, variant=method)
        out = np.repeat(level, horizon)
    elif method in OPTIMISED_INTERMITTENT_METHODS:
        out = np.repeat(optimised_intermittent_level(y, method, alpha), horizon)
    else:
        raise ValueError(
            f"unknown method {method!r}: choose one of {list(FORECAST_METHODS)} or 'auto'."
        )
    if not np.isfinite(out).all():
        raise ValueError(
            f"{method} gave a forecast that is not a finite number on demand up to "
            f"{y.max():.3g}: rescale the demand (e.g. to thousands of units) or use naive."
        )
    return np.clip(out, 0, None)


def forecast_series(
    history: pd.Series,
    horizon: int,
    method: str = "ses",
    *,
    season_length: int = 12,
    window: int = 3,
    alpha: float | None = None,
    initial_level: float | None = None,
) -> pd.Series:
    """Forecast one demand series ``horizon`` periods ahead with one method.

    Parameters
    ----------
    history : pandas.Series or array-like
        Demand per period :math:`y_1..y_T` (>= 0, no NaN), oldest first. A PeriodIndex or
        a regular DatetimeIndex is extended into the future.
    horizon : int
        :math:`H`, number of periods to forecast (>= 1).
    method : str
        One of :data:`FORECAST_METHODS` (see the module docstring) or ``"auto"``
        (:func:`select_method`).
    season_length : int
        :math:`m`, periods per season (12 for monthly data).
    window : int
        :math:`k`, moving-average window.
    alpha : float, optional
        :math:`\\alpha`, fixed smoothing constant (estimated by statsmodels when None;
        0.1 for Croston/SBA/TSB; optimised on [0.1, 0.3] for ADIDA/IMAPA).
    initial_level : float, optional
        SES only, with ``alpha``: the starting forecast :math:`F_1`, so that a hand-worked
        table :math:`F_{t+1} = F_t + \\alpha (A_t - F_t)` is reproduced exactly and the
        forecast is :math:`F_{T+1}` (as :func:`one_step_forecasts`). Without it a fixed
        ``alpha`` still lets statsmodels estimate the starting level.

    Returns
    -------
    pandas.Series
        Forecast per future period, named ``forecast`` (clipped at 0).

    Examples
    --------
    >>> forecast_series(pd.Series([10, 12, 13, 16]), 2, "moving_average").tolist()
    [13.666666666666666, 13.666666666666666]
    >>> forecast_series(pd.Series([5, 7, 9, 11]), 3, "seasonal_naive", season_length=2).tolist()
    [9.0, 11.0, 9.0]
    >>> forecast_series([99, 88, 50], 1, "ses", alpha=0.3, initial_level=99).round(1).tolist()
    [82.0]
    """
    y = check_history(history)
    horizon = check_whole_number(horizon, "horizon", hint="Pass the number of periods to forecast.")
    season_length = check_whole_number(
        season_length, "season_length", hint="Use 12 for monthly data."
    )
    window = check_whole_number(window, "window", hint="Use e.g. 3 for a 3-month moving average.")
    alpha = check_smoothing(alpha, "alpha")
    if method == "auto":
        method = select_method(y, season_length=season_length)["method"]
    if initial_level is not None:  # F_1 given: F_{t+1} = F_t + alpha (y_t - F_t)
        if method != "ses" or alpha is None:
            raise ValueError(
                f"initial_level is for method='ses' with a fixed alpha; got method={method!r}, "
                f"alpha={alpha!r}: pass e.g. method='ses', alpha=0.3, initial_level=y[0]."
            )
        level = check_number(initial_level, "initial_level", low=0)
        for value in y:
            level += alpha * (value - level)
        values = np.repeat(level, horizon)
    else:
        values = _forecast_values(
            y, horizon, method, season_length=season_length, window=window, alpha=alpha
        )
    return pd.Series(values, index=_future_index(history, horizon), name="forecast")


def _known_start_fit(y, method, alpha, beta, initial_level, initial_trend) -> np.ndarray:
    """One-step forecasts of SES / Holt with given parameters and starting values."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    holt = method == "holt"
    needed = {"alpha": alpha, "initial_level": initial_level}
    if holt:
        needed.update(beta=beta, initial_trend=initial_trend)
    elif initial_trend is not None:
        raise ValueError("initial_trend is for method='holt'; SES has no trend.")
    missing = [k for k, v in needed.items() if v is None]
    if missing:
        raise ValueError(
            f"a hand-worked {method} table needs {list(needed)}; missing {missing}: "
            "pass e.g. alpha=0.2, beta=0.4, initial_level=11, initial_trend=2."
        )
    model = ExponentialSmoothing(
        y,
        trend="add" if holt else None,
        initialization_method="known",
        initial_level=float(initial_level),
        initial_trend=float(initial_trend) if holt else None,
    )
    params = {"smoothing_level": alpha, "optimized": False}
    if holt:
        params["smoothing_trend"] = beta
    return np.asarray(model.fit(**params).fittedvalues, dtype=float)


def one_step_forecasts(
    history: pd.Series,
    method: str = "ses",
    *,
    season_length: int = 12,
    window: int = 3,
    alpha: float | None = None,
    initial_level: float | None = None,
    beta: float | None = None,
    initial_trend: float | None = None,
) -> pd.Series:
    """In-sample one-step-ahead forecasts :math:`F_t` made before each period is seen.

    Useful for textbook tables (moving average, exponential smoothing with a given
    :math:`\\alpha` and starting forecast, Holt with given :math:`\\alpha, \\beta` and
    starting level and trend) and for error measures on the history (error = forecast -
    actual, positive = over-forecast). Periods with no forecast yet (the first ``window``
    for a moving average) are NaN.

    With fixed parameters and starting values the smoothing is run by statsmodels
    (``initialization_method="known"``, ``optimized=False``):

    .. math:: \\ell_t = \\alpha y_t + (1-\\alpha)(\\ell_{t-1} + b_{t-1}), \\quad
              b_t = \\beta (\\ell_t - \\ell_{t-1}) + (1-\\beta) b_{t-1}, \\quad
              F_{t+1} = \\ell_t + b_t

    (SES: :math:`b \\equiv 0`, so :math:`F_{t+1} = F_t + \\alpha (y_t - F_t)`.)

    Parameters
    ----------
    history : pandas.Series or array-like
        Demand per period (>= 0).
    method : {"naive", "seasonal_naive", "moving_average", "ses", "holt", "holt_damped",
        "ses_seasonal", "holt_winters", "ses_adjusted", "holt_damped_adjusted", "croston",
        "sba", "tsb"}
    alpha : float, optional
        :math:`\\alpha`; with ``initial_level`` reproduces hand-worked SES tables
        :math:`F_{t+1} = F_t + \\alpha (A_t - F_t)` exactly.
    initial_level : float, optional
        :math:`F_1` (SES) or :math:`\\ell_0` (Holt), the starting level.
    beta : float, optional
        :math:`\\beta`, trend smoothing constant (Holt with ``initial_trend``).
    initial_trend : float, optional
        :math:`b_0`, the starting trend (Holt only; with ``initial_level``, ``alpha`` and
        ``beta`` reproduces hand-worked trend-adjusted tables, where
        :math:`FIT_1 = \\ell_0 + b_0`).

    Examples
    --------
    Heizer & Render, *Operations Management*, Ch. 4, Port of Baltimore (alpha = 0.10,
    starting forecast 175):

    >>> tons = [180, 168, 159, 175, 190, 205, 180, 182]
    >>> one_step_forecasts(tons, "ses", alpha=0.1, initial_level=175).round(2).tolist()[:3]
    [175.0, 175.5, 174.75]

    Heizer & Render, Ch. 4, Example 7 (trend-adjusted smoothing, alpha = 0.2, beta = 0.4,
    F1 = 11, T1 = 2): FIT = 13, 14.72, 17.28 for months 1-3.

    >>> fit = one_step_forecasts([12, 17, 20], "holt", alpha=0.2, beta=0.4,
    ...                          initial_level=11, initial_trend=2)
    >>> fit.round(2).tolist()
    [13.0, 14.72, 17.28]
    """
    y = check_history(history)
    alpha = check_smoothing(alpha, "alpha")
    beta = check_smoothing(beta, "beta")
    index = history.index if isinstance(history, pd.Series) else pd.RangeIndex(y.size)
    s = pd.Series(y, index=index)
    if method == "naive":
        fitted = s.shift(1)
    elif method == "seasonal_naive":
        fitted = s.shift(season_length)
    elif method == "moving_average":
        fitted = s.rolling(window).mean().shift(1)
    elif method in INTERMITTENT_METHODS:
        fitted = pd.Series(
            croston_forecast(y, alpha if alpha is not None else 0.1, variant=method)[1],
            index=index,
        )
    elif method in ("ses", "holt") and (initial_level is not None or initial_trend is not None):
        fitted = pd.Series(
            _known_start_fit(y, method, alpha, beta, initial_level, initial_trend), index=index
        )
    elif method in _ES_SPECS or method in _ADJUSTED:
        res = _fit_es(y, method, season_length, alpha, fast=False)
        fitted = pd.Series(np.asarray(res.fittedvalues), index=index)
    else:
        raise ValueError(f"unknown method {method!r}: choose one of {list(FORECAST_METHODS)}.")
    return fitted.rename("forecast")


# --------------------------------------------------------------------------- selection
@dataclass(frozen=True, eq=False)
class MethodChoice(Result):
    """The forecasting method :func:`select_method` chose for one series, and why.

    Reads like the dict it replaces: ``choice["method"]`` is ``choice.method``.

    Attributes
    ----------
    method : str
        The chosen method, one of :data:`FORECAST_METHODS`.
    demand_class : str
        The series' Syntetos-Boylan-Croston class (:func:`classify_demand`).
    scores : dict
        Criterion value per candidate (AICc, or rolling-origin MAE; lower is better);
        empty when a rule chose the method without fitting (intermittent, short or
        one-season series).
    """

    method: str
    demand_class: str
    scores: dict[str, float]


def select_method(
    history,
    *,
    season_length: int = 12,
    criterion: str = "aicc",
    candidates: Sequence[str] | None = None,
    horizon: int = 3,
    n_origins: int = 6,
    fast: bool = True,
) -> MethodChoice:
    """Choose a forecasting method for one series by a stated criterion.

    Rule: intermittent or lumpy series (ADI >= 1.32) get ``"sba"``; series shorter than 4
    periods get ``"naive"``. Otherwise, with ``criterion="aicc"`` (the default):

    1. **Seasonal or not, by the length of the history.** A series with at least two full
       seasons (:math:`T \\ge 2m`, ``season_length >= 2``) is treated as seasonal: the
       candidates are ``ses_adjusted`` and ``holt_damped_adjusted`` (exponential smoothing
       of the classically seasonally adjusted series, re-seasonalised). With one full
       season but not two (:math:`m \\le T < 2m`, e.g. a product launched 12-23 months
       ago) the seasonal indices cannot be estimated apart from the level and the choice
       is ``seasonal_naive`` (same month last year; nothing is fitted, ``scores`` is
       empty). A series shorter than one season gets the non-seasonal ``ses`` or
       ``holt_damped``. Pass ``season_length=1`` for data without a seasonal cycle.
    2. **AICc only between fits of the same observations.** Among those two candidates the
       lowest corrected Akaike information criterion of the statsmodels fit wins
       (:math:`AICc = AIC + \\text{penalty}(k, T)`); both are fitted on the same series
       (the adjusted one, or the raw one) with the same number of initial states, so their
       likelihoods are comparable. Explicit ``candidates`` must all belong to one group
       (raw: ses, holt, holt_damped, ses_seasonal, holt_winters; or adjusted).

    Why not AICc between seasonal and non-seasonal models on the raw history: AICc
    scores one-step-ahead fit. On a noisy seasonal series SES with a high :math:`\\alpha`
    follows the season one month late and fits one step ahead about as well as a
    Holt-Winters model that pays for 12 seasonal states, so AICc picked SES for a third of
    the Tallridge bicycle series; its flat forecast then carried the spring level into
    the autumn (S&OP forecasts 1-18 months ahead, where the season matters most).

    ``criterion="backtest"``: lowest rolling-origin MAE (error = forecast - actual, so the
    sign does not matter for the MAE) over ``n_origins`` origins and ``horizon`` steps
    (:func:`rolling_origin_backtest`), among ``candidates`` (default: the same as for
    AICc plus the benchmarks naive and, with two full seasons, seasonal_naive).

    With ``fast=True`` (the default) the statsmodels fits use heuristic start values
    and no brute-force search, which makes selection over 1,000 series several times
    quicker; ``fast=False`` estimates the initial states too.

    A fit that reproduces the history exactly (a constant series) scores ``-inf``, the
    best possible; when the AICc is undefined for every candidate (``inf``: too few
    periods for the parameters, e.g. 4 or 5) the first, simplest candidate is chosen.

    Returns
    -------
    MethodChoice
        ``method``, ``demand_class`` and ``scores`` (criterion value per candidate), as
        attributes or keys (``choice.method`` or ``choice["method"]``).

    Examples
    --------
    >>> select_method([0, 0, 4, 0, 0, 0, 5, 0, 0, 3, 0, 0])["method"]
    'sba'
    >>> spring = [60, 70, 100, 130, 140, 130, 110, 100, 90, 80, 60, 70] * 3
    >>> sorted(select_method(spring)["scores"])
    ['holt_damped_adjusted', 'ses_adjusted']
    >>> select_method(spring[:20])["method"]
    'seasonal_naive'
    >>> select_method(spring[:10])["method"] in ("ses", "holt_damped")
    True
    """
    y = check_history(history)
    if criterion not in ("aicc", "backtest"):
        raise ValueError(f"criterion must be 'aicc' or 'backtest'; got {criterion!r}.")
    season_length = check_whole_number(
        season_length, "season_length", hint="Use 12 for monthly data."
    )
    choice, _ = _choose(y, season_length, criterion, candidates, horizon, n_origins, fast)
    return choice


def _choose(y, season_length, criterion, candidates, horizon, n_origins, fast):
    """The choice of :func:`select_method` and the fit of the chosen method (or None)."""
    demand_class = classify_demand(y)
    by_rule = _method_by_rule(y, demand_class, season_length, criterion, candidates)
    if by_rule is not None:
        return MethodChoice(by_rule, demand_class, {}), None
    candidates = _candidates(y, season_length, criterion, candidates)
    scores, fits = {}, {}
    for name in candidates:
        if criterion == "aicc":
            fits[name] = _fit_es(y, name, season_length, None, fast)
            # a perfect fit (a constant series) has log(SSE) = -inf: the best possible
            # score; ties go to the first (simpler) candidate
            perfect = _perfect_fit(fits[name], y)
            scores[name] = -np.inf if perfect else float(fits[name].aicc)
        else:
            bt = rolling_origin_backtest(
                y, name, horizon=horizon, n_origins=n_origins, season_length=season_length
            )
            scores[name] = float(bt["error"].abs().mean())
    # -inf (a perfect fit) is a valid best score; +inf / NaN (AICc undefined: fewer periods
    # than the model needs) rank no candidate, and then the first, simplest one is chosen
    ranked = {k: v for k, v in scores.items() if v < np.inf}
    best = min(ranked, key=ranked.get) if ranked else candidates[0]
    return MethodChoice(best, demand_class, scores), fits.get(best)


def _method_by_rule(y, demand_class, season_length, criterion, candidates) -> str | None:
    """The method the rules fix without fitting anything (None: compare candidates)."""
    if demand_class in ("intermittent", "lumpy"):
        return "sba"
    if demand_class == "no demand" or y.size < 4:
        return "naive"
    one_season = season_length >= 2 and season_length <= y.size < 2 * season_length
    if candidates is None and criterion == "aicc" and one_season:
        return "seasonal_naive"
    return None


def _candidates(y, season_length, criterion, candidates) -> list[str]:
    """The candidates to score: the default set, or the given ones checked for AICc."""
    seasonal = season_length >= 2 and y.size >= 2 * season_length
    if candidates is None:
        candidates = (
            ["ses_adjusted", "holt_damped_adjusted"] if seasonal else ["ses", "holt_damped"]
        )
        if criterion == "backtest":
            candidates += ["seasonal_naive", "naive"] if seasonal else ["naive"]
    candidates = list(candidates)
    if criterion == "aicc":
        unknown = [c for c in candidates if c not in _ES_SPECS and c not in _ADJUSTED]
        if unknown:
            raise ValueError(f"AICc needs exponential smoothing candidates; got {unknown!r}.")
        groups = {c in _ADJUSTED for c in candidates}
        if len(groups) > 1:
            raise ValueError(
                f"candidates {candidates} mix models of the raw and of the seasonally adjusted "
                "series: their AICc values are not comparable. Compare within one group, or "
                "use criterion='backtest'."
            )
    return candidates


def rolling_origin_backtest(
    history,
    method: str = "ses",
    *,
    horizon: int = 3,
    n_origins: int = 6,
    season_length: int = 12,
    window: int = 3,
    alpha: float | None = None,
) -> pd.DataFrame:
    """Rolling-origin (time-series cross-validation) backtest of one method.

    For each origin :math:`T_o` among the last ``n_origins`` possible ones, fit on
    :math:`y_1..y_{T_o}` only, forecast ``horizon`` steps and compare with the actuals
    (Hyndman & Athanasopoulos, FPP3, Section 5.10). Error convention: **error = forecast
    - actual** (positive = over-forecast).

    Returns
    -------
    DataFrame
        Tidy: ``origin`` (position of the last period used), ``step`` (1..H), ``period``
        (the history's index label), ``actual``, ``forecast``, ``error``.

    Examples
    --------
    >>> bt = rolling_origin_backtest([10, 12, 14, 16, 18, 20], "naive", horizon=1, n_origins=2)
    >>> bt[["origin", "actual", "forecast", "error"]].to_dict("list")
    {'origin': [3, 4], 'actual': [18.0, 20.0], 'forecast': [16.0, 18.0], 'error': [-2.0, -2.0]}
    """
    y = check_history(history)
    horizon = check_whole_number(horizon, "horizon", hint="Use e.g. 3 for a 3-month backtest.")
    n_origins = check_whole_number(n_origins, "n_origins", hint="Use e.g. 6 origins.")
    index = history.index if isinstance(history, pd.Series) else pd.RangeIndex(y.size)
    last_origin = y.size - 1 - horizon  # the last origin with a full horizon of actuals
    first_origin = last_origin - n_origins + 1
    if first_origin < 1:
        raise ValueError(
            f"history of {y.size} periods is too short for {n_origins} origins x {horizon} "
            "steps: use fewer origins or a shorter horizon."
        )
    rows = []
    for origin in range(first_origin, last_origin + 1):
        train = y[: origin + 1]
        fc = _forecast_values(
            train,
            horizon,
            method,
            season_length=season_length,
            window=window,
            alpha=alpha,
            fast=True,
        )
        for step in range(1, horizon + 1):
            actual = y[origin + step]
            rows.append(
                {
                    "origin": origin,
                    "step": step,
                    "period": index[origin + step],
                    "actual": actual,
                    "forecast": float(fc[step - 1]),
                    "error": float(fc[step - 1] - actual),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- many series
def _forecast_one(args):
    key, y, horizon, method, season_length, criterion = args
    rows = np.flatnonzero(~np.isnan(y))
    # start at the series' first row (first month on sale): the months before it are not
    # demand; a zero row after it is (a spare part's quiet months count)
    y = np.nan_to_num(y[rows[0] :]) if rows.size else np.zeros(0)
    if not (y > 0).any():
        return key, np.zeros(horizon), "zero", "no demand"
    if method == "auto":
        choice, fit = _choose(y, season_length, criterion, None, 3, 6, True)
        chosen, demand_class = choice.method, choice.demand_class
        if fit is not None:  # reuse the fit the criterion already made
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # log(SSE = 0), as above
                values = np.clip(np.asarray(fit.forecast(horizon)), 0, None)
            return key, values, chosen, demand_class
    else:
        chosen, demand_class = method, classify_demand(y)
    try:
        values = _forecast_values(
            y, horizon, chosen, season_length=season_length, window=3, alpha=None, fast=True
        )
    except ValueError:  # too short for the chosen method: fall back to the naive forecast
        chosen = "naive"
        values = _forecast_values(
            y, horizon, chosen, season_length=season_length, window=3, alpha=None
        )
    return key, values, chosen, demand_class


def forecast_all(
    sales: pd.DataFrame,
    key: str | Sequence[str],
    horizon: int = 18,
    method: str = "auto",
    *,
    date: str = "month",
    value: str = "ordered_units",
    season_length: int = 12,
    criterion: str = "aicc",
    n_jobs: int = 1,
    client=None,
) -> pd.DataFrame:
    """Forecast every series of a tidy sales table in one call.

    Each series (one per combination of the ``key`` columns) is aggregated by ``date``,
    starts at its first row (the first month on sale: a product launched later has no
    rows before its launch), has 0 for missing periods after that, and is forecast with
    ``method`` (``"auto"``: :func:`select_method` with ``criterion``). Zero rows count as
    months without demand, so give a spare part a row for every month on sale.
    Trailing zeros are kept: a discontinued product looks intermittent, so filter
    discontinued items out first if they should get no forecast. Forecast errors of the
    course are error = forecast - actual (positive = over-forecast).

    Parameters
    ----------
    sales : DataFrame
        Tidy history: the key columns, a ``date`` column (datetime or period) and a
        ``value`` column (demand, >= 0).
    key : str or list of str
        Series identifier(s), e.g. ``["sku", "region"]``.
    horizon : int
        :math:`H` periods to forecast.
    method : str
        ``"auto"`` or one of :data:`FORECAST_METHODS`.
    date, value : str
        Names of the period and demand columns (Tallridge: ``month`` and
        ``ordered_units``, the unconstrained demand; shipped units understate demand
        when supply was short).
    n_jobs : int
        Worker processes on this machine (1 = no parallelism).
    client : distributed.Client or str, optional
        A Dask client or scheduler address: the series are forecast on its workers (each
        needs ``pip install 'sopcourse[dask]'``); the result is the same as here.

    Returns
    -------
    DataFrame
        Tidy: the key columns, ``date``, ``forecast``, ``method``, ``demand_class``.

    Examples
    --------
    >>> months = pd.date_range("2023-01-01", periods=8, freq="MS")
    >>> sales = pd.DataFrame({"sku": ["A"] * 8 + ["B"] * 8, "month": list(months) * 2,
    ...                       "units": [5, 6, 5, 6, 5, 6, 5, 6] + [0, 0, 3, 0, 0, 0, 4, 0]})
    >>> fc = forecast_all(sales, key="sku", horizon=2, value="units")
    >>> fc.groupby("sku")["method"].first().to_dict()
    {'A': 'ses', 'B': 'sba'}
    >>> fc["month"].max()
    Timestamp('2023-10-01 00:00:00')
    """
    keys = [key] if isinstance(key, str) else list(key)
    require_columns(sales, [*keys, date, value], "sales")
    horizon = check_whole_number(horizon, "horizon", hint="Pass the number of periods to forecast.")
    if method != "auto" and method not in FORECAST_METHODS:
        raise ValueError(f"unknown method {method!r}: choose 'auto' or {list(FORECAST_METHODS)}.")
    check_history(sales[value], f"sales[{value!r}]")
    wide = sales.pivot_table(index=keys, columns=date, values=value, aggfunc="sum")
    periods = wide.columns
    if isinstance(periods, pd.PeriodIndex):
        future = pd.period_range(periods[-1] + 1, periods=horizon, freq=periods.freq)
    else:
        periods = pd.DatetimeIndex(periods)
        freq = pd.DatetimeIndex(periods, freq="infer").freq if len(periods) >= 3 else None
        if freq is None:
            raise ValueError(
                f"cannot infer a regular frequency from the {date!r} column: make sure it "
                "holds one date per period (e.g. month starts) with no gaps across all series."
            )
        future = pd.date_range(periods[-1], periods=horizon + 1, freq=freq)[1:]
    tasks = [
        (k, row.astype(float), horizon, method, season_length, criterion)
        for k, row in zip(wide.index, wide.to_numpy(), strict=True)
    ]
    results = map_tasks(_forecast_one, tasks, n_jobs=n_jobs, client=client)
    n = len(results)
    key_values = [r[0] if isinstance(r[0], tuple) else (r[0],) for r in results]
    out = {k: np.repeat([kv[i] for kv in key_values], horizon) for i, k in enumerate(keys)}
    out[date] = np.tile(np.asarray(future), n)
    out["forecast"] = np.concatenate([r[1] for r in results])
    out["method"] = np.repeat([r[2] for r in results], horizon)
    out["demand_class"] = np.repeat([r[3] for r in results], horizon)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- chart
def plot_forecast(history: pd.Series, forecasts: dict, *, ylabel: str = "units", ax=None):
    """Plot a history and one or more forecasts (a dict of label -> Series).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> h = pd.Series([3.0, 4, 5])
    >>> ax = plot_forecast(h, {"naive": forecast_series(h, 2, "naive")})
    >>> len(ax.lines)
    2
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()

    def _x(index):
        return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index

    ax.plot(_x(history.index), history.to_numpy(), color="black", label="actual")
    for label, fc in forecasts.items():
        ax.plot(_x(fc.index), fc.to_numpy(), linestyle="--", label=label)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("period")
    ax.legend()
    return ax
