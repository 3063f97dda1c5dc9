"""Scripted policies, their comparison over seeds, the scorecard and the bullwhip chart."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from sopcourse.game.policies import (
    against_benchmarks,
    chase,
    compare_policies,
    level,
    lp_plan,
    play,
)
from sopcourse.game.scoring import bullwhip, monthly_scorecard, plot_bullwhip, scorecard


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_level_production_varies_less_than_chase(seed):
    c, lv = play(chase, seed=seed, months=6), play(level, seed=seed, months=6)
    assert monthly_scorecard(lv)["production"].var() < monthly_scorecard(c)["production"].var()
    assert bullwhip(lv)["total"] < bullwhip(c)["total"]


def test_the_scorecard_has_every_figure():
    world = play(chase, seed=3, months=4)
    card = scorecard(world)
    for key in ("profit", "fill_rate_A", "fill_rate_B", "fill_rate_C", "inventory_turns",
                "cash_to_cash_days", "forecast_wape", "forecast_bias", "plan_stability"):  # fmt: skip
        assert np.isfinite(card[key]), key
    assert 0 <= card["fill_rate"] <= 1 and card["forecast_wape"] >= 0
    assert len(monthly_scorecard(world)) == 4
    assert np.isfinite(scorecard(world, lag=1)["forecast_wape"])


def test_the_bias_sign_is_forecast_minus_actual():
    def over(view):
        plan = {f: {m: [3 * u for u in v] for m, v in by_m.items()}
                for f, by_m in view["forecast"].items()}  # fmt: skip
        return {**chase(view), "demand_plan": plan}

    assert scorecard(play(over, seed=0, months=2))["forecast_bias"] > 1


def test_compare_policies_is_the_same_in_one_or_two_processes():
    one = compare_policies({"chase": chase, "level": level}, seeds=range(3), months=3, n_jobs=1)
    two = compare_policies({"chase": chase, "level": level}, seeds=range(3), months=3, n_jobs=2)
    assert one.shape[0] == 6 and list(one.index.names) == ["policy", "seed"]
    pd.testing.assert_frame_equal(one, two)
    with pytest.raises(ValueError, match="not functions"):
        compare_policies({"x": 3}, seeds=[0], months=1)


def test_the_lp_adviser_plays_a_valid_plan():
    world = play(lp_plan, seed=0, months=2)
    assert world.finished and scorecard(world)["fill_rate"] > 0.5


def test_against_benchmarks_and_the_chart():
    world = play(level, seed=1, months=3)
    table = against_benchmarks(world)
    assert list(table.columns) == ["you", "chase", "level"]
    assert table.loc["profit", "you"] == pytest.approx(table.loc["profit", "level"])
    fig = plot_bullwhip({"chase": play(chase, seed=1, months=3), "level": world})
    assert fig.axes and fig.axes[0].get_title(loc="left") == "Bullwhip of each plan"
    import matplotlib.pyplot as plt

    plt.close(fig)
    with pytest.raises(ValueError, match="at least one world"):
        plot_bullwhip({})
