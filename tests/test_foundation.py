"""The package's foundation: version, the command line, the doctor, the self-check."""

import subprocess
import sys

import pandas as pd

import sopcourse as sop
from sopcourse.cli import main


def test_version_is_exposed_and_matches_the_distribution():
    from importlib.metadata import version

    assert sop.__version__ == version("sopcourse")


def test_cli_version_prints_the_package_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert sop.__version__ in capsys.readouterr().out


def test_doctor_reports_versions_solves_an_lp_and_starts_a_kernel():
    proc = subprocess.run(
        [sys.executable, "-m", "sopcourse.cli", "doctor"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "LP (HiGHS)  ok" in proc.stdout
    assert "Kernel      ok" in proc.stdout
    assert "pulp" in proc.stdout and "highspy" in proc.stdout


def test_doctor_exits_non_zero_and_says_what_to_do_when_the_solver_is_broken(monkeypatch, capsys):
    import sopcourse.cli as cli
    import sopcourse.solver as solver

    def broken(self, *args, **kwargs):
        raise RuntimeError("solver library missing")

    monkeypatch.setattr(solver.LinearProgram, "solve", broken)
    monkeypatch.setattr(cli, "_version", lambda dist: None if dist == "highspy" else "1.0")
    code = cli.doctor()
    out = capsys.readouterr().out
    assert code == 1
    assert "highspy is not installed" in out
    assert "reinstall it with `pip install -U highspy pulp`" in out


def test_use_course_style_sets_the_course_rcparams():
    import matplotlib as mpl

    mpl.rcdefaults()
    sop.use_course_style()
    assert mpl.rcParams["axes.spines.right"] is False
    assert mpl.rcParams["axes.titlelocation"] == "left"


def test_waterfall_total_bar_equals_start_plus_changes():
    import matplotlib.pyplot as plt

    steps = pd.Series({"2025": 10.0, "up": 4.0, "down": -6.0})
    ax = sop.waterfall(steps)
    heights = [float(p.get_height()) for p in ax.patches]
    assert heights[-1] == 8.0
    plt.close("all")


def test_self_check_fails_a_table_with_the_wrong_values_and_passes_the_right_one():
    expected = pd.DataFrame({"units": [1.0, 2.0]}, index=["a", "b"])
    assert sop.check_exercise("t", expected.copy(), expected=expected).passed
    wrong = expected.assign(units=[1.0, 3.0])
    assert sop.check_exercise("t", wrong, expected=expected).status == "fail"
    assert sop.check_exercise("t", ..., expected=expected).status == "not answered"


def test_progress_remembers_a_pass_even_after_a_later_failed_attempt(tmp_path, monkeypatch):
    monkeypatch.setenv("SOPCOURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    sop.check_exercise("m4-eoq", 100, expected=100)
    sop.check_exercise("m4-eoq", 90, expected=100)
    sop.check_exercise("m1-share", 0.1, expected=0.2)
    sop.check_exercise("m1-fence", ..., expected=3)  # not answered: not an attempt
    table = sop.progress()
    assert table.loc["4 Supply planning"].to_dict() == {"attempted": 1, "passed": 1}
    assert table.loc["1 Introduction"].to_dict() == {"attempted": 1, "passed": 0}
    assert "m1-fence" not in (tmp_path / "progress.json").read_text()


def test_progress_file_defaults_to_the_learners_home_not_the_repository(monkeypatch, tmp_path):
    monkeypatch.delenv("SOPCOURSE_PROGRESS_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert sop.progress_file() == tmp_path / ".sopcourse" / "progress.json"


def test_a_corrupt_progress_file_is_started_afresh_not_a_crash(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    monkeypatch.setenv("SOPCOURSE_PROGRESS_FILE", str(path))
    assert sop.progress().empty
    assert sop.check_exercise("m2-bass", 1.0, expected=1.0).passed
    assert sop.progress().loc["2 Sales revenue planning", "passed"] == 1
