"""``sopcourse data validate DIR``, ``sopcourse data generate --seed N --out DIR`` and
``sopcourse data template DIR``; and
the maintainer's command that rewrites the generated parts of ``datasets/README.md``
(``python -m sopcourse.datasets.commands``, after a change to the schema).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .schema import data_dictionary_markdown, join_diagram_mermaid


def _validate(args) -> int:
    from .validate import validate_data

    report = validate_data(args.folder)
    print(report)
    if report.ok:
        print("OK: the data can be loaded with sop.load_company(data_dir=...).")
        return 0
    print(f"\n{len(report.errors)} problem(s) to fix; nothing was changed.", file=sys.stderr)
    return 1


def _generate(args) -> int:
    from .generate import generate
    from .load import write_tables
    from .schema import SCHEMA

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"sopcourse data generate: {out} is a file, not a folder.", file=sys.stderr)
        return 1
    if out.is_dir() and any(out.iterdir()) and not args.force:
        print(
            f"sopcourse data generate: {out} is not empty; choose a new folder, or add --force "
            "to overwrite the table files in it (other files are left alone).",
            file=sys.stderr,
        )
        return 1
    try:
        tables = generate(args.seed, scale=args.scale)
    except ValueError as exc:
        print(f"sopcourse data generate: {exc}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    # Write into a temporary folder beside the target, then move each file in place, so an
    # interrupted run never leaves a half-written table.
    with tempfile.TemporaryDirectory(dir=out, prefix=".sopcourse-") as tmp:
        for path in write_tables(tables, tmp):
            os.replace(path, out / path.name)
    rows = sum(len(df) for df in tables.values())
    scaled = f", {args.scale}x catalogue" if args.scale != 1 else ""
    print(
        f"wrote {len(SCHEMA)} tables ({rows:,} rows) of variant seed={args.seed}{scaled} to {out}"
    )
    return 0


def _template(args) -> int:
    from .schema import SCHEMA
    from .template import TemplateError, _has_rows, write_template

    try:
        paths = write_template(args.folder, tables=args.table, force=args.force)
    except TemplateError as exc:
        print(f"sopcourse data template: {exc}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    tables = [p.name for p in paths if p.suffix == ".csv"]
    print(f"wrote {len(tables)} empty table(s) and {paths[-1].name} to {args.folder}:")
    print("  " + " ".join(tables))
    kept = sorted(
        p.name
        for p in Path(args.folder).glob("*.csv")
        if p.name not in tables and p.stem in SCHEMA and _has_rows(p)
    )
    if kept:
        print(f"kept as they are (they have rows): {' '.join(kept)}")
    print(
        f"Next: read {paths[-1]}, fill the tables you have, delete the files of the others "
        f"(an empty table is an error), then `sopcourse data validate {args.folder}`."
    )
    return 0


def register_cli(subparsers) -> None:
    """Add ``sopcourse data validate``, ``generate`` and ``template``."""
    p = subparsers.add_parser("data", help="check your own data folder or write a data variant")
    sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    v = sub.add_parser(
        "validate",
        help="check a folder of CSV or Excel tables against the schema (changes nothing)",
    )
    v.add_argument(
        "folder", help="folder with products.csv, regions.csv, sales.csv, ... or workbooks (.xlsx)"
    )
    v.set_defaults(func=_validate)
    g = sub.add_parser("generate", help="write the tables of a data variant as CSV")
    g.add_argument("--seed", type=int, required=True, help="the variant (0 = the standard data)")
    g.add_argument("--out", required=True, help="output folder (new or empty)")
    g.add_argument(
        "--scale",
        type=int,
        default=1,
        help="variants of every SKU (1 = Tallridge as it is; 10, 100: the company at scale)",
    )
    g.add_argument(
        "--force", action="store_true", help="overwrite the table files of a non-empty folder"
    )
    g.set_defaults(func=_generate)
    t = sub.add_parser(
        "template", help="write empty CSV tables (headers only) and a README of what each unlocks"
    )
    t.add_argument("folder", help="output folder (new or empty)")
    t.add_argument(
        "--table",
        action="append",
        metavar="NAME",
        help="only this table (repeat for several; default: every table)",
    )
    t.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty folder: the missing and header-only tables and the "
        "README (table files with rows are kept as they are)",
    )
    t.set_defaults(func=_template)


# --------------------------------------------------------------------------- README
_BLOCKS = {
    "DATA DICTIONARY": data_dictionary_markdown,
    "JOIN DIAGRAM": join_diagram_mermaid,
}


def update_readme(path) -> bool:
    r"""Rewrite the generated blocks of ``datasets/README.md`` (between the ``<!-- BEGIN
    NAME ... -->`` and ``<!-- END NAME -->`` markers) from the schema; return True if the
    file changed.

    Run ``python -m sopcourse.datasets.commands`` after changing the schema.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     readme = pathlib.Path(d) / "README.md"
    ...     _ = readme.write_text("<!-- BEGIN DATA DICTIONARY -->\nold\n<!-- END DATA DICTIONARY -->\n"
    ...                           "<!-- BEGIN JOIN DIAGRAM -->\n<!-- END JOIN DIAGRAM -->\n")
    ...     update_readme(readme), "### sales" in readme.read_text()
    (True, True)
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new = text
    for name, func in _BLOCKS.items():
        start = new.index("-->\n", new.index(f"<!-- BEGIN {name}")) + 4
        end = new.index(f"<!-- END {name} -->")
        new = new[:start] + func() + new[end:]
    if new != text:
        path.write_text(new, encoding="utf-8", newline="\n")
    return new != text


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    from .load import data_dir

    print("updated" if update_readme(data_dir() / "README.md") else "up to date")
