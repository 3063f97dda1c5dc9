"""The README's links point to files that exist, and it shows the two commands first."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"\]\(([^)\s#]+)(#[^)]*)?\)")


def test_every_relative_link_in_the_readme_points_to_a_file_that_exists():
    broken = [
        target
        for target, _ in LINK.findall(README)
        if not target.startswith(("http://", "https://", "mailto:"))
        and not (REPO / target).exists()
    ]
    assert not broken, f"README.md links to missing files: {broken}"


def test_the_readme_course_map_links_every_lesson_homework_and_the_exam():
    linked = {target for target, _ in LINK.findall(README)}
    wanted = sorted(
        str(p.relative_to(REPO))
        for folder in ("notebooks", "assignments", "exams")
        for p in (REPO / folder).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
        and (p.parent.name == "notebooks" or p.stem.endswith("_student"))
    )
    missing = [p for p in wanted if p not in linked]
    assert not missing, f"the README's course map misses {missing}"


def test_the_two_commands_open_the_readme():
    first_block = README.split("```")[1]
    assert "make lab" in first_block and "make test" in first_block
