"""The instructor's variant seed stays with the instructor (attacks that beat the grader
before: the seed was in the student's environment, and error text went to the feedback
page as it was, host paths included)."""

from __future__ import annotations

import re

from sopcourse.grading.grade import grade_folder

from .helpers import DEMO, measured_limits, with_answer, write

SEED = 918273  # distinctive: any occurrence on a feedback page is the leak


def _grade(tmp_path, cases):
    for name, nb in cases.items():
        write(nb, tmp_path / "subs" / f"{name}.ipynb")
    return grade_folder(
        DEMO,
        tmp_path / "subs",
        tmp_path / "out",
        seed=SEED,
        limits=measured_limits(),
        progress=None,
    )


def test_the_student_gets_the_variant_data_but_not_its_seed(tmp_path):
    cases = {
        # q1 is right only if the data are the variant and the seed is nowhere to be read.
        "looks_for_the_seed": with_answer(
            "q1-answer",
            "import os\nfrom sopcourse.grading import demo_sales\n"
            "leaked = os.environ.get('SOPCOURSE_DATA_SEED')\n"
            "total_units = -1 if leaked else int(demo_sales()['units'].sum())",
        ),
        "raises_the_seed": with_answer(
            "q1-answer",
            "import os, sopcourse\n"
            "raise ValueError(f\"seed={os.environ.get('SOPCOURSE_DATA_SEED')} "
            'package={sopcourse.__file__}")',
        ),
    }
    records = _grade(tmp_path, cases)
    assert records["looks_for_the_seed"]["questions"]["q1"]["status"] == "correct"
    reason = records["raises_the_seed"]["questions"]["q1"]["reason"]
    page = (tmp_path / "out" / "feedback" / "raises_the_seed.html").read_text()
    assert "seed=None" in reason and str(SEED) not in page
    assert "package=&lt;path&gt;" in page, page  # no host path on the student's page
    for name in cases:
        page = (tmp_path / "out" / "feedback" / f"{name}.html").read_text()
        assert str(SEED) not in page and not re.search(r"/(work|root|home|srv)/\w", page)
