"""Free-text answers are matched by cell id, then by position between their neighbours.

Issue 16, item 3: any markdown cell that was not an exact copy of a source cell used to
be taken as the next unanswered text question's answer, so a note the student added, a
one-line edit to the introduction, or an answer cell turned into markdown replaced the
real answer, and the real answer was dropped. Each test below is one such attack on an
honest student's notebook (the demo, with one text question, or the exam, with two);
they only need ``build_steps`` (no sandbox), except the last, which grades through
``grade_folder`` and reads ``rubric.csv``.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import nbformat
import pytest

from sopcourse.grading.grade import build_steps, grade_folder
from sopcourse.grading.source import TEXT_PLACEHOLDER, parse_assignment, student_edition

from .helpers import DEMO, correct, index_of, measured_limits, write

EXAM = Path(__file__).resolve().parents[2] / "exams" / "exam.ipynb"
MISSING = "the answer cell is missing from the submission"


def _prompt_answer(nb, cell_id, words) -> str:
    """The student's answer as an honest student writes it: the placeholder replaced."""
    src = nb.cells[index_of(nb, cell_id)].source
    assert TEXT_PLACEHOLDER in src
    return src.replace(TEXT_PLACEHOLDER, words)


def _demo(words="Margin per hour of the bottleneck decides the mix; units do not."):
    """The demo's correct submission with q5 answered; returns (notebook, q5's answer)."""
    nb = correct()
    nb.cells[index_of(nb, "q5-answer")].source = _prompt_answer(
        student_edition(parse_assignment(DEMO)), "q5-answer", words
    )
    return nb, nb.cells[index_of(nb, "q5-answer")].source


@pytest.fixture(scope="module")
def exam():
    return parse_assignment(EXAM)


def _exam(exam):
    """The exam's student edition with both written answers filled in (Q5 and Q16)."""
    nb = student_edition(exam)
    real = {}
    for cell_id, words in (("q5", "Count only the calibrated pipeline."), ("q16", "Decide.")):
        real[cell_id] = _prompt_answer(nb, cell_id, words)
        nb.cells[index_of(nb, cell_id)].source = real[cell_id]
    return nb, real


def _copied(nb, only=None):
    """The notebook as copied cell by cell into a new one: new cell ids (all, or ``only``)."""
    nb = copy.deepcopy(nb)
    for k, c in enumerate(nb.cells):
        if only is None or c.get("id") in only:
            c["id"] = f"copied-{k}"
    return nb


def _note(text):
    return nbformat.v4.new_markdown_cell(text)


def _match(assignment, nb):
    _, info = build_steps(assignment, nb)
    return info["text"], info["notes"]


# -- (i) a note the student added before the real answer ---------------------------------


def test_a_note_added_before_the_answer_is_not_taken_as_the_answer():
    nb, real = _demo()
    nb.cells.insert(index_of(nb, "q5-answer"), _note("Note to self: check the LP again."))
    text, notes = _match(parse_assignment(DEMO), nb)
    assert text["q5"] == real
    assert any(n.startswith("q5: the markdown cell") and "not taken" in n for n in notes)
    assert not any(MISSING in n for n in notes)


def test_a_note_added_before_the_answer_in_a_copied_notebook_is_not_taken():
    """Every cell id is new (the notebook was copied): the answer still carries its
    question line, the note does not, and both lie between the question's neighbours."""
    nb, real = _demo()
    nb.cells.insert(index_of(nb, "q5-answer"), _note("Note to self: check the LP again."))
    text, notes = _match(parse_assignment(DEMO), _copied(nb))
    assert text["q5"] == real
    assert any("not taken" in n for n in notes) and not any("by hand" in n for n in notes)


# -- (ii) a one-line edit to the introduction -----------------------------------------


@pytest.mark.parametrize("ids", ["kept", "copied notebook"])
def test_a_one_line_edit_to_the_introduction_is_not_an_answer(ids):
    nb, real = _demo()
    nb.cells[index_of(nb, "title")].source += "\n\nI did this with Ann."
    nb = nb if ids == "kept" else _copied(nb)
    text, notes = _match(parse_assignment(DEMO), nb)
    assert text["q5"] == real and not notes


def test_an_edited_introduction_does_not_shift_the_exam_answers_by_one(exam):
    """The old matcher took the intro as Q5, Q5's answer as Q16 and dropped Q16's."""
    nb, real = _exam(exam)
    nb.cells[index_of(nb, "nav")].source += "\nTypo fixed: Tallridge."
    text, notes = _match(exam, nb)
    assert text == real and not notes


# -- (iii) an answer cell turned into markdown ----------------------------------------


@pytest.mark.parametrize("q5_id", ["kept", "lost"])
def test_a_code_answer_turned_into_markdown_is_not_a_text_answer(q5_id):
    nb, real = _demo()
    i = index_of(nb, "q4-answer")
    md = _note(nb.cells[i].source)
    md["id"] = "q4-answer"
    nb.cells[i] = md
    if q5_id == "lost":
        nb = _copied(nb, only={"q5-answer"})
    steps, info = build_steps(parse_assignment(DEMO), nb)
    assert info["text"]["q5"] == real
    assert (
        "q4: its answer cell is a markdown cell in the submission (cell 14), so it was not run"
        in info["notes"]
    )
    assert f"q4: {MISSING}" in info["notes"]
    assert not any(n.startswith("q5:") for n in info["notes"])


# -- (iv) two text questions whose cell ids were both lost ------------------------------


@pytest.mark.parametrize("lost", ["the two answers", "every cell"])
def test_two_text_answers_without_their_ids_are_found_in_their_places(exam, lost):
    nb, real = _exam(exam)
    nb = _copied(nb, only={"q5", "q16"} if lost == "the two answers" else None)
    text, notes = _match(exam, nb)
    assert text == real and not notes


# -- (v) what cannot be decided is reported, not guessed ---------------------------------


def test_two_candidate_cells_are_both_shown_and_reported_not_one_picked():
    """An answer split over two cells, its id and question line gone: the grader cannot
    tell the answer from a note, so it picks neither; the rubric answer shows both."""
    nb, _ = _demo()
    i = index_of(nb, "q5-answer")
    nb.cells[i].source = "Units ignore what each bike earns."
    nb.cells.insert(i + 1, _note("Hours should go where they earn the most margin."))
    text, notes = _match(parse_assignment(DEMO), _copied(nb, only={"q5-answer"}))
    assert text["q5"].startswith("[grader: 2 markdown cells between its neighbours could be")
    assert "Units ignore what each bike earns." in text["q5"]
    assert "Hours should go where they earn the most margin." in text["q5"]
    assert "--- cell 15 of the submission ---" in text["q5"]
    assert "--- cell 16 of the submission ---" in text["q5"]
    (note,) = [n for n in notes if n.startswith("q5:")]
    assert "(cells 15, 16 of the submission)" in note and "grade it by hand" in note


def test_a_blank_answer_with_an_added_cell_below_it_takes_that_cell_and_says_so():
    """The student left the placeholder and answered in a new cell under the question."""
    nb = correct()
    blank = student_edition(parse_assignment(DEMO))
    nb.cells[index_of(nb, "q5-answer")].source = blank.cells[index_of(blank, "q5-answer")].source
    nb.cells.append(_note("Margin per hour, because the hours are scarce."))
    text, notes = _match(parse_assignment(DEMO), nb)
    assert text["q5"] == "Margin per hour, because the hours are scarce."
    assert any("left as given" in n and "cell 16" in n for n in notes)


# -- (vi) a cell of another question is never taken --------------------------------------


def test_a_lost_id_answer_is_not_pushed_into_the_next_text_question(exam):
    nb, real = _exam(exam)
    nb.cells[index_of(nb, "m1")].source += " (read it twice)"  # id kept, text edited
    text, notes = _match(exam, _copied(nb, only={"q5"}))
    assert text == real and not notes


def test_two_moved_text_answers_are_not_swapped(exam):
    """Q16's answer (a copied cell) moved up next to Q5's (also copied): each question
    takes the cell that carries its own question line, never the other's."""
    nb, real = _exam(exam)
    q16 = nb.cells.pop(index_of(nb, "q16"))
    nb.cells.insert(index_of(nb, "q5"), q16)
    text, notes = _match(exam, _copied(nb, only={"q5", "q16"}))
    assert text == real
    assert any(n.startswith("q16: its answer was found at cell 23") for n in notes)
    assert not any(n.startswith("q5:") for n in notes)


def test_a_text_answer_never_takes_the_cell_of_another_question_by_id(exam):
    """Q5's cell deleted: neither Q16's cell nor a code answer turned into markdown
    is taken for it."""
    nb, real = _exam(exam)
    del nb.cells[index_of(nb, "q5")]
    i = index_of(nb, "q4b-answer")
    md = _note(nb.cells[i].source)
    md["id"] = "q4b-answer"
    nb.cells[i] = md
    text, notes = _match(exam, nb)
    assert text == {"q5": "", "q16": real["q16"]}
    assert f"q5: {MISSING}" in notes


# -- end to end: rubric.csv ---------------------------------------------------------------


def test_rubric_csv_holds_the_real_answer_and_reports_the_ambiguous_one(tmp_path, sandbox):
    noted, real = _demo()
    noted.cells.insert(index_of(noted, "q5-answer"), _note("Note to self: check the LP again."))
    split, _ = _demo()
    i = index_of(split, "q5-answer")
    split.cells[i].source = "Units ignore what each bike earns."
    split.cells.insert(i + 1, _note("Hours should go where they earn the most margin."))
    subs = tmp_path / "subs"
    write(noted, subs / "noted.ipynb")
    write(_copied(split, only={"q5-answer"}), subs / "split.ipynb")
    out = tmp_path / "out"
    limits = measured_limits(cell_floor=5, notebook_floor=30)
    grade_folder(DEMO, subs, out, jobs=2, limits=limits, progress=None, sandbox=sandbox)
    rows = {r["student"]: r for r in csv.DictReader((out / "rubric.csv").open())}
    assert rows["noted"]["answer"] == real
    assert "Note to self" not in rows["noted"]["answer"]
    assert "not taken as part of its answer" in rows["noted"]["grader_notes"]
    assert rows["split"]["answer"].startswith("[grader: 2 markdown cells")
    assert "each bike earns" in rows["split"]["answer"]
    assert "most margin" in rows["split"]["answer"]
    assert "grade it by hand" in rows["split"]["grader_notes"]
    assert rows["split"]["points"] == ""


def test_code_added_after_a_markdown_cell_still_runs():
    """A helper cell the student inserts below a markdown cell was dropped without a note."""
    import nbformat

    from sopcourse.grading.grade import build_steps
    from sopcourse.grading.source import parse_assignment

    from .helpers import DEMO, correct

    nb = correct()
    md = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and i > 0)
    nb.cells.insert(md + 1, nbformat.v4.new_code_cell("helper_added_by_student = 1"))
    steps, _ = build_steps(parse_assignment(DEMO), nb)
    assert any(s["code"] == "helper_added_by_student = 1" for s in steps)
