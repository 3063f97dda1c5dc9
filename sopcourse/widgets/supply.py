"""Explorer for Module 4: the service-level / inventory trade-off of an (s, Q) policy.

A thin ipywidgets wrapper around :func:`sopcourse.inventory.service_inventory_tradeoff`
and :func:`sopcourse.inventory.plot_service_tradeoff` (both tested directly). The figure
is drawn once; a slider move recomputes the table and only moves the lines.
"""

from __future__ import annotations

import numpy as np

from ..inventory import plot_service_tradeoff, service_inventory_tradeoff
from ._display import ExplorerChart, require_ipywidgets

__all__ = ["service_level_explorer", "TradeoffChart"]


class TradeoffChart(ExplorerChart):
    """The explorer's chart: drawn once, then updated in place and rendered to PNG.

    Parameters
    ----------
    table : DataFrame
        A :func:`~sopcourse.inventory.service_inventory_tradeoff` table.
    service_level : float
        The cycle service level to highlight [alpha].

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> chart = TradeoffChart(service_inventory_tradeoff(100, 30, 4, 400, 2.0), 0.95)
    >>> png = chart.update(service_inventory_tradeoff(100, 40, 4, 400, 2.0), 0.9)
    >>> png[:4] == b"\\x89PNG", float(round(chart.ax.get_lines()[2].get_xdata()[0], 1))
    (True, 89.8)
    >>> chart.close()
    """

    def __init__(self, table, service_level: float):
        super().__init__((7, 3.5), 80, layout="constrained")
        plot_service_tradeoff(table, highlight=service_level, ax=self.ax)
        # lay the figure out once (course style: constrained layout), then freeze it:
        # re-running the layout on every update costs a third of its time
        self.freeze_layout()

    def update(self, table, service_level: float) -> bytes:
        """Move the curves and the highlighted point; return the chart as PNG bytes."""
        csl, fill, marker = self.ax.get_lines()[:3]
        csl.set_data(100 * table["service_level"], table["safety_stock"])
        fill.set_data(100 * table["fill_rate"], table["safety_stock"])
        row = table.iloc[(table["service_level"] - service_level).abs().argmin()]
        marker.set_data([100 * row["service_level"]], [row["safety_stock"]])
        note = self.ax.texts[0]
        note.xy = (100 * row["service_level"], row["safety_stock"])
        note.set_text(f"{row['service_level']:.1%} CSL: {row['safety_stock']:.0f} units")
        self.ax.relim()
        self.ax.autoscale_view()
        # straight from the Agg canvas: savefig would apply the style's tight bounding box
        # and draw the figure twice
        return self.png()


def service_level_explorer(
    demand_mean: float,
    demand_sd: float,
    lead_time: float,
    order_quantity: float,
    holding_cost: float,
    *,
    lead_time_sd: float = 0.0,
    service_level: float = 0.95,
    units: str = "units",
):
    """Sliders for the cycle service level, order quantity and lead time; shows safety
    stock, fill rate and holding cost, and the trade-off curve.

    Parameters
    ----------
    demand_mean, demand_sd : float
        Demand per period [D] and its forecast error (RMSE) per period [sigma_D].
    lead_time : float
        Lead time in periods [L] (starting value of the slider).
    order_quantity : float
        Order quantity [Q] (starting value of the slider).
    holding_cost : float
        Holding cost per unit per period [h].
    lead_time_sd : float
        Lead-time standard deviation [sigma_L].
    service_level : float
        Starting cycle service level [alpha].

    Returns
    -------
    ipywidgets.VBox
        The sliders, a summary line and the chart.

    Examples
    --------
    >>> box = service_level_explorer(100, 30, 4, 400, 2.0)
    >>> len(box.children)
    3
    """
    w = require_ipywidgets()

    level = w.FloatSlider(
        value=service_level, min=0.5, max=0.995, step=0.005, description="CSL", readout_format=".1%"
    )
    quantity = w.FloatSlider(
        value=order_quantity,
        min=max(order_quantity / 10, 1),
        max=order_quantity * 3,
        step=max(order_quantity / 50, 1),
        description="Q",
    )
    lead = w.FloatSlider(
        value=lead_time, min=0.5, max=max(3 * lead_time, 2), step=0.5, description="L"
    )
    summary = w.HTML()
    image = w.Image(format="png")

    def tables():
        args = (demand_mean, demand_sd, lead.value, quantity.value, holding_cost)
        # the curve's grid includes the chosen level, so the chart marks the same point
        # the summary line reports
        grid = np.union1d(np.linspace(0.5, 0.999, 60), [level.value])
        curve = service_inventory_tradeoff(*args, service_levels=grid, lead_time_sd=lead_time_sd)
        point = service_inventory_tradeoff(
            *args, service_levels=[level.value], lead_time_sd=lead_time_sd
        ).iloc[0]
        return curve, point

    curve, _ = tables()
    chart = TradeoffChart(curve, level.value)

    def redraw(*_):
        curve, point = tables()
        summary.value = (
            f"Safety stock <b>{point['safety_stock']:.0f} {units}</b> &middot; fill rate "
            f"<b>{point['fill_rate']:.2%}</b> &middot; average inventory "
            f"<b>{point['average_inventory']:.0f} {units}</b> &middot; holding cost "
            f"<b>{point['holding_cost']:,.0f}</b> per period"
        )
        image.value = chart.update(curve, level.value)

    for s in (level, quantity, lead):
        s.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([level, quantity, lead]), summary, image])
