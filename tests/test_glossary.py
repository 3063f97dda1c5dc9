"""The glossary: every term has a stable anchor, and every link to it lands on one."""

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "notebooks" / "glossary.ipynb"
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "assignments", "exams")
    for p in (REPO / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
LESSONS = sorted((REPO / "notebooks").glob("0[1-6]_*.ipynb"))
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
TERM = re.compile(r'^((?:<a id="[^"]+"></a>)+)\*\*(.+?)\*\*: (.+)$', re.M)
GLOSSARY_LINK = re.compile(r"\]\(((?:[^)\s]*/)?glossary\.ipynb)#([^)\s]+)\)")


def _markdown(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]


def _anchors():
    return [a for source in _markdown(GLOSSARY) for a in ANCHOR.findall(source)]


def test_glossary_anchors_are_unique():
    anchors = _anchors()
    doubled = sorted({a for a in anchors if anchors.count(a) > 1})
    assert not doubled, f"glossary anchors used twice: {doubled}"


def test_glossary_defines_50_to_80_terms_each_with_where_the_course_uses_it():
    terms = [m for source in _markdown(GLOSSARY) for m in TERM.findall(source)]
    assert 50 <= len(terms) <= 80, f"{len(terms)} terms"
    without = [name for _, name, text in terms if "*Used in:* [Lesson" not in text]
    assert not without, f"terms without a 'Used in' reference to a lesson: {without}"


def test_glossary_names_the_ascm_dictionary_as_its_reference():
    text = " ".join(" ".join(_markdown(GLOSSARY)).split())
    assert "ASCM Supply Chain Dictionary*, 17th edition" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(REPO)) for p in NOTEBOOKS])
def test_every_glossary_link_points_to_an_anchor_that_exists(path):
    anchors = set(_anchors())
    broken = [
        f"{target}#{anchor}"
        for source in _markdown(path)
        for target, anchor in GLOSSARY_LINK.findall(source)
        if (path.parent / target).resolve() == GLOSSARY.resolve() and anchor not in anchors
    ]
    assert not broken, f"{path.name}: links to glossary anchors that do not exist: {broken}"


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_each_lesson_links_at_least_five_key_terms_to_the_glossary(path):
    linked = {
        a for s in _markdown(path) for t, a in GLOSSARY_LINK.findall(s) if t == "glossary.ipynb"
    }
    assert len(linked) >= 5, f"{path.name} links only {sorted(linked)} to the glossary"


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_a_term_is_linked_once_per_lesson_where_it_first_appears(path):
    anchors = [a for s in _markdown(path) for t, a in GLOSSARY_LINK.findall(s)]
    doubled = sorted({a for a in anchors if anchors.count(a) > 1})
    assert not doubled, f"{path.name} links these terms more than once: {doubled}"


def test_the_broken_link_check_catches_a_missing_anchor(tmp_path):
    # the rule on a small example: a link to an anchor the glossary lacks is found
    source = "See [safety stock](glossary.ipynb#safety-stock) and [x](glossary.ipynb#no-such-term)."
    found = [a for _, a in GLOSSARY_LINK.findall(source) if a not in set(_anchors())]
    assert found == ["no-such-term"]
