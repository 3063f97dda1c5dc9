"""Practice data for the demo assignment of the grading tests (not part of the course).

The data follow the environment variable ``SOPCOURSE_DATA_SEED`` like the company data:
unset or empty gives the standard data, a number gives a variant with other numbers.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["demo_sales"]

SEED_ENV = "SOPCOURSE_DATA_SEED"
_ASSIGNED: dict = {}  # the grader's job process: the variant, without its seed


def assign_variant(seed: int) -> None:
    """Grader only: make ``demo_sales()`` in this process return variant ``seed``."""
    _ASSIGNED["sales"] = demo_sales(seed=int(seed))


def demo_sales(seed: int | None = None) -> pd.DataFrame:
    """Monthly unit sales of three bicycle families, with price per unit.

    Parameters
    ----------
    seed : int, optional
        Data variant; default from ``$SOPCOURSE_DATA_SEED`` (unset: the standard data, 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (str, YYYY-MM), ``family`` (str), ``units`` (int),
        ``price`` (float, EUR per unit).

    Examples
    --------
    >>> df = demo_sales(seed=0)
    >>> list(df.columns), len(df)
    (['month', 'family', 'units', 'price'], 36)
    >>> int(demo_sales(seed=0)["units"].sum()) != int(demo_sales(seed=7)["units"].sum())
    True
    """
    if seed is None and "sales" in _ASSIGNED:
        return _ASSIGNED["sales"].copy()
    if seed is None:
        raw = os.environ.get(SEED_ENV, "").strip()
        try:
            seed = int(raw) if raw else 0
        except ValueError:
            raise ValueError(f"{SEED_ENV} must be an integer, not {raw!r}") from None
    rng = np.random.default_rng(seed)
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    rows = []
    # Revenue levels are close, so which family earns most changes between variants.
    for family, base, price in [("road", 120, 1450.0), ("city", 250, 690.0), ("cargo", 60, 2900.0)]:
        season = 1 + 0.3 * np.sin(np.arange(12) / 12 * 2 * np.pi)
        units = rng.poisson(base * rng.uniform(0.8, 1.2) * season)
        p = round(price * (1 + rng.uniform(-0.05, 0.05)), 2)
        rows += [(m, family, int(u), p) for m, u in zip(months, units, strict=True)]
    return pd.DataFrame(rows, columns=["month", "family", "units", "price"])
