"""Grade a folder of submissions: rebuild, run on a data variant, judge, write the gradebook.

Outputs in the output folder (each written atomically, tmp file + ``os.replace``)::

    audit/<student>.json     one record per submission: the truth the rest is built from
    feedback/<student>.html  one page per student (no hidden test code, no expected answer)
    gradebook.csv            a column per question, total, max, status
    lms.csv                  student id and grade, for import into the LMS
    rubric.csv               free-text answers to grade by hand (see ``merge_rubric``)

The gradebook is rebuilt from the audit records after every submission, so an
interrupted run resumes without losing or duplicating a row.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .judge import judge_answer, run_hidden, run_public
from .sandbox import Sandbox, from_plain, isolation_notice
from .source import (
    TEXT_PLACEHOLDER,
    Assignment,
    parse_assignment,
    read_json_notebook,
    replace_solution,
    student_edition,
)

GRADER_VERSION = "1"


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temp file in the same folder, then replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def student_id(path: Path) -> str:
    """A file-system-safe student id from a submission path (its stem)."""
    name = re.sub(r"[^A-Za-z0-9_.@-]+", "_", Path(path).stem).strip("._") or "unnamed"
    return name[:100]


def find_submissions(folder) -> dict:
    """Map student id -> submission file: every visible file, or the file in each sub-folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"the submissions folder {folder} does not exist")
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        path = None
        if entry.is_dir():
            files = sorted(p for p in entry.iterdir() if p.is_file() and not p.name.startswith("."))
            nbs = [p for p in files if p.suffix == ".ipynb"] or files
            path = nbs[0] if nbs else None
        elif entry.is_file():
            path = entry
        if path is None:
            continue
        student = student_id(entry)
        if student in found:  # e.g. "ann b.ipynb" and "ann_b.ipynb", or ann.ipynb and ann/
            raise ValueError(
                f"{found[student].name} and {path.name} in {folder} would both be student "
                f"{student!r}: rename one so that no row is lost"
            )
        found[student] = path
    return found


# -- rebuilding the graded notebook --------------------------------------------------


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
    roles, cells = assignment.roles, assignment.nb.cells
    questions = assignment.questions
    answers: dict = {}
    extras: dict = {}
    notes: list = []
    if submission is not None:
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
            code = c.source if submission is None else answers.get(qid, "")
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
    text = {}
    if submission is not None:
        text = {qid: answers.get(qid, "") for qid, q in questions.items() if q.kind == "text"}
    else:
        text = {
            qid: cells[q.answer_cell].source for qid, q in questions.items() if q.kind == "text"
        }
    return steps, {"notes": notes, "owner": owner, "text": text}


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
    cells, roles, questions = assignment.nb.cells, assignment.roles, assignment.questions
    text_qs = [q for q in questions.values() if q.kind == "text"]
    if not text_qs:
        return {}
    edition = student_edition(assignment).cells
    kept = [i for i, (role, _) in enumerate(roles) if role != "hidden"]
    ids = {c.get("id"): i for i, c in enumerate(cells) if c.get("id")}
    given: dict = {}  # (cell type, normalised text) -> the source cells given with that text
    for i, cell in zip(kept, edition, strict=True):
        forms = {cell.source} if roles[i][0] == "answer" else {cell.source, cells[i].source}
        for s in forms:
            if _norm(s):
                given.setdefault((cell.cell_type, _norm(s)), set()).add(i)
    template = {q.qid: _norm(edition[kept.index(q.answer_cell)].source) for q in text_qs}
    first_lines = {}
    for q in text_qs:
        lines = [x.strip() for x in template[q.qid].splitlines() if x.strip()]
        first_lines[q.qid] = next((x for x in lines if TEXT_PLACEHOLDER not in x), None)
    shared = [p for p in first_lines.values() if p and list(first_lines.values()).count(p) > 1]
    prompt = {qid: (p if p not in shared else None) for qid, p in first_lines.items()}

    texts = [_cell_text(c) for c in sub_cells]
    types = [c.get("cell_type") for c in sub_cells]
    located: list = [None] * len(sub_cells)
    copied = [False] * len(sub_cells)
    where: dict = {}  # source index -> submission positions located as that cell
    for j, c in enumerate(sub_cells):
        same = given.get((types[j], _norm(texts[j])), set())
        copied[j] = bool(same)
        i = ids.get(_cell_id(c))
        if i is None and len(same) == 1:
            (i,) = same
        if i is not None:
            located[j] = i
            where.setdefault(i, []).append(j)

    def carries(j, qid):
        return prompt[qid] is not None and prompt[qid] in _norm(texts[j])

    def neighbour(positions):
        return next((where[i][0] for i in positions if len(where.get(i, ())) == 1), None)

    decided: dict = {}  # qid -> [positions taken, why ambiguous or None, by position]
    for q in text_qs:
        a, qid = q.answer_cell, q.qid
        lo = neighbour(range(a - 1, -1, -1))
        hi = neighbour(range(a + 1, len(cells)))
        lo, hi = -1 if lo is None else lo, len(sub_cells) if hi is None else hi
        disorder = lo > hi
        lo, hi = min(lo, hi), max(lo, hi)
        others = [r.qid for r in text_qs if r is not q]
        cands = [
            j
            for j in range(lo + 1, hi)
            if types[j] == "markdown"
            and located[j] is None
            and not copied[j]
            and _norm(texts[j])
            and (carries(j, qid) or not any(carries(j, r) for r in others))
        ]
        own = where.get(a, [])
        answered = [j for j in own if _norm(texts[j]) != template[qid]]
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
            signed = [j for j in cands if carries(j, qid)]
            if len(signed) == 1:
                take, positional = signed, True
                unused = [j for j in cands if j not in signed]
            else:
                take, positional = cands, True
                why = f"{len(cands)} markdown cells between its neighbours could be its answer"
        if disorder and positional and take and why is None:
            why = "its neighbours are in another order in the submission"
        decided[qid] = [take, why, positional, unused]
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
            j
            for j in range(len(sub_cells))
            if types[j] == "markdown"
            and located[j] is None
            and not copied[j]
            and j not in taken
            and carries(j, q.qid)
        ]
        if len(away) == 1:
            entry[0] = away
            taken.update(away)
            notes.append(
                f"{q.qid}: its answer was found at cell {away[0] + 1}, away from its place, "
                "by its question line"
            )
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


def run_with_recovery(sandbox: Sandbox, steps, seed, owner, attempts=3):
    """Run; if the process dies or hangs in a cell, run again without that cell.

    All attempts together stay within the notebook time limit; when it is reached the
    answers obtained so far are kept and the run is not repeated.
    """
    steps = [dict(s) for s in steps]
    lost: dict = {}
    result = None
    budget = sandbox.limits.notebook_seconds
    t0 = time.monotonic()
    for n in range(1, attempts + 1):
        attempt = sandbox.run(steps, seed, notebook_seconds=budget - (time.monotonic() - t0))
        attempt.attempts = n
        if result is not None and not attempt.answers and result.answers:
            result.attempts = n
            break  # the retry got nowhere (e.g. no time left): keep what the last run had
        result = attempt
        if result.finished or result.failed_step is None:
            break
        k = result.failed_step
        lost[k] = result.reason
        steps[k] = {"code": "", "extract": steps[k]["extract"]}
        if "notebook ran past" in result.reason or budget - (time.monotonic() - t0) < 2:
            break
    return result, lost


# -- judging -----------------------------------------------------------------------------


def _values(entries: dict):
    values, problems = {}, {}
    for name, entry in (entries or {}).items():
        if not isinstance(entry, dict):
            problems[name] = "could not be read"
        elif "value" in entry:
            try:
                values[name] = from_plain(entry["value"])
            except (ValueError, TypeError) as exc:
                problems[name] = f"could not be read ({exc})"
        elif entry.get("missing"):
            problems[name] = "missing"
        else:
            problems[name] = f"could not be read ({str(entry.get('error'))[:200]})"
    return values, problems


def expected_answers(assignment: Assignment, sandbox: Sandbox, seed):
    """Run the solution on ``seed``'s data and return {qid: {name: value}}."""
    steps, info = build_steps(assignment)
    result = sandbox.run(steps, seed)
    if not result.finished:
        raise RuntimeError(f"the solution did not run to the end on seed {seed}: {result.reason}")
    out = {}
    for qid, q in assignment.questions.items():
        if q.kind == "text":
            continue
        values, problems = _values(result.answers.get(qid, {}))
        if problems:
            raise RuntimeError(
                f"the solution's answers for {qid} on seed {seed}: {problems}; "
                f"cell errors: {[c['error'] for c in result.cells.values() if c['error']]}"
            )
        out[qid] = values
    return out


def judge_submission(assignment: Assignment, result, lost, info, expected) -> dict:
    """Score every question from a run's plain answers; explain each lost point."""
    out = {}
    owner = info["owner"]
    errors = {k: v.get("error") for k, v in result.cells.items() if v.get("error")}
    for qid, q in assignment.questions.items():
        rec = {
            "max": q.points,
            "points": 0.0,
            "status": "",
            "reason": "",
            "public": [],
            "hidden": [],
        }
        out[qid] = rec
        if q.kind == "text":
            answer = info["text"].get(qid, "")
            rec["status"] = "rubric pending"
            rec["reason"] = "graded by hand with the rubric"
            rec["answer_text"] = answer
            continue
        why = [lost[k] for k in lost if owner.get(k) == qid]
        errs = [errors[k] for k in errors if owner.get(k) == qid]
        if f"{qid}: the answer cell is missing from the submission" in info["notes"]:
            rec["status"], rec["reason"] = "not answered", "the answer cell is missing"
            continue
        values, problems = _values(result.answers.get(qid))
        if qid not in result.answers:
            rec["status"] = "error"
            rec["reason"] = "; ".join(why) or result.reason or "the answers could not be read"
            continue
        exp = expected[qid]
        if problems:
            if all(p == "missing" for p in problems.values()) and not errs and not why:
                rec["status"] = "not answered"
            else:
                rec["status"] = "error"
            detail = ", ".join(f"{n} {p}" for n, p in problems.items())
            rec["reason"] = "; ".join([*why, *(f"the cell raised {e}" for e in errs), detail])
            continue
        msgs, ok_all = [], True
        for name, spec in q.answers.items():
            model = exp.get(spec.get("model")) if spec.get("type") == "lp" else None
            ok, msg = judge_answer(spec, values[name], exp[name], model)
            if not ok:
                ok_all = False
                msgs.append(f"{name}: {msg}")
        rec["public"] = [
            list(r)
            for code in q.checks
            for r in run_public(code, values, assignment.name, assignment.mode)
        ]
        for code, message in q.hidden:
            ok, kind = run_hidden(code, values, exp, assignment.name)
            rec["hidden"].append(
                {"passed": ok, "message": "" if ok else (message or "a hidden test failed")}
            )
            if not ok:
                ok_all = False
                msgs.append(message or "a hidden test failed")
        if ok_all:
            rec["points"], rec["status"], rec["reason"] = q.points, "correct", "correct"
        else:
            rec["status"] = "wrong"
            rec["reason"] = "; ".join([*why, *msgs]) or "not the expected answer"
    return out


# -- one submission ----------------------------------------------------------------------


def _versions():
    import numpy
    import pandas

    import sopcourse

    return {
        "python": platform.python_version(),
        "sopcourse": sopcourse.__version__,
        "grader": GRADER_VERSION,
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
    }


def grade_one(assignment, sandbox, student, path, expected, seed, source_sha) -> dict:
    """Grade one submission file and return its audit record."""
    t0 = time.time()
    raw = b""
    try:
        raw = Path(path).read_bytes()
    except OSError:
        pass
    record = {
        "student": student,
        "file": Path(path).name,
        "submission_sha256": _sha(raw),
        "source_sha256": source_sha,
        "assignment": assignment.name,
        "seed": seed,
        "versions": _versions(),
        "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "status": "graded",
        "notes": [],
        "questions": {},
    }
    nb, problem = read_json_notebook(path)
    if nb is not None:
        meta = nb.get("metadata", {}).get("sopcourse", {})
        other = meta.get("assignment") if isinstance(meta, dict) else None
        if other and other != assignment.name:
            problem = f"this is a notebook of assignment {other!r}, not {assignment.name!r}"
    if problem:
        record["status"] = f"not graded: {problem}"
        record["questions"] = {
            qid: {
                "max": q.points,
                "points": 0.0,
                "status": "not graded",
                "reason": problem,
                "public": [],
                "hidden": [],
            }
            for qid, q in assignment.questions.items()
        }
    else:
        steps, info = build_steps(assignment, nb)
        result, lost = run_with_recovery(sandbox, steps, seed, info["owner"])
        record["questions"] = judge_submission(assignment, result, lost, info, expected)
        record["notes"] = info["notes"] + [f"cell {k + 1}: {v}" for k, v in lost.items()]
        record["isolation"] = result.isolation
        record["run_seconds"] = result.seconds
        record["attempts"] = result.attempts
        record["forged_lines"] = result.forged  # lines on the answer channel rejected
        record["steps"] = len(steps)
        record["cell_errors"] = {
            str(k + 1): v["error"] for k, v in result.cells.items() if v["error"]
        }
        record["code_sha256"] = _sha(json.dumps([s["code"] for s in steps]).encode())
        if not result.finished:
            record["status"] = "graded (with a crash or timeout)"
    record["total"] = round(sum(q["points"] for q in record["questions"].values()), 6)
    record["max"] = assignment.total_points
    record["seconds"] = round(time.time() - t0, 3)
    return record


# -- outputs ------------------------------------------------------------------------------


def _csv(rows, header) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def load_records(out: Path) -> dict:
    """All audit records of an output folder, by student."""
    records = {}
    for p in sorted((Path(out) / "audit").glob("*.json")):
        try:
            rec = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        records[rec["student"]] = rec
    return records


def write_tables(assignment: Assignment, out: Path, records=None) -> None:
    """(Re)build gradebook.csv, lms.csv and rubric.csv from the audit records."""
    out = Path(out)
    records = load_records(out) if records is None else records
    qids = list(assignment.questions)
    rows, lms, rubric = [], [], []
    for student in sorted(records):
        rec = records[student]
        qs = rec.get("questions", {})
        rows.append(
            [
                student,
                *(qs.get(q, {}).get("points", 0) for q in qids),
                rec.get("total", 0),
                rec.get("max", assignment.total_points),
                rec.get("status", ""),
            ]
        )
        lms.append([student, rec.get("total", 0), rec.get("max", assignment.total_points)])
        for qid in qids:
            q = qs.get(qid, {})
            if assignment.questions[qid].kind == "text":
                manual = q.get("status") == "rubric graded"
                rubric.append(
                    [
                        student,
                        qid,
                        assignment.questions[qid].points,
                        assignment.questions[qid].rubric,
                        q.get("answer_text", ""),
                        q.get("points", "") if manual else "",
                        q.get("comment", ""),
                        " | ".join(n for n in rec.get("notes", []) if n.startswith(f"{qid}: ")),
                    ]
                )
    atomic_write(out / "gradebook.csv", _csv(rows, ["student", *qids, "total", "max", "status"]))
    atomic_write(out / "lms.csv", _csv(lms, ["Student ID", "Grade", "Max Grade"]))
    atomic_write(
        out / "rubric.csv",
        _csv(
            rubric,
            [
                "student",
                "question",
                "max_points",
                "rubric",
                "answer",
                "points",
                "comment",
                "grader_notes",
            ],
        ),
    )


_PATH = re.compile(r"(?<![\w.:/])/(?:[\w.+@~-]+/)*[\w.+@~-]+")
_OWN_FOLDER = re.compile(r"/.*?/sopgrade-[^/\s]+/work(?=/|\b)")


def scrub(text, seed=None) -> str:
    """Student-visible text without the instructor's seed or paths outside the job folder.

    Error messages come from the student's code and may quote anything it could reach: the
    variant seed is replaced by ``<seed>``, a path outside the submission's own working
    folder by ``<path>``, and the working folder itself by ``.``.

    Examples
    --------
    >>> scrub("ValueError: 918273 at /srv/course/assignments/hw1.ipynb", seed=918273)
    'ValueError: <seed> at <path>'
    >>> scrub("FileNotFoundError: /tmp/sopgrade-ab12/work/mine.csv; 3/4 done in 2026/01")
    'FileNotFoundError: ./mine.csv; 3/4 done in 2026/01'
    """
    text = _OWN_FOLDER.sub(".", str(text))
    text = _PATH.sub("<path>", text)
    if seed is not None:
        text = re.sub(rf"(?<!\d){re.escape(str(seed))}(?!\d)", "<seed>", text)
    return text


def feedback_html(assignment: Assignment, record: dict) -> str:
    """The feedback page: points, reasons, public checks; hidden tests only by message.

    Every text that can come from the student's run is :func:`scrub`-bed first.
    """
    seed = record.get("seed")
    e = html.escape

    def s(text):
        return html.escape(scrub(text, seed))

    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{e(assignment.name)}: feedback for {e(record['student'])}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        ".correct{color:#2e8b57}.wrong,.error{color:#b03a48}td,th{padding:4px 8px}</style>",
        "</head><body>",
        f"<h1>{e(assignment.name)}: {e(record['student'])}</h1>",
        f"<p><b>Total: {record['total']:g} / {record['max']:g}</b> &middot; {s(record['status'])}</p>",
        "<p>Your notebook was run again on a variant of the data (same tables, other "
        "numbers); answers that are computed, not typed in, carry over.</p>",
        "<table><tr><th>Question</th><th>Points</th><th>Result</th></tr>",
    ]
    for qid, q in record["questions"].items():
        cls = q["status"].split()[0] if q["status"] else ""
        parts.append(
            f"<tr><td>{e(qid)}</td><td>{q['points']:g} / {q['max']:g}</td>"
            f"<td class='{e(cls)}'>{s(q['status'])}: {s(q['reason'])}</td></tr>"
        )
        for status, msg in q.get("public", []):
            parts.append(f"<tr><td></td><td></td><td>public check: {e(status)}: {s(msg)}</td></tr>")
        for h in q.get("hidden", []):
            if not h["passed"]:
                parts.append(f"<tr><td></td><td></td><td>hidden test: {s(h['message'])}</td></tr>")
        if q.get("comment"):
            parts.append(f"<tr><td></td><td></td><td>comment: {s(q['comment'])}</td></tr>")
    parts.append("</table>")
    if record.get("notes"):
        parts.append("<h2>Notes</h2><ul>")
        parts += [f"<li>{s(n)}</li>" for n in record["notes"]]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _progress(done, total, t0, stream):
    if stream is None:
        return
    elapsed = time.time() - t0
    eta = elapsed / done * (total - done) if done else 0
    width = 30
    fill = int(width * done / total) if total else width
    stream.write(
        f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} "
        f"elapsed {elapsed:5.0f}s ETA {eta:5.0f}s"
    )
    if done == total:
        stream.write("\n")
    stream.flush()


def _remove_debris(out: Path, age_seconds: float = 60) -> None:
    """Remove temp files an interrupted run left behind (``atomic_write``'s ``.*.tmp``)."""
    now = time.time()
    for folder in (out, out / "audit", out / "feedback"):
        for tmp in folder.glob(".*.tmp") if folder.is_dir() else ():
            try:
                if now - tmp.stat().st_mtime > age_seconds:
                    tmp.unlink()
            except OSError:
                pass


def parse_shard(text):
    """Parse ``"3/8"`` into (3, 8).

    Examples
    --------
    >>> parse_shard("3/8")
    (3, 8)
    """
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text or ""))
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard must look like 3/8 (shard 3 of 8), not {text!r}")
    return int(m.group(1)), int(m.group(2))


def grade_folder(
    source,
    submissions,
    out,
    *,
    seed=None,
    jobs=2,
    regrade=None,
    shard=None,
    limits=None,
    progress=sys.stderr,
    stop_after=None,
    sandbox=None,
    sandbox_mode="best-effort",
) -> dict:
    """Grade every submission in ``submissions`` against ``source``; write outputs to ``out``.

    Parameters
    ----------
    source : path
        The source notebook (with solutions and hidden tests).
    submissions : path
        A folder with one file (or one sub-folder) per student.
    out : path
        Output folder; audit records already there are kept (resume).
    seed : int, optional
        Data variant (``SOPCOURSE_DATA_SEED``) for the submissions and the solution.
    jobs : int
        Parallel workers.
    regrade : None, "all" or a list of student ids
        Grade these again even if they have an audit record.
    shard : (k, n), optional
        Grade only shard k of n (students in sorted order, every n-th).
    stop_after : int, optional
        Stop after this many new gradings (to test resuming).
    sandbox : Sandbox, optional
        A running sandbox to use (its hidden folders must cover ``source``'s folder,
        ``submissions`` and ``out``); by default one is started for this run.
    sandbox_mode : {"best-effort", "strict"}
        For the sandbox started here: ``"strict"`` raises
        :class:`~sopcourse.grading.sandbox.SandboxUnavailable` where the allow-list
        sandbox (bubblewrap) cannot run; ``"best-effort"`` falls back and says so.

    Returns
    -------
    dict
        Student id -> audit record, for all students in ``out``.
    """
    source, out = Path(source), Path(out)
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    assignment = parse_assignment(source)
    source_sha = _sha(source.read_bytes())
    found = find_submissions(submissions)
    if shard is not None:
        k, n = shard
        found = {s: p for i, (s, p) in enumerate(sorted(found.items())) if i % n == k - 1}
    existing = load_records(out)
    regrade_set = set(found) if regrade == "all" else set(regrade or ())
    todo = []
    for student, path in found.items():
        rec = existing.get(student)
        try:
            same = rec is not None and rec.get("submission_sha256") == _sha(path.read_bytes())
        except OSError:
            same = False
        fresh = (
            same
            and rec.get("source_sha256") == source_sha
            and rec.get("seed") == seed
            and not str(rec.get("status", "")).startswith("grader error")
        )
        if student in regrade_set or not fresh:
            todo.append((student, path))
    if stop_after is not None:
        todo = todo[:stop_after]
    hide = [str(source.resolve().parent), str(Path(submissions).resolve()), str(out.resolve())]
    repo = Path(__file__).resolve().parents[2]  # the course repository, when installed from it
    hide += [str(repo / d) for d in (".git", "assignments", "exams") if (repo / d).is_dir()]
    (out / "audit").mkdir(parents=True, exist_ok=True)
    _remove_debris(out)
    lock = threading.Lock()
    t0 = time.time()
    done = 0
    if todo:
        with (
            contextlib.nullcontext(sandbox)
            if sandbox
            else Sandbox(hide, limits, mode=sandbox_mode) as sandbox
        ):
            expected = expected_answers(assignment, sandbox, seed)
            notice = isolation_notice(sandbox.isolation)
            if notice and progress is not None:
                progress.write(f"{notice}\n")
                progress.flush()

            def work(item):
                nonlocal done
                student, path = item
                try:
                    rec = grade_one(assignment, sandbox, student, path, expected, seed, source_sha)
                except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
                    rec = {
                        "student": student,
                        "file": Path(path).name,
                        "status": f"grader error: {type(exc).__name__}: {exc}"[:300],
                        "seed": seed,
                        "questions": {},
                        "total": 0.0,
                        "max": assignment.total_points,
                    }
                _keep_rubric_grades(rec, existing.get(student))
                atomic_write(out / "feedback" / f"{student}.html", feedback_html(assignment, rec))
                atomic_write(out / "audit" / f"{student}.json", json.dumps(rec, indent=1))
                with lock:
                    existing[student] = rec
                    done += 1
                    write_tables(assignment, out, existing)
                    _progress(done, len(todo), t0, progress)
                return rec

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(work, todo))
    write_tables(assignment, out, existing)
    return existing


def _keep_rubric_grades(new: dict, old) -> None:
    """A regrade keeps the hand-graded points of free-text answers that did not change."""
    for qid, q in (new.get("questions") or {}).items():
        before = ((old or {}).get("questions") or {}).get(qid) or {}
        if (
            q.get("status") == "rubric pending"
            and before.get("status") == "rubric graded"
            and before.get("answer_text") == q.get("answer_text")
        ):
            for key in ("points", "status", "reason", "comment"):
                q[key] = before.get(key, q.get(key))
    if new.get("questions"):
        new["total"] = round(sum(q["points"] for q in new["questions"].values()), 6)


def merge_outputs(source, shard_dirs, dest) -> dict:
    """Merge the output folders of several shards into one (audit, feedback, tables).

    Every shard must have graded the same source on the same seed, and each student
    must be in one shard only; otherwise a ``ValueError`` says which folder differs.
    """
    assignment = parse_assignment(source)
    source_sha = _sha(Path(source).read_bytes())
    dest = Path(dest)
    records, where, seeds = {}, {}, {}
    for d in shard_dirs:
        if not (Path(d) / "audit").is_dir():
            raise ValueError(f"{d} is not an output folder of `sopcourse grade` (no audit/)")
        for student, rec in load_records(d).items():
            if rec.get("source_sha256") not in (None, source_sha):
                raise ValueError(
                    f"{d}: {student} was graded against another version of {source}; "
                    "regrade that shard with the current source"
                )
            seeds.setdefault(rec.get("seed"), d)
            if len(seeds) > 1:
                raise ValueError(
                    f"the shards used different seeds ({sorted(map(str, seeds))} in "
                    f"{sorted(map(str, seeds.values()))}): grade every shard with the same --seed"
                )
            if student in records:
                raise ValueError(
                    f"{student} is in two shards ({where[student]} and {d}): give each "
                    "shard its own --shard K/N with the same N"
                )
            records[student], where[student] = rec, d
    for student, rec in records.items():
        atomic_write(dest / "audit" / f"{student}.json", json.dumps(rec, indent=1))
        atomic_write(dest / "feedback" / f"{student}.html", feedback_html(assignment, rec))
    records.update({s: r for s, r in load_records(dest).items() if s not in records})
    write_tables(assignment, dest, records)
    return records


def merge_rubric(source, out, rubric_csv=None) -> int:
    """Merge hand-graded points from ``rubric.csv`` back into the audit records and tables.

    Returns the number of answers merged. A ``points`` cell must be a number between 0
    and the question's points; rows left blank are skipped.
    """
    assignment = parse_assignment(source)
    out = Path(out)
    records = load_records(out)
    path = Path(rubric_csv) if rubric_csv else out / "rubric.csv"
    merged = 0
    with open(path, newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), 2):
            if not (row.get("points") or "").strip():
                continue
            student, qid = row.get("student"), row.get("question")
            if student not in records or qid not in assignment.questions:
                raise ValueError(f"{path}:{line}: unknown student {student!r} or question {qid!r}")
            try:
                pts = float(row["points"])
            except ValueError:
                raise ValueError(f"{path}:{line}: points must be a number") from None
            top = assignment.questions[qid].points
            if not 0 <= pts <= top:
                raise ValueError(f"{path}:{line}: points must be between 0 and {top:g}")
            rec = records[student]
            q = rec.get("questions", {}).get(qid)
            if q is None:
                raise ValueError(
                    f"{path}:{line}: {student} has no graded {qid} ({rec.get('status')}): "
                    "grade the submission again first"
                )
            q.update(
                points=pts,
                status="rubric graded",
                reason="graded with the rubric",
                comment=row.get("comment", ""),
            )
            rec["total"] = round(sum(x["points"] for x in rec["questions"].values()), 6)
            merged += 1
    for student, rec in records.items():
        atomic_write(out / "audit" / f"{student}.json", json.dumps(rec, indent=1))
        atomic_write(out / "feedback" / f"{student}.html", feedback_html(assignment, rec))
    write_tables(assignment, out, records)
    return merged
