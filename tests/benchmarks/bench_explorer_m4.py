"""Benchmark: time of the Module 4 explorer's pure update (run by hand, not by pytest).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_explorer_m4.py

Prints the median and 90th-percentile time of one update of the service-level explorer:
the trade-off table (60 service levels), then the chart, drawn once, updated in place and
rendered to a PNG, as the widget does (``sopcourse.widgets.supply.TradeoffChart``).
Target: median under 150 ms.
"""

import statistics
import time

import matplotlib

matplotlib.use("agg")

import sopcourse as sop  # noqa: E402
from sopcourse.widgets.supply import TradeoffChart  # noqa: E402


def one_update(chart: TradeoffChart, service_level: float) -> None:
    table = sop.service_inventory_tradeoff(120, 35, 2, 300, 1.5)
    chart.update(table, service_level)


def main(repeats: int = 30) -> None:
    sop.use_course_style()
    chart = TradeoffChart(sop.service_inventory_tradeoff(120, 35, 2, 300, 1.5), 0.9)
    one_update(chart, 0.9)  # warm-up
    pure, full = [], []
    for i in range(repeats):
        level = 0.8 + 0.19 * i / repeats
        start = time.perf_counter()
        sop.service_inventory_tradeoff(120, 35, 2, 300, 1.5)
        pure.append(time.perf_counter() - start)
        start = time.perf_counter()
        one_update(chart, level)
        full.append(time.perf_counter() - start)
    for name, times in (("pure function", pure), ("update incl. chart", full)):
        ms = sorted(1000 * t for t in times)
        print(
            f"{name:20s} median {statistics.median(ms):7.2f} ms   "
            f"p90 {ms[int(0.9 * len(ms)) - 1]:7.2f} ms   (n={len(ms)})"
        )
    chart.close()


if __name__ == "__main__":
    main()
