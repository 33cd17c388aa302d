"""Tests of the LSTM's backpropagation through time (course_lib.rnn, Chapter 12) and the numpy character LSTM built
on it (course_lib.char_model, Chapter 12, section "Text: a character-level language model")."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import char_model as cm
from course_lib import rnn
from course_lib.gradcheck import gradient_check, numerical_gradient, relative_error

NAMES = ("X", "h0", "c0", "Wx", "Wh", "b")


def _lstm_problem(seed=0, m=3, T=5, n=2, u=3):
    rng = np.random.default_rng(seed)
    P = {
        "X": rng.normal(size=(m, T, n)),
        "h0": rng.normal(size=(m, u)),
        "c0": rng.normal(size=(m, u)),
        "Wx": rng.normal(scale=0.7, size=(n, 4 * u)),
        "Wh": rng.normal(scale=0.7, size=(u, 4 * u)),
        "b": rng.normal(scale=0.3, size=4 * u),
    }
    G = rng.normal(size=(m, T, u))  # the loss is sum(H ⊙ G), so dL/dH = G
    return P, G


def _forward(P):
    return rnn.lstm_forward(P["X"], P["h0"], P["c0"], P["Wx"], P["Wh"], P["b"])


def test_lstm_forward_is_lstm_step_at_every_step():
    P, _ = _lstm_problem()
    H, C = _forward(P)
    h, c = P["h0"], P["c0"]
    for t in range(P["X"].shape[1]):
        h, c = rnn.lstm_step(P["X"][:, t], h, c, P["Wx"], P["Wh"], P["b"])
        np.testing.assert_allclose(H[:, t], h, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(C[:, t], c, rtol=1e-12, atol=1e-14)


def test_lstm_backward_passes_the_finite_difference_check():
    P, G = _lstm_problem()
    numeric = numerical_gradient(lambda Q: float(np.sum(_forward(Q)[0] * G)), P)
    H, C = _forward(P)
    analytic = rnn.lstm_backward(G, P["X"], H, C, P["h0"], P["c0"], P["Wx"], P["Wh"], P["b"])
    for name, grad in zip(NAMES, analytic):
        assert relative_error(grad, numeric[name]) < 1e-6, name


def test_lstm_backward_with_an_error_on_the_last_state_only_and_without_dX():
    P, _ = _lstm_problem(seed=3, T=7)
    G = np.zeros((3, 7, 3))
    G[:, -1] = 1.0
    numeric = numerical_gradient(lambda Q: float(np.sum(_forward(Q)[0][:, -1])), P)
    H, C = _forward(P)
    dX, *rest = rnn.lstm_backward(G, P["X"], H, C, P["h0"], P["c0"], P["Wx"], P["Wh"], P["b"], need_dX=False)
    assert dX is None
    for name, grad in zip(NAMES[1:], rest):
        assert relative_error(grad, numeric[name]) < 1e-6, name


def test_lstm_backward_keeps_float32():
    P, G = _lstm_problem()
    P = {k: v.astype("float32") for k, v in P.items()}
    H, C = _forward(P)
    assert H.dtype == C.dtype == np.float32
    grads = rnn.lstm_backward(G.astype("float32"), P["X"], H, C, P["h0"], P["c0"], P["Wx"], P["Wh"], P["b"])
    assert all(g.dtype == np.float32 for g in grads)


@pytest.mark.tf
def test_lstm_forward_and_backward_match_tensorflow_given_the_same_weights():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    P, G = _lstm_problem(seed=5, m=2, T=6, n=3, u=4)
    layer = keras.layers.LSTM(4, return_sequences=True, dtype="float64")
    layer.build((None, 6, 3))
    layer.set_weights([P["Wx"], P["Wh"], P["b"]])
    X, h0, c0 = (tf.Variable(P[k]) for k in ("X", "h0", "c0"))
    with tf.GradientTape() as tape:
        out = layer(X, initial_state=[h0, c0])
        loss = tf.reduce_sum(out * G)
    theirs = tape.gradient(loss, [X, h0, c0, *layer.trainable_variables])
    H, C = _forward(P)
    np.testing.assert_allclose(H, out.numpy(), rtol=1e-6, atol=1e-9)
    ours = rnn.lstm_backward(G, P["X"], H, C, P["h0"], P["c0"], P["Wx"], P["Wh"], P["b"])
    for name, a, b in zip(NAMES, ours, theirs):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-6, atol=1e-9, err_msg=name)


def test_lstm_sequence_functions_reject_wrong_shapes():
    P, G = _lstm_problem()
    with pytest.raises(ValueError, match="Wx"):
        rnn.lstm_forward(P["X"], P["h0"], P["c0"], P["Wx"][:, :-1], P["Wh"], P["b"])
    with pytest.raises(ValueError, match="c0"):
        rnn.lstm_forward(P["X"], P["h0"], P["c0"][:, :2], P["Wx"], P["Wh"], P["b"])
    H, C = _forward(P)
    with pytest.raises(ValueError, match="dH"):
        rnn.lstm_backward(G[:, :-1], P["X"], H, C, P["h0"], P["c0"], P["Wx"], P["Wh"], P["b"])


# --------------------------------------------------------------------------
# The character LSTM


def _char_problem(V=5, u=3, m=2, T=4, seed=0):
    rng = np.random.default_rng(seed)
    params = cm.lstm_char_init(V, u, rng, dtype="float64")
    params["b_out"] = rng.normal(scale=0.1, size=V)
    ids = rng.integers(0, V, size=(m, T + 1))
    h0, c0 = rng.normal(scale=0.5, size=(m, u)), rng.normal(scale=0.5, size=(m, u))
    return params, ids[:, :-1], ids[:, 1:], h0, c0


def test_char_lstm_gradients_pass_the_finite_difference_check():
    params, inputs, targets, h0, c0 = _char_problem()

    def loss(P):
        return cm.lstm_char_loss_and_grads(P, inputs, targets, h0, c0)[0]

    errors = gradient_check(loss, lambda P: cm.lstm_char_loss_and_grads(P, inputs, targets, h0, c0)[1], params)
    assert max(errors.values()) < 1e-6, errors


def test_char_lstm_loss_is_the_cross_entropy_of_its_logits_and_returns_the_last_state():
    params, inputs, targets, h0, c0 = _char_problem(m=1, T=9)
    loss, _, (h, c) = cm.lstm_char_loss_and_grads(params, inputs, targets, h0, c0)
    H, C = rnn.lstm_forward(np.eye(5)[inputs], h0, c0, params["Wx"], params["Wh"], params["b"])
    np.testing.assert_allclose(h, H[:, -1])
    np.testing.assert_allclose(c, C[:, -1])
    logits = H[0] @ params["W_out"] + params["b_out"]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(9), targets[0]])))
    # lstm_char_logits from a zero state with one piece gives the same predictions
    stream = np.concatenate([inputs[0], targets[0, -1:]])
    zero = cm.lstm_char_loss_and_grads(params, inputs, targets, np.zeros((1, 3)), np.zeros((1, 3)))[0]
    lg, tg = cm.lstm_char_logits(params, stream, pieces=1)
    np.testing.assert_array_equal(tg, targets[0])
    q = np.exp(lg) / np.exp(lg).sum(axis=1, keepdims=True)
    assert zero == pytest.approx(-np.mean(np.log(q[np.arange(9), tg])))


def test_char_lstm_init_follows_keras_defaults():
    params = cm.lstm_char_init(7, 4, np.random.default_rng(0))
    assert {k: v.shape for k, v in params.items()} == {
        "Wx": (7, 16), "Wh": (4, 16), "b": (16,), "W_out": (4, 7), "b_out": (7,)
    }  # fmt: skip
    assert all(v.dtype == np.float32 for v in params.values())
    np.testing.assert_allclose(params["Wh"] @ params["Wh"].T, np.eye(4), atol=1e-5)  # orthonormal rows
    np.testing.assert_array_equal(params["b"], np.r_[np.zeros(4), np.ones(4), np.zeros(8)])  # forget bias 1


def test_truncated_bptt_windows_continue_each_stream_and_shift_the_targets():
    ids = np.arange(103)
    inputs, targets = rnn.truncated_bptt_windows(ids, batch_size=4, T=5)
    assert inputs.shape == targets.shape == (5, 4, 5)  # 102 // 4 = 25 characters per stream: 5 windows
    np.testing.assert_array_equal(targets, inputs + 1)
    np.testing.assert_array_equal(inputs[0, 1], [25, 26, 27, 28, 29])  # stream 1 starts at character 25
    np.testing.assert_array_equal(inputs[1, 0], [5, 6, 7, 8, 9])  # window 1 continues window 0
    with pytest.raises(ValueError, match="too few"):
        rnn.truncated_bptt_windows(np.arange(10), batch_size=4, T=5)
    with pytest.raises(ValueError, match="T"):
        rnn.truncated_bptt_windows(ids, batch_size=4, T=0)


def test_char_lstm_training_lowers_the_loss_and_generation_feeds_back_its_samples():
    from course_lib.optim import Adam

    ids, vocabulary = cm.encode("abcabcabdabcabcabd" * 20)
    params = cm.lstm_char_init(len(vocabulary), 8, np.random.default_rng(0))
    inputs, targets = rnn.truncated_bptt_windows(ids, batch_size=4, T=9)
    optimizer, losses = Adam(0.05), []
    for _ in range(15):
        h = c = np.zeros((4, 8), dtype="float32")
        for x, y in zip(inputs, targets):
            loss, grads, (h, c) = cm.lstm_char_loss_and_grads(params, x, y, h, c)
            optimizer.apply(params, rnn.clip_by_global_norm(grads, 1.0))
            losses.append(loss)
    assert losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])
    out = cm.lstm_char_generate(params, ids[:3], 30, 0.5, np.random.default_rng(0))
    assert out.shape == (33,) and out.dtype == np.int64 and np.array_equal(out[:3], ids[:3])
    assert "abc" in cm.decode(out[3:], vocabulary)


def test_char_lstm_functions_reject_bad_input():
    params, inputs, targets, h0, c0 = _char_problem()
    with pytest.raises(ValueError, match="keys"):
        cm.lstm_char_loss_and_grads({"Wx": params["Wx"]}, inputs, targets, h0, c0)
    with pytest.raises(ValueError, match="ids in 0"):
        cm.lstm_char_loss_and_grads(params, inputs + 5, targets, h0, c0)
    with pytest.raises(ValueError, match="shape of inputs"):
        cm.lstm_char_loss_and_grads(params, inputs, targets[:, :-1], h0, c0)
    with pytest.raises(ValueError, match="temperature"):
        cm.lstm_char_generate(params, [0], 5, 0.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="W_out"):
        cm.lstm_char_logits({**params, "W_out": params["W_out"].T}, [0, 1, 2], pieces=1)
