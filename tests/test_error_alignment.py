"""Error measures compare two Series on their index, never silently by position.

``mae(a, b)`` with two Series on different indexes used to compare them by position and
return a number (while ``consume_forecast`` refused misaligned Series); now every
measure that takes an actual and a forecast aligns Series on the index, or raises a
``ValueError`` that names the labels found in one and not the other.
"""

import numpy as np
import pandas as pd
import pytest

import sopcourse as sop
from sopcourse import accuracy as acc

TRAINING = [10.0, 12.0, 11.0, 13.0, 12.0]

MEASURES = {
    "forecast_error": acc.forecast_error,
    "mae": acc.mae,
    "mse": acc.mse,
    "rmse": acc.rmse,
    "mape": acc.mape,
    "smape": acc.smape,
    "wape": acc.wape,
    "mase": lambda a, f: acc.mase(a, f, TRAINING),
    "forecast_bias": acc.forecast_bias,
    "tracking_signal": acc.tracking_signal,
    "accuracy_summary": acc.accuracy_summary,
}

MONTHS = pd.period_range("2025-01", periods=4, freq="M")
ACTUAL = pd.Series([100.0, 120.0, 90.0, 110.0], index=MONTHS)
FORECAST = pd.Series([105.0, 110.0, 95.0, 130.0], index=MONTHS)


def _same(x, y):
    if isinstance(x, pd.Series):
        pd.testing.assert_series_equal(x, y)
    else:
        np.testing.assert_allclose(x, y)


@pytest.mark.parametrize("name", MEASURES)
def test_series_on_shifted_indexes_raise_and_name_the_labels(name):
    """The forecast covers Feb-May, the actuals Jan-Apr: by position the old code paired
    January's actual with February's forecast and returned a number."""
    shifted = FORECAST.set_axis(pd.period_range("2025-02", periods=4, freq="M"))
    with pytest.raises(ValueError, match="different indexes") as info:
        MEASURES[name](ACTUAL, shifted)
    message = str(info.value)
    assert "1 label(s) only in actual [2025-01]" in message
    assert "1 only in forecast [2025-05]" in message


@pytest.mark.parametrize("name", MEASURES)
def test_same_labels_in_another_order_are_aligned_not_refused(name):
    shuffled = FORECAST.iloc[[2, 0, 3, 1]]
    _same(MEASURES[name](ACTUAL, shuffled), MEASURES[name](ACTUAL, FORECAST))


@pytest.mark.parametrize("name", MEASURES)
def test_lists_and_arrays_stay_positional(name):
    expected = MEASURES[name](ACTUAL, FORECAST)
    got = MEASURES[name](ACTUAL.tolist(), FORECAST.to_numpy())
    if isinstance(expected, pd.Series) and name != "accuracy_summary":
        expected = (
            expected.to_numpy() if name == "forecast_error" else expected.reset_index(drop=True)
        )
    _same(got, expected)
    # a Series against a list: positional too (the list has no index to align on)
    _same(MEASURES[name](ACTUAL.to_numpy(), FORECAST.tolist()), got)


def test_mae_of_misaligned_series_is_the_reported_bug():
    """The case of the issue: same length, different labels, a number by position before."""
    a = pd.Series([10.0, 20.0, 30.0], index=["a", "b", "c"])
    b = pd.Series([10.0, 20.0, 30.0], index=["b", "c", "d"])
    with pytest.raises(ValueError, match=r"only in actual \[a\].*only in forecast \[d\]"):
        sop.mae(a, b)


def test_shuffled_forecast_gives_the_error_of_each_period_in_the_actual_order():
    err = acc.forecast_error(ACTUAL, FORECAST.iloc[::-1])
    assert err.index.equals(ACTUAL.index)
    assert err.tolist() == [5.0, -10.0, 5.0, 20.0]


def test_many_missing_labels_are_counted_and_the_first_few_named():
    a = pd.Series(1.0, index=range(10))
    b = pd.Series(1.0, index=range(100, 110))
    with pytest.raises(ValueError, match=r"10 label\(s\) only in actual \[0, 1, 2, 3, 4, \.\.\.\]"):
        acc.wape(a, b)


def test_repeated_labels_in_another_order_cannot_be_aligned():
    a = pd.Series([1.0, 2.0, 3.0], index=["x", "x", "y"])
    b = pd.Series([1.0, 2.0, 3.0], index=["y", "x", "x"])
    with pytest.raises(ValueError, match="repeated"):
        acc.mae(a, b)


def test_identical_indexes_with_repeated_labels_compare_as_before():
    a = pd.Series([1.0, 2.0], index=["x", "x"])
    assert acc.mae(a, pd.Series([2.0, 4.0], index=["x", "x"])) == 1.5
