"""Authoring check: the solution scores full marks, the blank student edition zero."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat

from .grade import grade_folder
from .source import parse_assignment, student_edition


def validate(source, seeds=(11, 23, 47), limits=None, jobs=2) -> dict:
    """Grade the solution (standard data and each seed) and the blank student edition.

    Returns ``{"ok": bool, "lines": [...]}``; free-text questions are left out of the
    full-marks check (they are graded by hand).
    """
    assignment = parse_assignment(source)
    auto = sum(q.points for q in assignment.questions.values() if q.kind == "code")
    lines, ok = [], True
    with tempfile.TemporaryDirectory(prefix="sopvalidate-") as tmp:
        subs = Path(tmp) / "subs"
        subs.mkdir()
        nbformat.write(assignment.nb, subs / "solution.ipynb")
        nbformat.write(student_edition(assignment), subs / "blank.ipynb")
        for seed in [None, *seeds]:
            recs = grade_folder(
                source,
                subs,
                Path(tmp) / f"out{seed}",
                seed=seed,
                jobs=jobs,
                limits=limits,
                progress=None,
            )
            sol, blank = recs["solution"], recs["blank"]
            label = "standard data" if seed is None else f"variant {seed}"
            good = abs(sol["total"] - auto) < 1e-9
            zero = blank["total"] == 0 and blank["status"].startswith("graded")
            ok = ok and good and zero
            lines.append(
                f"{label}: solution {sol['total']:g}/{auto:g} "
                f"{'ok' if good else 'NOT FULL MARKS'}; blank {blank['total']:g} "
                f"{'ok' if zero else 'NOT ZERO'}"
            )
            if not good:
                lines += [
                    f"  {qid}: {q['reason']}"
                    for qid, q in sol["questions"].items()
                    if q["status"] not in ("correct", "rubric pending")
                ]
    return {"ok": ok, "lines": lines}
