"""Benchmark: time of the Module 1 and 2 explorers' updates (run by hand, not by pytest).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_explorer_m1.py

Prints the median and 90th-percentile time of one update of

* the top-down / bottom-up explorer (Module 1): ``planning_gap`` on the sales history and
  a year of item forecasts, and the same plus the chart (drawn once, updated in place and
  rendered to a PNG, as the widget does with ``GapChart``);
* the Bass explorer (Module 2): ``bass_curve`` over 60 periods, and with ``BassChart``.

Uses the Tallridge sales history when ``sop.load_company()`` works, else a synthetic table
of the same shape. Target: median under 150 ms for each update including the chart.
"""

import os
import statistics
import time

import matplotlib

matplotlib.use("agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse.widgets.planning import BassChart, GapChart  # noqa: E402


def synthetic_history(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    skus = [f"SKU{i:02d}" for i in range(40)]
    months = pd.period_range("2023-01", periods=24, freq="M")
    rows = [
        (s, r, m, float(rng.poisson(20 + 3 * i)))
        for i, s in enumerate(skus)
        for r in ("north", "south", "east", "west")
        for m in months
    ]
    history = pd.DataFrame(rows, columns=["sku", "region", "month", "units"])
    future = pd.period_range("2025-01", periods=12, freq="M")
    forecast = pd.DataFrame(
        [(s, m, float(rng.poisson(90 + 12 * i))) for i, s in enumerate(skus) for m in future],
        columns=["sku", "month", "units"],
    )
    return history, forecast


def tallridge_history():
    company = sop.load_company()
    sales = company.sales
    value = "shipped_units" if "shipped_units" in sales.columns else "units"
    history = sales.rename(columns={value: "units"})[["sku", "month", "units"]]
    last = pd.Series(pd.to_datetime(history["month"].astype(str))).max()
    recent = history[pd.to_datetime(history["month"].astype(str)) > last - pd.DateOffset(months=12)]
    forecast = recent.groupby("sku", as_index=False)["units"].sum().assign(month="next year")
    return history, forecast[["sku", "month", "units"]]


def timed(fn, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (process) times in ms; CPU time is what the update itself costs
    when other processes compete for the cores."""
    fn(0)  # warm-up
    wall, cpu = [], []
    for i in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(1000 * (time.perf_counter() - start))
        cpu.append(1000 * (time.process_time() - start_cpu))
    return sorted(wall), sorted(cpu)


def main(repeats: int = 30) -> None:
    sop.use_course_style()
    try:
        history, forecast = tallridge_history()
        source = "Tallridge sales history"
    except Exception as exc:  # the dataset is not there yet
        history, forecast = synthetic_history()
        source = f"synthetic stand-in ({type(exc).__name__})"
    bottom = forecast["units"].sum()
    print(f"data: {source}; {history['sku'].nunique()} SKUs, {len(history)} history rows")
    gap_chart = GapChart(max_items=8, units="bicycles")
    bass_chart = BassChart(60)

    def gap_update(i):
        table = sop.planning_gap(history, forecast, bottom * (0.9 + i / 150), last_periods=12)
        gap_chart.update(table)

    def bass_update(i):
        p = 0.01 + i / 3000
        bass_chart.update(sop.bass_curve(p, 0.4, 5000, 60), p, 0.4)

    cases = {
        "planning_gap (pure)": lambda i: sop.planning_gap(
            history, forecast, bottom * (0.9 + i / 150), last_periods=12
        ),
        "top-down explorer update": gap_update,
        "bass_curve (pure)": lambda i: sop.bass_curve(0.01 + i / 3000, 0.4, 5000, 60),
        "Bass explorer update": bass_update,
    }
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, fn in cases.items():
        wall, cpu = timed(fn, repeats)
        print(
            f"{name:26s} wall median {statistics.median(wall):7.2f} ms  "
            f"p90 {wall[int(0.9 * len(wall)) - 1]:7.2f} ms   "
            f"CPU median {statistics.median(cpu):7.2f} ms   (n={len(wall)})"
        )


if __name__ == "__main__":
    main()
