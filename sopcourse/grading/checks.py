"""Self-checks for graded notebooks: public checks with teaching hints, run by the learner.

In the student edition a question is followed by a check cell::

    def check_q1(total_units):
        expect(isinstance(total_units, (int, float)), "Give one number, not a table.")
        expect(total_units > 0, "Units sold are positive: which column holds units?")

    grader.check("q1", check_q1, total_units=total_units)

Only the public checks run here (the label says so); the grade comes from the grader,
which re-runs the notebook on another variant of the data and compares with the solution.
"""

from __future__ import annotations

import sys

from ..selfcheck import CheckResult, record_attempt

__all__ = ["SelfCheck", "SelfCheckResult", "CheckFailed", "expect"]

LABEL = "public checks only"
# mode -> (label, message on a pass); "exam": the checks confirm only an answer's form.
MODES = {
    "homework": (LABEL, "all public checks pass."),
    "exam": ("form checks only", "the answer has the expected form (not graded here)."),
}


class CheckFailed(AssertionError):
    """Raised by :func:`expect` when a public check fails; its message is the hint."""


def expect(condition, hint: str) -> None:
    """Fail the current public check with ``hint`` unless ``condition`` is true.

    Examples
    --------
    >>> expect(1 + 1 == 2, "Add the numbers.")
    >>> expect(False, "Add the numbers.")
    Traceback (most recent call last):
    ...
    sopcourse.grading.checks.CheckFailed: Add the numbers.
    """
    if not bool(condition):
        raise CheckFailed(hint)


#: The result of a public check: the course's one self-check result (its ``question`` is
#: the ``exercise`` id, its ``label`` says which checks ran). The name stays for imports.
SelfCheckResult = CheckResult


class _MainNamespace:
    """``grader.expected`` in a live notebook: the notebook's own variables (the solution)."""

    def __getitem__(self, name):
        return vars(sys.modules["__main__"])[name]


class SelfCheck:
    """The ``grader`` object of a graded notebook.

    Parameters
    ----------
    assignment : str
        The assignment's name, as in the notebook metadata.
    mode : {"homework", "exam"}
        ``"exam"`` labels every result *form checks only*: the exam's public checks
        confirm only that an answer has the right form, never that it is right.
    remember : bool, optional
        Remember answered checks in the learner's progress file (``sop.progress()``);
        default: yes for homework in a live notebook, no for the exam and the grader.

    Examples
    --------
    >>> grader = SelfCheck("demo")
    >>> def check_q1(total):
    ...     expect(total > 0, "The total is positive.")
    >>> grader.check("q1", check_q1, total=...)
    [NOT ANSWERED YET] q1 (public checks only): replace the ... with your answer and run again.
    >>> grader.check("q1", check_q1, total=-3)
    [FAIL] q1 (public checks only): The total is positive.
    >>> grader.check("q1", check_q1, total=12)
    [PASS] q1 (public checks only): all public checks pass.
    >>> SelfCheck("exam", mode="exam").check("q1", check_q1, total=12)
    [PASS] q1 (form checks only): the answer has the expected form (not graded here).
    """

    def __init__(self, assignment: str, expected=None, *, mode: str = "homework", remember=None):
        if not isinstance(assignment, str) or not assignment:
            raise ValueError("SelfCheck needs the assignment name, e.g. SelfCheck('hw1')")
        if mode not in MODES:
            raise ValueError(f"SelfCheck mode must be one of {sorted(MODES)}, not {mode!r}")
        self.assignment = assignment
        self.label, self._pass_message = MODES[mode]
        self._expected = expected
        # A learner's homework checks count in sop.progress() (as "hw3-q1"); the grader's
        # own re-runs (remember=False) and the exam's form checks do not.
        self._remember = (expected is None and mode == "homework") if remember is None else remember
        self.results: list[SelfCheckResult] = []

    @property
    def expected(self):
        """The solution's answers (for hidden tests): the notebook's own values when live."""
        return _MainNamespace() if self._expected is None else self._expected

    def check(self, question: str, check_function=None, **answers) -> SelfCheckResult:
        """Run the public checks of ``question`` on the learner's ``answers``."""
        if any(v is Ellipsis or v is None for v in answers.values()):
            result = SelfCheckResult(
                question,
                "not answered",
                "replace the ... with your answer and run again.",
                self.label,
            )
        else:
            try:
                if check_function is not None:
                    check_function(**answers)
                result = SelfCheckResult(question, "pass", self._pass_message, self.label)
            except CheckFailed as exc:
                result = SelfCheckResult(question, "fail", str(exc), self.label)
            except Exception as exc:  # noqa: BLE001 - a broken answer is a failed check
                result = SelfCheckResult(
                    question,
                    "fail",
                    f"checking your answer raised {type(exc).__name__}: {exc}. "
                    "Is it the kind of value the question asks for?",
                    self.label,
                )
        self.results.append(result)
        if self._remember and result.status != "not answered":
            record_attempt(f"{self.assignment}-{question}", result.status == "pass")
        return result
