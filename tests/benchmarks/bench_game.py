"""Benchmark of the planning game: one engine step, 12 months x 100 seeds of a policy, and
the stages of the monthly meeting and one click of the cockpit (what a learner waits for).

Run: ``python tests/benchmarks/bench_game.py`` (prints the figures; asserts nothing).
Targets (issue 21): a step under 200 ms; 12 months x 100 seeds under 2 minutes on 2 cores.
"""

from __future__ import annotations

import statistics
import time

from sopcourse.game import meeting
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


def _median_ms(func, repeat=5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def meeting_ms() -> dict:
    """Each stage of month 3 of a chase game, and a cockpit's play (the month and redraw)."""
    world = new_game(seed=7, months=12)
    for _ in range(3):
        world.step(chase(world.view()))
    plan = meeting.consensus_plan(world, {"statistical": 1, "marketing": 1})
    out = {
        "data pack": _median_ms(lambda: meeting.data_pack(world)),
        "demand review": _median_ms(lambda: meeting.demand_review(world)),
        "consensus plan": _median_ms(lambda: meeting.consensus_plan(world, {"sales": 1})),
        "supply review (with the LP)": _median_ms(lambda: meeting.supply_review(world, plan)),
        "pre-S&OP (3 scenarios)": _median_ms(lambda: meeting.pre_sop(world, plan)),
    }
    try:
        from sopcourse.widgets import planning_cockpit
    except ImportError:
        return out
    cockpit = planning_cockpit(seed=7, months=12)
    clicks = []
    for _ in range(5):
        t = time.perf_counter()
        cockpit.play()
        clicks.append(time.perf_counter() - t)
    out["cockpit: decide, play and redraw"] = 1000 * statistics.median(clicks)
    return out


def main() -> None:
    new_game(months=1)  # load the company once
    print(f"engine step: median {step_ms():.2f} ms")
    for name, ms in meeting_ms().items():
        print(f"{name}: median {ms:.0f} ms")
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
