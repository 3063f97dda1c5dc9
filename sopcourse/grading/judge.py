"""Judge extracted answers in the trusted grading process.

Every function here takes plain values rebuilt by :func:`sandbox.from_plain` (numbers,
strings, lists, dicts, DataFrames, Series), never an object from the student's process.
Messages say what is wrong, never the expected value.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pandas as pd

from .checks import CheckFailed, SelfCheck, expect


def _num(x):
    return isinstance(x, int | float) and not isinstance(x, bool)


def _close(a, e, rtol, atol) -> bool:
    if _num(a) and _num(e):
        if isinstance(e, float) and math.isnan(e):
            return isinstance(a, float) and math.isnan(a)
        return math.isclose(float(a), float(e), rel_tol=rtol, abs_tol=atol)
    if isinstance(a, str) and isinstance(e, str):
        return a == e
    if isinstance(a, list) and isinstance(e, list):
        return len(a) == len(e) and all(_close(x, y, rtol, atol) for x, y in zip(a, e, strict=True))
    if isinstance(a, dict) and isinstance(e, dict):
        return set(a) == set(e) and all(_close(a[k], e[k], rtol, atol) for k in e)
    if isinstance(a, pd.DataFrame | pd.Series) or isinstance(e, pd.DataFrame | pd.Series):
        return False
    return a is None and e is None or (type(a) is type(e) and a == e)


def compare_numbers(answer, expected, rtol=1e-6, atol=1e-9):
    """Compare one number with a tolerance.

    Examples
    --------
    >>> compare_numbers(100.00001, 100.0)
    (True, 'correct')
    >>> compare_numbers("100", 100.0)
    (False, 'the answer should be a number, not str')
    """
    if not _num(answer):
        return False, f"the answer should be a number, not {type(answer).__name__}"
    if _close(answer, expected, rtol, atol):
        return True, "correct"
    return False, "the number is not the expected one"


def compare_tables(answer, expected, rtol=1e-6, atol=1e-9, check_index=True, sort=False):
    """Compare two tables by their values (not repr), column by column with tolerance.

    Examples
    --------
    >>> e = pd.DataFrame({"units": [1.0, 2.0]}, index=["a", "b"])
    >>> compare_tables(e.copy() * 1.0000001, e)
    (True, 'correct')
    >>> compare_tables(e.rename(columns={"units": "qty"}), e)
    (False, "the columns should be ['units'], not ['qty']")
    """
    if isinstance(expected, pd.Series):
        if not isinstance(answer, pd.Series):
            return False, f"the answer should be a Series, not {type(answer).__name__}"
        answer, expected = answer.to_frame("value"), expected.to_frame("value")
    elif not isinstance(answer, pd.DataFrame):
        return False, f"the answer should be a DataFrame, not {type(answer).__name__}"
    cols_a = [str(c) for c in answer.columns]
    cols_e = [str(c) for c in expected.columns]
    if cols_a != cols_e:
        return False, f"the columns should be {cols_e}, not {cols_a}"
    if answer.shape != expected.shape:
        return False, f"the table should have {len(expected)} rows, not {len(answer)}"
    a, e = answer.copy(), expected.copy()
    a.columns, e.columns = cols_a, cols_e
    if sort:
        a = a.sort_values(cols_a).reset_index(drop=not check_index)
        e = e.sort_values(cols_e).reset_index(drop=not check_index)
    if check_index and [str(i) for i in a.index] != [str(i) for i in e.index]:
        return False, "the row labels (index) are not the expected ones"
    for col in cols_e:
        av, ev = a[col].tolist(), e[col].tolist()
        if not all(_close(x, y, rtol, atol) for x, y in zip(av, ev, strict=True)):
            return False, f"the values in column {col!r} are not the expected ones"
    return True, "correct"


def compare_choice(answer, expected, options=None):
    """Multiple choice: compare the chosen option, ignoring case and spaces.

    Examples
    --------
    >>> compare_choice(" b", "B", options=["A", "B", "C"])
    (True, 'correct')
    >>> compare_choice("D", "B", options=["A", "B", "C"])
    (False, "'D' is not one of the options ['A', 'B', 'C']")
    """
    norm = str(answer).strip().lower() if isinstance(answer, str | int) else None
    if norm is None:
        return False, "the answer should be one of the options, as text"
    if options and norm not in {str(o).strip().lower() for o in options}:
        shown = answer.strip() if isinstance(answer, str) else answer
        return False, f"{shown!r} is not one of the options {list(options)}"
    if norm == str(expected).strip().lower():
        return True, "correct"
    return False, "that is not the right option"


def check_lp(answer, expected, model, rtol=1e-6, atol=1e-6):
    """An LP answer ``{"objective": z, "plan": {var: value}}``: feasible and optimal.

    ``model`` is ``{"sense": "max", "objective": {var: coef}, "constraints":
    [{"coefs": {var: a}, "op": "<=", "rhs": b}], "lower": {var: lb}}`` (lower bounds
    default to 0). The plan must satisfy the constraints, its objective must be the one
    reported, and equal the optimum; alternative optimal plans are accepted.

    Examples
    --------
    >>> m = {"sense": "max", "objective": {"x": 1, "y": 1},
    ...      "constraints": [{"coefs": {"x": 1, "y": 1}, "op": "<=", "rhs": 4}]}
    >>> best = {"objective": 4, "plan": {"x": 4, "y": 0}}
    >>> check_lp({"objective": 4, "plan": {"x": 1, "y": 3}}, best, m)
    (True, 'correct')
    >>> check_lp({"objective": 5, "plan": {"x": 5, "y": 0}}, best, m)
    (False, 'the plan breaks constraint 1 (<= 4)')
    """
    if not isinstance(answer, dict) or not isinstance(answer.get("plan"), dict):
        return False, 'the answer should be a dict {"objective": ..., "plan": {...}}'
    plan = answer["plan"]
    if not _num(answer.get("objective")) or not all(_num(v) for v in plan.values()):
        return False, "the objective and every planned quantity should be numbers"
    tol = lambda ref: atol + rtol * abs(ref)  # noqa: E731
    for var, lb in {v: (model.get("lower") or {}).get(v, 0) for v in model["objective"]}.items():
        if plan.get(var, 0) < lb - tol(lb):
            return False, f"the plan puts {var} below its lower bound"
    for k, con in enumerate(model.get("constraints", []), 1):
        lhs = sum(float(a) * float(plan.get(v, 0)) for v, a in con["coefs"].items())
        rhs, op = float(con["rhs"]), con["op"]
        bad = (op == "<=" and lhs > rhs + tol(rhs)) or (op == ">=" and lhs < rhs - tol(rhs))
        if bad or (op == "==" and abs(lhs - rhs) > tol(rhs)):
            return False, f"the plan breaks constraint {k} ({op} {con['rhs']:g})"
    z = sum(float(c) * float(plan.get(v, 0)) for v, c in model["objective"].items())
    if not math.isclose(z, float(answer["objective"]), rel_tol=rtol, abs_tol=atol):
        return False, "the objective reported does not match the plan"
    if not math.isclose(z, float(expected["objective"]), rel_tol=rtol, abs_tol=atol):
        return False, "the plan is feasible but not optimal"
    return True, "correct"


def judge_answer(spec: dict, answer, expected, model=None):
    """Compare one answer by its spec's ``type``; return (ok, message)."""
    kind = spec.get("type", "value")
    rtol, atol = float(spec.get("rtol", 1e-6)), float(spec.get("atol", 1e-9))
    try:
        if kind == "number":
            return compare_numbers(answer, expected, rtol, atol)
        if kind in ("table", "series"):
            return compare_tables(
                answer, expected, rtol, atol, spec.get("check_index", True), spec.get("sort", False)
            )
        if kind == "choice":
            return compare_choice(answer, expected, spec.get("options"))
        if kind == "lp":
            return check_lp(answer, expected, model or {}, rtol, max(atol, 1e-6))
        ok = _close(answer, expected, rtol, atol)
        return ok, "correct" if ok else "the answer is not the expected one"
    except Exception as exc:  # noqa: BLE001 - a malformed answer is wrong, not a crash
        return False, f"the answer could not be compared ({type(exc).__name__})"


def _namespace(values, grader):
    """What a public check or hidden test sees in the grader: the answers, ``np``, ``pd``,
    ``math``, ``sop`` (the course package), ``grader`` and ``expect``; nothing else of the
    notebook (``sopcourse validate`` reports a check that needs more)."""
    import sopcourse

    ns = {"np": np, "pd": pd, "math": math, "sop": sopcourse, "grader": grader, "expect": expect}
    ns.update(values)
    return ns


#: Seconds a public check or hidden test may run in the grader (per cell of code).
CHECK_SECONDS = 10.0


class CheckTimeout(Exception):  # noqa: N818 - shown as "CheckTimeout"
    """A public check or hidden test ran past :data:`CHECK_SECONDS` in the grader."""


def _exec_limited(code, namespace, filename, seconds=None):
    """Execute instructor code on a student's values, stopping a loop that never ends.

    A student's value can send a check into an endless loop (``while x != 0: x -= 1``
    with a negative ``x``); that must not stall the batch. The check's own lines are
    traced and raise :class:`CheckTimeout` after ``seconds`` (library code is not
    traced, so this costs nothing measurable).
    """
    limit = CHECK_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + limit

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != filename:
            return None
        if time.monotonic() > deadline:
            raise CheckTimeout(f"the check ran longer than {limit:g} s")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        exec(compile(code, filename, "exec"), namespace)  # noqa: S102
    finally:
        sys.settrace(previous)


def run_hidden(code: str, values: dict, expected: dict, assignment: str):
    """Run one hidden test (instructor code) on plain values; return (ok, error type)."""
    try:
        _exec_limited(code, _namespace(values, SelfCheck(assignment, expected)), "<hidden test>")
    except (AssertionError, CheckFailed):
        return False, "AssertionError"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    return True, ""


def run_public(code: str, values: dict, assignment: str, mode: str = "homework"):
    """Re-run a public check cell on the student's plain values; return its results."""
    grader = SelfCheck(assignment, mode=mode, remember=False)
    try:
        _exec_limited(code, _namespace(values, grader), "<public check>")
    except Exception as exc:  # noqa: BLE001
        return [("fail", f"the check could not run ({type(exc).__name__})")]
    return [(r.status, r.message) for r in grader.results]
