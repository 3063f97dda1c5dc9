"""Grading and forecasting on a Dask cluster (a LocalCluster of two worker processes).

The same grades as local grading, the same resume, and a worker killed in the middle of
a submission loses nothing: the scheduler gives the task to the other worker and the
audit record counts the attempt.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

from sopcourse.cli import main as cli
from sopcourse.grading.grade import grade_folder

from .helpers import DEMO, blank, correct, insert_after, measured_limits, with_answer, write

distributed = pytest.importorskip("distributed", reason="the Dask tests need sopcourse[dask]")


def _cluster(scratch):
    """Two worker processes; their scratch space in the test's own folder (not a /tmp
    folder that another user's run may own)."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        local_directory=str(scratch),
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with _cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


def _class(folder):
    write(correct(), folder / "ann.ipynb")
    write(with_answer("q1-answer", "total_units = 5"), folder / "bob.ipynb")
    write(blank(), folder / "cy.ipynb")
    return folder


def test_a_cluster_grades_as_this_machine_does_and_resumes(client, tmp_path):
    subs = _class(tmp_path / "subs")
    limits = measured_limits(cell_floor=5, notebook_floor=30)
    out = tmp_path / "out"
    records = grade_folder(DEMO, subs, out, seed=3, limits=limits, progress=None, scheduler=client)
    assert {s: r["total"] for s, r in records.items()} == {"ann": 9, "bob": 7, "cy": 0}
    workers = set(client.scheduler_info()["workers"])
    for rec in records.values():
        assert rec["status"] == "graded" and rec["seed"] == 3
        assert rec["cluster"]["attempts"] == 1 and rec["cluster"]["worker"] in workers
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    assert [(r["student"], float(r["total"])) for r in rows] == [("ann", 9), ("bob", 7), ("cy", 0)]
    assert len(list((out / "feedback").glob("*.html"))) == 3
    local = grade_folder(DEMO, subs, tmp_path / "here", seed=3, limits=limits, progress=None)
    for s, rec in records.items():  # question by question, the same as a local run
        assert {q: v["points"] for q, v in rec["questions"].items()} == {
            q: v["points"] for q, v in local[s]["questions"].items()
        }
    write(correct(), subs / "dee.ipynb")  # a late submission: only it is graded
    again = grade_folder(DEMO, subs, out, seed=3, limits=limits, progress=None, scheduler=client)
    assert again["dee"]["total"] == 9
    assert all(again[s]["graded_at"] == records[s]["graded_at"] for s in records)


def test_a_worker_killed_mid_submission_loses_no_graded_submission(tmp_path):
    """SIGKILL the worker that is running a (slow) submission: the scheduler gives the
    task to the other worker; every submission is graded and the audit counts 2 attempts."""
    subs = _class(tmp_path / "subs")
    write(insert_after("q1-answer", "import time\ntime.sleep(5)"), subs / "slow.ipynb")
    limits = measured_limits(cell_floor=30, notebook_floor=90)
    out = tmp_path / "out"
    with _cluster(tmp_path / "dask") as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        result = {}

        def grade():
            result["records"] = grade_folder(
                DEMO, subs, out, limits=limits, progress=None, scheduler=client
            )

        thread = threading.Thread(target=grade)
        thread.start()
        victim, deadline = None, time.monotonic() + 180
        while victim is None and time.monotonic() < deadline and thread.is_alive():
            running = client.call_stack()  # worker -> the tasks running there now
            victim = next(
                (w for w, tasks in running.items() if any("-slow" in str(k) for k in tasks)),
                None,
            )
            time.sleep(0.05)
        assert victim is not None, "the slow submission was never seen running"
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive(), "grading did not finish after the worker was killed"
    records = result["records"]
    assert {s: r["total"] for s, r in records.items()} == {"ann": 9, "bob": 7, "cy": 0, "slow": 9}
    assert records["slow"]["cluster"]["attempts"] == 2
    assert records["slow"]["cluster"]["worker"] != victim
    audit = json.loads((out / "audit" / "slow.json").read_text())
    assert audit["cluster"]["attempts"] == 2 and audit["status"] == "graded"
    assert len(list(csv.DictReader((out / "gradebook.csv").open()))) == 4


def test_forecast_all_on_a_cluster_gives_the_local_forecasts(client):
    months = pd.period_range("2022-01", periods=30, freq="M")
    rng = np.random.default_rng(4)
    frames = [
        pd.DataFrame({"sku": f"S{i}", "month": months, "units": rng.poisson(3 + 4 * i, 30)})
        for i in range(6)
    ]
    sales = pd.concat(frames, ignore_index=True)
    sales.loc[sales["sku"] == "S0", "units"] *= rng.random(30) < 0.3  # an intermittent one
    import sopcourse as sop

    here = sop.forecast_all(sales, key="sku", horizon=4, value="units")
    there = sop.forecast_all(sales, key="sku", horizon=4, value="units", client=client)
    pd.testing.assert_frame_equal(here, there)
    by_address = sop.forecast_all(
        sales, key="sku", horizon=4, value="units", client=client.scheduler.address
    )
    pd.testing.assert_frame_equal(here, by_address)


def test_a_scheduler_that_does_not_answer_is_a_clear_error(tmp_path, capsys, monkeypatch):
    from sopcourse import _parallel

    monkeypatch.setattr(_parallel, "CONNECT_SECONDS", 2.0)
    subs = _class(tmp_path / "subs")
    code = cli(
        [
            "grade",
            str(DEMO),
            str(subs),
            "-o",
            str(tmp_path / "o"),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no Dask scheduler answered at 'tcp://127.0.0.1:9'" in err and "dask worker" in err


def test_the_cycle_forecasts_on_a_cluster_as_it_does_here(client):
    from sopcourse.cycle import run_cycle

    here = run_cycle(families=["city"], horizon=3)
    there = run_cycle(families=["city"], horizon=3, client=client)
    pd.testing.assert_frame_equal(here.statistical, there.statistical)
    pd.testing.assert_frame_equal(here.consensus, there.consensus)


def test_the_cycle_command_explains_a_scheduler_that_does_not_answer(tmp_path, capsys, monkeypatch):
    from sopcourse import _parallel

    monkeypatch.setattr(_parallel, "CONNECT_SECONDS", 2.0)
    out = tmp_path / "review.html"
    code = cli(["cycle", "--out", str(out), "--family", "city", "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 1 and not out.exists()
    assert "no Dask scheduler answered" in capsys.readouterr().err
