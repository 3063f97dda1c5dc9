"""The finance tables: monthly financials (history) and the budget, from the sales,
the sales plan and the standard costs; the closing inventory value ties to the inventory
table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import N_HIST, REGION_CODES, REGIONS, SHORTAGE_T, T0, month_periods

__all__ = ["finance_tables"]


def _finance_lines(months, rev_rt, cogs_t, mat_t, g, shortage: bool, scale):
    """Month-end financial lines from revenue by (region, month) and cost by month (cents).

    Receivables: each market's revenue of the month times min(terms, 30) / 30 plus the
    previous month's times max(terms - 30, 0) / 30. Payables: material content of the
    month's shipments plus half the previous month's (suppliers paid in about 45 days).
    Inventory value: a seasonal pattern (built up before spring) around 1.6 months of
    cost of goods sold; ``scale`` returns the factor that ties the last month to the
    inventory table (or takes the factor to apply).
    """
    terms = np.array([r[2] for r in REGIONS])
    prev = np.concatenate([rev_rt[:, :1], rev_rt[:, :-1]], axis=1)
    recv = (
        rev_rt * np.minimum(terms, 30)[:, None] / 30
        + prev * np.maximum(terms - 30, 0)[:, None] / 30
    ).sum(axis=0)
    mat_prev = np.concatenate([mat_t[:1], mat_t[:-1]])
    payables = mat_t + 0.5 * mat_prev
    moy = months % 12
    avg = pd.Series(cogs_t).rolling(12, min_periods=1).mean().to_numpy()
    inv = avg * (1.6 + 0.5 * np.cos(2 * np.pi * (moy - 2) / 12))
    if shortage:
        inv = inv * np.where((months >= SHORTAGE_T[0]) & (months <= SHORTAGE_T[-1] + 2), 1.25, 1.0)
        inv = inv * (1 + g.rng.normal(0, 0.03, len(months)))
    inv = np.round(inv * scale(inv))
    revenue = rev_rt.sum(axis=0)
    return pd.DataFrame(
        {
            "month": month_periods(months),
            "revenue": revenue / 100,
            "cogs": cogs_t / 100,
            "gross_margin": (revenue - cogs_t) / 100,
            "inventory_value": inv / 100,
            "receivables": np.round(recv) / 100,
            "payables": np.round(payables) / 100,
        }
    )


def finance_tables(g, sales, products, plan, inventory, items) -> dict[str, pd.DataFrame]:
    std = products.set_index("sku")["standard_cost"]
    mat = products.set_index("sku")["material_cost"]
    # The closing inventory of 2025-12 is the inventory table (at standard unit cost).
    cost = np.round(inventory["item"].map(items.set_index("item")["unit_cost"]) * 100)
    closing = float((inventory["on_hand"].to_numpy() * cost.to_numpy(np.int64)).sum())
    factor = {}

    def tie(inv):
        factor.setdefault("k", closing / inv[-1])
        return factor["k"]

    out = {}
    for name, df, units, price, months in (
        ("financials", sales, "shipped_units", "net_price", np.arange(N_HIST)),
        (
            "budget",
            plan[plan["version"] == "budget"],
            "plan_units",
            "plan_price",
            np.arange(24, 60),
        ),
    ):
        t = pd.PeriodIndex(df["month"]).asi8 - T0.ordinal - months[0]
        r = df["region"].map({c: k for k, c in enumerate(REGION_CODES)}).to_numpy()
        u = df[units].to_numpy(np.int64)
        rev_cents = u * np.round(df[price].to_numpy() * 100).astype(np.int64)
        cost_cents = u * np.round(df["sku"].map(std).to_numpy() * 100).astype(np.int64)
        mat_cents = u * np.round(df["sku"].map(mat).to_numpy() * 100).astype(np.int64)
        n = len(months)
        rev_rt = np.zeros((4, n), dtype=np.int64)
        np.add.at(rev_rt, (r, t), rev_cents)
        cogs_t = np.bincount(t, weights=cost_cents, minlength=n).round().astype(np.int64)
        mat_t = np.bincount(t, weights=mat_cents, minlength=n)
        out[name] = _finance_lines(
            months, rev_rt, cogs_t, mat_t, g, shortage=name == "financials", scale=tie
        )
    return out
