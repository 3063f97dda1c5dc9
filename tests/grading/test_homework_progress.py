"""A learner's homework self-checks count in sop.progress(); the grader's re-runs do not."""

import sopcourse as sop
from sopcourse.grading import SelfCheck, expect
from sopcourse.grading.judge import run_public


def _positive(total):
    expect(total > 0, "The total is positive.")


def test_a_homework_self_check_is_remembered_by_homework(tmp_path, monkeypatch):
    monkeypatch.setenv("SOPCOURSE_PROGRESS_FILE", str(tmp_path / "p.json"))
    grader = SelfCheck("hw3")
    grader.check("q1", _positive, total=...)  # not answered: not counted
    grader.check("q1", _positive, total=-1)
    grader.check("q2", _positive, total=5)
    table = sop.progress()
    assert table.loc["Homework 3"].to_dict() == {"attempted": 2, "passed": 1}


def test_exam_form_checks_and_the_graders_reruns_are_not_remembered(tmp_path, monkeypatch):
    monkeypatch.setenv("SOPCOURSE_PROGRESS_FILE", str(tmp_path / "p.json"))
    SelfCheck("exam", mode="exam").check("q1", _positive, total=3)
    SelfCheck("hw3", remember=False).check("q1", _positive, total=3)
    code = 'def check_q1(total):\n    expect(total > 0, "positive")\n\ngrader.check("q1", check_q1, total=total)\n'
    assert run_public(code, {"total": 3}, "hw3") == [("pass", "all public checks pass.")]
    assert sop.progress().empty
    assert not (tmp_path / "p.json").exists()


def test_the_exam_feedback_page_says_form_checks_only():
    from pathlib import Path

    from sopcourse.grading.source import parse_assignment

    exam = parse_assignment(Path(__file__).resolve().parents[2] / "exams" / "exam.ipynb")
    assert exam.mode == "exam"
    code = 'def check_q1(total):\n    expect(total > 0, "positive")\n\ngrader.check("q1", check_q1, total=total)\n'
    [(status, message)] = run_public(code, {"total": 3}, "exam", exam.mode)
    assert status == "pass" and "not graded here" in message
