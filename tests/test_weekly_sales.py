"""Weekly sales exports: one row per week, SKU and market, summed into calendar months.

A planner's ``week, sku, market, units`` (the week as its first day or as an ISO week,
``2024-W10``) reads as the monthly ``month, sku, region, ordered_units`` table
(``sopcourse.datasets.exports.weekly``): each week counted in the month of its Thursday
(ISO 8601), a partial first and last month dropped, every problem at the line and column
of the weekly file.
"""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import sopcourse as sop
from sopcourse.datasets import validate_data
from sopcourse.datasets.exports import to_week, week_month

PRODUCTS = (
    "sku,family,price,unit_cost\nVL-100,valves,180.00,95.50\nVL-200,valves,120.00,60.00\n"
    "AC-10,actuators,450.00,260.00\n"
)
KEYS = [(sku, market) for sku in ("VL-100", "VL-200", "AC-10") for market in ("US", "DE")]
# 2023-W01 (Monday 2 January 2023) .. 2025-W52 (Monday 22 December 2025): 156 whole weeks
# whose Thursdays fill January 2023 .. December 2025
MONDAYS = list(pd.date_range("2023-01-02", "2025-12-22", freq="7D"))


def _units(w_i, k_i):
    return 3 + (w_i * 5 + k_i * 3) % 7 + (2 if (w_i // 4) % 12 in (4, 5) else 0)


def _shipped(w_i, k_i):
    return _units(w_i, k_i) - (1 if (w_i + k_i) % 5 == 0 else 0)


def _revenue(w_i, k_i):  # an invoiced amount, near the list price
    return round(_shipped(w_i, k_i) * (100 + 10 * k_i) + 0.37 * (w_i % 3), 2)


def _promo(w_i, k_i):
    return int((w_i + k_i) % 11 == 0)


def _weekly_rows(label=lambda d: d.strftime("%Y-%m-%d"), extra=False, mondays=MONDAYS):
    header = ["week", "sku", "market", "units"]
    header += ["shipped_units", "revenue", "promo"] if extra else []
    rows = []
    for w_i, day in enumerate(mondays):
        for k_i, (sku, market) in enumerate(KEYS):
            row = [label(day), sku, market, str(_units(w_i, k_i))]
            if extra:
                row += [str(_shipped(w_i, k_i)), f"{_revenue(w_i, k_i):.2f}", str(_promo(w_i, k_i))]
            rows.append(row)
    return header, rows


def _write(path, header, rows, sep=","):
    path.write_text("\n".join(sep.join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


def _folder(path, header=None, rows=None, sep=","):
    path.mkdir()
    (path / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    if header is None:
        header, rows = _weekly_rows()
    _write(path / "sales.csv", header, rows, sep)
    return path


def _monthly(path, extra=False):
    """The same sales as a monthly minimal file, summed here with pandas: a week is in the
    month of its Monday + 3 days."""
    path.mkdir()
    (path / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    weeks = pd.DataFrame(
        [
            {
                "month": str((day + pd.Timedelta(days=3)).to_period("M")),
                "k_i": k_i,
                "units": _units(w_i, k_i),
                "shipped_units": _shipped(w_i, k_i),
                "revenue": _revenue(w_i, k_i),
                "promo": _promo(w_i, k_i),
            }
            for w_i, day in enumerate(MONDAYS)
            for k_i in range(len(KEYS))
        ]
    )
    months = weeks.groupby(["month", "k_i"], as_index=False).agg(
        units=("units", "sum"),
        shipped_units=("shipped_units", "sum"),
        revenue=("revenue", "sum"),
        promo=("promo", "max"),
    )
    months["sku"] = [KEYS[k][0] for k in months["k_i"]]
    months["market"] = [KEYS[k][1] for k in months["k_i"]]
    months["revenue"] = months["revenue"].map(lambda v: f"{v:.2f}")
    cols = ["month", "sku", "market", "units"]
    cols += ["shipped_units", "revenue", "promo"] if extra else []
    months[cols].to_csv(path / "sales.csv", index=False, lineterminator="\n")
    return path


@pytest.fixture(scope="module")
def monthly_company(tmp_path_factory):
    return sop.load_company(data_dir=_monthly(tmp_path_factory.mktemp("monthly") / "m"))


def _same_company(company, reference):
    for name in ("sales", "products", "regions"):
        pd.testing.assert_frame_equal(getattr(company, name), getattr(reference, name))


def _note(report):
    notes = [p for p in report.warnings if p.message.startswith("read as weekly buckets")]
    assert len(notes) == 1 and notes[0].file.startswith("sales")
    return notes[0].message


def test_the_week_spellings_and_the_thursday_rule():
    monday = datetime.date(2024, 3, 4)
    spelled = ("2024-W10", "2024W10", "2024-w10", "2024-W10-1", "W10 2024", "W10/2024")
    assert [to_week(v) for v in spelled] == [monday] * len(spelled)
    assert to_week("2024-03-04") == monday and to_week("2024-03-06") == datetime.date(2024, 3, 6)
    assert [to_week(v) for v in ("2024-W54", "2021-W53", "2024-02-30", "abc", "2024-03")] == [
        None
    ] * 5
    assert to_week("2020-W53") == datetime.date(2020, 12, 28)  # 2020 has 53 ISO weeks
    # Monday 29 April 2024: its Thursday is 2 May, so the week is May's
    assert week_month(datetime.date(2024, 4, 29)) == "2024-05"
    assert week_month(datetime.date(2024, 7, 29)) == "2024-08"  # Thursday 1 August
    assert week_month(datetime.date(2024, 9, 23)) == "2024-09"  # Thursday 26 September
    assert week_month(datetime.date(2024, 12, 30)) == "2025-01"  # 2025-W01
    # a week starting on Sunday 31 March: its fourth day, Wednesday 3 April, is April's
    assert week_month(datetime.date(2024, 3, 31)) == "2024-04"


def test_a_weekly_csv_loads_as_the_monthly_minimal_file(tmp_path, monthly_company):
    folder = _folder(tmp_path / "weekly")
    report = validate_data(folder)
    assert report.ok, report.text()
    note = _note(report)
    assert note.startswith(
        "read as weekly buckets: 156 weeks (2023-W01 .. 2025-W52) summed into 36 months "
        "(each week in the month of its Thursday, ISO 8601); ordered_units summed"
    )
    assert "dropped" not in note and "no row" not in note
    assert report.derived["sales"] == ["shipped_units", "net_price", "revenue", "promo"]
    company = sop.load_company(data_dir=folder)
    _same_company(company, monthly_company)
    assert len(company.sales) == 36 * len(KEYS)


def test_shipped_units_revenue_and_promo_are_summed(tmp_path):
    header, rows = _weekly_rows(extra=True)
    folder = _folder(tmp_path / "weekly", header, rows)
    report = validate_data(folder)
    assert report.ok, report.text()
    note = _note(report)
    assert "ordered_units, shipped_units, revenue summed; promo 1 if any week had" in note
    reference = sop.load_company(data_dir=_monthly(tmp_path / "monthly", extra=True))
    company = sop.load_company(data_dir=folder)
    _same_company(company, reference)
    assert company.sales["promo"].any() and not company.sales["promo"].all()


def test_net_price_is_revenue_over_shipped_or_the_weighted_mean(tmp_path):
    header = ["week", "sku", "market", "units", "shipped_units", "net_price"]
    rows = [
        ["2024-01-01", "VL-100", "US", "10", "10", "100.00"],
        ["2024-01-08", "VL-100", "US", "30", "30", "120.00"],
        ["2024-01-15", "VL-100", "US", "0", "0", "500.00"],
        ["2024-01-22", "VL-100", "US", "10", "10", "100.00"],
    ]
    folder = _folder(tmp_path / "price", header, rows)
    report = validate_data(folder)
    assert report.ok, report.text()
    assert "net_price = the weeks' net_price weighted by their shipped_units" in _note(report)
    sales = sop.load_company(data_dir=folder).sales
    assert sales["net_price"].tolist() == [round((1000 + 3600 + 1000) / 50, 2)]  # 112.0
    assert sales["revenue"].tolist() == [5600.0]

    rows = [r[:5] + [f"{int(r[4]) * float(r[5]):.2f}"] for r in rows]  # revenue instead
    folder = _folder(tmp_path / "revenue", header[:5] + ["revenue"], rows)
    sales = sop.load_company(data_dir=folder).sales
    assert sales["revenue"].tolist() == [5600.0] and sales["net_price"].tolist() == [112.0]


@pytest.mark.parametrize(
    "label",
    [
        lambda d: d.strftime("%G-W%V"),
        lambda d: d.strftime("%GW%V"),
        lambda d: d.strftime("W%V %G"),
        lambda d: d.strftime("%d.%m.%Y"),
        lambda d: d.strftime("%d/%m/%Y"),  # day first: days above 12 decide it
        lambda d: d.strftime("%m/%d/%Y"),  # month first
    ],
    ids=["2024-W10", "2024W10", "W10 2024", "04.03.2024", "04/03/2024", "03/04/2024"],
)
def test_every_week_spelling_reads_the_same(tmp_path, monthly_company, label):
    header, rows = _weekly_rows(label)
    folder = _folder(tmp_path / "weekly", header, rows, sep=";")
    _same_company(sop.load_company(data_dir=folder), monthly_company)


def test_a_weekly_workbook_with_dates(tmp_path, monthly_company):
    import openpyxl

    folder = tmp_path / "xlsx"
    folder.mkdir()
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    header, rows = _weekly_rows()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["Week", "SKU", "Market", "Units"])
    for r in rows:
        ws.append([datetime.datetime.fromisoformat(r[0]), r[1], r[2], int(r[3])])
    wb.save(folder / "sales.xlsx")
    report = validate_data(folder)
    assert report.ok, report.text()
    assert "156 weeks (2023-W01 .. 2025-W52) summed into 36 months" in _note(report)
    _same_company(sop.load_company(data_dir=folder), monthly_company)


def test_a_week_across_a_month_boundary_is_counted_by_its_thursday(tmp_path):
    header = ["week", "sku", "market", "units"]
    weeks = ["2024-04-01", "2024-04-08", "2024-04-15", "2024-04-22"]  # April's 4 Thursdays
    weeks += ["2024-04-29", "2024-05-06", "2024-05-13", "2024-05-20"]  # Thursday 2 May ...
    rows = [[w, "VL-100", "US", str(10 ** (i // 4))] for i, w in enumerate(weeks)]
    sales = sop.load_company(data_dir=_folder(tmp_path / "edge", header, rows)).sales
    # May holds the week of Monday 29 April, but the week of 27 May is not in the file: May
    # has 4 of its 5 weeks, a partial last month, dropped ...
    assert [str(m) for m in sales["month"]] == ["2024-04"]
    assert sales["ordered_units"].tolist() == [4]

    rows.append(["2024-05-27", "VL-100", "US", "10"])  # ... with it, May is whole
    report = validate_data(_folder(tmp_path / "whole", header, rows))
    assert report.ok and "dropped" not in _note(report)
    sales = sop.load_company(data_dir=tmp_path / "whole").sales
    assert [str(m) for m in sales["month"]] == ["2024-04", "2024-05"]
    assert sales["ordered_units"].tolist() == [4, 50]


def test_weeks_starting_on_sunday_are_counted_by_their_fourth_day(tmp_path):
    header = ["week", "sku", "market", "units"]
    sundays = pd.date_range("2024-03-03", "2024-04-28", freq="7D")  # 3 March .. 28 April
    rows = [[d.strftime("%Y-%m-%d"), "VL-100", "US", "1"] for d in sundays]
    report = validate_data(_folder(tmp_path / "sunday", header, rows))
    assert report.ok, report.text()
    note = _note(report)
    assert "9 weeks (2024-03-03 .. 2024-04-28) summed into 2 months" in note
    assert "weeks starting on a Sunday, each in the month of its fourth day, the Wednesday" in note
    sales = sop.load_company(data_dir=tmp_path / "sunday").sales
    # Sunday 31 March: Wednesday 3 April, so April (Wednesdays 3, 10, 17, 24)
    assert sales["ordered_units"].tolist() == [4, 4]
    assert "the first month" not in note  # March: Wednesdays 6, 13, 20, 27, all given
    assert "the last month 2024-05 has 1 of its 5 weeks: dropped" in note


def test_bad_cells_are_reported_at_their_line_and_column(tmp_path):
    header, rows = _weekly_rows(extra=True)
    rows[2][3] = "abc"  # line 4: units
    rows[7][3] = "-5"  # line 9: units
    rows[10][0] = "next week"  # line 12: week
    rows[13][0] = "2024-02-30"  # line 15
    rows[20][4] = "99"  # line 22: more shipped than ordered
    rows[25][1] = ""  # line 27: no SKU
    folder = _folder(tmp_path / "bad", header, rows)
    report = validate_data(folder)
    where = {(p.file, p.lines, p.column): p.message for p in report.errors}
    assert set(where) == {
        ("sales.csv", (4,), "ordered_units"),
        ("sales.csv", (9,), "ordered_units"),
        ("sales.csv", (12, 15), "week"),
        ("sales.csv", (22,), "shipped_units"),
        ("sales.csv", (27,), "sku"),
    }
    assert "'abc' is not a whole number" in where["sales.csv", (4,), "ordered_units"]
    assert "'-5'" in where["sales.csv", (9,), "ordered_units"]
    week = where["sales.csv", (12, 15), "week"]
    assert week.startswith("'next week' (and 1 other value(s) on these lines) is not a week")
    assert "(2024-03-04, 04.03.2024) or the ISO week (2024-W10)" in week
    assert "more units shipped than ordered" in where["sales.csv", (22,), "shipped_units"]
    assert "sales.csv, lines 12, 15, column week: " in str(report)
    with pytest.raises(ValueError, match="sales.csv, line 4, column ordered_units"):
        sop.load_company(data_dir=folder)


def test_a_bad_cell_of_a_weekly_sheet_is_at_its_sheet_row(tmp_path):
    import openpyxl

    folder = tmp_path / "xlsx"
    folder.mkdir()
    (folder / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    header, rows = _weekly_rows()
    rows[4][3] = "n/a units"
    wb = openpyxl.Workbook()
    for r in [header, *rows]:
        wb.active.append(r)
    wb.save(folder / "sales.xlsx")
    errors = validate_data(folder).errors
    assert [(p.file, p.lines, p.column) for p in errors] == [("sales.xlsx", (6,), "ordered_units")]


def test_dates_that_are_not_the_files_weekday_and_ambiguous_slashes(tmp_path):
    header, rows = _weekly_rows()
    rows[6][0] = "2023-01-11"  # line 8: a Wednesday among Mondays
    errors = validate_data(_folder(tmp_path / "day", header, rows)).errors
    assert [(p.lines, p.column) for p in errors] == [((8,), "week")]
    assert "'2023-01-11' is a Wednesday, but the weeks of this file start on a Monday" in (
        errors[0].message
    )
    header, rows = _weekly_rows(lambda d: d.strftime("%d/%m/%Y"), mondays=MONDAYS[:1])
    errors = validate_data(_folder(tmp_path / "slash", header, rows)).errors
    assert [(p.lines, p.column) for p in errors] == [((2, 3, 4, 5, 6, 7), "week")]
    assert "no day above 12 decides which" in errors[0].message


def test_a_week_given_twice_names_both_lines(tmp_path):
    header, rows = _weekly_rows()
    rows.append(["2024-W10", "VL-200", "DE", "4"])  # line 938: the week of 2024-03-04 again
    first = 2 + next(i for i, r in enumerate(rows) if r[:3] == ["2024-03-04", "VL-200", "DE"])
    report = validate_data(_folder(tmp_path / "dup", header, rows))
    assert [(p.lines, p.column) for p in report.errors] == [
        ((first, len(rows) + 1), "week, sku, region")
    ]
    message = report.errors[0].message
    assert f"the week 2024-W10 of VL-200, DE is given on lines {first} and {len(rows) + 1}" in (
        message
    )
    assert "keep one row per week, SKU and market" in message


def test_a_partial_first_and_last_month_are_dropped(tmp_path):
    header = ["week", "sku", "market", "units"]
    # Monday 16 January 2023 (Thursday 19th: 2 of January's 4 weeks) .. Monday 12 June
    # (Thursday 15th: 3 of June's 5 weeks)
    mondays = pd.date_range("2023-01-16", "2023-06-12", freq="7D")
    rows = [[d.strftime("%Y-%m-%d"), "VL-100", "US", "10"] for d in mondays]
    del rows[8]  # no row for the week of 13 March: no sales that week
    report = validate_data(_folder(tmp_path / "partial", header, rows))
    assert report.ok, report.text()
    note = _note(report)
    assert "21 weeks (2023-W03 .. 2023-W24) summed into 4 months" in note
    assert (
        "the first month 2023-01 has 2 of its 4 weeks, the last month 2023-06 has 3 of its 5 "
        "weeks: dropped (a part of a month would look like a dip in demand)" in note
    )
    assert "no row for 1 week(s) in between (2023-W11): no sales those weeks" in note
    sales = sop.load_company(data_dir=tmp_path / "partial").sales
    assert [str(m) for m in sales["month"]] == ["2023-02", "2023-03", "2023-04", "2023-05"]
    assert sales["ordered_units"].tolist() == [40, 40, 40, 40]  # March 4 weeks, one empty


def test_a_total_row_a_short_row_and_other_columns(tmp_path):
    header, rows = _weekly_rows()
    header = [*header, "notes"]
    rows = [[*r, "x"] for r in rows]
    rows[3] = rows[3][:-2]  # line 5 is short
    rows.append(["Total", "", "", "999", ""])
    report = validate_data(_folder(tmp_path / "shape", header, rows))
    assert [(p.lines, p.message[:22]) for p in report.errors] == [((5,), "wrong number of fields")]
    assert any(p.lines == (len(rows) + 1,) and "total row" in p.message for p in report.warnings)
    assert "notes ignored (not summed into months)" in _note(report)


def test_the_cycle_runs_on_products_and_a_weekly_sales_file(tmp_path, capsys):
    from sopcourse import cli

    folder = _folder(tmp_path / "weekly")
    out = tmp_path / "review.html"
    assert cli.main(["cycle", str(folder), "--out", str(out), "--horizon", "3"]) == 0
    assert out.is_file() and "<html" in out.read_text(encoding="utf-8").lower()
    capsys.readouterr()
