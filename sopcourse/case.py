"""The course's case company read for the analytics: the company's tables become the inputs
of the models (product mix, balancing plan, management review).

The models themselves take plain DataFrames and Series (:mod:`sopcourse.optimize`,
:mod:`sopcourse.balancing`, :mod:`sopcourse.kpi_review`); this module is the one place that
knows the company's tables (``sop.load_company()``: Tallridge Cycles or a data variant, or
your own data directory with the same tables) and which of them each step needs
(:data:`STEP_TABLES`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._checks import require_columns
from .balancing import PlanningInputs
from .capacity import available_capacity
from .kpi_review import ManagementReview, check_targets, review_from_tables

__all__ = [
    "STEP_TABLES",
    "product_mix_inputs",
    "planning_inputs_from_company",
    "management_review",
]

#: The company tables each step of the analytics reads (attributes of ``load_company()``).
STEP_TABLES = {
    "product mix": ("products", "routings", "work_centres", "sales_plan"),
    "balancing plan": (
        "products",
        "routings",
        "work_centres",
        "sales_plan",
        "lanes",
        "inventory",
        "planning_costs",
        "bom",
        "items",
    ),
    "management review": (
        "products",
        "orders",
        "sales",
        "financials",
        "sales_plan",
        "forecast_snapshots",
        "inventory",
    ),
}
#: The tables of :func:`planning_inputs_from_company` (the supply review of the cycle).
PLANNING_TABLES = STEP_TABLES["balancing plan"]
#: The tables of :func:`management_review` (the executive review of the cycle).
REVIEW_TABLES = STEP_TABLES["management review"]


def _require_tables(company, step: str) -> None:
    missing = [t for t in STEP_TABLES[step] if getattr(company, t, None) is None]
    if missing:
        raise ValueError(
            f"The company data lacks table(s) {missing} that the {step} needs; load it with "
            "sop.load_company() or supply those tables."
        )


def _month(value) -> pd.Period:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}", value.strip()):
        raise ValueError(f"{value!r} is not a month; write it as 'YYYY-MM'.")
    try:
        return pd.Period(value, freq="M")
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a month; write it as 'YYYY-MM'.") from None


def _first_plant(company) -> str:
    """The first plant of ``plants`` (of the routings when there is no plants table)."""
    plants = getattr(company, "plants", None)
    if plants is not None and len(plants):
        return str(plants["plant"].iloc[0])
    return str(company.routings["plant"].astype(str).iloc[0])


def _first_plan_month(company, version: str) -> pd.Period:
    """The first month of the sales plan's ``version``."""
    plan = company.sales_plan
    months = plan.loc[plan["version"] == version, "month"]
    if months.empty:
        raise ValueError(f"The sales plan has no version {version!r}; give the month.")
    return pd.Period(months.min(), freq="M")


def _work_centre_hours(company) -> pd.DataFrame:
    """Available hours of every work centre per month (``plant``, ``work_centre``, ``hours``)."""
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


# -- product mix ----------------------------------------------------------------------


#: The default ``kind=`` of the analytics: the products whose ``items.item_type`` is
#: ``finished_good`` (Tallridge: the bikes), whatever the company calls its kinds.
FINISHED_GOODS = "finished goods"


def _made_products(products: pd.DataFrame, kind: str | None, routes: pd.DataFrame, items=None):
    """The SKUs (index of ``products``) of kind ``kind`` (None: any; :data:`FINISHED_GOODS`:
    the finished goods of ``items``, any without that table) that have a routing; a
    ValueError naming the kinds that do when there is none (a company of its own kinds)."""
    routed = set(routes["sku"])
    kinds = products["kind"].astype(str)
    if kind == FINISHED_GOODS:
        finished = None if items is None else items["item_type"].astype(str) == "finished_good"
        of_kind = (
            products.index
            if items is None
            else products.index.intersection(items.loc[finished, "item"])
        )
    else:
        of_kind = products.index if kind is None else products.index[kinds == kind]
    skus = [s for s in of_kind if s in routed]
    if not skus:
        made = sorted(set(kinds[products.index.isin(list(routed))]))
        raise ValueError(
            f"No product of kind {kind!r} has a routing; the products with routings are of "
            f"kind {', '.join(map(repr, made)) or '(none)'}: pass kind= one of those (the "
            "products.kind of your data), or kind=None for every product with a routing "
            "(the default is the finished goods of items.csv)."
        )
    return skus


def product_mix_inputs(
    company, plant: str | None = None, month=None, *, kind: str | None = FINISHED_GOODS
) -> dict:
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
    plant : str, optional
        The plant whose work centres are the resources (default: the first plant of
        ``plants``; Tallridge: ``P1``).
    month : str, optional
        The month of the S&OP plan (``'YYYY-MM'``; default: the plan's first month).
    kind : str or None
        Which products: by default the finished goods (``items.item_type``; Tallridge:
        the bikes); a value of ``products.kind`` (``"bike"``); ``None``: every product
        with a routing.

    Returns
    -------
    dict
        ``margin``, ``usage`` (wide: product x work centre, hours per unit), ``capacity``,
        ``max_demand``, ``price`` and ``material_cost`` (Series by product) : the
        arguments of :func:`sopcourse.product_mix`.

    Examples
    --------
    >>> import sopcourse as sop
    >>> mix = product_mix_inputs(sop.load_company(), "P1", "2026-05")
    >>> sorted(mix)
    ['capacity', 'margin', 'material_cost', 'max_demand', 'price', 'usage']
    >>> res = sop.product_mix(mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"])
    >>> bool(res.resources["binding"].any())
    True
    """
    _require_tables(company, "product mix")
    plant = _first_plant(company) if plant is None else plant
    m = _month(month) if month is not None else _first_plan_month(company, "sop")
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
    skus = _made_products(products, kind, routes, company.items)
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


# -- balancing plan -------------------------------------------------------------------


def planning_inputs_from_company(
    company,
    *,
    start=None,
    horizon: int | None = None,
    kind: str | None = FINISHED_GOODS,
    component_supply: pd.DataFrame | None = None,
    version: str = "sop",
    months: int | None = None,
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

    ``horizon`` is the number of months planned from ``start`` (default: the first
    month of the plan's ``version``; Tallridge: 2026-01), 18 by default; ``months`` is its
    old name, still accepted. ``kind`` picks the products planned: the finished goods
    (``items.item_type``; Tallridge: the bikes) by default, a value of ``products.kind``,
    or ``None`` for every product with a routing.

    Examples
    --------
    >>> import sopcourse as sop
    >>> inp = planning_inputs_from_company(sop.load_company(), horizon=3)
    >>> sorted(inp.demand["period"].unique())
    ['2026-01', '2026-02', '2026-03']
    >>> round(inp.solve().fill_rate, 2) > 0.5
    True
    """
    _require_tables(company, "balancing plan")
    if months is not None:
        if horizon is not None and horizon != months:
            raise ValueError(
                f"Give horizon or months (its old name), not both: {horizon}, {months}."
            )
        horizon = months
    horizon = 18 if horizon is None else horizon
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be a whole number of months, 1 or more; got {horizon!r}.")
    first = _month(start) if start is not None else _first_plan_month(company, version)
    window = [str(first + i) for i in range(horizon)]
    products = company.products.set_index("sku")
    routes = company.routings.copy()
    routes["plant"] = routes["plant"].astype(str)
    routes["work_centre"] = routes["work_centre"].astype(str)
    skus = _made_products(products, kind, routes, company.items)
    demand = _planning_demand(company, version, window, skus, products)
    planned = set(demand["product"])
    skus = [s for s in skus if s in planned]
    routes = routes[routes["sku"].isin(skus)].rename(columns={"sku": "product"})
    production_cost = _production_cost(company, routes, products)
    params = company.planning_costs.set_index("parameter")["value"]
    holding_rate = float(params.get("holding_rate", 0.2))
    holding = (products.loc[skus, "standard_cost"].astype(float) * holding_rate / 12).rename(
        "holding_cost"
    )
    lanes = company.lanes.rename(columns={"region": "market", "cost_per_unit": "transport_cost"})
    lanes = lanes.assign(plant=lanes["plant"].astype(str), market=lanes["market"].astype(str))[
        ["plant", "market", "transport_cost"]
    ]
    bom, component_supply, component_cost = _materials(company, skus, component_supply)
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
        initial_inventory=_opening_stock(company, skus, production_cost),
        component_cost=component_cost,
    )


def _planning_demand(company, version: str, window: list, skus: list, products) -> pd.DataFrame:
    """The plan's units and mean net price by product, market and month of the window."""
    plan = company.sales_plan[company.sales_plan["version"] == version].copy()
    if plan.empty:
        raise ValueError(f"The sales plan has no version {version!r}.")
    plan["period"] = plan["month"].astype(str)
    plan = plan[plan["period"].isin(window)]
    if plan.empty:
        raise ValueError(f"The {version} plan has no months in {window[0]}..{window[-1]}.")
    plan = plan[plan["sku"].isin(skus) & (plan["plan_units"] > 0)]
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
    return demand.groupby(["product", "market", "period", "family"], as_index=False).agg(
        demand=("demand", "sum"), price=("price", "mean")
    )[["product", "market", "period", "demand", "price", "family"]]


def _production_cost(company, routes: pd.DataFrame, products) -> pd.DataFrame:
    """Material cost + routing hours x the plant's cost per hour, per product and plant."""
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
    return production_cost[["product", "plant", "unit_cost"]]


def _opening_stock(company, skus: list, production_cost: pd.DataFrame) -> pd.DataFrame:
    """Finished goods on hand at each plant that makes the product."""
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
    return initial.reset_index(drop=True)


def _materials(company, skus: list, component_supply):
    """The bill of materials limited to the supplied components, the supply and its cost
    (all ``None`` without ``component_supply``)."""
    if component_supply is None:
        return None, None, None
    require_columns(
        component_supply, ["component", "period", "quantity"], "component_supply", allow_empty=True
    )
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
    return bom, component_supply, component_cost


# -- management review ----------------------------------------------------------------


def management_review(
    company,
    *,
    year: int,
    targets: pd.DataFrame | None = None,
    months_of_cover: float = 6,
    tracking_limit: float = 4.0,
) -> ManagementReview:
    """Every table of a year's management review pack, computed from a company's data.

    The same steps as the Module 6 lesson, in one call (for the ``sopcourse cycle``
    report or a homework check): service from order lines due in ``year`` (open lines
    left out), working capital from the monthly financials, gross margin by family from
    sales at standard cost, turns / days of supply / GMROI, excess and obsolete stock at the
    inventory snapshot against the S&OP plan's next six months, plan (the ``budget``
    version of ``sales_plan``) vs actual with the price / volume / mix bridge by SKU,
    lag-1 consensus accuracy against orders, the tracking-signal exception list, the
    Pareto of units short by SKU and the forecast-error / supply-failure split by family.
    This function selects the year's tables; :func:`sopcourse.review_from_tables` computes the
    pack from them.

    Parameters
    ----------
    company : object
        Anything with the Tallridge tables as attributes (``sop.load_company()``):
        products, orders, sales, financials, sales_plan, forecast_snapshots, inventory.
    year : int
        The calendar year reviewed (it must have sales, financials and a budget).
    targets : DataFrame, optional
        Index = KPI names of :data:`sopcourse.DEFAULT_TARGETS`, columns ``target``,
        ``direction``, ``tolerance`` (default: :data:`sopcourse.DEFAULT_TARGETS`).
    months_of_cover : float
        Cover above which stock counts as excess.
    tracking_limit : float
        Tracking-signal limit of the exception list.

    Returns
    -------
    ManagementReview
        ``scorecard`` (rated KPIs), ``service`` (by region), ``working_capital``,
        ``margin_by_family``, ``inventory`` (turns, days of supply, GMROI),
        ``excess_obsolete`` (items with E&O stock), ``plan_vs_actual`` (by family),
        ``bridge`` (revenue), ``margin_bridge``, ``accuracy_by_lag``, ``bias``
        (family x quarter, lag 1), ``exceptions``, ``pareto_units_short`` and
        ``forecast_vs_supply`` (by family); ``review["scorecard"]`` works too.

    Examples
    --------
    >>> import sopcourse as sop
    >>> review = management_review(sop.load_company(), year=2025)
    >>> sorted(set(review.scorecard["status"])) <= ["amber", "green", "red"]
    True
    >>> b = review["bridge"]
    >>> bool(abs(b["plan"] + b["volume"] + b["mix"] + b["price"] - b["actual"]) < 1e-3)
    True
    """
    _require_tables(company, "management review")
    targets = check_targets(targets)
    return review_from_tables(
        **_year_tables(company, int(year)),
        stock=_review_stock(company),
        forecast_errors=_forecast_errors(company, int(year)),
        targets=targets,
        months_of_cover=months_of_cover,
        tracking_limit=tracking_limit,
    )


def _year_tables(company, year: int) -> dict:
    """The year's closed order lines, financials, sales and budget (none may be empty)."""
    products = company.products
    fin = company.financials[company.financials["month"].dt.year == year]
    plan = company.sales_plan
    budget = plan[(plan["version"] == "budget") & (plan["month"].dt.year == year)]
    orders = company.orders
    lines = orders[(orders["requested_date"].dt.year == year) & (orders["status"] != "open")]
    tables = {"sales": _year_sales(company, year), "financials": fin}
    for frame, what in (
        (tables["sales"], "sales"),
        (fin, "financials"),
        (budget, "sales_plan (budget)"),
        (lines, "orders"),
    ):
        if frame.empty:
            raise ValueError(f"{what} has no rows for {year}: pick a year with history.")
    budget = budget.merge(products[["sku", "family", "standard_cost"]], on="sku")
    tables["plan"] = budget.assign(
        units=budget["plan_units"],
        revenue=budget["plan_units"] * budget["plan_price"],
        margin=budget["plan_units"] * (budget["plan_price"] - budget["standard_cost"]),
    )
    return {"order_lines": lines, **tables}


def _year_sales(company, year: int) -> pd.DataFrame:
    """The year's sales with family, units, cost of goods sold at standard and margin."""
    products = company.products
    sales = company.sales[company.sales["month"].dt.year == year].merge(
        products[["sku", "family", "standard_cost"]], on="sku"
    )
    sales = sales.assign(
        cogs=sales["shipped_units"] * sales["standard_cost"],
        units=sales["shipped_units"],
    )
    sales["margin"] = sales["revenue"] - sales["cogs"]
    return sales


def _review_stock(company) -> pd.DataFrame:
    """Stock on hand per SKU against the S&OP plan's average of its first six months."""
    products = company.products
    plan_sop = company.sales_plan[company.sales_plan["version"] == "sop"]
    ahead = sorted(plan_sop["month"].unique())[:6]
    forward = plan_sop[plan_sop["month"].isin(ahead)].groupby("sku")["plan_units"].sum() / max(
        len(ahead), 1
    )
    stock = (
        company.inventory.groupby("item", as_index=False)["on_hand"]
        .sum()
        .rename(columns={"item": "sku"})
        .merge(products[["sku", "family", "standard_cost", "status"]], on="sku")
    )
    stock["forward_monthly_demand"] = stock["sku"].map(forward).fillna(0.0)
    stock["end_of_life"] = stock["status"].astype(str).isin(["end_of_life", "discontinued"])
    return stock


def _forecast_errors(company, year: int) -> pd.DataFrame:
    """The forecast snapshots of target months in ``year`` joined to orders and shipments."""
    demand = company.sales[["month", "sku", "region", "ordered_units", "shipped_units"]].rename(
        columns={"month": "target_month"}
    )
    errors = company.forecast_snapshots.merge(demand, on=["target_month", "sku", "region"])
    errors = errors[errors["target_month"].dt.year == year].merge(
        company.products[["sku", "family"]], on="sku"
    )
    if errors.empty:
        raise ValueError(f"forecast_snapshots has no target months in {year}.")
    return errors
