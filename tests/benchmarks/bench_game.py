"""Benchmark of the planning game: one engine step, and 12 months x 100 seeds of a policy.

Run: ``python tests/benchmarks/bench_game.py`` (prints the figures; asserts nothing).
Targets (issue 21): a step under 200 ms; 12 months x 100 seeds under 2 minutes on 2 cores.
"""

from __future__ import annotations

import statistics
import time

from sopcourse.game.engine import new_game
from sopcourse.game.policies import chase, compare_policies, level, lp_plan


def step_ms(seeds=range(5), months=12) -> float:
    times = []
    for seed in seeds:
        world = new_game(seed=seed, months=months)
        while not world.finished:
            decisions = chase(world.view())
            t = time.perf_counter()
            world.step(decisions)
            times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main() -> None:
    new_game(months=1)  # load the company once
    print(f"engine step: median {step_ms():.2f} ms")
    for name, policy, seeds in (
        ("chase", chase, 100),
        ("level", level, 100),
        ("lp_plan", lp_plan, 5),
    ):
        t = time.perf_counter()
        table = compare_policies({name: policy}, seeds=range(seeds), months=12, n_jobs=2)
        wall = time.perf_counter() - t
        print(
            f"{name}: 12 months x {seeds} seeds, n_jobs=2: {wall:.1f} s "
            f"({1000 * wall * 2 / (12 * seeds):.1f} ms per month per core); "
            f"mean profit {table['profit'].mean():,.0f}, fill rate {table['fill_rate'].mean():.3f}"
        )


if __name__ == "__main__":
    main()
