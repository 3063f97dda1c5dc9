"""Tallridge at company scale (issue 20, part 4): the generator's ``scale`` option (every
SKU in ``scale`` variants, BOM and routing consistent, family totals unchanged) and the
balancing LP built as arrays for HiGHS (the same model and plan as the PuLP path).

Small scales only (2x, 3x): the 10x and 100x runs are in
``tests/benchmarks/bench_cycle_scale.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sopcourse.balancing as balancing
import sopcourse.balancing_matrix as balancing_matrix
from sopcourse.balancing import balancing_plan, example_planning_inputs
from sopcourse.case import planning_inputs_from_company
from sopcourse.cli import main
from sopcourse.cycle import run_cycle
from sopcourse.datasets import generate, load_company, validate_data, write_tables
from sopcourse.datasets.scale import variant_code


@pytest.fixture(scope="module")
def base():
    return generate(0)


@pytest.fixture(scope="module")
def big():
    return generate(0, scale=3)


def _strs(series) -> set:
    return set(series.dropna().astype(str))


# --------------------------------------------------------------------------- generator
def test_scale_one_leaves_every_table_unchanged(base):
    again = generate(0, scale=1)
    assert list(again) == list(base)
    for name in base:
        pd.testing.assert_frame_equal(again[name], base[name], check_exact=True, obj=name)


def test_every_sku_has_its_variants_with_the_same_master_data(base, big):
    skus = base["products"]["sku"].astype(str).tolist()
    expected = [variant_code(s, j) for s in skus for j in (1, 2, 3)]
    assert big["products"]["sku"].astype(str).tolist() == expected
    assert big["products"]["sku"].is_unique and big["items"]["item"].is_unique
    one = big["products"].set_index("sku")
    for col in ["family", "kind", "list_price", "standard_cost", "status", "launch_month"]:
        assert one.loc["RD-200-003", col] == one.loc["RD-200", col], col
    for sku in ["RD-200", "EB-500", "WHL-700"]:  # a bike, an e-bike, a made spare part
        bom = big["bom"].assign(parent=big["bom"]["parent"].astype(str))
        rt = big["routings"].assign(sku=big["routings"]["sku"].astype(str))
        key = ["component", "quantity"]
        for j in (2, 3):
            code = variant_code(sku, j)
            mine = bom[bom["parent"] == code][key].reset_index(drop=True)
            pd.testing.assert_frame_equal(
                mine, bom[bom["parent"] == sku][key].reset_index(drop=True)
            )
            cols = ["plant", "work_centre", "hours_per_unit", "offset_months"]
            mine = rt[rt["sku"] == code][cols].reset_index(drop=True)
            pd.testing.assert_frame_equal(mine, rt[rt["sku"] == sku][cols].reset_index(drop=True))


def test_scaled_bom_routing_and_joins_are_consistent(big, tmp_path):
    items = _strs(big["items"]["item"])
    assert _strs(big["bom"]["parent"]) <= items
    assert _strs(big["bom"]["component"]) <= items
    assert _strs(big["products"]["sku"]) <= items
    assert _strs(big["routings"]["sku"]) <= _strs(big["products"]["sku"])
    wc = big["work_centres"][["plant", "work_centre"]].astype(str)
    rt = big["routings"][["plant", "work_centre"]].astype(str)
    assert set(rt.itertuples(index=False)) <= set(wc.itertuples(index=False))
    for name in ["sales", "orders", "forecast_snapshots", "pipeline", "npi", "sales_plan"]:
        assert _strs(big[name]["sku"]) <= _strs(big["products"]["sku"]), name
    assert _strs(big["inventory"]["item"]) <= items
    assert (big["scheduled_receipts"]["quantity"] > 0).all()
    # the folder the tables make passes every check of `sopcourse data validate`
    write_tables(big, tmp_path)
    report = validate_data(tmp_path)
    assert report.ok, report.text()


def _family_totals(tables, name, col):
    t = tables[name]
    fam = t["sku"].astype(str).map(tables["products"].set_index("sku")["family"].astype(str))
    keys = [fam, t["region"].astype(str), t["month"].astype(str)]
    return t[col].groupby(keys).sum()


def test_family_totals_of_demand_and_stock_stay_those_of_the_company(base, big):
    for name, col in [("sales", "ordered_units"), ("sales_plan", "plan_units")]:
        pd.testing.assert_series_equal(
            _family_totals(big, name, col), _family_totals(base, name, col)
        )
    # shipped units are split within each variant's ordered units
    assert (big["sales"]["shipped_units"] <= big["sales"]["ordered_units"]).all()
    shipped_big = big["sales"]["shipped_units"].sum()
    assert abs(shipped_big - base["sales"]["shipped_units"].sum()) <= 0.001 * shipped_big
    for name in ["inventory", "scheduled_receipts"]:
        col = "on_hand" if name == "inventory" else "quantity"
        assert big[name][col].sum() == base[name][col].sum(), name
    # the variants are not copies: their shares differ
    sales = big["sales"].assign(sku=big["sales"]["sku"].astype(str))
    by_variant = sales[sales["sku"].str.startswith("RD-200")].groupby("sku")["ordered_units"].sum()
    assert by_variant.nunique() == 3
    # plants, work centres, targets and financials are those of the 1x company
    for name in ["plants", "work_centres", "targets", "financials", "budget", "lanes"]:
        pd.testing.assert_frame_equal(big[name], base[name], obj=name)


def test_scale_is_checked_and_load_company_generates_it():
    with pytest.raises(ValueError, match="scale"):
        generate(0, scale=0)
    with pytest.raises(ValueError, match="scale"):
        generate(0, scale=1000)
    with pytest.raises(ValueError, match="scale"):
        load_company(data_dir=".", scale=2)
    company = load_company(seed=0, scale=2)
    assert len(company.products) == 52 and "2x catalogue" in company.source
    assert company.seed == 0


def test_data_generate_writes_the_scaled_catalogue(tmp_path, capsys):
    assert main(["data", "generate", "--seed", "0", "--scale", "2", "--out", str(tmp_path)]) == 0
    assert "2x catalogue" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "products.csv")) == 52
    assert (
        main(["data", "generate", "--seed", "0", "--scale", "0", "--out", str(tmp_path / "z")]) == 1
    )


# --------------------------------------------------------------------------- the LP
def _same_plan(a, b):
    assert abs(a.lp.objective - b.lp.objective) <= 1e-6 * max(1.0, abs(a.lp.objective))
    for name in ["production", "shipments", "inventory", "sales", "capacity", "materials"]:
        pd.testing.assert_frame_equal(
            getattr(a, name), getattr(b, name), check_exact=False, atol=1e-6, rtol=0, obj=name
        )
    pd.testing.assert_series_equal(a.costs, b.costs, check_exact=False, atol=1e-6, rtol=1e-9)
    for name in ["values", "shadow_prices", "reduced_costs", "slacks"]:
        x, y = getattr(a.lp, name), getattr(b.lp, name)
        assert list(x.index) == list(y.index), name
        np.testing.assert_allclose(x.to_numpy(), y.to_numpy(), atol=1e-6, rtol=0, err_msg=name)
    pd.testing.assert_frame_equal(
        a.lp.constraint_info, b.lp.constraint_info, check_exact=False, atol=1e-6, rtol=0
    )


def _with_components(company, horizon):
    """Inputs whose material rows bind: the components' stock and open orders only."""
    inp = planning_inputs_from_company(company, horizon=horizon)
    bought = company.items.loc[company.items["make_or_buy"].astype(str) == "buy", "item"]
    used = company.bom[company.bom["component"].isin(bought)]["component"].astype(str).unique()
    stock = company.inventory.groupby(company.inventory["item"].astype(str))["on_hand"].sum()
    periods = sorted(inp.demand["period"].unique())
    supply = pd.DataFrame(
        [
            (c, t, float(stock.get(c, 0)) if i == 0 else 20.0)
            for c in used
            for i, t in enumerate(periods)
        ],
        columns=["component", "period", "quantity"],
    )
    return planning_inputs_from_company(company, horizon=horizon, component_supply=supply)


@pytest.mark.parametrize("scale", [1, 2])
def test_matrix_builder_gives_the_pulp_plan_on_tallridge(scale):
    company = load_company(seed=0, scale=scale) if scale > 1 else load_company(seed=0)
    inp = _with_components(company, horizon=6)
    pulp_plan = balancing_plan(inp, builder="pulp")
    matrix_plan = balancing_plan(inp, builder="matrix")
    assert (matrix_plan.materials["shadow_price"] > 0).any()  # materials bind
    _same_plan(pulp_plan, matrix_plan)


def test_matrix_builder_on_the_synthetic_company_and_without_materials():
    for inp in [example_planning_inputs(seed=3), example_planning_inputs(n_products=3, seed=1)]:
        _same_plan(balancing_plan(inp, builder="pulp"), balancing_plan(inp, builder="matrix"))
        inp.bom = inp.component_supply = None
        _same_plan(balancing_plan(inp, builder="pulp"), balancing_plan(inp, builder="matrix"))


def test_auto_builder_picks_the_arrays_for_a_large_model(monkeypatch):
    calls = []
    real = balancing_matrix.matrix_plan
    monkeypatch.setattr(balancing_matrix, "matrix_plan", lambda d: calls.append(1) or real(d))
    inp = example_planning_inputs(seed=2)
    balancing_plan(inp)
    assert calls == []  # small: PuLP
    monkeypatch.setattr(balancing, "_MATRIX_FROM", 10)
    balancing_plan(inp)
    assert calls == [1]
    balancing_plan(example_planning_inputs(2, horizon=3, seed=4), integer=True)  # a MIP: PuLP
    assert calls == [1]
    with pytest.raises(ValueError, match="builder"):
        balancing_plan(inp, builder="numpy")
    with pytest.raises(ValueError, match="integer"):
        balancing_plan(inp, builder="matrix", integer=True)


# --------------------------------------------------------------------------- the cycle
def test_cycle_runs_on_the_scaled_company():
    company = load_company(seed=0, scale=2)
    result = run_cycle(company, families=["city", "ebike"], horizon=4)
    planned = set(result.plan.production["product"])
    assert {"CT-300", "CT-300-002", "EB-100-002"} <= planned
    assert result.consensus.groupby(["sku", "region"]).ngroups > 50
    assert 0 < result.plan.fill_rate <= 1


# --------------------------------------------------------------------------- family level
def test_the_family_plan_is_the_same_for_the_company_and_its_scaled_catalogue():
    one = _with_components(load_company(seed=0), horizon=6)
    two = _with_components(load_company(seed=0, scale=2), horizon=6)
    fam_one, fam_two = one.by_family(), two.by_family()
    assert sorted(fam_two.demand["product"].unique()) == ["city", "ebike", "mountain", "road"]
    total = two.demand.groupby("family")["demand"].sum()
    assert fam_two.demand.groupby("product")["demand"].sum().to_dict() == total.to_dict()
    a, b = balancing_plan(fam_one), balancing_plan(fam_two)
    assert len(b.lp.values) == len(a.lp.values) < len(balancing_plan(two).lp.values) / 5
    _same_plan(a, b)


def test_family_hours_and_costs_are_the_demand_weighted_mix():
    inp = planning_inputs_from_company(load_company(seed=0), horizon=6)
    fam = inp.by_family()
    d = inp.demand
    w = d[d["family"] == "road"].groupby("product")["demand"].sum()
    rt = inp.routings
    weld = rt[(rt["plant"] == "P1") & (rt["work_centre"] == "welding")].set_index("product")
    made = inp.production_cost[inp.production_cost["plant"] == "P1"]["product"]
    w = w[w.index.isin(made)]
    expected = (weld["hours_per_unit"].reindex(w.index).fillna(0) * w).sum() / w.sum()
    got = fam.routings.set_index(["product", "plant", "work_centre"]).loc[
        ("road", "P1", "welding"), "hours_per_unit"
    ]
    assert got == pytest.approx(expected, rel=1e-9)
    assert got < 1.1  # the carbon road frames arrive welded: fewer hours than an alloy frame
    price = (d["price"] * d["demand"]).groupby([d["family"], d["market"], d["period"]]).sum()
    units = d.groupby([d["family"], d["market"], d["period"]])["demand"].sum()
    mean = fam.demand.set_index(["product", "market", "period"])["price"]
    np.testing.assert_allclose(mean.to_numpy(), (price / units).to_numpy(), rtol=1e-12)
    no_family = balancing.PlanningInputs(**{**inp.__dict__, "demand": d.drop(columns="family")})
    with pytest.raises(ValueError, match="family"):
        no_family.by_family()
