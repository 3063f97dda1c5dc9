"""The management review pack (Module 6): every table of a year's review, from plain tables.

:func:`review_from_tables` takes the year's order lines, financials, sales, budget, stock and
forecast errors as DataFrames with named columns and returns a :class:`ManagementReview`:
the rated scorecard, service, working capital, margin, inventory, excess & obsolete stock,
plan vs actual with its bridges, forecast accuracy, bias, the tracking-signal exceptions
and the root-cause views. :func:`sopcourse.case.management_review` builds those tables
from a company's data (``sop.management_review(company, year=...)``).

The conventions are those of :mod:`sopcourse.kpi` and :mod:`sopcourse.variance`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import require_columns
from ._results import Result
from .accuracy import accuracy_by_group
from .kpi import (
    days_of_supply,
    excess_and_obsolete,
    gmroi,
    gross_margin,
    inventory_turns,
    rate_kpis,
    service_kpis,
    working_capital_days,
)
from .variance import (
    bias_table,
    pareto_table,
    plan_vs_actual,
    separate_forecast_and_supply_error,
    tracking_signal_exceptions,
    variance_bridge,
)

__all__ = ["kpi_definitions", "DEFAULT_TARGETS", "ManagementReview", "review_from_tables"]

# -- the KPI set and its targets ---------------------------------------------------------


def kpi_definitions() -> pd.DataFrame:
    """The course's KPI set: name, area, formula, unit and which direction is better.

    Returns
    -------
    DataFrame
        One row per KPI, indexed by ``kpi``, columns ``area``, ``definition``,
        ``formula`` (LaTeX), ``unit``, ``direction`` ("higher" or "lower" is better) and
        ``function`` (the ``sopcourse`` function that computes it).

    Examples
    --------
    >>> d = kpi_definitions()
    >>> d.loc["otif", ["area", "direction"]].tolist()
    ['service', 'higher']
    >>> sorted(d["area"].unique())
    ['finance', 'inventory', 'operations', 'service', 'working capital']
    """
    rows = [
        ("otif", "service", "share of order lines shipped on time and in full",
         r"\frac{\#\{\text{lines on time and in full}\}}{\#\{\text{lines}\}}", "share",
         "higher", "service_kpis"),
        ("line_fill_rate", "service", "share of order lines shipped complete",
         r"\frac{\#\{\text{lines with } s_i \ge q_i\}}{\#\{\text{lines}\}}", "share",
         "higher", "service_kpis"),
        ("unit_fill_rate", "service", "share of ordered units shipped",
         r"\frac{\sum_i \min(s_i, q_i)}{\sum_i q_i}", "share", "higher", "service_kpis"),
        ("schedule_attainment", "operations", "planned production actually made, capped "
         "at plan per item and period", r"\frac{\sum \min(P^{act}, P^{plan})}{\sum P^{plan}}",
         "share", "higher", "schedule_attainment"),
        ("utilisation", "operations", "hours used over hours available",
         r"\frac{\text{hours used}}{\text{hours available}}", "share", "higher",
         "utilisation"),
        ("gross_margin_pct", "finance", "gross margin over revenue",
         r"100\,\frac{R - COGS}{R}", "%", "higher", "gross_margin"),
        ("revenue_vs_plan", "finance", "actual revenue over plan revenue",
         r"\frac{R^{act}}{R^{plan}}", "share", "higher", "plan_vs_actual"),
        ("dio", "working capital", "days inventory outstanding",
         r"\frac{\bar I}{COGS / 365}", "days", "lower", "working_capital_days"),
        ("dso", "working capital", "days sales outstanding",
         r"\frac{\overline{AR}}{R / 365}", "days", "lower", "working_capital_days"),
        ("dpo", "working capital", "days payables outstanding",
         r"\frac{\overline{AP}}{COGS / 365}", "days", "higher", "working_capital_days"),
        ("cash_to_cash", "working capital", "cash-to-cash cycle",
         r"DIO + DSO - DPO", "days", "lower", "working_capital_days"),
        ("inventory_turns", "inventory", "cost of goods sold over average inventory",
         r"\frac{COGS}{\bar I}", "turns per year", "higher", "inventory_turns"),
        ("days_of_supply", "inventory", "days the stock lasts at the cost-of-sales rate",
         r"\frac{I}{COGS / 365}", "days", "lower", "days_of_supply"),
        ("gmroi", "inventory", "gross margin per unit of money held in stock",
         r"\frac{R - COGS}{\bar I \text{ at cost}}", "ratio", "higher", "gmroi"),
        ("excess_and_obsolete", "inventory", "value of stock above N months of forward "
         "demand plus stock of end-of-life items", r"\sum_i c_i\,\max(0, I_i - N d_i)",
         "money", "lower", "excess_and_obsolete"),
    ]  # fmt: skip
    cols = ["kpi", "area", "definition", "formula", "unit", "direction", "function"]
    return pd.DataFrame(rows, columns=cols).set_index("kpi")


#: The course's illustrative KPI targets (not benchmarks): target, direction and the amber
#: band, in each KPI's unit. Pass your own table to :func:`review_from_tables` or
#: :func:`sopcourse.management_review`.
DEFAULT_TARGETS = pd.DataFrame(
    {
        "target": [0.95, 0.98, 40.0, 45.0, 8.0, 1.0, 25.0],
        "direction": ["higher", "higher", "higher", "lower", "higher", "higher", "lower"],
        "tolerance": [0.03, 0.01, 2.0, 10.0, 1.0, 0.03, 5.0],
        "unit": ["share", "share", "%", "days", "turns/year", "ratio", "%"],
    },
    index=pd.Index(
        [
            "otif",
            "unit_fill_rate",
            "gross_margin_pct",
            "cash_to_cash",
            "inventory_turns",
            "revenue_vs_plan",
            "wape_lag1",
        ],
        name="kpi",
    ),
)


@dataclass(frozen=True, eq=False)
class ManagementReview(Result):
    """Every table of a year's management review pack (reads like the dict it replaces:
    ``review["scorecard"]``).

    Attributes
    ----------
    scorecard : DataFrame
        The rated KPIs (index = KPI names of :data:`DEFAULT_TARGETS`): ``actual``,
        ``target``, ``direction``, ``tolerance``, ``gap``, ``status``.
    service : DataFrame
        OTIF, line and unit fill rate by region (:func:`sopcourse.service_kpis`).
    working_capital : Series
        DIO, DSO, DPO, cash-to-cash (:func:`sopcourse.working_capital_days`).
    margin_by_family : DataFrame
        Gross margin by family (:func:`sopcourse.gross_margin`).
    inventory : Series
        ``average_inventory``, ``turns``, ``days_of_supply``, ``gmroi``.
    excess_obsolete : DataFrame
        The items with excess or obsolete stock, largest value first.
    plan_vs_actual : DataFrame
        Units, revenue and margin, plan against actual, by family.
    bridge, margin_bridge : Series
        Revenue and margin bridges by SKU: plan, volume, mix, price, actual.
    accuracy_by_lag : DataFrame
        ``lag``, ``n``, ``mae``, ``wape``, ``bias`` of the consensus against orders.
    bias : DataFrame
        Lag-1 bias, family x quarter.
    exceptions : DataFrame
        SKU-regions whose tracking signal is beyond the limit.
    pareto_units_short : DataFrame
        Units short by SKU, Pareto-sorted (empty when nothing was short).
    forecast_vs_supply : DataFrame
        The forecast-error / supply-failure split by family.
    """

    scorecard: pd.DataFrame
    service: pd.DataFrame
    working_capital: pd.Series
    margin_by_family: pd.DataFrame
    inventory: pd.Series
    excess_obsolete: pd.DataFrame
    plan_vs_actual: pd.DataFrame
    bridge: pd.Series
    margin_bridge: pd.Series
    accuracy_by_lag: pd.DataFrame
    bias: pd.DataFrame
    exceptions: pd.DataFrame
    pareto_units_short: pd.DataFrame
    forecast_vs_supply: pd.DataFrame


def check_targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    """The KPI targets (default :data:`DEFAULT_TARGETS`), checked: known KPIs only."""
    targets = DEFAULT_TARGETS if targets is None else targets
    require_columns(targets, ["target", "direction", "tolerance"], "targets")
    unknown = sorted(set(targets.index) - set(DEFAULT_TARGETS.index))
    if unknown:
        raise ValueError(
            f"targets has unknown KPI(s) {unknown}; use names from {list(DEFAULT_TARGETS.index)}."
        )
    return targets


def review_from_tables(
    order_lines: pd.DataFrame,
    financials: pd.DataFrame,
    sales: pd.DataFrame,
    plan: pd.DataFrame,
    stock: pd.DataFrame,
    forecast_errors: pd.DataFrame,
    *,
    targets: pd.DataFrame | None = None,
    months_of_cover: float = 6,
    tracking_limit: float = 4.0,
) -> ManagementReview:
    """Every table of a year's management review pack, from the year's tables.

    The same steps as the Module 6 lesson: service from the order lines, working capital
    from the monthly financials, gross margin by family, turns / days of supply / GMROI,
    excess and obsolete stock, plan vs actual with the price / volume / mix bridge by SKU,
    accuracy by lag, lag-1 bias by family and quarter, the tracking-signal exceptions,
    the Pareto of units short by SKU and the forecast-error / supply-failure split.

    Parameters
    ----------
    order_lines : DataFrame
        The year's order lines that are due and not open: ``requested_date``,
        ``shipped_date``, ``requested_units``, ``shipped_units``, ``region``, ``sku``.
    financials : DataFrame
        The year's monthly rows: ``revenue``, ``cogs``, ``gross_margin``,
        ``inventory_value``, ``receivables``, ``payables``.
    sales, plan : DataFrame
        Actual sales and the plan (budget) of the year, one row per SKU, region and month:
        ``sku``, ``family``, ``units``, ``revenue``, ``cogs`` (sales) and ``margin``.
    stock : DataFrame
        One row per SKU: ``on_hand``, ``forward_monthly_demand``, ``standard_cost``,
        ``end_of_life`` (bool), ``family``.
    forecast_errors : DataFrame
        The year's forecast snapshots joined to the actuals: ``target_month``, ``lag``,
        ``sku``, ``region``, ``family``, ``consensus``, ``ordered_units``,
        ``shipped_units``.
    targets : DataFrame, optional
        Index = KPI names of :data:`DEFAULT_TARGETS`, columns ``target``, ``direction``,
        ``tolerance`` (default: :data:`DEFAULT_TARGETS`).
    months_of_cover : float
        Cover above which stock counts as excess.
    tracking_limit : float
        Tracking-signal limit of the exception list.

    Returns
    -------
    ManagementReview

    Examples
    --------
    See :func:`sopcourse.management_review`, which builds these tables from a company.
    """
    targets = check_targets(targets)
    money = _money_views(order_lines, financials, sales)
    eo = excess_and_obsolete(
        stock, months_of_cover=months_of_cover, unit_cost="standard_cost", end_of_life="end_of_life"
    )
    eo = eo[eo["eo_value"] > 0].sort_values("eo_value", ascending=False)
    bridge = variance_bridge(plan, sales, by="sku", value="revenue")
    forecast = _forecast_views(forecast_errors, tracking_limit)
    card = _scorecard(targets, money, financials, bridge, forecast["accuracy_by_lag"])
    return ManagementReview(
        scorecard=card,
        service=money["service"],
        working_capital=money["working_capital"],
        margin_by_family=money["margin_by_family"],
        inventory=money["inventory"],
        excess_obsolete=eo,
        plan_vs_actual=plan_vs_actual(
            plan, sales, by="family", measures=["units", "revenue", "margin"]
        ),
        bridge=bridge,
        margin_bridge=variance_bridge(plan, sales, by="sku", value="margin"),
        accuracy_by_lag=forecast["accuracy_by_lag"][["lag", "n", "mae", "wape", "bias"]],
        bias=forecast["bias"],
        exceptions=forecast["exceptions"],
        pareto_units_short=_units_short(order_lines),
        forecast_vs_supply=forecast["forecast_vs_supply"],
    )


def _money_views(order_lines, financials, sales) -> dict:
    """Service (by region and overall), working capital, margin by family, inventory."""
    fin = financials
    wc = working_capital_days(
        fin["revenue"].sum(),
        fin["cogs"].sum(),
        fin["inventory_value"],
        fin["receivables"],
        fin["payables"],
    )
    average_stock = float(fin["inventory_value"].mean())
    inventory = pd.Series(
        {
            "average_inventory": average_stock,
            "turns": inventory_turns(fin["cogs"].sum(), average_stock),
            "days_of_supply": days_of_supply(average_stock, fin["cogs"].sum()),
            "gmroi": gmroi(max(float(fin["gross_margin"].sum()), 0.0), average_stock),
        },
        name="inventory",
    )
    return {
        "service": service_kpis(order_lines, by="region"),
        "service_all": service_kpis(order_lines),
        "working_capital": wc,
        "margin_by_family": gross_margin(sales, by="family"),
        "inventory": inventory,
    }


def _forecast_views(errors: pd.DataFrame, tracking_limit: float) -> dict:
    """Accuracy by lag, lag-1 bias by family and quarter, exceptions, error split."""
    by_lag = accuracy_by_group(errors, actual="ordered_units", forecast="consensus", by="lag")
    lag1 = errors[errors["lag"] == 1].copy()
    lag1["quarter"] = "Q" + lag1["target_month"].dt.quarter.astype(str)
    return {
        "accuracy_by_lag": by_lag,
        "bias": bias_table(
            lag1, rows="family", columns="quarter", actual="ordered_units", forecast="consensus"
        ),
        "exceptions": tracking_signal_exceptions(
            lag1,
            by=["sku", "region"],
            period="target_month",
            actual="ordered_units",
            forecast="consensus",
            limit=tracking_limit,
        ),
        "forecast_vs_supply": separate_forecast_and_supply_error(
            lag1,
            forecast="consensus",
            orders="ordered_units",
            shipments="shipped_units",
            by="family",
        ),
    }


def _units_short(order_lines: pd.DataFrame) -> pd.DataFrame:
    """The Pareto of units short by SKU (empty when no line was short)."""
    short = (order_lines["requested_units"] - order_lines["shipped_units"]).clip(lower=0)
    units_short = short.groupby(order_lines["sku"]).sum()
    units_short = units_short[units_short > 0]
    return pareto_table(units_short) if not units_short.empty else pd.DataFrame()


def _scorecard(targets, money: dict, financials, bridge, by_lag) -> pd.DataFrame:
    """The KPIs' actual values against their targets, rated green / amber / red."""
    service_all = money["service_all"]
    wape_by_lag = by_lag.set_index("lag")["wape"]
    actuals = {
        "otif": service_all["otif"],
        "unit_fill_rate": service_all["unit_fill_rate"],
        "gross_margin_pct": 100 * financials["gross_margin"].sum() / financials["revenue"].sum(),
        "cash_to_cash": money["working_capital"]["cash_to_cash"],
        "inventory_turns": money["inventory"]["turns"],
        "revenue_vs_plan": bridge["actual"] / bridge["plan"] if bridge["plan"] else np.nan,
        "wape_lag1": wape_by_lag.get(1, np.nan),
    }
    card = targets[["target", "direction", "tolerance"]].copy()
    card.insert(0, "actual", [float(actuals[k]) for k in card.index])
    return rate_kpis(card)
