"""Every time the course states comes from one rule (sopcourse/course_time.py).

The opening cell of each lesson, homework and the exam says how long it takes; the README
and the start page add those figures up. These tests recompute every figure from the
notebooks, so a lesson that grows (or a README that keeps an old total) fails here.
"""

import re
from pathlib import Path

import pytest

from sopcourse import course_time as ct

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("0*.ipynb"))
HOMEWORK = sorted((REPO / "assignments").glob("hw*/hw?*.ipynb"))
EXAMS = sorted((REPO / "exams").glob("exam*.ipynb"))
TIMED = LESSONS + HOMEWORK + EXAMS
README = (REPO / "README.md").read_text(encoding="utf-8")
STUDENT = [p for p in TIMED if p.parent.name == "notebooks" or p.stem.endswith("_student")]


def _step(minutes):
    return 5 if minutes < 60 else 15


def _rounded(path):
    return ct.round_minutes(ct.estimate_minutes(path))


def _hours(text):
    return float(text.replace(",", "."))


def _total_minutes():
    return sum(_rounded(p) for p in STUDENT)


@pytest.mark.parametrize("path", TIMED, ids=[str(p.relative_to(REPO)) for p in TIMED])
def test_each_notebook_states_the_time_the_rule_gives_it(path):
    stated = ct.stated_minutes(path)
    assert stated is not None, f"{path.name}: the opening cell should say '**Time:** about ...'"
    estimate = ct.estimate_minutes(path)
    assert abs(stated - estimate) <= _step(stated), (
        f"{path.name} says {ct.format_duration(stated)}, the rule gives {estimate:.0f} "
        f"minutes: write 'about {ct.format_duration(ct.round_minutes(estimate))}'"
    )


def test_the_rule_reproduces_the_measured_course_times_within_ten_percent():
    # measured before the concept checks were added: 13.5 h of lessons, 10 h of graded work
    # the lessons that were measured: the start page and the six modules (07 and 08 came later)
    measured = [p for p in LESSONS if p.stem[:2] <= "06"]
    lessons = sum(
        ct.estimate_minutes(p)
        - ct.MINUTES_PER_CONCEPT_QUESTION * ct.count_notebook(p).concept_questions
        for p in measured
    )
    graded = sum(ct.estimate_minutes(p) for p in STUDENT if p not in LESSONS)
    assert abs(lessons / 60 - 13.5) <= 1.35
    assert abs(graded / 60 - 10) <= 1.0


def test_the_readme_course_map_gives_each_notebook_its_stated_time():
    for path in STUDENT:
        link = str(path.relative_to(REPO))
        row = next((r for r in README.splitlines() if r.startswith("|") and link in r), None)
        assert row, f"the README's course map has no row for {link}"
        cells = [c.strip() for c in row.strip("|").split("|")]
        if "assignments" in path.parts:
            continue  # homework shares rows with lessons; its time is in the text above
        time = cells[2]
        assert ct.parse_duration(time) == ct.stated_minutes(path), (
            f"README says {time} for {link}, the notebook {ct.stated_minutes(path)} minutes"
        )


def test_the_readme_and_the_start_page_total_is_the_sum_of_the_stated_times():
    total = _total_minutes() / 60
    match = re.search(r"About (\d+(?:\.5)?) hours: six modules \(about (\d+(?:\.5)?) hours", README)
    assert match, "the README's course map should open with 'About N hours: six modules (...'"
    assert abs(_hours(match.group(1)) - total) <= 0.25, f"README total vs the rule: {total:.2f} h"
    lessons = sum(_rounded(p) for p in LESSONS) / 60
    assert abs(_hours(match.group(2)) - lessons) <= 0.25, f"lessons: {lessons:.2f} h"
    homework = {_rounded(p) for p in STUDENT if "assignments" in p.parts}
    assert len(homework) == 1, f"the homework times differ {homework}: state each in the README"
    each = ct.format_duration(homework.pop())
    assert f"about {each} each" in " ".join(README.split()), f"README: 'about {each} each'"
    (exam,) = [_rounded(p) for p in STUDENT if "exams" in p.parts]
    assert f"final exam (about {ct.format_duration(exam)})" in " ".join(README.split())

    import nbformat

    start = nbformat.read(REPO / "notebooks" / "00_start_here.ipynb", as_version=4)
    text = " ".join(c.source for c in start.cells if c.cell_type == "markdown")
    stated = re.search(r"about (\d+(?:\.5)?) hours in all", text)
    assert stated and abs(_hours(stated.group(1)) - total) <= 0.25, "00_start_here's total"


def test_rounding_is_to_five_minutes_below_an_hour_and_fifteen_above():
    assert [ct.round_minutes(m) for m in (22.4, 22.6, 52, 58, 97.4, 97.6)] == [
        20,
        25,
        50,
        60,
        90,
        105,
    ]
    assert ct.parse_duration(ct.format_duration(195)) == 195
