"""The KPIs of the management review (Module 6): the KPI set, targets and traffic lights,
service and operations, working capital, gross margin, turns and excess & obsolete stock.

Why a KPI moved (plan vs actual, the variance bridge, margin erosion, bias and the
root-cause views) is in :mod:`sopcourse.variance`; the review pack that puts them
together is :mod:`sopcourse.kpi_review`.

Conventions used by every function here:

* **Shares are fractions** (``0.93`` means 93 %) unless a column name ends in ``_pct``,
  which is in percent.
* **Money** is in the currency of the data (Tallridge reports in EUR); **days** are
  calendar days of a ``days``-long year (365 unless told otherwise).
* Bad input (missing columns, NaN, negative quantities, unknown options) raises
  ``ValueError`` saying what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._checks import (
    check_number,
    check_numbers,
    check_numeric_columns,
    group_keys,
    require_columns,
)
from .variance import plot_bias_heatmap, plot_variance_bridge

__all__ = [
    "traffic_light",
    "rate_kpis",
    "service_kpis",
    "schedule_attainment",
    "utilisation",
    "working_capital_days",
    "working_capital_what_if",
    "plot_cash_cycle",
    "gross_margin",
    "inventory_turns",
    "days_of_supply",
    "gmroi",
    "excess_and_obsolete",
    "plot_management_review",
]

_STATUSES = ("green", "amber", "red")


# -- input checks -------------------------------------------------------------------------


def _average(value, name: str) -> float:
    """A balance sheet figure: a number, or a sequence of balances that is averaged."""
    if np.isscalar(value):
        return check_number(value, name, low=0)
    return float(check_numbers(value, name, low=0).mean())


def _grouped(data: pd.DataFrame, keys: list[str], func) -> pd.DataFrame | pd.Series:
    """Apply ``func(frame) -> dict`` to the whole frame (Series) or per group (DataFrame)."""
    if not keys:
        return pd.Series(func(data), dtype=float)
    rows = {}
    for key, grp in data.groupby(keys, sort=True):
        rows[key] = func(grp)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = (
        pd.MultiIndex.from_tuples(out.index, names=keys)
        if len(keys) > 1
        else pd.Index([k[0] if isinstance(k, tuple) else k for k in out.index], name=keys[0])
    )
    return out


# -- KPI set, targets and traffic lights --------------------------------------------------


def _direction(direction: str) -> int:
    text = str(direction).strip().lower()
    if text in {"higher", "higher is better", "up", "max"}:
        return 1
    if text in {"lower", "lower is better", "down", "min"}:
        return -1
    raise ValueError(
        f"direction must be 'higher' (higher is better) or 'lower' (lower is better); "
        f"got {direction!r}."
    )


def traffic_light(actual, target, *, direction: str = "higher", tolerance: float = 0.0) -> str:
    """Rate one KPI against its target: "green", "amber" or "red".

    The **gap** is how much better than target the KPI is, in the KPI's own unit:
    :math:`g = x - x^*` when higher is better, :math:`g = x^* - x` when lower is better.
    Green when :math:`g \\ge 0` (on or better than target), amber when
    :math:`-\\tau \\le g < 0` (worse, but within the tolerance band), red when
    :math:`g < -\\tau`.

    Parameters
    ----------
    actual : float
        The measured KPI :math:`x`.
    target : float
        The target :math:`x^*`, same unit.
    direction : {"higher", "lower"}
        Whether a higher or a lower value is better ("higher is better" / "lower is
        better" are accepted too).
    tolerance : float
        The amber band :math:`\\tau` (>= 0), in the KPI's unit (e.g. 0.02 = 2 points of a
        share, 5 = five days).

    Examples
    --------
    >>> traffic_light(0.93, 0.95, tolerance=0.03)   # OTIF 93 % against 95 %, band 3 points
    'amber'
    >>> traffic_light(75, 60, direction="lower", tolerance=10)  # cash-to-cash 75 days vs 60
    'red'
    >>> traffic_light(55, 60, direction="lower is better")
    'green'
    """
    x = check_number(actual, "actual")
    t = check_number(target, "target")
    tol = check_number(tolerance, "tolerance", low=0)
    gap = _direction(direction) * (x - t)
    if gap >= 0:
        return "green"
    return "amber" if gap >= -tol else "red"


def rate_kpis(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Rate every KPI of a scorecard: adds the ``gap`` (better-than-target) and ``status``.

    Parameters
    ----------
    scorecard : DataFrame
        One row per KPI with columns ``actual``, ``target``, ``direction`` ("higher" or
        "lower") and ``tolerance`` (amber band in the KPI's unit; see
        :func:`traffic_light`). Other columns are kept.

    Returns
    -------
    DataFrame
        A copy with ``gap`` (positive = better than target) and ``status``
        ("green" / "amber" / "red").

    Examples
    --------
    >>> card = pd.DataFrame({"actual": [0.93, 75.0], "target": [0.95, 60.0],
    ...                      "direction": ["higher", "lower"], "tolerance": [0.03, 10.0]},
    ...                     index=["otif", "cash_to_cash"])
    >>> rate_kpis(card)["status"].tolist()
    ['amber', 'red']
    """
    require_columns(scorecard, ["actual", "target", "direction", "tolerance"], "scorecard")
    check_numeric_columns(scorecard, ["actual", "target"], "scorecard", allow_negative=True)
    check_numeric_columns(scorecard, ["tolerance"], "scorecard")
    out = scorecard.copy()
    sign = np.array([_direction(d) for d in out["direction"]], dtype=float)
    gap = sign * (out["actual"].astype(float) - out["target"].astype(float))
    out["gap"] = gap
    tol = out["tolerance"].astype(float)
    out["status"] = np.where(gap >= 0, "green", np.where(gap >= -tol, "amber", "red"))
    return out


# -- service and operations ---------------------------------------------------------------


def service_kpis(
    order_lines: pd.DataFrame,
    *,
    requested_date: str = "requested_date",
    shipped_date: str = "shipped_date",
    ordered: str = "requested_units",
    shipped: str = "shipped_units",
    by: str | Sequence[str] | None = None,
    grace_days: int = 0,
) -> pd.Series | pd.DataFrame:
    """OTIF, line fill rate and unit fill rate from order lines.

    A line (order :math:`i` of :math:`q_i` units, requested by date :math:`r_i`) is
    **on time** when it shipped no later than :math:`r_i` + ``grace_days``, **in full**
    when the shipped quantity :math:`s_i \\ge q_i`, and **OTIF** when both hold. A line
    that did not ship at all (missing ship date) is neither.

    .. math::
        OTIF = \\frac{\\#\\{i: \\text{on time and in full}\\}}{n}, \\quad
        \\text{line fill} = \\frac{\\#\\{i: s_i \\ge q_i\\}}{n}, \\quad
        \\text{unit fill} = \\frac{\\sum_i \\min(s_i, q_i)}{\\sum_i q_i}

    Over-shipments do not count above 100 % (``min``). All results are fractions.

    Parameters
    ----------
    order_lines : DataFrame
        One row per order line.
    requested_date, shipped_date : str
        Date columns (anything ``pd.to_datetime`` reads); a missing shipped date = not
        shipped. Drop lines not yet due (open orders) before measuring.
    ordered, shipped : str
        Ordered units :math:`q_i` (> 0) and shipped units :math:`s_i` (>= 0).
    by : str or list of str, optional
        Group columns (e.g. ``"market"``); without it one Series for all lines.
    grace_days : int
        Days of lateness still counted on time (0 = on or before the requested date).

    Returns
    -------
    Series or DataFrame
        ``lines``, ``on_time``, ``in_full``, ``otif``, ``line_fill_rate``,
        ``unit_fill_rate`` (per group when ``by`` is given).

    Examples
    --------
    >>> lines = pd.DataFrame({
    ...     "requested_date": ["2025-03-01", "2025-03-01", "2025-03-05", "2025-03-05"],
    ...     "shipped_date":   ["2025-03-01", "2025-03-03", "2025-03-04", None],
    ...     "requested_units": [10, 10, 20, 5],
    ...     "shipped_units":  [10, 10, 15, 0]})
    >>> service_kpis(lines)[["otif", "line_fill_rate", "unit_fill_rate"]].tolist()
    [0.25, 0.5, 0.7777777777777778]
    """
    require_columns(
        order_lines,
        [requested_date, shipped_date, ordered, shipped, *group_keys(by)],
        "order_lines",
    )
    check_numeric_columns(order_lines, [ordered], "order_lines")
    shipped_units = pd.to_numeric(order_lines[shipped], errors="coerce")
    if shipped_units.isna().any() or (shipped_units < 0).any():
        raise ValueError(
            f"order_lines[{shipped!r}] must be numbers >= 0 (use 0 for a line not shipped)."
        )
    if (pd.to_numeric(order_lines[ordered]) <= 0).any():
        raise ValueError(f"order_lines[{ordered!r}] must be > 0 on every line; drop empty lines.")
    grace = int(check_number(grace_days, "grace_days", low=0))
    try:
        req = pd.to_datetime(order_lines[requested_date])
        shp = pd.to_datetime(order_lines[shipped_date])
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"order_lines[{requested_date!r}] and [{shipped_date!r}] must be dates "
            "(e.g. '2025-03-01'); a missing ship date means not shipped."
        ) from exc
    if req.isna().any():
        raise ValueError(
            f"order_lines[{requested_date!r}] has missing dates; every line needs one."
        )
    frame = pd.DataFrame(
        {
            "q": pd.to_numeric(order_lines[ordered]).astype(float),
            "s": shipped_units.astype(float),
            "on_time": shp.notna() & (shp <= req + pd.Timedelta(days=grace)),
        },
        index=order_lines.index,
    )
    frame["in_full"] = frame["s"] >= frame["q"]
    frame["otif"] = frame["on_time"] & frame["in_full"]
    for key in group_keys(by):
        frame[key] = order_lines[key]

    def measures(g):
        return {
            "lines": float(len(g)),
            "on_time": float(g["on_time"].mean()),
            "in_full": float(g["in_full"].mean()),
            "otif": float(g["otif"].mean()),
            "line_fill_rate": float(g["in_full"].mean()),
            "unit_fill_rate": float(np.minimum(g["s"], g["q"]).sum() / g["q"].sum()),
        }

    return _grouped(frame, group_keys(by), measures)


def schedule_attainment(
    production: pd.DataFrame,
    *,
    planned: str = "planned_units",
    actual: str = "actual_units",
    by: str | Sequence[str] | None = None,
) -> float | pd.Series:
    """Schedule attainment: the share of the production plan made, item by item.

    .. math:: SA = \\frac{\\sum_{i,t} \\min(P^{act}_{it}, P^{plan}_{it})}{\\sum_{i,t} P^{plan}_{it}}

    Each row is one item in one period; making more than planned of one item does not
    make up for a shortfall of another (the ``min``), so 100 % means every item was made
    as scheduled.

    Parameters
    ----------
    production : DataFrame
        Rows of planned and actual production (units >= 0).
    planned, actual : str
        Column names of :math:`P^{plan}` and :math:`P^{act}`.
    by : str or list of str, optional
        Group columns (e.g. ``"plant"``).

    Returns
    -------
    float or Series
        A fraction, or one per group.

    Examples
    --------
    >>> prod = pd.DataFrame({"plant": ["A", "A", "B"], "planned_units": [100, 50, 80],
    ...                      "actual_units": [120, 30, 80]})
    >>> round(schedule_attainment(prod), 4)   # (100 + 30 + 80) / 230
    0.913
    >>> schedule_attainment(prod, by="plant").round(3).tolist()
    [0.867, 1.0]
    """
    require_columns(production, [planned, actual, *group_keys(by)], "production")
    check_numeric_columns(production, [planned, actual], "production")
    made = np.minimum(production[actual].astype(float), production[planned].astype(float))
    frame = pd.DataFrame({"made": made, "plan": production[planned].astype(float)})
    keys = group_keys(by)
    for key in keys:
        frame[key] = production[key]
    sums = frame.groupby(keys, sort=True)[["made", "plan"]].sum() if keys else frame.sum()
    if (np.asarray(sums["plan"]) == 0).any():
        raise ValueError("planned production is 0 (in some group): attainment is undefined.")
    result = sums["made"] / sums["plan"]
    return result.rename("schedule_attainment") if keys else float(result)


def utilisation(
    resources: pd.DataFrame,
    *,
    used: str = "hours_used",
    available: str = "hours_available",
    by: str | Sequence[str] | None = None,
) -> float | pd.Series:
    """Utilisation = hours used / hours available (a fraction; can exceed 1 with overtime).

    .. math:: U = \\frac{\\sum \\text{hours used}}{\\sum \\text{hours available}}

    Examples
    --------
    >>> res = pd.DataFrame({"resource": ["weld", "weld", "paint"],
    ...                     "hours_used": [150, 170, 90], "hours_available": [160, 160, 120]})
    >>> utilisation(res, by="resource").round(4).to_dict()
    {'paint': 0.75, 'weld': 1.0}
    """
    require_columns(resources, [used, available, *group_keys(by)], "resources")
    check_numeric_columns(resources, [used, available], "resources")
    keys = group_keys(by)
    cols = [used, available]
    sums = resources.groupby(keys, sort=True)[cols].sum() if keys else resources[cols].sum()
    if (np.asarray(sums[available]) == 0).any():
        raise ValueError("hours available is 0 (in some group): utilisation is undefined.")
    result = sums[used].astype(float) / sums[available].astype(float)
    return result.rename("utilisation") if keys else float(result)


# -- working capital ----------------------------------------------------------------------


def working_capital_days(
    revenue,
    cogs,
    inventory,
    receivables,
    payables,
    *,
    days: float = 365,
) -> pd.Series:
    """DIO, DSO, DPO and the cash-to-cash cycle from annual flows and balances.

    .. math::
        DIO = \\frac{\\bar I}{COGS/d},\\quad DSO = \\frac{\\overline{AR}}{R/d},\\quad
        DPO = \\frac{\\overline{AP}}{COGS/d},\\quad C2C = DIO + DSO - DPO

    with :math:`d` days in the period. Payables are measured against cost of goods sold,
    as in Ross, Westerfield & Jordan, *Fundamentals of Corporate Finance*, Ch. 18 ("Short-
    Term Finance and Planning"). The turnover ratios are returned too
    (e.g. inventory turnover :math:`= COGS/\\bar I = d / DIO`).

    Parameters
    ----------
    revenue : float
        Net sales :math:`R` of the period (money).
    cogs : float
        Cost of goods sold of the period (money, > 0).
    inventory, receivables, payables : float or sequence of float
        Balances :math:`I`, :math:`AR`, :math:`AP`; a sequence (e.g. beginning and
        ending balance, or 12 month-ends) is averaged.
    days : float
        Days in the period :math:`d` (365 for a year, 30 for a month).

    Returns
    -------
    Series
        ``dio``, ``dso``, ``dpo``, ``cash_to_cash``, ``operating_cycle`` (DIO + DSO) in
        days, and ``inventory_turnover``, ``receivables_turnover``, ``payables_turnover``.

    Examples
    --------
    Route 66 Company (Ross, Westerfield & Jordan, Ch. 18, self-test problem 18.1;
    :func:`sopcourse.examples.route_66`):

    >>> from sopcourse import examples
    >>> wc = working_capital_days(**examples.route_66().data)
    >>> wc[["inventory_turnover", "receivables_turnover", "payables_turnover"]].round(2).tolist()
    [8.51, 4.13, 5.96]
    >>> round(wc["cash_to_cash"])
    70
    """
    r = check_number(revenue, "revenue", low=0, low_open=True)
    c = check_number(cogs, "cogs", low=0, low_open=True)
    d = check_number(days, "days", low=0, low_open=True)
    inv = _average(inventory, "inventory")
    ar = _average(receivables, "receivables")
    ap = _average(payables, "payables")
    dio, dso, dpo = inv / (c / d), ar / (r / d), ap / (c / d)
    return pd.Series(
        {
            "dio": dio,
            "dso": dso,
            "dpo": dpo,
            "cash_to_cash": dio + dso - dpo,
            "operating_cycle": dio + dso,
            "inventory_turnover": c / inv if inv > 0 else np.inf,
            "receivables_turnover": r / ar if ar > 0 else np.inf,
            "payables_turnover": c / ap if ap > 0 else np.inf,
        },
        name="working_capital",
    )


def working_capital_what_if(
    revenue,
    cogs,
    inventory,
    receivables,
    payables,
    *,
    inventory_reduction: float = 0.0,
    customer_terms_change_days: float = 0.0,
    supplier_terms_change_days: float = 0.0,
    cost_of_capital: float = 0.0,
    days: float = 365,
) -> pd.DataFrame:
    """How an inventory cut or a change of payment terms moves the cash-to-cash cycle.

    The scenario keeps revenue and COGS and changes the balances:

    .. math::
        I' = (1 - \\rho) \\bar I,\\quad AR' = \\overline{AR} + \\Delta_{c}\\,R/d,\\quad
        AP' = \\overline{AP} + \\Delta_{s}\\,COGS/d

    so DIO falls by :math:`\\rho\\,DIO`, DSO moves by :math:`\\Delta_c` days and DPO by
    :math:`\\Delta_s` days. The **cash released** once is
    :math:`(\\bar I - I') + (\\overline{AR} - AR') + (AP' - \\overline{AP})`, and the yearly
    financing saving is cash released x cost of capital.

    Parameters
    ----------
    revenue, cogs, inventory, receivables, payables, days
        As in :func:`working_capital_days`.
    inventory_reduction : float
        Fraction :math:`\\rho` of the inventory removed (0.2 = 20 % less stock), in [0, 1).
    customer_terms_change_days : float
        :math:`\\Delta_c`: change of the days customers take to pay (negative = faster).
    supplier_terms_change_days : float
        :math:`\\Delta_s`: change of the days we take to pay suppliers (positive = later).
    cost_of_capital : float
        Annual rate used to value the released cash (0.08 = 8 %).

    Returns
    -------
    DataFrame
        Rows ``base``, ``scenario``, ``change``; columns ``dio``, ``dso``, ``dpo``,
        ``cash_to_cash`` (days), ``inventory``, ``receivables``, ``payables``,
        ``working_capital`` (= I + AR - AP), ``cash_released`` and ``financing_saving``
        (money; 0 in the base row).

    Examples
    --------
    >>> w = working_capital_what_if(14750, 11375, 1337, 3575, 1910, inventory_reduction=0.2,
    ...                             supplier_terms_change_days=10, cost_of_capital=0.1)
    >>> w.loc["change", ["dio", "dpo"]].round(2).tolist()
    [-8.58, 10.0]
    >>> round(float(w.loc["scenario", "cash_released"]), 1)  # 0.2 * 1337 + 10 * 11375 / 365
    579.0
    """
    rho = check_number(inventory_reduction, "inventory_reduction")
    if not -1 < rho < 1:
        raise ValueError(
            f"inventory_reduction is a fraction in [0, 1) (0.2 = 20 % less stock); got {rho}. "
            "A negative value models an inventory build-up."
        )
    dc = check_number(customer_terms_change_days, "customer_terms_change_days")
    ds = check_number(supplier_terms_change_days, "supplier_terms_change_days")
    rate = check_number(cost_of_capital, "cost_of_capital", low=0)
    if rate > 1:
        raise ValueError(f"cost_of_capital is a fraction (0.08 = 8 %); got {rate}.")
    base = working_capital_days(revenue, cogs, inventory, receivables, payables, days=days)
    r, c, d = float(revenue), float(cogs), float(days)
    inv = _average(inventory, "inventory")
    ar = _average(receivables, "receivables")
    ap = _average(payables, "payables")
    inv2, ar2, ap2 = (1 - rho) * inv, ar + dc * r / d, ap + ds * c / d
    if ar2 < 0 or ap2 < 0:
        raise ValueError(
            "the terms change would make receivables or payables negative: use a smaller "
            "change of days (at most the current DSO / DPO)."
        )
    scen = working_capital_days(r, c, inv2, ar2, ap2, days=d)
    cols = ["dio", "dso", "dpo", "cash_to_cash"]
    table = pd.DataFrame([base[cols], scen[cols]], index=["base", "scenario"])
    table["inventory"] = [inv, inv2]
    table["receivables"] = [ar, ar2]
    table["payables"] = [ap, ap2]
    table["working_capital"] = table["inventory"] + table["receivables"] - table["payables"]
    released = (inv - inv2) + (ar - ar2) + (ap2 - ap)
    table["cash_released"] = [0.0, released]
    table["financing_saving"] = [0.0, released * rate]
    table.loc["change"] = table.loc["scenario"] - table.loc["base"]
    table.loc["change", ["cash_released", "financing_saving"]] = [released, released * rate]
    return table


def plot_cash_cycle(what_if: pd.DataFrame, *, ax=None):
    """Draw the cash-to-cash cycle as a timeline bar per row: DIO + DSO, minus DPO.

    Parameters
    ----------
    what_if : DataFrame
        Rows to draw (e.g. the ``base`` and ``scenario`` rows of
        :func:`working_capital_what_if`) with columns ``dio``, ``dso``, ``dpo``,
        ``cash_to_cash``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> w = working_capital_what_if(14750, 11375, 1337, 3575, 1910, inventory_reduction=0.2)
    >>> ax = plot_cash_cycle(w.loc[["base", "scenario"]])
    >>> ax.get_xlabel()
    'days from paying for stock (0 = goods received)'
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    require_columns(what_if, ["dio", "dso", "dpo", "cash_to_cash"], "what_if")
    rows = [r for r in what_if.index if r != "change"]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.2 + 0.8 * len(rows)))
    for y, name in enumerate(rows):
        row = what_if.loc[name]
        segments = [
            (0.18, 0.0, row["dio"], "primary", "DIO (stock)"),
            (0.18, row["dio"], row["dso"], "accent", "DSO (receivables)"),
            (-0.18, 0.0, row["dpo"], "neutral", "DPO (payables)"),
            (-0.18, row["dpo"], row["cash_to_cash"], "bad", "cash-to-cash"),
        ]
        for offset, left, width, colour, label in segments:
            ax.barh(
                y + offset,
                width,
                left=left,
                height=0.3,
                color=COLORS[colour],
                label=label if y == 0 else None,
            )
        ax.annotate(
            f"C2C {row['cash_to_cash']:.0f} d",
            (row["dpo"] + row["cash_to_cash"], y - 0.18),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(range(len(rows)), [str(r) for r in rows])
    ax.set_xlabel("days from paying for stock (0 = goods received)")
    extent = max(
        float((what_if.loc[rows, "dio"] + what_if.loc[rows, "dso"]).max()),
        float(what_if.loc[rows, "dpo"].max()),
    )
    ax.set_xlim(right=1.2 * extent)  # room for the C2C labels
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=4, fontsize=8)
    ax.set_title("Cash-to-cash cycle = DIO + DSO - DPO")
    return ax


# -- gross margin -------------------------------------------------------------------------


def gross_margin(
    sales: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    revenue: str = "revenue",
    cost: str = "cogs",
) -> pd.Series | pd.DataFrame:
    """Revenue, cost, gross margin and margin % by any grouping (family, region, SKU...).

    .. math:: GM = R - COGS, \\qquad GM\\% = 100\\,\\frac{GM}{R}

    Parameters
    ----------
    sales : DataFrame
        Sales rows with revenue and cost of goods sold (money, >= 0).
    by : str or list of str, optional
        Group columns; the result is sorted by gross margin, largest first.
    revenue, cost : str
        Column names.

    Returns
    -------
    Series or DataFrame
        ``revenue``, ``cogs``, ``gross_margin``, ``gross_margin_pct`` and
        ``share_of_margin`` (fraction of the total gross margin).

    Examples
    --------
    >>> s = pd.DataFrame({"family": ["road", "road", "e-bike"], "revenue": [100, 50, 200],
    ...                   "cogs": [60, 30, 150]})
    >>> gross_margin(s, by="family")[["gross_margin", "gross_margin_pct"]].to_dict("list")
    {'gross_margin': [60.0, 50.0], 'gross_margin_pct': [40.0, 25.0]}
    """
    keys = group_keys(by)
    require_columns(sales, [revenue, cost, *keys], "sales")
    check_numeric_columns(sales, [revenue, cost], "sales")
    frame = sales[[*keys, revenue, cost]].rename(columns={revenue: "revenue", cost: "cogs"})
    frame = frame.astype({"revenue": float, "cogs": float})
    sums = (
        frame.groupby(keys, sort=True)[["revenue", "cogs"]].sum()
        if keys
        else frame[["revenue", "cogs"]].sum()
    )
    total_margin = float(frame["revenue"].sum() - frame["cogs"].sum())
    out = sums.copy()
    out["gross_margin"] = sums["revenue"] - sums["cogs"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["gross_margin_pct"] = 100 * out["gross_margin"] / sums["revenue"]
        out["share_of_margin"] = out["gross_margin"] / total_margin if total_margin else np.nan
    if keys:
        return out.sort_values("gross_margin", ascending=False)
    return out.astype(float).rename("gross_margin")


# -- inventory ----------------------------------------------------------------------------


def _ratio(num, den, name_num: str, name_den: str):
    n = pd.to_numeric(num) if isinstance(num, pd.Series) else num
    d = pd.to_numeric(den) if isinstance(den, pd.Series) else den
    for value, name in ((n, name_num), (d, name_den)):
        values = value if isinstance(value, pd.Series) else np.atleast_1d(value)
        check_numbers(values, name, low=0, allow_empty=True)
    if (np.asarray(d, dtype=float) == 0).any():
        raise ValueError(f"{name_den} is 0 (for some row): the ratio is undefined; drop it.")
    out = n / d
    return float(out) if np.isscalar(out) or np.ndim(out) == 0 else out


def inventory_turns(cogs, average_inventory):
    """Inventory turns per period, :math:`COGS / \\bar I` (both at cost, same period).

    Parameters
    ----------
    cogs : float or Series
        Cost of goods sold of the period (money).
    average_inventory : float or Series
        Average inventory at cost :math:`\\bar I` over the same period (money, > 0).

    Examples
    --------
    Jack's Pottery Outlet (Heizer & Render, *Operations Management*, Ch. 11, solved
    problem 11.1): COGS 7,000,000, average inventory (375,000 + 325,000) / 2.

    >>> inventory_turns(7_000_000, (375_000 + 325_000) / 2)
    20.0
    """
    return _ratio(cogs, average_inventory, "cogs", "average_inventory")


def days_of_supply(inventory, cogs, *, days: float = 365):
    """Days of supply: how long the stock lasts at the period's cost-of-sales rate.

    .. math:: DOS = \\frac{I}{COGS / d}

    Pass ``days=52`` to get weeks of supply, or forward demand (in units, over ``days``)
    instead of COGS with an inventory in units for a forward-looking cover.

    Examples
    --------
    Jack's Pottery Outlet (Heizer & Render, Ch. 11, solved problem 11.1): 2.6 weeks.

    >>> round(days_of_supply(350_000, 7_000_000, days=52), 1)
    2.6
    """
    d = check_number(days, "days", low=0, low_open=True)
    return _ratio(inventory, cogs, "inventory", "cogs") * d


def gmroi(gross_margin_value, average_inventory):
    """Gross margin return on inventory investment, :math:`GM / \\bar I` (at cost).

    It equals gross margin % x sales-to-stock ratio:
    :math:`\\frac{GM}{R} \\cdot \\frac{R}{\\bar I}`. A GMROI of 3 means each euro held in
    stock on average earned three euros of gross margin in the period.

    Parameters
    ----------
    gross_margin_value : float or Series
        Gross margin :math:`GM = R - COGS` of the period (money, >= 0).
    average_inventory : float or Series
        Average inventory at cost (money, > 0).

    Examples
    --------
    >>> gmroi(65_000_000, 20_000_000)
    3.25
    """
    return _ratio(gross_margin_value, average_inventory, "gross_margin_value", "average_inventory")


def excess_and_obsolete(
    stock: pd.DataFrame,
    *,
    months_of_cover: float = 6,
    on_hand: str = "on_hand",
    monthly_demand: str = "forward_monthly_demand",
    unit_cost: str = "unit_cost",
    end_of_life: str | None = None,
) -> pd.DataFrame:
    """Excess and obsolete (E&O) stock per item.

    **Excess** is stock above :math:`N` months of forward demand,
    :math:`\\max(0, I_i - N d_i)`; **obsolete** is all stock of an end-of-life item (it
    is not also counted as excess). Values are at unit cost.

    Parameters
    ----------
    stock : DataFrame
        One row per item: on-hand units :math:`I_i`, average forward demand per month
        :math:`d_i` (units) and unit cost :math:`c_i`; extra columns (e.g. ``sku``) kept.
    months_of_cover : float
        :math:`N`, the cover above which stock counts as excess (> 0).
    end_of_life : str, optional
        Name of a boolean column marking end-of-life items.

    Returns
    -------
    DataFrame
        The input plus ``months_of_cover`` (inf for stock with no demand, 0 for no stock), ``excess_units``,
        ``obsolete_units``, ``excess_value``, ``obsolete_value``, ``eo_value``.

    Examples
    --------
    >>> st = pd.DataFrame({"sku": ["a", "b", "c"], "on_hand": [100, 30, 40],
    ...                    "forward_monthly_demand": [10, 10, 0], "unit_cost": [5, 5, 2],
    ...                    "eol": [False, False, True]})
    >>> eo = excess_and_obsolete(st, months_of_cover=6, end_of_life="eol")
    >>> eo[["excess_units", "obsolete_units", "eo_value"]].to_dict("list")
    {'excess_units': [40.0, 0.0, 0.0], 'obsolete_units': [0.0, 0.0, 40.0], \
'eo_value': [200.0, 0.0, 80.0]}
    """
    cols = [on_hand, monthly_demand, unit_cost]
    require_columns(stock, cols + ([end_of_life] if end_of_life else []), "stock")
    check_numeric_columns(stock, cols, "stock")
    n = check_number(months_of_cover, "months_of_cover", low=0, low_open=True)
    out = stock.copy()
    units = out[on_hand].astype(float)
    demand = out[monthly_demand].astype(float)
    eol = (
        out[end_of_life].astype(bool)
        if end_of_life
        else pd.Series(False, index=out.index, dtype=bool)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        # no demand: stock lasts for ever (inf), but no stock covers nothing (0)
        out["months_of_cover"] = np.where(
            demand > 0, units / np.where(demand > 0, demand, 1), np.where(units > 0, np.inf, 0.0)
        )
    out["excess_units"] = np.where(eol, 0.0, np.maximum(0.0, units - n * demand))
    out["obsolete_units"] = np.where(eol, units, 0.0)
    cost = out[unit_cost].astype(float)
    out["excess_value"] = out["excess_units"] * cost
    out["obsolete_value"] = out["obsolete_units"] * cost
    out["eo_value"] = out["excess_value"] + out["obsolete_value"]
    return out


# -- the management review pack -----------------------------------------------------------


def plot_management_review(review: Mapping, *, currency: str = "EUR", fig=None):
    """The four charts behind the review page: revenue bridge, OTIF by market, Pareto of
    units short and the bias heat map.

    Parameters
    ----------
    review : ManagementReview
        The output of :func:`sopcourse.management_review` or
        :func:`sopcourse.review_from_tables` (or a
        dict with the same keys).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> import sopcourse as sop
    >>> fig = plot_management_review(sop.management_review(sop.load_company(), year=2025))
    >>> len(fig.axes) >= 4
    True
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS, pareto

    needed = ["bridge", "service", "pareto_units_short", "bias"]
    if not isinstance(review, Mapping) or any(k not in review for k in needed):
        raise ValueError(f"review must be the result of management_review() (needs {needed}).")
    if fig is None:
        fig = plt.figure(figsize=(13, 8))
    axes = fig.subplots(2, 2)
    plot_variance_bridge(
        review["bridge"] / 1e6, value_label=f"revenue (million {currency})", ax=axes[0, 0]
    )
    service = review["service"]
    axes[0, 1].bar(range(len(service)), 100 * service["otif"], color=COLORS["primary"])
    axes[0, 1].set_xticks(range(len(service)), [str(i) for i in service.index])
    axes[0, 1].set_ylabel("OTIF (% of order lines)")
    axes[0, 1].set_xlabel("market")
    axes[0, 1].set_ylim(max(0.0, 100 * float(service["otif"].min()) - 15), 100)
    if not review["pareto_units_short"].empty:
        pareto(review["pareto_units_short"]["value"].head(10), ylabel="units short", ax=axes[1, 0])
    axes[1, 0].set_xlabel("SKU")
    plot_bias_heatmap(review["bias"], limit=30, ax=axes[1, 1])
    return fig
