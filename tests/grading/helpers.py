"""Build submissions of the demo assignment for the grading tests and the benchmark."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from sopcourse.grading.source import parse_assignment, student_edition

DEMO = Path(__file__).parent / "demo" / "demo.ipynb"
STUDENT = Path(__file__).parent / "demo" / "demo_student.ipynb"


def solution_cells() -> dict:
    """Answer-cell id -> the solution's code (or text)."""
    a = parse_assignment(DEMO)
    return {
        a.nb.cells[q.answer_cell]["id"]: a.nb.cells[q.answer_cell].source
        for q in a.questions.values()
    }


def blank() -> nbformat.NotebookNode:
    return student_edition(parse_assignment(DEMO))


def correct() -> nbformat.NotebookNode:
    """A student edition with every answer filled in with the solution."""
    nb = blank()
    sol = solution_cells()
    for c in nb.cells:
        if c.get("id") in sol:
            c.source = sol[c["id"]]
    return nb


def index_of(nb, cell_id) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.get("id") == cell_id)


def with_answer(cell_id, code, nb=None) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb or correct())
    nb.cells[index_of(nb, cell_id)].source = code
    return nb


def insert_after(cell_id, code, nb=None) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb or correct())
    new = nbformat.v4.new_code_cell(code)
    nb.cells.insert(index_of(nb, cell_id) + 1, new)
    return nb


def write(nb, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
