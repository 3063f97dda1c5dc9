"""The gradebook: audit records in, gradebook.csv, lms.csv and rubric.csv out.

Every output is written atomically (a temp file in the same folder, then ``os.replace``)
and rebuilt from the audit records (``audit/<student>.json``, the truth the rest is built
from), so an interrupted run resumes without losing or duplicating a row. Shards of one
run are merged with :func:`merge_outputs`; hand-graded points of free-text answers come
back from ``rubric.csv`` with :func:`merge_rubric`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from pathlib import Path

from .._files import write_atomic
from .feedback import feedback_html
from .source import Assignment, parse_assignment


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temp file in the same folder, then replace)."""
    write_atomic(path, text, make_folder=True)


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex: how a submission and a source are recognised."""
    return hashlib.sha256(data).hexdigest()


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


def remove_debris(out: Path, age_seconds: float = 60) -> None:
    """Remove temp files an interrupted run left behind (``atomic_write``'s ``.*.tmp``)."""
    now = time.time()
    for folder in (out, out / "audit", out / "feedback"):
        for tmp in folder.glob(".*.tmp") if folder.is_dir() else ():
            try:
                if now - tmp.stat().st_mtime > age_seconds:
                    tmp.unlink()
            except OSError:
                pass


def keep_rubric_grades(new: dict, old) -> None:
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
    source_sha = sha256_hex(Path(source).read_bytes())
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


def error_record(assignment, student, path, exc, seed) -> dict:
    """The audit record of a submission the grader itself failed on (graded again next run)."""
    return {
        "student": student,
        "file": Path(path).name,
        "status": f"grader error: {type(exc).__name__}: {exc}"[:300],
        "seed": seed,
        "questions": {},
        "total": 0.0,
        "max": assignment.total_points,
    }
