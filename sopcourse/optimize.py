"""Profit-based supply/demand planning: product mix, constraint management, allocation of
scarce supply, and the multi-period, multi-plant, multi-market balancing plan.

Every model here is built with :class:`sopcourse.solver.LinearProgram` (the one place
that talks to PuLP and HiGHS), so shadow prices have one business meaning everywhere:
**profit gained per extra unit of the resource** (for a cost-minimising model: cost
saved per extra unit).

Sources: the product-mix LP and its sensitivity report follow Hillier & Lieberman,
*Introduction to Operations Research* (Wyndor Glass Co., sections 3.1 and 4.7);
throughput per constraint unit follows Goldratt, *The Haystack Syndrome* (1990), the
P & Q example; the transportation structure of the balancing plan follows Winston,
*Operations Research: Applications and Algorithms* (4th ed., section 7.1, Powerco).

Units: quantities in units per planning bucket, capacities in hours per bucket, money in
the currency of the margins and costs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._checks import require_columns
from .solver import LinearProgram, LPResult

__all__ = [
    "ProductMixResult",
    "product_mix",
    "constraint_analysis",
    "throughput_per_constraint_unit",
    "toc_product_mix",
    "compare_toc_with_lp",
    "allocate_fair_share",
    "allocate_by_priority",
    "allocate_max_profit",
    "compare_allocations",
    "PlanningInputs",
    "BalancingPlan",
    "balancing_plan",
    "example_planning_inputs",
    "plot_shadow_prices",
    "product_mix_inputs",
    "planning_inputs_from_company",
]

_TOL = 1e-7


# -- input checks ---------------------------------------------------------------------


# The company tables the balancing plan is built from (planning_inputs_from_company).
PLANNING_TABLES = (
    "products",
    "routings",
    "work_centres",
    "sales_plan",
    "lanes",
    "inventory",
    "planning_costs",
    "bom",
    "items",
)


def _require_columns(frame, columns, label):
    require_columns(frame, columns, label, allow_empty=True)


def _series(values, label: str, *, allow_negative: bool = False) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{label} must be a Series indexed by name (or a one-column DataFrame); "
                f"it has columns {list(values.columns)}."
            )
        values = values.iloc[:, 0]
    if isinstance(values, Mapping):
        values = pd.Series(values, dtype=float)
    if not isinstance(values, pd.Series):
        raise ValueError(f"{label} must be a pandas Series (or a dict) indexed by name.")
    if values.empty:
        raise ValueError(f"{label} is empty: give at least one value.")
    try:
        values = values.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"{label} must hold numbers; it has {values.tolist()[:5]}.") from None
    if values.isna().any():
        bad = list(values.index[values.isna()])
        raise ValueError(f"{label} has missing (NaN) values for {bad}: fill them in.")
    if not allow_negative and (values < 0).any():
        bad = list(values.index[values < 0])
        raise ValueError(
            f"{label} has negative values for {bad}; it must be zero or more "
            "(a negative capacity or demand is a data error)."
        )
    if values.index.duplicated().any():
        dup = sorted(set(values.index[values.index.duplicated()]))
        raise ValueError(f"{label} lists {dup} more than once: one value per name.")
    return values


def _usage_matrix(usage, products) -> pd.DataFrame:
    """Hours per unit as a wide table (rows: products, columns: resources)."""
    if not isinstance(usage, pd.DataFrame):
        raise ValueError(
            "usage must be a DataFrame: either wide (index product, one column per resource) "
            "or tidy with columns ['product', 'resource', 'hours_per_unit']."
        )
    if {"product", "resource", "hours_per_unit"} <= set(usage.columns):
        wide = usage.pivot_table(
            index="product", columns="resource", values="hours_per_unit", aggfunc="sum"
        ).fillna(0.0)
    elif "product" in usage.columns or "resource" in usage.columns:
        _require_columns(usage, ["product", "resource", "hours_per_unit"], "usage")
    else:
        wide = usage.copy()
    try:
        wide = wide.astype(float)
    except (TypeError, ValueError):
        raise ValueError("usage must hold hours per unit (numbers).") from None
    if wide.isna().any().any():
        raise ValueError("usage has missing (NaN) hours: put 0 where a product skips a resource.")
    if (wide < 0).any().any():
        raise ValueError("usage has negative hours per unit: hours must be zero or more.")
    unknown = [p for p in wide.index if p not in products]
    if unknown:
        raise ValueError(
            f"usage lists unknown product(s) {unknown}: every product needs a margin. "
            f"Known products: {list(products)}."
        )
    missing = [p for p in products if p not in wide.index]
    if missing:
        raise ValueError(
            f"usage has no hours for product(s) {missing}: add their routing "
            "(a row of zeros if they use no resource)."
        )
    return wide.loc[list(products)]


def _check_known(values: pd.Series | None, known, label: str, what: str = "product"):
    if values is None:
        return
    unknown = [k for k in values.index if k not in known]
    if unknown:
        raise ValueError(f"{label} lists unknown {what}(s) {unknown}; known: {list(known)}.")


def _money(x: float) -> str:
    return f"{x:,.2f}"


# -- product mix ----------------------------------------------------------------------
@dataclass
class ProductMixResult:
    """The optimal product mix and its sensitivity report, read as business answers.

    Attributes
    ----------
    plan : pandas.DataFrame
        One row per product: ``quantity`` [x_j], ``margin`` [c_j], ``contribution``
        (= c_j x_j), ``max_demand``, ``min_quantity``, ``reduced_cost`` (profit change per
        unit forced into the plan; negative for a product left out), ``demand_value``
        (profit per extra unit of demand, the shadow price of the demand limit),
        ``status`` and ``meaning`` (a sentence).
    resources : pandas.DataFrame
        One row per resource: ``capacity`` [b_i], ``used``, ``slack``, ``utilisation``,
        ``shadow_price`` (profit per extra unit of the resource, y_i), ``binding`` and
        ``meaning``.
    profit : float
        Total contribution :math:`z^* = \\sum_j c_j x_j` (minus ``fixed_cost``).
    lp : LPResult
        The solver's result, with the sensitivity ranges.

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> res = product_mix(pd.Series({"road": 30, "city": 50}), usage,
    ...                   pd.Series({"weld": 40, "paint": 60}))
    >>> print(res.explain())
    Best plan: profit 1,050.00.
    - make 10 of road
    - make 15 of city
    - one more hour of weld is worth 22.50 of profit (binding: all 40 hours used)
    - one more hour of paint is worth 2.50 of profit (binding: all 60 hours used)
    >>> res.sensitivity().set_index("name").loc["road", ["lower", "upper"]].tolist()
    [25.0, 75.0]
    """

    plan: pd.DataFrame
    resources: pd.DataFrame
    profit: float
    lp: LPResult
    resource_unit: str = "hour"
    fixed_cost: float = 0.0

    def explain(self) -> str:
        """The result in sentences: the plan, each binding resource, each product left out."""
        lines = [f"Best plan: profit {_money(self.profit)}."]
        for _, row in self.plan.iterrows():
            lines.append(f"- {row['meaning']}")
        for _, row in self.resources.iterrows():
            lines.append(f"- {row['meaning']}")
        return "\n".join(lines)

    def sensitivity(self) -> pd.DataFrame:
        """Sensitivity ranges (from HiGHS's ranging on the optimal basis), one row per number.

        ``kind`` is ``"margin"`` (the interval of the product's margin over which the
        plan stays the same), ``"capacity"`` or ``"demand"`` (the interval of the
        right-hand side over which its shadow price holds). Each range holds when that one
        number moves and everything else stays put.
        """
        rows = []
        obj = self.lp.objective_ranges
        for product in self.plan.index:
            r = obj.loc[_qty(product)]
            rows.append(
                {
                    "kind": "margin",
                    "name": product,
                    "current": r["coefficient"],
                    "lower": r["lower"],
                    "upper": r["upper"],
                    "meaning": (
                        f"the plan stays the same while the margin of {product} is between "
                        f"{_fmt_bound(r['lower'])} and {_fmt_bound(r['upper'])}"
                    ),
                }
            )
        rhs = self.lp.rhs_ranges
        for name, r in rhs.iterrows():
            kind, item = _split(name)
            if kind == "minimum":
                continue
            price = self.lp.shadow_prices[name]
            unit = self.resource_unit if kind == "capacity" else "unit of demand"
            rows.append(
                {
                    "kind": kind,
                    "name": item,
                    "current": r["rhs"],
                    "lower": r["lower"],
                    "upper": r["upper"],
                    "meaning": (
                        f"each {unit} of {item} is worth {_money(price)} while it is between "
                        f"{_fmt_bound(r['lower'])} and {_fmt_bound(r['upper'])}"
                    ),
                }
            )
        return pd.DataFrame(rows, columns=["kind", "name", "current", "lower", "upper", "meaning"])


def _qty(product) -> str:
    return f"make[{product}]"


def _split(name: str) -> tuple[str, str]:
    kind, _, rest = name.partition("[")
    return kind, rest[:-1]


def _fmt_bound(x: float) -> str:
    if math.isinf(x):
        return "no limit" if x > 0 else "minus infinity"
    return _money(x)


def product_mix(
    margin,
    usage,
    capacity,
    max_demand=None,
    min_quantity=None,
    *,
    fixed_cost: float = 0.0,
    resource_unit: str = "hour",
) -> ProductMixResult:
    """The most profitable product mix, with shadow prices, reduced costs and slacks.

    Maximise :math:`z = \\sum_j c_j x_j - F` subject to
    :math:`\\sum_j a_{ij} x_j \\le b_i` (capacity of resource *i*),
    :math:`x_j \\le d_j` (demand limit) and :math:`x_j \\ge m_j` (minimum quantity),
    :math:`x_j \\ge 0` (Hillier & Lieberman, *Introduction to Operations Research*,
    Wyndor Glass Co., section 3.1).

    Parameters
    ----------
    margin : Series
        Unit contribution margin of each product (price minus variable cost) [c_j].
    usage : DataFrame
        Hours of each resource per unit [a_ij]: wide (index product, one column per
        resource) or tidy (columns ``product``, ``resource``, ``hours_per_unit``).
    capacity : Series
        Available hours of each resource [b_i].
    max_demand : Series, optional
        Most units each product can sell [d_j]; products not listed have no limit.
    min_quantity : Series, optional
        Least units of each product the plan must make [m_j] (contracts, strategy).
    fixed_cost : float
        Fixed cost subtracted from the contribution [F] (Goldratt's operating expense).
    resource_unit : str
        Word used in the explanations ("hour", "minute").

    Returns
    -------
    ProductMixResult

    Raises
    ------
    ValueError
        Bad input (negative capacity, unknown products, missing columns, minimum above
        demand); :class:`~sopcourse.solver.InfeasibleModelError` when the minimums need
        more capacity than there is; :class:`~sopcourse.solver.UnboundedModelError` when a
        profitable product has neither a demand limit nor a binding resource.

    Examples
    --------
    Wyndor Glass (Hillier & Lieberman): doors and windows in three plants.

    >>> usage = pd.DataFrame({"plant1": [1, 0], "plant2": [0, 2], "plant3": [3, 2]},
    ...                      index=["doors", "windows"])
    >>> res = product_mix(pd.Series({"doors": 3, "windows": 5}), usage,
    ...                   pd.Series({"plant1": 4, "plant2": 12, "plant3": 18}))
    >>> res.profit, res.plan["quantity"].tolist()
    (36.0, [2.0, 6.0])
    >>> res.resources["shadow_price"].tolist()
    [0.0, 1.5, 1.0]
    >>> res.resources.loc["plant2", "meaning"]
    'one more hour of plant2 is worth 1.50 of profit (binding: all 12 hours used)'
    """
    margin = _series(margin, "margin", allow_negative=True)
    products = list(margin.index)
    capacity = _series(capacity, "capacity")
    a = _usage_matrix(usage, products)
    unknown_res = [r for r in a.columns if r not in capacity.index]
    if unknown_res:
        raise ValueError(
            f"usage uses resource(s) {unknown_res} that have no capacity: add them to "
            f"capacity (known resources: {list(capacity.index)})."
        )
    a = a.reindex(columns=list(capacity.index), fill_value=0.0)
    if max_demand is not None:
        max_demand = _series(max_demand, "max_demand")
        _check_known(max_demand, products, "max_demand")
    if min_quantity is not None:
        min_quantity = _series(min_quantity, "min_quantity")
        _check_known(min_quantity, products, "min_quantity")
        if max_demand is not None:
            both = min_quantity.index.intersection(max_demand.index)
            over = [p for p in both if min_quantity[p] > max_demand[p] + _TOL]
            if over:
                raise ValueError(
                    f"min_quantity is above max_demand for {over}: a plan cannot make more "
                    "than it can sell. Lower the minimum or raise the demand limit."
                )
    if not np.isfinite(fixed_cost):
        raise ValueError("fixed_cost must be a finite number.")

    lp = LinearProgram("product_mix", sense="max")
    for p in products:
        lp.add_variable(_qty(p))
    for r in capacity.index:
        lp.add_constraint(
            f"capacity[{r}]", {_qty(p): a.loc[p, r] for p in products}, "<=", capacity[r]
        )
    if max_demand is not None:
        for p, d in max_demand.items():
            lp.add_constraint(f"demand[{p}]", {_qty(p): 1.0}, "<=", d)
    if min_quantity is not None:
        for p, m in min_quantity.items():
            lp.add_constraint(f"minimum[{p}]", {_qty(p): 1.0}, ">=", m)
    lp.set_objective({_qty(p): margin[p] for p in products}, constant=-float(fixed_cost))
    res = lp.solve(ranging=True)

    qty = pd.Series({p: res.values[_qty(p)] + 0.0 for p in products})
    plan = pd.DataFrame(
        {
            "quantity": qty,
            "margin": margin,
            "contribution": qty * margin,
            "max_demand": (max_demand if max_demand is not None else pd.Series(dtype=float)),
            "min_quantity": (min_quantity if min_quantity is not None else pd.Series(dtype=float)),
            "reduced_cost": pd.Series({p: res.reduced_costs[_qty(p)] + 0.0 for p in products}),
        },
        index=pd.Index(products, name="product"),
    )
    plan["demand_value"] = [res.shadow_prices.get(f"demand[{p}]", 0.0) + 0.0 for p in products]
    plan["minimum_cost"] = [-res.shadow_prices.get(f"minimum[{p}]", 0.0) + 0.0 for p in products]
    plan["status"] = [_product_status(row) for _, row in plan.iterrows()]
    plan["meaning"] = [_product_meaning(p, row) for p, row in plan.iterrows()]
    plan = plan.drop(columns="minimum_cost")

    used = pd.Series({r: res.constraint_info.loc[f"capacity[{r}]", "lhs"] for r in capacity.index})
    resources = pd.DataFrame(
        {
            "capacity": capacity,
            "used": used,
            "slack": pd.Series({r: res.slacks[f"capacity[{r}]"] for r in capacity.index}),
            "shadow_price": pd.Series(
                {r: res.shadow_prices[f"capacity[{r}]"] + 0.0 for r in capacity.index}
            ),
        },
        index=pd.Index(list(capacity.index), name="resource"),
    )
    resources["utilisation"] = np.where(
        resources["capacity"] > 0,
        resources["used"] / resources["capacity"].where(resources["capacity"] > 0, 1.0),
        np.nan,
    )
    resources["binding"] = resources["slack"] <= _TOL * (1 + resources["capacity"])
    resources = resources[["capacity", "used", "slack", "utilisation", "shadow_price", "binding"]]
    resources["meaning"] = [
        _resource_meaning(r, row, resource_unit) for r, row in resources.iterrows()
    ]
    return ProductMixResult(
        plan=plan,
        resources=resources,
        profit=res.objective,
        lp=res,
        resource_unit=resource_unit,
        fixed_cost=float(fixed_cost),
    )


def _product_status(row) -> str:
    q = row["quantity"]
    if q <= _TOL:
        return "not made"
    if not pd.isna(row["max_demand"]) and q >= row["max_demand"] - _TOL:
        return "at demand limit"
    if not pd.isna(row["min_quantity"]) and q <= row["min_quantity"] + _TOL:
        return "at minimum"
    return "made"


def _product_meaning(product, row) -> str:
    q = row["quantity"]
    if row["status"] == "not made":
        loss = -row["reduced_cost"]
        if loss > _TOL:
            return (
                f"{product} is left out: forcing one unit in would lower profit by "
                f"{_money(loss)} (its margin must rise by that much before it pays)"
            )
        return f"{product} is left out (making some would not change profit)"
    if row["status"] == "at demand limit":
        return (
            f"make {q:,.4g} of {product}, all it can sell; one more unit of demand is worth "
            f"{_money(row['demand_value'])}"
        )
    if row["status"] == "at minimum":
        return (
            f"make only the minimum {q:,.4g} of {product}; each unit of that minimum costs "
            f"{_money(row['minimum_cost'])} of profit"
        )
    return f"make {q:,.4g} of {product}"


def _resource_meaning(resource, row, unit) -> str:
    if row["binding"] and row["shadow_price"] > _TOL:
        return (
            f"one more {unit} of {resource} is worth {_money(row['shadow_price'])} of profit "
            f"(binding: all {row['capacity']:,.4g} {unit}s used)"
        )
    if row["binding"]:
        return f"{resource} is fully used, but one more {unit} would not add profit"
    return f"{resource} has {row['slack']:,.4g} {unit}s to spare: one more {unit} is worth nothing"


def plot_shadow_prices(result: ProductMixResult, ax=None):
    """Bar chart of the shadow price of each resource (profit per extra unit of it).

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> res = product_mix(pd.Series({"road": 30, "city": 50}), usage,
    ...                   pd.Series({"weld": 40, "paint": 60}))
    >>> plot_shadow_prices(res).get_ylabel()
    'Profit per extra hour'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    table = result.resources.sort_values("shadow_price", ascending=False)
    colors = ["#b03a48" if b else "#8c8c8c" for b in table["binding"]]
    ax.bar(table.index.astype(str), table["shadow_price"], color=colors)
    ax.set_ylabel(f"Profit per extra {result.resource_unit}")
    ax.set_xlabel("Resource (red: binding)")
    ax.set_title("Shadow prices: what one more unit of each resource is worth")
    return ax


# -- constraint management ------------------------------------------------------------
def constraint_analysis(usage, capacity, demand) -> pd.DataFrame:
    """Load of each resource if all demand were made, and which one is the bottleneck.

    :math:`L_i = \\sum_j a_{ij} d_j`, utilisation :math:`u_i = L_i / b_i`; the
    **bottleneck** (the constraint, in theory-of-constraints words) is the resource with
    the highest utilisation; it is *overloaded* when :math:`u_i > 1`.

    Parameters
    ----------
    usage : DataFrame
        Hours per unit [a_ij] (wide or tidy, see :func:`product_mix`).
    capacity : Series
        Available hours [b_i].
    demand : Series
        Units demanded of each product [d_j].

    Returns
    -------
    DataFrame
        Index resource, sorted by utilisation (highest first): ``capacity``, ``load``,
        ``utilisation``, ``overloaded``, ``bottleneck``.

    Examples
    --------
    Goldratt's P & Q (minutes per week): resource B needs 3000 of its 2400 minutes.

    >>> usage = pd.DataFrame({"A": [15, 10], "B": [15, 30], "C": [15, 5], "D": [15, 5]},
    ...                      index=["P", "Q"])
    >>> t = constraint_analysis(usage, pd.Series(2400.0, index=list("ABCD")),
    ...                         pd.Series({"P": 100, "Q": 50}))
    >>> t.index[0], float(t.loc["B", "load"]), float(t.loc["B", "utilisation"])
    ('B', 3000.0, 1.25)
    """
    demand = _series(demand, "demand")
    capacity = _series(capacity, "capacity")
    a = _usage_matrix(usage, list(demand.index))
    unknown_res = [r for r in a.columns if r not in capacity.index]
    if unknown_res:
        raise ValueError(f"usage uses resource(s) {unknown_res} that have no capacity.")
    a = a.reindex(columns=list(capacity.index), fill_value=0.0)
    load = a.mul(demand, axis=0).sum()
    util = load / capacity.where(capacity > 0, np.nan)
    util = util.where(~((capacity == 0) & (load > 0)), np.inf).fillna(0.0)
    table = pd.DataFrame(
        {"capacity": capacity, "load": load, "utilisation": util},
        index=pd.Index(list(capacity.index), name="resource"),
    ).sort_values("utilisation", ascending=False, kind="stable")
    table["overloaded"] = table["utilisation"] > 1 + _TOL
    table["bottleneck"] = False
    table.iloc[0, table.columns.get_loc("bottleneck")] = True
    return table


def throughput_per_constraint_unit(margin, usage, constraint: str) -> pd.DataFrame:
    """Theory-of-constraints ranking: throughput earned per unit of the constraint's time.

    :math:`T_j / a_{kj}`, with throughput :math:`T_j` = price minus truly variable cost
    (materials) and :math:`a_{kj}` the time product *j* takes on constraint *k*
    (Goldratt, *The Haystack Syndrome*, 1990). Products are ranked highest first.

    Parameters
    ----------
    margin : Series
        Throughput per unit [T_j].
    usage : DataFrame
        Hours per unit [a_ij] (wide or tidy).
    constraint : str
        The constraint resource [k], usually the bottleneck from
        :func:`constraint_analysis`.

    Returns
    -------
    DataFrame
        Index product: ``throughput``, ``constraint_time``, ``throughput_per_unit_time``,
        ``rank`` (1 = make first).

    Examples
    --------
    >>> usage = pd.DataFrame({"B": [15, 30]}, index=["P", "Q"])
    >>> throughput_per_constraint_unit(pd.Series({"P": 45, "Q": 60}), usage, "B")[
    ...     "throughput_per_unit_time"].to_dict()
    {'P': 3.0, 'Q': 2.0}
    """
    margin = _series(margin, "margin", allow_negative=True)
    a = _usage_matrix(usage, list(margin.index))
    if constraint not in a.columns:
        raise ValueError(
            f"Unknown constraint resource {constraint!r}; choose one of {list(a.columns)}."
        )
    time = a[constraint]
    per = margin / time.where(time > 0, np.nan)
    per = per.fillna(np.inf)  # a product that skips the constraint costs it nothing
    table = pd.DataFrame(
        {"throughput": margin, "constraint_time": time, "throughput_per_unit_time": per}
    )
    table.index.name = "product"
    table["rank"] = table["throughput_per_unit_time"].rank(ascending=False, method="first")
    table["rank"] = table["rank"].astype(int)
    return table.sort_values("rank")


def _greedy_mix(order, a: pd.DataFrame, capacity: pd.Series, demand: pd.Series) -> pd.Series:
    """Fill demand product by product in ``order``, within every resource's capacity."""
    remaining = capacity.astype(float).copy()
    qty = pd.Series(0.0, index=a.index)
    for p in order:
        limit = float(demand[p])
        for r in a.columns:
            if a.loc[p, r] > 0:
                limit = min(limit, max(remaining[r], 0.0) / a.loc[p, r])
        qty[p] = limit
        remaining -= a.loc[p] * limit
    return qty


def toc_product_mix(margin, usage, capacity, demand, constraint: str | None = None):
    """The theory-of-constraints product mix: fill demand in order of throughput per
    constraint unit, as far as every resource's capacity allows.

    Parameters
    ----------
    margin, usage, capacity, demand
        As in :func:`product_mix` (``demand`` is the demand limit [d_j]).
    constraint : str, optional
        The resource to rank on; by default the bottleneck of :func:`constraint_analysis`.

    Returns
    -------
    DataFrame
        Index product in the order made: ``rank``, ``throughput_per_unit_time``,
        ``quantity``, ``throughput`` (= T_j x_j).

    Examples
    --------
    >>> usage = pd.DataFrame({"A": [15, 10], "B": [15, 30], "C": [15, 5], "D": [15, 5]},
    ...                      index=["P", "Q"])
    >>> mix = toc_product_mix(pd.Series({"P": 45, "Q": 60}), usage,
    ...                       pd.Series(2400.0, index=list("ABCD")), pd.Series({"P": 100, "Q": 50}))
    >>> mix["quantity"].to_dict(), float(mix["throughput"].sum())
    ({'P': 100.0, 'Q': 30.0}, 6300.0)
    """
    margin = _series(margin, "margin", allow_negative=True)
    demand = _series(demand, "demand")
    _check_known(demand, list(margin.index), "demand")
    missing = [p for p in margin.index if p not in demand.index]
    if missing:
        raise ValueError(f"demand has no value for product(s) {missing}.")
    capacity = _series(capacity, "capacity")
    a = _usage_matrix(usage, list(margin.index)).reindex(
        columns=list(capacity.index), fill_value=0.0
    )
    if constraint is None:
        constraint = constraint_analysis(a, capacity, demand[margin.index]).index[0]
    ranking = throughput_per_constraint_unit(margin, a, constraint)
    order = [p for p in ranking.index if margin[p] > 0]
    qty = _greedy_mix(order, a, capacity, demand).reindex(ranking.index).fillna(0.0)
    out = ranking[["rank", "throughput_per_unit_time"]].copy()
    out["quantity"] = qty
    out["throughput"] = qty * margin[ranking.index]
    out.attrs["constraint"] = constraint
    return out


def compare_toc_with_lp(
    margin, usage, capacity, demand, *, fixed_cost: float = 0.0, constraint: str | None = None
) -> pd.DataFrame:
    """Three ways to choose the mix, side by side: highest margin first ("traditional"),
    highest throughput per constraint unit first (TOC), and the LP optimum.

    With one binding resource TOC and the LP agree; when a second resource binds, the
    TOC ranking on one constraint can pick the wrong mix and the LP does not.

    Returns
    -------
    DataFrame
        Index method; one column per product (units), ``throughput`` (total),
        ``net_profit`` (throughput minus ``fixed_cost``), ``gap_to_lp`` and
        ``binding_resources`` (those with no capacity left).

    Examples
    --------
    Goldratt's P & Q: the traditional answer loses 300 a week, TOC and the LP earn 300.

    >>> usage = pd.DataFrame({"A": [15, 10], "B": [15, 30], "C": [15, 5], "D": [15, 5]},
    ...                      index=["P", "Q"])
    >>> t = compare_toc_with_lp(pd.Series({"P": 45, "Q": 60}), usage,
    ...     pd.Series(2400.0, index=list("ABCD")), pd.Series({"P": 100, "Q": 50}), fixed_cost=6000)
    >>> t["net_profit"].round(2).to_dict()
    {'traditional (highest margin first)': -300.0, 'TOC (throughput per constraint unit)': 300.0, 'LP optimum': 300.0}
    """
    margin = _series(margin, "margin", allow_negative=True)
    demand = _series(demand, "demand")
    capacity = _series(capacity, "capacity")
    toc = toc_product_mix(margin, usage, capacity, demand, constraint)
    a = _usage_matrix(usage, list(margin.index)).reindex(
        columns=list(capacity.index), fill_value=0.0
    )
    order = [p for p in margin.sort_values(ascending=False, kind="stable").index if margin[p] > 0]
    traditional = _greedy_mix(order, a, capacity, demand)
    lp = product_mix(margin, a, capacity, demand[margin.index], fixed_cost=fixed_cost)
    plans = {
        "traditional (highest margin first)": traditional,
        "TOC (throughput per constraint unit)": toc["quantity"].reindex(margin.index),
        "LP optimum": lp.plan["quantity"],
    }
    rows = []
    for method, q in plans.items():
        q = q.reindex(margin.index).fillna(0.0)
        used = a.mul(q, axis=0).sum()
        binding = [r for r in capacity.index if capacity[r] - used[r] <= _TOL * (1 + capacity[r])]
        row = {p: q[p] for p in margin.index}
        row["throughput"] = float((q * margin).sum())
        row["net_profit"] = row["throughput"] - fixed_cost
        row["binding_resources"] = ", ".join(map(str, binding)) or "none"
        rows.append(pd.Series(row, name=method))
    table = pd.DataFrame(rows)
    table["gap_to_lp"] = table["net_profit"] - table.loc["LP optimum", "net_profit"]
    table.index.name = "method"
    cols = list(margin.index) + ["throughput", "net_profit", "gap_to_lp", "binding_resources"]
    table = table[cols]
    for c in cols[:-1]:
        table[c] = table[c].astype(float)
    table.attrs["constraint"] = toc.attrs["constraint"]
    return table


# -- allocation of scarce supply ------------------------------------------------------
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


# -- the balancing plan ---------------------------------------------------------------
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
    >>> inputs = example_planning_inputs(n_products=2, n_periods=3, seed=4)
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
    >>> plan = balancing_plan(example_planning_inputs(n_products=2, n_periods=3, seed=4))
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


def _periods(demand: pd.DataFrame) -> list:
    return sorted(demand["period"].unique())


def _check_planning_inputs(inp: PlanningInputs):
    _require_columns(inp.demand, ["product", "market", "period", "demand"], "demand")
    _require_columns(inp.production_cost, ["product", "plant", "unit_cost"], "production_cost")
    _require_columns(
        inp.routings, ["product", "plant", "work_centre", "hours_per_unit"], "routings"
    )
    _require_columns(inp.capacity, ["plant", "work_centre", "hours"], "capacity")
    _require_columns(inp.lanes, ["plant", "market", "transport_cost"], "lanes")
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
    hc = _series(inp.holding_cost, "holding_cost")
    missing = sorted(products - set(hc.index), key=str)
    if missing:
        raise ValueError(f"holding_cost has no value for product(s) {missing}.")
    if inp.demand.duplicated(["product", "market", "period"]).any():
        raise ValueError("demand has duplicate (product, market, period) rows: sum them first.")
    if (inp.bom is None) != (inp.component_supply is None):
        raise ValueError("Give both bom and component_supply (or neither).")
    if inp.bom is not None:
        _require_columns(inp.bom, ["product", "component", "quantity_per_unit"], "bom")
        _require_columns(
            inp.component_supply, ["component", "period", "quantity"], "component_supply"
        )
        if (pd.to_numeric(inp.component_supply["quantity"], errors="coerce").fillna(-1) < 0).any():
            raise ValueError("component_supply.quantity must be zero or more numbers.")
        unknown = sorted(set(inp.bom["product"]) - products, key=str)
        if unknown:
            raise ValueError(f"bom lists product(s) {unknown} that have no demand rows.")


def balancing_plan(inputs: PlanningInputs, *, integer: bool = False) -> BalancingPlan:
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
    _check_planning_inputs(inputs)
    d = inputs.demand.copy()
    periods = _periods(d)
    first = {t: i for i, t in enumerate(periods)}
    if "lost_sales_cost" not in d.columns:
        d["lost_sales_cost"] = d["price"] if "price" in d.columns else 0.0
    d["lost_sales_cost"] = pd.to_numeric(d["lost_sales_cost"], errors="coerce")
    if d["lost_sales_cost"].isna().any() or (d["lost_sales_cost"] < 0).any():
        raise ValueError("demand.lost_sales_cost must be zero or more numbers.")
    pc = inputs.production_cost.groupby(["product", "plant"])["unit_cost"].first().to_dict()
    makes = list(pc)  # (product, plant)
    plants_of = {}
    for p, pl in makes:
        plants_of.setdefault(p, []).append(pl)
    hc = _series(inputs.holding_cost, "holding_cost").to_dict()
    lanes = inputs.lanes.copy()
    has_product_lanes = "product" in lanes.columns
    if has_product_lanes:
        lane_cost = lanes.groupby(["product", "plant", "market"])["transport_cost"].first()
    else:
        lane_cost = lanes.groupby(["plant", "market"])["transport_cost"].first()
    lane_cost = lane_cost.to_dict()

    def lane(p, pl, m):
        key = (p, pl, m) if has_product_lanes else (pl, m)
        return lane_cost.get(key)

    routing = inputs.routings.groupby(["plant", "work_centre", "product"])["hours_per_unit"].sum()
    routed: dict[tuple, dict] = {}
    for (pl, w, p), a in routing.items():
        routed.setdefault((pl, w), {})[p] = float(a)
    cap = inputs.capacity.copy()
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
        _require_columns(
            inputs.initial_inventory, ["product", "plant", "quantity"], "initial_inventory"
        )
        init = inputs.initial_inventory.groupby(["product", "plant"])["quantity"].sum().to_dict()

    lp = LinearProgram("balancing_plan", sense="min")
    obj: dict[str, float] = {}
    X, Inv = {}, {}
    Y: dict[tuple, str] = {}
    U = {}
    for p, pl in makes:
        for t in periods:
            X[p, pl, t] = lp.add_variable(f"make[{p},{pl},{t}]", integer=integer)
            obj[X[p, pl, t]] = float(pc[p, pl])
            Inv[p, pl, t] = lp.add_variable(f"hold[{p},{pl},{t}]", integer=integer)
            obj[Inv[p, pl, t]] = float(hc[p])
    for row in d.itertuples(index=False):
        p, m, t = row.product, row.market, row.period
        U[p, m, t] = lp.add_variable(f"unmet[{p},{m},{t}]", integer=integer)
        obj[U[p, m, t]] = float(row.lost_sales_cost)
        for pl in plants_of.get(p, []):
            c = lane(p, pl, m)
            if c is None:
                continue
            Y[p, pl, m, t] = lp.add_variable(f"ship[{p},{pl},{m},{t}]", integer=integer)
            obj[Y[p, pl, m, t]] = float(c)
    ships_from: dict[tuple, list] = {}
    ships_to: dict[tuple, list] = {}
    for (p, pl, m, t), v in Y.items():
        ships_from.setdefault((p, pl, t), []).append(v)
        ships_to.setdefault((p, m, t), []).append(v)
    for p, pl in makes:
        for t in periods:
            terms = {X[p, pl, t]: 1.0, Inv[p, pl, t]: -1.0}
            for v in ships_from.get((p, pl, t), []):
                terms[v] = terms.get(v, 0.0) - 1.0
            i = first[t]
            rhs = 0.0
            if i == 0:
                rhs = -float(init.get((p, pl), 0.0))
            else:
                terms[Inv[p, pl, periods[i - 1]]] = 1.0
            lp.add_constraint(f"plant_balance[{p},{pl},{t}]", terms, "==", rhs)
    for row in d.itertuples(index=False):
        p, m, t = row.product, row.market, row.period
        terms = {U[p, m, t]: 1.0}
        for v in ships_to.get((p, m, t), []):
            terms[v] = 1.0
        lp.add_constraint(f"market_balance[{p},{m},{t}]", terms, "==", float(row.demand))
    for (pl, w, t), hours in cap_hours.items():
        if t not in first:
            continue
        terms = {
            X[p, pl, t]: a for p, a in routed.get((pl, w), {}).items() if (p, pl, t) in X and a > 0
        }
        if terms:
            lp.add_constraint(f"capacity[{pl},{w},{t}]", terms, "<=", float(hours))
    material_rows = []
    if inputs.bom is not None:
        bom = inputs.bom.groupby(["component", "product"])["quantity_per_unit"].sum()
        supply = inputs.component_supply.groupby(["component", "period"])["quantity"].sum()
        for c in sorted(bom.index.get_level_values(0).unique(), key=str):
            arriving = supply.get(c)
            cumulative = 0.0
            terms: dict[str, float] = {}
            for t in periods:
                if arriving is not None:
                    cumulative += float(arriving.get(t, 0.0))
                for p, q in bom.loc[c].items():
                    for pl in plants_of.get(p, []):
                        terms[X[p, pl, t]] = float(q)
                name = f"material[{c},{t}]"
                lp.add_constraint(name, dict(terms), "<=", cumulative)
                material_rows.append((c, t, name, cumulative))
    lp.set_objective(obj)
    res = lp.solve()
    val = res.values.to_dict()
    shadow = res.shadow_prices.to_dict()
    lhs_of = res.constraint_info["lhs"].to_dict()

    production = pd.DataFrame(
        [(p, pl, t, val[v] + 0.0) for (p, pl, t), v in X.items()],
        columns=["product", "plant", "period", "quantity"],
    )
    inventory = pd.DataFrame(
        [(p, pl, t, val[v] + 0.0) for (p, pl, t), v in Inv.items()],
        columns=["product", "plant", "period", "quantity"],
    )
    shipments = pd.DataFrame(
        [(p, pl, m, t, val[v] + 0.0) for (p, pl, m, t), v in Y.items()],
        columns=["product", "plant", "market", "period", "quantity"],
    )
    shipments = shipments[shipments["quantity"] > _TOL].reset_index(drop=True)
    sales = d[["product", "market", "period", "demand"]].copy()
    sales["unmet"] = [val[U[r.product, r.market, r.period]] + 0.0 for r in d.itertuples()]
    sales["served"] = sales["demand"] - sales["unmet"]
    sales["fill_rate"] = np.where(
        sales["demand"] > 0, sales["served"] / sales["demand"].where(sales["demand"] > 0, 1), 1.0
    )
    sales = sales[["product", "market", "period", "demand", "served", "unmet", "fill_rate"]]
    cap_rows = []
    for (pl, w, t), hours in cap_hours.items():
        if t not in first:
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
    capacity = capacity[
        ["plant", "work_centre", "period", "hours", "load_hours", "utilisation", "shadow_price"]
    ]
    materials = pd.DataFrame(
        [(c, t, avail, lhs_of[name], -shadow[name] + 0.0) for c, t, name, avail in material_rows],
        columns=["component", "period", "available", "used", "shadow_price"],
    )
    costs = {
        "production": float(sum(pc[p, pl] * val[v] for (p, pl, t), v in X.items())),
        "transport": float(sum(obj[v] * val[v] for v in Y.values())),
        "holding": float(sum(hc[p] * val[v] for (p, pl, t), v in Inv.items())),
        "lost_sales": float(
            sum(r.lost_sales_cost * val[U[r.product, r.market, r.period]] for r in d.itertuples())
        ),
    }
    costs["fixed"] = float(inputs.fixed_cost)
    costs["total"] = sum(costs.values())
    if "price" in d.columns:
        revenue = float((sales["served"].to_numpy() * d["price"].to_numpy()).sum())
        costs["revenue"] = revenue
        costs["profit"] = (
            revenue - costs["production"] - costs["transport"] - costs["holding"] - costs["fixed"]
        )
    return BalancingPlan(
        production=production,
        shipments=shipments,
        inventory=inventory,
        sales=sales.reset_index(drop=True),
        capacity=capacity,
        materials=materials,
        costs=pd.Series(costs),
        lp=res,
    )


def example_planning_inputs(
    n_products: int = 4,
    n_plants: int = 2,
    n_markets: int = 4,
    n_periods: int = 6,
    *,
    seed: int = 0,
    tightness: float = 0.9,
) -> PlanningInputs:
    """A small synthetic company for examples, tests and benchmarks (seeded).

    Products ``F1``..; plants ``P1``..; markets ``M1``..; periods 1..n. Two work centres
    per plant (``weld``, ``assembly``), one shared component (``battery``) used by the
    second half of the products, seasonal demand, prices and costs. ``tightness`` scales
    capacity to about that share of average demand's load, so some months are short.

    Examples
    --------
    >>> inp = example_planning_inputs(seed=3)
    >>> sorted(inp.demand.columns)
    ['demand', 'family', 'market', 'period', 'price', 'product']
    """
    if min(n_products, n_plants, n_markets, n_periods) < 1:
        raise ValueError("n_products, n_plants, n_markets and n_periods must be at least 1.")
    if not 0 < tightness:
        raise ValueError("tightness must be greater than zero.")
    rng = np.random.default_rng(seed)
    products = [f"F{i + 1}" for i in range(n_products)]
    plants = [f"P{i + 1}" for i in range(n_plants)]
    markets = [f"M{i + 1}" for i in range(n_markets)]
    periods = list(range(1, n_periods + 1))
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
    avg = demand.groupby("product")["demand"].sum() / n_periods
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


# -- from the company tables ----------------------------------------------------------
def _month(value) -> pd.Period:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}", value.strip()):
        raise ValueError(f"{value!r} is not a month; write it as 'YYYY-MM'.")
    try:
        return pd.Period(value, freq="M")
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a month; write it as 'YYYY-MM'.") from None


def _company_tables(company, names):
    missing = [n for n in names if getattr(company, n, None) is None]
    if missing:
        raise ValueError(
            f"The company data has no table(s) {missing}: load it with sop.load_company()."
        )


def _work_centre_hours(company) -> pd.DataFrame:
    from .capacity import available_capacity

    wc = company.work_centres
    hours = available_capacity(
        wc["hours_per_shift"],
        shifts=wc["shifts"],
        days=wc["days_per_month"],
        units=wc["units"],
        utilisation=wc["utilisation"],
        efficiency=wc["efficiency"],
    )
    return pd.DataFrame(
        {
            "plant": wc["plant"].astype(str),
            "work_centre": wc["work_centre"].astype(str),
            "hours": hours.astype(float),
        }
    )


def product_mix_inputs(company, plant: str = "P1", month="2026-05", *, kind: str = "bike") -> dict:
    """The product-mix data of one plant and month of a company (e.g. Tallridge Cycles).

    Margin is **throughput per unit**: the plan's average net price (weighted over the
    markets) minus the material cost; labour and overhead are fixed within the month.
    Capacity is each work centre's available hours (:func:`sopcourse.capacity.
    available_capacity` of the ``work_centres`` table). The demand limit is the S&OP
    plan's units for the month in all markets, as if this plant had to make them all.

    Parameters
    ----------
    company : Company
        From :func:`sopcourse.load_company`.
    plant : str
        The plant whose work centres are the resources.
    month : str
        The month of the S&OP plan (``'YYYY-MM'``).
    kind : str
        Which products (``products.kind``): ``"bike"`` by default.

    Returns
    -------
    dict
        ``margin``, ``usage`` (wide: product x work centre, hours per unit), ``capacity``,
        ``max_demand``, ``price`` and ``material_cost`` (Series by product) : the
        arguments of :func:`product_mix`.

    Examples
    --------
    >>> import sopcourse as sop
    >>> mix = product_mix_inputs(sop.load_company(), "P1", "2026-05")
    >>> sorted(mix)
    ['capacity', 'margin', 'material_cost', 'max_demand', 'price', 'usage']
    >>> res = product_mix(mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"])
    >>> bool(res.resources["binding"].any())
    True
    """
    _company_tables(company, ["products", "routings", "work_centres", "sales_plan"])
    m = _month(month)
    plan = company.sales_plan
    plan = plan[(plan["version"] == "sop") & (plan["month"] == m)]
    if plan.empty:
        raise ValueError(
            f"The S&OP plan has no rows for {m}; choose a month in "
            f"{company.sales_plan['month'].min()}..{company.sales_plan['month'].max()}."
        )
    routes = company.routings[company.routings["plant"].astype(str) == plant]
    if routes.empty:
        raise ValueError(
            f"Unknown plant {plant!r}; the routings have "
            f"{sorted(company.routings['plant'].astype(str).unique())}."
        )
    products = company.products.set_index("sku")
    skus = [s for s in products.index[products["kind"] == kind] if s in set(routes["sku"])]
    plan = plan[plan["sku"].isin(skus)]
    units = plan.groupby("sku")["plan_units"].sum()
    revenue = (plan["plan_units"] * plan["plan_price"]).groupby(plan["sku"]).sum()
    skus = [s for s in skus if units.get(s, 0) > 0]
    price = (revenue[skus] / units[skus]).astype(float)
    material = products.loc[skus, "material_cost"].astype(float)
    usage = (
        routes[routes["sku"].isin(skus)]
        .pivot_table(
            index="sku",
            columns="work_centre",
            values="hours_per_unit",
            aggfunc="sum",
            observed=True,
        )
        .reindex(skus)
        .fillna(0.0)
    )
    usage.columns = usage.columns.astype(str)
    usage.index.name = "product"
    hours = _work_centre_hours(company)
    capacity = hours[hours["plant"] == plant].set_index("work_centre")["hours"]
    capacity = capacity[[c for c in capacity.index if c in usage.columns]]
    usage = usage[list(capacity.index)]
    return {
        "margin": (price - material).rename("margin"),
        "usage": usage,
        "capacity": capacity.rename("capacity"),
        "max_demand": units[skus].astype(float).rename("max_demand"),
        "price": price.rename("price"),
        "material_cost": material.rename("material_cost"),
    }


def planning_inputs_from_company(
    company,
    *,
    start="2026-01",
    months: int = 18,
    kind: str = "bike",
    component_supply: pd.DataFrame | None = None,
    version: str = "sop",
) -> PlanningInputs:
    """The balancing-plan data of a company (e.g. Tallridge Cycles) over a horizon.

    - demand: the plan's units and net price by product, market and month
      (``sales_plan``, version ``sop``); lost-sales cost = the price (a lost sale loses
      its revenue), so minimising cost maximises profit;
    - production cost at each plant: material cost + routing hours x the plant's
      ``cost_per_hour`` (labour is cheaper in P2);
    - capacity: available hours of every work centre per month (regular time);
    - lanes: ``lanes.cost_per_unit`` (transit time is ignored: a bucket is a month);
    - holding cost: ``holding_rate`` / 12 x standard cost, per unit per month;
    - opening stock: finished goods ``inventory.on_hand`` at each plant;
    - materials: only when ``component_supply`` is given (columns ``component``,
      ``period`` as 'YYYY-MM', ``quantity``): the bill of materials is limited to
      those components.

    Examples
    --------
    >>> import sopcourse as sop
    >>> inp = planning_inputs_from_company(sop.load_company(), months=3)
    >>> sorted(inp.demand["period"].unique())
    ['2026-01', '2026-02', '2026-03']
    >>> round(inp.solve().fill_rate, 2) > 0.5
    True
    """
    _company_tables(company, list(PLANNING_TABLES))
    if not isinstance(months, (int, np.integer)) or months < 1:
        raise ValueError(f"months must be a whole number of months, 1 or more; got {months!r}.")
    first = _month(start)
    window = [str(first + i) for i in range(months)]
    plan = company.sales_plan[company.sales_plan["version"] == version].copy()
    if plan.empty:
        raise ValueError(f"The sales plan has no version {version!r}.")
    plan["period"] = plan["month"].astype(str)
    plan = plan[plan["period"].isin(window)]
    if plan.empty:
        raise ValueError(f"The {version} plan has no months in {window[0]}..{window[-1]}.")
    products = company.products.set_index("sku")
    routes = company.routings.copy()
    routes["plant"] = routes["plant"].astype(str)
    routes["work_centre"] = routes["work_centre"].astype(str)
    skus = [s for s in products.index[products["kind"] == kind] if s in set(routes["sku"])]
    plan = plan[plan["sku"].isin(skus) & (plan["plan_units"] > 0)]
    skus = [s for s in skus if s in set(plan["sku"])]
    demand = pd.DataFrame(
        {
            "product": plan["sku"].astype(str).to_numpy(),
            "market": plan["region"].astype(str).to_numpy(),
            "period": plan["period"].to_numpy(),
            "demand": plan["plan_units"].astype(float).to_numpy(),
            "price": plan["plan_price"].astype(float).to_numpy(),
            "family": products.loc[plan["sku"], "family"].astype(str).to_numpy(),
        }
    )
    demand = demand.groupby(["product", "market", "period", "family"], as_index=False).agg(
        demand=("demand", "sum"), price=("price", "mean")
    )[["product", "market", "period", "demand", "price", "family"]]
    routes = routes[routes["sku"].isin(skus)].rename(columns={"sku": "product"})
    wc = company.work_centres.assign(
        plant=company.work_centres["plant"].astype(str),
        work_centre=company.work_centres["work_centre"].astype(str),
    )
    labour = routes.merge(wc[["plant", "work_centre", "cost_per_hour"]], how="left")
    labour = (
        (labour["hours_per_unit"] * labour["cost_per_hour"])
        .groupby([labour["product"], labour["plant"]])
        .sum()
    )
    production_cost = labour.rename("labour").reset_index()
    production_cost["unit_cost"] = (
        production_cost["product"].map(products["material_cost"]).astype(float)
        + production_cost["labour"]
    )
    production_cost = production_cost[["product", "plant", "unit_cost"]]
    params = company.planning_costs.set_index("parameter")["value"]
    holding_rate = float(params.get("holding_rate", 0.2))
    holding = (products.loc[skus, "standard_cost"].astype(float) * holding_rate / 12).rename(
        "holding_cost"
    )
    lanes = company.lanes.rename(columns={"region": "market", "cost_per_unit": "transport_cost"})
    lanes = lanes.assign(plant=lanes["plant"].astype(str), market=lanes["market"].astype(str))[
        ["plant", "market", "transport_cost"]
    ]
    inv = company.inventory
    inv = inv[inv["item"].isin(skus)]
    initial = pd.DataFrame(
        {
            "product": inv["item"].astype(str),
            "plant": inv["plant"].astype(str),
            "quantity": inv["on_hand"].astype(float),
        }
    )
    initial = initial.merge(production_cost[["product", "plant"]], how="inner")
    bom = None
    component_cost = None
    if component_supply is not None:
        _require_columns(component_supply, ["component", "period", "quantity"], "component_supply")
        component_supply = component_supply.assign(period=component_supply["period"].astype(str))
        comps = set(component_supply["component"])
        b = company.bom[company.bom["parent"].isin(skus) & company.bom["component"].isin(comps)]
        unknown = sorted(comps - set(company.bom["component"]))
        if unknown:
            raise ValueError(f"component_supply names unknown component(s) {unknown}.")
        bom = pd.DataFrame(
            {
                "product": b["parent"].astype(str),
                "component": b["component"].astype(str),
                "quantity_per_unit": b["quantity"].astype(float),
            }
        )
        items = company.items.set_index("item")
        component_cost = pd.DataFrame(
            {
                "component": sorted(comps),
                "unit_cost": [float(items.loc[c, "unit_cost"]) for c in sorted(comps)],
            }
        )
    return PlanningInputs(
        demand=demand,
        production_cost=production_cost,
        routings=routes[["product", "plant", "work_centre", "hours_per_unit"]].reset_index(
            drop=True
        ),
        capacity=_work_centre_hours(company),
        lanes=lanes.reset_index(drop=True),
        holding_cost=holding,
        bom=bom,
        component_supply=component_supply,
        initial_inventory=initial.reset_index(drop=True),
        component_cost=component_cost,
    )
