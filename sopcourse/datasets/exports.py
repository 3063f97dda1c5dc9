"""Real exports, as planners have them: the text conventions of spreadsheet exports
(encoding, separator, decimal commas, ``#N/A``, other month and date spellings, a total
row) turned into the canonical text that :mod:`.parse` reads.

Everything here works on text only and never writes a file; :mod:`.validate` calls it
while it reads a table, so validate and load share it.

>>> decode(b"name\\nM\\xfcller\\n")
('name\\nMüller\\n', 'Windows-1252 (cp1252)')
>>> sniff_separator("sku;month;units")
';'
>>> to_month("03/2024"), to_month("2024-03-01"), to_month("2024-03-15")
('2024-03', '2024-03', None)
>>> comma_number("1.234,5"), comma_number("12,5"), comma_number("7")
('1234.5', '12.5', '7')
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

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


def to_month(v: str) -> str | None:
    """``v`` as YYYY-MM when it is another spelling of a month, else None."""
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
