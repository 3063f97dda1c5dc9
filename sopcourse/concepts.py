"""Concept checks: short multiple-choice and matching questions, checked at once.

Numeric self-checks (:func:`sopcourse.check_exercise`) test a computation; concept checks
test an idea (who owns which step, which capacity check sits at which planning level,
which policy fits which demand). Each option carries its own explanation, so a wrong
choice teaches why it is wrong, and a right one why it is right::

    q = sop.concept_question(
        "m1-rccp",
        "Which capacity check belongs with the master production schedule?",
        {"a": "Resource planning", "b": "Rough-cut capacity planning",
         "c": "Capacity requirements planning"},
        answer="b",
        explain={"a": "Resource planning checks the production plan (S&OP level).",
                 "b": "Right: RCCP checks the MPS against key resources.",
                 "c": "CRP checks the MRP's planned orders, work centre by work centre."},
    )
    q            # in JupyterLab: the options, a Check button and the explanation
    q.check("b") # the same check without a widget (tests, scripts)

Attempts are remembered in the learner's progress file like the numeric self-checks.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .selfcheck import CheckResult, record_attempt

__all__ = ["ConceptQuestion", "MatchingQuestion", "concept_question", "matching_question"]


def _require_text(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty text; got {value!r}.")
    return value.strip()


@dataclass
class ConceptQuestion:
    """A multiple-choice question with one right option and an explanation per option."""

    exercise: str
    prompt: str
    options: dict[str, str]
    answer: str
    explain: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        _require_text(self.exercise, "the exercise id")
        _require_text(self.prompt, "the question")
        if not isinstance(self.options, dict) or len(self.options) < 2:
            raise ValueError("a concept question needs at least two options: {key: text}.")
        if self.answer not in self.options:
            raise ValueError(
                f"the answer {self.answer!r} is not one of the options {list(self.options)}."
            )
        unknown = set(self.explain) - set(self.options)
        if unknown:
            raise ValueError(f"explanations for options that do not exist: {sorted(unknown)}.")
        if self.answer not in self.explain:
            raise ValueError("explain why the right answer is right: explain[answer] is missing.")

    def check(self, choice) -> CheckResult:
        """Pass or fail for ``choice`` (an option key), with that option's explanation.

        Examples
        --------
        >>> q = ConceptQuestion("m0-demo", "2 + 2?", {"a": "4", "b": "5"}, "a",
        ...                     {"a": "Right.", "b": "Count again."})
        >>> q.check("b")
        [FAIL] m0-demo: not yet. Count again.
        >>> q.check(None)
        [NOT ANSWERED YET] m0-demo: pick one of a, b.
        """
        if choice is None or choice is Ellipsis:
            return CheckResult(
                self.exercise, "not answered", f"pick one of {', '.join(self.options)}."
            )
        if choice not in self.options:
            raise ValueError(
                f"{choice!r} is not an option of {self.exercise}; pick one of "
                f"{', '.join(self.options)}."
            )
        passed = choice == self.answer
        why = self.explain.get(choice, "")
        record_attempt(self.exercise, passed)
        if passed:
            return CheckResult(self.exercise, "pass", f"correct. {why}".strip())
        return CheckResult(self.exercise, "fail", f"not yet. {why}".strip())

    def widget(self):
        """The question as ipywidgets: the options, a Check button and the feedback."""
        from .widgets._display import require_ipywidgets

        w = require_ipywidgets()  # first: it says how to install the widgets if missing
        from IPython.display import HTML, display

        picker = w.RadioButtons(
            options=[(f"{k}) {v}", k) for k, v in self.options.items()],
            value=None,
            layout=w.Layout(width="auto"),
        )
        button = w.Button(description="Check", button_style="primary")
        out = w.Output()

        def on_click(_):
            out.clear_output()
            with out:
                display(HTML(self.check(picker.value)._repr_html_()))

        button.on_click(on_click)
        title = w.HTML(f"<b>Concept check</b> &middot; {html.escape(self.prompt)}")
        return w.VBox([title, picker, button, out])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())


@dataclass
class MatchingQuestion:
    """Match each item on the left with one choice on the right (one right pairing)."""

    exercise: str
    prompt: str
    pairs: dict[str, str]
    explain: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        _require_text(self.exercise, "the exercise id")
        _require_text(self.prompt, "the question")
        if not isinstance(self.pairs, dict) or len(self.pairs) < 2:
            raise ValueError("a matching question needs at least two pairs: {item: match}.")
        unknown = set(self.explain) - set(self.pairs)
        if unknown:
            raise ValueError(f"explanations for items that do not exist: {sorted(unknown)}.")

    @property
    def choices(self) -> list[str]:
        """The right-hand choices, sorted (so their order gives nothing away)."""
        return sorted(set(self.pairs.values()))

    def check(self, matches) -> CheckResult:
        """Pass when every item is matched right; else say which items to look at again.

        Examples
        --------
        >>> q = MatchingQuestion("m0-pairs", "Match.", {"one": "1", "two": "2"},
        ...                      {"two": "Two is 2."})
        >>> q.check({"one": "1", "two": "1"})
        [FAIL] m0-pairs: 1 of 2 right. two: Two is 2.
        >>> q.check({"one": "1", "two": "2"}).passed
        True
        """
        if not matches or all(v is None for v in dict(matches).values()):
            return CheckResult(self.exercise, "not answered", "match every item, then check.")
        matches = dict(matches)
        unknown = set(matches) - set(self.pairs)
        if unknown:
            raise ValueError(f"items that are not in {self.exercise}: {sorted(unknown)}.")
        wrong = [item for item, right in self.pairs.items() if matches.get(item) != right]
        passed = not wrong
        record_attempt(self.exercise, passed)
        if passed:
            return CheckResult(self.exercise, "pass", "correct: every item matches.")
        notes = " ".join(f"{item}: {self.explain[item]}" for item in wrong if item in self.explain)
        right = len(self.pairs) - len(wrong)
        text = f"{right} of {len(self.pairs)} right." + (f" {notes}" if notes else "")
        return CheckResult(self.exercise, "fail", text)

    def widget(self):
        """One drop-down per item, a Check button and the feedback."""
        from .widgets._display import require_ipywidgets

        w = require_ipywidgets()  # first: it says how to install the widgets if missing
        from IPython.display import HTML, display

        rows = {
            item: w.Dropdown(
                options=[("choose...", None)] + [(c, c) for c in self.choices],
                value=None,
                description=item,
                style={"description_width": "initial"},
                layout=w.Layout(width="auto"),
            )
            for item in self.pairs
        }
        button = w.Button(description="Check", button_style="primary")
        out = w.Output()

        def on_click(_):
            out.clear_output()
            with out:
                result = self.check({k: d.value for k, d in rows.items()})
                display(HTML(result._repr_html_()))

        button.on_click(on_click)
        title = w.HTML(f"<b>Concept check</b> &middot; {html.escape(self.prompt)}")
        return w.VBox([title, *rows.values(), button, out])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget())


def concept_question(exercise, prompt, options, answer, explain) -> ConceptQuestion:
    """A multiple-choice concept check (see the module docstring for an example).

    Parameters
    ----------
    exercise : str
        Id for the progress file, e.g. ``"m1-rccp"`` (module, then a short name).
    prompt : str
        The question.
    options : dict
        Option key (``"a"``, ``"b"``, ...) to its text.
    answer : str
        The key of the right option.
    explain : dict
        Option key to why that option is right or wrong; the right one is required.

    Examples
    --------
    >>> q = concept_question("m0-demo", "Which is a capacity check of the MPS?",
    ...     {"a": "RCCP", "b": "CRP"}, "a", {"a": "Yes: rough-cut.", "b": "That is MRP's."})
    >>> q.check("a")
    [PASS] m0-demo: correct. Yes: rough-cut.
    """
    return ConceptQuestion(exercise, prompt, dict(options), answer, dict(explain))


def matching_question(exercise, prompt, pairs, explain=None) -> MatchingQuestion:
    """A matching concept check: ``pairs`` maps each item to its one right match.

    Examples
    --------
    >>> q = matching_question("m0-owners", "Who owns which step?",
    ...     {"Demand review": "Sales and marketing", "Supply review": "Operations"})
    >>> q.choices
    ['Operations', 'Sales and marketing']
    """
    return MatchingQuestion(exercise, prompt, dict(pairs), dict(explain or {}))
