"""The numpy GAN step of Chapter 13 ("gan_step"): exercise contract, gradient checks and TensorFlow parity.

Declares ``ALTERNATIVES`` and ``WRONG`` so that tests/test_grading_seed.py also checks them under every class seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import gan, gradcheck
from course_lib.checks.ch13_gan import _gan_variant
from tests.exercise_helpers import assert_exercise


def step_float32(G, D, X, Xi, lr):
    """The step in float32, with sigmoids from np.exp and the BCE from np.logaddexp."""
    f = np.float32
    G = {k: np.asarray(v, f) for k, v in G.items()}
    D = {k: np.asarray(v, f) for k, v in D.items()}
    X, Xi, lr = np.asarray(X, f), np.asarray(Xi, f), f(lr)

    def logits_and_hidden(P, Z):
        H = np.tanh(Z @ P["W1"] + P["b1"])
        return (H @ P["W2"] + P["b2"]).ravel(), H

    def backward(P, Z, H, ds):
        dA = (ds[:, None] * P["W2"].T) * (1 - H * H)
        return {"W1": Z.T @ dA, "b1": dA.sum(0), "W2": H.T @ ds[:, None], "b2": ds.sum(keepdims=True)}, dA @ P["W1"].T

    sigmoid = lambda s: np.exp(-np.logaddexp(f(0), -s)).astype(f)  # noqa: E731
    fake = Xi @ G["W"] + G["b"]
    (s_r, H_r), (s_f, H_f) = logits_and_hidden(D, X), logits_and_hidden(D, fake)
    loss_D = np.mean(np.logaddexp(0, -s_r)) + np.mean(np.logaddexp(0, s_f))
    g_r, _ = backward(D, X, H_r, (sigmoid(s_r) - 1) / len(X))
    g_f, _ = backward(D, fake, H_f, sigmoid(s_f) / len(Xi))
    D_new = {k: D[k] - lr * (g_r[k] + g_f[k]) for k in D}
    s, H = logits_and_hidden(D_new, fake)
    loss_G = np.mean(np.logaddexp(0, -s))
    _, dX = backward(D_new, fake, H, (sigmoid(s) - 1) / len(Xi))
    return {"W": G["W"] - lr * Xi.T @ dX, "b": G["b"] - lr * dX.sum(0)}, D_new, loss_D, loss_G


def step_loops(G, D, X, Xi, lr):
    """Sample by sample: accumulate each sample's gradient in a loop."""
    X, Xi = np.asarray(X, float), np.asarray(Xi, float)
    softplus = lambda z: max(z, 0.0) + np.log1p(np.exp(-abs(z)))  # noqa: E731
    zeros = lambda P: {k: np.zeros_like(np.asarray(v, float)) for k, v in P.items()}  # noqa: E731

    def one(P, x):
        h = np.tanh(x @ P["W1"] + P["b1"])
        return float(h @ P["W2"][:, 0] + P["b2"][0]), h

    def add_grads(acc, P, x, h, ds):
        da = ds * P["W2"][:, 0] * (1 - h**2)
        acc["W1"] += np.outer(x, da)
        acc["b1"] += da
        acc["W2"] += ds * h[:, None]
        acc["b2"] += ds
        return da @ P["W1"].T

    fakes = [xi @ G["W"] + G["b"] for xi in Xi]
    grads, loss_D = zeros(D), 0.0
    for x in X:
        s, h = one(D, x)
        loss_D += softplus(-s) / len(X)
        add_grads(grads, D, x, h, (1 / (1 + np.exp(-s)) - 1) / len(X))
    for x in fakes:
        s, h = one(D, x)
        loss_D += softplus(s) / len(Xi)
        add_grads(grads, D, x, h, 1 / (1 + np.exp(-s)) / len(Xi))
    D_new = {k: D[k] - lr * grads[k] for k in D}
    g_grads, loss_G, scratch = zeros(G), 0.0, zeros(D)
    for xi, x in zip(Xi, fakes):
        s, h = one(D_new, x)
        loss_G += softplus(-s) / len(Xi)
        dx = add_grads(scratch, D_new, x, h, (1 / (1 + np.exp(-s)) - 1) / len(Xi))
        g_grads["W"] += np.outer(xi, dx)
        g_grads["b"] += dx
    return {k: G[k] - lr * g_grads[k] for k in G}, D_new, loss_D, loss_G


ALTERNATIVES = {"gan_step": [_gan_variant, step_float32, step_loops]}
WRONG = {
    "gan_step": [
        (lambda G, D, X, Xi, lr: _gan_variant(G, D, X, Xi, lr)[:2], "wrong_type"),
        (lambda G, D, X, Xi, lr: (_gan_variant(G, D, X, Xi, lr)[1], *_gan_variant(G, D, X, Xi, lr)[::2]), "wrong_type"),
        (
            lambda G, D, X, Xi, lr: (
                {**_gan_variant(G, D, X, Xi, lr)[0], "b": G["b"][None]},
                *_gan_variant(G, D, X, Xi, lr)[1:],
            ),
            "wrong_shape",
        ),
        (lambda G, D, X, Xi, lr: (G, D, *_gan_variant(G, D, X, Xi, lr)[2:]), "wrong_value"),
    ]
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def _setup(seed=0, d=2, k=3, h=4, m=5, n=6):
    rng = np.random.default_rng(seed)
    G, D = gan.init_gan(d, k, h=h, seed=seed)
    return G, D, rng.normal(size=(m, d)), rng.normal(size=(n, k))


def test_the_gradients_pass_a_finite_difference_check():
    G, D, X, Xi = _setup()
    fake = gan.generator_forward(G, Xi)
    errors = gradcheck.gradient_check(
        lambda P: gan.discriminator_loss(gan.discriminator_logits(P, X), gan.discriminator_logits(P, fake)),
        lambda P: gan._discriminator_gradients(P, X, fake),
        D,
    )
    errors |= gradcheck.gradient_check(
        lambda P: gan.generator_loss(gan.discriminator_logits(D, gan.generator_forward(P, Xi))),
        lambda P: gan._generator_gradients(P, D, Xi),
        G,
    )
    assert max(errors.values()) < 1e-7, errors


def test_the_step_matches_a_gradient_tape_version():
    tf = pytest.importorskip("tensorflow")
    G, D, X, Xi = _setup(seed=3, d=2, k=2, h=8, m=7, n=4)
    lr = 0.2
    g_vars = {k: tf.Variable(v) for k, v in G.items()}
    d_vars = {k: tf.Variable(v) for k, v in D.items()}

    def bce(y, s):
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.fill(tf.shape(s), tf.constant(y, s.dtype)), s))

    def logits(P, Z):
        return (tf.tanh(Z @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"])[:, 0]

    fake = tf.constant(Xi) @ g_vars["W"] + g_vars["b"]
    with tf.GradientTape() as tape:
        loss_D = bce(1.0, logits(d_vars, tf.constant(X))) + bce(0.0, logits(d_vars, tf.stop_gradient(fake)))
    for key, grad in zip(d_vars, tape.gradient(loss_D, list(d_vars.values()))):
        d_vars[key].assign_sub(lr * grad)
    with tf.GradientTape() as tape:
        loss_G = bce(1.0, logits(d_vars, tf.constant(Xi) @ g_vars["W"] + g_vars["b"]))
    for key, grad in zip(g_vars, tape.gradient(loss_G, list(g_vars.values()))):
        g_vars[key].assign_sub(lr * grad)

    G_new, D_new, ld, lg = gan.gan_step(G, D, X, Xi, lr)
    assert ld == pytest.approx(float(loss_D), rel=1e-10) and lg == pytest.approx(float(loss_G), rel=1e-10)
    for ours, theirs in [(G_new, g_vars), (D_new, d_vars)]:
        for key in ours:
            np.testing.assert_allclose(ours[key], theirs[key].numpy(), rtol=1e-10, atol=1e-12)


def test_the_step_leaves_its_inputs_alone_and_explains_bad_input():
    G, D, X, Xi = _setup()
    before = {k: v.copy() for k, v in {**G, **D}.items()}
    gan.gan_step(G, D, X, Xi, 0.1)
    assert all(np.array_equal(before[k], v) for k, v in {**G, **D}.items())
    with pytest.raises(ValueError, match="keys"):
        gan.gan_step({"W": G["W"]}, D, X, Xi, 0.1)
    with pytest.raises(ValueError, match=r"G\['W'\] must have shape \(3, 2\)"):
        gan.gan_step({**G, "W": G["W"].T}, D, X, Xi, 0.1)
    with pytest.raises(ValueError, match="lr"):
        gan.gan_step(G, D, X, Xi, -1.0)


def test_a_numpy_gan_moves_towards_a_1d_target():
    G, D = gan.init_gan(1, 1, h=16, seed=0)
    rng = np.random.default_rng(0)
    for _ in range(1500):
        G, D, _, _ = gan.gan_step(G, D, rng.normal(2.0, 0.5, (64, 1)), rng.normal(size=(64, 1)), 0.1)
    samples = gan.generator_forward(G, rng.normal(size=(4000, 1)))
    assert abs(samples.mean() - 2.0) < 0.2 and abs(samples.std() - 0.5) < 0.15
