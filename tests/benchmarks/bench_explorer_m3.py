"""Benchmark: the Module 3 consensus explorer's pure update function (prints figures).

Run: ``.venv/bin/python tests/benchmarks/bench_explorer_m3.py``

Measures :func:`sopcourse.consensus_scenario` (what every slider move recomputes) on 36
months x 4 inputs, and the whole widget redraw including the chart, over 50 updates.
"""

import statistics
import time

import matplotlib
import numpy as np
import pandas as pd

import sopcourse as sop

matplotlib.use("agg")


def inputs_table(months: int = 36, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    actual = 500 + 200 * np.sin(2 * np.pi * np.arange(months) / 12) + rng.normal(0, 40, months)
    return pd.DataFrame(
        {
            "actual": actual,
            "statistical": actual + rng.normal(0, 50, months),
            "sales": actual * 1.12 + rng.normal(0, 60, months),
            "marketing": actual * 1.05 + rng.normal(0, 80, months),
            "operations": actual * 0.95 + rng.normal(0, 45, months),
        },
        index=pd.period_range("2023-01", periods=months, freq="M"),
    )


def median_ms(fn, repeats: int = 50) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def main() -> None:
    data = inputs_table()
    cols = ["statistical", "sales", "marketing", "operations"]

    def pure(i):
        weights = {c: (i + k) % 5 / 4 + 0.05 for k, c in enumerate(cols)}
        sop.consensus_scenario(data, weights, override_pct=i % 21 - 10)

    print(f"consensus_scenario (pure update): median {median_ms(pure):.2f} ms over 50 calls")

    box = sop.widgets.consensus_explorer(data, cols)
    controls, _summary, _image = box.children
    override = controls.children[1].children[0]  # the override slider beside the weights

    def redraw(i):
        override.value = i % 21 - 10 if override.value != i % 21 - 10 else 0

    print(f"widget redraw incl. chart: median {median_ms(redraw, 20):.1f} ms over 20 updates")


if __name__ == "__main__":
    main()
