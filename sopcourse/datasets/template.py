"""``sopcourse data template DIR``: empty CSV tables to fill, and a README of each.

:func:`write_template` writes one CSV per table of :data:`~sopcourse.datasets.schema.SCHEMA`
with exactly the header ``sopcourse data validate`` expects (the schema's column order)
and no rows, and a ``README.md`` that says, per table, its grain, its columns (type,
unit, required or may be empty, meaning: all from the schema), whether the folder needs
it, which steps of ``sopcourse cycle`` and of the analytics read it (what it unlocks)
and one example row from the committed Tallridge Cycles files.

What the steps read is :data:`CYCLE_READS` (the cycle, from ``sopcourse/cycle.py``) and
:data:`ANALYTICS_TABLES` (the same as :data:`sopcourse.case.STEP_TABLES`); the data
layer imports nothing of the case layer, so ``tests/test_data_template.py`` checks both
against the code they describe.

Nothing the user owns is replaced: a non-empty folder is refused unless ``force``; even
then a table file that has rows, or a ``README.md`` this module did not write, is never
replaced. Files are written to a temporary file and moved in place (``os.replace``).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from . import minimal
from .schema import REQUIRED_TABLES, SCHEMA, Column, Table, _open_wording

__all__ = ["TemplateError", "write_template", "template_readme", "CYCLE_READS", "ANALYTICS_TABLES"]

README = "README.md"
_MARK = "<!-- written by `sopcourse data template`; rewritten by it with --force -->"

#: What each step of ``sopcourse cycle`` (``sopcourse.cycle.CYCLE_STEPS``) reads, and
#: what for: ``(step, table, use)``, read from ``sopcourse/cycle.py``.
CYCLE_READS: tuple[tuple[str, str, str], ...] = (
    ("data gathering", "products", "needed: the cycle stops without it"),
    (
        "data gathering",
        "regions",
        "the markets' names, currency and discounts; without it the markets are the region "
        "codes of sales, with no currency",
    ),
    ("data gathering", "sales", "needed; its last month + 1 is the default planning month"),
    ("demand review", "sales", "ordered_units: the statistical forecast of every SKU-market"),
    ("demand review", "products", "families; end_of_life_month (forecast 0 after it)"),
    (
        "demand review",
        "sales_plan",
        "version sop, the commercial plan: the consensus's second input (without it the "
        "consensus is the statistical forecast)",
    ),
    (
        "demand review",
        "forecast_snapshots",
        "the consensus weights (inverse MAE of statistical and consensus); without it "
        "equal weights",
    ),
    *(
        (
            "supply review",
            t,
            "the supply plan (balancing LP); skipped unless all of products, routings, "
            "work_centres, sales_plan, lanes, inventory, planning_costs, bom and items are there",
        )
        for t in (
            "products",
            "routings",
            "work_centres",
            "sales_plan",
            "lanes",
            "inventory",
            "planning_costs",
            "bom",
            "items",
        )
    ),
    ("supply review", "scheduled_receipts", "open orders added to component supply"),
    ("financial reconciliation", "products", "standard_cost: cost of goods and margin"),
    ("financial reconciliation", "sales", "actual revenue to date in the planning year"),
    ("financial reconciliation", "budget", "budget revenue and margin of the plan's months"),
    ("financial reconciliation", "targets", "the gap to the revenue goal; without it no gap"),
    ("financial reconciliation", "pipeline", "the weighted pipeline in the gap to goal"),
    *(
        (
            "executive review",
            t,
            "the KPI review of the last complete year; skipped unless all of products, "
            "orders, sales, financials, sales_plan, forecast_snapshots and inventory are there",
        )
        for t in (
            "products",
            "orders",
            "sales",
            "financials",
            "sales_plan",
            "forecast_snapshots",
            "inventory",
        )
    ),
    ("executive review", "regions", "currency of the amounts"),
)

#: The tables each analytics step of :mod:`sopcourse.case` needs (``STEP_TABLES``).
ANALYTICS_TABLES: dict[str, tuple[str, ...]] = {
    "product mix": ("products", "routings", "work_centres", "sales_plan"),
    "balancing plan": (
        "products",
        "routings",
        "work_centres",
        "sales_plan",
        "lanes",
        "inventory",
        "planning_costs",
        "bom",
        "items",
    ),
    "management review": (
        "products",
        "orders",
        "sales",
        "financials",
        "sales_plan",
        "forecast_snapshots",
        "inventory",
    ),
}

# How a value of each schema type is written in the file (as sopcourse.datasets.parse reads it).
_FORMAT = {
    "str": "text",
    "category": "one of the listed values",
    "int": "whole number",
    "float": "decimal number, e.g. 0.15 (kept to 4 decimals)",
    "money": "amount, e.g. 1032.04 (kept to 2 decimals)",
    "month": "YYYY-MM",
    "date": "YYYY-MM-DD",
    "bool": "0 or 1",
}


class TemplateError(ValueError):
    """The template was not written: the folder holds something it would replace."""


def _has_rows(path: Path) -> bool:
    """True when a file has a non-blank line after its first (a table with data)."""
    lines = path.read_bytes().splitlines()
    return any(line.strip(b" \t\r,;") for line in lines[1:])


def _example_row(table: Table, folder: Path | None) -> list[str] | None:
    """The header and first row of the committed file, as text, or None."""
    if folder is None or not (folder / table.file).is_file():
        return None
    with open(folder / table.file, encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        first = next(rows, None)
    if header is None or first is None:
        return None
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, first])
    return text.getvalue().splitlines()


def _column_row(c: Column, table: str) -> str:
    fmt = _FORMAT[c.dtype]
    if c.open:
        fmt = _open_wording(table, c)
    elif c.categories:
        fmt = "one of " + ", ".join(f"`{v}`" for v in c.categories)
    bounds = []
    if c.min is not None:
        bounds.append(f">= {c.min:g}")
    if c.max is not None:
        bounds.append(f"<= {c.max:g}")
    if bounds:
        fmt += " (" + ", ".join(bounds) + ")"
    need = "may be empty" if c.nullable else "required"
    rule = minimal.RULES.get(table, {}).get(c.name)
    if rule:
        need = f"may be left out (then: {rule})"
    names = [a for a, col in minimal.ALIASES.get(table, {}).items() if col == c.name]
    if names:
        need += f"; also read as `{names[0]}`"
    unit = c.unit.replace("EUR", "money")  # your currency (Tallridge's is EUR)
    return f"| `{c.name}` | {c.dtype}: {fmt} | {unit} | {need} | {c.description} |"


def _reads(name: str) -> list[str]:
    out = []
    for step in dict.fromkeys(s for s, _, _ in CYCLE_READS):
        uses = [u for s, t, u in CYCLE_READS if s == step and t == name]
        if uses:
            out.append(f"- `sopcourse cycle`, {step}: " + "; ".join(uses) + ".")
    steps = [s for s, ts in ANALYTICS_TABLES.items() if name in ts]
    if steps:
        out.append(
            "- analytics (`sopcourse.case`): " + ", ".join(steps) + " (each needs all its tables)."
        )
    if not out:
        out.append(
            "- not read by `sopcourse cycle` or the `sopcourse.case` steps today; the "
            "course's lessons and homework use it."
        )
    return out


def _table_section(table: Table, examples: Path | None) -> list[str]:
    if table.name in REQUIRED_TABLES:
        need = "**required**: `sopcourse data validate` refuses a folder without it."
    else:
        need = "optional: delete the file if you have no such data (an empty table is an error)."
    out = [f"## {table.name}", "", f"`{table.file}`: {table.description}", ""]
    out += [f"- Grain: {table.grain}.", f"- Key: `{', '.join(table.key)}` (one row per key)."]
    if table.foreign_keys:
        joins = "; ".join(f"`{c}` -> `{rt}.{rc}`" for c, rt, rc in table.foreign_keys)
        out.append(f"- Joins: {joins} (checked when that file is in the folder).")
    out += [f"- Needed: {need}", "", "What reads it (what it unlocks):", ""]
    out += _reads(table.name)
    out += ["", "| column | type: format | unit | required | meaning |", "|---|---|---|---|---|"]
    out += [_column_row(c, table.name) for c in table.columns]
    rows = _example_row(table, examples)
    if rows:
        out += ["", "Example row (Tallridge Cycles, `datasets/" + table.file + "`):", ""]
        out += ["```csv", *rows, "```"]
    return out + [""]


def template_readme(tables=None, examples: str | os.PathLike | None = None) -> str:
    """The README of a template folder, as Markdown.

    Parameters
    ----------
    tables : list of str, optional
        The tables described (default: every table of the schema).
    examples : path, optional
        A data folder whose first row of each file is shown as the example (default:
        the committed Tallridge Cycles files; none shown if they are not installed).

    Examples
    --------
    >>> text = template_readme(["plants"])
    >>> "## plants" in text and "| `plant` | str: text | - | required | Plant code |" in text
    True
    """
    names = _check_names(tables)
    folder = Path(examples) if examples is not None else _committed()
    required = ", ".join(f"`{SCHEMA[t].file}`" for t in REQUIRED_TABLES)
    out = [
        _MARK,
        "",
        "# Your data, in the tables of `sopcourse`",
        "",
        "Each CSV file here is one table with its header and no rows. Fill in the tables "
        "you have (one row per grain, values as the columns below say; UTF-8, comma "
        f"separated), **delete the files of the others**, keep {required} (required), "
        "then check the folder:",
        "",
        "```",
        "sopcourse data validate DIR",
        "sopcourse cycle DIR --out review.html",
        "```",
        "",
        "A column marked *required* must be in its file; a column marked *may be left "
        "out* is derived when the file does not have it (the warning of `data validate` "
        "says how), and one marked *may be empty* may have empty cells. The smallest "
        "folder is `products.csv` with `sku, family, price, unit_cost` and `sales.csv` "
        "with `month, sku, market, units` (and `revenue` if you have it). With only the "
        "required tables, `sopcourse cycle` runs the statistical forecast, the consensus "
        "(= the statistical forecast), an unconstrained supply plan and the financial plan "
        "of that demand, and says on the review pack's first page which steps ran on "
        "which tables and which table to add to unlock each.",
        "",
        "| table | needed | read by `sopcourse cycle` (step) | analytics (`sopcourse.case`) |",
        "|---|---|---|---|",
    ]
    for name in SCHEMA:
        steps = ", ".join(dict.fromkeys(s for s, t, _ in CYCLE_READS if t == name)) or "-"
        ana = ", ".join(s for s, ts in ANALYTICS_TABLES.items() if name in ts) or "-"
        need = "required" if name in REQUIRED_TABLES else "optional"
        here = "" if name in names else " (not in this folder)"
        out.append(f"| [{name}](#{name}){here} | {need} | {steps} | {ana} |")
    out.append("")
    for name in names:
        out += _table_section(SCHEMA[name], folder)
    return "\n".join(out)


def _committed() -> Path | None:
    from .load import package_data_dir

    try:
        return package_data_dir()
    except FileNotFoundError:
        return None


def _check_names(tables) -> list[str]:
    if tables is None:
        return list(SCHEMA)
    names = [tables] if isinstance(tables, str) else list(tables)
    unknown = [n for n in names if n not in SCHEMA]
    if unknown:
        raise TemplateError(
            f"unknown table(s) {', '.join(unknown)}; the tables are {', '.join(SCHEMA)}."
        )
    return [n for n in SCHEMA if n in names]  # schema order, no repeats


def _refusals(folder: Path, names: list[str], force: bool) -> list[str]:
    """What stops the template from being written into ``folder`` (empty: nothing)."""
    if folder.exists() and not folder.is_dir():
        return [f"{folder} is a file, not a folder."]
    if not folder.is_dir() or not any(folder.iterdir()):
        return []
    if not force:
        return [
            f"{folder} is not empty; choose a new folder, or add --force to write the "
            "template files into it (other files are left alone; table files with rows are "
            "never replaced)."
        ]
    out = []
    for name in names:
        path = folder / SCHEMA[name].file
        if path.exists() and not path.is_file():
            out.append(f"{path} is not a file.")
    readme = folder / README
    if readme.exists():
        mine = readme.is_file() and readme.read_bytes().startswith(_MARK.encode())
        if not mine:
            out.append(f"{readme} was not written by `sopcourse data template`: not replaced.")
    return out


def write_template(folder, *, tables=None, force: bool = False) -> list[Path]:
    """Write empty CSV tables (header only, schema column order) and a ``README.md``.

    Parameters
    ----------
    folder : path
        New or empty folder (created if missing).
    tables : list of str, optional
        Only these tables (default: every table of the schema).
    force : bool
        Write into a non-empty folder: the tables not there yet, the header-only ones
        and the README are written; a table file with rows is your data and is kept as it
        is (left out of the files written), and a README.md not written by this function
        is never replaced (:class:`TemplateError`).

    Returns
    -------
    list of Path
        The files written: the CSVs in schema order, then ``README.md``.

    Raises
    ------
    TemplateError
        Unknown table names, or a folder it would have to replace something in; nothing
        is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_template(d, tables=["plants", "sales"])
    ...     [p.name for p in paths], (pathlib.Path(d) / "plants.csv").read_text()
    (['sales.csv', 'plants.csv', 'README.md'], 'plant,name,country\\n')
    """
    folder = Path(folder)
    names = _check_names(tables)
    problems = _refusals(folder, names, force)
    if problems:
        raise TemplateError("\n".join(problems))
    files = {
        SCHEMA[n].file: ",".join(SCHEMA[n].column_names) + "\n"
        for n in names
        if not ((folder / SCHEMA[n].file).is_file() and _has_rows(folder / SCHEMA[n].file))
    }
    files[README] = template_readme(names)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    # Each file goes to a temporary file beside it and is moved in place: an interrupted
    # run never leaves a half-written file.
    with tempfile.TemporaryDirectory(dir=folder, prefix=".sopcourse-") as tmp:
        for file, text in files.items():
            part = Path(tmp) / file
            part.write_text(text, encoding="utf-8", newline="\n")
            os.replace(part, folder / file)
            written.append(folder / file)
    return written
