"""Loss functions: how wrong a prediction is, as one number.

Defined in: Chapter 6, "Loss functions".

Every loss takes ``(y_true, y_pred)`` in Keras' order, checks that the
shapes agree (no silent broadcasting) and returns a Python float averaged
over the samples.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array

EPSILON = 1e-12  # probabilities are clipped into [EPSILON, 1 - EPSILON] before log()


def _pair(y_true, y_pred, ndim=(1, 2)) -> tuple[np.ndarray, np.ndarray]:
    y_true = as_float_array(y_true, "y_true", ndim=ndim)
    y_pred = as_float_array(y_pred, "y_pred", ndim=ndim)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got y_true {y_true.shape} and y_pred {y_pred.shape}"
        )
    return y_true, y_pred


def mse(y_true, y_pred) -> float:
    """Mean squared error, averaged over every element.

    Defined in: Chapter 6, "Loss functions".
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_pred - y_true) ** 2))


def binary_cross_entropy(y_true, y_pred) -> float:
    """Mean of −[y·log(p) + (1 − y)·log(1 − p)]; finite even when p is exactly 0 or 1.

    Defined in: Chapter 6, "Loss functions".  ``y_pred`` holds probabilities;
    they are clipped into [1e-12, 1 − 1e-12] so a confident mistake costs a
    large but finite amount.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return float(np.mean(-(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p))))


def categorical_cross_entropy(y_true_onehot, probs) -> float:
    """Mean over samples of −Σₖ yₖ·log(pₖ), for one-hot labels ``(m, K)`` and probabilities ``(m, K)``.

    Defined in: Chapter 6, "Loss functions".
    """
    y_true, probs = _pair(y_true_onehot, probs, ndim=2)
    p = np.clip(probs, EPSILON, 1.0)
    return float(np.mean(-np.sum(y_true * np.log(p), axis=-1)))


def hinge(y_true, y_pred) -> float:
    """Mean of max(0, 1 − y·ŷ) for labels y in {−1, +1} and raw scores ŷ.

    Defined in: Chapter 6, "Loss functions".  Labels given as {0, 1} are
    mapped to {−1, +1} first, as Keras does.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if np.all(np.isin(y_true, (0.0, 1.0))):
        y_true = 2.0 * y_true - 1.0
    if not np.all(np.isin(y_true, (-1.0, 1.0))):
        raise ValueError("hinge loss needs labels in {-1, +1} (or {0, 1})")
    return float(np.mean(np.maximum(0.0, 1.0 - y_true * y_pred)))
