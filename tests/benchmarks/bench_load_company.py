"""Measure how long the Tallridge Cycles data takes to load, generate and validate.

Run by hand (not collected by pytest)::

    .venv/bin/python tests/benchmarks/bench_load_company.py [repeats]

Targets: ``load_company()`` from the committed CSVs well under 1 s; ``generate(seed)``
under about 1.5 s (the grader generates a variant in every sandboxed run).
"""

from __future__ import annotations

import statistics
import sys
import time

from sopcourse.datasets import data_dir, generate, load_company, validate_data


def timed(label: str, func, repeats: int) -> None:
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        seconds.append(time.perf_counter() - start)
    print(
        f"{label:<42} median {statistics.median(seconds):6.3f} s   "
        f"min {min(seconds):6.3f} s   max {max(seconds):6.3f} s   ({repeats} runs)"
    )


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    company = load_company(seed=0)
    rows = sum(len(df) for df in company.tables.values())
    print(f"{len(company.tables)} tables, {rows:,} rows")
    timed("load_company() from the CSV files", lambda: load_company(seed=0), repeats)
    seeds = iter(range(1, 10_000))
    timed("generate(seed) (a new seed each run)", lambda: generate(next(seeds)), repeats)
    timed("load_company(seed=N) (a variant)", lambda: load_company(seed=next(seeds)), repeats)
    timed("validate_data(datasets/)", lambda: validate_data(data_dir()), repeats)


if __name__ == "__main__":
    main()
