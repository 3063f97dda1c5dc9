"""More lot sizing: part-period balancing, least unit cost and incremental quantity discounts.

The two dynamic heuristics sit next to Silver-Meal and Wagner-Whitin of
:mod:`sopcourse.mrp` (same arguments, same result: planned receipts per period); the
incremental-discount EOQ sits next to the all-units one of :mod:`sopcourse.inventory`.
Sources: Nahmias, *Production and Operations Analysis*, ch. 4 (quantity discounts) and
ch. 7 (lot sizing); Silver, Pyke & Thomas, *Inventory and Production Management in
Supply Chains* (4th ed., 2017), ch. 5-6.

Conventions: holding is charged on the stock left at the end of each period (as in
:func:`sopcourse.mrp.lot_sizing_cost`), so an order placed in period :math:`t` that also
covers period :math:`t + j` carries :math:`d_{t+j}` for :math:`j` periods.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers, require_columns

__all__ = [
    "part_period_balancing",
    "least_unit_cost",
    "eoq_incremental_discounts",
]


def _inputs(net_requirements, fixed_cost, holding_cost):
    """Requirements as a float Series (index kept), K and h checked."""
    series = pd.Series(net_requirements)
    req = pd.Series(check_numbers(series, "net_requirements", low=0), index=series.index)
    k = check_number(fixed_cost, "fixed_cost [K]", low=0, hint="The cost of one set-up or order.")
    h = check_number(
        holding_cost, "holding_cost [h]", low=0, hint="Per unit per period, e.g. 2 per week."
    )
    return req, k, h


def _receipts(req: pd.Series, starts: list[int]) -> pd.Series:
    """Each order covers the requirements from its start up to the next start."""
    d = req.to_numpy()
    receipts = np.zeros(len(d))
    bounds = starts + [len(d)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        receipts[a] = d[a:b].sum()
    return pd.Series(receipts, index=req.index, name="planned_receipts")


def part_period_balancing(net_requirements, fixed_cost: float, holding_cost: float) -> pd.Series:
    """Part-period balancing (PPB): each order covers the number of periods whose holding
    cost comes closest to the set-up cost.

    An order placed in period :math:`t` and covering :math:`T` periods carries
    :math:`H(T) = h \\sum_{j=1}^{T-1} j\\, d_{t+j}` of holding cost (:math:`\\sum j\\,
    d_{t+j}` are its *part periods*). PPB takes the first :math:`T` with
    :math:`H(T) \\ge K` and keeps it, or :math:`T - 1`, whichever has :math:`H` nearer to
    :math:`K` (a tie keeps the shorter cover); the next order starts in the next period
    with a requirement (Nahmias, *Production and Operations Analysis*, ch. 7; DeMatteis
    1968). Periods without requirement are never the start of an order.

    Parameters
    ----------
    net_requirements : sequence or Series
        Net requirements per period [d_t, units], zero or more; the index is kept.
    fixed_cost : float
        Set-up or ordering cost per order [K, money].
    holding_cost : float
        Holding cost per unit per period [h, money / (unit x period)].

    Returns
    -------
    Series
        ``planned_receipts`` per period (the receipt in the period it is needed; offset
        it by the lead time to get the release).

    Examples
    --------
    Nahmias, ch. 7, machine shop (computer casings), K = 80, h = 2: from week 1 the
    holding costs are 0, 60, 228 (80 is nearest 60: cover 2 weeks); from week 3 they
    are 0, 10, 90 (80 is nearest 90: cover 3 weeks). Published cost 310.

    >>> part_period_balancing([18, 30, 42, 5, 20], 80, 2).tolist()
    [48.0, 0.0, 67.0, 0.0, 0.0]
    """
    req, k, h = _inputs(net_requirements, fixed_cost, holding_cost)
    d = req.to_numpy()
    n = len(d)
    starts = []
    t = 0
    while t < n:
        if d[t] <= 0:
            t += 1
            continue
        starts.append(t)
        held = 0.0  # H(T) of the current cover of `length` periods
        length = 1
        while t + length < n:
            more = held + h * length * d[t + length]
            if more >= k:
                if more - k < k - held:  # strictly nearer: take the longer cover
                    length += 1
                break
            held = more
            length += 1
        t += length
    return _receipts(req, starts)


def least_unit_cost(net_requirements, fixed_cost: float, holding_cost: float) -> pd.Series:
    """Least unit cost (LUC): extend each order while its cost per unit ordered falls.

    An order placed in period :math:`t` covering :math:`T` periods costs, per unit,
    :math:`U(T) = [K + h \\sum_{j=1}^{T-1} j\\, d_{t+j}] / \\sum_{j=0}^{T-1} d_{t+j}`;
    stop at the first :math:`T` with :math:`U(T+1) > U(T)` and start the next order in
    the next period with a requirement (Nahmias, *Production and Operations Analysis*,
    ch. 7; Silver, Pyke & Thomas 2017, sec. 6.6). It is Silver-Meal with cost per *unit*
    instead of cost per *period*.

    Parameters
    ----------
    net_requirements : sequence or Series
        Net requirements per period [d_t, units], zero or more; the index is kept.
    fixed_cost : float
        Set-up or ordering cost per order [K, money].
    holding_cost : float
        Holding cost per unit per period [h, money / (unit x period)].

    Returns
    -------
    Series
        ``planned_receipts`` per period.

    Examples
    --------
    Four weeks, K = 120, h = 1: U = 120/50 = 2.40, 203/133 = 1.526, 257/160 = 1.61 (rises:
    order 133 in week 1); then 120/27 = 4.44, 175/82 = 2.13 (order 82 in week 3).

    >>> least_unit_cost([50, 83, 27, 55], 120, 1).tolist()
    [133.0, 0.0, 82.0, 0.0]
    """
    req, k, h = _inputs(net_requirements, fixed_cost, holding_cost)
    d = req.to_numpy()
    n = len(d)
    starts = []
    t = 0
    while t < n:
        if d[t] <= 0:
            t += 1
            continue
        starts.append(t)
        cost, units = k, d[t]
        length = 1
        while t + length < n:
            nxt = d[t + length]
            more_cost = cost + h * length * nxt
            more_units = units + nxt
            # U(T+1) > U(T), compared without dividing (units > 0 from the start)
            if more_cost * units > cost * more_units + 1e-12 * max(1.0, cost * more_units):
                break
            cost, units = more_cost, more_units
            length += 1
        t += length
    return _receipts(req, starts)


# -- incremental quantity discounts ---------------------------------------------------------
def _price_schedule(price_breaks) -> pd.DataFrame:
    """The price breaks sorted, checked: first break at 0, rising quantities, prices > 0."""
    require_columns(price_breaks, ["min_quantity", "unit_price"], "price_breaks")
    q = check_numbers(price_breaks["min_quantity"], "price_breaks['min_quantity']", low=0)
    c = check_numbers(price_breaks["unit_price"], "price_breaks['unit_price']", low=0)
    table = pd.DataFrame({"min_quantity": q, "unit_price": c}).sort_values("min_quantity")
    table = table.reset_index(drop=True)
    if table["min_quantity"].iloc[0] != 0:
        raise ValueError(
            "price_breaks must start at min_quantity 0 (the price of the first units); "
            f"the smallest min_quantity is {table['min_quantity'].iloc[0]!r}. Add a row "
            "with min_quantity 0 and the undiscounted price."
        )
    if table["min_quantity"].duplicated().any():
        raise ValueError(
            "price_breaks lists the same min_quantity twice; keep one price per break."
        )
    if (table["unit_price"] <= 0).any():
        raise ValueError("price_breaks['unit_price'] must be greater than zero for every break.")
    return table


def eoq_incremental_discounts(
    fixed_cost, holding_rate, demand_rate, price_breaks: pd.DataFrame
) -> pd.DataFrame:
    """EOQ under incremental quantity discounts: each price applies only to the units
    bought beyond its break.

    With breaks :math:`0 = q_0 < q_1 < \\dots` and prices :math:`c_0 > c_1 > \\dots`, an
    order of :math:`Q` units in interval :math:`j` (:math:`q_j \\le Q < q_{j+1}`) costs
    :math:`C(Q) = R_j + c_j (Q - q_j)` with :math:`R_j = \\sum_{i<j} c_i (q_{i+1} - q_i)`
    (the price of the first :math:`q_j` units). Holding is charged on the value of the
    stock, :math:`i\\, C(Q)/Q` per unit per year, so the annual cost is
    :math:`G_j(Q) = \\lambda C(Q)/Q + K \\lambda / Q + i\\, C(Q) / 2` and its minimum is at
    :math:`Q_j = \\sqrt{2 \\lambda (K + R_j - c_j q_j) / (i\\, c_j)}`. A :math:`Q_j` is
    *realizable* (feasible) when it lies in its own interval; the best order quantity is
    the realizable :math:`Q_j` of lowest :math:`G_j` (never a break point, unlike the
    all-units case of :func:`sopcourse.eoq_quantity_discounts`) (Nahmias, *Production
    and Operations Analysis*, ch. 4, incremental discounts).

    Parameters
    ----------
    fixed_cost : float
        Cost per order [K, money].
    holding_rate : float
        Holding cost as a fraction of the value held per year [i], e.g. 0.2.
    demand_rate : float
        Demand per year [lambda, units].
    price_breaks : DataFrame
        ``min_quantity`` [q_j] and ``unit_price`` [c_j]; the first row must start at 0.

    Returns
    -------
    DataFrame
        One row per interval: ``min_quantity``, ``max_quantity`` (the next break, ``inf``
        for the last), ``unit_price``, ``cost_of_earlier_units`` [R_j], ``eoq`` [Q_j],
        ``feasible``, ``annual_cost`` [G_j(Q_j), NaN when not feasible], ``best``.

    Examples
    --------
    Price 0.30 for the first 500 units, 0.29 for the next 500, 0.28 beyond; K = 8,
    i = 0.2, 600 units a year: C(Q) = 0.29 Q + 5 on [500, 1000), 0.28 Q + 15 beyond.
    Q_0 = 400 and Q_1 = 519 are realizable, Q_2 = 702 falls below its interval.

    >>> breaks = pd.DataFrame({"min_quantity": [0, 500, 1000], "unit_price": [0.30, 0.29, 0.28]})
    >>> t = eoq_incremental_discounts(8, 0.2, 600, breaks)
    >>> t[["eoq", "annual_cost"]].round(2).values.tolist()
    [[400.0, 204.0], [518.62, 204.58], [702.04, nan]]
    >>> float(t.loc[t["best"], "eoq"].iloc[0])
    400.0
    """
    k = check_number(
        fixed_cost, "fixed_cost [K]", low=0, low_open=True, hint="The cost of placing one order."
    )
    i = check_number(
        holding_rate, "holding_rate [i]", low=0, low_open=True, hint="Write 20 % a year as 0.2."
    )
    lam = check_number(
        demand_rate, "demand_rate [lambda]", low=0, low_open=True, hint="Units per year."
    )
    table = _price_schedule(price_breaks)
    q = table["min_quantity"].to_numpy()
    c = table["unit_price"].to_numpy()
    upper = np.append(q[1:], math.inf)
    earlier = np.concatenate([[0.0], np.cumsum(c[:-1] * np.diff(q))])  # R_j
    shift = earlier - c * q  # C(Q) = shift + c Q on interval j
    eoq = np.sqrt(2 * lam * (k + shift) / (i * c))  # k + shift >= k > 0: prices fall
    feasible = (eoq >= q) & (eoq < upper)
    purchase = shift + c * eoq
    annual = lam * purchase / eoq + k * lam / eoq + i * purchase / 2
    annual = np.where(feasible, annual, np.nan)
    out = pd.DataFrame(
        {
            "min_quantity": q,
            "max_quantity": upper,
            "unit_price": c,
            "cost_of_earlier_units": earlier,
            "eoq": eoq,
            "feasible": feasible,
            "annual_cost": annual,
        }
    )
    out["best"] = feasible & (annual == np.nanmin(annual))
    return out
