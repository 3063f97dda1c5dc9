"""Rebuild the graded notebook from a submission: which cells run, in which order.

The source notebook (with solutions and hidden tests) is the skeleton; the submission
contributes its answer cells, the code the student added, and its free-text answers.
:func:`build_steps` matches code answers (cell id, then content, then position) and
:func:`_text_answers` free-text answers (cell id, then position between the question's
own neighbours), and both report what they could not decide instead of guessing.
"""

from __future__ import annotations

import re

from .source import TEXT_PLACEHOLDER, Assignment, replace_solution, student_edition


def _norm(src: str) -> str:
    return "\n".join(line.rstrip() for line in (src or "").strip().splitlines())


def _assigns(src: str, names) -> bool:
    return any(
        re.search(rf"^\s*{re.escape(n)}\s*(:[^=]*)?=(?!=)", src or "", flags=re.M) for n in names
    )


def build_steps(assignment: Assignment, submission=None):
    """The cells to run, in source order, and a report of how the submission was matched.

    ``submission=None`` builds the solution run. Answer cells come from the submission
    (matched by cell id, then content, then position); every other cell comes from the
    source; cells the student added run after the cell they follow. Tags and metadata
    of the submission are ignored. Free-text answers are matched by
    :func:`_text_answers` (cell id, then position between the question's own
    neighbours), which reports what it could not decide instead of guessing.
    """
    cells, questions = assignment.nb.cells, assignment.questions
    notes: list = []
    answers: dict = {}
    extras: dict = {}
    if submission is not None:
        answers, extras = _match_submission(assignment, submission, notes)
    steps, owner = _steps(assignment, None if submission is None else answers, extras)
    text = {}
    if submission is not None:
        text = {qid: answers.get(qid, "") for qid, q in questions.items() if q.kind == "text"}
    else:
        text = {
            qid: cells[q.answer_cell].source for qid, q in questions.items() if q.kind == "text"
        }
    return steps, {"notes": notes, "owner": owner, "text": text}


def _match_submission(assignment: Assignment, submission, notes: list):
    """Each question's answer in ``submission`` (qid -> source), and the code it added.

    The added code is keyed by the index of the source cell it follows (-1: before the
    first). What cannot be matched is said in ``notes``.
    """
    roles, cells = assignment.roles, assignment.nb.cells
    questions = assignment.questions
    answers: dict = {}
    extras: dict = {}
    ids = {c.get("id"): i for i, c in enumerate(cells) if c.get("id")}
    placeholders, fixed, md_fixed = {}, {}, {}
    for i, (c, (role, qid)) in enumerate(zip(cells, roles, strict=True)):
        if role == "answer" and questions[qid].kind == "code":
            placeholders[_norm(replace_solution(c.source, list(questions[qid].answers)))] = i
        elif role in ("plain", "check") and c.cell_type == "code":
            fixed[_norm(c.source)] = i
        elif role == "plain" and c.cell_type == "markdown":
            md_fixed[_norm(c.source)] = i
    src_code_pos = [
        i for i, c in enumerate(cells) if c.cell_type == "code" and roles[i][0] != "hidden"
    ]
    sub_code = [c for c in submission.cells if c.get("cell_type") == "code"]
    same_shape = len(sub_code) == len(src_code_pos)
    anchor, code_pos = -1, -1
    for c in submission.cells:
        ctype, src = c.get("cell_type"), c.get("source", "")
        if isinstance(src, list):
            src = "".join(src)
        if not isinstance(src, str):
            continue
        if ctype == "code":
            code_pos += 1
        idx = ids.get(_cell_id(c))
        role, qid = roles[idx] if idx is not None else (None, None)
        if role == "answer" and questions[qid].kind == "text":
            anchor = idx  # its text is taken by _text_answers; it is never run
            continue
        if idx is not None and role == "answer" and qid not in answers:
            if cells[idx].cell_type == ctype:
                answers[qid], anchor = src, idx
                continue
        if ctype == "markdown":
            n = _norm(src)
            if n in md_fixed:
                anchor = md_fixed[n]
            continue  # free-text answers are matched below, by _text_answers
        if ctype != "code":
            continue
        if idx is not None and role in ("plain", "check", "hidden"):
            anchor = idx
            continue
        n = _norm(src)
        if n in fixed:
            anchor = fixed[n]
            continue
        if n in placeholders and roles[placeholders[n]][1] in answers:
            notes.append("an unanswered copy of an answer cell was ignored")
            continue
        match = next(
            (
                q.qid
                for q in questions.values()
                if q.kind == "code" and q.qid not in answers and _assigns(src, q.answers)
            ),
            None,
        )
        if match is None and same_shape:
            i = src_code_pos[code_pos]
            if roles[i][0] == "answer" and roles[i][1] not in answers:
                match = roles[i][1]
        if match is not None:
            answers[match], anchor = src, questions[match].answer_cell
            continue
        extras.setdefault(anchor, []).append(src)
    answers.update(_text_answers(assignment, submission.cells, notes))
    as_markdown = {
        ids.get(_cell_id(c)): j + 1
        for j, c in enumerate(submission.cells)
        if c.get("cell_type") == "markdown"
    }
    for q in questions.values():
        if q.qid not in answers:
            if q.kind == "code" and q.answer_cell in as_markdown:
                notes.append(
                    f"{q.qid}: its answer cell is a markdown cell in the submission "
                    f"(cell {as_markdown[q.answer_cell]}), so it was not run"
                )
            notes.append(f"{q.qid}: the answer cell is missing from the submission")
    return answers, extras


def _steps(assignment: Assignment, answers, extras):
    """The steps to run and which question owns each; ``answers=None``: the solution."""
    roles, cells = assignment.roles, assignment.nb.cells
    questions = assignment.questions
    steps: list = [{"code": c, "extract": None} for c in extras.get(-1, [])]
    owner: dict = {}
    for i, (c, (role, qid)) in enumerate(zip(cells, roles, strict=True)):
        if c.cell_type != "code" or role in ("hidden", "check"):
            # Code the student added after a markdown, check or hidden cell still runs,
            # in its place (the cell itself does not run in the student's process).
            for extra in extras.get(i, []):
                steps.append({"code": extra, "extract": None})
            continue
        if role == "answer":
            q = questions[qid]
            code = c.source if answers is None else answers.get(qid, "")
            steps.append({"code": code, "extract": None})
            owner[len(steps) - 1] = qid
            for extra in extras.get(i, []):
                steps.append({"code": extra, "extract": None})
                owner[len(steps) - 1] = qid
            names = list(q.answers)
            names += [
                s["model"] for s in q.answers.values() if s.get("type") == "lp" and s.get("model")
            ]
            steps[-1]["extract"] = {qid: names}
        else:
            steps.append({"code": c.source, "extract": None})
            for extra in extras.get(i, []):
                steps.append({"code": extra, "extract": None})
    return steps, owner


def _cell_id(cell):
    """A submission cell's id, or None when it is missing or not a string."""
    cid = cell.get("id")
    return cid if isinstance(cid, str) else None


def _cell_text(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def _cells_label(positions) -> str:
    nums = [str(j + 1) for j in positions]
    return f"cell {nums[0]}" if len(nums) == 1 else "cells " + ", ".join(nums)


# -- free-text answers ---------------------------------------------------------------------


def _text_answers(assignment: Assignment, sub_cells, notes: list) -> dict:
    """Each free-text question's answer in a submission; what cannot be decided is reported.

    A submission cell is *located* when it is a cell the student was given: by its cell
    id (whatever its type), or, without a known id, by text equal to exactly one cell of
    the student edition (or of the source, for cells that are not answers). A located
    cell is never taken as the answer of another question. For each text question:

    1. **Its own cell**: the submission cell(s) located as its answer cell. If exactly one
       of them is answered (differs from the student edition's text), it is the answer.
    2. **By position**, when its own cell is gone (e.g. a copied cell with a new id): the
       candidates are the markdown cells that lie strictly between its *neighbours* (the
       nearest source cells before and after its answer cell that are located exactly
       once in the submission; the notebook's start and end otherwise), are not located
       (so neither a copy of a given cell nor a cell of another question) and are not
       empty. A candidate that carries another text question's prompt line (the first
       line of that question's cell, e.g. ``**Q16 (5 points, written).** ...``) and not
       this one's is not a candidate. One candidate is the answer. Of several, the one
       that alone still carries this question's prompt line is the answer.
    3. **Its own cell left as given** (the placeholder unanswered) and markdown cells
       added between its neighbours: they are taken (the student answered below the
       question) and a note says so.
    4. **Moved**: nothing found by 1-3, and exactly one markdown cell that is neither
       located nor taken carries its prompt line, elsewhere in the notebook: it is the
       answer, and a note says where it was found.

    Anything else is **ambiguous**: several candidates and no prompt line to tell them
    apart, several cells with the answer cell's id, neighbours in another order in the
    submission, or a cell that lies between the neighbours of two questions. Then no
    cell is chosen over another: the answer is a flagged text that names the cells and
    shows each in full, and ``notes`` says to grade it by hand. Showing every candidate
    is what both sides need: the instructor grades the real answer (or an answer split
    over two cells) from ``rubric.csv`` without opening the notebook, and no text the
    student wrote near the question is silently dropped; the flag at its top keeps it
    from passing for one clean answer. Markdown cells between the neighbours that were
    not taken next to a decided answer are named in ``notes`` (a note the student added
    is never part of the answer). Returns qid -> text for the questions with an answer;
    a question without one gets the usual "missing" note from :func:`build_steps`.
    """
    text_qs = [q for q in assignment.questions.values() if q.kind == "text"]
    if not text_qs:
        return {}
    sub = _Located(assignment, text_qs, sub_cells)
    decided: dict = {}  # qid -> [positions taken, why ambiguous or None, by position, unused]
    for q in text_qs:
        decided[q.qid] = _decide(q, text_qs, sub, len(assignment.nb.cells), notes)
    _settle(decided, text_qs, sub, notes)
    return _answer_texts(decided, text_qs, sub, notes)


class _Located:
    """A submission's cells, each located (or not) as a cell the student was given.

    ``located[j]`` is the source index of submission cell j (or None), ``copied[j]``
    says its text is that of a given cell, ``where[i]`` lists the submission positions
    located as source cell i; ``template`` and ``prompt`` are each text question's
    student-edition text and prompt line (None when another question shares it).
    """

    def __init__(self, assignment: Assignment, text_qs, sub_cells):
        cells, roles = assignment.nb.cells, assignment.roles
        edition = student_edition(assignment).cells
        kept = [i for i, (role, _) in enumerate(roles) if role != "hidden"]
        ids = {c.get("id"): i for i, c in enumerate(cells) if c.get("id")}
        given: dict = {}  # (cell type, normalised text) -> the source cells given with that text
        for i, cell in zip(kept, edition, strict=True):
            forms = {cell.source} if roles[i][0] == "answer" else {cell.source, cells[i].source}
            for s in forms:
                if _norm(s):
                    given.setdefault((cell.cell_type, _norm(s)), set()).add(i)
        self.template = {q.qid: _norm(edition[kept.index(q.answer_cell)].source) for q in text_qs}
        first_lines = {}
        for q in text_qs:
            lines = [x.strip() for x in self.template[q.qid].splitlines() if x.strip()]
            first_lines[q.qid] = next((x for x in lines if TEXT_PLACEHOLDER not in x), None)
        shared = [p for p in first_lines.values() if p and list(first_lines.values()).count(p) > 1]
        self.prompt = {qid: (p if p not in shared else None) for qid, p in first_lines.items()}

        self.texts = [_cell_text(c) for c in sub_cells]
        self.types = [c.get("cell_type") for c in sub_cells]
        self.located: list = [None] * len(sub_cells)
        self.copied = [False] * len(sub_cells)
        self.where: dict = {}  # source index -> submission positions located as that cell
        for j, c in enumerate(sub_cells):
            same = given.get((self.types[j], _norm(self.texts[j])), set())
            self.copied[j] = bool(same)
            i = ids.get(_cell_id(c))
            if i is None and len(same) == 1:
                (i,) = same
            if i is not None:
                self.located[j] = i
                self.where.setdefault(i, []).append(j)

    def __len__(self) -> int:
        return len(self.texts)

    def carries(self, j, qid) -> bool:
        """Submission cell j carries question ``qid``'s prompt line."""
        return self.prompt[qid] is not None and self.prompt[qid] in _norm(self.texts[j])

    def neighbour(self, positions):
        """The submission position of the first of these source cells located exactly once."""
        return next((self.where[i][0] for i in positions if len(self.where.get(i, ())) == 1), None)

    def loose(self, j) -> bool:
        """A markdown cell the student wrote: neither located nor a copy of a given cell."""
        return self.types[j] == "markdown" and self.located[j] is None and not self.copied[j]


def _decide(q, text_qs, sub: _Located, n_cells: int, notes: list) -> list:
    """Rules 1-3 for one question: [positions taken, why ambiguous, by position, unused]."""
    a, qid = q.answer_cell, q.qid
    lo = sub.neighbour(range(a - 1, -1, -1))
    hi = sub.neighbour(range(a + 1, n_cells))
    lo, hi = -1 if lo is None else lo, len(sub) if hi is None else hi
    disorder = lo > hi
    lo, hi = min(lo, hi), max(lo, hi)
    others = [r.qid for r in text_qs if r is not q]
    cands = [
        j
        for j in range(lo + 1, hi)
        if sub.loose(j)
        and _norm(sub.texts[j])
        and (sub.carries(j, qid) or not any(sub.carries(j, r) for r in others))
    ]
    own = sub.where.get(a, [])
    answered = [j for j in own if _norm(sub.texts[j]) != sub.template[qid]]
    why, unused = None, []
    if len(answered) == 1:
        take, positional, unused = answered, False, cands
    elif answered:
        take, positional = answered, False
        why = f"{len(answered)} cells carry its answer cell's id"
    elif own and cands:
        take, positional = cands, True
        notes.append(
            f"{qid}: its answer cell was left as given; the markdown "
            f"{_cells_label(cands)} added between its neighbours "
            f"{'was' if len(cands) == 1 else 'were'} taken as its answer"
        )
        if len(cands) > 1:
            why = f"{len(cands)} markdown cells were added between its neighbours"
    elif own:
        take, positional = own[:1], False  # unanswered: the text as given
    elif len(cands) <= 1:
        take, positional = cands, True
    else:
        signed = [j for j in cands if sub.carries(j, qid)]
        if len(signed) == 1:
            take, positional = signed, True
            unused = [j for j in cands if j not in signed]
        else:
            take, positional = cands, True
            why = f"{len(cands)} markdown cells between its neighbours could be its answer"
    if disorder and positional and take and why is None:
        why = "its neighbours are in another order in the submission"
    return [take, why, positional, unused]


def _settle(decided: dict, text_qs, sub: _Located, notes: list) -> None:
    """A cell taken by position for two questions is ambiguous; then rule 4 (moved)."""
    for qid, entry in decided.items():
        take, why, positional, unused = entry
        if positional and why is None:
            shared_with = [
                r
                for r, other in decided.items()
                if r != qid and other[2] and set(take) & set(other[0])
            ]
            if shared_with:
                entry[1] = f"it lies between the neighbours of {', '.join(shared_with)} too"
    taken = {j for entry in decided.values() for j in entry[0]}
    for q in text_qs:
        entry = decided[q.qid]
        if entry[0]:
            continue
        away = [
            j for j in range(len(sub)) if sub.loose(j) and j not in taken and sub.carries(j, q.qid)
        ]
        if len(away) == 1:
            entry[0] = away
            taken.update(away)
            notes.append(
                f"{q.qid}: its answer was found at cell {away[0] + 1}, away from its place, "
                "by its question line"
            )


def _answer_texts(decided: dict, text_qs, sub: _Located, notes: list) -> dict:
    """qid -> the answer text: one cell's text, or the flagged text of every candidate."""
    texts, types = sub.texts, sub.types
    out = {}
    for q in text_qs:
        qid = q.qid
        take, why, _, unused = decided[qid]
        if not take:
            continue
        for j in take:
            if types[j] != "markdown":
                notes.append(
                    f"{qid}: its answer cell is a {types[j]} cell in the submission "
                    f"(cell {j + 1}); its text was taken as the answer"
                )
        if why is None and len(take) == 1:
            out[qid] = texts[take[0]]
        else:
            why = why or f"{len(take)} cells make up its answer"
            notes.append(
                f"{qid}: {why} ({_cells_label(take)} of the submission); none was chosen "
                "over another: each is shown in its rubric answer, grade it by hand"
            )
            out[qid] = "\n\n".join(
                [f"[grader: {why}; each is shown below, grade it by hand]"]
                + [f"--- cell {j + 1} of the submission ---\n{texts[j]}" for j in take]
            )
        if unused:
            notes.append(
                f"{qid}: the markdown {_cells_label(unused)} between its neighbours "
                f"{'was' if len(unused) == 1 else 'were'} not taken as part of its answer"
            )
    return out
