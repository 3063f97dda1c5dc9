"""Benchmark: build-and-solve time of the supply/demand balancing plan (run by hand).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_balancing_plan.py

Two instances:

* Tallridge: the company's bicycles over the 18-month S&OP horizon, 2 plants x 4 markets,
  with a battery supply limit (``sop.planning_inputs_from_company``);
* synthetic x10: ``sop.example_planning_inputs`` with ten times the products x markets x
  periods of Tallridge (19 x 4 x 18 = 1,368 -> 38 x 8 x 45 = 13,680), the same two
  plants.

For each: the number of variables and constraints, and the median of a few runs of the
whole ``balancing_plan`` call (input checks, building the LinearProgram, PuLP/HiGHS
solve, reading duals, building the result tables).
"""

import statistics
import time

import pandas as pd

import sopcourse as sop


def timed(inputs, repeats):
    times, plan = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        plan = sop.balancing_plan(inputs)
        times.append(time.perf_counter() - start)
    return plan, times


def report(name, inputs, repeats):
    d = inputs.demand
    size = d["product"].nunique() * d["market"].nunique() * d["period"].nunique()
    plan, times = timed(inputs, repeats)
    print(
        f"{name:28s} products x markets x periods = {d['product'].nunique()} x "
        f"{d['market'].nunique()} x {d['period'].nunique()} = {size:6d}   "
        f"variables {len(plan.lp.values):6d}   constraints {len(plan.lp.slacks):6d}   "
        f"median {statistics.median(times):6.2f} s   (min {min(times):.2f}, n={len(times)})"
    )
    return size


def main() -> None:
    company = sop.load_company()
    months = [str(p) for p in pd.period_range("2026-01", periods=18, freq="M")]
    supply = pd.DataFrame({"component": "BAT-500", "period": months, "quantity": 700.0})
    tallridge = sop.planning_inputs_from_company(company, horizon=18, component_supply=supply)
    base = report("Tallridge (18 months)", tallridge, 5)
    big = sop.example_planning_inputs(38, 2, 8, 45, seed=1)
    bigger = report("synthetic x10", big, 3)
    print(f"size ratio {bigger / base:.1f}")


if __name__ == "__main__":
    main()
