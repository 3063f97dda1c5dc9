"""sopcourse: the tested helper package of the S&OP course and analysis workbook.

Lessons, homework and the exam import only this stable public API::

    import sopcourse as sop
    sop.use_course_style()

Each domain module (``horizon``, ``revenue``, ``forecasting``, ``accuracy``, ``demand``,
``capacity``, ``inventory``, ``mrp``, ``optimize``, ``scenarios``, ``kpi``, ...) lists
its public names in ``__all__``; they are re-exported here.
"""

from importlib import import_module as _import_module

__version__ = "0.1.0"

# Domain modules whose public names are re-exported, in dependency order.
_PUBLIC_MODULES = [
    "plotting",
    "solver",
    "datasets",
    "horizon",
    "revenue",
    "new_products",
    "intermittent_demand",
    "forecasting",
    "accuracy",
    "demand",
    "capacity",
    "inventory",
    "mrp",
    "balancing",
    "optimize",
    "allocation",
    "scenarios",
    "kpi",
    "variance",
    "kpi_review",
    "case",
    "selfcheck",
    "concepts",
    "cycle",
]

__all__ = ["__version__"]
for _name in _PUBLIC_MODULES:
    try:
        _module = _import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a domain module not written yet
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    for _public in getattr(_module, "__all__", []):
        globals()[_public] = getattr(_module, _public)
        __all__.append(_public)
del _name

# Loaded on first use: ``sop.widgets``, ``sop.grading`` (heavier imports) and
# ``sop.examples`` (the textbook instances, ``sop.examples.wyndor()``; not re-exported).
_LAZY_SUBMODULES = {"widgets", "grading", "examples"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        module = _import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'sopcourse' has no attribute {name!r}")
