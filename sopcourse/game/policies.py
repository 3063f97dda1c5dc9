"""Scripted policies for the planning game, and playing them over many seeds.

A policy is a function ``policy(view) -> decision set`` (``view`` is
:meth:`sopcourse.game.engine.World.view`). Three benchmarks:

* :func:`chase` makes each month what the forecast, the backlog and a small reserve ask;
* :func:`level` makes the horizon's average each month (stock is built ahead of the peak);
* :func:`lp_plan` asks the balancing LP (:func:`sopcourse.balancing_plan`) for the
  horizon's plan at family level and makes its first month.

All three submit the statistical forecast as the consensus demand plan. Your own rule is
any function of the view; for :func:`compare_policies` with ``n_jobs > 1`` it must be a
module-level function (a process pool pickles it by name).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._parallel import map_tasks
from ..balancing import PlanningInputs, balancing_plan
from .engine import new_game
from .scoring import scorecard
from .world_data import tallridge

__all__ = [
    "chase",
    "level",
    "lp_plan",
    "fit_production",
    "play",
    "compare_policies",
    "against_benchmarks",
]

RESERVE_SHARE = 0.25  # inventory target: this share of next month's forecast
LP_HORIZON = 6


def _family_totals(view, key: str) -> dict:
    return {f: float(sum(v for v in view[key][f].values())) for f in view["families"]}


def _stock(view) -> dict:
    return {f: sum(view["inventory"][p][f] for p in view["plants"]) for f in view["families"]}


def fit_production(view, wanted: dict) -> tuple[dict, dict]:
    """Share ``{family: units}`` over the plants within their hours (overtime included).

    Families made in one plant only go first; a family made in both goes to the plant
    listed last (Tallridge: P2, the cheaper labour) first. Returns (production, overtime).
    """
    plants = view["plants"]
    cap = {p: np.array(list(view["capacity"][p].values())) for p in plants}
    share = {p: np.array(list(view["overtime_share"][p].values())) for p in plants}
    limit = {p: cap[p] + view["max_overtime_hours"][p] * share[p] for p in plants}
    load = {p: np.zeros_like(cap[p]) for p in plants}
    hpu = view["hours_per_unit"]
    families = sorted(view["families"], key=lambda f: sum(f in hpu[p] for p in plants))
    production = {p: {} for p in plants}
    for f in families:
        rest = max(0.0, math.floor(wanted.get(f, 0.0)))
        for p in reversed(plants):
            if f not in hpu[p] or rest <= 0:
                continue
            per = np.array(list(hpu[p][f].values()))
            room = np.where(per > 0, (limit[p] - load[p]) / np.where(per > 0, per, 1), np.inf)
            units = float(max(0, min(rest, math.floor(room.min() - 1e-6))))
            production[p][f] = units
            load[p] += units * per
            rest -= units
    overtime = {}
    for p in plants:
        need = np.where(share[p] > 0, (load[p] - cap[p]) / np.where(share[p] > 0, share[p], 1), 0)
        hours = min(view["max_overtime_hours"][p], max(0.0, math.ceil(need.max())))
        overtime[p] = float(hours)
    return production, overtime


def _decisions(view, wanted: dict, targets: dict) -> dict:
    production, overtime = fit_production(view, wanted)
    return {
        "demand_plan": view["forecast"],
        "production": production,
        "overtime_hours": overtime,
        "inventory_targets": targets,
        "allocation": {"rule": "fair_share"},
    }


def _targets(view) -> dict:
    return {
        f: round(RESERVE_SHARE * sum(v[1] for v in view["forecast"][f].values()))
        for f in view["families"]
    }


def chase(view) -> dict:
    """Make this month's forecast + backlog + the reserve target - the stock on hand."""
    stock, back, targets = _stock(view), _family_totals(view, "backlog"), _targets(view)
    wanted = {
        f: max(0.0, sum(v[0] for v in view["forecast"][f].values()) + back[f] + targets[f] - stock[f])
        for f in view["families"]
    }  # fmt: skip
    return _decisions(view, wanted, targets)


def level(view) -> dict:
    """Make the same each month: the horizon's demand + backlog - stock, spread evenly."""
    stock, back, targets = _stock(view), _family_totals(view, "backlog"), _targets(view)
    h = view["horizon"]
    wanted = {
        f: max(0.0, (sum(map(sum, view["forecast"][f].values())) + back[f] - stock[f]) / h)
        for f in view["families"]
    }
    return _decisions(view, wanted, targets)


def _lp_inputs(view, horizon: int) -> PlanningInputs:
    d = tallridge()
    fams, plants, markets = view["families"], view["plants"], view["markets"]
    periods = [str(i) for i in range(horizon)]
    demand = pd.DataFrame(
        [
            {"product": f, "market": m, "period": periods[h], "demand": view["forecast"][f][m][h],
             "price": view["price"][f][m]}
            for f in fams for m in markets for h in range(horizon)
        ]
    )  # fmt: skip
    costs = pd.DataFrame(
        [{"product": f, "plant": p, "unit_cost": view["standard_cost"][f]}
         for p in plants for f in view["hours_per_unit"][p]]
    )  # fmt: skip
    routings = pd.DataFrame(
        [{"product": f, "plant": p, "work_centre": w, "hours_per_unit": h}
         for p in plants for f, by_w in view["hours_per_unit"][p].items()
         for w, h in by_w.items() if h > 0]
    )  # fmt: skip
    capacity = pd.DataFrame(
        [{"plant": p, "work_centre": w,
          "hours": c + view["max_overtime_hours"][p] * view["overtime_share"][p][w]}
         for p in plants for w, c in view["capacity"][p].items()]
    )  # fmt: skip
    lanes = pd.DataFrame(
        [{"plant": p, "market": m, "transport_cost": float(d.lane_cost[i, j])}
         for i, p in enumerate(plants) for j, m in enumerate(markets)]
    )  # fmt: skip
    inventory = pd.DataFrame(
        [{"product": f, "plant": p, "quantity": view["inventory"][p][f]}
         for p in plants for f in fams]
    )  # fmt: skip
    holding = pd.Series(dict(zip(fams, d.holding_cost.tolist(), strict=True)))
    return PlanningInputs(
        demand=demand, production_cost=costs, routings=routings, capacity=capacity,
        lanes=lanes, holding_cost=holding, initial_inventory=inventory,
    )  # fmt: skip


def lp_plan(view) -> dict:
    """The balancing LP's first month over a :data:`LP_HORIZON`-month horizon."""
    horizon = min(LP_HORIZON, view["horizon"])
    plan = balancing_plan(_lp_inputs(view, horizon))
    first = plan.production[plan.production["period"] == "0"]
    wanted = first.groupby("product")["quantity"].sum().to_dict()
    return _decisions(view, wanted, _targets(view))


def play(policy, seed: int = 0, months: int = 12, *, start: str = "2026-01", events="random"):
    """A world played ``months`` months by ``policy`` (``policy(view) -> decision set``)."""
    world = new_game(seed=seed, start=start, months=months, events=events)
    while not world.finished:
        world.step(policy(world.view()))
    return world


def _play_row(task) -> dict:
    name, policy, seed, months = task
    world = play(policy, seed=seed, months=months)
    return {"policy": name, "seed": seed, **scorecard(world).to_dict()}


def compare_policies(policies: dict, seeds=range(100), months: int = 12, n_jobs: int = 1):
    """One row per policy x seed with the scorecard (:func:`sopcourse.game.scoring.scorecard`).

    Every policy plays the same seeds (the same demand and events). ``n_jobs > 1`` plays
    in a process pool; the table is the same whatever ``n_jobs``.
    """
    if not policies:
        raise ValueError("give at least one policy: compare_policies({'chase': chase})")
    bad = [name for name, p in policies.items() if not callable(p)]
    if bad:
        raise ValueError(f"these policies are not functions of the view: {bad}")
    tasks = [(name, p, int(s), months) for name, p in policies.items() for s in seeds]
    rows = map_tasks(_play_row, tasks, n_jobs=n_jobs)
    return pd.DataFrame(rows).set_index(["policy", "seed"])


def against_benchmarks(world, benchmarks: dict | None = None) -> pd.DataFrame:
    """The world's scorecard beside the benchmark policies played on the same game.

    Each benchmark plays the world's own game: its seed, start month, length and event
    schedule (the supplier delays and shortages the world drew, or the fixed list or
    ``"none"`` it was made with), for the months the world has played so far. So the
    columns differ only by the decisions taken.
    """
    benchmarks = {"chase": chase, "level": level} if benchmarks is None else benchmarks
    table = {"you": scorecard(world)}
    played = len(world.history)
    for name, policy in benchmarks.items():
        twin = new_game(world.seed, world.start, world.months, events=world.events)
        for _ in range(played):
            twin.step(policy(twin.view()))
        table[name] = scorecard(twin)
    return pd.DataFrame(table)
