"""Tests of sopcourse.reconciliation: summing and mapping matrices, bottom-up, top-down by
forecast proportions, middle-out, OLS and WLS (structural scaling), non-negative results.

What is published and what is not
---------------------------------
* Published matrices, reproduced exactly: the summing matrix S of FPP3 section 11.3,
  equation (11.5), for the hierarchy of its Figure 11.1 (Total; A, B; AA, AB, AC, BA, BB),
  and the bottom-up mapping matrix G = [0 | I_5] printed for the same hierarchy in FPP2
  section 10.6 "Mapping matrices" (Hyndman & Athanasopoulos, OTexts).
* Published test case: the fixture of Nixtla hierarchicalforecast ``tests/test_methods.py``
  (a total, two groups, four bottom series, bottom forecasts 1, 2, 3, 4 over h = 2) and its
  "forecast recovery" assertions: with coherent base forecasts every method, including
  ``TopDown(method="forecast_proportions")``, ``MiddleOut`` and ``MinTrace(method="ols" |
  "wls_struct", nonnegative=True)``, returns S @ y_hat_bottom.
* Published properties, tested exactly: coherence, unbiasedness S G S = S and OLS as the
  orthogonal projection onto the coherent subspace (FPP3 section 11.3; Wickramasuriya,
  Athanasopoulos & Hyndman 2019, JASA), and "top-down keeps the top-level base forecast"
  (FPP3 section 11.2).
* NO published numeric example of OLS / WLS / forecast-proportion reconciliation for a
  small hierarchy was found (FPP3 only reports accuracy tables for the Australian tourism
  data). The numbers below marked "by hand" are closed forms derived in the comments
  (first-order conditions of the least-squares problems), not published values and not
  copies of this module's output.
"""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import lsq_linear

import sopcourse.reconciliation as rec
from sopcourse.horizon import disaggregate_top_down, historical_proportions

FIG_11_1 = pd.DataFrame(
    {"family": ["A", "A", "A", "B", "B"], "sku": ["AA", "AB", "AC", "BA", "BB"]}
)


def tidy(nodes, values, periods=("2025-01",)):
    """Tidy base forecasts from a nodes x periods array."""
    values = np.asarray(values, dtype=float).reshape(len(nodes), len(periods))
    return pd.DataFrame(
        [(n, p, values[i, t]) for t, p in enumerate(periods) for i, n in enumerate(nodes)],
        columns=["node", "month", "units"],
    )


def wide(table, column="reconciled"):
    return table.pivot(index="node", columns="month", values=column)


def random_base(tree_nodes, periods=6, seed=0, low=5.0, high=50.0):
    rng = np.random.default_rng(seed)
    months = [f"2025-{k:02d}" for k in range(1, periods + 1)]
    return tidy(tree_nodes, rng.uniform(low, high, (len(tree_nodes), periods)), months)


NODES_3 = ["total", "A", "B", "AA", "AB", "AC", "BA", "BB"]


# --------------------------------------------------------------------------- published matrices
def test_summing_matrix_is_fpp3_equation_11_5():
    # FPP3 section 11.3, equation (11.5): rows Total, A, B, AA, AB, AC, BA, BB.
    published = np.array(
        [
            [1, 1, 1, 1, 1],
            [1, 1, 1, 0, 0],
            [0, 0, 0, 1, 1],
            [1, 0, 0, 0, 0],
            [0, 1, 0, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 0, 0, 1, 0],
            [0, 0, 0, 0, 1],
        ]
    )
    S = rec.summing_matrix(FIG_11_1, middle="family")
    assert S.index.tolist() == NODES_3
    assert S.columns.tolist() == ["AA", "AB", "AC", "BA", "BB"]
    np.testing.assert_array_equal(S.to_numpy(), published)


def test_bottom_up_mapping_matrix_is_the_one_printed_in_fpp2_10_6():
    # FPP2 section 10.6: G = [0_{5x3} | I_5] for the hierarchy of Figure 10.1.
    published = np.hstack([np.zeros((5, 3)), np.eye(5)])
    G = rec.mapping_matrix(rec.summing_matrix(FIG_11_1, middle="family"), "bottom_up")
    np.testing.assert_array_equal(G.to_numpy(), published)


# --------------------------------------------------------------------------- Nixtla's fixture
NIXTLA_HIER = pd.DataFrame({"group": ["g1", "g1", "g2", "g2"], "sku": ["b1", "b2", "b3", "b4"]})
NIXTLA_NODES = ["total", "g1", "g2", "b1", "b2", "b3", "b4"]


def nixtla_base():
    # hierarchicalforecast tests/test_methods.py: S (7 x 4), h = 2,
    # y_hat_bottom = vstack([i * ones(h) for i in 1..4]); base forecasts y_hat = S @ y_hat_bottom.
    S = np.array(
        [
            [1, 1, 1, 1],
            [1, 1, 0, 0],
            [0, 0, 1, 1],
            [1, 0, 0, 0],
            [0, 1, 0, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
        ],
        dtype=float,
    )
    y_hat_bottom = np.vstack([i * np.ones(2) for i in range(1, 5)])
    return S, S @ y_hat_bottom


def test_nixtla_summing_matrix_matches_its_fixture():
    S, _ = nixtla_base()
    ours = rec.summing_matrix(NIXTLA_HIER, middle="group").to_numpy()
    np.testing.assert_array_equal(ours, S)


@pytest.mark.parametrize(
    "method, kwargs",
    [
        ("bottom_up", {}),
        ("top_down", {}),  # Nixtla TopDown(method="forecast_proportions")
        ("middle_out", {}),  # Nixtla MiddleOut(top_down_method="forecast_proportions")
        ("ols", {}),
        ("ols", {"nonnegative": True}),
        ("wls_struct", {}),
        ("wls_struct", {"nonnegative": True}),
    ],
)
def test_nixtla_forecast_recovery(method, kwargs):
    S, y_hat = nixtla_base()
    base = tidy(NIXTLA_NODES, y_hat, ["h1", "h2"])
    out = rec.reconcile_forecasts(base, NIXTLA_HIER, method, middle="group", **kwargs)
    np.testing.assert_allclose(wide(out).loc[NIXTLA_NODES].to_numpy(), y_hat, atol=1e-12)


# --------------------------------------------------------------------------- properties of G
@pytest.mark.parametrize("method", ["bottom_up", "ols", "wls_struct"])
def test_mapping_matrices_are_unbiased_s_g_s_equals_s(method):
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    G = rec.mapping_matrix(S, method).to_numpy()
    np.testing.assert_allclose(S @ G @ S, S, atol=1e-12)


def test_ols_is_the_orthogonal_projection_onto_the_coherent_subspace():
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    P = S @ rec.mapping_matrix(S, "ols").to_numpy()
    np.testing.assert_allclose(P @ P, P, atol=1e-12)  # idempotent
    np.testing.assert_allclose(P, P.T, atol=1e-12)  # symmetric: orthogonal
    y_hat = np.random.default_rng(1).normal(20, 5, 8)
    residual = y_hat - P @ y_hat
    np.testing.assert_allclose(S.T @ residual, 0, atol=1e-10)  # orthogonal to span(S)


@pytest.mark.parametrize("method", ["ols", "wls_struct"])
def test_the_projection_form_equals_g_times_y_hat(method):
    # The module computes b = b_hat + W_b A'(W_a + A W_b A')^-1 (y_a - A b_hat); it must be
    # the textbook G = (S' W^-1 S)^-1 S' W^-1 applied to the base forecasts.
    base = random_base(NODES_3, seed=3)
    out = rec.reconcile_forecasts(base, FIG_11_1, method, middle="family")
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    G = rec.mapping_matrix(S, method).to_numpy()
    y_hat = wide(base, "units").loc[NODES_3].to_numpy()
    np.testing.assert_allclose(wide(out).loc[NODES_3].to_numpy(), S @ G @ y_hat, rtol=1e-12)


@pytest.mark.parametrize("method", ["ols", "wls_struct"])
def test_least_squares_solutions_match_an_independent_weighted_lstsq(method):
    base = random_base(NODES_3, seed=4, periods=1)
    out = rec.reconcile_forecasts(base, FIG_11_1, method, middle="family")
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    w = np.ones(8) if method == "ols" else S.sum(axis=1)  # W = diag(S 1) for wls_struct
    y_hat = wide(base, "units").loc[NODES_3].to_numpy()[:, 0]
    b, *_ = np.linalg.lstsq(S / np.sqrt(w)[:, None], y_hat / np.sqrt(w), rcond=None)
    np.testing.assert_allclose(wide(out).loc[NODES_3].to_numpy()[:, 0], S @ b, rtol=1e-10)


# --------------------------------------------------------------------------- coherence
@pytest.mark.parametrize("method", list(rec.RECONCILIATION_METHODS))
@pytest.mark.parametrize("nonnegative", [False, True])
def test_every_method_returns_coherent_forecasts(method, nonnegative):
    base = random_base(NODES_3, seed=5)
    assert rec.coherence_gaps(base, FIG_11_1, middle="family")["gap"].abs().max() > 1
    out = rec.reconcile_forecasts(base, FIG_11_1, method, middle="family", nonnegative=nonnegative)
    gaps = rec.coherence_gaps(out, FIG_11_1, middle="family", value="reconciled")
    assert gaps["gap"].abs().max() < 1e-9


def test_bottom_up_ols_and_wls_agree_when_the_base_forecasts_are_coherent():
    rng = np.random.default_rng(6)
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    y_hat = S @ rng.uniform(1, 30, (5, 4))
    base = tidy(NODES_3, y_hat, ["2025-01", "2025-02", "2025-03", "2025-04"])
    results = {
        m: wide(rec.reconcile_forecasts(base, FIG_11_1, m, middle="family")).loc[NODES_3]
        for m in ("bottom_up", "ols", "wls_struct", "top_down", "middle_out")
    }
    for m, table in results.items():
        np.testing.assert_allclose(table.to_numpy(), y_hat, rtol=1e-12, err_msg=m)


# --------------------------------------------------------------------------- closed forms
def test_two_items_and_a_total_by_hand():
    # By hand (not published). Total 100, items 40 and 50: the gap is d = 100 - 90 = 10.
    # OLS: minimise (100 - a - b)^2 + (40 - a)^2 + (50 - b)^2. Setting the derivatives to
    #   zero gives a = 40 + r, b = 50 + r with r = 100 - a - b, so r = d - 2r, r = d/3:
    #   a = 43 1/3, b = 53 1/3, total = 96 2/3.
    # WLS (W = diag(2, 1, 1)): minimise (100 - a - b)^2 / 2 + (40 - a)^2 + (50 - b)^2:
    #   a = 40 + r/2, b = 50 + r/2, r = d - r, r = d/2: a = 42.5, b = 52.5, total = 95
    #   (the average of the base total 100 and the bottom-up total 90).
    base = tidy(["total", "a", "b"], [100.0, 40.0, 50.0])
    ols = rec.reconcile_forecasts(base, ["a", "b"], "ols")["reconciled"].to_numpy()
    np.testing.assert_allclose(ols, [290 / 3, 130 / 3, 160 / 3], rtol=1e-12)
    wls = rec.reconcile_forecasts(base, ["a", "b"], "wls_struct")["reconciled"].to_numpy()
    np.testing.assert_allclose(wls, [95.0, 42.5, 52.5], rtol=1e-12)
    # Top-down by forecast proportions: 100 split 40 : 50.
    td = rec.reconcile_forecasts(base, ["a", "b"], "top_down")["reconciled"].to_numpy()
    np.testing.assert_allclose(td, [100.0, 400 / 9, 500 / 9], rtol=1e-12)
    bu = rec.reconcile_forecasts(base, ["a", "b"], "bottom_up")["reconciled"].to_numpy()
    np.testing.assert_allclose(bu, [90.0, 40.0, 50.0])


@pytest.mark.parametrize("m", [1, 3, 7])
def test_total_and_m_items_closed_form(m):
    # By hand, for a total and m items with gap d = y_total - sum(y_j): the same first-order
    # conditions give OLS b_j = y_j + d / (m + 1) and WLS-struct (total weighted 1/m)
    # b_j = y_j + d / (2m), whose total is (y_total + sum(y_j)) / 2.
    rng = np.random.default_rng(m)
    items = [f"i{k}" for k in range(m)]
    y = rng.uniform(5, 50, m + 1)
    base = tidy(["total", *items], y)
    d = y[0] - y[1:].sum()
    ols = rec.reconcile_forecasts(base, items, "ols")["reconciled"].to_numpy()
    np.testing.assert_allclose(ols[1:], y[1:] + d / (m + 1), rtol=1e-12)
    wls = rec.reconcile_forecasts(base, items, "wls_struct")["reconciled"].to_numpy()
    np.testing.assert_allclose(wls[1:], y[1:] + d / (2 * m), rtol=1e-12)
    np.testing.assert_allclose(wls[0], (y[0] + y[1:].sum()) / 2, rtol=1e-12)


def test_wls_struct_mapping_matrix_for_two_items_by_hand():
    # By hand: for a total and 2 items W = diag(2, 1, 1), S'W^-1 S = [[1.5, .5], [.5, 1.5]]
    # with inverse [[.75, -.25], [-.25, .75]]; times S'W^-1 = [[.5, 1, 0], [.5, 0, 1]] gives
    # G = [[.25, .75, -.25], [.25, -.25, .75]].
    G = rec.mapping_matrix(rec.summing_matrix(["a", "b"]), "wls_struct").to_numpy()
    np.testing.assert_allclose(G, [[0.25, 0.75, -0.25], [0.25, -0.25, 0.75]], atol=1e-15)


# --------------------------------------------------------------------------- top-down, middle-out
def test_forecast_proportions_chain_down_the_levels_fpp3_11_2():
    # p_j = prod_l y^(l)_j / S^(l+1)_j: AA gets total * (A / (A + B)) * (AA / (AA + AB + AC)).
    y = {"total": 120.0, "A": 60.0, "B": 20.0, "AA": 10.0, "AB": 20.0, "AC": 30.0}
    y |= {"BA": 5.0, "BB": 15.0}
    base = tidy(NODES_3, [y[n] for n in NODES_3])
    out = wide(rec.reconcile_forecasts(base, FIG_11_1, "top_down", middle="family"))["2025-01"]
    assert out["total"] == 120.0  # FPP3 11.2: top-down keeps the top-level base forecast
    assert out["A"] == pytest.approx(120 * 60 / 80)
    assert out["AA"] == pytest.approx(120 * (60 / 80) * (10 / 60))
    assert out["BB"] == pytest.approx(120 * (20 / 80) * (15 / 20))


def test_forecast_proportions_change_by_period_unlike_historical_ones():
    base = tidy(["total", "a", "b"], [[100, 100], [10, 30], [30, 10]], ["2025-01", "2025-02"])
    out = wide(rec.reconcile_forecasts(base, ["a", "b"], "top_down"))
    assert out.loc["a"].tolist() == [25.0, 75.0]


def test_siblings_with_zero_base_forecasts_share_equally():
    base = tidy(["total", "a", "b"], [10.0, 0.0, 0.0])
    out = rec.reconcile_forecasts(base, ["a", "b"], "top_down")["reconciled"].tolist()
    assert out == [10.0, 5.0, 5.0]


def test_top_down_by_historical_proportions_matches_horizon():
    history = pd.DataFrame(
        {"sku": ["a", "b"] * 2, "month": ["2024-11"] * 2 + ["2024-12"] * 2, "units": [1, 3, 3, 5]}
    )
    base = pd.DataFrame({"node": ["total"] * 2, "month": ["2025-01", "2025-02"], "units": [80, 40]})
    out = rec.reconcile_forecasts(
        base, ["a", "b"], "top_down", proportions="average_of_proportions", history=history
    )
    shares = historical_proportions(history, "average_of_proportions")
    expected = disaggregate_top_down(pd.Series({"2025-01": 80.0, "2025-02": 40.0}), shares)
    items = out[out["level"] == "sku"].reset_index(drop=True)
    np.testing.assert_allclose(items["reconciled"], expected["units"])
    assert items["base"].isna().all()  # only the total was given


def test_middle_out_keeps_the_family_forecasts():
    base = random_base(NODES_3, seed=7, periods=2)
    out = wide(rec.reconcile_forecasts(base, FIG_11_1, "middle_out", middle="family"))
    given = wide(base, "units")
    np.testing.assert_allclose(out.loc[["A", "B"]], given.loc[["A", "B"]])
    np.testing.assert_allclose(out.loc["total"], given.loc[["A", "B"]].sum())
    shares = given.loc[["AA", "AB", "AC"]] / given.loc[["AA", "AB", "AC"]].sum()
    np.testing.assert_allclose(out.loc[["AA", "AB", "AC"]], shares * given.loc["A"])


# --------------------------------------------------------------------------- non-negative
NEG = tidy(["total", "a", "b"], [10.0, 50.0, 1.0])  # OLS gives b = 1 - 41/3 < 0


def objective(reconciled, base, w):
    return float((((base - reconciled) ** 2) / w).sum())


def test_plain_least_squares_can_go_negative():
    out = rec.reconcile_forecasts(NEG, ["a", "b"], "ols")["reconciled"].to_numpy()
    # d = 10 - 51 = -41: each item gets d/3, the total 51 + 2d/3
    np.testing.assert_allclose(out, [51 - 82 / 3, 50 - 41 / 3, 1 - 41 / 3])


def test_nonnegative_ols_by_hand_and_against_the_clipping_heuristic():
    # By hand: minimise (10 - a - b)^2 + (50 - a)^2 + (1 - b)^2 with b >= 0. At b = 0 the
    # best a is (10 + 50) / 2 = 30; the derivative in b there is -2(10 - 30) - 2(1) = 38 > 0,
    # so b = 0 is optimal (KKT): a = 30, b = 0, total 30, objective 20^2 + 20^2 + 1 = 801.
    out = rec.reconcile_forecasts(NEG, ["a", "b"], "ols", nonnegative=True)
    np.testing.assert_allclose(out["reconciled"], [30.0, 30.0, 0.0], atol=1e-9)
    # Clipping b at zero and adding up keeps a = 50 - 41/3: a worse fit (881.2 > 801).
    a = 50 - 41 / 3
    clipped = np.array([a, a, 0.0])
    y = np.array([10.0, 50.0, 1.0])
    assert objective(out["reconciled"].to_numpy(), y, 1) == pytest.approx(801.0)
    assert objective(clipped, y, 1) == pytest.approx((79 / 3) ** 2 + (41 / 3) ** 2 + 1)  # 881.2


def test_nonnegative_wls_by_hand():
    # By hand: W = diag(2, 1, 1); minimise (10 - a - b)^2 / 2 + (50 - a)^2 + (1 - b)^2, b >= 0.
    # At b = 0: -(10 - a) - 2(50 - a) = 0 gives a = 110/3; the b-derivative there is
    # -(10 - 110/3) - 2 = 74/3 > 0, so b = 0 (KKT): a = total = 110/3.
    out = rec.reconcile_forecasts(NEG, ["a", "b"], "wls_struct", nonnegative=True)
    np.testing.assert_allclose(out["reconciled"], [110 / 3, 110 / 3, 0.0], atol=1e-9)


@pytest.mark.parametrize("method", ["ols", "wls_struct"])
def test_nonnegative_matches_an_independent_bounded_solver(method):
    rng = np.random.default_rng(8)
    y = rng.normal(3, 10, (8, 5))  # some base forecasts negative
    base = tidy(NODES_3, y, [f"2025-0{k}" for k in range(1, 6)])
    out = wide(
        rec.reconcile_forecasts(base, FIG_11_1, method, middle="family", nonnegative=True)
    ).loc[NODES_3]
    assert (out.to_numpy() >= 0).all()
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    w = np.ones(8) if method == "ols" else S.sum(axis=1)
    X = S / np.sqrt(w)[:, None]
    for t in range(5):
        ref = lsq_linear(X, y[:, t] / np.sqrt(w), bounds=(0, np.inf), tol=1e-12).x
        ours = out.iloc[:, t].to_numpy()
        assert objective(ours, y[:, t], w) <= objective(S @ ref, y[:, t], w) + 1e-7


@pytest.mark.parametrize("method", ["ols", "wls_struct"])
def test_the_active_set_iteration_agrees_with_scipy_nnls(method):
    # The module's exact non-negative solver (KKT fixed point on the aggregates' multipliers)
    # against scipy.optimize.nnls on the same weighted problem, over many random periods,
    # and its nnls fallback (steps=0) too.
    from scipy.optimize import nnls

    rng = np.random.default_rng(11)
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    w = rec._weights(S[:3], method)  # S's aggregation rows: total, A, B
    y = rng.normal(2, 10, (8, 200))
    B = rec._least_squares(y, S[:3], method, nonnegative=True)
    scale = 1 / np.sqrt(w)
    for t in range(200):
        ref = nnls(S * scale[:, None], y[:, t] * scale)[0]
        np.testing.assert_allclose(B[:, t], ref, atol=1e-9)
    assert (B < 0).sum() == 0 and (B == 0).sum() > 100  # the constraint was active often
    u = np.zeros(3)
    fallback = rec._nonnegative_period(y[:, 0], S[:3], w, u, steps=0)
    np.testing.assert_allclose(fallback, B[:, 0], atol=1e-9)


def test_nonnegative_leaves_a_nonnegative_solution_alone():
    S = rec.summing_matrix(FIG_11_1, middle="family").to_numpy()
    rng = np.random.default_rng(9)
    y_hat = S @ rng.uniform(20, 40, (5, 3)) + rng.normal(0, 2, (8, 3))  # nearly coherent
    base = tidy(NODES_3, y_hat, ["2025-01", "2025-02", "2025-03"])
    plain = rec.reconcile_forecasts(base, FIG_11_1, "ols", middle="family")
    assert (plain["reconciled"] >= 0).all()
    nonneg = rec.reconcile_forecasts(base, FIG_11_1, "ols", middle="family", nonnegative=True)
    pd.testing.assert_frame_equal(plain, nonneg)


def test_nonnegative_bottom_up_clips_the_items():
    base = tidy(["a", "b"], [-4.0, 6.0])
    out = rec.reconcile_forecasts(base, ["a", "b"], "bottom_up", nonnegative=True)
    assert out["reconciled"].tolist() == [6.0, 0.0, 6.0]
    assert np.isnan(out["base"].iloc[0])  # no total was given, and none is needed


# --------------------------------------------------------------------------- the table
def test_the_output_is_tidy_with_levels_and_custom_columns():
    base = random_base(NODES_3, seed=10, periods=3).rename(
        columns={"node": "series", "month": "week", "units": "qty"}
    )
    out = rec.reconcile_forecasts(
        base,
        FIG_11_1.rename(columns={"sku": "item"}),
        "wls_struct",
        node="series",
        item="item",
        middle="family",
        period="week",
        value="qty",
    )
    assert out.columns.tolist() == ["series", "level", "week", "base", "reconciled"]
    assert len(out) == 8 * 3
    assert out["level"].iloc[:8].tolist() == ["total", "family", "family"] + ["item"] * 5
    assert out["week"].is_monotonic_increasing


# --------------------------------------------------------------------------- errors
def test_unknown_nodes_are_named():
    base = tidy(["total", "a", "zz"], [10.0, 4.0, 6.0])
    with pytest.raises(ValueError, match=r"nodes \['zz'\] that are not in the hierarchy"):
        rec.reconcile_forecasts(base, ["a", "b"], "ols")


def test_a_missing_node_or_period_is_a_shape_mismatch():
    base = tidy(["total", "a", "b"], [[10, 11], [4, 5], [6, 6]], ["2025-01", "2025-02"])
    base = base.drop(index=5)  # b has no forecast for 2025-02
    with pytest.raises(ValueError, match=r"first node 'b' in '2025-02'"):
        rec.reconcile_forecasts(base, ["a", "b"], "wls_struct")
    with pytest.raises(ValueError, match=r"needs a base forecast for every one of its 2 nodes"):
        rec.reconcile_forecasts(base, ["a", "b"], "bottom_up")


def test_repeated_rows_are_refused():
    base = pd.concat([tidy(["total", "a", "b"], [10.0, 4.0, 6.0])] * 2)
    with pytest.raises(ValueError, match="repeated"):
        rec.reconcile_forecasts(base, ["a", "b"], "ols")


def test_top_down_refuses_a_negative_total_or_item():
    base = tidy(["total", "a", "b"], [-10.0, 4.0, 6.0])
    with pytest.raises(ValueError, match=r"node 'total' in '2025-01' has -10.0"):
        rec.reconcile_forecasts(base, ["a", "b"], "top_down")
    base = tidy(["total", "a", "b"], [10.0, -4.0, 6.0])
    with pytest.raises(ValueError, match="must be zero or more"):
        rec.reconcile_forecasts(base, ["a", "b"], "top_down")
    # the least-squares methods accept negative base forecasts
    rec.reconcile_forecasts(base, ["a", "b"], "wls_struct")


def test_mapping_matrix_refuses_a_matrix_that_is_not_a_summing_matrix():
    with pytest.raises(ValueError, match=r"got shape \(2, 2\)"):
        rec.mapping_matrix(np.eye(2), "ols")
    with pytest.raises(ValueError, match="end in the identity"):
        rec.mapping_matrix(np.array([[1, 1], [1, 1], [0, 1]]), "ols")
    with pytest.raises(ValueError, match="no fixed G"):
        rec.mapping_matrix(rec.summing_matrix(["a", "b"]), "top_down")


def test_bad_hierarchies_are_refused():
    with pytest.raises(ValueError, match="more than one family"):
        rec.summing_matrix(pd.DataFrame({"family": ["A", "B"], "sku": ["x", "x"]}), middle="family")
    with pytest.raises(ValueError, match="used at two levels"):
        rec.summing_matrix(pd.DataFrame({"family": ["A"], "sku": ["A"]}), middle="family")
    with pytest.raises(ValueError, match="hierarchy is missing column"):
        rec.summing_matrix(pd.DataFrame({"sku": ["a"]}), middle="family")
    with pytest.raises(ValueError, match="not one string"):
        rec.summing_matrix("ab")


def test_bad_options_are_refused():
    base = tidy(["total", "a", "b"], [10.0, 4.0, 6.0])
    with pytest.raises(ValueError, match="method must be one of"):
        rec.reconcile_forecasts(base, ["a", "b"], "mint")
    with pytest.raises(ValueError, match="needs a middle level"):
        rec.reconcile_forecasts(base, ["a", "b"], "middle_out")
    with pytest.raises(ValueError, match="pass history="):
        rec.reconcile_forecasts(base, ["a", "b"], "top_down", proportions="proportion_of_averages")
    with pytest.raises(ValueError, match="nonnegative must be True or False"):
        rec.reconcile_forecasts(base, ["a", "b"], "ols", nonnegative="yes")
    history = pd.DataFrame({"sku": ["a", "c"], "month": ["2024-12"] * 2, "units": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"no history for \['b'\]"):
        rec.reconcile_forecasts(
            base, ["a", "b"], "top_down", proportions="proportion_of_averages", history=history
        )


def test_non_numbers_and_gaps_in_the_values_are_refused():
    base = tidy(["total", "a", "b"], [10.0, 4.0, 6.0])
    with pytest.raises(ValueError, match="NaN"):
        rec.reconcile_forecasts(base.assign(units=[10.0, None, 6.0]), ["a", "b"], "ols")
    with pytest.raises(ValueError, match="must be numbers"):
        rec.reconcile_forecasts(base.assign(units=["10", 4, 6]), ["a", "b"], "ols")
    with pytest.raises(ValueError, match="missing column"):
        rec.reconcile_forecasts(base.drop(columns="units"), ["a", "b"], "ols")
