"""Tests for sopcourse.multi_echelon (module 4): guaranteed-service safety stock placement.

Published examples (expected numbers as published; read in Snyder's stockpyl package,
which reproduces the book's examples in its docs and tests; the book itself was not
at hand):

* Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed. (2019), Example 6.5
  (tree GSM, 4 stages): optimal S = (0, 0, 0, 1), cost 2 sqrt(2) + sqrt(6) + 3 = 8.2779.
  Read in stockpyl ``gsm_tree.optimize_committed_service_times`` docstring ("Example
  (Example 6.5)") and the instance in stockpyl ``tests/instances_gsm_tree.py``.
* Graves & Willems (2000), *M&SOM* 2(1), the digital-camera supply chain, as Figure 6.14
  of Snyder & Shen (2nd ed.): optimal S = (0, 3, 5, 4, 7, 0, 0, 0, 0, 2) and cost
  z 10 (0.01 sqrt 2 + 0.13 sqrt 10 + 0.2 sqrt 6 + 0.08 sqrt 4 + 0.04 sqrt 3), z = z_0.95.
  Read in stockpyl ``tests/test_gsm_helpers.py`` (test_figure_6_14) with the instance in
  ``tests/instances_gsm_tree.py``.
* Snyder & Shen (2nd ed.) Problem 6.7 (serial: forming, firing, glazing): S = (2, 3, 0)
  and cost 160 sqrt(5). This is stockpyl's expected answer in
  ``tests/test_gsm_serial.py`` (test_problem_6_7), not a solution printed in the book.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sopcourse as sop
from sopcourse.multi_echelon import gsm_serial, gsm_tree, tallridge_chain_example

# -- published examples -------------------------------------------------------------------


def example_6_5():
    stages = pd.DataFrame(
        {
            "processing_time": [2, 1, 1, 1],
            "holding_cost": [1, 3, 2, 3],
            "demand_sd": [np.nan, 1, np.nan, 1],
            "max_service_time": [np.nan, 0, np.nan, 1],
            "inbound_service_time": [1, 0, 0, 0],
        },
        index=[1, 2, 3, 4],
    )
    return stages, [(1, 3), (3, 2), (3, 4)]


CAMERA = [  # (stage, T, h) of Graves & Willems's digital camera (Snyder & Shen Fig. 6.14)
    ("Raw_Material", 2, 0.01),
    ("Process_Wafers", 3, 0.03),
    ("Package_Test_Wafers", 2, 0.04),
    ("Imager_Base", 4, 0.06),
    ("Imager_Assembly", 2, 0.12),
    ("Ship_to_Final_Assembly", 3, 0.13),
    ("Camera", 6, 0.20),
    ("Circuit_Board", 4, 0.08),
    ("Other_Parts", 3, 0.04),
    ("Build_Test_Pack", 2, 0.50),
]
CAMERA_EDGES = [
    ("Raw_Material", "Process_Wafers"),
    ("Process_Wafers", "Package_Test_Wafers"),
    ("Package_Test_Wafers", "Imager_Assembly"),
    ("Imager_Base", "Imager_Assembly"),
    ("Imager_Assembly", "Ship_to_Final_Assembly"),
    ("Camera", "Build_Test_Pack"),
    ("Ship_to_Final_Assembly", "Build_Test_Pack"),
    ("Circuit_Board", "Build_Test_Pack"),
    ("Other_Parts", "Build_Test_Pack"),
]


def camera():
    names = [s for s, _, _ in CAMERA]
    stages = pd.DataFrame(
        {
            "processing_time": [t for _, t, _ in CAMERA],
            "holding_cost": [h for _, _, h in CAMERA],
            "demand_sd": [np.nan] * 9 + [10],
            "max_service_time": [np.nan] * 9 + [2],
        },
        index=names,
    )
    return stages, CAMERA_EDGES


def test_snyder_shen_example_6_5_tree():
    # Snyder & Shen 2nd ed., Example 6.5: published S = (0,0,0,1), cost 2√2 + √6 + 3.
    stages, edges = example_6_5()
    plan = gsm_tree(stages, edges, z=1)
    assert plan["committed_service_time"].to_dict() == {1: 0, 2: 0, 3: 0, 4: 1}
    assert plan.attrs["total_cost"] == pytest.approx(2 * math.sqrt(2) + math.sqrt(6) + 3)
    # stage 1 serves both customers: its demand sd is sqrt(1 + 1)
    assert plan.loc[1, "demand_sd"] == pytest.approx(math.sqrt(2))


def test_graves_willems_camera_figure_6_14():
    # Graves & Willems (2000) camera chain = Snyder & Shen 2nd ed. Fig. 6.14: published
    # S = (0,3,5,4,7,0,0,0,0,2) and the cost formula below.
    stages, edges = camera()
    z = stats.norm.ppf(0.95)
    plan = gsm_tree(stages, edges, z=z)
    assert plan["committed_service_time"].tolist() == [0, 3, 5, 4, 7, 0, 0, 0, 0, 2]
    published = (
        z
        * 10
        * (
            0.01 * math.sqrt(2)
            + 0.13 * math.sqrt(10)
            + 0.2 * math.sqrt(6)
            + 0.08 * math.sqrt(4)
            + 0.04 * math.sqrt(3)
        )
    )
    assert plan.attrs["total_cost"] == pytest.approx(published)


def test_snyder_shen_problem_6_7_serial():
    # Snyder & Shen 2nd ed., Problem 6.7 (stockpyl's expected answer): S = (2, 3, 0) for
    # forming, firing, glazing and cost 160√5; forming's supplier guarantees 1 period.
    plan = gsm_serial(
        pd.Series({"forming": 1, "firing": 1, "glazing": 2}),
        pd.Series({"forming": 2, "firing": 3, "glazing": 4}),
        demand_sd=10,
        z=4,
        inbound_service_time=1,
    )
    assert plan["committed_service_time"].to_dict() == {"forming": 2, "firing": 3, "glazing": 0}
    assert plan.attrs["total_cost"] == pytest.approx(160 * math.sqrt(5))
    assert plan.loc["glazing", "safety_stock"] == pytest.approx(40 * math.sqrt(5))


# -- differential and property tests (not published examples) ---------------------------


def random_tree(rng, n):
    """A random tree of n stages: each new stage links to an earlier one, either way."""
    names = [f"s{i}" for i in range(n)]
    edges = []
    for i in range(1, n):
        j = int(rng.integers(0, i))
        edges.append((names[j], names[i]) if rng.random() < 0.5 else (names[i], names[j]))
    has_customer = {a for a, _ in edges}
    sinks = [s for s in names if s not in has_customer]
    sd = [float(rng.uniform(1, 5)) if s in sinks or rng.random() < 0.2 else np.nan for s in names]
    out = [float(rng.integers(0, 3)) if not np.isnan(v) else np.nan for v in sd]
    stages = pd.DataFrame(
        {
            "processing_time": rng.integers(0, 4, n),
            "holding_cost": rng.uniform(0.1, 3, n).round(2),
            "demand_sd": sd,
            "max_service_time": out,
            "inbound_service_time": rng.integers(0, 2, n),
        },
        index=names,
    )
    return stages, edges


@pytest.mark.parametrize("seed", range(25))
def test_dp_matches_exhaustive_enumeration(seed):
    # Differential: the Graves-Willems programme against trying every combination.
    rng = np.random.default_rng(seed)
    stages, edges = random_tree(rng, int(rng.integers(2, 6)))
    z = float(rng.uniform(1, 2.5))
    dp = gsm_tree(stages, edges, z=z)
    brute = gsm_tree(stages, edges, z=z, method="enumerate")
    assert dp.attrs["total_cost"] == pytest.approx(brute.attrs["total_cost"], abs=1e-9)
    check_plan(dp, stages, edges, z)


def check_plan(plan, stages, edges, z):
    """Every promise is kept and the costs add up."""
    S = plan["committed_service_time"]
    for stage in plan.index:
        suppliers = [a for a, b in edges if b == stage]
        floor = (
            stages["inbound_service_time"].get(stage, 0) if "inbound_service_time" in stages else 0
        )
        floor = 0 if pd.isna(floor) else floor
        assert plan.loc[stage, "inbound_service_time"] == max([floor] + [S[a] for a in suppliers])
        nlt = (
            plan.loc[stage, "inbound_service_time"] + plan.loc[stage, "processing_time"] - S[stage]
        )
        assert plan.loc[stage, "net_lead_time"] == max(nlt, 0)
        limit = stages["max_service_time"].get(stage, np.nan)
        if not pd.isna(limit):
            assert S[stage] <= limit
    expected = plan["holding_cost"] * z * plan["demand_sd"] * np.sqrt(plan["net_lead_time"])
    np.testing.assert_allclose(plan["cost"], expected)
    assert plan.attrs["total_cost"] == pytest.approx(plan["cost"].sum())


def test_camera_plan_keeps_every_promise_and_z_scales_cost():
    stages, edges = camera()
    base = gsm_tree(stages, edges, z=1.0)
    check_plan(base, stages, edges, 1.0)
    doubled = gsm_tree(stages, edges, z=2.0)
    assert doubled.attrs["total_cost"] == pytest.approx(2 * base.attrs["total_cost"])
    assert doubled["committed_service_time"].equals(base["committed_service_time"])


@pytest.mark.parametrize("seed", range(10))
def test_serial_equals_tree_and_dearer_stage_never_lowers_cost(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 7))
    T = [int(t) for t in rng.integers(0, 5, n)]
    h = [float(x) for x in rng.uniform(0.5, 5, n)]
    serial = gsm_serial(T, h, demand_sd=3.0, z=1.5, max_service_time=1)
    names = [f"stage {i + 1}" for i in range(n)]
    stages = pd.DataFrame(
        {
            "processing_time": T,
            "holding_cost": h,
            "demand_sd": [np.nan] * (n - 1) + [3.0],
            "max_service_time": [np.nan] * (n - 1) + [1],
        },
        index=names,
    )
    tree = gsm_tree(stages, list(zip(names[:-1], names[1:], strict=True)), z=1.5)
    assert serial.attrs["total_cost"] == pytest.approx(tree.attrs["total_cost"])
    brute = gsm_serial(T, h, demand_sd=3.0, z=1.5, max_service_time=1, method="enumerate")
    assert serial.attrs["total_cost"] == pytest.approx(brute.attrs["total_cost"])
    k = int(rng.integers(0, n))
    dearer = list(h)
    dearer[k] *= 2
    more = gsm_serial(T, dearer, demand_sd=3.0, z=1.5, max_service_time=1)
    assert more.attrs["total_cost"] >= serial.attrs["total_cost"] - 1e-12


def test_longer_customer_promise_never_costs_more():
    for promise in range(0, 4):
        a = gsm_serial([2, 3, 1], [1, 2, 4], demand_sd=5, max_service_time=promise)
        b = gsm_serial([2, 3, 1], [1, 2, 4], demand_sd=5, max_service_time=promise + 1)
        assert b.attrs["total_cost"] <= a.attrs["total_cost"] + 1e-12


# -- the Tallridge example ------------------------------------------------------------------


def test_tallridge_chain_built_from_company_data():
    company = sop.load_company()
    plan = tallridge_chain_example(company)
    items = company.items.set_index("item")
    inputs = plan.attrs["inputs"]
    assert plan.index.tolist() == ["welding", "painting", "assembly"]
    # welding + painting = the frame's lead time (1 month of 20 working days)
    days = inputs["working_days_per_month"]
    assert plan["processing_time"].iloc[:2].sum() == items.loc["FRM-RD-AL", "lead_time"] * days
    assert plan.loc["assembly", "processing_time"] == items.loc["RD-200", "lead_time"] * days
    values = inputs["unit_values"]
    assert values["painting"] == items.loc["FRM-RD-AL", "unit_cost"]
    assert values["assembly"] == items.loc["RD-200", "unit_cost"]
    assert 0 < values["welding"] < values["painting"] < values["assembly"]
    assert plan.loc["assembly", "committed_service_time"] == 0
    stages = plan[["processing_time", "holding_cost"]].assign(
        demand_sd=[np.nan, np.nan, inputs["daily_demand_sd"]],
        max_service_time=[np.nan, np.nan, 0],
    )
    check_plan(plan, stages, [("welding", "painting"), ("painting", "assembly")], 1.645)


# -- input checks ---------------------------------------------------------------------------


def test_errors_say_what_is_wrong():
    stages, edges = example_6_5()
    with pytest.raises(ValueError, match="missing column"):
        gsm_tree(stages.drop(columns="holding_cost"), edges)
    with pytest.raises(ValueError, match="whole number of periods"):
        gsm_tree(stages.assign(processing_time=[2, 1.5, 1, 1]), edges)
    with pytest.raises(ValueError, match="holding_cost of 2 must be zero or more"):
        gsm_tree(stages.assign(holding_cost=[1, -3, 2, 3]), edges)
    with pytest.raises(ValueError, match="exactly 3 edges"):
        gsm_tree(stages, edges[:2])
    with pytest.raises(ValueError, match="one tree"):
        gsm_tree(stages, [(1, 3), (3, 2), (2, 1)])
    with pytest.raises(ValueError, match="not in stages"):
        gsm_tree(stages, [(1, 3), (3, 2), (3, 9)])
    with pytest.raises(ValueError, match="itself"):
        gsm_tree(stages, [(1, 1), (3, 2), (3, 4)])
    with pytest.raises(ValueError, match="twice"):
        gsm_tree(stages, [(1, 3), (3, 1), (3, 4)])
    with pytest.raises(ValueError, match="No stage has end-customer demand"):
        gsm_tree(stages.assign(demand_sd=np.nan), edges)
    with pytest.raises(ValueError, match="method must be"):
        gsm_tree(stages, edges, method="guess")
    with pytest.raises(ValueError, match="z must be zero or more"):
        gsm_tree(stages, edges, z=-1)
    with pytest.raises(ValueError, match="must be a DataFrame"):
        gsm_tree([1, 2], edges)
    with pytest.raises(ValueError, match="lists \\[1\\] more than once"):
        gsm_tree(stages.rename(index={2: 1}), edges)
    with pytest.raises(ValueError, match="use method='dp'"):
        gsm_tree(*camera(), method="enumerate")
    with pytest.raises(ValueError, match="weeks instead of days"):
        gsm_serial([300, 200], [1, 1], demand_sd=1)


def test_serial_input_errors():
    with pytest.raises(ValueError, match="one holding cost per stage"):
        gsm_serial([1, 2, 3], [1, 2], demand_sd=1)
    with pytest.raises(ValueError, match="same stage names"):
        gsm_serial(pd.Series({"a": 1, "b": 2}), pd.Series({"b": 1, "a": 2}), demand_sd=1)
    with pytest.raises(ValueError, match="demand_sd must be greater than zero"):
        gsm_serial([1, 2], [1, 2], demand_sd=0)
    with pytest.raises(ValueError, match="empty"):
        gsm_serial([], [], demand_sd=1)
    with pytest.raises(ValueError, match="max_service_time of 'stage 2' must be a whole"):
        gsm_serial([1, 2], [1, 2], demand_sd=1, max_service_time=0.5)
