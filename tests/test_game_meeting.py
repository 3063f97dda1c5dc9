"""The five stages of a month in the planning game (sopcourse.game.meeting) and its log."""

from __future__ import annotations

import numpy as np
import pytest

from sopcourse.game import meeting
from sopcourse.game.engine import World, new_game
from sopcourse.game.policies import chase
from sopcourse.game.rules import merge_role_decisions
from sopcourse.kpi import traffic_light


@pytest.fixture(scope="module")
def played():
    """A world of seed 7 after two chase months."""
    world = new_game(seed=7, months=6)
    for _ in range(2):
        world.step(chase(world.view()))
    return world


def test_the_data_pack_before_the_first_month_is_the_opening_position():
    world = new_game(seed=1, months=3)
    pack = meeting.data_pack(world)
    view = world.view()
    assert pack["month"] is None and pack["kpis"].empty
    for f in view["families"]:
        stock = sum(view["inventory"][p][f] for p in view["plants"])
        assert pack["plan_vs_actual"].loc[f, "stock"] == stock
    assert "opening position" in pack["exceptions"][0]


def test_the_data_pack_compares_last_months_plan_with_its_orders(played):
    pack = meeting.data_pack(played)
    last = played.history[-1]
    table = pack["plan_vs_actual"]
    assert pack["month"] == last["month"]
    for f in played.data.families:
        orders = sum(sum(by_c.values()) for by_c in last["orders"][f].values())
        assert table.loc[f, "orders"] == orders
    plan = np.asarray(played.plans[-1])[:, :, 0].sum(axis=1).round(0)
    assert np.allclose(table["plan"], plan)
    assert np.allclose(table["error"], (plan - table["orders"]).round(0), atol=1)
    kpis = pack["kpis"]
    for c, target in meeting.SERVICE_TARGETS.items():
        row = kpis.loc["fill rate (all)" if c == "all" else f"fill rate {c}"]
        assert row["value"] == last["service"][c]
        assert row["light"] == traffic_light(row["value"], target, tolerance=0.03)
        if last["service"][c] < target and c != "all":
            assert any(f"Class {c} fill rate" in e for e in pack["exceptions"])


def test_the_data_pack_names_a_supplier_event_and_lost_sales():
    events = [{"index": 0, "kind": "shortage", "family": "road", "fill": 0.2, "months": 1}]
    world = new_game(seed=2, months=2, events=events)
    world.step(chase(world.view()))
    text = " ".join(meeting.data_pack(world)["exceptions"])
    assert "shortage of road kits: 20% of the order delivered" in text
    assert "road:" in text and "lost" in text


def test_the_inputs_are_seeded_and_lean_by_their_known_bias():
    world = new_game(seed=4, months=12)
    a, b = meeting.demand_inputs(world), meeting.demand_inputs(new_game(seed=4, months=12))
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    d, t = world.data, world._s["start_t"]
    expected = d.mu[:, :, t : t + 12]
    for name in ("sales", "marketing"):
        ratio = a[name].sum() / expected.sum()
        bias = meeting.INPUTS[name]["bias"]
        # 576 lognormal draws: their mean is within 2 points of 1 + bias
        assert abs(ratio - (1 + bias) * np.exp(meeting.INPUTS[name]["noise"] ** 2 / 2)) < 0.02
    npi = a["npi"].sum(axis=(1, 2)) > 0
    growth = d.mu[:, :, t : t + 12].sum(axis=(1, 2)) / d.mu[:, :, t - 12 : t].sum(axis=(1, 2))
    assert np.array_equal(npi, growth >= meeting.NPI_GROWTH) and npi.any() and not npi.all()


def test_the_demand_review_keeps_a_track_record_of_each_input(played):
    review = meeting.demand_review(played)
    assert {"statistical next", "sales next", "sales bias so far"} <= set(review.columns)
    orders = sum(sum(v.values()) for v in played.history[0]["orders"]["road"].values())
    orders1 = sum(sum(v.values()) for v in played.history[1]["orders"]["road"].values())
    sales0 = meeting.demand_inputs(played, 0)["sales"][0, :, 0].sum()
    sales1 = meeting.demand_inputs(played, 1)["sales"][0, :, 0].sum()
    mean = ((sales0 - orders) / orders + (sales1 - orders1) / orders1) / 2
    assert review.loc["road", "sales bias so far"] == pytest.approx(mean, abs=1e-3)


def test_the_consensus_blends_the_sources_net_of_their_bias_then_adjusts():
    world = new_game(seed=3, months=4)
    stat = world.statistical_forecast()
    mkt = meeting.demand_inputs(world)["marketing"] / (1 + meeting.INPUTS["marketing"]["bias"])
    plan = meeting.consensus_plan(world, {"statistical": 1, "marketing": 3}, {"city": 0.1})
    for i, f in enumerate(world.data.families):
        want = (stat[i] + 3 * mkt[i]) / 4 * (1.1 if f == "city" else 1.0)
        got = np.array([plan[f][m] for m in world.data.markets])
        assert np.allclose(got, want, atol=0.051)
    alone = meeting.consensus_plan(world)
    assert np.allclose([alone["road"][m] for m in world.data.markets], stat[0], atol=0.051)


def test_a_bad_consensus_request_lists_every_problem_at_once():
    world = new_game(seed=3, months=4)
    with pytest.raises(ValueError) as info:
        meeting.consensus_plan(world, {"oracle": 1, "sales": -1}, {"tandem": 0.1, "road": -2})
    text = str(info.value)
    for part in ("unknown source 'oracle'", "weight of sales", "unknown family 'tandem'",
                 "adjust of road"):  # fmt: skip
        assert part in text
    with pytest.raises(ValueError, match="add up to 0"):
        meeting.consensus_plan(world, {"statistical": 0})


def test_the_supply_review_loads_the_plan_over_the_horizon():
    world = new_game(seed=7, months=12)
    plan = meeting.consensus_plan(world, {"statistical": 1, "marketing": 1})
    review = meeting.supply_review(world, plan)
    load = review["load"]
    assert np.allclose(load["utilisation"], load["hours_needed"] / load["hours_on_hand"], atol=1e-3)
    horizon = review["horizon"]
    assert len(horizon) == 12 and horizon.index[0] == "2026-01"
    assert np.allclose(horizon["placed"] + horizon["short"], horizon["plan"])
    peak = horizon.filter(like="peak").max(axis=1)
    assert peak.max() > 1, "Tallridge's spring peak is beyond its regular hours"
    over = [m for m in horizon.index if peak[m] > 1]
    assert any(f"({over[0]} to {over[-1]})" in c for c in review["constraints"])
    made = review["adviser"].to_numpy().sum()
    assert made >= 0 and set(review["adviser"].columns) <= set(world.data.plants)


def test_the_pre_sop_never_peeks_at_the_months_orders():
    """Two seeds share the view of month 0 but not its orders: the scenarios are equal."""
    a, b = new_game(seed=11, months=6, events="none"), new_game(seed=12, months=6, events="none")
    assert a.view() == b.view()
    pa, pb = meeting.pre_sop(a), meeting.pre_sop(b)
    assert pa["scenarios"].equals(pb["scenarios"])
    ra, rb = a.step(pa["decisions"]["chase"]), b.step(pb["decisions"]["chase"])
    assert ra["orders"] != rb["orders"]


def test_the_pre_sop_projects_each_scenario_on_the_plan():
    world = new_game(seed=7, months=12)
    pre = meeting.pre_sop(world)
    table = pre["scenarios"]
    assert list(table.index) == list(meeting.SCENARIOS)
    assert (table["fill_rate"] <= 1).all() and (table["closing_stock"] >= 0).all()
    view = world.view()
    stock = sum(view["inventory"][p][f] for p in view["plants"] for f in view["families"])
    for _, row in table.iterrows():
        assert row["closing_stock"] == pytest.approx(stock + row["made"] - row["shipped"], abs=0.01)
    assert any("highest projected gross margin" in i for i in pre["issues"])


def test_the_executive_decision_is_checked_and_logged():
    world = new_game(seed=5, months=3)
    with pytest.raises(ValueError, match="say why"):
        meeting.executive_decision(world, "chase", "  ")
    with pytest.raises(ValueError, match="unknown scenario 'hope'"):
        meeting.executive_decision(world, "hope", "why not")
    bad = {"production": {"P2": {"road": 1_000_000}}}
    with pytest.raises(ValueError, match="refused"):
        meeting.executive_decision(world, bad, "make everything")
    assert world.notes == ()  # a refused decision is not logged
    dec = meeting.executive_decision(world, "level", "build ahead", allocation={"rule": "priority",
                                     "priority": ["UK"]})  # fmt: skip
    assert dec["allocation"]["priority"] == ["UK"]
    assert world.notes[-1]["text"] == "level: build ahead" and world.notes[-1]["month"] == "2026-01"
    world.step(dec)
    assert world.month == 1


def test_the_log_is_kept_in_the_games_state_and_closes_with_the_game():
    world = new_game(seed=5, months=1)
    world.note("assumption", "UK demand stays flat", stage="demand_review")
    with pytest.raises(ValueError, match="one of"):
        world.note("rumour", "x")
    with pytest.raises(ValueError, match="needs a text"):
        world.note("decision", " ")
    again = World.from_json(world.to_json())
    assert again.notes == world.notes
    again.step({})
    with pytest.raises(ValueError, match="log is closed"):
        again.note("decision", "too late")


def test_the_computer_plays_the_roles_left_to_it_with_a_valid_part():
    world = new_game(seed=6, months=3)
    roles = ["demand_planner", "supply_planner", "finance", "executive"]
    parts = meeting.computer_parts(world, roles)
    assert set(parts) == set(roles)
    dec = merge_role_decisions(parts)
    assert world.problems(dec) == []
    world.step(dec)
    with pytest.raises(ValueError, match="unknown role"):
        meeting.computer_parts(world, ["cfo"])
