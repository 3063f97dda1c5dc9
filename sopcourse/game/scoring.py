"""The game's scorecard: profit, service, inventory, cash and the quality of the plans.

Sign convention (as in :mod:`sopcourse.accuracy`): error = forecast - actual, so a
positive bias is an over-forecast. Forecast accuracy compares the demand plan's first
month (lag 0: submitted before the month's orders are seen) with the orders, family x
market; ``lag=1`` uses the plan made a month earlier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["monthly_scorecard", "scorecard", "bullwhip", "plot_bullwhip"]

DAYS_PER_MONTH = 365 / 12


def _total(nested) -> float:
    if isinstance(nested, dict):
        return float(sum(_total(v) for v in nested.values()))
    return float(nested)


def _class_totals(nested, classes) -> dict:
    out = dict.fromkeys(classes, 0.0)
    for by_m in nested.values():
        for by_c in by_m.values():
            for c, v in by_c.items():
                out[c] += v
    return out


def monthly_scorecard(world) -> pd.DataFrame:
    """One row per month played: the month's profit, service, stock, cash and balances."""
    rows = []
    for r in world.history:
        due = _class_totals(r["orders"], r["service"])
        rows.append(
            {
                "month": r["month"],
                "demand": _total(r["demand"]),
                "production": _total(r["production"]),
                "shipments": _total(r["shipments"]),
                "lost": _total(r["lost"]),
                "backlog": _total(r["backlog_out"]),
                "fill_rate": r["service"]["all"],
                **{f"fill_rate_{c}": r["service"][c] for c in due if c != "all"},
                **r["pnl"],
                "cash": r["cash"]["closing"],
                **r["balances"],
                "purchases": r["purchases"],
            }
        )
    return pd.DataFrame(rows).set_index("month") if rows else pd.DataFrame()


def _forecast_errors(world, lag: int) -> tuple[float, float]:
    plans = world.plans
    hist = world.history
    fcst, act = [], []
    for k, r in enumerate(hist):
        if k - lag < 0:
            continue
        plan = np.asarray(plans[k - lag])[:, :, lag]
        actual = np.array([list(v.values()) for v in r["demand"].values()])
        fcst.append(plan)
        act.append(actual)
    if not act:
        return float("nan"), float("nan")
    f, a = np.stack(fcst), np.stack(act)
    total = a.sum()
    return float(np.abs(f - a).sum() / total), float((f - a).sum() / total)


def _plan_stability(world) -> float:
    """Mean share the demand plan changed, month to month, on the months both cover."""
    plans = [np.asarray(p) for p in world.plans]
    changes = []
    for before, after in zip(plans, plans[1:], strict=False):
        overlap_before = before[:, :, 1:]
        overlap_after = after[:, :, :-1]
        base = overlap_before.sum()
        if base > 0:
            changes.append(np.abs(overlap_after - overlap_before).sum() / base)
    return float(np.mean(changes)) if changes else 0.0


def bullwhip(world) -> pd.Series:
    """Variance of production / variance of demand, by family and in total (1 = none)."""
    hist = world.history
    if len(hist) < 2:
        raise ValueError("the bullwhip needs at least two months played; play more months")
    fams = list(hist[0]["demand"])
    prod = np.array([[sum(r["production"][p][f] for p in r["production"]) for f in fams]
                     for r in hist])  # fmt: skip
    dem = np.array([[sum(r["demand"][f].values()) for f in fams] for r in hist])
    out = {}
    for i, f in enumerate(fams):
        v = dem[:, i].var(ddof=1)
        out[f] = float(prod[:, i].var(ddof=1) / v) if v > 0 else float("nan")
    v = dem.sum(axis=1).var(ddof=1)
    out["total"] = float(prod.sum(axis=1).var(ddof=1) / v) if v > 0 else float("nan")
    return pd.Series(out, name="bullwhip")


def scorecard(world, *, lag: int = 0) -> pd.Series:
    """The figures of a game so far (see the module's sign convention).

    profit (sum of operating profit), revenue, fill rate in all and by customer class
    (units shipped / units due, backorders included), lost units, inventory turns
    (annualised COGS / average inventory value), cash-to-cash days (DIO + DSO - DPO),
    forecast WAPE and bias of the demand plan, plan stability (mean share of change),
    production variance (the bullwhip's numerator) and the total bullwhip.
    """
    monthly = monthly_scorecard(world)
    if monthly.empty:
        raise ValueError("no month is played yet: step the world at least once")
    cogs = monthly["cogs"].mean()
    inv = monthly["inventory_value"].mean()
    dio = inv / cogs * DAYS_PER_MONTH if cogs else float("nan")
    revenue = monthly["revenue"].mean()
    dso = monthly["receivables"].mean() / revenue * DAYS_PER_MONTH if revenue else float("nan")
    buys = monthly["purchases"].mean()
    dpo = monthly["payables"].mean() / buys * DAYS_PER_MONTH if buys else float("nan")
    wape, bias = _forecast_errors(world, lag)
    due = {c: 0.0 for c in ("A", "B", "C")}
    got = dict(due)
    for r in world.history:
        for f in r["orders"]:
            for m in r["orders"][f]:
                for c in due:
                    due[c] += r["orders"][f][m][c] + r["backlog_in"][f][m][c]
                    got[c] += r["shipments"][f][m][c]
    out = {
        "months": len(monthly),
        "profit": monthly["operating_profit"].sum(),
        "revenue": monthly["revenue"].sum(),
        "fill_rate": sum(got.values()) / sum(due.values()),
        **{f"fill_rate_{c}": got[c] / due[c] if due[c] else 1.0 for c in due},
        "lost_units": monthly["lost"].sum(),
        "inventory_turns": 12 * cogs / inv if inv else float("nan"),
        "cash_to_cash_days": dio + dso - dpo,
        "closing_cash": monthly["cash"].iloc[-1],
        "forecast_wape": wape,
        "forecast_bias": bias,
        "plan_stability": _plan_stability(world),
        "production_std": monthly["production"].std(ddof=1) if len(monthly) > 1 else 0.0,
        "bullwhip": bullwhip(world)["total"] if len(monthly) > 1 else float("nan"),
    }
    return pd.Series(out, name="scorecard", dtype=float)


def plot_bullwhip(worlds: dict, ax=None):
    """Bars of each plan's bullwhip by family (1 = production as variable as demand)."""
    import matplotlib.pyplot as plt

    if not worlds:
        raise ValueError("give at least one world: plot_bullwhip({'chase': world, ...})")
    table = pd.DataFrame({name: bullwhip(w) for name, w in worlds.items()})
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    table.plot.bar(ax=ax, rot=0)
    ax.axhline(1.0, color="grey", lw=1, ls="--")
    ax.set_ylabel("var(production) / var(demand)")
    ax.set_title("Bullwhip of each plan", loc="left")  # as the course style puts titles
    return ax.figure
