"""``sopcourse game``: the instructor's commands for a class's team games.

A class's games live in one store (a SQLite file, or a ``postgresql://`` URL):

* ``sopcourse game new STORE --team "Team A" --team "Team B" --seed 7`` starts one game
  per team on the same seed (the same demand and events, so teams compare fairly) and
  prints the ids to give the players (``sop.widgets.team_cockpit(store, id, role, name)``);
* ``sopcourse game status STORE`` shows each game's month, who is in and who is awaited;
* ``sopcourse game teams STORE [--csv FILE]`` lists all teams side by side with their
  scorecards and the chase benchmark on the same game (:func:`sopcourse.game.class_view`);
* ``sopcourse game close STORE GAME`` closes the open month of a game before every role is
  in: the computer plays the missing roles (:func:`sopcourse.game.computer_parts`).
"""

from __future__ import annotations

import sys

__all__ = ["run", "ACTIONS"]


def _store(args):
    from .store import GameStore

    return GameStore(args.store)


def _new(args) -> int:
    store = _store(args)
    for team in args.team:
        game = store.create_game(team, seed=args.seed, start=args.start, months=args.months)
        print(f"{game}  {team}")
    print(
        f"{len(args.team)} game(s) on seed {args.seed}, {args.months} months from {args.start}. "
        "Each player opens: sop.widgets.team_cockpit(sop.game.GameStore(STORE), GAME_ID, "
        "ROLE, NAME)"
    )
    return 0


def _status(args) -> int:
    store = _store(args)
    games = store.games()
    if not games:
        print(f"no game in {store.where} yet: sopcourse game new {args.store} --team NAME")
        return 0
    for g in games:
        s = store.status(g["game_id"])
        seats = ", ".join(
            f"{x['role']}={x['player']}{'' if x['lead'] else ' (deputy)'}" for x in s["seats"]
        )
        state = "over" if s["over"] else f"month {s['month_index'] + 1} of {s['months']} open"
        waiting = ", ".join(s["waiting_for"]) or "nobody"
        print(f"{g['game_id']}  {g['name']}: {state}; waiting for {waiting}; seats: {seats or '-'}")
    return 0


def _teams(args) -> int:
    import pandas as pd

    from .debrief import class_view

    table = class_view(_store(args))
    if args.csv:
        table.to_csv(args.csv)
        print(f"wrote {args.csv} ({len(table)} team(s))")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        shown = ["team", "months", "profit", "fill_rate", "inventory_turns",
                 "cash_to_cash_days", "forecast_wape", "chase_profit", "profit_gap_to_chase"]  # fmt: skip
        print(table[[c for c in shown if c in table.columns]].round(3).to_string())
    return 0


def _close(args) -> int:
    from .engine import World
    from .meeting import computer_parts

    store = _store(args)
    status = store.status(args.game)
    if status["over"]:
        print(f"game {args.game} is over: nothing to close", file=sys.stderr)
        return 1
    world = World.from_json(store.state(args.game))
    defaults = computer_parts(world, status["waiting_for"])
    result = store.close_month(args.game, status["month_index"], defaults)
    played = ", ".join(status["waiting_for"]) or "nobody"
    print(
        f"closed {result['month']} of game {args.game} (the computer played: {played}): "
        f"operating profit EUR {result['pnl']['operating_profit']:,.0f}, "
        f"fill rate {result['service']['all']:.1%}"
    )
    return 0


ACTIONS = {"new": _new, "status": _status, "teams": _teams, "close": _close}


def run(action: str, args) -> int:
    """Run ``sopcourse game ACTION`` (the parser is in :mod:`sopcourse.cli`, so that
    ``sopcourse --help`` does not import the game); a ValueError is a message, exit 2."""
    try:
        return ACTIONS[action](args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
