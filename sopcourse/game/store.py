"""The shared state of a team game, in SQLite: seats, decisions, months, the log.

A class plays one game as a team: the instructor creates it, each student takes a role
(demand planner, supply planner, finance, executive) from their own notebook, and the
decisions meet here. Everything a game is lives in one database file, so a game survives
a kernel restart or a closed browser: open the same file and go on.

Rules the store guarantees (each in one transaction, ``BEGIN IMMEDIATE``, so that any
number of players may submit at the same moment):

* **One decision per month and role.** The first player to take a role is its *lead*;
  later players of the role are *deputies*. Only the lead's submission counts; a
  deputy's is kept in the log as a proposal, and the lead may hand the role over
  (:meth:`GameStore.hand_over`). That is the arbitration between two players of one role.
* **Idempotent.** Submitting the same decision again changes nothing (a retry after a
  lost connection is safe); the lead may revise the decision until the month closes,
  and each revision is logged.
* **Nothing half-applied.** A malformed decision is refused with a ValueError that says
  why, and nothing is written. A month closes once, when the last role is in (or the
  instructor closes it): the engine steps, the result is stored, and that month can
  never be changed again.

The store knows nothing of the world it keeps: an *engine* (by default
:mod:`sopcourse.game.engine`) creates the state, checks a role's part, merges the parts
and steps the world, all on JSON text.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Engine", "GameStore", "ROLES"]

ROLES = ("demand_planner", "supply_planner", "finance", "executive")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    game_id TEXT PRIMARY KEY, name TEXT NOT NULL, seed INTEGER NOT NULL,
    start TEXT NOT NULL, months INTEGER NOT NULL, month_index INTEGER NOT NULL,
    state TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS seats (
    game_id TEXT NOT NULL, role TEXT NOT NULL, player TEXT NOT NULL,
    lead INTEGER NOT NULL, joined REAL NOT NULL, PRIMARY KEY (game_id, role, player));
CREATE TABLE IF NOT EXISTS decisions (
    game_id TEXT NOT NULL, month_index INTEGER NOT NULL, role TEXT NOT NULL,
    player TEXT NOT NULL, payload TEXT NOT NULL, reason TEXT NOT NULL, digest TEXT NOT NULL,
    revision INTEGER NOT NULL, submitted REAL NOT NULL,
    PRIMARY KEY (game_id, month_index, role));
CREATE TABLE IF NOT EXISTS results (
    game_id TEXT NOT NULL, month_index INTEGER NOT NULL, decisions TEXT NOT NULL,
    result TEXT NOT NULL, closed REAL NOT NULL, PRIMARY KEY (game_id, month_index));
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, game_id TEXT NOT NULL, month_index INTEGER,
    role TEXT, player TEXT, kind TEXT NOT NULL, text TEXT NOT NULL, digest TEXT,
    at REAL NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS one_proposal
    ON log (game_id, month_index, role, player, digest) WHERE kind = 'proposal';
"""


@dataclass(frozen=True)
class Engine:
    """What the store needs of a world, all on JSON text.

    new(seed, start, months) -> state; check(state, role, part) raises ValueError for a
    part that is malformed or impossible in that state; merge({role: part}) -> decisions;
    step(state, decisions) -> (new state, result as a JSON-able dict).
    """

    new: Callable[[int, str, int], str]
    check: Callable[[str, str, dict], None]
    merge: Callable[[dict], dict]
    step: Callable[[str, dict], tuple[str, dict]]
    roles: tuple = ROLES


def default_engine() -> Engine:
    """The Tallridge world of :mod:`sopcourse.game.engine`."""
    from . import engine as eng

    def new(seed, start, months):
        return eng.new_game(seed=seed, start=start, months=months).to_json()

    def check(state, role, part):
        eng.check_role_part(eng.World.from_json(state), role, part)

    def step(state, decisions):
        world = eng.World.from_json(state)
        result = world.step(decisions)
        return world.to_json(), result

    return Engine(new, check, eng.merge_role_decisions, step, tuple(eng.ROLE_KEYS))


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _plain(payload, what: str) -> dict:
    if not isinstance(payload, dict):
        raise ValueError(f"{what} must be a dict (JSON object), not {type(payload).__name__}")
    try:
        return json.loads(json.dumps(payload, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{what} must hold only JSON values (numbers, text, lists, dicts): {exc}"
        ) from None


class GameStore:
    """Games kept in one SQLite file (``path``), played through ``engine``.

    Every method opens its own connection, so one store may be used from many threads,
    processes or notebooks at once.
    """

    def __init__(self, path, engine: Engine | None = None, timeout: float = 60.0):
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ValueError(f"the folder {self.path.parent} does not exist: create it first")
        self.engine = engine or default_engine()
        self.timeout = timeout
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return db

    @contextmanager
    def _write(self):
        """One write transaction, taken at once (BEGIN IMMEDIATE): serialises writers."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _read(self, sql, args=()):
        db = self._connect()
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    # -- setting up ----------------------------------------------------------------------
    def create_game(self, name: str, *, seed: int = 0, start: str = "2026-01", months=12):
        """Start a game (the instructor); returns its id, to give the players."""
        if not str(name).strip():
            raise ValueError("give the game a name, e.g. 'Class A, week 7'")
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise ValueError(f"months must be a whole number, 1 or more; got {months!r}")
        state = self.engine.new(int(seed), str(start), months)
        game_id = uuid.uuid4().hex[:12]
        with self._write() as db:
            db.execute(
                "INSERT INTO games VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                (game_id, str(name), int(seed), str(start), months, state, time.time()),
            )
            self._log(db, game_id, None, None, None, "created", f"game {name!r}, seed {seed}")
        return game_id

    def _game(self, db, game_id) -> tuple:
        row = db.execute(
            "SELECT month_index, months, state FROM games WHERE game_id = ?", (game_id,)
        ).fetchone()
        if row is None:
            raise ValueError(f"there is no game {game_id!r} in {self.path}: check the game id")
        return row

    def _role(self, role: str) -> str:
        if role not in self.engine.roles:
            raise ValueError(f"unknown role {role!r}: choose one of {list(self.engine.roles)}")
        return role

    def join(self, game_id: str, role: str, player: str) -> dict:
        """Take a seat: the first player of a role leads it, later ones are deputies."""
        self._role(role)
        player = str(player).strip()
        if not player:
            raise ValueError("give the player's name (or student id)")
        with self._write() as db:
            self._game(db, game_id)
            seats = db.execute(
                "SELECT player, lead FROM seats WHERE game_id = ? AND role = ?", (game_id, role)
            ).fetchall()
            mine = [lead for p, lead in seats if p == player]
            if mine:
                return {"role": role, "player": player, "lead": bool(mine[0])}
            lead = not any(lead for _, lead in seats)
            db.execute(
                "INSERT INTO seats VALUES (?, ?, ?, ?, ?)",
                (game_id, role, player, int(lead), time.time()),
            )
            what = "leads" if lead else "joins as a deputy of"
            self._log(db, game_id, None, role, player, "joined", f"{player} {what} {role}")
        return {"role": role, "player": player, "lead": lead}

    def hand_over(self, game_id: str, role: str, to_player: str) -> None:
        """Make ``to_player`` (already seated in ``role``) the lead of the role."""
        self._role(role)
        with self._write() as db:
            seated = db.execute(
                "SELECT 1 FROM seats WHERE game_id = ? AND role = ? AND player = ?",
                (game_id, role, to_player),
            ).fetchone()
            if not seated:
                raise ValueError(f"{to_player!r} has no seat in {role}: join the role first")
            db.execute("UPDATE seats SET lead = 0 WHERE game_id = ? AND role = ?", (game_id, role))
            db.execute(
                "UPDATE seats SET lead = 1 WHERE game_id = ? AND role = ? AND player = ?",
                (game_id, role, to_player),
            )
            self._log(db, game_id, None, role, to_player, "hand-over", f"{to_player} leads")

    # -- playing -------------------------------------------------------------------------
    def submit(self, game_id, month_index, role, player, part, reason: str = "") -> dict:
        """Submit ``role``'s part of the decisions for month ``month_index`` (0 = first).

        Returns ``{"status": ..., "closed": bool}``; status is ``"accepted"``,
        ``"revised"``, ``"unchanged"`` (the same decision again) or ``"proposal"`` (a
        deputy's decision, logged, not applied). When the last role's part arrives the
        month closes: the world steps and ``result`` holds the month's result.
        """
        self._role(role)
        part = _plain(part, f"{role}'s decision")
        db = self._connect()
        try:
            current, months, state = self._game(db, game_id)
        finally:
            db.close()
        if month_index == current < months:  # refused before any write; the month is
            self.engine.check(state, role, part)  # checked again in the transaction
        digest = _digest({"part": part, "reason": str(reason)})
        with self._write() as db:
            current, months, _ = self._game(db, game_id)
            if month_index < current and self._same(db, game_id, month_index, role, digest):
                return {"status": "unchanged", "closed": True}  # a retry after the close
            if month_index != current or current >= months:
                when = "closed" if month_index < current else "not open"
                raise ValueError(
                    f"month {month_index} is {when}: the game is at month {current}"
                    + (f" of {months} (the game is over)" if current >= months else "")
                )
            seat = db.execute(
                "SELECT lead FROM seats WHERE game_id = ? AND role = ? AND player = ?",
                (game_id, role, player),
            ).fetchone()
            if seat is None:
                raise ValueError(f"{player!r} has no seat in {role}: call join() first")
            if not seat[0]:
                lead = db.execute(
                    "SELECT player FROM seats WHERE game_id = ? AND role = ? AND lead = 1",
                    (game_id, role),
                ).fetchone()
                db.execute(
                    "INSERT OR IGNORE INTO log (game_id, month_index, role, player, kind, "
                    "text, digest, at) VALUES (?, ?, ?, ?, 'proposal', ?, ?, ?)",
                    (game_id, month_index, role, player, json.dumps(part), digest, time.time()),
                )
                return {"status": "proposal", "closed": False, "lead": lead[0] if lead else None}
            old = db.execute(
                "SELECT digest, revision FROM decisions WHERE game_id = ? AND month_index = ? "
                "AND role = ?",
                (game_id, month_index, role),
            ).fetchone()
            if old is not None and old[0] == digest:
                return {"status": "unchanged", "closed": False}
            revision = 0 if old is None else old[1] + 1
            db.execute(
                "INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    game_id,
                    month_index,
                    role,
                    player,
                    json.dumps(part),
                    str(reason),
                    digest,
                    revision,
                    time.time(),
                ),
            )
            kind = "decision" if revision == 0 else "revision"
            text = json.dumps({"part": part, "reason": str(reason)})
            self._log(db, game_id, month_index, role, player, kind, text)
            status = {"status": "accepted" if revision == 0 else "revised", "closed": False}
            if self._all_in(db, game_id, month_index):
                status.update(closed=True, result=self._close(db, game_id, month_index))
        return status

    @staticmethod
    def _same(db, game_id, month_index, role, digest) -> bool:
        row = db.execute(
            "SELECT digest FROM decisions WHERE game_id = ? AND month_index = ? AND role = ?",
            (game_id, month_index, role),
        ).fetchone()
        return row is not None and row[0] == digest

    def _all_in(self, db, game_id, month_index) -> bool:
        roles = {
            r
            for (r,) in db.execute(
                "SELECT role FROM decisions WHERE game_id = ? AND month_index = ?",
                (game_id, month_index),
            )
        }
        return roles >= set(self.engine.roles)

    def _close(self, db, game_id, month_index) -> dict:
        _, _, state = self._game(db, game_id)
        parts = {
            role: json.loads(payload)
            for role, payload in db.execute(
                "SELECT role, payload FROM decisions WHERE game_id = ? AND month_index = ?",
                (game_id, month_index),
            )
        }
        try:
            decisions = self.engine.merge(parts)
            new_state, result = self.engine.step(state, decisions)
        except ValueError as exc:
            raise ValueError(
                f"month {month_index} cannot close with these decisions, so this one was not "
                f"saved: {exc}"
            ) from exc
        db.execute(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?)",
            (game_id, month_index, json.dumps(decisions), json.dumps(result), time.time()),
        )
        db.execute(
            "UPDATE games SET state = ?, month_index = ? WHERE game_id = ?",
            (new_state, month_index + 1, game_id),
        )
        self._log(db, game_id, month_index, None, None, "closed", f"month {month_index} closed")
        return result

    def close_month(self, game_id: str, month_index: int, defaults: dict | None = None):
        """Close a month before every role is in (the instructor): the missing roles'
        parts are ``defaults[role]`` or empty. Closing a closed month returns its result."""
        with self._write() as db:
            current, months, _ = self._game(db, game_id)
            if month_index < current:
                return self.results(game_id)[month_index]["result"]
            if month_index != current or current >= months:
                raise ValueError(f"month {month_index} is not open: the game is at {current}")
            have = {
                r
                for (r,) in db.execute(
                    "SELECT role FROM decisions WHERE game_id = ? AND month_index = ?",
                    (game_id, month_index),
                )
            }
            for role in self.engine.roles:
                if role not in have:
                    part = _plain((defaults or {}).get(role, {}), f"the default for {role}")
                    self.engine.check(self._game(db, game_id)[2], role, part)
                    db.execute(
                        "INSERT INTO decisions VALUES (?, ?, ?, 'instructor', ?, "
                        "'closed by the instructor', ?, 0, ?)",
                        (game_id, month_index, role, json.dumps(part), _digest(part), time.time()),
                    )
            return self._close(db, game_id, month_index)

    def _log(self, db, game_id, month_index, role, player, kind, text):
        db.execute(
            "INSERT INTO log (game_id, month_index, role, player, kind, text, digest, at) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            (game_id, month_index, role, player, kind, text, time.time()),
        )

    # -- reading -------------------------------------------------------------------------
    def status(self, game_id: str) -> dict:
        """The open month, which roles are in, and who sits where."""
        db = self._connect()
        try:
            current, months, _ = self._game(db, game_id)
            done = [
                r
                for (r,) in db.execute(
                    "SELECT role FROM decisions WHERE game_id = ? AND month_index = ?",
                    (game_id, current),
                )
            ]
            seats = db.execute(
                "SELECT role, player, lead FROM seats WHERE game_id = ? ORDER BY joined",
                (game_id,),
            ).fetchall()
        finally:
            db.close()
        return {
            "month_index": current,
            "months": months,
            "over": current >= months,
            "submitted": sorted(done),
            "waiting_for": [r for r in self.engine.roles if r not in done],
            "seats": [{"role": r, "player": p, "lead": bool(lead)} for r, p, lead in seats],
        }

    def state(self, game_id: str) -> str:
        """The world's state now (JSON text)."""
        rows = self._read("SELECT state FROM games WHERE game_id = ?", (game_id,))
        if not rows:
            raise ValueError(f"there is no game {game_id!r} in {self.path}")
        return rows[0][0]

    def results(self, game_id: str) -> list[dict]:
        """Every closed month: its merged decisions and its result."""
        rows = self._read(
            "SELECT month_index, decisions, result FROM results WHERE game_id = ? "
            "ORDER BY month_index",
            (game_id,),
        )
        return [
            {"month_index": m, "decisions": json.loads(d), "result": json.loads(r)}
            for m, d, r in rows
        ]

    def decisions(self, game_id: str) -> list[dict]:
        """The decisions that count, one per month and role, with who and why."""
        rows = self._read(
            "SELECT month_index, role, player, payload, reason, revision FROM decisions "
            "WHERE game_id = ? ORDER BY month_index, role",
            (game_id,),
        )
        keys = ("month_index", "role", "player", "part", "reason", "revision")
        return [dict(zip(keys, (*r[:3], json.loads(r[3]), *r[4:]), strict=True)) for r in rows]

    def log(self, game_id: str) -> list[dict]:
        """The assumptions-and-decisions log: every seat, decision, revision, proposal,
        hand-over and closed month, in order."""
        rows = self._read(
            "SELECT month_index, role, player, kind, text, at FROM log WHERE game_id = ? "
            "ORDER BY id",
            (game_id,),
        )
        keys = ("month_index", "role", "player", "kind", "text", "at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def games(self) -> list[dict]:
        """Every game in the file (the instructor's view of a class)."""
        rows = self._read(
            "SELECT game_id, name, seed, start, months, month_index FROM games ORDER BY created"
        )
        keys = ("game_id", "name", "seed", "start", "months", "month_index")
        return [dict(zip(keys, r, strict=True)) for r in rows]
