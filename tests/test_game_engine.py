"""The planning game's engine: checks, determinism, conservation, actions, roles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sopcourse.game import engine
from sopcourse.game.engine import World, merge_role_decisions, new_game
from sopcourse.game.policies import chase

SUPPLY = {
    "production": {"P1": {"road": 600, "mountain": 400, "ebike": 500}, "P2": {"city": 400}},
    "overtime_hours": {"P1": 300},
}


def _played(seed=0, months=4, **kw):
    world = new_game(seed=seed, months=months, **kw)
    for _ in range(months):
        world.step(chase(world.view()))
    return world


def test_validation_lists_every_problem_at_once():
    world = new_game(seed=1, months=3)
    bad = {
        "production": {"P1": {"road": -5, "unicycle": 3}, "P9": {"road": 1},
                       "P2": {"road": 100000}},
        "demand_plan": {"road": {"MARS": [1] * 12}},
        "overtime_hours": {"P1": 10**6},
    }  # fmt: skip
    with pytest.raises(ValueError) as err:
        world.validate(bad)
    text = str(err.value)
    for part in ("negative", "unknown family 'unicycle'", "unknown plant 'P9'",
                 "unknown market 'MARS'", "beyond its capacity", "overtime limit"):  # fmt: skip
        assert part in text, part
    assert world.month == 0 and world.history == ()


def test_a_plant_without_a_routing_is_refused():
    with pytest.raises(ValueError, match="no routing for the city family"):
        new_game(months=1).validate({"production": {"P1": {"city": 10}}})


def test_wrong_role_keys_are_all_listed():
    parts = {
        "finance": {"production": {}, "actions": [{"kind": "capacity"}]},
        "demand_planner": {"demand_plan": {}},
        "boss": {},
    }
    with pytest.raises(ValueError) as err:
        merge_role_decisions(parts)
    text = str(err.value)
    assert "supply_planner's key" in text and "executive" in text and "'boss'" in text
    with pytest.raises(ValueError, match="supply_planner"):
        engine.check_role_part(new_game(months=1), "finance", {"production": {}})


def test_merging_role_parts_joins_actions():
    promo = {"kind": "promotion", "family": "road", "market": "UK", "discount": 0.1}
    parts = {"demand_planner": {"actions": [promo]}, "supply_planner": SUPPLY,
             "executive": {"allocation": {"rule": "priority", "priority": ["UK"]}}}  # fmt: skip
    merged = merge_role_decisions(parts)
    assert merged["actions"] == [promo] and merged["production"] == SUPPLY["production"]
    new_game(months=2).validate(merged)


def test_same_seed_same_game_also_after_a_json_round_trip():
    a = _played(seed=5, months=4)
    b = new_game(seed=5, months=4)
    for _ in range(2):
        b.step(chase(b.view()))
    b = World.from_json(b.to_json())
    for _ in range(2):
        b.step(chase(b.view()))
    assert a.to_json() == b.to_json()
    assert json.loads(a.to_json())["seed"] == 5
    assert _played(seed=6, months=2).history[0]["demand"] != a.history[0]["demand"]


def test_the_view_shows_no_future_demand():
    world = new_game(seed=2, months=3)
    view = world.view()
    json.dumps(view)
    assert len(view["history"]["months"]) == 48 and view["history"]["months"][-1] == "2025-12"
    assert "events" in view and view["events"] == []
    world.step(chase(view))
    assert world.view()["history"]["months"][-1] == "2026-01"


def test_conservation_of_units():
    world = _played(seed=3, months=6)
    for r in world.history:
        for p in r["production"]:
            for f in r["production"][p]:
                shipped = sum(r["shipments_by_plant"][p][f].values())
                assert r["inventory_open"][p][f] + r["production"][p][f] - shipped == (
                    pytest.approx(r["inventory_close"][p][f])
                )
        for f in r["orders"]:
            for m in r["orders"][f]:
                for c in r["orders"][f][m]:
                    due = r["orders"][f][m][c] + r["backlog_in"][f][m][c]
                    out = r["shipments"][f][m][c] + r["lost"][f][m][c] + r["backlog_out"][f][m][c]
                    assert due == pytest.approx(out)
                assert sum(r["orders"][f][m].values()) == r["demand"][f][m]
    for before, after in zip(world.history, world.history[1:], strict=False):
        assert before["inventory_close"] == after["inventory_open"]
        assert before["backlog_out"] == after["backlog_in"]


def test_a_past_month_cannot_be_changed():
    world = _played(seed=1, months=2)
    history = world.history
    history[0]["pnl"]["revenue"] = -1
    assert world.history[0]["pnl"]["revenue"] > 0
    with pytest.raises(ValueError, match="game is over"):
        world.step({})
    assert not hasattr(world, "undo") and len(world.history) == 2


def test_capacity_arrives_only_after_its_lead_time():
    world = new_game(seed=0, months=6, events="none")
    before = world.view()["capacity"]["P1"]["assembly"]
    order = {"kind": "capacity", "plant": "P1", "work_centre": "assembly", "units": 2}
    r = world.step({"actions": [order]})
    assert r["pnl"]["actions"] == pytest.approx(2 * engine.CAPACITY_LEASE)
    seen = [world.view()["capacity"]["P1"]["assembly"]]
    for _ in range(engine.CAPACITY_LEAD - 1):
        world.step({})
        seen.append(world.view()["capacity"]["P1"]["assembly"])
    assert seen[:-1] == [before] * (engine.CAPACITY_LEAD - 1)
    assert seen[-1] > before


def test_a_promotion_raises_demand_and_lowers_price():
    promo = {"kind": "promotion", "family": "road", "market": "DACH", "discount": 0.15,
             "month_index": 1}  # fmt: skip
    plain, promoted = new_game(seed=4, months=3), new_game(seed=4, months=3)
    plain.step({})
    r = promoted.step({"actions": [promo]})
    assert r["pnl"]["actions"] == engine.PROMOTION_COST
    a, b = plain.step({}), promoted.step({})
    assert b["demand"]["road"]["DACH"] > a["demand"]["road"]["DACH"]
    assert b["price"]["road"]["DACH"] < a["price"]["road"]["DACH"]
    assert b["demand"]["road"]["UK"] == a["demand"]["road"]["UK"]
    with pytest.raises(ValueError, match="lead time"):
        new_game(months=2).validate({"actions": [{**promo, "month_index": 0}]})


def test_a_shortage_limits_production_and_expediting_lifts_it():
    event = [{"index": 0, "kind": "shortage", "family": "road", "fill": 0.2, "months": 1}]
    ask = {"production": {"P1": {"road": 900}, "P2": {"road": 400}}, "overtime_hours": {"P1": 500}}
    short = new_game(months=1, events=event).step(ask)
    fast = new_game(months=1, events=event).step(
        {**ask, "actions": [{"kind": "expedite", "family": "road", "units": 300}]}
    )
    made = sum(short["production"][p]["road"] for p in short["production"])
    assert made < 1300 and short["events"][0]["kind"] == "shortage"
    assert sum(fast["production"][p]["road"] for p in fast["production"]) > made
    assert fast["pnl"]["expedite"] > 0


def test_priority_allocation_serves_the_first_market_first():
    dec = {"allocation": {"rule": "priority", "priority": ["UK"]}, "production": {}}
    world = new_game(months=3, events="none")
    short = 0
    for _ in range(3):  # nothing made: the opening stock runs out
        r = world.step(dec)
        due = {m: sum(r["orders"]["road"][m].values()) + sum(r["backlog_in"]["road"][m].values())
               for m in r["orders"]["road"]}  # fmt: skip
        rates = {m: sum(r["shipments"]["road"][m].values()) / due[m] for m in due}
        assert rates["UK"] >= max(rates.values()) - 1e-9
        short += min(rates.values()) < 1
    assert short


def test_a_price_change_acts_next_month():
    cut = {"kind": "price_change", "family": "city", "change": -0.1}
    a, b = new_game(seed=2, months=2), new_game(seed=2, months=2)
    ra, rb = a.step({}), b.step({"actions": [cut]})
    assert ra["price"] == rb["price"]
    ra, rb = a.step({}), b.step({})
    assert rb["price"]["city"]["UK"] == pytest.approx(0.9 * ra["price"]["city"]["UK"], rel=1e-3)
    assert rb["demand"]["city"]["BENELUX"] > ra["demand"]["city"]["BENELUX"]


def test_a_bad_game_is_refused_with_every_reason():
    with pytest.raises(ValueError) as err:
        new_game(start="2026-13", months=0, events="sometimes")
    assert "start" in str(err.value) and "months" in str(err.value) and "events" in str(err.value)
    with pytest.raises(ValueError, match="version"):
        World({"version": 0})


def test_the_money_adds_up():
    world = _played(seed=7, months=3)
    for r in world.history:
        p = r["pnl"]
        costs = sum(
            p[k] for k in ("overtime", "freight", "expedite", "holding", "backorder", "actions")
        )
        assert p["gross_margin"] == pytest.approx(p["revenue"] - p["cogs"], abs=0.05)
        assert p["operating_profit"] == pytest.approx(p["gross_margin"] - costs, abs=0.1)
        c = r["cash"]
        assert c["closing"] == pytest.approx(c["opening"] + c["receipts"] - c["payments"], abs=0.05)
    assert np.isfinite(world.history[-1]["balances"]["receivables"])


def test_a_world_rebuilt_from_its_facts_plays_as_the_original():
    """World.facts() carries the data too: a grader process with other data replays it."""
    world = new_game(seed=4, months=3)
    world.step({})
    facts = json.loads(json.dumps(world.facts()))  # plain JSON, as the grader sends it
    again = World.from_facts(facts)
    assert again.to_json() == world.to_json()
    assert again.step({}) == world.step({})
    facts["data"]["standard_cost"] = [2 * c for c in facts["data"]["standard_cost"]]
    dearer = World.from_facts(facts)  # the data is the facts', not this process's
    assert dearer.step({})["pnl"]["cogs"] == pytest.approx(2 * again.history[-1]["pnl"]["cogs"])
    with pytest.raises(ValueError, match="World.facts"):
        World.from_facts({"state": world.to_json()})
