"""Instant self-checks for the "your turn" exercises in the lessons.

A lesson exercise ends with one call::

    sop.check_exercise("m3-mae", my_mae, expected=expected_mae, hint="MAE averages |A - F|.")

It shows a green pass or a red fail with the hint, never the expected value. A
placeholder (``...`` or ``None``) reports "not answered yet" instead of failing, so a
fresh notebook runs top to bottom. (Graded homework and the exam use
``sopcourse.grading``, whose checks never see the expected answers.)
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["check_exercise", "CheckResult", "progress", "progress_file", "record_attempt"]

#: Environment variable naming the progress file (default ``~/.sopcourse/progress.json``).
PROGRESS_ENV = "SOPCOURSE_PROGRESS_FILE"

_MODULE_NAMES = {
    "m0": "Start here",
    "m1": "1 Introduction",
    "m2": "2 Sales revenue planning",
    "m3": "3 Demand planning",
    "m4": "4 Supply planning",
    "m5": "5 Profit-based planning",
    "m6": "6 Management review",
    "m8": "Your own data",
}


# What a result says, by status: in text (repr), and as the coloured headline in HTML. A
# lesson check judges the answer itself (a tick or a cross); a labelled result, e.g. the
# "public checks only" of a graded notebook, checks part of it and says "Not yet".
_MARKS = {"pass": "PASS", "fail": "FAIL", "not answered": "NOT ANSWERED YET"}
_COLORS = {"pass": "#2e8b57", "fail": "#b03a48", "not answered": "#8c8c8c"}
_HEADLINES = {
    "verdict": {
        "pass": "&#10004; Pass",
        "fail": "&#10008; Try again",
        "not answered": "Not answered yet",
    },
    "labelled": {"pass": "Pass", "fail": "Not yet", "not answered": "Not answered yet"},
}


@dataclass
class CheckResult:
    """Outcome of one self-check: ``status`` is "pass", "fail" or "not answered".

    The one result of every self-check: a lesson exercise (:func:`check_exercise`), a
    concept check (:mod:`sopcourse.concepts`) and a graded notebook's public checks
    (:class:`sopcourse.grading.SelfCheck`, which sets ``label``).

    Parameters
    ----------
    exercise : str
        The exercise id (``"m3-mae"``) or a graded notebook's question (``"q1"``).
    status : {"pass", "fail", "not answered"}
    message : str
        What to do next: "correct.", the hint, or how to answer.
    label : str
        What was checked, shown with the result (e.g. ``"public checks only"``); empty
        for a lesson exercise, whose check is the whole answer.

    Examples
    --------
    >>> CheckResult("m0-sum", "pass", "correct.")
    [PASS] m0-sum: correct.
    >>> r = CheckResult("q1", "fail", "Give one number.", "public checks only")
    >>> r, r.passed, r.question
    ([FAIL] q1 (public checks only): Give one number., False, 'q1')
    """

    exercise: str
    status: str
    message: str
    label: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    @property
    def question(self) -> str:
        """The question of a graded notebook (the same id as ``exercise``)."""
        return self.exercise

    def __repr__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"[{_MARKS[self.status]}] {self.exercise}{label}: {self.message}"

    def _repr_html_(self) -> str:
        color = _COLORS[self.status]
        headline = _HEADLINES["labelled" if self.label else "verdict"][self.status]
        label = f" <i>({self.label})</i>" if self.label else ""
        return (
            f'<div style="border-left:4px solid {color};padding:4px 8px">'
            f"<b style='color:{color}'>{headline}</b> &middot; "
            f"<code>{self.exercise}</code>{label}: {_escape(self.message)}</div>"
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _is_placeholder(answer) -> bool:
    return answer is None or answer is Ellipsis


def _close(answer, expected, rtol: float, atol: float) -> bool:
    if isinstance(expected, pd.DataFrame | pd.Series):
        if not isinstance(answer, type(expected)):
            return False
        try:
            a = (
                answer.reindex_like(expected)
                if isinstance(expected, pd.DataFrame)
                else answer.reindex(expected.index)
            )
        except (ValueError, TypeError):
            return False
        if isinstance(expected, pd.DataFrame) and list(answer.columns) != list(expected.columns):
            return False
        return _close(a.to_numpy(), expected.to_numpy(), rtol, atol)
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    if isinstance(expected, np.ndarray | list | tuple):
        try:
            a = np.asarray(answer, dtype=float)
            e = np.asarray(expected, dtype=float)
        except (TypeError, ValueError):
            return False
        return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True))
    try:
        a, e = float(answer), float(expected)
    except (TypeError, ValueError):
        return answer == expected
    return math.isclose(a, e, rel_tol=rtol, abs_tol=atol)


def check_exercise(
    exercise: str,
    answer,
    *,
    expected,
    rtol: float = 1e-3,
    atol: float = 1e-9,
    hint: str = "",
) -> CheckResult:
    """Check a lesson exercise's answer against the expected value and say pass or fail.

    Parameters
    ----------
    exercise : str
        Exercise id, e.g. ``"m3-mae"`` (module, then a short name).
    answer
        The learner's answer: a number, string, array, Series or DataFrame. ``...`` or
        ``None`` means not answered yet.
    expected
        The value computed by the lesson (or the package) that the answer must match.
    rtol, atol : float
        Relative and absolute tolerance for numbers.
    hint : str
        What to look at when the answer is wrong (never the answer itself).

    Examples
    --------
    >>> check_exercise("m0-sum", 2 + 2, expected=4)
    [PASS] m0-sum: correct.
    >>> check_exercise("m0-sum", 5, expected=4, hint="Add the two numbers.")
    [FAIL] m0-sum: not yet. Hint: Add the two numbers.
    >>> check_exercise("m0-sum", ..., expected=4)
    [NOT ANSWERED YET] m0-sum: replace the ... with your answer and run the cell again.
    """
    if _is_placeholder(answer):
        result = CheckResult(
            exercise, "not answered", "replace the ... with your answer and run the cell again."
        )
    elif _close(answer, expected, rtol, atol):
        result = CheckResult(exercise, "pass", "correct.")
    else:
        result = CheckResult(exercise, "fail", "not yet." + (f" Hint: {hint}" if hint else ""))
    if result.status != "not answered":
        record_attempt(exercise, result.passed)
    return result


# -- progress of a self-paced learner --------------------------------------------------


def progress_file() -> Path:
    """Where progress is remembered: ``$SOPCOURSE_PROGRESS_FILE`` or ``~/.sopcourse/progress.json``.

    The file lives in the learner's home, never in the course repository.
    """
    override = os.environ.get(PROGRESS_ENV)
    return Path(override) if override else Path.home() / ".sopcourse" / "progress.json"


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_attempt(exercise: str, passed: bool) -> bool:
    """Remember one attempt at an exercise; return False if the file could not be written.

    A pass is remembered for good; a later failed attempt does not undo it. The file is
    replaced atomically, so an interrupted write never loses earlier progress.
    """
    path = progress_file()
    data = _load(path)
    entry = data.get(exercise, {"attempts": 0, "passed": False})
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    entry["passed"] = bool(entry.get("passed")) or bool(passed)
    entry["last"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    data[exercise] = entry
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def _module_of(exercise: str) -> str:
    m = re.match(r"^(m\d|hw\d|exam)", exercise)
    if not m:
        return "Other"
    key = m.group(1)
    if key.startswith("hw"):
        return f"Homework {key[2:]}"
    if key == "exam":
        return "Final exam"
    return _MODULE_NAMES.get(key, key)


def progress() -> pd.DataFrame:
    """Progress table by module: exercises attempted and passed, from the progress file.

    Examples
    --------
    >>> import os, tempfile
    >>> saved = os.environ.get("SOPCOURSE_PROGRESS_FILE")
    >>> os.environ["SOPCOURSE_PROGRESS_FILE"] = os.path.join(tempfile.mkdtemp(), "p.json")
    >>> _ = check_exercise("m3-mae", 5, expected=5)
    >>> _ = check_exercise("m3-bias", 1, expected=2)
    >>> progress().to_dict("index")
    {'3 Demand planning': {'attempted': 2, 'passed': 1}}
    >>> if saved is None:
    ...     del os.environ["SOPCOURSE_PROGRESS_FILE"]
    ... else:
    ...     os.environ["SOPCOURSE_PROGRESS_FILE"] = saved
    """
    data = _load(progress_file())
    rows = [
        {"module": _module_of(ex), "exercise": ex, "passed": bool(v.get("passed"))}
        for ex, v in data.items()
        if isinstance(v, dict)
    ]
    if not rows:
        return pd.DataFrame(
            {"attempted": pd.Series(dtype=int), "passed": pd.Series(dtype=int)},
            index=pd.Index([], name="module"),
        )
    table = (
        pd.DataFrame(rows)
        .groupby("module")
        .agg(attempted=("exercise", "size"), passed=("passed", "sum"))
    )
    return table.astype(int)
