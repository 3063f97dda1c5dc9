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

# Test modules marked `slow` as a whole: each starts browsers, JupyterLab servers, other
# Python installations or grades whole assignments, and takes from half a minute to several
# minutes. `make test-fast` leaves them out (-m "not slow"); `make test` runs everything.
# A single slow test elsewhere carries @pytest.mark.slow itself.
SLOW_MODULES = {
    "browser/test_workbook_in_browser.py": "a real browser against a JupyterLab server",
    "test_lab_server.py": "starts JupyterLab servers",
    "grading/test_course_assignments_validate.py": "validates every homework and the exam",
    "grading/test_adversarial.py": "grades a corpus of hostile submissions",
    "grading/test_installations.py": "builds other Python installations and checkouts",
    "test_exam.py": "runs and grades the exam",
    "test_data_properties.py": "validates and loads hundreds of changed data folders",
}


def pytest_collection_modifyitems(config, items):
    import pytest

    here = os.path.dirname(__file__)
    for item in items:
        rel = os.path.relpath(str(item.path), here).replace(os.sep, "/")
        if rel in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
