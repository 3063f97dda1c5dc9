"""The course figure style and the charts that recur across lessons.

Every helper takes an optional matplotlib ``Axes`` and returns the ``Axes`` it drew
on; none calls ``plt.show()``. Axis labels carry units.
"""

from __future__ import annotations

from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["use_course_style", "COLORS", "waterfall", "pareto"]

#: Named colours of the course style, for charts that need a fixed meaning.
COLORS = {
    "primary": "#1f4e79",
    "accent": "#e07b39",
    "good": "#2e8b57",
    "bad": "#b03a48",
    "neutral": "#8c8c8c",
}


def use_course_style() -> None:
    """Apply the course's matplotlib style (call once at the top of a notebook).

    >>> use_course_style()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["axes.spines.top"]
    False
    """
    with resources.as_file(resources.files("sopcourse") / "course.mplstyle") as path:
        plt.style.use(str(path))


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def waterfall(
    steps: pd.Series,
    *,
    start_label: str | None = None,
    total_label: str = "Total",
    ylabel: str = "",
    ax=None,
):
    """Draw a waterfall (bridge) chart: a start bar, signed steps, and the total.

    Parameters
    ----------
    steps : pandas.Series
        The first value is the starting level (e.g. last year's revenue); the rest
        are signed changes, in order. The total bar is their sum.
    start_label : str, optional
        Label of the first bar (default: the Series' first index label).
    total_label : str
        Label of the closing bar.
    ylabel : str
        Y-axis label, with its unit.

    Examples
    --------
    >>> s = pd.Series({"Plan": 100.0, "Price": -5.0, "Volume": 12.0, "Mix": -2.0})
    >>> ax = waterfall(s, ylabel="Revenue (k EUR)")
    >>> [round(float(p.get_height()), 1) for p in ax.patches]
    [100.0, 5.0, 12.0, 2.0, 105.0]
    >>> plt.close("all")
    """
    if len(steps) < 1:
        raise ValueError("waterfall needs at least the starting value.")
    ax = _axes(ax)
    values = steps.astype(float).to_numpy()
    labels = [str(i) for i in steps.index]
    if start_label is not None:
        labels[0] = start_label
    level = values[0]
    ax.bar(0, level, color=COLORS["primary"])
    for i, change in enumerate(values[1:], start=1):
        bottom = level if change >= 0 else level + change
        ax.bar(
            i, abs(change), bottom=bottom, color=COLORS["good"] if change >= 0 else COLORS["bad"]
        )
        level += change
    ax.bar(len(values), level, color=COLORS["primary"])
    ax.set_xticks(np.arange(len(values) + 1), labels + [total_label], rotation=0)
    ax.set_ylabel(ylabel)
    return ax


def pareto(values: pd.Series, *, ylabel: str = "", ax=None):
    """Draw a Pareto chart: bars sorted largest first and the cumulative share line.

    >>> ax = pareto(pd.Series({"late supplier": 50, "forecast": 30, "quality": 20}), ylabel="Units short")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['late supplier', 'forecast', 'quality']
    >>> plt.close("all")
    """
    if (values < 0).any():
        raise ValueError("A Pareto chart needs non-negative values.")
    ax = _axes(ax)
    ordered = values.sort_values(ascending=False)
    x = np.arange(len(ordered))
    ax.bar(x, ordered.to_numpy(), color=COLORS["primary"])
    ax.set_xticks(x, [str(i) for i in ordered.index], rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    share = ax.twinx()
    total = ordered.sum()
    share.plot(
        x, 100 * ordered.cumsum() / (total if total else 1), color=COLORS["accent"], marker="o"
    )
    share.set_ylim(0, 105)
    share.set_ylabel("Cumulative share (%)")
    share.grid(False)
    return ax
