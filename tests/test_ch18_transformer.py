"""Chapter 18, section "The transformer": the exercises' checks accept correct answers and reject wrong ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import checks
from tests.exercise_helpers import assert_exercise


def layer_norm_loops(X, gamma, beta, eps=1e-3):
    X = np.asarray(X, float)
    flat = X.reshape(-1, X.shape[-1])
    out = np.empty_like(flat)
    for r, row in enumerate(flat):
        m = sum(row) / len(row)
        v = sum((x - m) ** 2 for x in row) / len(row)
        out[r] = [(x - m) / math.sqrt(v + eps) * g + b for x, g, b in zip(row, gamma, beta)]
    return out.reshape(X.shape)


def layer_norm_float32(X, gamma, beta, eps=1e-3):
    X = np.asarray(X, np.float32)
    mean, var = X.mean(-1, keepdims=True), X.var(-1, keepdims=True)
    return ((X - mean) * (1.0 / np.sqrt(var + np.float32(eps))) * gamma + beta).astype(np.float32)


def positional_encoding_loops(length, d_model):
    P = np.zeros((length, d_model))
    for t in range(length):
        for i in range(d_model // 2):
            angle = t / 10000 ** (2 * i / d_model)
            P[t, 2 * i], P[t, 2 * i + 1] = math.sin(angle), math.cos(angle)
    return P


def positional_encoding_exp_log(length, d_model):
    # 1/10000^(2i/d) written as exp(-2i·ln(10000)/d), as some implementations do
    freq = np.exp(-np.arange(0, d_model, 2) * math.log(10000.0) / d_model)
    angles = np.outer(np.arange(length), freq)
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(length, d_model)


def causal_attention_loops(Q, K, V):
    Q, K, V = (np.asarray(a, float) for a in (Q, K, V))
    if Q.ndim > 2:
        return np.stack([causal_attention_loops(q, k, v) for q, k, v in zip(Q, K, V)])
    out = np.zeros((len(Q), V.shape[-1]))
    for t in range(len(Q)):
        scores = [float(Q[t] @ K[s]) / math.sqrt(Q.shape[-1]) for s in range(t + 1)]
        top = max(scores)
        w = [math.exp(x - top) for x in scores]
        out[t] = sum(wj / sum(w) * V[s] for s, wj in enumerate(w))
    return out


def causal_attention_big_negative(Q, K, V):
    # the mask as a large negative number added to the scores, as Keras does
    from scipy.special import softmax

    T = np.shape(Q)[-2]
    scores = np.einsum("...td,...sd->...ts", Q, K) / np.sqrt(np.shape(Q)[-1])
    scores = scores + np.triu(np.full((T, T), -1e9), k=1)
    return np.einsum("...ts,...sv->...tv", softmax(scores, axis=-1), V)


ALTERNATIVES = {
    "layer_norm": [layer_norm_loops, layer_norm_float32],
    "positional_encoding": [positional_encoding_loops, positional_encoding_exp_log],
    "causal_attention": [causal_attention_loops, causal_attention_big_negative],
}
WRONG = {
    "layer_norm": [
        (lambda X, g, b, eps=1e-3: layer_norm_loops(X, g, b, eps)[..., :1], "wrong_shape"),
        (lambda X, g, b, eps=1e-3: layer_norm_loops(X, g, np.zeros_like(b), eps), "wrong_value"),  # beta forgotten
    ],
    "positional_encoding": [
        (lambda n, d: positional_encoding_loops(n, d).T, "wrong_shape"),
        (lambda n, d: positional_encoding_loops(n + 1, d)[1:], "wrong_value"),  # positions counted from 1
    ],
    "causal_attention": [
        (lambda Q, K, V: causal_attention_loops(Q, K, V)[..., :1], "wrong_shape"),
        (lambda Q, K, V: causal_attention_loops(Q, K, V)[..., ::-1, :], "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", ["layer_norm", "positional_encoding", "causal_attention"])
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_the_cases_cover_what_the_issue_asks():
    labels = {i: " | ".join(c.label for c in checks.get(i).make_cases()) for i in ALTERNATIVES}
    assert (
        "3-D" in labels["layer_norm"] and "4-D float32" in labels["layer_norm"] and "eps = 0.5" in labels["layer_norm"]
    )
    assert "gamma ≠ 1, beta ≠ 0" in labels["layer_norm"]
    assert "large scores" in labels["causal_attention"] and "4-D float32" in labels["causal_attention"]
    for case in checks.get("causal_attention").make_cases():
        if case.label == "large scores":
            Q, K, _ = case.args
            assert (Q @ K.T)[np.tril(np.ones((5, 5), bool))].max() / 2 > 710  # np.exp overflows without the max
