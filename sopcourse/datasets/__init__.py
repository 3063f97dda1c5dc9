"""The Tallridge Cycles company case: load, generate, validate.

``sop.load_company()`` returns every table, typed; ``generate_company(seed)`` builds the
tables of a variant; ``validate_data(folder)`` checks a folder of your own. On the command
line: ``sopcourse data validate DIR`` and ``sopcourse data generate --seed N --out DIR``.
The schema (tables, columns, keys, joins) is :data:`sopcourse.datasets.schema.SCHEMA`.

Modules, each importing only those before it: ``schema`` (the tables, and how a column is
typed), ``parse`` (what a cell may hold), ``validate`` (checks a folder), ``catalogue``,
``draws`` and the ``*_tables`` builders (used by ``generate``), ``load`` (the loader and
the CSV writer), ``commands`` (the command line, and the README writer).
"""

from __future__ import annotations

from .commands import register_cli
from .generate import STANDARD_SEED, generate
from .load import SEED_ENV, Company, data_dir, load_company, read_table, write_tables
from .schema import SCHEMA
from .validate import Problem, ValidationReport, validate_data

generate_company = generate

__all__ = ["Company", "load_company", "generate_company", "validate_data", "ValidationReport"]

# Also importable from here, not re-exported as ``sop.<name>``: register_cli (the CLI),
# generate, write_tables, read_table, data_dir, SCHEMA, SEED_ENV, STANDARD_SEED, Problem.
_MODULE_API = [
    register_cli,
    generate,
    write_tables,
    read_table,
    data_dir,
    SCHEMA,
    SEED_ENV,
    STANDARD_SEED,
    Problem,
]
