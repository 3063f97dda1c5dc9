"""The final exam (exams/exam.ipynb): its shape, its student edition and its instructor guide.

Exam mode means the student edition gives nothing away: its self-checks confirm only the
form of an answer, and it holds no expected answer, no solution code, no hidden test and
no rubric. These tests prove that on the solution's own answers (standard data).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from sopcourse.grading.checks import SelfCheck
from sopcourse.grading.judge import run_public
from sopcourse.grading.release import check_in_sync, render_student
from sopcourse.grading.source import parse_assignment

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exams" / "exam.ipynb"
STUDENT = ROOT / "exams" / "exam_student.ipynb"
README = ROOT / "exams" / "README.md"
START = "../notebooks/00_start_here.ipynb"


@pytest.fixture(scope="module")
def exam():
    return parse_assignment(SOURCE)


@pytest.fixture(scope="module")
def student_text():
    """Every cell source and the metadata of the committed student edition, as one text."""
    nb = nbformat.read(STUDENT, as_version=4)
    return "\n".join(c.source for c in nb.cells) + json.dumps(nb.metadata)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """One warm grading sandbox for this module (the exam's folder hidden from it)."""
    from sopcourse.grading.sandbox import Limits, Sandbox

    hide = [str(SOURCE.parent), str(tmp_path_factory.getbasetemp())]
    with Sandbox(hide=hide, limits=Limits(cell_seconds=120, notebook_seconds=600)) as sb:
        yield sb


@pytest.fixture(scope="module")
def expected(exam, sandbox):
    """The solution's answers on the standard data, computed exactly as the grader does."""
    from sopcourse.grading.grade import expected_answers

    return expected_answers(exam, sandbox, None)


def answer_values(exam, expected):
    """(qid, name, value) of every declared answer (LP models are data, not answers)."""
    return [
        (qid, name, expected[qid][name])
        for qid, q in exam.questions.items()
        if q.kind == "code"
        for name in q.answers
    ]


def numbers_in(value):
    """Every number inside an answer (scalar, table, series, dict, list)."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return [float(x) for x in np.asarray(value, dtype=float).ravel()]
    if isinstance(value, dict):
        return [x for v in value.values() for x in numbers_in(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in numbers_in(v)]
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return [float(value)]
    return []


def shown_forms(x: float) -> set[str]:
    """How a student would see or round ``x``: 2-4 decimals; whole numbers from 100 up."""
    forms = set()
    if not math.isfinite(x) or x == 0:
        return forms
    if abs(x) >= 100:
        forms |= {f"{x:.0f}", f"{x:,.0f}"}
    if x != round(x):
        forms |= {f"{x:.2f}", f"{x:,.2f}", f"{x:.3f}", f"{x:.4f}"}
        if abs(x) >= 10:
            forms.add(f"{x:.1f}")
    return forms


def leaked(text: str, x: float) -> list[str]:
    """The forms of ``x`` that occur in ``text`` as a whole number (not inside a longer one)."""
    return [f for f in shown_forms(x) if re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d])", text)]


# --------------------------------------------------------------------------- the format
def test_the_exam_has_12_to_16_questions_worth_100_points(exam):
    numbered = {re.match(r"q(\d+)", qid).group(1) for qid in exam.questions}
    assert 12 <= len(numbered) <= 16
    assert exam.total_points == 100
    assert exam.nb.metadata["sopcourse"]["assignment"] == "exam"


def test_two_or_three_written_questions_have_a_full_partial_and_no_credit_rubric(exam):
    text = [q for q in exam.questions.values() if q.kind == "text"]
    assert 2 <= len(text) <= 3
    for q in text:
        assert all(word in q.rubric for word in ("Full", "Partial", "None")), q.qid


def test_most_points_are_computed_and_some_answers_are_multiple_choice(exam):
    computed = sum(q.points for q in exam.questions.values() if q.kind == "code")
    assert computed >= 80
    choices = [
        name
        for q in exam.questions.values()
        for name, spec in q.answers.items()
        if spec.get("type") == "choice"
    ]
    assert len(choices) >= 2


def test_every_computed_question_has_a_self_check(exam):
    for q in exam.questions.values():
        if q.kind == "code":
            assert q.checks, f"{q.qid} has no public check cell"


def test_first_cell_says_where_you_are_and_the_last_markdown_links_the_start_page(exam):
    cells = exam.nb.cells
    assert cells[0].source.splitlines()[0] == (
        f"*You are here: Final exam · [Start here]({START})*"
    )
    last_md = [c for c in cells if c.cell_type == "markdown"][-1]
    assert f"]({START})" in last_md.source


def test_the_source_is_stored_without_outputs(exam):
    for cell in exam.nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# --------------------------------------------------------------------------- exam mode
def test_the_student_edition_is_in_sync_with_the_source():
    ok, message = check_in_sync(SOURCE)
    assert ok, message


def test_self_checks_are_labelled_form_checks_only(student_text):
    assert 'SelfCheck("exam", mode="exam")' in student_text
    result = SelfCheck("exam", mode="exam").check("q1", None, x=1)
    assert result.label == "form checks only"


def test_an_unknown_self_check_mode_is_refused_with_the_modes_it_knows():
    with pytest.raises(ValueError, match="homework"):
        SelfCheck("exam", mode="final")


def test_self_checks_never_read_an_expected_answer(exam):
    for q in exam.questions.values():
        for check in q.checks:
            assert "expected" not in check, q.qid


def wrong_but_well_formed(value, spec):
    """An answer of the same form as ``value`` with other numbers (or another option).

    Numbers are scaled by 0.83: signs, bounds such as "a fraction below 1" and sums
    such as "plan + volume + mix + price = actual" still hold, the values do not.
    """
    if spec.get("type") == "choice":
        return next(o for o in spec["options"] if o != value)
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value * 0.83
    if isinstance(value, dict):
        return {k: wrong_but_well_formed(v, {}) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value * 0.83
    return value


def test_self_checks_pass_a_wrong_answer_of_the_right_form(exam, expected):
    """Exam mode: the checks confirm the form only, so a wrong answer of that form passes."""
    for qid, q in exam.questions.items():
        if q.kind != "code":
            continue
        values = {n: wrong_but_well_formed(expected[qid][n], s) for n, s in q.answers.items()}
        for name in q.answers:  # every answer is wrong
            if q.answers[name].get("type") == "choice":
                assert values[name] != expected[qid][name]
            else:
                assert numbers_in(values[name]) != numbers_in(expected[qid][name]), (qid, name)
        for check in q.checks:
            results = run_public(check, values, "exam")
            assert results and all(status == "pass" for status, _ in results), (qid, results)


def test_self_checks_fail_an_answer_of_the_wrong_form(exam, expected):
    """...and they do check the form: a text where a number or table belongs fails."""
    for qid, q in exam.questions.items():
        if q.kind != "code":
            continue
        values = {n: "not an answer" for n in q.answers}
        for check in q.checks:
            statuses = [status for status, _ in run_public(check, values, "exam")]
            assert "fail" in statuses, qid


def test_the_student_edition_holds_no_expected_answer(exam, expected, student_text):
    found = []
    for qid, name, value in answer_values(exam, expected):
        if exam.questions[qid].answers[name].get("type") == "choice":
            continue  # the options are listed in the question, by design
        for x in numbers_in(value):
            found += [(qid, name, form) for form in leaked(student_text, x)]
    assert not found


def test_the_leak_detector_finds_answers_that_are_printed(exam, expected):
    """The test above can fail: the same detector finds every answer in a printout of them."""
    printed = []
    numbers = []
    for _qid, name, value in answer_values(exam, expected):
        for x in numbers_in(value):
            if shown_forms(x):
                numbers.append(x)
                printed.append(f"{name} = {x:.2f}" if x != round(x) else f"{name} = {x:.0f}")
    text = "\n".join(printed)
    assert numbers and all(leaked(text, x) for x in numbers)


def test_the_student_edition_holds_no_solution_code_hidden_test_or_rubric(exam, student_text):
    assert "BEGIN SOLUTION" not in student_text and "END SOLUTION" not in student_text
    assert '"hidden"' not in student_text and '"rubric"' not in student_text
    student = nbformat.read(STUDENT, as_version=4)
    for cell in student.cells:
        meta = cell.metadata.get("sopcourse", {})
        assert set(meta) <= {"question", "check"}, meta
    for (role, qid), cell in zip(exam.roles, exam.nb.cells, strict=True):
        if role == "hidden":
            assert cell.source.strip() not in student_text
        if role == "answer":
            q = exam.questions[qid]
            if q.kind == "text":
                assert q.rubric not in student_text
                model = re.search(r"BEGIN SOLUTION -->(.*?)<!--", cell.source, re.S).group(1)
                assert model.strip().splitlines()[1] not in student_text
                continue
            region = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
            for line in region.group(1).splitlines():
                line = line.strip()
                if len(line) >= 25 and not line.startswith("#"):
                    assert line not in student_text, (qid, line)


def test_answers_typed_in_from_the_standard_data_lose_their_points_on_a_variant(
    exam, expected, sandbox, tmp_path
):
    """Graded on a variant: the typed-in Q1b and Q7 score zero, the computed rest full marks."""
    from sopcourse.grading.grade import grade_folder

    nb = nbformat.read(SOURCE, as_version=4)
    typed = {"q1b": "slushy_units", "q7": "promo_lift_pct"}
    for cell, (role, qid) in zip(nb.cells, exam.roles, strict=True):
        if role == "answer" and qid in typed:
            cell.source = f"{typed[qid]} = {expected[qid][typed[qid]]!r}"
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(nb, subs / "typist.ipynb")
    record = grade_folder(
        SOURCE, subs, tmp_path / "out", seed=11, jobs=1, progress=None, sandbox=sandbox
    )["typist"]
    points = {qid: q["points"] for qid, q in record["questions"].items()}
    auto = [qid for qid, q in exam.questions.items() if q.kind == "code"]
    assert points["q1b"] == 0 and points["q7"] == 0
    assert all(points[qid] == exam.questions[qid].points for qid in auto if qid not in typed)


def test_release_writes_exactly_the_committed_student_edition():
    assert STUDENT.read_text(encoding="utf-8") == render_student(SOURCE)


# --------------------------------------------------------------------------- instructor guide
def readme_table():
    """Rows of the README's coverage table: qid -> (module, points)."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*Q(\d+[a-z]?)\s*\|\s*(\d)\b[^|]*\|[^|]*\|[^|]*\|\s*(\d+)\s*\|", line)
        if m:
            rows[f"q{m.group(1)}"] = (int(m.group(2)), float(m.group(3)))
    return rows


def test_the_readme_coverage_table_lists_every_question_with_its_points(exam):
    rows = readme_table()
    assert list(rows) == list(exam.questions)
    for qid, q in exam.questions.items():
        assert rows[qid][1] == q.points, qid
    assert sum(points for _, points in rows.values()) == 100


def test_the_readme_coverage_table_covers_all_six_modules():
    assert {module for module, _ in readme_table().values()} == {1, 2, 3, 4, 5, 6}


def test_the_readme_gives_the_commands_an_instructor_needs():
    text = README.read_text(encoding="utf-8")
    for command in (
        "sopcourse release exams/exam.ipynb",
        "sopcourse validate exams/exam.ipynb",
        "sopcourse grade exams/exam.ipynb",
        "--seed",
        "sopcourse merge-rubric exams/exam.ipynb",
    ):
        assert command in text, command
