"""The planning cockpit (sop.widgets.planning_cockpit), driven as a learner would, headless:
controls set, the button clicked, the game saved and picked up again."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from sopcourse.game import meeting  # noqa: E402
from sopcourse.game.engine import World, new_game  # noqa: E402
from sopcourse.widgets import planning_cockpit  # noqa: E402


def test_the_button_plays_a_month_and_the_stages_redraw(tmp_path):
    save = tmp_path / "games" / "solo.json"
    cockpit = planning_cockpit(seed=2, months=3, save_to=save)
    assert "month 0 of 3" in cockpit.header.value
    assert "opening position" in cockpit.pack.value
    assert [cockpit.tabs.get_title(i) for i in range(6)][:5] == list(meeting.STAGES.values())
    cockpit.weights["marketing"].value = 1.0
    cockpit.assumption.value = "marketing knows the e-bike launch"
    cockpit.reason.value = "the LP's margin"
    cockpit.button.click()
    world = cockpit.world
    assert world.month == 1 and "Played 2026-01" in cockpit.message.value
    assert "What happened: 2026-01" in cockpit.pack.value
    assert "Scorecard after 1 month" in cockpit.card.value and cockpit.image.value[:4] == b"\x89PNG"
    assert "2026-01: " in cockpit.debrief.value and "chase" in cockpit.debrief.value
    kinds = [(n["kind"], n["text"]) for n in world.notes]
    assert kinds == [("assumption", "marketing knows the e-bike launch"),
                     ("decision", "lp: the LP's margin")]  # fmt: skip
    # the plan played is the consensus the sliders asked for
    want = meeting.consensus_plan(new_game(seed=2, months=3), {"statistical": 1, "marketing": 1})
    first = {f: [by_m[m][0] for m in by_m] for f, by_m in want.items()}
    got = {f: [world.plans[0][i][j][0] for j in range(len(world.data.markets))]
           for i, f in enumerate(world.data.families)}  # fmt: skip
    assert all(abs(a - b) < 0.051 for f in got for a, b in zip(got[f], first[f], strict=True))
    assert World.from_json(save.read_text()).to_json() == world.to_json()  # saved each month


def test_the_supply_and_pre_sop_stages_fill_when_opened():
    cockpit = planning_cockpit(seed=3, months=2)
    assert "Opened when you open this stage" in cockpit.supply_table.value
    cockpit.tabs.selected_index = 2
    assert (
        "Rough-cut capacity" in cockpit.supply_table.value
        and "peak P2" in cockpit.supply_table.value
    )
    cockpit.tabs.selected_index = 3
    assert "Scenarios projected" in cockpit.pre_table.value and "level" in cockpit.pre_table.value


def test_a_refused_decision_changes_nothing_and_says_why():
    cockpit = planning_cockpit(seed=4, months=1)
    cockpit.promo.value = True  # a promotion needs a month of lead time: none in a 1-month game
    before = cockpit.world.to_json()
    assert cockpit.play() is None
    assert "Refused, nothing was played" in cockpit.message.value
    assert "lead time" in cockpit.message.value
    assert cockpit.world.to_json() == before


def test_the_game_is_picked_up_from_its_file_after_a_restart(tmp_path):
    save = tmp_path / "solo.json"
    first = planning_cockpit(seed=5, months=4, save_to=save)
    first.play()
    first.play()
    text = save.read_text()
    again = planning_cockpit(save_to=save)  # a new kernel: only the file is left
    assert again.world.month == 2 and again.world.to_json() == text
    assert "month 2 of 4" in again.header.value
    with pytest.raises(ValueError, match="a saved game is in"):
        planning_cockpit(new_game(seed=9), save_to=save)
    assert save.read_text() == text  # the saved game is not overwritten


def test_a_learner_in_one_role_leaves_the_others_to_the_computer():
    cockpit = planning_cockpit(seed=6, months=2, role="supply_planner")
    assert cockpit.weights["statistical"].disabled and not cockpit.scenario.disabled
    assert cockpit.rule.disabled and cockpit.price_change.disabled
    cockpit.scenario.value = "level"
    dec = cockpit.decisions()
    world = cockpit.world
    computer = meeting.computer_parts(world, ["demand_planner"])["demand_planner"]
    assert dec["demand_plan"] == computer["demand_plan"]
    level = meeting.SCENARIOS["level"](meeting.view_with_plan(world.view(), dec["demand_plan"]))
    assert dec["production"] == level["production"]
    assert dec["allocation"] == {"rule": "fair_share"}
    with pytest.raises(ValueError, match="role must be one of"):
        planning_cockpit(seed=6, role="cfo")


def test_actions_from_the_controls_reach_the_world_with_their_owner():
    cockpit = planning_cockpit(seed=8, months=6)
    cockpit.promo.value = True
    cockpit.promo_family.value, cockpit.promo_market.value = "road", "UK"
    cockpit.capacity_at.value = f"P2 {cockpit.world.data.work_centres['P2'][0]}"
    cockpit.capacity_units.value = 2
    cockpit.reason.value = "spring push"
    result = cockpit.play()
    kinds = sorted(a["kind"] for a in result["actions"])
    assert kinds == ["capacity", "promotion"]
    assert result["pnl"]["actions"] >= 15_000 + 2 * 4_000
    assert cockpit.capacity_units.value == 0 and cockpit.promo.value is False  # reset


def test_a_team_of_four_cockpits_plays_a_month_in_one_store(tmp_path):
    from sopcourse.game.store import GameStore
    from sopcourse.widgets import team_cockpit

    store = GameStore(tmp_path / "class.sqlite")
    game = store.create_game("Team A", seed=3, months=2)
    team = {"demand_planner": "ana", "supply_planner": "ben", "finance": "chen",
            "executive": "dara"}  # fmt: skip
    seats = {role: team_cockpit(store, game, role, player) for role, player in team.items()}
    with pytest.raises(ValueError, match="one role"):
        from sopcourse.widgets.game import PlanningCockpit, TeamSeat

        PlanningCockpit(seats["finance"].world, role="all", seat=TeamSeat(store, game, "x"))
    demand = seats["demand_planner"]
    demand.weights["marketing"].value = 1.0
    demand.reason.value = "marketing knows the launch"
    out = demand.play()
    assert out["status"] == "accepted" and not out["closed"]
    assert "waiting for: supply planner, finance, executive" in demand.message.value
    supply = seats["supply_planner"]
    # the supply planner plans on the demand planner's submitted consensus
    assert supply.decisions()["demand_plan"] == store.decisions(game)[0]["part"]["demand_plan"]
    supply.scenario.value = "chase"
    assert supply.play()["status"] == "accepted"
    assert seats["finance"].play()["status"] == "accepted"
    seats["executive"].rule.value = "priority"
    last = seats["executive"].play()
    assert last["closed"] and "closed 2026-01" in seats["executive"].message.value
    assert seats["finance"].world.month == 0  # until it refreshes
    seats["finance"].refresh.click()
    assert seats["finance"].world.month == 1
    assert "marketing knows the launch" in seats["finance"].log.value
    assert store.results(game)[0]["decisions"]["allocation"]["rule"] == "priority"
    # a deputy's part is a proposal, not the decision
    deputy = team_cockpit(store, game, "finance", "eve")
    assert deputy.play()["status"] == "proposal"
    assert store.status(game)["submitted"] == []
