"""`make lab` starts JupyterLab from .venv and serves the course."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab_server(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), HOME=str(tmp_path))
    # Exactly what a learner types: `make lab`, with options passed through LAB_ARGS.
    lab_args = (
        f"--no-browser --port={port} --ServerApp.ip=127.0.0.1 --IdentityProvider.token={token}"
    )
    proc = subprocess.Popen(
        ["make", "-s", "-C", str(REPO), "lab", f"LAB_ARGS={lab_args}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = (
                        proc.stdout.read().decode(errors="replace")
                        if proc.poll() is not None
                        else ""
                    )
                    pytest.fail(f"JupyterLab did not start on port {port}:\n{out}")
                time.sleep(0.3)
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # make and the server it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_jupyterlab_serves_lab_and_the_start_here_notebook(lab_server):
    base, token = lab_server
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as resp:
        assert resp.status == 200
        assert "JupyterLab" in resp.read().decode()
    url = f"{base}/api/contents/notebooks/00_start_here.ipynb?token={token}"
    with urllib.request.urlopen(url, timeout=30) as resp:
        model = json.load(resp)
    assert model["type"] == "notebook"
    assert model["content"]["cells"][0]["cell_type"] == "markdown"


def test_make_lab_serves_the_whole_course_not_only_the_lessons(lab_server):
    """The start page links to ../assignments and ../exams: they must be inside the root."""
    base, token = lab_server
    for path in ("assignments/hw1/hw1_student.ipynb", "exams/exam_student.ipynb"):
        with urllib.request.urlopen(f"{base}/api/contents/{path}?token={token}", timeout=30) as r:
            assert json.load(r)["type"] == "notebook", path


def test_make_lab_turns_off_the_news_pop_up(lab_server):
    base, token = lab_server
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as resp:
        page = resp.read().decode()
    assert re.search(r'"news":\s*\{"disabled":\s*true\}', page), "the news pop-up is on"
