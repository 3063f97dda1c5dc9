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

Weekly sales: a sales table with a ``week`` column (``Week``, ``week_start`` ...) and no
``month`` column is read by :func:`weekly` as weekly buckets summed into calendar months.
A week is its first day as a date (``2024-03-04``, ``04.03.2024``, ``04/03/2024`` when the
column's days decide the order, a workbook date) or its ISO week (``2024-W10``,
``2024W10``, ``W10 2024``: its Monday), :func:`to_week`. Each week is counted whole in the
month of its Thursday, the ISO 8601 rule (:func:`week_month`); a file whose weeks start on
another weekday (a Sunday, as some ERPs write) is counted by the week's fourth day (first
day + 3 days), the month that holds most of its seven days; all weeks of a file start on
the same weekday, a date on another is an error. Per SKU, market and month,
``ordered_units`` (``units``), ``shipped_units`` and ``revenue`` are summed, ``promo`` is 1
if any week had 1, and a given ``net_price`` becomes revenue / shipped_units when revenue is
given, else the weeks' net prices weighted by their shipped units (ordered units when not
given). Every cell is checked week by week with its column's rules (and a row's shipped
units and revenue against its ordered units and net price) and a bad one is reported at its
own line and column; a bad line adds nothing to its month, so nothing is reported twice,
and a month's later problems are at the line of its first week. A week given twice for
the same SKU and market is an error naming the lines. The first and last month of the
history, when the file has fewer of their weeks than they hold (4 or 5), are dropped, as
a part of a month would look like a dip in demand (kept when no whole month is left). A
week with no row is no sales that week; columns other than the sales table's are ignored.
One warning on the file says what was read.

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
>>> to_week("2024-W10"), to_week("W10 2024"), to_week("2024-W54")
(datetime.date(2024, 3, 4), datetime.date(2024, 3, 4), None)
>>> week_month(to_week("2024-W18")), week_month(to_week("2024-W31"))  # Thursday 2 May, 1 Aug
('2024-05', '2024-08')
"""

from __future__ import annotations

import csv
import datetime
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


# --------------------------------------------------------------------------- weekly sales
_ISO_WEEK = re.compile(r"(\d{4})[- ]?W(\d{1,2})(?:-?1)?", re.IGNORECASE)  # 2024-W10, 2024W10
_WEEK_YEAR = re.compile(r"W(\d{1,2})[ /\-.]?(\d{4})", re.IGNORECASE)  # W10 2024, W10/2024
_WEEK_HEADERS = ("week", "week_start", "week_starting", "week_beginning", "week_of")
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_SUMMED = ("ordered_units", "shipped_units", "revenue")


def to_week(v: str) -> datetime.date | None:
    """The first day of the week ``v`` names, or None: an ISO week (``2024-W10``,
    ``2024W10``, ``2024-W10-1``, ``W10 2024``, ``W10/2024``, any case) as its Monday, a date
    ``YYYY-MM-DD`` (any weekday, see :func:`weekly`) as itself; years 1900 .. 2100."""
    m = _ISO_WEEK.fullmatch(v)
    year_week = (m[1], m[2]) if m else None
    m = _WEEK_YEAR.fullmatch(v) if year_week is None else None
    year_week = (m[2], m[1]) if m else year_week
    try:
        if year_week:
            day = datetime.date.fromisocalendar(int(year_week[0]), int(year_week[1]), 1)
        elif _FIRST_DAY.fullmatch(v):
            day = datetime.date.fromisoformat(v)
        else:
            return None
    except ValueError:  # week 53 of a year of 52, 2024-02-30 ...
        return None
    return day if 1900 <= day.year <= 2100 else None


def week_month(first_day: datetime.date) -> str:
    """The month (YYYY-MM) a week starting on ``first_day`` is counted in: the month of its
    fourth day (a Monday week's Thursday, ISO 8601), which holds most of its seven days."""
    return (first_day + datetime.timedelta(days=3)).strftime("%Y-%m")


def _week_label(day: datetime.date, monday: bool) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}" if monday else day.isoformat()


def _week_cells(text: pd.Series, name: str) -> tuple[pd.Series, Found]:
    """The first day of each week cell (None where it is not a week) and the problems."""
    found: Found = []
    dates, problem = normalise_periods(text, monthly=False)  # 04.03.2024, 04/03/2024 ...
    slashed = np.array(text.str.fullmatch(_SLASHED).to_numpy(dtype=bool), dtype=bool)
    if problem:
        found.append((list(text.index[slashed]), name, problem, "error"))
    refused = slashed if problem else np.zeros(len(text), dtype=bool)
    days = _map(dates, to_week).where(~refused, None)
    empty = np.array(text == "", dtype=bool)
    if empty.any():
        message = "missing value: fill in the week (its first day as a date, or 2024-W10)."
        found.append((list(text.index[empty]), name, message, "error"))
    bad = np.array(days.isna(), dtype=bool) & ~empty & ~refused
    if bad.any():
        values = pd.unique(text[bad].to_numpy())
        more = f" (and {len(values) - 1} other value(s) on these lines)" if len(values) > 1 else ""
        found.append(
            (
                list(text.index[bad]),
                name,
                f"{values[0]!r}{more} is not a week: give the week's first day as a date "
                "(2024-03-04, 04.03.2024) or the ISO week (2024-W10).",
                "error",
            )
        )
    weekday = pd.Series([d.weekday() for d in days.dropna()], dtype=int)
    if len(weekday):
        start = int(weekday.mode().iloc[0])
        other = np.array([d is not None and d.weekday() != start for d in days], dtype=bool)
        if other.any():
            first = days[other].iloc[0]
            found.append(
                (
                    list(text.index[other]),
                    name,
                    f"{text[other].iloc[0]!r} is a {_DAYS[first.weekday()]}, but the weeks of "
                    f"this file start on a {_DAYS[start]}: give every week as the date of its "
                    "first day (the same weekday for all weeks).",
                    "error",
                )
            )
            days = days.where(~other, None)
    return days, found


def _weekly_rules(frame: pd.DataFrame, numbers: dict[str, pd.Series], ok: np.ndarray) -> Found:
    """The rules that tie a row's numbers together (:mod:`.validate`), checked week by week
    so a problem is at its own line; marks the lines in ``ok`` as not ok."""
    found: Found = []
    rules = []
    if {"shipped_units", "ordered_units"} <= set(numbers):
        bad = numbers["shipped_units"] > numbers["ordered_units"]
        rules.append((bad, "shipped_units", "more units shipped than ordered; shipped_units "
                      "must be at most ordered_units."))  # fmt: skip
    if {"shipped_units", "net_price", "revenue"} <= set(numbers):
        shipped = numbers["shipped_units"]
        gap = (numbers["revenue"] - shipped * numbers["net_price"]).abs()
        rules.append((gap > 0.011 + 0.005 * shipped, "revenue", "revenue is not shipped_units x "
                      "net_price (within the rounding of net_price to the cent); check the "
                      "revenue, or give net_price as revenue / shipped_units."))  # fmt: skip
    for bad, column, message in rules:
        mask = np.array(bad.fillna(False), dtype=bool) & ok
        if mask.any():
            found.append(([int(n) for n in frame.index[mask]], column, message, "error"))
            ok &= ~mask
    return found


def _partial_months(days: pd.Series) -> tuple[set[str], str | None]:
    """The first and last month of the history when the file has fewer of their weeks than
    they hold (4 or 5 weeks whose fourth day is in the month), and what the note says."""
    weeks = sorted(set(days.dropna()))
    if not weeks:
        return set(), None
    months = pd.Series([week_month(d) for d in weeks])
    counts = months.value_counts()
    partial = {}
    fourth = weeks[0] + datetime.timedelta(days=3)
    if fourth.day > 7:  # an earlier week of the month is not in the file
        partial["first"] = months.iloc[0]
    fourth = weeks[-1] + datetime.timedelta(days=3)
    if fourth.day + 7 <= pd.Period(fourth, "M").days_in_month:
        partial["last"] = months.iloc[-1]
    if not partial:
        return set(), None

    weekday = fourth.weekday()  # the weekday of every week's fourth day

    def held(month: str) -> int:  # the weeks of the month: its days on that weekday
        p = pd.Period(month, "M")
        days_in = range(1, p.days_in_month + 1)
        return sum(datetime.date(p.year, p.month, d).weekday() == weekday for d in days_in)

    said = ", ".join(
        f"the {which} month {m} has {counts[m]} of its {held(m)} weeks"
        for which, m in partial.items()
    )
    if set(partial.values()) >= set(months):  # nothing would be left: keep them
        return set(), f"{said}: kept, as no whole month is in the file (it would look like a dip)"
    return set(partial.values()), (
        f"{said}: dropped (a part of a month would look like a dip in demand); export whole "
        "months to keep them"
    )


def weekly(
    header: list[str], body: list[list[str]], lines: list[int], sep: str
) -> tuple[list[str], list[list[str]], list[int], Found]:
    """A weekly sales table (a ``week`` column and no ``month`` column, see the module
    docstring) summed into calendar months: its header, records and the line of each (a
    month's first week), and the problems found; any other table is returned as it is.

    The cells are checked week by week with the rules of their columns (and a row's
    shipped_units, net_price and revenue against each other), a bad one reported at its own
    line and column; a bad line gives nothing to its month. A row of the wrong width gives
    one record of the wrong width (the caller reports it).
    """
    names = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    at_week = next((i for i, n in enumerate(names) if n in _WEEK_HEADERS), None)
    if at_week is None or "month" in header:
        return header, body, lines, []
    found: Found = []
    keys = [k for k in ("sku", "region") if k in header]
    cols = [c for c in _PER_ROW if c in header]
    out_header = ["month", *keys, *cols]
    good = [(r, n) for r, n in zip(body, lines, strict=True) if len(r) == len(header)]
    records = [[""] * (len(out_header) + 1) for r in body if len(r) != len(header)]
    at = [n for r, n in zip(body, lines, strict=True) if len(r) != len(header)]
    index = pd.Index([n for _, n in good], name="line")
    frame = pd.DataFrame(
        {c: [r[header.index(c)].strip() for r, _ in good] for c in keys + cols}, index=index
    ).astype(object)
    frame["week"] = pd.Series([r[at_week].strip() for r, _ in good], index=index, dtype=object)
    if total_row(frame, ["week", *keys], [c for c in cols if c != "promo"]):
        found.append(([int(frame.index[-1])], None, "is a total row; dropped.", "warning"))
        frame = frame.iloc[:-1]
    for c in [*cols, "week"]:
        frame[c] = frame[c].where(~frame[c].isin(MISSING), "")
    commas = sep == ";" and any(frame[c].str.contains(",", regex=False).any() for c in cols)
    for c in cols if commas else ():
        frame[c] = _map(frame[c], comma_number)
    days, problems = _week_cells(frame["week"], header[at_week])
    found += problems
    ok = np.array(days.notna(), dtype=bool)
    for c in keys + cols:  # the column rules of the long table, week by week
        _, issues = parse_column(SCHEMA["sales"].column(c), frame[c], in_key=c in keys)
        for mask, message in issues:
            found.append(([int(n) for n in frame.index[mask]], c, message, "error"))
            ok &= ~mask
    numbers = {c: pd.to_numeric(frame[c].where(ok, "0")) for c in cols}
    found += _weekly_rules(frame, numbers, ok)
    found += _duplicate_weeks(frame, days, keys, header[at_week], ok)
    dropped, partial = _partial_months(days)
    month = pd.Series([week_month(d) if d is not None else "" for d in days], index=frame.index)
    ok &= ~month.isin(dropped).to_numpy()
    months, summed = _sum_weeks(frame[ok], month[ok], {c: v[ok] for c, v in numbers.items()}, keys)
    records += summed.drop(columns="line").to_numpy(dtype=object).tolist()
    at += summed["line"].tolist()
    weeks = sorted(set(days.dropna()))
    monday = bool(weeks) and weeks[0].weekday() == 0
    span = (
        f" ({_week_label(weeks[0], monday)} .. {_week_label(weeks[-1], monday)})" if weeks else ""
    )
    rule = (
        "each week in the month of its Thursday, ISO 8601"
        if monday or not weeks
        else f"weeks starting on a {_DAYS[weeks[0].weekday()]}, each in the month of its "
        f"fourth day, the {_DAYS[(weeks[0].weekday() + 3) % 7]}: the month that holds most of "
        "its days, as ISO 8601 counts a Monday week in the month of its Thursday"
    )
    plural = "s" if months != 1 else ""
    note = f"read as weekly buckets: {len(weeks)} weeks{span} summed into {months} month{plural}"
    note += f" ({rule})"
    note += "; " + _summed_note(cols)
    every = pd.date_range(weeks[0], weeks[-1], freq="7D").date if weeks else []
    gaps = [d for d in every if d not in set(weeks)]
    if gaps:
        shown = ", ".join(_week_label(d, monday) for d in gaps[:4]) + (
            " ..." if len(gaps) > 4 else ""
        )
        note += f"; no row for {len(gaps)} week(s) in between ({shown}): no sales those weeks"
    if partial:
        note += "; " + partial
    if commas:
        note += "; decimal commas"
    ignored = [h for i, h in enumerate(header) if i != at_week and h not in out_header]
    if ignored:
        note += f"; {', '.join(ignored)} ignored (not summed into months)"
    return out_header, records, at, [([1], None, note + ".", "warning"), *found]


def _duplicate_weeks(
    frame: pd.DataFrame, days: pd.Series, keys: list[str], name: str, ok: np.ndarray
) -> Found:
    """A week given on more than one line for the same SKU and market: one error naming
    the lines; only the first line of each such week counts (marked in ``ok``)."""
    given = np.array(days.notna(), dtype=bool)
    for k in keys:
        given &= np.array(frame[k] != "", dtype=bool)
    key = pd.DataFrame({k: frame[k] for k in keys}, index=frame.index)[given]
    key["week"] = days[given]
    dup = key.duplicated(keep=False)
    if not dup.any():
        return []
    ok &= ~np.isin(frame.index, key.index[key.duplicated(keep="first")])
    groups = list(key[dup].groupby(list(key.columns), sort=False).groups.values())
    first = key.loc[groups[0][0]]
    lines = [int(n) for n in groups[0]]
    what = ", ".join(str(first[k]) for k in keys)
    monday = first["week"].weekday() == 0
    others = f" (and {len(groups) - 1} other week(s))" if len(groups) > 1 else ""
    said = " and ".join(map(str, lines)) if len(lines) < 4 else ", ".join(map(str, lines))
    return [
        (
            sorted(int(n) for n in key.index[dup]),
            ", ".join([name, *keys]),
            f"the week {_week_label(first['week'], monday)} of {what} is given on lines {said}"
            f"{others}: keep one row per week, SKU and market (add them up if both hold sales).",
            "error",
        )
    ]


def _sum_weeks(
    frame: pd.DataFrame, month: pd.Series, numbers: dict[str, pd.Series], keys: list[str]
) -> tuple[int, pd.DataFrame]:
    """The weeks' numbers summed per month, SKU and market (as text, month by month, the
    keys in the order of the file), with the line of each month's first week; and the
    number of months."""
    data = pd.DataFrame({"month": month.to_numpy(), "line": frame.index.to_numpy()})
    for k in keys:
        data[k] = frame[k].to_numpy()
    for c, v in numbers.items():
        data[c] = v.to_numpy(dtype=float)
    out_cols = ["month", *keys, *numbers]
    if data.empty:
        return 0, pd.DataFrame(columns=[*out_cols, "line"])
    data["order"] = data.groupby(keys, sort=False)["line"].transform("min") if keys else 0
    if "net_price" in numbers:  # weighted by the units shipped (ordered when not given)
        weight = "shipped_units" if "shipped_units" in numbers else "ordered_units"
        data["_w"] = data[weight] if weight in numbers else 1.0
        data["_nw"] = data["net_price"] * data["_w"]
    how = {c: (c, "max" if c == "promo" else "sum") for c in numbers if c != "net_price"}
    if "net_price" in numbers:
        how |= {"_w": ("_w", "sum"), "_nw": ("_nw", "sum"), "_mean": ("net_price", "mean")}
    how |= {"line": ("line", "min"), "order": ("order", "min")}
    out = data.groupby(["month", *keys], sort=False).agg(**how).reset_index()
    out = out.sort_values(["month", "order"], kind="stable")
    if "net_price" in numbers:
        top = out["revenue"] if "revenue" in numbers else out["_nw"]
        sold = out["_w"] > 0
        net = np.where(sold, top / out["_w"].where(sold, 1.0), out["_mean"])
        out["net_price"] = np.maximum(np.round(net, 2), 0.01)
    for c in numbers:
        money = c in ("net_price", "revenue")
        out[c] = [f"{v:.2f}" if money else str(int(round(v))) for v in out[c]]
    return out["month"].nunique(), out[[*out_cols, "line"]]


def _summed_note(cols: list[str]) -> str:
    """How the weeks' columns become a month's, as the warning says it."""
    summed = [c for c in _SUMMED if c in cols]
    said = [", ".join(summed) + " summed"] if summed else []
    if "promo" in cols:
        said.append("promo 1 if any week had a promotion")
    if "net_price" in cols and "revenue" in cols:
        said.append("net_price = revenue / shipped_units of the month")
    elif "net_price" in cols:
        weight = "shipped_units" if "shipped_units" in cols else "ordered_units"
        said.append(f"net_price = the weeks' net_price weighted by their {weight}")
    return "; ".join(said)
