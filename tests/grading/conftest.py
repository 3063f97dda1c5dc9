"""One warm sandbox shared by the grading tests that do not test starting one."""

from __future__ import annotations

import pytest

from .helpers import DEMO, measured_limits


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    from sopcourse.grading.sandbox import Sandbox

    hide = [str(tmp_path_factory.getbasetemp()), str(DEMO.resolve().parent)]
    limits = measured_limits(cell_floor=5, notebook_floor=30)
    with Sandbox(hide=hide, limits=limits) as sb:
        yield sb
