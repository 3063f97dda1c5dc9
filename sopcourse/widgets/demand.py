"""Explorer for Module 3: weight the forecast inputs, override, and watch the consensus.

The explorer is a thin ipywidgets wrapper around :func:`sopcourse.demand.consensus_scenario`
(tested directly); sign convention: error = forecast - actual (positive bias = over-forecast).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd

from ..demand import consensus_scenario

__all__ = ["consensus_explorer"]


def consensus_explorer(
    inputs: pd.DataFrame,
    input_columns: Sequence[str],
    *,
    actual: str = "actual",
    initial_weights: Mapping[str, float] | None = None,
    ylabel: str = "units per month",
):
    """Sliders for each input's weight and a management override (%).

    Parameters
    ----------
    inputs : DataFrame
        One row per period (the index is used as the x axis), the ``actual`` column and
        one column per forecast input.
    input_columns : list of str
        The forecast inputs to weight, e.g. ``["statistical", "sales", "marketing"]``.
    initial_weights : mapping, optional
        Starting weights (default: equal).

    Returns
    -------
    ipywidgets.VBox
        Sliders, a line with MAE / WAPE / bias, and the chart.

    Examples
    --------
    >>> inp = pd.DataFrame({"actual": [100.0, 110], "statistical": [95.0, 112],
    ...                     "sales": [120.0, 125]})
    >>> box = consensus_explorer(inp, ["statistical", "sales"])
    >>> len(box.children)
    3
    """
    import ipywidgets as w
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from ..plotting import COLORS

    start = dict(initial_weights or {c: 1.0 for c in input_columns})
    sliders = {
        c: w.FloatSlider(value=start.get(c, 0.0), min=0, max=1, step=0.05, description=c)
        for c in input_columns
    }
    override = w.FloatSlider(value=0, min=-30, max=30, step=1, description="override %")
    summary = w.HTML()
    chart = w.Image(format="png")
    x = inputs.index.to_timestamp() if isinstance(inputs.index, pd.PeriodIndex) else inputs.index

    # One figure for the life of the widget, outside pyplot. Everything but the consensus
    # line is drawn once and cached (blitting); an update restores the cached pixels,
    # draws the one line and encodes the PNG. The y axis is fixed wide enough for any
    # weights and override, so the cache never goes stale.
    fig = Figure(figsize=(8, 3.5), dpi=72, layout="tight")
    canvas = FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(x, inputs[actual], color="black", label="actual")
    for c in input_columns:
        ax.plot(x, inputs[c], lw=0.8, alpha=0.5, label=c)
    (consensus_line,) = ax.plot(
        x, inputs[actual], color=COLORS["accent"], lw=2.5, label="consensus", animated=True
    )
    top = float(inputs[[actual, *input_columns]].to_numpy(dtype=float).max())
    ax.set_ylim(0, 1.05 * top * (1 + override.max / 100))
    ax.set_ylabel(ylabel)
    ax.set_xlabel("month")
    ax.legend(ncols=3, fontsize=8)
    canvas.draw()  # lay out once (tight), then keep the axes where they are
    fig.set_layout_engine("none")
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)

    def redraw(*_):
        weights = {c: s.value for c, s in sliders.items()}
        if sum(weights.values()) == 0:
            summary.value = "<b>Give at least one input a weight above 0.</b>"
            return
        res = consensus_scenario(inputs, weights, actual=actual, override_pct=override.value)
        bias = res["bias"]
        side = "over-forecast" if bias > 0.05 else "under-forecast" if bias < -0.05 else "unbiased"
        summary.value = (
            f"Consensus MAE <b>{res['mae']:.1f}</b> units &middot; WAPE <b>{res['wape']:.1f} %"
            f"</b> &middot; bias <b>{res['bias']:+.1f}</b> units/period ({side}; "
            "error = forecast - actual)"
        )
        consensus_line.set_ydata(res["consensus"].to_numpy())
        canvas.restore_region(background)
        ax.draw_artist(consensus_line)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
        chart.value = buffer.getvalue()

    for s in [*sliders.values(), override]:
        s.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([w.VBox(list(sliders.values())), override]), summary, chart])
