"""The supply/demand balancing plan: a multi-period, multi-plant, multi-market LP that
decides what to make where, what to ship to which market, what to hold and which demand
goes unmet (Module 5), and a small synthetic company to try it on.

The model is built with :class:`sopcourse.solver.LinearProgram` (the one place that talks
to PuLP and HiGHS), so a shadow price means **cost saved per extra unit** of the resource
(an hour of a work centre, a component arriving by a period). The transportation structure
follows Winston, *Operations Research: Applications and Algorithms* (4th ed., section 7.1,
Powerco). The company's own data becomes a :class:`PlanningInputs` in
:func:`sopcourse.case.planning_inputs_from_company`.

Units: quantities in units per period, capacities in hours per period, money in the
currency of the costs and prices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_numbers, require_columns
from .solver import LinearProgram, LPResult

__all__ = [
    "PlanningInputs",
    "BalancingPlan",
    "balancing_plan",
    "example_planning_inputs",
]

_TOL = 1e-7
_MATRIX_FROM = 20_000  # variables (about): from here builder="auto" builds the arrays


@dataclass
class PlanningInputs:
    """The data of a supply/demand balancing plan (all tidy DataFrames).

    Attributes
    ----------
    demand : DataFrame
        ``product``, ``market``, ``period``, ``demand`` [D_pmt] in units; optional
        ``price`` (revenue per unit sold), ``lost_sales_cost`` [c^U_pm] (default: the
        price, else 0) and ``family`` (used by scenarios).
    production_cost : DataFrame
        ``product``, ``plant``, ``unit_cost`` [c^P_pl]: a row means the plant can make it.
    routings : DataFrame
        ``product``, ``plant``, ``work_centre``, ``hours_per_unit`` [a_plw].
    capacity : DataFrame
        ``plant``, ``work_centre``, ``hours`` [K_lwt], with an optional ``period`` column
        (without it the same hours apply in every period).
    lanes : DataFrame
        ``plant``, ``market``, ``transport_cost`` [c^T_lm] per unit; optional ``product``.
        A missing lane cannot be used.
    holding_cost : Series
        Cost of holding one unit one period at a plant, by product [h_p].
    bom : DataFrame, optional
        ``product``, ``component``, ``quantity_per_unit`` [q_pc].
    component_supply : DataFrame, optional
        ``component``, ``period``, ``quantity`` [M_ct]: units arriving in each period;
        what is not used carries over.
    initial_inventory : DataFrame, optional
        ``product``, ``plant``, ``quantity`` [I_pl0].
    component_cost : DataFrame, optional
        ``component``, ``unit_cost`` (only used by scenarios that change it; the
        production cost already includes materials).
    fixed_cost : float
        Fixed cost of the horizon (e.g. an extra shift's crew), added to the total cost
        and subtracted from profit; it does not change the plan.

    Examples
    --------
    >>> inputs = example_planning_inputs(n_products=2, horizon=3, seed=4)
    >>> changed = inputs.copy()
    >>> changed.demand["demand"] *= 2
    >>> bool(changed.demand["demand"].sum() == 2 * inputs.demand["demand"].sum())
    True
    >>> inputs.solve().costs.index.tolist()
    ['production', 'transport', 'holding', 'lost_sales', 'fixed', 'total', 'revenue', 'profit']
    """

    demand: pd.DataFrame
    production_cost: pd.DataFrame
    routings: pd.DataFrame
    capacity: pd.DataFrame
    lanes: pd.DataFrame
    holding_cost: pd.Series
    bom: pd.DataFrame | None = None
    component_supply: pd.DataFrame | None = None
    initial_inventory: pd.DataFrame | None = None
    component_cost: pd.DataFrame | None = None
    fixed_cost: float = 0.0

    def copy(self) -> PlanningInputs:
        """A deep copy (scenarios change a copy, never the base)."""
        return PlanningInputs(
            **{
                k: (v.copy() if isinstance(v, (pd.DataFrame, pd.Series)) else v)
                for k, v in self.__dict__.items()
            }
        )

    def solve(self, **kwargs) -> BalancingPlan:
        """Solve the balancing plan on these inputs (see :func:`balancing_plan`)."""
        return balancing_plan(self, **kwargs)

    def by_family(self) -> PlanningInputs:
        """The same company planned by product family (``demand.family``): the plan of an
        S&OP meeting held at family level, a small LP whatever the number of SKUs.

        A family's demand is the sum of its products'; its price and lost-sales cost the
        demand-weighted mean of each market and period. Its production cost, hours per
        unit, holding cost and components per unit are those of its mix: the mean over
        its products weighted by their demand over the horizon (at each plant, over the
        products the plant makes). Opening stock is summed; capacity, lanes and component
        supply are unchanged. Lanes by product are not supported here.

        Examples
        --------
        >>> inputs = example_planning_inputs(n_products=4, horizon=3, seed=4)
        >>> sorted(inputs.by_family().demand["product"].unique())
        ['bike', 'e-bike']
        """
        return _by_family(self)


@dataclass
class BalancingPlan:
    """The supply plan: what to make where, what to ship to which market, what to hold,
    and which demand goes unmet.

    Attributes
    ----------
    production : DataFrame
        ``product``, ``plant``, ``period``, ``quantity``.
    shipments : DataFrame
        ``product``, ``plant``, ``market``, ``period``, ``quantity`` (non-zero lanes only).
    inventory : DataFrame
        ``product``, ``plant``, ``period``, ``quantity`` (end of period).
    sales : DataFrame
        ``product``, ``market``, ``period``, ``demand``, ``served``, ``unmet``,
        ``fill_rate``.
    capacity : DataFrame
        ``plant``, ``work_centre``, ``period``, ``hours``, ``load_hours``, ``utilisation``,
        ``shadow_price`` (cost saved per extra hour).
    materials : DataFrame
        ``component``, ``period``, ``available`` (cumulative), ``used`` (cumulative),
        ``shadow_price`` (cost saved per extra unit arriving by that period).
    costs : Series
        ``production``, ``transport``, ``holding``, ``lost_sales``, ``fixed``, ``total``;
        with prices also ``revenue`` and ``profit`` (revenue minus production, transport,
        holding and fixed costs).
    lp : LPResult

    Examples
    --------
    >>> plan = balancing_plan(example_planning_inputs(n_products=2, horizon=3, seed=4))
    >>> plan.summary().columns.tolist()
    ['demand', 'production', 'served', 'unmet', 'fill_rate', 'inventory', 'max_utilisation']
    >>> bool(0 <= plan.fill_rate <= 1)
    True
    """

    production: pd.DataFrame
    shipments: pd.DataFrame
    inventory: pd.DataFrame
    sales: pd.DataFrame
    capacity: pd.DataFrame
    materials: pd.DataFrame
    costs: pd.Series
    lp: LPResult = field(repr=False)

    @property
    def total_cost(self) -> float:
        return float(self.costs["total"])

    @property
    def fill_rate(self) -> float:
        """Units served / units demanded over the whole horizon."""
        d = self.sales["demand"].sum()
        return float(self.sales["served"].sum() / d) if d > 0 else 1.0

    def summary(self) -> pd.DataFrame:
        """Per period: demand, production, served, unmet, fill rate, closing inventory and
        the utilisation of the busiest work centre."""
        s = self.sales.groupby("period")[["demand", "served", "unmet"]].sum()
        s.insert(1, "production", self.production.groupby("period")["quantity"].sum())
        s["fill_rate"] = s["served"] / s["demand"].where(s["demand"] > 0, np.nan)
        s["inventory"] = self.inventory.groupby("period")["quantity"].sum()
        s["max_utilisation"] = self.capacity.groupby("period")["utilisation"].max()
        return s.fillna({"production": 0.0, "inventory": 0.0})


def _mix_sum(table: pd.DataFrame, keys: list, col: str, family, weight) -> pd.Series:
    """Sum of ``col`` x the product's weight, by family and ``keys``."""
    w = table["product"].map(weight).astype(float).to_numpy()
    values = table[col].astype(float).to_numpy() * w
    by = [table["product"].map(family).rename("product")] + [table[k] for k in keys]
    return pd.Series(values, index=table.index).groupby(by, sort=True).sum()


def _by_family(inp: PlanningInputs) -> PlanningInputs:
    d = inp.demand
    if "family" not in d.columns:
        raise ValueError("demand has no family column: by_family() plans families.")
    if "product" in inp.lanes.columns:
        raise ValueError("by_family() needs lanes by plant and market (no product column).")
    family = d.groupby("product")["family"].first().astype(str)
    weight = d.groupby("product")["demand"].sum().astype(float) + 1e-9  # the horizon's mix
    pc = inp.production_cost
    made = pd.Series(pc["product"].map(weight).to_numpy(), index=pc.index)
    made = made.groupby([pc["product"].map(family).rename("product"), pc["plant"]]).sum()
    every = weight.groupby(family).sum()
    d = d.assign(product=d["product"].map(family), family=d["product"].map(family))
    money = [c for c in ["price", "lost_sales_cost"] if c in d.columns]
    cell = d.assign(**{c: d[c] * d["demand"] for c in money})
    keys = ["product", "market", "period", "family"]
    demand = cell.groupby(keys, as_index=False, sort=True)[["demand", *money]].sum()
    plain = d.groupby(keys, sort=True)[money].mean()
    for c in money:  # demand-weighted means; a cell without demand keeps the plain mean
        has = demand["demand"] > 0
        mean = demand[c] / demand["demand"].where(has, 1)
        demand[c] = np.where(has, mean, plain[c].to_numpy())
    demand = demand[[c for c in inp.demand.columns if c in demand.columns]]

    def per_plant(table, keys, col):
        num = _mix_sum(table, keys, col, family, weight)
        den = made.reindex(num.index.droplevel(keys[1:]) if len(keys) > 1 else num.index)
        return (num / den.to_numpy()).rename(col).reset_index()

    holding = _holding_costs(inp.holding_cost)
    hold = holding.groupby(family.reindex(holding.index)).apply(
        lambda h: float((h * weight.reindex(h.index)).sum())
    )
    bom = initial = None
    if inp.bom is not None:
        num = _mix_sum(inp.bom, ["component"], "quantity_per_unit", family, weight)
        den = every.reindex(num.index.get_level_values(0)).to_numpy()
        bom = (num / den).rename("quantity_per_unit").reset_index()
    if inp.initial_inventory is not None:
        init = inp.initial_inventory.assign(product=inp.initial_inventory["product"].map(family))
        initial = init.groupby(["product", "plant"], as_index=False)["quantity"].sum()
    return PlanningInputs(
        demand=demand,
        production_cost=per_plant(pc, ["plant"], "unit_cost"),
        routings=per_plant(inp.routings, ["plant", "work_centre"], "hours_per_unit"),
        capacity=inp.capacity.copy(),
        lanes=inp.lanes.copy(),
        holding_cost=(hold / every.reindex(hold.index)).rename("holding_cost"),
        bom=bom,
        component_supply=None if inp.component_supply is None else inp.component_supply.copy(),
        initial_inventory=initial,
        component_cost=None if inp.component_cost is None else inp.component_cost.copy(),
        fixed_cost=inp.fixed_cost,
    )


def _periods(demand: pd.DataFrame) -> list:
    return sorted(demand["period"].unique())


def _holding_costs(values) -> pd.Series:
    """The holding cost per product as a float Series (a dict is accepted)."""
    if isinstance(values, Mapping):
        values = pd.Series(values, dtype=float)
    if not isinstance(values, pd.Series):
        raise ValueError("holding_cost must be a pandas Series (or a dict) indexed by product.")
    check_numbers(values, "holding_cost", low=0)
    if values.index.duplicated().any():
        dup = sorted(set(values.index[values.index.duplicated()]), key=str)
        raise ValueError(f"holding_cost lists {dup} more than once: one value per product.")
    return values.astype(float)


# The columns every table of a PlanningInputs must have.
_COLUMNS = {
    "demand": ["product", "market", "period", "demand"],
    "production_cost": ["product", "plant", "unit_cost"],
    "routings": ["product", "plant", "work_centre", "hours_per_unit"],
    "capacity": ["plant", "work_centre", "hours"],
    "lanes": ["plant", "market", "transport_cost"],
    "bom": ["product", "component", "quantity_per_unit"],
    "component_supply": ["component", "period", "quantity"],
}


def _check_planning_inputs(inp: PlanningInputs):
    for label in ["demand", "production_cost", "routings", "capacity", "lanes"]:
        require_columns(getattr(inp, label), _COLUMNS[label], label, allow_empty=True)
    if inp.demand.empty:
        raise ValueError("demand is empty: give at least one product, market and period.")
    numeric = [
        (inp.demand, "demand", "demand"),
        (inp.production_cost, "unit_cost", "production_cost"),
        (inp.routings, "hours_per_unit", "routings"),
        (inp.capacity, "hours", "capacity"),
        (inp.lanes, "transport_cost", "lanes"),
    ]
    for frame, col, label in numeric:
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any():
            raise ValueError(f"{label}.{col} has missing or non-numeric values: fill them in.")
        if (values < 0).any():
            raise ValueError(f"{label}.{col} has negative values; {col} must be zero or more.")
    products = set(inp.demand["product"])
    for frame, label in [(inp.production_cost, "production_cost"), (inp.routings, "routings")]:
        unknown = sorted(set(frame["product"]) - products, key=str)
        if unknown:
            raise ValueError(
                f"{label} lists product(s) {unknown} that have no demand rows; "
                "remove them or add their demand."
            )
    cannot = sorted(products - set(inp.production_cost["product"]), key=str)
    if cannot:
        raise ValueError(
            f"No plant can make product(s) {cannot}: add rows to production_cost "
            "(product, plant, unit_cost)."
        )
    markets = set(inp.demand["market"])
    unreached = sorted(markets - set(inp.lanes["market"]), key=str)
    if unreached:
        raise ValueError(
            f"No lane reaches market(s) {unreached}: add rows to lanes "
            "(plant, market, transport_cost) or drop their demand."
        )
    plants = set(inp.production_cost["plant"])
    unknown = sorted(set(inp.lanes["plant"]) - plants, key=str)
    if unknown:
        raise ValueError(f"lanes start at plant(s) {unknown} that make nothing.")
    hc = _holding_costs(inp.holding_cost)
    missing = sorted(products - set(hc.index), key=str)
    if missing:
        raise ValueError(f"holding_cost has no value for product(s) {missing}.")
    if inp.demand.duplicated(["product", "market", "period"]).any():
        raise ValueError("demand has duplicate (product, market, period) rows: sum them first.")
    if (inp.bom is None) != (inp.component_supply is None):
        raise ValueError("Give both bom and component_supply (or neither).")
    if inp.bom is not None:
        for label in ["bom", "component_supply"]:
            require_columns(getattr(inp, label), _COLUMNS[label], label, allow_empty=True)
        if (pd.to_numeric(inp.component_supply["quantity"], errors="coerce").fillna(-1) < 0).any():
            raise ValueError("component_supply.quantity must be zero or more numbers.")
        unknown = sorted(set(inp.bom["product"]) - products, key=str)
        if unknown:
            raise ValueError(f"bom lists product(s) {unknown} that have no demand rows.")


def balancing_plan(
    inputs: PlanningInputs, *, integer: bool = False, builder: str = "auto"
) -> BalancingPlan:
    """The multi-period, multi-plant, multi-market supply/demand balancing plan (an LP).

    Decides production :math:`X_{plt}`, shipments :math:`Y_{plmt}`, end inventory at
    plants :math:`I_{plt}` and unmet demand (lost sales) :math:`U_{pmt}` to

    .. math::
        \\min \\sum c^P_{pl} X_{plt} + \\sum c^T_{lm} Y_{plmt} + \\sum h_p I_{plt}
        + \\sum c^U_{pm} U_{pmt}

    subject to

    - plant balance: :math:`I_{pl,t-1} + X_{plt} = \\sum_m Y_{plmt} + I_{plt}`
    - market balance: :math:`\\sum_l Y_{plmt} + U_{pmt} = D_{pmt}`
    - capacity: :math:`\\sum_p a_{plw} X_{plt} \\le K_{lwt}` for every work centre
    - material: :math:`\\sum_{\\tau \\le t} \\sum_{p,l} q_{pc} X_{pl\\tau} \\le
      \\sum_{\\tau \\le t} M_{c\\tau}` (components arrive and unused ones carry over)

    The structure is the transportation model (Winston, *Operations Research*, 4th ed.,
    section 7.1) extended over periods with inventory, capacity and materials. Lost
    sales cost defaults to the price, so the plan serves a unit whenever its price covers
    making and shipping it. Goods ship in the period they are needed (no transit time);
    there are no backorders.

    Parameters
    ----------
    inputs : PlanningInputs
        The data (see :class:`PlanningInputs` for every column and its symbol).
    integer : bool
        Whole units (a mixed-integer program; slower, and no shadow prices).
    builder : {"auto", "pulp", "matrix"}
        How the LP is built: ``"pulp"`` through :class:`sopcourse.solver.LinearProgram`
        (one Python object per variable), ``"matrix"`` as numpy arrays passed to HiGHS
        directly (:mod:`sopcourse.balancing_matrix`: the same model and plan, for company
        scale), ``"auto"`` the matrix for a continuous model of more than
        20,000 variables, else PuLP.

    Returns
    -------
    BalancingPlan

    Examples
    --------
    >>> plan = balancing_plan(example_planning_inputs(seed=1))
    >>> round(plan.fill_rate, 3) <= 1.0, sorted(plan.production["plant"].unique())
    (True, ['P1', 'P2'])
    """
    if not isinstance(inputs, PlanningInputs):
        raise ValueError("inputs must be a PlanningInputs (see example_planning_inputs()).")
    if builder not in ("auto", "pulp", "matrix"):
        raise ValueError(f"builder must be 'auto', 'pulp' or 'matrix'; got {builder!r}.")
    if builder == "matrix" and integer:
        raise ValueError("builder='matrix' solves the continuous plan; use integer=False.")
    _check_planning_inputs(inputs)
    data = _model_data(inputs)
    if builder == "auto":
        size = 2 * len(data.unit_cost) * len(data.periods) + len(data.demand) * 2
        builder = "matrix" if not integer and size > _MATRIX_FROM else "pulp"
    if builder == "matrix":
        from .balancing_matrix import matrix_plan

        plan = matrix_plan(data)
        plan["costs"] = _with_profit(plan["costs"], data.demand, plan["sales"])
        return BalancingPlan(**plan)
    lp, var = _build_model(data, integer)
    res = lp.solve()
    return _read_plan(data, var, res)


@dataclass
class _ModelData:
    """The balancing-plan data as the model reads it (dicts keyed by tuples)."""

    demand: pd.DataFrame  # with lost_sales_cost
    periods: list
    unit_cost: dict  # (product, plant) -> production cost
    plants_of: dict  # product -> plants that make it
    holding: dict  # product -> holding cost
    lane: Callable  # (product, plant, market) -> transport cost or None
    routed: dict  # (plant, work_centre) -> {product: hours per unit}
    cap_hours: pd.Series  # (plant, work_centre, period) -> hours
    initial: dict  # (product, plant) -> opening stock
    inputs: PlanningInputs


@dataclass
class _ModelVars:
    """The LP's variable names by index, its objective and its material rows."""

    make: dict = field(default_factory=dict)  # X[p, pl, t]
    hold: dict = field(default_factory=dict)  # I[p, pl, t]
    ship: dict = field(default_factory=dict)  # Y[p, pl, m, t]
    unmet: dict = field(default_factory=dict)  # U[p, m, t]
    objective: dict = field(default_factory=dict)
    material_rows: list = field(default_factory=list)  # (component, period, row, available)


def _model_data(inputs: PlanningInputs) -> _ModelData:
    """Read the checked inputs into the lookups the model is built from."""
    d = inputs.demand.copy()
    periods = _periods(d)
    if "lost_sales_cost" not in d.columns:
        d["lost_sales_cost"] = d["price"] if "price" in d.columns else 0.0
    d["lost_sales_cost"] = pd.to_numeric(d["lost_sales_cost"], errors="coerce")
    if d["lost_sales_cost"].isna().any() or (d["lost_sales_cost"] < 0).any():
        raise ValueError("demand.lost_sales_cost must be zero or more numbers.")
    pc = inputs.production_cost.groupby(["product", "plant"])["unit_cost"].first().to_dict()
    plants_of: dict = {}
    for p, pl in pc:
        plants_of.setdefault(p, []).append(pl)
    lanes = inputs.lanes
    has_product_lanes = "product" in lanes.columns
    keys = ["product", "plant", "market"] if has_product_lanes else ["plant", "market"]
    lane_cost = lanes.groupby(keys)["transport_cost"].first().to_dict()

    def lane(p, pl, m):
        return lane_cost.get((p, pl, m) if has_product_lanes else (pl, m))

    routing = inputs.routings.groupby(["plant", "work_centre", "product"])["hours_per_unit"].sum()
    routed: dict[tuple, dict] = {}
    for (pl, w, p), a in routing.items():
        routed.setdefault((pl, w), {})[p] = float(a)
    cap = inputs.capacity
    if "period" in cap.columns:
        cap_hours = cap.groupby(["plant", "work_centre", "period"])["hours"].sum()
    else:
        base = cap.groupby(["plant", "work_centre"])["hours"].sum()
        cap_hours = pd.Series(
            {(pl, w, t): h for (pl, w), h in base.items() for t in periods}, dtype=float
        )
    missing_wc = sorted(set(routed) - {(pl, w) for pl, w, _ in cap_hours.index})
    if missing_wc:
        raise ValueError(
            f"routings use work centre(s) {missing_wc} (plant, work_centre) with no capacity."
        )
    init = {}
    if inputs.initial_inventory is not None:
        require_columns(
            inputs.initial_inventory,
            ["product", "plant", "quantity"],
            "initial_inventory",
            allow_empty=True,
        )
        init = inputs.initial_inventory.groupby(["product", "plant"])["quantity"].sum().to_dict()
    return _ModelData(
        demand=d,
        periods=periods,
        unit_cost=pc,
        plants_of=plants_of,
        holding=_holding_costs(inputs.holding_cost).to_dict(),
        lane=lane,
        routed=routed,
        cap_hours=cap_hours,
        initial=init,
        inputs=inputs,
    )


def _build_model(data: _ModelData, integer: bool) -> tuple[LinearProgram, _ModelVars]:
    """The LP: variables with their costs, then the balance, capacity and material rows."""
    lp = LinearProgram("balancing_plan", sense="min")
    var = _ModelVars()
    X, Inv, Y, U, obj = var.make, var.hold, var.ship, var.unmet, var.objective
    for p, pl in data.unit_cost:
        for t in data.periods:
            X[p, pl, t] = lp.add_variable(f"make[{p},{pl},{t}]", integer=integer)
            obj[X[p, pl, t]] = float(data.unit_cost[p, pl])
            Inv[p, pl, t] = lp.add_variable(f"hold[{p},{pl},{t}]", integer=integer)
            obj[Inv[p, pl, t]] = float(data.holding[p])
    for row in data.demand.itertuples(index=False):
        p, m, t = row.product, row.market, row.period
        U[p, m, t] = lp.add_variable(f"unmet[{p},{m},{t}]", integer=integer)
        obj[U[p, m, t]] = float(row.lost_sales_cost)
        for pl in data.plants_of.get(p, []):
            c = data.lane(p, pl, m)
            if c is None:
                continue
            Y[p, pl, m, t] = lp.add_variable(f"ship[{p},{pl},{m},{t}]", integer=integer)
            obj[Y[p, pl, m, t]] = float(c)
    _add_balances(lp, data, var)
    _add_capacity(lp, data, var)
    _add_materials(lp, data, var)
    lp.set_objective(obj)
    return lp, var


def _add_balances(lp: LinearProgram, data: _ModelData, var: _ModelVars) -> None:
    """Plant balance (stock in + made = shipped + stock out) and market balance."""
    first = {t: i for i, t in enumerate(data.periods)}
    ships_from: dict[tuple, list] = {}
    ships_to: dict[tuple, list] = {}
    for (p, pl, m, t), v in var.ship.items():
        ships_from.setdefault((p, pl, t), []).append(v)
        ships_to.setdefault((p, m, t), []).append(v)
    for p, pl in data.unit_cost:
        for t in data.periods:
            terms = {var.make[p, pl, t]: 1.0, var.hold[p, pl, t]: -1.0}
            for v in ships_from.get((p, pl, t), []):
                terms[v] = terms.get(v, 0.0) - 1.0
            i = first[t]
            rhs = 0.0
            if i == 0:
                rhs = -float(data.initial.get((p, pl), 0.0))
            else:
                terms[var.hold[p, pl, data.periods[i - 1]]] = 1.0
            lp.add_constraint(f"plant_balance[{p},{pl},{t}]", terms, "==", rhs)
    for row in data.demand.itertuples(index=False):
        p, m, t = row.product, row.market, row.period
        terms = {var.unmet[p, m, t]: 1.0}
        for v in ships_to.get((p, m, t), []):
            terms[v] = 1.0
        lp.add_constraint(f"market_balance[{p},{m},{t}]", terms, "==", float(row.demand))


def _add_capacity(lp: LinearProgram, data: _ModelData, var: _ModelVars) -> None:
    """Hours of every work centre in every period."""
    periods = set(data.periods)
    for (pl, w, t), hours in data.cap_hours.items():
        if t not in periods:
            continue
        terms = {
            var.make[p, pl, t]: a
            for p, a in data.routed.get((pl, w), {}).items()
            if (p, pl, t) in var.make and a > 0
        }
        if terms:
            lp.add_constraint(f"capacity[{pl},{w},{t}]", terms, "<=", float(hours))


def _add_materials(lp: LinearProgram, data: _ModelData, var: _ModelVars) -> None:
    """Cumulative component use up to each period within what has arrived by then."""
    inputs = data.inputs
    if inputs.bom is None:
        return
    bom = inputs.bom.groupby(["component", "product"])["quantity_per_unit"].sum()
    supply = inputs.component_supply.groupby(["component", "period"])["quantity"].sum()
    for c in sorted(bom.index.get_level_values(0).unique(), key=str):
        arriving = supply.get(c)
        cumulative = 0.0
        terms: dict[str, float] = {}
        for t in data.periods:
            if arriving is not None:
                cumulative += float(arriving.get(t, 0.0))
            for p, q in bom.loc[c].items():
                for pl in data.plants_of.get(p, []):
                    terms[var.make[p, pl, t]] = float(q)
            name = f"material[{c},{t}]"
            lp.add_constraint(name, dict(terms), "<=", cumulative)
            var.material_rows.append((c, t, name, cumulative))


def _read_plan(data: _ModelData, var: _ModelVars, res: LPResult) -> BalancingPlan:
    """The solution as tidy tables: production, shipments, stock, sales, capacity, costs."""
    val = res.values.to_dict()
    shadow = res.shadow_prices.to_dict()
    lhs_of = res.constraint_info["lhs"].to_dict()
    d = data.demand
    production = pd.DataFrame(
        [(p, pl, t, val[v] + 0.0) for (p, pl, t), v in var.make.items()],
        columns=["product", "plant", "period", "quantity"],
    )
    inventory = pd.DataFrame(
        [(p, pl, t, val[v] + 0.0) for (p, pl, t), v in var.hold.items()],
        columns=["product", "plant", "period", "quantity"],
    )
    shipments = pd.DataFrame(
        [(p, pl, m, t, val[v] + 0.0) for (p, pl, m, t), v in var.ship.items()],
        columns=["product", "plant", "market", "period", "quantity"],
    )
    shipments = shipments[shipments["quantity"] > _TOL].reset_index(drop=True)
    sales = d[["product", "market", "period", "demand"]].copy()
    sales["unmet"] = [val[var.unmet[r.product, r.market, r.period]] + 0.0 for r in d.itertuples()]
    sales["served"] = sales["demand"] - sales["unmet"]
    sales["fill_rate"] = np.where(
        sales["demand"] > 0, sales["served"] / sales["demand"].where(sales["demand"] > 0, 1), 1.0
    )
    sales = sales[["product", "market", "period", "demand", "served", "unmet", "fill_rate"]]
    materials = pd.DataFrame(
        [
            (c, t, avail, lhs_of[name], -shadow[name] + 0.0)
            for c, t, name, avail in var.material_rows
        ],
        columns=["component", "period", "available", "used", "shadow_price"],
    )
    return BalancingPlan(
        production=production,
        shipments=shipments,
        inventory=inventory,
        sales=sales.reset_index(drop=True),
        capacity=_capacity_table(data, lhs_of, shadow),
        materials=materials,
        costs=_costs(data, var, val, sales),
        lp=res,
    )


def _capacity_table(data: _ModelData, lhs_of: dict, shadow: dict) -> pd.DataFrame:
    """Hours, load, utilisation and shadow price (cost saved per extra hour) per period."""
    periods = set(data.periods)
    cap_rows = []
    for (pl, w, t), hours in data.cap_hours.items():
        if t not in periods:
            continue
        name = f"capacity[{pl},{w},{t}]"
        if name in lhs_of:
            load = lhs_of[name]
            price = -shadow[name] + 0.0  # cost saved per extra hour
        else:
            load, price = 0.0, 0.0
        cap_rows.append((pl, w, t, float(hours), float(load), price))
    capacity = pd.DataFrame(
        cap_rows, columns=["plant", "work_centre", "period", "hours", "load_hours", "shadow_price"]
    )
    capacity["utilisation"] = np.where(
        capacity["hours"] > 0,
        capacity["load_hours"] / capacity["hours"].where(capacity["hours"] > 0, 1),
        np.where(capacity["load_hours"] > 0, np.inf, 0.0),
    )
    return capacity[
        ["plant", "work_centre", "period", "hours", "load_hours", "utilisation", "shadow_price"]
    ]


def _costs(data: _ModelData, var: _ModelVars, val: dict, sales: pd.DataFrame) -> pd.Series:
    """Production, transport, holding, lost-sales and fixed cost; with prices, profit."""
    d = data.demand
    pc, hc, obj = data.unit_cost, data.holding, var.objective
    costs = {
        "production": float(sum(pc[p, pl] * val[v] for (p, pl, t), v in var.make.items())),
        "transport": float(sum(obj[v] * val[v] for v in var.ship.values())),
        "holding": float(sum(hc[p] * val[v] for (p, pl, t), v in var.hold.items())),
        "lost_sales": float(
            sum(
                r.lost_sales_cost * val[var.unmet[r.product, r.market, r.period]]
                for r in d.itertuples()
            )
        ),
    }
    costs["fixed"] = float(data.inputs.fixed_cost)
    return _with_profit(costs, d, sales)


def _with_profit(costs: dict, demand: pd.DataFrame, sales: pd.DataFrame) -> pd.Series:
    """The costs with their total and, where the demand has prices, revenue and profit."""
    costs = dict(costs)
    costs["total"] = sum(costs.values())
    if "price" in demand.columns:
        revenue = float((sales["served"].to_numpy() * demand["price"].to_numpy()).sum())
        costs["revenue"] = revenue
        costs["profit"] = (
            revenue - costs["production"] - costs["transport"] - costs["holding"] - costs["fixed"]
        )
    return pd.Series(costs)


def example_planning_inputs(
    n_products: int = 4,
    n_plants: int = 2,
    n_markets: int = 4,
    horizon: int = 6,
    *,
    seed: int = 0,
    tightness: float = 0.9,
    n_periods: int | None = None,
) -> PlanningInputs:
    """A small synthetic company for examples, tests and benchmarks (seeded).

    Products ``F1``..; plants ``P1``..; markets ``M1``..; periods 1..``horizon``. Two work
    centres per plant (``weld``, ``assembly``), one shared component (``battery``) used by
    the second half of the products, seasonal demand, prices and costs. ``tightness``
    scales capacity to about that share of average demand's load, so some months are
    short. ``n_periods`` is the old name of ``horizon`` (the number of periods planned),
    still accepted.

    Examples
    --------
    >>> inp = example_planning_inputs(seed=3)
    >>> sorted(inp.demand.columns)
    ['demand', 'family', 'market', 'period', 'price', 'product']
    """
    if n_periods is not None:
        horizon = n_periods
    if min(n_products, n_plants, n_markets, horizon) < 1:
        raise ValueError("n_products, n_plants, n_markets and horizon must be at least 1.")
    if not 0 < tightness:
        raise ValueError("tightness must be greater than zero.")
    rng = np.random.default_rng(seed)
    products = [f"F{i + 1}" for i in range(n_products)]
    plants = [f"P{i + 1}" for i in range(n_plants)]
    markets = [f"M{i + 1}" for i in range(n_markets)]
    periods = list(range(1, horizon + 1))
    price = {p: float(rng.uniform(300, 900)) for p in products}
    family = {p: ("e-bike" if i >= n_products // 2 else "bike") for i, p in enumerate(products)}
    rows = []
    for p in products:
        base = rng.uniform(20, 80)
        for m in markets:
            scale = rng.uniform(0.5, 1.5)
            for t in periods:
                season = 1 + 0.4 * np.sin(2 * np.pi * (t - 2) / 12)
                rows.append((p, m, t, float(round(base * scale * season)), price[p], family[p]))
    demand = pd.DataFrame(
        rows, columns=["product", "market", "period", "demand", "price", "family"]
    )
    production_cost = pd.DataFrame(
        [(p, pl, price[p] * rng.uniform(0.45, 0.65)) for p in products for pl in plants],
        columns=["product", "plant", "unit_cost"],
    )
    weld = {p: rng.uniform(0.5, 2.0) for p in products}
    asm = {p: rng.uniform(0.5, 1.5) for p in products}
    routings = pd.DataFrame(
        [(p, pl, "weld", weld[p]) for p in products for pl in plants]
        + [(p, pl, "assembly", asm[p]) for p in products for pl in plants],
        columns=["product", "plant", "work_centre", "hours_per_unit"],
    )
    avg = demand.groupby("product")["demand"].sum() / horizon
    need_w = sum(weld[p] * avg[p] for p in products) / n_plants
    need_a = sum(asm[p] * avg[p] for p in products) / n_plants
    capacity = pd.DataFrame(
        [(pl, "weld", tightness * need_w) for pl in plants]
        + [(pl, "assembly", 1.1 * tightness * need_a) for pl in plants],
        columns=["plant", "work_centre", "hours"],
    )
    lanes = pd.DataFrame(
        [(pl, m, float(rng.uniform(5, 40))) for pl in plants for m in markets],
        columns=["plant", "market", "transport_cost"],
    )
    holding_cost = pd.Series({p: 0.02 * price[p] for p in products})
    e_bikes = [p for p in products if family[p] == "e-bike"]
    bom = pd.DataFrame(
        [(p, "battery", 1.0) for p in e_bikes],
        columns=["product", "component", "quantity_per_unit"],
    )
    need_b = sum(avg[p] for p in e_bikes)
    component_supply = pd.DataFrame(
        [("battery", t, 0.9 * need_b) for t in periods], columns=["component", "period", "quantity"]
    )
    component_cost = pd.DataFrame({"component": ["battery"], "unit_cost": [150.0]})
    return PlanningInputs(
        demand=demand,
        production_cost=production_cost,
        routings=routings,
        capacity=capacity,
        lanes=lanes,
        holding_cost=holding_cost,
        bom=bom if e_bikes else None,
        component_supply=component_supply if e_bikes else None,
        component_cost=component_cost,
    )
