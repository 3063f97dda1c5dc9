"""Explorers for Modules 1 and 2: the top-down / bottom-up gap and the Bass launch curve.

Thin ipywidgets wrappers: each redraw calls a pure, tested function
(:func:`sopcourse.horizon.planning_gap`, :func:`sopcourse.revenue.bass_curve`) and draws
the result to a PNG, so that the explorer works the same in JupyterLab, VS Code and a
static HTML export.
"""

from __future__ import annotations

import io

import pandas as pd

from ..horizon import planning_gap, plot_planning_gap
from ..revenue import bass_curve, bass_peak

__all__ = ["top_down_explorer", "bass_explorer", "planning_gap_figure", "bass_figure"]


def _figure():
    """A figure with fixed margins: no constrained layout and no tight bounding box, which
    would lay out every tick label twice per redraw (the slow part of an update)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.5), layout="none")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.2, top=0.88)
    return fig, ax


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches=None)
    plt.close(fig)
    return buffer.getvalue()


def planning_gap_figure(
    history: pd.DataFrame,
    item_forecast: pd.DataFrame,
    total_plan: float,
    *,
    method: str = "proportion_of_averages",
    last_periods: int | None = 12,
    item: str = "sku",
    period: str = "month",
    value: str = "units",
    units: str = "units",
    max_items: int = 8,
) -> tuple[pd.DataFrame, bytes]:
    """One update of :func:`top_down_explorer`: the gap table and the chart as PNG bytes.

    Examples
    --------
    >>> h = pd.DataFrame({"sku": ["a", "b"], "month": ["2024-12"] * 2, "units": [40.0, 60.0]})
    >>> f = pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [50.0, 50.0]})
    >>> table, png = planning_gap_figure(h, f, 120.0)
    >>> float(table.loc["total", "gap"]), png[:4] == b"\\x89PNG"
    (20.0, True)
    """
    table = planning_gap(
        history,
        item_forecast,
        total_plan,
        method=method,
        last_periods=last_periods,
        item=item,
        period=period,
        value=value,
    )
    fig, ax = _figure()
    plot_planning_gap(table, units=units, max_items=max_items, ax=ax)
    return table, _png(fig)


def top_down_explorer(
    history: pd.DataFrame,
    item_forecast: pd.DataFrame,
    total_plan: float | None = None,
    *,
    item: str = "sku",
    period: str = "month",
    value: str = "units",
    units: str = "units",
):
    """Sliders for the top-down total and the proportion method; shows the gap by item.

    Parameters
    ----------
    history : pandas.DataFrame
        Tidy item history (item, period, value) for the historical proportions.
    item_forecast : pandas.DataFrame
        Tidy item forecasts over the horizon: their sum is the bottom-up plan.
    total_plan : float, optional
        Starting top-down total [Y]; default: the bottom-up total.

    Returns
    -------
    ipywidgets.VBox
        The controls, a summary line and the chart.

    Examples
    --------
    >>> h = pd.DataFrame({"sku": ["a", "b"], "month": ["2024-12"] * 2, "units": [40.0, 60.0]})
    >>> f = pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [50.0, 50.0]})
    >>> box = top_down_explorer(h, f)
    >>> len(box.children)
    3
    """
    import ipywidgets as w

    bottom_total = float(item_forecast[value].sum())
    start = float(total_plan) if total_plan is not None else bottom_total
    n_periods = pd.Series(history[period]).nunique()
    total = w.FloatSlider(
        value=start,
        min=0.5 * start,
        max=1.5 * start,
        step=max(start / 100, 1.0),
        description="Top-down Y",
        readout_format=",.0f",
        continuous_update=False,
    )
    method = w.ToggleButtons(
        options=[
            ("average of proportions", "average_of_proportions"),
            ("proportion of averages", "proportion_of_averages"),
        ],
        value="proportion_of_averages",
    )
    window = w.IntSlider(
        value=min(12, n_periods),
        min=1,
        max=max(n_periods, 1),
        description="Months of history",
        continuous_update=False,
    )
    summary = w.HTML()
    chart = w.Image(format="png")

    def redraw(*_):
        table, png = planning_gap_figure(
            history,
            item_forecast,
            total.value,
            method=method.value,
            last_periods=window.value,
            item=item,
            period=period,
            value=value,
            units=units,
        )
        rows = table.drop(index="total")
        worst = rows["gap"].abs().idxmax()
        summary.value = (
            f"Bottom-up <b>{table.loc['total', 'bottom_up']:,.0f}</b> &middot; top-down "
            f"<b>{table.loc['total', 'top_down']:,.0f}</b> {units} &middot; largest item gap: "
            f"<b>{worst}</b> ({rows.loc[worst, 'gap']:+,.0f})"
        )
        chart.value = png

    for control in (total, method, window):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.VBox([total, method, window]), summary, chart])


def bass_figure(
    p: float,
    q: float,
    m: float,
    periods: int,
    actual: pd.Series | None = None,
    units: str = "units",
) -> tuple[pd.DataFrame, bytes]:
    """One update of :func:`bass_explorer`: the Bass curve table and the chart as PNG bytes.

    Examples
    --------
    >>> curve, png = bass_figure(0.03, 0.38, 1000, 24)
    >>> len(curve), png[:4] == b"\\x89PNG"
    (24, True)
    """
    curve = bass_curve(p, q, m, periods)
    peak = bass_peak(p, q, m)
    fig, ax = _figure()
    ax.plot(curve.index, curve["adoptions"], marker="o", markersize=3, label="Bass model")
    if actual is not None:
        ax.plot(range(1, len(actual) + 1), list(actual), "s", color="#e07b39", label="actual sales")
    ax.axvline(peak["peak_time"], color="#8c8c8c", linestyle="--", linewidth=1)
    ax.set_xlabel("Periods since launch")
    ax.set_ylabel(f"New adopters per period ({units})")
    ax.set_title(f"Peak at t* = {peak['peak_time']:.1f} periods")
    ax.legend()
    return curve, _png(fig)


def bass_explorer(
    p: float = 0.03,
    q: float = 0.38,
    m: float = 10_000,
    periods: int = 36,
    *,
    actual: pd.Series | None = None,
    units: str = "units",
):
    """Sliders for p, q and m of the Bass model; redraws the launch curve and its peak.

    Examples
    --------
    >>> box = bass_explorer(periods=24)
    >>> len(box.children)
    3
    """
    import ipywidgets as w

    p_slider = w.FloatLogSlider(
        value=p, base=10, min=-3, max=-0.5, step=0.05, description="p", readout_format=".4f"
    )
    q_slider = w.FloatSlider(value=q, min=0.0, max=1.5, step=0.01, description="q")
    m_slider = w.FloatSlider(
        value=m, min=m / 4, max=m * 4, step=m / 40, description="m", readout_format=",.0f"
    )
    summary = w.HTML()
    chart = w.Image(format="png")

    def redraw(*_):
        curve, png = bass_figure(
            p_slider.value, q_slider.value, m_slider.value, periods, actual, units
        )
        peak = bass_peak(p_slider.value, q_slider.value, m_slider.value)
        summary.value = (
            f"Peak after <b>{peak['peak_time']:.1f}</b> periods at "
            f"<b>{peak['peak_rate']:,.0f}</b> {units} per period; "
            f"<b>{curve['cumulative'].iloc[-1] / m_slider.value:.0%}</b> of m adopted "
            f"after {periods} periods"
        )
        chart.value = png

    for control in (p_slider, q_slider, m_slider):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([p_slider, q_slider, m_slider]), summary, chart])
