"""Benchmark: start-up time (run by hand; prints, no asserts).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_startup.py [repeats]

Each figure is the median wall time of a fresh Python process (start-up included, and
Python's own start-up printed alone for reference):

- ``import sopcourse``;
- a lesson's first cell: ``import matplotlib.pyplot``, ``pandas``, ``sopcourse`` and
  ``sop.use_course_style()``, then ``sop.load_company()`` (the second cell of most lessons);
- the ten modules ``python -X importtime -c "import sopcourse"`` spends most on, and the
  same for the first cell.

Targets of issue 20: ``import sopcourse`` under 0.5 s, a lesson's first cell under 1 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

CODE = {
    "python alone": "pass",
    "import sopcourse": "import sopcourse",
    "lesson first cell": (
        "import matplotlib.pyplot as plt\nimport pandas as pd\nimport sopcourse as sop\n"
        "sop.use_course_style()"
    ),
    "first cell + load_company": (
        "import matplotlib.pyplot as plt\nimport pandas as pd\nimport sopcourse as sop\n"
        "sop.use_course_style()\ncompany = sop.load_company()"
    ),
}


def wall(code: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def top_imports(code: str, n: int = 10) -> list[tuple[float, str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative_us, name = line.split("|", 2)  # "import time: self | cum | name"
        rows.append((int(cumulative_us) / 1e6, name.strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for label, code in CODE.items():
        print(f"{label:28s} {wall(code, repeats):6.2f} s  (median of {repeats})")
    for label in ("import sopcourse", "lesson first cell"):
        print(f"\ntop ten of -X importtime, {label} (cumulative s):")
        for seconds, name in top_imports(CODE[label]):
            print(f"  {seconds:6.3f}  {name}")


if __name__ == "__main__":
    main()
