"""The debrief of a played game (where each month's decisions helped or hurt), the chart of
cumulative profit, the instructor's class view, and benchmarks played on the world's own
event schedule."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from sopcourse.game.debrief import (
    COMPONENTS,
    benchmark_world,
    class_view,
    debrief,
    plot_debrief,
)
from sopcourse.game.engine import ROLE_KEYS, World, new_game
from sopcourse.game.policies import against_benchmarks, chase, level, play
from sopcourse.game.scoring import scorecard
from sopcourse.game.store import GameStore

SHORTAGE = [{"index": 0, "kind": "shortage", "family": "road", "fill": 0.3, "months": 2}]
PROMO = {"kind": "promotion", "family": "road", "market": "DACH", "discount": 0.15}


def _promoter(view):
    """Chase, with a promotion of road in DACH ordered in month 0 (it runs in month 1)."""
    dec = chase(view)
    if view["index"] == 0:
        dec["actions"] = [PROMO]
    return dec


# -- against_benchmarks: the world's own events ------------------------------------------


@pytest.mark.parametrize("events", ["none", SHORTAGE])
def test_against_benchmarks_plays_the_worlds_own_event_schedule(events):
    # seed 7 draws a supplier delay in month 0: a benchmark on random events differs
    world = play(level, seed=7, months=3, events=events)
    table = against_benchmarks(world, {"level": level})
    assert table.loc["profit", "level"] == pytest.approx(table.loc["profit", "you"])
    assert table.loc["fill_rate", "level"] == pytest.approx(table.loc["fill_rate", "you"])
    random = scorecard(play(level, seed=7, months=3))["profit"]
    assert table.loc["profit", "level"] != pytest.approx(random)


def test_a_benchmark_stops_where_the_world_is():
    world = new_game(seed=2, months=4, events=SHORTAGE)
    for _ in range(2):
        world.step(chase(world.view()))
    twin = benchmark_world(world, "chase")
    assert len(twin.history) == 2 and twin.months == 4
    assert twin.history[0]["events"] == world.history[0]["events"] != []
    assert against_benchmarks(world, {"c": chase}).loc["months", "c"] == 2


# -- debrief -------------------------------------------------------------------------------


def test_chase_against_itself_is_even_everywhere():
    table = debrief(play(chase, seed=3, months=2), "chase")
    assert list(table.index) == ["2026-01", "2026-02"]
    numbers = table.drop(columns="verdict").filter(regex="_diff$|^from_")
    assert (numbers == 0).all().all()
    assert table["verdict"].str.startswith("even").all()


def test_the_profit_difference_is_the_scorecards_and_the_components_add_up():
    world = play(level, seed=1, months=3)
    table = debrief(world, "chase")
    expected = scorecard(world)["profit"] - scorecard(play(chase, seed=1, months=3))["profit"]
    assert table["profit_diff"].sum() == pytest.approx(expected, abs=0.01)
    assert expected != pytest.approx(0)
    parts = table[[f"from_{c}" for c in COMPONENTS]].sum(axis=1)
    np.testing.assert_allclose(parts, table["profit_diff"], atol=0.05)
    assert table["lost_sale_cost_diff"].abs().sum() > 0  # shown, but not in the sum
    assert (table["profit"] - table["benchmark_profit"] == table["profit_diff"]).all()
    assert table["verdict"].str.match(r"(helped|hurt): ").all()
    assert table["verdict"].str.contains("than chase").all()


def test_level_builds_stock_and_the_verdict_says_so():
    table = debrief(play(level, seed=1, months=2), "chase")
    first = table.iloc[0]
    assert first["inventory_units_diff"] > 0 and first["profit_diff"] < 0
    assert first["verdict"].startswith("hurt: EUR")
    assert "holding cost" in first["verdict"] and "more units in stock" in first["verdict"]
    assert "you made" in first["verdict"]  # the production decision behind it


def test_a_promotion_is_named_when_ordered_and_when_it_runs():
    table = debrief(play(_promoter, seed=4, months=3), "chase")
    ordered, runs, after = table["verdict"]
    assert table["from_actions"].iloc[0] == pytest.approx(-15_000)
    assert table["profit_diff"].iloc[0] == pytest.approx(-15_000)
    assert ordered == "hurt: EUR 15,000 on a promotion of road in DACH (15 % off in 2026-02)"
    assert "your promotion of road in DACH ran this month" in runs
    assert "revenue there vs chase" in runs
    assert "month after your promotion of road in DACH" in after


def test_a_callable_benchmark_is_named_after_its_function():
    world = play(level, seed=1, months=2)
    table = debrief(world, level)
    assert table.attrs["benchmark"] == "level"
    assert (table["profit_diff"] == 0).all()
    assert table["verdict"].iloc[0] == "even: the same operating profit as level"


def test_bad_input_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="no month is played yet"):
        debrief(new_game(months=2))
    with pytest.raises(ValueError, match="no month is played yet"):
        plot_debrief(new_game(months=2))
    world = play(chase, seed=0, months=1)
    with pytest.raises(ValueError, match="unknown benchmark 'greedy'.*chase"):
        debrief(world, "greedy")
    with pytest.raises(ValueError, match="policy's name"):
        debrief(world, 3)
    with pytest.raises(ValueError, match="give a game World"):
        debrief({"history": []})
    with pytest.raises(ValueError, match="at least one benchmark"):
        plot_debrief(world, benchmarks=())


def test_plot_debrief_draws_you_and_each_benchmark_cumulatively():
    world = play(level, seed=1, months=3)
    fig = plot_debrief(world, benchmarks=("chase", "level"))
    ax = fig.axes[0]
    assert ax.get_title(loc="left").startswith("Cumulative operating profit")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["you", "chase", "level"]
    you, _, same = ax.get_lines()
    expected = np.cumsum([r["pnl"]["operating_profit"] for r in world.history]) / 1e6
    np.testing.assert_allclose(you.get_ydata(), expected)
    np.testing.assert_allclose(same.get_ydata(), expected)  # level on its own game
    plt.close(fig)


# -- the class view ------------------------------------------------------------------------


def _play_month(store, game, policy):
    """The four roles of a team submit ``policy``'s decisions for the open month."""
    month = store.status(game)["month_index"]
    decisions = policy(World.from_json(store.state(game)).view())
    out = None
    for role, keys in ROLE_KEYS.items():
        part = {k: decisions[k] for k in keys if k in decisions}
        out = store.submit(game, month, role, f"{role}-player", part, "as the policy says")
    assert out["closed"]


@pytest.fixture
def classroom(tmp_path):
    store = GameStore(tmp_path / "class.sqlite")
    teams = {}
    for name, seed, policy in (("Team Level", 1, level), ("Team Chase", 2, chase)):
        game = store.create_game(name, seed=seed, months=3)
        for role in ROLE_KEYS:
            store.join(game, role, f"{role}-player")
        for _ in range(2):
            _play_month(store, game, policy)
        teams[name] = game
    teams["Team Late"] = store.create_game("Team Late", seed=3, months=3)
    return store, teams


def test_class_view_lists_every_team_best_profit_first(classroom):
    store, teams = classroom
    table = class_view(store)
    assert set(table.index) == set(teams.values())
    assert table["team"].iloc[-1] == "Team Late"  # no month yet: last, zeros and NaN
    late = table.loc[teams["Team Late"]]
    assert late["months"] == 0 and math.isnan(late["profit"]) and math.isnan(late["chase_profit"])
    played = table.iloc[:2]
    assert list(played["profit"]) == sorted(played["profit"], reverse=True)
    assert (played["months"] == 2).all()
    chase_row = table.loc[teams["Team Chase"]]
    assert chase_row["profit_gap_to_chase"] == pytest.approx(0)
    assert chase_row["chase_fill_rate"] == pytest.approx(chase_row["fill_rate"])
    level_row = table.loc[teams["Team Level"]]
    world = World.from_json(store.state(teams["Team Level"]))
    card = scorecard(world)
    for key in ("profit", "fill_rate_A", "inventory_turns", "forecast_wape", "bullwhip"):
        assert level_row[key] == pytest.approx(card[key])
    bench = scorecard(play(chase, seed=1, months=2, events=world._s["events"]))
    assert level_row["chase_profit"] == pytest.approx(bench["profit"])
    assert level_row["profit_gap_to_chase"] == pytest.approx(card["profit"] - bench["profit"])


def test_class_view_of_some_games_and_of_an_unknown_one(classroom):
    store, teams = classroom
    table = class_view(store, [teams["Team Late"], teams["Team Chase"]])
    assert list(table["team"]) == ["Team Chase", "Team Late"]
    with pytest.raises(ValueError, match="no game \\['nope'\\]"):
        class_view(store, ["nope"])
