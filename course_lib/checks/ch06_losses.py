"""Exercises of Chapter 6, "Loss functions".

Every loss takes ``(y_true, y_pred)`` in Keras' order and returns ONE number
(a Python or numpy float).  Probabilities of exactly 0 and 1 appear in the
cases: an unclipped ``log`` turns them into ``nan`` and the check reports
``non_finite``.  The confidently-wrong cases use probabilities that are
small but not 0, so any clipping epsilon up to Keras' 1e-7 passes.
"""

from __future__ import annotations

import numpy as np

from course_lib import losses as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 6, "Loss functions"'
_EPS = 1e-12


def _clip(p):
    return np.clip(p, _EPS, 1.0 - _EPS)


# --------------------------------------------------------------------------
# mse


def _mse_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([1.0, 0.0, 2.0, 3.0]), np.array([1.5, -0.5, 2.0, 4.0])), "4 predictions"),
        Case((rng.normal(size=(5, 3)), rng.normal(size=(5, 3))), "a batch of 5 samples, 3 outputs each"),
        Case((np.array([2.0]), np.array([-1.0])), "a single prediction"),
        Case((np.arange(6.0), np.arange(6.0)), "perfect predictions (loss 0)"),
        Case((rng.uniform(0, 1, size=(8, 1)), rng.uniform(0, 1, size=(8, 1))), "8 samples, shape (8, 1)"),
    ]


register(
    "mse",
    chapter=CHAPTER,
    reference=ref.mse,
    cases=_mse_cases,
    arg_names=("y_true", "y_pred"),
    mistakes=[
        Mistake(
            "sum instead of mean",
            lambda t, p: np.sum((p - t) ** 2),
            "Average the squared errors (np.mean), don't add them up: the cost must not grow with the batch size.",
        ),
        Mistake(
            "no square",
            lambda t, p: np.mean(p - t),
            "Square each error before averaging; otherwise positive and negative errors cancel out.",
        ),
        Mistake(
            "absolute error",
            lambda t, p: np.mean(np.abs(p - t)),
            "That is the mean ABSOLUTE error; the mean SQUARED error squares each difference.",
        ),
        Mistake(
            "root of the mean",
            lambda t, p: np.sqrt(np.mean((p - t) ** 2)),
            "That is the RMSE; the MSE has no square root.",
        ),
        Mistake(
            "half MSE",
            lambda t, p: 0.5 * np.mean((p - t) ** 2),
            "Some books put a 1/2 in front to simplify the derivative; this MSE (like Keras') has none.",
        ),
        Mistake(
            "mean over axis 0 only",
            lambda t, p: np.mean((p - t) ** 2, axis=0),
            "Return one number: average over ALL elements (np.mean with no axis), not per column.",
        ),
    ],
)


# --------------------------------------------------------------------------
# binary_cross_entropy


def _bce_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.9, 0.2, 0.6, 0.4])), "4 predictions"),
        Case((rng.integers(0, 2, size=10).astype(float), rng.uniform(0.05, 0.95, size=10)), "10 random predictions"),
        Case((np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.7])), "confident AND correct: p exactly 1 and 0"),
        Case((np.array([1.0, 0.0]), np.array([1e-4, 0.2])), "confidently wrong (p = 1e-4 for y = 1)"),
        Case((rng.integers(0, 2, size=(4, 3)).astype(float), rng.uniform(0.05, 0.95, size=(4, 3))), "4 samples, 3 labels each"),
        Case((np.array([0.0, 1.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.3, 0.8])), "more exact 0s and 1s"),
    ]  # fmt: skip


register(
    "binary_cross_entropy",
    chapter=CHAPTER,
    reference=ref.binary_cross_entropy,
    cases=_bce_cases,
    arg_names=("y_true", "y_pred"),
    mistakes=[
        Mistake(
            "no minus sign",
            lambda t, p: np.mean(t * np.log(_clip(p)) + (1 - t) * np.log(1 - _clip(p))),
            "Logs of probabilities are negative: put a minus sign in front so the loss is positive.",
        ),
        Mistake(
            "sum instead of mean",
            lambda t, p: -np.sum(t * np.log(_clip(p)) + (1 - t) * np.log(1 - _clip(p))),
            "Average over the samples (np.mean) instead of adding the losses up.",
        ),
        Mistake(
            "only the y = 1 term",
            lambda t, p: -np.mean(t * np.log(_clip(p))),
            "Add the term for y = 0 as well: −[y·log(p) + (1 − y)·log(1 − p)].",
        ),
        Mistake(
            "forgot (1 - y)",
            lambda t, p: -np.mean(t * np.log(_clip(p)) + np.log(1 - _clip(p))),
            "The second log is weighted by (1 − y), so it only counts for samples whose label is 0.",
        ),
        Mistake(
            "swapped arguments",
            lambda t, p: -np.mean(p * np.log(_clip(t)) + (1 - p) * np.log(1 - _clip(t))),
            "The arguments are (y_true, y_pred), in that order: take the log of the PREDICTIONS.",
        ),
        Mistake(
            "no clipping",
            lambda t, p: -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)),
            "At p = 0 or 1 a log(0) = −inf appears and 0·(−inf) is nan. Clip first:"
            " p = np.clip(y_pred, 1e-12, 1 - 1e-12).",
        ),
    ],
)


# --------------------------------------------------------------------------
# categorical_cross_entropy


def _onehot(labels, k):
    return np.eye(k)[labels]


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _cce_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            (_onehot([0, 2, 1, 2, 0], 3), np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.5, 0.25, 0.25]])),
            "5 samples, 3 classes",
        ),
        Case((_onehot(rng.integers(0, 10, size=6), 10), _softmax(rng.normal(size=(6, 10)))), "6 samples, 10 classes"),
        Case((_onehot([1, 2], 4), np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.5, 0.5, 0.0]])), "exact zeros for the wrong classes"),
        Case((_onehot([0], 2), np.array([[0.9, 0.1]])), "one sample, two classes"),
        Case((_onehot([0, 1, 2], 3), np.array([[1e-4, 0.5, 0.5 - 1e-4], [0.3, 0.4, 0.3], [0.2, 0.2, 0.6]])), "a near-zero probability for the true class"),
    ]  # fmt: skip


register(
    "categorical_cross_entropy",
    chapter=CHAPTER,
    reference=ref.categorical_cross_entropy,
    cases=_cce_cases,
    arg_names=("y_true_onehot", "probs"),
    mistakes=[
        Mistake(
            "mean over classes too",
            lambda t, p: -np.mean(t * np.log(np.clip(p, _EPS, 1.0))),
            "Sum over the classes first (axis=-1), then average over the samples: np.mean(np.sum(..., axis=-1))."
            " np.mean over everything also divides by the number of classes.",
        ),
        Mistake(
            "sum instead of mean",
            lambda t, p: -np.sum(t * np.log(np.clip(p, _EPS, 1.0))),
            "After summing over the classes, AVERAGE over the samples instead of adding them up.",
        ),
        Mistake(
            "no minus sign",
            lambda t, p: np.mean(np.sum(t * np.log(np.clip(p, _EPS, 1.0)), axis=-1)),
            "Logs of probabilities are negative: put a minus sign in front so the loss is positive.",
        ),
        Mistake(
            "swapped arguments",
            lambda t, p: -np.mean(np.sum(p * np.log(np.clip(t, _EPS, 1.0)), axis=-1)),
            "The arguments are (y_true_onehot, probs): take the log of the PROBABILITIES, weighted by the one-hot labels.",
        ),
        Mistake(
            "no clipping",
            lambda t, p: -np.mean(np.sum(t * np.log(p), axis=-1)),
            "A probability of exactly 0 gives log(0) = −inf, and 0·(−inf) = nan even where the label is 0."
            " Clip first: np.clip(probs, 1e-12, 1.0).",
        ),
        Mistake(
            "averaged over axis 0",
            lambda t, p: -np.mean(np.sum(t * np.log(np.clip(p, _EPS, 1.0)), axis=0)),
            "Sum over the classes (the last axis, axis=-1) — each ROW is one sample.",
        ),
    ],
)


# --------------------------------------------------------------------------
# hinge


def _hinge_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([1.0, -1.0, 1.0, -1.0]), np.array([2.0, -0.5, 0.3, 0.8])), "4 scores"),
        Case((rng.choice([-1.0, 1.0], size=9), rng.normal(scale=2.0, size=9)), "9 random scores"),
        Case((np.array([1.0, -1.0]), np.array([3.0, -4.0])), "both beyond the margin (loss 0)"),
        Case((rng.choice([-1.0, 1.0], size=(3, 2)), rng.normal(size=(3, 2))), "3 samples, 2 outputs each"),
    ]


register(
    "hinge",
    chapter=CHAPTER,
    reference=ref.hinge,
    cases=_hinge_cases,
    arg_names=("y_true", "y_pred"),
    mistakes=[
        Mistake(
            "no max with 0",
            lambda t, p: np.mean(1.0 - t * p),
            "Samples beyond the margin (y·ŷ ≥ 1) cost nothing: use np.maximum(0, 1 − y·ŷ).",
        ),
        Mistake(
            "no margin",
            lambda t, p: np.mean(np.maximum(0.0, -t * p)),
            "The hinge asks for a margin: it is max(0, 1 − y·ŷ), with the 1.",
        ),
        Mistake(
            "sum instead of mean",
            lambda t, p: np.sum(np.maximum(0.0, 1.0 - t * p)),
            "Average over the samples (np.mean) instead of adding up.",
        ),
        Mistake(
            "squared hinge",
            lambda t, p: np.mean(np.maximum(0.0, 1.0 - t * p) ** 2),
            "That is the squared hinge; the plain hinge is not squared.",
        ),
        Mistake(
            "max instead of maximum",
            lambda t, p: np.mean(np.max([0.0, *(1.0 - t * p).ravel()])),
            "np.max takes the largest value of ONE array; np.maximum(0, a) compares elementwise.",
        ),
    ],
)


# --------------------------------------------------------------------------
# binary_cross_entropy_from_logits


def _logit_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([1.0, 0.0, 1.0, 0.0]), np.array([2.0, -1.0, -0.5, 0.3])), "4 moderate logits"),
        Case((rng.integers(0, 2, size=8).astype(float), rng.normal(scale=3.0, size=8)), "8 random logits"),
        Case((np.array([1.0, 0.0, 1.0, 0.0]), np.array([50.0, -50.0, -50.0, 50.0])), "|z| = 50: saturated sigmoids"),
        Case((np.array([1.0, 0.0, 0.0, 1.0]), np.array([1e4, -1e4, 1e4, -1e4])), "huge logits (|z| = 1e4)"),
        Case((rng.integers(0, 2, size=(3, 2)).astype(float), rng.normal(size=(3, 2))), "3 samples, 2 labels each"),
    ]


def _log_sigmoid_naive(z):
    return -np.log1p(np.exp(-z))


register(
    "binary_cross_entropy_from_logits",
    chapter=CHAPTER,
    reference=ref.binary_cross_entropy_from_logits,
    cases=_logit_cases,
    arg_names=("y_true", "logits"),
    mistakes=[
        Mistake(
            "sigmoid then clipped log",
            lambda t, z: (
                -np.mean(t * np.log(_clip(1 / (1 + np.exp(-z)))) + (1 - t) * np.log(1 - _clip(1 / (1 + np.exp(-z)))))
            ),
            "Going through σ(z) and clipping caps the loss at about 27.6; from the logits the loss of a"
            " confident mistake is its true size. Use max(z, 0) − y·z + log(1 + e^(−|z|)).",
        ),
        Mistake(
            "sigmoid then log",
            lambda t, z: -np.mean(t * np.log(1 / (1 + np.exp(-z))) + (1 - t) * np.log(1 - 1 / (1 + np.exp(-z)))),
            "σ(z) rounds to exactly 0 or 1 for large |z|, and log(0) = −inf. Work from the logits:"
            " max(z, 0) − y·z + log(1 + e^(−|z|)).",
        ),
        Mistake(
            "log1p(exp(-z)) unguarded",
            lambda t, z: np.mean(np.log1p(np.exp(-z)) + (1 - t) * z),
            "Right formula, unstable form: e^(−z) overflows to inf for z = −1e4. Use |z| inside the exp:"
            " max(z, 0) − y·z + log(1 + e^(−|z|)).",
        ),
        Mistake(
            "forgot max(z, 0)",
            lambda t, z: np.mean(-t * z + np.log1p(np.exp(-np.abs(z)))),
            "log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)): keep the max(z, 0) term.",
        ),
        Mistake(
            "sign of y·z",
            lambda t, z: np.mean(np.maximum(z, 0) + t * z + np.log1p(np.exp(-np.abs(z)))),
            "The label term is − y·z: a large positive logit should make the loss SMALL when y = 1.",
        ),
    ],
)


# categorical_cross_entropy_from_logits: a multi-step exercise (the log-sum-exp trick)


def _cce_logits_cases(rng: np.random.Generator) -> list[Case]:
    onehot = np.eye(4)[[0, 3, 1, 1, 2]]
    return [
        Case((onehot, rng.normal(size=(5, 4))), "ordinary logits"),
        Case((np.eye(3)[[0, 2]], np.array([[50.0, 0.0, -50.0], [50.0, 0.0, -50.0]])), "a confident mistake"),
        Case((np.eye(3)[[0, 2]], np.array([[1e4, 0.0, -1e4], [2.0, 1.0, 1e4]])), "logits of ±10⁴"),
        Case((np.eye(2)[[1]], np.array([[-1e4, -1e4 + 1.0]])), "every logit very negative"),
        Case((np.full((2, 3), 1 / 3), rng.normal(size=(2, 3))), "soft labels"),
    ]


def _cce_naive(t, z):
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    return float(np.mean(-np.sum(t * np.log(p), axis=-1)))


def _logsumexp(z):
    mx = z.max(-1, keepdims=True)
    return mx + np.log(np.exp(z - mx).sum(-1, keepdims=True))


register(
    "categorical_cross_entropy_from_logits",
    chapter=CHAPTER,
    reference=ref.categorical_cross_entropy_from_logits,
    cases=_cce_logits_cases,
    arg_names=("y_true_onehot", "logits"),
    mistakes=[
        Mistake(
            "softmax then log, no shift",
            _cce_naive,
            "exp(1e4) overflows: subtract each row's largest logit before exponentiating (the log-sum-exp trick).",
        ),
        Mistake(
            "log-sum-exp forgotten",
            lambda t, z: float(np.mean(-np.sum(t * z, axis=-1))),
            "log softmax(z)_k is z_k minus the log-sum-exp of the row, not z_k alone.",
        ),
        Mistake(
            "sum over samples",
            lambda t, z: float(np.sum(-np.sum(t * (z - _logsumexp(z)), axis=-1))),
            "Average over the samples (rows) rather than summing them.",
        ),
        Mistake(
            "max subtracted but not added back",
            lambda t, z: float(
                np.mean(-np.sum(t * (z - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True))), axis=-1))
            ),
            "After log Σ exp(z − max), add the max back: log Σ exp(z) = max + log Σ exp(z − max).",
        ),
    ],
)
