"""The ``sopcourse`` command.

Sub-commands are contributed by the domain modules: each module in
``_COMMAND_MODULES`` that exists and defines ``register_cli(subparsers)`` adds its own
(``data``, ``release``, ``grade``, ``validate``, ``similarity``, ``cycle`` ...). Each
sub-parser sets ``func``, called with the parsed arguments; it returns the exit code.
"""

from __future__ import annotations

import argparse
import platform
import sys
from importlib import import_module, metadata

import sopcourse

_COMMAND_MODULES = ["sopcourse.datasets", "sopcourse.grading", "sopcourse.cycle"]


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
