"""Benchmark: grade N demo submissions with ``-j 2`` vs. executing them cold with nbclient.

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/benchmarks/bench_grading.py            # 100 submissions
    .venv/bin/python tests/benchmarks/bench_grading.py --n 20

Prints the seconds per submission of both and their ratio (target: grading at most a
quarter of cold execution per submission).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

import nbformat  # noqa: E402
from grading.helpers import DEMO, blank, correct, with_answer, write  # noqa: E402

from sopcourse.grading.grade import grade_folder  # noqa: E402


def submissions(n: int, folder: Path) -> list[Path]:
    """n submissions: mostly right, some wrong, some blank or broken."""
    kinds = [
        correct,
        correct,
        lambda: with_answer("q1-answer", "total_units = 12345"),
        lambda: with_answer(
            "q2-answer", 'units_by_family = sales.groupby("family")["units"].sum()'
        ),
        blank,
        lambda: with_answer("q3-answer", "best_family = 'road'"),
        lambda: with_answer("q4-answer", "mix = {'objective': 0, 'plan': {'road': 0, 'city': 0}}"),
        lambda: with_answer("q1-answer", "total_units = 1 / 0"),
    ]
    return [write(kinds[i % len(kinds)](), folder / f"student{i:03d}.ipynb") for i in range(n)]


def cold(paths) -> float:
    from nbclient import NotebookClient

    t0 = time.perf_counter()
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        client = NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(p.parent)}},
        )
        client.execute()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--cold-n", type=int, default=None, help="cold-run only this many")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        paths = submissions(args.n, subs)
        load = [os.getloadavg()[0]]
        t0 = time.perf_counter()
        records = grade_folder(DEMO, subs, Path(tmp) / "out", seed=7, jobs=args.jobs)
        graded = time.perf_counter() - t0
        load.append(os.getloadavg()[0])
        totals = sorted({r["total"] for r in records.values()})
        cold_paths = paths[: args.cold_n or args.n]
        cold_s = cold(cold_paths)
        load.append(os.getloadavg()[0])
    per_grade = graded / args.n
    per_cold = cold_s / len(cold_paths)
    print(f"grade -j {args.jobs}: {args.n} submissions in {graded:.1f} s = {per_grade:.3f} s each")
    print(f"        (totals seen: {totals})")
    print(
        f"cold nbclient:  {len(cold_paths)} submissions in {cold_s:.1f} s = {per_cold:.3f} s each"
    )
    print(f"ratio grade/cold per submission: {per_grade / per_cold:.3f} (target <= 0.25)")
    print(
        f"load average (1 min) before / after grading / after cold: "
        f"{' / '.join(f'{x:.1f}' for x in load)} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
