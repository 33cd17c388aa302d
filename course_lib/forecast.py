"""Forecasting a time series one step ahead: windows, the naive baseline, and honest splits.

Defined in: Chapter 16, "More applications".

A forecaster sees the last ``window`` values and predicts the value
``horizon`` steps after the last one it saw.  Everything here keeps time in
order: training data come before validation data, which come before test
data, so no model is ever shown the future it is asked to predict.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole


def make_windows(series, window: int, horizon: int = 1):
    """Inputs and targets for forecasting: ``X (n, window)`` and ``y (n,)``.

    Defined in: Chapter 16, "More applications".

    Row ``i`` of ``X`` is ``series[i : i + window]`` and its target is
    ``series[i + window + horizon - 1]``, the value ``horizon`` steps after
    the row's last value; ``n = len(series) - window - horizon + 1``.
    """
    series = as_float_array(series, "series", ndim=1)
    window, horizon = check_whole(window, "window"), check_whole(horizon, "horizon")
    n = len(series) - window - horizon + 1
    if n < 1:
        raise ValueError(f"series of length {len(series)} is too short for window {window} and horizon {horizon}")
    X = np.lib.stride_tricks.sliding_window_view(series, window)[:n].copy()
    return X, series[window + horizon - 1 :][:n].copy()


def naive_forecast(X) -> np.ndarray:
    """The "tomorrow = today" forecast: the last value of each window.

    Defined in: Chapter 16, "More applications".
    """
    return as_float_array(X, "X", ndim=2)[:, -1].copy()


def mean_absolute_error(y, prediction) -> float:
    """Mean of ``|y − prediction|``.

    Defined in: Chapter 16, "More applications".
    """
    y, prediction = as_float_array(y, "y"), as_float_array(prediction, "prediction")
    if y.shape != prediction.shape:
        raise ValueError(f"prediction must have the shape of y {y.shape}, got {prediction.shape}")
    return float(np.mean(np.abs(y - prediction)))


def chronological_split(n: int, fractions=(0.7, 0.15)):
    """Index ranges ``(train, validation, test)`` of ``n`` time-ordered rows: the oldest rows train.

    Defined in: Chapter 16, "More applications".
    """
    n = check_whole(n, "n", minimum=3)
    a, b = fractions
    if not (0 < a and 0 < b and a + b < 1):
        raise ValueError(f"fractions must be two positive shares summing to less than 1, got {fractions}")
    i, j = int(n * a), int(n * (a + b))
    return np.arange(0, i), np.arange(i, j), np.arange(j, n)


__all__ = ["chronological_split", "make_windows", "mean_absolute_error", "naive_forecast"]
