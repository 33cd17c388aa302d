"""Chapter 18: the attention exercise, and attention agreeing with Keras."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import attention
from tests.exercise_helpers import assert_exercise


def attention_loops(Q, K, V):
    Q, K, V = np.asarray(Q, float), np.asarray(K, float), np.asarray(V, float)
    if Q.ndim == 3:
        return np.stack([attention_loops(q, k, v) for q, k, v in zip(Q, K, V)])
    out = np.zeros((len(Q), V.shape[1]))
    for i, q in enumerate(Q):
        scores = [float(q @ k) / math.sqrt(len(q)) for k in K]
        top = max(scores)
        w = [math.exp(s - top) for s in scores]
        out[i] = sum(wj / sum(w) * v for wj, v in zip(w, V))
    return out


def attention_einsum(Q, K, V):
    from scipy.special import softmax

    scores = np.einsum("...qd,...kd->...qk", Q, K) / np.sqrt(np.shape(Q)[-1])
    return np.einsum("...qk,...kv->...qv", softmax(scores, axis=-1), V).astype(np.float32)


ALTERNATIVES = {"scaled_dot_product_attention": [attention_loops, attention_einsum]}
WRONG = {
    "scaled_dot_product_attention": [
        (lambda Q, K, V: attention_einsum(Q, K, V)[..., :1], "wrong_shape"),
        (lambda Q, K, V: attention_einsum(Q, K, 2 * np.asarray(V, float)), "wrong_value"),
    ]
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_weights_are_a_distribution_over_the_keys_and_pick_the_matching_key():
    K = 10 * np.eye(4)
    w = attention.attention_weights(K[[2]], K)
    assert w.shape == (1, 4) and w.sum() == pytest.approx(1) and w.argmax() == 2 and w[0, 2] > 0.99
    V = np.arange(8.0).reshape(4, 2)
    assert np.allclose(attention.attention(K[[2]], K, V), V[2], atol=1e-3)
    X = np.random.default_rng(0).normal(size=(5, 3))
    I3 = np.eye(3)
    assert attention.self_attention(X, I3, I3, I3).shape == (5, 3)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: attention.attention(np.zeros((2, 3)), np.zeros((4, 5)), np.zeros((4, 2))), "same d"),
        (lambda: attention.attention(np.zeros((2, 3)), np.zeros((4, 3)), np.zeros((5, 2))), "n_k = 4"),
        (
            lambda: attention.self_attention(np.zeros((2, 3)), np.zeros((4, 3)), np.eye(3), np.eye(3)),
            r"Wq must have shape \(3, d\)",
        ),
    ],
)
def test_bad_shapes_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_one_head_matches_keras_multi_head_attention():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    layer = keras.layers.MultiHeadAttention(num_heads=1, key_dim=8)
    query, value = rng.normal(size=(3, 2, 6)).astype("float32"), rng.normal(size=(3, 5, 6)).astype("float32")
    out, scores = layer(query, value, return_attention_scores=True)
    mine, weights = attention.one_head_like_keras(layer.get_weights(), query, value)
    np.testing.assert_allclose(mine, np.asarray(out), atol=1e-5)
    np.testing.assert_allclose(weights, np.asarray(scores)[:, 0], atol=1e-6)
    np.testing.assert_allclose(
        attention.attention(query, value, value),
        np.asarray(keras.ops.dot_product_attention(query[:, :, None], value[:, :, None], value[:, :, None]))[:, :, 0],
        atol=1e-5,
    )
