"""How long a notebook takes: the one rule behind every time the course states.

Each lesson, homework and the exam says in its opening cell how long it takes, and the
README and the start page add those figures up. All of them come from the counts of the
notebook itself, by this rule:

* **lessons** (``notebooks/``): reading the prose at ``WORDS_PER_MINUTE`` (150 words a
  minute, a careful pace for technical text), plus ``MINUTES_PER_CODE_CELL`` for every
  code cell the learner reads (cells whose input is collapsed, the CI checks and long
  plotting code, are not counted), plus ``MINUTES_PER_EXERCISE`` for every numeric
  self-check (a *your turn* exercise: think, write the code, check, perhaps open the
  solution), ``MINUTES_PER_CONCEPT_QUESTION`` for every concept check and
  ``MINUTES_PER_EXPLORER`` for every interactive explorer;
* **homework**: reading the prose at the same pace, plus ``HOMEWORK_MINUTES_PER_POINT``
  for every point of graded work (the questions' code cells are inside that budget);
* **the exam**: a timed sitting, ``EXAM_MINUTES_PER_POINT`` for every point, reading
  included (the budget the exam states for itself).

The constants were chosen so that the rule reproduces the times measured on the course
(about 13.5 hours for the lessons, about 10 hours for homework and exam, before the
concept checks were added) within 10 %. A stated figure is the estimate rounded to
5 minutes below an hour and to 15 minutes from an hour on (:func:`round_minutes`), and
written as :func:`format_duration` writes it. ``tests/test_course_time.py`` recomputes
every figure from the notebooks and fails when a notebook, the start page or the README
says something else.

Examples
--------
>>> round_minutes(27.4), round_minutes(93.0), round_minutes(194.0)
(25, 90, 195)
>>> format_duration(90), format_duration(150), format_duration(195)
('90 minutes', '2.5 hours', '3 hours 15 minutes')
>>> counts = NotebookCounts(words=1500, code_cells=20, exercises=4, concept_questions=4,
...                         explorers=1)
>>> round(lesson_minutes(counts), 1)
81.0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "NotebookCounts",
    "count_notebook",
    "estimate_minutes",
    "format_duration",
    "parse_duration",
    "stated_minutes",
    "lesson_minutes",
    "graded_minutes",
    "round_minutes",
]

WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_CELL = 1.5
MINUTES_PER_EXERCISE = 7.0
MINUTES_PER_CONCEPT_QUESTION = 2.0
MINUTES_PER_EXPLORER = 5.0
HOMEWORK_MINUTES_PER_POINT = 0.8
EXAM_MINUTES_PER_POINT = 1.5

#: How a notebook states its time: "**Time:** about 90 minutes", "takes about 2.5 hours".
STATED_TIME = re.compile(
    r"(?:\*\*Time:\*\*\s+about|takes\s+about)\s+"
    r"(\d+(?:\.5)?\s+hours?(?:\s+\d+\s+minutes)?|\d+\s+minutes)"
)
_FENCE = re.compile(r"```.*?```", re.S)
_POINTS = re.compile(r"\*\*Points:\*\*\s*(\d+)|(\d+)\s+points", re.I)


@dataclass(frozen=True)
class NotebookCounts:
    """What the rule counts in one notebook.

    Attributes
    ----------
    words : int
        Whitespace-separated words of the markdown cells, fenced code blocks left out.
    code_cells : int
        Code cells whose input the learner sees (not collapsed).
    exercises : int
        Numeric self-checks (``check_exercise`` calls).
    concept_questions : int
        Concept checks (``concept_question`` and ``matching_question`` calls).
    explorers : int
        Code cells that open an interactive explorer (``sop.widgets.``).
    points : int
        Points of graded work stated in the opening cell (0 for a lesson).
    """

    words: int = 0
    code_cells: int = 0
    exercises: int = 0
    concept_questions: int = 0
    explorers: int = 0
    points: int = 0


def count_notebook(path) -> NotebookCounts:
    """Count words, visible code cells, exercises, concept checks, explorers and points."""
    import nbformat

    nb = nbformat.read(Path(path), as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    visible = [c for c in code if not c.metadata.get("jupyter", {}).get("source_hidden")]
    points = 0
    if markdown:
        match = _POINTS.search(markdown[0])
        points = int(next(g for g in match.groups() if g)) if match else 0
    return NotebookCounts(
        words=sum(len(_FENCE.sub(" ", s).split()) for s in markdown),
        code_cells=len(visible),
        exercises=sum(c.source.count("check_exercise(") for c in code),
        concept_questions=sum(
            c.source.count("concept_question(") + c.source.count("matching_question(") for c in code
        ),
        explorers=sum(1 for c in code if "sop.widgets." in c.source),
        points=points,
    )


def lesson_minutes(counts: NotebookCounts) -> float:
    """Minutes for a lesson: reading, code cells, exercises, concept checks, explorers."""
    return (
        counts.words / WORDS_PER_MINUTE
        + MINUTES_PER_CODE_CELL * counts.code_cells
        + MINUTES_PER_EXERCISE * counts.exercises
        + MINUTES_PER_CONCEPT_QUESTION * counts.concept_questions
        + MINUTES_PER_EXPLORER * counts.explorers
    )


def graded_minutes(counts: NotebookCounts, exam: bool = False) -> float:
    """Minutes for graded work: homework reads and spends per point; the exam is timed."""
    if exam:
        return EXAM_MINUTES_PER_POINT * counts.points
    return counts.words / WORDS_PER_MINUTE + HOMEWORK_MINUTES_PER_POINT * counts.points


def estimate_minutes(path) -> float:
    """The rule's estimate for one notebook (unrounded), by where the notebook lives."""
    path = Path(path)
    counts = count_notebook(path)
    if path.parent.name == "notebooks":
        return lesson_minutes(counts)
    return graded_minutes(counts, exam="exams" in path.parts)


def round_minutes(minutes: float) -> int:
    """Round to 5 minutes below an hour, to 15 minutes from an hour on."""
    step = 5 if minutes < 57.5 else 15
    return int(step * round(minutes / step))


def format_duration(minutes: int) -> str:
    """The words a notebook uses for a rounded time: '45 minutes', '2.5 hours', ..."""
    if minutes < 120:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{hours} hours"
    if rest == 30:
        return f"{hours}.5 hours"
    return f"{hours} hours {rest} minutes"


def parse_duration(text: str) -> int:
    """Minutes in a duration written by :func:`format_duration`.

    Examples
    --------
    >>> parse_duration("3 hours 15 minutes"), parse_duration("2.5 hours"), parse_duration("90 minutes")
    (195, 150, 90)
    """
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    if "hour" in text:
        return round(60 * numbers[0] + (numbers[1] if len(numbers) > 1 else 0))
    return round(numbers[0])


def stated_minutes(path) -> int | None:
    """The time a notebook's opening cell states, in minutes (None if it states none)."""
    import nbformat

    nb = nbformat.read(Path(path), as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
    match = STATED_TIME.search(first)
    return parse_duration(match.group(1)) if match else None
