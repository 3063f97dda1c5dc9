"""Benchmark: one full S&OP cycle on the Tallridge data (run by hand; prints, no asserts).

    cd /work/main && MPLBACKEND=agg .venv/bin/python tests/benchmarks/bench_cycle.py [runs]

Times ``sopcourse.cycle.run_cycle()`` with the defaults (every SKU-market series, the
18-month horizon, both plants, the KPI review of the last complete year) step by step,
then the review pack (charts rendered to PNG, HTML written atomically), over ``runs``
repetitions (default 3), and once the whole command ``sopcourse cycle --out ...`` as a
user runs it (a fresh process: Python start-up and imports included).
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from sopcourse.cycle import CYCLE_STEPS, run_cycle


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "review.html"
        for _ in range(runs):
            result = run_cycle()
            start = time.perf_counter()
            result.write(out)
            write = time.perf_counter() - start
            rows.append({**result.timings.to_dict(), "review pack (HTML + charts)": write})
        table = pd.DataFrame(rows)
        table["total"] = table.sum(axis=1)
        size = out.stat().st_size / 1e6
        series = result.consensus.groupby(["sku", "region"]).ngroups
        lp = result.plan.lp
        print(
            f"Tallridge, planning month {result.month}, {len(result.periods)} months, "
            f"{series} SKU-market series, LP {len(lp.values)} variables x "
            f"{len(lp.slacks)} constraints, pack {size:.2f} MB"
        )
        print(f"{'step':32s} {'median s':>9s} {'min s':>7s}   (n={runs})")
        for column in [*CYCLE_STEPS, "review pack (HTML + charts)", "total"]:
            values = table[column]
            print(f"{column:32s} {statistics.median(values):9.2f} {values.min():7.2f}")
        cli = Path(sys.executable).with_name("sopcourse")
        start = time.perf_counter()
        done = subprocess.run(
            [str(cli), "cycle", "--out", str(out)], capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - start
        print(f"{'command, fresh process (wall)':32s} {wall:9.2f}   exit code {done.returncode}")
        print(done.stderr.strip())


if __name__ == "__main__":
    main()
