"""Wide sales exports: one row per SKU and market, one column per month.

A planner's ``sku;market;Jan 2024;Feb 2024;...`` (or a workbook whose month headers are
dates) reads as the long ``month, sku, region, ordered_units`` table
(``sopcourse.datasets.exports.melt``), and then as the minimal start: the same tables as
the equivalent long file, every problem at the line and month column of the wide file.
"""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import sopcourse as sop
from sopcourse.datasets import validate_data
from sopcourse.datasets.exports import month_columns, to_month

PRODUCTS = "sku,family,price,unit_cost\nVL-100,valves,180.00,95.50\nVL-200,valves,120.00,60.00\nAC-10,actuators,450.00,260.00\n"
MONTHS = list(pd.period_range("2023-01", "2025-12", freq="M"))
KEYS = [(sku, market) for sku in ("VL-100", "VL-200", "AC-10") for market in ("US", "DE")]


def _units(m_i, k_i):
    return 10 + (m_i * 7 + k_i * 5) % 13 + (6 if m_i % 12 in (4, 5) else 0)


def _wide_rows(label=lambda p: p.strftime("%b %Y")):
    """The header and rows of the wide table (cells as text)."""
    header = ["sku", "market"] + [label(p) for p in MONTHS]
    rows = [[sku, market] + [str(_units(m_i, k_i)) for m_i in range(len(MONTHS))]
            for k_i, (sku, market) in enumerate(KEYS)]  # fmt: skip
    return header, rows


def _write(path, header, rows, sep=";"):
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


def _folder(path, header=None, rows=None, sep=";"):
    path.mkdir()
    (path / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    if header is None:
        header, rows = _wide_rows()
    _write(path / "sales.csv", header, rows, sep)
    return path


def _long(path, skip=()):
    """The same sales as the long minimal file (month, sku, market, units), month by
    month; ``skip``: (month index, key index) pairs with no row."""
    path.mkdir()
    (path / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    rows = [[str(p), sku, market, str(_units(m_i, k_i))]
            for m_i, p in enumerate(MONTHS) for k_i, (sku, market) in enumerate(KEYS)
            if (m_i, k_i) not in skip]  # fmt: skip
    _write(path / "sales.csv", ["month", "sku", "market", "units"], rows, ",")
    return path


@pytest.fixture(scope="module")
def long_company(tmp_path_factory):
    return sop.load_company(data_dir=_long(tmp_path_factory.mktemp("long") / "long"))


def _same_company(company, reference):
    for name in ("sales", "products", "regions"):
        pd.testing.assert_frame_equal(getattr(company, name), getattr(reference, name))


def test_the_month_spellings():
    named = ("Jan 2024", "JAN-24", "January 2024", "Sept 2024", "jan.2024")
    assert [to_month(v, names=True) for v in named] == ["2024-01"] * 3 + ["2024-09", "2024-01"]
    assert [to_month(v) for v in named] == [None] * 5  # in a month column's cells: refused
    assert [to_month(v) for v in ("2024-03", "03.2024", "3/2024", "2024-03-01")] == ["2024-03"] * 4
    bad = ("2024-13", "Foo 2024", "2024-03-15", "notes", "Mayo 2024")
    assert [to_month(v, names=True) for v in bad] == [None] * 5
    assert month_columns(["sku", "market", "Jan 2024", "notes", "2024-02-01"]) == {
        2: "2024-01",
        4: "2024-02",
    }


def test_a_wide_csv_loads_as_the_long_minimal_file(tmp_path, long_company):
    folder = _folder(tmp_path / "wide")
    report = validate_data(folder)
    assert report.ok, report.text()
    wide = [p for p in report.warnings if p.message.startswith("read as a wide table")]
    assert len(wide) == 1 and wide[0].file == "sales.csv"
    assert (
        "36 month columns (2023-01 .. 2025-12) as rows of month, ordered_units" in wide[0].message
    )
    assert "(0 empty cell(s))" in wide[0].message
    assert report.derived["sales"] == ["shipped_units", "net_price", "revenue", "promo"]
    _same_company(sop.load_company(data_dir=folder), long_company)


@pytest.mark.parametrize(
    "label",
    [
        lambda p: p.strftime("%Y-%m"),
        lambda p: p.strftime("%m/%Y"),
        lambda p: p.strftime("%m.%Y"),
        lambda p: p.strftime("%Y-%m-01"),
        lambda p: p.strftime("%b-%y"),
        lambda p: p.strftime("%B %Y"),
    ],
    ids=["2024-01", "01/2024", "01.2024", "2024-01-01", "Jan-24", "January 2024"],
)
def test_every_month_header_spelling_reads_the_same(tmp_path, long_company, label):
    header, rows = _wide_rows(label)
    folder = _folder(tmp_path / "wide", header, rows, sep=",")
    _same_company(sop.load_company(data_dir=folder), long_company)


def test_a_wide_workbook_with_dates_as_month_headers(tmp_path, long_company):
    import openpyxl

    folder = tmp_path / "xlsx"
    folder.mkdir()
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    header, rows = _wide_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["SKU", "Market"] + [datetime.datetime(p.year, p.month, 1) for p in MONTHS])
    for r in rows:
        ws.append(r[:2] + [int(v) for v in r[2:]])
    wb.save(folder / "sales.xlsx")
    report = validate_data(folder)
    assert report.ok, report.text()
    assert any(p.message.startswith("read as a wide table: 36 month") for p in report.warnings)
    _same_company(sop.load_company(data_dir=folder), long_company)


def test_a_bad_cell_is_reported_at_its_line_and_month_column(tmp_path):
    header, rows = _wide_rows()
    rows[2][header.index("Mar 2024")] = "abc"  # VL-200 US: line 4 of the file
    rows[5][header.index("Jul 2025")] = "-5"  # AC-10 DE: line 7
    folder = _folder(tmp_path / "bad", header, rows)
    report = validate_data(folder)
    assert not report.ok
    where = {(p.file, p.lines, p.column): p.message for p in report.errors}
    assert set(where) == {("sales.csv", (4,), "Mar 2024"), ("sales.csv", (7,), "Jul 2025")}
    assert "'abc' is not a whole number" in where["sales.csv", (4,), "Mar 2024"]
    assert "'-5'" in where["sales.csv", (7,), "Jul 2025"]
    assert "sales.csv, line 4, column Mar 2024: " in str(report)
    with pytest.raises(ValueError, match="sales.csv, line 4, column Mar 2024"):
        sop.load_company(data_dir=folder)


def test_a_bad_cell_of_a_wide_sheet_is_at_its_sheet_row(tmp_path):
    import openpyxl

    folder = tmp_path / "xlsx"
    folder.mkdir()
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    header, rows = _wide_rows()
    rows[0][5] = "n/a units"
    wb = openpyxl.Workbook()
    for r in [header, *rows]:
        wb.active.append(r)
    wb.save(folder / "sales.xlsx")
    errors = validate_data(folder).errors
    assert [(p.file, p.lines, p.column) for p in errors] == [("sales.xlsx", (2,), header[5])]


def test_two_columns_of_the_same_month_are_an_error(tmp_path):
    header, rows = _wide_rows()
    header[3] = "2023-01"  # Feb 2023 spelled as a second January
    report = validate_data(_folder(tmp_path / "dup", header, rows))
    dup = [p for p in report.errors if "two columns of the month 2023-01" in p.message]
    assert len(dup) == 1 and dup[0].column == "Jan 2023, 2023-01" and dup[0].lines == (1,)


def test_an_empty_cell_gives_no_row_and_the_warning_says_so(tmp_path):
    header, rows = _wide_rows()
    rows[1][2 + 4] = ""  # VL-100 DE, May 2023
    rows[4][2 + 30] = "#N/A"  # AC-10 US, Jul 2025
    report = validate_data(_folder(tmp_path / "gaps", header, rows))
    assert report.ok, report.text()
    wide = next(p for p in report.warnings if p.message.startswith("read as a wide table"))
    assert "an empty cell is no sales that month and gives no row (2 empty cell(s))" in wide.message
    sales = sop.load_company(data_dir=tmp_path / "gaps").sales
    assert len(sales) == len(MONTHS) * len(KEYS) - 2
    reference = sop.load_company(data_dir=_long(tmp_path / "long", skip={(4, 1), (30, 4)}))
    pd.testing.assert_frame_equal(sales, reference.sales)


def test_other_columns_of_a_wide_table_are_ignored(tmp_path, long_company):
    header, rows = _wide_rows()
    header = header[:2] + ["notes", "revenue"] + header[2:]
    rows = [r[:2] + ["x", "999"] + r[2:] for r in rows]
    report = validate_data(_folder(tmp_path / "extra", header, rows))
    assert report.ok, report.text()
    messages = [p.message for p in report.warnings if p.file == "sales.csv"]
    assert "unknown column(s), ignored." in messages
    assert any("revenue ignored (a wide table has one value per month)" in m for m in messages)
    _same_company(sop.load_company(data_dir=tmp_path / "extra"), long_company)


def test_a_month_column_means_the_table_is_long(tmp_path, long_company):
    """With a month column, month-named columns are other columns (ignored), not months."""
    folder = _long(tmp_path / "long")
    df = pd.read_csv(folder / "sales.csv", dtype=str)
    df["Jan 2024"], df["Feb 2024"] = "1", "2"
    df.to_csv(folder / "sales.csv", index=False)
    report = validate_data(folder)
    assert report.ok, report.text()
    assert not any("wide" in p.message for p in report.problems)
    unknown = [p for p in report.warnings if p.message == "unknown column(s), ignored."]
    assert unknown[0].column == "Jan 2024, Feb 2024"
    _same_company(sop.load_company(data_dir=folder), long_company)


def test_a_wide_row_of_the_wrong_width_and_a_total_row(tmp_path):
    header, rows = _wide_rows()
    rows[3] = rows[3][:-1]  # line 5 is short
    rows.append(["Total", ""] + ["1"] * len(MONTHS))
    report = validate_data(_folder(tmp_path / "shape", header, rows))
    assert [(p.lines, p.message[:22]) for p in report.errors] == [((5,), "wrong number of fields")]
    assert f"the header has {len(header)}" in report.errors[0].message
    assert any(p.lines == (8,) and "total row" in p.message for p in report.warnings)


def test_the_cycle_runs_on_products_and_a_wide_sales_file(tmp_path, capsys):
    from sopcourse import cli

    folder = _folder(tmp_path / "wide")
    out = tmp_path / "review.html"
    assert cli.main(["cycle", str(folder), "--out", str(out), "--horizon", "3"]) == 0
    assert out.is_file() and "<html" in out.read_text(encoding="utf-8").lower()
    capsys.readouterr()
