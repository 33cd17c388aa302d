"""Chapter 6: loss functions, their stability, Keras parity, and the exercises' checks."""

import math
import warnings

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib import losses
from course_lib.figures import ch06 as figures
from tests.exercise_helpers import assert_exercise

matplotlib.use("Agg")


# --------------------------------------------------------------------------
# Alternative correct implementations and extra wrong ones for each exercise


def mse_loop(y_true, y_pred):
    t, p = np.ravel(y_true), np.ravel(y_pred)
    return sum((a - b) ** 2 for a, b in zip(t, p)) / len(t)


def mse_float32(y_true, y_pred):
    d = np.asarray(y_pred, np.float32) - np.asarray(y_true, np.float32)
    return np.float32(np.mean(d * d))


def mse_dot(y_true, y_pred):
    d = (np.asarray(y_pred) - np.asarray(y_true)).ravel()
    return float(d @ d / d.size)


def bce_where(y_true, y_pred):
    """Pick the log of the probability given to the true class (labels are 0/1); warnings are harmless."""
    with np.errstate(divide="ignore"):
        return float(np.mean(-np.where(y_true == 1, np.log(y_pred), np.log(1 - y_pred))))


def bce_keras_epsilon(y_true, y_pred):
    p = np.clip(y_pred, 1e-7, 1 - 1e-7)  # Keras' epsilon
    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_loop(y_true, y_pred):
    total, n = 0.0, 0
    for t, p in zip(np.ravel(y_true), np.ravel(y_pred)):
        p = min(max(p, 1e-15), 1 - 1e-15)
        total += -(t * math.log(p) + (1 - t) * math.log(1 - p))
        n += 1
    return total / n


def bce_float32(y_true, y_pred):
    p = np.clip(np.asarray(y_pred, np.float32), 1e-7, 1 - 1e-7)
    t = np.asarray(y_true, np.float32)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))


def cce_pick(y_true_onehot, probs):
    true_class = np.argmax(y_true_onehot, axis=1)
    p = np.clip(probs[np.arange(len(probs)), true_class], 1e-12, 1.0)
    return float(-np.mean(np.log(p)))


def cce_loop(y_true_onehot, probs):
    total = 0.0
    for t_row, p_row in zip(y_true_onehot, probs):
        total += -sum(t * math.log(max(p, 1e-12)) for t, p in zip(t_row, p_row) if t > 0)
    return total / len(probs)


def cce_float32(y_true_onehot, probs):
    p = np.clip(np.asarray(probs, np.float32), 1e-7, 1.0)
    return -np.mean(np.sum(np.asarray(y_true_onehot, np.float32) * np.log(p), axis=-1))


def hinge_loop(y_true, y_pred):
    vals = [max(0.0, 1.0 - t * p) for t, p in zip(np.ravel(y_true), np.ravel(y_pred))]
    return sum(vals) / len(vals)


def hinge_relu(y_true, y_pred):
    return np.mean(np.clip(1.0 - y_true * y_pred, 0.0, None))


def bce_logits_softplus(y_true, z):
    # (1 − y)·z + softplus(−z), softplus written stably with logaddexp
    return np.mean((1 - y_true) * z + np.logaddexp(0.0, -z))


def bce_logits_log_sigmoid(y_true, z):
    # −[y·log σ(z) + (1 − y)·log σ(−z)] with log σ(z) = −logaddexp(0, −z)
    return np.mean(y_true * np.logaddexp(0.0, -z) + (1 - y_true) * np.logaddexp(0.0, z))


def mse_in_place(y_true, y_pred):
    y_pred -= y_true  # changes the caller's array
    return np.mean(y_pred**2)


ALTERNATIVES = {
    "mse": [mse_loop, mse_float32, mse_dot],
    "binary_cross_entropy": [bce_where, bce_keras_epsilon, bce_loop, bce_float32],
    "categorical_cross_entropy": [cce_pick, cce_loop, cce_float32],
    "hinge": [hinge_loop, hinge_relu],
    "binary_cross_entropy_from_logits": [bce_logits_softplus, bce_logits_log_sigmoid],
}
WRONG = {
    "mse": [
        (lambda t, p: (p - t) ** 2, "wrong_shape"),
        (lambda t, p: str(np.mean((p - t) ** 2)), "wrong_type"),
        (mse_in_place, "mutated_input"),
    ],
    "binary_cross_entropy": [
        (lambda t, p: -(t * np.log(np.clip(p, 1e-12, 1)) + (1 - t) * np.log(np.clip(1 - p, 1e-12, 1))), "wrong_shape"),
        (lambda t, p: -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)), "non_finite"),
        (
            lambda t, p: -np.mean(t * np.log10(np.clip(p, 1e-12, 1)) + (1 - t) * np.log10(np.clip(1 - p, 1e-12, 1))),
            "wrong_value",
        ),
        (lambda t, p: np.mean((p - t) ** 2), "wrong_value"),
    ],  # fmt: skip
    "categorical_cross_entropy": [
        (lambda t, p: -np.sum(t * np.log(np.clip(p, 1e-12, 1)), axis=-1), "wrong_shape"),
        (lambda t, p: -np.mean(np.einsum("ij,ij->i", t, np.log(p))), "non_finite"),
        (lambda t, p: -np.mean(np.sum(np.log(np.clip(p, 1e-12, 1)), axis=-1)), "wrong_value"),
    ],
    "hinge": [
        (lambda t, p: np.maximum(0.0, 1.0 - t * p), "wrong_shape"),
        (lambda t, p: np.mean(np.maximum(0.0, 1.0 - p)), "wrong_value"),
        (lambda t, p: None, "wrong_type"),
    ],
    "binary_cross_entropy_from_logits": [
        (lambda t, z: np.maximum(z, 0) - t * z + np.log1p(np.exp(-np.abs(z))), "wrong_shape"),
        (lambda t, z: np.mean(np.maximum(z, 0) - t * z + np.log(np.exp(-np.abs(z)))), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


@pytest.mark.parametrize("exercise_id", ["binary_cross_entropy", "categorical_cross_entropy"])
def test_no_clipping_is_reported_as_non_finite_with_its_hint(exercise_id):
    from course_lib import checks

    mistake = next(m for m in checks.get(exercise_id).mistakes if m.name == "no clipping")
    result = checks.run(exercise_id, mistake.func)
    assert result.status == "non_finite"
    assert "Clip first" in result.message


# --------------------------------------------------------------------------
# Values, error/loss/cost, and the notes' unclipped formula


def test_known_values():
    assert losses.mse([1.0, 2.0], [2.0, 4.0]) == pytest.approx(2.5)
    assert losses.binary_cross_entropy([1.0, 0.0], [0.8, 0.4]) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    y = np.eye(3)[[0, 2]]
    P = np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]])
    assert losses.categorical_cross_entropy(y, P) == pytest.approx(-(np.log(0.5) + np.log(0.8)) / 2)
    assert losses.hinge([1.0, -1.0, 1.0], [2.0, 0.5, 0.5]) == pytest.approx((0 + 1.5 + 0.5) / 3)


def test_cost_is_the_mean_of_per_sample_losses():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, size=20).astype(float), rng.uniform(size=20)
    per_sample = losses.binary_cross_entropy_per_sample(y, p)
    assert per_sample.shape == (20,)
    assert per_sample.mean() == pytest.approx(losses.binary_cross_entropy(y, p))


def test_unclipped_cross_entropy_breaks_at_0_and_1_and_the_fix_does_not():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(losses.cross_entropy_unclipped([1.0, 0.0], [1.0, 0.0]))  # 0·log(0) = nan
        assert np.isinf(losses.cross_entropy_unclipped([1.0, 0.0], [0.0, 0.5]))  # −log(0) = inf
    fixed = losses.binary_cross_entropy([1.0, 0.0], [0.0, 0.5])
    assert np.isfinite(fixed) and fixed == pytest.approx((-np.log(1e-12) - np.log(0.5)) / 2)
    assert losses.binary_cross_entropy([1.0, 0.0], [1.0, 0.0]) == pytest.approx(0.0, abs=1e-11)


def test_from_logits_forms_agree_with_the_probability_forms():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=3.0, size=(6, 4))
    y = rng.integers(0, 2, size=(6, 4)).astype(float)
    p = 1 / (1 + np.exp(-z))
    assert losses.binary_cross_entropy_from_logits(y, z) == pytest.approx(losses.binary_cross_entropy(y, p), rel=1e-10)
    onehot = np.eye(4)[rng.integers(0, 4, size=6)]
    probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert losses.categorical_cross_entropy_from_logits(onehot, z) == pytest.approx(
        losses.categorical_cross_entropy(onehot, probs), rel=1e-10
    )
    # a confident mistake costs its true size from logits; the clipped probability form caps it
    assert losses.binary_cross_entropy_from_logits([1.0], [-1e4]) == pytest.approx(1e4)
    assert losses.categorical_cross_entropy_from_logits([[1.0, 0.0]], [[-5e3, 5e3]]) == pytest.approx(1e4)
    np.testing.assert_allclose(losses.log_softmax(np.array([[1e4, 0.0]])), [[0.0, -1e4]])


def test_gradients_match_finite_differences():
    y = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    z = np.array([-10.0, -2.0, 0.5, 3.0, 8.0])
    h = 1e-6

    def per_sample_mse(zz):
        return (1 / (1 + np.exp(-zz)) - y) ** 2

    def per_sample_bce(zz):
        return np.maximum(zz, 0) - y * zz + np.log1p(np.exp(-np.abs(zz)))

    for analytic, f in (
        (losses.mse_sigmoid_grad(y, z), per_sample_mse),
        (losses.bce_sigmoid_grad(y, z), per_sample_bce),
    ):
        numeric = (f(z + h) - f(z - h)) / (2 * h)
        rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-300)
        assert np.all(rel < 1e-6), rel


def test_confidently_wrong_prediction_mse_gradient_vanishes_bce_does_not():
    g_mse = abs(losses.mse_sigmoid_grad([1.0], [-10.0])[0])
    g_bce = abs(losses.bce_sigmoid_grad([1.0], [-10.0])[0])
    assert g_mse < 1e-4 < 0.99 < g_bce


# --------------------------------------------------------------------------
# Shapes: nothing broadcasts silently


@pytest.mark.parametrize(
    "loss", [losses.mse, losses.binary_cross_entropy, losses.hinge, losses.binary_cross_entropy_from_logits]
)
def test_mismatched_shapes_raise_naming_both(loss):
    y_true, y_pred = np.array([1.0, 0.0, 1.0]), np.array([[0.5], [0.5], [0.5]])
    with pytest.raises(ValueError, match=r"y_true \(3,\) and y_pred \(3, 1\)"):
        loss(y_true, y_pred)


@pytest.mark.parametrize("loss", [losses.categorical_cross_entropy, losses.categorical_cross_entropy_from_logits])
def test_categorical_losses_need_matching_2d_shapes(loss):
    with pytest.raises(ValueError, match=r"y_true \(2, 3\) and y_pred \(2, 4\)"):
        loss(np.eye(3)[[0, 1]], np.full((2, 4), 0.25))
    with pytest.raises(ValueError, match="must be 2-D"):
        loss(np.array([1.0, 0.0]), np.array([0.5, 0.5]))


def test_hinge_rejects_other_labels():
    with pytest.raises(ValueError, match="labels in"):
        losses.hinge([2.0, -1.0], [0.5, 0.5])


# --------------------------------------------------------------------------
# Property tests: finite, without warnings, at the extremes

_probs = arrays(np.float64, st.integers(1, 12), elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1))
_logits = arrays(np.float64, st.integers(1, 12), elements=st.floats(-1e4, 1e4))


@settings(max_examples=60, deadline=None)
@given(_probs, st.data())
def test_probability_losses_finite_without_warnings(p, data):
    y = data.draw(arrays(np.float64, p.shape, elements=st.sampled_from([0.0, 1.0])))
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        values = [losses.binary_cross_entropy(y, p), losses.mse(y, p), losses.hinge(y, p)]
        onehot = np.eye(2)[y.astype(int)]
        values.append(losses.categorical_cross_entropy(onehot, np.column_stack([1 - p, p])))
    assert all(np.isfinite(v) and v >= 0 for v in values)


@settings(max_examples=60, deadline=None)
@given(_logits, st.data())
def test_logit_losses_finite_without_warnings(z, data):
    y = data.draw(arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        bce = losses.binary_cross_entropy_from_logits(y, z)
        Z = np.column_stack([z, -z, np.zeros_like(z)])
        onehot = np.eye(3)[y.astype(int)]
        cce = losses.categorical_cross_entropy_from_logits(onehot, Z)
        grads = [losses.bce_sigmoid_grad(y, z), losses.mse_sigmoid_grad(y, z)]
    assert np.isfinite(bce) and bce >= 0 and np.isfinite(cce) and cce >= 0
    assert all(np.all(np.isfinite(g)) for g in grads)
    # loss ≥ the worst single sample's loss / m, and at most |z| + log 2 per sample
    assert bce <= np.mean(np.abs(z)) + np.log(2) + 1e-9


# --------------------------------------------------------------------------
# Keras parity (float64)


def _keras():
    import os

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras

    return keras


@pytest.mark.tf
def test_losses_match_keras():
    keras = _keras()
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, size=(16, 1)).astype(float)
    p = rng.uniform(0.01, 0.99, size=(16, 1))  # away from Keras' 1e-7 clipping
    z = rng.normal(scale=5.0, size=(16, 1))
    z[:4, 0] = [1e4, -1e4, 300.0, -300.0]
    K = 5
    onehot = np.eye(K)[rng.integers(0, K, size=16)]
    logits = rng.normal(scale=3.0, size=(16, K))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    signs = 2 * y - 1
    scores = rng.normal(size=(16, 1))

    def k(loss, a, b):
        return float(np.asarray(loss(a, b)))

    L = keras.losses
    f64 = {"dtype": "float64"}
    assert losses.mse(y, p) == pytest.approx(k(L.MeanSquaredError(**f64), y, p), rel=1e-6)
    assert losses.binary_cross_entropy(y, p) == pytest.approx(k(L.BinaryCrossentropy(**f64), y, p), rel=1e-6)
    assert losses.binary_cross_entropy_from_logits(y, z) == pytest.approx(
        k(L.BinaryCrossentropy(from_logits=True, **f64), y, z), rel=1e-6
    )
    assert losses.categorical_cross_entropy(onehot, probs) == pytest.approx(
        k(L.CategoricalCrossentropy(**f64), onehot, probs), rel=1e-6
    )
    big = logits * 1e3  # logits up to a few 1e3..1e4
    assert losses.categorical_cross_entropy_from_logits(onehot, big) == pytest.approx(
        k(L.CategoricalCrossentropy(from_logits=True, **f64), onehot, big), rel=1e-6
    )
    assert losses.hinge(signs, scores) == pytest.approx(k(L.Hinge(**f64), signs, scores), rel=1e-6)
    assert losses.hinge(y, scores) == pytest.approx(k(L.Hinge(**f64), y, scores), rel=1e-6)  # 0/1 labels too


# --------------------------------------------------------------------------
# The widget's drawing


def test_draw_loss_vs_probability():
    import matplotlib.pyplot as plt

    fig = figures.draw_loss_vs_probability(p=0.01, y=1)
    left, right = fig.axes
    assert "MSE = 0.980" in left.get_title() and "BCE = 4.605" in left.get_title()
    assert "MSE 0.0196" in right.get_title() and "BCE 0.9900" in right.get_title()
    assert left.get_xlabel().startswith("predicted probability")
    plt.close(fig)
    fig = figures.draw_loss_vs_probability(p=0.0, y=0)  # the extreme is drawn, not crashed on
    assert "BCE = 0.000" in fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="y must be 0 or 1"):
        figures.draw_loss_vs_probability(p=0.5, y=-1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: losses.binary_cross_entropy(np.array([0.0, 2.0]), np.array([0.2, 0.7])),
            "y_true must hold labels 0 or 1",
        ),
        (lambda: losses.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.2, 1.7])), "probabilities in"),
        (lambda: losses.binary_cross_entropy(np.array([0.0, 1.0]), np.array([-3.0, 2.0])), "from_logits"),
        (lambda: losses.binary_cross_entropy(np.array([0.2, 0.7]), np.array([0.0, 1.0])), "labels first"),
        (lambda: losses.categorical_cross_entropy(np.array([[0.0, 2.0]]), np.array([[0.2, 0.8]])), "one-hot rows"),
        (lambda: losses.categorical_cross_entropy(np.array([[1.0, 1.0]]), np.array([[0.2, 0.8]])), "one-hot rows"),
        (lambda: losses.categorical_cross_entropy(np.array([[0.0, 1.0]]), np.array([[-0.2, 1.2]])), "probabilities"),
        (lambda: losses.categorical_cross_entropy(np.array([[0.3, 0.7]]), np.array([[0.0, 1.0]])), "labels first"),
        (lambda: losses.binary_cross_entropy_from_logits(np.array([0.0, 3.0]), np.array([1.0, 2.0])), "labels 0 or 1"),
    ],
)
def test_losses_reject_impossible_labels_and_probabilities(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_soft_labels_are_still_accepted():
    assert np.isfinite(losses.binary_cross_entropy(np.array([0.1, 0.9]), np.array([0.3, 0.6])))
    assert np.isfinite(losses.categorical_cross_entropy(np.array([[0.1, 0.9]]), np.array([[0.3, 0.7]])))


# --- categorical_cross_entropy_from_logits (multi-step) ----------------------------


def cce_logits_loop(t, z):
    total = 0.0
    for t_i, z_i in zip(t, z):
        top = z_i.max()
        total -= float(np.dot(t_i, z_i - (top + np.log(np.sum(np.exp(z_i - top))))))
    return total / len(z)


def cce_logits_logaddexp(t, z):
    lse = np.logaddexp.reduce(z, axis=-1, keepdims=True)
    return float(np.mean(-np.sum(t * (z - lse), axis=-1)))


ALTERNATIVES["categorical_cross_entropy_from_logits"] = [cce_logits_loop, cce_logits_logaddexp]
WRONG["categorical_cross_entropy_from_logits"] = [
    (lambda t, z: -np.sum(t * (z - np.logaddexp.reduce(z, axis=-1, keepdims=True)), axis=-1), "wrong_shape"),
    (lambda t, z: str(cce_logits_loop(t, z)), "wrong_type"),
    (lambda t, z: cce_logits_loop(t, z) * 1.01, "wrong_value"),
]


def test_categorical_cross_entropy_from_logits_contract():
    exercise = "categorical_cross_entropy_from_logits"
    assert_exercise(exercise, ALTERNATIVES[exercise], WRONG[exercise])
