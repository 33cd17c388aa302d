"""Chapter 8: backpropagation, gradient checking, and the chapter's exercise checks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib import backprop as bp
from course_lib import gradcheck as gc
from course_lib.figures import ch08 as figures
from tests.exercise_helpers import assert_exercise, independent

# --------------------------------------------------------------------------
# Alternative correct implementations and extra wrong ones for each exercise


def sb_loop(dA, Z):
    out = np.empty_like(np.asarray(dA, dtype=float))
    for idx in np.ndindex(out.shape):
        s = 1.0 / (1.0 + np.exp(-Z[idx]))
        out[idx] = dA[idx] * s * (1.0 - s)
    return out


def sb_tanh_identity(dA, Z):
    # σ'(z) = (1 − tanh²(z/2)) / 4
    return dA * (1.0 - np.tanh(Z / 2) ** 2) / 4.0


def sb_float32(dA, Z):
    s = (1.0 / (1.0 + np.exp(-np.asarray(Z, np.float32)))).astype(np.float32)
    return (np.asarray(dA, np.float32) * s * (np.float32(1) - s)).astype(np.float32)


def db_loop(dZ, X, W):
    m, n_in = X.shape
    n_out = W.shape[1]
    dX, dW, db = np.zeros((m, n_in)), np.zeros((n_in, n_out)), np.zeros(n_out)
    for i in range(m):
        for k in range(n_out):
            db[k] += dZ[i, k]
            for j in range(n_in):
                dW[j, k] += X[i, j] * dZ[i, k]
                dX[i, j] += dZ[i, k] * W[j, k]
    return dX, dW, db


def db_einsum(dZ, X, W):
    return np.einsum("mk,jk->mj", dZ, W), np.einsum("mj,mk->jk", X, dZ), np.einsum("mk->k", dZ)


def db_float32(dZ, X, W):
    dZ, X, W = (np.asarray(a, np.float32) for a in (dZ, X, W))
    return [dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)]  # a list is accepted as well as a tuple


def bp_scalar_loop(X, y, params):
    return bp.scalar_backprop_2_3_1_batch(X, y, params)


def bp_per_sample_outer(X, y, params):
    """Sum of per-sample outer products, divided by m at the end."""
    m = X.shape[0]
    grads = {k: np.zeros_like(v, dtype=float) for k, v in params.items()}
    for x, t in zip(X, y):
        a1 = 1 / (1 + np.exp(-(x @ params["W1"] + params["b1"])))
        a2 = 1 / (1 + np.exp(-(a1 @ params["W2"] + params["b2"])))
        dz2 = a2 - t
        dz1 = (params["W2"] @ dz2) * a1 * (1 - a1)
        grads["W2"] += np.outer(a1, dz2)
        grads["b2"] += dz2
        grads["W1"] += np.outer(x, dz1)
        grads["b1"] += dz1
    return {k: v / m for k, v in grads.items()}


def bp_float32(X, y, params):
    p = {k: np.asarray(v, np.float32) for k, v in params.items()}
    X, y = np.asarray(X, np.float32), np.asarray(y, np.float32)
    A1 = 1 / (1 + np.exp(-(X @ p["W1"] + p["b1"])))
    A2 = 1 / (1 + np.exp(-(A1 @ p["W2"] + p["b2"])))
    dZ2 = (A2 - y.reshape(-1, 1)) / np.float32(len(X))
    dZ1 = (dZ2 @ p["W2"].T) * A1 * (1 - A1)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(0), "W2": A1.T @ dZ2, "b2": dZ2.sum(0)}


_own_backprop = independent(bp.backprop_2_3_1)  # a learner's correct answer, not the library's


def ng_inplace(f, params, eps=1e-6):
    """Nudges the caller's arrays in place and restores them exactly (float inputs)."""
    grads = {}
    for key, arr in params.items():
        g = np.zeros(arr.shape)
        flat = arr.reshape(-1)  # a view: writes go to arr
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = f(params)
            flat[i] = old - eps
            down = f(params)
            flat[i] = old
            g.reshape(-1)[i] = (up - down) / (2 * eps)
        grads[key] = g
    return grads


def ng_copy_per_entry(f, params, eps=1e-6):
    grads = {}
    for key, arr in params.items():
        g = np.zeros(np.shape(arr))
        for idx in np.ndindex(g.shape):
            plus = {k: np.array(v, dtype=float) for k, v in params.items()}
            minus = {k: np.array(v, dtype=float) for k, v in params.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (f(plus) - f(minus)) / (2 * eps)
        grads[key] = g
    return grads


def ng_mutates(f, params, eps=1e-6):
    grads = {}
    for key, arr in params.items():
        g = np.zeros(arr.shape)
        for idx in np.ndindex(arr.shape):
            arr[idx] += eps
            up = f(params)
            arr[idx] -= 2 * eps
            down = f(params)  # never moved back up: the caller's array ends at θ − ε
            g[idx] = (up - down) / (2 * eps)
        grads[key] = g
    return grads


ALTERNATIVES = {
    "sigmoid_backward": [sb_loop, sb_tanh_identity, sb_float32],
    "dense_backward": [db_loop, db_einsum, db_float32],
    "backprop_2_3_1": [bp_scalar_loop, bp_per_sample_outer, bp_float32],
    "numerical_gradient": [ng_inplace, ng_copy_per_entry],
}
WRONG = {
    "sigmoid_backward": [
        (lambda dA, Z: None, "wrong_type"),
        (lambda dA, Z: (dA * Z).ravel(), "wrong_shape"),
        (lambda dA, Z: dA * np.exp(Z) / (1 + np.exp(Z)) ** 2 * np.inf, "non_finite"),
    ],
    "dense_backward": [
        (lambda dZ, X, W: (dZ @ W.T, X.T @ dZ), "wrong_type"),
        (lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)), "wrong_shape"),
        (lambda dZ, X, W: (dZ @ W.T, X.T @ dZ * 2, dZ.sum(axis=0)), "wrong_value"),
    ],
    "backprop_2_3_1": [
        (lambda X, y, p: [p["W1"], p["b1"], p["W2"], p["b2"]], "wrong_type"),
        (lambda X, y, p: {"W1": p["W1"], "b1": p["b1"], "W2": p["W2"]}, "wrong_type"),
        (lambda X, y, p: {k: np.zeros_like(v) for k, v in p.items()}, "wrong_value"),
        (lambda X, y, p: _own_backprop(X, y, p) | {"b2": _own_backprop(X, y, p)["b2"][:, None]}, "wrong_shape"),
    ],
    "numerical_gradient": [
        (ng_mutates, "mutated_input"),
        (lambda f, params, eps: {k: np.zeros_like(v) for k, v in params.items()}, "wrong_value"),
        (lambda f, params, eps: {k: float(f(params)) for k in params}, "wrong_type"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_backprop_check_names_the_parameter_and_the_size_of_the_error():
    from course_lib import checks

    notes = checks.run("backprop_2_3_1", bp.notes_backprop_2_3_1)
    assert notes.status == "wrong_value"
    assert "result['W1'] differs in 6 of 6 entries (largest difference" in notes.message
    assert "course notes" in notes.message
    no_mean = checks.run("backprop_2_3_1", lambda X, y, p: {k: v * len(X) for k, v in _own_backprop(X, y, p).items()})
    assert no_mean.status == "wrong_value" and "1/m" in no_mean.message
    transposed = checks.run(
        "backprop_2_3_1",
        lambda X, y, p: {k: (v.T if v.ndim == 2 else v) for k, v in _own_backprop(X, y, p).items()},
    )
    assert transposed.status == "wrong_shape" and "result['W1'] should have shape (2, 3)" in transposed.message


# --------------------------------------------------------------------------
# The 2-3-1 network's gradients


def _problem(seed=0, m=7, scale=1.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    y = rng.integers(0, 2, size=m).astype(float)
    return X, y, bp.init_params_2_3_1(seed + 1, scale) | {"b1": rng.normal(size=3), "b2": rng.normal(size=1)}


def _loss_fn(X, y):
    return lambda P: bp.loss_2_3_1(X, y, P)


@pytest.mark.parametrize(
    "grad_fn", [bp.backprop_2_3_1, bp.scalar_backprop_2_3_1_batch], ids=["matrix", "scalar w1..b4"]
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_gradient_passes_the_finite_difference_check(grad_fn, seed):
    X, y, params = _problem(seed)
    errors = gc.gradient_check(_loss_fn(X, y), lambda P: grad_fn(X, y, P), params)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert max(errors.values()) < 1e-6, errors


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 6), scale=st.floats(0.1, 3.0))
@example(seed=160, m=4, scale=3.0)  # saturated units: gradients near 1e-9, where finite differences are noisiest
def test_backprop_matches_finite_differences_property(seed, m, scale):
    X, y, params = _problem(seed, m, scale)
    errors = gc.gradient_check(_loss_fn(X, y), lambda P: bp.backprop_2_3_1(X, y, P), params)
    # A wrong gradient has a relative error near 1; large weights saturate the sigmoids, whose tiny gradients the
    # central difference measures only to about 1e-5.
    assert max(errors.values()) < 1e-5, errors


def test_matrix_and_scalar_forms_agree_and_names_map_correctly():
    X, y, params = _problem(3)
    a, b = bp.backprop_2_3_1(X, y, params), bp.scalar_backprop_2_3_1_batch(X, y, params)
    for k in a:
        assert a[k].shape == params[k].shape
        np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=1e-14)
    named = bp.params_to_named(params)
    assert named["w2"] == params["W1"][1, 0] and named["w9"] == params["W2"][2, 0]
    assert named["b1"] == params["b1"][0] and named["b4"] == params["b2"][0]
    back = bp.named_to_params(named)
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])


def test_the_notes_version_fails_the_gradient_check_exactly_where_expected():
    X, y, params = _problem(4)
    correct = bp.backprop_2_3_1(X, y, params)
    notes = bp.notes_backprop_2_3_1(X, y, params)
    errors = gc.gradient_check(_loss_fn(X, y), lambda P: bp.notes_backprop_2_3_1(X, y, P), params)
    # Output layer right, hidden layer wrong.
    assert errors["W2"] < 1e-6 and errors["b2"] < 1e-6
    assert errors["W1"] > 1e-2 and errors["b1"] > 1e-2
    np.testing.assert_allclose(notes["W2"], correct["W2"], rtol=1e-10)
    np.testing.assert_allclose(notes["b2"], correct["b2"], rtol=1e-10)
    # Every hidden-layer entry is off (h3 ≠ w7, w8, w9 here), and the notes' b1 (our b1[0]) is missing.
    assert not np.isclose(notes["W1"], correct["W1"]).any()
    assert notes["b1"][0] == 0.0 and correct["b1"][0] != 0.0
    assert not np.isclose(notes["b1"][1:], correct["b1"][1:]).any()
    # The bug is exactly "h3 in place of w_j": rescaling the notes' unit-j gradients by w_j / h3 repairs them.
    _, cache = bp.forward_2_3_1_cache(X, params)
    h3 = cache["A1"][:, 2]
    np.testing.assert_allclose(
        bp.notes_backprop_2_3_1(X[:1], y[:1], params)["W1"] * params["W2"][:, 0] / h3[0],
        bp.backprop_2_3_1(X[:1], y[:1], params)["W1"],
        rtol=1e-10,
    )


def test_training_with_the_notes_gradients_is_worse():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 1.0])  # OR
    params = bp.init_params_2_3_1(0)
    good, good_losses = bp.train_2_3_1(X, y, params, bp.backprop_2_3_1, lr=2.0, steps=200)
    _, notes_losses = bp.train_2_3_1(X, y, params, bp.notes_backprop_2_3_1, lr=2.0, steps=200)
    assert good_losses.shape == (201,) and good_losses[-1] < good_losses[0]
    assert good_losses[-1] < notes_losses[-1]
    np.testing.assert_array_equal(params["W1"], bp.init_params_2_3_1(0)["W1"])  # input untouched
    assert not np.shares_memory(good["W1"], params["W1"])


def test_dense_backward_matches_finite_differences():
    rng = np.random.default_rng(5)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    T = rng.normal(size=(4, 2))

    def loss(P):  # L = mean over samples of Σ_k T·Z, so dZ = T / m
        return float(np.sum(T * (P["X"] @ P["W"] + P["b"])) / 4)

    dX, dW, db = bp.dense_backward(T / 4, X, W)
    num = gc.numerical_gradient(loss, {"X": X, "W": W, "b": b})
    assert gc.relative_error(dX, num["X"]) < 1e-6
    assert gc.relative_error(dW, num["W"]) < 1e-6
    assert gc.relative_error(db, num["b"]) < 1e-6


def test_sigmoid_backward_matches_finite_differences_and_is_stable():
    Z = np.array([[-3.0, 0.0, 2.0]])
    dA = np.array([[0.5, -1.0, 2.0]])
    num = gc.numerical_gradient(lambda P: float(np.sum(dA / (1 + np.exp(-P["Z"])))), {"Z": Z})["Z"]
    assert gc.relative_error(bp.sigmoid_backward(dA, Z), num) < 1e-8
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = bp.sigmoid_backward(np.ones(3), np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_allclose(out, [0.0, 0.25, 0.0])


@pytest.mark.tf
def test_backprop_2_3_1_matches_tensorflow_gradient_tape():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    X, y, params = _problem(6, m=9)
    tv = {k: tf.Variable(v, dtype=tf.float64) for k, v in params.items()}
    with tf.GradientTape() as tape:
        A1 = tf.sigmoid(tf.constant(X) @ tv["W1"] + tv["b1"])
        logits = A1 @ tv["W2"] + tv["b2"]
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(y[:, None]), logits=logits))
    tf_grads = dict(zip(tv, tape.gradient(loss, list(tv.values()))))
    ours = bp.backprop_2_3_1(X, y, params)
    assert float(loss) == pytest.approx(bp.loss_2_3_1(X, y, params), rel=1e-10)
    for k in params:
        np.testing.assert_allclose(ours[k], tf_grads[k].numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.tf
def test_dense_backward_matches_tensorflow_gradient_tape():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    rng = np.random.default_rng(7)
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    T = rng.normal(size=(5, 3))
    tX, tW, tb = (tf.Variable(a, dtype=tf.float64) for a in (X, W, b))
    with tf.GradientTape() as tape:
        Z = tX @ tW + tb
        loss = tf.reduce_mean(tf.reduce_sum(tf.sin(Z) * T, axis=1))  # any loss; dZ = cos(Z)·T / m
    gX, gW, gb = tape.gradient(loss, [tX, tW, tb])
    dZ = np.cos(X @ W + b) * T / 5
    dX, dW, db = bp.dense_backward(dZ, X, W)
    np.testing.assert_allclose(dX, gX.numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(dW, gW.numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(db, gb.numpy(), rtol=1e-6, atol=1e-12)


# --------------------------------------------------------------------------
# Gradient checking utilities


def test_numerical_gradient_restores_inputs_and_uses_float64():
    params = {"w": np.array([1.0, 2.0], dtype=np.float32)}
    before = params["w"].copy()
    seen = []

    def f(P):
        seen.append(P["w"].dtype)
        return float(np.sum(P["w"] ** 3))

    g = gc.numerical_gradient(f, params)
    np.testing.assert_array_equal(params["w"], before)
    assert params["w"].dtype == np.float32 and set(seen) == {np.dtype(np.float64)}
    np.testing.assert_allclose(g["w"], [3.0, 12.0], rtol=1e-8)


def test_relative_error_properties():
    a = np.array([1.0, -2.0, 3.0])
    assert gc.relative_error(a, a) == 0.0
    assert gc.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gc.relative_error(a, np.zeros(3)) == pytest.approx(1.0)
    assert gc.relative_error(a * 1e-8, a * 1e-8 * (1 + 1e-6)) == pytest.approx(gc.relative_error(a, a * (1 + 1e-6)))


def test_gradient_check_table_flags_wrong_parameters():
    text = gc.format_gradient_check({"W1": 3e-10, "b1": 0.5})
    lines = text.splitlines()
    assert lines[2].startswith("W1") and lines[2].endswith("ok")
    assert lines[3].startswith("b1") and lines[3].endswith("WRONG")


def test_finite_difference_errors_show_truncation_and_round_off():
    eps = np.array([1e-1, 1e-5, 1e-13])
    e64 = gc.finite_difference_errors(eps)
    # truncation: central is far better than forward at moderate ε
    assert e64["central"][0] < e64["forward"][0] / 10
    assert e64["central"][1] < 1e-9 < e64["forward"][1]
    # round-off: a tiny ε is worse than a moderate one
    assert e64["central"][2] > 100 * e64["central"][1]
    e32 = gc.finite_difference_errors(eps, dtype=np.float32)
    assert e32["central"][1] > 1000 * e64["central"][1]  # float32 cannot resolve ε = 1e-5


def test_draw_finite_difference_error_returns_a_labelled_figure():
    import matplotlib.pyplot as plt

    fig = figures.draw_finite_difference_error(-6.0, float32=True)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "ε" in ax.get_xlabel() and "float32" in ax.get_title()
    assert len(ax.get_legend().get_texts()) == 2
    plt.close(fig)


# --------------------------------------------------------------------------
# Bad inputs are rejected with a ValueError naming the expected shape


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bp.dense_backward(np.ones((4, 2)), np.ones((4, 3)), np.ones((2, 3))), r"W must have shape \(3, 2\)"),
        (lambda: bp.dense_backward(np.ones((5, 2)), np.ones((4, 3)), np.ones((3, 2))), r"dZ must have shape \(4, 2\)"),
        (lambda: bp.dense_backward(np.ones(2), np.ones((4, 3)), np.ones((3, 2))), "dZ must be 2-D"),
        (lambda: bp.sigmoid_backward(np.ones((2, 3)), np.ones((3, 2))), r"same shape as Z, \(3, 2\)"),
        (lambda: bp.backprop_2_3_1(np.ones((4, 3)), np.ones(4), bp.init_params_2_3_1()), r"X must have shape \(m, 2\)"),
        (lambda: bp.backprop_2_3_1(np.ones((4, 2)), np.ones((4, 1)), bp.init_params_2_3_1()), "y must be 1-D"),
        (lambda: bp.backprop_2_3_1(np.ones((4, 2)), np.ones(3), bp.init_params_2_3_1()), r"y must have shape \(4,\)"),
        (
            lambda: bp.backprop_2_3_1(np.ones((4, 2)), np.ones(4), bp.init_params_2_3_1() | {"W2": np.ones(3)}),
            r"W2 must have shape \(3, 1\)",
        ),
        (
            lambda: bp.backprop_2_3_1(np.ones((4, 2)), np.ones(4), {"W1": np.ones((2, 3))}),
            r"keys W1 \(2, 3\), b1 \(3,\)",
        ),
        (lambda: bp.notes_backprop_2_3_1(np.ones((0, 2)), np.ones(0), bp.init_params_2_3_1()), "at least one sample"),
        (lambda: gc.numerical_gradient(lambda P: 0.0, {"w": np.ones(2)}, eps=0), "eps must be a positive number"),
        (lambda: gc.numerical_gradient(lambda P: 0.0, {}), "non-empty dict"),
        (lambda: gc.relative_error(np.ones(3), np.ones((3, 1))), r"same shape; got a \(3,\) and b \(3, 1\)"),
        (
            lambda: gc.gradient_check(lambda P: 0.0, lambda P: {"w": np.ones(3)}, {"w": np.ones(2)}),
            r"must have shape \(2,\)",
        ),
        (lambda: bp.named_to_params({"w1": 1.0}), "exactly the keys"),
        (lambda: bp.train_2_3_1(np.ones((1, 2)), np.ones(1), bp.init_params_2_3_1(), steps=-1), "non-negative"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_importing_checks_does_not_import_tensorflow_or_matplotlib():
    import subprocess
    import sys

    code = "import sys, course_lib.checks, course_lib.backprop, course_lib.gradcheck, course_lib.autograd;"
    code += "print('tensorflow' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
