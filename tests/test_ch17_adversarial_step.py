"""The adversarial-training step of Chapter 17 ("adversarial_training_step"): contract, gradients, TensorFlow parity.

Declares ``ALTERNATIVES`` and ``WRONG`` so that tests/test_grading_seed.py also checks them under every class seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import adversarial, gradcheck
from course_lib.checks.ch17_challenges import _adv_variant
from tests.exercise_helpers import assert_exercise


def step_float32(W, b, X, y, epsilon, lr):
    """In float32, with the log-softmax from np.logaddexp.reduce and one batch of clean and attacked images."""
    f = np.float32
    W, b, X = np.asarray(W, f), np.asarray(b, f), np.asarray(X, f)
    Y = np.eye(W.shape[1], dtype=f)[y]

    def dscores(A):
        Z = A @ W + b
        return np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True)) - Y

    X_adv = np.clip(X + f(epsilon) * np.sign(dscores(X) @ W.T), 0, 1)
    both, D = np.concatenate([X, X_adv]), np.concatenate([dscores(X), dscores(X_adv)]) / (2 * len(X))
    return W - f(lr) * both.T @ D, b - f(lr) * D.sum(axis=0)


def step_loops(W, b, X, y, epsilon, lr):
    """Image by image, pixel by pixel."""
    W, b, X = np.asarray(W, float), np.asarray(b, float), np.asarray(X, float)
    dW, db = np.zeros_like(W), np.zeros_like(b)
    for x, label in zip(X, y):
        z = x @ W + b
        p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        p[label] -= 1
        g = W @ p
        x_adv = np.array([min(1.0, max(0.0, xi + epsilon * np.sign(gi))) for xi, gi in zip(x, g)])
        z = x_adv @ W + b
        q = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        q[label] -= 1
        dW += (np.outer(x, p) + np.outer(x_adv, q)) / (2 * len(X))
        db += (p + q) / (2 * len(X))
    return W - lr * dW, b - lr * db


ALTERNATIVES = {"adversarial_training_step": [_adv_variant, step_float32, step_loops]}
WRONG = {
    "adversarial_training_step": [
        (lambda W, b, X, y, e, lr: _adv_variant(W, b, X, y, e, lr)[0], "wrong_type"),
        (lambda W, b, X, y, e, lr: (_adv_variant(W, b, X, y, e, lr)[0].T, b), "wrong_shape"),
        (lambda W, b, X, y, e, lr: (np.asarray(W, float), np.asarray(b, float)), "wrong_value"),
    ]
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def _setup(seed=0, m=6, n=5, K=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, K)), rng.normal(size=K), rng.uniform(0, 1, (m, n)), rng.integers(0, K, m)


def test_the_softmax_regression_gradients_pass_a_finite_difference_check():
    W, b, X, y = _setup()
    errors = gradcheck.gradient_check(
        lambda P: adversarial._softmax_regression(P["W"], P["b"], P["X"], y)[0],
        lambda P: dict(zip(("W", "b", "X"), adversarial._softmax_regression(P["W"], P["b"], P["X"], y)[1:])),
        {"W": W, "b": b, "X": X},
    )
    assert max(errors.values()) < 1e-7, errors


def test_the_step_matches_a_gradient_tape_version():
    tf = pytest.importorskip("tensorflow")
    W, b, X, y = _setup(seed=2, m=8, n=6, K=4)
    eps, lr = 0.2, 0.7
    w, c, x = tf.Variable(W), tf.Variable(b), tf.constant(X)

    def loss(images):
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, images @ w + c))

    with tf.GradientTape() as tape:
        tape.watch(x)
        clean = loss(x)
    x_adv = tf.clip_by_value(x + eps * tf.sign(tape.gradient(clean, x)), 0.0, 1.0)
    with tf.GradientTape() as tape:
        mixed = (loss(x) + loss(x_adv)) / 2
    dW, db = tape.gradient(mixed, [w, c])
    W_new, b_new = adversarial.adversarial_training_step(W, b, X, y, eps, lr)
    np.testing.assert_allclose(W_new, W - lr * dW.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b_new, b - lr * db.numpy(), rtol=1e-10, atol=1e-12)


def test_softmax_fgsm_raises_the_loss_and_bad_input_is_explained():
    W, b, X, y = _setup(seed=1, m=20)
    X_adv = adversarial.softmax_fgsm(W, b, X, y, 0.1)
    assert X_adv.min() >= 0 and X_adv.max() <= 1 and np.abs(X_adv - X).max() <= 0.1 + 1e-12
    loss = lambda A: adversarial._softmax_regression(W, b, A, y)[0]  # noqa: E731
    assert loss(X_adv) > loss(X)
    assert adversarial.softmax_accuracy(W, b, X_adv, y) <= adversarial.softmax_accuracy(W, b, X, y)
    with pytest.raises(ValueError, match="integer labels"):
        adversarial.adversarial_training_step(W, b, X, y + 5, 0.1, 0.1)
    with pytest.raises(ValueError, match=r"W \(n, K\)"):
        adversarial.adversarial_training_step(W.T, b, X, y, 0.1, 0.1)
    with pytest.raises(ValueError, match="lr"):
        adversarial.adversarial_training_step(W, b, X, y, 0.1, 0.0)
