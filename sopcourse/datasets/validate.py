"""Check a data folder against the schema and report every problem at once.

:func:`validate_data` reads the CSV files of a folder and its Excel workbooks
(:mod:`.workbook`; it never writes or changes anything), checks each against
:data:`~sopcourse.datasets.schema.SCHEMA` (encoding, header, columns, types, ranges,
keys, joins between tables, the bill of materials and the arithmetic that ties the
tables together) and returns a :class:`ValidationReport` whose problems each name the
file, the line(s) and the column, say what is wrong and how to fix it. ``sopcourse data
validate DIR`` prints the report and exits with 1 when anything is wrong.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import exports, hints, minimal, workbook
from .parse import parse_column
from .schema import SCHEMA, Table, align_vocabularies

__all__ = ["Problem", "ValidationReport", "validate_data", "read_folder", "read_one_table"]

_SHOW = 8  # line numbers shown per problem before "and N more"


@dataclass(frozen=True)
class Problem:
    """One problem: the file, the CSV line numbers (header = line 1), the column, what is
    wrong and how to fix it. ``severity`` is ``"error"`` or ``"warning"``."""

    file: str
    lines: tuple[int, ...]
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.lines:
            shown = ", ".join(str(n) for n in self.lines[:_SHOW])
            more = len(self.lines) - _SHOW
            word = "line" if len(self.lines) == 1 else "lines"
            where.append(f"{word} {shown}" + (f" and {more} more" if more > 0 else ""))
        if self.column:
            where.append(f"column {self.column}")
        tag = "" if self.severity == "error" else "warning: "
        return f"{', '.join(where)}: {tag}{self.message}"


@dataclass
class ValidationReport:
    """The result of :func:`validate_data`: every problem found, and the tables checked."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    #: what the minimal start derived (:mod:`.minimal`): table -> columns
    derived: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def text(self, warnings: bool = True) -> str:
        shown = self.problems if warnings else self.errors
        return "\n".join(str(p) for p in shown)

    def __str__(self) -> str:
        head = (
            f"{self.folder}: {len(self.tables)} table(s) checked, {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return head + ("\n" + self.text() if self.problems else "")


_NUL = "\ufffe"  # stands in for a NUL character while the csv module reads a file


class _Checker:
    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []
        self.raw: dict[str, pd.DataFrame] = {}  # text values, one column per schema column present
        self.good: dict[str, dict[str, bool]] = {}  # table -> column -> parsed without problems
        self.typed: dict[str, dict[str, pd.Series]] = {}
        # tables read from a workbook: table -> (workbook, sheet title or None for the
        # first sheet), and the name problems give it ("company.xlsx [sales]")
        self.sources: dict[str, tuple[Path, str | None]] = {}
        self.labels: dict[str, str] = {}
        self.given: set[str] = set()  # tables the folder gives, as CSV or workbook sheet
        self.left_out: dict[str, list[str]] = {}  # columns a file leaves out, derived

    def add(self, file, lines, column, message, severity="error"):
        self.problems.append(Problem(file, tuple(lines), column, message, severity))

    # --------------------------------------------------------------- reading one file
    def read(self, table: Table) -> None:
        f = table.file
        self.uncomputed: set[str] = set()  # columns with formulas saved without values
        if table.name in self.sources:  # a workbook sheet: its rows as text, as a CSV's
            nul, records = False, self._sheet_records(table)
        else:
            text = self._text(table)
            if text is None:
                return
            # the csv module cannot read a NUL: shield it, parse_column reports it
            nul = "\x00" in text
            if nul:
                text = text.replace("\x00", _NUL)
            records = self._records(f, text)
        if records is None:
            return
        rows, starts = records
        header = self._header(f, table, rows[0])
        body, lines = rows[1:], starts[1:]
        # Blank lines at the end are harmless; blank lines in the middle are rows of nothing.
        while body and not any(cell.strip() for cell in body[-1]):
            body.pop()
            lines.pop()
        for reshape in (exports.melt, exports.weekly) if table.name == "sales" else ():
            # months as columns, or weeks as rows: rows of month, ordered_units ...
            header, body, lines, found = reshape(header, body, lines, self.sep)
            for where in found:
                self.add(f, *where)
        dup = sorted({h for h in header if header.count(h) > 1})
        if dup:
            self.add(
                f,
                [1],
                ", ".join(dup),
                "appears more than once in the header; keep one column of each name.",
            )
        optional = minimal.derivable(table.name, header)
        self.left_out[table.name] = [c for c in optional if c not in header]
        missing = [c for c in table.column_names if c not in header and c not in optional]
        if missing:
            self.add(
                f,
                [1],
                ", ".join(missing),
                f"missing column(s). The header must contain {minimal.needed(table.name, optional)}"
                f" ({hints.columns_doc(self.folder)}).",
            )
        extra = [h for h in header if h not in table.column_names]
        if extra:
            self.add(f, [1], ", ".join(extra), "unknown column(s), ignored.", "warning")
        width = len(header)
        bad_width = [i for i, r in enumerate(body) if len(r) != width]
        if bad_width:
            self.add(
                f,
                [lines[i] for i in bad_width],
                None,
                f"wrong number of fields (the header has {len(rows[0])}); a comma inside a value "
                "needs the value in double quotes, and every row needs every column.",
            )
        body = [r if len(r) == width else (r + [""] * width)[:width] for r in body]
        if not body:
            if not any(map(any, rows[1:])):  # else every row was refused by melt or weekly
                self.add(
                    f,
                    [],
                    None,
                    "has a header but no rows: the table is empty. Add the data or remove the "
                    "file.",
                )
            return
        keep = [c for c in table.column_names if c in header and c not in dup]
        fields = list(zip(*body, strict=True))
        frame = pd.DataFrame(
            {c: np.array(fields[header.index(c)], dtype=object) for c in keep},
            index=pd.Index(lines, name="line"),
            dtype=object,
        )
        if bad_width:
            frame = frame.drop(index=[lines[i] for i in bad_width])
        self._strip_spaces(f, frame, keep)
        frame = self._normalise(table, frame, keep)
        self.refused |= self.uncomputed & set(keep)  # reported already: no follow-up errors
        self.raw[table.name] = frame
        self.good[table.name] = {}
        self.typed[table.name] = {}
        for c in keep:
            if nul:
                frame[c] = frame[c].str.replace(_NUL, "\x00", regex=False)
            if c in self.refused:
                self.good[table.name][c], self.typed[table.name][c] = False, None
                continue
            self.check_column(table, frame, table.column(c))

    def _header(self, f: str, table: Table, cells: list[str]) -> list[str]:
        """The header's names, a spreadsheet spelling of a column's name (``Ordered Units``,
        ``ordered-units``) read as the column, with a warning."""
        header = [h.strip() for h in cells]
        names = set(table.column_names)
        renamed = []
        for i, h in enumerate(header):
            canonical = minimal.alias(table.name, re.sub(r"[\s\-]+", "_", h.lower()))
            if h not in names and canonical in names and canonical not in header:
                renamed.append(f"{h!r} as {canonical}")
                header[i] = canonical
        if renamed:
            self.add(f, [1], None, f"column names read: {', '.join(renamed)}.", "warning")
        return header

    def _text(self, table: Table) -> str | None:
        """The file as text (UTF-8, else Windows-1252/Latin-1 with a warning), or None
        (and a problem) when it is empty."""
        path = self.folder / table.file
        f = table.file
        data = path.read_bytes()
        text, encoding = exports.decode(data)
        if encoding:
            self.add(
                f,
                [],
                None,
                f"is not UTF-8 text; read as {encoding}. Check accented names, or save the "
                "file as UTF-8 (in Excel: 'CSV UTF-8').",
                "warning",
            )
        if not text.strip():
            self.add(
                f,
                [],
                None,
                "is empty. It needs a header line with the columns "
                f"{', '.join(table.column_names)} and one row per {table.grain.removeprefix('one row per ')}.",
            )
            return None
        return text

    def _records(self, f: str, text: str) -> tuple[list[list[str]], list[int]] | None:
        """The CSV records and the line each starts on, or None (and a problem) when the
        text cannot be read as CSV."""
        self.sep = exports.sniff_separator(text.split("\n", 1)[0])
        try:
            return exports.csv_records(text, self.sep)
        except csv.Error as exc:
            self.add(
                f,
                [exc.line],
                None,
                f"cannot be read as CSV ({exc}); check the quotes on this line (a value with "
                "a comma or a line break needs double quotes around it, a quote inside one is "
                'written twice "") and save the file again as CSV.',
            )
            return None

    def _sheet_records(self, table: Table) -> tuple[list[list[str]], list[int]] | None:
        """The rows of the table's workbook sheet as text (:mod:`.workbook`) and the sheet
        row of each, or None (and a problem) when it cannot be read or is empty."""
        f = table.file
        self.sep = ","
        path, title = self.sources[table.name]
        try:
            sheet = workbook.read_sheet(path, title)
        except workbook.WorkbookError as exc:
            self.add(f, [], None, str(exc))
            return None
        if not sheet.rows:
            self.add(
                f,
                [],
                None,
                "is empty. It needs a header row with the columns "
                f"{', '.join(table.column_names)} and one row per {table.grain.removeprefix('one row per ')}.",
            )
            return None
        header = [h.strip() for h in sheet.rows[0]]
        by_column: dict[str, list[int]] = {}
        for row, i in sheet.uncomputed:
            name = header[i] if i < len(header) and header[i] else workbook.column_letter(i)
            by_column.setdefault(name, []).append(row)
        for name, rows in by_column.items():
            self.add(
                f,
                rows,
                name,
                "a formula saved without computed values; open and save it in Excel (or "
                "paste the values) so the workbook holds the numbers.",
            )
        self.uncomputed = set(by_column)
        return sheet.rows, sheet.numbers

    def _strip_spaces(self, f: str, frame: pd.DataFrame, keep: list[str]) -> None:
        """Remove the spaces around the values of ``frame`` (in place); warn where a
        value had some."""
        for c in keep:  # a value is its text without the spaces around it
            codes, uniques = pd.factorize(frame[c].to_numpy(dtype=object))
            plain = np.array([v.strip() for v in uniques], dtype=object)
            changed = plain != uniques
            if not changed.any():
                continue
            padded, stripped = changed[codes], plain[codes]
            shown = padded & (stripped != "")  # blank cells are missing values
            if shown.any():
                self.add(
                    f,
                    _lines_at(frame.index, shown),
                    c,
                    f"{frame[c].to_numpy()[shown][0]!r}: the spaces before or after the value "
                    "are ignored (it is read without them); remove them to be sure it is what "
                    "you mean.",
                    "warning",
                )
            frame[c] = stripped

    def _normalise(self, table: Table, frame: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
        """Spreadsheet spellings as canonical text (:mod:`.exports`): ``#N/A`` and the like
        as empty in typed columns, decimal commas in a ``;`` file, other month and date
        spellings; a total row at the bottom dropped."""
        f = table.file
        self.refused: set[str] = set()  # columns already refused as a whole
        typed = {c: table.column(c).dtype for c in keep}
        numeric = [c for c, d in typed.items() if d in ("int", "float", "money")]
        done: list[str] = (
            [] if self.sep == "," else [f"{'tab' if self.sep == chr(9) else ';'} between values"]
        )
        # the file's decimal mark: a comma when a number column of a ';' file has one
        commas = self.sep == ";" and any(
            frame[c].str.contains(",", regex=False).any() for c in numeric
        )
        grouped = r"[+-]?\d{1,3}(\.\d{3})+"
        for c, dtype in typed.items():
            if dtype in ("str", "category"):
                continue
            values = frame[c]
            if values.isin(exports.MISSING).any():
                values = values.where(~values.isin(exports.MISSING), "")
                done.append(f"{c}: '#N/A' and the like as empty")
            if c in numeric and commas:
                if values.str.fullmatch(grouped).any():
                    done.append(f"{c}: a value such as 1.234 read as 1234 (dot between thousands)")
                converted = exports._map(values, exports.comma_number)
                if not converted.equals(values):
                    done.append(f"{c}: decimal commas")
                values = converted
            elif c in numeric and self.sep == ";" and values.str.fullmatch(grouped).any():
                self.add(
                    f,
                    _lines_at(frame.index, values.str.fullmatch(grouped).to_numpy(bool)),
                    c,
                    "a value such as 1.350 is read as 1.35 (this file has no decimal comma, so "
                    "the dot is the decimal mark); if the dot separates thousands, remove it.",
                    "warning",
                )
            elif dtype in ("month", "date"):
                before = values
                values, problem = exports.normalise_periods(values, dtype == "month")
                if problem:
                    slashed = values.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}").to_numpy(bool)
                    self.add(f, _lines_at(frame.index, slashed), c, problem)
                    self.refused.add(c)
                changed = (before != values).to_numpy(bool)
                if changed.any():
                    i = int(changed.argmax())
                    done.append(f"{c}: {before.iloc[i]!r} read as {values.iloc[i]!r}")
            frame[c] = values
        if done:
            self.add(
                f, [], None, "read as a spreadsheet export: " + "; ".join(done) + ".", "warning"
            )
        if exports.total_row(frame, [k for k in table.key if k in frame.columns], numeric):
            self.add(f, [frame.index[-1]], None, "is a total row; dropped.", "warning")
            frame = frame.iloc[:-1]
        return frame

    # --------------------------------------------------------------- one column
    def check_column(self, table: Table, frame: pd.DataFrame, col) -> None:
        """Check one column with the shared definition of its type (:mod:`.parse`)."""
        typed, issues = parse_column(col, frame[col.name], in_key=col.name in table.key)
        for mask, message in issues:
            self.add(table.file, _lines_at(frame.index, mask), col.name, message)
        self.good[table.name][col.name] = typed is not None
        self.typed[table.name][col.name] = typed

    def table(self, name: str) -> pd.DataFrame:
        """The typed table as loaded (only for a table whose columns all parsed)."""
        frame = pd.DataFrame({c: self.typed[name][c] for c in SCHEMA[name].column_names})
        return frame.reset_index(drop=True)

    def cols_ok(self, table: str, *cols: str) -> bool:
        g = self.good.get(table, {})
        return all(g.get(c, False) for c in cols)

    # --------------------------------------------------------------- keys and joins
    def check_key(self, table: Table) -> None:
        if not self.cols_ok(table.name, *table.key):
            return
        frame = self.raw[table.name][list(table.key)]
        dup = frame.duplicated(keep=False)
        if dup.any():
            first = frame[dup].iloc[0].tolist()
            n_keys = len(frame[dup].drop_duplicates())
            others = f" and {n_keys - 1} other key(s)" if n_keys > 1 else ""
            key = ", ".join(table.key)
            self.add(
                table.file,
                _lines_at(frame.index, dup),
                key,
                f"duplicate key: ({key}) = ({', '.join(map(str, first))}){others} on more than "
                "one row; keep one row per key (add the rows up or remove the copies).",
            )

    def check_foreign_keys(self, table: Table) -> None:
        for cols, ref_name, ref_cols in table.foreign_keys:
            cols_l, ref_l = cols.split(","), ref_cols.split(",")
            if not self.cols_ok(table.name, *cols_l):
                continue
            ref = SCHEMA[ref_name]
            if ref_name not in self.raw:
                if ref_name in self.given or table.name in minimal.REQUIRED:
                    continue  # reported already, or the base tables before a later one
                self.add(
                    table.file,
                    [],
                    cols,
                    f"cannot be checked: {ref.file} is not in the folder.",
                    "warning",
                )
                continue
            if not self.cols_ok(ref_name, *ref_l):
                continue
            frame = self.raw[table.name][cols_l]
            present = frame.ne("").all(axis=1)
            if len(cols_l) == 1:
                found = frame[cols_l[0]].isin(self.raw[ref_name][ref_l[0]])
            else:
                known = pd.MultiIndex.from_frame(self.raw[ref_name][ref_l])
                found = pd.Series(pd.MultiIndex.from_frame(frame).isin(known), index=frame.index)
            bad = present & ~found
            if bad.any():
                example = ", ".join(frame[bad].iloc[0].tolist())
                n_unknown = len(frame[bad].drop_duplicates())
                hint = ""
                if len(ref_l) == 1:
                    near = hints.near(example, self.raw[ref_name][ref_l[0]])
                    hint = f" (did you mean {near!r}?)" if near is not None else ""
                self.add(
                    table.file,
                    _lines_at(frame.index, bad),
                    cols,
                    f"{example!r}{' and others' if n_unknown > 1 else ''} not found in "
                    f"{ref.file} (column {ref_cols}){hint}; add it there or correct the code.",
                )

    def check_vocabularies(self, table: Table) -> None:
        """The open category columns (a company's own families, work centres ...) use the
        values of the table that defines them (reported as a join is); anything goes when
        that table is not in the folder, or a foreign key already checks the column."""
        for col in table.columns:
            if not col.open or col.defined_by == (table.name, col.name):
                continue
            ref_name, ref_col = col.defined_by
            joined = any(
                r == ref_name and col.name in c.split(",") for c, r, _ in table.foreign_keys
            )
            if joined or ref_name not in self.raw or not self.cols_ok(table.name, col.name):
                continue
            if not self.cols_ok(ref_name, ref_col):
                continue  # the defining column has a problem, reported already
            values = self.raw[table.name][col.name]
            known = self.raw[ref_name][ref_col]
            bad = values.ne("") & ~values.isin(known)
            if not bad.any():
                continue
            example = values[bad].iloc[0]
            n_unknown = values[bad].nunique()
            near = hints.near(example, known)
            hint = f" (did you mean {near!r}?)" if near is not None else ""
            ref_file = SCHEMA[ref_name].file
            self.add(
                table.file,
                _lines_at(values.index, bad.to_numpy()),
                col.name,
                f"{example!r}{' and others' if n_unknown > 1 else ''} is not a {ref_col} of "
                f"{ref_file} (its list: {hints.listing(known)}){hint}; add {example!r} to "
                f"{ref_file} {ref_col}, or correct the spelling.",
            )


def _lines_at(index, mask) -> tuple[int, ...]:
    """Line numbers of the True rows of a mask over a frame whose index is the CSV line
    on which each row starts (header = line 1, as an editor counts)."""
    mask = np.asarray(mask, dtype=bool)  # a wide table's rows are several rows: each once
    return tuple(sorted({int(i) for i in np.asarray(index)[mask]}))


# --------------------------------------------------------------------------- rules
def _currencies(ck: _Checker) -> None:
    """A warning when the markets' amounts are in more than one currency."""
    t = ck.typed
    if "regions" in t and ck.cols_ok("regions", "currency"):
        currencies = sorted(t["regions"]["currency"].dropna().astype(str).unique())
        if len(currencies) > 1:
            ck.add(
                SCHEMA["regions"].file,
                [],
                "currency",
                f"amounts in {len(currencies)} currencies ({', '.join(currencies)}): the course "
                "adds amounts as they are; convert prices and revenue to one currency first.",
                "warning",
            )


def _rules(ck: _Checker) -> None:
    t = ck.typed
    tol = 0.011

    def rule(table, cols, bad, column, message, severity="error"):
        if table in t and ck.cols_ok(table, *cols):
            frame = ck.raw[table]
            mask = bad(t[table]).fillna(False).to_numpy(bool)
            if mask.any():
                ck.add(SCHEMA[table].file, _lines_at(frame.index, mask), column, message, severity)

    _currencies(ck)
    rule(
        "sales",
        ["shipped_units", "ordered_units"],
        lambda x: x["shipped_units"] > x["ordered_units"],
        "shipped_units",
        "more units shipped than ordered; shipped_units must be at most ordered_units.",
    )
    rule(
        "sales",
        ["shipped_units", "net_price", "revenue"],
        # net_price is an average rounded to the cent: revenue may differ from units x
        # price by up to half a cent per unit shipped (an ERP export's invoiced revenue)
        lambda x: (
            (x["revenue"] - x["shipped_units"] * x["net_price"]).abs()
            > tol + 0.005 * x["shipped_units"]
        ),
        "revenue",
        "revenue is not shipped_units x net_price (within the rounding of the average "
        "net_price to the cent, half a cent per unit); check the revenue, or give net_price "
        "as revenue / shipped_units.",
    )
    rule(
        "orders",
        ["shipped_units", "requested_units"],
        lambda x: x["shipped_units"] > x["requested_units"],
        "shipped_units",
        "more units shipped than requested; shipped_units must be at most requested_units.",
    )
    rule(
        "orders",
        ["order_date", "requested_date"],
        lambda x: x["requested_date"] < x["order_date"],
        "requested_date",
        "requested before the order was placed; check order_date and requested_date.",
    )
    rule(
        "orders",
        ["shipped_units", "shipped_date"],
        lambda x: (x["shipped_units"] > 0) & x["shipped_date"].isna(),
        "shipped_date",
        "units were shipped but shipped_date is empty; fill in the shipping date.",
    )
    rule(
        "products",
        ["material_cost", "labour_cost", "overhead_cost", "standard_cost"],
        lambda x: (
            (x["standard_cost"] - x["material_cost"] - x["labour_cost"] - x["overhead_cost"]).abs()
            > tol
        ),
        "standard_cost",
        "standard_cost is not material_cost + labour_cost + overhead_cost.",
    )
    rule(
        "products",
        ["launch_month", "end_of_life_month"],
        lambda x: pd.Series(
            [
                (e is not pd.NaT and e < launch)
                for launch, e in zip(x["launch_month"], x["end_of_life_month"], strict=True)
            ]
        ),
        "end_of_life_month",
        "end of life before launch; check the two months.",
    )
    for name in ("promotions",):
        rule(
            name,
            ["start_month", "end_month"],
            lambda x: x["end_month"] < x["start_month"],
            "end_month",
            "ends before it starts; end_month must be on or after start_month.",
        )
    rule(
        "forecast_snapshots",
        ["snapshot_month", "target_month", "lag"],
        lambda x: pd.Series(
            pd.PeriodIndex(x["target_month"]).asi8 - pd.PeriodIndex(x["snapshot_month"]).asi8
            != x["lag"].to_numpy(),
        ),
        "lag",
        "lag is not target_month - snapshot_month (in months).",
    )
    rule(
        "pipeline",
        ["status", "close_month"],
        lambda x: (x["status"] != "open") & x["close_month"].isna(),
        "close_month",
        "a closed (won or lost) opportunity needs its close_month.",
    )
    for name in ("financials", "budget"):
        rule(
            name,
            ["revenue", "cogs", "gross_margin"],
            lambda x: (x["gross_margin"] - (x["revenue"] - x["cogs"])).abs() > tol,
            "gross_margin",
            "gross_margin is not revenue - cogs.",
        )
    _bom_rules(ck)
    _cross_table(ck)


def _bom_rules(ck: _Checker) -> None:
    if "bom" not in ck.raw or not ck.cols_ok("bom", "parent", "component"):
        return
    frame = ck.raw["bom"]
    self_loop = frame["parent"] == frame["component"]
    if self_loop.any():
        ck.add(
            "bom.csv",
            _lines_at(frame.index, self_loop),
            "component",
            f"{frame['parent'][self_loop].iloc[0]!r} is its own component; remove the row.",
        )
    edges: dict[str, list[tuple[str, int]]] = {}
    for i, p, c in zip(frame.index, frame["parent"], frame["component"], strict=True):
        if p != c:
            edges.setdefault(p, []).append((c, i))
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    cycles = []

    def visit(node, path):
        state[node] = 1
        for child, row in edges.get(node, []):
            if state.get(child) == 1:
                start = [n for n, _ in path].index(child)
                nodes = [n for n, _ in path[start:]] + [child]
                rows = [r for _, r in path[start + 1 :]] + [row]
                cycles.append((nodes, rows))
            elif child not in state:
                visit(child, path + [(child, row)])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [(node, None)])
    for cyc in cycles[:5]:
        names = " -> ".join(cyc[0])
        rows = sorted(set(cyc[1]))
        ck.add(
            "bom.csv",
            _lines_at(np.asarray(rows), np.ones(len(rows), bool)),
            "parent, component",
            f"the bill of materials has a cycle ({names}): an item cannot contain itself; remove one of these links.",
        )


def _cross_table(ck: _Checker) -> None:
    t = ck.typed
    if (
        "financials" in t
        and "sales" in t
        and ck.cols_ok("financials", "month", "revenue")
        and ck.cols_ok("sales", "month", "revenue")
    ):
        s = (
            pd.DataFrame({"m": t["sales"]["month"], "r": t["sales"]["revenue"]})
            .groupby("m")["r"]
            .sum()
        )
        fin = pd.DataFrame({"m": t["financials"]["month"], "r": t["financials"]["revenue"]})
        diff = (fin["r"] - fin["m"].map(s).fillna(0)).abs() > 0.01 * 10
        if diff.any():
            ck.add(
                "financials.csv",
                _lines_at(ck.raw["financials"].index, diff.to_numpy()),
                "revenue",
                "revenue differs from the sum of sales.csv revenue of the month.",
                "warning",
            )


# --------------------------------------------------------------------------- entry point
def validate_data(folder) -> ValidationReport:
    """Check every table of a data folder against the schema; report all problems.

    Reads only: the files are never written, renamed or changed. Tables the folder does
    not supply are skipped, except the required ones (``products``, ``regions``,
    ``sales``). Problems name the file, the CSV line numbers (the header is line 1) and
    the column, and say how to fix them. A sales table exported wide, months as columns
    (``sku;market;Jan 2024;Feb 2024``), is read as rows of month and ordered_units
    (:func:`~sopcourse.datasets.exports.melt`), its cells reported at their month column;
    a weekly one (a ``week`` column) is summed into months, each week in the month of its
    Thursday (:func:`~sopcourse.datasets.exports.weekly`), its cells reported at their line.

    Parameters
    ----------
    folder : path
        A folder of CSV files named as in ``datasets/README.md`` (``sales.csv`` ...), or
        of workbooks: ``sales.xlsx``, or one workbook with sheets named after the tables.

    Returns
    -------
    ValidationReport
        ``ok`` (no errors), ``errors``, ``warnings``, ``problems``; ``str()`` gives a
        readable report.

    Examples
    --------
    >>> from sopcourse.datasets import data_dir
    >>> validate_data(data_dir()).ok
    True
    >>> report = validate_data("no/such/folder")
    >>> report.ok, str(report.errors[0]).startswith("no/such/folder")
    (False, True)
    """
    return read_folder(folder)[0]


def read_folder(folder) -> tuple[ValidationReport, dict[str, pd.DataFrame]]:
    """Check a data folder (as :func:`validate_data`) and type its tables: the report and,
    when it has no error, the tables as loaded (else an empty dict).

    The one reader of a data folder: :func:`~sopcourse.datasets.load_company` loads the
    tables this returns, so a folder that validates always loads and one that does not
    load never validates.

    Examples
    --------
    >>> from sopcourse.datasets import data_dir
    >>> report, tables = read_folder(data_dir())
    >>> report.ok, str(tables["sales"]["month"].dtype)
    (True, 'period[M]')
    """
    folder = Path(folder)
    report = ValidationReport(folder)
    if not folder.is_dir():
        report.problems.append(
            Problem(
                str(folder), (), None, "is not a folder: give the folder that holds the CSV files."
            )
        )
        return report, {}
    ck = _Checker(folder)
    given, readable = _find_tables(ck)
    for name in minimal.REQUIRED:
        if name not in given:
            ck.add(
                SCHEMA[name].file,
                [],
                None,
                f"is missing: every data folder needs {', '.join(t + '.csv' for t in minimal.REQUIRED)} "
                "(or workbook sheets of those names).",
            )
    known = {t.file for t in SCHEMA.values()}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in known:
            ck.add(
                path.name,
                [],
                None,
                "is not a table of the schema; ignored: "
                + hints.rename_hint(path.stem, list(SCHEMA), ".csv")
                + ".",
                "warning",
            )
    for table in SCHEMA.values():
        if table.name in readable:
            report.tables.append(table.name)
            ck.read(table)
    report.derived = minimal.complete(ck, ck.left_out)
    report.tables = [t for t in SCHEMA if t in report.tables or t in report.derived]
    for table in SCHEMA.values():
        if table.name in ck.raw:
            ck.check_key(table)
            ck.check_foreign_keys(table)
            ck.check_vocabularies(table)
    _rules(ck)
    report.problems = _relabel(ck.problems, ck.labels)
    if not report.ok:
        return report, {}
    return report, align_vocabularies({name: ck.table(name) for name in report.tables})


def _find_tables(ck: _Checker) -> tuple[set[str], set[str]]:
    """The tables the folder gives (as CSV files, per-table workbooks ``sales.xlsx`` or
    sheets of a workbook named after the tables) and those given once, which are read.
    Records the workbook ones in ``ck.sources``; reports a table given twice, a workbook
    that cannot be read and sheets that are not tables."""
    folder = ck.folder
    found: dict[str, list[tuple[str, Path | None, str | None]]] = {}
    for table in SCHEMA.values():
        if (folder / table.file).is_file():
            found.setdefault(table.name, []).append((table.file, None, None))
    for path in sorted(p for p in folder.iterdir() if workbook.is_workbook(p) and p.is_file()):
        try:
            titles = workbook.sheet_titles(path)
        except workbook.WorkbookError as exc:
            ck.add(path.name, [], None, str(exc))
            continue
        named = [t for t in titles if workbook.table_of_sheet(t) in SCHEMA]
        stem = workbook.table_of_sheet(path.stem)
        if not named and stem in SCHEMA:  # sales.xlsx: the first sheet is the table
            found.setdefault(stem, []).append((path.name, path, None))
            continue
        for title in titles:
            label = f"{path.name} [{title}]"
            if title in named:
                found.setdefault(workbook.table_of_sheet(title), []).append((label, path, title))
            else:
                ck.add(
                    label,
                    [],
                    None,
                    "is not a table of the schema (a sheet is read when it is named after a "
                    "table); ignored: " + hints.rename_hint(title, list(SCHEMA)) + ".",
                    "warning",
                )
    for name, given in found.items():
        if len(given) > 1:
            ck.add(
                given[0][0],
                [],
                None,
                f"the table {name} is given more than once: in {' and '.join(g[0] for g in given)}; "
                "keep one (delete or rename the others).",
            )
        elif given[0][1] is not None:
            ck.sources[name] = given[0][1], given[0][2]
            ck.labels[name] = given[0][0]
    ck.given = set(found)
    return ck.given, {name for name, given in found.items() if len(given) == 1}


def _relabel(problems: list[Problem], labels: dict[str, str]) -> list[Problem]:
    """Problems of tables read from a workbook name the workbook and sheet
    (``company.xlsx [sales]``) instead of ``sales.csv``, in the file and the message."""
    if not labels:
        return problems
    files = {SCHEMA[name].file: label for name, label in labels.items()}
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, files)) + r")(?!\w)")
    return [
        replace(
            p,
            file=files.get(p.file, p.file),
            message=pattern.sub(lambda m: files[m[1]], p.message),
        )
        for p in problems
    ]


def read_one_table(name: str, folder) -> pd.DataFrame:
    """Read and type one table of a folder (its CSV file, or its workbook or sheet) through
    the same checks of its columns as :func:`validate_data` (no keys, joins or cross-table
    rules).

    Raises
    ------
    ValueError
        Listing every problem of the file (line and column), if its columns do not parse.
    """
    folder = Path(folder)
    ck = _Checker(folder)
    if folder.is_dir() and name in _find_tables(ck)[1]:  # a workbook sheet, when it is one
        ck.read(SCHEMA[name])
    errors = _relabel([p for p in ck.problems if p.severity == "error"], ck.labels)
    if name not in ck.raw and not errors:
        errors.append(Problem(SCHEMA[name].file, (), None, "is missing (no file or sheet)."))
    if ck.left_out.get(name) and name in ck.raw:  # only a whole folder derives them
        errors.append(
            Problem(SCHEMA[name].file, (1,), ", ".join(ck.left_out[name]), "missing column(s).")
        )
    if errors:
        raise ValueError(
            f"{folder / SCHEMA[name].file} cannot be loaded: {len(errors)} problem(s):\n"
            + "\n".join(str(p) for p in errors)
        )
    return ck.table(name)
