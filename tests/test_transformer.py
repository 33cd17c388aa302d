"""course_lib.transformer: each piece of a decoder block agrees with Keras (parity) and explains bad input."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import transformer as tr

keras = pytest.importorskip("keras")


def test_layer_norm_matches_keras_layer_normalization():
    rng = np.random.default_rng(0)
    X = (3 + 2 * rng.normal(size=(2, 5, 8))).astype("float32")
    for eps in (1e-3, 0.5):
        layer = keras.layers.LayerNormalization(epsilon=eps)
        layer.build(X.shape)
        gamma, beta = 1 + rng.normal(size=8).astype("float32"), rng.normal(size=8).astype("float32")
        layer.set_weights([gamma, beta])
        ours = tr.layer_norm(X.astype(float), gamma, beta, eps=eps)
        np.testing.assert_allclose(ours, np.asarray(layer(X)), atol=2e-5)
    Y = tr.layer_norm(X, np.ones(8), np.zeros(8))
    assert np.allclose(Y.mean(-1), 0, atol=1e-5) and np.allclose(Y.var(-1), 1, atol=2e-3)


def test_causal_attention_matches_keras_dot_product_attention():
    rng = np.random.default_rng(1)
    Q, K, V = (rng.normal(size=(2, 3, 6, 4)).astype("float32") for _ in range(3))  # (batch, heads, T, d)
    ours = tr.causal_attention(Q, K, V)
    # Keras takes (batch, T, heads, d): move the heads axis before calling it, and back after
    theirs = keras.ops.dot_product_attention(*(np.swapaxes(a, 1, 2) for a in (Q, K, V)), is_causal=True)
    np.testing.assert_allclose(ours, np.swapaxes(np.asarray(theirs), 1, 2), atol=1e-5)


def test_causal_attention_never_looks_ahead():
    rng = np.random.default_rng(2)
    Q, K, V = rng.normal(size=(3, 7, 4)), rng.normal(size=(3, 7, 4)), rng.normal(size=(3, 7, 2))
    W = tr.causal_attention_weights(Q, K)
    assert np.allclose(np.triu(W, k=1), 0) and np.allclose(W.sum(-1), 1)
    V2 = V.copy()
    V2[:, 4:] += 100.0  # changing the future changes nothing at positions 0..3
    np.testing.assert_allclose(tr.causal_attention(Q, K, V)[:, :4], tr.causal_attention(Q, K, V2)[:, :4])
    big = 1e3 * Q
    assert np.isfinite(tr.causal_attention(big, big, V)).all()


def test_multi_head_attention_matches_keras_with_the_causal_mask():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 6, 16)).astype("float32")
    layer = keras.layers.MultiHeadAttention(num_heads=4, key_dim=4)
    theirs = np.asarray(layer(X, X, use_causal_mask=True))
    np.testing.assert_allclose(tr.multi_head_attention(X, layer.get_weights()), theirs, atol=1e-5)
    unmasked = np.asarray(layer(X, X))
    np.testing.assert_allclose(tr.multi_head_attention(X, layer.get_weights(), causal=False), unmasked, atol=1e-5)


def test_decoder_block_matches_the_same_block_built_in_keras():
    rng = np.random.default_rng(4)
    d, T = 16, 5
    x_in = keras.Input((T, d))
    ln1, ln2 = keras.layers.LayerNormalization(epsilon=1e-3), keras.layers.LayerNormalization(epsilon=1e-3)
    mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=8)
    f1, f2 = keras.layers.Dense(32, activation="relu"), keras.layers.Dense(d)
    h = ln1(x_in)
    x = x_in + mha(h, h, use_causal_mask=True)
    out = x + f2(f1(ln2(x)))
    model = keras.Model(x_in, out)
    for layer in (ln1, ln2):  # not the initial gamma = 1, beta = 0
        layer.set_weights([1 + 0.3 * rng.normal(size=d), 0.3 * rng.normal(size=d)])
    params = {
        "ln1": ln1.get_weights(),
        "ln2": ln2.get_weights(),
        "attention": mha.get_weights(),
        "ffn": [*f1.get_weights(), *f2.get_weights()],
    }
    X = rng.normal(size=(3, T, d)).astype("float32")
    np.testing.assert_allclose(tr.decoder_block(X, params), np.asarray(model(X)), atol=2e-5)


def test_positional_encoding_values():
    P = tr.positional_encoding(50, 8)
    assert P.shape == (50, 8)
    np.testing.assert_allclose(P[0], [0, 1] * 4)
    np.testing.assert_allclose(P[:, 0], np.sin(np.arange(50)))  # the fastest pair: frequency 1
    np.testing.assert_allclose(P[:, 7], np.cos(np.arange(50) / 10000 ** (6 / 8)))
    np.testing.assert_allclose(P[:, 0::2] ** 2 + P[:, 1::2] ** 2, 1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tr.positional_encoding(10, 7), "even"),
        (lambda: tr.positional_encoding(0, 8), "positive integer"),
        (lambda: tr.layer_norm(np.zeros((2, 3)), np.ones(4), np.zeros(3)), r"shape \(C,\)"),
        (lambda: tr.layer_norm(np.zeros((2, 3)), np.ones(3), np.zeros(3), eps=0), "positive"),
        (lambda: tr.causal_attention(np.zeros((4, 3)), np.zeros((5, 3)), np.zeros((5, 2))), "same shape"),
        (lambda: tr.causal_attention(np.zeros((4, 3)), np.zeros((4, 3)), np.zeros((5, 2))), "d_v"),
    ],
)
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()
