"""Intermittent demand: the Syntetos-Boylan-Croston classification and Croston's methods.

A spare part sells in a few months and not at all in the others. Whether a series is
*intermittent* is measured by two numbers (Syntetos, Boylan & Croston, *JORS* 56, 2005):
the average inter-demand interval (ADI) and the squared coefficient of variation of the
non-zero demand sizes (CV²); :func:`classify_demand` turns them into "smooth",
"erratic", "intermittent" or "lumpy". Intermittent and lumpy series are forecast with
Croston's method or its corrections, SBA and TSB (:func:`croston_forecast`), which
smooth demand sizes and intervals separately; :mod:`sopcourse.forecasting` offers them
as the methods ``croston``, ``sba`` and ``tsb`` and uses the classification to choose a
method (``method="auto"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers

__all__ = ["ADI_CUTOFF", "CV2_CUTOFF", "classify_demand", "demand_profile", "croston_forecast"]

INTERMITTENT_METHODS = ("croston", "sba", "tsb")
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

    Parameters
    ----------
    history : array-like
        Demand per period :math:`y_t` (>= 0, at least one non-zero).
    alpha : float
        :math:`\\alpha`, smoothing constant for sizes (and intervals), in (0, 1].
    variant : {"croston", "sba", "tsb"}
    beta : float, optional
        :math:`\\beta`, TSB's smoothing constant for the probability (default ``alpha``).
    init : {"mean", "naive"}
        Starting interval :math:`p_0`: the mean in-sample interval, or the first interval.

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
    if init not in ("mean", "naive"):
        raise ValueError(f"init must be 'mean' or 'naive'; got {init!r}.")
    first = int(nonzero[0])
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
