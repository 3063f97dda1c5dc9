"""The management review pack of one S&OP cycle: its charts and tables, on one HTML page.

:meth:`sopcourse.CycleResult.to_html` (and so ``sopcourse cycle --out review.html``) calls
:func:`render_review_pack`. The page is ``templates/review_pack.html.j2`` (it extends the
course's ``base.html.j2``, see :mod:`sopcourse.report`): the texts and the layout are
there; this module computes the tables the page shows (pandas) and draws the charts
(matplotlib, course style and :data:`sopcourse.plotting.COLORS`), embedded as PNG, so the
page has no external links or scripts and opens offline in any browser.

The sections, in order: ``decisions`` (the page of decisions), ``coverage`` (what the
cycle ran on, :mod:`sopcourse.cycle_coverage`), ``data-gathering``, ``demand-review``,
``supply-review``, ``financial-reconciliation``, ``executive-review`` (the five steps of
:data:`sopcourse.cycle.CYCLE_STEPS`) and ``notes``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .plotting import COLORS
from .report import png, render, status

__all__: list[str] = []  # CycleResult.to_html calls it; not lesson API


def render_review_pack(r) -> str:
    """The review pack of the :class:`~sopcourse.cycle.CycleResult` ``r``: one
    self-contained HTML page (charts embedded, text escaped)."""
    from matplotlib import style

    with style.context(str(Path(__file__).with_name("course.mplstyle"))):
        charts = SimpleNamespace(
            demand=_chart_demand(r),
            supply=_chart_supply(r) if r.plan is not None else "",
            finance=_chart_finance(r),
            review=_chart_review(r) if r.review is not None else "",
        )
    scorecard = None
    if r.review is not None:
        scorecard = r.review["scorecard"].copy()
        if "status" in scorecard:
            scorecard["status"] = pd.Series(
                [status(v) for v in scorecard["status"]], index=scorecard.index, dtype=object
            )
    return render(
        "review_pack.html.j2",
        r=r,
        charts=charts,
        demand=_demand_tables(r),
        supply=_supply_tables(r) if r.plan is not None else None,
        finance=_finance_tables(r),
        scorecard=scorecard,
        timing=r.timings.rename("seconds").rename_axis("step").reset_index(),
        **_coverage_tables(r),
    )


def _coverage_tables(r) -> dict:
    """The first page's "What this cycle ran on" and the unconstrained supply plan."""
    cov = getattr(r, "coverage", None)
    if cov is None:
        return {"coverage": None, "unconstrained": None, "supply_missing": "", "partial": False}
    steps = cov.steps
    supply = steps.loc[steps["step"] == "supply review", "tables to add"]
    return {
        "coverage": steps,
        "unconstrained": cov.unconstrained_supply,
        "supply_missing": supply.iloc[0] if len(supply) else "",
        "partial": bool((steps["outcome"] != "ran fully").any()),
    }


# --------------------------------------------------------------------------- tables
def _demand_tables(r) -> SimpleNamespace:
    methods = r.statistical.drop_duplicates(["sku", "region"])["method"].value_counts()
    weights = pd.DataFrame({"past MAE (units)": r.inputs_mae, "weight": r.weights})
    consensus = r.consensus
    by_family = (
        consensus.groupby("family")[["statistical", "plan", "consensus"]]
        .sum(min_count=1)
        .assign(
            revenue=consensus.assign(v=consensus["consensus"] * consensus["price"])
            .groupby("family")["v"]
            .sum()
        )
    )
    mae = r.inputs_mae
    if list(r.weights.index) == ["statistical"]:
        basis = "is the consensus: there is no commercial plan to combine it with."
    elif mae is None or len(mae) == 0 or mae.isna().any():
        basis = (
            "is combined with the commercial plan with equal weights: there are no forecast "
            "snapshots to measure their past accuracy."
        )
    else:
        basis = (
            "is combined with the commercial plan, each weighted by the inverse of its past "
            "MAE in the forecast snapshots (error = forecast - actual)."
        )
    return SimpleNamespace(
        basis=basis,
        series=r.statistical.groupby(["sku", "region"]).ngroups,
        methods=[f"{method} {count}" for method, count in methods.items()],
        weights=weights.rename_axis("input").reset_index(),
        by_family=by_family.reset_index(),
    )


def _supply_tables(r) -> SimpleNamespace:
    plan = r.plan
    s = plan.summary()
    total = pd.DataFrame(
        {
            "demand": [s["demand"].sum()],
            "planned production": [plan.production["quantity"].sum()],
            "served": [s["served"].sum()],
            "unmet": [s["unmet"].sum()],
            "fill rate": [f"{plan.fill_rate:.1%}"],
            "total cost": [plan.total_cost],
        }
    )
    by_market = r.unmet_by_market()
    by_market["fill rate"] = (by_market["served"] / by_market["demand"]).map("{:.1%}".format)
    by_plant = plan.production.groupby("plant")["quantity"].sum().rename("production")
    busy = (
        plan.capacity.sort_values("shadow_price", ascending=False)
        .head(8)
        .assign(utilisation=lambda d: d["utilisation"].map("{:.0%}".format))
    )
    short = None
    if plan.materials is not None and not plan.materials.empty:
        short = plan.materials[plan.materials["shadow_price"] > 1e-6]
        short = short.head(10) if not short.empty else None
    return SimpleNamespace(
        total=total,
        by_market=by_market.rename(columns={"lost_revenue": "lost revenue"}).reset_index(),
        by_plant=by_plant.to_frame().reset_index(),
        busy=busy,
        short_components=short,
    )


def _finance_tables(r) -> SimpleNamespace:
    monthly = r.financial_plan.copy()
    monthly["gross_margin_pct"] = monthly["gross_margin_pct"].map(
        lambda v: "" if pd.isna(v) else f"{v:.1%}"
    )
    year = None
    if len(r.targets):
        t = r.targets
        year = pd.DataFrame(
            {
                "year": [int(t["year"])],
                "revenue target": [t["revenue_target"]],
                "plan revenue (actual to date + plan)": [t["plan_revenue"]],
                "weighted open pipeline": [t["weighted_pipeline"]],
                "gap to target": [t["revenue_gap"]],
                "gross margin target": [f"{t['gross_margin_target']:.1%}"],
                "plan gross margin": [f"{t['plan_gross_margin_pct']:.1%}"],
            }
        )
    gap = r.gap.rename("value").to_frame() if r.gap is not None else None
    return SimpleNamespace(monthly=monthly, year=year, gap=gap)


# --------------------------------------------------------------------------- charts
def _figure(width=10, height=4):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _month_axis(ax, n_months: int) -> None:
    import matplotlib.dates as mdates

    step = max(1, int(np.ceil(n_months / 8)))
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))


def _chart_demand(r):
    import matplotlib as mpl

    fig = _figure()
    ax = fig.subplots()
    hist = r.history.iloc[-36:]
    x_hist = pd.PeriodIndex(hist.index, freq="M").to_timestamp()
    # the actuals in the text colour of the style, as sopcourse.plot_forecast draws them
    ink = mpl.rcParams["text.color"]
    ax.plot(x_hist, hist.to_numpy(), color=ink, label="ordered units (history)")
    total = r.consensus.groupby("month")[["statistical", "plan", "consensus"]].sum(min_count=1)
    x = pd.PeriodIndex(total.index, freq="M").to_timestamp()
    ax.plot(x, total["statistical"], "--", color=COLORS["neutral"], label="statistical forecast")
    if total["plan"].notna().any():
        ax.plot(x, total["plan"], ":", color=COLORS["accent"], label="commercial plan")
    ax.plot(x, total["consensus"], color=COLORS["primary"], linewidth=2, label="consensus")
    ax.set_ylabel("units per month")
    ax.set_xlabel("month")
    _month_axis(ax, len(hist) + len(total))
    ax.legend()
    return png(fig)


def _chart_supply(r):
    fig = _figure(10, 4.5)
    ax1, ax2 = fig.subplots(1, 2)
    s = r.plan.summary()
    x = pd.PeriodIndex(s.index, freq="M").to_timestamp()
    ax1.bar(x, s["served"], width=20, color=COLORS["primary"], label="served")
    ax1.bar(x, s["unmet"], width=20, bottom=s["served"], color=COLORS["bad"], label="unmet")
    ax1.plot(x, s["production"], color=COLORS["accent"], marker=".", label="production")
    ax1.set_ylabel("units per month")
    ax1.set_xlabel("month")
    _month_axis(ax1, len(s))
    ax1.legend()
    cap = r.plan.capacity
    util = cap.groupby(["plant", "work_centre"])["utilisation"].max().sort_values()
    labels = [f"{p} {w}" for p, w in util.index]
    ax2.barh(labels, 100 * util.to_numpy(), color=COLORS["neutral"])
    ax2.axvline(100, color=COLORS["bad"], linestyle="--", linewidth=1)
    ax2.set_xlabel("highest monthly utilisation (% of available hours)")
    return png(fig)


def _chart_finance(r):
    from .revenue import plot_gap_to_goal

    fig = _figure(11, 4.2)
    ax1, ax2 = fig.subplots(1, 2)
    f = r.financial_plan
    x = pd.PeriodIndex(f.index, freq="M").to_timestamp()
    ax1.plot(x, f["revenue"] / 1e6, color=COLORS["primary"], marker=".", label="plan revenue")
    if f["budget_revenue"].notna().any():
        budget = f["budget_revenue"] / 1e6
        ax1.plot(x, budget, "--", color=COLORS["neutral"], label="budget revenue")
    ax1.set_ylabel("revenue (million per month)")
    ax1.set_xlabel("month")
    _month_axis(ax1, len(f))
    ax1.legend()
    if r.gap is not None:
        plot_gap_to_goal(r.gap / 1e6, units="million", ymin=0.0, ax=ax2)
        for label in ax2.get_xticklabels():
            label.set_fontsize(7)
    else:
        ax2.set_axis_off()
    return png(fig)


def _chart_review(r):
    from matplotlib.figure import Figure

    from .kpi import plot_management_review

    fig = Figure(figsize=(12, 7.5), layout="constrained")
    plot_management_review(r.review, fig=fig)
    return png(fig)
