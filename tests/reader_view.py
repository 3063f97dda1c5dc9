"""Hide the code a reader does not need: CI checks and long plotting code.

A lesson should read as prose, formula, chart, exercise. Two kinds of code cell get in the
way, and this tool collapses their input (the output stays visible):

* **check cells**: the ``assert`` cells that let CI verify the lesson's claims. A cell is a
  check cell when all its statements are ``assert`` (comments ignored), or when it holds
  only ``assert`` and assignments whose names no later cell uses (the assignments only feed
  the asserts);
* **plot cells**: a cell whose job is to draw a chart (it makes a figure and its last
  statement is a plotting call) and that is longer than ``PLOT_LINES`` lines of code,
  unless it also defines a name that a later visible cell reads.

A hidden cell gets ``"jupyter": {"source_hidden": true}`` in its metadata (JupyterLab
collapses the input) and the tag ``hide-input`` (Jupyter Book / MyST hide it on a
published site). A cell tagged ``show-input`` is left alone: use it for a long plotting
cell the reader should see. Exercise and explorer cells are never hidden.

Usage::

    python tests/reader_view.py notebooks/*.ipynb          # apply
    python tests/reader_view.py --check notebooks/*.ipynb  # list cells still to hide

``tests/test_reader_view.py`` fails when a lesson has a check or plot cell that is not
hidden, so the rule holds for future edits.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

HIDE_TAG = "hide-input"
SHOW_TAG = "show-input"
PLOT_LINES = 8

_FIGURE_MAKERS = ("plt.subplots", "plt.figure", ".plot(", ".plot.", "sop.plot_")
_PLOT_METHODS = {
    "plot",
    "bar",
    "barh",
    "scatter",
    "hist",
    "legend",
    "axhline",
    "axvline",
    "axhspan",
    "axvspan",
    "tick_params",
    "invert_yaxis",
    "invert_xaxis",
    "xaxis_date",
    "annotate",
    "text",
    "grid",
    "tight_layout",
    "colorbar",
}


def _parse(source: str) -> ast.Module | None:
    # IPython magics and shell escapes are not Python; such a cell is never classified.
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def is_assert_only(source: str) -> bool:
    """True if every statement of the cell is an ``assert`` (comments ignored)."""
    tree = _parse(source)
    return bool(tree and tree.body) and all(isinstance(s, ast.Assert) for s in tree.body)


def _assigned_names(statement: ast.stmt) -> set[str]:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _loaded_names(source: str) -> set[str]:
    """Names a cell reads from earlier cells (read, and not assigned in the cell itself)."""
    tree = _parse(source)
    if tree is None:  # be safe: a cell we cannot read might use anything
        return {"*"}
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    stored = {n.id for n in names if isinstance(n.ctx, ast.Store)}
    return {n.id for n in names if isinstance(n.ctx, ast.Load)} - stored


def is_check_cell(source: str, later_sources: list[str] = ()) -> bool:
    """True for a cell that only checks: asserts, plus assignments no later cell reads."""
    if is_assert_only(source):
        return True
    tree = _parse(source)
    if tree is None or not any(isinstance(s, ast.Assert) for s in tree.body):
        return False
    assigns = (ast.Assign, ast.AugAssign, ast.AnnAssign)
    if not all(isinstance(s, (ast.Assert, *assigns)) for s in tree.body):
        return False
    names = set().union(*(_assigned_names(s) for s in tree.body if isinstance(s, assigns)))
    used_later = set().union(*(_loaded_names(s) for s in later_sources))
    return "*" not in used_later and not (names & used_later)


def _code_lines(source: str) -> int:
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def _is_plot_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        name = func.attr
        owner = ast.unparse(func.value)
        return (
            name.startswith("set_")
            or name in _PLOT_METHODS
            or owner in ("plt", "ax", "fig")
            or owner.endswith(".plot")
            or name.startswith("plot_")
        )
    return isinstance(func, ast.Name) and func.id.startswith("plot")


def is_plot_cell(source: str, min_lines: int = PLOT_LINES) -> bool:
    """True for a cell longer than ``min_lines`` lines whose job is drawing a chart."""
    tree = _parse(source)
    if tree is None or not tree.body or _code_lines(source) <= min_lines:
        return False
    if not any(maker in source for maker in _FIGURE_MAKERS):
        return False
    last = tree.body[-1]
    return isinstance(last, ast.Expr) and _is_plot_call(last.value)


def is_learner_cell(source: str) -> bool:
    """Exercises (``...`` placeholders, self-checks) and explorers: the reader must see them."""
    return "check_exercise" in source or "sop.widgets" in source or "= ..." in source


def is_hidden(cell) -> bool:
    """True if the cell's input is collapsed in JupyterLab and tagged for Jupyter Book."""
    return bool(
        cell.metadata.get("jupyter", {}).get("source_hidden")
    ) and HIDE_TAG in cell.metadata.get("tags", [])


def cells_to_hide(nb) -> list[tuple[int, str]]:
    """(index, reason) of every code cell the reader's view should collapse.

    A plot cell that also computes something a later visible cell reads stays visible:
    the reader must be able to see where that name comes from.
    """
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    kind = {}
    for position, (i, cell) in enumerate(code):
        if SHOW_TAG in cell.metadata.get("tags", []) or is_learner_cell(cell.source):
            continue
        later = [c.source for _, c in code[position + 1 :]]
        if is_check_cell(cell.source, later):
            kind[i] = "check"
        elif is_plot_cell(cell.source):
            kind[i] = "plot"
    for position, (i, cell) in enumerate(code):
        if kind.get(i) != "plot":
            continue
        tree = _parse(cell.source)
        assigns = (ast.Assign, ast.AugAssign, ast.AnnAssign)
        names = set().union(*(_assigned_names(s) for s in tree.body if isinstance(s, assigns)))
        visible_later = [c.source for j, c in code[position + 1 :] if j not in kind]
        read_later = set().union(*(_loaded_names(s) for s in visible_later))
        if "*" in read_later or names & read_later:
            del kind[i]
    return sorted(kind.items())


def hide(cell) -> bool:
    """Collapse the cell's input and tag it; True if the cell changed."""
    before = (dict(cell.metadata.get("jupyter", {})), list(cell.metadata.get("tags", [])))
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    tags = cell.metadata.setdefault("tags", [])
    if HIDE_TAG not in tags:
        tags.append(HIDE_TAG)
    return before != (dict(cell.metadata["jupyter"]), list(cell.metadata["tags"]))


def apply(path: Path) -> dict[str, int]:
    """Hide the check and plot cells of one notebook in place; count them by reason."""
    nb = nbformat.read(path, as_version=4)
    counts = {"check": 0, "plot": 0}
    changed = False
    for i, reason in cells_to_hide(nb):
        counts[reason] += 1
        changed |= hide(nb.cells[i])
    if changed:
        nbformat.write(nb, path)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not change")
    args = parser.parse_args(argv)
    missing = 0
    for path in args.notebooks:
        if args.check:
            nb = nbformat.read(path, as_version=4)
            for i, reason in cells_to_hide(nb):
                if not is_hidden(nb.cells[i]):
                    missing += 1
                    print(f"{path}: cell {i} ({nb.cells[i].id}, {reason}) is not hidden")
        else:
            counts = apply(path)
            print(f"{path}: {counts['check']} check cells, {counts['plot']} plot cells hidden")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
