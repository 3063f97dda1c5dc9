"""One warm sandbox shared by the grading tests that do not test starting one."""

from __future__ import annotations

import pytest

from .helpers import DEMO


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    from sopcourse.grading.sandbox import Limits, Sandbox

    hide = [str(tmp_path_factory.getbasetemp()), str(DEMO.resolve().parent)]
    with Sandbox(hide=hide, limits=Limits(cell_seconds=5, notebook_seconds=30)) as sb:
        yield sb
