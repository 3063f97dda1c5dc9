"""How every explorer shows its controls and tables (private: used by the explorers only).

* :func:`description_style` gives a group of controls one description width, wide enough
  for the longest description, so that no label is cut ("Months of...") and the sliders
  of a group line up with tracks of equal length;
* :func:`html_table` renders a table in the style of a DataFrame in a JupyterLab lesson
  (no grid, a rule under the header, striped rows, numbers right-aligned), so that the
  explorers' tables look like each other and like the tables around them.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Collection, Iterable, Mapping

import pandas as pd

# The default description width of ipywidgets 8 (--jp-widgets-inline-label-width: 80px)
# shows about 12 characters of the widgets' 13 px font before it cuts the rest to "...".
DEFAULT_DESCRIPTION_CHARS = 12


def description_style(descriptions: Iterable[str]) -> dict:
    """A ``style`` for a group of controls: one description width that fits them all.

    The width is in ``ch`` (the width of a digit), two more than the longest description,
    which leaves room for wide letters.

    Examples
    --------
    >>> description_style(["p", "Months of history"])
    {'description_width': '19ch'}
    """
    longest = max((len(str(d)) for d in descriptions), default=0)
    return {"description_width": f"{longest + 2}ch"}


def _cell(value, fmt: str | None, is_html: bool) -> str:
    if is_html:
        return str(value)
    if fmt is not None and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return html.escape(format(value, fmt))
    return html.escape(str(value))


# JupyterLab's own table colours (its CSS variables), with fallbacks for other front ends.
_TABLE = "border-collapse:collapse;border:none;font-size:12px;margin:4px 0;color:inherit"
_HEAD = (
    "text-align:right;vertical-align:bottom;font-weight:bold;padding:4px 8px;"
    "border-bottom:1px solid var(--jp-border-color1,#bdbdbd)"
)
_CELL = "text-align:right;padding:4px 8px;border:none"
_STRIPE = "background:var(--jp-rendermime-table-row-background,#f5f5f5)"


def html_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, str] | None = None,
    index: bool = True,
    html_columns: Collection[str] = (),
) -> str:
    """An HTML table of ``frame`` in the lesson-table style (pure function).

    Parameters
    ----------
    frame : DataFrame
        The rows to show; the column names are the header (say the unit there).
    formats : mapping, optional
        Format spec per column for numbers, e.g. ``{"used (hours)": ",.0f"}``.
    index : bool
        Show the index as a first, bold column (headed by the index name).
    html_columns : collection of str
        Columns whose values are HTML already (not escaped).

    Examples
    --------
    >>> t = pd.DataFrame({"used (hours)": [1234.5]}, index=pd.Index(["weld"], name="resource"))
    >>> out = html_table(t, formats={"used (hours)": ",.0f"})
    >>> "1,234" in out and ">weld</th>" in out and "<table" in out
    True
    """
    formats = dict(formats or {})
    columns = [str(c) for c in frame.columns]
    head = "".join(f"<th style='{_HEAD}'>{html.escape(c)}</th>" for c in columns)
    if index:
        head = f"<th style='{_HEAD}'>{html.escape(str(frame.index.name or ''))}</th>" + head
    rows = []
    for number, (label, row) in enumerate(frame.iterrows()):
        cells = "".join(
            f"<td style='{_CELL}'>{_cell(row[c], formats.get(str(c)), str(c) in html_columns)}</td>"
            for c in frame.columns
        )
        if index:
            cells = f"<th style='{_CELL};font-weight:bold'>{html.escape(str(label))}</th>" + cells
        stripe = f" style='{_STRIPE}'" if number % 2 == 0 else ""
        rows.append(f"<tr{stripe}>{cells}</tr>")
    return (
        f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
