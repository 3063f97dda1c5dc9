"""Benchmark: forecast every series in one call (prints timings; no asserts).

Run: ``.venv/bin/python tests/benchmarks/bench_forecast_all.py [n_series] [n_jobs]``

Times :func:`sopcourse.forecast_all` with ``method="auto"`` (SBA for intermittent series;
with two full seasons, ES of the seasonally adjusted series, simple or damped by AICc;
otherwise SES or damped Holt by AICc) on the Tallridge sales history (every SKU-region series, when
the dataset is installed) and on synthetic series of 48 months (1,000 by default).
"""

import sys
import time

import numpy as np
import pandas as pd

import sopcourse as sop


def synthetic_sales(n_series: int = 1000, months: int = 48, seed: int = 42) -> pd.DataFrame:
    """Tidy table of smooth-seasonal, trending and intermittent monthly series."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2021-01-01", periods=months, freq="MS")
    t = np.arange(months)
    frames = []
    for i in range(n_series):
        kind = i % 4
        if kind == 3:  # spare part: intermittent
            units = rng.poisson(0.3, months) * rng.integers(1, 5, months)
        else:
            level = rng.uniform(20, 500)
            season = level * rng.uniform(0.1, 0.5) * np.sin(2 * np.pi * (t - 3) / 12)
            trend = level * rng.uniform(-0.005, 0.02) * t * (kind == 1)
            units = np.clip(level + season + trend + rng.normal(0, 0.08 * level, months), 0, None)
        frames.append(pd.DataFrame({"sku": f"S{i:04d}", "month": idx, "units": np.round(units)}))
    return pd.concat(frames, ignore_index=True)


def timed(label: str, sales: pd.DataFrame, key, **kwargs) -> pd.DataFrame:
    start, cpu_start = time.perf_counter(), time.process_time()
    out = sop.forecast_all(sales, key=key, horizon=18, method="auto", **kwargs)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start  # this process only: steadier on a shared machine
    n = out.groupby(key).ngroups
    mix = out.drop_duplicates(key)["method"].value_counts().to_dict()
    print(
        f"{label}: {n} series in {seconds:.1f} s wall, {cpu:.1f} s CPU "
        f"({1000 * seconds / n:.1f} ms/series); {mix}"
    )
    return out


def main() -> None:
    n_series = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    n_jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    try:
        company = sop.load_company()
    except (AttributeError, FileNotFoundError, ValueError) as exc:
        print(f"Tallridge data not available ({exc}); skipping.")
    else:
        sales = company.sales
        timed("Tallridge sku x region", sales, ["sku", "region"], value="ordered_units")
    synth = synthetic_sales(n_series)
    timed("synthetic 48-month, n_jobs=1", synth, "sku", value="units")
    if n_jobs > 1:
        timed(f"synthetic 48-month, n_jobs={n_jobs}", synth, "sku", value="units", n_jobs=n_jobs)


if __name__ == "__main__":
    main()
