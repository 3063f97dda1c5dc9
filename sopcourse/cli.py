"""The ``sopcourse`` command.

Sub-commands: ``doctor`` and ``cycle`` are here; the others are contributed by the
domain modules: each module in ``_COMMAND_MODULES`` that exists and defines
``register_cli(subparsers)`` adds its own (``data``, ``release``, ``grade``, ``validate``,
``similarity`` ...). Each sub-parser sets ``func``, called with the parsed arguments; it
returns the exit code.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from importlib import import_module, metadata
from pathlib import Path

import sopcourse

_COMMAND_MODULES = ["sopcourse.datasets", "sopcourse.grading"]


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def doctor(args=None) -> int:
    """Check the installation: versions, a tiny LP with HiGHS, a Jupyter kernel."""
    problems = []
    print(f"Python      {platform.python_version()} ({sys.executable})")
    print(f"sopcourse   {sopcourse.__version__}")
    for dist in [
        "pandas",
        "numpy",
        "scipy",
        "statsmodels",
        "matplotlib",
        "pulp",
        "highspy",
        "ipywidgets",
        "jupyterlab",
        "ipykernel",
        "nbformat",
        "nbclient",
    ]:
        v = _version(dist)
        print(f"{dist:<11} {v or 'MISSING'}")
        if v is None:
            problems.append(
                f"{dist} is not installed: run `make lab` (or `pip install -e .`) again."
            )

    try:
        from sopcourse.solver import LinearProgram

        lp = LinearProgram("doctor", sense="max")
        lp.add_variable("x", upper=3)
        lp.add_variable("y")
        lp.add_constraint("cap", {"x": 1, "y": 1}, "<=", 4)
        lp.set_objective({"x": 2, "y": 1})
        res = lp.solve("highs")
        ok = abs(res.objective - 7) < 1e-9 and abs(res.shadow_prices["cap"] - 1) < 1e-9
        print(
            f"LP (HiGHS)  {'ok' if ok else 'WRONG ANSWER'}: objective {res.objective:g}, "
            f"shadow price {res.shadow_prices['cap']:g}"
        )
        if not ok:
            problems.append(
                "HiGHS solved a test LP wrongly: reinstall highspy (`pip install -U highspy`)."
            )
    except Exception as exc:  # noqa: BLE001 - the doctor reports every failure
        print(f"LP (HiGHS)  FAILED: {exc}")
        problems.append(
            "The HiGHS solver does not work: reinstall it with `pip install -U highspy pulp`."
        )

    try:
        from jupyter_client.manager import start_new_kernel

        km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
        try:
            reply = kc.execute_interactive("import sopcourse", timeout=60)
            status = reply["content"]["status"]
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        print(f"Kernel      {'ok' if status == 'ok' else 'FAILED'} (python3, imports sopcourse)")
        if status != "ok":
            problems.append(
                "The python3 kernel cannot import sopcourse: run `make lab` to reinstall it."
            )
    except Exception as exc:  # noqa: BLE001
        print(f"Kernel      FAILED: {exc}")
        problems.append(
            "No Jupyter kernel starts: install ipykernel (`pip install ipykernel`) in .venv."
        )

    if problems:
        print("\nProblems found:")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("\nEverything the course needs is installed and works.")
    return 0


# --------------------------------------------------------------------------- cycle
def _check_output(out: Path) -> str | None:
    if out.exists() and out.is_dir():
        return f"{out} is a folder: give a file name such as review.html."
    folder = out.parent if str(out.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder: choose another --out."
    if not folder.is_dir():
        return f"the folder {folder} does not exist: create it first or choose another --out."
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in {folder}: choose a folder you can write to."
    return None


def cycle_command(args) -> int:
    """``sopcourse cycle``: run one monthly S&OP cycle and write its review pack.

    Exit code 0, or 1 with a message on stderr (bad input, data the cycle cannot use, a
    file that cannot be written): then no review pack is written and an existing one is
    left as it was.
    """
    from sopcourse import cycle as _cycle  # run_cycle looked up at call time (tests spy on it)

    err = sys.stderr
    out = Path(args.out)
    problem = _check_output(out)
    if problem:
        print(f"sopcourse cycle: {problem}", file=err)
        return 1
    if args.data_dir is not None and args.seed is not None:
        print(
            "sopcourse cycle: --seed chooses a Tallridge variant; leave it out when you "
            "give a data folder.",
            file=err,
        )
        return 1

    def show(step, n, name, seconds):
        print(f"[{step}/{n}] {name:<25} {seconds:6.1f} s", file=err, flush=True)

    families = args.family or None
    try:
        result = _cycle.run_cycle(
            args.data_dir,
            args.month,
            seed=args.seed,
            horizon=args.horizon,
            families=families,
            progress=show,
            client=args.scheduler,
        )
        start = time.perf_counter()
        result.write(out)
    except ValueError as exc:
        print(f"sopcourse cycle: {exc}\nNo review pack was written.", file=err)
        return 1
    except (KeyError, TypeError, IndexError, ZeroDivisionError) as exc:  # a bug, or data
        # the schema checks do not catch: say so plainly instead of a traceback
        print(
            f"sopcourse cycle: the cycle stopped on an unexpected {type(exc).__name__}: {exc}. "
            "Run `sopcourse data validate` on the folder; if it passes, please report this "
            "with its output.\nNo review pack was written.",
            file=err,
        )
        return 1
    except OSError as exc:
        print(
            f"sopcourse cycle: cannot write {out}: {exc.strerror or exc}.\n"
            "No review pack was written.",
            file=err,
        )
        return 1
    print(f"[write] {'review pack':<23} {time.perf_counter() - start:6.1f} s", file=err)
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB): {len(result.decisions)} "
        f"decision(s); steps took {result.timings.sum():.1f} s"
    )
    if getattr(result, "coverage", None) is not None:
        print("What this cycle ran on:")
        print("\n".join(result.coverage.summary_lines()))
    return 0


def _add_cycle(subparsers) -> None:
    """Add ``sopcourse cycle``."""
    p = subparsers.add_parser(
        "cycle",
        help="run one monthly S&OP cycle and write the management review pack (HTML)",
        description="Run one monthly S&OP cycle (data, demand review, supply review, "
        "financial reconciliation, executive review) and write the review pack as one "
        "self-contained HTML file.",
    )
    p.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        help="your data folder (checked as `sopcourse data validate` does); "
        "default: the Tallridge Cycles data",
    )
    p.add_argument("--out", required=True, help="the HTML file to write, e.g. review.html")
    p.add_argument(
        "--month",
        default=None,
        help="planning month, e.g. 2026-01 or 01/2026 (default: after history)",
    )
    p.add_argument("--seed", type=int, default=None, help="Tallridge data variant (0 = standard)")
    p.add_argument("--horizon", type=int, default=18, help="months to plan (default 18)")
    p.add_argument(
        "--family",
        action="append",
        default=None,
        help="plan only this product family (repeat for several); default: all",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a Dask scheduler (tcp://host:8786): forecast the series on its workers "
        "(needs pip install 'sopcourse[dask]'); default: this machine",
    )
    p.set_defaults(func=cycle_command)


def _game_action(action: str):
    def run(args) -> int:
        from sopcourse.game.commands import run as run_game  # imported only when used

        return run_game(action, args)

    return run


def _add_game(subparsers) -> None:
    """Add ``sopcourse game new``, ``status``, ``teams`` and ``close`` (the team games)."""
    p = subparsers.add_parser("game", help="run a class's team games of the S&OP simulation")
    sub = p.add_subparsers(dest="game_command", metavar="ACTION", required=True)
    where = "the class's store: a SQLite file (created if new) or a postgresql:// URL"
    n = sub.add_parser("new", help="start one game per team, all on the same seed")
    n.add_argument("store", help=where)
    n.add_argument("--team", action="append", required=True, help="a team's name (repeat)")
    n.add_argument("--seed", type=int, default=0, help="demand and events (default 0)")
    n.add_argument("--start", default="2026-01", help="first month (default 2026-01)")
    n.add_argument("--months", type=int, default=12, help="months to play (default 12)")
    s = sub.add_parser("status", help="each game's open month, who is in, who is awaited")
    t = sub.add_parser("teams", help="all teams side by side, against chase on the same game")
    t.add_argument("--csv", default=None, help="also write the table to this CSV file")
    c = sub.add_parser("close", help="close a game's open month; the computer plays the rest")
    for q in (s, t, c):
        q.add_argument("store", help=where)
    c.add_argument("game", help="the game's id (see status)")
    for name, q in (("new", n), ("status", s), ("teams", t), ("close", c)):
        q.set_defaults(func=_game_action(name))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sopcourse",
        description="S&OP course and analysis workbook: check the set-up, work with data, grade.",
    )
    parser.add_argument("--version", action="version", version=f"sopcourse {sopcourse.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "doctor", help="check that everything the course needs is installed and works"
    )
    p.set_defaults(func=doctor)
    for name in _COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(sub)
    _add_cycle(sub)
    _add_game(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
