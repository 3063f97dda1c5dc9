"""The model is general; Tallridge is one instance of it (issue 18).

A company's own vocabularies (families, product kinds, channels, customer classes, work
centres) come from its data: the defining table lists them, the other tables must use
them; the vocabularies the methods branch on stay closed.
"""

from __future__ import annotations

import pandas as pd
import pytest

import sopcourse as sop
from sopcourse.datasets import SCHEMA, validate_data
from sopcourse.datasets.parse import parse_column
from sopcourse.datasets.schema import FAMILIES, KINDS, WORK_CENTRES, open_categories

PRODUCTS = [
    # sku, name, family, kind
    ("VL-100", "Gate valve DN100", "valves", "valve"),
    ("VL-200", "Ball valve DN50", "valves", "valve"),
    ("AC-10", "Electric actuator 10 Nm", "actuators", "actuator"),
    ("SP-1", "Seal kit", "valves", "spare"),
]
REGIONS = [("NA", "North America", "USD", 45, 0.08), ("EU", "Europe", "EUR", 30, 0.12)]
MONTHS = [str(p) for p in pd.period_range("2024-01", "2025-12", freq="M")]


def _write(folder, name, rows):
    cols = SCHEMA[name].column_names
    frame = pd.DataFrame(rows, columns=cols)
    frame.to_csv(folder / SCHEMA[name].file, index=False, lineterminator="\n")


@pytest.fixture
def valve_folder(tmp_path):
    """A valve manufacturer's data in the documented format: products, regions, sales
    over 24 months, customers and promotions of its own."""
    folder = tmp_path / "valves"
    folder.mkdir()
    products = []
    for i, (sku, name, family, kind) in enumerate(PRODUCTS):
        price, material, labour = 100.0 + 50 * i, 40.0 + 10 * i, 10.0
        overhead = 5.0
        products.append(
            (sku, name, family, kind, f"{price:.2f}", f"{material:.2f}", f"{labour:.2f}")
            + (f"{overhead:.2f}", f"{material + labour + overhead:.2f}", "active", "2020-01", "")
        )
    _write(folder, "products", products)
    _write(folder, "regions", [(r, n, c, d, f"{x:.4f}") for r, n, c, d, x in REGIONS])
    sales = []
    for m_i, month in enumerate(MONTHS):
        for p_i, (sku, *_rest) in enumerate(PRODUCTS):
            for r_i, (region, *_r) in enumerate(REGIONS):
                ordered = 20 + 3 * p_i + 5 * r_i + (m_i % 6)
                shipped = ordered - (1 if m_i % 5 == 0 else 0)
                price = 90.0 + 45 * p_i
                sales.append(
                    (month, sku, region, ordered, shipped, f"{price:.2f}")
                    + (f"{shipped * price:.2f}", 0)
                )
    _write(folder, "sales", sales)
    _write(
        folder,
        "customers",
        [
            ("CU-1", "Midwest Water", "NA", "distributor", "strategic"),
            ("CU-2", "EuroChem", "EU", "direct", "standard"),
        ],
    )
    _write(
        folder,
        "promotions",
        [
            ("PR-1", "event", "valves", "", "NA", "2025-03", "2025-03", "0.0000", "Trade fair"),
            (
                "PR-2",
                "promotion",
                "actuators",
                "AC-10",
                "EU",
                "2025-05",
                "2025-05",
                "0.1000",
                "Sale",
            ),
        ],
    )
    return folder


def _set(folder, file, line, column, value):
    path = folder / file
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_a_valve_manufacturer_validates_and_loads(valve_folder):
    report = validate_data(valve_folder)
    assert report.ok, str(report)
    company = sop.load_company(data_dir=valve_folder)
    assert list(company.products["family"].cat.categories) == ["valves", "actuators"]
    assert list(company.products["kind"].cat.categories) == ["valve", "actuator", "spare"]
    assert list(company.customers["channel"].cat.categories) == ["distributor", "direct"]
    assert list(company.customers["customer_class"].cat.categories) == ["strategic", "standard"]
    # the other tables of the vocabulary share the defining table's categories
    assert list(company.promotions["family"].cat.categories) == ["valves", "actuators"]
    assert len(company.sales) == len(MONTHS) * len(PRODUCTS) * len(REGIONS)


def test_a_family_not_in_products_is_one_error_naming_file_line_and_column(valve_folder):
    _set(valve_folder, "promotions.csv", 3, "family", "pumps")
    report = validate_data(valve_folder)
    assert len(report.errors) == 1, str(report)
    problem = report.errors[0]
    assert (problem.file, problem.lines, problem.column) == ("promotions.csv", (3,), "family")
    assert "'pumps'" in problem.message and "products.csv" in problem.message
    assert "add 'pumps' to products.csv family, or correct the spelling" in problem.message
    with pytest.raises(ValueError, match="promotions.csv, line 3, column family"):
        sop.load_company(data_dir=valve_folder)


def test_a_family_in_the_wrong_case_gets_a_hint(valve_folder):
    _set(valve_folder, "promotions.csv", 2, "family", "Valves")
    report = validate_data(valve_folder)
    assert len(report.errors) == 1, str(report)
    assert "did you mean 'valves'" in report.errors[0].message


def test_every_inconsistent_table_is_reported_at_once(valve_folder):
    _set(valve_folder, "promotions.csv", 2, "family", "pumps")
    _set(valve_folder, "promotions.csv", 3, "family", "pumps")
    _write(valve_folder, "targets", [(2025, "hoses", "NA", "1000.00", "0.3000")])
    report = validate_data(valve_folder)
    where = sorted((p.file, p.lines, p.column) for p in report.errors)
    assert where == [("promotions.csv", (2, 3), "family"), ("targets.csv", (2,), "family")]


def test_work_centres_without_their_table_are_accepted(valve_folder):
    """routings name work centres; without work_centres.csv nothing defines the list."""
    _write(
        valve_folder,
        "routings",
        [("VL-100", "PL1", "casting", "0.5000", 1), ("VL-100", "PL1", "machining", "0.2500", 0)],
    )
    report = validate_data(valve_folder)
    assert report.ok, str(report)
    company = sop.load_company(data_dir=valve_folder)
    assert list(company.routings["work_centre"].cat.categories) == ["casting", "machining"]


def test_a_closed_vocabulary_is_still_refused(valve_folder):
    col = SCHEMA["products"].column("status")
    assert not col.open
    typed, issues = parse_column(col, pd.Series(["active", "retired"]))
    assert typed is None and "not an allowed value" in issues[0][1]
    _set(valve_folder, "products.csv", 2, "status", "retired")
    report = validate_data(valve_folder)
    assert [(p.file, p.lines, p.column) for p in report.errors] == [
        ("products.csv", (2,), "status")
    ]


def test_the_open_and_closed_columns():
    opened = {(t.name, c.name): c.defined_by for t in SCHEMA.values() for c in t.columns if c.open}
    assert opened[("products", "family")] == ("products", "family")
    assert opened[("promotions", "family")] == ("products", "family")
    assert opened[("routings", "work_centre")] == ("work_centres", "work_centre")
    for closed in [("products", "status"), ("items", "make_or_buy"), ("sales_plan", "version")]:
        assert closed not in opened
    for (table, column), (ref_table, ref_col) in opened.items():
        ref = SCHEMA[ref_table].column(ref_col)
        assert ref.defined_by == (ref_table, ref_col), (table, column)


def test_tallridge_categories_are_unchanged():
    """The committed data loads with the categories (and their order) of the old lists."""
    old = {
        "family": FAMILIES,
        "cannibalised_family": FAMILIES,
        "kind": KINDS,
        "work_centre": WORK_CENTRES,
        "channel": ["dealer", "online", "key_account"],
        "customer_class": ["A", "B", "C"],
    }
    company = sop.load_company()
    checked = 0
    for name, table in SCHEMA.items():
        for col in table.columns:
            if not col.open:
                continue
            s = getattr(company, name)[col.name]
            assert str(s.dtype) == "category"
            assert list(s.cat.categories) == list(old[col.name]), (name, col.name)
            checked += 1
    assert checked == 10


def test_open_categories_put_the_listed_values_first():
    col = SCHEMA["products"].column("family")
    assert open_categories(col, ["valves", "city", "road", "", None, "valves"]) == [
        "road",
        "city",
        "valves",
    ]


def test_the_case_inputs_take_a_company_of_its_own_kinds():
    """Products picked by kind: another company's kinds, or every routed product."""
    from sopcourse.case import planning_inputs_from_company, product_mix_inputs

    company = sop.load_company()
    bikes = product_mix_inputs(company, "P1", "2026-05", kind="bike")
    company.products["kind"] = company.products["kind"].cat.rename_categories({"bike": "valve"})
    with pytest.raises(ValueError, match="kind 'bike' has a routing.*'valve'"):
        product_mix_inputs(company, "P1", "2026-05", kind="bike")
    with pytest.raises(ValueError, match="kind=None"):
        planning_inputs_from_company(company, horizon=2, kind="bike")
    # the defaults are the finished goods of items.csv, the first plant, the plan's start
    default = product_mix_inputs(company, month="2026-05")
    pd.testing.assert_series_equal(default["margin"], bikes["margin"])
    first = planning_inputs_from_company(company, horizon=2)
    assert sorted(first.demand["period"].unique()) == ["2026-01", "2026-02"]
    items = company.items
    finished = set(items.loc[items["item_type"] == "finished_good", "item"])
    assert set(first.demand["product"]) <= finished and "WHL-700" not in finished
    valves = product_mix_inputs(company, "P1", "2026-05", kind="valve")
    pd.testing.assert_series_equal(valves["margin"], bikes["margin"])
    every = product_mix_inputs(company, "P1", "2026-05", kind=None)
    assert set(bikes["margin"].index) <= set(every["margin"].index)
    inputs = planning_inputs_from_company(company, horizon=2, kind=None)
    assert not inputs.demand.empty


def test_the_cycle_runs_on_a_valve_manufacturer(valve_folder, tmp_path, capsys):
    from sopcourse import cli

    out = tmp_path / "review.html"
    before = {p.name: p.read_bytes() for p in valve_folder.iterdir()}
    assert cli.main(["cycle", str(valve_folder), "--out", str(out), "--horizon", "3"]) == 0
    printed = capsys.readouterr().out
    assert "Traceback" not in printed
    page = out.read_text(encoding="utf-8")
    assert "What this cycle ran on" in page
    assert "valves" in page and "actuators" in page
    result = sop.run_cycle(valve_folder, horizon=3)
    rows = result.coverage.steps.set_index("step")
    assert rows.loc["statistical forecast", "outcome"] == "ran fully"
    assert set(result.consensus["sku"]) == {p[0] for p in PRODUCTS}
    assert {p.name: p.read_bytes() for p in valve_folder.iterdir()} == before
