"""Every notebook says where the learner is and links to its neighbours; links resolve."""

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "assignments", "exams")
    for p in (REPO / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
IDS = [str(p.relative_to(REPO)) for p in NOTEBOOKS]
LINK = re.compile(r"\]\(([^)\s]+?\.ipynb)(#[^)]*)?\)")


def _markdown(path):
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_opens_with_a_one_line_where_you_are(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name}: the first cell should be markdown"
    line = first.source.strip().splitlines()[0]
    assert "You are here" in line, f"{path.name}: first line should say 'You are here: ...'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_ends_with_links_to_its_neighbours(path):
    last = _markdown(path)[-1]
    assert LINK.search(last), f"{path.name}: the last markdown cell should link onwards"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_notebook_link_points_to_a_file_that_exists(path):
    broken = [
        target
        for source in _markdown(path)
        for target, _ in LINK.findall(source)
        if not target.startswith(("http://", "https://"))
        and not (path.parent / target).resolve().exists()
    ]
    assert not broken, f"{path.name}: links to missing notebooks {broken}"


def test_start_here_links_every_lesson_homework_and_the_exam():
    start = REPO / "notebooks" / "00_start_here.ipynb"
    linked = {
        (start.parent / target).resolve()
        for source in _markdown(start)
        for target, _ in LINK.findall(source)
    }
    # Lessons, and the student editions of homework and the exam (not their sources,
    # which hold the solutions and are for instructors).
    wanted = [
        p
        for p in NOTEBOOKS
        if p != start and (p.parent.name == "notebooks" or p.stem.endswith("_student"))
    ]
    missing = [str(p.relative_to(REPO)) for p in wanted if p.resolve() not in linked]
    assert not missing, f"00_start_here's table of contents misses {missing}"
