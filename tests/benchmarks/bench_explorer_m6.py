"""Benchmark: time of the Module 6 explorers' pure updates (run by hand, not by pytest).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_explorer_m6.py

Prints the median and 90th-percentile time of one update of
(1) the working-capital explorer: ``working_capital_what_if`` alone, and the widget's
    whole update (a slider moved: what-if, summary, chart rendered to a PNG);
(2) the scorecard explorer: ``rate_kpis`` + ``scorecard_html`` on a 15-KPI scorecard.
Target: median under 150 ms. Wall-clock times include waiting for a CPU on a busy
machine, so the CPU time of this process is printed too (the cost on an idle machine).
"""

import statistics
import time

import matplotlib

matplotlib.use("agg")

import pandas as pd  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse.widgets.review import scorecard_html  # noqa: E402

FLOWS = dict(revenue=14_750, cogs=11_375, inventory=[1_273, 1_401],
             receivables=[3_782, 3_368], payables=[1_795, 2_025])  # fmt: skip


def what_if(cut: float):
    return sop.working_capital_what_if(
        **FLOWS, inventory_reduction=cut, supplier_terms_change_days=10, cost_of_capital=0.08
    )


def make_widget():
    return sop.widgets.working_capital_explorer(**FLOWS)


def one_update(box, cut: float) -> None:
    box.children[0].children[0].value = cut  # the inventory-cut slider triggers a redraw


def scorecard(shift: float) -> pd.DataFrame:
    d = sop.kpi_definitions()
    return pd.DataFrame(
        {
            "actual": [0.9 + 0.01 * i for i in range(len(d))],
            "target": [0.92 + shift] * len(d),
            "direction": d["direction"].to_numpy(),
            "tolerance": 0.02,
        },
        index=d.index,
    )


def report(name: str, times: list[float], cpu: list[float]) -> None:
    ms = sorted(1000 * t for t in times)
    cpu_ms = sorted(1000 * t for t in cpu)
    print(
        f"{name:34s} median {statistics.median(ms):7.2f} ms   "
        f"p90 {ms[int(0.9 * len(ms)) - 1]:7.2f} ms   "
        f"CPU median {statistics.median(cpu_ms):7.2f} ms   (n={len(ms)})"
    )


def timed(func, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    func(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(repeats: int = 30) -> None:
    sop.use_course_style()
    box = make_widget()
    one_update(box, 0.1)  # warm-up
    runs = {"pure": [], "full": [], "card": []}
    for i in range(repeats):
        cut = 0.5 * i / repeats
        runs["pure"].append(timed(what_if, cut))
        runs["full"].append(timed(one_update, box, cut + 0.001))
        frame = scorecard(0.002 * i)
        runs["card"].append(timed(lambda f: scorecard_html(sop.rate_kpis(f)), frame))
    for key, name in (
        ("pure", "working-capital what-if (pure)"),
        ("full", "working-capital update incl. chart"),
        ("card", "scorecard re-rating + HTML"),
    ):
        report(name, [w for w, _ in runs[key]], [c for _, c in runs[key]])


if __name__ == "__main__":
    main()
