"""Grading on a Dask cluster: ``sopcourse grade ... --scheduler ADDRESS``.

Without a scheduler nothing here is imported and Dask is not needed: a class on one
machine is graded by the local zygote and its threads (:mod:`~sopcourse.grading.grade`).
With one, the machine that runs ``sopcourse grade`` (the *client*) reads the source and
the submissions and writes every output; the Dask workers run the notebooks:

1. the client checks that every worker runs the same ``sopcourse`` and grader version;
2. the parsed assignment is sent once to every worker, and one task runs the solution on
   the seed's data (the expected answers, kept on the cluster for the grading tasks);
3. one task per submission: the worker writes the submission into a scratch folder that
   its sandbox hides, grades it in the same sandbox as local grading (one zygote per
   worker process, started by its first task and kept for the next ones), and returns
   the audit record;
4. the client writes each record, feedback page and the tables as results arrive, so an
   interrupted run resumes as a local run does.

A worker that dies (a machine lost, a process killed) loses nothing: the scheduler gives
its tasks to another worker, and the audit record says how many workers the submission
was sent to (``cluster.attempts``) and which one graded it (``cluster.worker``). A task
that fails in the grader itself is recorded as a "grader error", graded again on the next
run.

What each machine needs: the client and every worker, ``pip install 'sopcourse[dask]'``
(the same version of the course); workers that grade with ``--sandbox strict`` need
bubblewrap. The scheduler needs only ``distributed``.
"""

from __future__ import annotations

import atexit
import dataclasses
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from .. import _parallel
from .._parallel import course_versions, distributed_module
from .gradebook import error_record
from .sandbox import GRADER_VERSION, Limits, Sandbox, course_folders, isolation_notice

_SANDBOXES: dict = {}  # in a worker process: (limits, mode, hidden folders) -> (Sandbox, scratch)
_SANDBOX_LOCK = threading.Lock()


def worker_versions() -> dict:
    """What a machine runs: Python, the course and the grader (compared with the client's)."""
    return {**course_versions(), "grader": GRADER_VERSION}


# -- on a worker -------------------------------------------------------------------------


def _close(sandbox: Sandbox, scratch: Path) -> None:
    sandbox.close()
    shutil.rmtree(scratch, ignore_errors=True)


def worker_sandbox(limits: dict, mode: str, hide: tuple) -> tuple[Sandbox, Path]:
    """This worker process's sandbox for these settings, started on first use.

    The scratch folder that receives the submissions is hidden from the jobs, with the
    client's hidden folders (where they exist on this machine) and the course's own.
    """
    key = (tuple(sorted(limits.items())), mode, tuple(hide))
    with _SANDBOX_LOCK:
        entry = _SANDBOXES.get(key)
        if entry is None or entry[0].proc.poll() is not None:
            scratch = Path(tempfile.mkdtemp(prefix="sopgrade-"))
            folders = [str(scratch), *(h for h in hide if Path(h).exists()), *course_folders()]
            entry = (Sandbox(folders, Limits(**limits), mode=mode), scratch)
            _SANDBOXES[key] = entry
            atexit.register(_close, *entry)
    return entry


def expected_task(expected_answers, assignment, seed, limits: dict, mode: str, hide: tuple):
    """Run the solution on ``seed``'s data on a worker: the expected answers."""
    sandbox, _ = worker_sandbox(limits, mode, hide)
    return expected_answers(assignment, sandbox, seed)


def grade_task(grade_one, assignment, student, filename, data, expected, options) -> dict:
    """Grade one submission (its bytes) on a worker with ``grade_one``; the audit record."""
    from distributed import get_worker

    sandbox, scratch = worker_sandbox(options["limits"], options["mode"], options["hide"])
    folder = Path(tempfile.mkdtemp(dir=scratch))
    try:
        path = folder / filename
        path.write_bytes(data)
        rec = grade_one(
            assignment, sandbox, student, path, expected, options["seed"], options["source_sha"]
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rec["cluster"] = {"worker": get_worker().address}
    return rec


# -- on the client -----------------------------------------------------------------------


def _same(value):
    return value


def _times_lost(client, key) -> int:
    """How many workers died while they held this task (the scheduler's count)."""

    def suspicious(dask_scheduler, key=key):  # runs in the scheduler: no sopcourse needed
        ts = dask_scheduler.tasks.get(key)
        return 0 if ts is None else int(ts.suspicious)

    try:
        return client.run_on_scheduler(suspicious)
    except Exception:  # noqa: BLE001 - a scheduler that refuses run_on_scheduler
        return 0


def grade_on_cluster(
    scheduler, assignment, todo, record, graders, *, seed, source_sha, hide, limits, mode
) -> None:
    """Grade ``todo`` ((student, path) pairs) on a Dask cluster; ``record`` writes each.

    ``graders`` is ``(grade_one, expected_answers)`` of :mod:`~sopcourse.grading.grade`,
    run on the workers (passed in, so that this module does not import that one).
    """
    grade_one, expected_answers = graders
    distributed = distributed_module()
    client, owned = _parallel.connect(scheduler)
    try:
        _parallel.check_workers(client, worker_versions)
        run = uuid.uuid4().hex[:8]
        limits = dataclasses.asdict(limits or Limits())
        options = {"seed": seed, "source_sha": source_sha, "hide": tuple(hide)}
        options.update(limits=limits, mode=mode)
        # Everything goes in task specs, not scattered: data scattered to a worker dies
        # with it, while a task's result is computed again elsewhere.
        shared = client.submit(_same, assignment, key=f"sopcourse-assignment-{run}")
        expected = client.submit(
            expected_task,
            expected_answers,
            shared,
            seed,
            limits,
            mode,
            tuple(hide),
            key=f"sopcourse-expected-{run}",
        )
        expected.result()  # the solution must run before any submission is judged
        futures = {}
        for student, path in todo:
            try:
                data = Path(path).read_bytes()
            except OSError:
                data = b""  # graded as an unreadable file, as on this machine
            fut = client.submit(
                grade_task,
                grade_one,
                shared,
                student,
                Path(path).name,
                data,
                expected,
                options,
                key=f"sopcourse-grade-{run}-{student}",
            )
            futures[fut] = student, path
        said = False
        for fut in distributed.as_completed(futures):
            student, path = futures[fut]
            try:
                rec = fut.result()
                rec["cluster"]["attempts"] = 1 + _times_lost(client, fut.key)
                if not said and rec.get("isolation"):
                    record.say(isolation_notice(rec["isolation"]))
                    said = True
            except Exception as exc:  # noqa: BLE001 - one lost task never stops the batch
                rec = error_record(assignment, student, path, exc, seed)
            record(student, rec)
            fut.release()
    finally:
        if owned:
            client.close()
