"""The minimal start (issue 18): a product list and a sales history are enough.

``products.csv`` with sku, family, price, unit_cost and ``sales.csv`` with month, sku,
market, units (revenue optional) validate, load and run the cycle; the columns and the
regions table they leave out are derived and said so (``sopcourse.datasets.minimal``).
"""

from __future__ import annotations

import pandas as pd
import pytest

import sopcourse as sop
from sopcourse.datasets import data_dir, validate_data

PRODUCTS = "sku,family,price,unit_cost\nVL-100,valves,180.00,95.50\nVL-200,valves,120.00,60.00\nAC-10,actuators,450.00,260.00\n"
MONTHS = [str(p) for p in pd.period_range("2023-01", "2025-12", freq="M")]
SKUS = {"VL-100": 40, "VL-200": 25, "AC-10": 10}
MARKETS = ["US", "DE"]


def _sales_rows(revenue=False):
    rows = []
    for m_i, month in enumerate(MONTHS):
        for s_i, (sku, base) in enumerate(SKUS.items()):
            for k_i, market in enumerate(MARKETS):
                units = base + (m_i * 7 + s_i * 3 + k_i * 5) % 11 + (6 if m_i % 12 in (4, 5) else 0)
                row = [month, sku, market, units]
                if revenue:  # an invoiced amount: about the list price, not exactly
                    row.append(f"{units * (100 + 40 * s_i) + 0.37 * (m_i % 3):.2f}")
                rows.append(row)
    return rows


def _minimal(folder, revenue=False):
    folder.mkdir(exist_ok=True)
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    cols = ["month", "sku", "market", "units"] + (["revenue"] if revenue else [])
    pd.DataFrame(_sales_rows(revenue), columns=cols).to_csv(
        folder / "sales.csv", index=False, lineterminator="\n"
    )
    return folder


@pytest.fixture
def mini(tmp_path):
    return _minimal(tmp_path / "mini")


def test_two_tables_validate_and_every_derived_column_is_said(mini):
    report = validate_data(mini)
    assert report.ok, report.text()
    assert report.derived["regions"] == [
        "region",
        "name",
        "currency",
        "payment_terms_days",
        "regional_discount",
    ]
    assert report.derived["sales"] == ["shipped_units", "net_price", "revenue", "promo"]
    assert "launch_month" in report.derived["products"]
    by_file = {p.file: p.message for p in report.warnings if "derived" in p.message}
    assert "shipped_units = ordered_units" in by_file["sales.csv"]
    assert "launch_month = the SKU's first month in sales.csv" in by_file["products.csv"]
    regions = next(p for p in report.warnings if p.file == "regions.csv")
    assert "(US, DE)" in regions.message and "add regions.csv" in regions.message
    renamed = [p.message for p in report.warnings if p.message.startswith("column names read")]
    assert "'price' as list_price" in renamed[0] and "'market' as region" in renamed[1]


def test_the_derived_values(mini):
    company = sop.load_company(data_dir=mini)
    products = company.products.set_index("sku")
    assert products.loc["AC-10", "list_price"] == 450.0
    assert products.loc["AC-10", "material_cost"] == products.loc["AC-10", "standard_cost"] == 260.0
    assert (products["labour_cost"] == 0).all() and (products["status"] == "active").all()
    assert str(products.loc["VL-100", "launch_month"]) == "2023-01"
    sales = company.sales
    assert (sales["shipped_units"] == sales["ordered_units"]).all()
    price = sales["sku"].map(products["list_price"])
    assert (sales["net_price"] == price).all()
    assert (sales["revenue"] - sales["shipped_units"] * price).abs().max() < 0.005
    assert list(company.regions["region"]) == MARKETS
    assert (company.regions["currency"] == "XXX").all()
    assert company.derived == validate_data(mini).derived


def test_a_launch_month_is_the_skus_first_sale(mini):
    df = pd.read_csv(mini / "sales.csv", dtype=str)
    df = df[~((df["sku"] == "AC-10") & (df["month"] < "2024-04"))]
    df.to_csv(mini / "sales.csv", index=False)
    company = sop.load_company(data_dir=mini)
    launch = company.products.set_index("sku")["launch_month"].astype(str)
    assert launch.to_dict() == {"VL-100": "2023-01", "VL-200": "2023-01", "AC-10": "2024-04"}


def test_invoiced_revenue_gives_the_net_price(tmp_path):
    folder = _minimal(tmp_path / "rev", revenue=True)
    company = sop.load_company(data_dir=folder)
    assert validate_data(folder).derived["sales"] == ["shipped_units", "net_price", "promo"]
    s = company.sales
    assert (s["net_price"] - (s["revenue"] / s["shipped_units"]).round(2)).abs().max() < 1e-9
    given = pd.read_csv(folder / "sales.csv")["revenue"].to_numpy()
    assert (s["revenue"].to_numpy() == given).all()  # the revenue is the planner's, kept


def test_a_regions_file_gives_its_discount_to_the_derived_net_price(mini):
    (mini / "regions.csv").write_text(
        "region,name,currency,payment_terms_days,regional_discount\n"
        "US,United States,USD,45,0.1000\nDE,Germany,USD,30,0.0000\n",
        encoding="utf-8",
    )
    report = validate_data(mini)
    assert report.ok and "regions" not in report.derived
    s = sop.load_company(data_dir=mini).sales
    us = s[(s["region"] == "US") & (s["sku"] == "AC-10")]["net_price"].unique()
    de = s[(s["region"] == "DE") & (s["sku"] == "AC-10")]["net_price"].unique()
    assert list(us) == [405.0] and list(de) == [450.0]


@pytest.mark.parametrize(
    "file, drop", [("products.csv", "family"), ("products.csv", "price"), ("sales.csv", "market")]
)
def test_a_column_no_rule_derives_is_still_missing(mini, file, drop):
    df = pd.read_csv(mini / file, dtype=str)
    df.drop(columns=[drop]).to_csv(mini / file, index=False)
    report = validate_data(mini)
    assert not report.ok
    missing = [p for p in report.errors if p.message.startswith("missing column")]
    assert missing and missing[0].file == file


def test_without_products_the_folder_is_refused(mini):
    (mini / "products.csv").unlink()
    report = validate_data(mini)
    problem = next(p for p in report.errors if p.file == "products.csv")
    assert "every data folder needs products.csv, sales.csv" in problem.message


def test_tallridge_derives_nothing():
    assert validate_data(data_dir()).derived == {}
    assert sop.load_company(seed=0).derived == {}


def test_the_cycle_runs_on_two_tables_and_says_what_it_derived(mini, tmp_path, capsys):
    from sopcourse import cli

    out = tmp_path / "review.html"
    before = {p.name: p.read_bytes() for p in mini.iterdir()}
    assert cli.main(["cycle", str(mini), "--out", str(out), "--horizon", "6"]) == 0
    printed = capsys.readouterr().out
    assert "data gathering              simplified (add regions.csv)" in printed
    page = out.read_text(encoding="utf-8")
    assert "regions.csv derived from the markets of sales.csv" in page
    assert {p.name: p.read_bytes() for p in mini.iterdir()} == before
    result = sop.run_cycle(mini, horizon=6)
    steps = result.coverage.steps.set_index("step")["outcome"]
    assert steps["statistical forecast"] == "ran fully"
    assert steps["supply review"] == "simplified"  # unconstrained: capacity unknown
    assert result.financial_plan["revenue"].gt(0).all()
    assert set(result.consensus["sku"]) == set(SKUS)


def _excel(folder, target):
    """The same two tables as one workbook, a sheet each (numbers as numbers)."""
    import datetime

    import openpyxl

    target.mkdir()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in ("products", "sales"):
        df = pd.read_csv(folder / f"{name}.csv", dtype=str)
        ws = wb.create_sheet(name.title())
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            cells = []
            for col, v in zip(df.columns, row, strict=True):
                if col == "month":
                    cells.append(datetime.datetime(int(v[:4]), int(v[5:7]), 1))
                elif col in ("price", "unit_cost", "units", "revenue"):
                    cells.append(float(v) if "." in v else int(v))
                else:
                    cells.append(v)
            ws.append(cells)
    wb.save(target / "company.xlsx")
    return target


def _semicolons(folder, target):
    """The same two tables as a German Excel saves them: ';', decimal commas, Latin-1,
    months as 01.03.2024."""
    target.mkdir()
    for name in ("products", "sales"):
        df = pd.read_csv(folder / f"{name}.csv", dtype=str)
        for col in ("price", "unit_cost", "revenue"):
            if col in df:
                df[col] = df[col].str.replace(".", ",", regex=False)
        if "month" in df:
            df["month"] = df["month"].map(lambda m: f"01.{m[5:]}.{m[:4]}")
        df.columns = [c.replace("_", " ").title() for c in df.columns]  # "Unit Cost"
        df.to_csv(target / f"{name}.csv", sep=";", index=False, encoding="latin-1")
    return target


def test_the_excel_and_semicolon_variants_give_the_same_cycle(tmp_path):
    plain = _minimal(tmp_path / "plain", revenue=True)
    runs = [
        sop.run_cycle(f, horizon=6)
        for f in (plain, _excel(plain, tmp_path / "xlsx"), _semicolons(plain, tmp_path / "semi"))
    ]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other.consensus, runs[0].consensus)
        pd.testing.assert_frame_equal(other.financial_plan, runs[0].financial_plan)
        pd.testing.assert_frame_equal(other.coverage.steps, runs[0].coverage.steps)


def test_a_bad_value_is_reported_once_not_again_in_a_column_derived_from_it(mini):
    lines = (mini / "sales.csv").read_text(encoding="utf-8").split("\n")
    cells = lines[3].split(",")
    cells[3] = "-5"
    lines[3] = ",".join(cells)
    (mini / "sales.csv").write_text("\n".join(lines), encoding="utf-8")
    report = validate_data(mini)
    assert [(p.file, p.lines, p.column) for p in report.errors] == [
        ("sales.csv", (4,), "ordered_units")
    ]


def test_the_pack_says_the_consensus_is_the_statistical_forecast(mini):
    page = sop.run_cycle(mini, horizon=3).to_html()
    assert "is the consensus: there is no commercial plan to combine it with" in page
    assert "inverse of its past MAE" not in page
    assert "seasonal naive with one full season but not two" in page


def test_a_misspelt_family_gets_the_list_and_the_near_spelling(mini):
    (mini / "promotions.csv").write_text(
        "promo_id,kind,family,sku,region,start_month,end_month,discount,description\n"
        "PR-1,event,valvs,,US,2025-03,2025-03,0,Trade fair\n",
        encoding="utf-8",
    )
    (problem,) = validate_data(mini).errors
    assert (problem.file, problem.lines, problem.column) == ("promotions.csv", (2,), "family")
    assert "(its list: valves, actuators) (did you mean 'valves'?)" in problem.message


def test_a_misnamed_file_or_sheet_is_told_how_to_be_read(mini):
    import openpyxl

    (mini / "sales.csv").rename(mini / "sales_2025.csv")
    wb = openpyxl.Workbook()
    wb.active.title = "Products list"
    wb.save(mini / "extra.xlsx")
    messages = {p.file: p.message for p in validate_data(mini).problems}
    assert "rename it sales.csv to read it as the sales table" in messages["sales_2025.csv"]
    assert "rename it products to read it" in messages["extra.xlsx [Products list]"]


def test_a_missing_column_names_what_is_needed_and_where_it_is_described(mini):
    from sopcourse.datasets.template import write_template

    (mini / "products.csv").write_text("sku,price,unit_cost\nVL-100,1.00,0.50\n", encoding="utf-8")
    problem = next(p for p in validate_data(mini).errors if p.column == "family")
    assert "must contain sku, family, list_price (or price), standard_cost (or unit_cost)" in (
        problem.message
    )
    assert "`sopcourse data template DIR` writes a README" in problem.message
    write_template(mini, tables=["plants"], force=True)
    (mini / "plants.csv").unlink()
    problem = next(p for p in validate_data(mini).errors if p.column == "family")
    assert "see README.md in this folder" in problem.message
