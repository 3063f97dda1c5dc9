"""Write student editions from source notebooks and keep them in sync.

The student edition of ``assignments/hw1/hw1.ipynb`` is ``assignments/hw1/hw1_student.ipynb``:
solutions replaced by placeholders, hidden tests and answer specs removed, outputs cleared.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from .gradebook import atomic_write
from .source import parse_assignment, student_edition

STUDENT_SUFFIX = "_student"


def student_path(source) -> Path:
    """Where the student edition of ``source`` lives: beside it, with ``_student``.

    Examples
    --------
    >>> student_path("assignments/hw1/hw1.ipynb").as_posix()
    'assignments/hw1/hw1_student.ipynb'
    """
    source = Path(source)
    return source.with_name(f"{source.stem}{STUDENT_SUFFIX}{source.suffix}")


def is_source(path) -> bool:
    """True for a graded source notebook (not a student edition, not a checkpoint)."""
    path = Path(path)
    return (
        path.suffix == ".ipynb"
        and not path.stem.endswith(STUDENT_SUFFIX)
        and ".ipynb_checkpoints" not in path.parts
    )


def render_student(source) -> str:
    """The student edition of ``source`` as notebook JSON text (deterministic)."""
    nb = student_edition(parse_assignment(source))
    return nbformat.writes(nb) + "\n"


def release(source, student=None) -> Path:
    """Write the student edition of ``source`` (default: beside it); return its path."""
    target = Path(student) if student else student_path(source)
    atomic_write(target, render_student(source))
    return target


def check_in_sync(source, student=None) -> tuple[bool, str]:
    """Is the committed student edition what ``release`` would write now?

    Returns ``(ok, message)``; the message says which command brings it up to date.
    """
    target = Path(student) if student else student_path(source)
    if not target.exists():
        return False, f"{target} is missing: run `sopcourse release {source}`"
    if target.read_text(encoding="utf-8") != render_student(source):
        return False, f"{target} is out of date: run `sopcourse release {source}`"
    return True, "in sync"


def graded_sources(root) -> list[Path]:
    """Every graded source notebook under ``root``/assignments and ``root``/exams."""
    root = Path(root)
    found = []
    for folder in ("assignments", "exams"):
        for p in sorted((root / folder).rglob("*.ipynb")):
            if is_source(p):
                nb = nbformat.read(p, as_version=4)
                if isinstance(nb.metadata.get("sopcourse"), dict):
                    found.append(p)
    return found
