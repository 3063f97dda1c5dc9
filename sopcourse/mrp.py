"""Material planning: master schedule with available-to-promise, MRP over a multi-level
bill of materials, and lot sizing.

Record layout follows Vollmann, Berry, Whybark & Jacobs, *Manufacturing Planning and
Control for Supply Chain Management* (5th ed., 2005), ch. 3 and 6; lot-sizing
heuristics follow Silver, Pyke & Thomas (2017), ch. 5, and Nahmias, *Production and
Operations Analysis*, ch. 7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers, check_whole_number, require_columns

__all__ = [
    "master_schedule_record",
    "low_level_codes",
    "mrp_record",
    "lot_for_lot",
    "fixed_order_quantity",
    "periodic_order_quantity",
    "silver_meal",
    "wagner_whitin",
    "lot_sizing_cost",
    "compare_lot_sizing",
    "MRPResult",
    "run_mrp",
]


def _requirements(values, label="net_requirements") -> pd.Series:
    """Quantities per period as a float Series (the index kept), checked by _checks."""
    series = pd.Series(values)
    return pd.Series(check_numbers(series, label, low=0), index=series.index)


# -- master schedule and ATP --------------------------------------------------------
def master_schedule_record(
    forecast,
    customer_orders,
    master_schedule,
    on_hand: float,
    demand_time_fence: int = 0,
    planning_time_fence: int = 0,
) -> pd.DataFrame:
    """Master production schedule record: projected available balance and ATP.

    Projected available balance (PAB):
    :math:`PAB_t = PAB_{t-1} + MPS_t - \\text{demand}_t`, where demand is customer orders
    inside the demand time fence and :math:`\\max(F_t, CO_t)` outside it.
    Discrete available-to-promise: in the first period
    :math:`ATP_1 = OH + MPS_1 - \\sum CO` up to the next MPS receipt; in each later MPS
    period :math:`ATP_t = MPS_t - \\sum CO` until the next MPS receipt; a negative ATP
    borrows from the earlier ATP (Vollmann et al. 2005, ch. 6).

    Parameters
    ----------
    forecast, customer_orders, master_schedule : sequence or Series
        Per period: forecast [F], booked orders [CO], MPS quantity (receipts) [MPS].
    on_hand : float
        Inventory at the start [OH].
    demand_time_fence, planning_time_fence : int
        Number of periods inside each fence; periods 1..DTF are "frozen", up to PTF
        "slushy", later "liquid".

    Returns
    -------
    DataFrame
        Indexed by period: ``forecast``, ``customer_orders``, ``projected_available``,
        ``master_schedule``, ``atp``, ``cumulative_atp``, ``zone``.

    Examples
    --------
    >>> rec = master_schedule_record([20, 20, 20, 20], [23, 15, 8, 4], [0, 60, 0, 0], 45,
    ...                              demand_time_fence=1)
    >>> rec[["projected_available", "atp"]].to_dict("list")
    {'projected_available': [22.0, 62.0, 42.0, 22.0], 'atp': [22.0, 33.0, 0.0, 0.0]}
    """
    f = _requirements(forecast, "forecast").to_numpy()
    co = _requirements(customer_orders, "customer_orders").to_numpy()
    mps = _requirements(master_schedule, "master_schedule").to_numpy()
    if not len(f) == len(co) == len(mps):
        raise ValueError("forecast, customer_orders and master_schedule must have the same length.")
    on_hand = check_number(on_hand, "on_hand", low=0)
    n = len(f)
    if not 0 <= demand_time_fence <= n or not 0 <= planning_time_fence <= n:
        raise ValueError(f"Time fences must lie between 0 and the horizon ({n} periods).")
    pab = np.zeros(n)
    prev = float(on_hand)
    for t in range(n):
        demand = co[t] if t < demand_time_fence else max(f[t], co[t])
        prev = prev + mps[t] - demand
        pab[t] = prev
    atp = np.zeros(n)
    receipts = [t for t in range(n) if mps[t] > 0 or t == 0]
    for i, t in enumerate(receipts):
        end = receipts[i + 1] if i + 1 < len(receipts) else n
        atp[t] = mps[t] + (on_hand if t == 0 else 0) - co[t:end].sum()
    # borrow backwards for negative ATP
    for i in range(len(receipts) - 1, 0, -1):
        t = receipts[i]
        if atp[t] < 0:
            atp[receipts[i - 1]] += atp[t]
            atp[t] = 0
    index = pd.RangeIndex(1, n + 1, name="period")
    zone = [
        "frozen" if t < demand_time_fence else "slushy" if t < planning_time_fence else "liquid"
        for t in range(n)
    ]
    return pd.DataFrame(
        {
            "forecast": f,
            "customer_orders": co,
            "projected_available": pab,
            "master_schedule": mps,
            "atp": atp,
            "cumulative_atp": atp.cumsum(),
            "zone": zone,
        },
        index=index,
    )


# -- lot sizing --------------------------------------------------------------------
def lot_for_lot(net_requirements) -> pd.Series:
    """Lot-for-lot: order exactly each period's net requirement.

    >>> lot_for_lot([10, 0, 5]).tolist()
    [10.0, 0.0, 5.0]
    """
    req = _requirements(net_requirements)
    return req.rename("planned_receipts")


def fixed_order_quantity(net_requirements, order_quantity: float) -> pd.Series:
    """Fixed order quantity (FOQ): order multiples of Q whenever stock would go short.

    >>> fixed_order_quantity([10, 0, 5, 30], 25).tolist()
    [25.0, 0.0, 0.0, 25.0]
    """
    req = _requirements(net_requirements)
    order_quantity = check_number(order_quantity, "order_quantity", low=0, low_open=True)
    receipts = np.zeros(len(req))
    stock = 0.0
    for t, r in enumerate(req.to_numpy()):
        if stock < r - 1e-9:
            n = math.ceil((r - stock - 1e-9) / order_quantity)
            receipts[t] = n * order_quantity
            stock += receipts[t]
        stock -= r
    return pd.Series(receipts, index=req.index, name="planned_receipts")


def _cover(req: np.ndarray, starts: list[int]) -> np.ndarray:
    receipts = np.zeros(len(req))
    bounds = starts + [len(req)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        receipts[a] = req[a:b].sum()
    return receipts


def periodic_order_quantity(net_requirements, periods: int) -> pd.Series:
    """Periodic order quantity (POQ): each order covers the next ``periods`` periods
    that have requirements (Orlicky; often ``periods`` = EOQ / average demand).

    >>> periodic_order_quantity([10, 0, 5, 30, 8], 2).tolist()
    [10.0, 0.0, 35.0, 0.0, 8.0]
    """
    req = _requirements(net_requirements).to_numpy()
    periods = check_whole_number(periods, "periods", hint="Each order covers that many periods.")
    receipts = np.zeros(len(req))
    t = 0
    n = len(req)
    while t < n:
        if req[t] <= 0:
            t += 1
            continue
        end = t + int(periods)
        receipts[t] = req[t:end].sum()
        t = end
    return pd.Series(receipts, index=pd.Series(net_requirements).index, name="planned_receipts")


def silver_meal(net_requirements, fixed_cost: float, holding_cost: float) -> pd.Series:
    """Silver-Meal heuristic: extend each order while the average cost per period falls.

    An order placed in period :math:`t` covering :math:`T` periods costs
    :math:`C(T) = [K + h \\sum_{j=1}^{T-1} j\\, d_{t+j}] / T`; stop at the first :math:`T`
    with :math:`C(T+1) > C(T)` (Silver, Pyke & Thomas 2017, sec. 5.6).

    Parameters
    ----------
    net_requirements : sequence
        Net requirements per period [d_t].
    fixed_cost : float
        Set-up or ordering cost [K].
    holding_cost : float
        Holding cost per unit per period [h].

    Examples
    --------
    Snyder & Shen (2019) Example 3.9 data (K = 500, h = 2):

    >>> silver_meal([90, 120, 80, 70], 500, 2).tolist()   # C(1..4) = 500, 370, 353.3, 370
    [290.0, 0.0, 0.0, 70.0]
    """
    req = _requirements(net_requirements)
    k, h = _costs(fixed_cost, holding_cost)
    d = req.to_numpy()
    starts = []
    t = 0
    n = len(d)
    while t < n:
        if d[t] <= 0:
            t += 1
            continue
        starts.append(t)
        carry = 0.0
        best = k
        length = 1
        while t + length < n:
            extra = carry + h * length * d[t + length]
            if (k + extra) / (length + 1) > best / length + 1e-12 and d[t + length] > 0:
                break
            carry = extra
            best = k + carry
            length += 1
        t += length
    return pd.Series(_cover(d, starts), index=req.index, name="planned_receipts")


def _costs(fixed_cost, holding_cost):
    return (
        check_number(fixed_cost, "fixed_cost [K]", low=0),
        check_number(holding_cost, "holding_cost [h]", low=0),
    )


def wagner_whitin(net_requirements, fixed_cost: float, holding_cost: float) -> pd.Series:
    """Wagner-Whitin: the optimal (minimum set-up + holding cost) lot sizes by dynamic
    programming, :math:`\\theta_t = \\min_{s > t} \\{K + h \\sum_{i=t}^{s-1} (i - t) d_i +
    \\theta_s\\}` (Wagner & Whitin 1958; Snyder & Shen 2019, sec. 3.7).

    Examples
    --------
    Snyder & Shen (2019), Example 3.9 (:func:`sopcourse.examples.snyder_shen_example_3_9`):
    K = 500, h = 2, d = (90, 120, 80, 70); the published cost is 1380.

    >>> from sopcourse import examples
    >>> ex = examples.snyder_shen_example_3_9()
    >>> q = wagner_whitin(**ex.data)
    >>> q.tolist(), float(lot_sizing_cost(ex.net_requirements, q, 500, 2)["total_cost"])
    ([210.0, 0.0, 150.0, 0.0], 1380.0)
    """
    req = _requirements(net_requirements)
    k, h = _costs(fixed_cost, holding_cost)
    d = req.to_numpy()
    n = len(d)
    theta = np.zeros(n + 1)
    nxt = np.full(n + 1, n)
    for t in range(n - 1, -1, -1):
        if d[t] <= 0 and t < n:
            # no need to order in a period without requirement: carry forward
            pass
        best = math.inf
        for s in range(t + 1, n + 1):
            cost = (k if d[t:s].sum() > 0 else 0.0) + h * sum((i - t) * d[i] for i in range(t, s))
            cost += theta[s]
            if cost < best - 1e-9:
                best, nxt[t] = cost, s
        theta[t] = best
    starts = []
    t = 0
    while t < n:
        starts.append(t)
        t = int(nxt[t])
    return pd.Series(_cover(d, starts), index=req.index, name="planned_receipts")


def lot_sizing_cost(net_requirements, planned_receipts, fixed_cost, holding_cost) -> pd.Series:
    """Set-up and holding cost of a lot-sizing plan (holding charged on end-of-period stock).

    >>> lot_sizing_cost([10, 5], [15, 0], 100, 1).to_dict()
    {'orders': 1.0, 'setup_cost': 100.0, 'holding_cost': 5.0, 'total_cost': 105.0}
    """
    req = _requirements(net_requirements).to_numpy()
    rec = _requirements(planned_receipts, "planned_receipts").to_numpy()
    if len(rec) != len(req):
        raise ValueError("planned_receipts must have one value per period of net_requirements.")
    k, h = _costs(fixed_cost, holding_cost)
    stock = np.cumsum(rec - req)
    if (stock < -1e-6).any():
        first = int(np.argmax(stock < -1e-6)) + 1
        raise ValueError(
            f"The plan runs short in period {first}; receipts must cover requirements."
        )
    orders = float((rec > 1e-9).sum())
    holding = float(h * stock.clip(min=0).sum())
    k = float(k)
    return pd.Series(
        {
            "orders": orders,
            "setup_cost": k * orders,
            "holding_cost": holding,
            "total_cost": k * orders + holding,
        },
        name="cost",
    )


def compare_lot_sizing(
    net_requirements,
    fixed_cost: float,
    holding_cost: float,
    order_quantity: float | None = None,
    periods: int | None = None,
) -> pd.DataFrame:
    """Run all seven lot-sizing rules on one requirement stream and compare their costs
    (part-period balancing and least unit cost come from :mod:`sopcourse.lot_sizing`).

    ``order_quantity`` (FOQ) defaults to the EOQ :math:`\\sqrt{2 K \\bar d / h}` rounded,
    ``periods`` (POQ) to EOQ / average requirement, rounded, at least 1.

    Returns
    -------
    DataFrame
        One row per method with ``orders``, ``setup_cost``, ``holding_cost``,
        ``total_cost``, sorted by ``total_cost``; Wagner-Whitin is never beaten.

    Examples
    --------
    >>> t = compare_lot_sizing([90, 120, 80, 70], 500, 2)
    >>> t["total_cost"].to_dict()
    {'wagner_whitin': 1380.0, 'least_unit_cost': 1380.0, 'periodic_order_quantity': 1380.0, 'silver_meal': 1560.0, 'part_period_balancing': 1560.0, 'fixed_order_quantity': 1644.0, 'lot_for_lot': 2000.0}
    """
    from .lot_sizing import least_unit_cost, part_period_balancing

    req = _requirements(net_requirements)
    k, h = _costs(fixed_cost, holding_cost)
    mean = float(req[req > 0].mean()) if (req > 0).any() else 0.0
    eoq = math.sqrt(2 * k * mean / h) if h > 0 and mean > 0 else max(req.sum(), 1.0)
    if order_quantity is None:
        order_quantity = max(round(eoq), 1)
    if periods is None:
        periods = max(round(eoq / mean), 1) if mean > 0 else 1
    plans = {
        "lot_for_lot": lot_for_lot(req),
        "fixed_order_quantity": fixed_order_quantity(req, order_quantity),
        "periodic_order_quantity": periodic_order_quantity(req, periods),
        "silver_meal": silver_meal(req, k, h),
        "wagner_whitin": wagner_whitin(req, k, h),
        "part_period_balancing": part_period_balancing(req, k, h),
        "least_unit_cost": least_unit_cost(req, k, h),
    }
    rows = {name: lot_sizing_cost(req, plan, k, h) for name, plan in plans.items()}
    table = pd.DataFrame(rows).T
    table.index.name = "method"
    order = ["wagner_whitin", "least_unit_cost", "silver_meal", "part_period_balancing"]
    order += ["periodic_order_quantity"]
    order += ["fixed_order_quantity", "lot_for_lot"]
    table = table.loc[order].astype(float)
    return table.sort_values("total_cost", kind="stable")


_LOT_RULES = {
    "lot_for_lot",
    "fixed_order_quantity",
    "periodic_order_quantity",
    "silver_meal",
    "wagner_whitin",
}


def _apply_rule(req, rule, order_quantity, periods, fixed_cost, holding_cost):
    if rule == "lot_for_lot":
        return lot_for_lot(req)
    if rule == "fixed_order_quantity":
        if not order_quantity:
            raise ValueError("Lot rule 'fixed_order_quantity' needs an order_quantity.")
        return fixed_order_quantity(req, order_quantity)
    if rule == "periodic_order_quantity":
        return periodic_order_quantity(req, int(periods or 1))
    if rule == "silver_meal":
        return silver_meal(req, fixed_cost, holding_cost)
    if rule == "wagner_whitin":
        return wagner_whitin(req, fixed_cost, holding_cost)
    raise ValueError(f"Unknown lot-sizing rule {rule!r}; use one of {sorted(_LOT_RULES)}.")


# -- MRP -------------------------------------------------------------------------------
def low_level_codes(bom: pd.DataFrame, items=None) -> pd.Series:
    """Low-level code of every item: the deepest level at which it appears in any BOM.

    Parameters
    ----------
    bom : DataFrame
        Columns ``parent``, ``component``, ``quantity`` (units per parent).
    items : iterable, optional
        Extra items (end items without components) to include with code 0.

    Raises
    ------
    ValueError
        If the BOM has a cycle (an item is, directly or not, its own component).

    Examples
    --------
    >>> bom = pd.DataFrame({"parent": ["bike", "bike", "wheel"],
    ...                     "component": ["wheel", "spoke", "spoke"], "quantity": [2, 0, 32]})
    >>> low_level_codes(bom).to_dict()
    {'bike': 0, 'wheel': 1, 'spoke': 2}
    """
    require_columns(bom, ["parent", "component", "quantity"], "bom", allow_empty=True)
    children: dict = {}
    for p, c in zip(bom["parent"], bom["component"], strict=True):
        children.setdefault(p, []).append(c)
    all_items = list(
        dict.fromkeys(
            list(bom["parent"]) + list(bom["component"]) + list(items if items is not None else [])
        )
    )
    code = dict.fromkeys(all_items, 0)
    state: dict = {}

    def visit(item, depth, path):
        if state.get(item) == "active":
            cycle = " -> ".join(map(str, path + [item]))
            raise ValueError(
                f"The bill of materials has a cycle: {cycle}. An item cannot be its own "
                "component; fix the parent/component rows."
            )
        code[item] = max(code[item], depth)
        state[item] = "active"
        for c in children.get(item, []):
            visit(c, depth + 1, path + [item])
        state[item] = "done"

    roots = [i for i in all_items if i not in set(bom["component"])]
    if not roots and all_items:
        visit(all_items[0], 0, [])
    for r in roots:
        visit(r, 0, [])
    return pd.Series(code, name="low_level_code").sort_values(kind="stable")


def mrp_record(
    gross_requirements,
    on_hand: float = 0.0,
    lead_time: int = 0,
    scheduled_receipts=None,
    lot_rule: str = "lot_for_lot",
    safety_stock: float = 0.0,
    order_quantity: float | None = None,
    periods: int | None = None,
    fixed_cost: float = 0.0,
    holding_cost: float = 1.0,
) -> pd.DataFrame:
    """The MRP record of one item: gross to net, lot sizing and lead-time offsetting.

    :math:`NR_t = \\max(0, GR_t + SS - (POH_{t-1} + SR_t))`, planned receipts from the lot
    rule, :math:`POH_t = POH_{t-1} + SR_t + PORec_t - GR_t`, and planned order releases
    :math:`PORel_t = PORec_{t+L}`. Releases that would fall before period 1 are
    past due: they are put in period 1 and counted in ``record.attrs["past_due"]``.

    Returns
    -------
    DataFrame
        Indexed by period (1..T): ``gross_requirements``, ``scheduled_receipts``,
        ``projected_on_hand``, ``net_requirements``, ``planned_receipts``,
        ``planned_releases``.

    Examples
    --------
    >>> r = mrp_record([0, 10, 20, 0, 30], on_hand=15, lead_time=1, scheduled_receipts=[0, 5, 0, 0, 0])
    >>> r[["net_requirements", "planned_releases"]].to_dict("list")
    {'net_requirements': [0.0, 0.0, 10.0, 0.0, 30.0], 'planned_releases': [0.0, 10.0, 0.0, 30.0, 0.0]}
    """
    gr = _requirements(gross_requirements, "gross_requirements").to_numpy()
    n = len(gr)
    sr = (
        np.zeros(n)
        if scheduled_receipts is None
        else _requirements(scheduled_receipts, "scheduled_receipts").to_numpy()
    )
    if len(sr) != n:
        raise ValueError("scheduled_receipts must have one value per period of gross_requirements.")
    lt = check_whole_number(lead_time, "lead_time", low=0, hint="Lead times are whole periods.")
    if lt >= n:
        raise ValueError(
            f"lead_time ({lt}) is not shorter than the horizon ({n} periods); lengthen the "
            "planning horizon or check the lead time's unit."
        )
    on_hand = check_number(on_hand, "on_hand", low=0)
    safety_stock = check_number(safety_stock, "safety_stock", low=0)
    # net requirements by period, given on hand and scheduled receipts
    poh = float(on_hand)
    net = np.zeros(n)
    for t in range(n):
        avail = poh + sr[t]
        short = gr[t] + safety_stock - avail
        net[t] = max(0.0, short)
        poh = avail - gr[t] + net[t]
    receipts = _apply_rule(
        pd.Series(net), lot_rule, order_quantity, periods, fixed_cost, holding_cost
    ).to_numpy()
    poh_series = float(on_hand) + np.cumsum(sr + receipts - gr)
    releases = np.zeros(n)
    past_due = 0.0
    for t in range(n):
        if receipts[t] > 0:
            if t - lt >= 0:
                releases[t - lt] += receipts[t]
            else:
                releases[0] += receipts[t]
                past_due += receipts[t]
    record = pd.DataFrame(
        {
            "gross_requirements": gr,
            "scheduled_receipts": sr,
            "projected_on_hand": poh_series,
            "net_requirements": net,
            "planned_receipts": receipts,
            "planned_releases": releases,
        },
        index=pd.RangeIndex(1, n + 1, name="period"),
    )
    record.attrs["past_due"] = past_due
    return record


@dataclass
class MRPResult:
    """Result of :func:`run_mrp`.

    Attributes
    ----------
    records : DataFrame
        Tidy MRP records: ``item``, ``period``, ``low_level_code`` and the
        :func:`mrp_record` columns.
    pegging : DataFrame
        Where each component's gross requirement comes from: ``component``, ``period``,
        ``parent``, ``quantity`` (``parent`` is ``"independent"`` for external demand).
    low_level_codes : Series
    past_due : Series
        Planned releases that should already have happened, by item.
    """

    records: pd.DataFrame
    pegging: pd.DataFrame
    low_level_codes: pd.Series
    past_due: pd.Series

    def record(self, item) -> pd.DataFrame:
        """The MRP record of one item, periods as columns (the textbook layout)."""
        if item not in set(self.records["item"]):
            raise ValueError(
                f"Unknown item {item!r}; known items: {sorted(self.low_level_codes.index)}."
            )
        rec = self.records[self.records["item"] == item].set_index("period")
        return rec.drop(columns=["item", "low_level_code"]).T


def run_mrp(
    independent_demand: pd.DataFrame,
    bom: pd.DataFrame,
    items: pd.DataFrame,
    scheduled_receipts: pd.DataFrame | None = None,
    horizon: int | None = None,
    *,
    periods: int | None = None,
) -> MRPResult:
    """Multi-level MRP: explode the master schedule through the BOM by low-level code.

    Items are processed level by level (low-level code 0 first) so that every gross
    requirement of an item is known before it is netted: a parent's planned order
    releases times the BOM quantity become the component's gross requirements in the
    same period (Vollmann et al. 2005, ch. 3).

    Parameters
    ----------
    independent_demand : DataFrame
        ``item``, ``period`` (1..T), ``quantity``: the MPS of end items and any service
        demand for components.
    bom : DataFrame
        ``parent``, ``component``, ``quantity``.
    items : DataFrame
        ``item``, ``lead_time`` (periods), ``on_hand``; optional ``safety_stock``,
        ``lot_rule`` (see :func:`mrp_record`), ``order_quantity``, ``lot_periods``,
        ``fixed_cost``, ``holding_cost``.
    scheduled_receipts : DataFrame, optional
        ``item``, ``period``, ``quantity``: open orders already released.
    horizon : int, optional
        Number of periods planned ahead; defaults to the largest period in
        ``independent_demand``. ``periods=`` (its old name) is still accepted.

    Examples
    --------
    >>> bom = pd.DataFrame({"parent": ["bike", "wheel"], "component": ["wheel", "rim"],
    ...                     "quantity": [2, 1]})
    >>> items = pd.DataFrame({"item": ["bike", "wheel", "rim"], "lead_time": [1, 1, 1],
    ...                       "on_hand": [0, 5, 0]})
    >>> mps = pd.DataFrame({"item": "bike", "period": [4, 5], "quantity": [10, 10]})
    >>> res = run_mrp(mps, bom, items)
    >>> res.record("rim").loc["planned_releases"].tolist()
    [15.0, 20.0, 0.0, 0.0, 0.0]
    """
    if periods is not None:  # the name before horizon (a number of periods planned ahead)
        if horizon is not None and horizon != periods:
            raise ValueError("pass horizon or periods (its old name), not both.")
        horizon = periods
    qty, horizon = _check_mrp_inputs(independent_demand, bom, items, scheduled_receipts, horizon)
    codes = low_level_codes(bom, items["item"])
    info = items.set_index("item")
    gross = {i: np.zeros(horizon) for i in info.index}
    peg_rows = []
    for row in independent_demand.assign(quantity=qty).itertuples(index=False):
        gross[row.item][int(row.period) - 1] += row.quantity
        peg_rows.append((row.item, int(row.period), "independent", float(row.quantity)))
    receipts = {i: np.zeros(horizon) for i in info.index}
    if scheduled_receipts is not None:
        for row in scheduled_receipts.itertuples(index=False):
            if 1 <= int(row.period) <= horizon:
                receipts[row.item][int(row.period) - 1] += float(row.quantity)
    children = bom.groupby("parent")
    records = []
    past_due = {}
    for item in sorted(info.index, key=lambda i: (codes[i], str(i))):
        rec = _item_record(info.loc[item], gross[item], receipts[item])
        past_due[item] = rec.attrs["past_due"]
        if item in children.groups:
            for comp in children.get_group(item).itertuples(index=False):
                need = rec["planned_releases"].to_numpy() * float(comp.quantity)
                gross[comp.component] += need
                for t in np.nonzero(need)[0]:
                    peg_rows.append((comp.component, int(t) + 1, item, float(need[t])))
        records.append(rec.reset_index().assign(item=item, low_level_code=int(codes[item])))
    table = pd.concat(records, ignore_index=True)
    cols = ["item", "period", "low_level_code"] + [
        c for c in table.columns if c not in ("item", "period", "low_level_code")
    ]
    pegging = pd.DataFrame(peg_rows, columns=["component", "period", "parent", "quantity"])
    return MRPResult(
        records=table[cols],
        pegging=pegging,
        low_level_codes=codes,
        past_due=pd.Series(past_due, name="past_due"),
    )


def _check_mrp_inputs(independent_demand, bom, items, scheduled_receipts, horizon):
    """The demand quantities and the horizon of :func:`run_mrp`, its tables checked."""
    require_columns(
        independent_demand, ["item", "period", "quantity"], "independent_demand", allow_empty=True
    )
    require_columns(bom, ["parent", "component", "quantity"], "bom", allow_empty=True)
    require_columns(items, ["item", "lead_time", "on_hand"], "items", allow_empty=True)
    if scheduled_receipts is not None:
        require_columns(
            scheduled_receipts,
            ["item", "period", "quantity"],
            "scheduled_receipts",
            allow_empty=True,
        )
    if independent_demand.empty:
        raise ValueError("independent_demand is empty; pass the master schedule of end items.")
    if items["item"].duplicated().any():
        dup = sorted(items.loc[items["item"].duplicated(), "item"].astype(str))
        raise ValueError(f"items lists {dup} more than once; keep one row per item.")
    qty = check_numbers(independent_demand["quantity"], "independent_demand['quantity']", low=0)
    check_numbers(bom["quantity"], "bom['quantity']", low=0, allow_empty=True)
    known = set(items["item"])
    for label, names in (
        ("independent_demand", set(independent_demand["item"])),
        ("bom", set(bom["parent"]) | set(bom["component"])),
        (
            "scheduled_receipts",
            set(scheduled_receipts["item"]) if scheduled_receipts is not None else set(),
        ),
    ):
        unknown = sorted(map(str, names - known))
        if unknown:
            raise ValueError(f"{label} mentions unknown item(s) {unknown}; add them to items.")
    if horizon is None:
        horizon = int(independent_demand["period"].max())
    horizon = check_whole_number(horizon, "horizon", hint="The number of periods to plan.")
    if independent_demand["period"].min() < 1 or independent_demand["period"].max() > horizon:
        raise ValueError(f"Periods must run from 1 to the horizon ({horizon}).")
    return qty, horizon


def _item_record(spec: pd.Series, gross: np.ndarray, receipts: np.ndarray) -> pd.DataFrame:
    """The MRP record of one item from its row of ``items`` (blank optional columns take
    the defaults of :func:`mrp_record`)."""

    def opt(name, default):
        value = spec.get(name, default)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return default
        return value

    return mrp_record(
        gross,
        on_hand=float(spec["on_hand"]),
        lead_time=int(spec["lead_time"]),
        scheduled_receipts=receipts,
        lot_rule=opt("lot_rule", "lot_for_lot"),
        safety_stock=float(opt("safety_stock", 0.0)),
        order_quantity=opt("order_quantity", None),
        periods=opt("lot_periods", None),
        fixed_cost=float(opt("fixed_cost", 0.0)),
        holding_cost=float(opt("holding_cost", 1.0)),
    )
