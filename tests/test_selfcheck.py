"""The one self-check result: a lesson exercise, a concept check and a graded notebook's
public checks show the same kind of result, in text and in HTML."""

import pytest

import sopcourse as sop
from sopcourse.grading import SelfCheck, SelfCheckResult, expect
from sopcourse.selfcheck import CheckResult


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOPCOURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))


def test_the_grader_and_the_lessons_share_one_result_class():
    assert SelfCheckResult is CheckResult
    lesson = sop.check_exercise("m0-sum", 4, expected=4)
    graded = SelfCheck("hw1", remember=False).check("q1", None, total=4)
    assert type(lesson) is type(graded) is CheckResult
    assert graded.question == graded.exercise == "q1"


def test_a_lesson_result_is_a_verdict_without_a_label():
    result = sop.check_exercise("m0-sum", 5, expected=4, hint="Add <both>.")
    assert repr(result) == "[FAIL] m0-sum: not yet. Hint: Add <both>."
    page = result._repr_html_()
    assert "&#10008; Try again" in page and "<code>m0-sum</code>: " in page
    assert "Add &lt;both&gt;." in page and "<i>" not in page
    assert "&#10004; Pass" in sop.check_exercise("m0-sum", 4, expected=4)._repr_html_()


def test_a_graded_result_says_which_checks_ran():
    def check_q1(total):
        expect(total > 0, "The total is positive.")

    grader = SelfCheck("hw1", remember=False)
    failed = grader.check("q1", check_q1, total=-1)
    assert repr(failed) == "[FAIL] q1 (public checks only): The total is positive."
    page = failed._repr_html_()
    assert ">Not yet</b>" in page and "<code>q1</code> <i>(public checks only)</i>: " in page
    passed = grader.check("q1", check_q1, total=1)
    assert ">Pass</b>" in passed._repr_html_() and passed.passed
    assert [(r.status, r.message) for r in grader.results] == [
        ("fail", "The total is positive."),
        ("pass", "all public checks pass."),
    ]


@pytest.mark.parametrize("status", ["pass", "fail", "not answered"])
def test_a_result_is_truthy_whatever_its_status(status):
    # as before: a result is a record, not a bool; ask .passed
    assert bool(CheckResult("m0-x", status, "."))
