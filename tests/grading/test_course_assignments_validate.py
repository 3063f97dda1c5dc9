"""Every graded notebook of the course passes `sopcourse validate`: the solution scores
full marks on the standard data and on a variant, the blank student edition zero, and
every public check passes on the feedback page as well as in the notebook."""

from pathlib import Path

import pytest

from sopcourse.grading.release import graded_sources
from sopcourse.grading.validate import validate

REPO = Path(__file__).resolve().parents[2]
SOURCES = graded_sources(REPO)


@pytest.mark.parametrize("source", SOURCES, ids=[str(p.relative_to(REPO)) for p in SOURCES])
def test_the_course_assignment_validates(source):
    report = validate(source, seeds=(11,), jobs=2)
    assert report["ok"], "\n".join(report["lines"])
