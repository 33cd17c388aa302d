"""The exercise contract of Chapter 11, section "Transfer learning on the real photos" (``train_head``).

Declares ``ALTERNATIVES`` and ``WRONG`` so that tests/test_grading_seed.py also checks them under every class seed.
"""

import numpy as np
import pytest

from course_lib import transfer
from tests.exercise_helpers import assert_exercise


def head_loop(F, y, learning_rate, steps):
    """One example at a time inside each step: the averaged gradient accumulated by hand."""
    m, n = len(F), len(F[0])
    w, b = np.zeros(n), 0.0
    for _ in range(steps):
        dw, db = np.zeros(n), 0.0
        for i in range(m):
            p = 1.0 / (1.0 + np.exp(-(F[i] @ w + b)))
            dw += (p - y[i]) * F[i] / m
            db += (p - y[i]) / m
        w, b = w - learning_rate * dw, b - learning_rate * db
    return w, b


def head_augmented(F, y, learning_rate, steps):
    """The bias as the weight of an extra feature that is always 1, all in float32."""
    A = np.hstack([np.asarray(F, dtype=np.float32), np.ones((len(F), 1), dtype=np.float32)])
    theta = np.zeros(A.shape[1], dtype=np.float32)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(A @ theta)))
        theta -= np.float32(learning_rate) * A.T @ (p - y) / len(A)
    return theta[:-1], float(theta[-1])


ALTERNATIVES = {"train_head": [head_loop, head_augmented]}
WRONG = {
    "train_head": [
        (lambda F, y, lr, s: head_loop(F, y, lr, s)[0], "wrong_type"),
        (lambda F, y, lr, s: (head_loop(F, y, lr, s)[0][:, None], head_loop(F, y, lr, s)[1]), "wrong_shape"),
        (lambda F, y, lr, s: (head_loop(F, y, lr, s)[0].tolist(), head_loop(F, y, lr, s)[1]), "wrong_type"),
        (lambda F, y, lr, s: head_loop(F, y, 2 * lr, s), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_train_head_matches_the_loss_it_claims_to_minimise():
    # Its steps lower the mean binary cross-entropy, and the gradient it follows is that loss's (finite differences).
    rng = np.random.default_rng(0)
    F = rng.normal(size=(40, 3))
    y = (F @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.3, size=40) > 0).astype(int)

    def loss(w, b):
        p = 1 / (1 + np.exp(-(F @ w + b)))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    losses = [loss(*transfer.train_head(F, y, 0.5, s)) for s in (0, 1, 5, 50)]
    assert losses[0] == pytest.approx(np.log(2)) and all(a > b for a, b in zip(losses, losses[1:]))
    w1, b1 = transfer.train_head(F, y, 1e-3, 1)  # one small step from zero: −η × the gradient at zero
    h = 1e-6
    grad_w = [(loss(np.eye(3)[j] * h, 0.0) - loss(-np.eye(3)[j] * h, 0.0)) / (2 * h) for j in range(3)]
    np.testing.assert_allclose(w1, -1e-3 * np.array(grad_w), rtol=1e-6)
    assert b1 == pytest.approx(-1e-3 * (loss(np.zeros(3), h) - loss(np.zeros(3), -h)) / (2 * h), rel=1e-6)


def test_train_head_rejects_bad_input():
    F, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    for bad in [
        lambda: transfer.train_head(F[0], y, 0.1, 1),
        lambda: transfer.train_head(F, y[:3], 0.1, 1),
        lambda: transfer.train_head(F, y + 1, 0.1, 1),
        lambda: transfer.train_head(F, y, 0.0, 1),
        lambda: transfer.train_head(F, y, 0.1, -1),
        lambda: transfer.train_head(F, y, 0.1, 2.5),
    ]:
        with pytest.raises(ValueError):
            bad()
