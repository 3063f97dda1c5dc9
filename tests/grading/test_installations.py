"""The grader wherever an instructor installs it.

* As root with the course, its virtual environment and its base Python inside private
  homes (mode 700), the normal case for root in a container: the sandbox must still
  reach every file Python needs when the job runs as a user of its own.
* As root without CAP_SYS_ADMIN (a default Docker container: no namespaces): the weaker
  fallback grades correctly and says once, in plain words, what it could not do.
* As an ordinary user: ``.ci/run`` runs this folder's tests as an unprivileged user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .helpers import DEMO, correct, measured_limits, with_answer, write

REPO = Path(__file__).resolve().parents[2]
FULL = {"q1": 2, "q2": 3, "q3": 2, "q4": 2}

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the layout is root's)")


def _class(tmp_path) -> Path:
    subs = tmp_path / "subs"
    write(correct(), subs / "ann.ipynb")
    write(with_answer("q1-answer", "total_units = 5"), subs / "bob.ipynb")
    return subs


def _grade(python, tmp_path, *prefix, seed=3) -> tuple[subprocess.CompletedProcess, dict]:
    subs, out = _class(tmp_path), tmp_path / "out"
    limits = measured_limits(cell_floor=10)
    cmd = [*prefix, str(python), "-m", "sopcourse.cli", "grade", str(DEMO), str(subs)]
    cmd += ["-o", str(out), "-j", "2", "--cell-timeout", str(limits.cell_seconds)]
    cmd += ["--seed", str(seed)] if seed is not None else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    records = {p.stem: json.loads(p.read_text()) for p in (out / "audit").glob("*.json")}
    return run, records


def _points(rec) -> dict:
    return {q: v["points"] for q, v in rec["questions"].items() if q in FULL}  # q5: rubric


def _link_or_copy(src, dst):
    try:
        os.link(src, dst)  # instant, no space; another file system needs a copy
    except OSError:
        shutil.copy2(src, dst)


def _private_python(dest: Path) -> Path:
    """This machine's Python (interpreter and standard library) linked into ``dest``."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix)
    (dest / "bin").mkdir(parents=True)
    exe = dest / "bin" / version
    _link_or_copy(Path(getattr(sys, "_base_executable", sys.executable)).resolve(), exe)
    skip = shutil.ignore_patterns("site-packages", "dist-packages", "test", "idlelib")
    shutil.copytree(
        base / "lib" / version, dest / "lib" / version, ignore=skip, copy_function=_link_or_copy
    )
    for lib in base.glob("lib/libpython*.so*"):
        _link_or_copy(lib, dest / "lib" / lib.name)
    return exe


def _private_course(tmp_path) -> Path:
    """The course, its virtual environment and the environment's base Python, all in one
    home of mode 700, as after ``git clone`` and ``make venv`` by root in a container
    whose Python is installed in /root (pyenv, uv).

    The environment reuses this one's installed libraries (a .pth file pointing at its
    site-packages), but its base Python, its own ``sopcourse`` and ``datasets/`` sit in
    the private home.
    """
    home = tmp_path / "home"
    course = home / "course"
    course.mkdir(parents=True)
    shutil.copytree(
        REPO / "sopcourse", course / "sopcourse", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(REPO / "datasets", course / "datasets")
    base = _private_python(home / "python")
    venv = course / ".venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "course.pth").write_text(f"{course}\n{sysconfig.get_paths()['purelib']}\n")
    home.chmod(0o700)
    return venv / "bin" / "python"


@root_only
def test_grading_as_root_with_everything_in_a_private_home(tmp_path):
    python = _private_course(tmp_path)
    check = subprocess.run(
        [python, "-c", "import sys, sopcourse; print(sopcourse.__file__, sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    package, base = check.stdout.split()
    assert package.startswith(str(tmp_path / "home" / "course")), check.stdout
    assert base.startswith(str(tmp_path / "home" / "python")), check.stdout
    run, records = _grade(python, tmp_path, seed=None)  # the standard data: read from disk
    assert _points(records["ann"]) == FULL, records["ann"]
    assert _points(records["bob"]) == {**FULL, "q1": 0}, records["bob"]
    iso = records["ann"]["isolation"]
    if "refused" in iso:
        pytest.skip(f"no namespaces here ({iso['refused']}): the fallback test covers this")
    assert iso["user"].startswith("uid "), iso  # a user of its own, and Python still found
    assert iso["files"] == "hidden" and iso["network"] == "isolated"
    assert "could not start in full" not in run.stderr


@root_only
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_without_namespaces_the_fallback_grades_and_says_so_once(tmp_path):
    """Root without CAP_SYS_ADMIN, as in a default Docker container."""
    drop = ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin", "--"]
    run, records = _grade(sys.executable, tmp_path, *drop)
    assert _points(records["ann"]) == FULL, records["ann"]
    assert _points(records["bob"]) == {**FULL, "q1": 0}, records["bob"]
    iso = records["ann"]["isolation"]
    assert iso["files"] == "not hidden" and "mount namespace" in iso["refused"], iso
    assert run.stderr.count("could not start in full") == 1, run.stderr
    assert "CAP_SYS_ADMIN" in run.stderr and "the network is not cut off" in run.stderr
