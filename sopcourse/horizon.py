"""The S&OP time horizon and the planning hierarchy: time buckets, the rolling horizon, time
fences, aggregation across product, location and time, and top-down, bottom-up and
middle-out planning.

Conventions
-----------
* Tables are **tidy**: one row per item (SKU), location (region) and period (month), with a
  numeric value column (``units`` by default). Column names are arguments, so the same
  functions work on the Tallridge tables and on a learner's own data.
* Periods are monthly ``pandas.Period`` values (or anything ``pd.Period(..., "M")`` reads,
  such as ``"2025-03"`` or a month-start timestamp).
* Top-down proportions follow Hyndman & Athanasopoulos, *Forecasting: Principles and
  Practice*, 3rd ed. (FPP3), section 11.2 "Single level approaches" (2nd ed., section 10.5
  "Top-down approaches"), which takes them from Gross & Sohl (1990), methods A and F.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers, check_whole_number, require_columns
from ._results import Result

__all__ = [
    "time_buckets",
    "rolling_horizon",
    "classify_time_fences",
    "check_plan_changes",
    "sop_calendar",
    "level_production_plan",
    "aggregate_sales",
    "historical_proportions",
    "disaggregate_top_down",
    "bottom_up",
    "ReconciledPlan",
    "middle_out",
    "planning_gap",
    "plot_planning_gap",
    "SOP_STEPS",
    "TIME_FENCE_RULES",
]

#: The five steps of the monthly S&OP cycle, in order, with their usual owner.
SOP_STEPS = pd.DataFrame(
    {
        "step": [
            "Data gathering",
            "Demand review",
            "Supply review",
            "Pre-S&OP and financial reconciliation",
            "Executive S&OP meeting",
        ],
        "owner": [
            "Demand planning and IT",
            "Sales and marketing (led by demand planning)",
            "Operations, procurement and supply planning",
            "S&OP lead and finance",
            "Chief executive and the leadership team",
        ],
    }
)

#: What a plan revision may change inside each time-fence zone.
TIME_FENCE_RULES = {
    "frozen": "no change: materials are bought and the schedule is fixed",
    "slushy": "small changes only (within the tolerance), traded off against other items",
    "liquid": "any change: only capacity and long-lead materials constrain the plan",
}

_PRODUCT_LEVELS = ("sku", "family", "total")
_LOCATION_LEVELS = ("region", "total")
_TIME_LEVELS = ("month", "quarter", "year")
_METHODS = ("average_of_proportions", "proportion_of_averages")


# --------------------------------------------------------------------------- months
def _to_period(values, freq: str = "M"):
    try:
        if isinstance(values, pd.Series):
            if isinstance(values.dtype, pd.PeriodDtype):
                return values.dt.asfreq(freq)
            return pd.to_datetime(values.astype(str)).dt.to_period(freq)
        return pd.Period(values, freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"could not read {values!r} as a month; use 'YYYY-MM' strings or pd.Period."
        ) from exc


# --------------------------------------------------------------------------- horizon
def time_buckets(start, periods: int, freq: str = "M") -> pd.DataFrame:
    """The time buckets of a planning horizon: one row per bucket with its first and last day.

    Parameters
    ----------
    start : str or pandas.Period
        First bucket, e.g. ``"2025-01"``.
    periods : int
        Number of buckets [H, the horizon length].
    freq : {"M", "Q", "W"}
        Bucket length: month, quarter or week (weeks start on Monday).

    Returns
    -------
    pandas.DataFrame
        Columns ``bucket`` (Period), ``start``, ``end`` (Timestamps) and ``days``.

    Examples
    --------
    >>> buckets = time_buckets("2025-01", 3)
    >>> buckets["bucket"].astype(str).tolist(), buckets["days"].tolist()
    (['2025-01', '2025-02', '2025-03'], [31, 28, 31])
    """
    periods = check_whole_number(periods, "periods")
    if freq not in ("M", "Q", "W"):
        raise ValueError(f"freq must be 'M' (month), 'Q' (quarter) or 'W' (week), got {freq!r}.")
    pandas_freq = "W-SUN" if freq == "W" else freq
    first = _to_period(start, pandas_freq)
    buckets = pd.period_range(first, periods=periods, freq=pandas_freq)
    table = pd.DataFrame(
        {
            "bucket": buckets,
            "start": buckets.start_time,
            "end": buckets.end_time.normalize(),
        }
    )
    table["days"] = (table["end"] - table["start"]).dt.days + 1
    return table


def rolling_horizon(first_month, horizon: int = 18, cycles: int = 3) -> pd.DataFrame:
    """Which months each monthly S&OP cycle plans: every month the horizon rolls one month.

    Cycle :math:`k` (held in month :math:`s+k`) plans months :math:`s+k+1, \\dots, s+k+H`:
    the month just finished drops out and a new month joins at the end.

    Parameters
    ----------
    first_month : str or pandas.Period
        The month of the first S&OP meeting [s].
    horizon : int
        Number of months planned ahead [H]; S&OP usually looks 18 to 24 months out.
    cycles : int
        Number of consecutive monthly cycles to show.

    Returns
    -------
    pandas.DataFrame
        One row per (cycle month, planned month), with ``months_ahead`` (1 = next month).

    Examples
    --------
    >>> table = rolling_horizon("2025-01", horizon=3, cycles=2)
    >>> [(str(c), str(g["period"].min()), str(g["period"].max())) for c, g in table.groupby("cycle")]
    [('2025-01', '2025-02', '2025-04'), ('2025-02', '2025-03', '2025-05')]
    """
    horizon = check_whole_number(horizon, "horizon")
    cycles = check_whole_number(cycles, "cycles")
    first = _to_period(first_month)
    rows = [
        (first + k, first + k + ahead, ahead)
        for k in range(cycles)
        for ahead in range(1, horizon + 1)
    ]
    return pd.DataFrame(rows, columns=["cycle", "period", "months_ahead"])


def classify_time_fences(periods, plan_start, frozen: int, slushy: int) -> pd.Series:
    """Label each period frozen, slushy or liquid by how far it lies from the plan start.

    With :math:`a = t - s` months ahead of the plan start :math:`s` (0 = the first month):
    frozen if :math:`a < F`, slushy if :math:`F \\le a < F + S`, liquid otherwise, where
    :math:`F` is the frozen-fence length and :math:`S` the slushy-zone length (in months).
    Periods before the plan start are the past and are labelled ``"past"``.

    Parameters
    ----------
    periods : sequence
        The months to classify.
    plan_start : str or pandas.Period
        First month of the plan [s].
    frozen : int
        Length of the frozen zone in months [F], e.g. the assembly lead time.
    slushy : int
        Length of the slushy zone in months [S], e.g. the purchasing lead time of key parts.

    Examples
    --------
    >>> classify_time_fences(["2025-01", "2025-02", "2025-03", "2025-04"], "2025-01", 1, 2).tolist()
    ['frozen', 'slushy', 'slushy', 'liquid']
    """
    for name, value in (("frozen", frozen), ("slushy", slushy)):
        check_whole_number(value, name, low=0)
    start = _to_period(plan_start)
    index = pd.PeriodIndex([_to_period(p) for p in periods], freq="M")
    if len(index) == 0:
        raise ValueError("periods is empty: pass at least one month.")
    ahead = np.array([(p - start).n for p in index])
    zone = np.where(
        ahead < 0,
        "past",
        np.where(ahead < frozen, "frozen", np.where(ahead < frozen + slushy, "slushy", "liquid")),
    )
    return pd.Series(zone, index=index, name="zone")


def check_plan_changes(
    current_plan: pd.DataFrame,
    revised_plan: pd.DataFrame,
    plan_start,
    *,
    frozen: int,
    slushy: int,
    slushy_tolerance: float = 0.10,
    period: str = "month",
    value: str = "units",
    keys: Sequence[str] = (),
) -> pd.DataFrame:
    """Check which changes of a plan revision the time fences allow.

    A change :math:`\\Delta = x^{new} - x^{old}` is allowed in the frozen zone only if it
    is zero; in the slushy zone if :math:`|\\Delta| \\le \\tau\\, x^{old}`; in the liquid zone
    always. (Real companies let the master scheduler or the S&OP meeting approve
    exceptions; this function flags them.)

    Parameters
    ----------
    current_plan, revised_plan : pandas.DataFrame
        Tidy plans with the ``period`` and ``value`` columns and any ``keys`` (e.g. family).
    plan_start : str or pandas.Period
        First month of the plan [s].
    frozen, slushy : int
        Zone lengths in months [F, S] (see :func:`classify_time_fences`).
    slushy_tolerance : float
        Largest relative change allowed in the slushy zone [tau], a fraction (0.10 = 10 %).

    Returns
    -------
    pandas.DataFrame
        Keys, period, ``zone``, ``current``, ``revised``, ``change``, ``relative_change``
        and ``allowed`` (bool).

    Examples
    --------
    >>> old = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "units": [100, 100, 100]})
    >>> new = pd.DataFrame({"month": ["2025-01", "2025-02", "2025-03"], "units": [105, 108, 150]})
    >>> check_plan_changes(old, new, "2025-01", frozen=1, slushy=1)[["zone", "change", "allowed"]]
         zone  change  allowed
    0  frozen     5.0    False
    1  slushy     8.0     True
    2  liquid    50.0     True
    """
    keys = list(keys)
    for frame, label in ((current_plan, "current_plan"), (revised_plan, "revised_plan")):
        require_columns(frame, [*keys, period, value], label)
        check_numbers(frame[value], f"{label}[{value!r}]", low=0, allow_empty=True)
    fraction = {"low": 0, "high": 1, "high_open": True, "hint": "A fraction: 0.10 = 10 %."}
    check_number(slushy_tolerance, "slushy_tolerance", **fraction)
    old = current_plan[[*keys, period, value]].assign(**{period: _to_period(current_plan[period])})
    new = revised_plan[[*keys, period, value]].assign(**{period: _to_period(revised_plan[period])})
    merged = old.merge(new, on=[*keys, period], how="outer", suffixes=("_old", "_new"))
    merged = merged.rename(columns={f"{value}_old": "current", f"{value}_new": "revised"})
    merged[["current", "revised"]] = merged[["current", "revised"]].fillna(0.0).astype(float)
    zones = classify_time_fences(merged[period].tolist(), plan_start, frozen, slushy)
    merged["zone"] = zones.to_numpy()
    merged["change"] = merged["revised"] - merged["current"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = merged["change"] / merged["current"]
    merged["relative_change"] = rel.where(
        merged["current"] > 0, np.where(merged["change"] == 0, 0.0, np.inf)
    )
    tol = 1e-9
    merged["allowed"] = np.select(
        [merged["zone"] == "frozen", merged["zone"] == "slushy", merged["zone"] == "past"],
        [
            merged["change"].abs() <= tol,
            merged["change"].abs() <= slushy_tolerance * merged["current"] + tol,
            merged["change"].abs() <= tol,
        ],
        default=True,
    ).astype(bool)
    columns = [*keys, period, "zone", "current", "revised", "change", "relative_change", "allowed"]
    return merged[columns].sort_values([period, *keys]).reset_index(drop=True)


def sop_calendar(month, durations: Sequence[int] = (3, 4, 4, 3, 1), holidays=()) -> pd.DataFrame:
    """Lay out the five steps of the monthly S&OP cycle on the working days of a month.

    Each step starts on the working day after the previous one ends (Monday to Friday,
    minus ``holidays``), in the order of :data:`SOP_STEPS`.

    Parameters
    ----------
    month : str or pandas.Period
        The month of the cycle.
    durations : sequence of 5 ints
        Working days of data gathering, demand review, supply review, pre-S&OP and the
        executive meeting.
    holidays : sequence of dates
        Non-working days inside the month.

    Returns
    -------
    pandas.DataFrame
        ``step``, ``owner``, ``start``, ``end`` (dates) and ``working_days``.

    Examples
    --------
    >>> calendar = sop_calendar("2025-03")
    >>> calendar["start"].dt.strftime("%a %d").tolist()
    ['Mon 03', 'Thu 06', 'Wed 12', 'Tue 18', 'Fri 21']
    """
    durations = [check_whole_number(d, "each duration") for d in durations]
    if len(durations) != len(SOP_STEPS):
        raise ValueError(f"durations needs {len(SOP_STEPS)} values, one per S&OP step.")
    period = _to_period(month)
    holidays = np.array(pd.to_datetime(list(holidays)).values.astype("datetime64[D]"))
    first = np.busday_offset(
        np.datetime64(period.start_time.date(), "D"), 0, roll="forward", holidays=holidays
    )
    last_day = np.datetime64(period.end_time.date(), "D")
    starts, ends = [], []
    day = first
    for d in durations:
        end = np.busday_offset(day, d - 1, holidays=holidays)
        starts.append(day)
        ends.append(end)
        day = np.busday_offset(end, 1, holidays=holidays)
    if ends[-1] > last_day:
        raise ValueError(
            f"the steps need {sum(durations)} working days, more than {period} has; "
            "shorten the durations."
        )
    table = SOP_STEPS.copy()
    table["start"] = pd.to_datetime(starts)
    table["end"] = pd.to_datetime(ends)
    table["working_days"] = durations
    return table


def level_production_plan(
    forecast,
    opening_inventory: float,
    ending_inventory: float,
    *,
    working_days=None,
    backlog: float = 0.0,
) -> pd.DataFrame:
    """A level make-to-stock plan for a product family: the S&OP balance, spread evenly.

    Total production over the horizon follows from the balance
    :math:`P = \\sum_t D_t + B + I_{end} - I_{start}`; a level plan makes it at one rate per
    working day, :math:`P_t = P\\, d_t / \\sum_t d_t` (or :math:`P / n` per period when no
    working days are given), and the stock evolves as :math:`I_t = I_{t-1} + P_t - D_t`.

    Parameters
    ----------
    forecast : array-like or pandas.Series
        Demand forecast per period [D_t] (the index is kept).
    opening_inventory : float
        Stock at the start of the plan [I_start].
    ending_inventory : float
        Stock wanted at the end of the plan [I_end].
    working_days : array-like, optional
        Working days per period [d_t]; default: equal periods.
    backlog : float
        Past-due customer orders to make up [B].

    Returns
    -------
    pandas.DataFrame
        ``forecast``, ``working_days``, ``production`` and ``ending_inventory`` per period;
        the daily rate is ``production / working_days``.

    Examples
    --------
    >>> plan = level_production_plan([6000, 5500, 5000, 6500], 2000, 500)
    >>> plan["production"].tolist()
    [5375.0, 5375.0, 5375.0, 5375.0]
    """
    demand = pd.Series(forecast)
    demand = pd.Series(check_numbers(demand, "forecast", low=0), index=demand.index)
    opening_inventory = check_number(opening_inventory, "opening_inventory", low=0)
    ending_inventory = check_number(ending_inventory, "ending_inventory", low=0)
    backlog = check_number(backlog, "backlog", low=0)
    if working_days is None:
        days = pd.Series(1.0, index=demand.index)
    else:
        values = check_numbers(working_days, "working_days", low=0)
        if values.shape != (len(demand),) or (values <= 0).any():
            raise ValueError(
                f"working_days needs one positive number per forecast period ({len(demand)}); "
                f"got {values.tolist()}."
            )
        days = pd.Series(values, index=demand.index)
    total = demand.sum() + backlog + ending_inventory - opening_inventory
    if total < 0:
        raise ValueError(
            "the opening inventory already covers the forecast and the ending inventory: "
            "no production is needed; lower opening_inventory or raise ending_inventory."
        )
    production = total * days / days.sum()
    stock = opening_inventory - backlog + (production - demand).cumsum()
    return pd.DataFrame(
        {
            "forecast": demand,
            "working_days": days if working_days is not None else np.nan,
            "production": production,
            "ending_inventory": stock,
        }
    )


# --------------------------------------------------------------------------- aggregation
def aggregate_sales(
    sales: pd.DataFrame,
    *,
    product: str = "family",
    location: str = "total",
    time: str = "month",
    value: str = "units",
    sku: str = "sku",
    family: str = "family",
    region: str = "region",
    period: str = "month",
    product_families: pd.Series | None = None,
) -> pd.DataFrame:
    """Aggregate a tidy sales table across product, location and time.

    .. math:: Y_{g,r,\\tau} = \\sum_{i \\in g} \\sum_{l \\in r} \\sum_{t \\in \\tau} y_{i,l,t}

    Parameters
    ----------
    sales : pandas.DataFrame
        One row per SKU, region and month, with the value column.
    product : {"sku", "family", "total"}
        Product level of the result.
    location : {"region", "total"}
        Location level of the result.
    time : {"month", "quarter", "year"}
        Time bucket of the result.
    value : str
        Column to add up (units, revenue, ...).
    sku, family, region, period : str
        Names of those columns in ``sales``.
    product_families : pandas.Series, optional
        SKU -> family map, used when ``sales`` has no family column.

    Returns
    -------
    pandas.DataFrame
        One row per product group, location and time bucket; total levels are labelled
        ``"total"``.

    Examples
    --------
    >>> sales = pd.DataFrame({"sku": ["a", "b", "a", "b"], "family": ["road"] * 4,
    ...     "region": ["north", "north", "south", "south"],
    ...     "month": ["2025-01", "2025-02", "2025-03", "2025-04"], "units": [1, 2, 3, 4]})
    >>> aggregate_sales(sales, product="family", time="quarter")
      family region  period  units
    0   road  total  2025Q1      6
    1   road  total  2025Q2      4
    """
    for name, level, allowed in (
        ("product", product, _PRODUCT_LEVELS),
        ("location", location, _LOCATION_LEVELS),
        ("time", time, _TIME_LEVELS),
    ):
        if level not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {level!r}.")
    needed = [period, value]
    if product == "sku" or (product == "family" and family not in sales.columns):
        needed.append(sku)
    if location == "region":
        needed.append(region)
    require_columns(sales, needed, "sales")
    check_numbers(sales[value], f"sales[{value!r}]", low=0, allow_empty=True)
    data = sales.copy()
    if product == "family" and family not in data.columns:
        if product_families is None:
            raise ValueError(
                f"sales has no {family!r} column: pass product_families (a SKU -> family Series)."
            )
        data[family] = data[sku].map(product_families)
        unknown = data.loc[data[family].isna(), sku].unique()
        if len(unknown):
            raise ValueError(f"SKUs {list(unknown)[:5]} are not in product_families; add them.")
    product_col = sku if product == "sku" else family
    if product == "total":
        data[product_col] = "total"
    if location == "total":
        data[region] = "total"
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[time]
    data["period"] = _to_period(data[period]).dt.asfreq(freq)
    keys = [product_col, region, "period"]
    return data.groupby(keys, observed=True, as_index=False)[value].sum()


# --------------------------------------------------------------------------- top-down
def historical_proportions(
    history: pd.DataFrame,
    method: str = "average_of_proportions",
    *,
    item: str = "sku",
    period: str = "month",
    value: str = "units",
    parent: str | None = None,
    last_periods: int | None = None,
) -> pd.Series:
    """Each item's share of its parent (the total, or its family) from history.

    Hyndman & Athanasopoulos, FPP3 section 11.2 (FPP2 section 10.5), after Gross & Sohl
    (1990), over the :math:`T` periods of history with item values :math:`y_{j,t}` and
    parent totals :math:`y_t`:

    * **average of proportions** (method A): :math:`p_j = \\frac{1}{T}\\sum_{t=1}^{T}
      \\frac{y_{j,t}}{y_t}`, the mean of the monthly shares;
    * **proportion of averages** (method F): :math:`p_j = \\sum_{t=1}^{T}\\frac{y_{j,t}}{T}
      \\Big/ \\sum_{t=1}^{T}\\frac{y_t}{T}`, the share of the total volume.

    The first weighs every month equally (a quiet January counts as much as May); the
    second weighs months by their volume and is steadier when small months are noisy.

    Parameters
    ----------
    history : pandas.DataFrame
        Tidy history: item, period, value (and ``parent`` if given). Several rows per
        item and period (e.g. regions) are added up first.
    method : {"average_of_proportions", "proportion_of_averages"}
    item, period, value : str
        Column names.
    parent : str, optional
        Column with the parent group (e.g. ``"family"``): shares are then within each
        parent and sum to 1 per parent. Default: shares of the grand total.
    last_periods : int, optional
        Use only the last T periods of history.

    Returns
    -------
    pandas.Series
        Proportions :math:`p_j` indexed by item (and parent, as the first level).

    Examples
    --------
    >>> h = pd.DataFrame({"sku": ["a", "b"] * 2, "month": ["2025-01"] * 2 + ["2025-02"] * 2,
    ...                   "units": [10, 30, 60, 40]})
    >>> historical_proportions(h, "average_of_proportions").round(3).tolist()
    [0.425, 0.575]
    >>> historical_proportions(h, "proportion_of_averages").round(3).tolist()
    [0.5, 0.5]
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}.")
    groups = [parent] if parent else []
    require_columns(history, [*groups, item, period, value], "history")
    check_numbers(history[value], f"history[{value!r}]", low=0, allow_empty=True)
    data = history[[*groups, item, period, value]].copy()
    data[period] = _to_period(data[period])
    data[value] = data[value].astype(float)  # integer units: the 0.0 fill must fit the dtype
    if last_periods is not None:
        last_periods = check_whole_number(last_periods, "last_periods")
        keep = sorted(data[period].unique())[-last_periods:]
        data = data[data[period].isin(keep)]
    wide = data.pivot_table(
        index=period,
        columns=[*groups, item],
        values=value,
        aggfunc="sum",
        fill_value=0.0,
        observed=True,
    ).astype(float)
    if groups:
        parent_totals = wide.T.groupby(level=0, observed=True).sum().T
        denominators = parent_totals.reindex(columns=wide.columns.get_level_values(0))
        denominators.columns = wide.columns
    else:
        denominators = pd.DataFrame(
            np.repeat(wide.sum(axis=1).to_numpy()[:, None], wide.shape[1], axis=1),
            index=wide.index,
            columns=wide.columns,
        )
    if method == "average_of_proportions":
        if (denominators <= 0).to_numpy().any():
            raise ValueError(
                "a parent total is zero in some period, so its shares are undefined; "
                "use method='proportion_of_averages' or drop those periods."
            )
        shares = (wide / denominators).mean(axis=0)
    else:
        totals = denominators.iloc[:, :].sum(axis=0)
        if (totals <= 0).any():
            raise ValueError("a parent has no volume at all in the history: drop it.")
        shares = wide.sum(axis=0) / totals
    shares.name = "proportion"
    return shares


def disaggregate_top_down(
    aggregate_plan: pd.Series | pd.DataFrame,
    proportions: pd.Series,
    *,
    period: str = "month",
    value: str = "units",
    item: str = "sku",
    parent: str | None = None,
) -> pd.DataFrame:
    """Split an aggregate plan down to items by fixed proportions: :math:`\\tilde y_{j,t} =
    p_j\\, \\hat y_t`.

    Parameters
    ----------
    aggregate_plan : pandas.Series or pandas.DataFrame
        The total plan as a Series indexed by period, or (with ``parent``) a tidy table
        with the parent, period and value columns, e.g. a family plan.
    proportions : pandas.Series
        Shares from :func:`historical_proportions` (index: item, or (parent, item)).

    Returns
    -------
    pandas.DataFrame
        Tidy item plan: (parent,) item, period, value.

    Examples
    --------
    >>> p = pd.Series({"a": 0.25, "b": 0.75})
    >>> disaggregate_top_down(pd.Series({"2025-01": 100.0, "2025-02": 200.0}), p)
      sku    month  units
    0   a  2025-01   25.0
    1   b  2025-01   75.0
    2   a  2025-02   50.0
    3   b  2025-02  150.0
    """
    if not isinstance(proportions, pd.Series) or proportions.empty:
        raise ValueError("proportions must be a non-empty Series (see historical_proportions).")
    check_numbers(proportions, "proportions", low=0)
    if parent is None:
        if not isinstance(aggregate_plan, pd.Series):
            raise ValueError(
                "aggregate_plan must be a Series indexed by period when parent is None."
            )
        check_numbers(aggregate_plan, "aggregate_plan", low=0, allow_empty=True)
        if abs(proportions.sum() - 1) > 1e-6:
            raise ValueError(f"proportions sum to {proportions.sum():.4f}, not 1: normalise them.")
        out = pd.DataFrame(
            {
                item: np.tile(proportions.index.to_numpy(), len(aggregate_plan)),
                period: np.repeat(aggregate_plan.index.to_numpy(), len(proportions)),
                value: np.outer(aggregate_plan.to_numpy(float), proportions.to_numpy()).ravel(),
            }
        )
        return out
    require_columns(aggregate_plan, [parent, period, value], "aggregate_plan")
    check_numbers(aggregate_plan[value], f"aggregate_plan[{value!r}]", low=0, allow_empty=True)
    if proportions.index.nlevels != 2:
        raise ValueError("with parent, proportions must be indexed by (parent, item).")
    shares = proportions.rename("share").reset_index()
    shares.columns = [parent, item, "share"]
    sums = shares.groupby(parent, observed=True)["share"].sum()
    if ((sums - 1).abs() > 1e-6).any():
        raise ValueError("the proportions within each parent must sum to 1.")
    unknown = set(aggregate_plan[parent]) - set(shares[parent])
    if unknown:
        raise ValueError(f"no proportions for {sorted(unknown)}: compute them from history.")
    out = aggregate_plan[[parent, period, value]].merge(shares, on=parent)
    out[value] = out[value].astype(float) * out["share"]
    return out[[parent, item, period, value]].reset_index(drop=True)


def bottom_up(
    item_plan: pd.DataFrame,
    hierarchy: pd.DataFrame | None = None,
    *,
    level: str = "family",
    item: str = "sku",
    period: str = "month",
    value: str = "units",
) -> pd.DataFrame:
    """Build the higher levels of the plan by adding up item plans: :math:`\\tilde y_{g,t} =
    \\sum_{j \\in g} \\hat y_{j,t}`.

    Parameters
    ----------
    item_plan : pandas.DataFrame
        Tidy item forecasts: item, period, value (and ``level`` if it has it).
    hierarchy : pandas.DataFrame, optional
        Item -> group map with the ``item`` and ``level`` columns, when ``item_plan``
        lacks the ``level`` column.
    level : str
        Group column to sum to, or ``"total"``.

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [3.0, 4.0]})
    >>> bottom_up(plan, level="total")
         month  units
    0  2025-01    7.0
    """
    require_columns(item_plan, [item, period, value], "item_plan")
    check_numbers(item_plan[value], f"item_plan[{value!r}]", low=0, allow_empty=True)
    data = item_plan
    if level == "total":
        return data.groupby(period, as_index=False, observed=True)[value].sum()
    if level not in data.columns:
        if hierarchy is None:
            raise ValueError(
                f"item_plan has no {level!r} column: pass hierarchy (item -> {level})."
            )
        require_columns(hierarchy, [item, level], "hierarchy")
        data = data.merge(hierarchy[[item, level]].drop_duplicates(), on=item, how="left")
        unknown = data.loc[data[level].isna(), item].unique()
        if len(unknown):
            raise ValueError(f"items {list(unknown)[:5]} are not in hierarchy; add them.")
    return data.groupby([level, period], as_index=False, observed=True)[value].sum()


@dataclass(frozen=True, eq=False)
class ReconciledPlan(Result):
    """The tidy plans of :func:`middle_out` at three levels, coherent: the items sum to
    the middle level and the middle level to the total. Reads like a dict: ``["items"]``."""

    total: pd.DataFrame
    middle: pd.DataFrame
    items: pd.DataFrame


def middle_out(
    middle_plan: pd.DataFrame,
    history: pd.DataFrame,
    *,
    middle: str = "family",
    item: str = "sku",
    period: str = "month",
    value: str = "units",
    method: str = "proportion_of_averages",
    last_periods: int | None = None,
) -> ReconciledPlan:
    """Reconcile from the middle: plan the families, split them down to items by historical
    proportions, and add them up to the total.

    This is the S&OP reconciliation: the family plan agreed in the meeting is coherent with
    the item plan below it (items sum to families) and the total above it.

    Parameters
    ----------
    middle_plan : pandas.DataFrame
        The agreed plan at the middle level: ``middle``, ``period`` and ``value`` columns.
    history : pandas.DataFrame
        Tidy item history with the ``middle`` column, for the proportions within each group.
    middle, item, period, value : str
        Column names.
    method, last_periods
        See :func:`historical_proportions`.

    Returns
    -------
    ReconciledPlan
        ``total``, ``middle`` and ``items`` tidy plans (attributes or keys).

    Examples
    --------
    >>> hist = pd.DataFrame({"family": ["road"] * 2, "sku": ["a", "b"], "month": ["2024-12"] * 2,
    ...                      "units": [20.0, 80.0]})
    >>> plan = pd.DataFrame({"family": ["road"], "month": ["2025-01"], "units": [50.0]})
    >>> out = middle_out(plan, hist)
    >>> out["items"]["units"].tolist(), out["total"]["units"].tolist()
    ([10.0, 40.0], [50.0])
    """
    require_columns(middle_plan, [middle, period, value], "middle_plan")
    shares = historical_proportions(
        history,
        method,
        item=item,
        period=period,
        value=value,
        parent=middle,
        last_periods=last_periods,
    )
    items = disaggregate_top_down(
        middle_plan, shares, period=period, value=value, item=item, parent=middle
    )
    total = bottom_up(items, level="total", item=item, period=period, value=value)
    middle_total = bottom_up(items, level=middle, item=item, period=period, value=value)
    return ReconciledPlan(total=total, middle=middle_total, items=items)


# --------------------------------------------------------------------------- the gap
def planning_gap(
    history: pd.DataFrame,
    item_forecast: pd.DataFrame,
    total_plan: float,
    *,
    method: str = "proportion_of_averages",
    last_periods: int | None = 12,
    item: str = "sku",
    period: str = "month",
    value: str = "units",
) -> pd.DataFrame:
    """Top-down versus bottom-up for one planning horizon: the explorer's update function.

    The top-down plan splits the total plan :math:`Y` by historical proportions,
    :math:`\\tilde y_j = p_j Y`; the bottom-up plan is the item forecasts summed over the
    horizon, :math:`\\hat y_j = \\sum_t \\hat y_{j,t}`. The gap is
    :math:`g_j = \\tilde y_j - \\hat y_j` (positive: the top-down plan asks for more than the
    item forecasts give).

    Parameters
    ----------
    history : pandas.DataFrame
        Tidy item history for the proportions.
    item_forecast : pandas.DataFrame
        Tidy item forecasts over the horizon (item, period, value).
    total_plan : float
        The top-down total for the horizon [Y], e.g. the business plan's volume.
    method, last_periods
        See :func:`historical_proportions`.

    Returns
    -------
    pandas.DataFrame
        Indexed by item: ``proportion``, ``top_down``, ``bottom_up``, ``gap``,
        ``gap_pct`` (gap / bottom-up) with a final ``"total"`` row.

    Examples
    --------
    >>> h = pd.DataFrame({"sku": ["a", "b"], "month": ["2024-12"] * 2, "units": [40.0, 60.0]})
    >>> f = pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [50.0, 50.0]})
    >>> planning_gap(h, f, 120.0)["gap"].to_dict()
    {'a': -2.0, 'b': 22.0, 'total': 20.0}
    """
    total_plan = check_number(total_plan, "total_plan", low=0)
    shares = historical_proportions(
        history, method, item=item, period=period, value=value, last_periods=last_periods
    )
    require_columns(item_forecast, [item, period, value], "item_forecast")
    check_numbers(item_forecast[value], f"item_forecast[{value!r}]", low=0, allow_empty=True)
    bottom = item_forecast.groupby(item, observed=True)[value].sum().astype(float)
    unknown = sorted(set(bottom.index) - set(shares.index))
    if unknown:
        raise ValueError(f"items {unknown[:5]} have a forecast but no history; add their history.")
    table = pd.DataFrame({"proportion": shares})
    table["top_down"] = table["proportion"] * float(total_plan)
    table["bottom_up"] = bottom.reindex(table.index).fillna(0.0)
    table.loc["total"] = table.sum(axis=0)
    table["gap"] = table["top_down"] - table["bottom_up"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["gap_pct"] = np.where(
            table["bottom_up"] > 0, table["gap"] / table["bottom_up"], np.nan
        )
    table.index.name = item
    return table


def plot_planning_gap(gap: pd.DataFrame, *, units: str = "units", max_items: int = 12, ax=None):
    """Bar chart of top-down against bottom-up plans by item, with the total gap in the title.

    Only the ``max_items`` items with the largest absolute gap are drawn (the x-axis label
    says how many are left out), so that the chart stays readable and quick to draw.

    Examples
    --------
    >>> h = pd.DataFrame({"sku": ["a", "b"], "month": ["2024-12"] * 2, "units": [40.0, 60.0]})
    >>> f = pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [50.0, 50.0]})
    >>> ax = plot_planning_gap(planning_gap(h, f, 120.0))
    >>> ax.get_ylabel()
    'Plan over the horizon (units)'
    >>> plt.close("all")
    """
    require_columns(gap, ["top_down", "bottom_up"], "gap")
    max_items = check_whole_number(max_items, "max_items")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    rows = gap.drop(index="total", errors="ignore")[["top_down", "bottom_up"]]
    order = (rows["top_down"] - rows["bottom_up"]).abs().sort_values(ascending=False).index
    hidden = max(len(rows) - max_items, 0)
    rows = rows.loc[order[:max_items]]
    x = np.arange(len(rows))
    ax.bar(x - 0.2, rows["top_down"], width=0.4, label="top-down", color="#1f4e79")
    ax.bar(x + 0.2, rows["bottom_up"], width=0.4, label="bottom-up", color="#e07b39")
    ax.set_xticks(x, [str(i) for i in rows.index], rotation=30 if len(rows) > 8 else 0)
    ax.set_ylabel(f"Plan over the horizon ({units})")
    name = gap.index.name or "item"
    ax.set_xlabel(
        f"{name} (the {len(rows)} largest gaps; {hidden} more not shown)" if hidden else name
    )
    ax.legend()
    if "total" in gap.index:
        total = gap.loc["total"]
        ax.set_title(
            f"Top-down {total['top_down']:,.0f} vs bottom-up {total['bottom_up']:,.0f}: "
            f"gap {total['gap']:+,.0f} {units}"
        )
    return ax
