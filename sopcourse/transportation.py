"""The transportation model (Module 5): which plant supplies which market, at least cost.

Plants *i* have capacities :math:`s_i`, markets *j* demands :math:`d_j`, and shipping
one unit from *i* to *j* costs :math:`c_{ij}`. The linear programme

.. math::
   \\min \\sum_{i,j} c_{ij} x_{ij} + \\sum_j p_j u_j
   \\quad\\text{s.t.}\\quad \\sum_j x_{ij} \\le s_i \\;(\\forall i), \\qquad
   \\sum_i x_{ij} + u_j = d_j \\;(\\forall j), \\qquad x, u \\ge 0

ships every market's demand from the plants with spare capacity at least cost. The
unmet demand :math:`u_j` exists only when a penalty :math:`p_j` per unmet unit is given
(``unmet_penalty``); without it, a market must be served in full.

* **Supply above demand**: the unused capacity stays at the plants (``unused``).
* **Supply below demand**: without ``unmet_penalty`` the model is infeasible and
  :func:`transportation` raises a ``ValueError`` before solving, saying so; with it, the
  model leaves the cheapest-to-miss demand unserved (Winston's reservoir example).

Duals, read as business answers (signs fixed whatever the solver):

* ``plants["capacity_value"]`` :math:`= -\\partial z / \\partial s_i \\ge 0`: the
  cost saved by one more unit of capacity at plant *i* (0 where capacity is left over).
* ``markets["marginal_cost"]`` :math:`= \\partial z / \\partial d_j`: the extra cost of
  serving one more unit at market *j* (at most its penalty :math:`p_j`).

When total supply equals total demand exactly (a balanced model), one more unit of
demand cannot be served at all, and the split of the duals between plants and markets is
not unique: adding a constant to every market's ``marginal_cost`` and to every plant's
``capacity_value`` gives another valid answer. Only the combination "one more unit of
capacity at plant *i* **and** one more unit of demand at market *j*", which costs
``marginal_cost[j] - capacity_value[i]``, is then meaningful (the tests check it by
re-solving).

Sources: Winston, *Operations Research: Applications and Algorithms*, 4th ed. (2004),
ch. 7 (the Powerco example, section 7.1); Hillier & Lieberman, *Introduction to
Operations Research*, section 9.1 (the P & T Company).

Units: quantities in units (of whatever the plants make), costs in currency per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .optimize import _series
from .solver import LinearProgram, LPResult

__all__ = ["TransportationResult", "transportation"]

_TOL = 1e-9


@dataclass
class TransportationResult:
    """The least-cost shipping plan and what its duals mean.

    Attributes
    ----------
    objective : float
        Total cost :math:`z^* = \\sum c_{ij} x_{ij} + \\sum p_j u_j`.
    flows : DataFrame
        The routes used: ``plant``, ``market``, ``quantity`` [x_ij], ``unit_cost``
        [c_ij], ``cost`` (quantity x unit cost).
    routes : DataFrame
        Every allowed route, used or not: the columns of ``flows`` plus
        ``reduced_cost`` (how much cheaper the route would have to be before using it
        pays; 0 on a route in use).
    plants : DataFrame
        Indexed by plant: ``supply``, ``shipped``, ``unused``, ``capacity_value``
        (cost saved per extra unit of capacity, >= 0).
    markets : DataFrame
        Indexed by market: ``demand``, ``received``, ``unmet``, ``penalty``,
        ``marginal_cost`` (extra cost of one more unit of demand).
    balanced : bool
        Total supply equals total demand (see the module notes on the duals).
    lp : LPResult
        The solver's result.
    """

    objective: float
    flows: pd.DataFrame
    routes: pd.DataFrame
    plants: pd.DataFrame
    markets: pd.DataFrame
    balanced: bool
    lp: LPResult


def _cost_table(cost, plants: list, markets: list) -> pd.DataFrame:
    if not isinstance(cost, pd.DataFrame):
        raise ValueError(
            "cost must be a DataFrame of unit costs: one row per plant, one column per "
            f"market; got {type(cost).__name__}."
        )
    missing_rows = [p for p in plants if p not in cost.index]
    missing_cols = [m for m in markets if m not in cost.columns]
    if missing_rows or missing_cols:
        raise ValueError(
            f"cost has no row for plant(s) {missing_rows} and no column for market(s) "
            f"{missing_cols}: give a unit cost (or NaN for no route) for every plant and "
            "market."
        )
    table = cost.loc[plants, markets]
    try:
        table = table.astype(float)
    except (TypeError, ValueError):
        raise ValueError("cost must hold numbers (NaN where there is no route).") from None
    if np.isinf(table.to_numpy()).any():
        raise ValueError("cost has an infinite unit cost: use NaN for a route that does not exist.")
    dead = [m for m in markets if table[m].isna().all()]
    if dead:
        raise ValueError(f"No plant can ship to market(s) {dead} (every cost is NaN): add a route.")
    return table


def _penalties(unmet_penalty, markets: list) -> pd.Series | None:
    if unmet_penalty is None:
        return None
    if np.isscalar(unmet_penalty):
        value = float(unmet_penalty)
        if not np.isfinite(value) or value < 0:
            raise ValueError(
                f"unmet_penalty must be a cost per unit, zero or more; got {unmet_penalty!r}."
            )
        return pd.Series(value, index=markets)
    pen = _series(unmet_penalty, "unmet_penalty")
    missing = [m for m in markets if m not in pen.index]
    if missing:
        raise ValueError(
            f"unmet_penalty has no value for market(s) {missing}: give every market a "
            "penalty per unmet unit (or pass one number for all)."
        )
    return pen.reindex(markets)


def transportation(supply, demand, cost, unmet_penalty=None) -> TransportationResult:
    """Least-cost shipments from plants to markets, with duals read as marginal costs.

    Minimise :math:`\\sum_{i,j} c_{ij} x_{ij} + \\sum_j p_j u_j` subject to
    :math:`\\sum_j x_{ij} \\le s_i`, :math:`\\sum_i x_{ij} + u_j = d_j`, :math:`x, u \\ge 0`
    (:math:`u_j = 0` unless a penalty is given).

    Parameters
    ----------
    supply : Series or dict
        Capacity of each plant [s_i, units].
    demand : Series or dict
        Demand of each market [d_j, units].
    cost : DataFrame
        Unit shipping cost [c_ij]: index plants, columns markets. NaN marks a route that
        does not exist.
    unmet_penalty : float, Series or dict, optional
        Cost per unit of demand left unmet [p_j] (one number for every market, or one
        per market). Without it every market must be served in full, and total supply
        below total demand is an error.

    Returns
    -------
    TransportationResult
        ``objective``, ``flows``, ``routes``, ``plants``, ``markets`` (with the duals
        ``capacity_value`` and ``marginal_cost``), ``balanced`` and ``lp``.

    Raises
    ------
    ValueError
        Inputs that do not fit (and total demand above total supply without a penalty).

    Examples
    --------
    Two plants, two markets; plant A has spare capacity:

    >>> cost = pd.DataFrame({"north": [4, 6], "south": [5, 3]}, index=["A", "B"])
    >>> res = transportation({"A": 60, "B": 30}, {"north": 40, "south": 40}, cost)
    >>> res.objective
    300.0
    >>> res.flows[["plant", "market", "quantity"]].values.tolist()
    [['A', 'north', 40.0], ['A', 'south', 10.0], ['B', 'south', 30.0]]
    >>> res.plants["capacity_value"].to_dict()     # B's capacity saves 2 a unit
    {'A': 0.0, 'B': 2.0}
    >>> res.markets["marginal_cost"].to_dict()     # served from A
    {'north': 4.0, 'south': 5.0}
    """
    supply = _series(supply, "supply")
    demand = _series(demand, "demand")
    plants, markets = list(supply.index), list(demand.index)
    c = _cost_table(cost, plants, markets)
    pen = _penalties(unmet_penalty, markets)
    total_s, total_d = float(supply.sum()), float(demand.sum())
    if pen is None and total_d > total_s * (1 + 1e-12) + _TOL:
        raise ValueError(
            f"Total demand {total_d:g} is above total supply {total_s:g}: the markets cannot "
            "all be served. Pass unmet_penalty= (cost per unmet unit) to allow unmet "
            "demand, or add capacity."
        )
    routes = [(p, m) for p in plants for m in markets if not np.isnan(c.loc[p, m])]
    lp = LinearProgram("transportation", sense="min")
    var = {r: lp.add_variable(f"x|{r[0]}|{r[1]}") for r in routes}
    for p in plants:
        lp.add_constraint(
            f"supply|{p}", {var[r]: 1.0 for r in routes if r[0] == p}, "<=", supply[p]
        )
    objective = {var[r]: float(c.loc[r]) for r in routes}
    for m in markets:
        terms = {var[r]: 1.0 for r in routes if r[1] == m}
        if pen is not None:
            terms[lp.add_variable(f"unmet|{m}")] = 1.0
            objective[f"unmet|{m}"] = float(pen[m])
        lp.add_constraint(f"demand|{m}", terms, "==", demand[m])
    lp.set_objective(objective)
    res = lp.solve()
    return _result(res, supply, demand, c, pen, routes, var)


def _result(res: LPResult, supply, demand, c, pen, routes, var) -> TransportationResult:
    table = pd.DataFrame(
        {
            "plant": [r[0] for r in routes],
            "market": [r[1] for r in routes],
            "quantity": [max(float(res.values[var[r]]), 0.0) + 0.0 for r in routes],
            "unit_cost": [float(c.loc[r]) for r in routes],
            "reduced_cost": [float(res.reduced_costs[var[r]]) + 0.0 for r in routes],
        }
    )
    table.loc[table["quantity"] <= _TOL, "quantity"] = 0.0
    table["cost"] = table["quantity"] * table["unit_cost"]
    table = table[["plant", "market", "quantity", "unit_cost", "cost", "reduced_cost"]]
    flows = table[table["quantity"] > 0].drop(columns="reduced_cost").reset_index(drop=True)
    shipped = table.groupby("plant", sort=False)["quantity"].sum().reindex(supply.index)
    received = table.groupby("market", sort=False)["quantity"].sum().reindex(demand.index)
    plants = pd.DataFrame({"supply": supply, "shipped": shipped.fillna(0.0)})
    plants["unused"] = (plants["supply"] - plants["shipped"]).clip(lower=0.0)
    plants["capacity_value"] = [-res.shadow_prices[f"supply|{p}"] + 0.0 for p in supply.index]
    plants.index.name = "plant"
    markets = pd.DataFrame({"demand": demand, "received": received.fillna(0.0)})
    markets["unmet"] = (markets["demand"] - markets["received"]).clip(lower=0.0)
    markets.loc[markets["unmet"] <= _TOL, "unmet"] = 0.0
    markets["penalty"] = pen if pen is not None else np.nan
    markets["marginal_cost"] = [res.shadow_prices[f"demand|{m}"] + 0.0 for m in demand.index]
    markets.index.name = "market"
    balanced = bool(np.isclose(supply.sum(), demand.sum(), rtol=1e-12, atol=_TOL))
    return TransportationResult(
        objective=float(res.objective),
        flows=flows,
        routes=table.reset_index(drop=True),
        plants=plants,
        markets=markets,
        balanced=balanced,
        lp=res,
    )
