"""Why the results differ from the plan: plan vs actual, the price / volume / mix variance
bridge, forecast bias and tracking-signal exceptions, and the root-cause views (Pareto,
forecast error against supply failure), Module 6.

The conventions are those of :mod:`sopcourse.kpi`: shares are fractions, money is in the
currency of the data, **forecast error** = forecast - actual (positive = over-forecast,
see :data:`sopcourse.accuracy.SIGN_CONVENTION`) and **variance** = actual - plan (positive
is favourable for revenue and margin). Bad input raises ``ValueError`` saying what is
wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import (
    check_number,
    check_numeric_columns,
    group_keys,
    require_columns,
)
from .accuracy import tracking_signal as _tracking_signal

__all__ = [
    "margin_erosion",
    "plan_vs_actual",
    "price_volume_mix",
    "variance_bridge",
    "plot_variance_bridge",
    "bias_table",
    "plot_bias_heatmap",
    "tracking_signal_exceptions",
    "pareto_table",
    "separate_forecast_and_supply_error",
]


# -- margin erosion ----------------------------------------------------------------------


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
    keys = group_keys(by)
    cols = [units, revenue, cost, discount_per_unit] + ([expedite_cost] if expedite_cost else [])
    require_columns(sales, [*cols, *keys], "sales")
    check_numeric_columns(sales, cols, "sales")
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
    keys = group_keys(by)
    if not keys:
        raise ValueError("by is required: name the column(s) to compare plan and actual on.")
    measures = list(measures)
    if not measures:
        raise ValueError("measures is empty: list the columns to compare (e.g. 'units').")
    require_columns(plan, [*keys, *measures], "plan")
    require_columns(actual, [*keys, *measures], "actual")
    check_numeric_columns(plan, measures, "plan", allow_negative=True)
    check_numeric_columns(actual, measures, "actual", allow_negative=True)
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
    keys = group_keys(by)
    if not keys:
        raise ValueError("by is required: name the item column(s) the mix is measured on.")
    require_columns(plan, [*keys, units, value], "plan")
    require_columns(actual, [*keys, units, value], "actual")
    check_numeric_columns(plan, [units], "plan")
    check_numeric_columns(actual, [units], "actual")
    check_numeric_columns(plan, [value], "plan", allow_negative=True)
    check_numeric_columns(actual, [value], "actual", allow_negative=True)
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
    check_numeric_columns(data, [actual, forecast], "data")
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
    keys = group_keys(by)
    if not keys:
        raise ValueError("by is required: name the column(s) that identify a forecast series.")
    require_columns(data, [*keys, period, actual, forecast], "data")
    check_numeric_columns(data, [actual, forecast], "data")
    lim = check_number(limit, "limit", low=0, low_open=True)
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
    share_cut = check_number(vital_share, "vital_share", low=0, low_open=True)
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
    keys = group_keys(by)
    cols = [forecast, orders, shipments]
    require_columns(data, [*cols, *keys], "data")
    check_numeric_columns(data, cols, "data")
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
