"""Benchmark: lot-sizing rules, the incremental-discount EOQ and MPS generation on 52
weeks (prints timings; no asserts).

Run: ``.venv/bin/python tests/benchmarks/bench_lot_sizing.py [repeats]``

Times, per call, part-period balancing, least unit cost (sopcourse.lot_sizing),
Silver-Meal, Wagner-Whitin, POQ and compare_lot_sizing (sopcourse.mrp), the incremental
discount EOQ with 4 price breaks, and generate_master_schedule (sopcourse.mps) with each
lot rule. Target: each heuristic / DP under 10 ms on 52 periods.
"""

import sys
import time

import numpy as np
import pandas as pd

from sopcourse import lot_sizing, mps, mrp


def per_call_ms(fn, repeats: int) -> float:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return 1000 * (time.perf_counter() - start) / repeats


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rng = np.random.default_rng(42)
    d = rng.poisson(40, 52).astype(float) * (rng.random(52) > 0.2)
    f = rng.poisson(40, 52).astype(float)
    co = np.where(np.arange(52) < 8, rng.poisson(35, 52), 0).astype(float)
    breaks = pd.DataFrame(
        {"min_quantity": [0, 500, 1000, 5000], "unit_price": [5.0, 4.8, 4.7, 4.6]}
    )
    k, h = 300.0, 1.2
    cases = {
        "part_period_balancing": lambda: lot_sizing.part_period_balancing(d, k, h),
        "least_unit_cost": lambda: lot_sizing.least_unit_cost(d, k, h),
        "silver_meal": lambda: mrp.silver_meal(d, k, h),
        "wagner_whitin": lambda: mrp.wagner_whitin(d, k, h),
        "periodic_order_quantity": lambda: mrp.periodic_order_quantity(d, 3),
        "compare_lot_sizing (7 rules)": lambda: mrp.compare_lot_sizing(d, k, h),
        "eoq_incremental_discounts": lambda: lot_sizing.eoq_incremental_discounts(
            49, 0.2, 5000, breaks
        ),
        "generate_master_schedule L4L": lambda: mps.generate_master_schedule(
            f, co, 50, demand_time_fence=4, planning_time_fence=8
        ),
        "generate_master_schedule FOQ": lambda: mps.generate_master_schedule(
            f, co, 50, "fixed_order_quantity", lot_size=120, safety_stock=10
        ),
        "generate_master_schedule POQ": lambda: mps.generate_master_schedule(
            f, co, 50, "periodic_order_quantity", periods=3
        ),
    }
    print(f"52 periods, {repeats} calls each (mean wall time per call):")
    for label, fn in cases.items():
        print(f"  {label:32s} {per_call_ms(fn, repeats):8.2f} ms")


if __name__ == "__main__":
    main()
