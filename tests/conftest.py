"""Shared test configuration."""

import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("agg")

# Property-based tests: the same examples on every run (a CI failure can be reproduced),
# no example database written into the checkout, and no deadline (a busy machine is slow,
# not wrong).
settings.register_profile(
    "course",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))

# Notebooks under tests/ (the demo assignment, adversarial submissions) are data for the
# grading tests, never run by nbval; benchmark scripts are run by hand, not collected.
collect_ignore_glob = ["*.ipynb", "**/*.ipynb", "benchmarks/*", "artifacts/*"]
