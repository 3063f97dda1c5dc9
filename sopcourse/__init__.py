"""sopcourse: the tested helper package of the S&OP course and analysis workbook.

Lessons, homework and the exam import only this stable public API::

    import sopcourse as sop
    sop.use_course_style()

Each domain module (``horizon``, ``revenue``, ``forecasting``, ``accuracy``, ``demand``,
``capacity``, ``inventory``, ``mrp``, ``optimize``, ``scenarios``, ``kpi``, ...) lists
its public names in ``__all__``; they are re-exported here. They are imported on first
use (``sop.forecast_all`` imports ``sopcourse.forecasting``), so ``import sopcourse``
costs next to nothing and a lesson pays only for what it uses; which module holds each
name is the table :data:`sopcourse._public_names.NAMES`, checked against the modules'
``__all__`` by ``tests/test_architecture.py``.
"""

from importlib import import_module as _import_module

from ._public_names import NAMES as _NAMES

__version__ = "0.1.0"

# Domain modules whose public names are re-exported, in dependency order (a name in two
# modules is the later one's). `python -m sopcourse._public_names` rewrites the table.
_PUBLIC_MODULES = [
    "plotting",
    "solver",
    "datasets",
    "horizon",
    "reconciliation",
    "revenue",
    "new_products",
    "intermittent_demand",
    "forecasting",
    "accuracy",
    "demand",
    "capacity",
    "inventory",
    "loss_functions",
    "policies",
    "single_period",
    "ss_policy",
    "multi_echelon",
    "mrp",
    "lot_sizing",
    "mps",
    "balancing",
    "optimize",
    "allocation",
    "transportation",
    "scenarios",
    "kpi",
    "variance",
    "kpi_review",
    "case",
    "selfcheck",
    "concepts",
    "cycle",
]

__all__ = ["__version__", *_NAMES]

# Loaded on first use too: ``sop.widgets``, ``sop.grading`` and ``sop.examples`` (the
# textbook instances, ``sop.examples.wyndor()``; not re-exported), and the domain modules
# themselves (``sop.datasets``).
_LAZY_SUBMODULES = {"widgets", "grading", "examples", "game", *_PUBLIC_MODULES}


def __getattr__(name):
    if name in _NAMES:
        value = getattr(_import_module(f"{__name__}.{_NAMES[name]}"), name)
        globals()[name] = value
        return value
    if name in _LAZY_SUBMODULES:
        module = _import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'sopcourse' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _LAZY_SUBMODULES)


def _import_all() -> None:
    """Import every domain module now (a grading zygote does, so each run starts warm)."""
    for name in _PUBLIC_MODULES:
        _import_module(f"{__name__}.{name}")
