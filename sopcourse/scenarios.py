"""What-if analysis: a scenario is a named set of changes to the planning inputs.

Changes are small, named, testable objects (:class:`Change`) built by the functions
below: demand up or down by family, market or product; a work centre lost for some
periods; capacity changed; a new shift; a component cost increase; a price cut. A
:class:`Scenario` applies its changes to a *copy* of the base
:class:`~sopcourse.optimize.PlanningInputs`, the balancing plan is re-optimised, and
:func:`compare_scenarios` puts the results side by side (profit, service, utilisation,
inventory).

For the product mix, :func:`what_if_mix` is the pure function behind the module 5
explorer, :func:`sensitivity_ranges` reads the LP's ranges and :func:`capacity_sweep`
re-solves over a range of one resource's capacity (profit is piecewise linear in it,
and the slope of each piece is the shadow price).

Convention: percentage changes are fractions (``0.10`` = +10 %, ``-0.2`` = -20 %).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import check_fraction, check_number
from .optimize import BalancingPlan, PlanningInputs, ProductMixResult, balancing_plan, product_mix
from .solver import LPResult

__all__ = [
    "Change",
    "Scenario",
    "change_demand",
    "change_price",
    "change_capacity",
    "lose_work_centre",
    "add_shift",
    "change_component_cost",
    "run_scenarios",
    "compare_scenarios",
    "plot_scenarios",
    "sensitivity_ranges",
    "capacity_sweep",
    "what_if_mix",
    "mix_changes",
]


@dataclass(frozen=True)
class Change:
    """One change to the planning inputs: a description and the function that makes it.

    Build changes with :func:`change_demand`, :func:`lose_work_centre` and the other
    functions of this module; ``apply`` returns a changed copy.

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> c = change_demand(-0.1, market="M2")
    >>> c.description
    'demand -10% for market M2'
    >>> bool(c.apply(base).demand["demand"].sum() < base.demand["demand"].sum())
    True
    """

    description: str
    apply_to: Callable[[PlanningInputs], None] = field(repr=False, compare=False)

    def apply(self, inputs: PlanningInputs) -> PlanningInputs:
        """Return a changed copy of ``inputs`` (the original is left as it was)."""
        changed = inputs.copy()
        self.apply_to(changed)
        return changed


@dataclass
class Scenario:
    """A named set of changes.

    Examples
    --------
    >>> s = Scenario("weld fire", [lose_work_centre("P1", "weld", periods=[3])])
    >>> s.describe()
    'weld fire: work centre weld at P1 lost in period(s) [3]'
    """

    name: str
    changes: list[Change] = field(default_factory=list)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("A scenario needs a name (a non-empty string).")
        if isinstance(self.changes, Change):
            self.changes = [self.changes]
        for c in self.changes:
            if not isinstance(c, Change):
                raise ValueError(
                    f"Scenario {self.name!r}: every change must be built with a function such "
                    "as change_demand(...) or lose_work_centre(...), not "
                    f"{type(c).__name__}."
                )

    def apply(self, inputs: PlanningInputs) -> PlanningInputs:
        """The base inputs with every change applied, in order (a copy)."""
        changed = inputs.copy()
        for c in self.changes:
            c.apply_to(changed)
        return changed

    def describe(self) -> str:
        return f"{self.name}: " + ("; ".join(c.description for c in self.changes) or "no change")


# -- the changes ----------------------------------------------------------------------
def _mask(frame: pd.DataFrame, label: str, **filters) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in filters.items():
        if wanted is None:
            continue
        if column not in frame.columns:
            raise ValueError(
                f"{label} has no {column!r} column, so it cannot be filtered by {column}; "
                f"its columns are {list(frame.columns)}."
            )
        values = [wanted] if isinstance(wanted, (str, int, np.integer)) else list(wanted)
        unknown = [v for v in values if v not in set(frame[column])]
        if unknown:
            raise ValueError(
                f"Unknown {column} {unknown} in {label}; known: "
                f"{sorted(frame[column].unique(), key=str)}."
            )
        mask &= frame[column].isin(values)
    return mask


def _where(**filters) -> str:
    parts = [f"{k} {v}" for k, v in filters.items() if v is not None]
    return (" for " + ", ".join(parts)) if parts else ""


def change_demand(
    fraction: float, *, family=None, market=None, product=None, periods=None
) -> Change:
    """Demand up or down by ``fraction`` where the filters match (all rows by default).

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> up = change_demand(0.10, family="e-bike").apply(base)
    >>> bool(up.demand["demand"].sum() > base.demand["demand"].sum())
    True
    """
    fraction = check_fraction(fraction, "fraction")
    where = _where(family=family, market=market, product=product, period=periods)

    def apply(inp: PlanningInputs):
        m = _mask(
            inp.demand, "demand", family=family, market=market, product=product, period=periods
        )
        inp.demand.loc[m, "demand"] = inp.demand.loc[m, "demand"] * (1 + fraction)

    return Change(f"demand {fraction:+.0%}{where}", apply)


def change_price(fraction: float, *, family=None, market=None, product=None) -> Change:
    """Price up or down by ``fraction`` (a price cut is negative). Lost-sales cost follows
    the price unless the demand table gives its own ``lost_sales_cost``.

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> cut = change_price(-0.05, market="M1").apply(base)
    >>> bool((cut.demand["price"] <= base.demand["price"]).all())
    True
    """
    fraction = check_fraction(fraction, "fraction")

    def apply(inp: PlanningInputs):
        if "price" not in inp.demand.columns:
            raise ValueError("A price change needs a 'price' column in the demand table.")
        m = _mask(inp.demand, "demand", family=family, market=market, product=product)
        inp.demand.loc[m, "price"] = inp.demand.loc[m, "price"] * (1 + fraction)

    return Change(
        f"price {fraction:+.0%}{_where(family=family, market=market, product=product)}", apply
    )


def _capacity_by_period(inp: PlanningInputs) -> None:
    """Give the capacity table a period column (one row per plant, work centre, period)."""
    if "period" in inp.capacity.columns:
        return
    periods = sorted(inp.demand["period"].unique())
    inp.capacity = (
        inp.capacity.merge(pd.DataFrame({"period": periods}), how="cross")
        .groupby(["plant", "work_centre", "period"], as_index=False)["hours"]
        .sum()
    )


def change_capacity(
    plant, work_centre, *, factor: float | None = None, hours: float | None = None, periods=None
) -> Change:
    """Scale a work centre's hours by ``factor`` and/or add ``hours`` (per period).

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> half = change_capacity("P1", "weld", factor=0.5, periods=[1]).apply(base)
    >>> half.capacity.query("plant == 'P1' and work_centre == 'weld'")["hours"].nunique()
    2
    """
    if factor is None and hours is None:
        raise ValueError("change_capacity needs a factor (e.g. 0.8) or extra hours (e.g. 160).")
    if factor is not None:
        factor = check_number(factor, "factor", low=0, hint="0.8 = 80 % of the hours.")
    if hours is not None:
        hours = check_number(hours, "hours", hint="Give the extra hours per period.")

    def apply(inp: PlanningInputs):
        _capacity_by_period(inp)
        m = _mask(inp.capacity, "capacity", plant=plant, work_centre=work_centre, period=periods)
        if not m.any():
            raise ValueError(f"No capacity rows for {work_centre!r} at {plant!r}.")
        new = inp.capacity.loc[m, "hours"] * (1.0 if factor is None else factor)
        new = new + (0.0 if hours is None else hours)
        if (new < 0).any():
            raise ValueError(
                f"Removing {-hours} hours would leave {work_centre} at {plant} with negative "
                "capacity."
            )
        inp.capacity.loc[m, "hours"] = new

    what = []
    if factor is not None:
        what.append(f"x{factor:g}")
    if hours is not None:
        what.append(f"{hours:+g} h")
    return Change(
        f"capacity of {work_centre} at {plant} {' '.join(what)}{_where(period=periods)}", apply
    )


def lose_work_centre(plant, work_centre, *, periods) -> Change:
    """A work centre lost (zero hours) in the given periods: a fire, a breakdown, a strike.

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> lost = lose_work_centre("P1", "weld", periods=[2]).apply(base)
    >>> float(lost.capacity.query("plant == 'P1' and work_centre == 'weld' and period == 2")["hours"].sum())
    0.0
    """
    if periods is None:
        raise ValueError("lose_work_centre needs the periods it is lost, e.g. periods=[3].")
    periods = [periods] if np.isscalar(periods) else list(periods)
    change = change_capacity(plant, work_centre, factor=0.0, periods=periods)
    return Change(
        f"work centre {work_centre} at {plant} lost in period(s) {periods}", change.apply_to
    )


def add_shift(
    plant, work_centre, hours: float, *, periods=None, cost_per_period: float = 0.0
) -> Change:
    """A new shift: ``hours`` more per period at a work centre, for a fixed cost per period.

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> more = add_shift("P2", "assembly", 400, cost_per_period=5000).apply(base)
    >>> more.fixed_cost
    30000.0
    """
    hours = check_number(
        hours, "hours", low=0, low_open=True, hint="A shift adds a positive number of hours."
    )
    cost_per_period = check_number(cost_per_period, "cost_per_period", low=0)
    change = change_capacity(plant, work_centre, hours=hours, periods=periods)

    def apply(inp: PlanningInputs):
        change.apply_to(inp)
        n = (
            len(sorted(inp.demand["period"].unique()))
            if periods is None
            else (1 if np.isscalar(periods) else len(list(periods)))
        )
        inp.fixed_cost = float(inp.fixed_cost) + cost_per_period * n

    return Change(
        f"new shift: {work_centre} at {plant} +{hours:g} h per period{_where(period=periods)}"
        f" at {cost_per_period:,.0f} per period",
        apply,
    )


def change_component_cost(component, increase: float) -> Change:
    """A component costs ``increase`` more per unit: every product that uses it costs
    ``quantity_per_unit x increase`` more to make.

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> dearer = change_component_cost("battery", 40).apply(base)
    >>> float((dearer.production_cost["unit_cost"] - base.production_cost["unit_cost"]).max())
    40.0
    """
    increase = check_number(increase, "increase", hint="An amount per unit of the component.")

    def apply(inp: PlanningInputs):
        if inp.bom is None:
            raise ValueError("A component cost change needs a bill of materials (bom).")
        uses = inp.bom[inp.bom["component"] == component]
        if uses.empty:
            raise ValueError(
                f"Unknown component {component!r}; the bom has "
                f"{sorted(inp.bom['component'].unique(), key=str)}."
            )
        extra = uses.groupby("product")["quantity_per_unit"].sum() * increase
        add = inp.production_cost["product"].map(extra).fillna(0.0)
        new = inp.production_cost["unit_cost"] + add
        if (new < 0).any():
            raise ValueError("That decrease would make a unit cost negative.")
        inp.production_cost["unit_cost"] = new
        if inp.component_cost is not None and "unit_cost" in inp.component_cost.columns:
            m = inp.component_cost["component"] == component
            inp.component_cost.loc[m, "unit_cost"] += increase

    return Change(f"component {component} {increase:+,.2f} per unit", apply)


# -- running and comparing ------------------------------------------------------------
def run_scenarios(
    base: PlanningInputs, scenarios: Iterable[Scenario], *, include_base: bool = True
) -> dict[str, BalancingPlan]:
    """Re-optimise the balancing plan under each scenario.

    Returns
    -------
    dict
        Scenario name -> :class:`~sopcourse.optimize.BalancingPlan`, the base first
        (named ``"base"``) when ``include_base``.

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> plans = run_scenarios(example_planning_inputs(seed=0),
    ...                       [Scenario("quiet", [change_demand(-0.3)])])
    >>> list(plans)
    ['base', 'quiet']
    >>> bool(plans["quiet"].sales["demand"].sum() < plans["base"].sales["demand"].sum())
    True
    """
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names) or (include_base and "base" in names):
        raise ValueError(f"Scenario names must be unique (and not 'base'); got {names}.")
    out = {}
    if include_base:
        out["base"] = balancing_plan(base)
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise ValueError("run_scenarios takes Scenario objects.")
        try:
            out[s.name] = balancing_plan(s.apply(base))
        except ValueError as exc:  # say which scenario broke the plan (same error class)
            raise type(exc)(f"Scenario {s.describe()!r}: {exc}") from exc
    return out


def _kpis(plan: BalancingPlan) -> dict:
    per_wc = plan.capacity.groupby(["plant", "work_centre"])
    load, hours = per_wc["load_hours"].sum(), per_wc["hours"].sum()
    util = load / hours.where(hours > 0, np.nan)
    busiest = util.idxmax() if util.notna().any() else None
    inv = plan.inventory.groupby("period")["quantity"].sum()
    return {
        "profit": plan.costs.get("profit", np.nan),
        "revenue": plan.costs.get("revenue", np.nan),
        "total_cost": plan.total_cost,
        "units_served": plan.sales["served"].sum(),
        "lost_sales_units": plan.sales["unmet"].sum(),
        "fill_rate": plan.fill_rate,
        "utilisation": float(load.sum() / hours.sum()) if hours.sum() > 0 else np.nan,
        "bottleneck": " ".join(map(str, busiest)) if busiest is not None else "",
        "bottleneck_utilisation": float(util.max()) if busiest is not None else np.nan,
        "average_inventory": float(inv.mean()) if len(inv) else 0.0,
    }


def compare_scenarios(base: PlanningInputs, scenarios: Iterable[Scenario]) -> pd.DataFrame:
    """Run the base and every scenario and compare them side by side.

    Returns
    -------
    DataFrame
        Index scenario (base first): ``profit``, ``revenue``, ``total_cost``,
        ``units_served``, ``lost_sales_units``, ``fill_rate`` (units served / demanded),
        ``utilisation`` (all work centres, load / hours), ``bottleneck`` and
        ``bottleneck_utilisation`` (the busiest work centre over the horizon),
        ``average_inventory`` (units at plants, mean of period ends),
        ``profit_change`` (vs base) and ``changes`` (what the scenario did).

    Examples
    --------
    >>> from sopcourse.optimize import example_planning_inputs
    >>> base = example_planning_inputs(seed=0)
    >>> t = compare_scenarios(base, [Scenario("boom", [change_demand(0.2)]),
    ...                              Scenario("fire", [lose_work_centre("P1", "weld", periods=[3])])])
    >>> list(t.index)
    ['base', 'boom', 'fire']
    >>> bool(t.loc["fire", "profit"] < t.loc["base", "profit"])
    True
    """
    scenarios = list(scenarios)
    plans = run_scenarios(base, scenarios)
    table = pd.DataFrame({name: _kpis(plan) for name, plan in plans.items()}).T
    numeric = [c for c in table.columns if c != "bottleneck"]
    table[numeric] = table[numeric].astype(float)
    table["profit_change"] = table["profit"] - table.loc["base", "profit"]
    table["changes"] = ["no change"] + [s.describe().split(": ", 1)[1] for s in scenarios]
    table.index.name = "scenario"
    return table


def plot_scenarios(table: pd.DataFrame, metric: str = "profit_change", ax=None):
    """Bar chart of one column of :func:`compare_scenarios`, one bar per scenario.

    Gains are green, losses red, the base grey; fill rates are written on the bars.

    Examples
    --------
    >>> t = pd.DataFrame({"profit_change": [0.0, -5.0, 3.0], "fill_rate": [0.9, 0.8, 0.95]},
    ...                  index=["base", "fire", "shift"])
    >>> plot_scenarios(t).get_xlabel()
    'Change in profit vs base'
    """
    import matplotlib.pyplot as plt

    if metric not in table.columns:
        raise ValueError(f"Unknown metric {metric!r}; choose one of {list(table.columns)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * len(table) + 1.5))
    values = table[metric].astype(float)
    colors = [
        "#8c8c8c" if name == "base" else ("#2e8b57" if v >= 0 else "#b03a48")
        for name, v in values.items()
    ]
    ax.barh(values.index.astype(str)[::-1], values.to_numpy()[::-1], color=colors[::-1])
    ax.axvline(0, color="black", linewidth=0.8)
    labels = {
        "profit_change": "Change in profit vs base",
        "profit": "Profit",
        "fill_rate": "Fill rate",
        "bottleneck_utilisation": "Utilisation of the busiest work centre",
    }
    ax.set_xlabel(labels.get(metric, metric))
    if "fill_rate" in table.columns and metric != "fill_rate":
        for i, (name, v) in enumerate(list(values.items())[::-1]):
            ax.annotate(
                f"fill {table.loc[name, 'fill_rate']:.0%}",
                (v, i),
                xytext=(4 if v >= 0 else -4, 0),
                textcoords="offset points",
                ha="left" if v >= 0 else "right",
                va="center",
                fontsize=8,
            )
    ax.set_title("Scenarios compared")
    return ax


# -- product-mix what-ifs -------------------------------------------------------------
def sensitivity_ranges(result) -> pd.DataFrame:
    """Sensitivity ranges of a solved product mix (or any LP solved with ``ranging=True``).

    Objective ranges: the interval of each margin over which the plan stays the same.
    Right-hand-side ranges: the interval of each capacity or demand limit over which its
    shadow price holds. Method: HiGHS's ranging on the optimal basis, read through the
    solver module (see :mod:`sopcourse.solver`); each range assumes only that number moves.

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> res = product_mix(pd.Series({"road": 30, "city": 50}), usage,
    ...                   pd.Series({"weld": 40, "paint": 60}))
    >>> sensitivity_ranges(res).set_index("name").loc["weld", ["lower", "upper"]].tolist()
    [20.0, 60.0]
    """
    if isinstance(result, ProductMixResult):
        return result.sensitivity()
    if isinstance(result, LPResult):
        if result.objective_ranges is None:
            raise ValueError("Solve the model with ranging=True to get its sensitivity ranges.")
        obj = result.objective_ranges.reset_index().rename(
            columns={"variable": "name", "coefficient": "current"}
        )
        obj.insert(0, "kind", "objective")
        rhs = result.rhs_ranges.reset_index().rename(
            columns={"constraint": "name", "rhs": "current"}
        )
        rhs.insert(0, "kind", "rhs")
        return pd.concat([obj, rhs], ignore_index=True)
    raise ValueError("sensitivity_ranges takes a ProductMixResult or an LPResult.")


def capacity_sweep(margin, usage, capacity, resource, values, max_demand=None, min_quantity=None):
    """Re-solve the product mix for each capacity of one resource: profit and shadow price.

    Profit is piecewise linear and concave in a resource's capacity; the slope of each
    piece is the shadow price, which falls as the resource stops being the constraint.

    Returns
    -------
    DataFrame
        ``capacity``, ``profit``, ``shadow_price``, one column per product (units).

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> t = capacity_sweep(pd.Series({"road": 30, "city": 50}), usage,
    ...                    pd.Series({"weld": 40, "paint": 60}), "weld", [20, 40, 80])
    >>> t["shadow_price"].tolist()
    [22.5, 22.5, 0.0]
    """
    capacity = pd.Series(capacity, dtype=float)
    if resource not in capacity.index:
        raise ValueError(f"Unknown resource {resource!r}; choose one of {list(capacity.index)}.")
    rows = []
    for v in values:
        cap = capacity.copy()
        cap[resource] = float(v)
        res = product_mix(margin, usage, cap, max_demand, min_quantity)
        row = {
            "capacity": float(v),
            "profit": res.profit,
            "shadow_price": float(res.resources.loc[resource, "shadow_price"]),
        }
        row.update(res.plan["quantity"].to_dict())
        rows.append(row)
    return pd.DataFrame(rows)


def _scale(series: pd.Series, change, label: str) -> pd.Series:
    if change is None:
        return series
    if isinstance(change, Mapping):
        unknown = [k for k in change if k not in series.index]
        if unknown:
            raise ValueError(
                f"{label} change names unknown item(s) {unknown}; known: {list(series.index)}."
            )
        factors = pd.Series({k: 1 + check_fraction(v, label) for k, v in change.items()})
        return series * factors.reindex(series.index).fillna(1.0)
    return series * (1 + check_fraction(change, label))


def what_if_mix(
    margin,
    usage,
    capacity,
    max_demand=None,
    *,
    demand_change=0.0,
    capacity_change=None,
    margin_change=None,
    price=None,
    min_quantity=None,
    resource_unit: str = "hour",
) -> ProductMixResult:
    """Re-optimise the product mix after changes (the explorer's update function).

    Parameters
    ----------
    margin, usage, capacity, max_demand, min_quantity
        As in :func:`~sopcourse.optimize.product_mix`.
    demand_change : float or mapping
        Fraction by which demand limits move (all products, or ``{product: fraction}``).
    capacity_change : float or mapping
        Fraction by which capacities move (all, or ``{resource: fraction}``; -1 = lost).
    margin_change : float or mapping
        Fraction by which margins move (all, or ``{product: fraction}``); with ``price``
        given it is read as a *price* change instead.
    price : Series, optional
        Unit prices: a price cut of 10 % then lowers each margin by 10 % of its price
        (costs do not move), which hurts far more than a 10 % cut of the margin.

    Returns
    -------
    ProductMixResult

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> margin = pd.Series({"road": 30, "city": 50})
    >>> cap = pd.Series({"weld": 40, "paint": 60})
    >>> what_if_mix(margin, usage, cap, capacity_change={"weld": 0.5}).profit
    1500.0
    """
    margin = pd.Series(margin, dtype=float)
    capacity = _scale(pd.Series(capacity, dtype=float), capacity_change, "capacity")
    if max_demand is not None:
        max_demand = _scale(pd.Series(max_demand, dtype=float), demand_change, "demand")
    elif demand_change not in (0, 0.0, None) and not isinstance(demand_change, Mapping):
        raise ValueError("demand_change needs max_demand (the demand limits to change).")
    if margin_change is not None:
        if price is not None:
            price = pd.Series(price, dtype=float).reindex(margin.index)
            if price.isna().any():
                raise ValueError("price must give a price for every product.")
            margin = margin + (_scale(price, margin_change, "price") - price)
        else:
            margin = _scale(margin, margin_change, "margin")
    return product_mix(
        margin, usage, capacity, max_demand, min_quantity, resource_unit=resource_unit
    )


def mix_changes(base: ProductMixResult, new: ProductMixResult) -> pd.DataFrame:
    """Plan and profit of a what-if against the base, product by product.

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> margin, cap = pd.Series({"road": 30, "city": 50}), pd.Series({"weld": 40, "paint": 60})
    >>> t = mix_changes(what_if_mix(margin, usage, cap),
    ...                 what_if_mix(margin, usage, cap, capacity_change={"weld": 0.5}))
    >>> t["change"].tolist()
    [-10.0, 15.0]
    """
    t = pd.DataFrame({"base": base.plan["quantity"], "what_if": new.plan["quantity"]}).fillna(0.0)
    t["change"] = t["what_if"] - t["base"]
    t["contribution_change"] = new.plan["contribution"].reindex(t.index).fillna(0.0) - base.plan[
        "contribution"
    ].reindex(t.index).fillna(0.0)
    return t
