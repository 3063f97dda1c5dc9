"""The explorers (sopcourse.widgets): what they compute, tested without a browser, and
that every label they show fits its width."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import matplotlib
import pandas as pd
import pytest

matplotlib.use("agg")

import sopcourse as sop  # noqa: E402
from sopcourse.widgets._display import DEFAULT_DESCRIPTION_CHARS, html_table  # noqa: E402
from sopcourse.widgets.demand import (  # noqa: E402
    _fit_limits,
    consensus_by_level,
    normalised_weights,
)

widgets = pytest.importorskip("ipywidgets")

# Two SKUs, two months; forecasts chosen so every sum is easy by hand.
ROWS = pd.DataFrame(
    {
        "month": ["2025-01", "2025-01", "2025-02", "2025-02"],
        "sku": ["a", "b", "a", "b"],
        "actual": [10.0, 30.0, 20.0, 20.0],
        "statistical": [20.0, 20.0, 20.0, 20.0],
        "sales": [20.0, 40.0, 30.0, 30.0],
        "marketing": [12.0, 32.0, 16.0, 24.0],
    }
)


# -- the consensus explorer's numbers ------------------------------------------------------


def test_weights_of_the_reviewer_025_020_025_025_are_normalised_to_sum_to_one():
    w = normalised_weights({"a": 0.25, "b": 0.20, "c": 0.25, "d": 0.25})
    assert w.sum() == pytest.approx(1.0)
    # 0.25 / 0.95 and 0.20 / 0.95
    assert w.to_dict() == pytest.approx({"a": 5 / 19, "b": 4 / 19, "c": 5 / 19, "d": 5 / 19})


@pytest.mark.parametrize("bad", [{}, {"a": 0.0, "b": 0.0}, {"a": -1.0, "b": 2.0}])
def test_weights_all_zero_negative_or_empty_are_refused(bad):
    with pytest.raises(ValueError, match="not all zero"):
        normalised_weights(bad)


def test_consensus_is_the_weighted_sum_with_normalised_weights():
    # weights 2 : 1 : 1 are 0.5, 0.25, 0.25 after normalising; by hand, per row:
    # 0.5*20 + 0.25*20 + 0.25*12 = 18;  0.5*20 + 0.25*40 + 0.25*32 = 28
    # 0.5*20 + 0.25*30 + 0.25*16 = 21.5; 0.5*20 + 0.25*30 + 0.25*24 = 23.5
    # so the totals per month are 46 and 45; with a +10 % override 50.6 and 49.5
    out = consensus_by_level(
        ROWS, {"statistical": 2, "sales": 1, "marketing": 1}, period="month", override_pct=10
    )
    assert out["weights"].to_dict() == pytest.approx(
        {"statistical": 0.5, "sales": 0.25, "marketing": 0.25}
    )
    assert out["weights"].sum() == pytest.approx(1.0)
    assert out["consensus"].to_list() == pytest.approx([50.6, 49.5])
    assert out["actual"].to_list() == pytest.approx([40.0, 40.0])


def test_scaling_all_weights_does_not_change_the_consensus():
    small = consensus_by_level(ROWS, {"statistical": 0.2, "sales": 0.1}, period="month")
    large = consensus_by_level(ROWS, {"statistical": 20, "sales": 10}, period="month")
    pd.testing.assert_series_equal(small["consensus"], large["consensus"])


def test_wape_at_the_total_and_at_sku_level_match_sop_wape_computed_directly():
    weights = {"statistical": 3, "sales": 1}
    out = consensus_by_level(ROWS, weights, period="month")
    acc = out["accuracy"]
    # by hand: rows 0.75*stat + 0.25*sales = 20, 25, 22.5, 22.5
    rows = pd.Series([20.0, 25.0, 22.5, 22.5])
    totals_actual, totals_consensus = [40.0, 40.0], [45.0, 45.0]
    assert list(acc.index) == [
        "all-product total per month",
        "SKU level: each SKU, region and month (as the FVA table)",
    ]
    assert acc["wape"].iloc[0] == pytest.approx(sop.wape(totals_actual, totals_consensus))
    assert acc["wape"].iloc[1] == pytest.approx(sop.wape(ROWS["actual"], rows))
    assert acc["wape"].to_list() == pytest.approx([12.5, 25.0])
    assert acc["mae"].to_list() == pytest.approx([5.0, 5.0])
    assert acc["bias"].iloc[0] == pytest.approx(sop.forecast_bias(totals_actual, totals_consensus))
    assert acc["bias"].iloc[1] == pytest.approx(sop.forecast_bias(ROWS["actual"], rows))


def test_without_the_sku_rows_only_the_total_level_is_reported_and_named():
    totals = ROWS.groupby("month")[["actual", "statistical", "sales"]].sum()
    out = consensus_by_level(totals, {"statistical": 3, "sales": 1})
    assert list(out["accuracy"].index) == ["all-product total per month"]
    assert out["accuracy"]["wape"].iloc[0] == pytest.approx(12.5)


def test_the_y_axis_fits_the_data_with_a_margin_instead_of_starting_at_zero():
    low, high = _fit_limits(pd.Series([1500.0, 4500.0]).to_numpy())
    assert (low, high) == pytest.approx((1260.0, 4740.0))  # 8 % of the range either side


def test_consensus_explorer_shows_the_normalised_weights_and_both_levels():
    box = sop.widgets.consensus_explorer(
        ROWS,
        ["statistical", "sales"],
        initial_weights={"statistical": 0.25, "sales": 0.20},
        period="month",
    )
    used = box.children[0].children[1].children[1].value
    assert "statistical <b>0.56</b>" in used and "sales <b>0.44</b>" in used  # 5/9, 4/9
    summary = box.children[1].value
    assert "all-product total per month" in summary and "SKU level" in summary
    assert box.children[2].value[:8] == b"\x89PNG\r\n\x1a\n"
    box.children[0].children[0].children[1].value = 0.0  # sales: statistical alone
    assert "statistical <b>1.00</b>" in box.children[0].children[1].children[1].value


# -- tables: one style ---------------------------------------------------------------------


def test_html_table_escapes_text_formats_numbers_and_keeps_html_columns():
    t = pd.DataFrame({"name": ["<a>"], "dot": ["<b>x</b>"], "v": [1234.567]})
    out = html_table(t, index=False, formats={"v": ",.1f"}, html_columns=["dot"])
    assert "&lt;a&gt;" in out and "<b>x</b>" in out and "1,234.6" in out


def _table_tags(text: str) -> list[str]:
    return re.findall(r"<table[^>]*>", text)


def test_the_tables_of_the_explorers_share_one_style(course):
    mix = course["mix"]
    profit = sop.widgets.product_mix_explorer(
        mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"], price=mix["price"]
    )
    score = sop.widgets.scorecard_explorer(course["scorecard"])
    consensus = sop.widgets.consensus_explorer(
        course["lag1"], course["people"], period="target_month"
    )
    tags = (
        _table_tags(profit.children[2].children[0].value)
        + _table_tags(score.children[1].value)
        + _table_tags(consensus.children[1].value)
    )
    assert len(tags) == 3 and len(set(tags)) == 1
    assert "border=" not in profit.children[2].children[0].value  # not DataFrame.to_html
    assert "capacity (hours)" in profit.children[2].children[0].value


# -- labels that fit -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def course():
    """The inputs the lessons give the explorers, from the course data."""
    try:
        company = sop.load_company()
    except (FileNotFoundError, AttributeError):
        pytest.skip("the Tallridge data is not available")
    actuals = company.sales.groupby(["month", "sku", "region"], as_index=False)[
        "ordered_units"
    ].sum()
    snap = company.forecast_snapshots.merge(
        actuals.rename(columns={"month": "target_month", "ordered_units": "actual"}),
        on=["target_month", "sku", "region"],
    )
    sales = company.sales.rename(columns={"ordered_units": "units"})
    history = sales[["sku", "month", "units"]]
    item_forecast = history[history["month"].dt.year == 2025].copy()
    item_forecast["month"] = item_forecast["month"] + 12
    scorecard = pd.DataFrame(
        {
            "actual": [0.93, 0.97, 38.0],
            "target": [0.95, 0.98, 40.0],
            "direction": ["higher", "higher", "higher"],
            "tolerance": [0.03, 0.01, 2.0],
        },
        index=["otif", "unit_fill_rate", "gross_margin_pct"],  # as in Module 6
    )
    return {
        "lag1": snap[snap["lag"] == 1],
        "people": ["statistical", "sales_input", "marketing_input", "operations_input"],
        "mix": sop.product_mix_inputs(company, plant="P1", month="2026-05"),
        "history": history,
        "item_forecast": item_forecast,
        "scorecard": scorecard,
    }


def _build_every_explorer(course) -> dict:
    lag1, people, mix = course["lag1"], course["people"], course["mix"]
    totals = lag1.groupby("target_month")[["actual", *people]].sum()
    return {
        "top_down_explorer": sop.widgets.top_down_explorer(
            course["history"], course["item_forecast"]
        ),
        "bass_explorer": sop.widgets.bass_explorer(periods=24),
        "consensus_explorer": sop.widgets.consensus_explorer(totals, people),
        "consensus_explorer (SKU rows)": sop.widgets.consensus_explorer(
            lag1, people, period="target_month"
        ),
        "service_level_explorer": sop.widgets.service_level_explorer(100, 30, 4, 400, 2.0),
        "product_mix_explorer": sop.widgets.product_mix_explorer(
            mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"], price=mix["price"]
        ),
        "scorecard_explorer": sop.widgets.scorecard_explorer(course["scorecard"]),
        "working_capital_explorer": sop.widgets.working_capital_explorer(
            14750, 11375, 1337, 3575, 1910
        ),
    }


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _chars_shown(width: str) -> float:
    """How many characters a description width shows (inf for a width set by the text)."""
    if width in ("initial", "auto", "max-content"):
        return float("inf")
    if width == "":
        return DEFAULT_DESCRIPTION_CHARS
    number = re.fullmatch(r"([\d.]+)(ch|px|em)", width)
    assert number, f"unexpected description width {width!r}"
    value, unit = float(number[1]), number[2]
    return value if unit == "ch" else value / 6.5 if unit == "px" else value * 2


def test_no_explorer_cuts_a_description_or_a_button_label(course):
    built = _build_every_explorer(course)
    explorers = {
        n for n in sop.widgets.__all__ if n.endswith("_explorer") and n != "draw_mix_explorer"
    }
    assert {name.split(" ")[0] for name in built} == explorers, "an explorer is not checked"
    cut = []
    for name, box in built.items():
        for widget in _walk(box):
            description = getattr(widget, "description", "")
            style = getattr(widget, "style", None)
            if description and style is not None:
                shown = _chars_shown(getattr(style, "description_width", ""))
                if len(description) > shown:
                    cut.append(f"{name}: {description!r} shows {shown} characters")
            if isinstance(widget, widgets.ToggleButtons):
                width = widget.style.button_width
                for label in widget._options_labels:
                    # the default button (148 px) shows about 18 characters
                    if width not in ("auto", "initial") and len(label) > 18:
                        cut.append(f"{name}: button {label!r} in width {width!r}")
    assert not cut, "labels cut to '...':\n" + "\n".join(cut)


def test_the_module_5_sliders_have_one_width_and_one_description_width(course):
    mix = course["mix"]
    box = sop.widgets.product_mix_explorer(
        mix["margin"], mix["usage"], mix["capacity"], mix["max_demand"], price=mix["price"]
    )
    sliders = [w for w in _walk(box) if isinstance(w, widgets.FloatSlider)]
    assert len(sliders) == 2 + len(mix["capacity"])
    assert len({s.layout.width for s in sliders}) == 1 and sliders[0].layout.width
    assert len({s.style.description_width for s in sliders}) == 1


# -- without the [lab] extra ---------------------------------------------------------------


_USAGE = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
_CARD = pd.DataFrame(
    {"actual": [0.93], "target": [0.95], "direction": ["higher"], "tolerance": [0.03]},
    index=["otif"],
)
_EVERY_EXPLORER = {
    "top_down_explorer": lambda: sop.widgets.top_down_explorer(
        ROWS.rename(columns={"actual": "units"}), ROWS.rename(columns={"sales": "units"})
    ),
    "bass_explorer": lambda: sop.widgets.bass_explorer(periods=12),
    "consensus_explorer": lambda: sop.widgets.consensus_explorer(
        ROWS, ["statistical", "sales"], period="month"
    ),
    "service_level_explorer": lambda: sop.widgets.service_level_explorer(100, 30, 4, 400, 2.0),
    "product_mix_explorer": lambda: sop.widgets.product_mix_explorer(
        pd.Series({"road": 30, "city": 50}), _USAGE, pd.Series({"weld": 40, "paint": 60})
    ),
    "scorecard_explorer": lambda: sop.widgets.scorecard_explorer(_CARD),
    "working_capital_explorer": lambda: sop.widgets.working_capital_explorer(
        14750, 11375, 1337, 3575, 1910
    ),
}


@pytest.mark.parametrize("name", sorted(_EVERY_EXPLORER))
def test_an_explorer_without_ipywidgets_says_how_to_install_it(name, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # as on a grading server
    with pytest.raises(ImportError, match=r"pip install 'sopcourse\[lab\]'"):
        _EVERY_EXPLORER[name]()


def test_every_explorer_is_in_the_no_ipywidgets_test():
    explorers = {
        n for n in sop.widgets.__all__ if n.endswith("_explorer") and n != "draw_mix_explorer"
    }
    assert set(_EVERY_EXPLORER) == explorers


def test_the_package_and_the_grader_import_without_ipywidgets():
    code = (
        "import sys; sys.modules['ipywidgets'] = None\n"
        "import sopcourse, sopcourse.grading, sopcourse.widgets\n"
        "print(len(sopcourse.widgets.__all__))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "agg"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 8  # every explorer is listed
