"""The S&OP planning game: a Tallridge world played month after month (issue 21).

:mod:`~sopcourse.game.engine` rolls the world forward a month per decision set;
:mod:`~sopcourse.game.policies` plays scripted policies (chase, level, the LP's plan, your
own function) over many seeds; :mod:`~sopcourse.game.scoring` keeps the scorecard;
:mod:`~sopcourse.game.meeting` walks the five stages of the monthly meeting (data pack,
demand review, supply review, pre-S&OP, executive decision) and plays the roles a solo
learner leaves to the computer; :mod:`~sopcourse.game.store` keeps a team game (four
roles, many players) in SQLite. The cockpit is ``sop.widgets.planning_cockpit``.
"""

from .debrief import benchmark_world, class_view, debrief, plot_debrief
from .engine import ROLE_KEYS, World, check_role_part, merge_role_decisions, new_game
from .meeting import (
    STAGES,
    computer_parts,
    consensus_plan,
    data_pack,
    demand_inputs,
    demand_review,
    executive_decision,
    pre_sop,
    supply_review,
)
from .policies import against_benchmarks, chase, compare_policies, level, lp_plan, play
from .scoring import bullwhip, monthly_scorecard, plot_bullwhip, scorecard
from .store import GameStore

__all__ = [
    "GameStore",
    "ROLE_KEYS",
    "STAGES",
    "computer_parts",
    "consensus_plan",
    "data_pack",
    "demand_inputs",
    "demand_review",
    "executive_decision",
    "pre_sop",
    "supply_review",
    "World",
    "against_benchmarks",
    "benchmark_world",
    "class_view",
    "debrief",
    "plot_debrief",
    "bullwhip",
    "chase",
    "check_role_part",
    "compare_policies",
    "level",
    "lp_plan",
    "merge_role_decisions",
    "monthly_scorecard",
    "new_game",
    "play",
    "plot_bullwhip",
    "scorecard",
]
