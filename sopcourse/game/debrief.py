"""The debrief of a played game: where each month's decisions helped or hurt.

A benchmark policy (:func:`~sopcourse.game.policies.chase` by default) plays the world's
own game: the same seed (so the same demand draws), start month, length and event
schedule, for the months played. Any difference between the two is then the decisions'.

:func:`debrief` lines the two up month by month and splits the operating-profit
difference into its P&L lines (each ``from_*`` column is that line's effect on profit,
player minus benchmark, + = helped, and they add up to ``profit_diff``), with a verdict in
words; :func:`plot_debrief` draws the cumulative profit of the player and the benchmarks;
:func:`class_view` puts every team of a class (a :class:`~sopcourse.game.store.GameStore`)
side by side, for the instructor.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .engine import World, new_game
from .policies import chase, level, lp_plan
from .scoring import scorecard
from .world_data import month_label

__all__ = ["benchmark_world", "debrief", "plot_debrief", "class_view"]

#: The built-in benchmarks a name may stand for.
BENCHMARKS = {"chase": chase, "level": level, "lp_plan": lp_plan}
#: The P&L lines of the operating profit, with their sign in it (revenue +, costs -).
COMPONENTS = {
    "revenue": 1,
    "cogs": -1,
    "overtime": -1,
    "freight": -1,
    "expedite": -1,
    "holding": -1,
    "backorder": -1,
    "actions": -1,
}
#: The scorecard figures of :func:`class_view`.
CLASS_FIGURES = (
    "profit",
    "fill_rate",
    "fill_rate_A",
    "fill_rate_B",
    "fill_rate_C",
    "inventory_turns",
    "cash_to_cash_days",
    "forecast_wape",
    "forecast_bias",
    "plan_stability",
    "bullwhip",
)
EVEN = 0.5  # EUR: a month's profit difference below this is "even"


def _policy(benchmark) -> tuple[str, object]:
    """(name, policy function) of a built-in policy's name or of a function of the view."""
    if isinstance(benchmark, str):
        if benchmark not in BENCHMARKS:
            raise ValueError(
                f"unknown benchmark {benchmark!r}: give one of {list(BENCHMARKS)} or your "
                "own policy function (view -> decision set)"
            )
        return benchmark, BENCHMARKS[benchmark]
    if callable(benchmark):
        name = getattr(benchmark, "__name__", "")
        return (name if name.isidentifier() else "the benchmark"), benchmark
    raise ValueError(
        f"a benchmark is a policy's name ({list(BENCHMARKS)}) or a function of the view, "
        f"not {type(benchmark).__name__}"
    )


def _played(world) -> int:
    if not isinstance(world, World):
        raise ValueError(
            f"give a game World (new_game(...) or play(...)), not {type(world).__name__}"
        )
    played = len(world._s["history"])
    if played == 0:
        raise ValueError(
            "no month is played yet, so there is nothing to debrief: step the world (or "
            "close a month of the team game) first"
        )
    return played


def benchmark_world(world, benchmark="chase") -> World:
    """``benchmark`` played on ``world``'s own game for the months ``world`` has played.

    The same seed (the same demand draws), start month, length and event schedule, so the
    two worlds differ only by the decisions. ``benchmark``: ``"chase"``, ``"level"``,
    ``"lp_plan"`` or a policy function ``policy(view) -> decision set``.

    Examples
    --------
    >>> from sopcourse.game.policies import level, play
    >>> world = play(level, seed=1, months=2)
    >>> twin = benchmark_world(world, "level")
    >>> twin.history[-1]["pnl"] == world.history[-1]["pnl"]
    True
    """
    played = _played(world)
    _, policy = _policy(benchmark)
    twin = new_game(world.seed, world.start, world.months, events=world.events)
    for _ in range(played):
        twin.step(policy(twin.view()))
    return twin


def _total(nested) -> float:
    if isinstance(nested, dict):
        return float(sum(_total(v) for v in nested.values()))
    return float(nested)


def _by_family(by_plant: dict) -> dict:
    out: dict = {}
    for by_f in by_plant.values():
        for f, units in by_f.items():
            out[f] = out.get(f, 0.0) + float(units)
    return out


def _month_figures(r: dict) -> dict:
    """The figures of one history row that the debrief compares."""
    return {
        "profit": float(r["pnl"]["operating_profit"]),
        "fill_rate": float(r["service"]["all"]),
        "lost_units": _total(r["lost"]),
        "inventory_units": _total(r["inventory_close"]),
        "production_units": _total(r["production"]),
        "shipped": _total(r["shipments"]),
        "backlog": _total(r["backlog_out"]),
        "lost_sale_cost": float(r["lost_sale_cost"]),
        "production": _by_family(r["production"]),
    }


def _eur(amount: float, signed: bool = False) -> str:
    sign = ("+" if amount > 0 else "-") if signed and round(amount) != 0 else ""
    return f"{sign}EUR {abs(amount):,.0f}"


def _units(n: float, what: str = "units") -> str:
    return f"{abs(n):,.0f} {'more' if n > 0 else 'fewer'} {what}"


def _describe_action(a: dict, k: int, start_t: int) -> str:
    kind = a.get("kind")
    if kind == "promotion":
        at = a.get("month_index", k + 1)
        return (
            f"a promotion of {a['family']} in {a['market']} "
            f"({100 * float(a['discount']):g} % off in {month_label(start_t + at)})"
        )
    if kind == "price_change":
        where = f" in {a['market']}" if a.get("market") else ""
        return f"a price change of {100 * float(a['change']):+g} % on {a['family']}{where}"
    if kind == "expedite":
        return f"expediting {float(a['units']):,.0f} {a['family']} kits"
    if kind == "capacity":
        return f"{a['units']} more {a['work_centre']} units leased at {a['plant']}"
    return f"a {kind} action"


def _promotions(history, k: int) -> list[tuple[str, dict]]:
    """("runs" | "after", action) of the player's promotions that touch month ``k``."""
    out = []
    for j, r in enumerate(history[: k + 1]):
        for a in r["actions"]:
            if a.get("kind") == "promotion":
                at = a.get("month_index", j + 1)
                if at == k:
                    out.append(("runs", a))
                elif at == k - 1:
                    out.append(("after", a))
    return out


def _market_revenue(r: dict, family: str, market: str) -> float:
    units = sum(r["shipments"][family][market].values())
    return float(units) * float(r["price"][family][market])


def _driver_phrase(driver, effects, me, bench, name, actions_text) -> str:
    effect = _drivers(effects)[driver]
    more = "more" if effect < 0 else "less"  # a cost line: effect < 0 = more cost
    shipped = me["shipped"] - bench["shipped"]
    if driver == "margin":
        if round(shipped) == 0:
            why = f"the same units shipped as {name}, at other prices"
        elif (shipped > 0) == (effect > 0):
            why = f"from {_units(shipped, 'units shipped')} than {name}"
        else:
            why = f"though {_units(shipped, 'units were shipped')} than {name} (other prices)"
        return (
            f"{_eur(effects['revenue'], signed=True)} revenue, "
            f"{_eur(effect, signed=True)} after the cost of goods, {why}"
        )
    if driver == "holding":
        stock = me["inventory_units"] - bench["inventory_units"]
        why = f" on {_units(stock, 'units in stock')}" if round(stock) else ""
        return f"{_eur(effect)} {more} holding cost than {name}{why}"
    if driver == "backorder":
        back = me["backlog"] - bench["backlog"]
        why = f" ({_units(back, 'units backordered')})" if round(back) else ""
        return f"{_eur(effect)} {more} backorder cost than {name}{why}"
    if driver in ("actions", "expedite") and effect < 0 and actions_text:
        return f"{_eur(effect)} on {actions_text}"
    if driver == "actions":
        return f"{_eur(effect)} {more} spent on actions than {name}"
    line = {"overtime": "overtime", "freight": "freight", "expedite": "expediting cost"}
    return f"{_eur(effect)} {more} {line.get(driver, driver)} than {name}"


def _production_clause(me, bench, name) -> str:
    gaps = {f: u - bench["production"].get(f, 0.0) for f, u in me["production"].items()}
    if not gaps:
        return ""
    f = max(gaps, key=lambda g: abs(gaps[g]))
    if round(gaps[f]) == 0:
        return ""
    return (
        f"you made {_units(gaps[f], f)} than {name} "
        f"({me['production'][f]:,.0f} vs {bench['production'].get(f, 0.0):,.0f})"
    )


def _context(driver, k, world, mine, theirs, me, bench, name) -> list[str]:
    """The decisions of the month (and running promotions) that explain the gap."""
    clauses = []
    for how, a in _promotions(world._s["history"], k):
        f, m = a["family"], a["market"]
        if how == "runs":
            gap = _market_revenue(mine, f, m) - _market_revenue(theirs, f, m)
            clauses.append(
                f"your promotion of {f} in {m} ran this month "
                f"({_eur(gap, signed=True)} revenue there vs {name})"
            )
        else:
            clauses.append(f"the month after your promotion of {f} in {m} (demand dips)")
    if driver not in ("actions", "expedite"):
        made = _production_clause(me, bench, name)
        if made:
            clauses.append(made)
        taken = [_describe_action(a, k, world._s["start_t"]) for a in mine["actions"]]
        if taken:
            clauses.append("you also took " + ", ".join(taken))
    return clauses


def _drivers(effects: dict) -> dict:
    """The effects with revenue and COGS as one driver, the gross margin (the cost of
    goods follows the units shipped, so the two are one decision's two sides)."""
    rest = {c: e for c, e in effects.items() if c not in ("revenue", "cogs")}
    return {"margin": effects["revenue"] + effects["cogs"], **rest}


def _verdict(k, world, mine, theirs, me, bench, effects, name) -> str:
    diff = me["profit"] - bench["profit"]
    if abs(diff) < EVEN:
        return f"even: the same operating profit as {name}"
    sign = 1 if diff > 0 else -1
    same_side = {c: e for c, e in _drivers(effects).items() if e * sign > 0}
    driver = max(same_side, key=lambda c: abs(same_side[c]))
    kinds = ("expedite",) if driver == "expedite" else ("promotion", "price_change", "capacity")
    own = [a for a in mine["actions"] if a.get("kind") in kinds]
    leased = sum(
        int(a.get("units", 0))
        for r in world._s["history"][: k + 1]
        for a in r["actions"]
        if a.get("kind") == "capacity"
    )
    if driver == "actions" and not own and leased:
        own_text = f"the lease of {leased} capacity units"
    else:
        own_text = ", ".join(_describe_action(a, k, world._s["start_t"]) for a in own)
    head = "helped" if diff > 0 else "hurt"
    text = f"{head}: " + _driver_phrase(driver, effects, me, bench, name, own_text)
    clauses = _context(driver, k, world, mine, theirs, me, bench, name)
    return "; ".join([text, *clauses[:2]])


def debrief(world, benchmark="chase") -> pd.DataFrame:
    """Month by month, the player's result beside a benchmark's on the same game.

    One row per month played (index ``month``): ``profit`` (operating profit, EUR),
    ``fill_rate`` (the month's units shipped / due), ``lost_units``, ``inventory_units``
    (closing stock of both plants) and ``production_units``, each also as
    ``benchmark_*`` and (but production) as ``*_diff`` = player - benchmark; then
    ``from_revenue``, ``from_cogs``, ``from_overtime``, ``from_freight``,
    ``from_expedite``, ``from_holding``, ``from_backorder`` and ``from_actions``: each
    P&L line's effect on the profit difference (+ = the player earned more by it; they
    add up to ``profit_diff``); ``lost_sale_cost_diff``, player - benchmark (a memo: the
    goodwill of lost sales is not in the P&L, so it is not in the sum); and ``verdict``,
    the month in words: helped or hurt, by the biggest P&L line on the side of the
    difference, with the decisions that explain it.

    ``benchmark``: ``"chase"``, ``"level"``, ``"lp_plan"`` or a policy function; it plays
    the world's seed, start, length and event schedule (:func:`benchmark_world`).

    Examples
    --------
    >>> from sopcourse.game.policies import level, play
    >>> table = debrief(play(level, seed=1, months=2), "chase")
    >>> len(table), bool(table["verdict"].str.match("helped|hurt|even").all())
    (2, True)
    """
    played = _played(world)
    name, policy = _policy(benchmark)
    twin = benchmark_world(world, policy)
    rows = []
    for k in range(played):
        mine, theirs = world._s["history"][k], twin._s["history"][k]
        me, bench = _month_figures(mine), _month_figures(theirs)
        effects = {
            c: sign * (float(mine["pnl"][c]) - float(theirs["pnl"][c])) + 0.0
            for c, sign in COMPONENTS.items()
        }
        row = {"month": mine["month"]}
        for key in ("profit", "fill_rate", "lost_units", "inventory_units"):
            row[key], row[f"benchmark_{key}"] = me[key], bench[key]
            row[f"{key}_diff"] = me[key] - bench[key]
        row["production_units"] = me["production_units"]
        row["benchmark_production_units"] = bench["production_units"]
        row.update({f"from_{c}": e for c, e in effects.items()})
        row["lost_sale_cost_diff"] = me["lost_sale_cost"] - bench["lost_sale_cost"]
        row["verdict"] = _verdict(k, world, mine, theirs, me, bench, effects, name)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("month")
    table.attrs["benchmark"] = name
    return table


def _benchmark_list(benchmarks) -> list[tuple[str, object]]:
    if isinstance(benchmarks, str) or callable(benchmarks):
        benchmarks = [benchmarks]
    if isinstance(benchmarks, dict):
        items = list(benchmarks.items())
        bad = [n for n, p in items if not callable(p)]
        if bad:
            raise ValueError(f"these benchmarks are not functions of the view: {bad}")
        return items
    items = [_policy(b) for b in benchmarks]
    if not items:
        raise ValueError("give at least one benchmark, e.g. benchmarks=('chase', 'level')")
    return items


def plot_debrief(world, benchmarks=("chase", "level"), ax=None):
    """The player's cumulative operating profit beside each benchmark's, month by month.

    ``benchmarks``: names (``"chase"``, ``"level"``, ``"lp_plan"``), policy functions or a
    dict ``{name: policy}``; each plays the world's own game (:func:`benchmark_world`).
    Where the player's line pulls away from a benchmark's, the decisions of those months
    earned (or cost) the gap. Returns the figure.

    Examples
    --------
    >>> from sopcourse.game.policies import level, play
    >>> fig = plot_debrief(play(level, seed=1, months=2), benchmarks=("chase",))
    >>> fig.axes[0].get_title(loc="left").startswith("Cumulative operating profit")
    True
    """
    import matplotlib.pyplot as plt

    played = _played(world)
    items = _benchmark_list(benchmarks)
    months = [r["month"] for r in world._s["history"]]
    x = np.arange(played)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    mine = np.cumsum([r["pnl"]["operating_profit"] for r in world._s["history"]])
    ax.plot(x, mine / 1e6, marker="o", lw=2.5, color="black", label="you")
    for name, policy in items:
        twin = benchmark_world(world, policy)
        theirs = np.cumsum([r["pnl"]["operating_profit"] for r in twin._s["history"]])
        ax.plot(x, theirs / 1e6, marker=".", lw=1.5, ls="--", label=name)
    ax.set_xticks(x, months, rotation=45 if played > 6 else 0)
    ax.set_ylabel("cumulative operating profit (EUR m)")
    ax.legend(frameon=False)
    ax.set_title(
        "Cumulative operating profit: the gap to each benchmark is what your decisions "
        "earned or cost",
        loc="left",
    )
    return ax.figure


def _class_row(store, game: dict) -> dict:
    row = {"game_id": game["game_id"], "team": game["name"], "months": 0,
           "game_months": game["months"]}  # fmt: skip
    nan = dict.fromkeys([*CLASS_FIGURES, "chase_profit", "chase_fill_rate"], math.nan)
    row.update(nan, profit_gap_to_chase=math.nan)
    try:
        world = World.from_json(store.state(game["game_id"]))
    except ValueError as exc:
        raise ValueError(
            f"game {game['game_id']!r} ({game['name']}) is not a Tallridge world of the "
            f"game engine, so class_view cannot score it: {exc}"
        ) from None
    played = len(world._s["history"])
    if played == 0:
        return row
    card = scorecard(world)
    bench = scorecard(benchmark_world(world, chase))
    row["months"] = played
    row.update({key: float(card[key]) for key in CLASS_FIGURES})
    row["chase_profit"] = float(bench["profit"])
    row["chase_fill_rate"] = float(bench["fill_rate"])
    row["profit_gap_to_chase"] = row["profit"] - row["chase_profit"]
    return row


def class_view(store, game_ids=None) -> pd.DataFrame:
    """Every team of a class side by side (the instructor's view), best profit first.

    One row per game of ``store`` (a :class:`~sopcourse.game.store.GameStore`; all its
    games, or those of ``game_ids``), index ``game_id``: ``team`` (the game's name),
    ``months`` (months played), ``game_months``, the scorecard figures (``profit``,
    ``fill_rate``, ``fill_rate_A``/``B``/``C``, ``inventory_turns``,
    ``cash_to_cash_days``, ``forecast_wape``, ``forecast_bias``, ``plan_stability``,
    ``bullwhip``), ``chase_profit`` and ``chase_fill_rate`` (the chase policy on the
    game's seed, start, events and months played) and ``profit_gap_to_chase`` (team -
    chase). A game with no month played yet has ``months`` 0 and NaN figures (last).
    """
    games = store.games()
    if game_ids is not None:
        if isinstance(game_ids, str):
            game_ids = [game_ids]
        known = {g["game_id"]: g for g in games}
        unknown = [g for g in game_ids if g not in known]
        if unknown:
            raise ValueError(
                f"no game {unknown} in {store.path}: choose among {list(known)} "
                "(store.games() lists them)"
            )
        games = [known[g] for g in game_ids]
    columns = ["team", "months", "game_months", *CLASS_FIGURES, "chase_profit"]
    columns += ["chase_fill_rate", "profit_gap_to_chase"]
    rows = [_class_row(store, g) for g in games]
    table = pd.DataFrame(rows, columns=["game_id", *columns]).set_index("game_id")
    table["months"] = table["months"].astype(int)
    return table.sort_values("profit", ascending=False, na_position="last", kind="stable")
