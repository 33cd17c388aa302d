"""The exercise contract of Chapter 11, "Modern convolutional networks" (the maths is tested in test_normalization.py).

Declares ``ALTERNATIVES`` and ``WRONG`` so that tests/test_grading_seed.py also checks them under every class seed.
"""

import numpy as np
import pytest

from tests.exercise_helpers import assert_exercise
from tests.test_normalization import _backward_alt, _forward_alt, _rf_alt


def forward_float32(X, gamma, beta, eps=1e-3):
    X = np.asarray(X, dtype=np.float32)
    mu = X.mean(axis=tuple(range(X.ndim - 1)))
    var = ((X - mu) ** 2).mean(axis=tuple(range(X.ndim - 1)))
    return (gamma * (X - mu) / np.sqrt(var + eps) + beta).astype(np.float32)


def backward_compact(dY, X, gamma, eps=1e-3):
    axes = tuple(range(X.ndim - 1))
    xt = (X - X.mean(axis=axes)) / np.sqrt(X.var(axis=axes) + eps)
    dxt = dY * gamma
    dX = (dxt - dxt.mean(axis=axes) - xt * (dxt * xt).mean(axis=axes)) / np.sqrt(X.var(axis=axes) + eps)
    return dX, (dY * xt).sum(axis=axes), dY.sum(axis=axes)


def rf_backwards(layers):
    """From the output down: R ← s·R + (k − s)."""
    R = 1
    for k, s in reversed(layers):
        R = s * R + (k - s)
    return R


ALTERNATIVES = {
    "batch_norm_forward": [_forward_alt, forward_float32],
    "batch_norm_backward": [_backward_alt, backward_compact],
    "receptive_field": [_rf_alt, rf_backwards],
}
WRONG = {
    "batch_norm_forward": [
        (lambda X, gamma, beta, eps=1e-3: _forward_alt(X, gamma, beta, eps).tolist(), "wrong_type"),
        (lambda X, gamma, beta, eps=1e-3: _forward_alt(X, gamma, beta, eps)[0], "wrong_shape"),
        (lambda X, gamma, beta, eps=1e-3: _forward_alt(X, gamma, beta, 0.0), "wrong_value"),
    ],
    "batch_norm_backward": [
        (lambda dY, X, gamma, eps=1e-3: _backward_alt(dY, X, gamma, eps)[0], "wrong_type"),
        (lambda dY, X, gamma, eps=1e-3: _backward_alt(dY, X, gamma, eps)[0][None], "wrong_type"),
        (lambda dY, X, gamma, eps=1e-3: _backward_alt(dY, X, gamma, eps)[:2], "wrong_type"),
        (lambda dY, X, gamma, eps=1e-3: tuple(2 * g for g in _backward_alt(dY, X, gamma, eps)), "wrong_value"),
    ],
    "receptive_field": [
        (lambda layers: [_rf_alt(layers)], "wrong_type"),
        (lambda layers: _rf_alt(layers) + 1, "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])
