"""New product introduction: Bass diffusion, like-item launch curves, cannibalisation.

A new product has no sales history to forecast from. Its volume comes from a diffusion
model (Bass: innovators and imitators, fitted to the first months of sales or to an
analogous product), from the launch curve of like items, and its cannibalisation of the
products it replaces; the result feeds the new-products line of the revenue plan
(:func:`sopcourse.revenue.gap_to_goal`).

Sources
-------
* Bass, F. M. (1969), "A new product growth for model consumer durables", *Management
  Science* 15(5), 215-227: the model, its discrete OLS estimation form.
* Mahajan, V., Muller, E. & Bass, F. M. (1990), "New product diffusion models in
  marketing: a review and directions for research", *Journal of Marketing* 54(1), 1-26:
  the closed forms of the peak time, peak sales and cumulative adoption at the peak.
* Srinivasan, V. & Mason, C. H. (1986), "Nonlinear least squares estimation of new
  product diffusion models", *Marketing Science* 5(2), 169-178: fitting per-period sales
  as :math:`m[F(t) - F(t-1)]`.

Units: units are bicycles; periods are months unless stated otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize

from ._checks import check_number, check_numbers, check_whole_number, require_columns

__all__ = [
    "bass_cumulative",
    "bass_curve",
    "bass_peak",
    "fit_bass",
    "like_item_curve",
    "cannibalisation",
]


# --------------------------------------------------------------------------- checks


def _check_bass_parameters(p: float, q: float, m: float) -> None:
    check_number(
        p, "p", low=0, high=1, low_open=True, high_open=True, hint="p is the innovation, e.g. 0.03."
    )
    check_number(q, "q", low=0, high=5, high_open=True, hint="q is the imitation, e.g. 0.38.")
    check_number(m, "m", low=0, low_open=True, hint="m is the market potential (units).")


# --------------------------------------------------------------------------- Bass
def bass_cumulative(t, p: float, q: float) -> np.ndarray:
    """Share of the market potential that has adopted by time t (Bass 1969).

    .. math:: F(t) = \\frac{1 - e^{-(p+q)t}}{1 + \\frac{q}{p} e^{-(p+q)t}}

    Parameters
    ----------
    t : float or array-like
        Time since launch, in periods [t].
    p, q : float
        Coefficients of innovation and imitation per period [p, q].

    Examples
    --------
    >>> float(bass_cumulative(0, 0.03, 0.38)), round(float(bass_cumulative(100, 0.03, 0.38)), 6)
    (0.0, 1.0)
    """
    _check_bass_parameters(p, q, 1.0)
    t = np.asarray(t, dtype=float)
    decay = np.exp(-(p + q) * t)
    return (1 - decay) / (1 + (q / p) * decay)


def bass_curve(
    p: float, q: float, m: float, periods: int, *, start: int = 1, form: str = "continuous"
) -> pd.DataFrame:
    """Adoptions per period and cumulative adoptions of the Bass model.

    ``form="continuous"``: period :math:`t` covers the interval :math:`(t-1, t]`, so its
    adoptions are :math:`n_t = m\\,[F(t) - F(t-1)]` and the cumulative adoptions are
    :math:`N_t = m F(t)`.

    ``form="discrete"``: Bass's (1969) difference equation, the form his OLS regression
    estimates, :math:`n_t = \\left(p + q \\frac{N_{t-1}}{m}\\right)(m - N_{t-1})` with
    :math:`N_0 = 0`.

    Parameters
    ----------
    p : float
        Coefficient of innovation [p] (external influence), per period.
    q : float
        Coefficient of imitation [q] (word of mouth), per period.
    m : float
        Market potential [m]: the number of people who will ever adopt.
    periods : int
        Number of periods to return.
    start : int
        Number of the first period returned (1 = the launch period).
    form : {"continuous", "discrete"}
        Bucketed continuous-time curve (default) or Bass's discrete recursion.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period``: ``adoptions`` and ``cumulative``.

    Examples
    --------
    >>> curve = bass_curve(0.03, 0.38, 1000, 30)
    >>> int(curve["adoptions"].idxmax()), round(curve["cumulative"].iloc[-1])
    (7, 1000)
    """
    _check_bass_parameters(p, q, m)
    periods = check_whole_number(periods, "periods")
    if form not in ("continuous", "discrete"):
        raise ValueError(f"form must be 'continuous' or 'discrete', got {form!r}.")
    start = check_whole_number(start, "start")
    if form == "continuous":
        t = np.arange(start - 1, start + periods, dtype=float)
        cumulative = m * bass_cumulative(t, p, q)
    else:
        levels = [0.0]
        for _ in range(start + periods - 1):
            previous = levels[-1]
            levels.append(previous + (p + q * previous / m) * (m - previous))
        cumulative = np.array(levels[start - 1 :])
    index = pd.RangeIndex(start, start + periods, name="period")
    return pd.DataFrame(
        {"adoptions": np.diff(cumulative), "cumulative": cumulative[1:]}, index=index
    )


def bass_peak(p: float, q: float, m: float) -> pd.Series:
    """Time and size of the adoption peak of the Bass model (Mahajan, Muller & Bass 1990).

    .. math:: t^* = \\frac{\\ln(q/p)}{p+q}, \\qquad n(t^*) = \\frac{m (p+q)^2}{4q},
              \\qquad N(t^*) = m\\left(\\frac12 - \\frac{p}{2q}\\right)

    :math:`n(t^*)` is the instantaneous adoption *rate* at the peak (per period). When
    :math:`q \\le p` adoptions fall from launch on and the peak is at :math:`t^* = 0`
    with rate :math:`m p`.

    Parameters
    ----------
    p, q : float
        Coefficients of innovation and imitation per period [p, q].
    m : float
        Market potential [m].

    Returns
    -------
    pandas.Series
        ``peak_time``, ``peak_rate`` and ``cumulative_at_peak``.

    Examples
    --------
    >>> bass_peak(0.03, 0.38, 1000).round(2).to_dict()
    {'peak_time': 6.19, 'peak_rate': 110.59, 'cumulative_at_peak': 460.53}
    """
    _check_bass_parameters(p, q, m)
    if q <= p:
        return pd.Series({"peak_time": 0.0, "peak_rate": m * p, "cumulative_at_peak": 0.0})
    return pd.Series(
        {
            "peak_time": np.log(q / p) / (p + q),
            "peak_rate": m * (p + q) ** 2 / (4 * q),
            "cumulative_at_peak": m * (0.5 - p / (2 * q)),
        }
    )


# OLS: a quadratic term smaller than this share of the largest period's sales (after the
# regression on cumulative sales normalised by their total) is rounding noise, not a peak.
_BASS_OLS_RTOL = 1e-8
# NLS bounds on m, as multiples of the cumulative sales so far.
_BASS_MAX_MARKET = 1e3


def _check_bass_fit(p: float, q: float, m: float, total: float, method: str) -> None:
    """Reject Bass estimates that are not a plausible market, with the reason in the data."""
    advice = (
        "use more periods (past the peak of sales if you have them), or method='nls' "
        "with a starting guess initial=(p, q, m) from an analogous product"
    )
    if not np.isfinite(m) or m > _BASS_MAX_MARKET * total:
        raise ValueError(
            f"fit_bass ({method}): the estimated market potential m = {m:.3g} is not "
            f"plausible (more than {_BASS_MAX_MARKET:g} times the {total:.3g} sold so far): "
            f"these sales show no sign of slowing down yet, so m cannot be estimated: {advice}."
        )
    if m < total * (1 - 1e-9):
        raise ValueError(
            f"fit_bass ({method}): the estimated market potential m = {m:.3g} is below the "
            f"{total:.3g} already sold, which is impossible: the sales do not follow a Bass "
            f"curve (check for a stock-out or a relaunch in the data), or {advice}."
        )
    if not (np.isfinite(p) and 0 < p < 1):
        raise ValueError(
            f"fit_bass ({method}): the estimated innovation coefficient p = {p:.3g} is not "
            f"between 0 and 1, so these sales do not follow a Bass curve: {advice}."
        )
    if not (np.isfinite(q) and 0 <= q < 5):
        raise ValueError(
            f"fit_bass ({method}): the estimated imitation coefficient q = {q:.3g} is not "
            f"between 0 and 5, so these sales do not follow a Bass curve: {advice}."
        )


def _bass_ols(sales: np.ndarray) -> tuple[float, float, float]:
    total = float(sales.sum())
    # Regress on the cumulative sales as a share of the total, so that a, b and c are all
    # in units of sales and c can be judged against the size of the sales themselves.
    previous = np.concatenate([[0.0], np.cumsum(sales)[:-1]]) / total
    design = np.column_stack([np.ones_like(previous), previous, previous**2])
    (a, b, c), *_ = np.linalg.lstsq(design, sales, rcond=None)
    tolerance = _BASS_OLS_RTOL * sales.max()
    no_imitation = abs(c) <= tolerance and b < -tolerance
    disc = b * b - 4 * a * c
    if not np.isfinite([a, b, c]).all() or (c >= -tolerance and not no_imitation) or disc < 0:
        raise ValueError(
            "fit_bass: these sales show no peak yet (they are not slowing down: the "
            "quadratic term of Bass's regression is not negative, relative to the size of "
            "the sales), so the market size cannot be estimated: use more periods past the "
            "inflection point, or method='nls' with a starting guess initial=(p, q, m)."
        )
    if a <= 0:
        raise ValueError(
            "fit_bass: Bass's regression puts first-period sales at or below zero (its "
            f"intercept is {a:.3g}), so there is no innovation to estimate p from: check the "
            "first periods of the data (a slow start or missing launch sales), or use "
            "method='nls' with a starting guess initial=(p, q, m)."
        )
    if no_imitation:
        # c = 0 within rounding: sales fall linearly in N, S = p (m - N), the limit of the
        # root below as c -> 0 (Bass with q = 0, no word of mouth).
        m = -total * a / b
        p, q = a / m, 0.0
    else:
        m = total * (-b - np.sqrt(disc)) / (2 * c)
        p, q = a / m, -m * c / total**2
    _check_bass_fit(p, q, m, total, "ols")
    return p, q, m


def _check_bass_nls(result, lower, upper, total: float) -> None:
    """A least-squares fit that failed or stopped on an artificial bound is not an estimate."""
    if not result.success or not np.isfinite(result.x).all():
        raise ValueError(
            f"fit_bass (nls): the least-squares fit did not converge ({result.message}); "
            "usually the sales show no peak yet (still growing, or flat), so the market size "
            "is not pinned down: use more periods past the inflection point, or give a "
            "starting guess initial=(p, q, m) from an analogous product."
        )
    names = ("p (innovation)", "q (imitation)", "m (market potential)")
    # q = 0 (no word of mouth) is a possible answer; every other bound only keeps the search
    # inside the model, so an estimate that stops there is the bound, not the data's answer.
    for i, side in enumerate(result.active_mask):
        if side == 0 or (i == 1 and side < 0):
            continue
        bound = upper[i] if side > 0 else lower[i]
        if i == 2 and side > 0:
            reason = (
                f"{_BASS_MAX_MARKET:g} times the {total:.3g} sold so far: these sales show no "
                "sign of slowing down yet, so the market size cannot be estimated"
            )
        elif i == 2:
            reason = (
                f"the {total:.3g} already sold: the fit wants a market smaller than the sales, "
                "so the sales do not follow a Bass curve (check for a stock-out or a relaunch)"
            )
        else:
            reason = "the edge of the range the fit searches, so the data do not pin it down"
        raise ValueError(
            f"fit_bass (nls): the fit stopped on a bound, {names[i]} = {bound:.3g}, "
            f"{reason}: use more periods (past the peak of sales if you have them), or give a "
            "starting guess initial=(p, q, m) from an analogous product."
        )


def _bass_fitted(periods: int, p: float, q: float, m: float, curve: str) -> np.ndarray:
    t = np.arange(periods + 1, dtype=float)
    if curve == "interval":
        return m * np.diff(bass_cumulative(t, p, q))
    decay = np.exp(-(p + q) * t[1:])
    return m * ((p + q) ** 2 / p) * decay / (1 + (q / p) * decay) ** 2


def fit_bass(
    sales,
    method: str = "nls",
    *,
    curve: str = "interval",
    initial: Sequence[float] | None = None,
) -> pd.Series:
    """Estimate the Bass parameters p, q and m from early per-period sales.

    * ``"ols"``: Bass's (1969) regression :math:`S_t = a + b N_{t-1} + c N_{t-1}^2` on the
      cumulative sales :math:`N_{t-1}` before period t, then
      :math:`m = \\frac{-b - \\sqrt{b^2 - 4ac}}{2c}`, :math:`p = a/m`, :math:`q = -mc`.
    * ``"nls"``: non-linear least squares (``scipy.optimize.least_squares``) of
      :math:`S_t = m[F(t) - F(t-1)]` (``curve="interval"``, Srinivasan & Mason 1986) or of
      the adoption rate at the end of the period, :math:`S_t = m f(t)` with
      :math:`f(t) = \frac{(p+q)^2}{p} \frac{e^{-(p+q)t}}{(1 + \frac{q}{p}e^{-(p+q)t})^2}`
      (``curve="density"``, as R examples often fit it), started from the OLS estimates
      when they exist.

    Parameters
    ----------
    sales : array-like or pandas.Series
        Sales (first purchases) per period from launch, at least 3 periods.
    method : {"nls", "ols"}
    curve : {"interval", "density"}
        Which Bass curve ``"nls"`` fits, and on which ``sse`` and ``r_squared`` are
        measured (for both methods).
    initial : (p, q, m), optional
        Starting values for ``"nls"``.

    Returns
    -------
    pandas.Series
        ``p``, ``q``, ``m``, ``sse`` (sum of squared errors of the fitted curve) and
        ``r_squared``.

    Examples
    --------
    Five years of adoptions (millions) of a durable, fitted by OLS:

    >>> fit = fit_bass([0.517, 1.169, 1.604, 2.044, 2.286], method="ols")
    >>> fit[["p", "q", "m"]].round(4).tolist()
    [0.0626, 0.7377, 10.5037]
    """
    if method not in ("nls", "ols"):
        raise ValueError(f"method must be 'nls' or 'ols', got {method!r}.")
    if curve not in ("interval", "density"):
        raise ValueError(f"curve must be 'interval' or 'density', got {curve!r}.")
    y = check_numbers(sales, "sales", low=0)
    if y.ndim != 1 or len(y) < 3:
        raise ValueError("sales needs at least 3 periods to fit three parameters.")
    if y.sum() <= 0:
        raise ValueError("sales are all zero: there is nothing to fit.")
    if method == "ols":
        p, q, m = _bass_ols(y)
    else:
        if initial is not None:
            start = np.asarray(initial, dtype=float)
            _check_bass_parameters(*start)
        else:
            try:
                start = np.array(_bass_ols(y))
            except ValueError:
                start = np.array([0.03, 0.38, 3 * y.sum()])
            if not (0 < start[0] < 1 and 0 < start[1] < 5 and start[2] > y.sum()):
                start = np.array([0.03, 0.38, 3 * y.sum()])
        scale = max(y.max(), 1e-12)

        def residuals(theta):
            pp, qq, mm = theta
            return (_bass_fitted(len(y), pp, qq, mm, curve) - y) / scale

        lower = [1e-6, 0.0, y.sum() if curve == "interval" else 1e-9]
        upper = [1 - 1e-6, 5.0 - 1e-6, _BASS_MAX_MARKET * y.sum()]
        start = np.clip(start, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
        result = optimize.least_squares(
            residuals,
            start,
            bounds=(lower, upper),
            method="trf",
            x_scale=np.abs(start) + 1e-9,
        )
        p, q, m = result.x
        _check_bass_nls(result, lower, upper, y.sum())
    fitted = _bass_fitted(len(y), p, q, m, curve)
    sse = float(((fitted - y) ** 2).sum())
    sst = float(((y - y.mean()) ** 2).sum())
    return pd.Series(
        {
            "p": float(p),
            "q": float(q),
            "m": float(m),
            "sse": sse,
            "r_squared": 1 - sse / sst if sst > 0 else np.nan,
        }
    )


# --------------------------------------------------------------------------- NPI
def like_item_curve(
    analogs: pd.DataFrame,
    launch_volume: float,
    periods: int,
    *,
    item: str = "sku",
    age: str = "age",
    value: str = "units",
) -> pd.DataFrame:
    """Launch curve of a new item from the launch curves of like items (analogs).

    Each analog's first :math:`H` periods after launch are turned into shares of its own
    :math:`H`-period volume, :math:`s_{j,a} = y_{j,a} / \\sum_{a'<H} y_{j,a'}`; the shares
    are averaged over the analogs and scaled to the new item's expected volume
    :math:`V`: :math:`\\hat y_a = V\\, \\bar s_a`.

    Parameters
    ----------
    analogs : pandas.DataFrame
        Tidy: analog item, age (periods since launch, 0 = launch period), value.
    launch_volume : float
        Expected volume of the new item over the first ``periods`` periods [V].
    periods : int
        Number of periods of the curve [H]; every analog needs that much history.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``age``: ``share`` (mean analog share), ``min_share``, ``max_share``
        and ``units`` (the new item's curve).

    Examples
    --------
    >>> analogs = pd.DataFrame({"sku": ["x"] * 3 + ["y"] * 3, "age": [0, 1, 2] * 2,
    ...                         "units": [10, 30, 60, 20, 30, 50]})
    >>> like_item_curve(analogs, 1000, 3)["units"].round(1).tolist()
    [150.0, 300.0, 550.0]
    """
    require_columns(analogs, [item, age, value], "analogs")
    check_numbers(analogs[value], f"analogs[{value!r}]", low=0)
    periods = check_whole_number(periods, "periods")
    launch_volume = check_number(launch_volume, "launch_volume", low=0)
    wide = analogs.pivot_table(index=age, columns=item, values=value, aggfunc="sum", observed=True)
    wide = wide.reindex(range(periods))
    short = wide.columns[wide.isna().any()].tolist()
    if short:
        raise ValueError(
            f"analog(s) {short} have fewer than {periods} periods since launch; "
            "shorten periods or drop them."
        )
    totals = wide.sum(axis=0)
    if (totals <= 0).any():
        raise ValueError(f"analog(s) {totals[totals <= 0].index.tolist()} sold nothing: drop them.")
    shares = wide / totals
    out = pd.DataFrame(
        {
            "share": shares.mean(axis=1),
            "min_share": shares.min(axis=1),
            "max_share": shares.max(axis=1),
        }
    )
    out["units"] = launch_volume * out["share"]
    out.index.name = "age"
    return out


def cannibalisation(
    new_item_forecast: pd.Series,
    cannibalisation_rate: float,
    source_shares: Mapping[str, float] | pd.Series,
) -> pd.DataFrame:
    """Units the existing items lose to a new item, and the new item's net gain.

    Of each new unit :math:`n_t`, the share :math:`c` (the cannibalisation rate) would
    otherwise have been bought as an existing item :math:`j`, split by the source shares
    :math:`w_j` (:math:`\\sum_j w_j = 1`): item :math:`j` loses :math:`c\\, w_j\\, n_t`, and the
    company gains :math:`(1 - c)\\, n_t` incremental units.

    Parameters
    ----------
    new_item_forecast : pandas.Series
        Units of the new item per period [n_t].
    cannibalisation_rate : float
        Share of the new units taken from existing items [c], a fraction.
    source_shares : mapping or Series
        How the lost units split over the existing items [w_j]; must sum to 1.

    Returns
    -------
    pandas.DataFrame
        Indexed by period: one ``lost_<item>`` column per source, ``new_item``,
        ``total_lost`` and ``net_incremental``.

    Examples
    --------
    >>> out = cannibalisation(pd.Series([100.0, 200.0]), 0.3, {"city": 0.5, "trekking": 0.5})
    >>> out[["lost_city", "net_incremental"]].values.tolist()
    [[15.0, 70.0], [30.0, 140.0]]
    """
    forecast = pd.Series(new_item_forecast, dtype=float)
    check_numbers(forecast, "new_item_forecast", low=0)
    check_number(cannibalisation_rate, "cannibalisation_rate", low=0, high=1, hint="E.g. 0.3.")
    shares = pd.Series(source_shares, dtype=float)
    check_numbers(shares, "source_shares", low=0)
    if abs(shares.sum() - 1) > 1e-6:
        raise ValueError(f"source_shares sum to {shares.sum():.4f}; they must sum to 1.")
    out = pd.DataFrame(index=forecast.index)
    for name, share in shares.items():
        out[f"lost_{name}"] = cannibalisation_rate * share * forecast
    out["new_item"] = forecast
    out["total_lost"] = cannibalisation_rate * forecast
    out["net_incremental"] = forecast - out["total_lost"]
    return out
