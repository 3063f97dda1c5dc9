"""Explorer for Module 3: weight the forecast inputs, override, and watch the consensus.

The explorer is a thin ipywidgets wrapper around :func:`consensus_by_level`, a pure
function (tested directly) that normalises the weights, combines the inputs with
:func:`sopcourse.demand.consensus_forecast` and measures the consensus at the all-product
total and, given the SKU rows, at SKU level. Sign convention: error = forecast - actual
(positive bias = over-forecast).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import require_columns
from .._results import Result
from ..accuracy import forecast_bias, mae, wape
from ..demand import consensus_forecast
from ..plotting import COLORS
from ._display import ExplorerChart, description_style, html_table, require_ipywidgets

__all__ = [
    "consensus_explorer",
    "consensus_by_level",
    "normalised_weights",
    "ConsensusChart",
    "ConsensusLevels",
]

TOTAL_LABEL = "all-product total per month"
DETAIL_LABEL = "SKU level: each SKU, region and month (as the FVA table)"
# the chart's lines of the forecast inputs: colour and dash by input
_PALETTE = [COLORS["primary"], COLORS["good"], COLORS["bad"], "#7f6a93", "#c9a227", "#4aa3c8"]
_DASHES = ["-", "--", "-.", (0, (1, 1.2))]


def normalised_weights(weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """The weights scaled to sum to one, :math:`w_i / \\sum_j w_j` (what the consensus uses).

    Examples
    --------
    >>> normalised_weights({"statistical": 0.25, "sales": 0.20, "marketing": 0.25,
    ...                     "operations": 0.25}).round(3).to_dict()
    {'statistical': 0.263, 'sales': 0.211, 'marketing': 0.263, 'operations': 0.263}
    """
    w = pd.Series(weights, dtype=float)
    if w.empty or w.isna().any() or (w < 0).any() or w.sum() == 0:
        raise ValueError("weights must be >= 0 and not all zero, e.g. {'statistical': 1}.")
    return w / w.sum()


def _accuracy(actual: np.ndarray, forecast: np.ndarray) -> dict:
    return {
        "mae": mae(actual, forecast),
        "wape": wape(actual, forecast) if actual.sum() > 0 else np.nan,
        "bias": forecast_bias(actual, forecast),
    }


@dataclass(frozen=True, eq=False)
class ConsensusLevels(Result):
    """What :func:`consensus_by_level` returns (also readable as ``result["key"]``).

    Attributes
    ----------
    weights : Series
        The normalised weights [w_i / sum w_j], summing to one.
    consensus : Series
        The consensus of the total per period.
    actual : Series
        The actual total per period.
    accuracy : DataFrame
        One row per level: ``mae`` and ``bias`` in units per row of that level, ``wape``
        in %; the SKU row only for SKU-level inputs.
    """

    weights: pd.Series
    consensus: pd.Series
    actual: pd.Series
    accuracy: pd.DataFrame


def consensus_by_level(
    inputs: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
    *,
    actual: str = "actual",
    period: str | None = None,
    override_pct: float = 0.0,
    total_label: str = TOTAL_LABEL,
    detail_label: str = DETAIL_LABEL,
) -> ConsensusLevels:
    """What the consensus explorer shows for one set of weights (pure function).

    .. math:: C_t = \\Big(\\sum_i \\tilde w_i F_{i,t}\\Big)(1 + o), \\qquad
              \\tilde w_i = w_i / \\textstyle\\sum_j w_j

    Parameters
    ----------
    inputs : DataFrame
        Without ``period``: one row per period (the all-product total), the ``actual``
        column and one column per input. With ``period``: one row per item and period
        (e.g. the lag-1 snapshots by SKU and region); the totals per period are formed here.
    weights : mapping or Series
        Weight per input column [w_i], any scale (>= 0, not all zero).
    period : str, optional
        The period column of SKU-level ``inputs``.
    override_pct : float
        Management override in percent [100 o].
    total_label, detail_label : str
        Names of the two levels in the ``accuracy`` table.

    Returns
    -------
    ConsensusLevels
        ``weights`` (normalised), ``consensus`` and ``actual`` per period, and the
        ``accuracy`` table by level (the SKU row only with ``period``).

    Examples
    --------
    >>> rows = pd.DataFrame({"month": [1, 1, 2, 2], "actual": [10.0, 30, 20, 20],
    ...                      "stat": [20.0, 20, 20, 20], "sales": [20.0, 40, 30, 30]})
    >>> out = consensus_by_level(rows, {"stat": 3, "sales": 1}, period="month")
    >>> out["weights"].to_dict(), out["consensus"].to_list()
    ({'stat': 0.75, 'sales': 0.25}, [45.0, 45.0])
    >>> out["accuracy"]["wape"].round(1).to_list()  # total level, SKU level
    [12.5, 25.0]
    """
    w = normalised_weights(weights)
    require_columns(inputs, [actual, *w.index] + ([period] if period else []), "inputs")
    rows = consensus_forecast(inputs, w, override_pct=override_pct)
    if period is None:
        consensus, actual_total = rows, inputs[actual].astype(float)
        levels = {total_label: _accuracy(actual_total.to_numpy(), consensus.to_numpy())}
    else:
        keys = inputs[period]
        consensus = rows.groupby(keys, sort=True).sum()
        actual_total = inputs[actual].astype(float).groupby(keys, sort=True).sum()
        levels = {
            total_label: _accuracy(actual_total.to_numpy(), consensus.to_numpy()),
            detail_label: _accuracy(inputs[actual].to_numpy(dtype=float), rows.to_numpy()),
        }
    accuracy = pd.DataFrame.from_dict(levels, orient="index")[["mae", "wape", "bias"]]
    accuracy.index.name = "level"
    return ConsensusLevels(
        weights=w,
        consensus=consensus.rename("consensus"),
        actual=actual_total.rename(actual),
        accuracy=accuracy,
    )


def _fit_limits(values: np.ndarray) -> tuple[float, float]:
    """y limits that fit the values with a margin of 8 % of their range (not from zero)."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    margin = 0.08 * (high - low) if high > low else max(0.05 * abs(high), 1.0)
    return low - margin, high + margin


class ConsensusChart(ExplorerChart):
    """The consensus explorer's chart: the actual and the inputs drawn once, the consensus
    line redrawn on their cached pixels (blitting) at each update.

    The y axis fits the actual and the inputs; only when an override takes the consensus
    outside it is the background drawn again.

    Parameters
    ----------
    totals : DataFrame
        One row per period (the index is the x axis): ``actual`` and the input columns.
    input_columns : list of str
        The forecast inputs, one line each.

    Examples
    --------
    >>> totals = pd.DataFrame({"actual": [100.0, 110], "stat": [95.0, 112]})
    >>> chart = ConsensusChart(totals, ["stat"])
    >>> png = chart.update(np.array([98.0, 300.0]))
    >>> png[:4] == b"\\x89PNG", chart.limits[1] > 300
    (True, True)
    >>> chart.close()
    """

    def __init__(
        self,
        totals: pd.DataFrame,
        input_columns: Sequence[str],
        *,
        actual: str = "actual",
        ylabel: str = "units per month",
    ):
        super().__init__((9, 3.6), 72, layout="tight")
        index = totals.index
        x = index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index
        ax = self.ax
        ax.plot(x, totals[actual], color="black", lw=2.2, label="actual")
        for i, c in enumerate(input_columns):
            ax.plot(
                x,
                totals[c],
                color=_PALETTE[i % len(_PALETTE)],
                linestyle=_DASHES[i % len(_DASHES)],
                lw=1.6,
                alpha=0.95,
                label=c,
            )
        (self.line,) = ax.plot(
            x, totals[actual], color=COLORS["accent"], lw=3.2, label="consensus", animated=True
        )
        self.data_limits = _fit_limits(totals[[actual, *input_columns]].to_numpy(dtype=float))
        ax.set_ylim(*self.data_limits)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("month")
        ax.set_title(
            "The closer the thick orange consensus runs to the black actual, the lower the WAPE",
            loc="left",
            fontsize=10,
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        self.freeze_layout()  # lay out once (tight), then keep the axes where they are
        self._cache(self.data_limits)

    def _cache(self, limits: tuple[float, float]) -> None:
        self.ax.set_ylim(*limits)
        self.limits = limits
        self.cache_background([self.line])

    def update(self, consensus: np.ndarray) -> bytes:
        """Show the consensus per period; return the PNG bytes."""
        low, high = _fit_limits(consensus)
        limits = (min(self.data_limits[0], low), max(self.data_limits[1], high))
        if limits != self.limits:
            self._cache(limits)
        self.line.set_ydata(consensus)
        return self.png()


def _consensus_summary(res: ConsensusLevels, total_label: str) -> tuple[str, str]:
    """The explorer's two texts: the weights used, and the accuracy table with the bias."""
    used = (
        "The sliders set weights on any scale; the consensus uses them normalised "
        "to sum to 1.<br>Weights used: "
        + ", ".join(f"{name} <b>{value:.2f}</b>" for name, value in res["weights"].items())
    )
    table = res["accuracy"].rename(
        columns={"mae": "MAE (units)", "wape": "WAPE (%)", "bias": "bias (units)"}
    )
    bias = res["accuracy"]["bias"].iloc[0]
    side = "over-forecast" if bias > 0.05 else "under-forecast" if bias < -0.05 else "unbiased"
    summary = html_table(
        table, formats={"MAE (units)": ",.1f", "WAPE (%)": ".1f", "bias (units)": "+,.1f"}
    ) + (
        f"Consensus bias ({total_label}): <b>{bias:+.1f}</b> units per period "
        f"({side}; error = forecast - actual)."
    )
    return used, summary


def consensus_explorer(
    inputs: pd.DataFrame,
    input_columns: Sequence[str],
    *,
    actual: str = "actual",
    initial_weights: Mapping[str, float] | None = None,
    ylabel: str = "units per month",
    period: str | None = None,
    total_label: str = TOTAL_LABEL,
    detail_label: str = DETAIL_LABEL,
):
    """Sliders for each input's weight and a management override (%).

    Parameters
    ----------
    inputs : DataFrame
        Either one row per period (the index is the x axis: the all-product total), the
        ``actual`` column and one column per forecast input; or, with ``period``, one row
        per SKU and period, so that the accuracy is also shown at SKU level.
    input_columns : list of str
        The forecast inputs to weight, e.g. ``["statistical", "sales", "marketing"]``.
    initial_weights : mapping, optional
        Starting weights (default: equal); any scale, the consensus normalises them.
    period : str, optional
        The period column of SKU-level ``inputs`` (e.g. ``"target_month"``).
    total_label, detail_label : str
        Names of the two levels in the accuracy table.

    Returns
    -------
    ipywidgets.VBox
        The controls (sliders, override and the weights used), the accuracy table with a
        line on the bias, and the chart.

    Examples
    --------
    >>> inp = pd.DataFrame({"actual": [100.0, 110], "statistical": [95.0, 112],
    ...                     "sales": [120.0, 125]})
    >>> box = consensus_explorer(inp, ["statistical", "sales"])
    >>> len(box.children)
    3
    """
    w = require_ipywidgets()

    input_columns = list(input_columns)
    start = dict(initial_weights or {c: 1.0 for c in input_columns})
    style = description_style([*input_columns, "override %"])
    layout = {"width": "440px"}  # one width: the tracks of all sliders are equally long
    sliders = {
        c: w.FloatSlider(
            value=start.get(c, 0.0),
            min=0,
            max=1,
            step=0.01,
            description=c,
            style=style,
            layout=w.Layout(**layout),
        )
        for c in input_columns
    }
    override = w.FloatSlider(
        value=0,
        min=-30,
        max=30,
        step=1,
        description="override %",
        style=style,
        layout=w.Layout(**layout),
    )
    used = w.HTML()
    summary = w.HTML()
    image = w.Image(format="png")
    if period is None:
        totals = inputs[[actual, *input_columns]].astype(float)
    else:
        require_columns(inputs, [period, actual, *input_columns], "inputs")
        totals = inputs.groupby(period, sort=True)[[actual, *input_columns]].sum()
    chart = ConsensusChart(totals, input_columns, actual=actual, ylabel=ylabel)

    def redraw(*_):
        weights = {c: s.value for c, s in sliders.items()}
        if sum(weights.values()) == 0:
            used.value = summary.value = "<b>Give at least one input a weight above 0.</b>"
            return
        res = consensus_by_level(
            inputs,
            weights,
            actual=actual,
            period=period,
            override_pct=override.value,
            total_label=total_label,
            detail_label=detail_label,
        )
        used.value, summary.value = _consensus_summary(res, total_label)
        image.value = chart.update(res["consensus"].to_numpy())

    for s in [*sliders.values(), override]:
        s.observe(redraw, names="value")
    redraw()
    used.layout = w.Layout(max_width="420px")
    controls = w.HBox([w.VBox(list(sliders.values())), w.VBox([override, used])])
    return w.VBox([controls, summary, image])
