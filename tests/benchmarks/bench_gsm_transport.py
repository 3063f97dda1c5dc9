"""Benchmark: guaranteed-service safety stock and the transportation LP (prints; no asserts).

Run: ``.venv/bin/python tests/benchmarks/bench_gsm_transport.py [repeats]``

Times :func:`sopcourse.multi_echelon.gsm_serial` on a 3-stage line (Snyder & Shen
Problem 6.7) and a 10-stage line, :func:`~sopcourse.multi_echelon.gsm_tree` on the
10-stage Graves & Willems camera tree (dynamic programme) and on a 5-stage tree by
exhaustive enumeration, the Tallridge chain example, and
:func:`sopcourse.transportation.transportation` on a 4 x 5 model (plus Powerco, 3 x 4,
and a 20 x 50 model). Targets from the brief: GSM serial 3-stage under 10 ms, 4 x 5
transportation under 50 ms.
"""

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sopcourse.multi_echelon import gsm_serial, gsm_tree, tallridge_chain_example
from sopcourse.transportation import transportation

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_multi_echelon import camera  # noqa: E402  (the test file's published instance)


def timed(label: str, fn, repeats: int) -> None:
    fn()  # warm-up (imports, first solver start)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    print(
        f"{label}: median {1000 * statistics.median(runs):.2f} ms, "
        f"min {1000 * min(runs):.2f} ms over {repeats} runs"
    )


def random_transport(n_plants: int, n_markets: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    cost = pd.DataFrame(
        rng.uniform(1, 20, (n_plants, n_markets)).round(2),
        index=[f"P{i}" for i in range(n_plants)],
        columns=[f"M{j}" for j in range(n_markets)],
    )
    demand = pd.Series(rng.integers(10, 100, n_markets), index=cost.columns, dtype=float)
    supply = pd.Series(rng.uniform(0.5, 1, n_plants), index=cost.index)
    supply = (supply / supply.sum() * demand.sum() * 1.2).round()
    return supply, demand, cost


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    timed(
        "GSM serial, 3 stages (Problem 6.7)",
        lambda: gsm_serial([1, 1, 2], [2, 3, 4], demand_sd=10, z=4, inbound_service_time=1),
        repeats,
    )
    times = [3, 5, 2, 7, 4, 6, 3, 8, 2, 5]
    timed(
        "GSM serial, 10 stages (DP)",
        lambda: gsm_serial(times, list(range(1, 11)), demand_sd=10, max_service_time=2),
        repeats,
    )
    stages, edges = camera()
    timed("GSM tree, 10-stage camera (DP)", lambda: gsm_tree(stages, edges, z=1.645), repeats)
    small = stages.iloc[[3, 4, 5, 6, 9]]
    small_edges = [
        ("Imager_Base", "Imager_Assembly"),
        ("Imager_Assembly", "Ship_to_Final_Assembly"),
        ("Ship_to_Final_Assembly", "Build_Test_Pack"),
        ("Camera", "Build_Test_Pack"),
    ]
    timed(
        "GSM tree, 5 stages (enumeration)",
        lambda: gsm_tree(small, small_edges, method="enumerate"),
        max(3, repeats // 10),
    )
    try:
        from sopcourse.datasets import load_company

        company = load_company()
    except (FileNotFoundError, ValueError) as exc:
        print(f"Tallridge data not available ({exc}); skipping.")
    else:
        timed("Tallridge chain example", lambda: tallridge_chain_example(company), repeats)
    powerco = pd.DataFrame(
        [[8, 6, 10, 9], [9, 12, 13, 7], [14, 9, 16, 5]],
        index=["P1", "P2", "P3"],
        columns=["C1", "C2", "C3", "C4"],
    )
    timed(
        "transportation, Powerco 3 x 4",
        lambda: transportation(
            {"P1": 35, "P2": 50, "P3": 40}, {"C1": 45, "C2": 20, "C3": 30, "C4": 30}, powerco
        ),
        repeats,
    )
    for n_p, n_m in [(4, 5), (20, 50)]:
        supply, demand, cost = random_transport(n_p, n_m)
        timed(
            f"transportation, {n_p} x {n_m}",
            lambda s=supply, d=demand, c=cost: transportation(s, d, c),
            repeats if n_p < 10 else max(3, repeats // 10),
        )


if __name__ == "__main__":
    main()
