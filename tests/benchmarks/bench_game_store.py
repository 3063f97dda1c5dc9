"""Load test: 30 players (processes) in one team game on SQLite, the Tallridge engine.

    cd /work/main && .venv/bin/python tests/benchmarks/bench_game_store.py [--players 30]

The first player of each of the four roles leads it, the others are deputies; every
player submits each month twice (a retry), deputies first. Prints the wall time per
month and checks that no decision is lost or doubled: one decision per month and role,
from its lead, every deputy's proposal logged once, every month closed once.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

from sopcourse.game import ROLE_KEYS, World, chase
from sopcourse.game.store import ROLES, GameStore


def _part(state, role):
    decisions = chase(World.from_json(state).view())
    return {k: v for k, v in decisions.items() if k in ROLE_KEYS[role] and k != "actions"}


def player(path, game, role, who, lead, months, barrier, out):
    store = GameStore(path)
    try:
        for m in range(months):
            while store.status(game)["month_index"] < m:
                time.sleep(0.005)
            if lead:
                barrier.wait(120)
            part = _part(store.state(game), role)
            for _ in range(2):
                store.submit(game, m, role, who, part, f"{who}, month {m}")
            if not lead:
                barrier.wait(120)
        out.put((who, "ok"))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        out.put((who, f"{type(exc).__name__}: {exc}"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, default=30)
    ap.add_argument("--months", type=int, default=6)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "class.sqlite"
        store = GameStore(path)
        game = store.create_game("load test", seed=1, months=args.months)
        seats = [(ROLES[i % 4], f"p{i:02d}") for i in range(args.players)]
        leads = set()
        for role, who in seats:
            if store.join(game, role, who)["lead"]:
                leads.add(who)
        barrier = mp.Barrier(len(seats))
        out = mp.Queue()
        procs = [
            mp.Process(
                target=player,
                args=(path, game, r, w, w in leads, args.months, barrier, out),
            )
            for r, w in seats
        ]
        start = time.perf_counter()
        for p in procs:
            p.start()
        answers = dict(out.get(timeout=600) for _ in procs)
        for p in procs:
            p.join()
        wall = time.perf_counter() - start
        bad = {w: a for w, a in answers.items() if a != "ok"}
        decided = store.decisions(game)
        log = store.log(game)
        proposals = sum(e["kind"] == "proposal" for e in log)
        closed = sum(e["kind"] == "closed" for e in log)
        expect_prop = args.months * (len(seats) - len(leads))
        ok = (
            not bad
            and len(decided) == args.months * 4
            and all(d["player"] in leads and d["revision"] == 0 for d in decided)
            and proposals == expect_prop
            and closed == args.months == len(store.results(game))
        )
    print(f"{len(seats)} players ({len(leads)} leads), {args.months} months, each submit twice")
    print(f"wall {wall:.1f} s = {wall / args.months:.2f} s per month (process start included)")
    print(
        f"decisions {len(decided)} (want {args.months * 4}), proposals {proposals} "
        f"(want {expect_prop}), months closed {closed}; errors {json.dumps(bad)}"
    )
    print("no decision lost or doubled" if ok else "FAILED: a decision was lost or doubled")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
