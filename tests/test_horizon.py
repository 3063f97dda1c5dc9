"""Tests of sopcourse.horizon: time buckets, rolling horizon, time fences, the S&OP calendar,
aggregation, and top-down / bottom-up / middle-out planning."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse import examples  # noqa: E402
from sopcourse.widgets.planning import GapChart  # noqa: E402


def tidy_history(seed=0, months=12):
    """Two families, five SKUs, two regions, with seasonal totals (deliberately unequal)."""
    rng = np.random.default_rng(seed)
    skus = {"r1": "road", "r2": "road", "c1": "city", "c2": "city", "c3": "city"}
    periods = pd.period_range("2024-01", periods=months, freq="M")
    season = 1 + 0.5 * np.sin(np.arange(months) / 12 * 2 * np.pi)
    rows = [
        (sku, fam, region, p, float(rng.poisson(10 * (1 + k) * season[t])))
        for k, (sku, fam) in enumerate(skus.items())
        for region in ("north", "south")
        for t, p in enumerate(periods)
    ]
    return pd.DataFrame(rows, columns=["sku", "family", "region", "month", "units"])


# --------------------------------------------------------------------------- buckets
def test_time_buckets_know_leap_years_and_quarters():
    months = sop.time_buckets("2024-01", 3)
    assert months["days"].tolist() == [31, 29, 31]
    quarters = sop.time_buckets("2025-01", 4, freq="Q")
    assert quarters["days"].sum() == 365
    weeks = sop.time_buckets("2025-01-06", 2, freq="W")
    assert (weeks["days"] == 7).all() and weeks["start"].dt.day_of_week.eq(0).all()


def test_rolling_horizon_drops_one_month_and_adds_one_each_cycle():
    table = sop.rolling_horizon("2026-01", horizon=18, cycles=3)
    by_cycle = {c: set(g["period"]) for c, g in table.groupby("cycle")}
    first, second = by_cycle[pd.Period("2026-01", "M")], by_cycle[pd.Period("2026-02", "M")]
    assert len(first) == len(second) == 18
    assert first - second == {pd.Period("2026-02", "M")}
    assert second - first == {pd.Period("2027-08", "M")}
    assert table["months_ahead"].between(1, 18).all()


# --------------------------------------------------------------------------- fences
def test_time_fences_split_the_horizon_into_frozen_slushy_and_liquid():
    months = [str(p) for p in pd.period_range("2025-12", periods=8, freq="M")]
    zones = sop.classify_time_fences(months, "2026-01", frozen=2, slushy=3)
    assert zones.tolist() == ["past"] + ["frozen"] * 2 + ["slushy"] * 3 + ["liquid"] * 2


def test_plan_changes_are_allowed_by_zone():
    months = [str(p) for p in pd.period_range("2026-01", periods=5, freq="M")]
    old = pd.DataFrame({"month": months, "units": [100.0] * 5})
    new = pd.DataFrame({"month": months, "units": [100.0, 101.0, 109.0, 115.0, 300.0]})
    check = sop.check_plan_changes(old, new, "2026-01", frozen=2, slushy=2, slushy_tolerance=0.1)
    assert check["zone"].tolist() == ["frozen", "frozen", "slushy", "slushy", "liquid"]
    # unchanged frozen ok; any frozen change refused; slushy within 10 % ok, 15 % refused
    assert check["allowed"].tolist() == [True, False, True, False, True]
    assert check["change"].tolist() == [0.0, 1.0, 9.0, 15.0, 200.0]


def test_plan_changes_compare_by_key_and_treat_new_rows_as_changes():
    old = pd.DataFrame({"family": ["road", "city"], "month": ["2026-01"] * 2, "units": [10, 20]})
    new = pd.DataFrame(
        {"family": ["road", "city", "ebike"], "month": ["2026-01"] * 3, "units": [10, 20, 5]}
    )
    check = sop.check_plan_changes(old, new, "2026-01", frozen=1, slushy=0, keys=["family"])
    assert check.set_index("family")["allowed"].to_dict() == {
        "city": True,
        "ebike": False,
        "road": True,
    }


# --------------------------------------------------------------------------- calendar
def test_sop_calendar_runs_the_five_steps_in_order_on_working_days():
    calendar = sop.sop_calendar("2026-01", holidays=["2026-01-01", "2026-01-06"])
    assert calendar["step"].tolist() == sop.SOP_STEPS["step"].tolist()
    assert (calendar["start"].iloc[1:].to_numpy() > calendar["end"].iloc[:-1].to_numpy()).all()
    assert calendar["start"].iloc[0] == pd.Timestamp("2026-01-02")  # Jan 1 is a holiday
    days = pd.concat([calendar["start"], calendar["end"]])
    assert (days.dt.day_of_week < 5).all() and not days.isin(pd.to_datetime(["2026-01-06"])).any()
    span = np.busday_count(
        calendar["start"].to_numpy().astype("datetime64[D]"),
        calendar["end"].to_numpy().astype("datetime64[D]") + 1,
        holidays=["2026-01-01", "2026-01-06"],
    )
    assert span.tolist() == calendar["working_days"].tolist()


# --------------------------------------------------------------------------- S&OP balance
def test_level_plan_by_working_days_expertsmind_family_example():
    """Level production plan for a product family (Expertsmind library, question 575354):
    opening inventory 100, 130 wanted at the end, forecast May-Aug 115, 125, 140, 150 on
    21, 19, 20 and 10 working days; published: planned production 168 in May and planned
    inventory 153 at the end of May (total 560 = 530 + 130 - 100, i.e. 8 a day)."""
    plan = sop.level_production_plan(**examples.expertsmind_level_plan().data)
    assert plan["production"].sum() == pytest.approx(560)
    assert (plan["production"] / plan["working_days"]).tolist() == pytest.approx([8.0] * 4)
    assert plan["production"].iloc[0] == pytest.approx(168)
    assert plan["ending_inventory"].iloc[0] == pytest.approx(153)
    assert plan["ending_inventory"].iloc[-1] == pytest.approx(130)


def test_level_plan_quarterly_homeworksource_example():
    """Level aggregate plan (HomeworkSource, problem 987160): beginning inventory 2,000,
    ending inventory 500, quarterly forecasts 6,000, 5,500, 5,000, 6,500; published planned
    rate of quarterly production (23,000 + 500 - 2,000) / 4 = 5,375."""
    plan = sop.level_production_plan(**examples.homeworksource_level_plan().data)
    assert plan["production"].tolist() == pytest.approx([5375.0] * 4)


def test_sop_balance_answerstreak_demand_from_production():
    """Sales and operations planning problem (AnswerStreak): beginning inventory 300, desired
    ending inventory 500, production 1,200 -> demand 1,000 (ending = beginning + production
    - demand)."""
    plan = sop.level_production_plan(**examples.answerstreak_sop_balance().data)
    assert plan["production"].item() == pytest.approx(1200)


def test_level_plan_makes_up_the_backlog():
    plan = sop.level_production_plan([100, 100], 0, 0, backlog=20)
    assert plan["production"].tolist() == pytest.approx([110.0, 110.0])
    assert plan["ending_inventory"].iloc[-1] == pytest.approx(0.0)


# --------------------------------------------------------------------------- aggregation
@pytest.mark.parametrize("product", ["sku", "family", "total"])
@pytest.mark.parametrize("location", ["region", "total"])
@pytest.mark.parametrize("time", ["month", "quarter", "year"])
def test_aggregation_preserves_the_grand_total(product, location, time):
    sales = tidy_history()
    out = sop.aggregate_sales(sales, product=product, location=location, time=time)
    assert out["units"].sum() == pytest.approx(sales["units"].sum())
    expected_periods = {"month": 12, "quarter": 4, "year": 1}[time]
    assert out["period"].nunique() == expected_periods


def test_aggregation_to_family_by_quarter_matches_a_groupby():
    sales = tidy_history()
    out = sop.aggregate_sales(sales, product="family", location="region", time="quarter")
    q1_road_north = sales[
        (sales["family"] == "road")
        & (sales["region"] == "north")
        & (sales["month"] <= pd.Period("2024-03", "M"))
    ]["units"].sum()
    row = out[
        (out["family"] == "road")
        & (out["region"] == "north")
        & (out["period"] == pd.Period("2024Q1", "Q"))
    ]
    assert row["units"].item() == pytest.approx(q1_road_north)


def test_aggregation_can_map_skus_to_families():
    sales = tidy_history().drop(columns="family")
    families = pd.Series({"r1": "road", "r2": "road", "c1": "city", "c2": "city", "c3": "city"})
    out = sop.aggregate_sales(sales, product="family", product_families=families, time="year")
    assert set(out["family"]) == {"road", "city"}


# --------------------------------------------------------------------------- top-down
def test_fpp3_11_2_average_of_proportions_formula():
    """FPP3 section 11.2 (FPP2 section 10.5), Gross & Sohl method A: p_j = (1/T) sum_t y_jt / y_t."""
    hist = tidy_history()
    wide = hist.pivot_table(index="month", columns="sku", values="units", aggfunc="sum")
    expected = {
        sku: sum(wide.loc[t, sku] / wide.loc[t].sum() for t in wide.index) / len(wide)
        for sku in wide.columns
    }
    got = sop.historical_proportions(hist, "average_of_proportions")
    assert got.to_dict() == pytest.approx(expected)
    assert got.sum() == pytest.approx(1.0)


def test_fpp3_11_2_proportion_of_averages_formula():
    """FPP3 section 11.2 (FPP2 section 10.5), Gross & Sohl method F:
    p_j = (sum_t y_jt / T) / (sum_t y_t / T)."""
    hist = tidy_history()
    wide = hist.pivot_table(index="month", columns="sku", values="units", aggfunc="sum")
    T = len(wide)
    expected = {sku: (wide[sku].sum() / T) / (wide.sum(axis=1).sum() / T) for sku in wide.columns}
    got = sop.historical_proportions(hist, "proportion_of_averages")
    assert got.to_dict() == pytest.approx(expected)


def test_matches_the_hts_package_reference_code_tdgsa_tdgsf():
    """hts (Hyndman et al., CRAN), R/topdown.R: TdGsA uses colMeans(bts / topts) and TdGsF
    colSums(bts) / sum(topts); the same arithmetic here, on a matrix, must agree."""
    hist = tidy_history(seed=3)
    bts = hist.pivot_table(index="month", columns="sku", values="units", aggfunc="sum")
    topts = bts.sum(axis=1).to_numpy()
    tdgsa = (bts.to_numpy() / topts[:, None]).mean(axis=0)
    tdgsf = bts.to_numpy().sum(axis=0) / topts.sum()
    a = sop.historical_proportions(hist, "average_of_proportions").reindex(bts.columns)
    f = sop.historical_proportions(hist, "proportion_of_averages").reindex(bts.columns)
    np.testing.assert_allclose(a.to_numpy(), tdgsa)
    np.testing.assert_allclose(f.to_numpy(), tdgsf)


def test_the_two_methods_agree_when_the_total_is_flat_and_differ_when_it_is_seasonal():
    flat = pd.DataFrame(
        {
            "sku": ["a", "b"] * 3,
            "month": np.repeat(["2025-01", "2025-02", "2025-03"], 2),
            "units": [10, 90, 50, 50, 30, 70],
        }
    )
    a = sop.historical_proportions(flat, "average_of_proportions")
    f = sop.historical_proportions(flat, "proportion_of_averages")
    assert a.to_dict() == pytest.approx(f.to_dict())
    seasonal = flat.assign(units=[10, 90, 500, 500, 30, 70])
    a = sop.historical_proportions(seasonal, "average_of_proportions")
    f = sop.historical_proportions(seasonal, "proportion_of_averages")
    # the big month weighs more in the proportion of averages
    assert f["a"] > a["a"]


def test_proportions_within_families_sum_to_one_per_family():
    shares = sop.historical_proportions(tidy_history(), parent="family")
    assert shares.groupby(level=0).sum().to_numpy() == pytest.approx([1.0, 1.0])


def test_categorical_families_with_unused_categories_are_ignored():
    hist = tidy_history()
    hist["family"] = pd.Categorical(hist["family"], categories=["road", "city", "bmx"])
    shares = sop.historical_proportions(hist, parent="family")
    assert set(shares.index.get_level_values(0)) == {"road", "city"}
    plan = pd.DataFrame(
        {
            "family": pd.Categorical(["road", "city"], categories=["road", "city", "bmx"]),
            "month": ["2025-01"] * 2,
            "units": [10.0, 20.0],
        }
    )
    items = sop.disaggregate_top_down(plan, shares, parent="family")
    assert items["units"].sum() == pytest.approx(30.0)
    assert set(sop.bottom_up(items, level="family")["family"]) == {"road", "city"}


def test_last_periods_uses_only_the_recent_history():
    hist = tidy_history()
    recent = hist[hist["month"] >= pd.Period("2024-10", "M")]
    assert sop.historical_proportions(hist, last_periods=3).to_dict() == pytest.approx(
        sop.historical_proportions(recent).to_dict()
    )


def test_top_down_is_coherent_items_add_up_to_the_plan():
    """FPP2 section 10.5: for all top-down approaches the top-level coherent forecasts equal
    the top-level base forecasts."""
    shares = sop.historical_proportions(tidy_history())
    plan = pd.Series({"2025-01": 1000.0, "2025-02": 1500.0})
    items = sop.disaggregate_top_down(plan, shares)
    totals = items.groupby("month")["units"].sum()
    assert totals.to_dict() == pytest.approx(plan.to_dict())


def test_bottom_up_sums_items_to_families_and_total():
    hist = tidy_history()
    fam = sop.bottom_up(hist, level="family")
    assert fam["units"].sum() == pytest.approx(hist["units"].sum())
    hierarchy = hist[["sku", "family"]].drop_duplicates()
    fam2 = sop.bottom_up(hist.drop(columns="family"), hierarchy, level="family")
    pd.testing.assert_frame_equal(fam, fam2)


def test_middle_out_plan_is_coherent_at_every_level():
    hist = tidy_history()
    plan = pd.DataFrame(
        {
            "family": ["road", "road", "city", "city"],
            "month": ["2025-01", "2025-02"] * 2,
            "units": [400.0, 500.0, 900.0, 1000.0],
        }
    )
    out = sop.middle_out(plan, hist)
    assert out["total"]["units"].tolist() == pytest.approx([1300.0, 1500.0])
    merged = out["middle"].merge(plan, on=["family", "month"], suffixes=("", "_plan"))
    assert merged["units"].to_numpy() == pytest.approx(merged["units_plan"].to_numpy())
    assert set(out["items"]["sku"]) == set(hist["sku"])


# --------------------------------------------------------------------------- the gap
def test_planning_gap_is_zero_when_the_plans_agree():
    hist = tidy_history()
    shares = sop.historical_proportions(hist, "proportion_of_averages", last_periods=12)
    forecast = pd.DataFrame(
        {"sku": shares.index, "month": "2025-01", "units": 1200.0 * shares.to_numpy()}
    )
    gap = sop.planning_gap(hist, forecast, 1200.0)
    assert gap["gap"].abs().max() == pytest.approx(0.0, abs=1e-9)


def test_planning_gap_total_row_adds_up_and_equals_the_total_difference():
    hist = tidy_history()
    forecast = pd.DataFrame({"sku": ["r1", "r2", "c1", "c2", "c3"], "month": "2025-01"}).assign(
        units=[100.0, 150.0, 300.0, 250.0, 200.0]
    )
    gap = sop.planning_gap(hist, forecast, 1100.0)
    assert gap.loc["total", "top_down"] == pytest.approx(1100.0)
    assert gap.loc["total", "bottom_up"] == pytest.approx(1000.0)
    assert gap.loc["total", "gap"] == pytest.approx(100.0)
    assert gap.drop(index="total")["gap"].sum() == pytest.approx(100.0)


def test_explorer_chart_shows_the_largest_gaps_of_each_update():
    hist = tidy_history()
    forecast = hist.groupby("sku", as_index=False)["units"].sum().assign(month="2025")
    chart = GapChart(max_items=3)
    for total in (5000.0, 9000.0):
        gap = sop.planning_gap(hist, forecast, total, method="average_of_proportions")
        png = chart.update(gap)
        assert png[:4] == b"\x89PNG"
        largest = gap.drop(index="total")["gap"].abs().sort_values(ascending=False).index[:3]
        assert [t.get_text() for t in chart.ax.get_xticklabels()] == list(largest)
        assert [b.get_height() for b in chart.top] == pytest.approx(
            gap.loc[largest, "top_down"].tolist()
        )
        assert [b.get_height() for b in chart.bottom] == pytest.approx(
            gap.loc[largest, "bottom_up"].tolist()
        )
    chart.close()


def test_explorer_chart_blanks_unused_slots():
    hist = tidy_history()
    forecast = hist.groupby("sku", as_index=False)["units"].sum().assign(month="2025")
    chart = GapChart(max_items=8)
    chart.update(sop.planning_gap(hist, forecast, 5000.0))
    assert [t.get_text() for t in chart.ax.get_xticklabels()][5:] == ["", "", ""]
    assert [b.get_height() for b in chart.top][5:] == [0.0, 0.0, 0.0]
    chart.close()


def test_gap_chart_shows_the_largest_gaps_only():
    hist = tidy_history()
    forecast = hist.groupby("sku", as_index=False)["units"].sum().assign(month="2025")
    gap = sop.planning_gap(hist, forecast, 5000.0)
    ax = sop.plot_planning_gap(gap, max_items=3)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    largest = gap.drop(index="total")["gap"].abs().sort_values(ascending=False).index[:3]
    assert labels == list(largest)
    assert "2 more not shown" in ax.get_xlabel()
    heights = [p.get_height() for p in ax.patches]
    assert heights[:3] == pytest.approx(gap.loc[largest, "top_down"].tolist())
    plt.close("all")


# --------------------------------------------------------------------------- bad input
HIST = tidy_history()
FORECAST = pd.DataFrame({"sku": ["r1"], "month": ["2025-01"], "units": [10.0]})


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sop.time_buckets("2025-01", 0), "periods"),
        (lambda: sop.time_buckets("2025-01", 3, freq="D"), "freq"),
        (lambda: sop.time_buckets("not a month", 3), "month"),
        (lambda: sop.rolling_horizon("2025-01", horizon=-1), "horizon"),
        (lambda: sop.classify_time_fences([], "2025-01", 1, 1), "empty"),
        (lambda: sop.classify_time_fences(["2025-01"], "2025-01", -1, 1), "frozen"),
        (
            lambda: sop.check_plan_changes(
                pd.DataFrame({"month": ["2025-01"], "units": [-1]}),
                pd.DataFrame({"month": ["2025-01"], "units": [1]}),
                "2025-01",
                frozen=1,
                slushy=1,
            ),
            "negative",
        ),
        (
            lambda: sop.check_plan_changes(
                pd.DataFrame({"month": ["2025-01"], "units": [1]}),
                pd.DataFrame({"month": ["2025-01"], "qty": [1]}),
                "2025-01",
                frozen=1,
                slushy=1,
            ),
            "missing column",
        ),
        (
            lambda: sop.check_plan_changes(
                pd.DataFrame({"month": ["2025-01"], "units": [1]}),
                pd.DataFrame({"month": ["2025-01"], "units": [1]}),
                "2025-01",
                frozen=1,
                slushy=1,
                slushy_tolerance=10,
            ),
            "fraction",
        ),
        (lambda: sop.sop_calendar("2025-02", durations=(10, 10, 10, 10, 10)), "working days"),
        (lambda: sop.sop_calendar("2025-02", durations=(1, 2)), "5"),
        (lambda: sop.level_production_plan([], 0, 0), "empty"),
        (lambda: sop.level_production_plan([10, -1], 0, 0), "zero or more"),
        (lambda: sop.level_production_plan([10], -5, 0), "opening_inventory"),
        (lambda: sop.level_production_plan([10, 10], 0, 0, working_days=[20]), "working_days"),
        (lambda: sop.level_production_plan([10], 100, 0), "no production is needed"),
        (lambda: sop.aggregate_sales(HIST, product="brand"), "product"),
        (lambda: sop.aggregate_sales(HIST, time="week"), "time"),
        (lambda: sop.aggregate_sales(HIST.assign(units=np.nan)), "NaN"),
        (lambda: sop.aggregate_sales(HIST.iloc[0:0]), "empty"),
        (
            lambda: sop.aggregate_sales(
                HIST.drop(columns="family"), product_families=pd.Series({"r1": "road"})
            ),
            "not in product_families",
        ),
        (lambda: sop.aggregate_sales(HIST.drop(columns="family")), "product_families"),
        (lambda: sop.historical_proportions(HIST, "median"), "method"),
        (lambda: sop.historical_proportions(HIST.drop(columns="units")), "missing column"),
        (
            lambda: sop.historical_proportions(HIST.assign(units=-HIST["units"])),
            "negative",
        ),
        (
            lambda: sop.historical_proportions(
                pd.DataFrame({"sku": ["a"], "month": ["2025-01"], "units": [0]})
            ),
            "zero",
        ),
        (
            lambda: sop.disaggregate_top_down(pd.Series([10.0]), pd.Series({"a": 0.5})),
            "sum",
        ),
        (
            lambda: sop.disaggregate_top_down(
                pd.DataFrame({"family": ["bmx"], "month": ["2025-01"], "units": [1.0]}),
                sop.historical_proportions(HIST, parent="family"),
                parent="family",
            ),
            "no proportions",
        ),
        (lambda: sop.bottom_up(HIST.drop(columns="family"), level="family"), "hierarchy"),
        (
            lambda: sop.planning_gap(HIST, FORECAST.assign(sku="zz"), 100.0),
            "no history",
        ),
        (lambda: sop.planning_gap(HIST, FORECAST, -5.0), "total_plan"),
        (lambda: sop.planning_gap(HIST, FORECAST, float("nan")), "total_plan"),
        (  # an infinite unit count used to give shares [nan, 0.0]
            lambda: sop.historical_proportions(
                pd.DataFrame({"sku": ["a", "b"], "month": ["2025-01"] * 2, "units": [np.inf, 1.0]})
            ),
            "infinite",
        ),
    ],
)
def test_bad_input_raises_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_middle_out_returns_a_reconciled_plan_that_reads_like_the_old_dict():
    hist = pd.DataFrame(
        {"family": ["road"] * 2, "sku": ["a", "b"], "month": ["2024-12"] * 2, "units": [20.0, 80.0]}
    )
    plan = pd.DataFrame({"family": ["road"], "month": ["2025-01"], "units": [50.0]})
    out = sop.middle_out(plan, hist)
    assert isinstance(out, sop.ReconciledPlan) and list(out) == ["total", "middle", "items"]
    assert out.items is out["items"] and out.total["units"].tolist() == [50.0]
