"""Benchmark: grade N submissions with ``-j 2`` vs. executing them cold with nbclient.

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/benchmarks/bench_grading.py            # 100 demo submissions
    .venv/bin/python tests/benchmarks/bench_grading.py --n 20
    .venv/bin/python tests/benchmarks/bench_grading.py --assignment assignments/hw3/hw3.ipynb --n 20
    .venv/bin/python tests/benchmarks/bench_grading.py --assignment exams/exam.ipynb --n 20

With ``--assignment`` the submissions are made from a real course assignment: its student
edition with the solution's answers, in a class mix (3 of 7 complete, 2 with one or two
questions left unanswered, 1 blank, 1 with a cell that raises). Prints the wall seconds
and the CPU seconds (the whole machine's, from /proc/stat) per submission of both, and
their ratios (issue 20's targets: grading at most 0.10 x cold wall and 0.15 x cold CPU on
hw3 and the exam).
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


def real_submissions(source: Path, n: int, folder: Path) -> list[Path]:
    """n submissions of a real assignment, in a class mix (see the module docstring)."""
    import copy

    from sopcourse.grading.source import parse_assignment, student_edition

    a = parse_assignment(source)
    answers = {
        a.nb.cells[q.answer_cell]["id"]: a.nb.cells[q.answer_cell].source
        for q in a.questions.values()
    }
    blank_nb = student_edition(a)
    ids = [c["id"] for c in blank_nb.cells if c.get("id") in answers]

    def filled(leave_out=(), broken=None):
        nb = copy.deepcopy(blank_nb)
        for c in nb.cells:
            if c.get("id") in answers and c["id"] not in leave_out:
                c.source = answers[c["id"]]
            if c.get("id") == broken:
                c.source = "raise RuntimeError('unfinished')"
        return nb

    kinds = [
        lambda: filled(),
        lambda: filled(),
        lambda: filled(),
        lambda: filled(leave_out=ids[-1:]),
        lambda: filled(leave_out=ids[1:3]),
        lambda: copy.deepcopy(blank_nb),
        lambda: filled(broken=ids[len(ids) // 2]),
    ]
    return [write(kinds[i % len(kinds)](), folder / f"student{i:03d}.ipynb") for i in range(n)]


def cpu() -> float:
    """CPU seconds the whole machine has spent so far (user + nice + system, from
    /proc/stat): the grader's sandboxed workers are not all children this process waits
    for, so per-process counters miss them. Run on an otherwise idle machine."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:4]
    return sum(int(f) for f in fields) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument("--assignment", type=Path, default=None, help="a course source notebook")
    args = parser.parse_args(argv)
    source = DEMO if args.assignment is None else args.assignment.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        if args.assignment is None:
            paths = submissions(args.n, subs)
        else:
            paths = real_submissions(source, args.n, subs)
        load = [os.getloadavg()[0]]
        t0, c0 = time.perf_counter(), cpu()
        records = grade_folder(source, subs, Path(tmp) / "out", seed=7, jobs=args.jobs)
        graded, graded_cpu = time.perf_counter() - t0, cpu() - c0
        load.append(os.getloadavg()[0])
        totals = sorted({r["total"] for r in records.values()})
        cold_paths = paths[: args.cold_n or args.n]
        c0 = cpu()
        cold_s = cold(cold_paths)
        cold_cpu = cpu() - c0
        load.append(os.getloadavg()[0])
    per_grade, per_grade_cpu = graded / args.n, graded_cpu / args.n
    per_cold, per_cold_cpu = cold_s / len(cold_paths), cold_cpu / len(cold_paths)
    print(f"assignment: {source.name}")
    print(
        f"grade -j {args.jobs}: {args.n} submissions in {graded:.1f} s = {per_grade:.3f} s "
        f"each (CPU {per_grade_cpu:.3f} s each)"
    )
    print(f"        (totals seen: {totals})")
    print(
        f"cold nbclient:  {len(cold_paths)} submissions in {cold_s:.1f} s = {per_cold:.3f} s "
        f"each (CPU {per_cold_cpu:.3f} s each)"
    )
    print(
        f"ratio grade/cold per submission: wall {per_grade / per_cold:.3f}, CPU "
        f"{per_grade_cpu / per_cold_cpu:.3f} (targets 0.10 and 0.15 on hw3 and the exam)"
    )
    print(
        f"load average (1 min) before / after grading / after cold: "
        f"{' / '.join(f'{x:.1f}' for x in load)} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
