"""Real exports, as planners have them (issue 18): the committed tables written the way
spreadsheets export them read to the same typed tables as the committed folder."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pandas as pd
import pytest

import sopcourse as sop
from sopcourse.datasets import validate_data
from sopcourse.datasets.validate import read_folder

COMMITTED = Path(__file__).resolve().parents[1] / "datasets"


@pytest.fixture(scope="module")
def reference():
    report, tables = read_folder(COMMITTED)
    assert report.ok, report.text()
    return tables


@pytest.fixture
def folder(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(COMMITTED, dest)
    return dest


def _raw(folder, name):
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def _same(folder, reference, *names):
    report, tables = read_folder(folder)
    assert report.ok, report.text()
    for name in names:
        pd.testing.assert_frame_equal(tables[name], reference[name])
    return report


def _snapshot(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_semicolons_and_decimal_commas(folder, reference):
    df = _raw(folder, "sales")
    for c in ("net_price", "revenue"):
        df[c] = df[c].str.replace(".", ",", regex=False)
    df.to_csv(folder / "sales.csv", sep=";", index=False, lineterminator="\n")
    products = _raw(folder, "products")
    products["list_price"] = products["list_price"].map(
        lambda v: f"{float(v):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    )
    assert products.loc[0, "list_price"] == "1.200,00"
    products.loc[0, "list_price"] = "1.200"  # ambiguous: read by the file's convention, 1200
    products.to_csv(folder / "products.csv", sep=";", index=False, lineterminator="\n")
    report = _same(folder, reference, "sales", "products")
    [w] = [p for p in report.warnings if p.file == "products.csv"]
    assert "list_price: a value such as 1.234 read as 1234" in w.message
    assert "; between values" in w.message and "list_price: decimal commas" in w.message


def test_tab_separated(folder, reference):
    _raw(folder, "regions").to_csv(folder / "regions.csv", sep="\t", index=False)
    _same(folder, reference, "regions")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "latin-1", "cp1252"])
def test_encodings(folder, reference, encoding):
    text = (folder / "products.csv").read_text(encoding="utf-8")
    (folder / "products.csv").write_bytes(text.encode(encoding))
    _same(folder, reference, "products")


def test_latin1_text_is_read_as_its_letters(folder):
    text = (folder / "products.csv").read_text(encoding="utf-8")
    (folder / "products.csv").write_bytes(
        text.replace("Ridge Road 200", "Ridge Road 200 Zürich").encode("latin-1")
    )
    report, tables = read_folder(folder)
    assert report.ok, report.text()
    assert "Ridge Road 200 Zürich" in set(tables["products"]["name"])
    [w] = report.warnings
    assert w.file == "products.csv" and "read as Windows-1252" in w.message


@pytest.mark.parametrize(
    "spell",
    [
        lambda m: m + "-01",
        lambda m: f"{m[5:]}/{m[:4]}",
        lambda m: f"{m[:4]}/{m[5:]}",
        lambda m: f"01.{m[5:]}.{m[:4]}",
    ],
    ids=["yyyy-mm-01", "mm/yyyy", "yyyy/mm", "01.mm.yyyy"],
)
def test_month_spellings(folder, reference, spell):
    df = _raw(folder, "sales")
    df["month"] = df["month"].map(spell)
    df.to_csv(folder / "sales.csv", index=False)
    _same(folder, reference, "sales")


def test_a_month_that_is_not_the_first_day_is_refused(folder):
    df = _raw(folder, "sales")
    df.loc[4, "month"] = df.loc[4, "month"] + "-15"
    df.to_csv(folder / "sales.csv", index=False)
    report = validate_data(folder)
    [p] = report.errors
    assert (p.file, p.lines, p.column) == ("sales.csv", (6,), "month")
    assert "a date, not a month" in p.message


def _date_table(folder):
    for name in ("orders", "scheduled_receipts", "inventory", "pipeline", "npi"):
        from sopcourse.datasets import SCHEMA

        cols = [c.name for c in SCHEMA[name].columns if c.dtype == "date"]
        if cols and (folder / f"{name}.csv").exists():
            return name, cols[0]
    pytest.skip("no committed table with a date column")


def test_date_spellings(folder, reference):
    name, col = _date_table(folder)
    df = _raw(folder, name)
    iso = df[col]
    present = iso != ""
    dotted = iso.where(~present, iso.str[8:10] + "." + iso.str[5:7] + "." + iso.str[:4])
    df[col] = dotted
    df.to_csv(folder / f"{name}.csv", index=False)
    _same(folder, reference, name)
    slashed = iso.where(~present, iso.str[8:10] + "/" + iso.str[5:7] + "/" + iso.str[:4])
    df[col] = slashed
    df.to_csv(folder / f"{name}.csv", index=False)
    days = iso[present].str[8:10].astype(int)
    report, _ = read_folder(folder)
    if (days > 12).any():  # the file decides day-first
        _same(folder, reference, name)
    else:
        assert any(p.column == col and "dd/mm" in p.message for p in report.errors)


def test_ambiguous_day_month_order_is_refused(folder):
    name, col = _date_table(folder)
    df = _raw(folder, name)
    present = df[col] != ""
    df.loc[present, col] = "03/04/2024"
    df.to_csv(folder / f"{name}.csv", index=False)
    report = validate_data(folder)
    [p] = [p for p in report.errors if p.column == col]
    assert p.file == f"{name}.csv"
    assert "dd/mm/yyyy or mm/dd/yyyy" in p.message and "YYYY-MM-DD" in p.message


@pytest.mark.parametrize("token", ["#N/A", "N/A", "NA", "-"])
def test_missing_tokens(folder, reference, token):
    df = _raw(folder, "products")
    df["end_of_life_month"] = df["end_of_life_month"].replace("", token)
    df.to_csv(folder / "products.csv", index=False)
    _same(folder, reference, "products")


def test_missing_token_where_a_value_is_required_is_the_usual_error(folder):
    df = _raw(folder, "sales")
    df.loc[2, "ordered_units"] = "#N/A"
    df.to_csv(folder / "sales.csv", index=False)
    [p] = validate_data(folder).errors
    assert (p.file, p.lines, p.column) == ("sales.csv", (4,), "ordered_units")
    assert "missing value" in p.message


@pytest.mark.parametrize("word", ["Total", "SUM", "Gesamt", "summe", "Gesamtergebnis", None])
def test_total_row_dropped(folder, reference, word):
    df = _raw(folder, "sales")
    total = {c: "" for c in df.columns}
    if word:
        total[df.columns[0]] = word
    total["ordered_units"] = str(df["ordered_units"].astype(int).sum())
    text = (folder / "sales.csv").read_text()
    text += ",".join(total[c] for c in df.columns) + "\n\n,,,,,,,\n\n"
    (folder / "sales.csv").write_text(text)
    report = _same(folder, reference, "sales")
    [w] = [p for p in report.warnings if "total row" in p.message]
    assert w.lines == (len(df) + 2,)


def test_extra_columns_are_reported_as_ignored(folder, reference):
    df = _raw(folder, "regions")
    df["planner_note"] = "x"
    df.to_csv(folder / "regions.csv", index=False)
    report = _same(folder, reference, "regions")
    assert any(p.column == "planner_note" and "ignored" in p.message for p in report.warnings)


def test_several_problems_are_reported_at_once(folder):
    df = _raw(folder, "sales")
    df.loc[0, "month"] = "2024-03-15"
    df.loc[1, "ordered_units"] = "lots"
    df.to_csv(folder / "sales.csv", sep=";", index=False)
    report = validate_data(folder)
    assert {(p.lines, p.column) for p in report.errors} == {
        ((2,), "month"),
        ((3,), "ordered_units"),
    }


def test_reading_never_writes_in_the_folder(folder):
    df = _raw(folder, "sales")
    df["month"] = df["month"] + "-01"
    df.to_csv(folder / "sales.csv", sep=";", index=False)
    text = (folder / "products.csv").read_text(encoding="utf-8")
    (folder / "products.csv").write_bytes(text.encode("latin-1"))
    before = _snapshot(folder)
    assert validate_data(folder).ok
    sop.load_company(data_dir=folder)
    assert _snapshot(folder) == before


def test_load_company_reads_the_export_variant(folder, reference):
    df = _raw(folder, "sales")
    df["revenue"] = df["revenue"].str.replace(".", ",", regex=False)
    df["month"] = df["month"].map(lambda m: f"{m[5:]}/{m[:4]}")
    df.to_csv(folder / "sales.csv", sep=";", index=False)
    company = sop.load_company(data_dir=folder)
    pd.testing.assert_frame_equal(
        company.sales.reset_index(drop=True), reference["sales"], check_like=False
    )


# --------------------------------------------------------------------------- workbooks
def _cells(name, frame):
    """The CSV text of a table as a planner's Excel holds it: numbers as numbers, months
    and dates as date-times (months at day 1), 0/1 flags as booleans."""
    from sopcourse.datasets.schema import SCHEMA

    def one(dtype, v):
        if v == "":
            return None
        if dtype == "int":
            return int(v)
        if dtype in ("float", "money"):
            return float(v)
        if dtype == "bool":
            return v == "1"
        if dtype == "month":
            return datetime.datetime(int(v[:4]), int(v[5:7]), 1)
        if dtype == "date":
            return datetime.datetime.fromisoformat(v)
        return v

    types = [SCHEMA[name].column(c).dtype for c in frame.columns]
    yield list(frame.columns)
    for row in frame.itertuples(index=False):
        yield [one(t, v) for t, v in zip(types, row, strict=True)]


def _write_sheet(ws, name, frame):
    for row in _cells(name, frame):
        ws.append(row)


def _workbook(path, sheets):
    """Write ``{sheet title: (table, frame)}`` as one workbook at ``path``."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, (name, frame) in sheets.items():
        _write_sheet(wb.create_sheet(title), name, frame)
    wb.save(path)


def test_a_workbook_per_table(folder, reference):
    _workbook(folder / "sales.xlsx", {"Sheet1": ("sales", _raw(folder, "sales"))})
    (folder / "sales.csv").unlink()
    report = _same(folder, reference, "sales", "products")
    assert "sales" in report.tables


def test_one_workbook_with_a_sheet_per_table(folder, reference):
    names = ("sales", "products", "regions")
    sheets = {f" {n.title()} ": (n, _raw(folder, n)) for n in names}  # case, spaces ignored
    _workbook(folder / "company.xlsx", sheets)
    for n in names:
        (folder / f"{n}.csv").unlink()
    report = _same(folder, reference, *names)
    assert set(names) <= set(report.tables)
    company = sop.load_company(data_dir=folder)
    pd.testing.assert_frame_equal(company.products.reset_index(drop=True), reference["products"])


def test_text_in_a_number_column_of_a_sheet_names_workbook_sheet_row_and_column(folder):
    df = _raw(folder, "sales")
    _workbook(folder / "company.xlsx", {"sales": ("sales", df)})
    (folder / "sales.csv").unlink()
    import openpyxl

    wb = openpyxl.load_workbook(folder / "company.xlsx")
    wb["sales"]["D3"] = "lots"  # ordered_units of the second row of data
    wb.save(folder / "company.xlsx")
    report = validate_data(folder)
    assert [(p.file, p.lines, p.column) for p in report.errors] == [
        ("company.xlsx [sales]", (3,), "ordered_units")
    ]
    assert str(report.errors[0]).startswith("company.xlsx [sales], line 3, column ordered_units")


def test_a_table_both_as_csv_and_as_a_sheet_is_an_error_naming_both(folder):
    _workbook(folder / "company.xlsx", {"regions": ("regions", _raw(folder, "regions"))})
    report = validate_data(folder)
    assert not report.ok
    (problem,) = report.errors
    assert "regions.csv" in problem.message and "company.xlsx [regions]" in problem.message


def test_a_formula_saved_without_its_value_is_reported(folder):
    import openpyxl

    df = _raw(folder, "regions")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "regions"
    _write_sheet(ws, "regions", df)
    ws["D2"] = "=30+0"  # openpyxl saves the formula, never its value
    wb.save(folder / "company.xlsx")
    (folder / "regions.csv").unlink()
    report = validate_data(folder)
    (problem,) = report.errors
    assert (problem.file, problem.lines, problem.column) == (
        "company.xlsx [regions]",
        (2,),
        "payment_terms_days",
    )
    assert "saved without computed values" in problem.message


def test_reading_a_workbook_never_writes_in_the_folder(folder):
    names = ("sales", "products", "regions")
    _workbook(folder / "company.xlsx", {n: (n, _raw(folder, n)) for n in names})
    for n in names:
        (folder / f"{n}.csv").unlink()
    before = _snapshot(folder)
    assert validate_data(folder).ok
    sop.load_company(data_dir=folder)
    assert _snapshot(folder) == before


def test_a_formula_with_its_computed_value_is_read_as_the_value(folder, reference):
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "regions"
    _write_sheet(ws, "regions", _raw(folder, "regions"))
    days = ws["D2"].value
    ws["D2"] = f"={days}+0"
    ws["E3"] = '=""'  # a formula whose result is empty text, as Excel saves it below
    wb.save(folder / "draft.xlsx")
    # Excel saves each formula's result next to it: write the results in as Excel would.
    with zipfile.ZipFile(folder / "draft.xlsx") as src:
        files = {n: src.read(n) for n in src.namelist()}
    xml = files["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace(f"<f>{days}+0</f><v />", f"<f>{days}+0</f><v>{days}</v>")
    xml = xml.replace('<c r="E3"><f>""</f><v />', '<c r="E3" t="str"><f>""</f><v></v>')
    files["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(folder / "company.xlsx", "w") as dst:
        for n, data in files.items():
            dst.writestr(n, data)
    (folder / "draft.xlsx").unlink()
    (folder / "regions.csv").unlink()
    report = validate_data(folder)
    assert [(p.file, p.lines, p.column) for p in report.errors] == [
        ("company.xlsx [regions]", (3,), "regional_discount")  # the empty text: missing
    ]
    assert "saved without computed values" not in report.text()


def test_a_sheet_that_cannot_be_read_is_one_problem_not_a_missing_table(folder):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "products"  # a sheet of that name with nothing in it
    wb.save(folder / "company.xlsx")
    (folder / "products.csv").unlink()
    report = validate_data(folder)
    assert [p.file for p in report.errors] == ["company.xlsx [products]"]
    assert not [p for p in report.problems if "not in the folder" in p.message]


def test_invoiced_revenue_with_an_average_net_price_rounded_to_the_cent_is_accepted(folder):
    # An ERP export: revenue as invoiced, net_price = revenue / units rounded to the cent.
    df = _raw(folder, "sales")
    units = df["shipped_units"].astype(int)
    invoiced = units * df["net_price"].astype(float) + 0.0049 * units  # under half a cent each
    df["revenue"] = invoiced.map(lambda v: f"{v:.2f}")
    df.loc[3, "revenue"] = f"{invoiced[3] + 0.006 * units[3] + 0.02:.2f}"  # beyond rounding
    df.to_csv(folder / "sales.csv", index=False)
    [p] = validate_data(folder).errors
    assert (p.file, p.lines, p.column) == ("sales.csv", (5,), "revenue")
    assert "half a cent per unit" in p.message


def test_a_dotted_thousand_in_a_file_without_decimal_commas_is_a_warning(folder, reference):
    products = _raw(folder, "products")
    products.loc[0, "list_price"] = "1.200"  # no decimal comma anywhere: the dot is decimal
    products.to_csv(folder / "products.csv", sep=";", index=False)
    report = validate_data(folder)
    [w] = [p for p in report.warnings if p.column == "list_price"]
    assert w.file == "products.csv" and w.lines == (2,)
    assert "the dot is the decimal mark" in w.message
    assert "remove it" in w.message


def test_each_conversion_is_reported(folder):
    df = _raw(folder, "sales")
    df["month"] = df["month"].map(lambda m: f"{m[5:]}/{m[:4]}")
    df.to_csv(folder / "sales.csv", sep=";", index=False)
    products = _raw(folder, "products")
    products["end_of_life_month"] = products["end_of_life_month"].replace("", "#N/A")
    products.to_csv(folder / "products.csv", index=False)
    report = validate_data(folder)
    assert report.ok
    by_file = {p.file: p.message for p in report.warnings if "spreadsheet export" in p.message}
    assert "; between values" in by_file["sales.csv"]
    assert "month: '01/2022' read as '2022-01'" in by_file["sales.csv"]
    assert "end_of_life_month: '#N/A' and the like as empty" in by_file["products.csv"]


def test_a_total_row_is_recognised_in_any_key_column(folder, reference):
    df = _raw(folder, "sales")[
        [
            "sku",
            "region",
            "month",
            "ordered_units",
            "shipped_units",
            "net_price",
            "revenue",
            "promo",
        ]
    ]
    total = ["Grand Total", "", "", str(df["ordered_units"].astype(int).sum())] + [""] * 4
    df.loc[len(df)] = total
    df.to_csv(folder / "sales.csv", sep=";", index=False)
    report = _same(folder, reference, "sales")
    assert any("total row" in p.message for p in report.warnings)


def test_spreadsheet_spellings_of_column_names_are_read_as_the_columns(folder, reference):
    df = _raw(folder, "sales").rename(
        columns={"ordered_units": "Ordered Units", "net_price": "Net-Price"}
    )
    df.to_csv(folder / "sales.csv", index=False)
    report = _same(folder, reference, "sales")
    [w] = [p for p in report.warnings if "column names read" in p.message]
    assert (w.file, w.lines) == ("sales.csv", (1,))
    assert (
        "'Ordered Units' as ordered_units" in w.message and "'Net-Price' as net_price" in w.message
    )


def test_several_currencies_are_a_warning(folder):
    regions = _raw(folder, "regions")
    regions.loc[3, "currency"] = "GBP"
    regions.to_csv(folder / "regions.csv", index=False)
    report = validate_data(folder)
    assert report.ok
    [w] = [p for p in report.warnings if p.column == "currency"]
    assert "2 currencies (EUR, GBP)" in w.message


def test_read_one_table_reads_a_workbook_sheet(folder, reference):
    from sopcourse.datasets.validate import read_one_table

    _workbook(folder / "company.xlsx", {"Sales": ("sales", _raw(folder, "sales"))})
    (folder / "sales.csv").unlink()
    pd.testing.assert_frame_equal(read_one_table("sales", folder), reference["sales"])
    with pytest.raises(ValueError, match="is missing"):
        read_one_table("sales", folder.parent / "nowhere")
