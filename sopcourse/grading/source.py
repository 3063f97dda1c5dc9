"""Read a source notebook: questions, answers, solution regions, public checks, hidden tests.

The authoring format lives in cell metadata under the key ``"sopcourse"`` (edit it in
JupyterLab's property inspector) plus ``### BEGIN SOLUTION`` / ``### END SOLUTION``
markers in the code, which are visible in the notebook itself:

* answer cell (code): ``{"question": "q1", "points": 2, "answers": {"total_units":
  {"type": "number", "rtol": 1e-6}}}``
* free-text answer cell (markdown): ``{"question": "q4", "points": 3, "type": "text",
  "rubric": "..."}``; the solution sits between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->``
* public check cell (code, kept in the student edition): ``{"check": "q1"}``
* hidden test cell (code, removed from the student edition): ``{"hidden": "q1",
  "message": "shown to the student when it fails"}``

Notebook metadata ``{"sopcourse": {"assignment": "hw1"}}`` names the assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ANSWER_TYPES = {"number", "table", "series", "value", "choice", "lp", "text"}
_BEGIN = re.compile(r"^(\s*)###\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^\s*###\s*END SOLUTION\s*$")
_MD_SOLUTION = re.compile(r"<!--\s*BEGIN SOLUTION\s*-->.*?<!--\s*END SOLUTION\s*-->", re.S)
TEXT_PLACEHOLDER = "_Type your answer here, replacing this sentence._"


@dataclass
class Question:
    """One graded question of a source notebook."""

    qid: str
    points: float
    kind: str = "code"  # "code" or "text"
    answers: dict = field(default_factory=dict)  # name -> comparison spec
    rubric: str = ""
    answer_cell: int = -1  # index of the answer cell in the source notebook
    hidden: list = field(default_factory=list)  # (code, message) pairs
    checks: list = field(default_factory=list)  # public check cell sources


@dataclass
class Assignment:
    """A parsed source notebook."""

    name: str
    nb: nbformat.NotebookNode
    questions: dict  # qid -> Question, in notebook order
    roles: list  # per cell: ("answer", qid) | ("check", qid) | ("hidden", qid) | ("plain", None)
    mode: str = "homework"  # "exam": public checks confirm only an answer's form

    @property
    def total_points(self) -> float:
        return float(sum(q.points for q in self.questions.values()))


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("sopcourse", {})
    return meta if isinstance(meta, dict) else {}


def replace_solution(source: str, answer_names=()) -> str:
    """Replace each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region by a placeholder.

    Answer variables assigned inside a region become ``name = ...  # your answer``.

    Examples
    --------
    >>> print(replace_solution("x = 1\\n### BEGIN SOLUTION\\ny = x + 1\\n### END SOLUTION", ["y"]))
    x = 1
    # Your code here.
    y = ...  # your answer
    """
    out, region, indent = [], None, ""
    for line in source.splitlines():
        if region is None:
            m = _BEGIN.match(line)
            if m:
                region, indent = [], m.group(1)
            else:
                out.append(line)
        elif _END.match(line):
            out.append(f"{indent}# Your code here.")
            assigned = [
                n
                for n in answer_names
                if any(re.match(rf"^\s*{re.escape(n)}\s*=", x) for x in region)
            ]
            out.extend(f"{indent}{n} = ...  # your answer" for n in assigned)
            region = None
        else:
            region.append(line)
    if region is not None:
        raise ValueError("a '### BEGIN SOLUTION' has no '### END SOLUTION': close the region")
    return "\n".join(out)


def parse_assignment(nb_or_path) -> Assignment:
    """Parse a source notebook (path or NotebookNode) into an :class:`Assignment`.

    Raises ``ValueError`` saying which cell to fix when the metadata is inconsistent.
    """
    nb = nb_or_path
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb_or_path), as_version=4)
    name = _meta(nb).get("assignment") or nb.metadata.get("sopcourse", {}).get("assignment")
    if not name:
        raise ValueError(
            'the notebook metadata needs {"sopcourse": {"assignment": "<name>"}}: add it '
            "in JupyterLab (Property Inspector > Notebook metadata)"
        )
    questions: dict = {}
    roles: list = []
    for i, cell in enumerate(nb.cells):
        meta = _meta(cell)
        if "question" in meta:
            qid = str(meta["question"])
            if qid in questions:
                raise ValueError(f"cell {i}: question {qid!r} has two answer cells; merge them")
            kind = "text" if meta.get("type") == "text" else "code"
            if kind == "text" and cell.cell_type != "markdown":
                raise ValueError(f"cell {i}: a free-text question needs a markdown cell")
            if kind == "code" and cell.cell_type != "code":
                raise ValueError(f"cell {i}: question {qid!r} needs a code cell (or type 'text')")
            answers = meta.get("answers", {}) if kind == "code" else {}
            for ans, spec in answers.items():
                if not str(ans).isidentifier() or spec.get("type", "value") not in ANSWER_TYPES:
                    raise ValueError(
                        f"cell {i}: answer {ans!r} needs an identifier name and a type among "
                        f"{sorted(ANSWER_TYPES)}"
                    )
            if kind == "code" and not answers:
                raise ValueError(f"cell {i}: question {qid!r} declares no answers")
            try:
                points = float(meta.get("points", 1))
            except (TypeError, ValueError):
                raise ValueError(f"cell {i}: points of {qid!r} must be a number") from None
            questions[qid] = Question(
                qid, points, kind, dict(answers), str(meta.get("rubric", "")), answer_cell=i
            )
            roles.append(("answer", qid))
        elif "check" in meta or "hidden" in meta:
            role = "check" if "check" in meta else "hidden"
            qid = str(meta[role])
            if qid not in questions:
                raise ValueError(f"cell {i}: {role} cell for {qid!r} comes before its answer cell")
            if role == "check":
                questions[qid].checks.append(cell.source)
            else:
                questions[qid].hidden.append((cell.source, str(meta.get("message", ""))))
            roles.append((role, qid))
        else:
            roles.append(("plain", None))
    if not questions:
        raise ValueError("the notebook declares no questions; see assignments/README.md")
    mode = str(nb.metadata.get("sopcourse", {}).get("mode", "homework"))
    if mode not in ("homework", "exam"):
        raise ValueError(
            f'notebook metadata sopcourse.mode must be "homework" or "exam", not {mode!r}'
        )
    return Assignment(str(name), nb, questions, roles, mode)


def student_edition(assignment: Assignment) -> nbformat.NotebookNode:
    """The student edition: solutions replaced, hidden tests and answer specs removed, no outputs.

    Cell ids are kept, so the grader can match a submission's cells to the source.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        k: v for k, v in assignment.nb.metadata.items() if k in ("kernelspec", "language_info")
    }
    nb.metadata["sopcourse"] = {"assignment": assignment.name, "edition": "student"}
    if assignment.mode != "homework":
        nb.metadata["sopcourse"]["mode"] = assignment.mode
    for cell, (role, qid) in zip(assignment.nb.cells, assignment.roles, strict=True):
        if role == "hidden":
            continue
        src = cell.source
        if role == "answer":
            q = assignment.questions[qid]
            if q.kind == "text":
                src = _MD_SOLUTION.sub(TEXT_PLACEHOLDER, src)
            else:
                src = replace_solution(src, list(q.answers))
        elif cell.cell_type == "code" and _BEGIN.search(src or "") is not None:
            src = replace_solution(src)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(src)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(_MD_SOLUTION.sub(TEXT_PLACEHOLDER, src))
        else:
            new = nbformat.v4.new_raw_cell(src)
        if cell.get("id"):
            new["id"] = cell["id"]
        if role in ("answer", "check"):
            new.metadata["sopcourse"] = {"check" if role == "check" else "question": qid}
        nb.cells.append(new)
    return nb


def read_json_notebook(path: Path):
    """Read any notebook leniently; return (NotebookNode, None) or (None, reason)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror}"
    if not raw.strip():
        return None, "the file is empty"
    if len(raw) > 50_000_000:
        return None, "the file is larger than 50 MB"
    try:
        nb = nbformat.reads(raw.decode("utf-8", "replace"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is reported, not raised
        return None, f"not a valid notebook ({type(exc).__name__})"
    if not isinstance(nb.get("cells"), list):
        return None, "not a notebook (no cells)"
    return nb, None
