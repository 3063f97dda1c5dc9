"""`sopcourse data template DIR`: empty tables with the validator's headers, and a README."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sopcourse.cli import main
from sopcourse.datasets import data_dir, load_company, validate_data
from sopcourse.datasets.schema import DTYPES, REQUIRED_TABLES, SCHEMA
from sopcourse.datasets.template import (
    _FORMAT,
    ANALYTICS_TABLES,
    CYCLE_READS,
    README,
    TemplateError,
    write_template,
)

EMPTY = "has a header but no rows: the table is empty"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    write_template(folder)
    return folder


def test_every_table_has_exactly_the_schema_header_and_no_rows(template):
    assert sorted(p.name for p in template.iterdir()) == sorted(
        [t.file for t in SCHEMA.values()] + [README]
    )
    for t in SCHEMA.values():
        text = (template / t.file).read_text(encoding="utf-8")
        assert text == ",".join(t.column_names) + "\n", t.name


def test_validate_reports_only_empty_tables_on_the_template(template):
    report = validate_data(template)
    assert sorted(report.tables) == sorted(SCHEMA)
    assert not report.warnings
    assert sorted(p.file for p in report.errors) == sorted(t.file for t in SCHEMA.values())
    assert all(EMPTY in p.message for p in report.errors), report.text()


def test_the_template_filled_with_the_tallridge_rows_validates_and_loads(tmp_path):
    write_template(tmp_path)
    for t in SCHEMA.values():
        rows = (data_dir() / t.file).read_text(encoding="utf-8").splitlines(keepends=True)[1:]
        with open(tmp_path / t.file, "a", encoding="utf-8", newline="") as fh:
            fh.writelines(rows)
    report = validate_data(tmp_path)
    assert report.ok and not report.warnings, report.text()
    company = load_company(data_dir=tmp_path)
    reference = load_company(seed=0)
    for name in SCHEMA:
        assert getattr(company, name).equals(getattr(reference, name)), name


def test_the_readme_names_every_table_and_column_with_an_example_row(template):
    text = (template / README).read_text(encoding="utf-8")
    for t in SCHEMA.values():
        assert f"## {t.name}\n" in text
        section = text.split(f"## {t.name}\n", 1)[1].split("\n## ", 1)[0]
        assert t.grain in section and t.description in section
        for c in t.columns:
            assert f"| `{c.name}` | {c.dtype}: " in section, (t.name, c.name)
            assert c.description in section
        header = (data_dir() / t.file).read_text(encoding="utf-8").splitlines()[:2]
        assert "```csv\n" + "\n".join(header) + "\n```" in section, t.name
        assert ("**required**" in section) == (t.name in REQUIRED_TABLES)


def test_the_readme_says_which_steps_read_each_table(template):
    text = (template / README).read_text(encoding="utf-8")
    for step, table, _ in CYCLE_READS:
        section = text.split(f"## {table}\n", 1)[1].split("\n## ", 1)[0]
        assert f"`sopcourse cycle`, {step}:" in section


def test_what_the_template_says_the_steps_read_matches_the_code():
    from sopcourse.case import PLANNING_TABLES, REVIEW_TABLES, STEP_TABLES
    from sopcourse.cycle import CYCLE_STEPS

    assert ANALYTICS_TABLES == STEP_TABLES
    assert set(_FORMAT) == DTYPES
    assert {s for s, _, _ in CYCLE_READS} == set(CYCLE_STEPS)
    assert {t for _, t, _ in CYCLE_READS} <= set(SCHEMA)
    by_step = {s: {t for s2, t, _ in CYCLE_READS if s2 == s} for s in CYCLE_STEPS}
    assert set(PLANNING_TABLES) <= by_step["supply review"]
    assert set(REVIEW_TABLES) <= by_step["executive review"]
    assert set(REQUIRED_TABLES) <= by_step["data gathering"]
    # every table the cycle reads (company.<table>) is in CYCLE_READS
    source = (Path(__file__).parents[1] / "sopcourse" / "cycle.py").read_text()
    read = set(re.findall(r"company\.([a-z_]+)", source)) & set(SCHEMA)
    assert read <= {t for _, t, _ in CYCLE_READS}


def test_a_non_empty_folder_is_refused_and_left_alone(tmp_path):
    mine = tmp_path / "notes.txt"
    mine.write_text("mine")
    with pytest.raises(TemplateError, match="not empty"):
        write_template(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    file = tmp_path / "a_file"
    file.write_text("")
    with pytest.raises(TemplateError, match="is a file"):
        write_template(file)


def test_force_never_replaces_a_table_with_rows_or_a_foreign_readme(tmp_path):
    shutil.copy(data_dir() / "plants.csv", tmp_path / "plants.csv")
    before = (tmp_path / "plants.csv").read_bytes()
    paths = write_template(tmp_path, force=True)  # the other tables and the README
    assert "plants.csv" not in [p.name for p in paths] and len(paths) == len(SCHEMA)
    assert (tmp_path / "plants.csv").read_bytes() == before
    for p in paths[:-1]:
        p.unlink()
    # only the other tables: written beside it, plants.csv untouched
    paths = write_template(tmp_path, tables=["regions", "sales"], force=True)
    assert [p.name for p in paths] == ["regions.csv", "sales.csv", README]
    assert (tmp_path / "plants.csv").read_bytes() == before
    # a header-only table and the template's own README are replaced with --force
    assert write_template(tmp_path, tables=["regions"], force=True)
    (tmp_path / README).write_text("my own notes\n")
    with pytest.raises(TemplateError, match="not written by"):
        write_template(tmp_path, tables=["regions"], force=True)
    assert (tmp_path / README).read_text() == "my own notes\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sopcourse-")]


def test_unknown_tables_are_refused(tmp_path):
    with pytest.raises(TemplateError, match="unknown table.*nope"):
        write_template(tmp_path / "new", tables=["sales", "nope"])
    assert not (tmp_path / "new").exists()


def test_the_command_end_to_end(tmp_path, capsys):
    out = tmp_path / "mydata"
    assert main(["data", "template", str(out), "--table", "sales", "--table", "products"]) == 0
    printed = capsys.readouterr().out
    assert "wrote 2 empty table(s)" in printed and "sopcourse data validate" in printed
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "products.csv", "sales.csv"]
    assert main(["data", "template", str(out)]) == 1
    assert "not empty" in capsys.readouterr().err
    shutil.copy(data_dir() / "sales.csv", out / "sales.csv")
    assert main(["data", "template", str(out), "--force"]) == 0
    printed = capsys.readouterr().out
    assert "kept as they are (they have rows): sales.csv" in printed
    assert (out / "sales.csv").read_bytes() == (data_dir() / "sales.csv").read_bytes()
    assert main(["data", "validate", str(out)]) == 1
    assert "products.csv: has a header but no rows" in capsys.readouterr().out
