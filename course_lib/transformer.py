"""A decoder-only transformer block in numpy: the pieces around one attention head.

Defined in: Chapter 18, section "The transformer".

Vaswani et al. (2017) built the transformer from scaled dot-product attention
(:mod:`course_lib.attention`) and four more pieces, each here in a few lines:

* :func:`positional_encoding` — sines and cosines of the position, added to
  the token embeddings, because attention itself ignores order;
* :func:`causal_attention` — attention in which position t sees only the
  positions 0, …, t, so that a model trained to predict the next token cannot
  read it;
* :func:`multi_head_attention` — several heads side by side, each with its own
  projections, concatenated and projected back (weights in the layout of
  ``keras.layers.MultiHeadAttention.get_weights()``);
* :func:`layer_norm` (Ba, Kiros & Hinton, 2016) and :func:`feed_forward`,
  joined by residual connections (He et al., 2016) in :func:`decoder_block`.

The block is "pre-norm", as in GPT-2 (Radford et al., 2019): each sub-layer
reads a layer-normalised copy of its input and adds its output to it,
``x + attention(norm(x))`` then ``x + feed_forward(norm(x))``.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array


def layer_norm(X, gamma, beta, eps: float = 1e-3) -> np.ndarray:
    """Normalise each vector along the last axis, then scale by ``gamma`` and shift by ``beta``.

    Defined in: Chapter 18, section "The transformer".

    ``(X − mean) / √(var + eps) · gamma + beta``, with the mean and the (biased,
    ddof = 0) variance of each row of the last axis, as
    ``keras.layers.LayerNormalization(epsilon=eps)``.  ``gamma`` and ``beta``
    have shape ``(C,)`` for ``X`` of shape ``(..., C)``.
    """
    X = as_float_array(X, "X")
    gamma, beta = as_float_array(gamma, "gamma"), as_float_array(beta, "beta")
    if X.ndim < 1 or gamma.shape != (X.shape[-1],) or beta.shape != (X.shape[-1],):
        raise ValueError(
            f"gamma and beta must have shape (C,) with C = the last axis of X; got X {X.shape}, "
            f"gamma {gamma.shape}, beta {beta.shape}"
        )
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    mean = X.mean(axis=-1, keepdims=True)
    var = ((X - mean) ** 2).mean(axis=-1, keepdims=True)
    return (X - mean) / np.sqrt(var + eps) * gamma + beta


def positional_encoding(length: int, d_model: int) -> np.ndarray:
    """The sinusoidal position code of Vaswani et al. (2017), shape ``(length, d_model)``.

    Defined in: Chapter 18, section "The transformer".

    ``P[t, 2i] = sin(t / 10000^(2i/d_model))`` and ``P[t, 2i+1] = cos(t / 10000^(2i/d_model))``.
    """
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    if isinstance(d_model, bool) or not isinstance(d_model, (int, np.integer)) or d_model < 2 or d_model % 2:
        raise ValueError(
            f"d_model must be a positive even integer (a sine and a cosine per frequency), got {d_model!r}"
        )
    t = np.arange(length)[:, None]
    two_i = np.arange(0, d_model, 2)[None, :]
    angles = t / 10000.0 ** (two_i / d_model)
    P = np.empty((length, d_model))
    P[:, 0::2], P[:, 1::2] = np.sin(angles), np.cos(angles)
    return P


def causal_mask(T: int) -> np.ndarray:
    """``mask[t, s]`` is True when position t may attend to position s, i.e. s ≤ t: shape ``(T, T)``.

    Defined in: Chapter 18, section "The transformer".
    """
    return np.tril(np.ones((T, T), dtype=bool))


def causal_attention_weights(Q, K) -> np.ndarray:
    """softmax over the keys of ``Q Kᵀ / √d``, with the future (s > t) masked out: shape ``(..., T, T)``.

    Defined in: Chapter 18, section "The transformer".
    """
    Q, K = as_float_array(Q, "Q"), as_float_array(K, "K")
    if Q.ndim < 2 or Q.shape != K.shape:
        raise ValueError(f"Q and K must have the same shape (..., T, d), got {Q.shape} and {K.shape}")
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    scores = np.where(causal_mask(Q.shape[-2]), scores, -np.inf)  # e^(-inf) = 0: no weight on the future
    scores = scores - scores.max(axis=-1, keepdims=True)  # stable; the diagonal is never masked, so the max is finite
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def causal_attention(Q, K, V) -> np.ndarray:
    """Scaled dot-product attention in which position t attends only to positions ≤ t.

    Defined in: Chapter 18, section "The transformer".

    ``Q``, ``K`` have shape ``(..., T, d)`` and ``V`` ``(..., T, d_v)``; the result
    has shape ``(..., T, d_v)``, as ``keras.ops.dot_product_attention(...,
    is_causal=True)`` (which takes its arrays as ``(batch, T, heads, d)``).
    """
    V = as_float_array(V, "V")
    weights = causal_attention_weights(Q, K)
    if V.shape[:-1] != weights.shape[:-1]:
        raise ValueError(f"V must have shape (..., T, d_v) with the batch axes and T of Q, got {V.shape}")
    return weights @ V


def multi_head_attention(X, weights, causal: bool = True) -> np.ndarray:
    """Self-attention of ``X`` (..., T, d_model) with several heads, from Keras' ``MultiHeadAttention`` weights.

    Defined in: Chapter 18, section "The transformer".

    ``weights`` is ``[Wq, bq, Wk, bk, Wv, bv, Wo, bo]`` as ``get_weights()``
    returns them: ``Wq`` of shape ``(d_model, heads, d_k)``, ``bq`` ``(heads, d_k)``
    (and the same for K and V), ``Wo`` ``(heads, d_k, d_model)``, ``bo`` ``(d_model,)``.
    Head h attends with its own ``Q_h = X Wq[:, h] + bq[h]``, ``K_h``, ``V_h``; the
    heads' outputs are concatenated and projected back to ``d_model``.
    """
    X = as_float_array(X, "X")
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = (np.asarray(w, np.float64) for w in weights)
    if Wq.ndim != 3 or Wq.shape[0] != X.shape[-1] or Wo.shape[:2] != Wq.shape[1:]:
        raise ValueError(f"expected Keras MultiHeadAttention weights for d_model = {X.shape[-1]}, got Wq {Wq.shape}")
    # (..., T, d_model) × (d_model, heads, d_k) → (..., heads, T, d_k): one attention per head
    Q, K, Vh = (
        np.moveaxis(np.einsum("...tm,mhk->...thk", X, W) + b, -2, -3) for W, b in ((Wq, bq), (Wk, bk), (Wv, bv))
    )
    if causal:
        heads = causal_attention(Q, K, Vh)
    else:
        from course_lib.attention import attention

        heads = attention(Q, K, Vh)
    return np.einsum("...htk,hkm->...tm", heads, Wo) + bo


def feed_forward(X, W1, b1, W2, b2) -> np.ndarray:
    """The position-wise feed-forward sub-layer: ``relu(X W1 + b1) W2 + b2``, the same dense layers at every position.

    Defined in: Chapter 18, section "The transformer".
    """
    X = as_float_array(X, "X")
    return np.maximum(X @ W1 + b1, 0.0) @ W2 + b2


def decoder_block(X, params: dict, eps: float = 1e-3) -> np.ndarray:
    """One pre-norm decoder block: ``X + MHA(LN₁(X))``, then ``+ FFN(LN₂(·))``, shape unchanged.

    Defined in: Chapter 18, section "The transformer".

    ``params`` holds ``ln1`` and ``ln2`` (each ``(gamma, beta)``), ``attention``
    (the 8 Keras ``MultiHeadAttention`` weights) and ``ffn`` (``W1, b1, W2, b2``).
    """
    X = as_float_array(X, "X")
    H = X + multi_head_attention(layer_norm(X, *params["ln1"], eps=eps), params["attention"], causal=True)
    return H + feed_forward(layer_norm(H, *params["ln2"], eps=eps), *params["ffn"])


__all__ = [
    "causal_attention",
    "causal_attention_weights",
    "causal_mask",
    "decoder_block",
    "feed_forward",
    "layer_norm",
    "multi_head_attention",
    "positional_encoding",
]
