"""Configuration for every pytest run of this repository (tests, doctests, notebooks).

It sits at the root so that it also applies when only a notebook or a module is run
(``pytest --nbval-lax notebooks/03_demand_planning.ipynb``).
"""

import hashlib
import os
import tempfile
from pathlib import Path

import pytest

# Self-checks remember a learner's progress in their home; tests and the notebooks they
# run (kernels inherit this environment) write to a throw-away file instead, whatever the
# developer's own environment says.
os.environ["SOPCOURSE_PROGRESS_FILE"] = os.path.join(
    tempfile.mkdtemp(prefix="sopcourse-test-"), "p.json"
)
_LEARNER_STORE = Path.home() / ".sopcourse"


def _fingerprint(folder: Path) -> dict:
    """Every file under the learner's own ~/.sopcourse, with its size and contents' hash."""
    if not folder.is_dir():
        return {}
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def pytest_configure(config):
    config._learner_store_before = _fingerprint(_LEARNER_STORE)


def pytest_sessionfinish(session, exitstatus):
    """The suite fails if it wrote into the learner's own progress store."""
    if hasattr(session.config, "workerinput"):  # xdist workers: the controller checks
        return
    if _fingerprint(_LEARNER_STORE) != session.config._learner_store_before:
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"FAILED: the test run changed {_LEARNER_STORE}, the learner's own progress "
            "store; tests must use SOPCOURSE_PROGRESS_FILE or a store of their own.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
