"""Benchmark: the intermittent-demand methods, one series at a time (prints timings; no asserts).

Run: ``.venv/bin/python tests/benchmarks/bench_intermittent.py [n_series] [months]``

Times per call, on synthetic spare-part series (Poisson occurrence x size, 200 series of
48 months by default): Croston / SBA / TSB with every start, Croston with optimised alphas,
ADIDA and IMAPA (:mod:`sopcourse.intermittent_demand`), and ``forecast_series`` by name.
"""

import sys
import time

import numpy as np

import sopcourse.intermittent_demand as im
from sopcourse.forecasting import forecast_series


def synthetic_parts(n_series: int = 200, months: int = 48, seed: int = 7) -> list[np.ndarray]:
    """Intermittent monthly series, each with at least one demand."""
    rng = np.random.default_rng(seed)
    parts = []
    while len(parts) < n_series:
        units = rng.poisson(0.3, months) * rng.integers(1, 6, months)
        if units.any():
            parts.append(units.astype(float))
    return parts


def timed(label: str, func, parts: list[np.ndarray]) -> None:
    start, cpu_start = time.perf_counter(), time.process_time()
    for y in parts:
        func(y)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start  # this process only: steadier on a shared machine
    print(
        f"{label:<42} {1000 * seconds / len(parts):7.3f} ms/call "
        f"({seconds:.2f} s wall, {cpu:.2f} s CPU, {len(parts)} series)"
    )


def main() -> None:
    n_series = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    months = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    parts = synthetic_parts(n_series, months)
    for variant in im.INTERMITTENT_METHODS:
        for init in im.CROSTON_INITS:
            timed(
                f"croston_forecast {variant} init={init}",
                lambda y, v=variant, i=init: im.croston_forecast(y, 0.1, variant=v, init=i),
                parts,
            )
    timed("croston_optimized_forecast", im.croston_optimized_forecast, parts)
    timed("adida_forecast (alpha optimised)", im.adida_forecast, parts)
    timed("adida_forecast (alpha=0.2)", lambda y: im.adida_forecast(y, alpha=0.2), parts)
    timed("imapa_forecast (alpha optimised)", im.imapa_forecast, parts)
    for method in im.OPTIMISED_INTERMITTENT_METHODS:
        timed(f"forecast_series {method}", lambda y, m=method: forecast_series(y, 18, m), parts)
    timed(
        "forecast_series ses, initial_level",
        lambda y: forecast_series(y, 18, "ses", alpha=0.3, initial_level=y[0]),
        parts,
    )


if __name__ == "__main__":
    main()
