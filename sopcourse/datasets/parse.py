"""What a cell of each column type may hold, and the typed column it becomes.

The one definition shared by :func:`~sopcourse.datasets.validate_data` (which reports
every cell that does not fit) and :func:`~sopcourse.datasets.load_company` (which types
the columns of a data folder only through it), so that whatever validates, loads, and
whatever cannot be loaded is reported by validate. A column that parses is typed by
:func:`~sopcourse.datasets.schema.coerce_column` (re-exported here), which types the
generated tables too.

A cell is its text with the spaces around it removed; an empty cell is a missing value
(allowed only in the columns the schema marks ``nullable``). Per column type:

- ``int``: a whole number: digits with an optional sign, decimal point and exponent
  (``12``, ``-3``, ``12.0``, ``1e3``); ``float`` and ``money`` any such number. Never
  ``NaN`` or ``inf``, no thousands separators, currency signs or decimal commas. The
  value must lie within the column's ``min`` and ``max`` and, for columns without a
  bound, within :data:`LARGEST` in size (larger is a unit or decimal-point mistake).
  Floats are rounded to 4 decimals and money to 2 (as the files store them) before the
  bounds are checked; ``-0`` is read as 0.
- ``month``: ``YYYY-MM`` exactly (four-digit year, two-digit month 01..12); ``date``:
  ``YYYY-MM-DD`` exactly, a day that exists; years :data:`FIRST_YEAR` .. :data:`LAST_YEAR`.
- ``bool``: ``0`` or ``1``; ``category``: one of the column's categories, same case;
  an *open* category column (a company vocabulary such as ``products.family``, see
  :mod:`sopcourse.datasets.schema`) any text, as ``str`` (whether the other tables use the
  values of the defining table is checked by :func:`~sopcourse.datasets.validate_data`);
  ``str``: any text.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .schema import DECIMALS, LOADED_DTYPES, Column, coerce_column

__all__ = [
    "LARGEST",
    "FIRST_YEAR",
    "LAST_YEAR",
    "LOADED_DTYPES",
    "coerce_column",
    "parse_column",
]

LARGEST = 1e12  # the largest size of a number in any column without its own bounds
FIRST_YEAR, LAST_YEAR = 1900, 2100  # the years a month or a date may have

# ASCII digits only (``\d`` alone would take any script's digits)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

Issues = list[tuple[np.ndarray, str]]


class _Cells:
    """A column's cells, each distinct text examined once (columns repeat a lot)."""

    def __init__(self, text: pd.Series):
        self.codes, self.uniques = pd.factorize(text.to_numpy(dtype=object))

    def each(self, func, dtype) -> np.ndarray:
        """``func`` of every distinct cell, spread back over the column."""
        done = np.array([func(u) for u in self.uniques], dtype=dtype)
        return done[self.codes] if len(done) else np.zeros(len(self.codes), dtype=dtype)

    def matches(self, pattern: re.Pattern, start: bool = False) -> np.ndarray:
        test = pattern.match if start else pattern.fullmatch
        return self.each(lambda v: test(v) is not None, bool)


def _first(text: pd.Series, mask: np.ndarray) -> str:
    """The first marked value, and how many other values the marked lines hold."""
    marked = text.to_numpy()[mask]
    others = len(pd.unique(marked)) - 1
    more = (
        f" (and {others} other value{'s' if others > 1 else ''} on these lines)" if others else ""
    )
    return repr(marked[0]) + more


def parse_column(
    col: Column, text: pd.Series, in_key: bool = False
) -> tuple[pd.Series | None, Issues]:
    """Check the cells of one column and type them.

    Parameters
    ----------
    col : Column
        The column of the schema.
    text : Series of str
        The cells, spaces around them removed; ``""`` is a missing value.
    in_key : bool
        The column is part of the table's key (said in the message for a missing value).

    Returns
    -------
    typed, issues
        ``typed``: the column typed as :func:`coerce_column` types it, or None when a
        cell does not fit. ``issues``: one ``(mask, message)`` per kind of problem, the
        mask marking the cells, the message saying what is wrong and how to fix it.

    Examples
    --------
    >>> from sopcourse.datasets.schema import SCHEMA
    >>> col = SCHEMA["sales"].column("ordered_units")
    >>> typed, issues = parse_column(col, pd.Series(["12", "-0", "1e3"]))
    >>> typed.tolist(), issues
    ([12, 0, 1000], [])
    >>> typed, issues = parse_column(col, pd.Series(["12", "inf", "", "3.5", "1e308"]))
    >>> typed is None
    True
    >>> for mask, message in issues:  # the rows marked, what is wrong (up to the colon)
    ...     print(mask.nonzero()[0].tolist(), message.split(":")[0])
    [2] missing value
    [1] 'inf' is not a number
    [3] '3.5' is not a whole number.
    [4] '1e308' is implausibly large
    """
    text = text.astype(object)
    cells = _Cells(text)
    empty = cells.each(lambda v: v == "", bool)
    present = ~empty
    issues: Issues = []
    if empty.any() and not col.nullable:
        key = " (it is part of the key)" if in_key else ""
        issues.append((empty, f"missing value{key}: fill it in."))
    nul = cells.each(lambda v: "\x00" in v, bool)
    if nul.any():
        issues.append(
            (
                nul,
                "contains a NUL character (byte 0): the file is damaged or is not text saved "
                "as UTF-8; remove the character or save the file again as CSV UTF-8.",
            )
        )
        present = present & ~nul
    clean = text.where(present, None)
    if col.dtype in ("int", "float", "money"):
        typed, more = _numbers(col, text, cells, present)
    elif col.dtype in ("month", "date"):
        typed, more = _periods(col, text, cells, present)
    elif col.dtype == "bool":
        bad = present & ~cells.each(lambda v: v in ("0", "1"), bool)
        more = [(bad, f"{_first(text, bad)} is not 0 or 1 (1 = yes, 0 = no).")] if bad.any() else []
        typed = text.eq("1")
    elif col.dtype == "category" and col.open:
        typed, more = clean, []
    elif col.dtype == "category":
        bad = present & ~cells.each(lambda v: v in col.categories, bool)
        more = []
        if bad.any():
            example = text.to_numpy()[bad][0]
            hint = [c for c in col.categories if c.lower() == str(example).lower()]
            did = f" (did you mean {hint[0]!r}? the case matters)" if hint else ""
            more.append(
                (
                    bad,
                    f"{example!r} is not an allowed value{did}; use one of "
                    f"{', '.join(col.categories)}.",
                )
            )
        typed = clean
    else:
        typed, more = clean, []
    issues += [(m, msg) for m, msg in more if m.any()]
    if issues:
        return None, issues
    return coerce_column(col, typed), []


def _numbers(col: Column, text: pd.Series, cells: _Cells, present: np.ndarray):
    issues: Issues = []

    def issue(mask, message):  # message(example) is only built when a cell is marked
        if mask.any():
            issues.append((mask, message(_first(text, mask))))

    syntax = cells.matches(_NUMBER) & present
    non_finite = cells.matches(_NON_FINITE) & present
    values = cells.each(lambda v: float(v) if _NUMBER.fullmatch(v) else np.nan, "float64")
    issue(
        non_finite,
        lambda v: f"{v} is not a number: NaN and infinity are not allowed; write the actual value.",
    )
    if col.dtype == "int":
        fraction = syntax & np.isfinite(values) & (values != np.floor(values))
        issue((present & ~syntax & ~non_finite) | fraction, lambda v: f"{v} is not a whole number.")
        ok = syntax & ~fraction
        loaded = values
    else:
        issue(
            present & ~syntax & ~non_finite,
            lambda v: (
                f"{v} is not a number (use a dot for decimals, no thousands separator "
                "or currency sign)."
            ),
        )
        ok = syntax
        with np.errstate(invalid="ignore", over="ignore"):
            loaded = np.round(values, DECIMALS[col.dtype]) + 0.0
    flagged = ~ok
    if col.min is not None:
        low = ok & (loaded < col.min)
        kind = "negative" if col.min == 0 else f"below the minimum {col.min:g}"
        issue(
            low, lambda v: f"{v} is {kind}; {col.name} must be at least {col.min:g} ({col.unit})."
        )
        flagged = flagged | low
    if col.max is not None:
        high = ok & (loaded > col.max)
        hint = " (write fractions as 0.15, not 15)" if col.unit == "fraction" else ""
        issue(high, lambda v: f"{v} is above the maximum {col.max:g}{hint}.")
        flagged = flagged | high
    issue(
        ok & ~flagged & ~(np.abs(values) <= LARGEST),
        lambda v: (
            f"{v} is implausibly large: no number in these tables is bigger than "
            f"{LARGEST:.0e} in size; check the unit and the decimal point."
        ),
    )
    return pd.Series(np.where(present, values, np.nan), index=text.index), issues


def _periods(col: Column, text: pd.Series, cells: _Cells, present: np.ndarray):
    monthly = col.dtype == "month"
    pattern, fmt = (_MONTH, "%Y-%m") if monthly else (_DATE, "%Y-%m-%d")
    syntax = cells.matches(pattern) & present
    shaped = [u if pattern.fullmatch(u) else None for u in cells.uniques]
    parsed = pd.to_datetime(pd.Series(shaped, dtype=object), format=fmt, errors="coerce")
    if len(shaped):
        impossible = syntax & parsed.isna().to_numpy(bool)[cells.codes]
        years = parsed.dt.year.to_numpy()[cells.codes]
    else:
        impossible, years = syntax, np.zeros(len(syntax))
    with np.errstate(invalid="ignore"):
        out_of_range = syntax & ~impossible & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    bad_format = present & ~syntax
    issues: Issues = []
    if monthly:
        daily = bad_format & cells.matches(_DATE, start=True)
        other = bad_format & ~daily
        if daily.any():
            issues.append(
                (
                    daily,
                    f"{_first(text, daily)} is a date, not a month: this table is monthly; "
                    "write months as YYYY-MM (e.g. 2024-03) and add up the days of a month first.",
                )
            )
        if other.any():
            issues.append(
                (
                    other,
                    f"{_first(text, other)} is not a month; write YYYY-MM with a four-digit "
                    "year and a two-digit month, e.g. 2024-03.",
                )
            )
        if impossible.any():
            issues.append(
                (
                    impossible,
                    f"{_first(text, impossible)} is not a month: the month must be 01 to 12.",
                )
            )
    else:
        if bad_format.any():
            issues.append(
                (
                    bad_format,
                    f"{_first(text, bad_format)} is not a date; write YYYY-MM-DD with a "
                    "four-digit year and a two-digit month and day, e.g. 2024-03-15.",
                )
            )
        if impossible.any():
            issues.append(
                (
                    impossible,
                    f"{_first(text, impossible)} is not a date: that day does not exist "
                    "(month 01 to 12, a day the month has).",
                )
            )
    if out_of_range.any():
        issues.append(
            (
                out_of_range,
                f"{_first(text, out_of_range)} is outside the years {FIRST_YEAR} to {LAST_YEAR}; "
                "check the year.",
            )
        )
    return text.where(syntax, None), issues
