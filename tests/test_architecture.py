"""The package's shape, kept true: no import cycle, no module or function too long to read,
every module named in docs/architecture.md, and grading without the [lab] extra.

The import graph is read with the standard library's ``ast`` from the source, so it sees
every ``import`` and ``from ... import`` of a module, at the top and inside functions alike
(a function-level import is still a dependency: it only hides a cycle until run time).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "sopcourse"
MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 120


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports anywhere in its source."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            submodules = [f"{target}.{alias.name}" for alias in node.names]
            # `from . import plotting` loads only the submodule (the package is loaded
            # already); `from .datasets import load_company` runs datasets/__init__.py.
            if all(s in MODULES for s in submodules) and module.startswith(target + "."):
                targets = submodules
            else:
                targets = [target] + submodules
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != module)
    if module == "sopcourse":  # imports its domain modules by name, in a loop
        found.update(f"sopcourse.{m}" for m in _public_modules() if f"sopcourse.{m}" in MODULES)
    return found


def _public_modules() -> list[str]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_PUBLIC_MODULES":
            return list(ast.literal_eval(node.value))
    raise AssertionError("sopcourse/__init__.py no longer has _PUBLIC_MODULES; update this test")


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_imports_inside_functions(tmp_path, monkeypatch):
    fake = tmp_path / "sopcourse" / "fake.py"
    fake.parent.mkdir()
    fake.write_text("def f():\n    from . import plotting\n    from .datasets import load\n")
    monkeypatch.setitem(MODULES, "sopcourse.fake", fake)
    assert imports_of("sopcourse.fake") == {
        "sopcourse.plotting",
        "sopcourse.datasets",
        "sopcourse.datasets.load",
    }
    assert "sopcourse.datasets" in imports_of("sopcourse")


def test_no_import_cycle_among_the_package_modules():
    graph = {m: imports_of(m) for m in MODULES}
    cycles = import_cycles(graph)
    assert not cycles, "import cycles (each a set of modules that import each other): " + "; ".join(
        " <-> ".join(c) for c in cycles
    )


def _too_long():
    modules, functions = [], []
    for name, path in MODULES.items():
        text = path.read_text()
        lines = text.count("\n") + (not text.endswith("\n"))
        if lines > MAX_MODULE_LINES:
            modules.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    functions.append(f"{name}.{node.name}: {length} lines")
    return modules, functions


def test_no_module_over_900_lines():
    modules, _ = _too_long()
    assert not modules, f"split these modules (at most {MAX_MODULE_LINES} lines): {modules}"


def test_no_function_over_120_lines():
    _, functions = _too_long()
    assert not functions, (
        f"split these functions into named steps (at most {MAX_FUNCTION_LINES} lines from "
        f"the def to the last line, docstring included): {functions}"
    )


def test_docs_architecture_names_every_module():
    text = (REPO / "docs" / "architecture.md").read_text()
    missing = [
        str(path.relative_to(REPO))
        for name, path in MODULES.items()
        if path.name != "__init__.py" and f"`{path.relative_to(PACKAGE).as_posix()}`" not in text
    ]
    assert not missing, (
        "docs/architecture.md does not describe these modules; add a line for each, written "
        f"as `path/inside/sopcourse.py`: {missing}"
    )


def test_jupyterlab_and_ipywidgets_are_the_lab_extra():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"])
    assert "jupyterlab" not in core and "ipywidgets" not in core
    lab = " ".join(project["optional-dependencies"]["lab"])
    assert "jupyterlab" in lab and "ipywidgets" in lab


@pytest.mark.slow
def test_the_package_and_the_grader_import_without_the_lab_extra():
    """A grading server installs the package without [lab]: nothing it runs needs Lab."""
    code = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class NoLab:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"jupyterlab", "ipywidgets", "notebook"}:
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        sys.meta_path.insert(0, NoLab())
        import sopcourse, sopcourse.grading
        for info in pkgutil.walk_packages(sopcourse.grading.__path__, "sopcourse.grading."):
            importlib.import_module(info.name)
        import sopcourse.cli, sopcourse.cycle, sopcourse.datasets
        sopcourse.cli.main(["grade", "--help"])
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "usage" in run.stdout.lower()


def test_the_table_of_public_names_is_up_to_date():
    from sopcourse import _public_names

    assert _public_names.NAMES == _public_names.current(), (
        "sopcourse/_public_names.py is out of date: run `python -m sopcourse._public_names`"
    )


def test_import_sopcourse_imports_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys, sopcourse\n"
        "heavy = {'pandas', 'numpy', 'scipy', 'statsmodels', 'matplotlib', 'pulp'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
