"""Forecast accuracy and bias: error measures, tracking signal, forecast value added.

**Error-sign convention (used everywhere in the course):**

.. math:: e_t = F_t - A_t \\quad (\\text{forecast minus actual})

so a **positive** error or bias means the forecast was too high (**over-forecast**) and a
negative one means it was too low (under-forecast). This is the convention of Chopra &
Meindl, *Supply Chain Management*, Ch. 7 (:math:`E_t = F_t - D_t`). Some textbooks
(Heizer & Render, Stevenson) use actual minus forecast; their bias and tracking signals
then have the opposite sign to ours, while every absolute measure (MAE, RMSE, MAPE, ...)
is the same.

All functions take the actuals :math:`A_t` and forecasts :math:`F_t` as array-likes of the
same length (pandas Series, lists or numpy arrays), reject NaN, empty input and negative
actual demand with a ``ValueError``, and return plain floats (or a Series / DataFrame).
Percentages are returned in percent (``5.6`` means 5.6 %).

**Two Series are compared on their index**, period by period: the same labels in another
order are aligned first, and indexes with different labels raise a ``ValueError`` that
names the labels found in one and not the other. Lists and arrays compare by position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import check_numbers, check_whole_number, require_columns

__all__ = [
    "SIGN_CONVENTION",
    "forecast_error",
    "mae",
    "mse",
    "rmse",
    "mape",
    "smape",
    "wape",
    "mase",
    "forecast_bias",
    "tracking_signal",
    "accuracy_summary",
    "accuracy_by_group",
    "forecast_value_added",
    "plot_fva_stairstep",
]

SIGN_CONVENTION = "error = forecast - actual (positive = over-forecast)"


def _align(actual, forecast):
    """Two Series compare on their index (same labels in another order are aligned);
    anything else compares by position."""
    if not (isinstance(actual, pd.Series) and isinstance(forecast, pd.Series)):
        return actual, forecast
    if actual.index.equals(forecast.index):
        return actual, forecast
    only_actual = actual.index.difference(forecast.index)
    only_forecast = forecast.index.difference(actual.index)
    if len(only_actual) or len(only_forecast):
        raise ValueError(
            "actual and forecast are Series on different indexes, so their periods do not "
            f"match: {len(only_actual)} label(s) only in actual {_labels(only_actual)} and "
            f"{len(only_forecast)} only in forecast {_labels(only_forecast)}. Align them on "
            "the same periods first, e.g. forecast.reindex(actual.index) or "
            "pd.concat([actual, forecast], axis=1).dropna()."
        )
    if not (actual.index.is_unique and forecast.index.is_unique):
        raise ValueError(
            "actual and forecast hold the same labels in another order, with repeated "
            "labels, so they cannot be aligned: give each period one label (or pass arrays "
            "to compare by position)."
        )
    return actual, forecast.reindex(actual.index)


def _labels(index, shown: int = 5) -> str:
    items = [str(label) for label in index[:shown]]
    more = ", ..." if len(index) > shown else ""
    return "[" + ", ".join(items) + more + "]"


def _pair(actual, forecast) -> tuple[np.ndarray, np.ndarray]:
    """Actual and forecast as two float arrays of the same periods (see :func:`_align`)."""
    actual, forecast = _align(actual, forecast)
    a = check_numbers(actual, "actual", low=0)
    f = check_numbers(forecast, "forecast")
    if a.size != f.size:
        raise ValueError(
            f"actual has {a.size} periods but forecast has {f.size}: align them on the same "
            "periods first (e.g. with pd.concat([...], axis=1).dropna())."
        )
    return a, f


def forecast_error(actual, forecast) -> np.ndarray | pd.Series:
    """Forecast error of each period, :math:`e_t = F_t - A_t` (positive = over-forecast).

    Parameters
    ----------
    actual : array-like
        Actual demand :math:`A_t` (units, >= 0).
    forecast : array-like
        Forecast :math:`F_t` for the same periods.

    Returns
    -------
    pandas.Series or numpy.ndarray
        A Series with the actual's index when ``actual`` is a Series, else an array.

    Examples
    --------
    >>> forecast_error([100, 100], [110, 90]).tolist()  # over- then under-forecast
    [10.0, -10.0]
    """
    a, f = _pair(actual, forecast)
    err = f - a
    if isinstance(actual, pd.Series):
        return pd.Series(err, index=actual.index, name="error")
    return err


def mae(actual, forecast) -> float:
    """Mean absolute error (MAE, also called MAD), :math:`\\frac1n\\sum |F_t - A_t|`.

    Sign convention: error = forecast - actual (positive = over-forecast); the absolute
    value makes the sign moot for the MAE itself.

    Examples
    --------
    Heizer & Render, *Operations Management*, Ch. 4 (Port of Baltimore, alpha = 0.10;
    :func:`sopcourse.examples.port_of_baltimore`): the published MAD is 10.31.

    >>> from sopcourse import examples
    >>> baltimore = examples.port_of_baltimore()
    >>> forecast = baltimore.published["ses_forecast_alpha_0_10"]
    >>> round(mae(baltimore.tons.tolist(), forecast), 2), baltimore.published["mad"][0.1]
    (10.31, 10.31)

    Two Series compare month by month on their index, in whatever order they come:

    >>> a = pd.Series([10, 20], index=["2025-01", "2025-02"])
    >>> mae(a, pd.Series([22, 10], index=["2025-02", "2025-01"]))
    1.0
    """
    a, f = _pair(actual, forecast)
    return float(np.mean(np.abs(f - a)))


def mse(actual, forecast) -> float:
    """Mean squared error, :math:`\\frac1n\\sum (F_t - A_t)^2`.

    Sign convention: error = forecast - actual (positive = over-forecast); this measure
    squares or takes the absolute value of the error, so over- and under-forecasts of the
    same size count the same.

    Examples
    --------
    >>> mse([10, 20], [12, 18])
    4.0
    """
    a, f = _pair(actual, forecast)
    return float(np.mean((f - a) ** 2))


def rmse(actual, forecast) -> float:
    """Root mean squared error, :math:`\\sqrt{\\frac1n\\sum (F_t - A_t)^2}` (units of demand).

    Sign convention: error = forecast - actual (positive = over-forecast); this measure
    squares or takes the absolute value of the error, so over- and under-forecasts of the
    same size count the same.

    Examples
    --------
    >>> rmse([10, 20], [12, 18])
    2.0
    """
    return float(np.sqrt(mse(actual, forecast)))


def mape(actual, forecast) -> float:
    """Mean absolute percentage error in percent, :math:`\\frac{100}{n}\\sum |F_t-A_t|/A_t`.

    MAPE misleads at low volumes (1 unit sold against a forecast of 3 is a 200 % error)
    and is undefined when an actual is zero, so zero actuals raise ``ValueError``: use
    :func:`wape` or :func:`mase` for slow movers and spare parts.

    Sign convention: error = forecast - actual (positive = over-forecast); this measure
    squares or takes the absolute value of the error, so over- and under-forecasts of the
    same size count the same.

    Examples
    --------
    >>> mape([100, 200], [110, 180])
    10.0
    """
    a, f = _pair(actual, forecast)
    if (a == 0).any():
        raise ValueError(
            f"MAPE is undefined: {int((a == 0).sum())} actual(s) are zero (division by zero). "
            "Use wape() or mase() for series with zero demand, or drop the zero periods."
        )
    return float(100 * np.mean(np.abs(f - a) / a))


def smape(actual, forecast) -> float:
    """Symmetric MAPE in percent, :math:`\\frac{100}{n}\\sum \\frac{2|F_t-A_t|}{|A_t|+|F_t|}`.

    A period where actual and forecast are both zero counts as 0 % error. The definition
    follows Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.),
    Section 5.8; the result lies between 0 and 200.

    Sign convention: error = forecast - actual (positive = over-forecast); this measure
    squares or takes the absolute value of the error, so over- and under-forecasts of the
    same size count the same.

    Examples
    --------
    >>> smape([100, 0], [100, 0])
    0.0
    >>> smape([0], [5])
    200.0
    """
    a, f = _pair(actual, forecast)
    denom = np.abs(a) + np.abs(f)
    ratio = np.divide(2 * np.abs(f - a), denom, out=np.zeros_like(a), where=denom > 0)
    return float(100 * np.mean(ratio))


def wape(actual, forecast) -> float:
    """Weighted absolute percentage error in percent, :math:`100\\,\\sum|F_t-A_t| / \\sum A_t`.

    Also called MAD/mean ratio. Works with zero actuals as long as the total is positive.

    Sign convention: error = forecast - actual (positive = over-forecast); this measure
    squares or takes the absolute value of the error, so over- and under-forecasts of the
    same size count the same.

    Examples
    --------
    >>> wape([0, 10, 30], [2, 8, 30])
    10.0
    """
    a, f = _pair(actual, forecast)
    if a.sum() == 0:
        raise ValueError("WAPE is undefined when total actual demand is 0: use mae() instead.")
    return float(100 * np.abs(f - a).sum() / a.sum())


def mase(actual, forecast, training, season_length: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler, 2006).

    .. math:: \\text{MASE} = \\frac{\\text{MAE of the forecast}}
              {\\frac{1}{T-m}\\sum_{t=m+1}^{T} |y_t - y_{t-m}|}

    The denominator is the in-sample MAE of the (seasonal) naive forecast on the training
    data :math:`y_1..y_T` with season length :math:`m` (Hyndman & Athanasopoulos, FPP3,
    Section 5.8). MASE < 1 means the forecast beats the naive benchmark's in-sample error.

    Sign convention: error = forecast - actual (positive = over-forecast); this measure
    squares or takes the absolute value of the error, so over- and under-forecasts of the
    same size count the same.

    Parameters
    ----------
    actual, forecast : array-like
        Test-period actuals :math:`A_t` and forecasts :math:`F_t`.
    training : array-like
        The history the forecast was made from (at least ``season_length + 1`` values).
    season_length : int, default 1
        :math:`m`: 1 for the naive scaling, 12 for seasonal naive on monthly data.

    Examples
    --------
    >>> mase([12, 14], [13, 13], training=[10, 12, 11, 13])  # in-sample naive MAE = 5/3
    0.6
    """
    a, f = _pair(actual, forecast)
    y = check_numbers(training, "training")
    m = check_whole_number(season_length, "season_length", hint="Use 1, 4, 12, ...")
    if y.size <= m:
        raise ValueError(
            f"training needs more than season_length={m} values to scale MASE; got {y.size}."
        )
    scale = np.mean(np.abs(y[m:] - y[:-m]))
    # changes below rounding (relative to the size of the series) are a constant series
    if scale <= 1e3 * np.finfo(float).eps * np.abs(y).max():
        raise ValueError(
            f"MASE is undefined: the training series does not change from one season to the "
            f"next (in-sample naive MAE {scale:.3g}, i.e. a constant series), so there is no "
            "naive error to scale by. Use mae() or wape() for this series."
        )
    return float(np.mean(np.abs(f - a)) / scale)


def forecast_bias(actual, forecast) -> float:
    """Mean error (bias), :math:`\\frac1n\\sum (F_t - A_t)`.

    Sign convention: error = forecast - actual, so **positive bias = over-forecast**,
    negative bias = under-forecast.

    Examples
    --------
    >>> forecast_bias([100, 100], [120, 110])  # forecasts too high: positive
    15.0
    >>> forecast_bias([100, 100], [80, 90])    # forecasts too low: negative
    -15.0
    """
    a, f = _pair(actual, forecast)
    return float(np.mean(f - a))


def tracking_signal(actual, forecast) -> pd.Series:
    """Running tracking signal, :math:`TS_t = \\sum_{i\\le t} e_i \\,/\\, MAD_t`.

    :math:`e_i = F_i - A_i` (positive = over-forecast) and :math:`MAD_t` is the mean
    absolute error of periods 1..t (Chopra & Meindl, *Supply Chain Management*, Ch. 7).
    A tracking signal outside about +/-4 (some texts use +/-6) flags a biased forecast:
    large positive = the forecast runs too high, large negative = too low.

    Returns
    -------
    pandas.Series
        One value per period, named ``tracking_signal`` (NaN while MAD is still 0).

    Examples
    --------
    >>> tracking_signal([90, 95, 115], [100, 100, 100]).round(2).tolist()
    [1.0, 2.0, 0.0]
    """
    a, f = _pair(actual, forecast)
    err = f - a
    n = np.arange(1, a.size + 1)
    mad = np.cumsum(np.abs(err)) / n
    ts = np.divide(np.cumsum(err), mad, out=np.full_like(a, np.nan), where=mad > 0)
    index = actual.index if isinstance(actual, pd.Series) else None
    return pd.Series(ts, index=index, name="tracking_signal")


def accuracy_summary(actual, forecast, training=None, season_length: int = 1) -> pd.Series:
    """All accuracy and bias measures of one forecast in a Series.

    Sign convention: error = forecast - actual (positive bias = over-forecast). MAPE is
    NaN when an actual is zero; MASE is NaN when ``training`` is not given.

    Examples
    --------
    >>> s = accuracy_summary([100, 200], [110, 180])
    >>> s[["mae", "bias", "mape", "wape"]].round(2).tolist()
    [15.0, -5.0, 10.0, 10.0]
    """
    a, f = _pair(actual, forecast)
    out = {
        "n": float(a.size),
        "mae": mae(a, f),
        "rmse": rmse(a, f),
        "mape": mape(a, f) if (a > 0).all() else np.nan,
        "smape": smape(a, f),
        "wape": wape(a, f) if a.sum() > 0 else np.nan,
        "mase": mase(a, f, training, season_length) if training is not None else np.nan,
        "bias": forecast_bias(a, f),
        "tracking_signal": float(tracking_signal(a, f).iloc[-1]),
    }
    return pd.Series(out, name="accuracy")


def accuracy_by_group(
    data: pd.DataFrame,
    *,
    actual: str = "actual",
    forecast: str = "forecast",
    by: str | Sequence[str],
) -> pd.DataFrame:
    """MAE, WAPE, bias and tracking signal per group (e.g. per lag, per SKU).

    Sign convention: error = forecast - actual (positive bias = over-forecast).

    Parameters
    ----------
    data : DataFrame
        One row per period and group, with the ``actual`` and ``forecast`` columns.
    by : str or list of str
        Grouping column(s), e.g. ``"lag"`` for accuracy by forecast lag.

    Examples
    --------
    >>> df = pd.DataFrame({"lag": [1, 1, 2, 2], "actual": [10, 20, 10, 20],
    ...                    "forecast": [11, 19, 14, 24]})
    >>> accuracy_by_group(df, by="lag")[["mae", "bias"]].to_dict("list")
    {'mae': [1.0, 4.0], 'bias': [0.0, 4.0]}
    """
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(data, [actual, forecast, *keys], "data")
    rows = []
    for key, grp in data.groupby(keys, sort=True):
        a, f = grp[actual].to_numpy(), grp[forecast].to_numpy()
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "n": len(grp),
                "mae": mae(a, f),
                "wape": wape(a, f) if a.sum() > 0 else np.nan,
                "bias": forecast_bias(a, f),
                "tracking_signal": float(tracking_signal(a, f).iloc[-1]),
            }
        )
    return pd.DataFrame(rows)


def forecast_value_added(
    data: pd.DataFrame,
    steps: Sequence[str],
    *,
    actual: str = "actual",
    measure: str = "wape",
) -> pd.DataFrame:
    """Forecast value added (FVA) of each step of the forecasting process.

    FVA of a step = error of the previous step - error of this step, so a **positive FVA
    means the step made the forecast better** (Gilliland, *The Business Forecasting Deal*,
    2010). The first step (usually the naive forecast) is the reference; the table also
    gives each step's FVA against the naive (first) step and against the statistical
    forecast (the step named ``"statistical"`` if present). Sign convention of bias:
    error = forecast - actual (positive = over-forecast).

    Parameters
    ----------
    data : DataFrame
        One row per period (and item), with the actual column and one forecast column per
        step, in process order, e.g. ``["naive", "statistical", "sales", "consensus"]``.
    steps : list of str
        The forecast columns, in the order the process applies them.
    measure : {"wape", "mae", "rmse", "smape"}
        The error measure (lower is better).

    Returns
    -------
    DataFrame
        Columns ``step``, ``error`` (the measure), ``bias``, ``fva_vs_previous``,
        ``fva_vs_naive`` and ``fva_vs_statistical``.

    Examples
    --------
    >>> df = pd.DataFrame({"actual": [100, 120], "naive": [80, 100],
    ...                    "statistical": [95, 115], "consensus": [105, 130]})
    >>> fva = forecast_value_added(df, ["naive", "statistical", "consensus"], measure="mae")
    >>> fva[["step", "error", "fva_vs_previous"]].to_dict("list")
    {'step': ['naive', 'statistical', 'consensus'], 'error': [20.0, 5.0, 7.5], \
'fva_vs_previous': [0.0, 15.0, -2.5]}
    """
    measures = {"wape": wape, "mae": mae, "rmse": rmse, "smape": smape}
    if measure not in measures:
        raise ValueError(f"measure must be one of {sorted(measures)}; got {measure!r}.")
    steps = list(steps)
    if not steps:
        raise ValueError("steps is empty: list the forecast columns in process order.")
    require_columns(data, [actual, *steps], "data")
    fn = measures[measure]
    a = data[actual].to_numpy()
    errors = [fn(a, data[s].to_numpy()) for s in steps]
    biases = [forecast_bias(a, data[s].to_numpy()) for s in steps]
    stat = errors[steps.index("statistical")] if "statistical" in steps else np.nan
    prev = [errors[0], *errors[:-1]]
    return pd.DataFrame(
        {
            "step": steps,
            "error": errors,
            "bias": biases,
            "fva_vs_previous": [p - e for p, e in zip(prev, errors, strict=True)],
            "fva_vs_naive": [errors[0] - e for e in errors],
            "fva_vs_statistical": [stat - e for e in errors],
        }
    )


def plot_fva_stairstep(fva: pd.DataFrame, *, measure_label: str = "WAPE (%)", ax=None):
    """Draw the FVA stairstep: each step's error as a bar, the change labelled above it.

    Sign convention of the errors behind it: error = forecast - actual (positive =
    over-forecast); a positive FVA label means the step lowered the error.

    Parameters
    ----------
    fva : DataFrame
        The output of :func:`forecast_value_added`.
    measure_label : str
        Y-axis label with units.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("agg")
    >>> df = pd.DataFrame({"actual": [100, 120], "naive": [80, 100], "statistical": [95, 115]})
    >>> ax = plot_fva_stairstep(forecast_value_added(df, ["naive", "statistical"]))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['naive', 'statistical']
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    require_columns(fva, ["step", "error", "fva_vs_previous"], "fva")
    if ax is None:
        _, ax = plt.subplots()
    x = np.arange(len(fva))
    colors = [
        COLORS["neutral"] if i == 0 else (COLORS["good"] if v >= 0 else COLORS["bad"])
        for i, v in enumerate(fva["fva_vs_previous"])
    ]
    ax.bar(x, fva["error"], color=colors)
    for i, (err, v) in enumerate(zip(fva["error"], fva["fva_vs_previous"], strict=True)):
        label = "reference" if i == 0 else f"FVA {v:+.1f}"
        ax.annotate(label, (i, err), ha="center", va="bottom", fontsize=9)
    ax.set_xticks(x, list(fva["step"]))
    ax.set_ylabel(measure_label)
    ax.set_xlabel("forecasting step (process order)")
    ax.set_title("Forecast value added: lower bars are better")
    return ax
