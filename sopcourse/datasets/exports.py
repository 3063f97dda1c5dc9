"""Real exports, as planners have them: the text conventions of spreadsheet exports
(encoding, separator, decimal commas, ``#N/A``, other month and date spellings, a total
row) turned into the canonical text that :mod:`.parse` reads.

Everything here works on text only and never writes a file; :mod:`.validate` calls it
while it reads a table, so validate and load share it.

Wide sales, months as columns: a sales table whose header has no ``month`` column and
two or more columns named as months (``Jan 2024``, ``January 2024``, ``Jan-24``,
``2024-01``, ``01/2024``, ``03.2024``, ``2024-03-01``: :func:`to_month` with the labels
Excel gives months, English month names) beside ``sku`` and ``region`` (``market``)
is read in long form by :func:`melt`: one row of ``month, ordered_units`` per SKU,
market and month, each cell the units ordered. An empty cell (or ``#N/A``) means no
sales that month and gives no row. A bad cell is reported at the line of its row and
the month column's name; two columns of the same month are an error; columns that hold
one value per row of a long table (``revenue`` ...) cannot be read from a wide one and
are ignored. The columns left out are then derived as for the minimal start
(:mod:`.minimal`). One warning on the file says what was read.

>>> decode(b"name\\nM\\xfcller\\n")
('name\\nMüller\\n', 'Windows-1252 (cp1252)')
>>> sniff_separator("sku;month;units")
';'
>>> to_month("03/2024"), to_month("2024-03-01"), to_month("2024-03-15")
('2024-03', '2024-03', None)
>>> to_month("03.2024"), to_month("Jan 2024"), to_month("Jan-24", names=True)
('2024-03', None, '2024-01')
>>> month_columns(["sku", "region", "Jan 2024", "2024-02", "notes"])
{2: '2024-01', 3: '2024-02'}
>>> comma_number("1.234,5"), comma_number("12,5"), comma_number("7")
('1234.5', '12.5', '7')
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from .parse import parse_column
from .schema import SCHEMA

MISSING = frozenset({"#N/A", "N/A", "NA", "-", "#NV", "n/a"})
"""Cells a spreadsheet writes for "no value"; read as empty where the column is typed."""

TOTAL_WORDS = frozenset(
    {"total", "totals", "grand total", "sum", "gesamt", "summe", "gesamtergebnis", "totaal"}
)
"""What a spreadsheet writes in a key cell of a total row (any case; Excel's pivot tables
write "Grand Total", German Excel "Gesamtergebnis")."""

_SLASH_MONTH = re.compile(r"(\d{1,2})/(\d{4})")  # 03/2024
_YEAR_SLASH = re.compile(r"(\d{4})/(\d{1,2})")  # 2024/03
_FIRST_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")  # 2024-03-01
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # 15.03.2024
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # 15/03/2024 or 03/15/2024
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")  # 2024-03
_DOT_MONTH = re.compile(r"(\d{1,2})\.(\d{4})")  # 03.2024
_NAMED = re.compile(r"([A-Za-z]{3,9})\.?[ \-/]?(\d{4}|\d{2})")  # Jan 2024, Jan-24, January 2024
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
_COMMA_NUMBER = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?|[+-]?\d+,\d+")


def decode(data: bytes) -> tuple[str, str | None]:
    """The text of ``data`` and the encoding used when it was not UTF-8 (else None)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def sniff_separator(header_line: str) -> str:
    """``,``, ``;`` or a tab: the one the header line uses most (comma when tied)."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def to_month(v: str, names: bool = False) -> str | None:
    """``v`` as YYYY-MM when it is a spelling of a month, else None: ``03/2024``,
    ``2024/03``, ``2024-03-01`` (the first day), ``01.03.2024``, ``03.2024``, ``2024-03``
    and, with ``names`` (a wide table's month headers, :func:`month_columns`), the labels
    Excel gives months: ``Mar 2024``, ``Mar-24``, ``March 2024`` (English month names, any
    case; a two-digit year is 20yy). A month column's cells so written stay refused."""
    m = _YEAR_MONTH.fullmatch(v)
    if m and 1 <= int(m[2]) <= 12:
        return v
    m = _NAMED.fullmatch(v) if names else None
    if m:
        name = m[1].lower()
        number = next((i for i, n in enumerate(_MONTH_NAMES, 1) if name in (n, n[:3], n[:4])), None)
        if number:
            year = m[2] if len(m[2]) == 4 else f"20{m[2]}"
            return f"{year}-{number:02d}"
    m = _DOT_MONTH.fullmatch(v)
    if m:
        return f"{m[2]}-{int(m[1]):02d}"
    m = _SLASH_MONTH.fullmatch(v)
    if m:
        return f"{m[2]}-{int(m[1]):02d}"
    m = _YEAR_SLASH.fullmatch(v)
    if m:
        return f"{m[1]}-{int(m[2]):02d}"
    m = _FIRST_DAY.fullmatch(v)
    if m and m[3] == "01":
        return f"{m[1]}-{m[2]}"
    m = _DOTTED.fullmatch(v)
    if m and m[1] in ("1", "01"):
        return f"{m[3]}-{int(m[2]):02d}"
    return None


def comma_number(v: str) -> str:
    """A decimal-comma number (``1.234,5``, ``12,5``) as dot-decimal text; others unchanged."""
    if _COMMA_NUMBER.fullmatch(v):
        return v.replace(".", "").replace(",", ".")
    return v


def _map(series: pd.Series, func) -> pd.Series:
    codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    mapped = np.array([func(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes] if len(uniques) else series.to_numpy(), index=series.index)


def normalise_periods(series: pd.Series, monthly: bool) -> tuple[pd.Series, str | None]:
    """Month or date cells in canonical spelling, and a problem message when the
    day/month order of ``dd/mm/yyyy`` cells cannot be decided from the column."""
    if monthly:
        return _map(series, lambda v: to_month(v) or v), None
    values = set(series.unique())
    slashed = [m for m in (_SLASHED.fullmatch(v) for v in values) if m]
    day_first = None
    if slashed:
        firsts = any(int(m[1]) > 12 for m in slashed)
        seconds = any(int(m[2]) > 12 for m in slashed)
        if firsts != seconds:
            day_first = firsts
    problem = None
    if slashed and day_first is None:
        problem = (
            "dates written dd/mm/yyyy or mm/dd/yyyy and no day above 12 decides which; "
            "write them as YYYY-MM-DD (e.g. 2024-03-15) or dd.mm.yyyy."
        )

    def one(v: str) -> str:
        m = _DOTTED.fullmatch(v)
        if m:
            return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
        m = _SLASHED.fullmatch(v)
        if m and day_first is not None:
            d, mo = (m[1], m[2]) if day_first else (m[2], m[1])
            return f"{m[3]}-{int(mo):02d}-{int(d):02d}"
        return v

    return _map(series, one), problem


def total_row(frame: pd.DataFrame, key: list[str], numbers: list[str]) -> bool:
    """The last row of ``frame`` is a total: a key column says one of :data:`TOTAL_WORDS`,
    or its key columns are blank and a number column holds the sum of the others."""
    if len(frame) < 2 or not key:
        return False
    last = frame.iloc[-1]
    if any(str(last.get(k, "")).strip().lower() in TOTAL_WORDS for k in key):
        return True
    if any(str(last.get(k, "")).strip() for k in key if k in frame.columns):
        return False
    for c in numbers:
        if c not in frame.columns:
            continue
        values = pd.to_numeric(frame[c], errors="coerce")
        if values.iloc[:-1].notna().any() and np.isclose(values.iloc[-1], values.iloc[:-1].sum()):
            return True
    return False


def csv_records(text: str, sep: str) -> tuple[list[list[str]], list[int]]:
    """The CSV records of ``text`` and the line each starts on (the header is line 1).

    Raises
    ------
    csv.Error
        When the text cannot be read as CSV; its ``line`` is the line the reader got to.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, ends = [], []  # the records, and the line each one ends on
    try:
        if '"' in text:  # a quoted value may span lines: follow the reader's count
            for row in reader:
                rows.append(row)
                ends.append(reader.line_num)
        else:  # one record per line
            rows = list(reader)
            ends = list(range(1, len(rows) + 1))
    except csv.Error as exc:
        exc.line = reader.line_num
        raise
    starts = [1] + [e + 1 for e in ends[:-1]]  # the line each record starts on
    return rows, starts


# --------------------------------------------------------------------------- wide sales
Found = list[tuple[list[int], str | None, str, str]]
"""Problems found in a file: (lines, column, message, severity)."""

_PER_ROW = tuple(c for c in SCHEMA["sales"].column_names if c not in ("month", "sku", "region"))


def month_columns(header: list[str]) -> dict[int, str]:
    """The columns of ``header`` named as months (:func:`to_month`): index -> YYYY-MM."""
    found = {}
    for i, h in enumerate(header):
        month = to_month(h.strip(), names=True)
        if month and 1 <= int(month[5:]) <= 12:
            found[i] = month
    return found


def melt(
    header: list[str], body: list[list[str]], lines: list[int], sep: str
) -> tuple[list[str], list[list[str]], list[int], Found]:
    """A wide sales table (months as columns, see the module docstring) in long form: its
    header, records and the line of each, and the problems found; a table that is not
    wide (no two month columns, or a ``month`` column) is returned as it is.

    The records of a row repeat its line, one per month it has sales in, month by month.
    A row of the wrong width gives one record of the wrong width (the caller reports it).
    The month cells are checked here, as ``ordered_units``, and a bad one is reported at
    the line of its row and the month column's name; it gives no record.
    """
    months = month_columns(header)
    if len(months) < 2 or "month" in header:
        return header, body, lines, []
    found: Found = []
    first: dict[str, int] = {}  # month -> its column
    for i, month in months.items():
        if month in first:
            found.append(
                (
                    [1],
                    f"{header[first[month]]}, {header[i]}",
                    f"two columns of the month {month}; keep one column per month (add "
                    "them up if both hold sales).",
                    "error",
                )
            )
        else:
            first[month] = i
    kept = [i for i, h in enumerate(header) if i not in months and h not in _PER_ROW]
    long_header = [header[i] for i in kept] + ["month", "ordered_units"]
    good = [(r, n) for r, n in zip(body, lines, strict=True) if len(r) == len(header)]
    records = [[""] * (len(long_header) + 1) for r in body if len(r) != len(header)]
    at = [n for r, n in zip(body, lines, strict=True) if len(r) != len(header)]
    columns = {header[i]: [r[i] for r, _ in good] for i in kept + sorted(first.values())}
    key = [k for k in ("sku", "region") if k in header]
    if total_row(pd.DataFrame(columns, dtype=object), key, [header[i] for i in first.values()]):
        found.append(([good[-1][1]], None, "is a total row; dropped.", "warning"))
        good = good[:-1]
    index = pd.Index([n for _, n in good], name="line")
    cells = {}
    for month, i in sorted(first.items()):
        text = pd.Series([r[i].strip() for r, _ in good], index=index, dtype=object)
        cells[month, i] = text.where(~text.isin(MISSING), "")
    commas = sep == ";" and any(t.str.contains(",", regex=False).any() for t in cells.values())
    empty = 0
    for (month, i), text in cells.items():
        text = _map(text, comma_number) if commas else text
        given = np.array(text != "", dtype=bool)
        empty += int((~given).sum())
        present = np.flatnonzero(given)  # the cells checked; a bad one gives no record
        _, issues = parse_column(SCHEMA["sales"].column("ordered_units"), text.iloc[present])
        for mask, message in issues:
            found.append(([int(n) for n in text.index[present[mask]]], header[i], message, "error"))
            given[present[mask]] = False
        for j in np.flatnonzero(given):
            records.append([good[j][0][k] for k in kept] + [month, text.iloc[j]])
            at.append(good[j][1])
    note = (
        f"read as a wide table: {len(first)} month columns ({min(first)} .. {max(first)}) as "
        f"rows of month, ordered_units; an empty cell is no sales that month and gives no row "
        f"({empty} empty cell(s))"
    )
    if commas:
        note += "; decimal commas"
    ignored = [h for h in header if h in _PER_ROW]
    if ignored:
        note += f"; {', '.join(ignored)} ignored (a wide table has one value per month)"
    return long_header, records, at, [([1], None, note + ".", "warning"), *found]
