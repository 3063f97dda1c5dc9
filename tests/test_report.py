"""``sopcourse.report`` and the review pack built on it (``sopcourse.cycle_report``):
text is escaped, the colours are the course's (``plotting.COLORS``), and the page is one
well-formed HTML document."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_hex

import sopcourse as sop
from sopcourse import cycle_report, plotting, report
from sopcourse.cycle import CYCLE_STEPS, run_cycle

HOSTILE = "<script>alert('city')</script> & \"co\""
PACKAGE = Path(sop.__file__).parent

# elements that have no end tag
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source", "wbr", "area", "base"}


class _Document(HTMLParser):
    """A strict reading of a page: every element closed in order, one html/head/body/title."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.counts: dict[str, int] = {}
        self.ids: list[str] = []
        self.links: list[str] = []
        self.decls: list[str] = []
        self.text: list[str] = []
        self.started = False

    def handle_decl(self, decl):
        if self.started:
            self.problems.append(f"declaration {decl!r} after the first element")
        self.decls.append(decl)

    def handle_starttag(self, tag, attrs):
        self.started = True
        self.counts[tag] = self.counts.get(tag, 0) + 1
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if "href" in a:
            self.links.append(a["href"])
        if tag in ("head", "body") and self.stack != ["html"]:
            self.problems.append(f"<{tag}> inside {self.stack}")
        if tag in ("title", "style", "meta") and "head" not in self.stack:
            self.problems.append(f"<{tag}> outside <head>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"end tag for the void element <{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack and data.strip():
            self.problems.append(f"text outside <html>: {data.strip()[:40]!r}")
        self.text.append(data)


def read(page: str) -> _Document:
    doc = _Document()
    doc.feed(page)
    doc.close()
    return doc


def assert_one_document(page: str) -> _Document:
    doc = read(page)
    assert doc.decls == ["DOCTYPE html"]
    assert not doc.problems, doc.problems
    assert doc.stack == [], f"unclosed elements {doc.stack}"
    for tag in ("html", "head", "body", "title", "style"):
        assert doc.counts.get(tag) == 1, tag
    assert len(doc.ids) == len(set(doc.ids)), "ids are unique"
    targets = {link[1:] for link in doc.links if link.startswith("#")}
    assert targets <= set(doc.ids), "every in-page link has its target"
    return doc


@pytest.fixture(scope="module")
def hostile():
    """A short city cycle in which the family and the data source are named like markup."""
    company = sop.load_company()
    for name in ("products", "promotions", "pipeline", "targets"):
        table = getattr(company, name)
        table["family"] = table["family"].cat.rename_categories({"city": HOSTILE})
    company.source = HOSTILE
    return run_cycle(company, families=[HOSTILE], horizon=3)


def test_hostile_names_are_text_not_markup(hostile):
    page = hostile.to_html()
    doc = assert_one_document(page)
    assert "script" not in doc.counts
    assert HOSTILE not in page  # nowhere raw ...
    text = "".join(doc.text)
    assert f"Data: {HOSTILE}." in text  # ... but shown as it is spelled
    assert HOSTILE in hostile.consensus["family"].unique()
    by_family = re.search(r"by family.*?</table>", page, flags=re.S).group(0)
    assert "<td>&lt;script&gt;alert(" in by_family
    assert HOSTILE in "".join(read(by_family).text)
    notes = page[page.index('id="notes"') :]
    assert any("<script>" in note for note in hostile.notes)  # the families planned
    assert "<li>Only the families [&#39;&lt;script&gt;alert(" in notes


def test_pack_is_one_html_document_with_the_steps_in_order(hostile):
    doc = assert_one_document(hostile.to_html())
    ids = [i.replace("-", " ") for i in doc.ids]
    assert [i for i in ids if i in CYCLE_STEPS] == list(CYCLE_STEPS)
    assert ids[0] == "decisions" and ids[-1] == "notes"
    nav = [link[1:].replace("-", " ") for link in doc.links]
    assert nav == list(CYCLE_STEPS)


def test_pack_without_supply_and_review_is_one_document_and_says_skipped(hostile):
    bare = dataclasses.replace(hostile, plan=None, planning_inputs=None, review=None)
    page = bare.to_html()
    assert_one_document(page)
    assert page.count("<p>Skipped:") == 2
    assert "Binding resources" not in page and "Service by market" not in page


def test_page_colours_are_the_course_colours(monkeypatch):
    """The style sheet takes its colours from plotting.COLORS, so changing a course
    colour changes every page."""
    monkeypatch.setitem(plotting.COLORS, "primary", "#123456")
    monkeypatch.setitem(plotting.COLORS, "bad", "#654321")
    page = report.render("base.html.j2", title="t")
    assert "h1{color:#123456}" in page
    assert ".red,.wrong,.error{color:#654321;" in page


def test_charts_draw_in_the_course_colours(hostile, monkeypatch):
    figures = []
    monkeypatch.setattr(cycle_report, "png", lambda fig: figures.append(fig) or "")
    hostile.to_html()
    demand, supply, finance = figures[:3]
    lines = {line.get_label(): to_hex(line.get_color()) for line in demand.axes[0].get_lines()}
    assert lines["consensus"] == plotting.COLORS["primary"]
    assert lines["statistical forecast"] == plotting.COLORS["neutral"]
    assert lines["commercial plan"] == plotting.COLORS["accent"]
    served, unmet = supply.axes[0].containers[:2]
    assert to_hex(served.patches[0].get_facecolor()) == plotting.COLORS["primary"]
    assert to_hex(unmet.patches[0].get_facecolor()) == plotting.COLORS["bad"]
    revenue = finance.axes[0].get_lines()[0]
    assert to_hex(revenue.get_color()) == plotting.COLORS["primary"]


@pytest.mark.parametrize("module", ["cycle.py", "cycle_report.py", "report.py"])
def test_no_hard_coded_colour_in_the_modules(module):
    source = (PACKAGE / module).read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", source)
    assert not re.search(r"color=\"(?!\w+\[)", source)
    assert "noqa: F401" not in source


def test_table_escapes_text_and_keeps_trusted_cells():
    card = pd.DataFrame(
        {
            "actual": [0.8861, float("nan")],
            "status": [report.status("red"), report.status("green")],
        },
        index=pd.Index(["otif <b>", "turns"], name="kpi & co"),
    )
    html = str(report.table(card, floatfmt="{:,.3g}", na_rep="NaN", trusted=["status"]))
    assert '<span class="red">red</span>' in html
    assert "otif &lt;b&gt;" in html and "kpi &amp; co" in html
    assert "<td>0.886</td>" in html and "<td>NaN</td>" in html
    plain = str(report.table(card.assign(status=["<i>red</i>", "green"])))
    assert "&lt;i&gt;red&lt;/i&gt;" in plain
    with pytest.raises(ValueError, match="not in the table"):
        report.table(card, trusted=["colour"])


def test_status_escapes_its_word():
    assert str(report.status("<b>")) == '<span class="&lt;b&gt;">&lt;b&gt;</span>'
