"""Explorer for Module 4: the service-level / inventory trade-off of an (s, Q) policy.

A thin ipywidgets wrapper around :func:`sopcourse.inventory.service_inventory_tradeoff`
and :func:`sopcourse.inventory.plot_service_tradeoff` (both tested directly).
"""

from __future__ import annotations

import io

from ..inventory import plot_service_tradeoff, service_inventory_tradeoff

__all__ = ["service_level_explorer"]


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
    import ipywidgets as w
    import matplotlib.pyplot as plt

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
    chart = w.Image(format="png")

    def redraw(*_):
        table = service_inventory_tradeoff(
            demand_mean,
            demand_sd,
            lead.value,
            quantity.value,
            holding_cost,
            lead_time_sd=lead_time_sd,
        )
        point = service_inventory_tradeoff(
            demand_mean,
            demand_sd,
            lead.value,
            quantity.value,
            holding_cost,
            service_levels=[level.value],
            lead_time_sd=lead_time_sd,
        ).iloc[0]
        summary.value = (
            f"Safety stock <b>{point['safety_stock']:.0f} {units}</b> &middot; fill rate "
            f"<b>{point['fill_rate']:.2%}</b> &middot; average inventory "
            f"<b>{point['average_inventory']:.0f} {units}</b> &middot; holding cost "
            f"<b>{point['holding_cost']:,.0f}</b> per period"
        )
        fig, ax = plt.subplots(figsize=(7, 3.5))
        plot_service_tradeoff(table, highlight=level.value, ax=ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        chart.value = buffer.getvalue()

    for s in (level, quantity, lead):
        s.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([level, quantity, lead]), summary, chart])
