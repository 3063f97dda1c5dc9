"""``CycleResult.coverage``: what one S&OP cycle ran on, on a minimal folder (only the
required tables) and on the full committed data, and its place on the review pack's
first page."""

from __future__ import annotations

import shutil

import pytest

from sopcourse import cli
from sopcourse.case import PLANNING_TABLES, REVIEW_TABLES
from sopcourse.cycle import run_cycle
from sopcourse.cycle_coverage import CAPACITY_UNKNOWN, REQUIRED, STEP_READS
from sopcourse.datasets import data_dir
from sopcourse.datasets.schema import SCHEMA


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minimal")
    for name in REQUIRED:
        shutil.copy(data_dir() / f"{name}.csv", folder / f"{name}.csv")
    return folder, run_cycle(folder, families=["city"], horizon=3)


def rows(result) -> dict:
    return result.coverage.steps.set_index("step").to_dict("index")


def test_minimal_folder_says_which_steps_ran_and_which_table_unlocks_them(minimal):
    folder, r = minimal
    steps = rows(r)
    assert list(steps) == [s for s, _ in STEP_READS]
    assert steps["data gathering"]["outcome"] == "ran fully"
    assert steps["data gathering"]["tables read"] == "products, regions, sales"
    assert steps["statistical forecast"]["outcome"] == "ran fully"
    demand = steps["demand review (consensus)"]
    assert (
        demand["outcome"] == "simplified"
        and demand["tables to add"] == "sales_plan, forecast_snapshots"
    )
    assert "consensus = statistical forecast" in demand["detail"]
    supply = steps["supply review"]
    assert supply["outcome"] == "simplified"
    assert CAPACITY_UNKNOWN in supply["detail"]
    add = supply["tables to add"].split(", ")
    assert add == [t for t in PLANNING_TABLES if not (folder / f"{t}.csv").exists()]
    assert add and all(t in SCHEMA for t in add)
    assert steps["pre-S&OP: gap to target"]["outcome"] == "skipped"
    assert steps["pre-S&OP: gap to target"]["tables to add"] == "targets, pipeline"
    assert steps["executive review (KPIs)"]["outcome"] == "skipped"
    review = steps["executive review (KPIs)"]
    assert review["tables to add"].split(", ") == [t for t in REVIEW_TABLES if t not in REQUIRED]
    assert review["tables read"] == ""  # skipped: it read nothing
    assert steps["financial projection"]["outcome"] == "simplified"


def test_minimal_folder_gets_an_unconstrained_supply_plan_of_the_consensus(minimal):
    _, r = minimal
    free = r.coverage.unconstrained_supply
    assert r.plan is None and free is not None
    by = r.consensus.groupby(["family", "month"])["consensus"].sum()
    assert free.set_index(["family", "month"])["demand"].to_dict() == by.to_dict()
    assert (free["production"] == free["demand"]).all()  # no inventory table: no stock
    assert r.financial_plan["revenue"].sum() > 0


def test_the_coverage_section_comes_before_the_demand_review(minimal, tmp_path):
    _, r = minimal
    out = r.write(tmp_path / "pack.html")
    text = out.read_text(encoding="utf-8")
    # on the first page: right after the page of decisions, before the five steps
    coverage = text.index('id="coverage"')
    assert text.index('id="decisions"') < coverage < text.index('id="data-gathering"')
    assert coverage < text.index('id="demand-review"')
    assert CAPACITY_UNKNOWN in text and "consensus = statistical forecast" in text


def test_the_command_prints_the_coverage_in_its_summary(minimal, tmp_path, capsys):
    folder, _ = minimal
    out = tmp_path / "pack.html"
    code = cli.main(["cycle", str(folder), "--out", str(out), "--family", "city", "--horizon", "2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "What this cycle ran on" in printed
    assert "supply review" in printed and "(add routings.csv, work_centres.csv," in printed


def test_unconstrained_supply_uses_up_the_opening_stock(minimal, tmp_path):
    folder, _ = minimal
    mine = tmp_path / "with_stock"
    shutil.copytree(folder, mine)
    shutil.copy(data_dir() / "inventory.csv", mine / "inventory.csv")
    r = run_cycle(mine, families=["city"], horizon=3)
    free = r.coverage.unconstrained_supply
    assert free["opening_stock"].sum() > 0
    assert (free["production"] == free["demand"] - free["opening_stock"]).all()
    assert (free["production"] >= 0).all()


def test_the_full_committed_data_runs_every_step(tmp_path):
    r = run_cycle(data_dir(), families=["city"], horizon=3)
    steps = r.coverage.steps
    assert (steps["outcome"] == "ran fully").all(), steps
    assert (steps["tables to add"] == "").all()
    assert r.coverage.unconstrained_supply is None


def test_a_partial_cycle_does_not_claim_that_no_decision_is_needed(minimal):
    _, r = minimal
    page = r.to_html()
    assert "the plan meets target" not in page
    assert "No decision found in what this cycle could check" in page
