"""Input checks shared by the domain modules: one wording for the learner everywhere."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def require_columns(
    frame, columns: Sequence[str], label: str, *, allow_empty: bool = False
) -> None:
    """Raise a ``ValueError`` that says how to fix ``frame`` unless it is a DataFrame
    with every column in ``columns`` (and, unless ``allow_empty``, at least one row).

    >>> require_columns(pd.DataFrame({"sku": ["A"]}), ["sku"], "sales")
    >>> require_columns(pd.DataFrame({"sku": ["A"]}), ["sku", "units"], "sales")
    Traceback (most recent call last):
    ...
    ValueError: sales is missing column(s) ['units']; it has ['sku']. Rename your columns or pass the right column names.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"{label} must be a pandas DataFrame with columns {list(columns)}; "
            f"got {type(frame).__name__}."
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{label} is missing column(s) {missing}; it has {list(frame.columns)}. "
            "Rename your columns or pass the right column names."
        )
    if frame.empty and not allow_empty:
        raise ValueError(f"{label} is empty: pass at least one row.")
