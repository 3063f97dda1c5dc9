"""The team game's shared store: seats, one decision per month and role, idempotent
retries, deputies' proposals, months that close once, concurrent players.

These tests drive the store with a small engine of their own (each role submits a
number; the world adds them up), so that they test the store's rules, not the world.
Each runs twice: on an SQLite file and on PostgreSQL, a throw-away server that the tests
start themselves (initdb and pg_ctl on a temporary folder, reached by a unix socket in
it, stopped at the end; one per xdist worker, a new database per test). Without the
server's programs the PostgreSQL cases are skipped, saying why, unless
``SOPCOURSE_REQUIRE_POSTGRES=1`` (CI) makes them fail.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from sopcourse.game.store import ROLES, Engine, GameStore

REQUIRE_POSTGRES = os.environ.get("SOPCOURSE_REQUIRE_POSTGRES") == "1"


def _new(seed, start, months):
    return json.dumps({"seed": seed, "month": 0, "total": 0})


def _check(state, role, part):
    bad = [k for k in part if k != "units"]
    if bad:
        raise ValueError(f"{role} cannot decide {bad}")
    if part.get("units", 0) < 0:
        raise ValueError(f"{role}: units must be 0 or more, not {part['units']}")


def _merge(parts):
    return {"units": sum(p.get("units", 0) for p in parts.values())}


def _step(state, decisions):
    s = json.loads(state)
    if decisions["units"] > 1000:
        raise ValueError("beyond capacity: at most 1000 units a month")
    s["total"] += decisions["units"]
    s["month"] += 1
    return json.dumps(s), {"units": decisions["units"], "total": s["total"]}


TOY = Engine(_new, _check, _merge, _step, ROLES)


# -- a throw-away PostgreSQL server (also used by tests/benchmarks/bench_game_store.py) ---
def postgres_bindir() -> Path | None:
    """The folder of initdb, pg_ctl and postgres: pg_config's, Debian's, or on PATH."""
    folders = []
    if shutil.which("pg_config"):
        try:
            out = subprocess.run(
                ["pg_config", "--bindir"], capture_output=True, text=True, timeout=30
            )
            folders.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    folders += sorted(
        debian,
        key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0,
        reverse=True,
    )
    if shutil.which("initdb"):
        folders.append(str(Path(shutil.which("initdb")).resolve().parent))
    for folder in folders:
        if folder and all(
            os.access(Path(folder, x), os.X_OK) for x in ("initdb", "pg_ctl", "postgres")
        ):
            return Path(folder)
    return None


def _server_user(top: Path) -> list[str]:
    """The prefix that runs the server's programs: PostgreSQL refuses to run as root, so
    root runs them as the user postgres (or nobody), who then owns the folder."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        os.chown(top, user.pw_uid, user.pw_gid)
        if shutil.which("runuser"):
            return ["runuser", "-u", name, "--"]
        return [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--clear-groups",
            "--",
        ]
    raise RuntimeError("running as root, with no user postgres or nobody to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    socket_dir: Path
    port: int

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://sopcourse@/{dbname}?host={self.socket_dir}&port={self.port}"

    def new_database(self) -> str:
        """A new empty database on the server; its URL."""
        import psycopg

        name = f"game_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@contextmanager
def postgres_server(durable: bool = False):
    """Start a PostgreSQL server of its own in a temporary folder; stop and remove it at
    the end. Only a unix socket in that folder (no TCP), so two never clash. ``durable``
    keeps fsync on (the benchmark); the tests turn it off."""
    bindir = postgres_bindir()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL server programs (initdb, pg_ctl, postgres)")
    # /tmp: a short path (a socket's is at most 107 bytes) that the server's user can reach
    top = Path(
        tempfile.mkdtemp(prefix="sopcourse-pg-", dir="/tmp" if os.path.isdir("/tmp") else None)
    )
    data, log = top / "data", top / "server.log"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}

    def run(*args, check=True):
        cmd = _server_user(top) + [str(bindir / args[0]), *map(str, args[1:])]
        out = subprocess.run(cmd, cwd=top, env=env, capture_output=True, text=True, timeout=120)
        if check and out.returncode:
            text = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout}{out.stderr}{text}")

    try:
        run("initdb", "-D", data, *"-U sopcourse -A trust -E UTF8 --locale=C --no-sync".split())
        port = _free_port()
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{top}'",
            "port": port,
            "max_connections": 300,
        }
        if not durable:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with open(data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())
        run("pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start")
        try:
            yield PostgresServer(top, port)
        finally:
            run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop", check=False)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _missing_postgres() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed (pip install 'sopcourse[postgres]')"
    if postgres_bindir() is None:
        return (
            "no PostgreSQL server programs (initdb, pg_ctl, postgres) in pg_config --bindir, "
            "/usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)"
        )
    return None


def _skip_without_postgres():
    why = _missing_postgres()
    if why and REQUIRE_POSTGRES:
        pytest.fail(f"SOPCOURSE_REQUIRE_POSTGRES=1, and {why}")
    if why:
        pytest.skip(f"the PostgreSQL case needs a server: {why}")


@pytest.fixture(scope="session")
def postgres():
    """One throw-away server per test process (each xdist worker starts its own)."""
    _skip_without_postgres()
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def location(request, tmp_path):
    """Where a test keeps its games: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "class.sqlite"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def store(location):
    store = GameStore(location, engine=TOY)
    yield store
    store.close()


def _seat_everyone(store, game):
    for role in ROLES:
        assert store.join(game, role, f"lead-{role}")["lead"]


def test_a_month_closes_when_every_role_is_in_and_then_never_changes(store):
    game = store.create_game("Class A", seed=3, months=2)
    _seat_everyone(store, game)
    for i, role in enumerate(ROLES):
        out = store.submit(game, 0, role, f"lead-{role}", {"units": 10 * (i + 1)}, "why not")
        assert out["status"] == "accepted"
        assert out["closed"] == (role == ROLES[-1])
    assert out["result"] == {"units": 100, "total": 100}
    assert store.status(game)["month_index"] == 1 and store.status(game)["waiting_for"] == list(
        ROLES
    )
    with pytest.raises(ValueError, match="month 0 is closed"):
        store.submit(game, 0, ROLES[0], f"lead-{ROLES[0]}", {"units": 999})
    with pytest.raises(ValueError, match="month 2 is not open: the game is at month 1"):
        store.submit(game, 2, ROLES[0], f"lead-{ROLES[0]}", {"units": 1})
    for role in ROLES:
        store.submit(game, 1, role, f"lead-{role}", {"units": 1})
    assert [r["result"]["total"] for r in store.results(game)] == [100, 104]
    assert store.status(game)["over"]
    with pytest.raises(ValueError, match="the game is over"):
        store.submit(game, 2, ROLES[0], f"lead-{ROLES[0]}", {"units": 1})
    assert store.results(game)[0]["decisions"] == {"units": 100}


def test_a_retry_changes_nothing_and_a_revision_is_logged(store):
    game = store.create_game("retry", months=1)
    _seat_everyone(store, game)
    role, who = ROLES[0], f"lead-{ROLES[0]}"
    assert store.submit(game, 0, role, who, {"units": 5})["status"] == "accepted"
    assert store.submit(game, 0, role, who, {"units": 5})["status"] == "unchanged"
    assert store.submit(game, 0, role, who, {"units": 6}, "new data")["status"] == "revised"
    kinds = [e["kind"] for e in store.log(game) if e["role"] == role and e["month_index"] == 0]
    assert kinds == ["decision", "revision"]
    [d] = store.decisions(game)
    assert d["part"] == {"units": 6} and d["revision"] == 1 and d["reason"] == "new data"


def test_a_deputy_proposes_the_lead_decides_and_a_hand_over_is_explicit(store):
    game = store.create_game("two of a role", months=1)
    _seat_everyone(store, game)
    role = ROLES[1]
    assert store.join(game, role, "deputy")["lead"] is False
    out = store.submit(game, 0, role, "deputy", {"units": 50})
    assert out == {"status": "proposal", "closed": False, "lead": f"lead-{role}"}
    store.submit(game, 0, role, "deputy", {"units": 50})  # a retry: logged once
    proposals = [e for e in store.log(game) if e["kind"] == "proposal"]
    assert len(proposals) == 1 and store.decisions(game) == []
    store.hand_over(game, role, "deputy")
    assert store.submit(game, 0, role, "deputy", {"units": 50})["status"] == "accepted"
    assert store.submit(game, 0, role, f"lead-{role}", {"units": 1})["status"] == "proposal"
    with pytest.raises(ValueError, match="has no seat"):
        store.hand_over(game, role, "nobody")


def test_a_malformed_decision_is_refused_and_nothing_is_written(store):
    game = store.create_game("errors", months=1)
    _seat_everyone(store, game)
    role, who = ROLES[0], f"lead-{ROLES[0]}"
    before = store.log(game)
    with pytest.raises(ValueError, match="units must be 0 or more"):
        store.submit(game, 0, role, who, {"units": -3})
    with pytest.raises(ValueError, match="cannot decide"):
        store.submit(game, 0, role, who, {"price": 3})
    with pytest.raises(ValueError, match="only JSON values"):
        store.submit(game, 0, role, who, {"units": {1, 2}})
    with pytest.raises(ValueError, match="unknown role 'ceo'"):
        store.submit(game, 0, "ceo", who, {"units": 1})
    with pytest.raises(ValueError, match="no game 'nope'"):
        store.submit("nope", 0, role, who, {"units": 1})
    with pytest.raises(ValueError, match="no seat"):
        store.submit(game, 0, role, "stranger", {"units": 1})
    with pytest.raises(ValueError, match="NUL character"):  # PostgreSQL keeps no NUL: neither
        store.submit(game, 0, role, who, {"units": 1}, "a\x00b")  # does SQLite, the same rules
    with pytest.raises(ValueError, match="NUL character"):
        store.create_game("class\x00A")
    assert store.log(game) == before and store.decisions(game) == []
    assert [g["game_id"] for g in store.games()] == [game]
    # the world refuses the merged decisions: the last part is not saved, the month stays open
    for r in ROLES[:-1]:
        store.submit(game, 0, r, f"lead-{r}", {"units": 300})
    with pytest.raises(ValueError, match="cannot close.*beyond capacity"):
        store.submit(game, 0, ROLES[-1], f"lead-{ROLES[-1]}", {"units": 400})
    assert store.status(game)["waiting_for"] == [ROLES[-1]] and store.results(game) == []
    assert store.submit(game, 0, ROLES[-1], f"lead-{ROLES[-1]}", {"units": 0})["closed"]


def test_a_game_survives_a_restart_and_the_instructor_may_close_a_month(location):
    path = location
    first = GameStore(path, engine=TOY)
    game = first.create_game("restart", months=3)
    _seat_everyone(first, game)
    first.submit(game, 0, ROLES[0], f"lead-{ROLES[0]}", {"units": 7})
    first.close()
    del first  # the kernel restarts: a new store on the same file goes on
    again = GameStore(path, engine=TOY)
    assert again.status(game)["submitted"] == [ROLES[0]]
    result = again.close_month(game, 0, defaults={ROLES[1]: {"units": 1}})
    assert result == {"units": 8, "total": 8}
    assert again.close_month(game, 0) == result  # closing it again changes nothing
    assert {d["player"] for d in again.decisions(game) if d["role"] != ROLES[0]} == {"instructor"}
    assert [g["name"] for g in again.games()] == ["restart"]
    again.close()


def test_concurrent_players_lose_and_double_no_decision(store):
    """Sixteen players (four per role, each retrying) submit three months at once."""
    months, per_role = 3, 4
    game = store.create_game("busy", months=months)
    players = [(role, f"{role}-{k}") for role in ROLES for k in range(per_role)]
    for role, who in players:  # the first of each role leads
        store.join(game, role, who)
    errors = []
    proposed = threading.Barrier(len(players))  # deputies first, so that none comes late

    def play(role, who):
        lead = who.endswith("-0")
        try:
            for m in range(months):
                while store.status(game)["month_index"] < m:
                    threading.Event().wait(0.005)
                if lead:
                    proposed.wait(timeout=60)
                for _ in range(2):  # a retry after a "lost connection"
                    store.submit(game, m, role, who, {"units": m + 1}, f"{who} in month {m}")
                if not lead:
                    proposed.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(f"{who}: {exc}")

    threads = [threading.Thread(target=play, args=p) for p in players]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert [r["result"]["units"] for r in store.results(game)] == [4, 8, 12]
    decided = store.decisions(game)
    assert len(decided) == months * len(ROLES)
    assert all(d["player"].endswith("-0") and d["revision"] == 0 for d in decided)
    log = store.log(game)
    assert sum(e["kind"] == "closed" for e in log) == months
    assert sum(e["kind"] == "proposal" for e in log) == months * len(ROLES) * (per_role - 1)


def _role_part(world_json, role):
    """What a player of ``role`` submits: their keys of the chase policy's decisions."""
    from sopcourse.game import ROLE_KEYS, World, chase

    decisions = chase(World.from_json(world_json).view())
    return {k: v for k, v in decisions.items() if k in ROLE_KEYS[role] and k != "actions"}


def test_a_team_of_four_plays_the_tallridge_world_and_a_bad_plan_is_refused(location):
    """Four clients, one per role, play two months of the real world at the same time;
    the stored months are what one world stepping the merged decisions gives."""
    from sopcourse.game import new_game

    store = GameStore(location)  # the Tallridge engine
    game = store.create_game("team", seed=2, months=2)
    errors = []

    def play(role):
        try:
            store.join(game, role, f"{role}-student")
            for m in range(2):
                while store.status(game)["month_index"] < m:
                    threading.Event().wait(0.01)
                part = _role_part(store.state(game), role)
                for _ in range(2):
                    store.submit(game, m, role, f"{role}-student", part, "the chase rule")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"{role}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=play, args=(r,)) for r in ROLES]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    months = store.results(game)
    assert [m["month_index"] for m in months] == [0, 1] and store.status(game)["over"]
    world = new_game(seed=2, months=2)
    for m in months:
        assert json.loads(json.dumps(world.step(m["decisions"]))) == m["result"]
    other = store.create_game("refused", seed=2, months=1)
    store.join(other, "supply_planner", "sam")
    before = store.log(other)
    with pytest.raises(ValueError, match="city"):
        store.submit(other, 0, "supply_planner", "sam", {"production": {"P1": {"city": 10}}})
    with pytest.raises(ValueError, match="demand_plan"):
        store.submit(other, 0, "supply_planner", "sam", {"demand_plan": {}})
    assert store.log(other) == before and store.decisions(other) == []
    store.close()


# -- PostgreSQL only --------------------------------------------------------------------
def test_a_postgresql_url_without_the_driver_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails
    with pytest.raises(ValueError, match=r"pip install 'sopcourse\[postgres\]'"):
        GameStore("postgresql://teacher:secret@db.example.org/class", engine=TOY)


def test_an_unreachable_server_or_an_unknown_url_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="an SQLite file's path or a PostgreSQL URL"):
        GameStore("mysql://teacher@db.example.org/class", engine=TOY)
    _skip_without_postgres()
    url = f"postgresql://teacher:secret@/class?host={tmp_path}&port=5999"  # no server there
    with pytest.raises(ValueError, match="cannot connect to the PostgreSQL database") as err:
        GameStore(url, engine=TOY)
    assert "secret" not in str(err.value) and "teacher:***@" in str(err.value)
    with pytest.raises(ValueError, match=r"password=\*\*\*&port") as err:
        GameStore(f"postgresql:///class?host={tmp_path}&password=secret&port=5999", engine=TOY)
    assert "secret" not in str(err.value)


def test_on_postgresql_a_writer_waits_for_its_own_game_only(postgres):
    """The per-game lock: while one transaction of game A is open, game B is written at
    once, and a writer of A gives up after its timeout; nothing of it is written."""
    url = postgres.new_database()
    stores = []

    def new_store():  # eight players open the same new database at once: one schema
        stores.append(GameStore(url, engine=TOY, timeout=0.5))

    threads = [threading.Thread(target=new_store) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(stores) == 8
    store, other = stores[:2]
    a, b = store.create_game("A", months=1), store.create_game("B", months=1)
    with store._write(a):
        assert other.join(b, ROLES[0], "bea")["lead"]
        with pytest.raises(Exception, match="lock"):
            other.join(a, ROLES[0], "ann")
    assert other.status(a)["seats"] == [] and other.join(a, ROLES[0], "ann")["lead"]
    for s in stores:
        s.close()


def test_without_a_server_the_postgresql_cases_skip_unless_ci_requires_them(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "postgres_bindir", lambda: None)
    monkeypatch.setattr(sys.modules[__name__], "REQUIRE_POSTGRES", False)
    with pytest.raises(pytest.skip.Exception, match="psycopg|no PostgreSQL server programs"):
        _skip_without_postgres()
    monkeypatch.setattr(sys.modules[__name__], "REQUIRE_POSTGRES", True)
    with pytest.raises(pytest.fail.Exception, match="SOPCOURSE_REQUIRE_POSTGRES=1"):
        _skip_without_postgres()


def test_on_postgresql_players_need_no_right_to_create_tables(postgres):
    """The instructor's store creates the tables; a player's role may only read and write
    them (PostgreSQL 15 lets no one else create tables in a database's public schema)."""
    import psycopg

    url = postgres.new_database()
    GameStore(url, engine=TOY).close()
    role = f"player_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE ROLE {role} LOGIN")
        db.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}")
        db.execute(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}")
        db.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    store = GameStore(url.replace("sopcourse@", f"{role}@"), engine=TOY)
    game = store.create_game("a player's store", months=1)
    _seat_everyone(store, game)
    for r in ROLES:
        store.submit(game, 0, r, f"lead-{r}", {"units": 1})
    assert store.status(game)["over"] and store.results(game)[0]["result"]["total"] == 4
    store.close()
