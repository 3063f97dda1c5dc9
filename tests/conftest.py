"""Shared test configuration."""

import matplotlib

matplotlib.use("agg")

import os
import tempfile

# Self-checks remember a learner's progress in their home; tests and the notebooks they
# run (kernels inherit this environment) write to a throw-away file instead.
os.environ.setdefault(
    "SOPCOURSE_PROGRESS_FILE", os.path.join(tempfile.mkdtemp(prefix="sopcourse-test-"), "p.json")
)
