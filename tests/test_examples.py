"""Tests of sopcourse.examples: the textbook instances as data, their citations and the
catalogue. The domain tests check each instance's published answer; here a few are
re-checked through ``ex.published`` so that the stored answers stay the books' numbers."""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import examples

REPO = Path(__file__).resolve().parents[1]
NAMES = sorted(examples._REGISTRY)


def test_sop_examples_is_the_module_and_nothing_is_re_exported():
    assert sop.examples is examples
    assert examples.__all__ == []
    assert not hasattr(sop, "wyndor")


@pytest.mark.parametrize("name", NAMES)
def test_every_example_is_named_cited_and_has_data_and_a_published_answer(name):
    ex = getattr(examples, name)()
    assert isinstance(ex, examples.Example)
    assert ex.name == name and examples.get(name).name == name
    assert ex.title and len(ex.citation) > 20
    assert ex.data and ex.published
    assert getattr(examples, name).__doc__, "each instance function has a docstring"


@pytest.mark.parametrize("name", NAMES)
def test_used_in_names_real_files_and_functions(name):
    ex = examples.get(name)
    assert ex.used_in
    for place in ex.used_in:
        if place.startswith(("tests/", "notebooks/")):
            assert (REPO / place).is_file(), place
        else:
            dotted = place.split(" ")[0]
            module, func = dotted.rsplit(".", 1)
            assert callable(getattr(importlib.import_module(f"sopcourse.{module}"), func)), place
    for module in ex.modules:
        importlib.import_module(f"sopcourse.{module}")


@pytest.mark.parametrize("name", NAMES)
def test_each_call_returns_fresh_data_that_a_caller_cannot_share(name):
    first, second = examples.get(name), examples.get(name)
    for key, value in first.data.items():
        if isinstance(value, pd.DataFrame | pd.Series | np.ndarray | list):
            assert value is not second.data[key], key
    before = {k: v.copy() for k, v in second.data.items() if isinstance(v, pd.Series)}
    for value in first.data.values():
        if isinstance(value, pd.Series):
            value.iloc[0] = -1.0
    for key, value in before.items():
        pd.testing.assert_series_equal(examples.get(name).data[key], value)


def test_an_example_is_read_only():
    ex = examples.wyndor()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.citation = "mine"
    with pytest.raises(TypeError):
        ex.data["margin"] = None
    with pytest.raises(TypeError):
        ex.published["profit"] = 0.0


def test_data_are_attributes_and_an_unknown_one_names_the_fields():
    ex = examples.goldratt_pq()
    assert ex.operating_expense == ex.data["operating_expense"] == 6000.0
    assert "usage" in dir(ex)
    with pytest.raises(AttributeError, match="its data are"):
        _ = ex.margin
    with pytest.raises(ValueError, match="no textbook example 'wynder'"):
        examples.get("wynder")


def test_catalogue_lists_every_instance_once_with_its_citation():
    cat = examples.catalogue()
    assert cat.index.tolist() == list(examples._REGISTRY)
    assert list(cat.columns) == ["title", "citation", "modules", "used_in"]
    assert cat.loc["goldratt_pq", "citation"].startswith("Goldratt")
    assert "notebooks/05_profit_based_planning.ipynb" in cat.loc["goldratt_pq", "used_in"]
    assert cat.loc["port_of_baltimore", "modules"] == "accuracy, forecasting"
    assert (cat["modules"] != "").all()


# -- the stored published answers are the books' (re-checked on a few instances) --------
def test_wyndor_published_answer_hillier_lieberman():
    ex = examples.wyndor()
    res = sop.product_mix(ex.margin, ex.usage, ex.capacity)
    assert ex.published["profit"] == 36.0  # Hillier & Lieberman, section 3.1
    assert res.profit == pytest.approx(ex.published["profit"])
    assert res.plan["quantity"].to_dict() == pytest.approx(ex.published["quantity"])
    assert res.resources["shadow_price"].to_dict() == pytest.approx(ex.published["shadow_price"])


def test_goldratt_pq_published_answer():
    ex = examples.goldratt_pq()
    t = sop.compare_toc_with_lp(
        ex.throughput, ex.usage, ex.capacity, ex.demand, fixed_cost=ex.operating_expense
    )
    assert ex.published["traditional_net_profit"] == -300.0  # Goldratt (1990)
    assert t["net_profit"].iloc[0] == pytest.approx(ex.published["traditional_net_profit"])
    assert t["net_profit"].iloc[1] == pytest.approx(ex.published["toc_net_profit"])


def test_port_of_baltimore_published_mad():
    ex = examples.port_of_baltimore()
    for alpha, mad in ex.published["mad"].items():
        f = sop.one_step_forecasts(ex.tons, "ses", alpha=alpha, initial_level=ex.initial_forecast)
        assert sop.mae(ex.tons, f) == pytest.approx(mad, abs=0.01)


@pytest.mark.parametrize(
    "name", ["snyder_shen_example_3_9", "snyder_shen_problem_3_27", "snyder_shen_problem_3_29"]
)
def test_snyder_shen_lot_sizing_published_lots_and_cost(name):
    ex = examples.get(name)
    lots = sop.wagner_whitin(ex.net_requirements, ex.fixed_cost, ex.holding_cost)
    assert lots.tolist() == ex.published["wagner_whitin_lots"]
    cost = sop.lot_sizing_cost(ex.net_requirements, lots, ex.fixed_cost, ex.holding_cost)
    assert cost["total_cost"] == pytest.approx(ex.published["total_cost"])


def test_route_66_and_red_tomato_read_like_the_book_with_keyword_data():
    wc = sop.working_capital_days(**examples.route_66().data)
    assert round(wc["cash_to_cash"]) == examples.route_66().published["cash_to_cash"] == 70
    rt = examples.red_tomato_tools()
    plan = sop.aggregate_plan(**rt.data)
    assert plan.total_cost == pytest.approx(rt.published["lp_total_cost"], abs=1)
