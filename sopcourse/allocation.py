"""Allocation of scarce supply: fair share, priority, and the profit-maximising LP with a
minimum fill rate per market, compared side by side (Module 5).

When demand exceeds supply, someone gets less than they asked for. Fair share gives every
market the same fraction, priority serves the best markets first, and the LP maximises
margin while every market keeps its floor; the LP's shadow prices say what one more unit
of supply, or one point less of a market's floor, is worth.

Units: quantities in units, margins in the currency of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .optimize import _check_known, _series
from .solver import LinearProgram

__all__ = [
    "allocate_fair_share",
    "allocate_by_priority",
    "allocate_max_profit",
    "compare_allocations",
]


def _allocation_inputs(supply, demand):
    demand = _series(demand, "demand")
    supply = float(supply)
    if not np.isfinite(supply) or supply < 0:
        raise ValueError(f"supply must be a number of units, zero or more; got {supply}.")
    return supply, demand


def _allocation_table(demand: pd.Series, allocated: pd.Series, margin=None) -> pd.DataFrame:
    table = pd.DataFrame({"demand": demand, "allocated": allocated.reindex(demand.index)})
    table.index.name = demand.index.name or "market"
    table["unmet"] = table["demand"] - table["allocated"]
    table["fill_rate"] = np.where(
        table["demand"] > 0, table["allocated"] / table["demand"].where(table["demand"] > 0, 1), 1.0
    )
    if margin is not None:
        table["margin"] = table["allocated"] * margin.reindex(demand.index)
    return table


def allocate_fair_share(supply: float, demand) -> pd.DataFrame:
    """Fair-share (proportional) allocation: every market gets the same fraction of its
    demand, :math:`x_k = d_k \\cdot \\min(1, S / \\sum_k d_k)`.

    Parameters
    ----------
    supply : float
        Units available to allocate [S].
    demand : Series
        Units demanded by each market (or customer) [d_k].

    Returns
    -------
    DataFrame
        Index market: ``demand``, ``allocated``, ``unmet``, ``fill_rate``.

    Examples
    --------
    >>> allocate_fair_share(60, pd.Series({"north": 40, "south": 40}))["allocated"].tolist()
    [30.0, 30.0]
    """
    supply, demand = _allocation_inputs(supply, demand)
    total = demand.sum()
    share = 1.0 if total <= supply else supply / total
    return _allocation_table(demand, demand * share)


def allocate_by_priority(supply: float, demand, priority) -> pd.DataFrame:
    """Priority allocation: serve markets in priority order, each in full until supply runs
    out; markets of equal priority share what is left in proportion to demand.

    Parameters
    ----------
    supply : float
        Units available [S].
    demand : Series
        Units demanded by each market or customer [d_k].
    priority : Series
        Priority of each market: **higher is served first** (pass the unit margin to
        allocate by margin, or e.g. 3/2/1 for customer classes A/B/C).

    Returns
    -------
    DataFrame
        As :func:`allocate_fair_share`, plus ``priority``.

    Examples
    --------
    >>> t = allocate_by_priority(60, pd.Series({"north": 40, "south": 40}),
    ...                          pd.Series({"north": 1, "south": 2}))
    >>> t["allocated"].to_dict()
    {'north': 20.0, 'south': 40.0}
    """
    supply, demand = _allocation_inputs(supply, demand)
    priority = _series(priority, "priority", allow_negative=True)
    missing = [k for k in demand.index if k not in priority.index]
    if missing:
        raise ValueError(f"priority has no value for {missing}: give every market a priority.")
    _check_known(priority, list(demand.index), "priority", "market")
    left = supply
    allocated = pd.Series(0.0, index=demand.index)
    for level in sorted(priority[demand.index].unique(), reverse=True):
        group = [k for k in demand.index if priority[k] == level]
        need = demand[group].sum()
        share = 1.0 if need <= left else (left / need if need > 0 else 0.0)
        allocated[group] = demand[group] * share
        left -= allocated[group].sum()
    table = _allocation_table(demand, allocated)
    table["priority"] = priority[demand.index]
    return table


def allocate_max_profit(supply: float, demand, margin, min_fill_rate=None) -> pd.DataFrame:
    """Profit-maximising allocation with a minimum fill rate per market, as an LP.

    Maximise :math:`\\sum_k m_k x_k` subject to :math:`\\sum_k x_k \\le S`,
    :math:`f_k d_k \\le x_k \\le d_k`.

    Parameters
    ----------
    supply : float
        Units available [S].
    demand : Series
        Units demanded per market [d_k].
    margin : Series
        Margin per unit sold in each market [m_k].
    min_fill_rate : float or Series, optional
        Least share of its demand each market must get [f_k], between 0 and 1.

    Returns
    -------
    DataFrame
        As :func:`allocate_fair_share`, plus ``margin`` (earned), ``min_fill_rate`` and
        ``floor_cost`` (profit given up per unit of the market's minimum, the shadow
        price of its floor). ``attrs["supply_value"]`` is the value of one more unit of
        supply.

    Examples
    --------
    >>> t = allocate_max_profit(60, pd.Series({"north": 40, "south": 40}),
    ...                         pd.Series({"north": 10, "south": 20}), min_fill_rate=0.5)
    >>> t["allocated"].to_dict(), t.attrs["supply_value"]
    ({'north': 20.0, 'south': 40.0}, 10.0)
    """
    supply, demand = _allocation_inputs(supply, demand)
    margin = _series(margin, "margin", allow_negative=True)
    missing = [k for k in demand.index if k not in margin.index]
    if missing:
        raise ValueError(f"margin has no value for market(s) {missing}.")
    if min_fill_rate is None:
        floors = pd.Series(0.0, index=demand.index)
    elif np.isscalar(min_fill_rate):
        floors = pd.Series(float(min_fill_rate), index=demand.index)
    else:
        floors = _series(min_fill_rate, "min_fill_rate")
        _check_known(floors, list(demand.index), "min_fill_rate", "market")
        floors = floors.reindex(demand.index).fillna(0.0)
    if floors.isna().any() or (floors < 0).any() or (floors > 1).any():
        raise ValueError("min_fill_rate must be a share between 0 and 1 (e.g. 0.8 for 80 %).")
    lp = LinearProgram("allocation", sense="max")
    for k in demand.index:
        lp.add_variable(f"x[{k}]", upper=float(demand[k]))
    lp.add_constraint("supply", {f"x[{k}]": 1.0 for k in demand.index}, "<=", supply)
    for k in demand.index:
        if floors[k] > 0:
            lp.add_constraint(f"floor[{k}]", {f"x[{k}]": 1.0}, ">=", floors[k] * demand[k])
    lp.set_objective({f"x[{k}]": margin[k] for k in demand.index})
    res = lp.solve()
    allocated = pd.Series({k: res.values[f"x[{k}]"] + 0.0 for k in demand.index})
    table = _allocation_table(demand, allocated, margin)
    table["min_fill_rate"] = floors
    table["floor_cost"] = [-res.shadow_prices.get(f"floor[{k}]", 0.0) + 0.0 for k in demand.index]
    table.attrs["supply_value"] = float(res.shadow_prices["supply"]) + 0.0
    return table


def compare_allocations(
    supply: float, demand, margin, priority=None, min_fill_rate=None
) -> pd.DataFrame:
    """Fair share, priority and profit-maximising allocation of the same supply, compared.

    Parameters
    ----------
    supply, demand, margin, min_fill_rate
        As in :func:`allocate_max_profit`.
    priority : Series, optional
        As in :func:`allocate_by_priority`; by default the margin (best margin first).

    Returns
    -------
    DataFrame
        Tidy: one row per method and market with ``demand``, ``allocated``,
        ``fill_rate`` and ``margin``, plus a ``total`` row per method (its fill rate is
        the overall fill rate, and ``min_fill_rate_met`` says whether every market got
        its minimum).

    Examples
    --------
    >>> t = compare_allocations(60, pd.Series({"north": 40, "south": 40}),
    ...                         pd.Series({"north": 10, "south": 20}), min_fill_rate=0.5)
    >>> t[t["market"] == "total"].set_index("method")["margin"].to_dict()
    {'fair share': 900.0, 'priority': 1000.0, 'max profit': 1000.0}
    """
    supply, demand = _allocation_inputs(supply, demand)
    margin = _series(margin, "margin", allow_negative=True)
    if priority is None:
        priority = margin
    plans = {
        "fair share": allocate_fair_share(supply, demand),
        "priority": allocate_by_priority(supply, demand, priority),
        "max profit": allocate_max_profit(supply, demand, margin, min_fill_rate),
    }
    floors = plans["max profit"]["min_fill_rate"]
    frames = []
    for method, t in plans.items():
        t = t[["demand", "allocated", "fill_rate"]].copy()
        t["margin"] = t["allocated"] * margin.reindex(t.index)
        t["min_fill_rate_met"] = t["fill_rate"] >= floors.reindex(t.index) - 1e-9
        total = pd.DataFrame(
            {
                "demand": [t["demand"].sum()],
                "allocated": [t["allocated"].sum()],
                "fill_rate": [
                    t["allocated"].sum() / t["demand"].sum() if t["demand"].sum() else 1.0
                ],
                "margin": [t["margin"].sum()],
                "min_fill_rate_met": [bool(t["min_fill_rate_met"].all())],
            },
            index=["total"],
        )
        t = pd.concat([t, total])
        t.index.name = "market"
        t = t.reset_index()
        t.insert(0, "method", method)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)
