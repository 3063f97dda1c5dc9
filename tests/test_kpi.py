"""Module 6 KPIs: published textbook examples, properties and bad input.

Conventions: shares are fractions; variance = actual - plan; forecast error = forecast -
actual (positive = over-forecast).
"""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse import case as _case  # noqa: E402
from sopcourse import examples, kpi, kpi_review, variance  # noqa: E402

# -- published examples ---------------------------------------------------------------------

# Ross, Westerfield & Jordan, Fundamentals of Corporate Finance, Ch. 18 "Short-Term Finance
# and Planning", Chapter Review and Self-Test Problem 18.1 (Route 66 Company): inventory
# 1,273 -> 1,401, receivables 3,782 -> 3,368, payables 1,795 -> 2,025, net sales 14,750,
# COGS 11,375. Published: turnovers 8.51, 4.13, 5.96 times; inventory period 42.89 days,
# receivables period 88.38 days, payables period 61.24 days; operating cycle 131 days and
# cash cycle 70 days. (The book divides 365 by the turnover rounded to two decimals.)
ROUTE66 = dict(examples.route_66().data)  # the data above, with its citation


def test_rwj_route_66_turnover_ratios_8_51_4_13_5_96():
    wc = kpi.working_capital_days(**ROUTE66)
    assert round(wc["inventory_turnover"], 2) == 8.51
    assert round(wc["receivables_turnover"], 2) == 4.13
    assert round(wc["payables_turnover"], 2) == 5.96


def test_rwj_route_66_periods_42_89_88_38_61_24_days_and_cash_cycle_70():
    wc = kpi.working_capital_days(**ROUTE66)
    # The book's periods come from the rounded turnovers; ours from exact ratios.
    for turnover, period, published in [
        ("inventory_turnover", "dio", 42.89),
        ("receivables_turnover", "dso", 88.38),
        ("payables_turnover", "dpo", 61.24),
    ]:
        assert 365 / round(wc[turnover], 2) == pytest.approx(published, abs=0.005)
        assert wc[period] == pytest.approx(published, abs=0.1)
    assert round(wc["operating_cycle"]) == 131
    assert round(wc["cash_to_cash"]) == 70


# Horngren, Datar & Rajan, Cost Accounting: A Managerial Emphasis, 14th ed., Ch. 14 "Cost
# Allocation, Customer-Profitability Analysis, and Sales-Variance Analysis", Spring
# Distribution, June 2012 (Exhibit 14-10): budget 890,000 cases at 80 % wholesale / 20 %
# retail, budgeted contribution margin $0.49 / $0.98 per case; actual 900,000 cases at
# 84 % / 16 %. Published: sales-mix variance $17,640 F wholesale, $35,280 U retail,
# $17,640 U in total; sales-quantity variance $3,920 F + $1,960 F = $5,880 F; sales-volume
# variance $11,760 U. (Sales-quantity = our volume step, sales-mix = our mix step; the
# contribution margins are held at budget so that the price step is zero, as in the book.)
def _spring_distribution():
    spring = examples.spring_distribution()
    plan, actual = spring.plan, spring.actual
    for frame in (plan, actual):
        frame["margin"] = frame["units"] * frame["cm_per_case"]
    return variance.price_volume_mix(plan, actual, by="channel", value="margin")


def test_horngren_spring_distribution_sales_mix_17640_u_and_quantity_5880_f():
    pvm = _spring_distribution()
    assert pvm.loc["wholesale", "mix"] == pytest.approx(17_640, abs=0.01)
    assert pvm.loc["retail", "mix"] == pytest.approx(-35_280, abs=0.01)
    assert pvm["mix"].sum() == pytest.approx(-17_640, abs=0.01)
    assert pvm.loc["wholesale", "volume"] == pytest.approx(3_920, abs=0.01)
    assert pvm.loc["retail", "volume"] == pytest.approx(1_960, abs=0.01)
    assert pvm["volume"].sum() == pytest.approx(5_880, abs=0.01)


def test_horngren_spring_distribution_sales_volume_variance_11760_u():
    pvm = _spring_distribution()
    assert (pvm["volume"] + pvm["mix"]).sum() == pytest.approx(-11_760, abs=0.01)
    assert pvm["price"].abs().max() == pytest.approx(0, abs=1e-9)


# Horngren, Datar, Foster, Rajan & Ittner, Cost Accounting: A Managerial Emphasis, 13th ed.,
# Ch. 14, sales-variance exercise (Kola, Limor, Orlem; pp. 517-519 of that edition):
# budget 400,000 / 600,000 / 1,500,000 units at budgeted contribution margins $2.00 /
# $1.20 / $2.50; actual 480,000 / 900,000 / 1,620,000 units. Published answers: sales-volume
# variance $820,000 F, sales-quantity variance $1,054,000 F, sales-mix variance $234,000 U.
def test_horngren_13e_kola_limor_orlem_quantity_1054000_f_mix_234000_u():
    ex = examples.kola_limor_orlem()
    cm = ex.cm_per_unit.to_numpy()
    plan, actual = ex.plan, ex.actual
    plan["cm"] = plan["units"] * cm
    actual["cm"] = actual["units"] * cm
    bridge = variance.variance_bridge(plan, actual, by="drink", value="cm")
    assert bridge["volume"] == pytest.approx(1_054_000, abs=0.5)
    assert bridge["mix"] == pytest.approx(-234_000, abs=0.5)
    assert bridge["volume"] + bridge["mix"] == pytest.approx(820_000, abs=0.5)


# Heizer & Render, Operations Management, Ch. 11 "Supply Chain Management", Solved Problem
# 11.1 (Jack's Pottery Outlet): total assets $5 million, inventory $375,000 -> $325,000,
# COGS $7 million. Published: 7 % of assets in inventory, inventory turnover 20, weeks of
# supply 2.6.
def test_heizer_render_jacks_pottery_turnover_20_and_2_6_weeks_of_supply():
    jack = examples.jacks_pottery_outlet()
    average = sum(jack.inventory) / 2
    assert kpi.inventory_turns(jack.cogs, average) == pytest.approx(20)
    assert round(kpi.days_of_supply(average, jack.cogs, days=52), 1) == 2.6
    assert 100 * average / jack.total_assets == pytest.approx(7)


# -- KPI set and traffic lights -------------------------------------------------------------


def test_kpi_definitions_cover_every_area_and_name_real_functions():
    d = kpi_review.kpi_definitions()
    assert {"service", "operations", "finance", "working capital", "inventory"} <= set(d["area"])
    assert set(d["direction"]) == {"higher", "lower"}
    for name in d["function"]:
        assert callable(getattr(sop, name))


@pytest.mark.parametrize(
    "actual, target, direction, tolerance, expected",
    [
        (0.96, 0.95, "higher", 0.02, "green"),
        (0.95, 0.95, "higher", 0.02, "green"),  # on target is green
        (0.94, 0.95, "higher", 0.02, "amber"),
        (0.93, 0.95, "higher", 0.02, "amber"),  # edge of the band is still amber
        (0.92, 0.95, "higher", 0.02, "red"),
        (55, 60, "lower", 10, "green"),
        (65, 60, "lower", 10, "amber"),
        (71, 60, "lower is better", 10, "red"),
        (0.94, 0.95, "higher is better", 0.0, "red"),  # no band: any miss is red
    ],
)
def test_traffic_light_bands(actual, target, direction, tolerance, expected):
    assert kpi.traffic_light(actual, target, direction=direction, tolerance=tolerance) == expected


def test_rate_kpis_matches_traffic_light_row_by_row_and_keeps_columns():
    rng = np.random.default_rng(6)
    card = pd.DataFrame(
        {
            "actual": rng.uniform(0, 100, 50),
            "target": rng.uniform(0, 100, 50),
            "direction": rng.choice(["higher", "lower"], 50),
            "tolerance": rng.uniform(0, 20, 50),
            "owner": "x",
        }
    )
    rated = kpi.rate_kpis(card)
    expected = [
        kpi.traffic_light(r.actual, r.target, direction=r.direction, tolerance=r.tolerance)
        for r in card.itertuples()
    ]
    assert rated["status"].tolist() == expected
    assert "owner" in rated and (rated["gap"] >= 0).eq(rated["status"] == "green").all()


# -- service and operations -----------------------------------------------------------------


def _lines():
    return pd.DataFrame(
        {
            "market": ["DE", "DE", "FR", "FR", "FR"],
            "requested_date": ["2025-03-01"] * 5,
            "shipped_date": ["2025-03-01", "2025-03-02", "2025-02-28", None, "2025-03-04"],
            "requested_units": [10, 10, 10, 10, 10],
            "shipped_units": [12, 10, 5, 0, 10],
        }
    )


def test_service_kpis_by_market_count_lines_on_time_and_in_full():
    s = kpi.service_kpis(_lines(), by="market")
    assert s.loc["DE", "otif"] == 0.5 and s.loc["DE", "in_full"] == 1.0
    assert s.loc["FR", "on_time"] == pytest.approx(1 / 3)
    assert s.loc["FR", "otif"] == 0.0
    assert s.loc["FR", "unit_fill_rate"] == pytest.approx(15 / 30)


def test_over_shipment_does_not_lift_unit_fill_rate_above_one():
    s = kpi.service_kpis(_lines())
    assert s["unit_fill_rate"] == pytest.approx((10 + 10 + 5 + 0 + 10) / 50)
    assert s["lines"] == 5


def test_grace_days_turn_a_late_line_on_time():
    strict = kpi.service_kpis(_lines())
    lenient = kpi.service_kpis(_lines(), grace_days=1)
    assert lenient["otif"] - strict["otif"] == pytest.approx(1 / 5)


def test_schedule_attainment_caps_overproduction_per_row():
    prod = pd.DataFrame({"planned_units": [100, 100], "actual_units": [150, 50]})
    assert kpi.schedule_attainment(prod) == pytest.approx(0.75)  # not (150 + 50) / 200


def test_utilisation_can_exceed_one_with_overtime():
    res = pd.DataFrame({"hours_used": [180.0], "hours_available": [160.0]})
    assert kpi.utilisation(res) == pytest.approx(1.125)


# -- working capital ------------------------------------------------------------------------


def test_working_capital_what_if_moves_days_as_stated():
    w = kpi.working_capital_what_if(
        **ROUTE66,
        inventory_reduction=0.25,
        customer_terms_change_days=-5,
        supplier_terms_change_days=15,
        cost_of_capital=0.08,
    )
    base = kpi.working_capital_days(**ROUTE66)
    assert w.loc["change", "dio"] == pytest.approx(-0.25 * base["dio"])
    assert w.loc["change", "dso"] == pytest.approx(-5)
    assert w.loc["change", "dpo"] == pytest.approx(15)
    assert w.loc["change", "cash_to_cash"] == pytest.approx(-0.25 * base["dio"] - 5 - 15)
    released = 0.25 * 1_337 + 5 * 14_750 / 365 + 15 * 11_375 / 365
    assert w.loc["scenario", "cash_released"] == pytest.approx(released)
    assert w.loc["scenario", "financing_saving"] == pytest.approx(0.08 * released)
    assert -w.loc["change", "working_capital"] == pytest.approx(released)


def test_working_capital_what_if_without_changes_is_the_base():
    w = kpi.working_capital_what_if(**ROUTE66)
    assert w.loc["change"].abs().max() == pytest.approx(0)


# -- margin, erosion and inventory ----------------------------------------------------------


def test_gross_margin_shares_add_to_one_and_sort_largest_first():
    rng = np.random.default_rng(1)
    sales = pd.DataFrame(
        {"family": rng.choice(list("abcd"), 200), "revenue": rng.uniform(100, 200, 200)}
    )
    sales["cogs"] = sales["revenue"] * rng.uniform(0.5, 0.9, 200)
    gm = kpi.gross_margin(sales, by="family")
    assert gm["share_of_margin"].sum() == pytest.approx(1)
    assert gm["gross_margin"].is_monotonic_decreasing
    total = kpi.gross_margin(sales)
    assert total["gross_margin"] == pytest.approx(gm["gross_margin"].sum())


def test_margin_erosion_restores_list_margin():
    sales = pd.DataFrame(
        {
            "family": ["a", "a", "b"],
            "units": [10, 5, 8],
            "revenue": [900.0, 500.0, 640.0],
            "cogs": [500.0, 250.0, 400.0],
            "discount_per_unit": [10.0, 0.0, 20.0],
            "expedite_cost": [0.0, 30.0, 0.0],
        }
    )
    e = variance.margin_erosion(sales, by="family")
    assert e.loc["b", "promotion_erosion"] == 160.0
    assert e.loc["a", "expedite_erosion"] == 30.0
    assert e.loc["a", "margin_at_list"] == pytest.approx(900 + 500 - 750 + 100)
    assert e.index[0] == "b"  # largest erosion first


def test_gmroi_equals_margin_percent_times_sales_to_stock():
    revenue, cogs, stock = 1_000.0, 600.0, 250.0
    assert kpi.gmroi(revenue - cogs, stock) == pytest.approx(
        (revenue - cogs) / revenue * revenue / stock
    )


def test_turns_times_days_of_supply_is_the_year():
    cogs = pd.Series([1000.0, 500.0])
    inv = pd.Series([100.0, 250.0])
    assert (kpi.inventory_turns(cogs, inv) * kpi.days_of_supply(inv, cogs)).tolist() == [365, 365]


def test_excess_counts_only_stock_above_cover_and_obsolete_only_end_of_life():
    st = pd.DataFrame(
        {
            "on_hand": [100, 50, 20],
            "forward_monthly_demand": [10, 0, 5],
            "unit_cost": [2.0, 3.0, 4.0],
            "eol": [False, False, True],
        }
    )
    eo = kpi.excess_and_obsolete(st, months_of_cover=3, end_of_life="eol")
    assert eo["excess_units"].tolist() == [70, 50, 0]  # no demand: all 50 are excess
    assert eo["obsolete_units"].tolist() == [0, 0, 20]
    assert eo["eo_value"].sum() == pytest.approx(70 * 2 + 50 * 3 + 20 * 4)
    assert np.isinf(eo.loc[1, "months_of_cover"])


# -- plan vs actual and the variance bridge -------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_price_volume_mix_adds_up_exactly_on_random_data(seed):
    """Identity: plan + volume + mix + price = actual, per item and in total, including
    items that were planned but not sold and sold but not planned."""
    rng = np.random.default_rng(seed)
    skus = [f"s{i}" for i in range(12)]
    plan_skus = rng.choice(skus, 9, replace=False)
    actual_skus = rng.choice(skus, 9, replace=False)

    def table(keys):
        units = rng.integers(0, 500, len(keys)).astype(float)
        return pd.DataFrame(
            {"sku": keys, "units": units, "revenue": units * rng.uniform(50, 900, len(keys))}
        )

    plan, actual = table(plan_skus), table(actual_skus)
    pvm = variance.price_volume_mix(plan, actual, by="sku")
    steps = pvm[["volume", "mix", "price"]].sum(axis=1)
    np.testing.assert_allclose(steps, pvm["total"], rtol=1e-12, atol=1e-6)
    bridge = variance.variance_bridge(plan, actual, by="sku")
    closing = bridge["plan"] + bridge["volume"] + bridge["mix"] + bridge["price"]
    assert closing == pytest.approx(actual["revenue"].sum(), rel=1e-12)
    assert bridge["plan"] == pytest.approx(plan["revenue"].sum(), rel=1e-12)


def test_volume_is_total_unit_change_at_plan_average_price():
    plan = pd.DataFrame({"sku": ["a", "b"], "units": [60.0, 40.0], "revenue": [600.0, 800.0]})
    actual = pd.DataFrame({"sku": ["a", "b"], "units": [90.0, 60.0], "revenue": [900.0, 1200.0]})
    b = variance.variance_bridge(plan, actual)
    # same mix (60/40), same prices: the whole change is volume
    assert b["volume"] == pytest.approx(50 * 14.0)
    assert b["mix"] == pytest.approx(0) and b["price"] == pytest.approx(0)


def test_pure_mix_shift_at_constant_total_units():
    plan = pd.DataFrame({"sku": ["a", "b"], "units": [50.0, 50.0], "revenue": [500.0, 1000.0]})
    actual = pd.DataFrame({"sku": ["a", "b"], "units": [30.0, 70.0], "revenue": [300.0, 1400.0]})
    b = variance.variance_bridge(plan, actual)
    assert b["volume"] == pytest.approx(0) and b["price"] == pytest.approx(0)
    assert b["mix"] == pytest.approx(200)  # 20 units moved from 10 to 20 per unit


def test_unplanned_new_product_shows_in_mix_not_price():
    plan = pd.DataFrame({"sku": ["a"], "units": [100.0], "revenue": [1000.0]})
    actual = pd.DataFrame({"sku": ["a", "new"], "units": [100.0, 10.0], "revenue": [1000.0, 500.0]})
    pvm = variance.price_volume_mix(plan, actual)
    assert pvm.loc["new", "price"] == 0
    assert pvm.loc["new", ["volume", "mix"]].sum() == pytest.approx(500)


def test_plan_vs_actual_fills_missing_groups_with_zero():
    plan = pd.DataFrame({"family": ["a", "b"], "units": [10, 20]})
    actual = pd.DataFrame({"family": ["a", "c"], "units": [12, 5]})
    t = variance.plan_vs_actual(plan, actual, by="family", measures=["units"])
    assert t["units_variance"].to_dict() == {"a": 2.0, "b": -20.0, "c": 5.0}
    assert np.isnan(t.loc["c", "units_variance_pct"])


# -- forecast errors and root cause ---------------------------------------------------------


def test_bias_table_sign_positive_means_over_forecast():
    df = pd.DataFrame(
        {"seg": ["x", "x"], "lag": [1, 1], "actual": [100, 100], "forecast": [130, 110]}
    )
    assert variance.bias_table(df, rows="seg", columns="lag").loc["x", 1] == pytest.approx(20)


def test_tracking_signal_exceptions_flags_under_forecast_worst_first():
    periods = np.arange(1, 9)
    df = pd.concat(
        [
            pd.DataFrame({"sku": "under", "period": periods, "actual": 20.0, "forecast": 10.0}),
            pd.DataFrame(
                {"sku": "over", "period": periods, "actual": 10.0, "forecast": [11] * 6 + [9, 11]}
            ),  # TS = 6 / 1 = 6
            pd.DataFrame(
                {"sku": "fine", "period": periods, "actual": 10.0, "forecast": [9, 11] * 4}
            ),
        ]
    )
    out = variance.tracking_signal_exceptions(df, by="sku", limit=4)
    assert out.index.tolist() == ["under", "over"]
    assert out.loc["under", "direction"] == "under-forecast"
    assert out.loc["under", "tracking_signal"] == pytest.approx(-8)
    assert out.loc["over", "tracking_signal"] == pytest.approx(6)
    assert variance.tracking_signal_exceptions(df, by="sku", limit=10).empty


def test_pareto_table_vital_few_reach_the_threshold():
    misses = pd.Series({"a": 5.0, "b": 60.0, "c": 25.0, "d": 10.0})
    t = variance.pareto_table(misses, vital_share=0.8)
    assert t.index.tolist() == ["b", "c", "d", "a"]
    assert t["cumulative_share"].iloc[-1] == pytest.approx(1)
    assert t.index[t["vital_few"]].tolist() == ["b", "c"]  # 60 % then 85 %


def test_shortage_is_a_supply_failure_not_a_forecast_error():
    df = pd.DataFrame(
        {"sku": ["a", "b"], "forecast": [100, 100], "ordered_units": [100, 90],
         "shipped_units": [70, 90]}
    )  # fmt: skip
    out = variance.separate_forecast_and_supply_error(df, by="sku")
    assert out.loc["a", "forecast_error"] == 0 and out.loc["a", "supply_failure"] == 30
    assert out.loc["a", "naive_error"] == 30  # measured against shipments it looks like 30
    assert out.loc["b", "forecast_error"] == 10 and out.loc["b", "supply_failure"] == 0
    np.testing.assert_allclose(out["naive_error"], out["forecast_error"] + out["supply_failure"])
    assert out.loc["a", "supply_failure_share"] == 1.0


# -- charts ---------------------------------------------------------------------------------


def test_charts_return_axes_with_unit_labels_and_never_show(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("library code must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    plan = pd.DataFrame({"sku": ["a", "b"], "units": [50.0, 50.0], "revenue": [500.0, 1000.0]})
    actual = pd.DataFrame({"sku": ["a", "b"], "units": [30.0, 80.0], "revenue": [330.0, 1500.0]})
    bridge = variance.variance_bridge(plan, actual)
    ax = variance.plot_variance_bridge(bridge, value_label="Revenue (EUR)", zoom=False)
    assert ax.get_ylabel() == "Revenue (EUR)" and ax.get_ylim()[0] <= 0
    heights = [p.get_height() for p in ax.patches]
    assert heights[-1] == pytest.approx(1830)  # the closing bar is the actual
    ax = variance.plot_variance_bridge(bridge, value_label="Revenue (EUR)")
    assert ax.get_ylim()[0] > 0 and "does not start at 0" in ax.get_ylabel()
    assert ax.get_ylim()[0] < min(1500, 1830)  # every level stays in view
    ax = kpi.plot_cash_cycle(kpi.working_capital_what_if(**ROUTE66, inventory_reduction=0.1))
    assert "days" in ax.get_xlabel() and len(ax.get_yticklabels()) == 2
    table = pd.DataFrame({1: [5.0, -3.0]}, index=pd.Index(["a", "b"], name="family"))
    table.columns.name = "lag (months)"
    ax = variance.plot_bias_heatmap(table)
    assert ax.get_xlabel() == "lag (months)"
    plt.close("all")


# -- bad input ------------------------------------------------------------------------------

_PLAN = pd.DataFrame({"sku": ["a"], "units": [10.0], "revenue": [100.0]})


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: kpi.traffic_light(0.9, 0.95, direction="up-ish"), "direction"),
        (lambda: kpi.traffic_light(0.9, 0.95, tolerance=-1), "tolerance"),
        (lambda: kpi.traffic_light(float("nan"), 0.95), "got nan"),
        (lambda: kpi.rate_kpis(pd.DataFrame({"actual": [1.0]})), "missing column"),
        (lambda: kpi.service_kpis(_lines().drop(columns="shipped_date")), "shipped_date"),
        (lambda: kpi.service_kpis(_lines().assign(requested_units=0)), "> 0"),
        (lambda: kpi.service_kpis(_lines().assign(shipped_units=-1)), ">= 0"),
        (lambda: kpi.service_kpis(_lines().iloc[0:0]), "empty"),
        (lambda: kpi.service_kpis(_lines().assign(requested_date="soon")), "dates"),
        (
            lambda: kpi.schedule_attainment(
                pd.DataFrame({"planned_units": [0], "actual_units": [1]})
            ),
            "undefined",
        ),
        (lambda: kpi.working_capital_days(0, 10, 1, 1, 1), "revenue"),
        (lambda: kpi.working_capital_days(10, 10, [1, float("nan")], 1, 1), "NaN"),
        (lambda: kpi.working_capital_days(10, 10, -1, 1, 1), "inventory"),
        (lambda: kpi.working_capital_what_if(**ROUTE66, inventory_reduction=1.5), "fraction"),
        (lambda: kpi.working_capital_what_if(**ROUTE66, cost_of_capital=8), "fraction"),
        (
            lambda: kpi.working_capital_what_if(**ROUTE66, customer_terms_change_days=-500),
            "negative",
        ),
        (lambda: kpi.gross_margin(pd.DataFrame({"revenue": [1.0]})), "cogs"),
        (lambda: kpi.gross_margin(pd.DataFrame({"revenue": [-1.0], "cogs": [1.0]})), "negative"),
        (lambda: kpi.inventory_turns(100, 0), "undefined"),
        (lambda: kpi.days_of_supply(100, 10, days=0), "days"),
        (
            lambda: kpi.excess_and_obsolete(
                pd.DataFrame({"on_hand": [1], "forward_monthly_demand": [1], "unit_cost": [1]}),
                months_of_cover=0,
            ),
            "months_of_cover",
        ),
        (lambda: variance.price_volume_mix(_PLAN, _PLAN.drop(columns="units")), "units"),
        (lambda: variance.price_volume_mix(_PLAN, _PLAN.assign(units=0.0)), "unit value"),
        (lambda: variance.price_volume_mix(_PLAN.assign(units=0.0, revenue=0.0), _PLAN), "0 units"),
        (lambda: variance.price_volume_mix(_PLAN, _PLAN.assign(units=float("nan"))), "NaN"),
        (lambda: variance.price_volume_mix(_PLAN, _PLAN, by=[]), "by is required"),
        (lambda: variance.plot_variance_bridge(pd.Series({"plan": 1.0})), "index"),
        (
            lambda: variance.plot_variance_bridge(
                pd.Series({"plan": 1.0, "volume": 1.0, "mix": 0.0, "price": 0.0, "actual": 5.0})
            ),
            "does not close",
        ),
        (lambda: variance.bias_table(_PLAN, rows="sku", columns="lag"), "lag"),
        (lambda: variance.pareto_table(pd.Series(dtype=float)), "non-empty"),
        (lambda: variance.pareto_table(pd.Series({"a": -1.0})), ">= 0"),
        (lambda: variance.pareto_table(pd.Series({"a": 1.0}), vital_share=80), "fraction"),
        (
            lambda: variance.separate_forecast_and_supply_error(
                pd.DataFrame({"forecast": [1], "ordered_units": [1], "shipped_units": [2]})
            ),
            "more than was ordered",
        ),
        (
            lambda: variance.tracking_signal_exceptions(
                pd.DataFrame({"sku": ["a"], "period": [1], "actual": [1], "forecast": [1]}),
                by="sku",
                limit=0,
            ),
            "limit",
        ),
        (lambda: variance.plan_vs_actual(_PLAN, _PLAN, by="sku", measures=[]), "measures"),
        (lambda: kpi.inventory_turns(float("inf"), float("inf")), "infinite"),  # was NaN
        (lambda: kpi.inventory_turns(7e6, [3.75e5, float("inf")]), "infinite"),
        (lambda: kpi.days_of_supply(100.0, 1000.0, days=float("inf")), "infinite"),
        (
            lambda: variance.plan_vs_actual(
                _PLAN, _PLAN.assign(revenue=float("inf")), by="sku", measures=["units", "revenue"]
            ),
            "infinite",
        ),
    ],
)
def test_bad_input_raises_a_helpful_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- explorers ------------------------------------------------------------------------------


def test_scorecard_html_reflects_re_rating_when_a_target_moves():
    from sopcourse.widgets.review import scorecard_html

    card = pd.DataFrame(
        {"actual": [0.93], "target": [0.95], "direction": ["higher"], "tolerance": [0.01]},
        index=["otif"],
    )
    assert ">red</td>" in scorecard_html(kpi.rate_kpis(card)).replace("</span> ", "</span>")
    card["target"] = 0.90
    assert "green" in scorecard_html(kpi.rate_kpis(card))
    with pytest.raises(ValueError, match="status"):
        scorecard_html(card)


def test_explorers_build_and_redraw_when_a_slider_moves():
    widgets = pytest.importorskip("ipywidgets")
    box = sop.widgets.working_capital_explorer(**ROUTE66)
    summary, chart = box.children[1], box.children[2]
    before, png = summary.value, bytes(chart.value)
    assert png.startswith(b"\x89PNG")
    box.children[0].children[0].value = 0.3  # inventory cut slider
    assert summary.value != before and "Cash-to-cash" in summary.value
    assert bytes(chart.value).startswith(b"\x89PNG") and bytes(chart.value) != png
    card = pd.DataFrame(
        {"actual": [0.93], "target": [0.95], "direction": ["higher"], "tolerance": [0.01]},
        index=["otif"],
    )
    box = sop.widgets.scorecard_explorer(card)
    assert isinstance(box, widgets.VBox)
    slider, table = box.children[0].children[0], box.children[1]
    slider.value = 0.9
    assert "green" in table.value
    plt.close("all")


def test_default_column_names_fit_the_tallridge_tables():
    """The defaults follow datasets/README.md: orders and inventory need no renaming."""
    try:
        company = sop.load_company()
    except (FileNotFoundError, AttributeError):
        pytest.skip("the Tallridge data is not available")
    closed = company.orders[company.orders["status"] != "open"]
    service = kpi.service_kpis(closed)
    assert 0 < service["otif"] <= service["on_time"] <= 1
    assert 0 < service["unit_fill_rate"] <= 1
    split = variance.separate_forecast_and_supply_error(
        company.sales.assign(forecast=company.sales["ordered_units"])
    )
    assert (split["forecast_error"] == 0).all() and (split["supply_failure"] >= 0).all()


# -- the management review pack -------------------------------------------------------------


@pytest.fixture(scope="module")
def company():
    try:
        return sop.load_company()
    except (FileNotFoundError, AttributeError):
        pytest.skip("the Tallridge data is not available")


def test_management_review_pack_is_coherent(company):
    review = sop.management_review(company, year=2025)
    card = review["scorecard"]
    assert list(card.index) == list(kpi_review.DEFAULT_TARGETS.index)
    assert set(card["status"]) <= {"green", "amber", "red"}
    b = review["bridge"]
    # the family comparison and the SKU bridge explain the same revenue gap
    gap = review["plan_vs_actual"]["revenue_variance"].sum()
    assert b["actual"] - b["plan"] == pytest.approx(gap, abs=1e-3)
    assert b["volume"] + b["mix"] + b["price"] == pytest.approx(gap, abs=1e-3)
    split = review["forecast_vs_supply"]
    np.testing.assert_allclose(
        split["naive_error"], split["forecast_error"] + split["supply_failure"]
    )
    inv = review["inventory"]
    assert inv["turns"] * inv["days_of_supply"] == pytest.approx(365)
    assert card.loc["cash_to_cash", "actual"] == pytest.approx(
        review["working_capital"]["cash_to_cash"]
    )


def test_management_review_is_a_result_object_that_reads_like_the_dict(company):
    review = sop.management_review(company, year=2025)
    assert isinstance(review, kpi_review.ManagementReview)
    assert review.scorecard is review["scorecard"]
    assert list(review)[:2] == ["scorecard", "service"] and len(dict(review)) == 14
    # the same pack from plain tables (the year's tables as case.management_review selects them)
    again = kpi_review.review_from_tables(
        **_case._year_tables(company, 2025),
        stock=_case._review_stock(company),
        forecast_errors=_case._forecast_errors(company, 2025),
    )
    pd.testing.assert_frame_equal(again.scorecard, review.scorecard)


def test_management_review_runs_on_a_data_variant():
    review = sop.management_review(sop.load_company(seed=3), year=2025)
    assert review["scorecard"]["actual"].notna().all()
    fig = kpi.plot_management_review(review)
    assert len(fig.axes) >= 4
    plt.close("all")


def test_management_review_bad_input(company):
    class Partial:
        products = company.products

    with pytest.raises(ValueError, match="lacks table"):
        sop.management_review(Partial(), year=2025)
    with pytest.raises(ValueError, match="no rows for 1990"):
        sop.management_review(company, year=1990)
    bad = kpi_review.DEFAULT_TARGETS.rename(index={"otif": "happiness"})
    with pytest.raises(ValueError, match="unknown KPI"):
        sop.management_review(company, year=2025, targets=bad)
    with pytest.raises(ValueError, match="management_review"):
        kpi.plot_management_review({"bridge": None})


def test_an_item_with_no_stock_and_no_demand_has_zero_months_of_cover():
    stock = pd.DataFrame(
        {
            "sku": ["A", "B"],
            "on_hand": [0, 5],
            "forward_monthly_demand": [0.0, 0.0],
            "standard_cost": [1.0, 1.0],
            "end_of_life": [False, False],
        }
    )
    eo = kpi.excess_and_obsolete(
        stock, months_of_cover=6, unit_cost="standard_cost", end_of_life="end_of_life"
    )
    assert list(eo["months_of_cover"]) == [0.0, np.inf]
    assert list(eo["excess_units"]) == [0, 5]
