"""Interactive explorers (ipywidgets), one sub-module per lesson domain.

Explorers are thin: each one calls a pure function of a domain module (which the tests
call directly) and redraws. Every sub-module here lists its explorers in ``__all__``;
they are re-exported so that a lesson calls ``sop.widgets.<explorer>(...)``.
"""

from importlib import import_module as _import_module
from pkgutil import iter_modules as _iter_modules

__all__: list[str] = []
for _info in _iter_modules(__path__):
    if _info.name.startswith("_"):
        continue
    _module = _import_module(f"{__name__}.{_info.name}")
    for _public in getattr(_module, "__all__", []):
        globals()[_public] = getattr(_module, _public)
        __all__.append(_public)
