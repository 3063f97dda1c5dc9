"""Build submissions of the demo assignment for the grading tests and the benchmark."""

from __future__ import annotations

import copy
import functools
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


@functools.cache
def solution_timing(seed: int = 7) -> dict:
    """How long the demo's solution takes here, now: the slowest cell and the whole run.

    Measured once per test process, in a sandbox of its own, under whatever load the
    machine has. Time limits in the tests are multiples of it (:func:`measured_limits`),
    never fixed seconds that a busy machine can miss.
    """
    from sopcourse.grading.grade import build_steps
    from sopcourse.grading.sandbox import Limits, Sandbox

    steps, _ = build_steps(parse_assignment(DEMO))
    with Sandbox(hide=[str(DEMO.resolve().parent)], limits=Limits(600, 1200)) as sandbox:
        result = sandbox.run(steps, seed)
    if not result.finished:
        raise RuntimeError(f"the demo solution did not run to the end: {result.reason}")
    cells = [c["seconds"] or 0.0 for c in result.cells.values()]
    return {"cell": max(cells), "notebook": result.seconds}


def measured_limits(factor: float = 8, cell_floor=3.0, notebook_floor=25.0, **overrides):
    """Limits a correct submission meets with room to spare: ``factor`` × the measured
    solution, at least ``cell_floor`` s per cell and ``notebook_floor`` s per notebook;
    ``overrides`` (other :class:`Limits` fields) win.

    A test of a limit pairs these with work that cannot finish (an endless loop), so it
    holds on a quiet laptop and on a machine whose every core is busy.
    """
    from sopcourse.grading.sandbox import Limits

    t = solution_timing()
    values = {
        "cell_seconds": round(max(cell_floor, factor * t["cell"] + 1), 1),
        "notebook_seconds": round(max(notebook_floor, factor * t["notebook"] + 5), 1),
    }
    values.update(overrides)
    return Limits(**values)
