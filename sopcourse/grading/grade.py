"""Grade a folder of submissions: rebuild, run on a data variant, judge, write the gradebook.

Outputs in the output folder (each written atomically, tmp file + ``os.replace``)::

    audit/<student>.json     one record per submission: the truth the rest is built from
    feedback/<student>.html  one page per student (no hidden test code, no expected answer)
    gradebook.csv            a column per question, total, max, status
    lms.csv                  student id and grade, for import into the LMS
    rubric.csv               free-text answers to grade by hand (see ``merge_rubric``)

The gradebook is rebuilt from the audit records after every submission, so an
interrupted run resumes without losing or duplicating a row. This module grades (a
folder, one submission); :mod:`~sopcourse.grading.rebuild` says which cells run,
:mod:`~sopcourse.grading.gradebook` writes the tables and merges shards and rubric
grades, :mod:`~sopcourse.grading.feedback` writes the students' pages.
"""

from __future__ import annotations

import contextlib
import json
import platform
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .feedback import feedback_html
from .gradebook import (
    atomic_write,
    error_record,
    keep_rubric_grades,
    load_records,
    remove_debris,
    sha256_hex,
    write_tables,
)
from .judge import judge_answer, run_hidden, run_public
from .rebuild import build_steps
from .sandbox import GRADER_VERSION, Sandbox, course_folders, from_plain, isolation_notice
from .source import Assignment, parse_assignment, read_json_notebook


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
        "submission_sha256": sha256_hex(raw),
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
        record["code_sha256"] = sha256_hex(json.dumps([s["code"] for s in steps]).encode())
        if not result.finished:
            record["status"] = "graded (with a crash or timeout)"
    record["total"] = round(sum(q["points"] for q in record["questions"].values()), 6)
    record["max"] = assignment.total_points
    record["seconds"] = round(time.time() - t0, 3)
    return record


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


def _todo(found: dict, existing: dict, regrade, source_sha: str, seed) -> list:
    """The (student, path) pairs to grade: new, changed, failed, or asked for again."""
    regrade_set = set(found) if regrade == "all" else set(regrade or ())
    todo = []
    for student, path in found.items():
        rec = existing.get(student)
        try:
            same = rec is not None and rec.get("submission_sha256") == sha256_hex(path.read_bytes())
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
    return todo


def _hidden_folders(source: Path, submissions, out: Path) -> list[str]:
    """What the jobs must not see: the source's folder, the submissions, the output, and
    the course's own folders (:func:`course_folders`)."""
    hide = [str(source.resolve().parent), str(Path(submissions).resolve()), str(out.resolve())]
    return hide + course_folders()


class _Recorder:
    """Writes each finished record (feedback page, audit record, tables, progress bar)."""

    def __init__(self, assignment, out: Path, existing: dict, total: int, progress):
        self.assignment, self.out, self.existing = assignment, out, existing
        self.total, self.progress = total, progress
        self.lock = threading.Lock()
        self.t0 = time.time()
        self.done = 0

    def __call__(self, student, rec) -> dict:
        keep_rubric_grades(rec, self.existing.get(student))
        html = feedback_html(self.assignment, rec)
        atomic_write(self.out / "feedback" / f"{student}.html", html)
        atomic_write(self.out / "audit" / f"{student}.json", json.dumps(rec, indent=1))
        with self.lock:
            self.existing[student] = rec
            self.done += 1
            write_tables(self.assignment, self.out, self.existing)
            _progress(self.done, self.total, self.t0, self.progress)
        return rec

    def say(self, notice) -> None:
        if notice and self.progress is not None:
            self.progress.write(f"{notice}\n")
            self.progress.flush()


def _grade_here(assignment, todo, record, *, seed, source_sha, jobs, hide, limits, mode, sandbox):
    """Grade ``todo`` on this machine: one sandbox (the zygote), ``jobs`` threads."""
    with (
        contextlib.nullcontext(sandbox) if sandbox else Sandbox(hide, limits, mode=mode) as sandbox
    ):
        expected = expected_answers(assignment, sandbox, seed)
        record.say(isolation_notice(sandbox.isolation))

        def work(item):
            student, path = item
            try:
                rec = grade_one(assignment, sandbox, student, path, expected, seed, source_sha)
            except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
                rec = error_record(assignment, student, path, exc, seed)
            return record(student, rec)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(work, todo))


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
    scheduler=None,
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
        Parallel workers on this machine (without ``scheduler``).
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
    scheduler : str or distributed.Client, optional
        A Dask scheduler's address (``tcp://host:8786``) or a connected client: the
        submissions are graded on its workers, each in the same sandbox as here
        (:mod:`~sopcourse.grading.cluster`); the outputs are written here as they come.
        Needs ``pip install 'sopcourse[dask]'`` here and on every worker.

    Returns
    -------
    dict
        Student id -> audit record, for all students in ``out``.
    """
    source, out = Path(source), Path(out)
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if scheduler is not None and sandbox is not None:
        raise ValueError("give a sandbox or a scheduler, not both: the workers start their own")
    assignment = parse_assignment(source)
    source_sha = sha256_hex(source.read_bytes())
    found = find_submissions(submissions)
    if shard is not None:
        k, n = shard
        found = {s: p for i, (s, p) in enumerate(sorted(found.items())) if i % n == k - 1}
    existing = load_records(out)
    todo = _todo(found, existing, regrade, source_sha, seed)
    if stop_after is not None:
        todo = todo[:stop_after]
    hide = _hidden_folders(source, submissions, out)
    (out / "audit").mkdir(parents=True, exist_ok=True)
    remove_debris(out)
    if todo:
        record = _Recorder(assignment, out, existing, len(todo), progress)
        options = {"seed": seed, "source_sha": source_sha, "hide": hide, "limits": limits}
        if scheduler is not None:
            from .cluster import grade_on_cluster

            grade_on_cluster(
                scheduler,
                assignment,
                todo,
                record,
                (grade_one, expected_answers),
                mode=sandbox_mode,
                **options,
            )
        else:
            _grade_here(
                assignment, todo, record, jobs=jobs, mode=sandbox_mode, sandbox=sandbox, **options
            )
    write_tables(assignment, out, existing)
    return existing
