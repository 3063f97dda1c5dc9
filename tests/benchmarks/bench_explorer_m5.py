"""Benchmark: time of the Module 5 explorer's update (run by hand, not by pytest).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_explorer_m5.py

Prints the median and 90th-percentile time of one update of the product-mix explorer on
the Tallridge data (plant P1, 2026-05, 15 bicycles x 5 work centres): the pure function
``sop.what_if_mix`` (build and solve the LP with HiGHS, read duals and ranges, word the
answers), and the whole update as the widget does it (plus the shadow-price table and
the chart: what-if bars redrawn on the cached background and encoded as PNG). Target:
median under 150 ms.
"""

import statistics
import time

import matplotlib

matplotlib.use("agg")


import sopcourse as sop  # noqa: E402
from sopcourse.widgets.profit import MixChart  # noqa: E402


def main(repeats: int = 30) -> None:
    sop.use_course_style()
    mix = sop.product_mix_inputs(sop.load_company(), "P1", "2026-05")
    args = (mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"])
    base = sop.what_if_mix(*args)

    def pure(i):
        return sop.what_if_mix(
            *args,
            demand_change=0.02 * (i % 10) - 0.1,
            capacity_change={"painting": 0.05 * (i % 8), "welding": -0.02 * (i % 5)},
            margin_change=-0.01 * (i % 6),
            price=mix["price"],
        )

    chart = MixChart(base, ymax=1.5 * float(mix["max_demand"].max()))  # as the widget does

    def full(i):
        new = pure(i)
        new.resources[["capacity", "used", "shadow_price"]].round(2).to_html()
        chart.render(new)

    full(0)  # warm-up
    times = {"pure function": [], "update incl. chart": []}
    for i in range(repeats):
        for name, fn in (("pure function", pure), ("update incl. chart", full)):
            start = time.perf_counter()
            fn(i)
            times[name].append(time.perf_counter() - start)
    for name, ts in times.items():
        ms = sorted(1000 * t for t in ts)
        print(
            f"{name:20s} median {statistics.median(ms):7.2f} ms   "
            f"p90 {ms[int(0.9 * len(ms)) - 1]:7.2f} ms   (n={len(ms)})"
        )


if __name__ == "__main__":
    main()
