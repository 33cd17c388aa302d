"""Exercises of Chapter 18, section "The transformer" (layer norm, positional encoding, causal attention)."""

from __future__ import annotations

import numpy as np

from course_lib import transformer as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 18, section "The transformer"'


# --- layer_norm ------------------------------------------------------------------------------------------------


def _ln_cases(rng: np.random.Generator) -> list[Case]:
    def params(C):
        return 1 + 0.5 * rng.normal(size=C), rng.normal(size=C)

    return [
        Case((rng.normal(size=(4, 6)), np.ones(6), np.zeros(6), 1e-3), "4 vectors of 6, gamma = 1, beta = 0"),
        Case((3 + 2 * rng.normal(size=(2, 5, 8)), *params(8), 1e-3), "3-D (batch, T, C), gamma ≠ 1, beta ≠ 0"),
        Case(
            (rng.normal(size=(2, 3, 4, 5)).astype(np.float32), *(p.astype(np.float32) for p in params(5)), 1e-3),
            "4-D float32",
        ),
        Case((0.1 * rng.normal(size=(3, 4)), *params(4), 0.5), "small values and eps = 0.5: eps matters"),
        Case((rng.normal(size=(5, 3)), *params(3), 1e-5), "eps = 1e-5, three features"),
    ]


def _ln_variant(X, gamma, beta, eps=1e-3, *, axis=-1, ddof=0, eps_outside=False, fixed_eps=False):
    X = np.asarray(X, float)
    eps = 1e-3 if fixed_eps else eps
    axes = tuple(range(X.ndim - 1)) if axis == "batch" else axis
    mean = X.mean(axis=axes, keepdims=True)
    std = X.std(axis=axes, ddof=ddof, keepdims=True)
    scale = std + eps if eps_outside else np.sqrt(std**2 + eps)
    return (X - mean) / scale * gamma + beta


register(
    "layer_norm",
    chapter=CHAPTER,
    reference=ref.layer_norm,
    cases=_ln_cases,
    arg_names=("X", "gamma", "beta", "eps"),
    atol=1e-5,  # float32 inputs: answers good to about 1e-6
    mistakes=[
        Mistake(
            "normalised over the batch axes (batch norm)",
            lambda X, g, b, eps: _ln_variant(X, g, b, eps, axis="batch"),
            "Layer norm normalises each vector on its own: mean and variance along the LAST axis (axis=-1, "
            "keepdims=True), not over the examples as batch norm does.",
        ),
        Mistake(
            "variance with ddof = 1",
            lambda X, g, b, eps: _ln_variant(X, g, b, eps, ddof=1),
            "Use the plain (biased) variance, the mean of the squared deviations (ddof=0), as Keras does.",
        ),
        Mistake(
            "eps added outside the square root",
            lambda X, g, b, eps: _ln_variant(X, g, b, eps, eps_outside=True),
            "eps goes inside the square root: divide by √(variance + eps), not by (standard deviation + eps).",
        ),
        Mistake(
            "eps ignored",
            lambda X, g, b, eps: _ln_variant(X, g, b, eps, fixed_eps=True),
            "Use the eps you are given, not a fixed 1e-3.",
        ),
        Mistake(
            "gamma and beta swapped",
            lambda X, g, b, eps: _ln_variant(X, b, g, eps),
            "Multiply the normalised values by gamma (the scale) and then add beta (the shift).",
        ),
    ],
)


# --- positional_encoding ---------------------------------------------------------------------------------------


def _pe_cases(rng: np.random.Generator) -> list[Case]:
    length = int(rng.integers(20, 60))
    return [
        Case((4, 8), "4 positions, d_model = 8"),
        Case((1, 2), "one position, d_model = 2"),
        Case((length, 64), "a longer sequence, d_model = 64"),
        Case((10, 6), "d_model = 6 (not a power of two)"),
    ]


def _pe_variant(length, d_model, *, swap=False, exponent="2i", halves=False):
    t = np.arange(length)[:, None]
    i = np.arange(d_model // 2)[None, :]
    power = {"2i": 2 * i / d_model, "i": i / d_model, "index": None}[exponent]
    if power is None:  # each column j uses its own index: 10000^(j/d) for sin and cos alike
        j = np.arange(d_model)[None, :]
        angles = t / 10000.0 ** (j / d_model)
        return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))
    angles = t / 10000.0**power
    first, second = (np.cos(angles), np.sin(angles)) if swap else (np.sin(angles), np.cos(angles))
    if halves:
        return np.concatenate([first, second], axis=1)
    P = np.empty((length, d_model))
    P[:, 0::2], P[:, 1::2] = first, second
    return P


register(
    "positional_encoding",
    chapter=CHAPTER,
    reference=ref.positional_encoding,
    cases=_pe_cases,
    arg_names=("length", "d_model"),
    atol=1e-6,
    mistakes=[
        Mistake(
            "sin and cos swapped",
            lambda n, d: _pe_variant(n, d, swap=True),
            "Sine at the EVEN indices (0, 2, 4, …) and cosine at the odd ones: row 0 is 0, 1, 0, 1, ….",
        ),
        Mistake(
            "exponent i/d instead of 2i/d",
            lambda n, d: _pe_variant(n, d, exponent="i"),
            "Pair i (columns 2i and 2i+1) uses the frequency 1/10000^(2i/d_model): the exponent is 2i/d_model.",
        ),
        Mistake(
            "each column with its own frequency",
            lambda n, d: _pe_variant(n, d, exponent="index"),
            "Columns 2i and 2i+1 share one frequency, 1/10000^(2i/d_model); only sin versus cos differs.",
        ),
        Mistake(
            "sines and cosines in two halves",
            lambda n, d: _pe_variant(n, d, halves=True),
            "Interleave them: sine in columns 0, 2, 4, … and cosine in columns 1, 3, 5, …, not two halves.",
        ),
    ],
)


# --- causal_attention ------------------------------------------------------------------------------------------


def _large_scores(rng: np.random.Generator) -> tuple:
    """Q, K, V whose largest allowed score overflows np.exp (> 710), redrawn until it does."""
    for _ in range(100):
        Q, K, V = 30 * rng.normal(size=(5, 4)), 30 * rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
        if np.where(ref.causal_mask(5), Q @ K.T, -np.inf).max() / 2.0 > 710.0:
            break
    return Q, K, V


def _att_cases(rng: np.random.Generator) -> list[Case]:
    def qkv(shape, d_v):
        return rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=(*shape[:-1], d_v))

    return [
        Case(qkv((4, 3), 2), "T = 4, d = 3, d_v = 2"),
        Case(qkv((2, 5, 4), 3), "3-D: a batch of two sequences"),
        Case(tuple(a.astype(np.float32) for a in qkv((2, 3, 6, 4), 4)), "4-D float32 (batch, heads, T, d)"),
        Case(_large_scores(rng), "large scores"),
        Case(qkv((1, 8), 3), "T = 1: the only position sees itself"),
    ]


def _att_variant(Q, K, V, *, mask="causal", scaled=True, axis=-1, stable=True, mask_after=False):
    Q, K, V = (np.asarray(a, float) for a in (Q, K, V))
    T = Q.shape[-2]
    scores = Q @ np.swapaxes(K, -1, -2)
    if scaled:
        scores = scores / np.sqrt(Q.shape[-1])
    allowed = {
        "causal": np.tril(np.ones((T, T), bool)),
        "none": np.ones((T, T), bool),
        "upper": np.triu(np.ones((T, T), bool)),
    }[mask]
    if not mask_after:
        scores = np.where(allowed, scores, -np.inf)
    if stable:
        scores = scores - scores.max(axis=axis, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(scores)
        w = e / e.sum(axis=axis, keepdims=True)
    if mask_after:
        w = w * allowed
    return w @ V


register(
    "causal_attention",
    chapter=CHAPTER,
    reference=ref.causal_attention,
    cases=_att_cases,
    arg_names=("Q", "K", "V"),
    atol=1e-5,  # float32 inputs: answers good to about 1e-6
    mistakes=[
        Mistake(
            "no mask: the future is visible",
            lambda Q, K, V: _att_variant(Q, K, V, mask="none"),
            "Position t may attend only to positions s ≤ t: set the scores with s > t to -inf (or a very "
            "negative number) before the softmax.",
        ),
        Mistake(
            "mask the wrong way round",
            lambda Q, K, V: _att_variant(Q, K, V, mask="upper"),
            "The mask keeps the LOWER triangle (row t = query, column s = key, allowed when s ≤ t), not the upper one.",
        ),
        Mistake(
            "weights masked after the softmax",
            lambda Q, K, V: _att_variant(Q, K, V, mask_after=True),
            "Mask the scores BEFORE the softmax, so that each query's allowed weights still sum to 1.",
        ),
        Mistake(
            "scores not scaled",
            lambda Q, K, V: _att_variant(Q, K, V, scaled=False),
            "Divide the scores Q Kᵀ by √d (d = the length of a query) before the softmax.",
        ),
        Mistake(
            "softmax over the queries",
            lambda Q, K, V: _att_variant(Q, K, V, axis=-2),
            "Each query's weights must sum to 1 over the KEYS: take the softmax along the last axis (axis=-1).",
        ),
        Mistake(
            "unstable softmax",
            lambda Q, K, V: _att_variant(Q, K, V, stable=False),
            "Large scores overflow np.exp: subtract each row's largest allowed score first, as in the stable softmax.",
        ),
    ],
)
