"""Authoring check: the solution scores full marks, the blank student edition zero.

It also warns about answers that do not change between data variants: a student who
types such an answer in passes, so variants do not protect that question.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import nbformat

from .codec import to_plain
from .grade import expected_answers, grade_folder
from .sandbox import Sandbox
from .source import parse_assignment, student_edition


def validate(source, seeds=(11, 23, 47), limits=None, jobs=2, sandbox=None) -> dict:
    """Grade the solution (standard data and each seed) and the blank student edition.

    Returns ``{"ok": bool, "lines": [...], "same_on_every_variant": [qid, ...]}``;
    free-text questions are left out of the full-marks check (they are graded by hand).
    ``sandbox`` is a running :class:`Sandbox` to reuse (validate runs only the author's
    own notebooks, so its temp folder need not be hidden from them).
    A question whose expected answers are identical on the standard data and every
    variant is listed with a warning line (it does not make ``ok`` false: a conceptual
    multiple-choice answer may rightly be the same).
    """
    assignment = parse_assignment(source)
    auto = sum(q.points for q in assignment.questions.values() if q.kind == "code")
    lines, ok = [], True
    with (
        tempfile.TemporaryDirectory(prefix="sopvalidate-") as tmp,
        contextlib.nullcontext(sandbox)
        if sandbox
        else Sandbox(hide=[str(Path(source).resolve().parent), tmp], limits=limits) as sandbox,
    ):
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
                sandbox=sandbox,
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
            # The feedback page re-runs each public check on the extracted answers, outside
            # the notebook: on the solution every one of them must pass there too.
            failed_checks = [
                f"  {qid}: public check fails on the feedback page: {message} (a check may "
                "use only its arguments, np, pd, math and sop; guard notebook-only parts "
                "with `if 'name' in globals():`)"
                for qid, q in sol["questions"].items()
                for status, message in q.get("public", [])
                if status == "fail"
            ]
            ok = ok and not failed_checks
            lines += failed_checks
        answers = [expected_answers(assignment, sandbox, seed) for seed in [None, *seeds]]
    same = []
    for qid in answers[0]:
        shown = [json.dumps(to_plain(a[qid]), sort_keys=True, default=str) for a in answers]
        if seeds and len(set(shown)) == 1:
            same.append(qid)
            lines.append(
                f"warning: {qid}: the solution's answer is the same on the standard data and "
                "every variant, so a typed-in answer passes; compute it from the data "
                "(fine for a conceptual question)"
            )
    return {"ok": ok, "lines": lines, "same_on_every_variant": same}
