"""Forecasting methods, demand classification and backtests, with textbook examples."""

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import examples
from sopcourse import forecasting as fc

# Heizer & Render, Operations Management (Pearson), Ch. 4, "Donna's Garden Supply":
# monthly shed sales and the published 3-month moving-average forecasts (Apr..Dec).
SHED_SALES = examples.donnas_garden_supply().sales
SHED_MA3_PUBLISHED = [11.67, 13.67, 16.00, 19.33, 22.67, 26.33, 28.00, 25.33, 20.67]


def test_heizer_render_donnas_garden_supply_three_month_moving_average():
    fitted = fc.one_step_forecasts(SHED_SALES, "moving_average", window=3)
    np.testing.assert_allclose(fitted.iloc[3:].to_numpy(), SHED_MA3_PUBLISHED, atol=0.005)
    # next January: (18 + 16 + 14) / 3 = 16
    assert fc.forecast_series(SHED_SALES, 1, "moving_average").iloc[0] == pytest.approx(16)


def test_heizer_render_port_of_baltimore_ses_forecasts_175_5_and_174_75():
    """Published SES table (alpha = 0.10, F1 = 175): 175, 175.50, 174.75, 173.18, ..."""
    baltimore = examples.port_of_baltimore()
    f = fc.one_step_forecasts(
        baltimore.tons, "ses", alpha=0.1, initial_level=baltimore.initial_forecast
    )
    np.testing.assert_allclose(f.iloc[:4], [175, 175.5, 174.75, 173.18], atol=0.01)


def test_heizer_render_example_7_trend_adjusted_smoothing_fit_14_72_and_17_28():
    """Heizer & Render, Operations Management, Ch. 4, Example 7 (Portland manufacturer):
    alpha = 0.2, beta = 0.4, F1 = 11, T1 = 2, demand 12, 17, ...; published F2 = 12.80,
    T2 = 1.92, FIT2 = 14.72 and F3 = 15.18, T3 = 2.10, FIT3 = 17.28 (run by statsmodels)."""
    ex = examples.portland_trend_adjusted()
    fit = fc.one_step_forecasts(
        ex.demand,
        "holt",
        alpha=ex.alpha,
        beta=ex.beta,
        initial_level=ex.initial_level,
        initial_trend=ex.initial_trend,
    )
    np.testing.assert_allclose(fit.to_numpy(), [13.0, 14.72, 17.28], atol=0.005)


def test_ses_with_known_start_is_the_textbook_recursion():
    """F_{t+1} = F_t + alpha (A_t - F_t), written out, equals the statsmodels run."""
    y = examples.port_of_baltimore().tons.tolist()
    by_hand = [175.0]
    for a in y[:-1]:
        by_hand.append(by_hand[-1] + 0.1 * (a - by_hand[-1]))
    f = fc.one_step_forecasts(y, "ses", alpha=0.1, initial_level=175)
    np.testing.assert_allclose(f.to_numpy(), by_hand)


def test_sbc_classification_cutoffs_adi_1_32_and_cv2_0_49():
    """Syntetos, Boylan & Croston (2005), JORS 56(5): cut-offs ADI = 1.32, CV^2 = 0.49."""
    assert fc.ADI_CUTOFF == 1.32 and fc.CV2_CUTOFF == 0.49
    assert fc.classify_demand([10, 11, 9, 10, 10, 11]) == "smooth"
    assert fc.classify_demand([1, 20, 2, 30, 1, 25]) == "erratic"
    assert fc.classify_demand([0, 5, 0, 0, 5, 0, 6, 0]) == "intermittent"
    assert fc.classify_demand([0, 1, 0, 0, 30, 0, 2, 0]) == "lumpy"
    # ADI exactly at the cut-off counts as intermittent: 33 periods / 25 demands = 1.32
    assert fc.classify_demand([5] * 25 + [0] * 8) == "intermittent"


def test_demand_profile_adi_and_cv2_by_hand():
    # 8 periods, 4 demands -> ADI 2; sizes 2, 4, 2, 4: mean 3, sd 1 -> CV^2 = 1/9
    prof = fc.demand_profile([0, 2, 0, 4, 0, 2, 0, 4])
    assert prof["adi"] == 2 and prof["cv2"] == pytest.approx(1 / 9)


def test_sba_is_croston_times_one_minus_alpha_over_two():
    """Syntetos & Boylan (2005), IJF 21(2): SBA = (1 - alpha/2) * Croston."""
    y = [0, 3, 0, 0, 5, 0, 4, 0, 0, 0, 6, 0]
    for alpha in (0.1, 0.2, 0.5):
        cro, _ = fc.croston_forecast(y, alpha)
        sba, _ = fc.croston_forecast(y, alpha, variant="sba")
        assert sba == pytest.approx(cro * (1 - alpha / 2))


def test_croston_by_hand():
    # Croston (1972), naive start: z0 = 6, p0 = 3; at t=5 demand 4 after q=2: z = 5,
    # p = 2.5 -> 2.
    f, fitted = fc.croston_forecast([0, 0, 6, 0, 4], alpha=0.5, init="naive")
    assert f == pytest.approx(2.0)
    assert fitted[3] == pytest.approx(2.0) and fitted[4] == pytest.approx(2.0)


def test_croston_mean_start_uses_the_mean_interval():
    """tsintermittent's init="mean": p0 = mean of the intervals 3 and 2 = 2.5.

    Hand-derived: z0 = 6, F = 6 / 2.5 = 2.4 before t=5; then z = 5, p = 2.25 -> 2.222.
    """
    f, fitted = fc.croston_forecast([0, 0, 6, 0, 4], alpha=0.5)
    assert fitted[3] == pytest.approx(2.4)
    assert f == pytest.approx(5 / 2.25)


def test_croston_mean_start_is_close_to_the_mean_rate_on_sparse_parts():
    # first demand in period 1, then every 8 periods: the naive start (p0 = 1) makes the
    # forecast far too high; the mean start is near the true rate 4 / 8 = 0.5
    y = np.zeros(41)
    y[::8] = 4
    naive = fc.croston_forecast(y, 0.1, init="naive")[0]
    mean = fc.croston_forecast(y, 0.1)[0]
    assert mean == pytest.approx(0.5 * 41 / 40, rel=0.1)
    assert naive > 1.5 * mean


def test_tsb_forecast_decays_after_demand_stops():
    """Teunter, Syntetos & Babai (2011): the probability decays in periods without demand."""
    with_demand, _ = fc.croston_forecast([4, 4, 4, 4], 0.2, variant="tsb")
    after_gap, _ = fc.croston_forecast([4, 4, 4, 4, 0, 0, 0], 0.2, variant="tsb")
    assert with_demand == pytest.approx(4.0)
    assert after_gap == pytest.approx(4.0 * 0.8**3)
    # Croston does not react to the same gap
    assert fc.croston_forecast([4, 4, 4, 4, 0, 0, 0], 0.2)[0] == pytest.approx(4.0)


def test_naive_and_seasonal_naive_forecasts():
    idx = pd.period_range("2024-01", periods=4, freq="M")
    s = pd.Series([1.0, 2, 3, 4], index=idx)
    out = fc.forecast_series(s, 3, "naive")
    assert out.tolist() == [4, 4, 4]
    assert str(out.index[0]) == "2024-05"
    assert fc.forecast_series(s, 3, "seasonal_naive", season_length=2).tolist() == [3, 4, 3]


@pytest.mark.parametrize("method", ["ses", "holt", "holt_damped", "ses_seasonal", "holt_winters"])
def test_statsmodels_methods_track_a_seasonal_series(method):
    t = np.arange(48)
    y = 100 + 30 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 2, 48)
    out = fc.forecast_series(y, 12, method)
    assert len(out) == 12 and (out >= 0).all()
    if "seasonal" in method or method == "holt_winters":
        truth = 100 + 30 * np.sin(2 * np.pi * np.arange(48, 60) / 12)
        assert np.mean(np.abs(out.to_numpy() - truth)) < 6


def test_auto_chooses_sba_for_spare_parts_and_seasonal_model_for_bikes():
    rng = np.random.default_rng(1)
    spare = rng.poisson(0.3, 48) * rng.integers(1, 4, 48)
    assert fc.select_method(spare)["method"] == "sba"
    t = np.arange(48)
    bikes = 200 + 80 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 5, 48)
    choice = fc.select_method(bikes)
    assert choice["method"] in ("ses_adjusted", "holt_damped_adjusted")
    assert set(choice["scores"]) == {"ses_adjusted", "holt_damped_adjusted"}


def test_backtest_criterion_picks_seasonal_naive_on_a_pure_seasonal_pattern():
    y = np.tile([10.0, 20, 30, 40], 6)
    choice = fc.select_method(
        y,
        season_length=4,
        criterion="backtest",
        candidates=["naive", "moving_average", "seasonal_naive"],
    )
    assert choice["method"] == "seasonal_naive" and choice["scores"]["seasonal_naive"] == 0


def test_rolling_origin_backtest_uses_only_data_before_the_origin():
    bt = fc.rolling_origin_backtest(list(range(1, 11)), "naive", horizon=2, n_origins=3)
    assert len(bt) == 6
    # naive from origin o forecasts y[o] = o + 1 for both steps; actual o+1+step
    assert (bt["forecast"] == bt["origin"] + 1).all()
    assert (bt["error"] == -bt["step"]).all()  # under-forecast of a rising series: negative


def _synthetic_sales(n_series=3, months=36):
    months_idx = pd.date_range("2022-01-01", periods=months, freq="MS")
    rng = np.random.default_rng(7)
    rows = []
    for i in range(n_series):
        base = 50 + 10 * i
        units = base + 20 * np.sin(2 * np.pi * np.arange(months) / 12) + rng.normal(0, 3, months)
        rows.append(
            pd.DataFrame(
                {
                    "sku": f"S{i}",
                    "region": "EU",
                    "month": months_idx,
                    "units": np.round(np.clip(units, 0, None)),
                }
            )
        )
    spare = rng.poisson(0.25, months) * 2
    rows.append(pd.DataFrame({"sku": "P1", "region": "EU", "month": months_idx, "units": spare}))
    return pd.concat(rows, ignore_index=True)


def test_forecast_all_returns_tidy_table_for_every_series():
    sales = _synthetic_sales()
    out = fc.forecast_all(sales, key=["sku", "region"], horizon=18, value="units")
    assert list(out.columns) == ["sku", "region", "month", "forecast", "method", "demand_class"]
    assert len(out) == 4 * 18
    assert out.groupby(["sku", "region"]).size().eq(18).all()
    assert out["month"].min() == pd.Timestamp("2025-01-01")
    assert out.loc[out["sku"] == "P1", "method"].iloc[0] == "sba"
    assert (out["forecast"] >= 0).all()


def test_forecast_all_parallel_equals_serial():
    sales = _synthetic_sales(2, 30)
    a = fc.forecast_all(sales, key="sku", horizon=3, method="ses", value="units")
    b = fc.forecast_all(sales, key="sku", horizon=3, method="ses", value="units", n_jobs=2)
    pd.testing.assert_frame_equal(a, b)


def test_forecast_all_starts_each_series_at_its_first_month_on_sale():
    months = pd.date_range("2022-01-01", periods=30, freq="MS")
    launched = pd.DataFrame(
        {"sku": "E1", "month": months[20:], "units": [50, 55, 60, 58, 62, 65, 63, 66, 70, 68]}
    )
    # a part on sale all along: its quiet months are rows with 0, and they count
    part_units = [0] * 30
    part_units[4] = part_units[15] = part_units[27] = 6
    part = pd.DataFrame({"sku": "P1", "month": months, "units": part_units})
    sales = pd.concat([launched, part], ignore_index=True)
    out = fc.forecast_all(sales, key="sku", horizon=2, method="naive", value="units")
    e1 = out[out["sku"] == "E1"]
    assert e1["forecast"].tolist() == [68, 68] and e1["demand_class"].iloc[0] == "smooth"
    assert out.loc[out["sku"] == "P1", "demand_class"].iloc[0] == "intermittent"
    # SBA on the part sees all 30 months (first interval 5), not only those from month 5
    sba = fc.forecast_all(sales, key="sku", horizon=1, method="sba", value="units")
    expected = fc.croston_forecast(part_units, 0.1, variant="sba")[0]
    assert sba.loc[sba["sku"] == "P1", "forecast"].iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"history": [], "horizon": 3}, "empty"),
        ({"history": [1, np.nan, 3], "horizon": 3}, "NaN"),
        ({"history": [1, -2, 3], "horizon": 3}, "negative"),
        ({"history": [1, 2, 3], "horizon": 0}, "horizon"),
        ({"history": [1, 2, 3], "horizon": 2, "method": "arima"}, "unknown method"),
        ({"history": [1, 2, 3], "horizon": 2, "alpha": 1.5}, "alpha"),
        ({"history": [1, 2, 3], "horizon": 2, "method": "seasonal_naive"}, "full season"),
        ({"history": [1, 2, 3] * 4, "horizon": 2, "method": "holt_winters"}, "2 full seasons"),
        ({"history": [1, 2], "horizon": 2, "method": "moving_average"}, "window"),
        ({"history": [0, 0, 0], "horizon": 2, "method": "croston"}, "no demand"),
        ({"history": [-1], "horizon": 1, "method": "tsb"}, "negative"),
        ({"history": [1, 2, np.inf, 3, 4], "horizon": 2, "method": "holt"}, "infinite"),
        ({"history": [1, 2, np.inf, 3, 4], "horizon": 2, "method": "croston"}, "infinite"),
        ({"history": [1e200 * k for k in range(1, 31)], "horizon": 2}, "too large"),
        (
            {"history": [1e200 * k for k in range(1, 31)], "horizon": 2, "method": "holt_winters"},
            "too large",
        ),
        (
            {"history": [1e200 * k for k in range(1, 31)], "horizon": 2, "method": "ses_adjusted"},
            "too large",
        ),
        ({"history": [0.0] * 30, "horizon": 2, "method": "ses_adjusted"}, "all zeros"),
        ({"history": [0.0] * 30, "horizon": 2, "method": "tsb"}, "naive"),
    ],
)
def test_forecast_series_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fc.forecast_series(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": "product", "value": "units"}, "missing column"),
        ({"key": "sku"}, "missing column"),  # default value column ordered_units absent
        ({"key": "sku", "value": "units", "method": "magic"}, "unknown method"),
        ({"key": "sku", "value": "units", "horizon": -1}, "horizon"),
    ],
)
def test_forecast_all_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fc.forecast_all(_synthetic_sales(1, 12), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "holt", "alpha": 0.2, "initial_level": 11}, "missing"),
        ({"method": "ses", "initial_level": 11}, "alpha"),
        ({"method": "ses", "alpha": 0.2, "initial_level": 11, "initial_trend": 1}, "holt"),
        ({"method": "holt", "alpha": 0.2, "beta": 1.4, "initial_level": 1}, "beta"),
    ],
)
def test_hand_worked_table_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fc.one_step_forecasts([12, 17, 20], **kwargs)


def test_forecast_all_on_tallridge_covers_every_sku_region_series():
    company = sop.load_company()
    sales = company.sales
    out = fc.forecast_all(sales, key=["sku", "region"], horizon=3, method="naive")
    series = sales.groupby(["sku", "region"]).ngroups
    assert len(out) == 3 * series
    assert out["month"].min() == sales["month"].max() + 1
    spare = out[out["sku"].isin(company.products.query("family == 'parts'")["sku"])]
    assert set(spare["demand_class"]) <= {"intermittent", "lumpy"}


def test_backtest_too_short_history_says_how_to_fix():
    with pytest.raises(ValueError, match="fewer origins"):
        fc.rolling_origin_backtest([1, 2, 3], "naive", horizon=3, n_origins=5)


def test_public_names_reexported():
    for name in ("forecast_all", "forecast_series", "classify_demand", "rolling_origin_backtest"):
        assert hasattr(sop, name)


def test_fast_fits_are_never_worse_than_statsmodels_default_optimiser():
    """The fast path (SLSQP, refit with the default when it stops early) reaches an AICc at
    least as good as statsmodels' default L-BFGS-B from the same heuristic start."""
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(11)
    t = np.arange(48)
    for _ in range(8):
        level = rng.uniform(20, 400)
        y = level * (1 + rng.uniform(0.1, 0.5) * np.sin(2 * np.pi * t / 12))
        y = np.clip(y + rng.normal(0, 0.1 * level, 48), 0, None)
        for method in ("ses", "holt_damped", "ses_seasonal", "holt_winters"):
            spec = dict(fc._ES_SPECS[method])
            if "seasonal" in spec:
                spec["seasonal_periods"] = 12
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                default = ExponentialSmoothing(y, initialization_method="heuristic", **spec)
                reference = default.fit(use_brute=False).aicc
            assert fc._fit_es(y, method, 12, None, fast=True).aicc <= reference + 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"init": "first"}, "init must be"),
        ({"variant": "ets"}, "variant must be"),
        ({"alpha": 0}, "alpha"),
        ({"beta": 2.0, "variant": "tsb"}, "beta"),
    ],
)
def test_croston_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fc.croston_forecast([0, 3, 0, 4], **kwargs)


# --------------------------------------------------------------------------- seasonal choice
# Relative monthly demand with a spring peak (peak / trough = 1.6), as Tallridge's city bikes.
SPRING = np.array([0.75, 0.80, 1.05, 1.20, 1.20, 1.15, 1.05, 1.05, 1.10, 0.95, 0.80, 0.90])


def _spring_series(level, seed, years=4):
    """Poisson-gamma demand around level x SPRING (multiplicative season, noise)."""
    rng = np.random.default_rng(seed)
    mu = level * np.tile(SPRING, years)
    return rng.poisson(mu * rng.gamma(20, 1 / 20, mu.size)).astype(float), mu


@pytest.mark.parametrize("level", [20, 60, 150])
def test_auto_choice_is_seasonal_on_48_months_of_noisy_spring_seasonality(level):
    """Regression: AICc of SES against seasonal ES on the raw series chose SES on these
    series 29 times in 30. With two full seasons or more the automatic choice is now
    seasonal and its forecast keeps the spring peak (May above November)."""
    for seed in range(5):
        y, _ = _spring_series(level, seed)
        assert fc.select_method(y)["method"] in ("ses_adjusted", "holt_damped_adjusted")
        auto = fc.forecast_series(y, 12, "auto").to_numpy()
        assert auto[4] > auto[10]


def test_auto_forecast_follows_the_true_season_better_than_ses_at_150_units():
    """Mean absolute distance to the true next-year demand over 10 draws. Measured: 18.2
    (automatic) vs 22.1 (SES) at 150 units a month; at 20-60 units the noise in the
    seasonal indices makes the two about equal, so only the larger volume is asserted."""
    truth = 150 * SPRING
    auto_error = ses_error = 0.0
    for seed in range(10):
        y, _ = _spring_series(150, seed)
        auto_error += np.abs(fc.forecast_series(y, 12, "auto").to_numpy() - truth).mean()
        ses_error += np.abs(fc.forecast_series(y, 12, "ses").to_numpy() - truth).mean()
    assert auto_error < ses_error


def test_ses_adjusted_is_ses_of_the_classically_adjusted_series_times_the_indices():
    """The method as the docstring states it, rebuilt from statsmodels directly."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    from statsmodels.tsa.seasonal import seasonal_decompose

    y, _ = _spring_series(60, 3, years=3)
    dec = seasonal_decompose(y, model="multiplicative", period=12)
    indices = np.asarray(dec.seasonal)
    ses = ExponentialSmoothing(y / indices, initialization_method="estimated").fit()
    expected = np.asarray(ses.forecast(14)) * np.tile(indices[-12:], 2)[:14]
    got = fc.forecast_series(y, 14, "ses_adjusted").to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-3)
    # a zero month: additive decomposition, the adjusted series is y - S
    y0 = y.copy()
    y0[5] = 0
    out = fc.forecast_series(y0, 3, "ses_adjusted")
    assert len(out) == 3 and (out >= 0).all()


def test_one_season_gets_seasonal_naive_shorter_a_flat_model_season_length_1_no_season():
    y, _ = _spring_series(60, 1, years=4)
    assert fc.select_method(y[:11])["method"] in ("ses", "holt_damped")
    for n in (12, 23):
        assert fc.select_method(y[:n]) == {
            "method": "seasonal_naive",
            "demand_class": "smooth",
            "scores": {},
        }
        np.testing.assert_allclose(fc.forecast_series(y[:n], 12, "auto"), y[n - 12 : n])
    assert fc.select_method(y[:24])["method"] in ("ses_adjusted", "holt_damped_adjusted")
    assert set(fc.select_method(y, season_length=1)["scores"]) == {"ses", "holt_damped"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"candidates": ["ses", "ses_adjusted"]}, "not comparable"),
        ({"candidates": ["seasonal_naive"]}, "exponential smoothing"),
        ({"criterion": "mse"}, "criterion"),
        ({"season_length": 0}, "season_length"),
    ],
)
def test_select_method_bad_input(kwargs, message):
    y, _ = _spring_series(60, 2, years=3)
    with pytest.raises(ValueError, match=message):
        fc.select_method(y, **kwargs)


# --------------------------------------------------------------------------- degenerate input
ES_METHODS = ["ses", "holt", "holt_damped", "ses_seasonal", "holt_winters"]
ADJUSTED_METHODS = ["ses_adjusted", "holt_damped_adjusted"]


@pytest.mark.parametrize("method", [*ES_METHODS, *ADJUSTED_METHODS, "croston", "tsb"])
@pytest.mark.parametrize("periods", [5, 30])
def test_a_constant_series_forecasts_the_constant(method, periods):
    if periods < 26 and method in (*ADJUSTED_METHODS, "ses_seasonal", "holt_winters"):
        pytest.skip("seasonal methods need two seasons (tested as bad input)")
    forecast = fc.forecast_series([7.0] * periods, 3, method)
    assert forecast.tolist() == pytest.approx([7.0] * 3)


def test_sba_of_a_constant_series_is_the_constant_times_one_minus_alpha_over_two():
    forecast = fc.forecast_series([7.0] * 12, 2, "sba")  # alpha = 0.1 for SBA
    assert forecast.tolist() == pytest.approx([7.0 * (1 - 0.1 / 2)] * 2)


@pytest.mark.parametrize("method", ES_METHODS)
@pytest.mark.parametrize("periods", [5, 30])
def test_an_all_zero_series_forecasts_zero(method, periods):
    if periods < 26 and method in ("ses_seasonal", "holt_winters"):
        pytest.skip("seasonal methods need two seasons (tested as bad input)")
    assert fc.forecast_series([0.0] * periods, 3, method).tolist() == [0.0] * 3


@pytest.mark.parametrize("periods", [5, 30])
def test_selecting_for_a_constant_series_is_a_perfect_fit_not_nan(periods):
    """The AICc of a perfect fit is log(0) = -inf (statsmodels returns NaN for short series:
    -inf plus an infinite small-sample penalty). It is scored -inf, and the tie between the
    two perfect fits goes to the first, simpler candidate."""
    choice = fc.select_method([7.0] * periods)
    assert set(choice["scores"].values()) == {-np.inf}
    assert choice["method"] == ("ses_adjusted" if periods >= 24 else "ses")


def test_a_perfect_fit_beats_a_finite_score():
    from types import SimpleNamespace

    y = np.array([7.0] * 10)
    assert fc._perfect_fit(SimpleNamespace(sse=0.0), y)
    assert not fc._perfect_fit(SimpleNamespace(sse=1e-6), y)


def test_selecting_for_astronomic_demand_raises_instead_of_an_infinite_score():
    with pytest.raises(ValueError, match="rescale"):
        fc.select_method([1e200 * k for k in range(1, 31)])


def test_croston_with_a_single_demand_is_the_size_over_the_wait_for_it():
    """One demand of 5 in period 11 of 30: z0 = 5, p0 = 11 (the only interval), nothing to
    update after it; TSB's probability starts at d0 = 1/p0 and decays by (1 - beta) in
    each of the 19 periods without demand."""
    history = [0.0] * 10 + [5.0] + [0.0] * 19
    assert fc.croston_forecast(history, 0.1)[0] == pytest.approx(5 / 11)
    assert fc.croston_forecast(history, 0.1, variant="sba")[0] == pytest.approx(0.95 * 5 / 11)
    assert fc.croston_forecast(history, 0.1, variant="tsb")[0] == pytest.approx(5 / 11 * 0.9**19)
    last = [0.0] * 29 + [5.0]  # the only demand in the last period: no forecast made yet
    forecast, fitted = fc.croston_forecast(last, 0.1)
    assert forecast == pytest.approx(5 / 30) and np.isnan(fitted).all()


def test_seasonally_adjusted_method_needs_two_seasons():
    with pytest.raises(ValueError, match="2 full seasons"):
        fc.forecast_series([5.0, 6, 7] * 7, 3, "ses_adjusted")


@pytest.mark.parametrize("seed", [0, 7, 11])
def test_tallridge_seasonal_bikes_get_seasonal_methods_and_match_seasonal_naive(seed):
    """Issue 6 regression. Before: 31-36 of 100 series got plain SES (every city bike), the
    2025 holdout WAPE of the automatic choice was 42-47 % against 30-31 % for the seasonal
    naive benchmark, and the July-December 2025 forecast from 2025-07 was 31-35 % high.
    Measured after (seeds 0, 7, 11): WAPE 29.0-30.2 % vs seasonal naive 30.2-30.7 %,
    bias +2 to +5 %."""
    company = sop.load_company(seed=seed)
    family = company.products.set_index("sku")["family"].astype(str)
    bikes = family.index[family.isin(["road", "mountain", "city", "ebike"])]
    sales = company.sales
    out = fc.forecast_all(sales, key=["sku", "region"], horizon=1)
    months_on_sale = sales.groupby(["sku", "region"])["month"].nunique()
    chosen = out.set_index(["sku", "region"])["method"]
    demand_class = out.set_index(["sku", "region"])["demand_class"]
    long_bikes = months_on_sale[
        (months_on_sale >= 12) & months_on_sale.index.get_level_values("sku").isin(bikes)
    ].index
    # a discontinued bike (trailing zeros) is intermittent by design and gets SBA
    smooth = long_bikes[demand_class[long_bikes].isin(["smooth", "erratic"]).to_numpy()]
    assert len(smooth) >= 60
    seasonal = ["ses_adjusted", "holt_damped_adjusted", "seasonal_naive"]
    assert chosen[smooth].isin(seasonal).all()

    # 2025 holdout: fit on 2022-2024, forecast 12 months, aggregate WAPE over the series
    # with a full year of history (seasonal naive needs one)
    history = sales[sales["month"] < pd.Period("2025-01", "M")]
    auto = fc.forecast_all(history, key=["sku", "region"], horizon=12)
    naive = fc.forecast_all(history, key=["sku", "region"], horizon=12, method="seasonal_naive")
    actual = sales[sales["month"] >= pd.Period("2025-01", "M")]
    on_sale = history.groupby(["sku", "region"])["month"].nunique()
    keep = on_sale[on_sale >= 12].index
    frames = []
    for name, fcst in (("auto", auto), ("seasonal_naive", naive)):
        f = fcst.set_index(["sku", "region", "month"])["forecast"].rename(name)
        frames.append(f)
    table = pd.concat(frames, axis=1).join(
        actual.set_index(["sku", "region", "month"])["ordered_units"]
    )
    table["ordered_units"] = table["ordered_units"].fillna(0)
    table = table[table.index.droplevel("month").isin(keep)]
    wape = {
        name: sop.wape(table["ordered_units"], table[name]) for name in ("auto", "seasonal_naive")
    }
    assert wape["auto"] <= wape["seasonal_naive"]

    # the S&OP cycle's statistical input from 2025-07: July-December not 30 % high
    before = sales[sales["month"] < pd.Period("2025-07", "M")]
    stat = fc.forecast_all(before, key=["sku", "region"], horizon=6)
    later = sales[sales["month"] >= pd.Period("2025-07", "M")]
    bias = stat["forecast"].sum() / later["ordered_units"].sum() - 1
    assert abs(bias) < 0.10


def test_select_method_returns_a_result_that_reads_like_the_old_dict():
    spring = [60, 70, 100, 130, 140, 130, 110, 100, 90, 80, 60, 70] * 3
    choice = sop.select_method(spring)
    assert isinstance(choice, fc.MethodChoice)
    assert choice.method == choice["method"] and choice.scores is choice["scores"]
    assert list(choice) == ["method", "demand_class", "scores"]
    assert dict(choice)["demand_class"] == choice.demand_class == "smooth"


def test_intermittent_demand_names_stay_reachable_from_forecasting():
    from sopcourse import intermittent_demand as im

    assert fc.croston_forecast is im.croston_forecast is sop.croston_forecast
    assert fc.classify_demand is sop.classify_demand and fc.ADI_CUTOFF == im.ADI_CUTOFF
