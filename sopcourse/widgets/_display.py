"""How every explorer shows its controls, tables and charts (private: for the explorers).

* :func:`require_ipywidgets` imports ipywidgets, or says how to install it (a grading
  server has the package without the ``[lab]`` extra);
* :class:`ExplorerChart` is every explorer's chart: one matplotlib figure for the life of
  the widget, rendered to PNG bytes for an ``ipywidgets.Image`` in one way;
* :func:`description_style` gives a group of controls one description width, wide enough
  for the longest description, so that no label is cut ("Months of...") and the sliders
  of a group line up with tracks of equal length;
* :func:`html_table` renders a table in the style of a DataFrame in a JupyterLab lesson
  (no grid, a rule under the header, striped rows, numbers right-aligned), so that the
  explorers' tables look like each other and like the tables around them.
"""

from __future__ import annotations

import html
import io
import numbers
from collections.abc import Collection, Iterable, Mapping, Sequence

import pandas as pd

LAB_EXTRA = "pip install 'sopcourse[lab]'"

# The default description width of ipywidgets 8 (--jp-widgets-inline-label-width: 80px)
# shows about 12 characters of the widgets' 13 px font before it cuts the rest to "...".
DEFAULT_DESCRIPTION_CHARS = 12


def require_ipywidgets():
    """The ``ipywidgets`` module; an ImportError that says how to install it if missing.

    Examples
    --------
    >>> require_ipywidgets().__name__
    'ipywidgets'
    """
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError(
            "The course's explorers and concept-check widgets need ipywidgets, which comes "
            f"with the course's JupyterLab: {LAB_EXTRA}"
        ) from error
    return ipywidgets


class ExplorerChart:
    """An explorer's chart: one figure for the life of the widget, rendered to PNG bytes.

    The figure is made outside pyplot (a pyplot figure left open would also be shown
    under the widget). An update moves the chart's artists and calls :meth:`png`, which
    draws the figure and encodes the pixels, fast (light compression), at the figure's
    own resolution. A chart that moves only a few artists caches the rest once
    (:meth:`cache_background`); :meth:`png` then restores those pixels and draws only the
    moving artists on them (blitting), which keeps an update fast.

    Parameters
    ----------
    figsize : (float, float)
        Size in inches.
    dpi : float, optional
        Resolution (pixels per inch) of the figure and of the PNG; default: the style's.
    layout : str, optional
        Layout engine ("constrained", "tight", "none"); default: the style's. Lay out
        once and keep it with :meth:`freeze_layout`.
    margins : dict, optional
        Fixed margins (``Figure.subplots_adjust``), e.g. ``{"left": 0.1}``.

    Examples
    --------
    >>> chart = ExplorerChart((4, 2), dpi=50)
    >>> (line,) = chart.ax.plot([0, 1], [0, 1])
    >>> chart.png()[:4] == b"\\x89PNG"
    True
    >>> chart.cache_background([line])
    >>> line.set_ydata([1, 0])
    >>> chart.png()[:4] == b"\\x89PNG", line.get_visible()
    (True, True)
    >>> chart.close()
    """

    def __init__(self, figsize, dpi=None, *, layout=None, margins=None):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.subplots()
        if margins:
            self.fig.subplots_adjust(**margins)
        self._background = None
        self._animated: list = []

    @property
    def figure(self):
        """The matplotlib figure (also ``fig``)."""
        return self.fig

    def freeze_layout(self) -> None:
        """Lay the figure out once, then keep the axes where they are: the layout engine
        would lay out every label again, in extra drawing passes, on each update."""
        self.canvas.draw()
        self.fig.set_layout_engine("none")

    def cache_background(self, animated: Sequence) -> None:
        """Draw everything but the ``animated`` artists once and keep those pixels; from
        now on :meth:`png` draws only the ``animated`` artists on them. Call again after
        a change to the rest (e.g. new axis limits)."""
        self._animated = list(animated)
        shown = [artist.get_visible() for artist in self._animated]
        for artist in self._animated:
            artist.set_visible(False)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist, visible in zip(self._animated, shown, strict=True):
            artist.set_visible(visible)

    def png(self) -> bytes:
        """Draw the chart (or only its animated artists on the cached background) and
        return it as PNG bytes."""
        if self._background is None:
            self.canvas.draw()
        else:
            self.canvas.restore_region(self._background)
            for artist in self._animated:
                self.fig.draw_artist(artist)
        from PIL import Image

        size = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", size, self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def close(self) -> None:
        """Release the figure (it is not registered with pyplot, so nothing else holds it)."""
        self.fig.clear()


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
