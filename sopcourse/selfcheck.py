"""Instant self-checks for the "your turn" exercises in the lessons.

A lesson exercise ends with one call::

    sop.check_exercise("m3-mae", my_mae, expected=expected_mae, hint="MAE averages |A - F|.")

It shows a green pass or a red fail with the hint, never the expected value. A
placeholder (``...`` or ``None``) reports "not answered yet" instead of failing, so a
fresh notebook runs top to bottom. (Graded homework and the exam use
``sopcourse.grading``, whose checks never see the expected answers.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["check_exercise", "CheckResult"]


@dataclass
class CheckResult:
    """Outcome of one self-check: ``status`` is "pass", "fail" or "not answered"."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __repr__(self) -> str:
        mark = {"pass": "PASS", "fail": "FAIL", "not answered": "NOT ANSWERED YET"}[self.status]
        return f"[{mark}] {self.exercise}: {self.message}"

    def _repr_html_(self) -> str:
        color = {"pass": "#2e8b57", "fail": "#b03a48", "not answered": "#8c8c8c"}[self.status]
        mark = {
            "pass": "&#10004; Pass",
            "fail": "&#10008; Not yet",
            "not answered": "Not answered yet",
        }[self.status]
        return (
            f'<div style="border-left:4px solid {color};padding:4px 8px">'
            f"<b style='color:{color}'>{mark}</b> &middot; <code>{self.exercise}</code>: "
            f"{_escape(self.message)}</div>"
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
    return result
