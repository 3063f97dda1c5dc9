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


# --------------------------------------------------------------------------- numbers
# One wording everywhere: what is wrong, the value received, how to fix it.
# Argument order is always (value, name).


def _finish(message: str, hint: str) -> str:
    return f"{message} {hint}".rstrip() if hint else message


def _is_text(value) -> bool:
    return isinstance(value, str | bytes)


def _shown(value) -> str:
    """``repr`` of a value as the learner typed it: ``3``, not ``np.int64(3)``."""
    return repr(value.item()) if isinstance(value, np.generic) else repr(value)


def _bound_text(name: str, low, high, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        left = "<" if low_open else "<="
        right = "<" if high_open else "<="
        return f"between {low} and {high} ({low} {left} {name} {right} {high})"
    if low is not None:
        if low == 0:
            return "greater than zero" if low_open else "zero or more"
        return f"greater than {low}" if low_open else f"at least {low}"
    if high_open:
        return f"less than {high}"
    return f"at most {high}"


def check_number(
    value,
    name: str,
    *,
    low=None,
    high=None,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """``value`` as a float, or a ``ValueError`` that says what is wrong with it.

    Refuses what is not a number (text, ``None``, ``True``), NaN, infinities and values
    outside ``[low, high]`` (``low_open`` / ``high_open`` make that end strict). ``hint``
    is added to every message: say there how to fix it (units, typical values).

    >>> check_number(3, "lead_time", low=0)
    3.0
    >>> check_number(-1, "lead_time", low=0)
    Traceback (most recent call last):
    ...
    ValueError: lead_time must be zero or more; got -1.0.
    >>> check_number(0, "alpha", low=0, high=1, low_open=True, hint="Typical values: 0.1-0.3.")
    Traceback (most recent call last):
    ...
    ValueError: alpha must be between 0 and 1 (0 < alpha <= 1); got 0.0. Typical values: 0.1-0.3.
    >>> check_number("12", "price")
    Traceback (most recent call last):
    ...
    ValueError: price must be a number; got '12' (str). Convert it with float() or pd.to_numeric.
    >>> check_number(float("inf"), "price")
    Traceback (most recent call last):
    ...
    ValueError: price must be a finite number; got inf (infinite: a division by zero upstream?).
    """
    if _is_text(value) or isinstance(value, bool | np.bool_) or value is None:
        x = None
    else:
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = None
    if x is None:
        raise ValueError(
            _finish(
                f"{name} must be a number; got {_shown(value)} ({type(value).__name__}). "
                "Convert it with float() or pd.to_numeric.",
                hint,
            )
        )
    if np.isnan(x):
        raise ValueError(
            _finish(f"{name} must be a finite number; got nan (a missing value: fill it).", hint)
        )
    if np.isinf(x):
        raise ValueError(
            _finish(
                f"{name} must be a finite number; got {x} (infinite: a division by zero upstream?).",
                hint,
            )
        )
    too_low = low is not None and (x <= low if low_open else x < low)
    too_high = high is not None and (x >= high if high_open else x > high)
    if too_low or too_high:
        need = _bound_text(name, low, high, low_open, high_open)
        raise ValueError(_finish(f"{name} must be {need}; got {x!r}.", hint))
    return x


def check_whole_number(value, name: str, *, low: int = 1, hint: str = "") -> int:
    """``value`` as an int, or a ``ValueError``: refuses ``True``/``False``, floats (even
    ``3.0``: a count of periods or units written as a float is usually a slip) and values
    below ``low``.

    >>> check_whole_number(12, "season_length")
    12
    >>> check_whole_number(2.0, "horizon", hint="Forecast at least one period ahead.")
    Traceback (most recent call last):
    ...
    ValueError: horizon must be a whole number (an integer) >= 1; got 2.0. Forecast at least one period ahead.
    >>> check_whole_number(-1, "lead_time", low=0)
    Traceback (most recent call last):
    ...
    ValueError: lead_time must be a whole number (an integer) >= 0; got -1.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(
            _finish(
                f"{name} must be a whole number (an integer) >= {low}; got {_shown(value)}.", hint
            )
        )
    return int(value)


def check_fraction(value, name: str, *, low: float = -1.0, hint: str = "") -> float:
    """A relative change as a float (0.1 = +10 %, -0.2 = -20 %), at least ``low``
    (-1, that is -100 %, unless told otherwise).

    >>> check_fraction(0.1, "demand_change")
    0.1
    >>> check_fraction(-1.5, "demand_change")
    Traceback (most recent call last):
    ...
    ValueError: demand_change must be at least -1.0; got -1.5. It is a fraction: 0.1 = +10 %, -0.2 = -20 %.
    """
    words = "It is a fraction: 0.1 = +10 %, -0.2 = -20 %."
    return check_number(value, name, low=low, hint=_finish(words, hint))


def _where_first(values, mask: np.ndarray) -> str:
    """Where the first flagged value sits: its index label for a Series, else its position."""
    first = int(np.flatnonzero(mask)[0])
    if isinstance(values, pd.Series):
        return f"first at index {values.index[first]!r}"
    return f"first at position {first}"


def _first_non_number(values):
    """The first item of ``values`` that is not a number (text counts as not a number)."""
    for item in np.asarray(values, dtype=object).ravel():
        if _is_text(item):
            return item
        try:
            float(item)
        except (TypeError, ValueError):
            return item
    return None


def _as_float_array(values, name: str, hint: str) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index | pd.DataFrame):
        numeric = all(
            pd.api.types.is_numeric_dtype(d)
            for d in (values.dtypes if isinstance(values, pd.DataFrame) else [values.dtype])
        )
    else:
        numeric = np.asarray(values).dtype.kind in "biuf"
    bad = None if numeric else _first_non_number(values)
    if bad is None:
        try:
            return np.asarray(values, dtype=float).ravel()
        except (TypeError, ValueError):
            bad = _first_non_number(values)
    raise ValueError(
        _finish(
            f"{name} must be numbers; got {_shown(bad)} ({type(bad).__name__}). "
            "Convert it with pd.to_numeric first.",
            hint,
        )
    )


def check_numbers(
    values, name: str, *, low=None, allow_empty: bool = False, hint: str = ""
) -> np.ndarray:
    """``values`` as a 1-D float array, or a ``ValueError`` that says what is wrong.

    Refuses what is not numbers (text included), an empty input (unless
    ``allow_empty``), NaN (with the count and the ``.fillna(0)`` hint), infinities and
    values below ``low`` (``low=0``: no negative quantities). Where a value is wrong, the
    message names the first one: its index label for a Series, else its position.

    >>> check_numbers([3, 0, 5], "demand", low=0)
    array([3., 0., 5.])
    >>> check_numbers(pd.Series([3.0, None, None], index=["jan", "feb", "mar"]), "demand")
    Traceback (most recent call last):
    ...
    ValueError: demand has NaN in 2 of 3 value(s) (first at index 'feb'): fill the gaps (e.g. .fillna(0) for periods without demand) or drop them.
    >>> check_numbers([3, -2], "demand", low=0)
    Traceback (most recent call last):
    ...
    ValueError: demand has 1 negative value(s) (first at position 1: -2.0); they must be zero or more (record returns separately).
    >>> check_numbers([1, "n/a"], "demand")
    Traceback (most recent call last):
    ...
    ValueError: demand must be numbers; got 'n/a' (str). Convert it with pd.to_numeric first.
    >>> check_numbers([], "demand")
    Traceback (most recent call last):
    ...
    ValueError: demand is empty (0 values): pass at least one period of data.
    """
    arr = _as_float_array(values, name, hint)
    if arr.size == 0:
        if allow_empty:
            return arr
        raise ValueError(
            _finish(f"{name} is empty (0 values): pass at least one period of data.", hint)
        )
    nan = np.isnan(arr)
    if nan.any():
        raise ValueError(
            _finish(
                f"{name} has NaN in {int(nan.sum())} of {arr.size} value(s) "
                f"({_where_first(values, nan)}): fill the gaps (e.g. .fillna(0) for periods "
                "without demand) or drop them.",
                hint,
            )
        )
    inf = np.isinf(arr)
    if inf.any():
        raise ValueError(
            _finish(
                f"{name} has {int(inf.sum())} infinite value(s) ({_where_first(values, inf)}; "
                "a division by zero upstream?): fix or drop them.",
                hint,
            )
        )
    if low is not None and (arr < low).any():
        below = arr < low
        first = float(arr[below][0])
        if low == 0:
            what = "negative value(s)"
            need = "they must be zero or more (record returns separately)"
        else:
            what, need = f"value(s) below {low}", f"they must be at least {low}"
        where = _where_first(values, below)
        raise ValueError(
            _finish(f"{name} has {int(below.sum())} {what} ({where}: {first!r}); {need}.", hint)
        )
    return arr


def check_numeric_columns(
    data: pd.DataFrame, columns: Sequence[str], what: str, *, allow_negative: bool = False
) -> None:
    """Each of ``columns`` of ``data`` holds numbers: no text, NaN or infinity (nor
    negatives, unless ``allow_negative``); the message names ``what[column]``.

    >>> check_numeric_columns(pd.DataFrame({"units": [1, 2]}), ["units"], "sales")
    >>> check_numeric_columns(pd.DataFrame({"units": [1, -2]}), ["units"], "sales")
    Traceback (most recent call last):
    ...
    ValueError: sales['units'] ...
    """
    low = None if allow_negative else 0
    for col in columns:
        check_numbers(data[col], f"{what}[{col!r}]", low=low, allow_empty=True)


def group_keys(by) -> list[str]:
    """The grouping columns of a ``by=`` argument: None, one name or several, as a list.

    >>> group_keys(None), group_keys("sku"), group_keys(("sku", "region"))
    ([], ['sku'], ['sku', 'region'])
    """
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)
