"""Capacity planning: available capacity, rough-cut capacity planning (RCCP) by the three
classic methods, load-versus-capacity charts, and aggregate production planning
(chase, level and hybrid plans as a linear program).

RCCP follows Vollmann, Berry, Whybark & Jacobs, *Manufacturing Planning and Control for
Supply Chain Management* (5th ed., 2005), ch. 10 "Capacity planning and management";
aggregate planning follows Chopra & Meindl, *Supply Chain Management* (6th ed., 2016),
ch. 8, the Red Tomato Tools example.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers, require_columns
from .solver import LinearProgram, LPResult

__all__ = [
    "available_capacity",
    "rccp_overall_factors",
    "rccp_bill_of_capacity",
    "rccp_resource_profile",
    "load_vs_capacity",
    "find_bottleneck",
    "plot_load_vs_capacity",
    "AggregatePlan",
    "aggregate_plan",
    "compare_aggregate_plans",
]


def available_capacity(hours_per_shift, shifts=1, days=1, units=1, utilisation=1.0, efficiency=1.0):
    """Available (effective) capacity in hours.

    .. math:: \\text{available} = \\text{units} \\times \\text{days} \\times
              \\text{shifts} \\times \\text{hours per shift} \\times U \\times E

    Utilisation :math:`U` is the share of scheduled time the resource actually works
    (after breakdowns, set-ups, absence); efficiency :math:`E` is standard hours produced
    per hour worked. Works element-wise on numbers or pandas Series (e.g. the columns of
    a work-centre table).

    Examples
    --------
    Two machines, 2 shifts of 8 h, 20 days, 85 % utilisation, 95 % efficiency:

    >>> round(available_capacity(8, shifts=2, days=20, units=2, utilisation=0.85, efficiency=0.95), 1)
    516.8
    """
    values = {
        "hours_per_shift": hours_per_shift,
        "shifts": shifts,
        "days": days,
        "units": units,
    }
    for name, v in values.items():
        check_numbers(v, name, low=0)
    for name, v in (("utilisation", utilisation), ("efficiency", efficiency)):
        arr = np.asarray(v, dtype=float)
        if np.isnan(arr).any() or (arr <= 0).any() or (arr > 1.5).any():
            raise ValueError(
                f"{name} must be a fraction such as 0.85 (not a percentage such as 85)."
            )
    return hours_per_shift * shifts * days * units * utilisation * efficiency


def _mps(mps: pd.DataFrame) -> pd.DataFrame:
    require_columns(mps, ["product", "period", "quantity"], "mps", allow_empty=True)
    if mps.empty:
        raise ValueError("mps is empty; pass the planned quantity of each product per period.")
    qty = check_numbers(mps["quantity"], "mps['quantity']", low=0, hint="Use 0 for none.")
    return mps.assign(quantity=qty)


def _check_products(mps, products, label):
    unknown = sorted(map(str, set(mps["product"]) - set(products)))
    if unknown:
        raise ValueError(f"{label} has no hours for product(s) {unknown}; add rows for them.")


def rccp_overall_factors(
    mps: pd.DataFrame, total_hours_per_unit: pd.Series, historical_share: pd.Series
) -> pd.DataFrame:
    """Capacity planning using overall factors (CPOF).

    Total load :math:`H_t = \\sum_i MPS_{it} \\, a_i` (:math:`a_i` total direct hours per
    unit of product i) is split over work centres by their historical share
    :math:`s_w`: :math:`load_{wt} = s_w H_t`.

    Parameters
    ----------
    mps : DataFrame
        ``product``, ``period``, ``quantity``.
    total_hours_per_unit : Series
        Total standard hours per unit, indexed by product [a_i].
    historical_share : Series
        Share of total hours at each work centre, indexed by work centre [s_w]; sums to 1.

    Returns
    -------
    DataFrame
        Tidy: ``work_centre``, ``period``, ``load_hours``.

    Examples
    --------
    >>> mps = pd.DataFrame({"product": ["A", "B"], "period": [1, 1], "quantity": [10, 20]})
    >>> out = rccp_overall_factors(mps, pd.Series({"A": 1.0, "B": 0.5}),
    ...                            pd.Series({"weld": 0.6, "paint": 0.4}))
    >>> out["load_hours"].tolist()
    [12.0, 8.0]
    """
    mps = _mps(mps)
    _check_products(mps, total_hours_per_unit.index, "total_hours_per_unit")
    share = pd.Series(historical_share)
    share = pd.Series(check_numbers(share, "historical_share", low=0), index=share.index)
    if abs(share.sum() - 1) > 1e-6:
        raise ValueError(
            f"historical_share must be non-negative and sum to 1 (it sums to {share.sum():.3f})."
        )
    hours = (
        (mps["quantity"] * mps["product"].map(total_hours_per_unit)).groupby(mps["period"]).sum()
    )
    rows = [
        (wc, period, float(total * s)) for period, total in hours.items() for wc, s in share.items()
    ]
    return pd.DataFrame(rows, columns=["work_centre", "period", "load_hours"])


def rccp_bill_of_capacity(mps: pd.DataFrame, bill_of_capacity: pd.DataFrame) -> pd.DataFrame:
    """Rough-cut capacity with a bill of capacity (BOC).

    :math:`load_{wt} = \\sum_i MPS_{it} \\, b_{iw}` with :math:`b_{iw}` the standard hours
    of product i at work centre w (from routings times the BOM).

    Parameters
    ----------
    mps : DataFrame
        ``product``, ``period``, ``quantity``.
    bill_of_capacity : DataFrame
        ``product``, ``work_centre``, ``hours_per_unit``.

    Examples
    --------
    >>> mps = pd.DataFrame({"product": ["A", "B"], "period": [1, 1], "quantity": [10, 20]})
    >>> boc = pd.DataFrame({"product": ["A", "A", "B"], "work_centre": ["weld", "paint", "weld"],
    ...                     "hours_per_unit": [0.5, 0.5, 0.5]})
    >>> rccp_bill_of_capacity(mps, boc).to_dict("list")
    {'work_centre': ['paint', 'weld'], 'period': [1, 1], 'load_hours': [5.0, 15.0]}
    """
    return rccp_resource_profile(mps, bill_of_capacity.assign(offset=0))


def rccp_resource_profile(mps: pd.DataFrame, resource_profile: pd.DataFrame) -> pd.DataFrame:
    """Rough-cut capacity with resource profiles: the bill of capacity, time-phased.

    :math:`load_{w,t-o} \\mathrel{+}= MPS_{it} \\, b_{iwo}`: the hours product i needs at
    work centre w fall ``offset`` o periods before the period it completes.

    Parameters
    ----------
    mps : DataFrame
        ``product``, ``period`` (integers), ``quantity``.
    resource_profile : DataFrame
        ``product``, ``work_centre``, ``hours_per_unit``, ``offset`` (periods before
        completion, 0 = same period).

    Returns
    -------
    DataFrame
        Tidy ``work_centre``, ``period``, ``load_hours``; periods before the first MPS
        period appear when offsets reach back (work that should already be under way).

    Examples
    --------
    >>> mps = pd.DataFrame({"product": ["A"], "period": [3], "quantity": [10]})
    >>> prof = pd.DataFrame({"product": ["A", "A"], "work_centre": ["weld", "paint"],
    ...                      "hours_per_unit": [0.5, 0.2], "offset": [1, 0]})
    >>> rccp_resource_profile(mps, prof).to_dict("list")
    {'work_centre': ['paint', 'weld'], 'period': [3, 2], 'load_hours': [2.0, 5.0]}
    """
    mps = _mps(mps)
    require_columns(
        resource_profile,
        ["product", "work_centre", "hours_per_unit", "offset"],
        "resource_profile",
        allow_empty=True,
    )
    _check_products(mps, resource_profile["product"], "resource_profile / bill_of_capacity")
    check_numbers(resource_profile["hours_per_unit"], "resource_profile['hours_per_unit']", low=0)
    merged = mps.merge(resource_profile, on="product")
    merged["period"] = merged["period"] - merged["offset"].astype(int)
    merged["load_hours"] = merged["quantity"] * merged["hours_per_unit"]
    out = merged.groupby(["work_centre", "period"], as_index=False)["load_hours"].sum()
    out["load_hours"] = out["load_hours"].astype(float)
    return out.sort_values(["work_centre", "period"], ignore_index=True)


def load_vs_capacity(load: pd.DataFrame, capacity) -> pd.DataFrame:
    """Compare load with available capacity per work centre and period.

    Parameters
    ----------
    load : DataFrame
        ``work_centre``, ``period``, ``load_hours`` (from an ``rccp_*`` function).
    capacity : Series or DataFrame
        Hours per period indexed by work centre, or a tidy table ``work_centre``,
        ``period``, ``capacity_hours``.

    Returns
    -------
    DataFrame
        ``work_centre``, ``period``, ``load_hours``, ``capacity_hours``, ``utilisation``
        (load / capacity) and ``overload_hours`` (load above capacity, else 0).

    Examples
    --------
    >>> load = pd.DataFrame({"work_centre": ["weld", "weld"], "period": [1, 2],
    ...                      "load_hours": [90.0, 120.0]})
    >>> load_vs_capacity(load, pd.Series({"weld": 100.0}))[["utilisation", "overload_hours"]].to_dict("list")
    {'utilisation': [0.9, 1.2], 'overload_hours': [0.0, 20.0]}
    """
    require_columns(load, ["work_centre", "period", "load_hours"], "load", allow_empty=True)
    if isinstance(capacity, pd.DataFrame):
        require_columns(
            capacity, ["work_centre", "period", "capacity_hours"], "capacity", allow_empty=True
        )
        table = load.merge(capacity, on=["work_centre", "period"], how="left")
    else:
        table = load.assign(capacity_hours=load["work_centre"].map(pd.Series(capacity)))
    missing = sorted(map(str, table.loc[table["capacity_hours"].isna(), "work_centre"].unique()))
    if missing:
        raise ValueError(f"No capacity given for work centre(s) {missing}; add them to capacity.")
    table["capacity_hours"] = table["capacity_hours"].astype(float)
    if (table["capacity_hours"] <= 0).any():
        raise ValueError("capacity_hours must be greater than zero.")
    table["utilisation"] = table["load_hours"] / table["capacity_hours"]
    table["overload_hours"] = (table["load_hours"] - table["capacity_hours"]).clip(lower=0)
    return table


def find_bottleneck(table: pd.DataFrame) -> str:
    """The work centre with the highest total load relative to its total capacity.

    >>> t = pd.DataFrame({"work_centre": ["weld", "paint"], "period": [1, 1],
    ...                   "load_hours": [90.0, 50.0], "capacity_hours": [100.0, 40.0]})
    >>> find_bottleneck(t)
    'paint'
    """
    require_columns(
        table, ["work_centre", "load_hours", "capacity_hours"], "table", allow_empty=True
    )
    totals = table.groupby("work_centre")[["load_hours", "capacity_hours"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        # load without capacity is an infinite (the worst) utilisation; 0 / 0 is no load
        ratio = totals["load_hours"] / totals["capacity_hours"]
    ratio = ratio.fillna(0.0)
    if ratio.empty or not (totals["load_hours"] > 0).any():
        raise ValueError(
            "no work centre has any load, so there is no bottleneck: check that the plan "
            "(the MPS) has quantities and that the load table is the right one."
        )
    return str(ratio.idxmax())


def plot_load_vs_capacity(table: pd.DataFrame, work_centre=None, ax=None):
    """Load-versus-capacity chart.

    With ``work_centre``: bars of load (overloaded periods in red) against the capacity
    line. Without: utilisation of every work centre, one line each, against the 100 %
    line, so that the bottleneck is the line on top.

    Examples
    --------
    >>> t = load_vs_capacity(pd.DataFrame({"work_centre": ["weld"] * 2, "period": [1, 2],
    ...                                    "load_hours": [90.0, 120.0]}), pd.Series({"weld": 100.0}))
    >>> plot_load_vs_capacity(t, "weld").get_ylabel()
    'Load (standard hours)'
    """
    require_columns(
        table, ["work_centre", "period", "load_hours", "capacity_hours"], "table", allow_empty=True
    )
    if ax is None:
        _, ax = plt.subplots()
    if work_centre is not None:
        rows = table[table["work_centre"] == work_centre].sort_values("period")
        if rows.empty:
            raise ValueError(
                f"Unknown work centre {work_centre!r}; choose one of {sorted(table['work_centre'].unique())}."
            )
        over = rows["load_hours"] > rows["capacity_hours"] + 1e-9
        colors = np.where(over, "#b03a48", "#1f4e79")
        ax.bar(rows["period"].astype(str), rows["load_hours"], color=colors, label="Load")
        ax.step(
            rows["period"].astype(str),
            rows["capacity_hours"],
            where="mid",
            color="#e07b39",
            linewidth=2,
            label="Available capacity",
        )
        ax.set_ylabel("Load (standard hours)")
        ax.set_title(f"{work_centre}: load vs capacity")
    else:
        wide = table.pivot_table(index="period", columns="work_centre", values="utilisation")
        for wc in wide.columns:
            ax.plot(wide.index.astype(str), 100 * wide[wc], marker="o", label=str(wc))
        ax.axhline(100, color="#b03a48", linestyle="--", label="100 % of capacity")
        ax.set_ylabel("Load / available capacity (%)")
    ax.set_xlabel("Period")
    ax.legend()
    return ax


# -- aggregate production planning ----------------------------------------------------
@dataclass
class AggregatePlan:
    """An aggregate production plan: per-period quantities, cost breakdown and the LP."""

    strategy: str
    plan: pd.DataFrame
    costs: pd.Series
    total_cost: float
    lp: LPResult


_PLAN_COLUMNS = [
    "demand",
    "workforce",
    "hired",
    "laid_off",
    "overtime_hours",
    "production",
    "subcontracted",
    "inventory",
    "backorders",
]


def aggregate_plan(
    demand,
    *,
    strategy: str = "hybrid",
    initial_workforce: float,
    hours_per_unit: float,
    regular_hours_per_worker: float,
    regular_cost_per_hour: float,
    overtime_cost_per_hour: float,
    max_overtime_per_worker: float,
    hiring_cost: float,
    layoff_cost: float,
    holding_cost: float,
    backorder_cost: float,
    material_cost: float = 0.0,
    subcontract_cost: float | None = None,
    max_subcontract: float | None = None,
    initial_inventory: float = 0.0,
    final_inventory: float = 0.0,
    initial_backorders: float = 0.0,
    max_workforce: float | None = None,
    integer: bool = False,
) -> AggregatePlan:
    """Aggregate production plan as a linear program (Chopra & Meindl, ch. 8).

    Minimise :math:`\\sum_t [c_r h_r W_t + c_o O_t + c_H H_t + c_L L_t + c_I I_t +
    c_S S_t + c_M P_t + c_C C_t]` subject to

    - workforce: :math:`W_t = W_{t-1} + H_t - L_t`
    - production: :math:`P_t \\le (h_r W_t + O_t) / a` (a = ``hours_per_unit``)
    - overtime: :math:`O_t \\le o_{max} W_t`
    - balance: :math:`I_{t-1} + P_t + C_t = D_t + S_{t-1} + I_t - S_t`
    - end: :math:`I_T \\ge I_{end}`, :math:`S_T = 0`.

    ``strategy`` restricts the levers: ``"chase"`` keeps no inventory between periods
    and no backorders, overtime or subcontracting (the workforce follows demand);
    ``"level"`` keeps one workforce for the whole horizon (changed only in period 1)
    with no overtime or subcontracting; ``"hybrid"`` uses every lever and is the
    cheapest of the three.

    Parameters
    ----------
    demand : sequence or Series
        Demand per period [D_t], units.
    initial_workforce : float
        Workers at the start [W_0].
    hours_per_unit : float
        Labour hours per unit [a].
    regular_hours_per_worker : float
        Regular hours per worker per period [h_r].
    regular_cost_per_hour, overtime_cost_per_hour : float
        [c_r], [c_o] per hour.
    max_overtime_per_worker : float
        Overtime hours allowed per worker per period [o_max].
    hiring_cost, layoff_cost : float
        Per worker [c_H], [c_L].
    holding_cost, backorder_cost : float
        Per unit per period [c_I], [c_S].
    material_cost : float
        Per unit produced [c_M].
    subcontract_cost : float, optional
        Per unit bought in [c_C]; ``None`` means subcontracting is not allowed.
    max_subcontract : float, optional
        Upper bound per period on subcontracted units.
    initial_inventory, final_inventory, initial_backorders : float
        [I_0], the minimum [I_T] and [S_0].
    max_workforce : float, optional
        Most workers the plant can hold in any period.
    integer : bool
        Whole workers, hires and layoffs, and whole units (a mixed-integer program).

    Returns
    -------
    AggregatePlan
        ``plan`` (per period: the ``_PLAN_COLUMNS``), ``costs`` by category,
        ``total_cost``, the solver result ``lp``.

    Examples
    --------
    >>> p = aggregate_plan([100, 300], initial_workforce=10, hours_per_unit=1,
    ...     regular_hours_per_worker=20, regular_cost_per_hour=10, overtime_cost_per_hour=15,
    ...     max_overtime_per_worker=0, hiring_cost=1000, layoff_cost=1000,
    ...     holding_cost=1, backorder_cost=5)
    >>> p.plan["production"].tolist(), round(p.total_cost)
    ([200.0, 200.0], 4100)
    """
    d = pd.Series(demand)
    d = pd.Series(check_numbers(d, "demand", low=0), index=d.index)
    if strategy not in ("hybrid", "chase", "level"):
        raise ValueError(f"strategy must be 'hybrid', 'chase' or 'level', not {strategy!r}.")
    values = (initial_workforce, hours_per_unit, regular_hours_per_worker)
    values += (regular_cost_per_hour, overtime_cost_per_hour, max_overtime_per_worker)
    values += (hiring_cost, layoff_cost, holding_cost, backorder_cost, material_cost)
    values += (initial_inventory, final_inventory, initial_backorders)
    c = {name: check_number(v, name, low=0) for name, v in zip(_INPUTS, values, strict=True)}
    for name in ("hours_per_unit", "regular_hours_per_worker"):
        check_number(c[name], name, low=0, low_open=True)
    c["subcontract_cost"] = subcontract_cost
    lp, names = _aggregate_lp(
        d,
        strategy,
        c,
        max_subcontract=max_subcontract,
        max_workforce=max_workforce,
        integer=integer,
    )
    result = _solve_plan(lp, strategy)
    plan = _plan_table(d, result.values, names)
    return AggregatePlan(
        strategy=strategy,
        plan=plan,
        costs=_plan_costs(plan, c, strategy),
        total_cost=float(result.objective),
        lp=result,
    )


#: the numbers of :func:`aggregate_plan` that must be zero or more, in signature order
_INPUTS = (
    "initial_workforce",
    "hours_per_unit",
    "regular_hours_per_worker",
    "regular_cost_per_hour",
    "overtime_cost_per_hour",
    "max_overtime_per_worker",
    "hiring_cost",
    "layoff_cost",
    "holding_cost",
    "backorder_cost",
    "material_cost",
    "initial_inventory",
    "final_inventory",
    "initial_backorders",
)


def _solve_plan(lp: LinearProgram, strategy: str) -> LPResult:
    try:
        return lp.solve()
    except ValueError as exc:
        raise ValueError(
            f"No {strategy} plan meets demand with these limits ({exc}). Allow more workers, "
            "overtime or subcontracting, or lower the final inventory."
        ) from exc


def _aggregate_lp(d: pd.Series, strategy: str, c: dict, *, max_subcontract, max_workforce, integer):
    """The linear program of :func:`aggregate_plan` and its variables by (letter, period)."""
    n = len(d)
    lp = LinearProgram(f"aggregate_plan_{strategy}", sense="min")
    names = {}
    for t in range(1, n + 1):
        for v in ("W", "H", "L", "O", "P", "C", "I", "S"):
            upper = None
            if v == "C" and (c["subcontract_cost"] is None or strategy != "hybrid"):
                upper = 0.0
            elif v == "C" and max_subcontract is not None:
                upper = float(max_subcontract)
            if v == "W" and max_workforce is not None:
                upper = float(max_workforce)
            if v == "O" and strategy != "hybrid":
                upper = 0.0
            if strategy == "chase" and (v == "S" or (v == "I" and t < n)):
                upper = 0.0
            names[v, t] = lp.add_variable(f"{v}_{t}", lower=0, upper=upper, integer=integer)
    obj = {}
    for t in range(1, n + 1):
        obj[names["W", t]] = c["regular_cost_per_hour"] * c["regular_hours_per_worker"]
        obj[names["O", t]] = c["overtime_cost_per_hour"]
        obj[names["H", t]] = c["hiring_cost"]
        obj[names["L", t]] = c["layoff_cost"]
        obj[names["I", t]] = c["holding_cost"]
        obj[names["S", t]] = c["backorder_cost"]
        obj[names["P", t]] = c["material_cost"]
        obj[names["C", t]] = c["subcontract_cost"] or 0.0
        w, h, lo = names["W", t], names["H", t], names["L", t]
        if t == 1:
            lp.add_constraint(f"workforce_{t}", {w: 1, h: -1, lo: 1}, "==", c["initial_workforce"])
        else:
            lp.add_constraint(
                f"workforce_{t}", {w: 1, names["W", t - 1]: -1, h: -1, lo: 1}, "==", 0
            )
            if strategy == "level":
                lp.add_constraint(f"level_{t}", {w: 1, names["W", 1]: -1}, "==", 0)
        capacity = {
            names["P", t]: c["hours_per_unit"],
            w: -c["regular_hours_per_worker"],
            names["O", t]: -1,
        }
        lp.add_constraint(f"capacity_{t}", capacity, "<=", 0)
        overtime = {names["O", t]: 1, w: -c["max_overtime_per_worker"]}
        lp.add_constraint(f"overtime_{t}", overtime, "<=", 0)
        balance = {names["P", t]: 1, names["C", t]: 1, names["I", t]: -1, names["S", t]: 1}
        rhs = float(d.iloc[t - 1])
        if t == 1:
            rhs += c["initial_backorders"] - c["initial_inventory"]
        else:
            balance[names["I", t - 1]] = 1
            balance[names["S", t - 1]] = -1
        lp.add_constraint(f"balance_{t}", balance, "==", rhs)
    lp.add_constraint("final_inventory", {names["I", n]: 1}, ">=", c["final_inventory"])
    lp.add_constraint("no_final_backorders", {names["S", n]: 1}, "==", 0)
    lp.set_objective(obj)
    return lp, names


def _plan_table(d: pd.Series, x: dict, names: dict) -> pd.DataFrame:
    """The plan per period (the ``_PLAN_COLUMNS``) from the solved variables."""
    periods = range(1, len(d) + 1)
    columns = dict(zip(_PLAN_COLUMNS[1:], "WHLOPCIS", strict=True))
    index = d.index if not isinstance(d.index, pd.RangeIndex) else None
    table = pd.DataFrame(
        {
            "demand": d.to_numpy(),
            **{col: [x[names[v, t]] for t in periods] for col, v in columns.items()},
        },
        index=index if index is not None else pd.RangeIndex(1, len(d) + 1, name="period"),
    )
    return table.round(6) + 0.0


def _plan_costs(plan: pd.DataFrame, c: dict, strategy: str) -> pd.Series:
    """The cost of a plan by category."""
    return pd.Series(
        {
            "regular_labour": c["regular_cost_per_hour"]
            * c["regular_hours_per_worker"]
            * plan["workforce"].sum(),
            "overtime": c["overtime_cost_per_hour"] * plan["overtime_hours"].sum(),
            "hiring": c["hiring_cost"] * plan["hired"].sum(),
            "layoffs": c["layoff_cost"] * plan["laid_off"].sum(),
            "holding": c["holding_cost"] * plan["inventory"].sum(),
            "backorders": c["backorder_cost"] * plan["backorders"].sum(),
            "materials": c["material_cost"] * plan["production"].sum(),
            "subcontracting": (c["subcontract_cost"] or 0.0) * plan["subcontracted"].sum(),
        },
        name=strategy,
    )


def compare_aggregate_plans(
    demand, strategies=("chase", "level", "hybrid"), **inputs
) -> pd.DataFrame:
    """Solve the chase, level and hybrid plans and put their costs side by side.

    ``inputs`` are the keyword arguments of :func:`aggregate_plan`.

    Returns
    -------
    DataFrame
        Cost categories as rows plus ``total``, one column per strategy.

    Examples
    --------
    >>> t = compare_aggregate_plans([100, 300], initial_workforce=10, hours_per_unit=1,
    ...     regular_hours_per_worker=20, regular_cost_per_hour=10, overtime_cost_per_hour=15,
    ...     max_overtime_per_worker=5, hiring_cost=1000, layoff_cost=1000,
    ...     holding_cost=1, backorder_cost=5)
    >>> bool(t.loc["total", "hybrid"] <= t.loc["total"].min() + 1e-6)
    True
    """
    table = {}
    for s in strategies:
        result = aggregate_plan(demand, strategy=s, **inputs)
        table[s] = pd.concat([result.costs, pd.Series({"total": result.total_cost})])
    return pd.DataFrame(table)
