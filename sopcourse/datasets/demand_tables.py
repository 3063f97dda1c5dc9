"""The demand-side tables: sales history, promotions, order lines, forecast snapshots,
the sales pipeline, new product introductions, the sales plan and the targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import (
    BIKES,
    BUDGET_BIAS,
    CUSTOMERS_PER_REGION,
    LAUNCHES,
    N_ALL,
    N_HIST,
    N_PLAN,
    PLAN_T,
    PROMOS,
    REGION_CODES,
    SHORTAGE_COMPONENT,
    SHORTAGE_T,
    STAGE_PROB,
    STAGE_TRUE,
    T0,
    YEARS,
    bass_cdf,
    customer_code,
    month_periods,
)
from .draws import Draws
from .schema import SCHEMA

__all__ = [
    "sales_table",
    "promotions_table",
    "orders_table",
    "snapshots_table",
    "pipeline_table",
    "npi_table",
    "sales_plan_table",
    "targets_table",
]


def _cells(mask):
    """Indices (s, r, t) of the True cells of a boolean (S, R, T) array, in s, t, r order."""
    s, t, r = np.nonzero(np.transpose(mask, (0, 2, 1)))
    return s, r, t


def sales_table(g: Draws) -> pd.DataFrame:
    on = g.on_sale()[:, :N_HIST]
    mask = np.broadcast_to(on[:, None, :], g.ordered.shape)
    s, r, t = _cells(mask)
    price = g.price_cents[:, :, :N_HIST][s, r, t]
    shipped = g.shipped[s, r, t]
    df = pd.DataFrame(
        {
            "month": month_periods(t),
            "sku": np.array(g.skus)[s],
            "region": np.array(REGION_CODES)[r],
            "ordered_units": g.ordered[s, r, t],
            "shipped_units": shipped,
            "net_price": price / 100,
            "revenue": shipped * price / 100,
            "promo": g.promo[s, r, t],
        }
    )
    order = np.lexsort((r, s, t))
    return df.iloc[order].reset_index(drop=True)


def promotions_table(g: Draws) -> pd.DataFrame:
    rows = []
    for p in PROMOS:
        pid, kind, fam, sku, regions, start, end, _d, desc = p
        for reg in regions:
            rows.append(
                (
                    pid,
                    kind,
                    fam,
                    sku,
                    reg,
                    month_periods(start),
                    month_periods(end),
                    g.discounts[pid],
                    desc,
                )
            )
    return pd.DataFrame(rows, columns=SCHEMA["promotions"].column_names)


def orders_table(g: Draws) -> pd.DataFrame:
    rng = g.rng
    starts = np.array(
        [p.start_time.to_datetime64() for p in pd.period_range(T0, periods=N_ALL + 1, freq="M")],
        dtype="datetime64[D]",
    )
    shares = np.array([c[2] for c in CUSTOMERS_PER_REGION])
    classes = np.array([c[1] for c in CUSTOMERS_PER_REGION])
    # History: the sales cells with orders; future: the open order book.
    s, r, t = _cells(g.ordered > 0)
    units = g.ordered[s, r, t]
    cell_shipped = g.shipped[s, r, t]
    on = g.on_sale()
    booked = np.zeros((len(g.skus), 4, N_ALL), dtype=np.int64)
    for k, frac in enumerate([0.6, 0.3, 0.1]):
        tt = PLAN_T + k
        booked[:, :, tt] = rng.poisson(g.mu[:, :, tt] * frac) * on[:, None, tt]
    fs, fr, ft = _cells(booked > 0)
    s = np.concatenate([s, fs])
    r = np.concatenate([r, fr])
    t = np.concatenate([t, ft])
    units = np.concatenate([units, booked[fs, fr, ft]])
    cell_shipped = np.concatenate([cell_shipped, np.zeros(len(fs), dtype=np.int64)])
    is_open = np.concatenate([np.zeros(len(units) - len(fs), bool), np.ones(len(fs), bool)])
    split = rng.multinomial(units, shares)  # (cells, 6 customers)
    cell, cust = np.nonzero(split)
    req = split[cell, cust]
    cls = classes[cust]
    # Allocate each cell's shipments over its lines: class A first during the shortage.
    shortage = np.isin(t[cell], SHORTAGE_T)
    prio = np.where(
        shortage,
        np.searchsorted(["A", "B", "C"], cls) + rng.random(len(cell)),
        rng.random(len(cell)) * 3,
    )
    order = np.lexsort((prio, cell))
    cell, cust, req, cls = cell[order], cust[order], req[order], cls[order]
    cum = pd.Series(req).groupby(cell).cumsum().to_numpy() - req
    shipped = np.clip(cell_shipped[cell] - cum, 0, req)
    tt = t[cell]
    dim = (starts[tt + 1] - starts[tt]).astype(int)
    req_date = starts[tt] + (rng.random(len(cell)) * dim).astype(int)
    lead = np.select(
        [cls == "A", cls == "B"],
        [rng.integers(20, 76, len(cell)), rng.integers(10, 46, len(cell))],
        rng.integers(2, 26, len(cell)),
    )
    order_date = req_date - lead
    open_ = is_open[cell]
    order_date = np.where(open_, np.minimum(order_date, np.datetime64("2025-12-31")), order_date)
    spring = np.isin(tt % 12, [3, 4])
    partial = shipped < req
    p_late = np.where(partial, 0.6, np.where(spring, 0.14, 0.05))
    late = rng.random(len(cell)) < p_late
    delay = np.where(late, rng.integers(1, 15, len(cell)), rng.integers(-4, 1, len(cell)))
    ship_date = req_date + delay
    ship_date = np.minimum(ship_date, starts[tt + 1] - 1)
    ship_date = np.maximum(ship_date, np.maximum(starts[tt], order_date + 1))
    has_ship = (shipped > 0) & ~open_
    status = np.select([open_, shipped == 0, shipped < req], ["open", "cut", "partial"], "shipped")
    region = np.array(REGION_CODES)[r[cell]]
    codes = np.array([[customer_code(reg, k) for k in range(len(shares))] for reg in REGION_CODES])
    customer = codes[r[cell], cust]
    df = pd.DataFrame(
        {
            "order_id": "",
            "customer": customer,
            "sku": np.array(g.skus)[s[cell]],
            "region": region,
            "order_date": order_date,
            "requested_date": req_date,
            "requested_units": req,
            "shipped_date": np.where(has_ship, ship_date, np.datetime64("NaT")),
            "shipped_units": np.where(open_, 0, shipped),
            "status": status,
        }
    )
    df = df.sort_values(["requested_date", "customer", "sku"], kind="stable", ignore_index=True)
    df["order_id"] = [f"SO-{k:06d}" for k in range(1, len(df) + 1)]
    return df


def snapshots_table(g: Draws) -> pd.DataFrame:
    rng = g.rng
    on = g.on_sale()
    frames = []
    targets = np.arange(30, N_HIST)  # 2024-07..2025-12
    uses = np.array([d == SHORTAGE_COMPONENT for d in g.drivetrain])
    for lag in (1, 2, 3):
        mask = np.zeros(g.mu.shape, bool)
        mask[:, :, targets] = on[:, None, targets]
        s, r, t = _cells(mask)
        n = len(s)
        sd = 0.08 + 0.05 * lag
        base = g.mu0[s, r, t]
        stat = base * np.exp(rng.normal(0, sd, n) - sd**2 / 2)
        mult = g.mult[s, r, t]
        sales = stat * (1 + 0.5 * (mult - 1)) * 1.15 * np.exp(rng.normal(0, 0.12, n))
        marketing = stat * mult * 1.02 * np.exp(rng.normal(0, 0.05, n))
        ops = stat * 0.97 * np.exp(rng.normal(0, 0.03, n))
        short = uses[s] & np.isin(t, SHORTAGE_T)
        ops = np.where(short, ops * g.shortage_fill[np.clip(t - SHORTAGE_T[0], 0, 3)], ops)
        consensus = 0.3 * stat + 0.1 * sales + 0.5 * marketing + 0.1 * ops
        naive = g.ordered[s, r, t - lag - 1]
        frames.append(
            pd.DataFrame(
                {
                    "snapshot_month": month_periods(t - lag),
                    "target_month": month_periods(t),
                    "lag": lag,
                    "sku": np.array(g.skus)[s],
                    "region": np.array(REGION_CODES)[r],
                    "naive": naive,
                    "statistical": np.round(stat).astype(int),
                    "sales_input": np.round(sales).astype(int),
                    "marketing_input": np.round(marketing).astype(int),
                    "operations_input": np.round(ops).astype(int),
                    "consensus": np.round(consensus).astype(int),
                    "_t": t,
                    "_s": s,
                    "_r": r,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["_t", "_s", "_r", "lag"], kind="stable", ignore_index=True)
    return df.drop(columns=["_t", "_s", "_r"])


def pipeline_table(g: Draws, customers: pd.DataFrame) -> pd.DataFrame:
    rng = g.rng
    n = 420
    big = customers[customers["customer_class"].isin(["A", "B"])]["customer"].to_numpy()
    on = g.on_sale()
    created = np.sort(rng.integers(6, N_HIST, n))
    expected = created + rng.integers(1, 9, n)
    stages = np.array(list(STAGE_PROB))
    stage = stages[rng.choice(5, n, p=[0.15, 0.2, 0.25, 0.25, 0.15])]
    close = np.maximum(expected + rng.integers(-1, 4, n), created + 1)
    closed = close <= N_HIST - 1
    expected = np.where(closed, expected, np.maximum(expected, N_HIST))  # open: not yet due
    won = rng.random(n) < np.array([STAGE_TRUE[x] for x in stage])
    rows = []
    lp = g.list_price_cents() / 100
    for k in range(n):
        cands = [i for i in range(g.n_bikes) if on[i, created[k]] and on[i, expected[k]]]
        weights = np.array([3.0 if g.family[i] == "ebike" else 1.0 for i in cands])
        i = cands[rng.choice(len(cands), p=weights / weights.sum())]
        units = int(np.clip(np.round(rng.lognormal(np.log(60), 0.7)), 10, 600))
        value = round(units * lp[i] * (1 - rng.uniform(0.12, 0.25)), 2)
        status = ("won" if won[k] else "lost") if closed[k] else "open"
        rows.append(
            (
                f"OP-{k + 1:04d}",
                big[rng.integers(len(big))],
                g.family[i],
                g.skus[i],
                units,
                value,
                stage[k],
                STAGE_PROB[stage[k]],
                month_periods(created[k]),
                month_periods(expected[k]),
                status,
                month_periods(close[k]) if closed[k] else None,
            )
        )
    return pd.DataFrame(rows, columns=SCHEMA["pipeline"].column_names)


def npi_table(g: Draws) -> pd.DataFrame:
    rows = []
    for sku, (p, q, like, cfam, crate) in LAUNCHES.items():
        i = g.skus.index(sku)
        b = BIKES[i]
        tau = np.arange(1, 61)
        to_peak = int(tau[np.argmax(bass_cdf(tau, p, q) >= 0.9)])
        rows.append(
            (
                sku,
                like,
                month_periods(b[8]),
                int(round(b[4] * g.level_factor[i])),
                p,
                q,
                to_peak,
                cfam,
                crate,
                "launched" if b[8] < N_HIST else "planned",
            )
        )
    return pd.DataFrame(rows, columns=SCHEMA["npi"].column_names)


def sales_plan_table(g: Draws) -> pd.DataFrame:
    on = g.on_sale()
    frames = []
    for version, months, bias in (
        ("budget", np.arange(24, 60), np.array([BUDGET_BIAS[f] for f in g.family])),
        ("sop", np.arange(N_HIST, N_HIST + N_PLAN), np.ones(len(g.skus))),
    ):
        mask = np.zeros(g.mu.shape, bool)
        mask[:, :, months] = on[:, None, months]
        s, r, t = _cells(mask)
        frames.append(
            pd.DataFrame(
                {
                    "version": version,
                    "month": month_periods(t),
                    "sku": np.array(g.skus)[s],
                    "region": np.array(REGION_CODES)[r],
                    "plan_units": np.round(g.mu[s, r, t] * bias[s]).astype(int),
                    "plan_price": g.plan_price_cents[s, r, t] / 100,
                    "_o": np.lexsort((r, s, t)).argsort(),
                }
            )
            .sort_values("_o")
            .drop(columns="_o")
        )
    return pd.concat(frames, ignore_index=True)


def targets_table(g: Draws, products: pd.DataFrame) -> pd.DataFrame:
    rng = g.rng
    on = g.on_sale()
    std = products["standard_cost"].to_numpy()
    rows = []
    years = T0.year + np.arange(N_ALL) // 12
    for y in YEARS:
        stretch = 1.05 + rng.uniform(0, 0.04)
        for f in ["road", "mountain", "city", "ebike", "parts", "accessories"]:
            sk = g.family == f
            for r, reg in enumerate(REGION_CODES):
                m = (years == y)[None, :] & on & sk[:, None]
                units = g.mu[:, r, :] * m
                rev = float((units * g.plan_price_cents[:, r, :] / 100).sum())
                cost = float((units * std[:, None]).sum())
                gm = 1 - cost / rev if rev > 0 else 0.0
                rows.append((int(y), f, reg, round(rev * stretch, -3), round(gm + 0.02, 3)))
    return pd.DataFrame(rows, columns=SCHEMA["targets"].column_names)
