"""Temporary space and shared memory die with the job (an attack that beat the grader
before: files in /tmp, /var/tmp and /dev/shm and a System V shared-memory segment written
by one submission survived grading, a channel between students and a way past the
memory limit, since tmpfs pages are not counted)."""

from __future__ import annotations

import ctypes
import os
import secrets

import pytest

from sopcourse.grading.grade import grade_folder

from .helpers import DEMO, measured_limits, with_answer, write

IPC_CREAT, IPC_RMID = 0o1000, 0


def _segment(key: int) -> int:
    """The id of the System V shared-memory segment ``key`` on this host, or -1."""
    return ctypes.CDLL(None, use_errno=True).shmget(ctypes.c_int(key), 0, 0)


def test_files_in_temp_folders_and_shared_memory_do_not_outlive_the_job(tmp_path):
    tag = secrets.token_hex(6)
    key = int(tag[:7], 16)
    places = [f"/tmp/sop-leak-{tag}", f"/var/tmp/sop-leak-{tag}", f"/dev/shm/sop-leak-{tag}"]
    code = (
        "import ctypes\n"
        f"for place in {places!r}:\n"
        "    try:\n"
        "        open(place, 'w').write('a note for the next student')\n"
        "    except OSError:\n"
        "        pass\n"
        f"ctypes.CDLL(None).shmget(ctypes.c_int({key}), 4096, {IPC_CREAT | 0o666})\n"
        "total_units = int(sales['units'].sum())"
    )
    write(with_answer("q1-answer", code), tmp_path / "subs" / "writer.ipynb")
    try:
        rec = grade_folder(
            DEMO,
            tmp_path / "subs",
            tmp_path / "out",
            seed=3,
            limits=measured_limits(),
            progress=None,
        )["writer"]
        assert rec["questions"]["q1"]["status"] == "correct", rec["questions"]["q1"]
        if rec["isolation"].get("files") != "hidden":
            pytest.skip(f"no private mount namespace here: {rec['isolation']}")
        left = [p for p in places if os.path.exists(p)]
        assert not left, f"the submission's files outlived it: {left}"
        assert _segment(key) == -1, "its shared-memory segment outlived it"
        assert rec["isolation"].get("temp") == "private", rec["isolation"]
    finally:  # the host stays clean even when the test fails
        for p in places:
            if os.path.exists(p):
                os.unlink(p)
        if (shm := _segment(key)) != -1:
            ctypes.CDLL(None).shmctl(shm, IPC_RMID, None)
