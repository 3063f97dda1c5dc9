"""Explorer for Module 5: change a scenario and watch the product mix re-optimise.

A thin ipywidgets wrapper around :func:`sopcourse.scenarios.what_if_mix` and
:func:`sopcourse.scenarios.mix_changes` (both tested directly). The chart is drawn once
by :func:`draw_mix_explorer` into a :class:`MixChart`; a slider move re-solves, resets the
heights of the what-if bars (:func:`update_mix_chart`) and redraws only those bars on the
cached background before encoding the PNG, which keeps an update fast. The benchmark
times exactly those steps.
"""

from __future__ import annotations

import pandas as pd

from ..scenarios import mix_changes, what_if_mix
from ._display import ExplorerChart, description_style, html_table, require_ipywidgets

__all__ = [
    "product_mix_explorer",
    "resource_table_html",
    "draw_mix_explorer",
    "update_mix_chart",
    "MixChart",
]


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


class MixChart(ExplorerChart):
    """The explorer's chart, rendered fast: the axes, labels and base bars are drawn once
    into a cached background; an update redraws only the what-if bars on it (blitting)
    and encodes the PNG.

    Examples
    --------
    >>> from sopcourse.scenarios import what_if_mix
    >>> usage = pd.DataFrame({"weld": [1, 2], "paint": [3, 2]}, index=["road", "city"])
    >>> m, c = pd.Series({"road": 30, "city": 50}), pd.Series({"weld": 40, "paint": 60})
    >>> chart = MixChart(what_if_mix(m, usage, c), ymax=40)
    >>> png = chart.render(what_if_mix(m, usage, c, capacity_change=0.2))
    >>> png[1:4] == b"PNG"
    True
    """

    def __init__(self, base, *, ymax=None, figsize=(8, 3.5)):
        super().__init__(figsize)
        draw_mix_explorer(base, base, ax=self.ax, ymax=ymax)
        self.freeze_layout()
        self.cache_background(self.ax.containers[1])

    def render(self, new) -> bytes:
        """PNG bytes of the chart with the what-if bars set to ``new``'s plan."""
        update_mix_chart(self.ax, new)
        return self.png()


def resource_table_html(resources: pd.DataFrame, *, resource_unit: str = "hour") -> str:
    """The explorer's table of capacity, use and shadow price per resource (pure function).

    Parameters
    ----------
    resources : DataFrame
        ``ProductMixResult.resources``: columns ``capacity``, ``used``, ``shadow_price``.
    resource_unit : str
        Unit of capacity, e.g. ``"hour"``.

    Examples
    --------
    >>> r = pd.DataFrame({"capacity": [40.0], "used": [40.0], "shadow_price": [12.5]},
    ...                  index=pd.Index(["weld"], name="resource"))
    >>> out = resource_table_html(r)
    >>> "capacity (hours)" in out and "12.50" in out
    True
    """
    units = f"{resource_unit}s"
    table = resources[["capacity", "used", "shadow_price"]].rename(
        columns={
            "capacity": f"capacity ({units})",
            "used": f"used ({units})",
            "shadow_price": f"shadow price (profit per extra {resource_unit})",
        }
    )
    formats = dict.fromkeys(table.columns[:2], ",.0f")
    formats[table.columns[2]] = ",.2f"
    return html_table(table, formats=formats)


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
    w = require_ipywidgets()

    capacity = pd.Series(capacity, dtype=float)
    resources = list(capacity.index)[:6] if resources is None else list(resources)
    base = what_if_mix(margin, usage, capacity, max_demand, resource_unit=resource_unit)
    price_label = "Price change" if price is not None else "Margin change"
    # one description width and one slider width for all: equal tracks, no label cut
    style = description_style(["Demand change", price_label, *(f"{r} capacity" for r in resources)])

    def slider(description, low, high, step, **options):
        return w.FloatSlider(
            value=0.0,
            min=low,
            max=high,
            step=step,
            description=description,
            readout_format="+.0%",
            style=style,
            layout=w.Layout(width="460px"),
            **options,
        )

    demand = slider("Demand change", -0.5, 0.5, 0.05, disabled=max_demand is None)
    price_s = slider(price_label, -0.3, 0.1, 0.01)
    caps = {r: slider(f"{r} capacity", -1.0, 0.5, 0.05) for r in resources}
    summary = w.HTML()
    prices = w.HTML()
    chart = w.Image(format="png")
    top = float(base.plan["quantity"].max())
    if max_demand is not None:
        top = max(top, 1.5 * float(pd.Series(max_demand, dtype=float).max()))
    mix_chart = MixChart(base, ymax=1.05 * top if top > 0 else None)

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
        prices.value = resource_table_html(new.resources, resource_unit=resource_unit)
        chart.value = mix_chart.render(new)

    for s in [demand, price_s, *caps.values()]:
        s.observe(redraw, names="value")
    redraw()
    # the scenario levers, then one slider per resource; rows wrap on a narrow page
    wrap = {"flex_flow": "row wrap"}
    controls = w.VBox(
        [
            w.HBox([demand, price_s], layout=w.Layout(**wrap)),
            w.HBox(list(caps.values()), layout=w.Layout(**wrap)),
        ]
    )
    return w.VBox([controls, summary, w.HBox([prices]), chart])
