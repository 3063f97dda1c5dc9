"""``sopcourse cycle`` and ``sopcourse.cycle.run_cycle``: one monthly S&OP cycle, end to end.

The full default cycle on the Tallridge data runs once (the ``full`` fixture, through the
command line); the other tests use a few families and a short horizon to stay quick.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import cli, cycle
from sopcourse.cycle import CYCLE_STEPS, run_cycle

SECTION_IDS = [
    "decisions",
    "data-gathering",
    "demand-review",
    "supply-review",
    "financial-reconciliation",
    "executive-review",
]


class _Page(HTMLParser):
    """Collects what the tests look at: ids, image sources, links, scripts, tables."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.images, self.urls, self.tags = [], [], [], []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._open = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        for key in ("src", "href"):
            if key in a:
                self.urls.append(a[key])
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def table_with(self, header: str) -> list[list[str]]:
        for t in self.tables:
            if t and header in t[0]:
                return t
        raise AssertionError(f"no table with a {header!r} column")


def parse(path: Path) -> tuple[str, _Page]:
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    return text, page


def assert_self_contained_pack(path: Path, *, with_review: bool = True) -> _Page:
    text, page = parse(path)
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    needed = SECTION_IDS if with_review else SECTION_IDS[:-1]
    assert [i for i in page.ids if i in needed] == needed
    assert page.images, "the pack has at least one chart"
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"https?://", text), "no external references"
    assert "script" not in page.tags and "link" not in page.tags
    assert all(u.startswith(("#", "data:image/png;base64,")) for u in page.urls)
    return page


def run_cli(*argv) -> int:
    return cli.main(["cycle", *map(str, argv)])


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """The full default cycle on the Tallridge data, once, through the command line;
    the CycleResult is caught on its way to the HTML writer."""
    out = tmp_path_factory.mktemp("full") / "review.html"
    caught = {}
    real = cycle.run_cycle

    def spy(*args, **kwargs):
        caught["result"] = real(*args, **kwargs)
        return caught["result"]

    mp = pytest.MonkeyPatch()
    mp.setattr(cycle, "run_cycle", spy)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run_cli("--out", out)
    mp.undo()
    return {"code": code, "out": out, "stderr": err.getvalue(), "result": caught["result"]}


# --------------------------------------------------------------------------- full cycle
def test_full_default_cycle_writes_one_self_contained_html_pack(full):
    assert full["code"] == 0
    page = assert_self_contained_pack(full["out"])
    assert len(page.images) >= 4  # demand, supply, finance and the review's four charts


def test_progress_lines_on_stderr_name_each_step_with_its_seconds(full):
    lines = [line for line in full["stderr"].splitlines() if line.startswith("[")]
    for k, step in enumerate(CYCLE_STEPS, start=1):
        match = [line for line in lines if line.startswith(f"[{k}/5] {step}")]
        assert match, f"no progress line for step {k}"
        assert re.search(r"\d+\.\d s$", match[0])


def test_full_cycle_plans_the_18_month_horizon_after_the_history(full):
    r = full["result"]
    assert r.month == pd.Period("2026-01", "M")
    assert r.periods == [str(p) for p in pd.period_range("2026-01", "2027-06", freq="M")]
    assert set(r.plan.production["period"]) == set(r.periods)
    assert r.review_year == 2025


def test_planned_production_in_the_pack_equals_the_balancing_plan_lp(full):
    """The pack's total production is the LP's; solving the same inputs again with
    sop.balancing_plan gives the same optimum (cost) and the same total production."""
    r = full["result"]
    _, page = parse(full["out"])
    table = page.table_with("planned production")
    row = dict(zip(table[0], table[1], strict=True))
    lp_total = r.plan.production["quantity"].sum()
    assert row["planned production"] == f"{lp_total:,.0f}"
    again = sop.balancing_plan(r.planning_inputs)
    assert again.total_cost == pytest.approx(r.plan.total_cost, rel=1e-9)
    assert again.production["quantity"].sum() == pytest.approx(lp_total, rel=1e-6)
    assert row["fill rate"] == f"{again.fill_rate:.1%}"


def test_lp_demand_is_the_consensus_of_the_bicycles(full):
    r = full["result"]
    bikes = set(r.planning_inputs.demand["product"])
    cons = r.consensus[r.consensus["sku"].isin(bikes) & (r.consensus["consensus"] > 0)]
    assert r.planning_inputs.demand["demand"].sum() == pytest.approx(cons["consensus"].sum())
    assert "EB-700" in bikes  # the launch comes in through the plan


def test_kpis_in_the_pack_equal_management_review(full):
    r = full["result"]
    direct = sop.management_review(sop.load_company(), year=2025)
    pd.testing.assert_frame_equal(r.review["scorecard"], direct["scorecard"])
    _, page = parse(full["out"])
    table = page.table_with("status")
    head = table[0]
    shown = {row[0]: dict(zip(head[1:], row[1:], strict=False)) for row in table[1:] if row}
    for kpi, values in direct["scorecard"].iterrows():
        assert shown[kpi]["actual"] == f"{values['actual']:,.3g}"
        assert shown[kpi]["status"] == values["status"]


def test_decisions_name_the_bottleneck_and_the_gap_with_the_lp_numbers(full):
    r = full["result"]
    topics = list(r.decisions["topic"])
    binding = r.plan.capacity[r.plan.capacity["shadow_price"] > 1e-6]
    if not binding.empty:
        top = binding.sort_values("shadow_price", ascending=False).iloc[0]
        finding = r.decisions.set_index("topic").loc["bottleneck resource", "finding"]
        assert f"{top['plant']} {top['work_centre']}" in finding
        assert f"{top['shadow_price']:,.0f}" in finding
    assert "revenue vs 2026 target" in topics
    gap = r.gap
    parts = gap.drop(["plan", "target", "gap"]).sum()
    assert gap["plan"] == pytest.approx(parts)
    targets = sop.load_company().targets
    assert gap["target"] == pytest.approx(
        targets.loc[targets["year"] == 2026, "revenue_target"].sum()
    )
    assert r.targets["revenue_gap"] == pytest.approx(gap["gap"])


def test_financial_plan_is_revenue_plan_of_served_units(full):
    """Revenue by month = sop.revenue_plan of the LP's served bicycles plus the other SKUs'
    consensus, at the consensus prices and the products' standard costs."""
    r = full["result"]
    company = sop.load_company()
    served = r.plan.sales.rename(columns={"product": "sku", "market": "region", "period": "month"})
    units = r.consensus.merge(served[["sku", "region", "month", "served"]], how="left")
    units["units"] = units["served"].fillna(units["consensus"])
    units = units[units["units"] > 0]
    direct = sop.revenue_plan(
        units[["sku", "month", "units", "price"]],
        None,
        company.products[["sku", "standard_cost"]],
        by=["month"],
        price="price",
    ).set_index("month")
    got = r.financial_plan
    np.testing.assert_allclose(got["revenue"], direct["revenue"].reindex(got.index), rtol=1e-12)
    np.testing.assert_allclose(
        got["gross_margin"], direct["gross_margin"].reindex(got.index), rtol=1e-12
    )
    budget = company.budget.assign(month=company.budget["month"].astype(str)).set_index("month")
    assert got.loc["2026-05", "budget_revenue"] == pytest.approx(budget.loc["2026-05", "revenue"])


def test_consensus_weights_are_inverse_mae_of_the_snapshots(full):
    r = full["result"]
    company = sop.load_company()
    snaps = company.forecast_snapshots
    snaps = snaps[snaps["target_month"] >= pd.Period("2025-01", "M")]
    actual = company.sales.rename(columns={"month": "target_month"})
    joined = snaps.merge(actual[["target_month", "sku", "region", "ordered_units"]])
    expected = sop.inverse_mae_weights(
        {
            "statistical": sop.mae(joined["ordered_units"], joined["statistical"]),
            "plan": sop.mae(joined["ordered_units"], joined["consensus"]),
        }
    )
    pd.testing.assert_series_equal(r.weights, expected)
    w = r.consensus[r.consensus["basis"] == "weighted"]
    combined = (w["statistical"] * expected["statistical"] + w["plan"] * expected["plan"]).round()
    np.testing.assert_allclose(w["consensus"], combined.clip(lower=0))


def test_statistical_input_is_forecast_all_on_ordered_units(full):
    r = full["result"]
    sales = sop.load_company().sales
    one = sales[(sales["sku"] == "RD-200") & (sales["region"] == "DACH")]
    direct = sop.forecast_all(one, key=["sku", "region"], horizon=18)
    got = r.statistical[(r.statistical["sku"] == "RD-200") & (r.statistical["region"] == "DACH")]
    np.testing.assert_allclose(got["forecast"].to_numpy(), direct["forecast"].to_numpy())


def test_launch_takes_the_plan_and_end_of_life_stops_the_forecast(full):
    c = full["result"].consensus
    launch = c[c["sku"] == "EB-700"]
    assert set(launch["basis"]) == {"plan (no history)"}
    after = c[(c["sku"] == "CT-200") & (c["month"] > "2026-03")]
    assert (after["statistical"] == 0).all() and (after["consensus"] == 0).all()


# --------------------------------------------------------------------------- other data
def test_variant_seed_runs_on_other_numbers(tmp_path):
    out = tmp_path / "variant.html"
    assert run_cli("--seed", 3, "--family", "city", "--horizon", 6, "--out", out) == 0
    text, _ = parse(out)
    assert_self_contained_pack(out)
    assert "generated in memory" in text
    standard = run_cycle(families=["city"], horizon=6)
    variant = run_cycle(seed=3, families=["city"], horizon=6)
    assert not np.allclose(
        standard.consensus["consensus"].to_numpy(), variant.consensus["consensus"].to_numpy()
    )


def test_user_data_folder_from_data_generate(tmp_path):
    data = tmp_path / "my_company"
    assert cli.main(["data", "generate", "--seed", "5", "--out", str(data)]) == 0
    out = tmp_path / "pack.html"
    assert run_cli(data, "--family", "road", "--horizon", 4, "--out", out) == 0
    text, _ = parse(out)
    assert_self_contained_pack(out)
    assert str(data) in text
    assert "Skipped" not in text  # the folder has every table: supply and KPI review ran
    assert "Binding resources" in text and "Service by market" in text


def test_minimal_user_folder_skips_supply_and_review_and_says_why(tmp_path):
    company = sop.load_company(seed=5)
    data = tmp_path / "minimal"
    from sopcourse.datasets import write_tables

    write_tables({n: getattr(company, n) for n in ("products", "regions", "sales")}, data)
    r = run_cycle(data, families=["city"], horizon=3)
    assert r.plan is None and r.review is None
    assert any("Supply review skipped" in n for n in r.notes)
    assert any("KPI review skipped" in n for n in r.notes)
    out = tmp_path / "pack.html"
    r.write(out)
    assert_self_contained_pack(out, with_review=False)


def test_an_earlier_planning_month_uses_only_the_history_before_it():
    r = run_cycle(month="2025-07", families=["city"], horizon=3)
    assert r.history.index.max() == "2025-06"
    assert r.periods == ["2025-07", "2025-08", "2025-09"]
    assert r.review_year == 2024
    # the commercial plan, the stock and the open orders are dated 2026-01: not used
    assert set(r.consensus["basis"]) == {"statistical (no plan)"}
    assert r.component_supply is None and r.planning_inputs.initial_inventory is None
    assert any("was made at 2026-01" in n for n in r.notes)


# --------------------------------------------------------------------------- failures
def _broken_folder(tmp_path: Path) -> Path:
    data = tmp_path / "broken"
    assert cli.main(["data", "generate", "--seed", "5", "--out", str(data)]) == 0
    sales = (data / "sales.csv").read_text(encoding="utf-8").splitlines()
    fields = sales[1].split(",")
    fields[3] = "-5"  # negative ordered units on CSV line 2
    sales[1] = ",".join(fields)
    (data / "sales.csv").write_text("\n".join(sales) + "\n", encoding="utf-8")
    (data / "regions.csv").write_text("region,name\n", encoding="utf-8")  # no rows
    return data


def test_broken_folder_fails_with_the_problems_and_writes_nothing(tmp_path, capsys):
    data = _broken_folder(tmp_path)
    out = tmp_path / "review.html"
    assert run_cli(data, "--out", out) == 1
    err = capsys.readouterr().err
    assert "regions.csv" in err and "sales.csv" in err
    assert "No review pack was written." in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["broken"]  # no temporary file left


def test_broken_folder_does_not_clobber_an_existing_pack(tmp_path):
    data = _broken_folder(tmp_path)
    out = tmp_path / "review.html"
    out.write_text("last month's pack", encoding="utf-8")
    assert run_cli(data, "--out", out) == 1
    assert out.read_text(encoding="utf-8") == "last month's pack"


def test_failure_while_writing_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    """The page cannot be encoded half-way through writing (a lone surrogate): the old
    pack stays as it was and the temporary file is removed."""
    out = tmp_path / "review.html"
    out.write_text("last month's pack", encoding="utf-8")
    monkeypatch.setattr(cycle, "_render_html", lambda r: "<html>" + "x" * 100_000 + "\ud800")
    assert run_cli("--family", "city", "--horizon", 2, "--out", out) == 1
    assert out.read_text(encoding="utf-8") == "last month's pack"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.html"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such/folder"], "does not exist"),
        (["--out-dir-missing"], "does not exist: create it first"),
        (["--out-is-folder"], "is a folder"),
        (["--out-under-a-file"], "is a file, not a folder"),
        (["--month", "2026/13"], "a month such as 2026-01"),
        (["--month", "2027-03"], "after the history ends"),
        (["--month", "2022-06"], "less than a year of history"),
        (["--horizon", "0"], "horizon must be a whole number"),
        (["--family", "unicycles"], "no sales history for the families"),
        (["DATA", "--seed", "2"], "--seed chooses a Tallridge variant"),
    ],
)
def test_bad_input_exits_1_with_a_clear_message_and_no_file(tmp_path, capsys, args, message):
    out = tmp_path / "review.html"
    argv = []
    for a in args:
        if a == "--out-dir-missing":
            out = tmp_path / "missing" / "review.html"
        elif a == "--out-is-folder":
            out = tmp_path
        elif a == "--out-under-a-file":
            (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
            out = tmp_path / "notes.txt" / "review.html"
        elif a == "DATA":
            argv.append(str(tmp_path))
        else:
            argv.append(a)
    before = sorted(os.listdir(tmp_path))
    assert run_cli(*argv, "--out", out) == 1  # fails before anything runs or is written
    assert message in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": "next month"}, "a month such as 2026-01"),
        ({"horizon": -1}, "horizon must be"),
        ({"horizon": 2.5}, "horizon must be"),
        ({"seed": 2, "company_or_dir": "datasets"}, "cannot be combined with a data folder"),
        ({"families": ["nope"]}, "no sales history for the families"),
    ],
)
def test_run_cycle_bad_input_raises_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        run_cycle(**kwargs)


@pytest.mark.parametrize("spelling", ["2026-01", "01/2026", "2026/01", "2026-01-01", "Jan 2026"])
def test_the_planning_month_is_read_as_the_data_files_spell_months(spelling):
    from sopcourse.cycle import _month

    assert _month(spelling) == pd.Period("2026-01", freq="M")


def test_run_cycle_refuses_a_company_without_sales():
    company = sop.load_company()
    company.sales = None
    with pytest.raises(ValueError, match="needs at least"):
        run_cycle(company, horizon=2)


def test_short_capacity_puts_unmet_demand_by_market_on_the_decision_page():
    """With a tenth of the work-centre hours the LP cannot serve everything: each market
    with unmet units gets a decision row carrying the LP's numbers."""
    company = sop.load_company()
    company.work_centres = company.work_centres.assign(
        utilisation=company.work_centres["utilisation"] / 10
    )
    r = run_cycle(company, families=["city"], horizon=3)
    unmet = r.plan.sales.groupby("market")[["demand", "unmet"]].sum()
    unmet = unmet[unmet["unmet"] > 0.5]
    assert not unmet.empty
    decisions = r.decisions.set_index("topic")
    for market, row in unmet.iterrows():
        finding = decisions.loc[f"unmet demand, {market}", "finding"]
        assert finding.startswith(f"{row['unmet']:,.0f} of {row['demand']:,.0f} units")
    assert r.gap["supply_limits"] < 0
    t = company.targets
    city = t[(t["year"] == 2026) & (t["family"] == "city")]
    assert r.gap["target"] == pytest.approx(city["revenue_target"].sum())
    deals = company.pipeline
    deals = deals[
        (deals["status"] == "open")
        & (deals["family"] == "city")
        & (deals["expected_close_month"].dt.year == 2026)
    ]
    assert r.gap["weighted_pipeline"] == pytest.approx(
        sop.weighted_pipeline(deals)["weighted_amount"].sum()
    )
    assert "demand vs supply" not in decisions.index


def test_full_tallridge_plan_serves_everything_and_says_so(full):
    r = full["result"]
    assert r.plan.fill_rate == pytest.approx(1.0)
    assert "demand vs supply" in set(r.decisions["topic"])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_output_folder_exits_1_before_running(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert run_cli("--out", folder / "review.html") == 1
        assert "cannot write in" in capsys.readouterr().err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_unwritable_output_folder_exits_1_with_the_reason(tmp_path, capsys, monkeypatch):
    """The permission check itself (root passes any chmod, so it is simulated here)."""
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    assert run_cli("--out", tmp_path / "review.html") == 1
    assert f"cannot write in {tmp_path}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_full_default_cycle_ran_every_step_fully(full):
    steps = full["result"].coverage.steps
    assert (steps["outcome"] == "ran fully").all(), steps
    assert "What this cycle ran on" in full["out"].read_text(encoding="utf-8")
