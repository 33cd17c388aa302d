"""Attention: each query takes a weighted average of values, weighted by how well it matches each key.

Defined in: Chapter 18, "Where neural networks go next".

With queries ``Q`` (n_q, d), keys ``K`` (n_k, d) and values ``V`` (n_k, d_v),
scaled dot-product attention (Vaswani et al., 2017) is

    weights = softmax(Q Kᵀ / √d)   (each row sums to 1)
    output  = weights V            (n_q, d_v)

Leading batch axes are allowed: ``Q`` (…, n_q, d) and so on.  Self-attention
computes ``Q``, ``K`` and ``V`` from the same sequence ``X`` with three weight
matrices.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array


def _check(Q, K, V=None):
    Q, K = as_float_array(Q, "Q"), as_float_array(K, "K")
    if Q.ndim < 2 or K.ndim != Q.ndim or Q.shape[-1] != K.shape[-1] or Q.shape[:-2] != K.shape[:-2]:
        raise ValueError(
            f"Q must have shape (..., n_q, d) and K (..., n_k, d) with the same d and batch axes, got {Q.shape} and {K.shape}"
        )
    if V is None:
        return Q, K
    V = as_float_array(V, "V")
    if V.ndim != K.ndim or V.shape[:-1] != K.shape[:-1]:
        raise ValueError(f"V must have shape (..., n_k, d_v) with n_k = {K.shape[-2]} like K, got {V.shape}")
    return Q, K, V


def attention_weights(Q, K) -> np.ndarray:
    """softmax(Q Kᵀ / √d) along the keys: shape (…, n_q, n_k), each row sums to 1.

    Defined in: Chapter 18, "Where neural networks go next".
    """
    Q, K = _check(Q, K)
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    scores = scores - scores.max(axis=-1, keepdims=True)  # stable: the largest exponent is e^0
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def attention(Q, K, V) -> np.ndarray:
    """Scaled dot-product attention: ``attention_weights(Q, K) @ V``, shape (…, n_q, d_v).

    Defined in: Chapter 18, "Where neural networks go next".
    """
    Q, K, V = _check(Q, K, V)
    return attention_weights(Q, K) @ V


def self_attention(X, Wq, Wk, Wv) -> np.ndarray:
    """Attention of a sequence ``X`` (…, n, d_model) to itself: ``attention(X Wq, X Wk, X Wv)``.

    Defined in: Chapter 18, "Where neural networks go next".
    """
    X = as_float_array(X, "X")
    for name, W in (("Wq", Wq), ("Wk", Wk), ("Wv", Wv)):
        W = np.asarray(W)
        if W.ndim != 2 or W.shape[0] != X.shape[-1]:
            raise ValueError(f"{name} must have shape ({X.shape[-1]}, d), got {W.shape}")
    return attention(X @ Wq, X @ Wk, X @ Wv)


def one_head_like_keras(weights, query, value) -> tuple[np.ndarray, np.ndarray]:
    """``(output, attention weights)`` of a one-head ``keras.layers.MultiHeadAttention`` from its ``get_weights()``.

    Defined in: Chapter 18, "Where neural networks go next".

    The layer projects the queries, keys (from ``value``) and values with a
    weight matrix and a bias each, attends, and projects the result back:
    the same computation as :func:`attention`, between four dense layers.
    """
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = (np.asarray(w, np.float64) for w in weights)
    if Wq.ndim != 3 or Wq.shape[1] != 1:
        raise ValueError(
            f"expected the 8 weights of a MultiHeadAttention layer with num_heads=1, got query kernel {Wq.shape}"
        )
    q = np.asarray(query, np.float64) @ Wq[:, 0] + bq[0]
    k = np.asarray(value, np.float64) @ Wk[:, 0] + bk[0]
    v = np.asarray(value, np.float64) @ Wv[:, 0] + bv[0]
    weights_ = attention_weights(q, k)
    return (weights_ @ v) @ Wo[0] + bo, weights_


__all__ = ["attention", "attention_weights", "one_head_like_keras", "self_attention"]
