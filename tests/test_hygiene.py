"""Repository hygiene: stripped, valid notebooks; sane file names; one dependency list."""

import re
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p
    for folder in ("notebooks", "assignments", "exams")
    for p in (REPO / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
IDS = [str(p.relative_to(REPO)) for p in NOTEBOOKS]


def test_the_course_ships_notebooks():
    assert (REPO / "notebooks" / "00_start_here.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_without_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} keep outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_valid_nbformat(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_kernel_exists_in_the_environment(path):
    nb = nbformat.read(path, as_version=4)
    name = nb.metadata.get("kernelspec", {}).get("name")
    assert name in KernelSpecManager().find_kernel_specs(), (
        f"{path.name} asks for kernel {name!r}, which this environment does not have"
    )


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return out.splitlines()


def test_file_names_are_ascii_without_spaces():
    bad = [f for f in _tracked_files() if not f.isascii() or " " in f]
    assert not bad, f"rename these files (ASCII, no spaces): {bad}"


def test_no_checkpoints_caches_or_build_output_are_committed():
    pattern = re.compile(
        r"(^|/)(\.ipynb_checkpoints|__pycache__|\.pytest_cache|\.ruff_cache|\.venv|build|dist)(/|$)"
        r"|\.pyc$|\.egg-info(/|$)"
    )
    bad = [f for f in _tracked_files() if pattern.search(f)]
    assert not bad, f"these should not be committed: {bad}"


def _requirement_specs(lines):
    specs = {}
    for line in lines:
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$", line)
        name, spec = m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")
        specs[name] = spec
    return specs


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = _requirement_specs(
        project["dependencies"]
        + project["optional-dependencies"]["lab"]
        + project["optional-dependencies"]["test"]
        + project["optional-dependencies"]["dask"]
        + project["optional-dependencies"]["postgres"]
    )
    conda = []
    in_pip = False
    text = (REPO / "environment.yml").read_text().split("dependencies:", 1)[1]
    for raw in text.splitlines():
        line = raw.split("#")[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^\s*-\s*pip:\s*$", line):
            in_pip = True
            continue
        if in_pip:
            m = re.match(r"^\s{6,}-\s+(.+)$", line)
            if m:
                if not m.group(1).startswith("-e"):  # the package itself
                    conda.append(m.group(1))
                continue
            in_pip = False
        m = re.match(r"^\s{2}-\s+(.+)$", line)
        if m:
            conda.append(m.group(1))
    listed = _requirement_specs(conda)
    listed.pop("python", None)
    listed.pop("pip", None)
    assert listed == wanted, (
        "environment.yml and pyproject.toml disagree; make environment.yml list exactly the "
        f"packages and version ranges of pyproject.toml.\nonly in environment.yml: "
        f"{ {k: v for k, v in listed.items() if wanted.get(k) != v} }\nonly in pyproject.toml: "
        f"{ {k: v for k, v in wanted.items() if listed.get(k) != v} }"
    )


def test_environment_yml_installs_the_package_itself():
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s+-\s+-e\s+\.\s*$", text, flags=re.M)


def test_every_dependency_has_a_lower_and_an_upper_bound():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for req in (
        project["dependencies"]
        + project["optional-dependencies"]["lab"]
        + project["optional-dependencies"]["test"]
        + project["optional-dependencies"]["dask"]
        + project["optional-dependencies"]["postgres"]
    ):
        assert ">=" in req and "<" in req.replace("<=", ""), f"{req}: give a range like >=1.2,<2"
