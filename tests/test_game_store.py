"""The team game's shared store (SQLite): seats, one decision per month and role,
idempotent retries, deputies' proposals, months that close once, concurrent players.

These tests drive the store with a small engine of their own (each role submits a
number; the world adds them up), so that they test the store's rules, not the world.
"""

from __future__ import annotations

import json
import threading

import pytest

from sopcourse.game.store import ROLES, Engine, GameStore


def _new(seed, start, months):
    return json.dumps({"seed": seed, "month": 0, "total": 0})


def _check(state, role, part):
    bad = [k for k in part if k != "units"]
    if bad:
        raise ValueError(f"{role} cannot decide {bad}")
    if part.get("units", 0) < 0:
        raise ValueError(f"{role}: units must be 0 or more, not {part['units']}")


def _merge(parts):
    return {"units": sum(p.get("units", 0) for p in parts.values())}


def _step(state, decisions):
    s = json.loads(state)
    if decisions["units"] > 1000:
        raise ValueError("beyond capacity: at most 1000 units a month")
    s["total"] += decisions["units"]
    s["month"] += 1
    return json.dumps(s), {"units": decisions["units"], "total": s["total"]}


TOY = Engine(_new, _check, _merge, _step, ROLES)


@pytest.fixture
def store(tmp_path):
    return GameStore(tmp_path / "class.sqlite", engine=TOY)


def _seat_everyone(store, game):
    for role in ROLES:
        assert store.join(game, role, f"lead-{role}")["lead"]


def test_a_month_closes_when_every_role_is_in_and_then_never_changes(store):
    game = store.create_game("Class A", seed=3, months=2)
    _seat_everyone(store, game)
    for i, role in enumerate(ROLES):
        out = store.submit(game, 0, role, f"lead-{role}", {"units": 10 * (i + 1)}, "why not")
        assert out["status"] == "accepted"
        assert out["closed"] == (role == ROLES[-1])
    assert out["result"] == {"units": 100, "total": 100}
    assert store.status(game)["month_index"] == 1 and store.status(game)["waiting_for"] == list(
        ROLES
    )
    with pytest.raises(ValueError, match="month 0 is closed"):
        store.submit(game, 0, ROLES[0], f"lead-{ROLES[0]}", {"units": 999})
    with pytest.raises(ValueError, match="month 2 is not open: the game is at month 1"):
        store.submit(game, 2, ROLES[0], f"lead-{ROLES[0]}", {"units": 1})
    for role in ROLES:
        store.submit(game, 1, role, f"lead-{role}", {"units": 1})
    assert [r["result"]["total"] for r in store.results(game)] == [100, 104]
    assert store.status(game)["over"]
    with pytest.raises(ValueError, match="the game is over"):
        store.submit(game, 2, ROLES[0], f"lead-{ROLES[0]}", {"units": 1})
    assert store.results(game)[0]["decisions"] == {"units": 100}


def test_a_retry_changes_nothing_and_a_revision_is_logged(store):
    game = store.create_game("retry", months=1)
    _seat_everyone(store, game)
    role, who = ROLES[0], f"lead-{ROLES[0]}"
    assert store.submit(game, 0, role, who, {"units": 5})["status"] == "accepted"
    assert store.submit(game, 0, role, who, {"units": 5})["status"] == "unchanged"
    assert store.submit(game, 0, role, who, {"units": 6}, "new data")["status"] == "revised"
    kinds = [e["kind"] for e in store.log(game) if e["role"] == role and e["month_index"] == 0]
    assert kinds == ["decision", "revision"]
    [d] = store.decisions(game)
    assert d["part"] == {"units": 6} and d["revision"] == 1 and d["reason"] == "new data"


def test_a_deputy_proposes_the_lead_decides_and_a_hand_over_is_explicit(store):
    game = store.create_game("two of a role", months=1)
    _seat_everyone(store, game)
    role = ROLES[1]
    assert store.join(game, role, "deputy")["lead"] is False
    out = store.submit(game, 0, role, "deputy", {"units": 50})
    assert out == {"status": "proposal", "closed": False, "lead": f"lead-{role}"}
    store.submit(game, 0, role, "deputy", {"units": 50})  # a retry: logged once
    proposals = [e for e in store.log(game) if e["kind"] == "proposal"]
    assert len(proposals) == 1 and store.decisions(game) == []
    store.hand_over(game, role, "deputy")
    assert store.submit(game, 0, role, "deputy", {"units": 50})["status"] == "accepted"
    assert store.submit(game, 0, role, f"lead-{role}", {"units": 1})["status"] == "proposal"
    with pytest.raises(ValueError, match="has no seat"):
        store.hand_over(game, role, "nobody")


def test_a_malformed_decision_is_refused_and_nothing_is_written(store):
    game = store.create_game("errors", months=1)
    _seat_everyone(store, game)
    role, who = ROLES[0], f"lead-{ROLES[0]}"
    before = store.log(game)
    with pytest.raises(ValueError, match="units must be 0 or more"):
        store.submit(game, 0, role, who, {"units": -3})
    with pytest.raises(ValueError, match="cannot decide"):
        store.submit(game, 0, role, who, {"price": 3})
    with pytest.raises(ValueError, match="only JSON values"):
        store.submit(game, 0, role, who, {"units": {1, 2}})
    with pytest.raises(ValueError, match="unknown role 'ceo'"):
        store.submit(game, 0, "ceo", who, {"units": 1})
    with pytest.raises(ValueError, match="no game 'nope'"):
        store.submit("nope", 0, role, who, {"units": 1})
    with pytest.raises(ValueError, match="no seat"):
        store.submit(game, 0, role, "stranger", {"units": 1})
    assert store.log(game) == before and store.decisions(game) == []
    # the world refuses the merged decisions: the last part is not saved, the month stays open
    for r in ROLES[:-1]:
        store.submit(game, 0, r, f"lead-{r}", {"units": 300})
    with pytest.raises(ValueError, match="cannot close.*beyond capacity"):
        store.submit(game, 0, ROLES[-1], f"lead-{ROLES[-1]}", {"units": 400})
    assert store.status(game)["waiting_for"] == [ROLES[-1]] and store.results(game) == []
    assert store.submit(game, 0, ROLES[-1], f"lead-{ROLES[-1]}", {"units": 0})["closed"]


def test_a_game_survives_a_restart_and_the_instructor_may_close_a_month(tmp_path):
    path = tmp_path / "class.sqlite"
    first = GameStore(path, engine=TOY)
    game = first.create_game("restart", months=3)
    _seat_everyone(first, game)
    first.submit(game, 0, ROLES[0], f"lead-{ROLES[0]}", {"units": 7})
    del first  # the kernel restarts: a new store on the same file goes on
    again = GameStore(path, engine=TOY)
    assert again.status(game)["submitted"] == [ROLES[0]]
    result = again.close_month(game, 0, defaults={ROLES[1]: {"units": 1}})
    assert result == {"units": 8, "total": 8}
    assert again.close_month(game, 0) == result  # closing it again changes nothing
    assert {d["player"] for d in again.decisions(game) if d["role"] != ROLES[0]} == {"instructor"}
    assert [g["name"] for g in again.games()] == ["restart"]


def test_concurrent_players_lose_and_double_no_decision(store):
    """Sixteen players (four per role, each retrying) submit three months at once."""
    months, per_role = 3, 4
    game = store.create_game("busy", months=months)
    players = [(role, f"{role}-{k}") for role in ROLES for k in range(per_role)]
    for role, who in players:  # the first of each role leads
        store.join(game, role, who)
    errors = []
    proposed = threading.Barrier(len(players))  # deputies first, so that none comes late

    def play(role, who):
        lead = who.endswith("-0")
        try:
            for m in range(months):
                while store.status(game)["month_index"] < m:
                    threading.Event().wait(0.005)
                if lead:
                    proposed.wait(timeout=60)
                for _ in range(2):  # a retry after a "lost connection"
                    store.submit(game, m, role, who, {"units": m + 1}, f"{who} in month {m}")
                if not lead:
                    proposed.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(f"{who}: {exc}")

    threads = [threading.Thread(target=play, args=p) for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert [r["result"]["units"] for r in store.results(game)] == [4, 8, 12]
    decided = store.decisions(game)
    assert len(decided) == months * len(ROLES)
    assert all(d["player"].endswith("-0") and d["revision"] == 0 for d in decided)
    log = store.log(game)
    assert sum(e["kind"] == "closed" for e in log) == months
    assert sum(e["kind"] == "proposal" for e in log) == months * len(ROLES) * (per_role - 1)


def _role_part(world_json, role):
    """What a player of ``role`` submits: their keys of the chase policy's decisions."""
    from sopcourse.game import ROLE_KEYS, World, chase

    decisions = chase(World.from_json(world_json).view())
    return {k: v for k, v in decisions.items() if k in ROLE_KEYS[role] and k != "actions"}


def test_a_team_of_four_plays_the_tallridge_world_and_a_bad_plan_is_refused(tmp_path):
    """Four clients, one per role, play two months of the real world at the same time;
    the stored months are what one world stepping the merged decisions gives."""
    from sopcourse.game import new_game

    store = GameStore(tmp_path / "team.sqlite")  # the Tallridge engine
    game = store.create_game("team", seed=2, months=2)
    errors = []

    def play(role):
        try:
            store.join(game, role, f"{role}-student")
            for m in range(2):
                while store.status(game)["month_index"] < m:
                    threading.Event().wait(0.01)
                part = _role_part(store.state(game), role)
                for _ in range(2):
                    store.submit(game, m, role, f"{role}-student", part, "the chase rule")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"{role}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=play, args=(r,)) for r in ROLES]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    months = store.results(game)
    assert [m["month_index"] for m in months] == [0, 1] and store.status(game)["over"]
    world = new_game(seed=2, months=2)
    for m in months:
        assert json.loads(json.dumps(world.step(m["decisions"]))) == m["result"]
    other = store.create_game("refused", seed=2, months=1)
    store.join(other, "supply_planner", "sam")
    before = store.log(other)
    with pytest.raises(ValueError, match="city"):
        store.submit(other, 0, "supply_planner", "sam", {"production": {"P1": {"city": 10}}})
    with pytest.raises(ValueError, match="demand_plan"):
        store.submit(other, 0, "supply_planner", "sam", {"demand_plan": {}})
    assert store.log(other) == before and store.decisions(other) == []
