"""Load test: 30 players (processes) in one team game, the Tallridge engine, on SQLite and
on PostgreSQL (the same store code).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_game_store.py [--players 30]
        [--backend sqlite|postgres|both] [--url postgresql://...]

The first player of each of the four roles leads it, the others are deputies; every
player submits each month twice (a retry), deputies first. PostgreSQL is a throw-away
server of its own (as the tests start one; fsync on, as a real one), or ``--url``, an
existing empty database. Prints the submissions per second, the seconds per month closed
and the decisions lost or doubled (there must be none): one decision per month and role,
from its lead, every deputy's proposal logged once, every month closed once.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from sopcourse.game import ROLE_KEYS, World, chase
from sopcourse.game.store import ROLES, GameStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the server helper


def _part(state, role):
    decisions = chase(World.from_json(state).view())
    return {k: v for k, v in decisions.items() if k in ROLE_KEYS[role] and k != "actions"}


def player(location, game, role, who, lead, months, barrier, out):
    store = GameStore(location)
    submits, first, last = 0, None, None
    try:
        for m in range(months):
            while store.status(game)["month_index"] < m:
                time.sleep(0.005)
            if lead:
                barrier.wait(120)
            part = _part(store.state(game), role)
            for _ in range(2):
                t = time.time()
                first = t if first is None else first
                store.submit(game, m, role, who, part, f"{who}, month {m}")
                last, submits = time.time(), submits + 1
            if not lead:
                barrier.wait(120)
        out.put((who, "ok", submits, first, last))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        out.put((who, f"{type(exc).__name__}: {exc}", submits, first, last))
    finally:
        store.close()


def _count(store, game, leads, seats, months) -> tuple[int, int]:
    """Decisions (and proposals, and closed months) lost and doubled."""
    decided = store.decisions(game)
    log = store.log(game)
    want_decisions = {(m, r) for m in range(months) for r in ROLES}
    got_decisions = Counter((d["month_index"], d["role"]) for d in decided)
    want_proposals = {(m, w) for m in range(months) for _, w in seats if w not in leads}
    got_proposals = Counter((e["month_index"], e["player"]) for e in log if e["kind"] == "proposal")
    closed = Counter(e["month_index"] for e in log if e["kind"] == "closed")
    lost = (
        len(want_decisions - set(got_decisions))
        + len(want_proposals - set(got_proposals))
        + len(set(range(months)) - set(closed))
    )
    doubled = (
        sum(c - 1 for c in [*got_decisions.values(), *got_proposals.values(), *closed.values()])
        + sum(d["revision"] > 0 or d["player"] not in leads for d in decided)  # a deputy's won
        + len(set(got_decisions) - want_decisions)
        + (len(store.results(game)) - months)
    )
    return lost, doubled


def run(location, players: int, months: int) -> bool:
    store = GameStore(location)
    game = store.create_game("load test", seed=1, months=months)
    seats = [(ROLES[i % 4], f"p{i:02d}") for i in range(players)]
    leads = {who for role, who in seats if store.join(game, role, who)["lead"]}
    store.close()  # the players are processes of their own, with their own connections
    barrier = mp.Barrier(len(seats))
    out = mp.Queue()
    procs = [
        mp.Process(target=player, args=(location, game, r, w, w in leads, months, barrier, out))
        for r, w in seats
    ]
    start = time.perf_counter()
    for p in procs:
        p.start()
    answers = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - start
    bad = {who: a for who, a, *_ in answers if a != "ok"}
    submits = sum(n for _, _, n, _, _ in answers)
    first = min(t for *_, t, _ in answers if t is not None)
    last = max(t for *_, t in answers if t is not None)
    closes = [e["at"] for e in store.log(game) if e["kind"] == "closed"]
    lost, doubled = _count(store, game, leads, seats, months)
    store.close()
    print(f"  {len(seats)} players ({len(leads)} leads), {months} months, each submits twice")
    print(
        f"  {submits} submissions in {last - first:.2f} s = {submits / (last - first):.0f} "
        f"submissions/s; {(max(closes) - first) / months:.3f} s per month closed "
        f"(first submission to last close); wall {wall:.1f} s with process start"
    )
    print(f"  lost {lost}, doubled {doubled}; errors {bad or 'none'}")
    ok = not bad and lost == 0 and doubled == 0
    print("  no decision lost or doubled" if ok else "  FAILED: a decision was lost or doubled")
    return ok


@contextmanager
def _postgres(url):
    if url:
        yield url
        return
    from test_game_store import postgres_server

    with postgres_server(durable=True) as server:
        yield server.new_database()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--players", type=int, default=30)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--url", help="an existing empty PostgreSQL database, not a new server")
    args = ap.parse_args(argv)
    ok = True
    if args.backend in ("sqlite", "both"):
        print("SQLite (a file, BEGIN IMMEDIATE)")
        with tempfile.TemporaryDirectory() as tmp:
            ok &= run(Path(tmp) / "class.sqlite", args.players, args.months)
    if args.backend in ("postgres", "both"):
        print("PostgreSQL (psycopg, a per-game advisory lock)")
        with _postgres(args.url) as url:
            ok &= run(url, args.players, args.months)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
