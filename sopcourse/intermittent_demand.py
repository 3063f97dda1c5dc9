"""Intermittent demand: the Syntetos-Boylan-Croston classification and Croston's methods.

A spare part sells in a few months and not at all in the others. Whether a series is
*intermittent* is measured by two numbers (Syntetos, Boylan & Croston, *JORS* 56, 2005):
the average inter-demand interval (ADI) and the squared coefficient of variation of the
non-zero demand sizes (CV²); :func:`classify_demand` turns them into "smooth",
"erratic", "intermittent" or "lumpy". Intermittent and lumpy series are forecast with
Croston's method or its corrections, SBA and TSB (:func:`croston_forecast`), which
smooth demand sizes and intervals separately; :func:`croston_optimized_forecast` chooses
their smoothing constants on the history. :func:`adida_forecast` (Nikolopoulos et al.,
2011) and :func:`imapa_forecast` (Petropoulos & Kourentzes, 2015) forecast temporally
aggregated demand instead; all three follow Nixtla statsforecast's definitions.
:mod:`sopcourse.forecasting` offers them as the methods ``croston``, ``sba``, ``tsb``,
``croston_optimized``, ``adida`` and ``imapa`` and uses the classification to choose a
method (``method="auto"``: SBA for intermittent and lumpy series).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers

__all__ = [
    "ADI_CUTOFF",
    "CV2_CUTOFF",
    "classify_demand",
    "demand_profile",
    "croston_forecast",
    "croston_optimized_forecast",
    "adida_forecast",
    "imapa_forecast",
]

INTERMITTENT_METHODS = ("croston", "sba", "tsb")
#: starting values accepted by :func:`croston_forecast` (``init=``)
CROSTON_INITS = ("mean", "naive", "tsintermittent", "statsforecast")
#: methods with smoothing constants chosen on the history (statsforecast's definitions)
OPTIMISED_INTERMITTENT_METHODS = ("croston_optimized", "adida", "imapa")
#: statsforecast's search range for an optimised SES smoothing constant
SES_ALPHA_BOUNDS = (0.1, 0.3)
#: Syntetos, Boylan & Croston (2005) cut-off for the average inter-demand interval.
ADI_CUTOFF = 1.32
#: Syntetos, Boylan & Croston (2005) cut-off for the squared CV of demand sizes.
CV2_CUTOFF = 0.49


def check_history(history, name: str = "history") -> np.ndarray:
    """Demand per period as a float array: numbers, at least one, no NaN, none negative."""
    return check_numbers(history, name, low=0)


def check_smoothing(value, name: str) -> float | None:
    """A smoothing constant in (0, 1], or None (estimated)."""
    if value is None:
        return None
    return check_number(value, name, low=0, high=1, low_open=True, hint="Typical values: 0.1-0.3.")


# --------------------------------------------------------------------------- classification
def demand_profile(history) -> pd.Series:
    """ADI and CV² of a demand series (Syntetos, Boylan & Croston, 2005).

    .. math:: ADI = \\frac{T}{\\#\\{t: y_t > 0\\}}, \\qquad
              CV^2 = \\left(\\frac{\\sigma(z)}{\\mu(z)}\\right)^2

    where :math:`T` is the number of periods and :math:`z` are the non-zero demand sizes
    (population standard deviation, ddof = 0).

    Examples
    --------
    >>> demand_profile([0, 2, 0, 2, 0, 2]).round(2).tolist()
    [2.0, 0.0, 3.0]
    """
    y = check_history(history)
    sizes = y[y > 0]
    if sizes.size == 0:
        return pd.Series({"adi": np.inf, "cv2": np.nan, "nonzero_periods": 0.0})
    cv2 = (sizes.std() / sizes.mean()) ** 2
    return pd.Series({"adi": y.size / sizes.size, "cv2": cv2, "nonzero_periods": sizes.size})


def classify_demand(history, adi_cutoff: float = ADI_CUTOFF, cv2_cutoff: float = CV2_CUTOFF):
    """Syntetos-Boylan-Croston class: "smooth", "erratic", "intermittent" or "lumpy".

    ADI < 1.32 and CV² < 0.49: smooth; ADI < 1.32, CV² >= 0.49: erratic;
    ADI >= 1.32, CV² < 0.49: intermittent; both at or above: lumpy (Syntetos, Boylan &
    Croston, *JORS* 56, 2005). A series without any demand is "no demand".

    Examples
    --------
    >>> classify_demand([5, 6, 5, 6, 5, 6])
    'smooth'
    >>> classify_demand([0, 0, 3, 0, 0, 3, 0, 4])
    'intermittent'
    """
    prof = demand_profile(history)
    if prof["nonzero_periods"] == 0:
        return "no demand"
    high_adi = prof["adi"] >= adi_cutoff
    high_cv2 = prof["cv2"] >= cv2_cutoff
    return {
        (False, False): "smooth",
        (False, True): "erratic",
        (True, False): "intermittent",
        (True, True): "lumpy",
    }[(bool(high_adi), bool(high_cv2))]


# --------------------------------------------------------------------------- Croston, SBA, TSB
def croston_forecast(
    history,
    alpha: float = 0.1,
    *,
    variant: str = "croston",
    beta: float | None = None,
    init: str = "mean",
) -> tuple[float, np.ndarray]:
    """Croston, SBA or TSB forecast for intermittent demand (flat over the horizon).

    Croston (1972) smooths the non-zero demand sizes :math:`z` and the intervals between
    them :math:`p` separately, updating only in periods with demand:

    .. math:: z_j = z_{j-1} + \\alpha (y_t - z_{j-1}), \\quad
              p_j = p_{j-1} + \\alpha (q_t - p_{j-1}), \\quad F = z / p

    SBA (Syntetos & Boylan, 2005, *IJF* 21) removes Croston's upward bias:
    :math:`F = (1 - \\alpha/2)\\, z / p`. TSB (Teunter, Syntetos & Babai, 2011) smooths
    the demand probability :math:`d` every period, :math:`d_t = d_{t-1} + \\beta
    (1[y_t>0] - d_{t-1})`, and forecasts :math:`F = d\\, z`.

    Initialisation (as ``crost`` in Kourentzes' R package *tsintermittent*):
    :math:`z_0` = the first non-zero demand; :math:`p_0` = the mean of all in-sample
    intervals (``init="mean"``, the default) or the first interval, i.e. the period
    number of the first demand, 1-based (``init="naive"``, Croston's own choice); and
    :math:`d_0 = 1/p_0`. With few demands the naive start dominates for a long time:
    a part whose first order came in its first month starts from :math:`p_0 = 1`.

    Two more starts reproduce the reference implementations exactly:

    * ``init="tsintermittent"``: as R *tsintermittent* with its default ``init="mean"``.
      Croston/SBA: the same as ``"mean"``. TSB (``tsb``): :math:`z_0` = the first
      non-zero demand, :math:`d_0` = the share of periods with demand,
      :math:`\\frac{1}{T}\\sum_t 1[y_t>0]`, set at period 1 and updated from period 2.
    * ``init="statsforecast"``: as Nixtla *statsforecast* (``CrostonClassic``,
      ``CrostonSBA``, ``TSB``), whose SES starts each smoothed series at its first value.
      Croston/SBA: the same as ``"naive"``. TSB: :math:`d_0 = 1[y_1>0]` set at period 1
      (R's ``tsb(init="naive")``), :math:`z_0` = the first non-zero demand.

    With ``"mean"`` and ``"naive"`` TSB starts at the first demand with
    :math:`d_0 = 1/p_0`. The in-sample forecasts are NaN up to and including the first
    demand for every start (tsintermittent's TSB fills them with :math:`d\\,z_0`,
    statsforecast's with 0).

    Parameters
    ----------
    history : array-like
        Demand per period :math:`y_t` (>= 0, at least one non-zero).
    alpha : float
        :math:`\\alpha`, smoothing constant for sizes (and intervals), in (0, 1].
    variant : {"croston", "sba", "tsb"}
    beta : float, optional
        :math:`\\beta`, TSB's smoothing constant for the probability (default ``alpha``).
    init : {"mean", "naive", "tsintermittent", "statsforecast"}
        Starting values (see above); ``"mean"`` (the default) is the mean in-sample
        interval, ``"naive"`` the first interval.

    Returns
    -------
    (float, numpy.ndarray)
        The forecast per period after the last observation, and the one-step-ahead
        forecasts made before each period (NaN before the first demand).

    Examples
    --------
    >>> f, _ = croston_forecast([0, 0, 6, 0, 4], alpha=0.5, init="naive")
    >>> round(f, 4)  # z0 = 6, p0 = 3; then z = 5, p = 2.5 -> 2
    2.0
    >>> round(croston_forecast([0, 0, 6, 0, 4], alpha=0.5, variant="sba", init="naive")[0], 4)
    1.5
    >>> round(croston_forecast([0, 0, 6, 0, 4], alpha=0.5)[0], 4)  # p0 = (3 + 2) / 2 = 2.5
    2.2222
    """
    y = check_history(history)
    alpha = check_smoothing(alpha, "alpha")
    beta = check_smoothing(beta, "beta") if beta is not None else alpha
    if variant not in INTERMITTENT_METHODS:
        raise ValueError(f"variant must be one of {INTERMITTENT_METHODS}; got {variant!r}.")
    nonzero = np.flatnonzero(y > 0)
    if nonzero.size == 0:
        raise ValueError(
            "history has no demand at all: Croston needs at least one non-zero demand to "
            "estimate a demand size. Forecast 0 (method='naive'), or check that the demand "
            "column and the item are the right ones."
        )
    if init not in CROSTON_INITS:
        raise ValueError(
            f"init must be one of {CROSTON_INITS}; got {init!r}. Use 'mean' (the default), "
            "'tsintermittent' or 'statsforecast' to start as that package does."
        )
    first = int(nonzero[0])
    if variant == "tsb" and init in ("tsintermittent", "statsforecast"):
        d0 = float((y > 0).mean()) if init == "tsintermittent" else float(y[0] > 0)
        return _tsb_from_period_one(y, alpha, beta, d0, first)
    if init == "tsintermittent":
        init = "mean"
    elif init == "statsforecast":
        init = "naive"
    intervals = np.diff(nonzero + 1, prepend=0)  # first one: periods up to the first demand
    z, p = y[first], float(intervals.mean() if init == "mean" else first + 1)
    d = 1.0 / p
    q = 0  # periods since the last demand
    fitted = np.full(y.size, np.nan)
    factor = 1 - alpha / 2 if variant == "sba" else 1.0
    for t in range(first + 1, y.size):
        fitted[t] = d * z if variant == "tsb" else factor * z / p
        q += 1
        if y[t] > 0:
            z += alpha * (y[t] - z)
            if variant == "tsb":
                d += beta * (1 - d)
            else:
                p += alpha * (q - p)
            q = 0
        elif variant == "tsb":
            d += beta * (0 - d)
    forecast = d * z if variant == "tsb" else factor * z / p
    return float(forecast), fitted


def _tsb_from_period_one(y, alpha, beta, d0, first) -> tuple[float, np.ndarray]:
    """TSB as R tsintermittent's ``tsb`` and statsforecast's ``TSB``: states set at period 1.

    Transcribes ``tsb`` (Kourentzes, tsintermittent, R/tsb.R): ``pfit[1] = d0``,
    ``zfit[1] = z[1]`` (the first non-zero demand), then for every later period the
    probability is smoothed and the size only where there is demand.
    """
    z, d = float(y[first]), d0
    fitted = np.full(y.size, np.nan)
    for t in range(1, y.size):
        if t > first:
            fitted[t] = d * z
        d += beta * (float(y[t] > 0) - d)
        if y[t] > 0:
            z += alpha * (y[t] - z)
    return float(d * z), fitted


# --------------------------------------------------------------------------- SES, ADIDA, IMAPA
def _ses_sse(alpha: float, x: np.ndarray) -> float:
    """Sum of squared one-step errors of SES started at the first value (statsforecast)."""
    forecast, sse = x[0], 0.0
    for i in range(1, x.size):
        forecast = alpha * x[i - 1] + (1 - alpha) * forecast
        sse += (x[i] - forecast) ** 2
    return float(sse)


def _ses_next(x: np.ndarray, alpha: float) -> float:
    """The SES forecast after the last value, the level started at :math:`x_1`."""
    level = x[0]
    for value in x[1:]:
        level += alpha * (value - level)
    return float(level)


def _optimized_ses(x: np.ndarray, alpha: float | None = None) -> tuple[float, float]:
    """(SES forecast, alpha); alpha minimises the SSE on [0.1, 0.3] when not given.

    The search is statsforecast's ``_optimized_ses_forecast``: SciPy's bounded Brent
    minimiser (``minimize_scalar(bounds=(0.1, 0.3))``, default tolerance 1e-5).
    """
    if alpha is None:
        from scipy.optimize import minimize_scalar

        alpha = float(
            minimize_scalar(_ses_sse, bounds=SES_ALPHA_BOUNDS, args=(x,), method="bounded").x
        )
    return _ses_next(x, alpha), alpha


def _demand_intervals(y: np.ndarray, name: str) -> np.ndarray:
    """Intervals between demands (the first: periods up to the first demand), or an error."""
    nonzero = np.flatnonzero(y > 0)
    if nonzero.size == 0:
        raise ValueError(
            f"history has no demand at all: {name} needs at least one non-zero demand. "
            "Forecast 0 (method='naive'), or check that the demand column and the item "
            "are the right ones."
        )
    return np.diff(nonzero + 1, prepend=0).astype(float)


def _bucket_forecast(y: np.ndarray, level: int, alpha: float | None) -> float:
    """SES forecast of the sums of non-overlapping buckets of ``level`` periods, per period.

    Buckets end at the last period; the oldest ``T mod level`` periods that do not fill
    a bucket are dropped (statsforecast's ``_chunk_forecast``).
    """
    sums = y[y.size % level :].reshape(-1, level).sum(axis=1)
    return _optimized_ses(sums, alpha)[0] / level


def _check_level(value, name: str, y: np.ndarray) -> int:
    level = check_number(value, name, low=1, high=y.size, hint="Use e.g. the mean interval.")
    if level != int(level):
        raise ValueError(f"{name} must be a whole number of periods; got {value!r}.")
    return int(level)


def _aggregation_level(y: np.ndarray, given, argument: str, method: str) -> int:
    """The bucket size given as ``argument`` (checked), else the mean interval; an error
    for a series without demand either way."""
    if given is None:
        return _mean_interval_level(y, method)
    _demand_intervals(y, method)
    return _check_level(given, argument, y)


def _mean_interval_level(y: np.ndarray, name: str) -> int:
    """The mean inter-demand interval rounded half to even (Python ``round``), at least 1."""
    return max(1, round(float(_demand_intervals(y, name).mean())))


def adida_forecast(history, aggregation_level=None, *, alpha: float | None = None) -> float:
    """ADIDA forecast per period: aggregate, smooth, disaggregate (flat over the horizon).

    The aggregate-disaggregate intermittent demand approach (Nikolopoulos, Syntetos,
    Boylan, Petropoulos & Assimakopoulos, *JORS* 62, 2011) sums the demand into
    non-overlapping buckets of :math:`k` periods, where intermittency mostly disappears,
    forecasts the bucket sums :math:`Y_j` with SES and shares the forecast equally:

    .. math:: Y_j = \\sum_{t=T-jk+1}^{T-(j-1)k} y_t, \\qquad
              F = \\frac{\\hat Y_{next}}{k}, \\qquad
              k = \\mathrm{round}(\\bar p)

    As Nixtla statsforecast's ``ADIDA`` (read from its source, ``_adida``): :math:`\\bar p`
    is the mean interval between demands (the first one counted from the start, trailing
    zeros not counted), rounded half to even; buckets end at the last period and the
    oldest :math:`T \\bmod k` periods are dropped; SES starts at the first bucket sum and
    its :math:`\\alpha` minimises the in-sample sum of squared one-step errors on
    [0.1, 0.3] (bounded Brent search).

    Parameters
    ----------
    history : array-like
        Demand per period :math:`y_t` (>= 0, at least one non-zero).
    aggregation_level : int, optional
        :math:`k`, periods per bucket (default: the rounded mean interval).
    alpha : float, optional
        Fixed :math:`\\alpha` for the SES of the bucket sums (default: optimised).

    Returns
    -------
    float
        The forecast per period (the same for every future period).

    Examples
    --------
    >>> # mean interval (3 + 3 + 2) / 3 -> k = 3; buckets [0, 0, 3], [0, 0, 3], [0, 3, 0]
    >>> round(adida_forecast([0, 0, 3, 0, 0, 3, 0, 3, 0], alpha=0.5), 4)
    1.0
    """
    y = check_history(history)
    alpha = check_smoothing(alpha, "alpha")
    level = _aggregation_level(y, aggregation_level, "aggregation_level", "ADIDA")
    return _bucket_forecast(y, level, alpha)


def imapa_forecast(history, max_level=None, *, alpha: float | None = None) -> float:
    """IMAPA forecast per period: the mean of ADIDA over aggregation levels 1..K.

    The intermittent multiple aggregation prediction algorithm (Petropoulos & Kourentzes,
    *JORS* 66, 2015) combines the ADIDA forecasts of every aggregation level
    :math:`k = 1, \\dots, K` (:func:`adida_forecast`) with equal weights:

    .. math:: F = \\frac{1}{K} \\sum_{k=1}^{K} \\frac{\\hat Y^{(k)}_{next}}{k},
              \\qquad K = \\mathrm{round}(\\bar p)

    As Nixtla statsforecast's ``IMAPA`` (``_imapa``): :math:`K` is the rounded mean
    inter-demand interval and each level uses SES with :math:`\\alpha` optimised on
    [0.1, 0.3], the combination is the mean. (Petropoulos & Kourentzes also select
    Croston / SBA / SES per level; statsforecast, and this function, use SES throughout.)

    Parameters
    ----------
    history : array-like
        Demand per period :math:`y_t` (>= 0, at least one non-zero).
    max_level : int, optional
        :math:`K`, the highest aggregation level (default: the rounded mean interval).
    alpha : float, optional
        Fixed :math:`\\alpha` for every level (default: optimised per level).

    Examples
    --------
    >>> # level 1: SES (alpha 1) of y gives 2; level 2: drop y_1, buckets [0, 2], [0, 2] -> 2 / 2
    >>> round(imapa_forecast([2, 0, 2, 0, 2], max_level=2, alpha=1.0), 4)
    1.5
    """
    y = check_history(history)
    alpha = check_smoothing(alpha, "alpha")
    top = _aggregation_level(y, max_level, "max_level", "IMAPA")
    return float(np.mean([_bucket_forecast(y, k, alpha) for k in range(1, top + 1)]))


def croston_optimized_forecast(history) -> pd.Series:
    """Croston's forecast with the two smoothing constants chosen on the history.

    As Nixtla statsforecast's ``CrostonOptimized`` (``_croston_optimized``): the non-zero
    demand sizes :math:`z_j` and the intervals :math:`p_j` (the first one counted from
    the start) are each smoothed by SES started at their first value, each with its own
    :math:`\\alpha` that minimises the in-sample sum of squared one-step errors of that
    series (sizes, resp. intervals) on [0.1, 0.3] (SciPy's bounded Brent search):

    .. math:: \\alpha_z = \\arg\\min_{0.1 \\le \\alpha \\le 0.3}
              \\sum_{j \\ge 2} (z_j - \\hat z_j(\\alpha))^2, \\qquad
              F = \\hat z_{next} / \\hat p_{next}

    (R tsintermittent's ``crost`` optimises differently: by default the mean absolute
    rate error, Nelder-Mead, with the starting values; that is not reproduced here.)

    Returns
    -------
    pandas.Series
        ``forecast`` (per period, flat over the horizon), ``alpha_size`` and
        ``alpha_interval``.

    Examples
    --------
    >>> out = croston_optimized_forecast([0, 0, 6, 0, 0, 6, 0, 0, 6])
    >>> float(out["forecast"])  # sizes 6, 6, 6 and intervals 3, 3, 3: any alpha
    2.0
    """
    y = check_history(history)
    intervals = _demand_intervals(y, "Croston")
    size, alpha_size = _optimized_ses(y[y > 0])
    interval, alpha_interval = _optimized_ses(intervals)
    return pd.Series(
        {"forecast": size / interval, "alpha_size": alpha_size, "alpha_interval": alpha_interval}
    )


def optimised_intermittent_level(history, method: str, alpha: float | None = None) -> float:
    """The per-period forecast of ``croston_optimized``, ``adida`` or ``imapa``.

    ``alpha`` fixes the SES constant of ADIDA and IMAPA; Croston-optimised chooses its own.

    >>> optimised_intermittent_level([0, 0, 3, 0, 0, 3, 0, 3, 0], "adida", alpha=0.5)
    1.0
    """
    if method == "croston_optimized":
        return float(croston_optimized_forecast(history)["forecast"])
    if method == "adida":
        return adida_forecast(history, alpha=alpha)
    if method == "imapa":
        return imapa_forecast(history, alpha=alpha)
    raise ValueError(f"method must be one of {OPTIMISED_INTERMITTENT_METHODS}; got {method!r}.")
