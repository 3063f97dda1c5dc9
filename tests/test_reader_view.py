"""The reader's view of a lesson: CI checks and long plotting code are collapsed.

A lesson reads as prose, formula, chart, exercise. Its ``assert`` cells stay (CI runs
them), but their input is hidden in JupyterLab (``"jupyter": {"source_hidden": true}``)
and tagged ``hide-input`` for a published Jupyter Book site. ``tests/reader_view.py`` does
the hiding; run ``python tests/reader_view.py notebooks/*.ipynb`` after editing a lesson.
"""

import importlib.util
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in LESSONS]

_spec = importlib.util.spec_from_file_location("reader_view", REPO / "tests" / "reader_view.py")
reader_view = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reader_view)

FIX = "run: python tests/reader_view.py notebooks/*.ipynb"


def _cell(source, **metadata):
    return nbformat.v4.new_code_cell(source, metadata=metadata)


# --- the rules, on small examples -------------------------------------------------------


def test_a_cell_of_asserts_and_comments_is_assert_only():
    assert reader_view.is_assert_only("# the claim\nassert 1 + 1 == 2\nassert True, 'msg'\n")


def test_a_cell_that_also_prints_or_shows_a_value_is_not_a_check():
    assert not reader_view.is_assert_only("assert x > 0\nprint(x)")
    assert not reader_view.is_check_cell("assert x > 0\nx")
    assert not reader_view.is_assert_only("")
    assert not reader_view.is_assert_only("%timeit assert x")  # not Python: never classified


def test_assignments_that_only_feed_asserts_make_a_check_cell():
    source = "total = a + b\nassert total == 3"
    assert reader_view.is_check_cell(source, later_sources=["print(a)"])
    # ...but not when a later cell reads the name: the reader must see where it comes from
    assert not reader_view.is_check_cell(source, later_sources=["print(total)"])
    # a later cell that assigns the name first does not read this one
    assert reader_view.is_check_cell(source, later_sources=["total = 0\nprint(total)"])


def test_a_long_chart_cell_is_a_plot_cell_and_a_short_one_is_not():
    long_chart = "\n".join(
        ["fig, ax = plt.subplots()", "ax.plot(x, y)"]
        + [f"ax.set_xlabel('label {i}')" for i in range(7)]
        + ["ax.legend();"]
    )
    assert reader_view.is_plot_cell(long_chart)
    assert not reader_view.is_plot_cell("fig, ax = plt.subplots()\nax.plot(x, y)\nax.legend();")
    # a cell that ends with a table, not a chart, is not a plot cell
    assert not reader_view.is_plot_cell(long_chart + "\ntable.round(1)")


def test_exercises_and_explorers_are_never_hidden():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("answer = ...\nsop.check_exercise('q', answer, expected=1)"),
        _cell("sop.widgets.top_down_explorer(history)"),
        _cell("assert 1 == 1"),
    ]
    assert reader_view.cells_to_hide(nb) == [(2, "check")]


def test_a_show_input_tag_keeps_a_cell_visible():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("assert 1 == 1", tags=["show-input"])]
    assert reader_view.cells_to_hide(nb) == []


def test_hiding_collapses_the_input_adds_the_tag_and_is_idempotent():
    cell = _cell("assert 1 == 1", tags=["keep-me"])
    assert reader_view.hide(cell)
    assert cell.metadata["jupyter"]["source_hidden"] is True
    assert cell.metadata["tags"] == ["keep-me", "hide-input"]
    assert not reader_view.hide(cell), "a second run changes nothing"
    assert reader_view.is_hidden(cell)


# --- the lessons follow them ------------------------------------------------------------


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_assert_only_cell_of_a_lesson_is_hidden_and_tagged(path):
    nb = nbformat.read(path, as_version=4)
    bare = [
        f"cell {i} ({cell.id})"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and reader_view.is_assert_only(cell.source)
        and "show-input" not in cell.metadata.get("tags", [])
        and not reader_view.is_hidden(cell)
    ]
    assert not bare, f"{path.name}: assert cells shown to the reader: {bare}; {FIX}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_every_check_and_long_plot_cell_of_a_lesson_is_collapsed(path):
    nb = nbformat.read(path, as_version=4)
    missing = [
        f"cell {i} ({nb.cells[i].id}, {reason})"
        for i, reason in reader_view.cells_to_hide(nb)
        if not reader_view.is_hidden(nb.cells[i])
    ]
    assert not missing, f"{path.name}: not collapsed: {missing}; {FIX}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_no_exercise_or_explorer_of_a_lesson_is_hidden(path):
    nb = nbformat.read(path, as_version=4)
    hidden = [
        f"cell {i} ({cell.id})"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and reader_view.is_learner_cell(cell.source)
        and cell.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert not hidden, f"{path.name}: the learner cannot see these exercise cells: {hidden}"


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_collapsed_cells_carry_the_hide_input_tag_and_tagged_cells_are_collapsed(path):
    # JupyterLab reads the metadata, Jupyter Book the tag: both must say the same.
    nb = nbformat.read(path, as_version=4)
    disagree = [
        f"cell {i} ({cell.id})"
        for i, cell in enumerate(nb.cells)
        if bool(cell.metadata.get("jupyter", {}).get("source_hidden"))
        != ("hide-input" in cell.metadata.get("tags", []))
    ]
    assert not disagree, f"{path.name}: metadata and tag disagree in {disagree}; {FIX}"
