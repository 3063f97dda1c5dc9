"""Writing a file so that no reader ever sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path, text: str, *, make_folder: bool = False) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then
    ``os.replace``: a reader (or a crash) sees the old file or the new one, never half.

    ``make_folder`` creates the missing folders first; otherwise a missing folder is an
    error, as for ``open``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
