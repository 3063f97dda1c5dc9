"""Management review: the KPI set, working capital, margin, turns, plan vs actual, root cause.

Conventions used by every function here:

* **Shares are fractions** (``0.93`` means 93 %) unless a column name ends in ``_pct``,
  which is in percent.
* **Money** is in the currency of the data (Tallridge reports in EUR); **days** are
  calendar days of a ``days``-long year (365 unless told otherwise).
* **Forecast error sign** is the course's: error = forecast - actual (positive =
  over-forecast), see :data:`sopcourse.accuracy.SIGN_CONVENTION`.
* **Variance sign**: actual - plan, so a positive variance is favourable for revenue and
  margin.
* Bad input (missing columns, NaN, negative quantities, unknown options) raises
  ``ValueError`` saying what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import reject_infinite, require_columns
from .accuracy import tracking_signal as _tracking_signal

__all__ = [
    "kpi_definitions",
    "traffic_light",
    "rate_kpis",
    "service_kpis",
    "schedule_attainment",
    "utilisation",
    "working_capital_days",
    "working_capital_what_if",
    "plot_cash_cycle",
    "gross_margin",
    "margin_erosion",
    "inventory_turns",
    "days_of_supply",
    "gmroi",
    "excess_and_obsolete",
    "plan_vs_actual",
    "price_volume_mix",
    "variance_bridge",
    "plot_variance_bridge",
    "bias_table",
    "plot_bias_heatmap",
    "tracking_signal_exceptions",
    "pareto_table",
    "separate_forecast_and_supply_error",
    "DEFAULT_TARGETS",
    "management_review",
    "plot_management_review",
]

_STATUSES = ("green", "amber", "red")


# -- input checks -------------------------------------------------------------------------


def _numeric(data: pd.DataFrame, columns: Sequence[str], what: str, *, allow_negative=False):
    for col in columns:
        values = pd.to_numeric(data[col], errors="coerce")
        bad = values.isna() & data[col].notna()
        if bad.any():
            raise ValueError(
                f"{what}[{col!r}] has {int(bad.sum())} value(s) that are not numbers; "
                "convert them with pd.to_numeric."
            )
        if values.isna().any():
            raise ValueError(
                f"{what}[{col!r}] contains NaN in {int(values.isna().sum())} row(s): fill them "
                "(e.g. .fillna(0) when nothing happened) or drop those rows."
            )
        if not allow_negative and (values < 0).any():
            raise ValueError(
                f"{what}[{col!r}] has {int((values < 0).sum())} negative value(s); quantities "
                "and money amounts here must be >= 0 (record returns or credits separately)."
            )
        reject_infinite(values, f"{what}[{col!r}]")


def _number(value, name: str, *, positive=False, allow_negative=False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number; got {value!r}.") from exc
    if np.isnan(x):
        raise ValueError(f"{name} is NaN: pass a number.")
    reject_infinite(x, name)
    if positive and x <= 0:
        raise ValueError(f"{name} must be > 0; got {x}.")
    if not allow_negative and x < 0:
        raise ValueError(f"{name} must be >= 0; got {x}.")
    return x


def _average(value, name: str) -> float:
    """A balance sheet figure: a number, or a sequence of balances that is averaged."""
    if np.isscalar(value):
        return _number(value, name)
    arr = np.asarray(value, dtype=float).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} is empty: pass a balance or a list of balances.")
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN: fill the missing balances first.")
    if (arr < 0).any():
        raise ValueError(f"{name} has a negative balance; balances must be >= 0.")
    reject_infinite(arr, name)
    return float(arr.mean())


def _keys(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


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


def kpi_definitions() -> pd.DataFrame:
    """The course's KPI set: name, area, formula, unit and which direction is better.

    Returns
    -------
    DataFrame
        One row per KPI, indexed by ``kpi``, columns ``area``, ``definition``,
        ``formula`` (LaTeX), ``unit``, ``direction`` ("higher" or "lower" is better) and
        ``function`` (the ``sopcourse`` function that computes it).

    Examples
    --------
    >>> d = kpi_definitions()
    >>> d.loc["otif", ["area", "direction"]].tolist()
    ['service', 'higher']
    >>> sorted(d["area"].unique())
    ['finance', 'inventory', 'operations', 'service', 'working capital']
    """
    rows = [
        ("otif", "service", "share of order lines shipped on time and in full",
         r"\frac{\#\{\text{lines on time and in full}\}}{\#\{\text{lines}\}}", "share",
         "higher", "service_kpis"),
        ("line_fill_rate", "service", "share of order lines shipped complete",
         r"\frac{\#\{\text{lines with } s_i \ge q_i\}}{\#\{\text{lines}\}}", "share",
         "higher", "service_kpis"),
        ("unit_fill_rate", "service", "share of ordered units shipped",
         r"\frac{\sum_i \min(s_i, q_i)}{\sum_i q_i}", "share", "higher", "service_kpis"),
        ("schedule_attainment", "operations", "planned production actually made, capped "
         "at plan per item and period", r"\frac{\sum \min(P^{act}, P^{plan})}{\sum P^{plan}}",
         "share", "higher", "schedule_attainment"),
        ("utilisation", "operations", "hours used over hours available",
         r"\frac{\text{hours used}}{\text{hours available}}", "share", "higher",
         "utilisation"),
        ("gross_margin_pct", "finance", "gross margin over revenue",
         r"100\,\frac{R - COGS}{R}", "%", "higher", "gross_margin"),
        ("revenue_vs_plan", "finance", "actual revenue over plan revenue",
         r"\frac{R^{act}}{R^{plan}}", "share", "higher", "plan_vs_actual"),
        ("dio", "working capital", "days inventory outstanding",
         r"\frac{\bar I}{COGS / 365}", "days", "lower", "working_capital_days"),
        ("dso", "working capital", "days sales outstanding",
         r"\frac{\overline{AR}}{R / 365}", "days", "lower", "working_capital_days"),
        ("dpo", "working capital", "days payables outstanding",
         r"\frac{\overline{AP}}{COGS / 365}", "days", "higher", "working_capital_days"),
        ("cash_to_cash", "working capital", "cash-to-cash cycle",
         r"DIO + DSO - DPO", "days", "lower", "working_capital_days"),
        ("inventory_turns", "inventory", "cost of goods sold over average inventory",
         r"\frac{COGS}{\bar I}", "turns per year", "higher", "inventory_turns"),
        ("days_of_supply", "inventory", "days the stock lasts at the cost-of-sales rate",
         r"\frac{I}{COGS / 365}", "days", "lower", "days_of_supply"),
        ("gmroi", "inventory", "gross margin per unit of money held in stock",
         r"\frac{R - COGS}{\bar I \text{ at cost}}", "ratio", "higher", "gmroi"),
        ("excess_and_obsolete", "inventory", "value of stock above N months of forward "
         "demand plus stock of end-of-life items", r"\sum_i c_i\,\max(0, I_i - N d_i)",
         "money", "lower", "excess_and_obsolete"),
    ]  # fmt: skip
    cols = ["kpi", "area", "definition", "formula", "unit", "direction", "function"]
    return pd.DataFrame(rows, columns=cols).set_index("kpi")


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
    x = _number(actual, "actual", allow_negative=True)
    t = _number(target, "target", allow_negative=True)
    tol = _number(tolerance, "tolerance")
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
    _numeric(scorecard, ["actual", "target"], "scorecard", allow_negative=True)
    _numeric(scorecard, ["tolerance"], "scorecard")
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
        order_lines, [requested_date, shipped_date, ordered, shipped, *_keys(by)], "order_lines"
    )
    _numeric(order_lines, [ordered], "order_lines")
    shipped_units = pd.to_numeric(order_lines[shipped], errors="coerce")
    if shipped_units.isna().any() or (shipped_units < 0).any():
        raise ValueError(
            f"order_lines[{shipped!r}] must be numbers >= 0 (use 0 for a line not shipped)."
        )
    if (pd.to_numeric(order_lines[ordered]) <= 0).any():
        raise ValueError(f"order_lines[{ordered!r}] must be > 0 on every line; drop empty lines.")
    grace = int(_number(grace_days, "grace_days"))
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
    for key in _keys(by):
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

    return _grouped(frame, _keys(by), measures)


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
    require_columns(production, [planned, actual, *_keys(by)], "production")
    _numeric(production, [planned, actual], "production")
    made = np.minimum(production[actual].astype(float), production[planned].astype(float))
    frame = pd.DataFrame({"made": made, "plan": production[planned].astype(float)})
    keys = _keys(by)
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
    require_columns(resources, [used, available, *_keys(by)], "resources")
    _numeric(resources, [used, available], "resources")
    keys = _keys(by)
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
    Route 66 Company (Ross, Westerfield & Jordan, Ch. 18, self-test problem 18.1):

    >>> wc = working_capital_days(14750, 11375, [1273, 1401], [3782, 3368], [1795, 2025])
    >>> wc[["inventory_turnover", "receivables_turnover", "payables_turnover"]].round(2).tolist()
    [8.51, 4.13, 5.96]
    >>> round(wc["cash_to_cash"])
    70
    """
    r = _number(revenue, "revenue", positive=True)
    c = _number(cogs, "cogs", positive=True)
    d = _number(days, "days", positive=True)
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
    rho = _number(inventory_reduction, "inventory_reduction", allow_negative=True)
    if not -1 < rho < 1:
        raise ValueError(
            f"inventory_reduction is a fraction in [0, 1) (0.2 = 20 % less stock); got {rho}. "
            "A negative value models an inventory build-up."
        )
    dc = _number(customer_terms_change_days, "customer_terms_change_days", allow_negative=True)
    ds = _number(supplier_terms_change_days, "supplier_terms_change_days", allow_negative=True)
    rate = _number(cost_of_capital, "cost_of_capital")
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
    keys = _keys(by)
    require_columns(sales, [revenue, cost, *keys], "sales")
    _numeric(sales, [revenue, cost], "sales")
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


def margin_erosion(
    sales: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    units: str = "units",
    revenue: str = "revenue",
    cost: str = "cogs",
    discount_per_unit: str = "discount_per_unit",
    expedite_cost: str | None = "expedite_cost",
) -> pd.Series | pd.DataFrame:
    """Margin lost to promotions (discount x units) and to expediting.

    .. math::
        \\text{promotion erosion} = \\sum_i \\delta_i\\,q_i, \\qquad
        GM^{list} = GM^{real} + \\text{promotion erosion} + \\text{expediting}

    where :math:`\\delta_i` is the discount per unit off the list price and :math:`q_i`
    the units sold on that row. ``revenue`` is what was invoiced (after discounts), ``cost``
    the standard cost of goods sold, and the expediting cost (premium freight, overtime
    to recover a late order) is an extra cost on top of standard cost, so the realised
    margin is :math:`R - COGS - \\text{expediting}`.

    Parameters
    ----------
    sales : DataFrame
        Sales rows with the columns named below (all >= 0).
    by : str or list of str, optional
        Group columns (e.g. ``"family"``); the result is sorted by total erosion.
    expedite_cost : str or None
        Column of expediting cost; ``None`` if there is none.

    Returns
    -------
    Series or DataFrame
        ``margin_at_list`` (margin had everything sold at list price with no expediting),
        ``promotion_erosion``, ``expedite_erosion``, ``realised_margin``, and
        ``erosion_pct`` (erosion as % of ``margin_at_list``).

    Examples
    --------
    >>> s = pd.DataFrame({"family": ["road", "road"], "units": [10, 20],
    ...                   "revenue": [1000, 1800], "cogs": [600, 1200],
    ...                   "discount_per_unit": [0, 10], "expedite_cost": [50, 0]})
    >>> margin_erosion(s)[["promotion_erosion", "expedite_erosion", "realised_margin"]].tolist()
    [200.0, 50.0, 950.0]
    """
    keys = _keys(by)
    cols = [units, revenue, cost, discount_per_unit] + ([expedite_cost] if expedite_cost else [])
    require_columns(sales, [*cols, *keys], "sales")
    _numeric(sales, cols, "sales")
    frame = pd.DataFrame(
        {
            "promotion_erosion": sales[discount_per_unit].astype(float)
            * sales[units].astype(float),
            "expedite_erosion": sales[expedite_cost].astype(float) if expedite_cost else 0.0,
            "realised_margin": sales[revenue].astype(float) - sales[cost].astype(float),
        }
    )
    frame["realised_margin"] -= frame["expedite_erosion"]
    for key in keys:
        frame[key] = sales[key]
    value_cols = ["promotion_erosion", "expedite_erosion", "realised_margin"]
    sums = frame.groupby(keys, sort=True)[value_cols].sum() if keys else frame[value_cols].sum()
    out = pd.DataFrame(sums) if keys else sums.to_frame().T
    out.insert(
        0,
        "margin_at_list",
        out[["promotion_erosion", "expedite_erosion", "realised_margin"]].sum(axis=1),
    )
    erosion = out["promotion_erosion"] + out["expedite_erosion"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["erosion_pct"] = 100 * erosion / out["margin_at_list"]
    if keys:
        return out.loc[erosion.sort_values(ascending=False).index]
    return out.iloc[0].astype(float).rename("margin_erosion")


# -- inventory ----------------------------------------------------------------------------


def _ratio(num, den, name_num: str, name_den: str):
    n = pd.to_numeric(num) if isinstance(num, pd.Series) else num
    d = pd.to_numeric(den) if isinstance(den, pd.Series) else den
    for value, name in ((n, name_num), (d, name_den)):
        arr = np.asarray(value, dtype=float)
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN: fill or drop the missing values.")
        if (arr < 0).any():
            raise ValueError(f"{name} must be >= 0.")
        reject_infinite(arr, name)
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
    d = _number(days, "days", positive=True)
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
    _numeric(stock, cols, "stock")
    n = _number(months_of_cover, "months_of_cover", positive=True)
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


# -- plan vs actual and the price / volume / mix bridge -----------------------------------


def plan_vs_actual(
    plan: pd.DataFrame,
    actual: pd.DataFrame,
    *,
    by: str | Sequence[str],
    measures: Sequence[str] = ("units", "revenue", "margin"),
) -> pd.DataFrame:
    """Plan, actual, variance and variance % of several measures per group.

    Variance = actual - plan (positive = above plan); variance % = 100 x variance / plan
    (NaN where the plan is 0). Groups in only one of the two tables count as 0 in the
    other.

    Returns
    -------
    DataFrame
        Indexed by ``by``, columns ``<measure>_plan``, ``<measure>_actual``,
        ``<measure>_variance``, ``<measure>_variance_pct`` for each measure.

    Examples
    --------
    >>> plan = pd.DataFrame({"family": ["road", "kids"], "units": [100, 50],
    ...                      "revenue": [1000.0, 300.0]})
    >>> act = pd.DataFrame({"family": ["road", "kids"], "units": [90, 60],
    ...                     "revenue": [950.0, 330.0]})
    >>> t = plan_vs_actual(plan, act, by="family", measures=["units", "revenue"])
    >>> t.loc["road", ["units_variance", "revenue_variance_pct"]].tolist()
    [-10.0, -5.0]
    """
    keys = _keys(by)
    if not keys:
        raise ValueError("by is required: name the column(s) to compare plan and actual on.")
    measures = list(measures)
    if not measures:
        raise ValueError("measures is empty: list the columns to compare (e.g. 'units').")
    require_columns(plan, [*keys, *measures], "plan")
    require_columns(actual, [*keys, *measures], "actual")
    _numeric(plan, measures, "plan", allow_negative=True)
    _numeric(actual, measures, "actual", allow_negative=True)
    p = plan.groupby(keys, sort=True)[measures].sum()
    a = actual.groupby(keys, sort=True)[measures].sum()
    index = p.index.union(a.index)
    p, a = p.reindex(index, fill_value=0.0), a.reindex(index, fill_value=0.0)
    out = pd.DataFrame(index=index)
    for m in measures:
        out[f"{m}_plan"] = p[m].astype(float)
        out[f"{m}_actual"] = a[m].astype(float)
        out[f"{m}_variance"] = out[f"{m}_actual"] - out[f"{m}_plan"]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"{m}_variance_pct"] = np.where(
                out[f"{m}_plan"] != 0, 100 * out[f"{m}_variance"] / out[f"{m}_plan"], np.nan
            )
    return out


def price_volume_mix(
    plan: pd.DataFrame,
    actual: pd.DataFrame,
    *,
    by: str | Sequence[str] = "sku",
    units: str = "units",
    value: str = "revenue",
) -> pd.DataFrame:
    """Price / volume / mix variance of revenue (or margin) per item; adds up exactly.

    With plan units :math:`q^p_i`, plan unit value :math:`v^p_i = V^p_i / q^p_i` (price,
    or unit margin when ``value`` is a margin), totals :math:`Q^p = \\sum_i q^p_i`,
    :math:`Q^a = \\sum_i q^a_i` and plan mix :math:`m^p_i = q^p_i / Q^p`:

    .. math::
        \\text{volume}_i &= (Q^a m^p_i - q^p_i)\\, v^p_i
            = (Q^a - Q^p)\\, m^p_i v^p_i
            &&\\text{(total units changed, at plan mix and plan price)}\\\\
        \\text{mix}_i &= (q^a_i - Q^a m^p_i)\\, v^p_i = Q^a (m^a_i - m^p_i)\\, v^p_i
            &&\\text{(actual units shifted between items, at plan price)}\\\\
        \\text{price}_i &= q^a_i\\,(v^a_i - v^p_i)
            &&\\text{(actual units at the change of unit value)}

    The three sum to :math:`V^a_i - V^p_i` item by item, so the bridge from plan to
    actual closes exactly. Volume and mix are Horngren's sales-quantity and sales-mix
    variances (Horngren, Datar & Rajan, *Cost Accounting*, Ch. "Sales variances").

    Items sold but not planned (new products) have no plan price: their plan unit value
    is taken equal to the actual one, so their whole revenue shows as mix (and volume).
    Items planned but not sold have no actual price: it does not matter (0 units).

    Parameters
    ----------
    plan, actual : DataFrame
        Rows with the ``by`` column(s), ``units`` and ``value`` (rows with the same key are
        summed, e.g. months). Units >= 0; a row with value but 0 units is an error.
    by : str or list of str
        The item key (SKU, family, market...) at which mix is measured.
    units, value : str
        Column names; ``value`` is a total (revenue or margin), not a unit price.

    Returns
    -------
    DataFrame
        Per item: ``plan_units``, ``actual_units``, ``plan_value``, ``actual_value``,
        ``plan_unit_value``, ``actual_unit_value``, ``plan_mix``, ``actual_mix``,
        ``volume``, ``mix``, ``price``, ``total`` (= actual - plan value).

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["A", "B"], "units": [80, 20], "revenue": [800.0, 400.0]})
    >>> act = pd.DataFrame({"sku": ["A", "B"], "units": [90, 30], "revenue": [855.0, 630.0]})
    >>> pvm = price_volume_mix(plan, act)
    >>> pvm[["volume", "mix", "price"]].round(2).to_dict("list")
    {'volume': [160.0, 80.0], 'mix': [-60.0, 120.0], 'price': [-45.0, 30.0]}
    >>> float(pvm["total"].sum())   # 1485 - 1200
    285.0
    """
    keys = _keys(by)
    if not keys:
        raise ValueError("by is required: name the item column(s) the mix is measured on.")
    require_columns(plan, [*keys, units, value], "plan")
    require_columns(actual, [*keys, units, value], "actual")
    _numeric(plan, [units], "plan")
    _numeric(actual, [units], "actual")
    _numeric(plan, [value], "plan", allow_negative=True)
    _numeric(actual, [value], "actual", allow_negative=True)
    p = plan.groupby(keys, sort=True)[[units, value]].sum().astype(float)
    a = actual.groupby(keys, sort=True)[[units, value]].sum().astype(float)
    for frame, what in ((p, "plan"), (a, "actual")):
        bad = (frame[units] == 0) & (frame[value] != 0)
        if bad.any():
            raise ValueError(
                f"{what} has {value} but 0 {units} for {list(frame.index[bad])[:5]}: a unit "
                "value is undefined; fix the units or move that amount to a separate line."
            )
    index = p.index.union(a.index)
    p, a = p.reindex(index, fill_value=0.0), a.reindex(index, fill_value=0.0)
    qp, qa = p[units].to_numpy(), a[units].to_numpy()
    Qp, Qa = qp.sum(), qa.sum()
    if Qp == 0:
        raise ValueError("the plan has 0 units in total: there is no plan mix to compare with.")
    with np.errstate(divide="ignore", invalid="ignore"):
        vp = np.where(qp > 0, p[value].to_numpy() / qp, np.nan)
        va = np.where(qa > 0, a[value].to_numpy() / qa, np.nan)
    vp = np.where(np.isnan(vp), va, vp)  # unplanned items: plan value = actual value
    va = np.where(np.isnan(va), vp, va)  # unsold items: irrelevant (0 units)
    vp, va = np.nan_to_num(vp), np.nan_to_num(va)
    mp = qp / Qp
    ma = qa / Qa if Qa > 0 else np.zeros_like(qa)
    volume = (Qa * mp - qp) * vp
    mix = (qa - Qa * mp) * vp
    price = qa * (va - vp)
    out = pd.DataFrame(
        {
            "plan_units": qp,
            "actual_units": qa,
            "plan_value": p[value].to_numpy(),
            "actual_value": a[value].to_numpy(),
            "plan_unit_value": vp,
            "actual_unit_value": va,
            "plan_mix": mp,
            "actual_mix": ma,
            "volume": volume,
            "mix": mix,
            "price": price,
        },
        index=index,
    )
    out["total"] = out["actual_value"] - out["plan_value"]
    return out


def variance_bridge(
    plan: pd.DataFrame,
    actual: pd.DataFrame,
    *,
    by: str | Sequence[str] = "sku",
    units: str = "units",
    value: str = "revenue",
) -> pd.Series:
    """The plan-to-actual bridge in one Series: plan, volume, mix, price, actual.

    ``plan + volume + mix + price == actual`` exactly (up to floating point); see
    :func:`price_volume_mix` for the definitions. Ready for :func:`plot_variance_bridge`.

    Examples
    --------
    >>> plan = pd.DataFrame({"sku": ["A", "B"], "units": [80, 20], "revenue": [800.0, 400.0]})
    >>> act = pd.DataFrame({"sku": ["A", "B"], "units": [90, 30], "revenue": [855.0, 630.0]})
    >>> variance_bridge(plan, act).round(2).to_dict()
    {'plan': 1200.0, 'volume': 240.0, 'mix': 60.0, 'price': -15.0, 'actual': 1485.0}
    """
    pvm = price_volume_mix(plan, actual, by=by, units=units, value=value)
    return pd.Series(
        {
            "plan": pvm["plan_value"].sum(),
            "volume": pvm["volume"].sum(),
            "mix": pvm["mix"].sum(),
            "price": pvm["price"].sum(),
            "actual": pvm["actual_value"].sum(),
        },
        name=value,
    )


def plot_variance_bridge(
    bridge: pd.Series, *, value_label: str = "Revenue (EUR)", zoom: bool = True, ax=None
):
    """Waterfall chart of a :func:`variance_bridge`: plan, volume, mix, price, actual.

    Green steps raise the value, red steps lower it; the last bar is the actual. Each step
    is labelled with its signed value.

    Parameters
    ----------
    bridge : Series
        The output of :func:`variance_bridge` (index plan, volume, mix, price, actual).
    value_label : str
        Y-axis label with its unit.
    zoom : bool
        Start the y-axis just below the lowest level instead of at 0, so that steps
        small against the total stay visible (the axis label then says so).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> b = pd.Series({"plan": 1200.0, "volume": 240.0, "mix": 60.0, "price": -15.0,
    ...                "actual": 1485.0})
    >>> ax = plot_variance_bridge(b)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['Plan', 'Volume', 'Mix', 'Price', 'Actual']
    """
    from .plotting import waterfall

    needed = ["plan", "volume", "mix", "price", "actual"]
    if not isinstance(bridge, pd.Series) or any(k not in bridge.index for k in needed):
        raise ValueError(f"bridge must be a Series with index {needed} (see variance_bridge).")
    closing = bridge["plan"] + bridge["volume"] + bridge["mix"] + bridge["price"]
    if not np.isclose(closing, bridge["actual"], rtol=1e-9, atol=1e-6):
        raise ValueError(
            f"the bridge does not close: plan + steps = {closing:,.2f} but actual = "
            f"{bridge['actual']:,.2f}. Build it with variance_bridge()."
        )
    steps = pd.Series(
        {
            "Plan": bridge["plan"],
            "Volume": bridge["volume"],
            "Mix": bridge["mix"],
            "Price": bridge["price"],
        }
    )
    ax = waterfall(steps, total_label="Actual", ylabel=value_label, ax=ax)
    levels = np.cumsum(steps.to_numpy(dtype=float))
    for i, change in enumerate(steps.to_numpy(dtype=float)[1:], start=1):
        ax.annotate(
            f"{change:+,.3g}",
            (i, max(levels[i - 1], levels[i])),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    low, high = float(levels.min()), float(levels.max())
    if zoom and low > 0:
        span = max(high - low, 1e-9 * max(abs(high), 1.0))
        ax.set_ylim(max(0.0, low - 1.5 * span), high + 0.5 * span)
        ax.set_ylabel(f"{value_label} (axis does not start at 0)")
    ax.set_xlabel("plan-to-actual bridge (steps: actual - plan)")
    return ax


# -- forecast errors ----------------------------------------------------------------------


def bias_table(
    data: pd.DataFrame,
    *,
    rows: str,
    columns: str,
    actual: str = "actual",
    forecast: str = "forecast",
) -> pd.DataFrame:
    """Relative bias in percent for a grid of two groupings (e.g. family x month).

    .. math:: \\text{bias}\\% = 100\\,\\frac{\\sum (F - A)}{\\sum A}

    Positive = over-forecast (the course's sign: error = forecast - actual). Cells whose
    actual total is 0 are NaN.

    Examples
    --------
    >>> df = pd.DataFrame({"family": ["road", "road", "kids", "kids"],
    ...                    "lag": [1, 2, 1, 2], "actual": [100, 100, 50, 50],
    ...                    "forecast": [110, 120, 45, 50]})
    >>> bias_table(df, rows="family", columns="lag").to_dict("index")
    {'kids': {1: -10.0, 2: 0.0}, 'road': {1: 10.0, 2: 20.0}}
    """
    require_columns(data, [rows, columns, actual, forecast], "data")
    _numeric(data, [actual, forecast], "data")
    frame = data[[rows, columns]].copy()
    frame["err"] = data[forecast].astype(float) - data[actual].astype(float)
    frame["act"] = data[actual].astype(float)
    sums = frame.groupby([rows, columns], sort=True)[["err", "act"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100 * sums["err"] / sums["act"].where(sums["act"] != 0)
    table = pct.unstack(columns)
    table.columns.name = columns
    return table


def plot_bias_heatmap(table: pd.DataFrame, *, limit: float | None = None, ax=None):
    """Heat map of a :func:`bias_table`: red = over-forecast, blue = under-forecast.

    Parameters
    ----------
    table : DataFrame
        Relative bias in percent (rows x columns).
    limit : float, optional
        Colour scale from -limit to +limit (default: the largest absolute value).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> t = pd.DataFrame({1: [10.0, -5.0], 2: [20.0, 0.0]}, index=["road", "kids"])
    >>> ax = plot_bias_heatmap(t)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['road', 'kids']
    """
    import matplotlib.pyplot as plt

    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ValueError("table must be a non-empty DataFrame (see bias_table).")
    values = table.to_numpy(dtype=float)
    lim = float(limit) if limit is not None else float(np.nanmax(np.abs(values)) or 1.0)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 0.7 * table.shape[1], 1 + 0.45 * table.shape[0]))
    image = ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:+.0f}", ha="center", va="center", fontsize=8)
    ax.set_xlabel(str(table.columns.name or "column"))
    ax.set_ylabel(str(table.index.name or "row"))
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="bias (% of actual; + = over-forecast)")
    return ax


def tracking_signal_exceptions(
    data: pd.DataFrame,
    *,
    by: str | Sequence[str],
    period: str = "period",
    actual: str = "actual",
    forecast: str = "forecast",
    limit: float = 4.0,
) -> pd.DataFrame:
    """The exception list: series whose latest tracking signal lies outside +/- ``limit``.

    The tracking signal of each series (ordered by ``period``) is
    :func:`sopcourse.accuracy.tracking_signal`, :math:`TS_t = \\sum e_i / MAD_t` with
    :math:`e = F - A` (positive = over-forecast). Chopra & Meindl use +/- 6; many firms
    use +/- 4.

    Returns
    -------
    DataFrame
        One row per flagged series, worst first: ``tracking_signal``, ``bias`` (mean
        error), ``periods`` and ``direction`` ("over-forecast" / "under-forecast").
        Empty (same columns) when nothing is flagged.

    Examples
    --------
    >>> df = pd.DataFrame({"sku": ["a"] * 4 + ["b"] * 4, "period": [1, 2, 3, 4] * 2,
    ...                    "actual": [10, 10, 10, 10, 10, 12, 8, 10],
    ...                    "forecast": [12, 13, 12, 14, 11, 11, 9, 10]})
    >>> flagged = tracking_signal_exceptions(df, by="sku", limit=3)
    >>> flagged[["tracking_signal", "direction"]].to_dict("index")
    {'a': {'tracking_signal': 4.0, 'direction': 'over-forecast'}}
    """
    keys = _keys(by)
    if not keys:
        raise ValueError("by is required: name the column(s) that identify a forecast series.")
    require_columns(data, [*keys, period, actual, forecast], "data")
    _numeric(data, [actual, forecast], "data")
    lim = _number(limit, "limit", positive=True)
    rows = {}
    for key, grp in data.sort_values(period).groupby(keys, sort=True):
        ts = _tracking_signal(grp[actual].to_numpy(), grp[forecast].to_numpy())
        last = float(ts.iloc[-1])
        bias = float((grp[forecast].astype(float) - grp[actual].astype(float)).mean())
        rows[key[0] if len(keys) == 1 else key] = {
            "tracking_signal": last,
            "bias": bias,
            "periods": len(grp),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    if len(keys) > 1:
        table.index = pd.MultiIndex.from_tuples(table.index, names=keys)
    else:
        table.index.name = keys[0]
    flagged = table[table["tracking_signal"].abs() > lim].copy()
    flagged["direction"] = np.where(
        flagged["tracking_signal"] > 0, "over-forecast", "under-forecast"
    )
    order = flagged["tracking_signal"].abs().sort_values(ascending=False).index
    return flagged.loc[order]


# -- root cause analysis ------------------------------------------------------------------


def pareto_table(values: pd.Series, *, vital_share: float = 0.8) -> pd.DataFrame:
    """Pareto table of misses by cause: sorted, with share and cumulative share.

    The **vital few** are the causes needed to reach ``vital_share`` of the total (the
    cause that crosses the threshold is included).

    Parameters
    ----------
    values : Series
        Size of the misses per cause (units short, lines missed, money), >= 0.
    vital_share : float
        Threshold of the cumulative share, in (0, 1].

    Returns
    -------
    DataFrame
        Indexed by cause, largest first: ``value``, ``share``, ``cumulative_share``
        (fractions) and ``vital_few`` (bool). Draw it with :func:`sopcourse.pareto`.

    Examples
    --------
    >>> misses = pd.Series({"forecast": 30, "supplier late": 50, "quality": 15, "other": 5})
    >>> t = pareto_table(misses)
    >>> t["cumulative_share"].round(2).tolist()
    [0.5, 0.8, 0.95, 1.0]
    >>> t.index[t["vital_few"]].tolist()
    ['supplier late', 'forecast']
    """
    if not isinstance(values, pd.Series) or values.empty:
        raise ValueError("values must be a non-empty pandas Series (one value per cause).")
    v = pd.to_numeric(values, errors="coerce")
    if v.isna().any():
        raise ValueError("values contains NaN or text: one number per cause, please.")
    if (v < 0).any():
        raise ValueError("values must be >= 0 (size of the misses per cause).")
    if v.sum() == 0:
        raise ValueError("all values are 0: there are no misses to rank.")
    share_cut = _number(vital_share, "vital_share", positive=True)
    if share_cut > 1:
        raise ValueError(f"vital_share is a fraction in (0, 1]; got {share_cut}.")
    ordered = v.astype(float).sort_values(ascending=False, kind="stable")
    out = pd.DataFrame({"value": ordered})
    out["share"] = ordered / ordered.sum()
    out["cumulative_share"] = out["share"].cumsum()
    before = out["cumulative_share"] - out["share"]
    out["vital_few"] = before < share_cut - 1e-12
    return out


def separate_forecast_and_supply_error(
    data: pd.DataFrame,
    *,
    forecast: str = "forecast",
    orders: str = "ordered_units",
    shipments: str = "shipped_units",
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Split the gap between forecast and shipments into forecast error and supply failure.

    Demand is what customers **ordered**, not what was shipped: a shipment below the order
    because of a shortage is a supply failure, not a forecast error. So

    .. math::
        \\underbrace{F - S}_{\\text{gap}} = \\underbrace{(F - D)}_{\\text{forecast error}}
        + \\underbrace{(D - S)}_{\\text{supply failure}}

    with forecast :math:`F`, orders (demand) :math:`D` and shipments :math:`S`, error sign
    forecast - actual (positive = over-forecast). Measuring accuracy against shipments
    (the naive error) blames the forecast for the shortages.

    Parameters
    ----------
    data : DataFrame
        Rows (e.g. item x month) with forecast, orders and shipments in units (>= 0);
        shipments may not exceed orders.
    by : str or list of str, optional
        Group columns; rows are summed per group before splitting.

    Returns
    -------
    DataFrame
        ``forecast``, ``orders``, ``shipments``, ``forecast_error`` (F - D),
        ``supply_failure`` (D - S, >= 0), ``naive_error`` (F - S), ``abs_forecast_error``
        and ``supply_failure_share`` (supply failure / (|F - D| + supply failure): the
        part of the miss that is supply's).

    Examples
    --------
    >>> df = pd.DataFrame({"forecast": [100, 100], "ordered_units": [100, 120],
    ...                    "shipped_units": [80, 120]})
    >>> out = separate_forecast_and_supply_error(df)
    >>> out[["forecast_error", "supply_failure", "naive_error"]].to_dict("list")
    {'forecast_error': [0.0, -20.0], 'supply_failure': [20.0, 0.0], 'naive_error': [20.0, -20.0]}
    """
    keys = _keys(by)
    cols = [forecast, orders, shipments]
    require_columns(data, [*cols, *keys], "data")
    _numeric(data, cols, "data")
    frame = data[[*keys, *cols]].rename(
        columns={forecast: "forecast", orders: "orders", shipments: "shipments"}
    )
    frame = frame.astype({"forecast": float, "orders": float, "shipments": float})
    over = frame["shipments"] > frame["orders"] + 1e-9
    if over.any():
        raise ValueError(
            f"{int(over.sum())} row(s) ship more than was ordered ({shipments} > {orders}); "
            "demand must be at least the shipments: check the columns or cap shipments."
        )
    if keys:
        frame = frame.groupby(keys, sort=True)[["forecast", "orders", "shipments"]].sum()
    else:
        frame = frame[["forecast", "orders", "shipments"]]
    out = frame.copy()
    out["forecast_error"] = out["forecast"] - out["orders"]
    out["supply_failure"] = out["orders"] - out["shipments"]
    out["naive_error"] = out["forecast"] - out["shipments"]
    out["abs_forecast_error"] = out["forecast_error"].abs()
    miss = out["abs_forecast_error"] + out["supply_failure"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["supply_failure_share"] = np.where(miss > 0, out["supply_failure"] / miss, 0.0)
    return out


# -- the management review pack -----------------------------------------------------------

#: The course's illustrative KPI targets (not benchmarks): target, direction and the amber
#: band, in each KPI's unit. Pass your own table to :func:`management_review`.
DEFAULT_TARGETS = pd.DataFrame(
    {
        "target": [0.95, 0.98, 40.0, 45.0, 8.0, 1.0, 25.0],
        "direction": ["higher", "higher", "higher", "lower", "higher", "higher", "lower"],
        "tolerance": [0.03, 0.01, 2.0, 10.0, 1.0, 0.03, 5.0],
        "unit": ["share", "share", "%", "days", "turns/year", "ratio", "%"],
    },
    index=pd.Index(
        [
            "otif",
            "unit_fill_rate",
            "gross_margin_pct",
            "cash_to_cash",
            "inventory_turns",
            "revenue_vs_plan",
            "wape_lag1",
        ],
        name="kpi",
    ),
)

_REVIEW_TABLES = (
    "products",
    "orders",
    "sales",
    "financials",
    "sales_plan",
    "forecast_snapshots",
    "inventory",
)


def management_review(
    company,
    *,
    year: int,
    targets: pd.DataFrame | None = None,
    months_of_cover: float = 6,
    tracking_limit: float = 4.0,
) -> dict:
    """Every table of a year's management review pack, computed from a company's data.

    The same steps as the Module 6 lesson, in one call (for the ``sopcourse cycle``
    report or a homework check): service from order lines due in ``year`` (open lines
    left out), working capital from the monthly financials, gross margin by family from
    sales at standard cost, turns / days of supply / GMROI, excess and obsolete stock at the
    inventory snapshot against the S&OP plan's next six months, plan (the ``budget``
    version of ``sales_plan``) vs actual with the price / volume / mix bridge by SKU,
    lag-1 consensus accuracy against orders, the tracking-signal exception list, the
    Pareto of units short by SKU and the forecast-error / supply-failure split by family.

    Parameters
    ----------
    company : object
        Anything with the Tallridge tables as attributes (``sop.load_company()``):
        products, orders, sales, financials, sales_plan, forecast_snapshots, inventory.
    year : int
        The calendar year reviewed (it must have sales, financials and a budget).
    targets : DataFrame, optional
        Index = KPI names of :data:`DEFAULT_TARGETS`, columns ``target``, ``direction``,
        ``tolerance`` (default: :data:`DEFAULT_TARGETS`).
    months_of_cover : float
        Cover above which stock counts as excess.
    tracking_limit : float
        Tracking-signal limit of the exception list.

    Returns
    -------
    dict
        ``scorecard`` (rated KPIs), ``service`` (by region), ``working_capital``,
        ``margin_by_family``, ``inventory`` (turns, days of supply, GMROI),
        ``excess_obsolete`` (items with E&O stock), ``plan_vs_actual`` (by family),
        ``bridge`` (revenue), ``margin_bridge``, ``accuracy_by_lag``, ``bias``
        (family x quarter, lag 1), ``exceptions``, ``pareto_units_short`` and
        ``forecast_vs_supply`` (by family).

    Examples
    --------
    >>> import sopcourse as sop
    >>> review = management_review(sop.load_company(), year=2025)
    >>> sorted(set(review["scorecard"]["status"])) <= ["amber", "green", "red"]
    True
    >>> b = review["bridge"]
    >>> bool(abs(b["plan"] + b["volume"] + b["mix"] + b["price"] - b["actual"]) < 1e-3)
    True
    """
    from .accuracy import accuracy_by_group

    missing = [t for t in _REVIEW_TABLES if getattr(company, t, None) is None]
    if missing:
        raise ValueError(
            f"the company data lacks table(s) {missing} that the review needs; load it with "
            "sop.load_company() or supply those tables."
        )
    targets = DEFAULT_TARGETS if targets is None else targets
    require_columns(targets, ["target", "direction", "tolerance"], "targets")
    unknown = sorted(set(targets.index) - set(DEFAULT_TARGETS.index))
    if unknown:
        raise ValueError(
            f"targets has unknown KPI(s) {unknown}; use names from {list(DEFAULT_TARGETS.index)}."
        )
    year = int(year)
    products = company.products
    sales = company.sales
    sales_year = sales[sales["month"].dt.year == year].merge(
        products[["sku", "family", "standard_cost"]], on="sku"
    )
    fin = company.financials[company.financials["month"].dt.year == year]
    budget = company.sales_plan[
        (company.sales_plan["version"] == "budget") & (company.sales_plan["month"].dt.year == year)
    ]
    orders = company.orders
    lines = orders[(orders["requested_date"].dt.year == year) & (orders["status"] != "open")]
    for frame, what in (
        (sales_year, "sales"),
        (fin, "financials"),
        (budget, "sales_plan (budget)"),
        (lines, "orders"),
    ):
        if frame.empty:
            raise ValueError(f"{what} has no rows for {year}: pick a year with history.")
    sales_year = sales_year.assign(
        cogs=sales_year["shipped_units"] * sales_year["standard_cost"],
        units=sales_year["shipped_units"],
    )
    sales_year["margin"] = sales_year["revenue"] - sales_year["cogs"]

    service = service_kpis(lines, by="region")
    service_all = service_kpis(lines)
    wc = working_capital_days(
        fin["revenue"].sum(),
        fin["cogs"].sum(),
        fin["inventory_value"],
        fin["receivables"],
        fin["payables"],
    )
    margin_family = gross_margin(sales_year, by="family")
    average_stock = float(fin["inventory_value"].mean())
    inventory = pd.Series(
        {
            "average_inventory": average_stock,
            "turns": inventory_turns(fin["cogs"].sum(), average_stock),
            "days_of_supply": days_of_supply(average_stock, fin["cogs"].sum()),
            "gmroi": gmroi(max(float(fin["gross_margin"].sum()), 0.0), average_stock),
        },
        name="inventory",
    )

    plan_sop = company.sales_plan[company.sales_plan["version"] == "sop"]
    horizon = sorted(plan_sop["month"].unique())[:6]
    forward = plan_sop[plan_sop["month"].isin(horizon)].groupby("sku")["plan_units"].sum() / max(
        len(horizon), 1
    )
    stock = (
        company.inventory.groupby("item", as_index=False)["on_hand"]
        .sum()
        .rename(columns={"item": "sku"})
        .merge(products[["sku", "family", "standard_cost", "status"]], on="sku")
    )
    stock["forward_monthly_demand"] = stock["sku"].map(forward).fillna(0.0)
    stock["end_of_life"] = stock["status"].astype(str).isin(["end_of_life", "discontinued"])
    eo = excess_and_obsolete(
        stock, months_of_cover=months_of_cover, unit_cost="standard_cost", end_of_life="end_of_life"
    )
    eo = eo[eo["eo_value"] > 0].sort_values("eo_value", ascending=False)

    plan = budget.merge(products[["sku", "family", "standard_cost"]], on="sku")
    plan = plan.assign(
        units=plan["plan_units"],
        revenue=plan["plan_units"] * plan["plan_price"],
        margin=plan["plan_units"] * (plan["plan_price"] - plan["standard_cost"]),
    )
    comparison = plan_vs_actual(
        plan, sales_year, by="family", measures=["units", "revenue", "margin"]
    )
    bridge = variance_bridge(plan, sales_year, by="sku", value="revenue")
    margin_bridge = variance_bridge(plan, sales_year, by="sku", value="margin")

    demand = sales[["month", "sku", "region", "ordered_units", "shipped_units"]].rename(
        columns={"month": "target_month"}
    )
    errors = company.forecast_snapshots.merge(demand, on=["target_month", "sku", "region"])
    errors = errors[errors["target_month"].dt.year == year].merge(
        products[["sku", "family"]], on="sku"
    )
    if errors.empty:
        raise ValueError(f"forecast_snapshots has no target months in {year}.")
    by_lag = accuracy_by_group(errors, actual="ordered_units", forecast="consensus", by="lag")
    lag1 = errors[errors["lag"] == 1].copy()
    lag1["quarter"] = "Q" + lag1["target_month"].dt.quarter.astype(str)
    bias = bias_table(
        lag1, rows="family", columns="quarter", actual="ordered_units", forecast="consensus"
    )
    exceptions = tracking_signal_exceptions(
        lag1,
        by=["sku", "region"],
        period="target_month",
        actual="ordered_units",
        forecast="consensus",
        limit=tracking_limit,
    )
    short = (lines["requested_units"] - lines["shipped_units"]).clip(lower=0)
    units_short = short.groupby(lines["sku"]).sum()
    units_short = units_short[units_short > 0]
    pareto = pareto_table(units_short) if not units_short.empty else pd.DataFrame()
    split = separate_forecast_and_supply_error(
        lag1,
        forecast="consensus",
        orders="ordered_units",
        shipments="shipped_units",
        by="family",
    )

    wape_by_lag = by_lag.set_index("lag")["wape"]
    actuals = {
        "otif": service_all["otif"],
        "unit_fill_rate": service_all["unit_fill_rate"],
        "gross_margin_pct": 100 * fin["gross_margin"].sum() / fin["revenue"].sum(),
        "cash_to_cash": wc["cash_to_cash"],
        "inventory_turns": inventory["turns"],
        "revenue_vs_plan": bridge["actual"] / bridge["plan"] if bridge["plan"] else np.nan,
        "wape_lag1": wape_by_lag.get(1, np.nan),
    }
    card = targets[["target", "direction", "tolerance"]].copy()
    card.insert(0, "actual", [float(actuals[k]) for k in card.index])
    return {
        "scorecard": rate_kpis(card),
        "service": service,
        "working_capital": wc,
        "margin_by_family": margin_family,
        "inventory": inventory,
        "excess_obsolete": eo,
        "plan_vs_actual": comparison,
        "bridge": bridge,
        "margin_bridge": margin_bridge,
        "accuracy_by_lag": by_lag[["lag", "n", "mae", "wape", "bias"]],
        "bias": bias,
        "exceptions": exceptions,
        "pareto_units_short": pareto,
        "forecast_vs_supply": split,
    }


def plot_management_review(review: dict, *, currency: str = "EUR", fig=None):
    """The four charts behind the review page: revenue bridge, OTIF by market, Pareto of
    units short and the bias heat map.

    Parameters
    ----------
    review : dict
        The output of :func:`management_review`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> import sopcourse as sop
    >>> fig = plot_management_review(management_review(sop.load_company(), year=2025))
    >>> len(fig.axes) >= 4
    True
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS, pareto

    needed = ["bridge", "service", "pareto_units_short", "bias"]
    if not isinstance(review, dict) or any(k not in review for k in needed):
        raise ValueError(f"review must be the dict of management_review() (needs {needed}).")
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
