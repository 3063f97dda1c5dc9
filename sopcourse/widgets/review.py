"""Explorers for Module 6 (management review).

Thin ipywidgets wrappers around pure, tested functions of :mod:`sopcourse.kpi`:

* :func:`working_capital_explorer` calls :func:`sopcourse.kpi.working_capital_what_if`
  and :func:`sopcourse.kpi.plot_cash_cycle`;
* :func:`scorecard_explorer` calls :func:`sopcourse.kpi.rate_kpis` and
  :func:`scorecard_html`, re-rating the traffic lights as the targets move.
"""

from __future__ import annotations

import html

import pandas as pd

from ..kpi import plot_cash_cycle, rate_kpis, working_capital_what_if
from ._display import ExplorerChart, description_style, html_table, require_ipywidgets

__all__ = ["working_capital_explorer", "scorecard_explorer", "scorecard_html"]

_LIGHT = {"green": "#2e8b57", "amber": "#e0a030", "red": "#b03a48"}


def scorecard_html(rated: pd.DataFrame, *, digits: int = 3) -> str:
    """An HTML table of a rated scorecard with a coloured dot per KPI (pure function).

    Parameters
    ----------
    rated : DataFrame
        The output of :func:`sopcourse.kpi.rate_kpis` (index = KPI names).
    digits : int
        Significant digits shown for actual, target and gap.

    Examples
    --------
    >>> from sopcourse.kpi import rate_kpis
    >>> card = pd.DataFrame({"actual": [0.93], "target": [0.95], "direction": ["higher"],
    ...                      "tolerance": [0.03]}, index=["otif"])
    >>> "amber" in scorecard_html(rate_kpis(card))
    True
    """
    if "status" not in getattr(rated, "columns", []):
        raise ValueError("rated must be the output of sopcourse.rate_kpis (needs 'status').")
    status = [
        f"<span style='color:{_LIGHT[s]};font-size:1.3em'>&#9679;</span> {html.escape(str(s))}"
        for s in rated["status"]
    ]
    table = pd.DataFrame(
        {
            "status": status,
            "KPI": [str(name) for name in rated.index],
            "actual": rated["actual"].to_numpy(),
            "target": rated["target"].to_numpy(),
            "gap (+ = better)": rated["gap"].to_numpy(),
            "better": rated["direction"].astype(str).to_numpy(),
        }
    )
    return html_table(
        table,
        index=False,
        html_columns=["status"],
        formats={
            "actual": f".{digits}g",
            "target": f".{digits}g",
            "gap (+ = better)": f"+.{digits}g",
        },
    )


def scorecard_explorer(scorecard: pd.DataFrame):
    """One slider per KPI target; the traffic lights are re-rated as the targets move.

    Parameters
    ----------
    scorecard : DataFrame
        As for :func:`sopcourse.kpi.rate_kpis`: index = KPI names, columns ``actual``,
        ``target``, ``direction``, ``tolerance``.

    Returns
    -------
    ipywidgets.VBox
        The sliders and the rated table.

    Examples
    --------
    >>> card = pd.DataFrame({"actual": [0.93, 75.0], "target": [0.95, 60.0],
    ...                      "direction": ["higher", "lower"], "tolerance": [0.03, 10.0]},
    ...                     index=["otif", "cash_to_cash"])
    >>> box = scorecard_explorer(card)
    >>> len(box.children)
    2
    """
    w = require_ipywidgets()

    rated = rate_kpis(scorecard)  # validates the input once
    # the whole KPI name, in a description width that fits the longest one
    style = description_style(str(name) for name in rated.index)
    sliders = {}
    for name, row in rated.iterrows():
        target, actual = float(row["target"]), float(row["actual"])
        half = max(3 * abs(actual - target), 5 * float(row["tolerance"]), 0.1 * abs(target), 1e-6)
        low = target - half
        if target >= 0 and actual >= 0:
            low = max(low, 0.0)  # shares, days and money do not go negative
        sliders[name] = w.FloatSlider(
            value=target,
            min=low,
            max=target + half,
            step=(target + half - low) / 200,
            description=str(name),
            readout_format=".3g",
            style=style,
            layout=w.Layout(width="480px"),
        )
    table = w.HTML()

    def redraw(*_):
        card = scorecard.copy()
        card["target"] = [sliders[name].value for name in card.index]
        table.value = scorecard_html(rate_kpis(card))

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return w.VBox([w.VBox(list(sliders.values())), table])


def working_capital_explorer(
    revenue: float,
    cogs: float,
    inventory,
    receivables,
    payables,
    *,
    cost_of_capital: float = 0.08,
    days: float = 365,
    currency: str = "EUR",
):
    """Sliders for an inventory cut and payment-terms changes; shows the cash-to-cash cycle.

    Parameters
    ----------
    revenue, cogs : float
        Annual revenue and cost of goods sold.
    inventory, receivables, payables : float or sequence
        Balances (a sequence is averaged), as in :func:`sopcourse.working_capital_days`.
    cost_of_capital : float
        Annual rate used to value the cash released.

    Returns
    -------
    ipywidgets.VBox
        The sliders, a summary line and the chart.

    Examples
    --------
    >>> box = working_capital_explorer(14750, 11375, 1337, 3575, 1910)
    >>> len(box.children)
    3
    """
    w = require_ipywidgets()

    cut = w.FloatSlider(
        value=0.0, min=0.0, max=0.5, step=0.01, description="stock cut", readout_format=".0%"
    )
    customer = w.FloatSlider(value=0.0, min=-30, max=30, step=1, description="DSO +/- d")
    supplier = w.FloatSlider(value=0.0, min=-30, max=30, step=1, description="DPO +/- d")
    summary = w.HTML()
    chart = w.Image(format="png")
    # One figure for the life of the widget: an update redraws the axes and renders once.
    cash_cycle = ExplorerChart((7, 2.8), dpi=72)

    def redraw(*_):
        table = working_capital_what_if(
            revenue,
            cogs,
            inventory,
            receivables,
            payables,
            inventory_reduction=cut.value,
            customer_terms_change_days=customer.value,
            supplier_terms_change_days=supplier.value,
            cost_of_capital=cost_of_capital,
            days=days,
        )
        scen, change = table.loc["scenario"], table.loc["change"]
        summary.value = (
            f"Cash-to-cash <b>{scen['cash_to_cash']:.0f} days</b> "
            f"({change['cash_to_cash']:+.0f}) &middot; cash released "
            f"<b>{scen['cash_released']:,.0f} {currency}</b> &middot; financing saving "
            f"<b>{scen['financing_saving']:,.0f} {currency}</b> per year"
        )
        cash_cycle.ax.clear()
        plot_cash_cycle(table.loc[["base", "scenario"]], ax=cash_cycle.ax)
        chart.value = cash_cycle.png()

    for slider in (cut, customer, supplier):
        slider.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([cut, customer, supplier]), summary, chart])
