"""The student's process sees an allow-list of the host, not the host minus a hide-list.

Attacks that beat the grader before: a submission searched the file system, found another
readable checkout of the course (outside the folders the sandbox hid) and ran its
solution; and it read the grader's command line (``sopcourse grade --seed N``) from
/proc. Under bubblewrap a job sees only the folders :func:`allow_list` names, read-only,
and its own working folder; its /proc holds only the sandbox's processes.

CI installs bubblewrap and sets ``SOPCOURSE_REQUIRE_BUBBLEWRAP=1``, so there a missing
bubblewrap fails these tests instead of skipping them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sopcourse.grading import bubblewrap as bubblewrap_module
from sopcourse.grading import sandbox as sandbox_module
from sopcourse.grading.grade import grade_folder
from sopcourse.grading.sandbox import Sandbox, SandboxUnavailable, allow_list, isolation_notice

from .helpers import DEMO, measured_limits, with_answer, write

REPO = Path(__file__).resolve().parents[2]

WALK = r"""
import os
allowed = [a.rstrip("/") + "/" for a in ALLOWED]
own = os.path.dirname(os.getcwd()) + "/"  # the job's own folder: /tmp/sopgrade-*/
n, outside, course = 0, [], []
for root, dirs, files in os.walk("/"):
    if root in ("/proc", "/sys", "/dev"):
        dirs[:] = []
        continue
    for name in files:
        path = os.path.join(root, name)
        if os.access(path, os.R_OK):
            n += 1
            real = os.path.realpath(path)  # a link of the view (bin/python3) to an allowed file
            if not any(real.startswith(a) or real + "/" == a for a in [*allowed, own]):
                outside.append(path)
            if path.startswith(COURSE) and not path.startswith(PACKAGE):
                course.append(path)
outside, course = outside[:200], course[:200]
"""

CMDLINES = r"""
import os
cmdlines = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdlines.append(fh.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
"""


def _bubblewrap_or_skip():
    cmd, why = sandbox_module.bubblewrap_command()
    if cmd is None:
        if os.environ.get("SOPCOURSE_REQUIRE_BUBBLEWRAP") == "1":
            pytest.fail(f"bubblewrap is required here (CI) but cannot run: {why}")
        pytest.skip(f"no allow-list sandbox on this machine: {why}")


def _run(sb, code, names):
    result = sb.run([{"code": code, "extract": {"q": list(names)}}])
    assert result.finished, result.reason
    assert result.cells[0]["error"] is None, result.cells
    values = result.answers["q"]
    return {n: values[n]["value"] for n in names}, result.isolation


def test_a_job_reads_nothing_of_the_host_outside_its_allow_list():
    _bubblewrap_or_skip()
    allowed = allow_list({"PATH": "/usr/local/bin:/usr/bin:/bin"})["binds"]
    code = (
        f"ALLOWED = {allowed!r}\nCOURSE = {str(REPO) + '/'!r}\n"
        f"PACKAGE = ({str(REPO / 'sopcourse') + '/'!r}, {str(REPO / 'datasets') + '/'!r},"
        f" {str(REPO / '.venv') + '/'!r})\n" + WALK
    )
    with Sandbox(limits=measured_limits(cell_floor=60, notebook_floor=120)) as sb:
        got, isolation = _run(sb, code, ["n", "outside", "course"])
    assert isolation["view"] == "allow-list", isolation
    assert isolation["sandbox"].startswith("bubblewrap "), isolation
    assert not got["outside"], f"host files outside the allow-list: {got['outside'][:20]}"
    assert got["n"] > 1000  # Python and its libraries are there: it did look
    # Of the course's checkout only the package, the data (and a venv inside it) are seen:
    # not assignments/, exams/, tests/ or .git.
    assert not got["course"], got["course"][:20]
    assert "/etc/ld.so.cache" in allowed or not any(a.startswith("/etc") for a in allowed)


def test_another_checkout_of_the_course_is_out_of_sight(tmp_path):
    """The attack of the issue: a readable copy of a source notebook elsewhere on disk."""
    _bubblewrap_or_skip()
    tag = secrets.token_hex(6)
    plant = REPO / f".sop-plant-{tag}"  # beside the course, outside every hidden folder
    try:
        (plant / "assignments" / "demo").mkdir(parents=True)
        shutil.copy(DEMO, plant / "assignments" / "demo" / "source.ipynb")
        for path in [plant, *plant.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        for parent in [plant.parent, *plant.parent.parents]:
            if not os.stat(parent).st_mode & 0o001:
                pytest.skip(f"{parent} is private here: no other user could read a plant")
        finder = (  # q1 is right only if the plant cannot be found
            "import os\n"
            "found = [r for r, d, f in os.walk('/') if r.rsplit('/', 1)[-1].startswith("
            f"'.sop-plant-{tag}') and not r.startswith('/proc')]\n"
            f"found += [p for p in [{str(plant / 'assignments' / 'demo' / 'source.ipynb')!r}]"
            " if os.path.exists(p)]\n"
            "total_units = -1 if found else int(sales['units'].sum())\n"
        )
        write(with_answer("q1-answer", finder), tmp_path / "subs" / "searcher.ipynb")
        records = grade_folder(
            DEMO,
            tmp_path / "subs",
            tmp_path / "out",
            seed=3,
            limits=measured_limits(cell_floor=60, notebook_floor=120),
            progress=None,
        )
        rec = records["searcher"]
        assert rec["isolation"]["view"] == "allow-list", rec["isolation"]
        assert rec["questions"]["q1"]["status"] == "correct", rec["questions"]["q1"]
    finally:
        shutil.rmtree(plant, ignore_errors=True)


@pytest.mark.parametrize("backend", ["bubblewrap", "namespaces"])
def test_the_graders_command_line_is_out_of_sight(backend, monkeypatch):
    """``sopcourse grade --seed N`` shows N in /proc/<pid>/cmdline to whoever can see it."""
    if backend == "bubblewrap":
        _bubblewrap_or_skip()
    else:
        monkeypatch.setattr(
            sandbox_module, "bubblewrap_command", lambda *a, **k: (None, "off for this test")
        )
    marker = str(10**11 + secrets.randbelow(10**11))
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", "--seed", marker],
        stdin=subprocess.DEVNULL,
    )
    try:
        with Sandbox() as sb:
            got, isolation = _run(sb, CMDLINES, ["cmdlines"])
    finally:
        sleeper.kill()
        sleeper.wait()
    if backend == "namespaces" and isolation.get("processes") == "visible":
        pytest.skip(f"the namespace sandbox cannot hide processes here: {isolation}")
    assert got["cmdlines"], "the job saw no process at all, not even itself"
    assert not [c for c in got["cmdlines"] if marker in c], "the grader's seed was readable"
    assert (isolation["sandbox"] == "namespaces") == (backend == "namespaces"), isolation


def test_strict_refuses_without_bubblewrap_and_best_effort_says_what_ran(monkeypatch):
    monkeypatch.setattr(bubblewrap_module, "_bwrap", lambda: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap is not installed"):
        Sandbox(mode="strict")
    with pytest.raises(ValueError, match="sandbox mode 'lax' is not known"):
        Sandbox(mode="lax")
    with Sandbox(mode="best-effort") as sb:
        assert sb.backend["sandbox"] == "namespaces"
        result = sb.run([{"code": "x = 1", "extract": {"q": ["x"]}}])
    assert result.finished, result.reason
    assert result.isolation["sandbox"] == "namespaces"
    assert "bubblewrap is not installed" in result.isolation["bubblewrap"]
    notice = isolation_notice(result.isolation)
    assert notice and "--sandbox strict" in notice and "another checkout" in notice, notice


def test_sopcourse_grade_sandbox_strict_refuses_in_words(tmp_path, monkeypatch, capsys):
    from sopcourse.cli import main

    monkeypatch.setattr(bubblewrap_module, "_bwrap", lambda: None)
    write(with_answer("q1-answer", "total_units = 0"), tmp_path / "subs" / "ann.ipynb")
    args = ["grade", str(DEMO), str(tmp_path / "subs"), "-o", str(tmp_path / "out")]
    assert main([*args, "--sandbox", "strict"]) == 2
    err = capsys.readouterr().err
    assert "--sandbox strict" in err and "bubblewrap is not installed" in err, err
    assert not (tmp_path / "out" / "gradebook.csv").exists()
