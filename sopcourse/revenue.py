"""Sales revenue planning: revenue and gross-margin plans, the opportunity pipeline and
the gap to the corporate goal. The new products' curves (Bass diffusion, like-item launch
curves, cannibalisation) are in :mod:`sopcourse.new_products`.

Units: money columns are in the currency of the price table (Tallridge: EUR); units are
bicycles; periods are months unless stated otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_number, check_numbers, require_columns

# The new products' curves moved to new_products; still reachable as
# sopcourse.revenue.<name> for code written before the move (widgets.planning).
from .new_products import (  # noqa: F401
    bass_cumulative,
    bass_curve,
    bass_peak,
    cannibalisation,
    fit_bass,
    like_item_curve,
)
from .plotting import COLORS, waterfall

__all__ = [
    "revenue_plan",
    "weighted_pipeline",
    "pipeline_by_month",
    "calibrate_win_rates",
    "gap_to_goal",
    "plot_gap_to_goal",
]


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
    check_numbers(units[value], f"units[{value!r}]", low=0)
    table = units.copy()
    lookups = [(standard_costs, cost, "standard_costs")]
    if net_prices is None:
        require_columns(units, [price], "units")
        check_numbers(units[price], f"units[{price!r}]", low=0)
    else:
        lookups.insert(0, (net_prices, price, "net_prices"))
    for frame, column, label in lookups:
        require_columns(frame, [column], label)
        check_numbers(frame[column], f"{label}[{column!r}]", low=0)
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
    check_numbers(opportunities[amount], f"opportunities[{amount!r}]", low=0)
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
    check_number(
        confidence, "confidence", low=0, high=1, low_open=True, high_open=True, hint="E.g. 0.9."
    )
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
        check_number(v, name, low=0)
    extra = dict(other or {})
    for name, v in extra.items():
        if name in parts or name in ("plan", "target", "gap"):
            raise ValueError(f"other item {name!r} clashes with a built-in line; rename it.")
        check_number(v, f"other item {name!r}")
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
