"""Chapter 17: the exercises (class weights, k-fold splits, FGSM) and the data-quality, adversarial and cost modules."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import adversarial, cost, data_quality
from tests.exercise_helpers import assert_exercise


def weights_loop(y, n_classes):
    counts = [0] * n_classes
    for label in y:
        counts[label] += 1
    return np.array([len(y) / (n_classes * c) if c else 0.0 for c in counts])


def weights_unique(y, n_classes):
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    w = np.zeros(n_classes, np.float32)
    w[labels] = counts.sum() / (n_classes * counts)
    return w


def folds_loop(n, k):
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, start = [], 0
    for size in sizes:
        val = list(range(start, start + size))
        out.append((np.array([i for i in range(n) if i not in val]), np.array(val)))
        start += size
    return out


def folds_mask(n, k):
    fold_of = np.repeat(np.arange(k), [n // k + (i < n % k) for i in range(k)])
    return tuple((np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)) for f in range(k))


def fgsm_where(X, grad, epsilon):
    X, g = np.asarray(X, np.float64), np.asarray(grad)
    out = X + np.where(g > 0, epsilon, np.where(g < 0, -epsilon, 0.0))
    return np.minimum(np.maximum(out, 0.0), 1.0)


def fgsm_float32(X, grad, epsilon):
    return np.clip(np.float32(epsilon) * np.sign(grad).astype(np.float32) + np.asarray(X, np.float32), 0, 1)


ALTERNATIVES = {
    "class_weights": [weights_loop, weights_unique],
    "k_fold_splits": [folds_loop, folds_mask],
    "fgsm": [fgsm_where, fgsm_float32],
}
WRONG = {
    "class_weights": [
        (lambda y, k: weights_loop(y, k)[:-1], "wrong_shape"),
        (lambda y, k: list(weights_loop(y, k)), "wrong_type"),
    ],
    "k_fold_splits": [
        (lambda n, k: [f for _, f in folds_loop(n, k)], "wrong_type"),
        (lambda n, k: [(v, t) for t, v in folds_loop(n, k)], "wrong_shape"),
    ],
    "fgsm": [
        (lambda X, g, e: np.asarray(X, float), "wrong_value"),
        (lambda X, g, e: fgsm_where(X, g, e).ravel(), "wrong_shape"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_duplicates_and_leaks_are_found():
    X = np.array([[1, 2], [3, 4], [1, 2], [5, 6], [3, 4], [1, 2]], float)
    groups = data_quality.find_duplicates(X)
    assert [g.tolist() for g in groups] == [[0, 2, 5], [1, 4]]
    assert data_quality.find_duplicates(np.eye(3)) == []
    assert data_quality.shared_samples(X[:2], np.array([[9, 9], [3, 4], [1, 2.0]])).tolist() == [1, 2]
    images = np.zeros((3, 2, 2))
    images[1, 0, 0] = 1
    assert [g.tolist() for g in data_quality.find_duplicates(images)] == [[0, 2]]


def test_flipped_labels_change_class_and_are_ranked_suspicious():
    y = np.repeat(np.arange(4), 25)
    noisy, flipped = data_quality.flip_labels(y, 0.2, 4, seed=1)
    assert flipped.sum() == 20 and np.all(noisy[flipped] != y[flipped]) and np.all(noisy[~flipped] == y[~flipped])
    probs = np.full((100, 4), 0.02)
    probs[np.arange(100), y] = 0.94  # a model that knows the true labels
    assert set(data_quality.label_issues(probs, noisy)[:20]) == set(np.flatnonzero(flipped))


def test_oversampling_balances_the_classes():
    X = np.arange(10.0)[:, None]
    y = np.array([0] * 8 + [1] * 2)
    Xb, yb = data_quality.oversample(X, y, seed=0)
    assert np.bincount(yb).tolist() == [8, 8]
    assert set(Xb[yb == 1, 0]) == {8.0, 9.0}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data_quality.class_weights([0, 3], 2), "labels 0 … 1"),
        (lambda: data_quality.k_fold_splits(3, 5), "at most"),
        (lambda: data_quality.flip_labels([0, 1], 1.5, 2), "between 0 and 1"),
        (lambda: data_quality.shared_samples(np.zeros((2, 3)), np.zeros((2, 4))), "3 features"),
        (lambda: adversarial.fgsm(np.zeros(3), np.zeros(4), 0.1), "shape of X"),
        (lambda: adversarial.fgsm(np.zeros(3), np.zeros(3), -0.1), "≥ 0"),
        (lambda: cost.conv2d_flops(4, 4, (3, 0), 1, 1), "kernel"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_flop_counts_match_keras_layers_and_the_gradient_is_tensorflows():
    keras = pytest.importorskip("keras")
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    assert cost.keras_forward_flops(model) == 2 * 6 * 6 * 3 * 3 * 1 * 4 + 2 * 144 * 10
    assert cost.dense_flops(144, 10) == 2880 and cost.training_flops(100, 10, 2) == 6000
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, (5, 8, 8, 1)).astype(np.float32), np.arange(5)
    grad = adversarial.input_gradient(model, X, y)
    # finite differences of the mean cross-entropy in one pixel
    h, (i, r, c) = 1e-2, (2, 3, 4)
    loss = lambda A: float(np.mean(keras.losses.sparse_categorical_crossentropy(y, model(A))))  # noqa: E731
    up, down = X.copy(), X.copy()
    up[i, r, c, 0] += h
    down[i, r, c, 0] -= h
    assert grad[i, r, c, 0] == pytest.approx((loss(up) - loss(down)) / (2 * h), rel=2e-2, abs=1e-5)
    attacked = adversarial.fgsm_attack(model, X, y, 0.1)
    assert attacked.shape == X.shape and np.abs(attacked - X).max() <= 0.1 + 1e-6
    assert cost.matmul_gflops(n=64, repeats=1) > 0
