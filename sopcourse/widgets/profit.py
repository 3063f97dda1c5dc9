"""Explorer for Module 5: change a scenario and watch the product mix re-optimise.

A thin ipywidgets wrapper around :func:`sopcourse.scenarios.what_if_mix` and
:func:`sopcourse.scenarios.mix_changes` (both tested directly). The chart is drawn once
by :func:`draw_mix_explorer`; a slider move re-solves and only resets the heights of the
what-if bars (:func:`update_mix_chart`) before rendering the PNG, which keeps an update
fast. The benchmark times exactly those steps.
"""

from __future__ import annotations

import io

import pandas as pd

from ..scenarios import mix_changes, what_if_mix

__all__ = ["product_mix_explorer", "draw_mix_explorer", "update_mix_chart"]


def draw_mix_explorer(base, new, ax=None, *, ymax=None):
    """Bars of the base plan and the what-if plan, product by product.

    Returns the Axes; the what-if bars are ``ax.containers[1]``, so that an update only
    resets their heights (:func:`update_mix_chart`) instead of drawing a new figure.

    Examples
    --------
    >>> from sopcourse.scenarios import what_if_mix
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> m, c = pd.Series({"road": 30, "city": 50}), pd.Series({"weld": 40, "paint": 60})
    >>> ax = draw_mix_explorer(what_if_mix(m, usage, c), what_if_mix(m, usage, c, capacity_change=0.1))
    >>> ax.get_ylabel()
    'Units in the plan'
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    t = mix_changes(base, new)
    x = np.arange(len(t))
    ax.bar(x - 0.2, t["base"], width=0.4, color="#8c8c8c", label="Base plan")
    ax.bar(x + 0.2, t["what_if"], width=0.4, color="#1f4e79", label="What-if plan")
    ax.set_xticks(x)
    ax.set_xticklabels(t.index.astype(str), rotation=45, ha="right")
    ax.set_ylabel("Units in the plan")
    if ymax is not None:
        ax.set_ylim(0, ymax)
    ax.legend(loc="upper right")
    return ax


def update_mix_chart(ax, new) -> None:
    """Set the what-if bars drawn by :func:`draw_mix_explorer` to a new plan.

    Examples
    --------
    >>> from sopcourse.scenarios import what_if_mix
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> m, c = pd.Series({"road": 30, "city": 50}), pd.Series({"weld": 40, "paint": 60})
    >>> base = what_if_mix(m, usage, c)
    >>> ax = draw_mix_explorer(base, base)
    >>> update_mix_chart(ax, what_if_mix(m, usage, c, capacity_change={"weld": 0.5}))
    >>> [round(b.get_height(), 1) for b in ax.containers[1]]
    [0.0, 30.0]
    """
    for bar, height in zip(ax.containers[1], new.plan["quantity"], strict=True):
        bar.set_height(height)


def product_mix_explorer(
    margin,
    usage,
    capacity,
    max_demand=None,
    *,
    price=None,
    resources=None,
    resource_unit: str = "hour",
):
    """Sliders for demand, price and the capacity of each resource; shows profit, the
    shadow prices and the plan against the base plan.

    Parameters
    ----------
    margin, usage, capacity, max_demand
        As in :func:`sopcourse.optimize.product_mix` (margin [c_j], hours per unit
        [a_ij], hours available [b_i], demand limit [d_j]).
    price : Series, optional
        Unit prices; with it the price slider cuts prices (margins fall by that share of
        the price), otherwise it moves the margins.
    resources : list, optional
        Resources that get a capacity slider (default: all, at most six).

    Returns
    -------
    ipywidgets.VBox
        The sliders, a summary line, the shadow-price table and the chart.

    Examples
    --------
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> box = product_mix_explorer(pd.Series({"road": 30, "city": 50}), usage,
    ...                            pd.Series({"weld": 40, "paint": 60}),
    ...                            pd.Series({"road": 30, "city": 30}))
    >>> len(box.children)
    4
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    capacity = pd.Series(capacity, dtype=float)
    resources = list(capacity.index)[:6] if resources is None else list(resources)
    base = what_if_mix(margin, usage, capacity, max_demand, resource_unit=resource_unit)
    style = {"description_width": "initial"}
    demand = w.FloatSlider(
        value=0.0,
        min=-0.5,
        max=0.5,
        step=0.05,
        description="Demand change",
        readout_format="+.0%",
        style=style,
        disabled=max_demand is None,
    )
    price_s = w.FloatSlider(
        value=0.0,
        min=-0.3,
        max=0.1,
        step=0.01,
        description="Price change" if price is not None else "Margin change",
        readout_format="+.0%",
        style=style,
    )
    caps = {
        r: w.FloatSlider(
            value=0.0,
            min=-1.0,
            max=0.5,
            step=0.05,
            description=f"{r} capacity",
            readout_format="+.0%",
            style=style,
        )
        for r in resources
    }
    summary = w.HTML()
    prices = w.HTML()
    chart = w.Image(format="png")
    top = float(base.plan["quantity"].max())
    if max_demand is not None:
        top = max(top, 1.5 * float(pd.Series(max_demand, dtype=float).max()))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    draw_mix_explorer(base, base, ax=ax, ymax=1.05 * top if top > 0 else None)
    fig.canvas.draw()  # lay the figure out once, then freeze it: updates only move bars
    fig.set_layout_engine("none")
    plt.close(fig)  # drawn to PNG by hand, never shown by the backend

    def redraw(*_):
        new = what_if_mix(
            margin,
            usage,
            capacity,
            max_demand,
            demand_change=demand.value if max_demand is not None else 0.0,
            capacity_change={r: s.value for r, s in caps.items()},
            margin_change=price_s.value,
            price=price,
            resource_unit=resource_unit,
        )
        delta = new.profit - base.profit
        binding = ", ".join(map(str, new.resources.index[new.resources["binding"]])) or "none"
        summary.value = (
            f"Profit <b>{new.profit:,.0f}</b> ({delta:+,.0f} vs base) &middot; "
            f"binding: <b>{binding}</b>"
        )
        prices.value = new.resources[["capacity", "used", "shadow_price"]].round(2).to_html()
        update_mix_chart(ax, new)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        chart.value = buffer.getvalue()

    for s in [demand, price_s, *caps.values()]:
        s.observe(redraw, names="value")
    redraw()
    controls = w.VBox(
        [
            w.HBox([demand, price_s]),
            w.HBox(list(caps.values())[:3]),
            w.HBox(list(caps.values())[3:]),
        ]
    )
    return w.VBox([controls, summary, w.HBox([prices]), chart])
