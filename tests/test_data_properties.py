"""Property-based tests: ``sopcourse data validate`` and ``load_company`` agree.

Every example starts from a copy of the committed data (made once per test module and
worker, restored after each example; ``datasets/`` itself is never touched), mutates
cells of any column of any table (non-finite, huge, negative and misspelt numbers;
months and dates in other formats or impossible; unknown, duplicate, padded or re-cased
codes; text of every kind), or the shape of a file (a column dropped, added or renamed,
a row duplicated or cut short), and checks:

- validate OK <=> ``load_company(data_dir=...)`` succeeds; a refused folder raises one
  ``ValueError`` (never a pandas / numpy error) that lists what validate reports;
- what validate refuses, it locates: the file, the line (header = line 1) and the
  column; a value that is plainly wrong for its column is reported at its cell;
- what loads has the documented dtypes (``LOADED_DTYPES`` of the schema type), no
  missing value where the schema allows none, and numbers within their bounds;
- a value written differently (padded, ``+5``, ``5.0``, ``-0``) loads the same tables,
  and the S&OP cycle runs on such a folder.

The first test checks the one definition of a cell (:func:`parse_column`) on every
column of every table directly; it needs no files, so it affords many examples.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sopcourse.cli import main
from sopcourse.datasets import SCHEMA, data_dir, load_company, validate_data
from sopcourse.datasets.parse import FIRST_YEAR, LARGEST, LAST_YEAR, LOADED_DTYPES, parse_column
from sopcourse.datasets.schema import open_categories

TABLES = list(SCHEMA)
COLUMNS = [(t, c.name) for t in TABLES for c in SCHEMA[t].columns]
NUMERIC = {"int", "float", "money"}

# --------------------------------------------------------------------------- values
NUMBER_EDGES = [
    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e308", "-1e308", "1e400",
    str(10**30), str(-(10**30)), "-0", "-0.0", "+0", "0", "-1", "-0.5", "0.5", "1e3",
    "1E3", "12.0", "1e-3", "twelve", "", "1,5", "1 000", "EUR 5", "0x10", "1_000",
    "5%", "--5", ".", "1e", "9" * 20,
]  # fmt: skip
MONTH_EDGES = [
    "2024/01", "01-2024", "2024-1", "2024-1-1", "2024-13", "2024-00", "2024-02-30",
    "2024-01-15", "Jan 2024", "202401", "", "0999-01", "2101-01", "1900-01",
    "2100-12", "2024-01-01T00:00", "2024-W01",
]  # fmt: skip
DATE_EDGES = [
    "2024-02-30", "2024-13-01", "2024-1-1", "2024/01/05", "01-05-2024", "05.01.2024",
    "2024-01", "2023-02-29", "2024-02-29", "", "0001-01-01", "9999-12-31",
    "2024-01-05 10:00", "2024-00-10", "2024-04-31",
]  # fmt: skip
BOOL_EDGES = ["0", "1", "2", "-1", "yes", "no", "True", "false", "1.0", "-0", "", "01"]
TEXT_EDGES = [
    "", "XX-999", "nan", "NA", "None", "0", "a,b", 'say "hi"', "Zürich", "two\nlines",
    "tab\there", "\x00", "  ", "RD-200", "EU-N",
]  # fmt: skip

any_dates = st.dates(dt.date(1800, 1, 1), dt.date(2300, 12, 31))


def values_for(col) -> st.SearchStrategy[str]:
    """Texts a cell of this column might be given: edge cases of its type, and any other."""
    if col.dtype in NUMERIC:
        return st.one_of(
            st.sampled_from(NUMBER_EDGES),
            st.floats().map(repr),
            st.integers(-(10**20), 10**20).map(str),
        )
    if col.dtype == "month":
        return st.one_of(
            st.sampled_from(MONTH_EDGES), any_dates.map(lambda d: f"{d.year:04d}-{d.month:02d}")
        )
    if col.dtype == "date":
        return st.one_of(
            st.sampled_from(DATE_EDGES),
            any_dates.map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
        )
    if col.dtype == "bool":
        return st.sampled_from(BOOL_EDGES)
    if col.dtype == "category":
        cats = list(col.categories)
        variants = [c.upper() for c in cats] + [c.title() for c in cats] + [f" {cats[0]} "]
        return st.sampled_from(cats + variants + ["", "gravel", "nan"])
    return st.one_of(st.sampled_from(TEXT_EDGES), st.text(max_size=12))


def plainly_wrong(col, value: str) -> bool:
    """An oracle independent of the package: True when the value cannot be right for the
    column whatever the rest of the data (it may miss some wrong values; never a right
    one)."""
    v = value.strip()
    if "\x00" in value:
        return True
    if v == "":
        return not col.nullable
    if col.dtype in NUMERIC:
        try:
            x = float(v)
        except ValueError:
            return True
        if not math.isfinite(x) or abs(x) > 1.01 * LARGEST or "_" in v:
            return True
        if col.dtype == "int" and not x.is_integer():
            return True
        lo = -math.inf if col.min is None else col.min - 0.01
        hi = math.inf if col.max is None else col.max + 0.01
        return not lo <= x <= hi
    if col.dtype in ("month", "date"):
        pattern = r"(\d{4})-(\d{2})" if col.dtype == "month" else r"(\d{4})-(\d{2})-(\d{2})"
        m = re.fullmatch(pattern, v)
        if not m:
            return True
        year, month = int(m[1]), int(m[2])
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            return True
        if col.dtype == "date":
            try:
                dt.date(year, month, int(m[3]))
            except ValueError:
                return True
        return False
    if col.dtype == "bool":
        return v not in ("0", "1")
    if col.dtype == "category" and not col.open:  # an open one takes the company's values
        return v not in col.categories
    return False


# --------------------------------------------------------------------------- checks
def assert_documented_dtypes(company, tables=TABLES):
    for name in tables:
        table, df = SCHEMA[name], getattr(company, name)
        assert list(df.columns) == table.column_names, name
        assert isinstance(df.index, pd.RangeIndex), name
        for col in table.columns:
            s = df[col.name]
            where = f"{name}.{col.name}"
            assert str(s.dtype) == LOADED_DTYPES[col.dtype], (where, s.dtype)
            if not col.nullable:
                assert not s.isna().any(), where
            if col.dtype in NUMERIC:
                lo = -LARGEST if col.min is None else col.min
                hi = LARGEST if col.max is None else col.max
                assert s.between(lo, hi).all(), where
                assert not np.signbit(s[s == 0]).any(), where  # -0 is loaded as 0
            if col.dtype == "category" and col.open:  # the company's values, each once
                assert set(s.dropna()) <= set(s.cat.categories), where
                if col.defined_by == (name, col.name):
                    assert list(s.cat.categories) == open_categories(col, s.astype(object)), where
            elif col.dtype == "category":
                assert list(s.cat.categories) == list(col.categories), where


def load_or_error(folder):
    """``load_company``'s tables, or its ValueError; any other exception fails the test."""
    try:
        return load_company(data_dir=folder), None
    except ValueError as exc:
        assert type(exc) is ValueError, f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
        return None, exc


def assert_agree(folder):
    """validate and load agree; return the report and the loaded company (or None)."""
    report = validate_data(folder)
    company, error = load_or_error(folder)
    if report.ok:
        assert error is None, f"validate said OK, load failed: {error}"
        assert_documented_dtypes(company, report.tables)
    else:
        assert error is not None, f"load succeeded, validate said:\n{report}"
        assert report.text(warnings=False) in str(error)
        for p in report.errors:
            assert str(p).startswith(p.file)
    return report, company


def locates(report, file, line, column=None) -> bool:
    """Some error names this file and line (and column, if given) or, for a code other
    tables refer to, names the rows of those tables that no longer find it."""
    for p in report.errors:
        if p.file == file and line in p.lines and p.column:
            if column is None or column in [c.strip() for c in p.column.split(",")]:
                return True
        if column is None and f"in {file} (column" in p.message and p.lines and p.column:
            return True
    return False


# --------------------------------------------------------------------------- the folder
# The four long tables (33,000 of the 35,000 lines) keep their first rows: an example
# then reads 3,000 lines, not 35,000 (no other table refers to their rows; sales.csv
# shorter only makes financials.csv differ from it, a warning).
LONG_TABLES, KEEP_ROWS = ("orders", "sales", "sales_plan", "forecast_snapshots"), 300


def committed_rows(table, trim=True):
    text = (data_dir() / SCHEMA[table].file).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[: KEEP_ROWS + 1] if trim and table in LONG_TABLES else rows


class Folder:
    """A copy of the committed data (``trim``: the long tables shortened); ``set_cell``
    and ``write`` change files, ``restore`` undoes the changes."""

    def __init__(self, path, trim=True):
        self.path = path
        shutil.copytree(data_dir(), path)
        self.rows = {t: committed_rows(t, trim) for t in TABLES}
        self.changed: set[str] = set()
        for t in LONG_TABLES if trim else ():
            self.write(t, self.rows[t])
        self.changed.clear()
        self.text = {t: (path / SCHEMA[t].file).read_text(encoding="utf-8") for t in TABLES}

    def write(self, table, rows):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (self.path / SCHEMA[table].file).write_text(buf.getvalue(), encoding="utf-8")
        self.changed.add(table)

    def set_cell(self, table, line, column, value):
        rows = [list(r) for r in self.rows[table]]
        rows[line - 1][rows[0].index(column)] = value
        self.write(table, rows)

    def restore(self):
        for t in self.changed:
            (self.path / SCHEMA[t].file).write_text(self.text[t], encoding="utf-8")
        self.changed.clear()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = Folder(tmp_path_factory.mktemp("properties") / "data")
    assert validate_data(folder.path).ok
    return folder


@pytest.fixture(scope="module")
def full_folder(tmp_path_factory):
    return Folder(tmp_path_factory.mktemp("properties") / "full", trim=False)


@pytest.fixture(scope="module")
def standard(folder):
    return load_company(data_dir=folder.path)


@st.composite
def cell_mutations(draw, tables=TABLES):
    """(table, line, column, value): a new text for one cell of the committed data."""
    table = draw(st.sampled_from(tables))
    col = draw(st.sampled_from(SCHEMA[table].columns))
    n_rows = len(FOLDER_ROWS[table]) - 1
    # Mostly early rows (where the other tables' codes are defined), any row possible.
    line = draw(st.one_of(st.integers(2, min(n_rows, 8) + 1), st.integers(2, n_rows + 1)))
    rows = FOLDER_ROWS[table]
    j = rows[0].index(col.name)
    original = rows[line - 1][j]
    other = rows[1 + (line - 1) % n_rows][j]  # the same column of another row
    derived = [f" {original}", f"{original} ", original.lower(), original.upper(), other, ""]
    value = draw(st.one_of(values_for(col), st.sampled_from(derived)))
    return table, line, col.name, value


FOLDER_ROWS = {t: committed_rows(t) for t in TABLES}


# --------------------------------------------------------------------------- the tests
@settings(max_examples=500)
@given(
    st.sampled_from(COLUMNS).flatmap(
        lambda tc: st.tuples(
            st.just(tc), st.lists(values_for(SCHEMA[tc[0]].column(tc[1])), min_size=1, max_size=4)
        )
    )
)
def test_every_column_parses_or_says_which_cell_is_wrong(case):
    """The one definition of a cell, on every column of every table: either a typed
    column of the documented dtype within the bounds, or issues that mark the cells."""
    (table, column), texts = case
    col = SCHEMA[table].column(column)
    cells = pd.Series([t.strip() for t in texts], dtype=object)
    typed, issues = parse_column(col, cells, in_key=column in SCHEMA[table].key)
    wrong = [plainly_wrong(col, t) for t in texts]
    if typed is None:
        assert issues
        marked = np.zeros(len(texts), bool)
        for mask, message in issues:
            assert mask.any() and message.endswith(".")
            assert "'" in message or "missing" in message or "NUL" in message  # quotes it
            marked |= mask
        assert all(marked[wrong]), (texts, issues)
    else:
        assert not issues and not any(wrong), texts
        assert str(typed.dtype) == LOADED_DTYPES[col.dtype]
        assert len(typed) == len(texts)
        if col.dtype in NUMERIC:
            assert typed.between(
                -LARGEST if col.min is None else col.min, LARGEST if col.max is None else col.max
            ).all()


@settings(max_examples=30)
@given(cell_mutations())
def test_one_changed_cell_is_refused_where_it_is_or_loads_typed(folder, mutation):
    table, line, column, value = mutation
    col = SCHEMA[table].column(column)
    folder.set_cell(table, line, column, value)
    try:
        report, _ = assert_agree(folder.path)
    finally:
        folder.restore()
    if plainly_wrong(col, value):
        assert locates(report, SCHEMA[table].file, line, column), (mutation, str(report))
    elif not report.ok:
        assert locates(report, SCHEMA[table].file, line), (mutation, str(report))


@settings(max_examples=10)
@given(st.lists(cell_mutations(), min_size=2, max_size=8, unique_by=lambda m: m[0]))
def test_several_changes_are_all_reported_at_once(folder, mutations):
    """One changed cell in each of several tables: every plainly wrong one is reported at
    its cell in the same report, and every error is explained by one of the changes."""
    for table, line, column, value in mutations:
        folder.set_cell(table, line, column, value)
    try:
        report, _ = assert_agree(folder.path)
    finally:
        folder.restore()
    for table, line, column, value in mutations:
        if plainly_wrong(SCHEMA[table].column(column), value):
            assert locates(report, SCHEMA[table].file, line, column), (mutations, str(report))
    changed = {SCHEMA[t].file: line for t, line, _, _ in mutations}
    for p in report.errors:
        assert p.file in changed or any(f"in {f} (column" in p.message for f in changed), str(p)


SHAPES = ["drop column", "rename column", "respell column", "extra column"]
SHAPES += ["padded duplicate column"]
SHAPES += ["duplicate row", "short row", "long row"]


@settings(max_examples=14)
@given(
    st.sampled_from(SHAPES),
    st.sampled_from(COLUMNS),
    st.integers(2, 6),
    st.sampled_from(["notes", "Manager", "x"]),
)
def test_a_changed_file_shape_is_refused_where_it_is_or_loads_typed(
    folder, shape, table_column, line, extra
):
    table, column = table_column
    rows = [list(r) for r in folder.rows[table]]
    file, j = SCHEMA[table].file, rows[0].index(column)
    line = min(line, len(rows))
    if shape == "drop column":
        rows = [r[:j] + r[j + 1 :] for r in rows]
    elif shape == "rename column":
        rows[0][j] = column.upper() + "_OLD"
    elif shape == "respell column":  # as a spreadsheet writes it: read as the column
        rows[0][j] = column.replace("_", " ").title()
    elif shape == "extra column":
        rows = [rows[0] + [extra]] + [r + ["something, quoted"] for r in rows[1:]]
    elif shape == "padded duplicate column":
        rows = [rows[0] + [f" {column} "]] + [r + [r[j]] for r in rows[1:]]
    elif shape == "duplicate row":
        rows.append(list(rows[line - 1]))
    elif shape == "short row":
        rows[line - 1] = rows[line - 1][:-1]
    else:
        rows[line - 1] = rows[line - 1] + ["surplus"]
    folder.write(table, rows)
    try:
        report, company = assert_agree(folder.path)
    finally:
        folder.restore()
    if shape in ("extra column", "respell column"):
        assert report.ok, str(report)
        assert any(p.file == file and p.lines == (1,) for p in report.warnings)
    elif shape in ("drop column", "rename column", "padded duplicate column"):
        assert locates(report, file, 1, column), str(report)
    elif shape == "duplicate row":
        key = ", ".join(SCHEMA[table].key)
        dup = [p for p in report.errors if p.file == file and p.column == key]
        assert dup and {line, len(rows)} <= set(dup[0].lines), str(report)
    else:  # the row's fields no longer line up with the header: no single column to name
        wrong = [p for p in report.errors if p.file == file and p.lines == (line,)]
        assert wrong and "wrong number of fields" in wrong[0].message, str(report)


def respelt(col, value: str) -> st.SearchStrategy[str]:
    """Other ways of writing the same value: spaces around it, and for numbers a sign,
    a decimal point or an exponent."""
    ways = [f" {value}", f"{value}  "]
    if col.dtype in NUMERIC and value not in ("", "0") and not value.startswith("-"):
        ways += [f"+{value}", f"{value}e0", f"{value}E+00"]
        if col.dtype == "int":
            ways += [f"{value}.0", f"{value}.000"]
    if col.dtype in NUMERIC and float(value) == 0:
        ways += ["-0", "-0.0", "+0", "0e5"]
    return st.sampled_from(ways)


@st.composite
def respellings(draw, tables=TABLES):
    table = draw(st.sampled_from(tables))
    col = draw(st.sampled_from(SCHEMA[table].columns))
    rows = FOLDER_ROWS[table]
    line = draw(st.integers(2, len(rows)))
    value = draw(respelt(col, rows[line - 1][rows[0].index(col.name)]))
    return table, line, col.name, value


@settings(max_examples=6)
@given(respellings())
def test_the_same_value_written_differently_loads_the_same_tables(folder, standard, change):
    table, line, column, value = change
    folder.set_cell(table, line, column, value)
    try:
        report, company = assert_agree(folder.path)
    finally:
        folder.restore()
    assert report.ok, (change, str(report))
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(company, name), getattr(standard, name))


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=6)
@given(cell_mutations())
def test_the_validate_command_says_what_load_says(folder, mutation):
    table, line, column, value = mutation
    folder.set_cell(table, line, column, value)
    try:
        code, out, err = run_cli("data", "validate", str(folder.path))
        company, error = load_or_error(folder.path)
    finally:
        folder.restore()
    assert code in (0, 1) and "Traceback" not in out + err
    assert (code == 0) == (error is None), (mutation, out, error)
    if error is not None:
        assert "nothing was changed" in err
        for problem in str(error).splitlines()[1:]:
            assert problem in out
    else:
        assert "OK: the data can be loaded" in out


@settings(max_examples=3)
@given(respellings(tables=["sales", "products", "regions", "work_centres", "items"]))
def test_the_cycle_runs_on_a_folder_validate_accepts(full_folder, tmp_path_factory, change):
    table, line, column, value = change
    out = tmp_path_factory.mktemp("cycle") / "review.html"
    full_folder.set_cell(table, line, column, value)
    try:
        ok = validate_data(full_folder.path).ok
        code, _, err = run_cli(
            "cycle", str(full_folder.path), "--out", str(out), "--family", "city", "--horizon", "3"
        )
    finally:
        full_folder.restore()
    assert ok
    assert code == 0, (change, err)
    assert out.is_file()
