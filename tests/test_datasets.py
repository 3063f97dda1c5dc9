"""Tests of the Tallridge Cycles data: coherence invariants for the standard data and
variants, byte-for-byte regeneration of the committed CSVs, the loader, the CLI and a
table-driven test of bad data folders."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

import sopcourse as sop
from sopcourse.cli import main
from sopcourse.datasets import SCHEMA, SEED_ENV, data_dir, generate, validate_data, write_tables

SEEDS = [0, 1, 7, 42]


@pytest.fixture(scope="module")
def variants():
    return {seed: generate(seed) for seed in SEEDS}


@pytest.fixture(params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def tables(request, variants):
    return variants[request.param]


# --------------------------------------------------------------------------- structure
def test_every_table_has_the_schema_columns_and_no_missing_required_values(tables):
    assert list(tables) == list(SCHEMA)
    for name, table in SCHEMA.items():
        df = tables[name]
        assert list(df.columns) == table.column_names, name
        assert len(df) > 0, name
        for col in table.columns:
            if not col.nullable:
                assert not df[col.name].isna().any(), f"{name}.{col.name} has missing values"
            if col.dtype in ("int", "float", "money") and col.min is not None:
                assert (df[col.name] >= col.min).all(), f"{name}.{col.name} below {col.min}"
            if col.dtype in ("int", "float", "money") and col.max is not None:
                assert (df[col.name] <= col.max).all(), f"{name}.{col.name} above {col.max}"


def test_keys_are_unique_and_foreign_keys_join(tables):
    for name, table in SCHEMA.items():
        df = tables[name]
        assert not df.duplicated(list(table.key)).any(), f"duplicate key in {name}"
        for cols, ref, ref_cols in table.foreign_keys:
            left = df[cols.split(",")].dropna()
            right = tables[ref][ref_cols.split(",")].astype(str)
            right.columns = cols.split(",")
            joined = left.astype(str).merge(right.drop_duplicates(), how="left", indicator=True)
            assert (joined["_merge"] == "both").all(), f"{name}.{cols} -> {ref}.{ref_cols}"


def test_variants_keep_the_structure_and_change_the_numbers(variants):
    base = variants[0]
    for seed in SEEDS[1:]:
        other = variants[seed]
        for name in ["products", "regions", "customers", "plants", "bom", "promotions", "npi"]:
            key = list(SCHEMA[name].key)
            pd.testing.assert_frame_equal(base[name][key], other[name][key])
        pd.testing.assert_frame_equal(base["bom"], other["bom"])
        for name, table in SCHEMA.items():
            if name != "orders":  # order lines depend on how demand splits over customers
                key = list(table.key)
                pd.testing.assert_frame_equal(base[name][key], other[name][key])
        assert not base["sales"]["ordered_units"].equals(other["sales"]["ordered_units"])
        assert not base["products"]["list_price"].equals(other["products"]["list_price"])


def test_generate_is_deterministic(variants):
    again = generate(SEEDS[1])
    for name in SCHEMA:
        pd.testing.assert_frame_equal(again[name], variants[SEEDS[1]][name])


def test_bom_is_acyclic_and_multi_level(tables):
    codes = sop.low_level_codes(tables["bom"])  # raises ValueError on a cycle
    assert codes.max() >= 2  # bike -> wheelset -> rim
    bom = tables["bom"]
    ebikes = tables["products"].query("family == 'ebike'")["sku"]
    for sku in ebikes:
        assert {"BAT-500", "MOT-250"} <= set(bom.loc[bom["parent"] == sku, "component"])


def test_every_finished_good_has_a_routing_a_bom_and_a_cost(tables):
    products, routings, items = tables["products"], tables["routings"], tables["items"]
    made = items.loc[items["make_or_buy"] == "make", "item"]
    finished = products.loc[products["kind"] == "bike", "sku"]
    assert set(finished) <= set(routings["sku"])
    assert set(finished) <= set(tables["bom"]["parent"])
    assert set(made) <= set(tables["bom"]["parent"])
    for sku in finished:
        assert "assembly" in set(routings.loc[routings["sku"] == sku, "work_centre"]), sku
    cost = products[["material_cost", "labour_cost", "overhead_cost"]].sum(axis=1)
    assert np.allclose(cost, products["standard_cost"], atol=0.011)
    assert (products.loc[products["kind"] == "bike", "standard_cost"] > 0).all()
    margin = 1 - products["standard_cost"] / products["list_price"]
    assert margin.between(0.15, 0.75).all()


def test_shipments_never_exceed_orders_and_orders_add_up_to_sales(tables):
    sales, orders = tables["sales"], tables["orders"]
    assert (sales["shipped_units"] <= sales["ordered_units"]).all()
    assert (orders["shipped_units"] <= orders["requested_units"]).all()
    past = orders[orders["status"] != "open"]
    by_month = (
        past.assign(month=past["requested_date"].dt.to_period("M"))
        .groupby(["month", "sku", "region"])[["requested_units", "shipped_units"]]
        .sum()
    )
    s = sales.set_index(["month", "sku", "region"])
    joined = s.join(by_month, how="left", suffixes=("", "_orders")).fillna(0)
    assert (joined["ordered_units"] == joined["requested_units"]).all()
    assert (joined["shipped_units"] == joined["shipped_units_orders"]).all()
    assert by_month["requested_units"].sum() == sales["ordered_units"].sum()
    home = orders["customer"].map(tables["customers"].set_index("customer")["region"])
    assert (home == orders["region"]).all()
    shipped = past[past["shipped_units"] > 0]
    assert (
        shipped["shipped_date"].dt.to_period("M") == shipped["requested_date"].dt.to_period("M")
    ).all()
    assert (shipped["shipped_date"] > shipped["order_date"]).all()
    open_ = orders[orders["status"] == "open"]
    assert (open_["requested_date"] >= pd.Timestamp("2026-01-01")).all()
    assert (open_["order_date"] < pd.Timestamp("2026-01-01")).all()


def test_revenue_is_units_times_net_price_to_the_cent(tables):
    sales = tables["sales"]
    cents = np.round(sales["net_price"] * 100).astype(np.int64)
    assert (
        np.round(sales["revenue"] * 100).astype(np.int64) == sales["shipped_units"] * cents
    ).all()


def test_financials_are_built_from_sales_and_standard_costs(tables):
    sales, fin, products = tables["sales"], tables["financials"], tables["products"]
    rev = sales.groupby("month")["revenue"].sum()
    assert np.allclose(fin.set_index("month")["revenue"], rev, atol=0.005)
    std = sales["sku"].map(products.set_index("sku")["standard_cost"])
    cogs = (sales["shipped_units"] * std).groupby(sales["month"]).sum()
    assert np.allclose(fin.set_index("month")["cogs"], cogs, atol=0.01)
    assert np.allclose(fin["gross_margin"], fin["revenue"] - fin["cogs"], atol=0.005)
    plan = tables["sales_plan"].query("version == 'budget'")
    budget_rev = (plan["plan_units"] * plan["plan_price"]).groupby(plan["month"]).sum()
    assert np.allclose(tables["budget"].set_index("month")["revenue"], budget_rev, atol=0.01)


def _family_series(tables, family, region):
    sales = tables["sales"].merge(tables["products"][["sku", "family"]], on="sku")
    part = sales[(sales["family"] == family) & (sales["region"] == region)]
    return part.groupby("month", as_index=False).agg(
        ordered_units=("ordered_units", "sum"), promo=("promo", "max")
    )


@pytest.mark.parametrize(
    "family, region", [("road", "DACH"), ("mountain", "UK"), ("city", "BENELUX")]
)
def test_promotions_show_lift(tables, family, region):
    history = _family_series(tables, family, region)
    assert history["promo"].sum() >= 4
    effects = sop.estimate_promotion_effects(history, value="ordered_units")
    assert effects.loc["lift", "units"] > 0
    assert effects.loc["lift", "p_value"] < 0.05


def test_promotions_have_a_post_promotion_dip_on_average(tables):
    dips = [
        sop.estimate_promotion_effects(_family_series(tables, f, r), value="ordered_units").loc[
            "post_promo_dip", "units"
        ]
        for f, r in [("road", "DACH"), ("mountain", "UK"), ("city", "BENELUX")]
    ]
    assert np.mean(dips) < 0


def _seasonal_index(tables) -> pd.Series:
    """Calendar-month index of the established bikes (ratio to a centred 12-month mean)."""
    sales = tables["sales"].merge(tables["products"][["sku", "family"]], on="sku")
    total = (
        sales[sales["family"].isin(["road", "mountain"])].groupby("month")["ordered_units"].sum()
    )
    trend = total.rolling(12, center=True).mean().rolling(2).mean().shift(-1)
    ratio = (total / trend).dropna()
    return ratio.groupby(ratio.index.month).mean()


def test_ebike_launch_follows_an_s_curve(tables):
    """EB-100 sales, seasonally adjusted, fit a logistic ramp whose inflection is after launch.

    The season is the monthly profile of the last full year (2025), when EB-100 is mature.
    """
    sales = tables["sales"]
    eb = sales[sales["sku"] == "EB-100"].groupby("month")["ordered_units"].sum()
    launch = tables["products"].set_index("sku").loc["EB-100", "launch_month"]
    assert eb.index.min() == launch
    mature = eb[eb.index.year == 2025]
    season = pd.Series((mature / mature.mean()).to_numpy(), index=mature.index.month)
    y = eb.to_numpy() / season.reindex(eb.index.month).to_numpy()
    t = np.arange(len(y), dtype=float)

    def logistic(t, level, mid, width):
        return level / (1 + np.exp(-(t - mid) / width))

    (level, mid, width), _ = curve_fit(logistic, t, y, p0=[y.max(), 6, 2], maxfev=20000)
    fitted = logistic(t, level, mid, width)
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert r2 > 0.8
    assert 2 < mid < 24 and width > 0  # slow start, fast middle, plateau
    assert y[:3].mean() < 0.35 * y[-12:].mean()


def test_ebikes_cannibalise_city_bikes_and_end_of_life_declines(tables):
    sales = tables["sales"].merge(tables["products"][["sku", "family"]], on="sku")
    year = sales["month"].dt.year
    fam = sales.groupby([year, "family"], observed=True)["ordered_units"].sum().unstack()
    assert fam.loc[2025, "city"] < 0.8 * fam.loc[2022, "city"]
    assert fam.loc[2025, "road"] > fam.loc[2022, "road"]
    ct = sales[sales["sku"] == "CT-100"].groupby("month")["ordered_units"].sum()
    assert ct.index.max() == pd.Period("2024-12", "M")
    assert ct.iloc[-4:].mean() < 0.5 * ct.iloc[:12].mean()


def test_shortage_period_cuts_shipments(tables):
    sales = tables["sales"]
    uses = tables["bom"].query("component == 'DRT-12'")["parent"]
    short = sales["month"].between(pd.Period("2024-05", "M"), pd.Period("2024-08", "M"))
    hit = sales[short & sales["sku"].isin(uses)]
    normal = sales[~short]
    assert hit["shipped_units"].sum() < 0.8 * hit["ordered_units"].sum()
    assert normal["shipped_units"].sum() > 0.97 * normal["ordered_units"].sum()


def test_spare_parts_are_intermittent(tables):
    sales = tables["sales"]
    spares = tables["products"].query("kind != 'bike'")["sku"]
    assert 4 <= len(spares) <= 6
    for sku in spares:
        series = sales[sales["sku"] == sku].groupby("month")["ordered_units"].sum()
        # ADI = periods / periods with demand (Syntetos, Boylan & Croston 2005).
        assert len(series) / (series > 0).sum() > 1.32, sku
        assert sop.demand_profile(series)["adi"] > 1.32
        for _region, part in sales[sales["sku"] == sku].groupby("region"):
            assert (part["ordered_units"] > 0).sum() > 0, (sku, _region)
            assert len(part) / (part["ordered_units"] > 0).sum() > 1.32


def test_every_forecast_snapshot_has_lags_1_to_3(tables):
    snap = tables["forecast_snapshots"]
    lags = snap.groupby(["target_month", "sku", "region"])["lag"].apply(frozenset)
    assert (lags == frozenset({1, 2, 3})).all()
    assert ((snap["target_month"] - snap["snapshot_month"]).map(lambda d: d.n) == snap["lag"]).all()
    assert snap["target_month"].nunique() >= 12
    keys = snap[["target_month", "sku", "region"]].drop_duplicates()
    sales = tables["sales"].rename(columns={"month": "target_month"})
    assert len(keys.merge(sales, on=["target_month", "sku", "region"])) == len(keys)


def test_forecast_inputs_carry_the_planted_biases(tables):
    snap = tables["forecast_snapshots"].merge(
        tables["sales"].rename(columns={"month": "target_month", "ordered_units": "actual"}),
        on=["target_month", "sku", "region"],
    )
    fva = sop.forecast_value_added(
        snap, ["naive", "statistical", "sales_input", "marketing_input", "consensus"]
    ).set_index("step")
    assert fva.loc["sales_input", "bias"] > 0  # sales over-forecasts
    assert fva.loc["sales_input", "fva_vs_statistical"] < 0
    assert fva.loc["statistical", "fva_vs_naive"] > 0


def test_pipeline_late_stages_are_optimistic(tables):
    closed = tables["pipeline"].query("status != 'open'")
    rate = closed.groupby("stage", observed=True).agg(
        stated=("stage_probability", "first"), won=("status", lambda s: (s == "won").mean())
    )
    late = rate.loc[["negotiate", "commit"]]
    assert (late["won"] < late["stated"]).all()
    assert (tables["pipeline"]["status"] == "open").sum() >= 30


def test_capacity_has_a_spring_bottleneck_at_painting(tables):
    wc = tables["work_centres"]
    cap = sop.available_capacity(
        wc["hours_per_shift"],
        wc["shifts"],
        wc["days_per_month"],
        wc["units"],
        wc["utilisation"],
        wc["efficiency"],
    ).set_axis(pd.MultiIndex.from_frame(wc[["plant", "work_centre"]]))
    plan = tables["sales_plan"].query("version == 'sop'")
    peak = plan[plan["month"] == pd.Period("2026-05", "M")]
    fam = tables["products"].set_index("sku")["family"]
    share = {("road", "P1"): 0.6, ("mountain", "P1"): 0.6, ("ebike", "P1"): 1.0}
    r = tables["routings"].query("plant == 'P1'")
    load = {}
    for _, row in r.iterrows():
        units = peak.loc[peak["sku"] == row["sku"], "plan_units"].sum()
        s = share.get((fam[row["sku"]], "P1"), 0.0)
        load[row["work_centre"]] = (
            load.get(row["work_centre"], 0) + units * s * row["hours_per_unit"]
        )
    util = {k: v / cap[("P1", k)] for k, v in load.items()}
    assert max(util, key=util.get) == "painting"
    assert util["painting"] > 0.9


def test_course_functions_take_the_tables_as_the_readme_says():
    """The calls listed in datasets/README.md work on the standard data."""
    c = sop.load_company(seed=0)
    plan = c.sales_plan[c.sales_plan["version"] == "sop"]
    bikes = c.products.loc[c.products["kind"] == "bike", "sku"]
    start = pd.Period("2026-01", "M")

    def period(months):
        return pd.PeriodIndex(months).asi8 - start.ordinal + 1

    mps = (
        plan[plan["sku"].isin(bikes)].groupby(["sku", "month"], as_index=False)["plan_units"].sum()
    )
    demand = pd.DataFrame(
        {"item": mps["sku"], "period": period(mps["month"]), "quantity": mps["plan_units"]}
    )
    stock = c.inventory.groupby("item", as_index=False)[["on_hand", "safety_stock"]].sum()
    items = c.items.merge(stock, on="item", how="left").fillna({"on_hand": 0, "safety_stock": 0})
    receipts = c.scheduled_receipts.groupby(["item", "due_month"], as_index=False)["quantity"].sum()
    receipts = pd.DataFrame(
        {
            "item": receipts["item"],
            "period": period(receipts["due_month"]),
            "quantity": receipts["quantity"],
        }
    )
    result = sop.run_mrp(demand, c.bom, items, receipts)
    assert result.record("DRT-12").loc["gross_requirements"].sum() > 0

    profile = c.routings[c.routings["plant"] == "P1"].rename(
        columns={"sku": "product", "offset_months": "offset"}
    )
    mps_p1 = demand.rename(columns={"item": "product"})
    load = sop.rccp_resource_profile(mps_p1[mps_p1["product"].isin(profile["product"])], profile)
    assert set(load["work_centre"]) == set(profile["work_centre"])

    params = dict(zip(c.planning_costs["parameter"], c.planning_costs["value"], strict=True))
    names = [
        "initial_workforce",
        "hours_per_unit",
        "regular_hours_per_worker",
        "regular_cost_per_hour",
        "overtime_cost_per_hour",
        "max_overtime_per_worker",
        "hiring_cost",
        "layoff_cost",
        "holding_cost",
        "backorder_cost",
        "material_cost",
        "subcontract_cost",
        "max_subcontract",
    ]
    monthly = plan[plan["sku"].isin(bikes)].groupby("month")["plan_units"].sum().iloc[:6]
    sop.aggregate_plan(monthly.to_numpy(dtype=float), **{k: params[k] for k in names})

    abc = sop.abc_xyz_classification(
        c.sales.rename(columns={"sku": "item", "month": "period", "ordered_units": "quantity"}),
        c.products.set_index("sku")["standard_cost"],
    )
    assert len(abc) == c.sales["sku"].nunique()


# --------------------------------------------------------------------------- files
def test_committed_csvs_are_exactly_the_standard_seed(tmp_path, variants):
    written = write_tables(variants[0], tmp_path)
    committed = data_dir()
    assert sorted(p.name for p in written) == sorted(p.name for p in committed.glob("*.csv"))
    for path in written:
        assert path.read_bytes() == (committed / path.name).read_bytes(), path.name
    assert b"\r\n" not in (committed / "sales.csv").read_bytes()


def test_readme_dictionary_and_diagram_are_generated_from_the_schema(tmp_path):
    from sopcourse.datasets.commands import update_readme

    copy = tmp_path / "README.md"
    shutil.copyfile(data_dir() / "README.md", copy)
    assert not update_readme(copy), "run: python -m sopcourse.datasets.commands"
    text = copy.read_text(encoding="utf-8")
    for name, table in SCHEMA.items():
        assert f"### {name}" in text
        for col in table.columns:
            assert f"| {col.name} |" in text
    assert "```mermaid\nerDiagram" in text


def test_committed_data_validates_cleanly():
    report = validate_data(data_dir())
    assert report.ok and not report.warnings, str(report)
    assert len(report.tables) == len(SCHEMA)


# --------------------------------------------------------------------------- loader
def test_load_company_types_and_repr(monkeypatch, variants):
    monkeypatch.delenv(SEED_ENV, raising=False)
    company = sop.load_company()
    assert company.seed == 0
    assert isinstance(company.sales["month"].dtype, pd.PeriodDtype)
    assert company.sales["month"].dtype == pd.PeriodDtype("M")
    assert str(company.orders["requested_date"].dtype).startswith("datetime64")
    assert isinstance(company.products["family"].dtype, pd.CategoricalDtype)
    assert company.sales["promo"].dtype == bool
    text = repr(company)
    for name, df in company.tables.items():
        assert name in text and f"{len(df):,}" in text
    generated = variants[0]
    for name in SCHEMA:
        pd.testing.assert_frame_equal(getattr(company, name), generated[name], rtol=1e-12)


def test_seed_comes_from_the_environment(monkeypatch, variants):
    monkeypatch.setenv(SEED_ENV, "")
    assert sop.load_company().seed == 0
    monkeypatch.setenv(SEED_ENV, " 7 ")
    variant = sop.load_company()
    assert variant.seed == 7
    pd.testing.assert_frame_equal(variant.sales, variants[7]["sales"])
    monkeypatch.setenv(SEED_ENV, "seven")
    with pytest.raises(ValueError, match=SEED_ENV):
        sop.load_company()
    assert sop.load_company(seed=0).seed == 0  # an explicit seed wins over the variable


@pytest.mark.parametrize("seed", ["1", 1.5, True, -1, None])
def test_bad_seed_argument_is_rejected(seed, monkeypatch):
    monkeypatch.delenv(SEED_ENV, raising=False)
    if seed is None:
        assert sop.load_company(seed=None).seed == 0
        return
    with pytest.raises(ValueError, match="seed must be"):
        sop.load_company(seed=seed)
    with pytest.raises(ValueError, match="seed must be"):
        generate(seed)


def test_missing_data_folder_says_how_to_fix_it(monkeypatch, tmp_path):
    from sopcourse.datasets import load

    fake = tmp_path / "site" / "sopcourse" / "datasets" / "load.py"
    monkeypatch.setattr(load, "__file__", str(fake))
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        sop.load_company(seed=0)


def test_load_own_data_folder(tmp_path, variants):
    folder = tmp_path / "mine"
    tables = variants[42]
    write_tables({n: tables[n] for n in ["products", "regions", "sales", "items"]}, folder)
    own = sop.load_company(data_dir=folder)
    assert own.seed is None and own.orders is None
    pd.testing.assert_frame_equal(own.sales, tables["sales"], rtol=1e-12)
    (folder / "sales.csv").write_text("month,sku\n2024-01,RD-200\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sales.csv"):
        sop.load_company(data_dir=folder)


# --------------------------------------------------------------------------- CLI
def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_cli_generate_then_validate(tmp_path, capsys):
    out = tmp_path / "variant"
    assert main(["data", "generate", "--seed", "11", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(t.file for t in SCHEMA.values())
    assert main(["data", "validate", str(out)]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_cli_generate_refuses_a_non_empty_folder(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    (out / "sales.csv").write_text("mine", encoding="utf-8")
    before = _hashes(out)
    assert main(["data", "generate", "--seed", "2", "--out", str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    assert _hashes(out) == before
    assert main(["data", "generate", "--seed", "2", "--out", str(out), "--force"]) == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (out / "sales.csv").read_text(encoding="utf-8") != "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- bad data
@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    """A small valid data folder: a slice of the standard tables."""
    t = generate(0)
    keep = {n: t[n] for n in ["products", "regions", "customers", "items", "bom", "plants"]}
    keep["sales"] = t["sales"][t["sales"]["month"] >= pd.Period("2025-10", "M")].reset_index(
        drop=True
    )
    snap = t["forecast_snapshots"]
    keep["forecast_snapshots"] = snap[
        snap["target_month"] == pd.Period("2025-12", "M")
    ].reset_index(drop=True)
    keep["promotions"] = t["promotions"]
    folder = tmp_path_factory.mktemp("small")
    write_tables(keep, folder)
    assert validate_data(folder).ok
    return folder


def _edit(folder, file, func):
    path = folder / file
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(func(lines)), encoding="utf-8")


def _set(file, line, column, value):
    """Set one cell: line = CSV line number (header = 1)."""

    def func(folder):
        path = folder / file
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        rows[line - 1][rows[0].index(column)] = value
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")

    return func


def _drop_column(file, column):
    def func(folder):
        df = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
        df.drop(columns=column).to_csv(folder / file, index=False, lineterminator="\n")

    return func


def _append_line(file, text):
    def func(folder):
        _edit(folder, file, lambda lines: lines[:-1] + [text, ""])

    return func


def _duplicate_line(file, line):
    def func(folder):
        _edit(folder, file, lambda lines: lines[:-1] + [lines[line - 1], ""])

    return func


def _write_bytes(file, data: bytes):
    def func(folder):
        (folder / file).write_bytes(data)

    return func


def _header_only(file):
    def func(folder):
        _edit(folder, file, lambda lines: [lines[0], ""])

    return func


def _delete(file):
    def func(folder):
        (folder / file).unlink()

    return func


def _double_header(folder):
    _edit(
        folder,
        "regions.csv",
        lambda lines: [lines[0] + ",region"] + [x + ",X" if x else x for x in lines[1:]],
    )


# name, mutation, file, line (or None), column fragment (or None), message fragment
BAD_DATA = [
    ("missing file", _delete("products.csv"), "products.csv", None, None, "is missing"),
    (
        "missing column",
        _drop_column("sales.csv", "shipped_units"),
        "sales.csv",
        1,
        "shipped_units",
        "missing column",
    ),
    (
        "wrong type",
        _set("sales.csv", 4, "ordered_units", "twelve"),
        "sales.csv",
        4,
        "ordered_units",
        "not a whole number",
    ),
    (
        "decimal in integer",
        _set("sales.csv", 5, "ordered_units", "3.5"),
        "sales.csv",
        5,
        "ordered_units",
        "not a whole number",
    ),
    (
        "negative quantity",
        _set("sales.csv", 6, "shipped_units", "-3"),
        "sales.csv",
        6,
        "shipped_units",
        "negative",
    ),
    (
        "missing value in a key",
        _set("sales.csv", 7, "sku", ""),
        "sales.csv",
        7,
        "sku",
        "part of the key",
    ),
    (
        "duplicate key",
        _duplicate_line("sales.csv", 3),
        "sales.csv",
        3,
        "month, sku, region",
        "duplicate key",
    ),
    (
        "unknown SKU in a foreign table",
        _set("sales.csv", 8, "sku", "XX-999"),
        "sales.csv",
        8,
        "sku",
        "not found in products.csv",
    ),
    (
        "unknown market",
        _set("customers.csv", 2, "region", "MARS"),
        "customers.csv",
        2,
        "region",
        "not found in regions.csv",
    ),
    (
        "BOM cycle",
        _append_line("bom.csv", "TUB-AL,FRM-RD-AL,1.0000"),
        "bom.csv",
        None,
        "parent, component",
        "cycle",
    ),
    (
        "BOM self reference",
        _append_line("bom.csv", "SPK,SPK,1.0000"),
        "bom.csv",
        None,
        "component",
        "its own component",
    ),
    (
        "non-monthly dates",
        _set("sales.csv", 9, "month", "2025-10-15"),
        "sales.csv",
        9,
        "month",
        "is a date, not a month",
    ),
    (
        "not a month at all",
        _set("sales.csv", 10, "month", "Oct 2025"),
        "sales.csv",
        10,
        "month",
        "not a month",
    ),
    ("empty table", _header_only("bom.csv"), "bom.csv", None, None, "no rows"),
    ("empty file", _write_bytes("regions.csv", b""), "regions.csv", None, None, "is empty"),
    # A semicolon-separated or Latin-1 file is read now (tests/test_real_exports.py).
    (
        "unknown value of a closed category",
        _set("products.csv", 3, "status", "retired"),
        "products.csv",
        3,
        "status",
        "not an allowed value",
    ),
    (
        "family not defined in products.csv",
        _set("promotions.csv", 3, "family", "gravel"),
        "promotions.csv",
        3,
        "family",
        "add 'gravel' to products.csv family",
    ),
    (
        "fraction written as percent",
        _set("regions.csv", 2, "regional_discount", "15"),
        "regions.csv",
        2,
        "regional_discount",
        "above the maximum",
    ),
    (
        "wrong number of fields",
        _append_line("plants.csv", "P3,Extra,Nowhere,too many"),
        "plants.csv",
        4,
        None,
        "wrong number of fields",
    ),
    (
        "revenue not units x price",
        _set("sales.csv", 11, "revenue", "1.00"),
        "sales.csv",
        11,
        "revenue",
        "shipped_units x net_price",
    ),
    (
        "shipped more than ordered",
        _set("sales.csv", 12, "shipped_units", "100000"),
        "sales.csv",
        12,
        "shipped_units",
        "more units shipped than ordered",
    ),
    (
        "lag does not match months",
        _set("forecast_snapshots.csv", 2, "lag", "3"),
        "forecast_snapshots.csv",
        2,
        "lag",
        "target_month - snapshot_month",
    ),
    ("duplicate column", _double_header, "regions.csv", 1, "region", "more than once"),
    (
        "not a number",
        _set("products.csv", 4, "list_price", "EUR 1,200"),
        "products.csv",
        4,
        None,
        None,
    ),
    ("bad boolean", _set("sales.csv", 13, "promo", "yes"), "sales.csv", 13, "promo", "not 0 or 1"),
    # validate used to accept these, and load then failed or loaded garbage
    (
        "infinite integer",
        _set("sales.csv", 4, "ordered_units", "inf"),
        "sales.csv",
        4,
        "ordered_units",
        "not a number",
    ),
    (
        "integer too large for int64",
        _set("sales.csv", 5, "ordered_units", str(10**30)),
        "sales.csv",
        5,
        "ordered_units",
        "implausibly large",
    ),
    (
        "implausibly large integer",
        _set("sales.csv", 6, "ordered_units", "1e308"),
        "sales.csv",
        6,
        "ordered_units",
        "implausibly large",
    ),
    (
        "one-digit month",
        _set("sales.csv", 7, "month", "2025-1"),
        "sales.csv",
        7,
        "month",
        "YYYY-MM",
    ),
    (
        "month 13",
        _set("sales.csv", 8, "month", "2025-13"),
        "sales.csv",
        8,
        "month",
        "01 to 12",
    ),
    (
        "year out of range",
        _set("products.csv", 2, "launch_month", "0999-01"),
        "products.csv",
        2,
        "launch_month",
        "outside the years",
    ),
]


@pytest.mark.parametrize(
    "mutate, file, line, column, fragment", [c[1:] for c in BAD_DATA], ids=[c[0] for c in BAD_DATA]
)
def test_bad_data_is_reported_clearly_and_nothing_changes(
    small_folder, tmp_path, capsys, mutate, file, line, column, fragment
):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    mutate(folder)
    before = _hashes(folder)
    report = validate_data(folder)
    assert not report.ok
    matching = [p for p in report.errors if p.file == file]
    assert matching, str(report)
    if fragment is not None:
        matching = [p for p in matching if fragment in p.message]
        assert matching, str(report)
    if line is not None:
        assert any(line in p.lines for p in matching), str(report)
    if column is not None:
        assert any(p.column and column in p.column for p in matching), str(report)
    text = str(matching[0])
    assert text.startswith(file)
    if line is not None and matching[0].lines:
        assert "line" in text
    assert main(["data", "validate", str(folder)]) == 1
    out = capsys.readouterr()
    assert file in out.out and "nothing was changed" in out.err
    assert _hashes(folder) == before


@pytest.mark.parametrize(
    "file, line, column, value",
    [
        ("sales.csv", 4, "ordered_units", "inf"),  # was: IntCastingNaNError from pandas
        ("sales.csv", 4, "ordered_units", str(10**30)),  # was: OverflowError
        ("sales.csv", 4, "ordered_units", "1e19"),  # was: loaded as -9223372036854775808
        ("sales.csv", 4, "month", "2025-1"),  # was: accepted although not YYYY-MM
    ],
)
def test_load_raises_the_problems_validate_reports(
    small_folder, tmp_path, file, line, column, value
):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    _set(file, line, column, value)(folder)
    report = validate_data(folder)
    assert not report.ok
    with pytest.raises(ValueError) as info:
        sop.load_company(data_dir=folder)
    assert type(info.value) is ValueError  # not a pandas error (IntCastingNaNError ...)
    assert f"{file}, line {line}, column {column}: {value!r}" in str(info.value)
    assert report.text(warnings=False) in str(info.value)


def test_spaces_around_values_are_ignored_by_validate_and_load_alike(small_folder, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    _set("sales.csv", 4, "sku", " RD-200")(folder)  # was: loaded as ' RD-200', joining nothing
    _set("products.csv", 3, "family", "road ")(folder)  # was: loaded as NaN
    report = validate_data(folder)
    assert report.ok, str(report)
    warned = {(p.file, p.lines, p.column) for p in report.warnings}
    assert {("sales.csv", (4,), "sku"), ("products.csv", (3,), "family")} <= warned
    own = sop.load_company(data_dir=folder)
    assert own.sales["sku"].iloc[2] == "RD-200"
    assert own.products["family"].iloc[1] == "road"


def test_lines_are_counted_as_an_editor_counts_them(small_folder, tmp_path):
    """A quoted value with a line break takes two lines: later rows are one line further."""
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    _set("products.csv", 2, "name", "Ridge Road\n200")(folder)
    _set("products.csv", 4, "list_price", "lots")(folder)
    text = (folder / "products.csv").read_text(encoding="utf-8").split("\n")
    line = next(i for i, t in enumerate(text, start=1) if ",lots," in t)
    assert line == 5
    bad = [p for p in validate_data(folder).errors if p.column == "list_price"]
    assert [p.lines for p in bad] == [(5,)], bad


def test_bom_cycle_names_the_links(small_folder, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    _append_line("bom.csv", "TUB-AL,FRM-RD-AL,1.0000")(folder)
    lines = (folder / "bom.csv").read_text(encoding="utf-8").splitlines()
    back = lines.index("FRM-RD-AL,TUB-AL,1.0000") + 1
    cycle = [p for p in validate_data(folder).errors if "cycle" in p.message]
    assert len(cycle) == 1
    assert set(cycle[0].lines) == {back, len(lines)}
    assert "TUB-AL -> FRM-RD-AL -> TUB-AL" in cycle[0].message or (
        "FRM-RD-AL -> TUB-AL -> FRM-RD-AL" in cycle[0].message
    )


def test_loading_bad_data_raises_with_every_problem(small_folder, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    _set("sales.csv", 4, "ordered_units", "twelve")(folder)
    _set("products.csv", 3, "status", "gravel")(folder)
    before = _hashes(folder)
    with pytest.raises(ValueError, match="2 problem") as info:
        sop.load_company(data_dir=folder)
    assert "sales.csv, line 4, column ordered_units" in str(info.value)
    assert "products.csv, line 3, column status" in str(info.value)
    assert _hashes(folder) == before


def test_all_problems_are_reported_at_once(small_folder, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    _set("sales.csv", 4, "ordered_units", "twelve")(folder)
    _set("sales.csv", 6, "region", "MARS")(folder)
    _append_line("bom.csv", "TUB-AL,FRM-RD-AL,1.0000")(folder)
    _set("products.csv", 3, "status", "gravel")(folder)
    _write_bytes("regions.csv", b"region,name\n")(folder)
    _set("forecast_snapshots.csv", 5, "naive", "-1")(folder)
    report = validate_data(folder)
    files = {p.file for p in report.errors}
    assert {
        "sales.csv",
        "bom.csv",
        "products.csv",
        "regions.csv",
        "forecast_snapshots.csv",
    } <= files
    assert len(report.errors) >= 6


def test_unknown_files_and_columns_are_warnings(small_folder, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(small_folder, folder)
    (folder / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    _edit(
        folder,
        "plants.csv",
        lambda lines: [lines[0] + ",manager"] + [x + ",Ann" if x else x for x in lines[1:]],
    )
    report = validate_data(folder)
    assert report.ok
    assert {p.file for p in report.warnings} == {"notes.csv", "plants.csv"}


def test_validate_a_missing_folder(tmp_path, capsys):
    assert main(["data", "validate", str(tmp_path / "nope")]) == 1
    assert "is not a folder" in capsys.readouterr().out


def test_closing_inventory_value_is_the_inventory_table(tables):
    cost = tables["inventory"]["item"].map(tables["items"].set_index("item")["unit_cost"])
    value = (tables["inventory"]["on_hand"] * cost).sum()
    closing = (
        tables["financials"].set_index("month").loc[pd.Period("2025-12", "M"), "inventory_value"]
    )
    assert closing == pytest.approx(value, abs=0.01)
