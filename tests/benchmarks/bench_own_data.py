"""Benchmark: a company's own data at catalogue size (run by hand; prints, no asserts).

    cd /work/main && MPLBACKEND=agg .venv/bin/python tests/benchmarks/bench_own_data.py \
        [skus] [markets] [months] [--full]

Writes a folder of a fictional valve maker in the minimal format (``products.csv`` with
sku, family, price, unit_cost; ``sales.csv`` with month, sku, market, units: the other
columns and ``regions.csv`` derived), or with ``--full`` the three tables with every
column, by default 1,250 SKUs x 4 markets = 5,000 SKU-market series over 48 months
(240,000 sales rows), with seasonal, trending and intermittent demand drawn from a fixed
seed. It then times, each in a fresh process as a user runs them (Python start-up and
imports included):

- ``sopcourse data validate DIR``;
- ``sopcourse cycle DIR --out review.html`` (validation, forecasts of every
  series, consensus, the steps the tables allow, the review pack).

Target of issue 18: both under 2 minutes on the CI machine kind (2 cores).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

FAMILIES = ["valves", "actuators", "pumps", "fittings"]


def write_folder(
    folder: Path, skus: int, markets: int, months: int, seed: int = 7, minimal: bool = True
) -> int:
    """The tables of a synthetic company (minimal: two tables of the minimal format);
    returns the sales rows."""
    rng = np.random.default_rng(seed)
    codes = [f"V-{i:05d}" for i in range(skus)]
    family = [FAMILIES[i % len(FAMILIES)] for i in range(skus)]
    price = np.round(rng.uniform(20, 900, skus), 2)
    material = np.round(price * rng.uniform(0.25, 0.45, skus), 2)
    labour = np.round(price * rng.uniform(0.05, 0.15, skus), 2)
    overhead = np.round(labour * 0.6, 2)
    first = pd.Period("2022-01", "M")
    products = pd.DataFrame(
        {
            "sku": codes,
            "name": [f"Valve {c}" for c in codes],
            "family": family,
            "kind": "product",
            "list_price": price,
            "material_cost": material,
            "labour_cost": labour,
            "overhead_cost": overhead,
            "standard_cost": np.round(material + labour + overhead, 2),
            "status": "active",
            "launch_month": str(first),
            "end_of_life_month": "",
        }
    )
    regions = pd.DataFrame(
        {
            "region": [f"M{k}" for k in range(markets)],
            "name": [f"Market {k}" for k in range(markets)],
            "currency": "EUR",
            "payment_terms_days": 30,
            "regional_discount": 0.05,
        }
    )
    t = np.arange(months)
    level = rng.gamma(1.2, 20, (skus, markets))
    season = 1 + 0.3 * np.sin(2 * np.pi * (t + rng.integers(0, 12, (skus, markets, 1))) / 12)
    trend = 1 + rng.normal(0, 0.004, (skus, markets, 1)) * t
    mean = np.clip(level[..., None] * season * trend, 0, None)
    units = rng.poisson(mean)
    net = np.round(price[:, None, None] * 0.95 * np.ones_like(mean), 2)
    sales = pd.DataFrame(
        {
            "month": np.tile([str(first + int(m)) for m in t], skus * markets),
            "sku": np.repeat(codes, markets * months),
            "region": np.tile(np.repeat(regions["region"].to_numpy(), months), skus),
            "ordered_units": units.ravel(),
            "shipped_units": units.ravel(),
            "net_price": net.ravel(),
        }
    )
    cents = np.round(sales["net_price"].to_numpy() * 100).astype(np.int64)
    revenue = sales["shipped_units"].to_numpy() * cents
    sales["revenue"] = [f"{r // 100}.{r % 100:02d}" for r in revenue]
    sales["net_price"] = [f"{c // 100}.{c % 100:02d}" for c in cents]
    sales["promo"] = 0
    tables = {"products": products, "regions": regions, "sales": sales}
    if minimal:
        tables = {
            "products": products[["sku", "family", "list_price", "standard_cost"]].rename(
                columns={"list_price": "price", "standard_cost": "unit_cost"}
            ),
            "sales": sales[["month", "sku", "region", "ordered_units"]].rename(
                columns={"region": "market", "ordered_units": "units"}
            ),
        }
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False, float_format="%.2f", lineterminator="\n")
    return len(sales)


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--full"]
    full = "--full" in sys.argv[1:]
    skus = int(args[0]) if len(args) > 0 else 1250
    markets = int(args[1]) if len(args) > 1 else 4
    months = int(args[2]) if len(args) > 2 else 48
    cli = str(Path(sys.executable).with_name("sopcourse"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        rows = write_folder(folder, skus, markets, months, minimal=not full)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(
            f"{'full' if full else 'minimal'} format: {skus} SKUs x {markets} markets = "
            f"{skus * markets} series, {months} months, {rows} sales rows, {size:.1f} MB of CSV"
        )
        wall, done = timed([cli, "data", "validate", str(folder)])
        print(f"{'data validate (wall s)':28s} {wall:8.1f}   exit code {done.returncode}")
        if done.returncode:
            print(done.stdout[-2000:], done.stderr[-2000:])
            return
        out = Path(tmp) / "review.html"
        wall, done = timed([cli, "cycle", str(folder), "--out", str(out)])
        print(f"{'cycle (wall s)':28s} {wall:8.1f}   exit code {done.returncode}")
        tail = (done.stdout + done.stderr).strip().splitlines()
        print("\n".join(tail[-15:]))
        if out.exists():
            print(f"review pack {out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
