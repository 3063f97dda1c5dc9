"""Profit-based planning with scarce capacity: the product-mix LP and its sensitivity
report, and constraint management (the bottleneck, theory-of-constraints ranking, TOC
against the LP).

Every model here is built with :class:`sopcourse.solver.LinearProgram` (the one place
that talks to PuLP and HiGHS), so shadow prices have one business meaning everywhere:
**profit gained per extra unit of the resource** (for a cost-minimising model: cost
saved per extra unit). Allocation of scarce supply is in :mod:`sopcourse.allocation`,
the multi-period balancing plan in :mod:`sopcourse.balancing`, and the company's tables
become these models' inputs in :mod:`sopcourse.case`.

Sources: the product-mix LP and its sensitivity report follow Hillier & Lieberman,
*Introduction to Operations Research* (Wyndor Glass Co., sections 3.1 and 4.7);
throughput per constraint unit follows Goldratt, *The Haystack Syndrome* (1990), the
P & Q example.

Units: quantities in units per planning bucket, capacities in hours per bucket, money in
the currency of the margins and costs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import require_columns

# The balancing plan moved to its own module; these names stay importable from here.
from .balancing import (  # noqa: F401
    BalancingPlan,
    PlanningInputs,
    balancing_plan,
    example_planning_inputs,
)
from .solver import LinearProgram, LPResult

__all__ = [
    "ProductMixResult",
    "product_mix",
    "constraint_analysis",
    "throughput_per_constraint_unit",
    "toc_product_mix",
    "compare_toc_with_lp",
    "plot_shadow_prices",
]

_TOL = 1e-7


# -- input checks ---------------------------------------------------------------------


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
        require_columns(usage, ["product", "resource", "hours_per_unit"], "usage", allow_empty=True)
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
    Wyndor Glass (Hillier & Lieberman), doors and windows in three plants; the data, the
    citation and the published answer are in :func:`sopcourse.examples.wyndor`.

    >>> from sopcourse import examples
    >>> wyndor = examples.wyndor()
    >>> res = product_mix(wyndor.margin, wyndor.usage, wyndor.capacity)
    >>> res.profit, res.plan["quantity"].tolist()
    (36.0, [2.0, 6.0])
    >>> res.resources["shadow_price"].tolist()
    [0.0, 1.5, 1.0]
    >>> res.resources.loc["plant2", "meaning"]
    'one more hour of plant2 is worth 1.50 of profit (binding: all 12 hours used)'
    """
    margin, a, capacity, max_demand, min_quantity = _mix_inputs(
        margin, usage, capacity, max_demand, min_quantity, fixed_cost
    )
    res = _mix_model(margin, a, capacity, max_demand, min_quantity, fixed_cost)
    return ProductMixResult(
        plan=_mix_plan(res, margin, max_demand, min_quantity),
        resources=_mix_resources(res, capacity, resource_unit),
        profit=res.objective,
        lp=res,
        resource_unit=resource_unit,
        fixed_cost=float(fixed_cost),
    )


def _mix_inputs(margin, usage, capacity, max_demand, min_quantity, fixed_cost):
    """The product-mix data checked: margin, usage (wide), capacity, demand limits, minimums."""
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
    return margin, a, capacity, max_demand, min_quantity


def _mix_model(margin, a, capacity, max_demand, min_quantity, fixed_cost) -> LPResult:
    """Build and solve the product-mix LP (with HiGHS's sensitivity ranging)."""
    products = list(margin.index)
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
    return lp.solve(ranging=True)


def _mix_plan(res: LPResult, margin, max_demand, min_quantity) -> pd.DataFrame:
    """One row per product: quantity, contribution, reduced cost, demand value, meaning."""
    products = list(margin.index)
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
    return plan.drop(columns="minimum_cost")


def _mix_resources(res: LPResult, capacity, resource_unit: str) -> pd.DataFrame:
    """One row per resource: capacity, used, slack, utilisation, shadow price, meaning."""
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
    return resources


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
