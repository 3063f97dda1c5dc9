"""Concept checks: the right option passes, every other fails with its own explanation."""

import json
import sys

import pytest

import sopcourse as sop


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("SOPCOURSE_PROGRESS_FILE", str(path))
    return path


def _question():
    return sop.concept_question(
        "m1-test-rccp",
        "Which capacity check belongs with the MPS?",
        {"a": "Resource planning", "b": "Rough-cut capacity planning", "c": "CRP"},
        answer="b",
        explain={"a": "That is the production plan's.", "b": "Yes.", "c": "That is MRP's."},
    )


def test_each_option_gets_its_own_explanation_and_attempts_are_remembered(store):
    q = _question()
    assert q.check("b").passed and "Yes." in q.check("b").message
    wrong = q.check("a")
    assert wrong.status == "fail" and "production plan" in wrong.message
    assert q.check(None).status == "not answered"
    saved = json.loads(store.read_text())
    assert saved["m1-test-rccp"]["passed"] is True  # passed once: stays passed
    assert saved["m1-test-rccp"]["attempts"] == 3


def test_matching_counts_the_right_pairs_and_explains_the_wrong_ones(store):
    q = sop.matching_question(
        "m1-test-owners",
        "Who leads which step?",
        {"Demand review": "Sales", "Supply review": "Operations", "Executive meeting": "CEO"},
        explain={"Supply review": "Operations owns what can be made."},
    )
    result = q.check({"Demand review": "Sales", "Supply review": "CEO", "Executive meeting": "CEO"})
    assert result.status == "fail"
    assert result.message.startswith("2 of 3 right.") and "Operations owns" in result.message
    assert q.check(dict(q.pairs)).passed
    assert q.check({}).status == "not answered"


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: sop.concept_question("x", "Q?", {"a": "1"}, "a", {"a": "."}), "two options"),
        (lambda: sop.concept_question("x", "Q?", {"a": "1", "b": "2"}, "c", {}), "not one of"),
        (lambda: sop.concept_question("x", "Q?", {"a": "1", "b": "2"}, "a", {}), "right answer"),
        (lambda: sop.concept_question("x", "", {"a": "1", "b": "2"}, "a", {"a": "."}), "question"),
        (lambda: sop.matching_question("x", "Q?", {"a": "1"}), "two pairs"),
        (lambda: _question().check("z"), "not an option"),
    ],
)
def test_bad_questions_and_answers_raise_a_helpful_value_error(build, match, store):
    with pytest.raises(ValueError, match=match):
        build()


def test_the_widget_checks_the_picked_option(store):
    pytest.importorskip("ipywidgets")
    box = _question().widget()
    title, picker, button, out = box.children
    assert "MPS" in title.value and picker.value is None
    picker.value = "b"
    button.click()
    assert json.loads(store.read_text())["m1-test-rccp"]["passed"] is True


def test_the_widget_without_ipywidgets_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as on a grading server
    with pytest.raises(ImportError, match=r"pip install 'sopcourse\[lab\]'"):
        _question().widget()
