"""The monthly S&OP meeting of the planning game: five stages, the roles, the log.

Each month of a game walks the five steps of the S&OP cycle before its decisions are
played (:data:`STAGES`):

1. :func:`data_pack`: what happened last month: the KPIs and their traffic lights, the
   plan against the orders by family, and the exceptions to discuss;
2. :func:`demand_review`: the statistical forecast beside the inputs of sales,
   marketing and the new-product team, each with a known bias (:data:`INPUTS`) and a
   track record over the months played, and :func:`consensus_plan` that blends them;
3. :func:`supply_review`: rough-cut capacity of a demand plan (hours by plant and work
   centre against the hours on hand), the kits the suppliers can deliver, and the
   balancing LP's plan as an adviser;
4. :func:`pre_sop`: the supply scenarios (chase, level, the LP's plan) projected on the
   consensus plan: units, stock, service, revenue and cost, the gap to the plan's revenue
   and the issues to escalate;
5. :func:`executive_decision`: the executive picks a scenario and says why; the decision
   set is built and the choice goes into the month's log.

The projections of the pre-S&OP use only what a planner knows before the month (the
plan, the stock, the capacity): they never peek at the month's orders.

:func:`computer_parts` plays the roles a solo learner leaves to the computer: each role
submits its part of the decision set (:data:`sopcourse.game.rules.ROLE_KEYS`) as a
sensible colleague would.

The assumptions-and-decisions log of a game is kept in the world itself
(:meth:`sopcourse.game.engine.World.note`), so it is saved with the game's JSON.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..accuracy import forecast_bias, wape
from ..kpi import traffic_light
from . import policies
from .engine import _rng
from .rules import ROLE_KEYS

__all__ = [
    "STAGES",
    "INPUTS",
    "SCENARIOS",
    "SERVICE_TARGETS",
    "data_pack",
    "demand_inputs",
    "demand_review",
    "consensus_plan",
    "view_with_plan",
    "supply_review",
    "pre_sop",
    "executive_decision",
    "computer_parts",
]

#: The five stages of a month, in order, with their titles.
STAGES = {
    "data_pack": "1. Data pack",
    "demand_review": "2. Demand review",
    "supply_review": "3. Supply review",
    "pre_sop": "4. Pre-S&OP",
    "executive": "5. Executive meeting",
}
#: The demand inputs of the other functions: their bias (share above the expected
#: demand) and the spread of their month-to-month noise. The new-product team speaks
#: only for families with a launch in the horizon.
INPUTS = {
    "sales": {"bias": 0.10, "noise": 0.08, "says": "sales targets colour the forecast"},
    "marketing": {"bias": 0.05, "noise": 0.12, "says": "knows the promotion calendar"},
    "npi": {"bias": 0.25, "noise": 0.15, "says": "new products, optimistic"},
}
#: Supply scenarios of the pre-S&OP: a name and the scripted policy that builds it.
SCENARIOS = {"chase": policies.chase, "level": policies.level, "lp": policies.lp_plan}
#: Fill-rate targets by customer class (the traffic lights of the data pack).
SERVICE_TARGETS = {"A": 0.98, "B": 0.95, "C": 0.90, "all": 0.95}
SERVICE_TOLERANCE = 0.03
FORECAST_ERROR_LIMIT = 0.15  # a family's plan more than 15 % off its orders: an exception
COVER_LIMIT = 2.5  # months of cover above which stock is an exception
NPI_GROWTH = 1.10  # the NPI team speaks for a family whose demand grows 10 %+ in a year


def _family_units(nested: dict) -> dict:
    """{family: total units} of a {family: {market: x | {class: x}}} table."""

    def total(v):
        return sum(total(x) for x in v.values()) if isinstance(v, dict) else float(v)

    return {f: total(by_m) for f, by_m in nested.items()}


# -- 1. the data pack -------------------------------------------------------------------
def data_pack(world) -> dict:
    """What happened last month: ``kpis`` (DataFrame with targets and traffic lights),
    ``plan_vs_actual`` (by family), ``exceptions`` (sentences) and ``month``.

    Before the first month, the pack shows the opening position and says so.
    """
    view = world.view()
    stock = {f: sum(view["inventory"][p][f] for p in view["plants"]) for f in view["families"]}
    history = world.history
    if not history:
        table = pd.DataFrame({"stock": stock, "backlog": _family_units(view["backlog"])})
        table.index.name = "family"
        return {
            "month": None,
            "kpis": pd.DataFrame(columns=["value", "target", "light"]),
            "plan_vs_actual": table,
            "exceptions": [
                f"No month is played yet: this is the opening position before {view['month']}."
            ],
        }
    last = history[-1]
    plan = np.asarray(world.plans[-1])[:, :, 0].sum(axis=1)
    orders = _family_units(last["orders"])
    actual = np.array([orders[f] for f in view["families"]])
    table = pd.DataFrame(
        {
            "plan": plan.round(0),
            "orders": actual,
            "error": (plan - actual).round(0),
            "error_pct": np.where(actual > 0, (plan - actual) / np.maximum(actual, 1), 0.0),
            "made": pd.Series(_family_units(_by_family(last["production"]))),
            "shipped": pd.Series(_family_units(last["shipments"])),
            "lost": pd.Series(_family_units(last["lost"])),
            "stock": pd.Series(_family_units(_by_family(last["inventory_close"]))),
        },
        index=pd.Index(view["families"], name="family"),
    )
    kpis = _kpis(last, actual, plan)
    return {
        "month": last["month"],
        "kpis": kpis,
        "plan_vs_actual": table,
        "exceptions": _exceptions(last, table, kpis),
    }


def _by_family(by_plant: dict) -> dict:
    """{family: {plant: units}} of a {plant: {family: units}} table."""
    out: dict = {}
    for p, by_f in by_plant.items():
        for f, v in by_f.items():
            out.setdefault(f, {})[p] = v
    return out


def _kpis(last: dict, actual: np.ndarray, plan: np.ndarray) -> pd.DataFrame:
    rows = {}
    for c, target in SERVICE_TARGETS.items():
        value = last["service"][c]
        light = traffic_light(value, target, tolerance=SERVICE_TOLERANCE)
        rows[f"fill rate {c}" if c != "all" else "fill rate (all)"] = (value, target, light)
    error_pct = wape(actual, plan)  # percent (sopcourse.accuracy)
    light = traffic_light(error_pct, 100 * FORECAST_ERROR_LIMIT, direction="lower", tolerance=5)
    rows["forecast WAPE %"] = (error_pct, 100 * FORECAST_ERROR_LIMIT, light)
    bias_pct = 100 * forecast_bias(actual, plan) * len(actual) / max(actual.sum(), 1)
    rows["forecast bias % (+ = over)"] = (bias_pct, 0.0, "")
    for key in ("revenue", "operating_profit"):
        rows[key.replace("_", " ")] = (last["pnl"][key], np.nan, "")
    rows["closing cash"] = (last["cash"]["closing"], np.nan, "")
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "target", "light"])
    out.index.name = "kpi"
    return out


def _exceptions(last: dict, table: pd.DataFrame, kpis: pd.DataFrame) -> list[str]:
    out = []
    for c in ("A", "B", "C"):
        value, target = last["service"][c], SERVICE_TARGETS[c]
        if value < target:
            out.append(f"Class {c} fill rate {value:.1%} is below its target of {target:.0%}.")
    for f, row in table.iterrows():
        if row["orders"] and abs(row["error_pct"]) > FORECAST_ERROR_LIMIT:
            side = "over" if row["error"] > 0 else "under"
            out.append(
                f"{f}: the plan was {abs(row['error_pct']):.0%} {side} the orders "
                f"({row['plan']:.0f} planned, {row['orders']:.0f} ordered)."
            )
        if row["orders"] and row["stock"] > COVER_LIMIT * row["orders"]:
            out.append(
                f"{f}: {row['stock']:.0f} units in stock, {row['stock'] / row['orders']:.1f} "
                f"months of last month's orders (more than {COVER_LIMIT} months)."
            )
        if row["lost"] > 0:
            out.append(f"{f}: {row['lost']:.0f} units of sales lost (classes B and C).")
    for e in last["events"]:
        kind = e["kind"].replace("_", " ")
        out.append(
            f"A {kind} of {e['family']} kits: {e['fill']:.0%} of the order delivered "
            f"(for {e['months']} month(s) from {e['month']})."
        )
    return out or ["No exception: every KPI is on target."]


# -- 2. the demand review ---------------------------------------------------------------
def demand_inputs(world, month: int | None = None) -> dict:
    """The inputs of sales, marketing and the new-product team for game month ``month``
    (default: the month to play), as (F, M, horizon) arrays; ``npi`` only covers the
    families with a launch in the horizon (zeros elsewhere, and absent when none).

    Each input is the demand model's expected demand (which the functions know better than
    the history does: launches, the promotion calendar, the price changes made) times
    ``1 + bias`` and a seeded noise: the same game gives the same inputs every time.
    """
    d, s = world.data, world._s
    k = world.month if month is None else int(month)
    t = s["start_t"] + k
    h = s["horizon"]
    last = d.mu.shape[2] - 1
    months = np.minimum(np.arange(t, t + h), last)
    expected = d.mu[:, :, months] * (np.asarray(s["price_factor"]) ** -2.0)[:, :, None]
    out = {}
    for i, (name, spec) in enumerate(INPUTS.items()):
        rng = _rng(s["seed"], 7919, t, i)
        noise = rng.lognormal(0.0, spec["noise"], size=expected.shape)
        value = np.round(expected * (1 + spec["bias"]) * noise, 1)
        if name == "npi":
            growth = d.mu[:, :, months].sum(axis=(1, 2)) / np.maximum(
                d.mu[:, :, np.maximum(months - 12, 0)].sum(axis=(1, 2)), 1e-9
            )
            launching = growth >= NPI_GROWTH
            if not launching.any():
                continue
            value[~launching] = 0.0
        out[name] = value
    return out


def demand_review(world) -> pd.DataFrame:
    """By family: the statistical forecast and each function's input, next month and over
    the horizon, with each input's track record (mean bias over the months played: plan
    minus orders, as a share of the orders; positive = over-forecast)."""
    view = world.view()
    fams = view["families"]
    stat = world.statistical_forecast()
    inputs = demand_inputs(world)
    rows = {f: {"statistical next": stat[i, :, 0].sum(), "statistical horizon": stat[i].sum()}
            for i, f in enumerate(fams)}  # fmt: skip
    record = _track_record(world)
    for name, value in inputs.items():
        for i, f in enumerate(fams):
            has = value[i].sum() > 0
            rows[f][f"{name} next"] = value[i, :, 0].sum() if has else np.nan
            rows[f][f"{name} horizon"] = value[i].sum() if has else np.nan
            rows[f][f"{name} bias so far"] = record.get(name, {}).get(f, np.nan)
    out = pd.DataFrame.from_dict(rows, orient="index").round(3)
    out.index.name = "family"
    return out


def _track_record(world) -> dict:
    """{input: {family: mean (input - orders) / orders}} over the months played."""
    out: dict = {}
    for r in world.history:
        orders = _family_units(r["orders"])
        for name, value in demand_inputs(world, r["index"]).items():
            for i, f in enumerate(world.data.families):
                if value[i].sum() > 0 and orders[f] > 0:
                    err = (value[i, :, 0].sum() - orders[f]) / orders[f]
                    out.setdefault(name, {}).setdefault(f, []).append(err)
    return {n: {f: float(np.mean(v)) for f, v in by_f.items()} for n, by_f in out.items()}


def consensus_plan(world, weights: dict | None = None, adjust: dict | None = None) -> dict:
    """The consensus demand plan (a decision set's ``demand_plan``): a weighted blend of
    the statistical forecast and the inputs, then a judgement ``adjust`` by family.

    ``weights`` maps ``"statistical"`` and input names to weights (normalised to 1 over
    the sources a family has; default: the statistical forecast alone); an input is taken
    net of its known bias (:data:`INPUTS`), as a planner who knows the bias would.
    ``adjust`` maps families to a share, e.g. ``{"road": 0.05}`` = 5 % more.
    """
    weights = {"statistical": 1.0} if weights is None else dict(weights)
    adjust = {} if adjust is None else dict(adjust)
    fams = list(world.data.families)
    known = {"statistical", *INPUTS}
    problems = [f"unknown source {k!r} (use {sorted(known)})" for k in weights if k not in known]
    problems += [f"weight of {k} is {w!r}: give a number, 0 or more" for k, w in weights.items()
                 if not isinstance(w, int | float) or w < 0]  # fmt: skip
    problems += [f"unknown family {f!r} in adjust (use {fams})" for f in adjust if f not in fams]
    problems += [f"adjust of {f} is {a!r}: give a share above -1, e.g. 0.05" for f, a in
                 adjust.items() if not isinstance(a, int | float) or a <= -1]  # fmt: skip
    if not problems and sum(weights.values()) <= 0:
        problems.append("the weights add up to 0: give at least one source a weight above 0")
    if problems:
        raise ValueError("the consensus plan cannot be built: " + "; ".join(problems))
    sources = {"statistical": world.statistical_forecast()}
    for name, value in demand_inputs(world).items():
        sources[name] = value / (1 + INPUTS[name]["bias"])
    plan = np.zeros_like(sources["statistical"])
    for i, f in enumerate(fams):
        have = {k: w for k, w in weights.items() if k in sources and sources[k][i].sum() > 0}
        total = sum(have.values()) or 1.0
        blend = sum(w * sources[k][i] for k, w in have.items()) / total if have else 0
        if not have:
            blend = sources["statistical"][i]
        plan[i] = np.round(blend * (1 + float(adjust.get(f, 0.0))), 1)
    markets = world.data.markets
    return {f: {m: plan[i, j].tolist() for j, m in enumerate(markets)}
            for i, f in enumerate(fams)}  # fmt: skip


# -- 3. the supply review ---------------------------------------------------------------
def view_with_plan(view: dict, demand_plan: dict | None) -> dict:
    """The view with the consensus plan in place of the statistical forecast, so that a
    scripted policy plans supply on the consensus."""
    if not demand_plan:
        return view
    return {**view, "forecast": demand_plan}


def supply_review(world, demand_plan: dict | None = None) -> dict:
    """Rough-cut capacity of the plan's chase production: ``load`` (DataFrame by plant and
    work centre: hours needed, hours on hand, overtime hours possible, utilisation),
    ``kits`` (by family: the plan's units next month, the kits the suppliers deliver, the
    stock), ``adviser`` (the balancing LP's production by plant and family) and
    ``constraints`` (sentences)."""
    view = view_with_plan(world.view(), demand_plan)
    wanted = policies.chase(view)["production"]
    rows = []
    for p in view["plants"]:
        for w, hours in view["capacity"][p].items():
            need = sum(units * view["hours_per_unit"][p].get(f, {}).get(w, 0.0)
                       for f, units in wanted[p].items())  # fmt: skip
            extra = view["max_overtime_hours"][p] * view["overtime_share"][p][w]
            rows.append({"plant": p, "work_centre": w, "hours_needed": round(need, 1),
                         "hours_on_hand": round(hours, 1), "overtime_possible": round(extra, 1),
                         "utilisation": need / hours if hours else np.nan})  # fmt: skip
    load = pd.DataFrame(rows).set_index(["plant", "work_centre"])
    stock = {f: sum(view["inventory"][p][f] for p in view["plants"]) for f in view["families"]}
    kits = pd.DataFrame(
        {
            "plan_next": {f: sum(v[0] for v in view["forecast"][f].values()) for f in stock},
            "kits": view["kit_supply"],
            "stock": stock,
        }
    )
    kits.index.name = "family"
    horizon = _horizon_load(view)
    adviser = pd.DataFrame(policies.lp_plan(view)["production"]).fillna(0.0)
    adviser.index.name = "family"
    constraints = []
    for (p, w), row in load.iterrows():
        if row["utilisation"] > 1:
            over = row["hours_needed"] - row["hours_on_hand"]
            fix = "overtime covers it" if over <= row["overtime_possible"] else "beyond overtime"
            constraints.append(f"{p} {w}: {row['utilisation']:.0%} loaded ({fix}).")
    pending = [a for a in view["pending_actions"] if a["kind"] == "capacity"]
    constraints += [f"Capacity on order: {a['units']} unit(s) of {a['plant']} "
                    f"{a['work_centre']}, from game month {a['index'] + 1}." for a in pending]  # fmt: skip
    peak = horizon.filter(like="peak").max(axis=1)
    over = list(peak[peak > 1].index)
    if over:
        constraints.append(
            f"In {len(over)} month(s) of the horizon ({over[0]} to {over[-1]}) the plan needs "
            f"more than a work centre's regular hours (up to {peak.max():.0%}): build ahead, "
            "work overtime or add capacity."
        )
    if horizon["short"].sum() > 0:
        constraints.append(f"{horizon['short'].sum():.0f} units of the plan fit in no plant's "
                           "hours, overtime included.")  # fmt: skip
    return {"load": load, "horizon": horizon, "kits": kits, "adviser": adviser,
            "constraints": constraints or ["No work centre is loaded beyond its hours."]}  # fmt: skip


def _horizon_load(view: dict) -> pd.DataFrame:
    """Month by month over the horizon: the plan's units, the units that fit in the plants'
    hours and overtime (:func:`sopcourse.game.policies.fit_production`), the rest
    (``short``), and each plant's peak utilisation of its regular hours."""
    from .world_data import month_index, month_label

    t0 = month_index(view["month"])
    rows = {}
    for h in range(view["horizon"]):
        wanted = {f: math.floor(sum(v[h] for v in view["forecast"][f].values()))
                  for f in view["families"]}  # fmt: skip
        production, _ = policies.fit_production(view, wanted)
        placed = sum(sum(by_f.values()) for by_f in production.values())
        row = {"plan": sum(wanted.values()), "placed": placed,
               "short": max(0.0, sum(wanted.values()) - placed)}  # fmt: skip
        for p in view["plants"]:
            use = [sum(u * view["hours_per_unit"][p].get(f, {}).get(w, 0.0)
                       for f, u in production[p].items()) / c
                   for w, c in view["capacity"][p].items() if c]  # fmt: skip
            row[f"peak {p}"] = max(use) if use else 0.0
        rows[month_label(t0 + h)] = row
    out = pd.DataFrame.from_dict(rows, orient="index").round(3)
    out.index.name = "month"
    return out


# -- 4. the pre-S&OP --------------------------------------------------------------------
def _projection(view: dict, dec: dict) -> dict:
    """The month as the plan sees it: orders = the plan's first month, supply as decided."""
    stock = {f: sum(view["inventory"][p][f] for p in view["plants"]) for f in view["families"]}
    back = _family_units(view["backlog"])
    made = {f: sum(dec["production"][p].get(f, 0.0) for p in view["plants"])
            for f in view["families"]}  # fmt: skip
    revenue = cost = shipped = due_all = close_all = 0.0
    for f in view["families"]:
        kits = view["kit_supply"][f]
        made[f] = min(made[f], kits)
        due = sum(v[0] for v in view["forecast"][f].values()) + back[f]
        ship = min(due, stock[f] + made[f])
        price = np.mean(list(view["price"][f].values()))
        revenue += ship * price
        cost += ship * view["standard_cost"][f]
        shipped += ship
        due_all += due
        close_all += stock[f] + made[f] - ship
    return {"made": sum(made.values()), "shipped": shipped, "fill_rate": shipped / due_all
            if due_all else 1.0, "closing_stock": close_all, "revenue": revenue,
            "gross_margin": revenue - cost}  # fmt: skip


def pre_sop(world, demand_plan: dict | None = None) -> dict:
    """The supply scenarios projected on the consensus plan: ``scenarios`` (DataFrame, one
    row each: units made, shipped, projected fill rate, closing stock, revenue, gross
    margin, overtime hours, gap to the plan's revenue), ``decisions`` ({scenario: decision
    set}) and ``issues`` to escalate (sentences)."""
    view = view_with_plan(world.view(), demand_plan)
    plan_revenue = sum(sum(v[0] for v in view["forecast"][f].values())
                       * np.mean(list(view["price"][f].values())) for f in view["families"])  # fmt: skip
    rows, decisions = {}, {}
    for name, policy in SCENARIOS.items():
        dec = policy(view)
        decisions[name] = dec
        proj = _projection(view, dec)
        proj["overtime_hours"] = sum(dec["overtime_hours"].values())
        proj["revenue_gap"] = proj["revenue"] - plan_revenue
        rows[name] = proj
    table = pd.DataFrame.from_dict(rows, orient="index").round(3)
    table.index.name = "scenario"
    issues = []
    short = table[table["fill_rate"] < SERVICE_TARGETS["all"]]
    for name, row in short.iterrows():
        issues.append(f"{name}: the plan cannot be met in full ({row['fill_rate']:.0%} of the "
                      f"units due): decide what gives, service or cost.")  # fmt: skip
    if (table["overtime_hours"] > 0).any():
        issues.append("Overtime is needed in at least one scenario: approve its cost or not.")
    best = table["gross_margin"].idxmax()
    issues.append(f"The highest projected gross margin is the {best} scenario's.")
    return {"scenarios": table, "decisions": decisions, "issues": issues}


# -- 5. the executive meeting -----------------------------------------------------------
def executive_decision(world, scenario, reason: str, *, demand_plan=None, allocation=None,
                       actions=(), record: bool = True) -> dict:  # fmt: skip
    """The month's decision set: the chosen ``scenario`` (a name of :data:`SCENARIOS` or a
    decision set) on the consensus ``demand_plan``, the ``allocation`` rule and the
    ``actions``; the choice and its ``reason`` go into the world's log (``record``)."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("say why: the executive meeting records a reason for its decision")
    view = view_with_plan(world.view(), demand_plan)
    if isinstance(scenario, str):
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}: choose one of {list(SCENARIOS)}")
        dec = SCENARIOS[scenario](view)
        name = scenario
    elif isinstance(scenario, dict):
        dec, name = dict(scenario), "own plan"
    else:
        raise ValueError("scenario must be a scenario's name or a decision set (a dict)")
    if demand_plan is not None:
        dec["demand_plan"] = demand_plan
    if allocation is not None:
        dec["allocation"] = allocation
    dec["actions"] = list(dec.get("actions", [])) + list(actions)
    problems = world.problems(dec)
    if problems:
        raise ValueError(f"the {name} decision set is refused: " + "; ".join(problems))
    if record:
        world.note("decision", f"{name}: {reason.strip()}", stage="executive")
    return dec


# -- the computer's roles ---------------------------------------------------------------
def computer_parts(world, roles, *, demand_plan=None) -> dict:
    """{role: part} for the ``roles`` the computer plays: the demand planner blends the
    statistical forecast and marketing's input net of its bias, the supply planner makes
    the LP's plan on the consensus (``demand_plan`` when the learner set it), finance
    and the executive add no action and keep fair-share allocation."""
    unknown = [r for r in roles if r not in ROLE_KEYS]
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}: use {list(ROLE_KEYS)}")
    plan = demand_plan
    if plan is None:
        plan = consensus_plan(world, {"statistical": 0.5, "marketing": 0.5})
    parts = {}
    for role in roles:
        if role == "demand_planner":
            parts[role] = {"demand_plan": plan}
        elif role == "supply_planner":
            dec = policies.lp_plan(view_with_plan(world.view(), plan))
            parts[role] = {k: dec[k] for k in ROLE_KEYS[role] if k in dec}
        elif role == "executive":
            parts[role] = {"allocation": {"rule": "fair_share"}}
        else:
            parts[role] = {}
    return parts
