"""Benchmark: time of the loss functions and the (r, Q) policy functions (run by hand,
not by pytest).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_policies.py

Prints the median and 90th-percentile time of one call of each function on the
textbook instances (Snyder & Shen Example 5.1, normal; Example 5.8, Poisson). The
closed forms (every loss function, g(r, Q), the performance of a policy, the type-1
reorder point) have a target of 10 ms each and are marked ok / SLOW; the solvers
(root finding, the exact optimum, the comparison table) are printed for information.
"""

import statistics
import sys
import time
from pathlib import Path

from scipy import stats

from sopcourse.loss_functions import loss_function, second_order_loss_function
from sopcourse.policies import (
    compare_rq_policies,
    rq_approximation,
    rq_cost,
    rq_optimal,
    rq_optimal_reorder_point,
    rq_performance,
    rq_reorder_point_for_service,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_policies import EXAMPLE_5_1, EXAMPLE_5_8  # noqa: E402

TARGET_MS = 10.0
NORMAL, POISSON = EXAMPLE_5_1, EXAMPLE_5_8  # the test file's published instances
DEMANDS = {
    "normal": (18.6, stats.norm(15, 3)),
    "poisson": (18, stats.poisson(15)),
    "gamma": (4.0, stats.gamma(2, scale=3)),
    "uniform": (4.0, stats.uniform(2, 6)),
}


def _no_fixed(data):
    return {k: v for k, v in data.items() if k != "fixed_cost"}


def _service(data):
    return {k: data[k] for k in ("demand_rate", "lead_time", "demand_sd", "demand") if k in data}


def closed_forms():
    cases = {}
    for name, (x, d) in DEMANDS.items():
        cases[f"loss_function {name}"] = lambda x=x, d=d: loss_function(x, d)
        cases[f"second_order_loss {name}"] = lambda x=x, d=d: second_order_loss_function(x, d)
    cases["rq_cost normal"] = lambda: rq_cost(126.8, 328.5, **NORMAL)
    cases["rq_cost poisson"] = lambda: rq_cost(3, 5, **POISSON)
    cases["rq_performance normal"] = lambda: rq_performance(126.8, 328.5, **NORMAL)
    cases["rq_performance poisson"] = lambda: rq_performance(3, 5, **POISSON)
    cases["type-1 r normal"] = lambda: rq_reorder_point_for_service(300, 0.95, **_service(NORMAL))
    cases["type-1 r poisson"] = lambda: rq_reorder_point_for_service(5, 0.95, **_service(POISSON))
    return cases


def solvers():
    fill = dict(service="fill_rate")
    return {
        "type-2 r normal": lambda: rq_reorder_point_for_service(
            300, 0.99, **fill, **_service(NORMAL)
        ),
        "type-2 r poisson": lambda: rq_reorder_point_for_service(
            5, 0.99, **fill, **_service(POISSON)
        ),
        "r(Q) normal": lambda: rq_optimal_reorder_point(300, **_no_fixed(NORMAL)),
        "r(Q) poisson": lambda: rq_optimal_reorder_point(5, **_no_fixed(POISSON)),
        "exact (r, Q) normal": lambda: rq_optimal(**NORMAL),
        "exact (r, Q) poisson": lambda: rq_optimal(**POISSON),
        "loss-function approx normal": lambda: rq_approximation("loss_function", **NORMAL),
        "compare_rq_policies normal": lambda: compare_rq_policies(**NORMAL),
        "compare_rq_policies poisson": lambda: compare_rq_policies(**POISSON),
    }


def timed(call, repeats: int) -> list[float]:
    call()  # warm-up (imports, caches)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - start))
    return sorted(times)


def main(repeats: int = 50) -> None:
    slow = 0
    for title, cases, target in (
        (f"closed forms (target {TARGET_MS:.0f} ms each)", closed_forms(), TARGET_MS),
        ("solvers (no target)", solvers(), None),
    ):
        print(title)
        for name, call in cases.items():
            ms = timed(call, repeats)
            median, p90 = statistics.median(ms), ms[int(0.9 * len(ms)) - 1]
            verdict = "" if target is None else ("ok" if p90 < target else "SLOW")
            slow += verdict == "SLOW"
            print(f"  {name:30s} median {median:7.3f} ms   p90 {p90:7.3f} ms   {verdict}")
    print("all closed forms under target" if not slow else f"{slow} closed form(s) over target")


if __name__ == "__main__":
    main()
