"""Explorers for Modules 1 and 2: the top-down / bottom-up gap and the Bass launch curve.

Thin ipywidgets wrappers: each redraw calls a pure, tested function
(:func:`sopcourse.horizon.planning_gap`, :func:`sopcourse.revenue.bass_curve`), moves the
artists of a chart drawn once (:class:`GapChart`, :class:`BassChart`) and renders it to a
PNG, so that the explorer works the same in JupyterLab, VS Code and a static HTML export.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..horizon import planning_gap
from ..plotting import COLORS
from ..revenue import bass_curve, bass_peak
from ._display import ExplorerChart, description_style, require_ipywidgets

__all__ = ["top_down_explorer", "bass_explorer", "GapChart", "BassChart"]


# Fixed margins at the PNG's resolution (80 dpi), without a layout engine: the course
# style's constrained layout and tight bounding box would lay out every label again, in
# extra drawing passes, on each redraw (the slow part of an update).
_FIGSIZE, _DPI = (8, 3.5), 80
_MARGINS = {"left": 0.1, "right": 0.98, "bottom": 0.2, "top": 0.88}


class GapChart(ExplorerChart):
    """The top-down explorer's chart: drawn once, then updated in place and rendered to PNG.

    Shows top-down and bottom-up plans of the ``max_items`` items with the largest gap
    (the same selection as :func:`sopcourse.horizon.plot_planning_gap`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> h = pd.DataFrame({"sku": ["a", "b"], "month": ["2024-12"] * 2, "units": [40.0, 60.0]})
    >>> f = pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [50.0, 50.0]})
    >>> chart = GapChart(max_items=2)
    >>> png = chart.update(planning_gap(h, f, 120.0))
    >>> png[:4] == b"\\x89PNG", [t.get_text() for t in chart.ax.get_xticklabels()]
    (True, ['b', 'a'])
    >>> chart.close()
    """

    def __init__(self, max_items: int = 8, units: str = "units"):
        super().__init__(_FIGSIZE, _DPI, layout="none", margins=_MARGINS)
        self.units = units
        self.max_items = max_items
        x = np.arange(max_items)
        zeros = np.zeros(max_items)
        self.top = self.ax.bar(x - 0.2, zeros, width=0.4, label="top-down", color=COLORS["primary"])
        self.bottom = self.ax.bar(
            x + 0.2, zeros, width=0.4, label="bottom-up", color=COLORS["accent"]
        )
        self.ax.set_ylabel(f"Plan over the horizon ({units})")
        self.ax.legend(loc="upper right")

    def update(self, gap: pd.DataFrame) -> bytes:
        """Show a :func:`~sopcourse.horizon.planning_gap` table; return the PNG bytes."""
        rows = gap.drop(index="total", errors="ignore")
        order = rows["gap"].abs().sort_values(ascending=False).index[: self.max_items]
        shown = rows.loc[order]
        for i in range(self.max_items):
            visible = i < len(shown)
            top = shown["top_down"].iloc[i] if visible else 0.0
            bottom = shown["bottom_up"].iloc[i] if visible else 0.0
            self.top[i].set_height(top)
            self.bottom[i].set_height(bottom)
        labels = [str(i) for i in shown.index] + [""] * (self.max_items - len(shown))
        self.ax.set_xticks(np.arange(self.max_items), labels)
        hidden = len(rows) - len(shown)
        name = gap.index.name or "item"
        self.ax.set_xlabel(
            f"{name} (the {len(shown)} largest gaps; {hidden} more not shown)" if hidden else name
        )
        self.ax.set_ylim(0, 1.1 * max(shown[["top_down", "bottom_up"]].to_numpy().max(), 1e-9))
        if "total" in gap.index:
            total = gap.loc["total"]
            self.ax.set_title(
                f"Top-down {total['top_down']:,.0f} vs bottom-up {total['bottom_up']:,.0f}: "
                f"gap {total['gap']:+,.0f} {self.units}",
                loc="left",  # as the course style places titles, whatever style is active
            )
        return self.png()


def top_down_explorer(
    history: pd.DataFrame,
    item_forecast: pd.DataFrame,
    total_plan: float | None = None,
    *,
    item: str = "sku",
    period: str = "month",
    value: str = "units",
    units: str = "units",
    max_items: int = 8,
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
    max_items : int
        Number of items (largest gaps) drawn.

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
    w = require_ipywidgets()

    bottom_total = float(item_forecast[value].sum())
    start = float(total_plan) if total_plan is not None else bottom_total
    n_periods = pd.Series(history[period]).nunique()
    style = description_style(["Top-down Y", "Method", "Months of history"])
    total = w.FloatSlider(
        value=start,
        min=0.5 * start,
        max=1.5 * start,
        step=max(start / 100, 1.0),
        description="Top-down Y",
        layout=w.Layout(width="520px"),
        readout_format=",.0f",
        continuous_update=False,
        style=style,
    )
    method = w.ToggleButtons(
        options=[
            ("average of proportions", "average_of_proportions"),
            ("proportion of averages", "proportion_of_averages"),
        ],
        value="proportion_of_averages",
        # each button as wide as its label: the default width cuts "average of propo..."
        style={"button_width": "auto"},
    )
    # a toggle's own description sits on a line of its own: label it like the sliders
    method_label = w.HTML(
        "<div style='text-align:right'>Method</div>",
        layout=w.Layout(width=style["description_width"], margin="0 4px 0 0"),
    )
    window = w.IntSlider(
        value=min(12, n_periods),
        min=1,
        max=max(n_periods, 1),
        description="Months of history",
        layout=w.Layout(width="520px"),
        continuous_update=False,
        style=style,
    )
    summary = w.HTML()
    image = w.Image(format="png")
    chart = GapChart(max_items=max_items, units=units)

    def redraw(*_):
        try:
            table = planning_gap(
                history,
                item_forecast,
                total.value,
                method=method.value,
                last_periods=window.value,
                item=item,
                period=period,
                value=value,
            )
        except ValueError as error:  # e.g. average of proportions with an empty month
            summary.value = f"<span style='color:{COLORS['bad']}'>{error}</span>"
            return
        rows = table.drop(index="total")
        worst = rows["gap"].abs().idxmax()
        summary.value = (
            f"Bottom-up <b>{table.loc['total', 'bottom_up']:,.0f}</b> &middot; top-down "
            f"<b>{table.loc['total', 'top_down']:,.0f}</b> {units} &middot; largest item gap: "
            f"<b>{worst}</b> ({rows.loc[worst, 'gap']:+,.0f})"
        )
        image.value = chart.update(table)

    for control in (total, method, window):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.VBox([total, w.HBox([method_label, method]), window]), summary, image])


class BassChart(ExplorerChart):
    """The Bass explorer's chart: drawn once, then updated in place and rendered to PNG.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> chart = BassChart(24, actual=pd.Series([50, 80, 120]))
    >>> png = chart.update(bass_curve(0.03, 0.38, 1000, 24), p=0.03, q=0.38)
    >>> png[:4] == b"\\x89PNG", chart.ax.get_title(loc="left")
    (True, 'Peak at t* = 6.2 periods')
    >>> chart.close()
    """

    def __init__(self, periods: int, actual: pd.Series | None = None, units: str = "units"):
        super().__init__(_FIGSIZE, _DPI, layout="none", margins=_MARGINS)
        self.periods = periods
        t = np.arange(1, periods + 1)
        (self.line,) = self.ax.plot(
            t, np.zeros(periods), marker="o", markersize=3, label="Bass model"
        )
        self.actual = actual
        if actual is not None:
            self.ax.plot(
                np.arange(1, len(actual) + 1),
                np.asarray(actual, dtype=float),
                "s",
                color=COLORS["accent"],
                label="actual sales",
            )
        self.peak = self.ax.axvline(0, color=COLORS["neutral"], linestyle="--", linewidth=1)
        self.ax.set_xlabel("Periods since launch")
        self.ax.set_ylabel(f"New adopters per period ({units})")
        self.ax.set_xlim(0, periods + 1)
        self.ax.legend(loc="upper right")

    def update(self, curve: pd.DataFrame, p: float | None = None, q: float | None = None) -> bytes:
        """Show a :func:`~sopcourse.revenue.bass_curve` table; return the PNG bytes.

        The peak line uses ``p`` and ``q`` when given, else the curve's largest period.
        """
        self.line.set_ydata(curve["adoptions"].to_numpy())
        if p is not None and q is not None:
            peak_time = bass_peak(p, q, 1.0)["peak_time"]
        else:
            peak_time = float(curve["adoptions"].idxmax())
        self.peak.set_xdata([peak_time, peak_time])
        top = curve["adoptions"].max()
        if self.actual is not None and len(self.actual):
            top = max(top, float(np.nanmax(np.asarray(self.actual, dtype=float))))
        self.ax.set_ylim(0, 1.1 * max(top, 1e-9))
        self.ax.set_title(f"Peak at t* = {peak_time:.1f} periods", loc="left")
        return self.png()


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
    w = require_ipywidgets()

    p_slider = w.FloatLogSlider(
        value=p, base=10, min=-3, max=-0.5, step=0.05, description="p", readout_format=".4f"
    )
    q_slider = w.FloatSlider(value=q, min=0.0, max=1.5, step=0.01, description="q")
    m_slider = w.FloatSlider(
        value=m, min=m / 4, max=m * 4, step=m / 40, description="m", readout_format=",.0f"
    )
    summary = w.HTML()
    image = w.Image(format="png")
    chart = BassChart(periods, actual=actual, units=units)

    def redraw(*_):
        curve = bass_curve(p_slider.value, q_slider.value, m_slider.value, periods)
        peak = bass_peak(p_slider.value, q_slider.value, m_slider.value)
        summary.value = (
            f"Peak after <b>{peak['peak_time']:.1f}</b> periods at "
            f"<b>{peak['peak_rate']:,.0f}</b> {units} per period; "
            f"<b>{curve['cumulative'].iloc[-1] / m_slider.value:.0%}</b> of m adopted "
            f"after {periods} periods"
        )
        image.value = chart.update(curve, p_slider.value, q_slider.value)

    for control in (p_slider, q_slider, m_slider):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([p_slider, q_slider, m_slider]), summary, image])
