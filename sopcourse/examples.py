"""Textbook instances as data: the published worked examples the course is checked against.

Each function returns a fresh :class:`Example`: the instance's data (new pandas objects
on every call, so a caller that changes its copy cannot change anyone else's), its
citation, and the published answer (the book's numbers, never this package's output).
The data keys are the argument names of the ``sopcourse`` function that solves the
instance where one fits, so ``sop.working_capital_days(**ex.data)`` reads like the book.
:func:`catalogue` lists every instance with its citation and where the course uses it.

>>> import sopcourse as sop
>>> w = sop.examples.wyndor()
>>> w.margin.to_dict()
{'doors': 3.0, 'windows': 5.0}
>>> w.published["profit"]
36.0
>>> w.margin["doors"] = 99.0  # a caller's change ...
>>> float(sop.examples.wyndor().margin["doors"])  # ... does not reach the next caller
3.0
>>> w = sop.examples.wyndor()
>>> res = sop.product_mix(w.margin, w.usage, w.capacity)
>>> res.profit == w.published["profit"]
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

__all__: list[str] = []  # used as ``sop.examples.<name>()``; nothing is re-exported

# -- the books, cited once --------------------------------------------------------------
HILLIER_LIEBERMAN = (
    "Hillier, F. S. & Lieberman, G. J., Introduction to Operations Research, 9th ed. "
    "(McGraw-Hill, 2010)"
)
GOLDRATT = "Goldratt, E. M., The Haystack Syndrome (North River Press, 1990)"
WINSTON = "Winston, W. L., Operations Research: Applications and Algorithms, 4th ed."
HEIZER_RENDER = "Heizer, J. & Render, B., Operations Management (Pearson)"
STEVENSON = "Stevenson, W. J., Operations Management"
SNYDER_SHEN = (
    "Snyder, L. V. & Shen, Z.-J. M., Fundamentals of Supply Chain Theory, 2nd ed. (Wiley, 2019)"
)
CHOPRA_MEINDL = "Chopra, S. & Meindl, P., Supply Chain Management"
ROSS_WESTERFIELD_JORDAN = (
    "Ross, S. A., Westerfield, R. W. & Jordan, B. D., Fundamentals of Corporate Finance"
)
HORNGREN_14 = (
    "Horngren, C. T., Datar, S. M. & Rajan, M. V., Cost Accounting: A Managerial Emphasis, 14th ed."
)
HORNGREN_13 = (
    "Horngren, C. T., Datar, S. M., Foster, G., Rajan, M. V. & Ittner, C., Cost Accounting: "
    "A Managerial Emphasis, 13th ed."
)
NAHMIAS = "Nahmias, S., Production and Operations Analysis"
VOLLMANN = (
    "Vollmann, T. E., Berry, W. L., Whybark, D. C. & Jacobs, F. R., Manufacturing Planning "
    "and Control for Supply Chain Management, 5th ed. (McGraw-Hill, 2005)"
)
BASS_CLASS = (
    'in-class exercise of the course "Data Analysis for Brand Management" (2.555A, Module 1)'
)


@dataclass(frozen=True, eq=False)
class Example:
    """One published instance: its data, where it comes from and the published answer.

    ``name`` is the function that returns it (``sop.examples.<name>()``); ``citation``
    gives author, title, edition, chapter / example / problem and page where known;
    ``data`` (read-only; each also an attribute, ``ex.margin``) holds the inputs and
    ``published`` (read-only) the answers printed in the source, which the tests check;
    ``used_in`` names the tests, lessons and docstrings that use or copy the instance
    (given as a tuple or one comma-separated string).
    """

    name: str
    title: str
    citation: str
    data: Mapping[str, Any]
    published: Mapping[str, Any]
    used_in: tuple[str, ...] = ()

    def __post_init__(self):
        if isinstance(self.used_in, str):
            object.__setattr__(self, "used_in", tuple(self.used_in.split(", ")))
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))
        object.__setattr__(self, "published", MappingProxyType(dict(self.published)))

    def __getattr__(self, key: str):
        data = self.__dict__.get("data", {})
        if key in data:
            return data[key]
        raise AttributeError(
            f"example {self.__dict__.get('name', '?')!r} has no field {key!r}; "
            f"its data are {sorted(data)} (and .published, .citation)."
        )

    @property
    def modules(self) -> tuple[str, ...]:
        """The ``sopcourse`` modules it exercises: those of its tests and docstrings."""
        names = [
            u[len("tests/test_") : -3] if u.startswith("tests/") else u.split(".")[0]
            for u in self.used_in
            if not u.startswith("notebooks/")
        ]
        return tuple(dict.fromkeys(names))

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.__dict__.get("data", {})))

    def __repr__(self) -> str:
        return f"<Example {self.name}: {self.title}; data {', '.join(self.data)}>"


_REGISTRY: dict[str, Callable[[], Example]] = {}


def _example(func: Callable[[], Example]) -> Callable[[], Example]:
    _REGISTRY[func.__name__] = func
    return func


def get(name: str) -> Example:
    """The instance called ``name`` (as listed by :func:`catalogue`).

    >>> get("goldratt_pq").operating_expense
    6000.0
    """
    if name not in _REGISTRY:
        raise ValueError(f"no textbook example {name!r}; the examples are {sorted(_REGISTRY)}.")
    return _REGISTRY[name]()


def catalogue() -> pd.DataFrame:
    """Every instance: ``name``, ``title``, ``citation``, ``modules`` and ``used_in``.

    >>> cat = catalogue()
    >>> cat.loc["wyndor", "modules"]
    'optimize, scenarios'
    >>> cat.loc["port_of_baltimore", "citation"][:28]
    'Heizer, J. & Render, B., Ope'
    """
    examples = {name: func() for name, func in _REGISTRY.items()}
    rows = [
        (ex.title, ex.citation, ", ".join(ex.modules), ", ".join(ex.used_in))
        for ex in examples.values()
    ]
    index = pd.Index(list(examples), name="name")
    return pd.DataFrame(rows, index=index, columns=["title", "citation", "modules", "used_in"])


def _series(values, index, index_name: str | None = None) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(index, name=index_name))


def _periods(values, unit: str, start: int = 1) -> pd.Series:
    """A time series numbered 1..n (``unit`` names the index: quarter, month, week)."""
    return _series(values, range(start, start + len(values)), unit)


# -- optimize / scenarios ---------------------------------------------------------------
@_example
def wyndor() -> Example:
    """Wyndor Glass Co.: doors and windows made in three plants (the product-mix LP).

    Margins in $1,000 per batch, hours per batch and hours available per week.
    """
    return Example(
        "wyndor",
        "Wyndor Glass Co. product mix (prototype LP)",
        f"{HILLIER_LIEBERMAN}, section 3.1 (prototype example); shadow prices section 4.7; "
        "allowable ranges from the book's sensitivity analysis (Excel sensitivity report)",
        data={
            "margin": _series([3.0, 5.0], ["doors", "windows"]),
            "usage": pd.DataFrame(
                {"plant1": [1.0, 0.0], "plant2": [0.0, 2.0], "plant3": [3.0, 2.0]},
                index=["doors", "windows"],
            ),
            "capacity": _series([4.0, 12.0, 18.0], ["plant1", "plant2", "plant3"]),
        },
        published={
            "profit": 36.0,
            "quantity": {"doors": 2.0, "windows": 6.0},
            "shadow_price": {"plant1": 0.0, "plant2": 1.5, "plant3": 1.0},
            "margin_range": {"doors": (0.0, 7.5), "windows": (2.0, np.inf)},
            "capacity_range": {
                "plant1": (2.0, np.inf),
                "plant2": (6.0, 18.0),
                "plant3": (12.0, 24.0),
            },
        },
        used_in="tests/test_optimize.py, tests/test_scenarios.py, optimize.product_mix (docstring)",
    )


@_example
def goldratt_pq() -> Example:
    """Goldratt's P & Q: two products, four resources of 2,400 minutes a week.

    ``throughput`` is price minus raw material (90 - 45 and 100 - 40); ``usage`` minutes
    per unit; ``operating_expense`` a week.
    """
    price = _series([90.0, 100.0], ["P", "Q"])
    material = _series([45.0, 40.0], ["P", "Q"])
    return Example(
        "goldratt_pq",
        "P & Q: throughput per constraint minute",
        f"{GOLDRATT}, the P & Q example",
        data={
            "price": price,
            "material_cost": material,
            "throughput": price - material,
            "usage": pd.DataFrame(
                {"A": [15.0, 10.0], "B": [15.0, 30.0], "C": [15.0, 5.0], "D": [15.0, 5.0]},
                index=["P", "Q"],
            ),
            "capacity": _series([2400.0] * 4, list("ABCD")),
            "demand": _series([100.0, 50.0], ["P", "Q"]),
            "operating_expense": 6000.0,
        },
        published={
            "bottleneck": "B",
            "bottleneck_load": 3000.0,
            "bottleneck_utilisation": 1.25,
            "throughput_per_minute": {"P": 3.0, "Q": 2.0},
            "traditional_mix": {"P": 60.0, "Q": 50.0},
            "traditional_net_profit": -300.0,
            "toc_mix": {"P": 100.0, "Q": 30.0},
            "toc_net_profit": 300.0,
        },
        used_in=(
            "tests/test_optimize.py, notebooks/05_profit_based_planning.ipynb, "
            "optimize.constraint_analysis (docstring), optimize.compare_toc_with_lp (docstring), "
            "optimize.throughput_per_constraint_unit (docstring), "
            "optimize.toc_product_mix (docstring)"
        ),
    )


@_example
def powerco() -> Example:
    """Powerco: three power plants supply four cities (the transportation problem).

    ``supply`` and ``demand`` in million kWh; ``cost`` in $ per million kWh shipped.
    """
    plants, cities = ["plant1", "plant2", "plant3"], ["city1", "city2", "city3", "city4"]
    cost = [[8.0, 6.0, 10.0, 9.0], [9.0, 12.0, 13.0, 7.0], [14.0, 9.0, 16.0, 5.0]]
    return Example(
        "powerco",
        "Powerco transportation problem",
        f"{WINSTON}, section 7.1 (Powerco)",
        data={
            "supply": _series([35.0, 50.0, 40.0], plants),
            "demand": _series([45.0, 20.0, 30.0, 30.0], cities),
            "cost": pd.DataFrame(
                cost, index=pd.Index(plants, name="plant"), columns=pd.Index(cities, name="market")
            ),
        },
        published={"total_cost": 1020.0},
        used_in="tests/test_optimize.py, tests/test_transportation.py, balancing.balancing_plan (docstring: cited)",
    )


# -- forecasting / accuracy -------------------------------------------------------------
@_example
def port_of_baltimore() -> Example:
    """Port of Baltimore: tons of grain unloaded over 8 quarters, starting forecast 175."""
    return Example(
        "port_of_baltimore",
        "Port of Baltimore exponential smoothing",
        f'{HEIZER_RENDER}, Ch. 4 "Forecasting", Port of Baltimore exponential-smoothing example',
        data={
            "tons": _periods([180, 168, 159, 175, 190, 205, 180, 182], "quarter"),
            "initial_forecast": 175.0,
        },
        published={
            "ses_forecast_alpha_0_10": [
                175,
                175.50,
                174.75,
                173.18,
                173.36,
                175.02,
                178.02,
                178.22,
            ],
            "mad": {0.10: 10.31, 0.50: 12.33},
            "mse": {0.10: 190.8},
            "mape": {0.10: 5.59, 0.50: 6.76},
        },
        used_in=(
            "tests/test_accuracy.py, tests/test_forecasting.py, accuracy.mae (docstring), "
            "forecasting.one_step_forecasts (docstring)"
        ),
    )


@_example
def donnas_garden_supply() -> Example:
    """Donna's Garden Supply: monthly storage-shed sales, January..December."""
    return Example(
        "donnas_garden_supply",
        "Donna's Garden Supply moving average",
        f"{HEIZER_RENDER}, Ch. 4, Donna's Garden Supply (3-month moving average)",
        data={"sales": _periods([10, 12, 13, 16, 19, 23, 26, 30, 28, 18, 16, 14], "month")},
        published={
            "moving_average_3": _periods(
                [11.67, 13.67, 16.00, 19.33, 22.67, 26.33, 28.00, 25.33, 20.67],
                "month",
                start=4,
            ),
            "next_january": 16.0,
        },
        used_in="tests/test_forecasting.py",
    )


@_example
def portland_trend_adjusted() -> Example:
    """Portland manufacturer: trend-adjusted exponential smoothing (first three months)."""
    return Example(
        "portland_trend_adjusted",
        "Portland manufacturer trend-adjusted smoothing",
        f"{HEIZER_RENDER}, Ch. 4, Example 7 (Portland manufacturer, trend-adjusted smoothing)",
        data={
            "demand": _periods([12, 17, 20], "month"),
            "alpha": 0.2,
            "beta": 0.4,
            "initial_level": 11.0,
            "initial_trend": 2.0,
        },
        published={
            "forecast_including_trend": [13.0, 14.72, 17.28],
            "smoothed": {2: 12.80, 3: 15.18},
            "trend": {2: 1.92, 3: 2.10},
        },
        used_in="tests/test_forecasting.py, forecasting.one_step_forecasts (docstring)",
    )


@_example
def n_tasha() -> Example:
    """N. Tasha Company: monthly actual and forecast demand, May..December."""
    months = ["May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return Example(
        "n_tasha",
        "N. Tasha Company tracking signal",
        f"{STEVENSON}, Ch. 3 problem (N. Tasha Company); worked solution at "
        "https://pt.slideshare.net/amolmobileshop/the-follwing-are-monthly-actual-and-"
        "forcasted-demand-levels-from-maypdf (convention: error = actual - forecast)",
        data={
            "actual": _series([105, 80, 110, 118, 102, 110, 120, 125], months, "month"),
            "forecast": _series([102, 100, 101, 98, 100, 104, 108, 109], months, "month"),
        },
        published={
            "running_sum_of_errors": 48.0,
            "mad": 11.0,
            "tracking_signal": [1, -1.5, -0.8, 0.9, 1.3, 2.0, 3.1, 4.4],
        },
        used_in="tests/test_accuracy.py",
    )


# -- inventory --------------------------------------------------------------------------
@_example
def snyder_shen_example_3_1() -> Example:
    """EOQ: K = 8 per order, h = 0.75 x 0.3 per unit-year, lambda = 1300 a year."""
    return Example(
        "snyder_shen_example_3_1",
        "Economic order quantity",
        f"{SNYDER_SHEN}, Example 3.1",
        data={"fixed_cost": 8.0, "holding_cost": 0.75 * 0.3, "demand_rate": 1300.0},
        published={"order_quantity": 304.05, "annual_cost": 68.41},
        used_in=(
            "tests/test_inventory.py, inventory.economic_order_quantity (docstring), "
            "inventory.economic_production_quantity (docstring: with mu = 2000)"
        ),
    )


@_example
def snyder_shen_example_3_8() -> Example:
    """EOQ with planned backorders: K = 8, h = 0.225, p = 5, lambda = 1300."""
    return Example(
        "snyder_shen_example_3_8",
        "EOQ with planned backorders",
        f"{SNYDER_SHEN}, Example 3.8",
        data={
            "fixed_cost": 8.0,
            "holding_cost": 0.225,
            "backorder_cost": 5.0,
            "demand_rate": 1300.0,
        },
        published={"order_quantity": 310.81, "stockout_fraction": 0.0431, "annual_cost": 66.92},
        used_in="tests/test_inventory.py, inventory.eoq_with_backorders (docstring)",
    )


@_example
def snyder_shen_problem_3_22() -> Example:
    """Economic production quantity: K = 4, h = 0.08, lambda = 80, mu = 110."""
    return Example(
        "snyder_shen_problem_3_22",
        "Economic production quantity",
        f"{SNYDER_SHEN}, Problem 3.22 (answers as in the stockpyl test suite)",
        data={
            "fixed_cost": 4.0,
            "holding_cost": 0.08,
            "demand_rate": 80.0,
            "production_rate": 110.0,
        },
        published={"order_quantity": 171.27, "annual_cost": 3.737},
        used_in="tests/test_inventory.py",
    )


@_example
def snyder_shen_example_4_3() -> Example:
    """Newsvendor: h = 0.18, p = 0.70, demand N(50, 8^2)."""
    return Example(
        "snyder_shen_example_4_3",
        "Newsvendor base-stock level",
        f"{SNYDER_SHEN}, Example 4.3",
        data={"overage_cost": 0.18, "underage_cost": 0.70, "demand_mean": 50.0, "demand_sd": 8.0},
        published={"order_quantity": 56.60, "expected_cost": 1.998},
        used_in="tests/test_inventory.py, inventory.newsvendor (docstring)",
    )


@_example
def wohls_discount_store() -> Example:
    """Wohl's Discount Store: quantity discounts, D = 5000, S = 49, I = 20 %."""
    return Example(
        "wohls_discount_store",
        "Quantity discount model",
        f'{HEIZER_RENDER}, ch. 12 "Inventory management", quantity discount example '
        "(Wohl's Discount Store)",
        data={
            "fixed_cost": 49.0,
            "holding_rate": 0.2,
            "demand_rate": 5000.0,
            "price_breaks": pd.DataFrame(
                {"min_quantity": [0, 1000, 2000], "unit_price": [5.0, 4.8, 4.75]}
            ),
        },
        published={"total_cost": [25700.0, 24725.0, 24822.5], "best_order_quantity": 1000},
        used_in="tests/test_inventory.py, inventory.eoq_quantity_discounts (docstring)",
    )


@_example
def hp_printers_sams_club() -> Example:
    """HP printers at Sam's Club: weekly demand N(250, 150), lead time 2 weeks, Q = 1000."""
    return Example(
        "hp_printers_sams_club",
        "Cycle service level and fill rate",
        f"{CHOPRA_MEINDL}, ch. 11 (4th ed. numbering), Exercise 4 (Hewlett Packard printers "
        "at Sam's Club)",
        data={
            "demand_mean": 250.0,
            "demand_sd": 150.0,
            "lead_time": 2.0,
            "order_quantity": 1000.0,
            "reorder_point": 600.0,
        },
        published={
            "lead_time_demand_sd": 212.0,
            "safety_stock": 100.0,
            "cycle_service_level": 0.68,
            "expected_shortage_per_cycle": 43.86,
            "fill_rate": 0.96,
        },
        used_in="tests/test_inventory.py",
    )


# -- kpi --------------------------------------------------------------------------------
@_example
def route_66() -> Example:
    """Route 66 Company: balance-sheet items at the start and end of the year."""
    return Example(
        "route_66",
        "Operating and cash cycle",
        f'{ROSS_WESTERFIELD_JORDAN}, Ch. 18 "Short-Term Finance and Planning", Chapter Review '
        "and Self-Test Problem 18.1 (Route 66 Company); the book divides 365 by the turnover "
        "rounded to two decimals",
        data={
            "revenue": 14_750,
            "cogs": 11_375,
            "inventory": [1_273, 1_401],
            "receivables": [3_782, 3_368],
            "payables": [1_795, 2_025],
        },
        published={
            "inventory_turnover": 8.51,
            "receivables_turnover": 4.13,
            "payables_turnover": 5.96,
            "dio": 42.89,
            "dso": 88.38,
            "dpo": 61.24,
            "operating_cycle": 131,
            "cash_to_cash": 70,
        },
        used_in=(
            "tests/test_kpi.py, kpi.working_capital_days (docstring), "
            "kpi.working_capital_what_if (docstring: averages), "
            "kpi.plot_cash_cycle (docstring: averages)"
        ),
    )


@_example
def spring_distribution() -> Example:
    """Spring Distribution, June 2012: cases by channel, plan and actual, at budgeted margin."""
    channels = ["wholesale", "retail"]
    return Example(
        "spring_distribution",
        "Sales-mix and sales-quantity variances",
        f'{HORNGREN_14}, Ch. 14 "Cost Allocation, Customer-Profitability Analysis, and '
        'Sales-Variance Analysis", Spring Distribution (Exhibit 14-10)',
        data={
            "plan": pd.DataFrame(
                {"channel": channels, "units": [712_000, 178_000], "cm_per_case": [0.49, 0.98]}
            ),
            "actual": pd.DataFrame(
                {"channel": channels, "units": [756_000, 144_000], "cm_per_case": [0.49, 0.98]}
            ),
        },
        published={
            "sales_mix_variance": {"wholesale": 17_640.0, "retail": -35_280.0, "total": -17_640.0},
            "sales_quantity_variance": {"wholesale": 3_920.0, "retail": 1_960.0, "total": 5_880.0},
            "sales_volume_variance": -11_760.0,
        },
        used_in="tests/test_kpi.py",
    )


@_example
def kola_limor_orlem() -> Example:
    """Kola, Limor and Orlem: budget and actual units at budgeted contribution margins."""
    drinks = ["Kola", "Limor", "Orlem"]
    return Example(
        "kola_limor_orlem",
        "Sales-volume, quantity and mix variances",
        f"{HORNGREN_13}, Ch. 14, sales-variance exercise (Kola, Limor, Orlem), pp. 517-519",
        data={
            "plan": pd.DataFrame({"drink": drinks, "units": [400_000, 600_000, 1_500_000]}),
            "actual": pd.DataFrame({"drink": drinks, "units": [480_000, 900_000, 1_620_000]}),
            "cm_per_unit": _series([2.00, 1.20, 2.50], drinks),
        },
        published={
            "sales_volume_variance": 820_000.0,
            "sales_quantity_variance": 1_054_000.0,
            "sales_mix_variance": -234_000.0,
        },
        used_in="tests/test_kpi.py",
    )


@_example
def jacks_pottery_outlet() -> Example:
    """Jack's Pottery Outlet: inventory 375,000 -> 325,000, COGS 7 million, assets 5 million."""
    return Example(
        "jacks_pottery_outlet",
        "Inventory turnover and weeks of supply",
        f'{HEIZER_RENDER}, Ch. 11 "Supply Chain Management", Solved Problem 11.1 '
        "(Jack's Pottery Outlet)",
        data={
            "total_assets": 5_000_000,
            "inventory": [375_000, 325_000],
            "cogs": 7_000_000,
        },
        published={
            "inventory_share_of_assets": 0.07,
            "inventory_turnover": 20.0,
            "weeks_of_supply": 2.6,
        },
        used_in=(
            "tests/test_kpi.py, kpi.inventory_turns (docstring), kpi.days_of_supply (docstring)"
        ),
    )


# -- mrp: lot sizing and the master schedule --------------------------------------------
def _lot_sizing(number: str, demand, fixed_cost, holding_cost, lots, cost) -> Example:
    """Snyder & Shen's lot-sizing instance ``number`` ("Example 3.9", "Problem 3.27", ...)."""
    docstrings = ", mrp.wagner_whitin (docstring), mrp.silver_meal (docstring), "
    docstrings += "mrp.compare_lot_sizing (docstring)"
    return Example(
        "snyder_shen_" + number.lower().replace(" ", "_").replace(".", "_"),
        "Dynamic lot sizing (Wagner-Whitin)",
        f"{SNYDER_SHEN}, {number}",
        data={
            "net_requirements": _periods(demand, "period"),
            "fixed_cost": float(fixed_cost),
            "holding_cost": float(holding_cost),
        },
        published={"wagner_whitin_lots": lots, "total_cost": float(cost)},
        used_in="tests/test_mrp.py" + (docstrings if number == "Example 3.9" else ""),
    )


@_example
def snyder_shen_example_3_9() -> Example:
    """Wagner-Whitin: d = (90, 120, 80, 70), K = 500, h = 2."""
    return _lot_sizing("Example 3.9", [90, 120, 80, 70], 500, 2, [210, 0, 150, 0], 1380)


@_example
def snyder_shen_problem_3_27() -> Example:
    """Wagner-Whitin: d = (150, 100, 80, 200), K = 120, h = 0.8."""
    return _lot_sizing("Problem 3.27", [150, 100, 80, 200], 120, 0.8, [150, 180, 0, 200], 424)


@_example
def snyder_shen_problem_3_29() -> Example:
    """Wagner-Whitin: d = (730, 580, 445, 650, 880), K = 100, h = 0.1."""
    return _lot_sizing(
        "Problem 3.29", [730, 580, 445, 650, 880], 100, 0.1, [1310, 0, 1095, 0, 880], 423
    )


@_example
def nahmias_computer_casings() -> Example:
    """Machine shop, computer casings: r = (18, 30, 42, 5, 20), K = 80, h = 2 per week."""
    return Example(
        "nahmias_computer_casings",
        "Silver-Meal heuristic",
        f"{NAHMIAS}, ch. 7, Silver-Meal example (machine shop, computer casings), as reproduced "
        'at solutioninn.com, "3.2 The Silver-Meal heuristic"',
        data={
            "net_requirements": _periods([18, 30, 42, 5, 20], "week"),
            "fixed_cost": 80.0,
            "holding_cost": 2.0,
        },
        published={
            "silver_meal_lots": [48, 0, 47, 0, 20],
            "average_cost_first_order": {1: 80.0, 2: 70.0, 3: 102.67},
            "average_cost_second_order": {2: 45.0, 3: 56.67},
        },
        used_in="tests/test_mrp.py",
    )


@_example
def stevenson_industrial_pumps() -> Example:
    """Industrial pumps: 64 on hand, forecast 30 a week (June) and 40 (July), lots of 70."""
    return Example(
        "stevenson_industrial_pumps",
        "Master schedule and available-to-promise",
        f'{STEVENSON}, 14th ed., ch. 11 "Aggregate planning and master scheduling", industrial '
        "pumps example (Figures 11.10-11.11, p. 490; as quoted at "
        "https://fliphtml5.com/cviyu/vkrs/OPERAT%7E1/519/)",
        data={
            "forecast": _periods([30] * 4 + [40] * 4, "week"),
            "customer_orders": _periods([33, 20, 10, 4, 2, 0, 0, 0], "week"),
            "on_hand": 64.0,
            "lot_size": 70.0,
        },
        published={
            "production_weeks": [3, 5, 7, 8],
            "shortfall_week_3": 29.0,
            "projected_available_week_3": 41.0,
            "atp_week_1": 11.0,
        },
        used_in="tests/test_mrp.py",
    )


# -- capacity ---------------------------------------------------------------------------
@_example
def red_tomato_tools() -> Example:
    """Red Tomato Tools: six months of demand and the aggregate-planning costs.

    ``data`` holds ``demand`` and every keyword of ``sop.aggregate_plan``, so
    ``sop.aggregate_plan(**ex.data)`` solves it.
    """
    return Example(
        "red_tomato_tools",
        "Aggregate planning LP",
        f"{CHOPRA_MEINDL}, 6th ed. (Pearson, 2016), ch. 8 (Red Tomato Tools)",
        data={
            "demand": [1600, 3000, 3200, 3800, 2200, 2200],
            "initial_workforce": 80,
            "hours_per_unit": 4,
            "regular_hours_per_worker": 160,  # 8 h/day x 20 days
            "regular_cost_per_hour": 4,
            "overtime_cost_per_hour": 6,
            "max_overtime_per_worker": 10,
            "hiring_cost": 300,
            "layoff_cost": 500,
            "holding_cost": 2,
            "backorder_cost": 5,
            "material_cost": 10,
            "subcontract_cost": 30,
            "initial_inventory": 1000,
            "final_inventory": 500,
        },
        published={
            "lp_total_cost": 422_275.0,
            "lp_workforce_period_1": 64.583,
            "integer_total_cost": 422_660.0,
            "integer_workforce": 64,
        },
        used_in="tests/test_capacity.py",
    )


@_example
def sarah_reed_boom_box() -> Example:
    """Walnut Hill's XYZ boom box: MPS, hours per unit and capacity per period."""
    return Example(
        "sarah_reed_boom_box",
        "Capacity bill (rough-cut capacity planning)",
        f"{VOLLMANN}, ch. 10 problem (Sarah Reed, Walnut Hill, XYZ boom box)",
        data={
            "mps": pd.DataFrame(
                {"product": "XYZ", "period": [1, 2, 3, 4], "quantity": [450, 300, 625, 890]}
            ),
            "bill_of_capacity": pd.DataFrame(
                {
                    "product": "XYZ",
                    "work_centre": ["circuit_board", "assembly"],
                    "hours_per_unit": [0.2, 0.3],
                }
            ),
            "capacity": _series([130.0, 160.0], ["circuit_board", "assembly"], "work_centre"),
        },
        published={"load_period_2": {"circuit_board": 60.0, "assembly": 90.0}},
        used_in="tests/test_capacity.py",
    )


# -- horizon: level plans and the S&OP balance ------------------------------------------
@_example
def expertsmind_level_plan() -> Example:
    """Product family, May-August: level production by working days."""
    months = ["May", "Jun", "Jul", "Aug"]
    return Example(
        "expertsmind_level_plan",
        "Level production plan by working days",
        "Expertsmind library, question 575354 (level production plan for a product family)",
        data={
            "forecast": _series([115, 125, 140, 150], months, "month"),
            "opening_inventory": 100.0,
            "ending_inventory": 130.0,
            "working_days": [21, 19, 20, 10],
        },
        published={
            "total_production": 560.0,
            "daily_rate": 8.0,
            "production_may": 168.0,
            "ending_inventory_may": 153.0,
        },
        used_in="tests/test_horizon.py",
    )


@_example
def homeworksource_level_plan() -> Example:
    """Quarterly level aggregate plan: beginning inventory 2,000, ending 500."""
    return Example(
        "homeworksource_level_plan",
        "Level aggregate plan, quarterly",
        "HomeworkSource, problem 987160 (level aggregate plan)",
        data={
            "forecast": _periods([6000, 5500, 5000, 6500], "quarter"),
            "opening_inventory": 2000.0,
            "ending_inventory": 500.0,
        },
        published={"production_per_quarter": 5375.0},
        used_in="tests/test_horizon.py, horizon.level_production_plan (docstring)",
    )


@_example
def answerstreak_sop_balance() -> Example:
    """One-period S&OP balance: beginning inventory 300, ending 500, demand 1,000."""
    return Example(
        "answerstreak_sop_balance",
        "S&OP balance: production from demand and inventory",
        "AnswerStreak, sales and operations planning problem",
        data={"forecast": [1000.0], "opening_inventory": 300.0, "ending_inventory": 500.0},
        published={"production": 1200.0},
        used_in="tests/test_horizon.py",
    )


# -- revenue: pipeline and Bass diffusion -----------------------------------------------
@_example
def freshworks_pipeline() -> Example:
    """Six deals in the Negotiation stage (70 % win probability)."""
    return Example(
        "freshworks_pipeline",
        "Weighted pipeline",
        'Freshworks CRM support article "How to set up and use weighted pipelines"',
        data={
            "opportunities": pd.DataFrame(
                {"value": [3950, 3060, 1460, 1340, 1285, 1190], "stage": ["Negotiation"] * 6}
            ),
            "stage_probabilities": {"Negotiation": 0.70},
        },
        published={"total_value": 12_285, "expected_revenue": 8600},
        used_in="tests/test_revenue.py, revenue.weighted_pipeline (docstring)",
    )


@_example
def revops_pipeline() -> Example:
    """$100K deals in Discovery (10 %), Proposal (50 %) and Negotiation (80 %)."""
    return Example(
        "revops_pipeline",
        "Weighted pipeline by stage",
        'RevOps Dictionary, "Weighted Pipeline"',
        data={
            "opportunities": pd.DataFrame(
                {"value": [100_000] * 3, "stage": ["Discovery", "Proposal", "Negotiation"]}
            ),
            "stage_probabilities": {"Discovery": 0.1, "Proposal": 0.5, "Negotiation": 0.8},
        },
        published={"weighted_amount": [10_000.0, 50_000.0, 80_000.0]},
        used_in="tests/test_revenue.py",
    )


@_example
def operately_pipeline() -> Example:
    """Three deals of $10,000 at a 60 % win probability."""
    return Example(
        "operately_pipeline",
        "Pipeline forecast value",
        'Operately KPI examples, "Pipeline forecast value"',
        data={
            "opportunities": pd.DataFrame({"value": [10_000] * 3, "stage_probability": [0.6] * 3})
        },
        published={"pipeline_forecast_value": 18_000.0},
        used_in="tests/test_revenue.py",
    )


@_example
def bass_class_exercise() -> Example:
    """Five years of adoptions (millions) of a durable, for the OLS Bass fit."""
    return Example(
        "bass_class_exercise",
        "Bass model by OLS",
        f"Bass (1969) OLS estimation, {BASS_CLASS}",
        data={"sales": _periods([0.517, 1.169, 1.604, 2.044, 2.286], "year")},
        published={"p": 0.0626032, "q": 0.73766359, "m": 10.5036768},
        used_in="tests/test_revenue.py, new_products.fit_bass (docstring)",
    )


@_example
def bass_peak_class_exercise() -> Example:
    """Bass's discrete recursion with p = 0.0045, q = 0.35 and M = 5 million."""
    return Example(
        "bass_peak_class_exercise",
        "Bass model peak time",
        f"{BASS_CLASS}, same exercise set (Bass's discrete recursion)",
        data={"p": 0.0045, "q": 0.35, "m": 5e6},
        published={"peak_period": 15, "peak_adoptions_millions": 0.45},
        used_in="tests/test_revenue.py",
    )


@_example
def chengjun_wang_bass() -> Example:
    """Ten years of sales from 1979, fitted with R's nls from M = 60630, P = 0.03, Q = 0.38."""
    return Example(
        "chengjun_wang_bass",
        "Bass model by non-linear least squares",
        'Chengjun Wang, "Bass diffusion model" (RPubs, rpubs.com/chengjun/bass_model, 2012)',
        data={
            "sales": _periods(
                [840, 1470, 2110, 4000, 7590, 10950, 10530, 9470, 7790, 5890],
                "year",
                start=1979,
            ),
            "initial": (0.03, 0.38, 60630.0),
        },
        published={
            "m": 6.80e4,
            "p": 6.59e-3,
            "q": 6.38e-1,
            "residual_standard_error": 727.0,
            "df": 7,
        },
        used_in="tests/test_revenue.py",
    )
