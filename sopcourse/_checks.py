"""Input checks shared by the domain modules: one wording for the learner everywhere."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
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


def reject_infinite(values, label: str) -> None:
    """Raise a ``ValueError`` when ``values`` (a number or array-like of numbers, NaN
    allowed: the callers check it with their own wording) holds an infinite value.

    An infinity in the input is nearly always a division by zero upstream, and it turns
    every total, ratio and plan after it into ``inf`` or NaN without a word.

    >>> reject_infinite([1.0, 2.0], "demand")
    >>> reject_infinite([1.0, float("inf")], "demand")
    Traceback (most recent call last):
    ...
    ValueError: demand has 1 infinite value(s) (a division by zero upstream?): fix or drop them.
    """
    arr = np.asarray(values, dtype=float)
    count = int(np.isinf(arr).sum())
    if count:
        raise ValueError(
            f"{label} has {count} infinite value(s) (a division by zero upstream?): "
            "fix or drop them."
        )
