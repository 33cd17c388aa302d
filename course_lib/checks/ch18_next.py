"""Exercises of Chapter 18, "Where neural networks go next" (scaled dot-product attention)."""

from __future__ import annotations

import numpy as np

from course_lib import attention
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 18, "Where neural networks go next"'


def _large_scores(rng: np.random.Generator) -> tuple:
    """Q, K, V whose largest score Q·Kᵀ/√d overflows np.exp (> 710), redrawn until it does (the first draw mostly does)."""
    for _ in range(100):
        Q, K, V = 30 * rng.normal(size=(3, 4)), 30 * rng.normal(size=(3, 4)), rng.normal(size=(3, 2))
        if (Q @ K.T).max() / 2.0 > 710.0:
            break
    return Q, K, V


def _cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            (rng.normal(size=(2, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 5))),
            "2 queries, 3 keys, d = 4, d_v = 5",
        ),
        Case(
            (rng.normal(size=(1, 16)), rng.normal(size=(6, 16)), np.eye(6)), "one query, six keys, d = 16, V = identity"
        ),
        Case(_large_scores(rng), "large scores"),
        Case(
            (rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 3))),
            "a batch of two sequences",
        ),
    ]


def _variant(Q, K, V, *, unscaled=False, by_d=False, query_axis=False, unstable=False):
    Q, K, V = (np.asarray(a, float) for a in (Q, K, V))
    d = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2)
    scores = scores if unscaled else scores / (d if by_d else np.sqrt(d))
    axis = -2 if query_axis else -1
    if not unstable:
        scores = scores - scores.max(axis=axis, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(scores)
        return (e / e.sum(axis=axis, keepdims=True)) @ V


register(
    "scaled_dot_product_attention",
    chapter=CHAPTER,
    reference=attention.attention,
    cases=_cases,
    arg_names=("Q", "K", "V"),
    mistakes=[
        Mistake(
            "scores not scaled",
            lambda Q, K, V: _variant(Q, K, V, unscaled=True),
            "Divide the scores Q Kᵀ by √d (d = the length of a query) before the softmax.",
        ),
        Mistake(
            "scaled by d instead of √d",
            lambda Q, K, V: _variant(Q, K, V, by_d=True),
            "The scale is the SQUARE ROOT of d: np.sqrt(Q.shape[-1]).",
        ),
        Mistake(
            "softmax over the queries",
            lambda Q, K, V: _variant(Q, K, V, query_axis=True),
            "Each query's weights must sum to 1 over the KEYS: take the softmax along the last axis (axis=-1).",
        ),
        Mistake(
            "unstable softmax",
            lambda Q, K, V: _variant(Q, K, V, unstable=True),
            "Large scores overflow np.exp: subtract each row's maximum first, as in the stable softmax.",
        ),
    ],
)
