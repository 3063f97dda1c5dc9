"""What one S&OP cycle ran on: one row per step, whether it ran fully, simplified or was
skipped, the tables it read and the tables to add to run it fully.

:func:`sopcourse.cycle.run_cycle` calls :func:`cycle_coverage`; the result is
``CycleResult.coverage``, shown on the first page of the review pack and in the summary
of ``sopcourse cycle``. The tables each step reads are declared once, in
:data:`STEP_READS` (from :data:`sopcourse.case.STEP_TABLES` and the schema's required
tables); the tables to add are the missing ones of the step's list, in its order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .case import PLANNING_TABLES, REVIEW_TABLES
from .datasets.schema import SCHEMA

__all__: list[str] = []  # CycleResult.coverage; not lesson API

#: The tables the cycle needs at least (the schema's required tables).
REQUIRED = ("products", "regions", "sales")

#: The tables each step of the cycle reads.
STEP_READS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("data gathering", REQUIRED),
    ("statistical forecast", ("sales",)),
    ("demand review (consensus)", ("sales", "sales_plan", "forecast_snapshots")),
    ("supply review", PLANNING_TABLES),
    ("financial projection", ("products", "budget")),
    ("pre-S&OP: gap to target", ("targets", "pipeline")),
    ("executive review (KPIs)", REVIEW_TABLES),
)

CAPACITY_UNKNOWN = "capacity unknown: not planned against capacity"
COLUMNS = ["step", "outcome", "tables read", "tables to add", "detail"]


@dataclass(repr=False)
class CycleCoverage:
    """``steps``: one row per step (:data:`COLUMNS`); ``unconstrained_supply``: by
    ``family`` and ``month``, ``demand`` (consensus units), ``opening_stock`` used and
    ``production`` (demand net of the opening stock), when the supply review was skipped
    (None when the LP plan ran)."""

    steps: pd.DataFrame
    unconstrained_supply: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return f"CycleCoverage({dict(zip(self.steps['step'], self.steps['outcome'], strict=True))})"

    def summary_lines(self) -> list[str]:
        """One short line per step, for the command line."""
        lines = []
        for _, row in self.steps.iterrows():
            files = ", ".join(f"{t}.csv" for t in row["tables to add"].split(", ") if t)
            add = f" (add {files})" if files else ""
            lines.append(f"  {row['step']:<27} {row['outcome']}{add}")
        return lines


def _present(company, names) -> list[str]:
    return [n for n in names if getattr(company, n, None) is not None]


def _missing(company, names) -> str:
    return ", ".join(n for n in names if getattr(company, n, None) is None)


def unconstrained_supply(company, consensus: pd.DataFrame) -> pd.DataFrame:
    """Production = consensus demand by family and month, the opening finished-goods stock
    (``inventory.on_hand`` of the SKUs, when the table exists) used up first."""
    demand = consensus.groupby(["family", "month"], as_index=False)["consensus"].sum()
    demand = demand.rename(columns={"consensus": "demand"}).sort_values(["family", "month"])
    stock = pd.Series(0.0, index=demand["family"].unique())
    if company.inventory is not None:
        family = company.products.set_index("sku")["family"].astype(str)
        on_hand = company.inventory.groupby("item")["on_hand"].sum()
        on_hand = on_hand[on_hand.index.isin(set(consensus["sku"]))]
        stock = stock.add(on_hand.groupby(on_hand.index.map(family)).sum(), fill_value=0.0)
    used, left = [], stock.to_dict()
    for fam, units in zip(demand["family"], demand["demand"], strict=True):
        take = min(float(units), float(left.get(fam, 0.0)))
        left[fam] = left.get(fam, 0.0) - take
        used.append(take)
    demand["opening_stock"] = used
    demand["production"] = demand["demand"] - demand["opening_stock"]
    return demand.reset_index(drop=True)


def _status(company, step, tables, r) -> tuple[str, str, str]:
    """(status, tables to add, detail) of one step; ``r`` holds what the cycle produced."""
    add = _missing(company, tables)
    derived = getattr(company, "derived", None) or {}
    if step == "data gathering" and derived:
        parts = [
            f"{t}.csv derived from the markets of sales.csv"
            if cols == SCHEMA[t].column_names
            else f"{t}: {', '.join(cols)} derived"
            for t, cols in derived.items()
        ]
        add = "regions" if "regions" in derived else ""
        return "simplified", add, "; ".join(parts) + " (minimal start)"
    if step in ("data gathering", "statistical forecast"):
        return "ran fully", "", ""
    if step.startswith("demand review"):
        if list(r["weights"].index) == ["statistical"]:
            return "simplified", add, "consensus = statistical forecast"
        if add:
            return "simplified", add, "equal weights (no past accuracy to weigh by)"
        return "ran fully", "", "statistical forecast and commercial plan, inverse-MAE weights"
    if step == "supply review":
        if r["plan"] is not None:
            return "ran fully", "", "balancing LP within capacity and components"
        if r["unconstrained"] is not None:
            return (
                "simplified",
                add,
                CAPACITY_UNKNOWN + "; unconstrained plan (production = demand)",
            )
        return "skipped", add, CAPACITY_UNKNOWN
    if step == "financial projection":
        detail = "supply-constrained plan" if r["plan"] is not None else "unconstrained demand"
        if add:
            return "simplified", add, detail + "; no budget to compare"
        return ("ran fully" if r["plan"] is not None else "simplified"), "", detail
    if step.startswith("pre-S&OP"):
        if r["gap"] is None:
            return "skipped", add, "no gap to target"
        if add:
            return "simplified", add, "gap without the weighted pipeline"
        return "ran fully", "", ""
    if r["review"] is None:
        return "skipped", add, "no KPI review" if add else "no complete year to review"
    return "ran fully", "", ""


def cycle_coverage(company, consensus, weights, plan, gap, review) -> CycleCoverage:
    """The coverage of one cycle on ``company`` (what ``run_cycle`` produced)."""
    free = unconstrained_supply(company, consensus) if plan is None else None
    produced = {"weights": weights, "plan": plan, "gap": gap, "review": review}
    produced["unconstrained"] = free
    rows = []
    for step, tables in STEP_READS:
        state, add, detail = _status(company, step, tables, produced)
        read = "" if state == "skipped" else ", ".join(_present(company, tables))
        rows.append([step, state, read, add, detail])
    return CycleCoverage(pd.DataFrame(rows, columns=COLUMNS), free)
