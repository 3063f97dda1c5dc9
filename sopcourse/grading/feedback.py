"""The student's feedback page: points, reasons, public checks; hidden tests only by message.

One page per student (``feedback/<student>.html``), rendered from
``sopcourse/templates/feedback.html.j2`` (it extends the course's base template, with the
course colours) by :func:`sopcourse.report.render`. No hidden test code and no expected
answer is ever put on it. Every text that can come from the student's run is
:func:`scrub`-bed first (no variant seed, no path outside the job's folder), and the
template escapes everything: a student's error message can never become markup.
"""

from __future__ import annotations

import re

from ..report import render
from .source import Assignment

_PATH = re.compile(r"(?<![\w.:/])/(?:[\w.+@~-]+/)*[\w.+@~-]+")
_OWN_FOLDER = re.compile(r"/.*?/sopgrade-[^/\s]+/work(?=/|\b)")


def scrub(text, seed=None) -> str:
    """Student-visible text without the instructor's seed or paths outside the job folder.

    Error messages come from the student's code and may quote anything it could reach: the
    variant seed is replaced by ``<seed>``, a path outside the submission's own working
    folder by ``<path>``, and the working folder itself by ``.``.

    Examples
    --------
    >>> scrub("ValueError: 918273 at /srv/course/assignments/hw1.ipynb", seed=918273)
    'ValueError: <seed> at <path>'
    >>> scrub("FileNotFoundError: /tmp/sopgrade-ab12/work/mine.csv; 3/4 done in 2026/01")
    'FileNotFoundError: ./mine.csv; 3/4 done in 2026/01'
    """
    text = _OWN_FOLDER.sub(".", str(text))
    text = _PATH.sub("<path>", text)
    if seed is not None:
        text = re.sub(rf"(?<!\d){re.escape(str(seed))}(?!\d)", "<seed>", text)
    return text


def feedback_html(assignment: Assignment, record: dict) -> str:
    """The feedback page: points, reasons, public checks; hidden tests only by message.

    Every text that can come from the student's run is :func:`scrub`-bed first; the
    template escapes all of it.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> record = {"student": "ann", "seed": 918273, "total": 1.0, "max": 2.0,
    ...     "status": "graded", "notes": ["q2: the answer cell is missing from the submission"],
    ...     "questions": {"q1": {"points": 1.0, "max": 1.0, "status": "correct",
    ...     "reason": "correct", "public": [["pass", "<b>ok"]], "hidden": []},
    ...     "q2": {"points": 0.0, "max": 1.0, "status": "error",
    ...     "reason": "the cell raised KeyError: 918273 in /srv/hw1.ipynb"}}}
    >>> page = feedback_html(SimpleNamespace(name="hw1"), record)
    >>> "<title>hw1: feedback for ann</title>" in page, "&lt;b&gt;ok" in page
    (True, True)
    >>> "918273" in page, "/srv" in page, "KeyError: &lt;seed&gt; in &lt;path&gt;" in page
    (False, False, True)
    """
    seed = record.get("seed")

    def s(text) -> str:
        return scrub(text, seed)

    questions = []
    for qid, q in record["questions"].items():
        details = [f"public check: {status}: {s(msg)}" for status, msg in q.get("public", [])]
        details += [
            f"hidden test: {s(h['message'])}" for h in q.get("hidden", []) if not h["passed"]
        ]
        if q.get("comment"):
            details.append(f"comment: {s(q['comment'])}")
        questions.append(
            {
                "qid": qid,
                "points": f"{q['points']:g} / {q['max']:g}",
                "cls": q["status"].split()[0] if q["status"] else "",
                "result": f"{s(q['status'])}: {s(q['reason'])}",
                "details": details,
            }
        )
    return render(
        "feedback.html.j2",
        title=f"{assignment.name}: feedback for {record['student']}",
        assignment=assignment.name,
        student=record["student"],
        total=f"{record['total']:g} / {record['max']:g}",
        status=s(record["status"]),
        questions=questions,
        notes=[s(n) for n in record.get("notes") or []],
    )
