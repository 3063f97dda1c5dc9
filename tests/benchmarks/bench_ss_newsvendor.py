"""Benchmark: the newsvendor family and (s, S) policies (prints timings; no asserts).

Run: ``.venv/bin/python tests/benchmarks/bench_ss_newsvendor.py [repeats]``

Targets: each closed form / small computation under 10 ms; the exact (s, S) search by
Zheng & Federgruen (1991) under 1 s for Poisson demand with mean up to 100 per period.
Times are the median of ``repeats`` calls (default 20), wall clock and this process's CPU.
"""

import statistics
import sys
import time

import numpy as np
from scipy import stats

from sopcourse.single_period import (
    lognormal_demand,
    newsvendor_expected_cost,
    newsvendor_optimal_profit,
    newsvendor_optimal_quantity,
    scenario_newsvendor,
)
from sopcourse.ss_policy import (
    optimal_ss_policy,
    simulate_ss_policy,
    ss_policy_cost,
    ss_power_approximation,
)


def timed(label: str, call, repeats: int) -> None:
    walls, cpus = [], []
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{label:<80s} {1000 * wall:9.2f} ms wall {1000 * cpu:9.2f} ms CPU")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = np.random.default_rng(0)
    table = dict(enumerate(rng.dirichlet(np.ones(200)).tolist()))
    scen_d, scen_p = rng.integers(0, 500, 1000), rng.dirichlet(np.ones(1000))
    print("-- newsvendor (closed forms and small sums)")
    timed(
        "optimal quantity, normal N(50, 8^2)",
        lambda: newsvendor_optimal_quantity(0.18, 0.70, stats.norm(50, 8)),
        repeats,
    )
    timed(
        "optimal quantity, Poisson(100)",
        lambda: newsvendor_optimal_quantity(1, 4, stats.poisson(100)),
        repeats,
    )
    timed(
        "optimal quantity, lognormal(400, 120)",
        lambda: newsvendor_optimal_quantity(1, 3, lognormal_demand(400, 120)),
        repeats,
    )
    timed(
        "optimal quantity, discrete table of 200 values",
        lambda: newsvendor_optimal_quantity(1, 3, table),
        repeats,
    )
    timed(
        "expected cost of Q, gamma (scipy expect, quadrature)",
        lambda: newsvendor_expected_cost(120, 1, 3, stats.gamma(3, scale=40)),
        repeats,
    )
    timed(
        "price form optimum, normal",
        lambda: newsvendor_optimal_profit(1, 0.3, 0.12, stats.norm(50, 8)),
        repeats,
    )
    timed(
        "scenario newsvendor, 1,000 scenarios (RP, EEV, VSS, EVPI)",
        lambda: scenario_newsvendor(scen_d, scen_p, 10, 6, 2),
        repeats,
    )
    print("-- (s, S) policies")
    timed(
        "cost of (4, 10), Snyder & Shen Ex. 4.7", lambda: ss_policy_cost(4, 10, 1, 4, 5, 6), repeats
    )
    timed(
        "power approximation, Ex. 4.8",
        lambda: ss_power_approximation(0.18, 0.7, 2.5, 50, 8),
        repeats,
    )
    timed("exact optimum, Ex. 4.7 (Poisson mean 6)", lambda: optimal_ss_policy(1, 4, 5, 6), repeats)
    for mean, k in ((25, 64), (64, 64), (100, 64), (100, 2000), (100, 20000)):
        res = optimal_ss_policy(1, 9, k, mean)
        timed(
            f"exact optimum, Poisson mean {mean}, K = {k}: (s, S) = "
            f"({res['reorder_point']:.0f}, {res['order_up_to']:.0f}), "
            f"{res['policies_evaluated']:.0f} evaluated",
            lambda mean=mean, k=k: optimal_ss_policy(1, 9, k, mean),
            max(3, repeats // 4),
        )
    timed("simulation, 100,000 periods", lambda: simulate_ss_policy(4, 10, 1, 4, 5, 6), 3)


if __name__ == "__main__":
    main()
