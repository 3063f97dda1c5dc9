"""Excel workbooks (``.xlsx``) read as the rows of text a CSV file would give.

A workbook is opened read-only with the values Excel computed (``data_only``), so the
file is never written; each cell becomes the canonical text that :mod:`.parse` reads
(:func:`cell_text`), and :mod:`.validate` checks the rows exactly as it checks a CSV
file's records: header, columns, types, keys, total row and warnings.

>>> import datetime
>>> [cell_text(v) for v in (12.0, 12, 12.5, True, None, datetime.datetime(2024, 3, 1))]
['12', '12', '12.5', '1', '', '2024-03-01']
>>> table_of_sheet("  Sales "), table_of_sheet("Forecast Snapshots")
('sales', 'forecast_snapshots')
>>> column_letter(0), column_letter(25), column_letter(26)
('A', 'Z', 'AA')
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".xlsx", ".xlsm")
"""File endings read as workbooks."""

UNCOMPUTED = object()  # a formula cell saved without its computed value


class WorkbookError(Exception):
    """The file cannot be read as a workbook (the message says why)."""


@dataclass
class Sheet:
    """One sheet as text: its rows (trailing empty rows and columns dropped), the sheet row
    number of each (the first row read is the header), and the cells whose formula was
    saved without a computed value (row, column index from 0)."""

    rows: list[list[str]]
    numbers: list[int]
    uncomputed: list[tuple[int, int]] = field(default_factory=list)


def is_workbook(path: Path) -> bool:
    """A workbook file, not the lock file Excel keeps next to an open one (``~$...``)."""
    return path.suffix.lower() in SUFFIXES and not path.name.startswith("~$")


def table_of_sheet(title: str) -> str:
    """The table name a sheet title stands for: case and surrounding spaces ignored,
    spaces or hyphens inside read as ``_``."""
    return re.sub(r"[\s-]+", "_", title.strip().lower())


def column_letter(index: int) -> str:
    """The letters of the column at ``index`` (from 0) as Excel shows them: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value) -> str:
    """A cell value as canonical text: whole numbers without ``.0``, other numbers via
    ``repr``, dates and date-times as ``YYYY-MM-DD``, booleans as 1/0, empty as ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        day = value.date() if isinstance(value, _dt.datetime) else value
        return day.isoformat()
    return str(value)


def _open(path: Path):
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise WorkbookError("needs the openpyxl package (pip install openpyxl)") from exc
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt file, an old .xls renamed, a protected file ...
        raise WorkbookError(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); save it "
            "again from Excel as .xlsx, or export the tables as CSV."
        ) from None


def sheet_titles(path: Path) -> list[str]:
    """The titles of the worksheets of a workbook (chart sheets left out)."""
    wb = _open(path)
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def read_sheet(path: Path, title: str | None = None) -> Sheet:
    """The sheet ``title`` of the workbook at ``path`` (the first sheet when None) as
    text. Empty rows before the header are skipped; row numbers are the sheet's."""
    wb = _open(path)
    try:
        if not wb.worksheets:
            raise WorkbookError("has no worksheet.")
        ws = wb[title] if title is not None else wb.worksheets[0]
        try:
            cells = _cells(ws)
        except WorkbookError:
            raise
        except Exception as exc:
            raise WorkbookError(
                f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc}); save "
                "it again from Excel as .xlsx, or export the tables as CSV."
            ) from None
    finally:
        wb.close()
    return _sheet(cells)


def _cells(ws):
    """(sheet row number, {column index from 0: value}) for each row the sheet stores; a
    formula cell without a computed value is :data:`UNCOMPUTED`."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            # Excel and LibreOffice save every result, an empty text as t="str" with an
            # empty value; a formula with no value otherwise was never computed.
            if (
                cell["value"] is None
                and element.find(FORMULA_TAG) is not None
                and element.get("t") != "str"
            ):
                cell["value"] = UNCOMPUTED
            return cell

    wb = ws.parent
    with ws._get_source() as src:
        parser = Parser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        return [
            (number, {c["column"] - 1: c["value"] for c in row if c["value"] is not None})
            for number, row in parser.parse()
        ]


def _sheet(cells) -> Sheet:
    """The rows from the first to the last with a value (rows the sheet does not store in
    between are empty rows, as blank lines of a CSV file), as wide as the last column
    with a value."""
    filled = [n for n, values in cells if any(_filled(v) for v in values.values())]
    sheet = Sheet([], [])
    if not filled:
        return sheet
    stored = dict(cells)
    width = 1 + max(i for n in filled for i, v in stored[n].items() if _filled(v))
    for n in range(filled[0], filled[-1] + 1):
        row = [""] * width
        for i, v in stored.get(n, {}).items():
            if i >= width:
                continue
            if v is UNCOMPUTED:
                sheet.uncomputed.append((n, i))
            else:
                row[i] = cell_text(v)
        sheet.rows.append(row)
        sheet.numbers.append(n)
    return sheet


def _filled(v) -> bool:
    return v is UNCOMPUTED or (v is not None and (not isinstance(v, str) or bool(v.strip())))
