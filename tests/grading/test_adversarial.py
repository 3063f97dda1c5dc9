"""Adversarial submissions of the demo assignment, graded in one run (seed 7, -j 2).

Each submission gets the attacked question wrong (or tries to fake it); the grader must
give that question no points, keep the other questions' points, record why, and never
crash or hang.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import threading
import time

import pytest

from sopcourse.grading.grade import grade_folder
from sopcourse.grading.sandbox import Limits

from .helpers import (
    DEMO,
    blank,
    correct,
    index_of,
    insert_after,
    measured_limits,
    solution_timing,
    with_answer,
    write,
)

SEED = 7
REPO = DEMO.resolve().parents[3]
FULL = {"q1": 2, "q2": 3, "q3": 2, "q4": 2}
Q1, Q2, Q3, Q4 = "q1-answer", "q2-answer", "q3-answer", "q4-answer"
FORK_BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"


def _standard_total():
    from sopcourse.grading import demo_sales

    return int(demo_sales(seed=0)["units"].sum())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("adv")
    subs, out = root / "subs", root / "out"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    hits = []

    def accept():
        for _ in range(200):
            try:
                conn, _ = server.accept()
                hits.append(1)
                conn.close()
            except OSError:
                pass

    listener = threading.Thread(target=accept, daemon=True)
    listener.start()
    cases = {
        "correct": correct(),
        "blank": blank(),
        "nbval_skip": _tagged_checks(with_answer(Q1, "# NBVAL_SKIP\ntotal_units = 5")),
        "custom_exc": with_answer(
            Q1,
            "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)\ntotal_units = 5",
        ),
        "showtraceback": with_answer(
            Q1, "get_ipython().showtraceback = lambda *a, **k: None\ntotal_units = 1 / 0"
        ),
        "do_execute": with_answer(
            Q1,
            "import ipykernel.ipkernel as k\n"
            "k.IPythonKernel.do_execute = lambda *a, **kw: {'status': 'ok'}\ntotal_units = 5",
        ),
        "input_transformer": with_answer(
            Q1,
            "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
            "total_units = 5",
        ),
        "pre_run_cell": with_answer(
            Q1,
            "get_ipython().events.register('pre_run_cell', "
            "lambda info: open('leak.txt', 'a').write(info.raw_cell))\ntotal_units = 5",
        ),
        "always_equal": with_answer(
            Q1,
            "class Anything(int):\n    def __eq__(self, other):\n        return True\n"
            "    __hash__ = int.__hash__\n\ntotal_units = Anything(5)",
        ),
        "always_equal_object": with_answer(
            Q2,
            "class Anything:\n    def __eq__(self, other):\n        return True\n\n"
            "units_by_family = Anything()",
        ),
        "patched_testing": with_answer(
            Q2,
            "import numpy.testing, pandas.testing\n"
            "numpy.testing.assert_allclose = lambda *a, **k: None\n"
            "pandas.testing.assert_frame_equal = lambda *a, **k: None\n"
            'units_by_family = sales.groupby("family")[["units"]].sum() * 2',
        ),
        "hard_coded": with_answer(Q1, f"total_units = {_standard_total()}"),
        "exit_before_answer": with_answer(
            Q2, 'import os\nos._exit(0)\nunits_by_family = sales.groupby("family")[["units"]].sum()'
        ),
        "exit_after_answer": insert_after(Q1, "import os\nos._exit(0)"),
        "infinite_loop": with_answer(Q3, "while True:\n    pass"),
        "stubborn_loop": with_answer(
            Q3,
            "while True:\n    try:\n        while True:\n            pass\n"
            "    except BaseException:\n        pass",
        ),
        "memory_bomb": with_answer(
            Q3, "hog = []\nwhile True:\n    hog.append(bytearray(50_000_000))"
        ),
        "fork_bomb": with_answer(Q3, FORK_BOMB),
        "fork_bomb_swallowing_everything": with_answer(
            Q3,
            "import os\nwhile True:\n    try:\n        os.fork()\n    except BaseException:\n"
            "        pass",
        ),
        "escaped_background_process": with_answer(
            Q2,
            "import os\n"
            "try:\n"
            "    os.kill(int(open('escapee.pid').read()), 0)\n"
            "    units_by_family = 'the process of the previous cell is still running'\n"
            "except ProcessLookupError:\n"
            '    units_by_family = sales.groupby("family")[["units"]].sum()',
            insert_after(
                Q1,
                "import os, time\n"
                "if os.fork() == 0:\n"
                "    os.setsid()\n"
                "    if os.fork() == 0:\n"
                "        open('escapee.pid', 'w').write(str(os.getpid()))\n"
                "        while True:\n"
                "            time.sleep(0.01)\n"
                "    os._exit(0)\n"
                "time.sleep(0.5)",
            ),
        ),
        "huge_answer": with_answer(Q1, "total_units = list(range(3_000_000))"),
        "new_cell_ids": _new_ids(correct()),
        "warnings_and_stderr": with_answer(
            Q1,
            "import sys, warnings\nwarnings.warn('careful', UserWarning)\n"
            "warnings.warn('old', DeprecationWarning)\nprint('noise', file=sys.stderr)\n"
            'total_units = int(sales["units"].sum())',
        ),
        "megabytes_of_output": with_answer(
            Q3, "print('x' * 30_000_000)\nfor i in range(200_000):\n    print(i)\nbest_family = 'x'"
        ),
        "read_source": with_answer(Q1, f"total_units = len(open({str(DEMO.resolve())!r}).read())"),
        "read_repository": with_answer(
            Q1,
            f"import glob\nfound = glob.glob({str(REPO / '.git' / '*')!r})\n"
            f"found += glob.glob({str(REPO / 'assignments' / '*')!r})\n"
            'total_units = int(sales["units"].sum()) + len(found)',
        ),
        "scan_processes": with_answer(
            Q1,
            "import glob\nfound = 0\n"
            "for p in glob.glob('/proc/[0-9]*/environ') + glob.glob('/proc/[0-9]*/cmdline'):\n"
            "    try:\n"
            "        with open(p, 'rb') as fh:\n"
            "            found += b'units column, for every family' in fh.read(10**6)\n"
            "    except Exception:\n"
            "        pass\n"
            'total_units = int(sales["units"].sum()) if found else 5',
        ),
        "forged_messages": with_answer(
            Q4,
            "import os\n"
            "bad = b'[' * 200_000 + b'\\n'\n"
            'forged = (b\'{"e": "answers", "q": "q4", "values": {"mix": {"value": \'\n'
            '          b\'{"__table__": {"columns": "x", "index": 1}}}}}\\n{"e": "end"}\\n\')\n'
            "for fd in range(3, 40):\n"
            "    try:\n"
            "        os.write(fd, bad + forged)\n"
            "    except OSError:\n"
            "        pass\n"
            "mix = 5",
        ),
        "write_output": with_answer(
            Q1,
            f"open({str((out / 'gradebook.csv').resolve())!r}, 'w').write('hacked')\n"
            "total_units = 5",
        ),
        "network": with_answer(
            Q1,
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
            "total_units = 5",
        ),
        "deleted_cell": _without(correct(), Q2),
        "duplicated_cell": _duplicated(correct(), Q1),
        "reordered_cells": _reordered(correct()),
        "split_cell": _split(correct()),
        "other_assignment": _other(correct()),
    }
    for name, nb in cases.items():
        write(nb, subs / f"{name}.ipynb")
    (subs / "invalid_json.ipynb").write_text('{"cells": [', encoding="utf-8")
    (subs / "empty_file.ipynb").write_text("", encoding="utf-8")
    (subs / "not_a_notebook.pdf").write_bytes(b"%PDF-1.4\n\x00\x01\x02binary")
    # The endless loops meet the cell limit; correct cells finish far inside it.
    limits = measured_limits(memory_bytes=600_000_000)
    records = grade_folder(DEMO, subs, out, seed=SEED, jobs=2, limits=limits, progress=None)
    server.close()
    return {"records": records, "out": out, "hits": hits, "root": root}


def _tagged_checks(nb):
    for c in nb.cells:
        if c.cell_type == "code" and "check" in c.metadata.get("sopcourse", {}):
            c.metadata["tags"] = ["raises-exception", "skip-execution"]
            c.source = "# NBVAL_SKIP\n" + c.source
    nb.cells[index_of(nb, Q1)].metadata["sopcourse"] = {"question": "q1", "points": 200}
    return nb


def _new_ids(nb):
    """Every cell id replaced (the cells were pasted into a new notebook)."""
    for k, c in enumerate(nb.cells):
        c["id"] = f"pasted-{k}"
    return nb


def _without(nb, cell_id):
    del nb.cells[index_of(nb, cell_id)]
    return nb


def _duplicated(nb, cell_id):
    i = index_of(nb, cell_id)
    dup = copy.deepcopy(nb.cells[i])
    dup["id"] = "copy-of-q1"
    nb.cells.insert(i + 1, dup)
    return nb


def _reordered(nb):
    i2, i3 = index_of(nb, Q2), index_of(nb, Q3)
    nb.cells[i2], nb.cells[i3] = nb.cells[i3], nb.cells[i2]
    return nb


def _split(nb):
    i = index_of(nb, Q3)
    nb.cells[i].source = 'revenue = sales.assign(revenue=sales["units"] * sales["price"])'
    part = copy.deepcopy(nb.cells[i])
    part["id"] = "my-second-half"
    part.source = 'best_family = revenue.groupby("family")["revenue"].sum().idxmax()'
    nb.cells.insert(i + 1, part)
    return nb


def _other(nb):
    nb.metadata["sopcourse"] = {"assignment": "hw9"}
    return nb


def _points(rec):
    return {q: v["points"] for q, v in rec["questions"].items() if q in FULL}


def _expect(rec, zero):
    pts = _points(rec)
    want = {q: (0 if q in zero else p) for q, p in FULL.items()}
    assert pts == want, json.dumps(rec["questions"], indent=1)
    for q in zero:
        assert rec["questions"][q]["reason"], f"{q} lost its points without a reason"


@pytest.mark.parametrize(
    "name, zero",
    [
        ("nbval_skip", {"q1"}),
        ("custom_exc", {"q1"}),
        ("showtraceback", {"q1"}),
        ("do_execute", {"q1"}),
        ("input_transformer", {"q1"}),
        ("pre_run_cell", {"q1"}),
        ("always_equal", {"q1"}),
        ("always_equal_object", {"q2"}),
        ("patched_testing", {"q2"}),
        ("hard_coded", {"q1"}),
        ("exit_before_answer", {"q2"}),
        ("exit_after_answer", set()),
        ("infinite_loop", {"q3"}),
        ("stubborn_loop", {"q3"}),
        ("memory_bomb", {"q3"}),
        ("fork_bomb", {"q3"}),
        ("fork_bomb_swallowing_everything", {"q3"}),
        ("escaped_background_process", set()),
        ("megabytes_of_output", {"q3"}),
        ("huge_answer", {"q1"}),
        ("new_cell_ids", set()),
        ("warnings_and_stderr", set()),
        ("read_source", {"q1"}),
        ("scan_processes", {"q1"}),
        ("forged_messages", {"q4"}),
        ("write_output", {"q1"}),
        ("network", {"q1"}),
        ("deleted_cell", {"q2"}),
        ("duplicated_cell", set()),
        ("reordered_cells", set()),
        ("split_cell", set()),
    ],
)
def test_an_attack_costs_only_the_attacked_question(graded, name, zero):
    _expect(graded["records"][name], zero)


def test_the_correct_submission_gets_full_marks_on_the_variant(graded):
    _expect(graded["records"]["correct"], set())
    assert graded["records"]["correct"]["questions"]["q5"]["status"] == "rubric pending"


def test_the_blank_student_edition_scores_zero_without_an_error(graded):
    rec = graded["records"]["blank"]
    assert rec["total"] == 0 and rec["status"] == "graded"
    assert {q["status"] for k, q in rec["questions"].items() if k in FULL} == {"not answered"}


@pytest.mark.parametrize(
    "name, why",
    [
        ("other_assignment", "assignment 'hw9'"),
        ("invalid_json", "not a valid notebook"),
        ("empty_file", "empty"),
        ("not_a_notebook", "not a valid notebook"),
    ],
)
def test_a_file_that_is_not_a_submission_scores_zero_with_the_reason(graded, name, why):
    rec = graded["records"][name]
    assert rec["total"] == 0 and why in rec["status"]


def test_the_sandbox_had_no_network_and_could_not_write_the_gradebook(graded):
    isolation = graded["records"]["network"]["isolation"]
    if isolation.get("network") == "isolated":
        assert graded["hits"] == []
    book = (graded["out"] / "gradebook.csv").read_text()
    assert "hacked" not in book and book.startswith("student,q1,q2,q3,q4,q5,total")
    if graded["records"]["read_source"]["isolation"].get("files") == "hidden":
        reason = graded["records"]["read_source"]["questions"]["q1"]["reason"]
        assert "FileNotFoundError" in reason or "PermissionError" in reason


def test_the_gradebook_has_one_row_per_submission(graded):
    rows = (graded["out"] / "gradebook.csv").read_text().strip().splitlines()
    assert len(rows) - 1 == len(graded["records"]) == 38


def _numbers(value):
    """Every number in an expected answer (tables, dicts, lists, scalars)."""
    import pandas as pd

    if isinstance(value, pd.DataFrame | pd.Series):
        yield from _numbers(value.to_numpy().ravel().tolist())
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


def _spellings(x):
    """How a number could be shown: 1234, 1234.0, 1,234, 1234.57, 1.23457e+03 ..."""
    out = {repr(x), str(x), f"{x:g}", f"{x:,}", f"{x:.2f}", f"{x:,.2f}", f"{x:.1f}"}
    if float(x).is_integer():
        out |= {str(int(x)), f"{int(x):,}"}
    return {s for s in out if len(s.replace(",", "").replace(".", "").lstrip("-0")) >= 3}


def test_feedback_never_shows_hidden_test_code_or_expected_answers(graded, sandbox):
    from sopcourse.grading.grade import expected_answers
    from sopcourse.grading.source import parse_assignment

    a = parse_assignment(DEMO)
    hidden_code = [code for q in a.questions.values() for code, _ in q.hidden]
    expected = expected_answers(a, sandbox, SEED)  # exactly as the grader computes them
    numbers = [x for answers in expected.values() for v in answers.values() for x in _numbers(v)]
    assert len(numbers) >= 9  # q1 total, q2 three families, q4 objective, plan, model data
    secrets = set().union(*(_spellings(x) for x in numbers))
    pages = list((graded["out"] / "feedback").glob("*.html"))
    assert len(pages) == 38
    for page in pages:
        text = page.read_text()
        for code in hidden_code:
            for line in code.splitlines():
                assert line.strip() not in text
        shown = sorted(s for s in secrets if s in text)
        assert not shown, f"{page.name} shows an expected answer: {shown}"
    hidden_message = a.questions["q1"].hidden[0][1]
    assert hidden_message in (graded["out"] / "feedback" / "hard_coded.html").read_text()


def test_nothing_a_submission_started_is_left_running(graded):
    users = {
        int(rec["isolation"]["user"].split()[1])
        for rec in graded["records"].values()
        if rec.get("isolation", {}).get("user", "").startswith("uid ")
    }
    if not users:
        pytest.skip("the sandbox could not run submissions as users of their own here")
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid in users:
                    left.append(entry)
            except OSError:
                pass
    assert not left, f"processes of graded submissions still exist: {left}"


def test_the_fork_bomb_is_stopped_within_its_cell(graded):
    q = graded["records"]["fork_bomb"]["questions"]
    assert "CellTimeout" in q["q3"]["reason"] or "time limit" in q["q3"]["reason"]
    assert q["q4"]["status"] == "correct"  # needs threads: the bomb's processes are gone


def _escaping_tree():
    """In a forked child: start processes that leave their session, then kill them all."""
    from sopcourse.grading.zygote import (
        _PR_SET_CHILD_SUBREAPER,
        _descendants,
        _kill_descendants,
        _libc,
    )

    _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    for _ in range(3):
        if os.fork() == 0:
            os.setsid()  # a new session, then orphaned: out of reach of killpg
            if os.fork() == 0:
                while True:
                    time.sleep(0.01)
            os._exit(0)
    if os.fork() == 0:
        while True:
            time.sleep(0.01)
    time.sleep(0.5)
    before = len(_descendants(os.getpid()))
    ok = _kill_descendants(own_user=False)
    return [before, ok, len(_descendants(os.getpid()))]


def _in_a_child(function):
    """Run ``function`` in a forked child; return what it returned (JSON)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.write(w, json.dumps(function()).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        report = fh.read()
    os.waitpid(pid, 0)
    return json.loads(report)


def _guarded_forks():
    from sopcourse.grading.zygote import (
        _PR_SET_CHILD_SUBREAPER,
        _descendants,
        _kill_descendants,
        _libc,
        _process_guard,
    )

    _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _process_guard(limit=10, interval=0.01)
    counts = []
    for n in (5, 30):  # under the limit, then over it
        for _ in range(n):
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
        time.sleep(1)
        counts.append(len(_descendants(os.getpid())))
        _kill_descendants(own_user=False)
    return counts


def test_the_process_guard_stops_a_swarm_when_the_kernel_limit_does_not_apply():
    """As root without a user of its own RLIMIT_NPROC is ignored: the guard thread acts."""
    under, over = _in_a_child(_guarded_forks)
    assert under == 5  # left alone
    assert over == 0  # more than 10: all killed


def test_every_descendant_is_killed_even_without_a_user_of_its_own():
    """The path used when the job cannot run as its own user (no namespaces, not root)."""
    before, ok, after = _in_a_child(_escaping_tree)
    assert before >= 4 and ok and after == 0


def test_the_notebook_time_limit_keeps_earlier_answers_and_is_not_retried(tmp_path):
    """q3 never ends; the notebook limit is a few times what the whole solution takes here
    (measured now, under this machine's load), and the cell limit far beyond it."""
    nb = with_answer(Q3, "import time\nwhile True:\n    time.sleep(0.05)\nbest_family = 'road'")
    write(nb, tmp_path / "subs" / "slow.ipynb")
    notebook = 4 * solution_timing()["notebook"] + 4
    limits = Limits(cell_seconds=100 * notebook, notebook_seconds=notebook)
    rec = grade_folder(DEMO, tmp_path / "subs", tmp_path / "out", limits=limits, progress=None)[
        "slow"
    ]
    _expect(rec, {"q3", "q4"})
    assert "notebook ran past its time limit" in rec["questions"]["q3"]["reason"]
    assert "notebook ran past its time limit" in rec["questions"]["q4"]["reason"]
    assert rec["attempts"] == 1  # not run again without the slow cell


def test_the_repository_history_and_other_assignments_are_hidden(graded):
    """.git and assignments/ hold every solution: the submission sees empty folders."""
    rec = graded["records"]["read_repository"]
    if rec["isolation"].get("files") != "hidden":
        pytest.skip("no private mount namespace here: files cannot be hidden")
    _expect(rec, set())  # the answer adds the number of files found: none


def test_a_fork_bomb_costs_only_its_question_without_a_user_of_its_own(tmp_path):
    """The fallback when jobs cannot get a user of their own (no namespaces), as root:
    the kernel ignores RLIMIT_NPROC, the process guard and the per-cell cleanup act."""
    from sopcourse.grading.sandbox import Sandbox

    write(with_answer(Q3, FORK_BOMB), tmp_path / "subs" / "bomb.ipynb")
    limits = measured_limits(memory_bytes=600_000_000)
    hide = [str(tmp_path), str(DEMO.resolve().parent)]
    with Sandbox(hide=hide, limits=limits, own_user=False) as sandbox:
        records = grade_folder(
            DEMO, tmp_path / "subs", tmp_path / "out", seed=SEED, sandbox=sandbox, progress=None
        )
    rec = records["bomb"]
    assert rec["isolation"]["user"] == "same user"
    _expect(rec, {"q3"})
    assert rec["questions"]["q4"]["status"] == "correct"
