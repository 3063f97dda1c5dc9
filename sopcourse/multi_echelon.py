"""Multi-echelon safety stock, a first look (Module 4): the guaranteed-service model (GSM).

Each stage of a supply chain (welding a frame, painting it, assembling the bicycle)
promises its customers a *committed service time* :math:`S_j`: an order placed today is
shipped within :math:`S_j` periods. The stage waits up to its *inbound service time*
:math:`SI_j` (the longest promise of its suppliers) for material, then needs its own
processing time :math:`T_j`. What it must cover from stock is the demand over the
**net lead time**

.. math:: \\tau_j = SI_j + T_j - S_j \\ge 0,
   \\qquad SS_j = z\\,\\sigma_j\\sqrt{\\tau_j},

and the model chooses the promises :math:`S_j` that minimise the total holding cost of
safety stock :math:`\\sum_j h_j\\,z\\,\\sigma_j\\sqrt{\\tau_j}`, subject to
:math:`SI_j = \\max(\\text{supplier guarantee}_j, \\max_{i \\to j} S_i)` and, at a stage
that serves end customers, :math:`S_j \\le` the service time promised to them. Stock
ends up where it is cheap and where it decouples long lead times, not everywhere.

Conventions (the same in every function here):

* Times are whole numbers of periods (days or weeks: one unit throughout).
* :math:`h_j` is the holding cost of one unit of stage *j*'s output for one period
  (unit cost x holding rate per period); :math:`\\sigma_j` the standard deviation of the
  demand one period, of the end customers the stage serves directly or through the
  stages downstream (:math:`\\sigma_j^2` = own demand variance + the variances of its
  customers; one unit of input per unit of output, independent demands).
* ``z`` is the safety factor of the normal demand bound (1.645 for 95 % of cases).

Sources: Simpson (1958), "In-process inventories", *Operations Research* 6; Graves &
Willems (2000), "Optimizing strategic safety stock placement in supply chains", *M&SOM*
2(1), 68-83 (the dynamic programme for spanning trees, used here); Snyder & Shen,
*Fundamentals of Supply Chain Theory*, 2nd ed. (2019), section 6.3 (notation, and the
worked examples that the tests reproduce).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ._checks import check_number

__all__ = ["gsm_serial", "gsm_tree", "tallridge_chain_example"]

# A stage's service times run from 0 to its longest possible replenishment time; the
# dynamic programme keeps a (time x time) table per stage, so we bound that time.
MAX_REPLENISHMENT_TIME = 400
# Exhaustive enumeration (method="enumerate") refuses more combinations than this.
MAX_ENUMERATION = 200_000
_RESULT_COLUMNS = [
    "processing_time",
    "inbound_service_time",
    "committed_service_time",
    "net_lead_time",
    "demand_sd",
    "safety_stock",
    "holding_cost",
    "cost",
]


# -- input checks ---------------------------------------------------------------------


def _whole_time(value, name: str) -> int:
    x = check_number(value, name, low=0, hint="Times are whole numbers of periods.")
    if x != int(x):
        raise ValueError(
            f"{name} must be a whole number of periods; got {x!r}. Round it, or use a "
            "smaller period (days instead of weeks)."
        )
    return int(x)


def _stage_table(stages) -> pd.DataFrame:
    if not isinstance(stages, pd.DataFrame):
        raise ValueError(
            "stages must be a DataFrame indexed by stage name with columns "
            "'processing_time' and 'holding_cost' (optional: 'demand_sd', "
            f"'max_service_time', 'inbound_service_time'); got {type(stages).__name__}."
        )
    missing = [c for c in ("processing_time", "holding_cost") if c not in stages.columns]
    if missing:
        raise ValueError(
            f"stages is missing column(s) {missing}; it has {list(stages.columns)}. "
            "Give each stage its processing time (periods) and holding cost (per unit per "
            "period)."
        )
    if stages.empty:
        raise ValueError("stages is empty: give at least one stage.")
    if stages.index.duplicated().any():
        dup = sorted(set(stages.index[stages.index.duplicated()]))
        raise ValueError(f"stages lists {dup} more than once: one row per stage.")
    table = pd.DataFrame(index=stages.index)
    table["processing_time"] = [
        _whole_time(v, f"processing_time of {k!r}") for k, v in stages["processing_time"].items()
    ]
    table["holding_cost"] = [
        check_number(v, f"holding_cost of {k!r}", low=0, hint="Per unit per period, >= 0.")
        for k, v in stages["holding_cost"].items()
    ]
    own = stages["demand_sd"] if "demand_sd" in stages.columns else pd.Series(np.nan, stages.index)
    table["own_sd"] = [
        0.0
        if pd.isna(v)
        else check_number(v, f"demand_sd of {k!r}", low=0, hint="Per period, in units.")
        for k, v in own.items()
    ]
    out = stages.get("max_service_time", pd.Series(np.nan, stages.index))
    table["max_service_time"] = [
        math.inf if pd.isna(v) else _whole_time(v, f"max_service_time of {k!r}")
        for k, v in out.items()
    ]
    inb = stages.get("inbound_service_time", pd.Series(0, stages.index))
    table["inbound_floor"] = [
        0 if pd.isna(v) else _whole_time(v, f"inbound_service_time of {k!r}")
        for k, v in inb.items()
    ]
    if not (table["own_sd"] > 0).any():
        raise ValueError(
            "No stage has end-customer demand: give the stage(s) that serve customers a "
            "'demand_sd' > 0 (the standard deviation of demand per period)."
        )
    return table


def _tree_edges(edges, names: list) -> list[tuple]:
    try:
        pairs = [tuple(e) for e in edges]
    except TypeError:
        raise ValueError(
            "edges must be a list of (supplier, customer) pairs of stage names."
        ) from None
    known = set(names)
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"Each edge is a (supplier, customer) pair; got {pair!r}.")
        unknown = [s for s in pair if s not in known]
        if unknown:
            raise ValueError(
                f"Edge {pair!r} names stage(s) {unknown} that are not in stages "
                f"(known stages: {names})."
            )
        if pair[0] == pair[1]:
            raise ValueError(f"Edge {pair!r} links a stage to itself: remove it.")
    if len(set(frozenset(p) for p in pairs)) != len(pairs):
        raise ValueError("edges lists the same pair of stages twice: give each link once.")
    if len(pairs) != len(names) - 1 or not _connected(names, pairs):
        raise ValueError(
            f"The stages and edges must form one tree ({len(names)} stages need exactly "
            f"{len(names) - 1} edges, all stages connected, no loop); got {len(pairs)} "
            "edge(s). A network with a loop needs a solver for general networks."
        )
    return pairs


def _connected(names: list, pairs: list[tuple]) -> bool:
    adj = {n: set() for n in names}
    for a, b in pairs:
        adj[a].add(b)
        adj[b].add(a)
    seen, todo = {names[0]}, [names[0]]
    while todo:
        for nxt in adj[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return len(seen) == len(names)


# -- the model --------------------------------------------------------------------------


class _Tree:
    """The GSM instance on integer indices, with the quantities every method needs."""

    def __init__(self, table: pd.DataFrame, pairs: list[tuple], z: float):
        self.names = list(table.index)
        pos = {n: i for i, n in enumerate(self.names)}
        n = len(self.names)
        self.T = table["processing_time"].to_numpy(int)
        self.h = table["holding_cost"].to_numpy(float)
        self.floor = table["inbound_floor"].to_numpy(int)
        self.up = [[] for _ in range(n)]
        self.down = [[] for _ in range(n)]
        for a, b in pairs:
            self.up[pos[b]].append(pos[a])
            self.down[pos[a]].append(pos[b])
        order = self._topological_order()
        self.M = np.zeros(n, dtype=int)  # longest replenishment time of each stage
        for k in order:
            self.M[k] = max([self.floor[k]] + [self.M[i] for i in self.up[k]]) + self.T[k]
        var = table["own_sd"].to_numpy(float) ** 2
        for k in reversed(order):
            var[k] += sum(var[j] for j in self.down[k])
        self.sigma = np.sqrt(var)
        self.z = z
        self.out = np.minimum(table["max_service_time"].to_numpy(float), self.M).astype(int)
        worst = int(self.M.max())
        if worst > MAX_REPLENISHMENT_TIME:
            raise ValueError(
                f"The longest replenishment time is {worst} periods (more than "
                f"{MAX_REPLENISHMENT_TIME}): use a longer period (weeks instead of days)."
            )
        self.L = worst + 1

    def _topological_order(self) -> list[int]:
        indeg = [len(u) for u in self.up]
        todo = [k for k, d in enumerate(indeg) if d == 0]
        order = []
        while todo:
            k = todo.pop()
            order.append(k)
            for j in self.down[k]:
                indeg[j] -= 1
                if indeg[j] == 0:
                    todo.append(j)
        return order

    def stage_cost(self, k: int, nlt) -> np.ndarray:
        return self.h[k] * self.z * self.sigma[k] * np.sqrt(np.maximum(nlt, 0))

    def base_table(self, k: int) -> np.ndarray:
        """Cost of stage k alone for each (S, SI): infinite where (S, SI) is not allowed."""
        t = np.arange(self.L)
        S, SI = t[:, None], t[None, :]
        nlt = SI + self.T[k] - S
        ok = (nlt >= 0) & (self.floor[k] <= SI) & (self.M[k] - self.T[k] >= SI)
        ok &= self.out[k] >= S
        return np.where(ok, self.stage_cost(k, nlt), np.inf)

    def result(self, S: np.ndarray) -> pd.DataFrame:
        SI = np.array([max([self.floor[k]] + [S[i] for i in self.up[k]]) for k in range(len(S))])
        nlt = np.maximum(SI + self.T - S, 0)
        ss = self.z * self.sigma * np.sqrt(nlt)
        table = pd.DataFrame(
            {
                "processing_time": self.T,
                "inbound_service_time": SI,
                "committed_service_time": S,
                "net_lead_time": nlt,
                "demand_sd": self.sigma,
                "safety_stock": ss,
                "holding_cost": self.h,
                "cost": self.h * ss,
            },
            index=pd.Index(self.names, name="stage"),
        )[_RESULT_COLUMNS]
        table.attrs["total_cost"] = float(table["cost"].sum())
        table.attrs["z"] = self.z
        return table


def _graves_willems(tree: _Tree) -> np.ndarray:
    """Optimal committed service times by the Graves & Willems (2000) dynamic programme.

    Stages are labelled by peeling leaves off the tree; stage k's one remaining
    neighbour p(k) has a larger label. For every k < N the programme tabulates the least
    cost of the subtree hanging below k, as a function of k's outbound time S (when p(k)
    is downstream: f_k) or of its inbound time SI (when p(k) is upstream: g_k).
    """
    n = len(tree.names)
    adj = [set(tree.up[k]) | set(tree.down[k]) for k in range(n)]
    left = set(range(n))
    label, parent = [], {}
    while len(left) > 1:
        k = min(i for i in left if len(adj[i] & left) == 1)
        parent[k] = next(iter(adj[k] & left))
        left.remove(k)
        label.append(k)
    root = left.pop()
    label.append(root)
    children = {k: [c for c, p in parent.items() if p == k] for k in range(n)}
    tables, f, g = {}, {}, {}
    for k in label:
        C = tree.base_table(k)
        for c in children[k]:
            if c in tree.up[k]:  # supplier: its S must not exceed our SI
                C = C + np.minimum.accumulate(f[c])[None, :]
            else:  # customer: its SI must be at least our S
                C = C + np.minimum.accumulate(g[c][::-1])[::-1][:, None]
        tables[k] = C
        if k == root:
            break
        if parent[k] in tree.down[k]:
            f[k] = C.min(axis=1)
        else:
            g[k] = C.min(axis=0)
    C = tables[root]
    if not np.isfinite(C.min()):
        raise ValueError(
            "No set of service times meets every promise: a customer-facing stage's "
            "max_service_time is shorter than it can ever be served. Check the inputs."
        )
    S = np.zeros(n, dtype=int)
    s_root, si_root = np.unravel_index(int(np.argmin(C)), C.shape)
    todo = [(root, int(s_root), int(si_root))]
    while todo:
        k, s_k, si_k = todo.pop()
        S[k] = s_k
        for c in children[k]:
            if c in tree.up[k]:
                s_c = int(np.argmin(f[c][: si_k + 1]))
                todo.append((c, s_c, int(np.argmin(tables[c][s_c, :]))))
            else:
                si_c = s_k + int(np.argmin(g[c][s_k:]))
                todo.append((c, int(np.argmin(tables[c][:, si_c])), si_c))
    return S


def _enumerate(tree: _Tree) -> np.ndarray:
    """Optimal committed service times by trying every combination (small trees only)."""
    ranges = [range(int(tree.out[k]) + 1) for k in range(len(tree.names))]
    count = math.prod(len(r) for r in ranges)
    if count > MAX_ENUMERATION:
        raise ValueError(
            f"Enumeration would try {count:,} combinations of service times (limit "
            f"{MAX_ENUMERATION:,}): use method='dp'."
        )
    best, best_S = math.inf, None
    n = len(tree.names)
    for combo in itertools.product(*ranges):
        S = np.array(combo)
        SI = [max([tree.floor[k]] + [S[i] for i in tree.up[k]]) for k in range(n)]
        nlt = np.array(SI) + tree.T - S
        if (nlt < 0).any():
            continue
        cost = sum(float(tree.stage_cost(k, nlt[k])) for k in range(n))
        if cost < best - 1e-12:
            best, best_S = cost, S
    if best_S is None:
        raise ValueError("No set of service times meets every promise. Check the inputs.")
    return best_S


def gsm_tree(stages: pd.DataFrame, edges: Iterable, z: float = 1.645, method: str = "dp"):
    """Guaranteed-service safety stock placement in a tree-shaped chain (assembly,
    distribution or a mix), minimising :math:`\\sum_j h_j z \\sigma_j \\sqrt{SI_j + T_j - S_j}`.

    Parameters
    ----------
    stages : DataFrame
        Indexed by stage name. Columns ``processing_time`` [T_j, whole periods],
        ``holding_cost`` [h_j, per unit of the stage's output per period], and
        optionally ``demand_sd`` (sd of end-customer demand per period at that stage; NaN
        or absent = none), ``max_service_time`` (the longest service time the stage may
        promise its end customers, whole periods; NaN = no limit) and
        ``inbound_service_time`` (what outside suppliers guarantee the stage; default 0).
    edges : iterable of (supplier, customer)
        Material flows from supplier to customer. Together with the stages they must form
        a tree (n stages, n - 1 edges, connected).
    z : float
        Safety factor of the demand bound (1.645: 95 %).
    method : {"dp", "enumerate"}
        ``"dp"``: the Graves & Willems (2000) dynamic programme (exact on trees).
        ``"enumerate"``: try every combination of integer service times (exact, for
        up to 200,000 combinations; a check on the programme).

    Returns
    -------
    DataFrame
        Indexed by stage: ``processing_time``, ``inbound_service_time`` [SI_j],
        ``committed_service_time`` [S_j], ``net_lead_time`` [tau_j],
        ``demand_sd`` [sigma_j, the demand the stage covers], ``safety_stock``
        [z sigma_j sqrt(tau_j), units], ``holding_cost`` and ``cost`` [h_j x safety
        stock, per period]. ``attrs["total_cost"]`` is the total.

    Examples
    --------
    Snyder & Shen (2019) Example 6.5: stage 1 feeds stage 3, which serves two customer
    stages (2 must ship at once, 4 within one period):

    >>> stages = pd.DataFrame(
    ...     {"processing_time": [2, 1, 1, 1], "holding_cost": [1, 3, 2, 3],
    ...      "demand_sd": [None, 1, None, 1], "max_service_time": [None, 0, None, 1],
    ...      "inbound_service_time": [1, 0, 0, 0]}, index=[1, 2, 3, 4])
    >>> plan = gsm_tree(stages, [(1, 3), (3, 2), (3, 4)], z=1)
    >>> plan["committed_service_time"].to_dict()
    {1: 0, 2: 0, 3: 0, 4: 1}
    >>> round(plan.attrs["total_cost"], 4)
    8.2779
    """
    z = check_number(z, "z", low=0, hint="The safety factor, e.g. 1.645 for 95 %.")
    if method not in ("dp", "enumerate"):
        raise ValueError(f"method must be 'dp' or 'enumerate', not {method!r}.")
    table = _stage_table(stages)
    pairs = _tree_edges(edges, list(table.index))
    tree = _Tree(table, pairs, z)
    S = _graves_willems(tree) if method == "dp" else _enumerate(tree)
    return tree.result(S)


def _chain_values(values, name: str, n: int | None, names: list | None):
    if isinstance(values, Mapping):
        values = pd.Series(values)
    if isinstance(values, pd.Series):
        return list(values.index), list(values.to_numpy())
    if np.isscalar(values):
        if n is None:
            raise ValueError(f"{name} must be a list or Series, one value per stage.")
        return names, [values] * n
    try:
        vals = list(values)
    except TypeError:
        raise ValueError(f"{name} must be a list or Series, one value per stage.") from None
    return None, vals


def gsm_serial(
    processing_time,
    holding_cost,
    demand_sd: float,
    z: float = 1.645,
    max_service_time: int = 0,
    inbound_service_time: int = 0,
    method: str = "dp",
):
    """Guaranteed-service safety stock placement along a serial line (Simpson 1958):
    choose each stage's committed service time :math:`S_j` to minimise
    :math:`\\sum_j h_j z \\sigma \\sqrt{S_{j-1} + T_j - S_j}`.

    Parameters
    ----------
    processing_time : list or Series
        Processing time of each stage [T_j, whole periods], **from the first (most
        upstream) stage to the stage that serves customers**. A Series' index names
        the stages (else they are called ``stage 1``, ``stage 2``, ...).
    holding_cost : list, Series or float
        Holding cost of a unit of each stage's output per period [h_j], same order.
    demand_sd : float
        Standard deviation of end-customer demand per period [sigma, units].
    z : float
        Safety factor (1.645: 95 %).
    max_service_time : int
        Longest service time the last stage may promise its customers (0: from stock).
    inbound_service_time : int
        What the outside supplier guarantees the first stage (periods).
    method : {"dp", "enumerate"}
        As in :func:`gsm_tree` (a line is a tree).

    Returns
    -------
    DataFrame
        As :func:`gsm_tree`, stages in flow order.

    Examples
    --------
    Snyder & Shen (2019) Problem 6.7 (forming, firing, glazing; sigma 10, z 4; the
    answer as in stockpyl's tests):

    >>> plan = gsm_serial([1, 1, 2], [2, 3, 4], demand_sd=10, z=4, inbound_service_time=1)
    >>> plan["committed_service_time"].tolist(), plan["net_lead_time"].tolist()
    ([2, 3, 0], [0, 0, 5])
    >>> round(plan.attrs["total_cost"], 2)   # 160 sqrt(5)
    357.77
    """
    names, times = _chain_values(processing_time, "processing_time", None, None)
    if not times:
        raise ValueError("processing_time is empty: give at least one stage.")
    n = len(times)
    if names is None:
        names = [f"stage {i + 1}" for i in range(n)]
    h_names, costs = _chain_values(holding_cost, "holding_cost", n, names)
    if len(costs) != n:
        raise ValueError(
            f"holding_cost has {len(costs)} value(s) but processing_time has {n} stage(s): "
            "give one holding cost per stage, in the same order."
        )
    if h_names is not None and list(h_names) != list(names):
        raise ValueError(
            f"holding_cost is indexed {list(h_names)} but processing_time {list(names)}: "
            "use the same stage names in the same (upstream to downstream) order."
        )
    sd = check_number(demand_sd, "demand_sd", low=0, low_open=True, hint="Units per period.")
    stages = pd.DataFrame(
        {
            "processing_time": times,
            "holding_cost": costs,
            "demand_sd": [np.nan] * (n - 1) + [sd],
            "max_service_time": [np.nan] * (n - 1) + [max_service_time],
            "inbound_service_time": [inbound_service_time] + [0] * (n - 1),
        },
        index=pd.Index(names, name="stage"),
    )
    edges = list(zip(names[:-1], names[1:], strict=True))
    return gsm_tree(stages, edges, z=z, method=method)


def tallridge_chain_example(company=None, z: float = 1.645, max_service_time: int = 0):
    """Tallridge's road-bike chain frame welding -> painting -> assembly (RD-200 at plant
    P1) as a three-stage serial GSM, in working days, built from the company's data.

    From the data: the welded-and-painted frame FRM-RD-AL and the bike RD-200 each have an
    ``items.lead_time`` of 1 month, and a month has ``work_centres.days_per_month`` = 20
    working days; holding costs are ``items.unit_cost`` x ``planning_costs`` holding_rate
    (0.24 a year) / 240 working days; demand is RD-200's monthly ``sales.ordered_units``
    (all regions).

    **Assumptions** (not in the data): the frame's 20 days are split between welding and
    painting in proportion to their ``routings.hours_per_unit`` at P1 (rounded to whole
    days); the welded, unpainted frame is worth the painted frame's unit cost minus the
    painting labour (hours x ``work_centres.cost_per_hour``); demand per day is
    independent, so its sd is the sd of monthly orders / sqrt(20) (which overstates it:
    the monthly sd includes season and trend); the tube supplier guarantees delivery
    from stock (inbound service time 0); bikes ship from stock (``max_service_time`` 0)
    at 95 % (z = 1.645).

    Parameters
    ----------
    company : Company, optional
        From :func:`sopcourse.load_company` (loaded when not given).
    z, max_service_time
        As in :func:`gsm_serial`.

    Returns
    -------
    DataFrame
        As :func:`gsm_serial`; ``attrs["inputs"]`` holds the numbers used and where they
        came from.

    Examples
    --------
    >>> plan = tallridge_chain_example()
    >>> plan.index.tolist()
    ['welding', 'painting', 'assembly']
    >>> plan["processing_time"].tolist()
    [13, 7, 20]
    """
    if company is None:
        from .datasets import load_company

        company = load_company()
    items = company.items.set_index("item")
    costs = company.planning_costs.set_index("parameter")["value"]
    wc = company.work_centres.set_index(["plant", "work_centre"])
    days = float(wc["days_per_month"].iloc[0])
    route = company.routings[(company.routings["sku"] == "RD-200")]
    route = route[route["plant"] == "P1"].set_index("work_centre")["hours_per_unit"]
    frame_days = float(items.loc["FRM-RD-AL", "lead_time"]) * days
    weld_share = route["welding"] / (route["welding"] + route["painting"])
    weld = int(round(frame_days * weld_share))
    paint = int(round(frame_days)) - weld
    assembly = int(round(float(items.loc["RD-200", "lead_time"]) * days))
    rate = float(costs["holding_rate"]) / (12 * days)
    painted = float(items.loc["FRM-RD-AL", "unit_cost"])
    welded = painted - float(route["painting"]) * float(wc.loc[("P1", "painting"), "cost_per_hour"])
    bike = float(items.loc["RD-200", "unit_cost"])
    sales = company.sales[company.sales["sku"] == "RD-200"]
    monthly_sd = float(sales.groupby("month", observed=True)["ordered_units"].sum().std())
    daily_sd = monthly_sd / math.sqrt(days)
    plan = gsm_serial(
        pd.Series({"welding": weld, "painting": paint, "assembly": assembly}),
        pd.Series({"welding": welded * rate, "painting": painted * rate, "assembly": bike * rate}),
        demand_sd=daily_sd,
        z=z,
        max_service_time=max_service_time,
    )
    plan.attrs["inputs"] = {
        "working_days_per_month": days,
        "unit_values": {"welding": welded, "painting": painted, "assembly": bike},
        "holding_rate_per_day": rate,
        "monthly_demand_sd": monthly_sd,
        "daily_demand_sd": daily_sd,
    }
    return plan
