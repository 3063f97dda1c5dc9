"""Demand collaboration, shaping and consensus: promotions, overlays, consensus, consumption.

Error-sign convention (as everywhere in the course): **error = forecast - actual**, so a
positive bias means over-forecast. See :mod:`sopcourse.accuracy`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_numbers, check_whole_number, require_columns
from ._results import Result
from .accuracy import forecast_bias, mae, wape

__all__ = [
    "estimate_promotion_effects",
    "promotion_overlay",
    "apply_overlays",
    "inverse_mae_weights",
    "consensus_forecast",
    "ConsensusScenario",
    "consensus_scenario",
    "consume_forecast",
]


# --------------------------------------------------------------------------- shaping
def estimate_promotion_effects(
    history: pd.DataFrame,
    *,
    value: str = "units",
    promo: str = "promo",
    date: str = "month",
    season_length: int = 12,
) -> pd.DataFrame:
    """Promotion lift and post-promotion dip estimated by OLS regression (statsmodels).

    .. math:: y_t = \\beta_0 + \\beta_1 t + \\sum_s \\gamma_s \\,\\text{season}_{s,t}
              + \\lambda\\, \\text{promo}_t + \\delta\\, \\text{post}_t + \\varepsilon_t

    where :math:`\\text{promo}_t` is 1 in a promotion period and :math:`\\text{post}_t` is
    1 in the period right after a promotion (when that period is not itself a promotion).
    :math:`\\lambda` is the **lift** (extra units per promotion period) and :math:`\\delta`
    the **post-promotion dip** (usually negative: customers bought ahead). The lift is
    only identified when promotions do not always fall in the same month of the season
    (otherwise a ``ValueError`` says so: the season dummy would absorb it).

    Parameters
    ----------
    history : DataFrame
        One row per period of one series, oldest first, with ``date``, ``value`` (units
        >= 0) and ``promo`` (0/1 or bool) columns.
    season_length : int
        :math:`m`; the season dummy is the period position modulo ``m``.

    Returns
    -------
    DataFrame
        Rows ``lift`` and ``post_promo_dip`` with ``units`` (coefficient), ``pct_of_baseline``
        (coefficient / mean non-promotion demand x 100), ``std_error``, ``p_value``,
        ``ci_low`` and ``ci_high`` (95 %). When the model reproduces the history exactly
        (no noise, e.g. a constant series) the coefficients are exact: ``std_error`` is 0,
        the interval is the coefficient itself and ``p_value`` is NaN (undefined).

    Examples
    --------
    >>> t = np.arange(36)
    >>> promo = np.isin(t, [2, 9, 17, 22, 30]).astype(int)
    >>> post = np.r_[0, promo[:-1]]
    >>> units = 100 + 40 * promo - 15 * post + 10 * np.sin(2 * np.pi * t / 12)
    >>> h = pd.DataFrame({"month": t, "units": units, "promo": promo})
    >>> estimate_promotion_effects(h)["units"].round(1).tolist()
    [40.0, -15.0]
    """
    import statsmodels.formula.api as smf

    frame = _promotion_frame(history, date, value, promo, season_length)
    post = frame["post"].to_numpy()
    formula = "y ~ t + C(season) + promo" + (" + post" if post.sum() > 0 else "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample warnings from statsmodels' summary
        res = smf.ols(formula, data=frame).fit()
    exog = np.asarray(res.model.exog)
    # numpy's rank tolerance is relative to the largest singular value of the design
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        p = frame["promo"].to_numpy()
        months = sorted({int(i % season_length) + 1 for i in np.flatnonzero(p)})
        raise ValueError(
            f"the lift cannot be told apart from the season: every promotion falls in the "
            f"same position(s) of the season ({months}), so the season dummies explain "
            "the same months. Use a series where promotions move between months (or "
            "another market's history), or treat the effect as an overlay you estimate "
            "by judgement."
        )
    return _promotion_effects(res, frame)


def _promotion_frame(history, date, value, promo, season_length) -> pd.DataFrame:
    """The regression data of :func:`estimate_promotion_effects`, its input checked:
    ``y``, trend ``t``, ``season`` (position in the season), ``promo`` and ``post``."""
    require_columns(history, [date, value, promo], "history")
    y = check_numbers(history[value], f"history[{value!r}]", low=0)
    p = history[promo].astype(float).to_numpy()
    if not np.isin(p, (0.0, 1.0)).all():
        raise ValueError(f"history[{promo!r}] must be 0/1 (or True/False) per period.")
    if p.sum() == 0:
        raise ValueError("history has no promotion periods: there is no lift to estimate.")
    if not (y > 0).any():
        raise ValueError(
            f"history[{value!r}] is all zeros: there is no demand to measure a lift on. "
            "Check the value column and the series you selected."
        )
    post = np.r_[0.0, p[:-1]] * (1 - p)
    if not ((p == 0) & (post == 0)).any():
        raise ValueError(
            "every period is a promotion or the period right after one, so there is no "
            "baseline demand to measure the lift against: use a history with periods "
            "without promotions (or treat the effect as an overlay you estimate by judgement)."
        )
    n = len(history)
    n_params = 2 + (season_length - 1) + 1 + (post.sum() > 0)
    if n <= n_params:
        raise ValueError(
            f"{n} periods are too few to estimate {n_params} coefficients: pass at least "
            f"{n_params + 1} periods (2+ years of monthly data is better)."
        )
    return pd.DataFrame(
        {
            "y": y,
            "t": np.arange(n, dtype=float),
            "season": (np.arange(n) % season_length).astype(str),
            "promo": p,
            "post": post,
        }
    )


def _promotion_effects(res, frame: pd.DataFrame) -> pd.DataFrame:
    """The lift and dip rows of :func:`estimate_promotion_effects` from the OLS fit."""
    n = len(frame)
    # a fit that reproduces the history to rounding has no residual noise to test against:
    # the coefficients are exact, their standard errors 0, and a p-value is undefined
    exact = float(res.ssr) <= n * (1e3 * np.finfo(float).eps * float(frame["y"].abs().max())) ** 2
    baseline = frame.loc[(frame["promo"] == 0) & (frame["post"] == 0), "y"].mean()
    ci = res.conf_int()
    rows = []
    for name, term in (("lift", "promo"), ("post_promo_dip", "post")):
        if term not in res.params:
            rows.append({"effect": name, "units": 0.0, "pct_of_baseline": 0.0})
            continue
        coef = float(res.params[term])
        rows.append(
            {
                "effect": name,
                "units": coef,
                "pct_of_baseline": 100 * coef / baseline if baseline else np.nan,
                "std_error": 0.0 if exact else float(res.bse[term]),
                "p_value": np.nan if exact else float(res.pvalues[term]),
                "ci_low": coef if exact else float(ci.loc[term, 0]),
                "ci_high": coef if exact else float(ci.loc[term, 1]),
            }
        )
    return pd.DataFrame(rows).set_index("effect")


def promotion_overlay(
    promo_periods: Sequence, future_periods: Sequence, *, lift: float, dip: float = 0.0
) -> pd.DataFrame:
    """Overlay rows for planned promotions: ``lift`` in each promotion period and ``dip``
    in the period after it (when that one is in the horizon and not a promotion itself).

    Returns
    -------
    DataFrame
        Columns ``period``, ``event`` and ``effect_units`` (for :func:`apply_overlays`).

    Examples
    --------
    >>> promotion_overlay([3], [1, 2, 3, 4, 5], lift=40, dip=-15)
       period           event  effect_units
    0       3       promotion          40.0
    1       4  post-promo dip         -15.0
    """
    future = list(future_periods)
    promos = [p for p in promo_periods if p in future]
    unknown = [p for p in promo_periods if p not in future]
    if unknown:
        raise ValueError(f"promotion periods {unknown} are not in the forecast horizon.")
    rows = []
    for p in promos:
        rows.append({"period": p, "event": "promotion", "effect_units": float(lift)})
        i = future.index(p)
        if i + 1 < len(future) and future[i + 1] not in promos and dip:
            rows.append({"period": future[i + 1], "event": "post-promo dip", "effect_units": dip})
    return pd.DataFrame(rows, columns=["period", "event", "effect_units"]).astype(
        {"effect_units": float}
    )


def apply_overlays(baseline: pd.Series, overlays: pd.DataFrame) -> pd.DataFrame:
    """Shaped forecast = baseline + event overlays (promotions, launches, other events).

    .. math:: F^{shaped}_t = \\max\\Big(0,\\; B_t \\,(1 + \\sum_k p_{k,t}) + \\sum_k u_{k,t}\\Big)

    with :math:`B_t` the statistical baseline, :math:`u_{k,t}` additive effects in units
    (``effect_units``) and :math:`p_{k,t}` relative effects (``effect_pct``, 0.1 = +10 %).

    Parameters
    ----------
    baseline : Series
        Baseline forecast indexed by period.
    overlays : DataFrame
        Columns ``period``, ``event`` and ``effect_units`` and/or ``effect_pct``.

    Returns
    -------
    DataFrame
        Indexed by period: ``baseline``, one column per event (units) and ``shaped``.

    Examples
    --------
    >>> base = pd.Series([100.0, 100, 100], index=[1, 2, 3])
    >>> ov = pd.DataFrame({"period": [2, 3], "event": ["promotion", "launch"],
    ...                    "effect_units": [30, 0], "effect_pct": [0, 0.1]})
    >>> apply_overlays(base, ov)["shaped"].tolist()
    [100.0, 130.0, 110.0]
    """
    if not isinstance(baseline, pd.Series) or baseline.empty:
        raise ValueError("baseline must be a non-empty pandas Series indexed by period.")
    check_numbers(baseline, "baseline", low=0)
    require_columns(overlays, ["period", "event"], "overlays")
    if "effect_units" not in overlays and "effect_pct" not in overlays:
        raise ValueError("overlays needs an effect_units and/or an effect_pct column.")
    unknown = sorted(set(overlays["period"]) - set(baseline.index), key=str)
    if unknown:
        raise ValueError(
            f"overlay periods {unknown} are not in the baseline: use the baseline's periods."
        )
    ov = overlays.assign(
        effect_units=overlays.get("effect_units", 0.0),
        effect_pct=overlays.get("effect_pct", 0.0),
    ).fillna({"effect_units": 0.0, "effect_pct": 0.0})
    ov["units"] = ov["effect_units"] + ov["effect_pct"] * baseline.reindex(ov["period"]).to_numpy()
    table = pd.DataFrame({"baseline": baseline.astype(float)})
    events = ov.pivot_table(index="period", columns="event", values="units", aggfunc="sum")
    table = table.join(events).fillna(0.0)
    table["shaped"] = table.sum(axis=1).clip(lower=0)
    return table


# --------------------------------------------------------------------------- consensus
def inverse_mae_weights(errors: Mapping[str, float] | pd.Series) -> pd.Series:
    """Consensus weights proportional to 1 / MAE of each input's past forecasts.

    .. math:: w_i = \\frac{1/\\text{MAE}_i}{\\sum_j 1/\\text{MAE}_j}

    The MAE of each input is measured on its past forecasts with error = forecast - actual
    (positive = over-forecast); the absolute value ignores the sign, so a biased input
    is penalised only through the size of its errors.

    Examples
    --------
    >>> inverse_mae_weights({"statistical": 10, "sales": 20, "marketing": 20}).tolist()
    [0.5, 0.25, 0.25]
    """
    e = pd.Series(errors, dtype=float)
    if e.empty:
        raise ValueError("errors is empty: pass the past MAE of each forecast input.")
    if e.isna().any() or (e <= 0).any():
        raise ValueError("every MAE must be a positive number (a zero MAE means a perfect input).")
    w = 1 / e
    return (w / w.sum()).rename("weight")


def consensus_forecast(
    inputs: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
    *,
    override_pct: float = 0.0,
) -> pd.Series:
    """Weighted consensus of the forecast inputs, with an optional percentage override.

    .. math:: C_t = \\Big(\\sum_i w_i F_{i,t}\\Big) (1 + o), \\quad \\sum_i w_i = 1

    Weights are normalised to sum to 1; :math:`o` is ``override_pct / 100``.

    Parameters
    ----------
    inputs : DataFrame
        One column per input (e.g. ``statistical``, ``sales``, ``marketing``,
        ``operations``), one row per period.
    weights : mapping or Series
        Non-negative weight per input column (not all zero).
    override_pct : float
        Management override in percent (+10 = raise the consensus by 10 %), -100 < o.

    Examples
    --------
    >>> inp = pd.DataFrame({"statistical": [100.0, 110], "sales": [120.0, 130]})
    >>> consensus_forecast(inp, {"statistical": 3, "sales": 1}).tolist()
    [105.0, 115.0]
    >>> consensus_forecast(inp, {"statistical": 1, "sales": 0}, override_pct=10).tolist()
    [110.00000000000001, 121.00000000000001]
    """
    w = pd.Series(weights, dtype=float)
    if w.empty:
        raise ValueError("weights is empty: give a weight to at least one input.")
    require_columns(inputs, list(w.index), "inputs")
    if w.isna().any() or (w < 0).any() or w.sum() == 0:
        raise ValueError("weights must be >= 0 and not all zero, e.g. {'statistical': 1}.")
    if not -100 < override_pct <= 1000:
        raise ValueError("override_pct must be between -100 and 1000 (percent).")
    values = inputs[list(w.index)].astype(float)
    if values.isna().any().any():
        raise ValueError("inputs has NaN forecasts: fill them or give that input weight 0.")
    return (values @ (w / w.sum()) * (1 + override_pct / 100)).rename("consensus")


@dataclass(frozen=True, eq=False)
class ConsensusScenario(Result):
    """A consensus forecast for one set of weights, with its accuracy and bias
    (:func:`consensus_scenario`). Reads like the dict it replaces: ``out["mae"]``.

    Attributes
    ----------
    consensus : Series
        The consensus forecast per period.
    mae, wape, bias : float
        Its MAE (units), WAPE (%, NaN when actual demand totals 0) and bias (units per
        period; error = forecast - actual, positive = over-forecast).
    inputs_mae : Series
        The MAE of each input alone, for comparison.
    """

    consensus: pd.Series
    mae: float
    wape: float
    bias: float
    inputs_mae: pd.Series


def consensus_scenario(
    inputs: pd.DataFrame,
    weights: Mapping[str, float],
    *,
    actual: str = "actual",
    override_pct: float = 0.0,
) -> ConsensusScenario:
    """Consensus, its accuracy and its bias for one set of weights (the explorer's update).

    Sign convention: error = forecast - actual (positive bias = over-forecast).

    Returns
    -------
    ConsensusScenario
        ``consensus`` (Series), ``mae``, ``wape`` (%), ``bias`` (units per period) and
        ``inputs_mae`` (Series: the MAE of each input alone, for comparison), as
        attributes or keys.

    Examples
    --------
    >>> inp = pd.DataFrame({"actual": [100.0, 100], "statistical": [90.0, 100],
    ...                     "sales": [120.0, 120]})
    >>> out = consensus_scenario(inp, {"statistical": 1, "sales": 1})
    >>> out["mae"], out["bias"]
    (7.5, 7.5)
    """
    require_columns(inputs, [actual], "inputs")
    cons = consensus_forecast(inputs, weights, override_pct=override_pct)
    a = inputs[actual].to_numpy(dtype=float)
    return ConsensusScenario(
        consensus=cons,
        mae=mae(a, cons.to_numpy()),
        wape=wape(a, cons.to_numpy()) if a.sum() > 0 else np.nan,
        bias=forecast_bias(a, cons.to_numpy()),
        inputs_mae=pd.Series({k: mae(a, inputs[k].to_numpy()) for k in weights}),
    )


# --------------------------------------------------------------------------- consumption
def consume_forecast(
    forecast: pd.Series,
    orders: pd.Series,
    *,
    backward_periods: int = 1,
    forward_periods: int = 0,
) -> pd.DataFrame:
    """Forecast consumption by customer orders (as in an MPS / ERP system).

    Orders of period :math:`t` first consume the forecast of period :math:`t`; orders in
    excess consume the unconsumed forecast of up to ``backward_periods`` earlier periods
    (nearest first), then of up to ``forward_periods`` later periods. What the orders
    cannot consume is reported as ``excess_orders`` (demand above the forecast). Total
    demand for planning = orders + remaining (unconsumed) forecast (Vollmann et al.,
    *Manufacturing Planning and Control*, master production scheduling).

    Parameters
    ----------
    forecast, orders : Series
        Units per period, same index (>= 0).

    Returns
    -------
    DataFrame
        ``forecast``, ``orders``, ``consumed``, ``remaining_forecast``, ``excess_orders``,
        ``total_demand`` per period.

    Examples
    --------
    >>> f = pd.Series([100.0, 100, 100])
    >>> o = pd.Series([60.0, 130, 20])
    >>> consume_forecast(f, o)[["remaining_forecast", "total_demand"]].to_dict("list")
    {'remaining_forecast': [10.0, 0.0, 80.0], 'total_demand': [70.0, 130.0, 100.0]}
    """
    for s, what in ((forecast, "forecast"), (orders, "orders")):
        if not isinstance(s, pd.Series) or s.empty:
            raise ValueError(f"{what} must be a non-empty pandas Series indexed by period.")
        check_numbers(s, what, low=0)
    if not forecast.index.equals(orders.index):
        raise ValueError("forecast and orders must share the same period index: reindex first.")
    for v, what in ((backward_periods, "backward_periods"), (forward_periods, "forward_periods")):
        check_whole_number(v, what, low=0, hint="It counts periods.")
    remaining = forecast.to_numpy(dtype=float).copy()
    order_qty = orders.to_numpy(dtype=float)
    excess = np.zeros_like(remaining)
    n = remaining.size
    for t in range(n):
        left = order_qty[t]
        windows = [t]
        windows += [t - k for k in range(1, backward_periods + 1) if t - k >= 0]
        windows += [t + k for k in range(1, forward_periods + 1) if t + k < n]
        for s in windows:
            take = min(left, remaining[s])
            remaining[s] -= take
            left -= take
            if left <= 0:
                break
        excess[t] = left
    f = forecast.to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "forecast": f,
            "orders": order_qty,
            "consumed": f - remaining,
            "remaining_forecast": remaining,
            "excess_orders": excess,
            "total_demand": order_qty + remaining,
        },
        index=forecast.index,
    )
