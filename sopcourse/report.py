"""HTML pages from Jinja2 templates: the review pack of ``sopcourse cycle`` and the
grader's feedback pages share one base template, one style sheet and the course colours.

Templates live in ``sopcourse/templates/``; every page extends ``base.html.j2``. Text is
escaped by default (``autoescape``): a student's error message or a company's product name
can never become markup. Mark trusted HTML (a rendered table, an embedded chart) with
:func:`markupsafe.Markup` or the ``table`` filter.

>>> page = render("base.html.j2", title="A & B")
>>> "<title>A &amp; B</title>" in page
True
>>> COLORS["primary"] in page
True
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .plotting import COLORS

__all__: list[str] = []  # the review pack and the feedback pages call it; not lesson API


def table(
    df: pd.DataFrame,
    *,
    index: bool = True,
    classes: str = "",
    floatfmt="{:,.0f}",
    na_rep: str = "",
    trusted: Sequence[str] = (),
) -> Markup:
    """A DataFrame as an HTML table: numbers formatted with ``floatfmt``, NaN shown as
    ``na_rep`` (blank), text escaped, except in the ``trusted`` columns, whose cells are
    HTML already (e.g. :func:`status` spans).

    >>> str(table(pd.DataFrame({"sku": ["<b>"], "units": [1234.5]}), index=False)).count("&lt;b&gt;")
    1
    >>> card = pd.DataFrame({"kpi": ["a<b"], "status": [status("red")]})
    >>> html = str(table(card, index=False, trusted=["status"]))
    >>> '<span class="red">red</span>' in html and "a&lt;b" in html
    True
    """

    def fmt(v):
        if isinstance(v, float | np.floating):
            return na_rep if np.isnan(v) else floatfmt.format(v)
        return str(v)

    if trusted:
        df = _escaped(df, keep=set(trusted))
    html = df.to_html(
        index=index,
        classes=classes or None,
        border=0,
        float_format=fmt,
        na_rep=na_rep,
        escape=not trusted,
    )
    return Markup(html)


def _escaped(df: pd.DataFrame, keep: set) -> pd.DataFrame:
    """``df`` with every text cell, index value and label HTML-escaped, except the ``keep``
    columns (for ``to_html(escape=False)``)."""

    def text(values):
        return [v if pd.isna(v) else escape(str(v)) for v in values]

    missing = keep - set(df.columns)
    if missing:
        raise ValueError(f"trusted columns {sorted(missing)} are not in the table.")
    out = df.copy()
    for column in df.columns:
        if column not in keep and not pd.api.types.is_numeric_dtype(df[column]):
            out[column] = pd.Series(text(df[column]), index=df.index, dtype=object)
    out.columns = pd.Index([escape(str(c)) for c in df.columns], name=df.columns.name)
    levels = [
        level if pd.api.types.is_numeric_dtype(level) else pd.Index(text(level), dtype=object)
        for level in (df.index.levels if df.index.nlevels > 1 else [df.index])
    ]
    names = [None if n is None else escape(str(n)) for n in df.index.names]
    if df.index.nlevels > 1:
        out.index = df.index.set_levels(levels).set_names(names)
    else:
        out.index = pd.Index(levels[0], name=names[0])
    return out


def status(value: str) -> Markup:
    """A traffic-light word (``red``, ``amber``, ``green``; ``correct``, ``wrong``) as a
    span whose CSS class (in ``base.html.j2``) gives it the course colour.

    >>> status("amber")
    Markup('<span class="amber">amber</span>')
    """
    return Markup('<span class="{0}">{0}</span>').format(value)


def png(fig, dpi: int = 90) -> Markup:
    """A matplotlib figure as an embedded ``<img>`` (base64 PNG), so a page is one file."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Markup(f'<img src="data:image/png;base64,{data}" alt="chart">')


@cache
def environment() -> Environment:
    """The Jinja2 environment of the package's templates (autoescaped, strict undefined)."""
    env = Environment(
        loader=PackageLoader("sopcourse", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["colors"] = COLORS
    env.filters["table"] = table
    env.filters["status"] = status
    return env


def render(template: str, **context) -> str:
    """Render ``template`` (a file in ``sopcourse/templates/``) with ``context``."""
    return environment().get_template(template).render(**context)
