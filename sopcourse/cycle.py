"""One monthly S&OP cycle, end to end, and its management review pack as one HTML file.

``sopcourse cycle [DATA_DIR] --out review.html [--month YYYY-MM] [--seed N]`` runs the
five steps of the monthly S&OP process (the calendar of Module 1) on a data folder
(Tallridge Cycles by default, or your own folder that passes ``sopcourse data validate``)
and writes the review pack: tables as HTML, charts as embedded PNG images, no external
links or scripts, so it opens offline in any browser.

=====  ===============================  ===============================================
step   what                             package functions it calls
=====  ===============================  ===============================================
1      data gathering                   :func:`sopcourse.load_company` (validates a folder)
2      demand review                    :func:`sopcourse.forecast_all`, :func:`~sopcourse.mae`,
                                        :func:`sopcourse.inverse_mae_weights`,
                                        :func:`sopcourse.consensus_forecast`
3      supply review                    :func:`sopcourse.planning_inputs_from_company`,
                                        :func:`sopcourse.balancing_plan`
4      pre-S&OP financial               :func:`sopcourse.revenue_plan`,
       reconciliation                   :func:`sopcourse.weighted_pipeline`,
                                        :func:`sopcourse.gap_to_goal`
5      executive review                 :func:`sopcourse.management_review`
=====  ===============================  ===============================================

Conventions: monthly buckets; units are units (bicycles, parts); money in the data's
currency (EUR for Tallridge); forecast error = forecast - actual. The **planning month**
(``month``) is the first month of the plan; the history is every month before it.

The consensus has two inputs for the future: the statistical forecast of every SKU-market
series (``forecast_all`` on ``sales.ordered_units``, the unconstrained demand) and the
current commercial plan (``sales_plan`` version ``sop``, which knows the planned
promotions, launches and phase-outs). Their weights are inverse MAE (Module 3):
:math:`w_i = (1/\\text{MAE}_i) / \\sum_j 1/\\text{MAE}_j`, with the MAE of the
``statistical`` and of the agreed ``consensus`` columns of ``forecast_snapshots`` over
the last 12 target months before the planning month (lags 1-3), against the ordered
units. Products with no history (launches) take the plan; months the plan does not cover
take the statistical forecast; forecasts after a product's end of life are 0.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["CYCLE_STEPS", "CycleResult", "run_cycle"]
# The `sopcourse cycle` command is in sopcourse.cli; the review pack's page in
# sopcourse.cycle_report (and templates/review_pack.html.j2).

#: The five steps of the monthly cycle, in order.
CYCLE_STEPS = (
    "data gathering",
    "demand review",
    "supply review",
    "financial reconciliation",
    "executive review",
)
_CALIBRATION_MONTHS = 12


@dataclass(repr=False)
class CycleResult:
    """Everything one S&OP cycle produced (tidy tables), and its review pack.

    Attributes
    ----------
    month : pandas.Period
        The planning month (first month of the plan).
    periods : list of str
        The plan's months, ``'YYYY-MM'``.
    source : str
        Where the data came from.
    statistical : DataFrame
        ``forecast_all`` output: ``sku``, ``region``, ``month``, ``forecast``, ``method``,
        ``demand_class``.
    weights, inputs_mae : Series
        Consensus weight and past MAE (units) of each input.
    consensus : DataFrame
        ``sku``, ``region``, ``family``, ``month``, ``statistical``, ``plan``,
        ``consensus`` (whole units), ``price``, ``basis`` (which inputs made it).
    planning_inputs, plan : PlanningInputs, BalancingPlan or None
        The supply review's LP data and solution (None when the data has no supply tables).
    component_supply : DataFrame or None
        Purchased components the LP limits: ``component``, ``period``, ``quantity``.
    financial_plan : DataFrame
        By month: ``units``, ``revenue``, ``cost_of_goods``, ``gross_margin``,
        ``gross_margin_pct`` of the supply-constrained plan, and the ``budget_revenue``,
        ``budget_gross_margin`` of the same months (NaN where there is no budget).
    gap : Series or None
        :func:`sopcourse.gap_to_goal` for the planning month's year (revenue).
    targets : Series
        For the planning month's year: ``year``, ``revenue_target``, ``plan_revenue``
        (actual revenue before the planning month + the plan's), ``weighted_pipeline``,
        ``revenue_gap`` (target - plan - pipeline, as :attr:`gap`),
        ``revenue_gap_without_pipeline``, ``gross_margin_target`` (revenue-weighted),
        ``plan_gross_margin_pct`` and ``months_in_plan`` (empty without targets).
    review : dict or None
        :func:`sopcourse.management_review` of ``review_year``.
    review_year : int or None
        The last complete calendar year before the planning month.
    decisions : DataFrame
        ``topic``, ``finding``, ``decision to take``: the page of decisions.
    notes : list of str
        What was simplified or skipped, and why.
    timings : Series
        Seconds per step.
    coverage : CycleCoverage
        What the cycle ran on (:mod:`sopcourse.cycle_coverage`): per step, ran fully,
        simplified or skipped, the tables read and the tables to add.
    """

    month: pd.Period
    periods: list
    source: str
    statistical: pd.DataFrame
    weights: pd.Series
    inputs_mae: pd.Series
    consensus: pd.DataFrame
    planning_inputs: object | None
    plan: object | None
    component_supply: pd.DataFrame | None
    financial_plan: pd.DataFrame
    gap: pd.Series | None
    targets: pd.Series
    review: dict | None
    review_year: int | None
    decisions: pd.DataFrame
    notes: list = field(default_factory=list)
    timings: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    history: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    coverage: object | None = None

    def __repr__(self) -> str:
        return (
            f"CycleResult(month={self.month}, periods={self.periods[0]}..{self.periods[-1]}, "
            f"series={self.consensus.groupby(['sku', 'region']).ngroups}, "
            f"decisions={len(self.decisions)}, seconds={self.timings.sum():.1f})"
        )

    def to_html(self) -> str:
        """The management review pack: one self-contained HTML page (no external links)."""
        return _render_html(self)

    def unmet_by_market(self) -> pd.DataFrame | None:
        """Demand, served and unmet units and the revenue the unmet units would have
        brought (``lost_revenue``), by market; None without a supply plan."""
        if self.plan is None:
            return None
        return _unmet_by_market(self.plan, self.planning_inputs)

    def write(self, path) -> Path:
        """Write :meth:`to_html` to ``path`` atomically (a temporary file in the same
        folder, renamed at the end: an existing file is replaced only on success)."""
        from ._files import write_atomic

        return write_atomic(Path(path), self.to_html())


# --------------------------------------------------------------------------- helpers
def _month(value) -> pd.Period:
    """'YYYY-MM', or a month as the data files may spell it (03/2024, 2024-03-01, Mar 2024)."""
    from .datasets.exports import to_month

    text = value if isinstance(value, pd.Period) else to_month(str(value).strip(), names=True)
    try:
        return pd.Period(text or "not a month", freq="M")
    except (TypeError, ValueError):
        msg = f"month must be a month such as 2026-01 (also 01/2026, 2026-01-01); got {value!r}."
        raise ValueError(msg) from None


def _missing(company, names) -> list[str]:
    return [n for n in names if getattr(company, n, None) is None]


def _load(company_or_dir, seed):
    from .datasets import Company, load_company

    if isinstance(company_or_dir, Company):
        if seed is not None:
            raise ValueError("seed= is for the Tallridge data; a Company is already loaded.")
        return company_or_dir
    if company_or_dir is None:
        return load_company(seed=0 if seed is None else seed)
    if seed is not None:
        raise ValueError(
            "seed= chooses a Tallridge variant; it cannot be combined with a data folder."
        )
    folder = Path(company_or_dir)
    if not folder.is_dir():
        raise ValueError(
            f"the data folder {folder} does not exist (or is not a folder): give the folder "
            "that holds sales.csv, products.csv, regions.csv ..."
        )
    return load_company(data_dir=folder)


def _planning_month(company, month) -> pd.Period:
    sales = company.sales
    last = sales["month"].max()
    first = sales["month"].min()
    if month is None:
        return last + 1
    m = _month(month)
    if m > last + 1:
        raise ValueError(
            f"the planning month {m} is after the history ends ({last}): choose {last + 1} or "
            "an earlier month."
        )
    if m <= first + 12:
        raise ValueError(
            f"the planning month {m} leaves less than a year of history (sales start {first}): "
            f"choose {first + 13} or later."
        )
    return m


def _net_prices(company, history: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Trailing 12-month net price by (sku, region) and by sku, and list-price fallback."""
    recent = history[history["month"] > history["month"].max() - 12]
    recent = recent[recent["shipped_units"] > 0]
    by_series = (
        recent.groupby(["sku", "region"])["revenue"].sum()
        / recent.groupby(["sku", "region"])["shipped_units"].sum()
    )
    by_sku = recent.groupby("sku")["revenue"].sum() / recent.groupby("sku")["shipped_units"].sum()
    fallback = company.products.set_index("sku")["list_price"].astype(float)
    return by_series, by_sku, fallback


def _gather(company_or_dir, seed, month, horizon):
    """Step 1: the company (loaded and validated), the planning month, the plan's months."""
    from .cycle_coverage import REQUIRED

    company = _load(company_or_dir, seed)
    missing = _missing(company, REQUIRED)
    if missing:
        raise ValueError(
            f"the data has no table(s) {missing}; the cycle needs at least "
            "products, regions and sales."
        )
    m = _planning_month(company, month)
    periods = [str(m + i) for i in range(int(horizon))]
    return company, m, periods


# --------------------------------------------------------------------------- step 2
def _consensus_weights(company, month: pd.Period, notes: list) -> tuple[pd.Series, pd.Series]:
    from .accuracy import mae
    from .demand import inverse_mae_weights

    snaps = company.forecast_snapshots
    if snaps is None or snaps.empty:
        notes.append(
            "No forecast_snapshots: the consensus weights cannot be measured, so the "
            "statistical forecast and the plan get equal weights."
        )
        return pd.Series({"statistical": 0.5, "plan": 0.5}, name="weight"), pd.Series(dtype=float)
    snaps = snaps[snaps["target_month"] < month]
    snaps = snaps[snaps["target_month"] > month - 1 - _CALIBRATION_MONTHS]
    actual = company.sales.groupby(["month", "sku", "region"], as_index=False)[
        "ordered_units"
    ].sum()
    joined = snaps.merge(
        actual.rename(columns={"month": "target_month"}), on=["target_month", "sku", "region"]
    )
    if joined.empty:
        notes.append(
            f"forecast_snapshots has no target months in the {_CALIBRATION_MONTHS} "
            "months before the planning month: equal weights are used."
        )
        return pd.Series({"statistical": 0.5, "plan": 0.5}, name="weight"), pd.Series(dtype=float)
    errors = pd.Series(
        {
            "statistical": mae(joined["ordered_units"], joined["statistical"]),
            "plan": mae(joined["ordered_units"], joined["consensus"]),
        },
        name="mae",
    )
    return inverse_mae_weights(errors), errors


def _demand_review(company, month, periods, families, notes, client=None):
    from .demand import consensus_forecast
    from .forecasting import forecast_all

    products = company.products.set_index("sku")
    history = company.sales[company.sales["month"] < month]
    if families is not None:
        keep = set(products.index[products["family"].astype(str).isin(families)])
        history = history[history["sku"].isin(keep)]
        if history.empty:
            raise ValueError(
                f"no sales history for the families {sorted(families)}; the data has "
                f"{sorted(products['family'].astype(str).unique())}."
            )
    horizon = len(periods)
    stat = forecast_all(
        history, key=["sku", "region"], horizon=horizon, value="ordered_units", client=client
    )
    stat["month"] = stat["month"].astype(str)
    eol = products["end_of_life_month"] if "end_of_life_month" in products else None
    if eol is not None:
        end = stat["sku"].map(eol.astype(str).where(eol.notna()))
        after = end.notna() & (stat["month"] > end.fillna(""))
        if after.any():
            ended = sorted(stat.loc[after, "sku"].unique())
            notes.append(f"Statistical forecast set to 0 after the end of life of {ended}.")
        stat.loc[after, "forecast"] = 0.0

    plan = company.sales_plan
    snapshot = company.sales["month"].max() + 1
    if plan is not None and month != snapshot:
        notes.append(
            f"The commercial plan (sales_plan version sop) was made at {snapshot}; a cycle "
            f"for the earlier month {month} cannot know it and uses the statistical forecast."
        )
        plan = None
    if plan is not None:
        plan = plan[(plan["version"].astype(str) == "sop")].assign(
            month=lambda d: d["month"].astype(str)
        )
        plan = plan[plan["month"].isin(periods)]
        if families is not None:
            plan = plan[plan["sku"].map(products["family"].astype(str)).isin(families)]
    if plan is None or plan.empty:
        notes.append(
            "No commercial S&OP plan (sales_plan version sop) covers the horizon: "
            "the consensus is the statistical forecast."
        )
        plan = pd.DataFrame(
            {
                "sku": pd.Series(dtype=str),
                "region": pd.Series(dtype=str),
                "month": pd.Series(dtype=str),
                "plan_units": pd.Series(dtype=float),
                "plan_price": pd.Series(dtype=float),
            }
        )
        weights = pd.Series({"statistical": 1.0}, name="weight")
        inputs_mae = pd.Series(dtype=float, name="mae")
    else:
        weights, inputs_mae = _consensus_weights(company, month, notes)
    covered = set(plan["month"])
    table = stat[["sku", "region", "month", "forecast"]].rename(columns={"forecast": "statistical"})
    table = table.merge(
        plan[["sku", "region", "month", "plan_units", "plan_price"]].rename(
            columns={"plan_units": "plan"}
        ),
        on=["sku", "region", "month"],
        how="outer",
    )
    in_plan_month = table["month"].isin(covered)
    table["plan"] = table["plan"].astype(float)
    table.loc[in_plan_month & table["plan"].isna(), "plan"] = 0.0
    both = table["statistical"].notna() & table["plan"].notna()
    table["consensus"] = np.nan
    table["basis"] = ""
    if both.any():
        table.loc[both, "consensus"] = consensus_forecast(
            table.loc[both, ["statistical", "plan"]].astype(float), weights
        ).to_numpy()
        table.loc[both, "basis"] = "weighted"
    only_plan = table["statistical"].isna()
    table.loc[only_plan, "consensus"] = table.loc[only_plan, "plan"]
    table.loc[only_plan, "basis"] = "plan (no history)"
    only_stat = table["plan"].isna()
    table.loc[only_stat, "consensus"] = table.loc[only_stat, "statistical"]
    table.loc[only_stat, "basis"] = "statistical (no plan)"
    if only_plan.any():
        new = sorted(table.loc[only_plan & (table["plan"] > 0), "sku"].unique())
        if new:
            notes.append(f"No sales history for {new}: their consensus is the plan (launches).")
    table["consensus"] = table["consensus"].round().clip(lower=0)
    by_series, by_sku, fallback = _net_prices(company, history)
    keys = pd.MultiIndex.from_frame(table[["sku", "region"]])
    price = table["plan_price"].astype(float)
    price = price.fillna(pd.Series(by_series.reindex(keys).to_numpy(), index=table.index))
    price = price.fillna(table["sku"].map(by_sku)).fillna(table["sku"].map(fallback))
    table["price"] = price.astype(float)
    table["family"] = table["sku"].map(products["family"].astype(str))
    table = table[
        ["sku", "region", "family", "month", "statistical", "plan", "consensus", "price", "basis"]
    ]
    table = table.sort_values(["sku", "region", "month"]).reset_index(drop=True)
    monthly = history.groupby("month")["ordered_units"].sum()
    monthly.index = monthly.index.astype(str)
    return stat, weights, inputs_mae, table, monthly


# --------------------------------------------------------------------------- step 3
def _component_supply(company, skus, consensus, periods) -> pd.DataFrame:
    """Purchased components of the planned bikes: stock + open orders inside the lead time;
    from the lead time on, enough to cover the whole horizon (new orders can still arrive)."""
    bom = company.bom[company.bom["parent"].isin(skus)]
    items = company.items.set_index("item")
    bought = [
        c
        for c in sorted(bom["component"].unique())
        if c in items.index and str(items.loc[c, "make_or_buy"]) == "buy"
    ]
    units = consensus.groupby("sku")["consensus"].sum()
    stock = company.inventory.groupby("item")["on_hand"].sum()
    receipts = company.scheduled_receipts
    if receipts is not None:
        receipts = receipts.assign(period=receipts["due_month"].astype(str))
    rows = []
    for c in bought:
        lead = int(items.loc[c, "lead_time"])
        need = float(
            (
                bom.loc[bom["component"] == c].set_index("parent")["quantity"]
                * units.reindex(bom.loc[bom["component"] == c, "parent"]).fillna(0).values
            ).sum()
        )
        due = (
            receipts[receipts["item"] == c].groupby("period")["quantity"].sum()
            if receipts is not None
            else pd.Series(dtype=float)
        )
        for i, t in enumerate(periods):
            if i < lead:
                q = float(due.get(t, 0.0))
                if i == 0:
                    q += float(stock.get(c, 0.0)) + float(due[due.index < t].sum())
            elif i == lead:
                q = need  # orders placed now arrive: never short from here on
            else:
                q = 0.0
            rows.append((c, t, q))
    return pd.DataFrame(rows, columns=["component", "period", "quantity"])


def _supply_review(company, month, periods, consensus, notes):
    from .balancing import balancing_plan
    from .case import PLANNING_TABLES, planning_inputs_from_company

    missing = _missing(company, PLANNING_TABLES)
    if missing:
        notes.append(
            f"Supply review skipped: the data has no table(s) {missing}; the "
            "financial plan uses the unconstrained consensus."
        )
        return None, None, None
    plan_rows = consensus[consensus["consensus"] > 0]
    cycle_plan = pd.DataFrame(
        {
            "version": "sop",
            "month": pd.PeriodIndex(plan_rows["month"], freq="M"),
            "sku": plan_rows["sku"].to_numpy(),
            "region": plan_rows["region"].to_numpy(),
            "plan_units": plan_rows["consensus"].astype(int).to_numpy(),
            "plan_price": plan_rows["price"].to_numpy(),
        }
    )
    items = company.items  # finished goods are planned (Tallridge: the bikes)
    finished = set(items.loc[items["item_type"].astype(str) == "finished_good", "item"])
    skus = sorted(set(cycle_plan["sku"]) & finished & set(company.routings["sku"]))
    if not skus:
        notes.append(
            "Supply review skipped: no planned product is a finished good (items.csv "
            "item_type) with a routing (routings.csv)."
        )
        return None, None, None
    planned = dataclasses.replace(company, sales_plan=cycle_plan[cycle_plan["sku"].isin(skus)])
    snapshot = company.sales["month"].max() + 1
    current = month == snapshot
    supply = _component_supply(company, skus, consensus, periods) if current else None
    inputs = planning_inputs_from_company(
        planned,
        start=str(month),
        months=len(periods),
        kind=None,  # the finished goods above, whatever the company calls its kinds
        component_supply=supply if supply is not None and not supply.empty else None,
    )
    if not current:
        inputs.initial_inventory = None
        notes.append(
            f"Stock and open orders are known only at {snapshot} (the data's snapshot): the "
            f"plan for {month} starts without finished-goods stock and does not limit "
            "purchased components."
        )
    # A partial cycle (a family made in one plant only): lanes from plants that make
    # none of the planned products are dropped, as balancing_plan requires.
    makers = set(inputs.production_cost["plant"])
    inputs.lanes = inputs.lanes[inputs.lanes["plant"].isin(makers)].reset_index(drop=True)
    notes.append(
        "Supply review: finished goods only (parts and accessories are bought for resale "
        "and assumed available); regular-time capacity; purchased components limited to stock + "
        "open orders inside their lead time; transit time ignored (monthly buckets)."
    )
    return inputs, balancing_plan(inputs), supply


# --------------------------------------------------------------------------- step 4
def _financial_plan(company, consensus, plan, periods):
    from .revenue import revenue_plan

    units = consensus[["sku", "region", "month", "consensus", "price"]].rename(
        columns={"consensus": "units"}
    )
    if plan is not None:
        served = plan.sales.rename(
            columns={"product": "sku", "market": "region", "period": "month"}
        )[["sku", "region", "month", "served"]]
        units = units.merge(served, on=["sku", "region", "month"], how="left")
        units["units"] = units["served"].fillna(units["units"])
        units = units.drop(columns="served")
    units = units[units["units"] > 0]
    costs = company.products[["sku", "standard_cost"]].astype({"standard_cost": float})
    monthly = revenue_plan(units, None, costs, by=["month"], price="price").set_index("month")
    monthly = monthly.reindex(periods).fillna(
        {"units": 0, "revenue": 0, "cost_of_goods": 0, "gross_margin": 0}
    )
    budget = company.budget
    if budget is not None:
        b = budget.assign(month=budget["month"].astype(str)).set_index("month")
        monthly["budget_revenue"] = b["revenue"].reindex(periods).astype(float)
        monthly["budget_gross_margin"] = b["gross_margin"].reindex(periods).astype(float)
    else:
        monthly["budget_revenue"] = np.nan
        monthly["budget_gross_margin"] = np.nan
    monthly.index.name = "month"
    return monthly, units


def _gap_to_target(company, month, consensus, plan_units, periods, families, notes):
    from .revenue import gap_to_goal, weighted_pipeline

    year = month.year
    if company.targets is None:
        notes.append("No targets table: no gap to goal.")
        return None, pd.Series(dtype=float)
    t = company.targets[company.targets["year"] == year]
    if families is not None:
        t = t[t["family"].astype(str).isin(families)]
    if t.empty:
        notes.append(f"targets has no rows for {year}: no gap to goal.")
        return None, pd.Series(dtype=float)
    target = float(t["revenue_target"].sum())
    gm_target = float((t["revenue_target"] * t["gross_margin_target"]).sum() / target)
    in_year = [p for p in periods if p.startswith(f"{year}-")]
    if in_year[-1] != f"{year}-12":
        notes.append(
            f"The plan ends before December {year}: the gap to the {year} target "
            "counts only the months in the plan."
        )
    sales = company.sales
    ytd = sales[(sales["month"] < month) & (sales["month"].dt.year == year)]
    if families is not None:
        ytd = ytd[ytd["sku"].isin(set(consensus["sku"]))]
    actual_revenue = float(ytd["revenue"].sum())
    cons = consensus[consensus["month"].isin(in_year)]
    demand_revenue = cons["consensus"] * cons["price"]
    history_skus = set(sales.loc[sales["month"] < month, "sku"])
    new = ~cons["sku"].isin(history_skus)
    served = plan_units[plan_units["month"].isin(in_year)]
    served_revenue = float((served["units"] * served["price"]).sum())
    shortfall = served_revenue - float(demand_revenue.sum())
    pipeline_value = 0.0
    if company.pipeline is not None:
        deals = company.pipeline
        closed = deals["close_month"]
        # open at the planning month: created before it and not closed before it
        open_then = (deals["created_month"] < month) & (closed.isna() | (closed >= month))
        open_deals = deals[
            open_then
            & (deals["expected_close_month"] >= month)
            & (deals["expected_close_month"].dt.year == year)
        ]
        if families is not None:
            open_deals = open_deals[open_deals["family"].astype(str).isin(families)]
        if not open_deals.empty:
            pipeline_value = float(weighted_pipeline(open_deals)["weighted_amount"].sum())
    other = {"supply_limits": shortfall}
    if actual_revenue:
        other = {"actual_to_date": actual_revenue, **other}
    gap = gap_to_goal(
        float(demand_revenue[~new].sum()),
        pipeline_value,
        float(demand_revenue[new].sum()),
        target,
        other=other,
    )
    cost = served["units"] * served["sku"].map(
        company.products.set_index("sku")["standard_cost"].astype(float)
    )
    plan_revenue = served_revenue + actual_revenue
    plan_margin = served_revenue - float(cost.sum())
    if not ytd.empty:
        ytd_cost = ytd["shipped_units"] * ytd["sku"].map(
            company.products.set_index("sku")["standard_cost"].astype(float)
        )
        plan_margin += actual_revenue - float(ytd_cost.sum())
    targets = pd.Series(
        {
            "year": year,
            "revenue_target": target,
            "plan_revenue": plan_revenue,
            "weighted_pipeline": pipeline_value,
            "revenue_gap": float(gap["gap"]),
            "revenue_gap_without_pipeline": target - plan_revenue,
            "gross_margin_target": gm_target,
            "plan_gross_margin_pct": plan_margin / plan_revenue if plan_revenue else np.nan,
            "months_in_plan": len(in_year),
        }
    )
    return gap, targets


# --------------------------------------------------------------------------- step 5
def _review_year(month: pd.Period) -> int:
    last = month - 1
    return last.year if last.month == 12 else last.year - 1


def _unmet_by_market(plan, inputs) -> pd.DataFrame:
    """Demand, unmet units and the revenue they would have brought, by market."""
    sales = plan.sales.merge(
        inputs.demand[["product", "market", "period", "price"]],
        on=["product", "market", "period"],
        how="left",
    )
    sales["lost_revenue"] = sales["unmet"] * sales["price"].fillna(0.0)
    return sales.groupby("market")[["demand", "served", "unmet", "lost_revenue"]].sum()


def _decisions(plan, inputs, gap, targets, review, currency) -> pd.DataFrame:
    rows = []
    if plan is not None:
        unmet = _unmet_by_market(plan, inputs)
        unmet = unmet[unmet["unmet"] > 0.5].sort_values("unmet", ascending=False)
        if unmet.empty:
            rows.append(
                {
                    "topic": "demand vs supply",
                    "finding": f"the plan serves all {plan.sales['demand'].sum():,.0f} units "
                    "of consensus demand for bicycles (fill rate 100 %; parts and accessories "
                    "are not in the supply plan).",
                    "decision to take": "approve the supply plan (check the bottleneck below)",
                }
            )
        for market, r in unmet.iterrows():
            rows.append(
                {
                    "topic": f"unmet demand, {market}",
                    "finding": f"{r['unmet']:,.0f} of {r['demand']:,.0f} units cannot be "
                    f"served ({r['unmet'] / r['demand']:.1%}), "
                    f"{r['lost_revenue'] / 1e6:,.2f} m {currency} of revenue.",
                    "decision to take": "accept the lost sales, or add capacity / components "
                    "(see the bottleneck) to serve them",
                }
            )
        cap = plan.capacity[plan.capacity["shadow_price"] > 1e-6]
        if not cap.empty:
            by_res = cap.groupby(["plant", "work_centre"]).agg(
                months=("period", "size"),
                first=("period", "min"),
                last=("period", "max"),
                shadow_price=("shadow_price", "max"),
            )
            top = by_res.sort_values("shadow_price", ascending=False).iloc[0]
            plant, wc = by_res.sort_values("shadow_price", ascending=False).index[0]
            rows.append(
                {
                    "topic": "bottleneck resource",
                    "finding": f"{plant} {wc} is full in {int(top['months'])} month(s) "
                    f"({top['first']}..{top['last']}); an extra hour is worth up to "
                    f"{top['shadow_price']:,.0f} {currency} (shadow price).",
                    "decision to take": "overtime, an extra shift or moving volume, if it "
                    f"costs less than {top['shadow_price']:,.0f} {currency} per hour",
                }
            )
        mat = plan.materials
        if mat is not None and not mat.empty:
            short = mat[mat["shadow_price"] > 1e-6]
            if not short.empty:
                g = short.groupby("component")["shadow_price"].max().sort_values(ascending=False)
                rows.append(
                    {
                        "topic": "component shortage",
                        "finding": f"{', '.join(g.index[:3])} limit the plan inside their "
                        f"lead time; one more {g.index[0]} is worth {g.iloc[0]:,.0f} {currency}.",
                        "decision to take": "expedite or allocate the short components",
                    }
                )
    if gap is not None and len(targets):
        year = int(targets["year"])
        g = targets["revenue_gap"]
        rows.append(
            {
                "topic": f"revenue vs {year} target",
                "finding": f"plan {targets['plan_revenue'] / 1e6:,.2f} m + weighted pipeline "
                f"{targets['weighted_pipeline'] / 1e6:,.2f} m vs target "
                f"{targets['revenue_target'] / 1e6:,.2f} m {currency}: "
                + (f"{g / 1e6:,.2f} m short" if g > 0 else f"{-g / 1e6:,.2f} m ahead")
                + f" ({targets['revenue_gap_without_pipeline'] / 1e6:,.2f} m without the "
                "pipeline).",
                "decision to take": "close the gap (price, promotions, pipeline, new "
                "products) or revise the target"
                if g > 0
                else "confirm the plan; no gap to close",
            }
        )
        gm, gmt = targets["plan_gross_margin_pct"], targets["gross_margin_target"]
        rows.append(
            {
                "topic": f"gross margin vs {year} target",
                "finding": f"plan {gm:.1%} vs target {gmt:.1%}.",
                "decision to take": "review mix and discounts" if gm < gmt else "none needed",
            }
        )
    if review is not None:
        card = review["scorecard"]
        red = card[card["status"] == "red"]
        for kpi, r in red.iterrows():
            rows.append(
                {
                    "topic": f"KPI red: {kpi}",
                    "finding": f"{r['actual']:.3g} against a target of {r['target']:.3g}.",
                    "decision to take": "name an owner and a recovery date",
                }
            )
        n_exc = len(review["exceptions"])
        if n_exc:
            rows.append(
                {
                    "topic": "forecast exceptions",
                    "finding": f"{n_exc} SKU-market series outside the tracking-signal limit.",
                    "decision to take": "review their forecast bias with the demand planner",
                }
            )
    return pd.DataFrame(rows, columns=["topic", "finding", "decision to take"])


def _executive_review(company, month, plan, inputs, gap, targets, notes):
    """Step 5: the KPI review of the last complete year and the page of decisions."""
    from .case import REVIEW_TABLES, management_review

    year = _review_year(month)
    review = None
    absent = _missing(company, REVIEW_TABLES)
    if absent:
        notes.append(f"KPI review skipped: the data has no table(s) {absent}.")
        year = None
    else:
        try:
            review = management_review(company, year=year)
        except ValueError as exc:
            notes.append(f"KPI review of {year} skipped: {exc}")
            year = None
    currency = "EUR"
    if "currency" in company.regions.columns and company.regions["currency"].nunique() == 1:
        currency = str(company.regions["currency"].iloc[0])
    decisions = _decisions(plan, inputs, gap, targets, review, currency)
    return review, year, decisions


# --------------------------------------------------------------------------- the cycle
def run_cycle(
    company_or_dir=None,
    month=None,
    *,
    seed: int | None = None,
    horizon: int = 18,
    families: Sequence[str] | None = None,
    progress: Callable[[int, int, str, float], None] | None = None,
    client=None,
) -> CycleResult:
    """Run one monthly S&OP cycle: data, demand, supply, finance, executive review.

    Parameters
    ----------
    company_or_dir : Company, path or None
        A loaded company (``sop.load_company()``), a data folder of your own (validated
        first, as ``sopcourse data validate`` does), or None for Tallridge Cycles.
    month : str, optional
        The planning month ``'YYYY-MM'`` (default: the month after the last month of
        sales history). The history is every month before it.
    seed : int, optional
        A Tallridge data variant (only with ``company_or_dir=None``).
    horizon : int
        :math:`H`, months planned (18 in the course: the S&OP horizon).
    families : list of str, optional
        Plan only these product families (a quicker, partial cycle).
    progress : callable, optional
        Called after each step as ``progress(step, n_steps, name, seconds)``.
    client : distributed.Client or str, optional
        A Dask client or scheduler address: the demand review's forecasts run on its workers.

    Returns
    -------
    CycleResult
        Every table, the decisions, the notes and the step timings; ``.to_html()`` and
        ``.write(path)`` give the review pack.

    Raises
    ------
    ValueError
        A missing or invalid data folder (every problem is listed), a bad month or
        horizon, an infeasible plan.

    Examples
    --------
    >>> result = run_cycle(families=["city"], horizon=3)
    >>> result.periods
    ['2026-01', '2026-02', '2026-03']
    >>> list(result.timings.index) == list(CYCLE_STEPS)
    True
    >>> "<img src=\\"data:image/png;base64," in result.to_html()
    True
    """
    from .cycle_coverage import cycle_coverage

    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"horizon must be a whole number of months, 1 or more; got {horizon!r}.")
    if families is not None:
        families = [str(f) for f in ([families] if isinstance(families, str) else families)]
    timings, notes, clock = {}, [], time.perf_counter()  # step -> seconds; the notes

    def done(step: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[CYCLE_STEPS[step - 1]] = now - clock
        clock = now
        if progress is not None:
            progress(step, len(CYCLE_STEPS), CYCLE_STEPS[step - 1], timings[CYCLE_STEPS[step - 1]])

    # 1 data gathering
    company, m, periods = _gather(company_or_dir, seed, month, horizon)
    done(1)

    # 2 demand review
    demand = _demand_review(company, m, periods, families, notes, client)
    stat, weights, inputs_mae, consensus, history = demand
    done(2)

    # 3 supply review
    inputs, plan, supply = _supply_review(company, m, periods, consensus, notes)
    done(3)

    # 4 financial reconciliation
    financial, plan_units = _financial_plan(company, consensus, plan, periods)
    gap, targets = _gap_to_target(company, m, consensus, plan_units, periods, families, notes)
    if families is not None:
        notes.append(
            f"Only the families {families} are planned: the targets, the pipeline and the "
            "actual revenue to date are theirs; the monthly budget and the KPI review are the "
            "whole company's."
        )
    done(4)

    # 5 executive review
    review, year, decisions = _executive_review(company, m, plan, inputs, gap, targets, notes)
    done(5)
    coverage = cycle_coverage(company, consensus, weights, plan, gap, review)
    return CycleResult(
        month=m,
        periods=periods,
        source=company.source or "in memory",
        statistical=stat,
        weights=weights,
        inputs_mae=inputs_mae,
        consensus=consensus,
        planning_inputs=inputs,
        plan=plan,
        component_supply=supply,
        financial_plan=financial,
        gap=gap,
        targets=targets,
        review=review,
        review_year=year,
        decisions=decisions,
        notes=notes,
        timings=pd.Series(timings, name="seconds"),
        history=history,
        coverage=coverage,
    )


# --------------------------------------------------------------------------- HTML
def _render_html(r: CycleResult) -> str:
    from .cycle_report import render_review_pack

    return render_review_pack(r)
