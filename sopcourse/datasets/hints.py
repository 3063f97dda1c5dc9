"""What a problem of :mod:`.validate` suggests: the near spelling of a value, the list of
the values that are allowed, and where the columns of each table are described.

>>> near("Valves", ["valves", "actuators"]), near("valvs", ["valves", "actuators"])
('valves', 'valves')
>>> near("pumps", ["valves", "actuators"]) is None
True
>>> listing(["valves", "actuators"]), listing([f"S{i}" for i in range(12)], limit=3)
('valves, actuators', 'S0, S1, S2 ... (12 in all)')
"""

from __future__ import annotations

import difflib
from pathlib import Path

__all__: list[str] = []  # used by validate; not lesson API

#: The first line of a README written by ``sopcourse data template``.
TEMPLATE_MARK = "<!-- written by `sopcourse data template`"


def near(value: str, known) -> str | None:
    """The known value ``value`` most likely means: the same in another case, else the
    closest spelling (difflib ratio 0.75 or more), else None."""
    known = [str(k) for k in dict.fromkeys(known)]
    lowered = {k.lower(): k for k in known}
    text = str(value).lower()
    if text in lowered:
        return lowered[text]
    close = difflib.get_close_matches(text, list(lowered), n=1, cutoff=0.75)
    return lowered[close[0]] if close else None


def listing(known, limit: int = 8) -> str:
    """The distinct values, in order, at most ``limit`` of them and how many in all."""
    values = [str(k) for k in dict.fromkeys(known)]
    shown = ", ".join(values[:limit])
    return shown if len(values) <= limit else f"{shown} ... ({len(values)} in all)"


def columns_doc(folder: Path) -> str:
    """Where the columns of each table are described, for a problem of ``folder``: its
    own README when ``sopcourse data template`` wrote one, else the command that does."""
    readme = Path(folder) / "README.md"
    try:
        mine = readme.is_file() and readme.read_text(encoding="utf-8").startswith(TEMPLATE_MARK)
    except (OSError, UnicodeDecodeError):
        mine = False
    if mine:
        return f"see {readme.name} in this folder"
    return "`sopcourse data template DIR` writes a README of every table's columns"


def table_for(name: str, tables) -> str | None:
    """The table a file or sheet name probably holds (``Sales data`` -> ``sales``), or None.

    >>> table_for("Sales data", ["products", "sales"]), table_for("prodcts", ["products"])
    ('sales', 'products')
    """
    text = str(name).lower().replace(" ", "_").replace("-", "_")
    found = near(text, tables)
    if found is not None:
        return found
    inside = [t for t in tables if t in text.split("_") or text.startswith(t)]
    return max(inside, key=len) if inside else None


def rename_hint(name: str, tables, suffix: str = "") -> str:
    """How to have ``name`` read: rename it after its table."""
    guess = table_for(name, tables)
    if guess is not None:
        return f"rename it {guess}{suffix} to read it as the {guess} table"
    return f"rename it after the table it holds to read it (the tables: {listing(tables, 6)})"
