"""The schema of the Tallridge Cycles tables: one place for validation, loading and the docs.

Each :class:`Table` lists its columns (name, type, unit, meaning), its primary key and its
foreign keys. :mod:`sopcourse.datasets.validate` checks files against it,
:mod:`sopcourse.datasets.load` types the columns with it, and ``datasets/README.md`` is
written from it (:func:`data_dictionary_markdown`, :func:`join_diagram_mermaid`; the file is
rewritten by :func:`sopcourse.datasets.commands.update_readme`).

Column types (``dtype``):

- ``str``: text identifier or name; ``category``: one of a set of values (loaded as
  pandas ``category``), closed or open (below);
- ``int``: whole number; ``float``: decimal number (written with 4 decimals);
  ``money``: an amount in the data's currency (Tallridge: EUR; written with 2 decimals);
- ``month``: ``YYYY-MM`` (loaded as ``pandas.Period[M]``); ``date``: ``YYYY-MM-DD``
  (loaded as ``Timestamp``); ``bool``: ``0`` or ``1`` (loaded as bool).

The pandas dtype each type is loaded as (:data:`LOADED_DTYPES`) and the typing of a
column and a table (:func:`coerce_column`, :func:`coerce_table`: for files and generated
tables alike) are defined here; what a cell of each type may hold as text is defined
once, in :mod:`sopcourse.datasets.parse`, for validation and loading alike.

Closed and open categories. The model is general, Tallridge is one instance of it: a
company's own vocabularies are *open* columns (``defined_by`` names the table and column
that define the list): the product families and kinds (``products.family``,
``products.kind``), the sales channels and customer classes (``customers.channel``,
``customers.customer_class``) and the work centres (``work_centres.work_centre``). The
defining column takes any non-empty text; the other columns of the vocabulary
(``promotions.family``, ``pipeline.family``, ``npi.cannibalised_family``,
``targets.family``, ``routings.work_centre``) must use a value of the defining table
(:func:`sopcourse.datasets.validate_data` reports every other one), or anything when that
table is not in the folder. Loaded, an open column is ``category`` with the categories of
the defining column (:func:`open_categories`): the values of the schema's list (Tallridge's
vocabulary, ``categories``) in its order, then the company's own in the order of first
appearance; so Tallridge loads as before, a valve maker gets ``valves``, ``actuators``.

The other category columns are *closed*: the methods branch on their values, so only the
listed ones are allowed: product ``status`` (``new`` and ``end_of_life`` drive the
lifecycle forecasts), ``items.item_type`` and ``make_or_buy`` (MRP plans made and bought
items differently), ``sales_plan.version`` (``budget`` vs ``sop`` plans), pipeline
``stage`` and ``status`` (probabilities per stage; open vs closed deals), ``npi.status``,
``orders.status`` (fill rates count ``shipped``/``partial``/``cut``/``open``) and
``promotions.kind`` (a ``promotion`` cuts the price, an ``event`` or ``launch`` does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .._checks import require_columns

__all__ = [
    "Column",
    "Table",
    "SCHEMA",
    "HISTORY_START",
    "HISTORY_END",
    "PLANNING_MONTH",
    "PLAN_END",
    "REQUIRED_TABLES",
    "LOADED_DTYPES",
    "DECIMALS",
    "coerce_column",
    "coerce_table",
    "open_categories",
    "align_vocabularies",
    "data_dictionary_markdown",
    "join_diagram_mermaid",
]

HISTORY_START = "2022-01"
HISTORY_END = "2025-12"
PLANNING_MONTH = "2026-01"
PLAN_END = "2027-06"

FAMILIES = ["road", "mountain", "city", "ebike", "parts", "accessories"]
KINDS = ["bike", "part", "accessory"]
STATUSES = ["active", "new", "end_of_life", "discontinued", "planned"]
WORK_CENTRES = ["welding", "painting", "wheel_building", "assembly", "battery_fitting"]
STAGES = ["prospect", "qualify", "propose", "negotiate", "commit"]

DTYPES = {"str", "category", "int", "float", "money", "month", "date", "bool"}


@dataclass(frozen=True)
class Column:
    """One column: name, type, unit and meaning; optional bounds and allowed values."""

    name: str
    dtype: str
    unit: str
    description: str
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    categories: tuple[str, ...] | None = None
    #: for an open category column: (table, column) whose values are the company's list
    defined_by: tuple[str, str] | None = None

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"unknown dtype {self.dtype!r} for column {self.name!r}")
        if self.defined_by is not None and self.dtype != "category":
            raise ValueError(f"only a category column can be open, not {self.name!r}")

    @property
    def open(self) -> bool:
        """True for a company vocabulary (any values, defined by ``defined_by``)."""
        return self.defined_by is not None


@dataclass(frozen=True)
class Table:
    """One table (one CSV file): its grain, columns, primary key and foreign keys."""

    name: str
    grain: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name, dtype, unit, description, **kw) -> Column:
    if "categories" in kw and kw["categories"] is not None:
        kw["categories"] = tuple(kw["categories"])
    if kw.get("defined_by") is not None:
        kw["defined_by"] = tuple(kw["defined_by"])
    return Column(name, dtype, unit, description, **kw)


_FAMILY = ("products", "family")
_WC = ("work_centres", "work_centre")
_MONEY0 = {"min": 0}
_QTY = {"min": 0}
_FRACTION = {"min": 0, "max": 1}

SCHEMA: dict[str, Table] = {}


def _table(name, grain, description, columns, key, foreign_keys=()):
    SCHEMA[name] = Table(name, grain, description, tuple(columns), tuple(key), tuple(foreign_keys))


# --------------------------------------------------------------------------- demand side
_table(
    "products",
    "one row per saleable SKU (Tallridge: bicycles, spare parts, accessories)",
    "The product master: family, lifecycle and standard cost (material + labour + overhead).",
    [
        _c("sku", "str", "-", "Stock-keeping unit code, e.g. RD-300"),
        _c("name", "str", "-", "Product name"),
        _c("family", "category", "-", "Planning family", categories=FAMILIES, defined_by=_FAMILY),
        _c(
            "kind",
            "category",
            "-",
            "Kind of product",
            categories=KINDS,
            defined_by=("products", "kind"),
        ),
        _c("list_price", "money", "EUR/unit", "List price (Tallridge: 2025 list)", min=0.01),
        _c(
            "material_cost",
            "money",
            "EUR/unit",
            "Material cost: BOM roll-up of bought items",
            **_MONEY0,
        ),
        _c(
            "labour_cost",
            "money",
            "EUR/unit",
            "Routing hours x cost per hour at the main plant",
            **_MONEY0,
        ),
        _c(
            "overhead_cost", "money", "EUR/unit", "Overhead: overhead_rate x labour cost", **_MONEY0
        ),
        _c("standard_cost", "money", "EUR/unit", "material + labour + overhead cost", **_MONEY0),
        _c(
            "status", "category", "-", "Lifecycle status in the planning month", categories=STATUSES
        ),
        _c("launch_month", "month", "month", "First month on sale"),
        _c(
            "end_of_life_month",
            "month",
            "month",
            "Last month on sale (empty: none planned)",
            nullable=True,
        ),
    ],
    ["sku"],
    [("sku", "items", "item")],
)
_table(
    "regions",
    "one row per market",
    "The sales markets (Tallridge: four); all amounts in one currency (Tallridge: EUR).",
    [
        _c("region", "str", "-", "Market code"),
        _c("name", "str", "-", "Market name"),
        _c("currency", "str", "-", "Currency, one for all markets (Tallridge: EUR)"),
        _c(
            "payment_terms_days",
            "int",
            "days",
            "Customer payment terms (drives receivables / DSO)",
            min=0,
            max=120,
        ),
        _c(
            "regional_discount",
            "float",
            "fraction",
            "Usual discount off list price in this market",
            **_FRACTION,
        ),
    ],
    ["region"],
)
_table(
    "customers",
    "one row per customer account",
    "Dealers, online retailers and key accounts, classed A/B/C by revenue.",
    [
        _c("customer", "str", "-", "Customer code"),
        _c("name", "str", "-", "Customer name"),
        _c("region", "str", "-", "Market of the customer"),
        _c(
            "channel",
            "category",
            "-",
            "Sales channel",
            categories=["dealer", "online", "key_account"],
            defined_by=("customers", "channel"),
        ),
        _c(
            "customer_class",
            "category",
            "-",
            "Customer class (A: the largest)",
            categories=["A", "B", "C"],
            defined_by=("customers", "customer_class"),
        ),
    ],
    ["customer"],
    [("region", "regions", "region")],
)
_table(
    "sales",
    "one row per SKU, market and month on sale (Tallridge: 2022-01..2025-12)",
    "Monthly sales history: units ordered (demand) and shipped, net price and revenue.",
    [
        _c("month", "month", "month", "Calendar month"),
        _c("sku", "str", "-", "Product"),
        _c("region", "str", "-", "Market"),
        _c(
            "ordered_units",
            "int",
            "units",
            "Units customers asked for in the month (unconstrained demand)",
            **_QTY,
        ),
        _c(
            "shipped_units",
            "int",
            "units",
            "Units shipped against them (below ordered when supply was short)",
            **_QTY,
        ),
        _c("net_price", "money", "EUR/unit", "Average net price after discounts", min=0.01),
        _c("revenue", "money", "EUR", "shipped_units x net_price (the average price)", **_MONEY0),
        _c(
            "promo",
            "bool",
            "0/1",
            "1 if a price promotion ran for this SKU and market in the month",
        ),
    ],
    ["month", "sku", "region"],
    [("sku", "products", "sku"), ("region", "regions", "region")],
)
_table(
    "promotions",
    "one row per promotion or event and market",
    "Price promotions, trade events and launch campaigns, past and planned.",
    [
        _c("promo_id", "str", "-", "Promotion code"),
        _c(
            "kind",
            "category",
            "-",
            "promotion (price cut), event or launch",
            categories=["promotion", "event", "launch"],
        ),
        _c("family", "category", "-", "Family concerned", categories=FAMILIES, defined_by=_FAMILY),
        _c("sku", "str", "-", "SKU concerned (empty: every SKU of the family)", nullable=True),
        _c("region", "str", "-", "Market"),
        _c("start_month", "month", "month", "First month"),
        _c("end_month", "month", "month", "Last month (inclusive)"),
        _c(
            "discount",
            "float",
            "fraction",
            "Price cut off the net price (0 for events and launches)",
            **_FRACTION,
        ),
        _c("description", "str", "-", "What it is"),
    ],
    ["promo_id", "region"],
    [("sku", "products", "sku"), ("region", "regions", "region")],
)
_table(
    "orders",
    "one row per customer order line (one SKU)",
    "Customer order lines with requested and shipped dates and quantities; "
    "open orders (not yet shipped) for 2026-01..2026-03.",
    [
        _c("order_id", "str", "-", "Order line code"),
        _c("customer", "str", "-", "Customer"),
        _c("sku", "str", "-", "Product"),
        _c("region", "str", "-", "Market (the customer's)"),
        _c("order_date", "date", "date", "Date the order was placed"),
        _c("requested_date", "date", "date", "Delivery date the customer asked for"),
        _c("requested_units", "int", "units", "Units ordered", min=1),
        _c(
            "shipped_date",
            "date",
            "date",
            "Date shipped (empty: nothing shipped yet or cut)",
            nullable=True,
        ),
        _c("shipped_units", "int", "units", "Units shipped (0 for open or cut lines)", **_QTY),
        _c(
            "status",
            "category",
            "-",
            "shipped, partial, cut (nothing shipped) or open",
            categories=["shipped", "partial", "cut", "open"],
        ),
    ],
    ["order_id"],
    [
        ("customer", "customers", "customer"),
        ("sku", "products", "sku"),
        ("region", "regions", "region"),
    ],
)
_table(
    "forecast_snapshots",
    "one row per SKU, market, target month and lag (target months 2024-07..2025-12)",
    "Forecasts recorded 1, 2 and 3 months before each target month: the naive and statistical "
    "forecasts, the sales, marketing and operations inputs and the consensus.",
    [
        _c("snapshot_month", "month", "month", "Month the forecast was made (target_month - lag)"),
        _c("target_month", "month", "month", "Month forecast"),
        _c("lag", "int", "months", "target_month - snapshot_month (1, 2 or 3)", min=1, max=3),
        _c("sku", "str", "-", "Product"),
        _c("region", "str", "-", "Market"),
        _c(
            "naive",
            "int",
            "units",
            "Naive forecast: ordered units of the month before snapshot_month",
            **_QTY,
        ),
        _c("statistical", "int", "units", "Statistical forecast (knows no promotions)", **_QTY),
        _c("sales_input", "int", "units", "Sales team input", **_QTY),
        _c("marketing_input", "int", "units", "Marketing input (knows the promotions)", **_QTY),
        _c("operations_input", "int", "units", "Operations input", **_QTY),
        _c("consensus", "int", "units", "Consensus agreed in the demand review", **_QTY),
    ],
    ["target_month", "lag", "sku", "region"],
    [("sku", "products", "sku"), ("region", "regions", "region")],
)
_table(
    "pipeline",
    "one row per sales opportunity (fleet and dealer deals)",
    "Opportunity pipeline with stage and stated probability; closed ones have their outcome.",
    [
        _c("opportunity_id", "str", "-", "Opportunity code"),
        _c("customer", "str", "-", "Account"),
        _c("family", "category", "-", "Family", categories=FAMILIES, defined_by=_FAMILY),
        _c("sku", "str", "-", "Product"),
        _c("units", "int", "units", "Quantity of the deal", min=1),
        _c("value", "money", "EUR", "Deal value", **_MONEY0),
        _c(
            "stage",
            "category",
            "-",
            "Sales stage (for closed ones: the last stage before closing)",
            categories=STAGES,
        ),
        _c(
            "stage_probability",
            "float",
            "fraction",
            "Win probability the CRM states for the stage",
            **_FRACTION,
        ),
        _c("created_month", "month", "month", "Month the opportunity was opened"),
        _c("expected_close_month", "month", "month", "Month it is expected to close"),
        _c("status", "category", "-", "open, won or lost", categories=["open", "won", "lost"]),
        _c("close_month", "month", "month", "Month it closed (empty while open)", nullable=True),
    ],
    ["opportunity_id"],
    [("customer", "customers", "customer"), ("sku", "products", "sku")],
)
_table(
    "npi",
    "one row per new product introduction (past and planned)",
    "Launch plans with a like-item reference and the Bass ramp parameters.",
    [
        _c("sku", "str", "-", "New product"),
        _c(
            "like_item_sku",
            "str",
            "-",
            "Existing product used as the like item (empty: none)",
            nullable=True,
        ),
        _c("launch_month", "month", "month", "Launch month"),
        _c(
            "expected_peak_units",
            "int",
            "units/month",
            "Expected monthly units at maturity, all markets",
            min=1,
        ),
        _c("bass_p", "float", "1/month", "Bass innovation coefficient of the ramp", min=0, max=1),
        _c("bass_q", "float", "1/month", "Bass imitation coefficient of the ramp", min=0, max=1),
        _c("months_to_peak", "int", "months", "Months until 90 % of the peak rate", min=1),
        _c(
            "cannibalised_family",
            "category",
            "-",
            "Family losing sales to it (empty: none)",
            categories=FAMILIES,
            defined_by=_FAMILY,
            nullable=True,
        ),
        _c(
            "cannibalisation_rate",
            "float",
            "fraction",
            "Share of the new units taken from that family",
            **_FRACTION,
        ),
        _c("status", "category", "-", "launched or planned", categories=["launched", "planned"]),
    ],
    ["sku"],
    [("sku", "products", "sku"), ("like_item_sku", "products", "sku")],
)
_table(
    "targets",
    "one row per year, family and market (2022..2027)",
    "Corporate goals: annual revenue and gross-margin targets.",
    [
        _c("year", "int", "year", "Calendar year", min=2000, max=2100),
        _c("family", "category", "-", "Family", categories=FAMILIES, defined_by=_FAMILY),
        _c("region", "str", "-", "Market"),
        _c("revenue_target", "money", "EUR", "Revenue goal for the year", **_MONEY0),
        _c(
            "gross_margin_target",
            "float",
            "fraction",
            "Gross-margin goal (gross margin / revenue)",
            min=-1,
            max=1,
        ),
    ],
    ["year", "family", "region"],
    [("region", "regions", "region")],
)
_table(
    "sales_plan",
    "one row per plan version, month, SKU and market",
    "The annual budgets (version budget: 2024, 2025, 2026) and the current S&OP plan "
    "(version sop: 2026-01..2027-06): planned units and net price.",
    [
        _c("version", "category", "-", "budget or sop", categories=["budget", "sop"]),
        _c("month", "month", "month", "Month"),
        _c("sku", "str", "-", "Product"),
        _c("region", "str", "-", "Market"),
        _c("plan_units", "int", "units", "Planned units", **_QTY),
        _c("plan_price", "money", "EUR/unit", "Planned net price", min=0.01),
    ],
    ["version", "month", "sku", "region"],
    [("sku", "products", "sku"), ("region", "regions", "region")],
)
# --------------------------------------------------------------------------- supply side
_table(
    "plants",
    "one row per plant",
    "The two assembly plants.",
    [
        _c("plant", "str", "-", "Plant code"),
        _c("name", "str", "-", "Plant name"),
        _c("country", "str", "-", "Country"),
    ],
    ["plant"],
)
_table(
    "work_centres",
    "one row per plant and work centre",
    "Work centres with the inputs of available capacity and their costs.",
    [
        _c("plant", "str", "-", "Plant"),
        _c("work_centre", "category", "-", "Work centre", categories=WORK_CENTRES, defined_by=_WC),
        _c("units", "int", "stations", "Parallel machines or stations", min=1),
        _c("shifts", "int", "shifts/day", "Shifts per day", min=1, max=3),
        _c("hours_per_shift", "float", "h", "Hours per shift", min=0.01, max=24),
        _c("days_per_month", "float", "days", "Working days per month", min=0.01, max=31),
        _c(
            "utilisation",
            "float",
            "fraction",
            "Share of scheduled time actually worked",
            **_FRACTION,
        ),
        _c(
            "efficiency",
            "float",
            "fraction",
            "Standard hours produced per hour worked",
            min=0,
            max=1.5,
        ),
        _c("cost_per_hour", "money", "EUR/h", "Regular cost per hour", **_MONEY0),
        _c("overtime_cost_per_hour", "money", "EUR/h", "Overtime cost per hour", **_MONEY0),
        _c("max_overtime_hours", "float", "h/month", "Overtime hours available per month", min=0),
    ],
    ["plant", "work_centre"],
    [("plant", "plants", "plant")],
)
_table(
    "routings",
    "one row per SKU, plant and work centre",
    "Standard hours per unit at each work centre, and when they fall before completion.",
    [
        _c("sku", "str", "-", "Product made"),
        _c("plant", "str", "-", "Plant"),
        _c("work_centre", "category", "-", "Work centre", categories=WORK_CENTRES, defined_by=_WC),
        _c("hours_per_unit", "float", "h/unit", "Standard hours per unit", min=0),
        _c(
            "offset_months",
            "int",
            "months",
            "Months before completion the hours are needed (resource profile offset)",
            min=0,
            max=6,
        ),
    ],
    ["sku", "plant", "work_centre"],
    [
        ("sku", "products", "sku"),
        ("plant", "plants", "plant"),
        ("plant,work_centre", "work_centres", "plant,work_centre"),
    ],
)
_table(
    "items",
    "one row per item: finished goods, sub-assemblies and bought components",
    "The item master for MRP: make or buy, supplier, lead time and its variability, MOQ, cost.",
    [
        _c("item", "str", "-", "Item code (finished goods use their SKU)"),
        _c("description", "str", "-", "Description"),
        _c(
            "item_type",
            "category",
            "-",
            "finished_good, subassembly, component or merchandise (bought for resale)",
            categories=["finished_good", "subassembly", "component", "merchandise"],
        ),
        _c("make_or_buy", "category", "-", "make or buy", categories=["make", "buy"]),
        _c("supplier", "str", "-", "Supplier (empty for made items)", nullable=True),
        _c("lead_time", "int", "months", "Planned lead time", min=0, max=12),
        _c("lead_time_sd", "float", "months", "Standard deviation of the lead time", min=0),
        _c("min_order_qty", "int", "units", "Minimum order or batch quantity", min=1),
        _c(
            "unit_cost",
            "money",
            "EUR/unit",
            "Standard cost (made sub-assemblies: material content)",
            **_MONEY0,
        ),
    ],
    ["item"],
)
_table(
    "bom",
    "one row per parent and component (single-level links of a multi-level BOM)",
    "Bill of materials: bicycle -> frame, wheelset, drivetrain, (battery, motor) ...; "
    "frame -> tubeset, paint; wheelset -> rims, hubs, spokes, tyres.",
    [
        _c("parent", "str", "-", "Parent item"),
        _c("component", "str", "-", "Component item"),
        _c(
            "quantity",
            "float",
            "units per parent",
            "Quantity of the component per parent",
            min=0.0001,
        ),
    ],
    ["parent", "component"],
    [("parent", "items", "item"), ("component", "items", "item")],
)
_table(
    "inventory",
    "one row per item and plant, at the start of the planning month 2026-01",
    "On-hand stock and safety stock.",
    [
        _c("item", "str", "-", "Item"),
        _c("plant", "str", "-", "Plant"),
        _c("on_hand", "int", "units", "Units on hand", **_QTY),
        _c("safety_stock", "int", "units", "Safety stock target", **_QTY),
    ],
    ["item", "plant"],
    [("item", "items", "item"), ("plant", "plants", "plant")],
)
_table(
    "scheduled_receipts",
    "one row per open purchase or production order",
    "Open orders already released, due in 2026-01..2026-03.",
    [
        _c("item", "str", "-", "Item"),
        _c("plant", "str", "-", "Receiving plant"),
        _c("due_month", "month", "month", "Month due"),
        _c("quantity", "int", "units", "Quantity due", min=1),
    ],
    ["item", "plant", "due_month"],
    [("item", "items", "item"), ("plant", "plants", "plant")],
)
_table(
    "planning_costs",
    "one row per cost or planning parameter",
    "Cost parameters; the names match the arguments of sop.aggregate_plan where they can.",
    [
        _c("parameter", "str", "-", "Parameter name"),
        _c("value", "float", "see unit", "Value", min=0),
        _c("unit", "str", "-", "Unit"),
        _c("description", "str", "-", "Meaning"),
    ],
    ["parameter"],
)
_table(
    "lanes",
    "one row per plant and market",
    "Shipping lanes from plants to markets.",
    [
        _c("plant", "str", "-", "Plant"),
        _c("region", "str", "-", "Market"),
        _c("cost_per_unit", "money", "EUR/unit", "Freight cost per bicycle", **_MONEY0),
        _c("transit_days", "int", "days", "Transit time", min=0),
        _c(
            "transit_months",
            "int",
            "months",
            "Transit time in monthly buckets (0: arrives in the month shipped)",
            min=0,
            max=3,
        ),
    ],
    ["plant", "region"],
    [("plant", "plants", "plant"), ("region", "regions", "region")],
)
# --------------------------------------------------------------------------- finance
_FIN = [
    _c("month", "month", "month", "Month"),
    _c("revenue", "money", "EUR", "Revenue", **_MONEY0),
    _c("cogs", "money", "EUR", "Cost of goods sold at standard cost", **_MONEY0),
    _c("gross_margin", "money", "EUR", "revenue - cogs"),
    _c("inventory_value", "money", "EUR", "Inventory at standard cost, month end", **_MONEY0),
    _c("receivables", "money", "EUR", "Accounts receivable, month end", **_MONEY0),
    _c("payables", "money", "EUR", "Accounts payable, month end", **_MONEY0),
]
_table(
    "financials",
    "one row per month of history (2022-01..2025-12)",
    "Actual monthly P&L and working-capital lines, built from the sales and cost tables.",
    _FIN,
    ["month"],
)
_table(
    "budget",
    "one row per month of the budget years (2024-01..2026-12)",
    "The annual plan for the same lines, built from sales_plan version budget.",
    _FIN,
    ["month"],
)

REQUIRED_TABLES = ("products", "sales")  # regions: derived from sales when left out


# --------------------------------------------------------------------------- typing
#: The pandas dtype of each schema type once loaded (``str(series.dtype)``).
LOADED_DTYPES = {
    "str": "str",
    "category": "category",
    "int": "int64",
    "float": "float64",
    "money": "float64",
    "month": "period[M]",
    "date": "datetime64[ns]",
    "bool": "bool",
}

#: The decimals a ``float`` and a ``money`` value are kept (and written) with.
DECIMALS = {"float": 4, "money": 2}


def open_categories(col: Column, values) -> list[str]:
    """The categories of an open column holding ``values``: those of the schema's list
    (Tallridge's vocabulary) in its order, then the others in the order of first appearance.

    Examples
    --------
    >>> open_categories(SCHEMA["products"].column("family"), ["valves", "actuators", "valves"])
    ['valves', 'actuators']
    >>> open_categories(SCHEMA["customers"].column("channel"), ["online", "dealer"])
    ['dealer', 'online']
    """
    seen = list(dict.fromkeys(v for v in values if isinstance(v, str) and v != ""))
    listed = [c for c in (col.categories or ()) if c in set(seen)]
    return listed + [v for v in seen if v not in set(listed)]


def align_vocabularies(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Give every open column the categories of its defining column (when that table is
    among ``tables``; values not in it, if any, kept after them). Returns ``tables``,
    changed in place.

    Examples
    --------
    >>> families = pd.Categorical(["valves", "actuators"], categories=["valves", "actuators"])
    >>> tables = {"products": pd.DataFrame({"family": families}),
    ...           "promotions": pd.DataFrame({"family": pd.Categorical(["actuators"])})}
    >>> list(align_vocabularies(tables)["promotions"]["family"].cat.categories)
    ['valves', 'actuators']
    """
    for name, df in tables.items():
        if df is None:
            continue
        for col in SCHEMA[name].columns:
            if not col.open or col.defined_by == (name, col.name) or col.name not in df:
                continue
            ref_table, ref_col = col.defined_by
            ref = tables.get(ref_table)
            if ref is None or ref_col not in ref:
                continue
            cats = list(ref[ref_col].cat.categories)
            own = df[col.name].astype(object)
            extra = [v for v in open_categories(col, own) if v not in set(cats)]
            df[col.name] = pd.Series(
                pd.Categorical(own.where(own.notna()), categories=cats + extra),
                index=df.index,
                name=col.name,
            )
    return tables


def coerce_column(col: Column, s: pd.Series, categories=None) -> pd.Series:
    """Type one column as the schema says; ``s`` holds values that fit the type
    (missing ones as NaN/None), as :func:`~sopcourse.datasets.parse.parse_column` leaves
    them or a generator makes them. Returns a Series on the same index. An open
    category column gets ``categories`` if given, else :func:`open_categories` of ``s``.

    Examples
    --------
    >>> coerce_column(SCHEMA["sales"].column("month"), pd.Series(["2024-01"])).dtype
    period[M]
    """
    if col.dtype == "str":
        out = s.astype("str").where(s.notna()) if col.nullable else s.astype("str")
    elif col.dtype == "category":
        if categories is None:
            categories = open_categories(col, s) if col.open else list(col.categories)
        out = pd.Categorical(s.where(s.notna()), categories=list(categories))
    elif col.dtype == "int":
        out = pd.to_numeric(s).astype("int64")
    elif col.dtype in DECIMALS:
        out = pd.to_numeric(s).astype("float64").round(DECIMALS[col.dtype]) + 0.0  # no -0.0
    elif col.dtype == "month":
        if isinstance(s.dtype, pd.PeriodDtype):
            out = s
        else:
            out = pd.to_datetime(s, format="%Y-%m").dt.to_period("M")
    elif col.dtype == "date":
        out = pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[ns]")
    else:  # bool
        out = s.astype("int64").astype(bool) if s.dtype != bool else s
    return pd.Series(out, index=s.index, name=col.name)


def coerce_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Type the columns of a table as the schema says (also used for generated tables).

    Examples
    --------
    >>> raw = pd.DataFrame({"plant": ["P1"], "name": ["Apeldoorn"], "country": ["NL"]})
    >>> coerce_table("plants", raw).dtypes.astype(str).tolist()
    ['str', 'str', 'str']
    """
    table = SCHEMA[name]
    require_columns(df, table.column_names, f"the {name} table", allow_empty=True)
    out = {c.name: coerce_column(c, df[c.name]).reset_index(drop=True) for c in table.columns}
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def data_dictionary_markdown() -> str:
    """The column-by-column data dictionary as Markdown (one section per table).

    Examples
    --------
    >>> md = data_dictionary_markdown()
    >>> "### sales" in md and "| shipped_units | int | units |" in md
    True
    """
    out = [
        "Types: `str` text code or name; `category` one of the listed values, or of your "
        "company's own values where the column says so; `int` whole "
        "number; `float` decimal (4 decimals in the file); `money` EUR amount (2 decimals); "
        "`month` YYYY-MM (`Period[M]` once loaded); `date` YYYY-MM-DD (`Timestamp`); "
        "`bool` 0 or 1. The key identifies a row; joins name the table a column refers "
        "to.\n\n"
    ]
    for t in SCHEMA.values():
        out.append(f"### {t.name}\n\n")
        out.append(f"`{t.file}`: {t.description} Grain: {t.grain}.\n\n")
        out.append(f"Key: `{', '.join(t.key)}`.")
        if t.foreign_keys:
            fks = "; ".join(f"`{c}` -> `{rt}.{rc}`" for c, rt, rc in t.foreign_keys)
            out.append(f" Joins: {fks}.")
        out.append("\n\n| column | type | unit | meaning |\n|---|---|---|---|\n")
        for c in t.columns:
            extra = []
            if c.open:
                extra.append(_open_wording(t.name, c))
            elif c.categories:
                extra.append("one of " + ", ".join(f"`{v}`" for v in c.categories))
            if c.nullable:
                extra.append("may be empty")
            desc = c.description + (f" ({'; '.join(extra)})" if extra else "")
            out.append(f"| {c.name} | {c.dtype} | {c.unit} | {desc} |\n")
        out.append("\n")
    return "".join(out)


def _open_wording(table: str, c: Column) -> str:
    """What an open column allows, for the data dictionary and the template."""
    ref_table, ref_col = c.defined_by
    example = ", ".join(f"`{v}`" for v in c.categories or ())
    if (table, c.name) == c.defined_by:
        return (
            f"your company's own values, any text; this column defines the list; "
            f"Tallridge: {example}"
        )
    return (
        f"one of your company's values, as listed in `{ref_table}.csv` column `{ref_col}`; "
        f"Tallridge: {example}"
    )


def join_diagram_mermaid() -> str:
    """A mermaid ``erDiagram`` of the foreign keys (how the tables join).

    Examples
    --------
    >>> print(join_diagram_mermaid().splitlines()[1])
    erDiagram
    """
    out = ["```mermaid", "erDiagram"]
    for t in SCHEMA.values():
        for cols, ref, ref_cols in t.foreign_keys:
            label = cols if cols == ref_cols else f"{cols} = {ref_cols}"
            many = "o|" if tuple(cols.split(",")) == t.key else "o{"
            out.append(f'    {ref} ||--{many} {t.name} : "{label}"')
    out.append("```")
    return "\n".join(out) + "\n"
