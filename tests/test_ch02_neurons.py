"""Chapter 2: the neuron module and its exercises' checks."""

import numpy as np
import pytest

from course_lib import neuron
from tests.exercise_helpers import assert_exercise


def ws_loop(x, w, b):
    x = np.asarray(x, dtype=float)
    rows = x.reshape(-1, x.shape[-1])
    out = np.empty(len(rows))
    for i, row in enumerate(rows):
        total = b
        for xi, wi in zip(row, w):
            total += xi * wi
        out[i] = total
    return out[0] if x.ndim == 1 else out


def ws_float32(x, w, b):
    return np.asarray(x, np.float32) @ np.asarray(w, np.float32) + np.float32(b)


def ws_einsum(x, w, b):
    return np.einsum("...i,i->...", x, w) + b


def neuron_tanh_identity(x, w, b):
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: another stable formula
    return 0.5 * (1.0 + np.tanh(0.5 * (x @ w + b)))


def neuron_float32(x, w, b):
    z = np.asarray(x, np.float32) @ np.asarray(w, np.float32) + np.float32(b)
    return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


ALTERNATIVES = {
    "weighted_sum": [ws_loop, ws_float32, ws_einsum],
    "neuron": [neuron_tanh_identity, neuron_float32],
}
WRONG = {
    "weighted_sum": [
        (lambda x, w, b: None, "wrong_type"),
        (lambda x, w, b: np.atleast_1d(x @ w + b)[:, None], "wrong_shape"),
        (lambda x, w, b: (x @ w + b) * np.nan, "non_finite"),
    ],
    "neuron": [
        (lambda x, w, b: [1 / (1 + np.exp(-(x @ w + b)))], "wrong_type"),
        (lambda x, w, b: np.round(1 / (1 + np.exp(-(x @ w + b)))), "wrong_value"),
        (lambda x, w, b: np.exp(x @ w + b) / (1 + np.exp(x @ w + b)), "non_finite"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_weighted_sum_values():
    assert neuron.weighted_sum([1, 2], [0.5, -0.25], 0.1) == pytest.approx(0.1)
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(neuron.weighted_sum(X, [1.0, 1.0], 1.0), [4.0, 8.0])


def test_sigmoid_is_stable():
    z = np.array([-1e4, -10.0, 0.0, 10.0, 1e4])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = neuron.sigmoid(z)
    np.testing.assert_allclose(out, [0.0, 4.5397868702434395e-05, 0.5, 0.9999546021312976, 1.0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1.0, 2.0, 3.0], [1.0, 2.0], 0.0), "x must have 2 features"),
        (([[[1.0]]], [1.0], 0.0), "x must be 1-D or 2-D"),
        (([1.0, 2.0], [1.0, 2.0], [1.0, 2.0]), "b must be a single number"),
        ((["a", "b"], [1.0, 2.0], 0.0), "x must hold numbers"),
        ((None, [1.0], 0.0), "got None"),
    ],
)
def test_bad_input_is_rejected_clearly(args, message):
    with pytest.raises(ValueError, match=message):
        neuron.weighted_sum(*args)


def test_decision_boundary_is_where_output_is_one_half():
    w, b = np.array([2.0, -1.0]), 0.5
    x1 = np.linspace(-2, 2, 5)
    x2 = neuron.decision_boundary(w, b, x1)
    np.testing.assert_allclose(neuron.neuron(np.column_stack([x1, x2]), w, b), 0.5)
    assert neuron.decision_boundary([1.0, 0.0], 0.0, x1) is None
