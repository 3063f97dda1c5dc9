"""Sales revenue planning: revenue and gross-margin plans, the opportunity pipeline, new
product curves (Bass diffusion, like-item launch curves, cannibalisation) and the gap to
the corporate goal.

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

Units: money columns are in the currency of the price table (Tallridge: EUR); units are
bicycles; periods are months unless stated otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._checks import require_columns
from .plotting import COLORS, waterfall

__all__ = [
    "revenue_plan",
    "weighted_pipeline",
    "pipeline_by_month",
    "calibrate_win_rates",
    "bass_cumulative",
    "bass_curve",
    "bass_peak",
    "fit_bass",
    "like_item_curve",
    "cannibalisation",
    "gap_to_goal",
    "plot_gap_to_goal",
]


# --------------------------------------------------------------------------- checks


def _check_nonnegative(values, label: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{label} must be numeric.") from exc
    if arr.size == 0:
        raise ValueError(f"{label} is empty: pass at least one value.")
    if np.isnan(arr).any():
        raise ValueError(f"{label} has missing (NaN) values: fill them first.")
    if (arr < 0).any():
        raise ValueError(f"{label} has negative values: they must be zero or more.")
    return arr


def _check_bass_parameters(p: float, q: float, m: float) -> None:
    if not (np.isfinite(p) and 0 < p < 1):
        raise ValueError(f"p (innovation) must be between 0 and 1, e.g. 0.03; got {p!r}.")
    if not (np.isfinite(q) and 0 <= q < 5):
        raise ValueError(f"q (imitation) must be between 0 and 5, e.g. 0.38; got {q!r}.")
    if not (np.isfinite(m) and m > 0):
        raise ValueError(f"m (market potential) must be a positive number; got {m!r}.")


# --------------------------------------------------------------------------- revenue
def revenue_plan(
    units: pd.DataFrame,
    net_prices: pd.DataFrame | None,
    standard_costs: pd.DataFrame,
    *,
    by: Sequence[str] = ("family", "region"),
    value: str = "units",
    price: str = "net_price",
    cost: str = "standard_cost",
) -> pd.DataFrame:
    """Revenue and gross-margin plan from units, net prices and standard costs.

    .. math:: R = \\sum_i u_i\\, p_i, \\qquad C = \\sum_i u_i\\, c_i, \\qquad
              GM = R - C, \\qquad GM\\% = GM / R

    with :math:`u_i` planned units, :math:`p_i` net price (list price less discounts and
    rebates) and :math:`c_i` standard cost per unit.

    Parameters
    ----------
    units : pandas.DataFrame
        Tidy unit plan with the ``value`` column and the key columns of the price and
        cost tables (e.g. family, region, month).
    net_prices : pandas.DataFrame or None
        Net price per unit, keyed by any columns it shares with ``units`` (e.g. family
        and region); ``None`` when ``units`` already has the ``price`` column (as the
        Tallridge ``sales_plan`` has ``plan_price``).
    standard_costs : pandas.DataFrame
        Standard cost per unit, keyed by any columns it shares with ``units`` (e.g.
        family).
    by : sequence of str
        Columns to group the plan by, from ``units`` or from the price or cost table
        (e.g. ``family`` from the product master); ``()`` gives one total row.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``units``, ``revenue``, ``cost_of_goods``, ``gross_margin`` and
        ``gross_margin_pct`` (a fraction).

    Examples
    --------
    >>> u = pd.DataFrame({"family": ["road", "city"], "region": ["north"] * 2, "units": [10, 20]})
    >>> prices = pd.DataFrame({"family": ["road", "city"], "net_price": [1000.0, 500.0]})
    >>> costs = pd.DataFrame({"family": ["road", "city"], "standard_cost": [600.0, 350.0]})
    >>> revenue_plan(u, prices, costs, by=["family"])[["family", "revenue", "gross_margin"]]
      family  revenue  gross_margin
    0   city  10000.0        3000.0
    1   road  10000.0        4000.0
    """
    by = list(by)
    require_columns(units, [value], "units")
    _check_nonnegative(units[value], f"units[{value!r}]")
    table = units.copy()
    lookups = [(standard_costs, cost, "standard_costs")]
    if net_prices is None:
        require_columns(units, [price], "units")
        _check_nonnegative(units[price], f"units[{price!r}]")
    else:
        lookups.insert(0, (net_prices, price, "net_prices"))
    for frame, column, label in lookups:
        require_columns(frame, [column], label)
        _check_nonnegative(frame[column], f"{label}[{column!r}]")
        keys = [c for c in frame.columns if c in units.columns and c != column]
        if not keys:
            raise ValueError(
                f"{label} shares no key column with units; give it e.g. a 'family' column."
            )
        if frame.duplicated(keys).any():
            raise ValueError(f"{label} has several rows for the same {keys}: keep one.")
        extra = [c for c in by if c in frame.columns and c not in table.columns and c not in keys]
        table = table.merge(frame[[*keys, column, *extra]], on=keys, how="left")
        missing = table.loc[table[column].isna(), keys].drop_duplicates()
        if len(missing):
            raise ValueError(
                f"{label} has no {column} for {missing.to_dict('records')[:3]}; add those rows."
            )
    missing_by = [c for c in by if c not in table.columns]
    if missing_by:
        raise ValueError(
            f"cannot group by {missing_by}: neither units nor the price and cost tables "
            "have those columns."
        )
    table["revenue"] = table[value] * table[price]
    table["cost_of_goods"] = table[value] * table[cost]
    columns = [value, "revenue", "cost_of_goods"]
    if by:
        out = table.groupby(by, as_index=False, observed=True)[columns].sum()
    else:
        out = table[columns].sum().to_frame().T
    out = out.rename(columns={value: "units"})
    out["gross_margin"] = out["revenue"] - out["cost_of_goods"]
    out["gross_margin_pct"] = np.where(
        out["revenue"] > 0, out["gross_margin"] / out["revenue"].where(out["revenue"] > 0), np.nan
    )
    return out


# --------------------------------------------------------------------------- pipeline
def weighted_pipeline(
    opportunities: pd.DataFrame,
    stage_probabilities: Mapping[str, float] | pd.Series | None = None,
    *,
    amount: str = "value",
    stage: str = "stage",
    probability: str = "stage_probability",
) -> pd.DataFrame:
    """Weight each open opportunity by its probability of being won.

    .. math:: W = \\sum_i a_i\\, \\pi_{s(i)}

    with :math:`a_i` the opportunity's amount and :math:`\\pi_s` the win probability of
    its stage :math:`s(i)` (or the opportunity's own ``probability`` column).

    Parameters
    ----------
    opportunities : pandas.DataFrame
        One row per open opportunity, with the ``amount`` column (default ``value``, in
        EUR) and ``stage`` (or the ``probability`` column, default ``stage_probability``).
    stage_probabilities : mapping or Series, optional
        Win probability of each stage (fractions); when given it overrides the
        ``probability`` column.

    Returns
    -------
    pandas.DataFrame
        The opportunities with ``probability`` and ``weighted_amount`` columns.

    Examples
    --------
    Freshworks CRM's example: six deals in Negotiation (70 %) worth 12,285 in all.

    >>> deals = pd.DataFrame({"value": [3950, 3060, 1460, 1340, 1285, 1190],
    ...                       "stage": ["Negotiation"] * 6})
    >>> float(weighted_pipeline(deals, {"Negotiation": 0.7})["weighted_amount"].sum().round(1))
    8599.5
    """
    if stage_probabilities is None:
        require_columns(opportunities, [amount, probability], "opportunities")
        probs = opportunities[probability].astype(float)
    else:
        require_columns(opportunities, [amount, stage], "opportunities")
        mapping = pd.Series(stage_probabilities, dtype=float)
        unknown = sorted(set(opportunities[stage]) - set(mapping.index))
        if unknown:
            raise ValueError(
                f"no probability for stage(s) {unknown}; add them to stage_probabilities."
            )
        probs = opportunities[stage].map(mapping).astype(float)
    _check_nonnegative(opportunities[amount], f"opportunities[{amount!r}]")
    if probs.isna().any() or ((probs < 0) | (probs > 1)).any():
        raise ValueError("probabilities must be fractions between 0 and 1 (0.7, not 70).")
    out = opportunities.copy()
    out[probability] = probs.to_numpy()
    out["weighted_amount"] = out[amount].astype(float) * out[probability]
    return out


def pipeline_by_month(
    opportunities: pd.DataFrame,
    stage_probabilities: Mapping[str, float] | pd.Series | None = None,
    *,
    close: str = "expected_close_month",
    amount: str = "value",
    stage: str = "stage",
    probability: str = "stage_probability",
    by_stage: bool = False,
) -> pd.DataFrame:
    """Time-phase the weighted pipeline by expected close month.

    .. math:: W_t = \\sum_{i:\\, \\text{close}(i) \\in t} a_i\\, \\pi_{s(i)}

    Parameters
    ----------
    opportunities : pandas.DataFrame
        Open opportunities with the ``close`` month and the columns that
        :func:`weighted_pipeline` needs.
    stage_probabilities : mapping or Series, optional
        Win probability per stage; default: the ``probability`` column.
    close : str
        Column with the expected close month (a month or a date).
    by_stage : bool
        Also split each month by stage.

    Returns
    -------
    pandas.DataFrame
        One row per month (and stage if ``by_stage``) with ``amount`` (unweighted),
        ``weighted_amount`` and ``opportunities`` (count).

    Examples
    --------
    >>> opps = pd.DataFrame({"value": [100.0, 200.0, 50.0], "stage": ["quote", "won?", "quote"],
    ...     "expected_close_month": ["2025-03", "2025-03", "2025-04"]})
    >>> pipeline_by_month(opps, {"quote": 0.5, "won?": 0.9})["weighted_amount"].tolist()
    [230.0, 25.0]
    """
    require_columns(opportunities, [close], "opportunities")
    weighted = weighted_pipeline(
        opportunities, stage_probabilities, amount=amount, stage=stage, probability=probability
    )
    try:
        closes = weighted[close]
        if isinstance(closes.dtype, pd.PeriodDtype):
            weighted["month"] = closes.dt.asfreq("M")
        else:
            weighted["month"] = pd.to_datetime(closes.astype(str)).dt.to_period("M")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{close} must hold months such as '2025-03'.") from exc
    if weighted["month"].isna().any():
        raise ValueError(f"{close} has missing dates: every open opportunity needs one.")
    keys = ["month", stage] if by_stage else ["month"]
    return (
        weighted.groupby(keys, observed=True)
        .agg(
            amount=(amount, "sum"),
            weighted_amount=("weighted_amount", "sum"),
            opportunities=(amount, "size"),
        )
        .reset_index()
    )


def calibrate_win_rates(
    closed: pd.DataFrame,
    stages: Sequence[str],
    assumed: Mapping[str, float] | pd.Series | None = None,
    *,
    stage: str = "stage",
    outcome: str = "status",
    confidence: float = 0.9,
    cumulative: bool = True,
) -> pd.DataFrame:
    """Win rate of each pipeline stage, measured on closed (won or lost) opportunities.

    An opportunity that reached stage :math:`k` also passed every earlier stage, so the
    win rate of stage :math:`s` is

    .. math:: \\hat\\pi_s = \\frac{\\#\\{\\text{won and reached} \\ge s\\}}
                                  {\\#\\{\\text{reached} \\ge s\\}}

    (``cumulative=True``, the stage-to-close conversion rate: the right probability for an
    open opportunity that is *now* at stage :math:`s`, since it may still move on). With
    ``cumulative=False`` only the opportunities whose last stage was :math:`s` count: the
    win rate of deals that closed straight from that stage. Each rate comes with a
    Wilson confidence interval (``scipy.stats.binomtest``). Compare it with the
    probability the CRM assumes: a stage whose interval excludes it needs recalibrating.

    Parameters
    ----------
    closed : pandas.DataFrame
        One row per closed opportunity: the furthest (last) stage it reached and its
        outcome: ``"won"`` / ``"lost"`` or True / False.
    stages : sequence of str
        The open stages in order, earliest first.
    assumed : mapping or Series, optional
        The stage probabilities in use, to compare with.
    confidence : float
        Confidence level of the interval.
    cumulative : bool
        Count an opportunity at every stage it passed (default) or only at its last stage.

    Returns
    -------
    pandas.DataFrame
        Indexed by stage: ``reached``, ``won``, ``win_rate``, ``ci_low``, ``ci_high`` (and
        ``assumed``, ``difference`` = assumed - measured, when given).

    Examples
    --------
    >>> closed = pd.DataFrame({"stage": ["lead", "lead", "quote", "quote"],
    ...                        "status": ["lost", "lost", "won", "lost"]})
    >>> calibrate_win_rates(closed, ["lead", "quote"])["win_rate"].tolist()
    [0.25, 0.5]
    >>> calibrate_win_rates(closed, ["lead", "quote"], cumulative=False)["win_rate"].tolist()
    [0.0, 0.5]
    """
    require_columns(closed, [stage, outcome], "closed")
    stages = list(stages)
    if not stages or len(set(stages)) != len(stages):
        raise ValueError("stages must list each open stage once, earliest first.")
    unknown = sorted(set(closed[stage].astype(str)) - set(stages))
    if unknown:
        raise ValueError(f"closed has stage(s) {unknown} that are not in stages; add them.")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.9.")
    result = closed[outcome]
    if pd.api.types.is_bool_dtype(result):
        won_flags = result.astype(bool)
    else:
        won_flags = result.astype(str).str.lower().map({"won": True, "lost": False})
    if won_flags.isna().any():
        raise ValueError(
            f"{outcome} must be 'won' or 'lost' (or True / False) for every row: "
            "keep only closed opportunities."
        )
    outcome_flags = won_flags.to_numpy(dtype=bool)
    rank = closed[stage].astype(str).map({s: i for i, s in enumerate(stages)}).to_numpy()
    rows = []
    for i, name in enumerate(stages):
        reached = rank >= i if cumulative else rank == i
        n, k = int(reached.sum()), int((reached & outcome_flags).sum())
        if n:
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
            rows.append((name, n, k, k / n, ci.low, ci.high))
        else:
            rows.append((name, 0, 0, np.nan, np.nan, np.nan))
    table = pd.DataFrame(
        rows, columns=[stage, "reached", "won", "win_rate", "ci_low", "ci_high"]
    ).set_index(stage)
    if assumed is not None:
        assumed = pd.Series(assumed, dtype=float)
        table["assumed"] = assumed.reindex(table.index)
        table["difference"] = table["assumed"] - table["win_rate"]
    return table


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
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
        raise ValueError(f"periods must be a whole number >= 1, got {periods!r}.")
    if form not in ("continuous", "discrete"):
        raise ValueError(f"form must be 'continuous' or 'discrete', got {form!r}.")
    if isinstance(start, bool) or not isinstance(start, int | np.integer) or start < 1:
        raise ValueError(f"start must be a whole number >= 1, got {start!r}.")
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
    y = _check_nonnegative(sales, "sales")
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
    _check_nonnegative(analogs[value], f"analogs[{value!r}]")
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
        raise ValueError(f"periods must be a whole number >= 1, got {periods!r}.")
    if not np.isfinite(launch_volume) or launch_volume < 0:
        raise ValueError("launch_volume must be a number >= 0.")
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
    _check_nonnegative(forecast, "new_item_forecast")
    if not np.isfinite(cannibalisation_rate) or not 0 <= cannibalisation_rate <= 1:
        raise ValueError("cannibalisation_rate must be a fraction between 0 and 1, e.g. 0.3.")
    shares = pd.Series(source_shares, dtype=float)
    _check_nonnegative(shares, "source_shares")
    if abs(shares.sum() - 1) > 1e-6:
        raise ValueError(f"source_shares sum to {shares.sum():.4f}; they must sum to 1.")
    out = pd.DataFrame(index=forecast.index)
    for name, share in shares.items():
        out[f"lost_{name}"] = cannibalisation_rate * share * forecast
    out["new_item"] = forecast
    out["total_lost"] = cannibalisation_rate * forecast
    out["net_incremental"] = forecast - out["total_lost"]
    return out


# --------------------------------------------------------------------------- gap to goal
def gap_to_goal(
    baseline: float,
    weighted_pipeline: float,
    new_products: float,
    target: float,
    *,
    other: Mapping[str, float] | None = None,
) -> pd.Series:
    """Bridge from the baseline plan to the corporate target.

    .. math:: \\text{plan} = B + W + N + \\sum_k O_k, \\qquad \\text{gap} = T - \\text{plan}

    with baseline :math:`B` (the statistical forecast of the existing business),
    weighted pipeline :math:`W`, new products :math:`N`, other signed initiatives
    :math:`O_k` (price increase, a lost customer, ...) and target :math:`T`. A positive
    gap is still to be closed; a negative gap means the plan beats the target.

    Parameters
    ----------
    baseline, weighted_pipeline, new_products : float
        The three building blocks of the plan [B, W, N], in one money unit.
    target : float
        The corporate target [T], in the same unit.
    other : mapping, optional
        Further signed steps by name [O_k], e.g. ``{"price_increase": 1.2}``.

    Returns
    -------
    pandas.Series
        ``baseline``, ``weighted_pipeline``, ``new_products``, the ``other`` items,
        ``plan``, ``target`` and ``gap``.

    Examples
    --------
    >>> gap_to_goal(80.0, 6.0, 4.0, 100.0)[["plan", "gap"]].tolist()
    [90.0, 10.0]
    """
    parts = {
        "baseline": baseline,
        "weighted_pipeline": weighted_pipeline,
        "new_products": new_products,
    }
    for name, v in {**parts, "target": target}.items():
        if v is None or not np.isfinite(v):
            raise ValueError(f"{name} must be a finite number.")
    for name in ("baseline", "weighted_pipeline", "new_products", "target"):
        if {**parts, "target": target}[name] < 0:
            raise ValueError(f"{name} must be zero or more.")
    extra = dict(other or {})
    for name, v in extra.items():
        if name in parts or name in ("plan", "target", "gap"):
            raise ValueError(f"other item {name!r} clashes with a built-in line; rename it.")
        if v is None or not np.isfinite(v):
            raise ValueError(f"other item {name!r} must be a finite number.")
    bridge = pd.Series({**parts, **extra}, dtype=float)
    plan = float(bridge.sum())
    return pd.concat([bridge, pd.Series({"plan": plan, "target": target, "gap": target - plan})])


def plot_gap_to_goal(gap: pd.Series, *, units: str = "EUR", ymin: float | None = None, ax=None):
    """Waterfall from the baseline to the plan, then the gap bar up (or down) to the target.

    Parameters
    ----------
    gap : pandas.Series
        The output of :func:`gap_to_goal`.
    units : str
        Money or volume unit for the axis label, e.g. ``"EUR m"``.
    ymin : float, optional
        Start the y-axis here instead of at zero, so that small steps are visible (the
        start, plan and target bars are then cut; every bar is labelled with its value).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_gap_to_goal(gap_to_goal(80.0, 6.0, 4.0, 100.0), units="EUR m")
    >>> [round(float(p.get_height()), 1) for p in ax.patches]
    [80.0, 6.0, 4.0, 90.0, 10.0, 100.0]
    >>> ax.get_ylabel()
    'Revenue (EUR m)'
    >>> plt.close("all")
    """
    if not isinstance(gap, pd.Series) or not {"plan", "target", "gap"} <= set(gap.index):
        raise ValueError("gap must be the Series returned by gap_to_goal.")
    steps = gap.drop(["plan", "target", "gap"])
    labels = {
        "baseline": "Baseline",
        "weighted_pipeline": "Weighted\npipeline",
        "new_products": "New\nproducts",
    }
    steps.index = [labels.get(i, str(i).replace("_", " ").capitalize()) for i in steps.index]
    ax = waterfall(steps, total_label="Plan", ylabel=f"Revenue ({units})", ax=ax)
    position = len(steps) + 1
    plan, target, remaining = gap["plan"], gap["target"], gap["gap"]
    ax.bar(
        position,
        abs(remaining),
        bottom=min(plan, target),
        color=COLORS["accent"] if remaining > 0 else COLORS["good"],
        hatch="//",
    )
    ax.bar(position + 1, target, color=COLORS["neutral"])
    ax.axhline(target, color=COLORS["neutral"], linestyle="--", linewidth=1)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    ax.set_xticks(
        np.arange(position + 2),
        ticks + ["Gap to goal" if remaining > 0 else "Ahead of goal", "Target"],
    )
    labels = (
        [f"{steps.iloc[0]:,.1f}"]
        + [f"{v:+,.1f}" for v in steps.iloc[1:]]
        + [f"{plan:,.1f}", f"{remaining:+,.1f}", f"{target:,.1f}"]
    )
    for patch, label in zip(ax.patches, labels, strict=True):
        top = patch.get_y() + patch.get_height()
        ax.annotate(
            label,
            (patch.get_x() + patch.get_width() / 2, top),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    if ymin is not None:
        ax.set_ylim(bottom=ymin)
    ax.set_title(
        f"Gap to goal: {remaining:,.1f} {units}"
        if remaining > 0
        else f"Plan ahead of goal by {-remaining:,.1f} {units}",
        loc="left",  # as the course style places titles, whatever style is active
    )
    return ax
