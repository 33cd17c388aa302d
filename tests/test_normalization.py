"""Batch normalisation and the receptive field (Chapter 11, "Modern convolutional networks"): finite differences,
Keras parity, and the checks of their exercises."""

import os

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import ch11_modern
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.normalization import (
    BatchNormalization,
    batch_norm_backward,
    batch_norm_forward,
    batch_norm_inference,
)
from course_lib.receptive import receptive_field, receptive_fields


@pytest.mark.parametrize("shape", [(7, 3), (4, 5, 2), (2, 3, 4, 3)])
def test_forward_standardises_each_feature(shape):
    rng = np.random.default_rng(0)
    X = 3 + 2 * rng.normal(size=shape)
    Y = batch_norm_forward(X, np.ones(shape[-1]), np.zeros(shape[-1]), eps=1e-12)
    axes = tuple(range(len(shape) - 1))
    np.testing.assert_allclose(Y.mean(axis=axes), 0, atol=1e-10)
    np.testing.assert_allclose(Y.var(axis=axes), 1, atol=1e-8)


@pytest.mark.parametrize("shape", [(6, 3), (3, 4, 2), (2, 3, 3, 4)])
@pytest.mark.parametrize("eps", [1e-3, 0.5])
def test_backward_matches_finite_differences(shape, eps):
    rng = np.random.default_rng(1)
    C = shape[-1]
    params = {"X": rng.normal(size=shape), "gamma": rng.uniform(0.5, 2, C), "beta": rng.normal(size=C)}
    G = rng.normal(size=shape)  # the loss is sum(G * Y), so dY = G

    def loss(p):
        return float(np.sum(G * batch_norm_forward(p["X"], p["gamma"], p["beta"], eps)))

    numeric = numerical_gradient(loss, params)
    dX, dgamma, dbeta = batch_norm_backward(G, params["X"], params["gamma"], eps)
    for name, analytic in [("X", dX), ("gamma", dgamma), ("beta", dbeta)]:
        assert relative_error(analytic, numeric[name]) < 1e-6, name


def test_layer_gradients_and_running_statistics():
    rng = np.random.default_rng(2)
    layer = BatchNormalization(momentum=0.9)
    layer.build((4, 4, 3), rng, dtype="float64")
    X = rng.normal(2.0, 3.0, size=(5, 4, 4, 3))
    Y = layer.forward(X)
    np.testing.assert_allclose(Y, batch_norm_forward(X, np.ones(3), np.zeros(3)))
    dX = layer.backward(np.ones_like(Y))
    np.testing.assert_allclose(dX, 0, atol=1e-10)  # a loss that only sums Y does not depend on X
    np.testing.assert_allclose(layer.grads["beta"], 5 * 4 * 4)
    np.testing.assert_allclose(layer.state["moving_mean"], 0.1 * X.mean(axis=(0, 1, 2)))
    np.testing.assert_allclose(layer.state["moving_variance"], 0.9 + 0.1 * X.var(axis=(0, 1, 2)))
    Y_inf = layer.forward(X, training=False)
    np.testing.assert_allclose(
        Y_inf, batch_norm_inference(X, np.ones(3), np.zeros(3), **layer.state, eps=layer.epsilon)
    )
    assert layer.count_params() == 6 and layer.output_shape == (4, 4, 3)


@pytest.mark.tf
@pytest.mark.parametrize("shape", [(8, 5), (3, 4, 4, 6)])
def test_parity_with_keras_in_both_modes(shape):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    import tensorflow as tf

    rng = np.random.default_rng(3)
    C = shape[-1]
    X = (1.5 + 2 * rng.normal(size=shape)).astype("float32")
    gamma, beta = rng.uniform(0.5, 2, C).astype("float32"), rng.normal(size=C).astype("float32")
    k_layer = keras.layers.BatchNormalization(epsilon=1e-3)
    k_layer.build(shape)
    k_layer.gamma.assign(gamma)
    k_layer.beta.assign(beta)
    ours = BatchNormalization(epsilon=1e-3)
    ours.build(shape[1:], rng)
    ours.params = {"gamma": gamma, "beta": beta}

    G = rng.normal(size=shape).astype("float32")
    Xt = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(Xt)
        Yk = k_layer(Xt, training=True)
        loss = tf.reduce_sum(Yk * G)
    dXk, dgk, dbk = tape.gradient(loss, [Xt, k_layer.gamma, k_layer.beta])
    Y = ours.forward(X, training=True)
    np.testing.assert_allclose(Y, Yk.numpy(), atol=2e-5)
    dX, dg, db = batch_norm_backward(G, X, gamma)
    np.testing.assert_allclose(dX, dXk.numpy(), atol=1e-4)
    np.testing.assert_allclose(dg, dgk.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(db, dbk.numpy(), rtol=1e-5, atol=1e-4)
    # one training step moved Keras' running statistics exactly as ours (momentum 0.99)
    np.testing.assert_allclose(ours.state["moving_mean"], k_layer.moving_mean.numpy(), atol=1e-6)
    np.testing.assert_allclose(ours.state["moving_variance"], k_layer.moving_variance.numpy(), atol=1e-5)
    for _ in range(3):
        X2 = rng.normal(size=shape).astype("float32")
        k_layer(X2, training=True)
        ours.forward(X2, training=True)
    np.testing.assert_allclose(ours.forward(X, training=False), k_layer(X, training=False).numpy(), atol=2e-5)


def test_receptive_field_by_hand():
    assert receptive_field([]) == 1
    assert receptive_field([(3, 1)] * 3) == 7 == receptive_field([(7, 1)])  # VGG's argument
    assert receptive_fields([(5, 1), (2, 2), (5, 1), (2, 2)]) == [(5, 1), (6, 2), (14, 2), (16, 4)]
    assert receptive_field([(7, 2), (3, 2)]) == 11
    with pytest.raises(ValueError):
        receptive_field([(3,)])
    with pytest.raises(ValueError):
        receptive_field([(3, 0)])


# --- the exercises' checks: they accept correct answers and reject the classic mistakes ---


def _forward_alt(X, gamma, beta, eps=1e-3):
    X = np.asarray(X)
    flat = X.reshape(-1, X.shape[-1])
    Y = (flat - flat.mean(0)) / np.sqrt(flat.var(0) + eps) * gamma + beta
    return Y.reshape(X.shape)


def _backward_alt(dY, X, gamma, eps=1e-3):
    """The computational-graph route: through X~, the variance and the mean, step by step."""
    shape = X.shape
    X, dY = X.reshape(-1, shape[-1]).astype(np.float64), dY.reshape(-1, shape[-1]).astype(np.float64)
    N = X.shape[0]
    mu = X.mean(0)
    xc = X - mu
    var = (xc**2).mean(0)
    std = np.sqrt(var + eps)
    xt = xc / std
    dxt = dY * gamma
    dvar = (dxt * xc * -0.5 * std**-3).sum(0)
    dmu = -(dxt / std).sum(0) + dvar * (-2 * xc).mean(0)
    dX = dxt / std + dvar * 2 * xc / N + dmu / N
    return dX.reshape(shape), (dY * xt).sum(0), dY.sum(0)


def _rf_alt(layers):
    R = 1
    for i, (k, _) in enumerate(layers):
        R += (k - 1) * int(np.prod([s for _, s in layers[:i]]))
    return R


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("batch_norm_forward", _forward_alt),
        ("batch_norm_backward", _backward_alt),
        ("receptive_field", _rf_alt),
        ("batch_norm_forward", ch11_modern._bn_forward),
        ("batch_norm_backward", ch11_modern._bn_backward),
        ("receptive_field", ch11_modern._rf),
    ],
)
def test_checks_accept_correct_answers(exercise, answer):
    assert checks.run(exercise, answer).passed


@pytest.mark.parametrize("exercise", ["batch_norm_forward", "batch_norm_backward", "receptive_field"])
def test_checks_reject_each_catalogued_mistake_with_its_hint(exercise):
    for mistake in checks.get(exercise).mistakes:
        result = checks.run(exercise, mistake.func)
        assert not result.passed, mistake.name
        assert " ".join(mistake.hint.split()) in " ".join(result.message.split()), mistake.name


def test_checks_reject_other_wrong_answers():
    def no_eps(X, gamma, beta, eps=1e-3):
        return _forward_alt(X, gamma, beta, 0.0)

    def float32_only(X, gamma, beta, eps=1e-3):  # loses the float64 cases' precision
        return _forward_alt(np.asarray(X, dtype=np.float16), gamma, beta, eps)

    def dbeta_mean(dY, X, gamma, eps=1e-3):
        dX, dg, db = _backward_alt(dY, X, gamma, eps)
        return dX, dg, db / (X.size // X.shape[-1])

    def no_gamma_in_dx(dY, X, gamma, eps=1e-3):
        dX, dg, db = _backward_alt(dY, X, gamma, eps)
        return dX / gamma, dg, db

    assert not checks.run("batch_norm_forward", no_eps).passed
    assert not checks.run("batch_norm_forward", float32_only).passed
    assert not checks.run("batch_norm_backward", dbeta_mean).passed
    assert not checks.run("batch_norm_backward", no_gamma_in_dx).passed
    assert not checks.run("receptive_field", lambda layers: sum(k for k, _ in layers)).passed
