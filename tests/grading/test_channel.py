"""The answer channel between a notebook run and the grading side cannot be steered.

The student's code runs in the process that sends the answers back, so it can write to
that pipe and read the pipe the steps come on. Each test is an attack that beat the
channel before it was authenticated (steps one at a time, a fresh nonce per step,
messages judged per step): a forged line must cost at most the step whose code wrote it,
never a later question, and it must not pick which cell the grader blames.
"""

from __future__ import annotations

import json

import pytest

from sopcourse.grading.sandbox import Sandbox

from .helpers import measured_limits

# The pipe ends of this process: /proc/self/fdinfo says which end (flags & 3: 0 read, 1 write).
PIPES = """
import os, sys, select

def _pipes(mode):
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if not os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                continue
            with open(f"/proc/self/fdinfo/{name}") as fh:
                flags = int(fh.read().split("flags:")[1].split()[0], 8)
        except (OSError, IndexError, ValueError):
            continue
        if flags & 3 == mode:
            found.append(int(name))
    return found

def _forge(data):
    for fd in _pipes(1):
        os.write(fd, data)

def _nonce():  # the current step's nonce, read from the extractor's own frame
    f = sys._getframe()
    while f is not None and f.f_code.co_name != "_child":
        f = f.f_back
    return f.f_locals.get("nonce", "") if f is not None else ""
"""


def _steps(attack: str, attack_at: int = 1, n: int = 4) -> list:
    """q1..qn, each cell sets its own variable; ``attack`` runs in cell ``attack_at``."""
    steps = []
    for k in range(n):
        code = f"v{k} = {k + 1}"
        if k == attack_at:
            code = PIPES + attack + "\n" + code
        steps.append({"code": code, "extract": {f"q{k + 1}": [f"v{k}"]}})
    return steps


def _value(result, k):
    return result.answers[f"q{k + 1}"][f"v{k}"]["value"]


def _line(obj) -> bytes:
    return (json.dumps(obj) + "\n").encode()


@pytest.fixture(scope="module")
def limits():
    return measured_limits()


@pytest.fixture(scope="module")
def sb(limits):
    with Sandbox(limits=limits, own_user=False) as sandbox:
        yield sandbox


def test_a_normal_run_is_unchanged(sb):
    result = sb.run(_steps("pass"))
    assert result.finished and not result.reason and result.failed_step is None
    assert [_value(result, k) for k in range(4)] == [1, 2, 3, 4]
    assert sorted(result.cells) == [0, 1, 2, 3]
    assert all(c["error"] is None for c in result.cells.values())
    assert result.forged == 0
    assert result.isolation  # the "ready" message came through
    empty = sb.run([])
    assert empty.finished and not empty.answers and empty.forged == 0


FORGED = {
    # Before: reading stopped at the forged end, q3 and q4 were lost.
    "end": b'{"e": "end"}\n',
    # A forged end with a nonce the code can read (its own step's): not the end's nonce.
    "end_with_the_current_nonce": "_line_end",
    # Before: the forged fatal became the run's reason.
    "fatal": b'{"e": "fatal", "error": "forged"}\n',
    # Before: a line left open swallowed the extractor's next message (this cell's done).
    "partial_line": b'{"e": "answers", "q": "q2", "values": {"v1": ',
    "garbage": b"[" * 200_000 + b'\n\xff\xfe not json\n{"e": 5}\n[1, 2]\n{"e": "done"}\n',
    "forged_done_and_start": (
        b'{"e": "done", "i": 1, "error": null, "seconds": 0.0}\n'
        b'{"e": "start", "i": 2}\n{"e": "done", "i": 2, "error": "forged", "seconds": 0.0}\n'
        b'{"e": "start", "i": 3}\n'
    ),
}


@pytest.mark.parametrize("name", list(FORGED))
def test_forged_lines_cost_no_later_question(sb, name):
    data = FORGED[name]
    if data == "_line_end":
        attack = (
            "_n = _nonce()\n"
            "_forge(('\\n' + json.dumps({'e': 'end', 'n': _n}) + '\\n').encode())\n"
            "_forge(('\\n' + json.dumps({'e': 'done', 'i': 1, 'n': _n, 'error': 'x'}) + '\\n')"
            ".encode())"
        )
        attack = "import json\n" + attack
    else:
        attack = f"_forge({data!r})"
    result = sb.run(_steps(attack))
    assert result.finished, result.reason
    assert not result.reason and result.failed_step is None
    assert [_value(result, k) for k in range(4)] == [1, 2, 3, 4]
    assert sorted(result.cells) == [0, 1, 2, 3]
    assert all(c["error"] is None for c in result.cells.values())  # the real done wins
    assert result.forged >= 1


def test_a_forged_start_does_not_pick_the_cell_the_grader_blames(sb):
    """Before: a forged start of cell 4 then os._exit made the grader blame (and the
    retry drop) cell 4, whose code did nothing wrong."""
    attack = (
        '_forge(b\'{"e": "done", "i": 1}\\n{"e": "start", "i": 3}\\n\')\n'
        "import json\n"
        "_forge(('\\n' + json.dumps({'e': 'start', 'i': 3, 'n': _nonce()}) + '\\n').encode())\n"
        "os._exit(0)"
    )
    result = sb.run(_steps(attack))
    assert not result.finished
    assert result.failed_step == 1
    assert "ended early" in result.reason
    assert _value(result, 0) == 1 and "q3" not in result.answers


def test_forged_answers_for_another_step_are_not_accepted(sb):
    """Answers count only from the step that extracts them, with that step's nonce.

    Cell 3 (q3's) dies before its extraction: before, the answer cell 2 forged for q3
    was taken as q3's; also forged: a question no step has (q9), and q2's own answer,
    which the real extraction after the cell's code overrides."""
    attack = (
        "import json\n"
        "_n = _nonce()\n"
        "for _q, _name in (('q3', 'v2'), ('q9', 'x'), ('q2', 'v1')):\n"
        "    for _extra in ({}, {'i': 1, 'n': _n}, {'i': 2, 'n': _n}):\n"
        "        _msg = {'e': 'answers', 'q': _q, 'values': {_name: {'value': 999}}, **_extra}\n"
        "        _forge(('\\n' + json.dumps(_msg) + '\\n').encode())\n"
        '_forge(b\'{"e": "answers", "q": ["q3"], "i": 1, "values": {}}\\n\')\n'
    )
    steps = _steps(attack)
    steps[2]["code"] = "import os\nos._exit(0)"
    result = sb.run(steps)
    assert "q3" not in result.answers and "q9" not in result.answers
    assert _value(result, 1) == 2  # the real extraction, after the cell's code, wins
    assert result.failed_step == 2 and "ended early" in result.reason
    assert result.forged >= 8


STEAL = """
import json
_forge(('\\n' + json.dumps({'e': 'done', 'i': 1, 'n': _nonce()}) + '\\n').encode())
_ready, _, _ = select.select(_pipes(0), [], [], WAIT)
stolen = b"".join(os.read(fd, 1 << 20) for fd in _ready)
"""


def test_a_cell_that_steals_the_next_step_stalls_into_the_time_limit(sb, limits):
    """The cell forges its own done (its nonce is readable), so the grader hands over
    cell 3, and reads it off the request pipe: the extractor then waits for a step that
    never comes. The grader stops at the time limit and blames the thief."""
    attack = STEAL.replace("WAIT", str(limits.cell_seconds / 3))
    steps = _steps(attack)
    result = sb.run(steps)
    assert not result.finished
    assert "ran past its time limit" in result.reason
    assert result.failed_step == 1
    assert _value(result, 0) == 1 and _value(result, 1) == 2
    assert "q3" not in result.answers and "q4" not in result.answers
    # The same sandbox runs the next notebook as usual, and the retry without the thief.
    again = sb.run(_steps("pass"))
    assert again.finished and [_value(again, k) for k in range(4)] == [1, 2, 3, 4]
    steps[1] = {"code": "", "extract": steps[1]["extract"]}
    retry = sb.run(steps)
    assert retry.finished and _value(retry, 2) == 3 and _value(retry, 3) == 4


def test_a_thread_that_keeps_reading_the_request_pipe_only_stalls_the_run(sb, limits):
    """A background thread started by a cell steals whatever step arrives: the run stops
    at a time limit, after the thief's cell, and nothing crashes or hangs."""
    attack = (
        "import threading\n"
        "def _steal():\n"
        "    while True:\n"
        "        for fd in _pipes(0):\n"
        "            os.read(fd, 1 << 20)\n"
        "threading.Thread(target=_steal, daemon=True).start()\n"
    )
    result = sb.run(_steps(attack, n=6))
    assert _value(result, 0) == 1
    if result.finished:  # the extractor won every race for the pipe (it happens)
        assert [_value(result, k) for k in range(6)] == [1, 2, 3, 4, 5, 6]
    else:
        assert "ran past its time limit" in result.reason
        assert result.failed_step is not None and result.failed_step >= 1
    assert sb.run(_steps("pass")).finished
