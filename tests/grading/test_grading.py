"""Authoring format, student edition, self-checks, gradebook outputs, resume, shards, rubric."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from sopcourse.cli import main as cli
from sopcourse.grading import SelfCheck, expect
from sopcourse.grading.grade import grade_folder
from sopcourse.grading.gradebook import merge_outputs, merge_rubric
from sopcourse.grading.release import check_in_sync, graded_sources, release, render_student
from sopcourse.grading.similarity import similarity_report
from sopcourse.grading.source import parse_assignment, replace_solution

from .helpers import DEMO, STUDENT, blank, correct, measured_limits, with_answer, write

REPO = Path(__file__).resolve().parents[2]


def _cell_timeout() -> str:
    """A cell limit for the command-line runs: far beyond the demo's slowest cell here."""
    return str(measured_limits(cell_floor=10).cell_seconds)


def _course_sources():
    """One test per graded notebook under assignments/ and exams/ (hw1..hw5, the exam)."""
    found = graded_sources(REPO)
    if not found:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason="no graded notebook under assignments/ or exams/ yet: nothing to sync"
                ),
                id="none-yet",
            )
        ]
    return [pytest.param(p, id=p.relative_to(REPO).as_posix()) for p in found]


@pytest.mark.parametrize("source", _course_sources())
def test_every_committed_student_edition_is_in_sync_with_its_source(source):
    ok, message = check_in_sync(source)
    assert ok, message


def test_the_demo_student_edition_is_in_sync_with_its_source():
    ok, message = check_in_sync(DEMO)
    assert ok, message


def test_graded_sources_finds_sources_but_not_student_editions_or_plain_notebooks(tmp_path):
    for folder in ("assignments/hw1", "exams"):
        (tmp_path / folder).mkdir(parents=True)
    src = write(nbformat.read(DEMO, as_version=4), tmp_path / "assignments/hw1/hw1.ipynb")
    release(src)
    exam = write(nbformat.read(DEMO, as_version=4), tmp_path / "exams/exam.ipynb")
    write(nbformat.v4.new_notebook(), tmp_path / "assignments/hw1/scratch.ipynb")
    assert graded_sources(tmp_path) == [src, exam]
    assert check_in_sync(src)[0]
    ok, message = check_in_sync(exam)
    assert not ok and "missing" in message


def test_an_edited_source_makes_the_student_edition_out_of_date(tmp_path):
    src = tmp_path / "hw.ipynb"
    nb = nbformat.read(DEMO, as_version=4)
    write(nb, src)
    release(src)
    assert check_in_sync(src)[0]
    nb.cells[0].source += "\nA new sentence."
    write(nb, src)
    ok, message = check_in_sync(src)
    assert not ok and "sopcourse release" in message


def test_the_release_command_writes_and_checks_the_student_edition(tmp_path, capsys):
    src = write(nbformat.read(DEMO, as_version=4), tmp_path / "hw.ipynb")
    assert cli(["release", "--check", str(src)]) == 1
    assert "hw_student.ipynb is missing" in capsys.readouterr().out
    assert cli(["release", str(src)]) == 0
    assert (tmp_path / "hw_student.ipynb").read_text() == render_student(src)
    assert cli(["release", "--check", str(src)]) == 0
    nb = nbformat.read(src, as_version=4)
    nb.cells[0].source += " Edited."
    write(nb, src)
    capsys.readouterr()
    assert cli(["release", "--check", str(src)]) == 1
    assert "out of date: run `sopcourse release" in capsys.readouterr().out


def test_the_student_edition_has_no_solution_hidden_test_or_answer_spec():
    text = render_student(DEMO)
    a = parse_assignment(DEMO)
    assert "BEGIN SOLUTION" not in text and "idxmax" not in text
    assert "Units ignore how much" not in text
    for q in a.questions.values():
        for code, message in q.hidden:
            assert code not in text and (not message or message not in text)
    assert '"answers"' not in text and '"rubric"' not in text and '"outputs": []' in text
    assert "total_units = ...  # your answer" in text


def test_replace_solution_requires_a_closed_region():
    with pytest.raises(ValueError, match="END SOLUTION"):
        replace_solution("### BEGIN SOLUTION\nx = 1")


def test_a_source_without_an_assignment_name_is_rejected():
    nb = nbformat.read(DEMO, as_version=4)
    nb.metadata.pop("sopcourse")
    with pytest.raises(ValueError, match="assignment"):
        parse_assignment(nb)


def test_the_blank_student_edition_runs_top_to_bottom_in_a_kernel():
    from nbclient import NotebookClient

    nb = nbformat.read(STUDENT, as_version=4)
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(STUDENT.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps([o.get("data", {}).get("text/plain", "") for o in outputs])
    assert text.count("NOT ANSWERED YET") == 3 and "public checks only" in text


def test_self_check_passes_fails_with_a_hint_and_says_not_answered():
    grader = SelfCheck("demo")

    def check(total):
        expect(total > 10, "More than ten.")

    assert grader.check("q1", check, total=...).status == "not answered"
    fail = grader.check("q1", check, total=3)
    assert fail.status == "fail" and fail.message == "More than ten."
    assert grader.check("q1", check, total=11).passed
    broken = grader.check("q1", check, total="text")
    assert broken.status == "fail" and "TypeError" in broken.message
    assert "public checks only" in broken._repr_html_()


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "subs"
    write(correct(), subs / "ann.ipynb")
    write(with_answer("q1-answer", "total_units = 5"), subs / "bob.ipynb")
    write(blank(), subs / "cy.ipynb")
    text = correct()
    for c in text.cells:
        if c.get("id") == "q5-answer":
            c.source = "Margin per hour of the bottleneck decides the mix."
    write(text, subs / "dee.ipynb")
    return root, subs


def test_an_interrupted_run_resumes_without_losing_or_duplicating_a_row(
    small_class, tmp_path, sandbox
):
    root, subs = small_class
    out = tmp_path / "out"
    first = grade_folder(
        DEMO,
        subs,
        out,
        jobs=2,
        limits=measured_limits(cell_floor=5, notebook_floor=30),
        progress=None,
        stop_after=2,
    )
    assert len(first) == 2
    stamps = {s: r["graded_at"] for s, r in first.items()}
    (out / "audit" / ".gradebook.tmp").write_text("half-written")  # debris of a crash
    bar = io.StringIO()
    records = grade_folder(DEMO, subs, out, jobs=2, progress=bar, sandbox=sandbox)
    assert sorted(records) == ["ann", "bob", "cy", "dee"]
    assert "2/2" in bar.getvalue() and "ETA" in bar.getvalue()
    assert all(records[s]["graded_at"] == t for s, t in stamps.items())  # not regraded
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [r["student"] for r in rows] == ["ann", "bob", "cy", "dee"]
    assert {r["student"]: float(r["total"]) for r in rows} == {
        "ann": 9,
        "bob": 7,
        "cy": 0,
        "dee": 9,
    }
    idle = io.StringIO()
    same = grade_folder(DEMO, subs, out, jobs=2, progress=idle, sandbox=sandbox)
    assert idle.getvalue() == "" and same == records  # idempotent: nothing to do
    everyone = io.StringIO()
    grade_folder(DEMO, subs, out, jobs=2, progress=everyone, regrade="all", sandbox=sandbox)
    assert "4/4" in everyone.getvalue()
    before = json.loads((out / "audit" / "ann.json").read_text())
    again = grade_folder(DEMO, subs, out, progress=None, regrade=["bob"], sandbox=sandbox)
    assert again["ann"] == before  # only bob was graded again
    assert len(list(csv.DictReader((out / "gradebook.csv").open()))) == 4
    lms = list(csv.DictReader((out / "lms.csv").open()))
    assert lms[0] == {"Student ID": "ann", "Grade": "9.0", "Max Grade": "10.0"}
    audit = json.loads((out / "audit" / "bob.json").read_text())
    assert audit["seed"] is None and len(audit["submission_sha256"]) == 64
    assert audit["versions"]["pandas"] and audit["questions"]["q1"]["reason"]


def _alive(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2 :].split()[0] != b"Z"


def _children(pid):
    from sopcourse.grading.zygote import _ppids

    return [p for p, parent in _ppids().items() if parent == pid]


@pytest.mark.slow
def test_a_killed_grading_run_resumes_without_losing_or_duplicating_a_row(tmp_path):
    """A real interruption: SIGKILL the grade command mid-run, then run it again."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    wrong = with_answer("q1-answer", "total_units = 5")
    for i in range(6):
        write(correct() if i % 2 == 0 else wrong, subs / f"s{i}.ipynb")
    cmd = [sys.executable, "-m", "sopcourse.cli", "grade", str(DEMO), str(subs), "-o", str(out)]
    cmd += ["-j", "1", "--cell-timeout", _cell_timeout()]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((out / "audit").glob("*.json"))) >= 2:
            break
        time.sleep(0.02)
    zygotes = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.stem: json.loads(p.read_text()) for p in (out / "audit").glob("*.json")}
    debris = set(out.rglob("*.tmp"))  # a write cut short (recent debris is left alone)
    assert 2 <= len(first) < 6, "the run was not interrupted in the middle"
    book = list(csv.DictReader((out / "gradebook.csv").open()))
    assert len({r["student"] for r in book}) == len(book) <= len(first)
    assert zygotes
    for z in zygotes:  # the sandbox notices the grader is gone, kills its jobs and exits
        end = time.monotonic() + 15
        while time.monotonic() < end and _alive(z):
            time.sleep(0.05)
        assert not _alive(z), "the sandbox outlived the grader"
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [row["student"] for row in rows] == [f"s{i}" for i in range(6)]
    assert [float(row["total"]) for row in rows] == [9, 7, 9, 7, 9, 7]
    audit = {p.stem: json.loads(p.read_text()) for p in (out / "audit").glob("*.json")}
    assert sorted(audit) == [f"s{i}" for i in range(6)]
    for student, rec in first.items():  # kept, not graded again
        assert audit[student]["graded_at"] == rec["graded_at"]
    assert set(out.rglob("*.tmp")) <= debris
    assert len(list((out / "feedback").glob("*.html"))) == 6


def test_shards_grade_disjoint_students_and_merge_into_one_gradebook(
    small_class, tmp_path, sandbox, capsys
):
    root, subs = small_class
    dirs = []
    for k in (1, 2):
        d = tmp_path / f"shard{k}"
        recs = grade_folder(
            DEMO, subs, d, seed=3, shard=(k, 2), jobs=1, progress=None, sandbox=sandbox
        )
        assert len(recs) == 2
        dirs.append(d)
    code = cli(["merge-shards", str(DEMO), *map(str, dirs), "-o", str(tmp_path / "all")])
    assert code == 0 and "4 submissions" in capsys.readouterr().out
    rows = list(csv.DictReader((tmp_path / "all" / "gradebook.csv").open()))
    assert [(row["student"], row["total"]) for row in rows] == [
        ("ann", "9.0"),
        ("bob", "7.0"),
        ("cy", "0.0"),
        ("dee", "9.0"),
    ]
    lms = list(csv.DictReader((tmp_path / "all" / "lms.csv").open()))
    assert [row["Student ID"] for row in lms] == ["ann", "bob", "cy", "dee"]
    assert len(list((tmp_path / "all" / "feedback").glob("*.html"))) == 4
    with pytest.raises(ValueError, match="in two shards"):
        merge_outputs(DEMO, [dirs[0], dirs[0]], tmp_path / "twice")
    other = tmp_path / "other-seed"
    grade_folder(DEMO, subs, other, seed=4, shard=(2, 2), progress=None, sandbox=sandbox)
    with pytest.raises(ValueError, match="same --seed"):
        merge_outputs(DEMO, [dirs[0], other], tmp_path / "mixed")
    with pytest.raises(ValueError, match="not an output folder"):
        merge_outputs(DEMO, [dirs[0], tmp_path / "nowhere"], tmp_path / "bad")


def test_rubric_points_merge_back_into_the_gradebook(small_class, tmp_path, sandbox, capsys):
    root, subs = small_class
    out = tmp_path / "out"
    grade_folder(DEMO, subs, out, jobs=2, progress=None, sandbox=sandbox)
    rows = list(csv.DictReader((out / "rubric.csv").open()))
    assert [r["student"] for r in rows] == ["ann", "bob", "cy", "dee"]
    dee = next(r for r in rows if r["student"] == "dee")
    assert "bottleneck" in dee["answer"] and dee["points"] == ""
    for r in rows:
        r["points"], r["comment"] = ("1", "Good.") if r["student"] == "dee" else ("", "")
    with (out / "rubric.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert cli(["merge-rubric", str(DEMO), str(out)]) == 0
    assert "merged 1 hand-graded" in capsys.readouterr().out
    book = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert book["dee"]["q5"] == "1.0" and book["dee"]["total"] == "10.0"
    assert "Good." in (out / "feedback" / "dee.html").read_text()
    lms = {r["Student ID"]: r["Grade"] for r in csv.DictReader((out / "lms.csv").open())}
    assert lms["dee"] == "10.0"
    assert merge_rubric(DEMO, out) == 1  # merging the same sheet again changes nothing
    book = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert book["dee"]["total"] == "10.0"
    grade_folder(DEMO, subs, out, progress=None, regrade=["dee"], sandbox=sandbox)
    book = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    assert book["dee"]["q5"] == "1.0", "a regrade lost the hand-graded points"
    rows[3]["points"] = "7"
    with (out / "rubric.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(ValueError, match="between 0 and 1"):
        merge_rubric(DEMO, out)


def test_similarity_ranks_a_renamed_copy_first():
    a = "t = sales['units'].sum()\nby = sales.groupby('family')[['units']].sum()\nz = by.max()\n"
    b = "x = data['units'].sum()\nfam = data.groupby('family')[['units']].sum()\nq = fam.max()\n"
    c = "import math\nfor i in range(10):\n    print(math.sqrt(i))\n"
    pairs = similarity_report({"a": a, "b": b, "c": c}, k=5, window=3)
    assert (pairs[0]["a"], pairs[0]["b"]) == ("a", "b") and pairs[0]["similarity"] == 1.0
    assert pairs[0]["lines_a"] == [1, 2, 3]


def test_the_cli_validates_the_demo_and_reports_similarity(small_class, capsys):
    root, subs = small_class
    cmd = [sys.executable, "-m", "sopcourse.cli"]
    v = subprocess.run(
        [*cmd, "validate", str(DEMO), "--seeds", "5", "--cell-timeout", _cell_timeout()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert v.returncode == 0, v.stdout + v.stderr
    assert "variant 5: solution 9/9 ok; blank 0 ok" in v.stdout
    assert "warning" not in v.stdout  # every demo answer follows the data
    assert cli(["similarity", str(DEMO), str(subs), "-k", "4"]) == 0
    assert "ann ~ dee" in capsys.readouterr().out


def test_the_grade_command_writes_a_shard_and_shows_progress(small_class, tmp_path):
    root, subs = small_class
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sopcourse.cli", "grade", str(DEMO), str(subs), "-o", str(out)]
    r = subprocess.run(
        [*cmd, "--shard", "2/2", "-j", "2", "--seed", "5", "--cell-timeout", _cell_timeout()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "2/2" in r.stderr and "ETA" in r.stderr
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [row["student"] for row in rows] == ["bob", "dee"]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == ["bob.html", "dee.html"]


def test_the_grade_command_explains_a_bad_shard_or_a_missing_source(tmp_path, capsys):
    out = str(tmp_path / "o")
    assert cli(["grade", str(DEMO), str(tmp_path), "-o", out, "--shard", "9/8"]) == 2
    assert "--shard must look like 3/8" in capsys.readouterr().err
    assert cli(["grade", str(tmp_path / "missing.ipynb"), str(tmp_path), "-o", out]) == 2
    assert "missing.ipynb" in capsys.readouterr().err


def test_a_text_answer_in_a_copied_cell_is_still_found():
    from sopcourse.grading.grade import build_steps

    nb = correct()
    for c in nb.cells:
        if c.get("id") == "q5-answer":
            c["id"] = "pasted-cell"
            c.source = "My own words on margin per hour."
    steps, info = build_steps(parse_assignment(DEMO), nb)
    assert info["text"]["q5"] == "My own words on margin per hour."
    assert not info["notes"]


def _company_source(path):
    """A tiny source notebook on the Tallridge Cycles data (sop.load_company)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    def cell(make, source, cell_id, **meta):
        c = make(source)
        c["id"] = cell_id
        if meta:
            c.metadata["sopcourse"] = meta
        return c

    nb = new_notebook(
        cells=[
            cell(new_markdown_cell, "# Tallridge units", "title"),
            cell(
                new_code_cell,
                "import sopcourse as sop\nfrom sopcourse.grading import SelfCheck, expect\n\n"
                'grader = SelfCheck("company-demo")\ncompany = sop.load_company()',
                "setup",
            ),
            cell(
                new_code_cell,
                '### BEGIN SOLUTION\nshipped = int(company.sales["shipped_units"].sum())\n'
                "### END SOLUTION\nshipped",
                "q1-answer",
                question="q1",
                points=1,
                answers={"shipped": {"type": "number", "rtol": 0, "atol": 0.5}},
            ),
        ]
    )
    nb.metadata["sopcourse"] = {"assignment": "company-demo"}
    return write(nb, path)


def test_a_hard_coded_answer_from_the_standard_company_data_fails_on_a_variant(tmp_path, sandbox):
    """Guarantee 5 on the real course data: sop.load_company() follows the grader's seed."""
    import sopcourse as sop

    source = _company_source(tmp_path / "src" / "company.ipynb")
    release(source)
    standard = int(sop.load_company(seed=0).sales["shipped_units"].sum())
    variant = int(sop.load_company(seed=3).sales["shipped_units"].sum())
    assert standard != variant
    computing = nbformat.read(tmp_path / "src" / "company_student.ipynb", as_version=4)
    typed = nbformat.read(tmp_path / "src" / "company_student.ipynb", as_version=4)
    for nb, code in (
        (computing, 'shipped = int(company.sales["shipped_units"].sum())'),
        (typed, f"shipped = {standard}"),
    ):
        next(c for c in nb.cells if c.get("id") == "q1-answer").source = code
    write(computing, tmp_path / "subs" / "computes.ipynb")
    write(typed, tmp_path / "subs" / "types_it_in.ipynb")
    on_variant = grade_folder(
        source, tmp_path / "subs", tmp_path / "out3", seed=3, progress=None, sandbox=sandbox
    )
    assert on_variant["computes"]["total"] == 1
    assert on_variant["types_it_in"]["total"] == 0
    assert "not the expected" in on_variant["types_it_in"]["questions"]["q1"]["reason"]
    on_standard = grade_folder(
        source, tmp_path / "subs", tmp_path / "out0", progress=None, sandbox=sandbox
    )
    assert {s: r["total"] for s, r in on_standard.items()} == {"computes": 1, "types_it_in": 1}


def test_the_student_run_never_receives_hidden_tests_checks_or_solutions():
    """Guarantee 4: what is sent to the sandbox for a submission (the only way in)."""
    from sopcourse.grading.grade import build_steps

    a = parse_assignment(DEMO)
    steps, _ = build_steps(a, blank())
    sent = json.dumps(steps)
    for q in a.questions.values():
        for code, message in q.hidden:
            assert code not in sent and message not in sent
        for code in q.checks:
            assert code not in sent  # public checks are re-run in the grader
    for solution in ("idxmax", "BEGIN SOLUTION", 'sales["units"].sum()'):
        assert solution not in sent
    assert '"answers"' not in json.dumps(steps[0])


@pytest.mark.parametrize(
    "spec, answer, expected, model, ok",
    [
        ({"type": "number", "rtol": 1e-6}, 100.00001, 100.0, None, True),
        ({"type": "number", "rtol": 1e-6}, 100.1, 100.0, None, False),
        ({"type": "number"}, True, 1, None, False),  # a bool is not a number
        ({"type": "number"}, "100", 100, None, False),
        ({"type": "number"}, float("nan"), float("nan"), None, True),
        ({"type": "choice", "options": ["road", "city"]}, " Road ", "road", None, True),
        ({"type": "choice", "options": ["road", "city"]}, "cargo", "road", None, False),
        ({"type": "value"}, {"a": [1, 2.0000001]}, {"a": [1, 2]}, None, True),
        ({"type": "value"}, {"a": [1, 2]}, {"a": [1, 2], "b": 1}, None, False),
    ],
)
def test_judge_answer_compares_by_type(spec, answer, expected, model, ok):
    from sopcourse.grading.judge import judge_answer

    assert judge_answer(spec, answer, expected, model)[0] is ok


def test_tables_are_compared_by_values_and_lp_answers_by_objective_and_feasibility():
    """Guarantee 10: not by repr, not by the decision vector (alternative optima pass)."""
    import pandas as pd

    from sopcourse.grading.judge import judge_answer

    e = pd.DataFrame({"units": [10, 20]}, index=pd.Index(["a", "b"], name="family"))
    noisy = pd.DataFrame({"units": [10.0000000001, 20.0]}, index=["a", "b"])  # other repr
    assert judge_answer({"type": "table"}, noisy, e)[0]
    assert not judge_answer({"type": "table"}, noisy[::-1], e)[0]
    assert judge_answer({"type": "table", "sort": True}, noisy[::-1], e)[0]
    assert not judge_answer({"type": "table"}, noisy.rename(columns={"units": "u"}), e)[0]
    # max x + y s.t. x + y <= 4: every plan on the line is optimal
    model = {
        "sense": "max",
        "objective": {"x": 1, "y": 1},
        "constraints": [{"coefs": {"x": 1, "y": 1}, "op": "<=", "rhs": 4}],
    }
    best = {"objective": 4.0, "plan": {"x": 4.0, "y": 0.0}}
    lp = {"type": "lp", "model": "m"}
    assert judge_answer(lp, {"objective": 4, "plan": {"x": 1.5, "y": 2.5}}, best, model)[0]
    ok, msg = judge_answer(lp, {"objective": 5, "plan": {"x": 5, "y": 0}}, best, model)
    assert not ok and "constraint 1" in msg
    ok, msg = judge_answer(lp, {"objective": 3, "plan": {"x": 1, "y": 2}}, best, model)
    assert not ok and "not optimal" in msg
    ok, msg = judge_answer(lp, {"objective": 4, "plan": {"x": 1, "y": 2}}, best, model)
    assert not ok and "does not match" in msg
    assert not judge_answer(lp, {"objective": 4, "plan": {"x": -1, "y": 5}}, best, model)[0]


def test_validate_warns_about_a_solution_that_types_in_a_number(tmp_path, sandbox):
    """A typed-in solution scores full marks against itself, so validate compares the
    solution's answers across variants: an answer that never changes is flagged."""
    from sopcourse.grading import demo_sales
    from sopcourse.grading.validate import validate

    nb = nbformat.read(DEMO, as_version=4)
    total = int(demo_sales(seed=0)["units"].sum())
    for c in nb.cells:
        if c.get("id") == "q1-answer":
            c.source = f"### BEGIN SOLUTION\ntotal_units = {total}\n### END SOLUTION\ntotal_units"
    source = write(nb, tmp_path / "typed.ipynb")
    report = validate(source, seeds=[5, 6], sandbox=sandbox)
    assert report["same_on_every_variant"] == ["q1"]
    assert any(
        line.startswith("warning: q1: the solution's answer is the same")
        for line in report["lines"]
    )


def test_two_submissions_that_would_share_a_row_are_refused(tmp_path):
    from sopcourse.grading.grade import find_submissions

    write(blank(), tmp_path / "ann b.ipynb")
    write(blank(), tmp_path / "ann_b.ipynb")
    with pytest.raises(ValueError, match="both be student 'ann_b'"):
        find_submissions(tmp_path)


def test_a_check_that_never_ends_on_a_students_value_does_not_stall_the_grader(monkeypatch):
    """Public checks and hidden tests run in the grader: a loop there must not hang it."""
    from sopcourse.grading import judge

    monkeypatch.setattr(judge, "CHECK_SECONDS", 0.5)
    hidden = "x = total\nwhile x != 0:\n    x -= 1\n"  # never ends for a negative total
    assert judge.run_hidden(hidden, {"total": -1}, {}, "demo") == (False, "CheckTimeout")
    assert judge.run_hidden(hidden, {"total": 3}, {}, "demo") == (True, "")
    public = (
        "def check_q1(total):\n    x = total\n    while x != 0:\n        x -= 1\n\n\n"
        "grader.check('q1', check_q1, total=total)"
    )
    [(status, message)] = judge.run_public(public, {"total": -1}, "demo")
    assert status == "fail" and "CheckTimeout" in message
    assert judge.run_public(public, {"total": 2}, "demo") == [("pass", "all public checks pass.")]
