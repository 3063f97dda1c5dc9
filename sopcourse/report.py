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
from functools import cache

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .plotting import COLORS

__all__: list[str] = []  # the review pack and the feedback pages call it; not lesson API


def table(df: pd.DataFrame, *, index: bool = True, classes: str = "", floatfmt="{:,.0f}") -> Markup:
    """A DataFrame as an HTML table: numbers formatted with ``floatfmt``, NaN blank, text escaped.

    >>> str(table(pd.DataFrame({"sku": ["<b>"], "units": [1234.5]}), index=False)).count("&lt;b&gt;")
    1
    """

    def fmt(v):
        if isinstance(v, float | np.floating):
            return "" if np.isnan(v) else floatfmt.format(v)
        return str(v)

    return Markup(
        df.to_html(
            index=index, classes=classes or None, border=0, float_format=fmt, na_rep="", escape=True
        )
    )


def png(fig, dpi: int = 90) -> Markup:
    """A matplotlib figure as an embedded ``<img>`` (base64 PNG), so a page is one file."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Markup(f'<img alt="chart" src="data:image/png;base64,{data}">')


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
    return env


def render(template: str, **context) -> str:
    """Render ``template`` (a file in ``sopcourse/templates/``) with ``context``."""
    return environment().get_template(template).render(**context)
