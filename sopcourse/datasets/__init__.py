"""The Tallridge Cycles company case: load, generate, validate.

``sop.load_company()`` returns every table, typed; ``generate(seed)`` builds a variant;
``validate_data(folder)`` checks a user's own data folder. On the command line:
``sopcourse data validate DIR`` and ``sopcourse data generate --seed N --out DIR``.
"""

from __future__ import annotations

from .generate import STANDARD_SEED, generate
from .load import SEED_ENV, Company, data_dir, load_company, write_tables
from .schema import SCHEMA

__all__ = [
    "Company",
    "load_company",
    "generate",
    "write_tables",
    "data_dir",
    "SCHEMA",
    "SEED_ENV",
    "STANDARD_SEED",
]
