"""Answers as plain data: what crosses from the student's process to the grading process.

The job serialises each declared answer variable with :func:`to_plain` (numbers, strings,
lists, dicts, tables) into JSON on its pipe; the grading process rebuilds it with
:func:`from_plain`, which accepts only dicts, lists, strings, numbers, booleans and None.
Nothing from the job is ever unpickled or evaluated.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MAX_ELEMENTS = 200_000


class _Budget:
    def __init__(self, n):
        self.n = n

    def take(self, k=1):
        self.n -= k
        if self.n < 0:
            raise ValueError(f"the answer is too large (more than {MAX_ELEMENTS} values)")


def _scalar(v):
    if v is None or isinstance(v, bool | np.bool_):
        return None if v is None else bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else str(f)
    if isinstance(v, str):
        if len(v) > 100_000:
            raise ValueError("the answer text is longer than 100000 characters")
        return str.__str__(v)
    if isinstance(v, pd.Timestamp | pd.Period):
        return str(v)
    raise TypeError


def to_plain(value, budget=None):
    """Serialise an answer to JSON-safe data; raise TypeError/ValueError if it cannot be.

    Examples
    --------
    >>> to_plain(np.float64(2.5)), to_plain((1, "a"))
    (2.5, [1, 'a'])
    >>> to_plain(pd.DataFrame({"a": [1]}, index=["x"]))
    {'__table__': {'columns': ['a'], 'index': ['x'], 'data': [[1]]}}
    """
    budget = budget or _Budget(MAX_ELEMENTS)
    budget.take()
    try:
        return _scalar(value)
    except TypeError:
        pass
    if isinstance(value, pd.DataFrame):
        budget.take(value.size + len(value.index))
        return {
            "__table__": {
                "columns": [to_plain(c, budget) for c in value.columns],
                "index": [to_plain(c, budget) for c in value.index],
                "data": [[to_plain(x, budget) for x in row] for row in value.itertuples(False)],
            }
        }
    if isinstance(value, pd.Series):
        budget.take(2 * len(value))
        return {
            "__series__": {
                "name": to_plain(value.name, budget) if value.name is not None else None,
                "index": [to_plain(c, budget) for c in value.index],
                "data": [to_plain(x, budget) for x in value.tolist()],
            }
        }
    if isinstance(value, np.ndarray):
        budget.take(value.size)
        return [to_plain(x, budget) for x in value.tolist()]
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_plain(x, budget) for x in items]
    if isinstance(value, dict):
        return {str(to_plain(k, budget)): to_plain(v, budget) for k, v in value.items()}
    raise TypeError(
        f"an answer of type {type(value).__name__} cannot be graded: use a number, text, "
        "list, dict, Series or DataFrame"
    )


def from_plain(data, depth=0):
    """Rebuild a value (DataFrame / Series for tables) from :func:`to_plain` output.

    Only dicts, lists, strings, numbers, booleans and None are accepted.
    """
    if depth > 50:
        raise ValueError("answer nested too deeply")
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [from_plain(x, depth + 1) for x in data]
    if isinstance(data, dict):
        if set(data) == {"__table__"} and isinstance(data["__table__"], dict):
            t = data["__table__"]
            cols, index, rows = t.get("columns"), t.get("index"), t.get("data")
            if not all(isinstance(x, list) for x in (cols, index, rows)):
                raise ValueError("malformed table")
            return pd.DataFrame(
                [list(r) if isinstance(r, list) else [r] for r in rows],
                columns=[_hashable(from_plain(c, depth + 1)) for c in cols],
                index=[_hashable(from_plain(i, depth + 1)) for i in index],
            )
        if set(data) == {"__series__"} and isinstance(data["__series__"], dict):
            s = data["__series__"]
            if not isinstance(s.get("index"), list) or not isinstance(s.get("data"), list):
                raise ValueError("malformed series")
            name = s.get("name")
            return pd.Series(
                [from_plain(x, depth + 1) for x in s["data"]],
                index=[_hashable(from_plain(i, depth + 1)) for i in s["index"]],
                name=name if isinstance(name, str | int | float) else None,
            )
        return {str(k): from_plain(v, depth + 1) for k, v in data.items()}
    raise ValueError(f"unexpected {type(data).__name__} in an answer")


def _hashable(x):
    return tuple(x) if isinstance(x, list) else x
