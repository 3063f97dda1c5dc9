"""Shared test configuration."""

import os
import tempfile

import matplotlib

matplotlib.use("agg")

# Notebooks under tests/ (the demo assignment, adversarial submissions) are data for the
# grading tests, never run by nbval; benchmark scripts are run by hand, not collected.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb", "benchmarks/*", "artifacts/*"]

# Self-checks remember a learner's progress in their home; tests and the notebooks they
# run (kernels inherit this environment) write to a throw-away file instead.
os.environ.setdefault(
    "SOPCOURSE_PROGRESS_FILE", os.path.join(tempfile.mkdtemp(prefix="sopcourse-test-"), "p.json")
)
