"""The planning game under a grading variant, and the game homework graded by the grader.

A grader's job process gets its data variant from ``assign_variant(seed)`` (the seed is not
kept): the game's world must follow it, and come back to the standard data when the
variant is dropped. The homework ``assignments/game/game.ipynb`` is graded from the game
log: its hidden tests replay the student's decisions on the variant's world, rebuilt in the
grader from the solution's ``world_facts``.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import nbformat
import numpy as np
import pytest

import sopcourse as sop
from sopcourse.datasets import load
from sopcourse.game.world_data import WorldData, tallridge
from sopcourse.grading.codec import from_plain, to_plain
from sopcourse.grading.judge import run_hidden
from sopcourse.grading.source import parse_assignment, student_edition

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "assignments" / "game" / "game.ipynb"
GAME = {"seed": 2026, "start": "2026-03", "months": 6, "events": "none"}
SHORTAGE = {"index": 2, "kind": "shortage", "family": "ebike", "fill": 0.5, "months": 2}
HOMEWORK_GAME = {**GAME, "events": [SHORTAGE]}  # the game of the homework


@pytest.fixture
def no_variant(monkeypatch):
    """This process without a grader's variant (as before the test) and without the seed
    variable; whatever the test assigns is dropped afterwards."""
    monkeypatch.delenv(load.SEED_ENV, raising=False)
    saved = dict(load._ASSIGNED)
    load._ASSIGNED.clear()
    yield
    load._ASSIGNED.clear()
    load._ASSIGNED.update(saved)


def _same(a: WorldData, b: WorldData) -> bool:
    def eq(x, y):
        if isinstance(x, dict):
            return x.keys() == y.keys() and all(eq(x[k], y[k]) for k in x)
        if isinstance(x, np.ndarray):
            return np.array_equal(x, y, equal_nan=True)
        return x == y

    return all(eq(getattr(a, f.name), getattr(b, f.name)) for f in fields(WorldData))


def test_the_world_follows_the_variant_the_grader_assigned(no_variant, monkeypatch):
    standard = tallridge()
    load.assign_variant(11)
    assert load.load_company().seed is None  # the grader's variant: no seed to read
    variant = tallridge()
    assert not _same(variant, standard), "the world should be the variant's, not the standard"
    assert tallridge() is variant, "built once per assigned variant"
    # the same world as the variant's own seed gives (load_company(seed=11))
    load._ASSIGNED.clear()
    monkeypatch.setenv(load.SEED_ENV, "11")
    assert _same(tallridge(), variant)
    monkeypatch.delenv(load.SEED_ENV)
    # another variant gets its own world, and the standard one comes back after it
    load.assign_variant(23)
    assert not _same(tallridge(), variant) and not _same(tallridge(), standard)
    load._ASSIGNED.clear()
    assert tallridge() is standard


def test_a_game_played_under_the_variant_is_the_variants_game(no_variant, monkeypatch):
    load.assign_variant(11)
    assigned = sop.game.play(sop.game.chase, **GAME)
    load._ASSIGNED.clear()
    standard = sop.game.play(sop.game.chase, **GAME)
    monkeypatch.setenv(load.SEED_ENV, "11")
    by_seed = sop.game.play(sop.game.chase, **GAME)
    assert assigned.history == by_seed.history
    assert assigned.history != standard.history


# -- the game homework ------------------------------------------------------------------


def _cells(role: str, qid: str) -> list[str]:
    nb = nbformat.read(SOURCE, as_version=4)
    return [c.source for c in nb.cells if c.metadata.get("sopcourse", {}).get(role) == qid]


def _facts() -> dict:
    """What the solution's run on the grader's variant sends for ``world_facts``."""
    world = sop.game.new_game(**HOMEWORK_GAME)
    return from_plain(to_plain({"data": vars(world.data), "state": world.to_json()}))


def _most_ebikes_at_p1() -> tuple[int, float]:
    """The most e-bikes P1 can make in the game's first month with all its overtime."""
    world = sop.game.new_game(**HOMEWORK_GAME)
    overtime = world.view()["max_overtime_hours"]["P1"]
    low, high = 0, 100_000
    while high - low > 1:
        mid = (low + high) // 2
        ok = not world.problems(_month(mid, overtime))
        low, high = (mid, high) if ok else (low, mid)
    return low, overtime


def _month(ebikes: float, overtime: float) -> dict:
    return {
        "production": {"P1": {"ebike": float(ebikes)}, "P2": {}},
        "overtime_hours": {"P1": float(overtime), "P2": 0.0},
        "inventory_targets": {},
    }


def test_the_hidden_tests_judge_on_the_variants_world_not_the_graders(no_variant):
    """A month within the variant's hours but beyond the standard's passes, and the reverse
    fails: the grader's process holds the standard data, the facts bring the variant's."""
    standard_most, _ = _most_ebikes_at_p1()
    load.assign_variant(11)
    (variant_most, overtime), facts = _most_ebikes_at_p1(), _facts()
    load._ASSIGNED.clear()  # the grader's own process: standard data
    assert variant_most != standard_most
    accepted = _cells("hidden", "q1")[0]
    for units, ok in [(variant_most, True), (variant_most + 1, False)]:
        plain = from_plain(to_plain(_month(units, overtime)))
        values = {"first_month": plain, "world_facts": facts}
        passed, _ = run_hidden(accepted, values, {"world_facts": facts}, "game")
        assert passed is ok, (units, standard_most, variant_most)


# -- graded with the real grader --------------------------------------------------------


def _submission(answers: dict) -> nbformat.NotebookNode:
    """The student edition with the solution's answers, some replaced by ``answers``."""
    source = parse_assignment(SOURCE)
    nb = student_edition(source)
    solution = {
        source.nb.cells[q.answer_cell]["id"]: source.nb.cells[q.answer_cell].source
        for q in source.questions.values()
    }
    for cell in nb.cells:
        if cell.get("id") in solution:
            cell.source = answers.get(cell["id"], solution[cell["id"]])
    return nb


def _solution(cell_id: str) -> str:
    nb = nbformat.read(SOURCE, as_version=4)
    code = next(c.source for c in nb.cells if c.get("id") == cell_id)
    return code.replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION\n", "")


def test_the_game_homework_is_graded_from_the_log_on_a_variant(tmp_path):
    from sopcourse.grading.grade import grade_folder
    from sopcourse.grading.sandbox import Limits, Sandbox

    over = _solution("q2-answer") + (
        '\ngame_log[3]["production"]["P1"]["ebike"] = 50_000.0  # far beyond P1\'s hours\n'
    )
    chase = "game_log = play_log(sop.game.chase)\n"
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, answers in {
        "right": {},
        "over_capacity": {"q2-answer": over},
        "just_chase": {"q2-answer": chase},
    }.items():
        nbformat.write(_submission(answers), subs / f"{name}.ipynb")
    hide = [str(tmp_path), str(SOURCE.parent)]
    with Sandbox(hide=hide, limits=Limits(cell_seconds=60, notebook_seconds=300)) as sandbox:
        records = grade_folder(
            SOURCE, subs, tmp_path / "out", seed=8147, jobs=3, progress=None, sandbox=sandbox
        )
    right, over, chased = (records[n] for n in ("right", "over_capacity", "just_chase"))
    assert right["total"] == 70, json.dumps(right["questions"], indent=1)[:3000]
    assert right["questions"]["q3"]["status"] == "rubric pending"
    assert over["questions"]["q1"]["points"] == 30
    assert over["questions"]["q2"]["points"] == 0
    assert "a month of your log is refused" in over["questions"]["q2"]["reason"]
    assert "do not beat the benchmarks" not in over["questions"]["q2"]["reason"]
    assert chased["questions"]["q2"]["points"] == 0
    assert "do not beat the benchmarks" in chased["questions"]["q2"]["reason"]
    page = (tmp_path / "out" / "feedback" / "over_capacity.html").read_text(encoding="utf-8")
    assert "a month of your log is refused" in page


def test_the_game_homework_source_keeps_its_world_facts_in_both_questions():
    source = parse_assignment(SOURCE)
    for qid in ("q1", "q2"):
        assert "world_facts" in source.questions[qid].answers, qid
        assert all("from_facts(grader.expected" in code for code in _cells("hidden", qid)), qid
    assert source.questions["q3"].kind == "text"
