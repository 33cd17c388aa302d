"""Exercises of Chapter 17, "Challenges and limitations" (class weights, k-fold splits, FGSM, adversarial training)."""

from __future__ import annotations

import numpy as np

from course_lib import adversarial, data_quality
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 17, "Challenges and limitations"'


def _weight_cases(rng: np.random.Generator) -> list[Case]:
    skewed = np.where(rng.random(60) < 0.1, 1, 0)
    skewed[:2] = 1
    return [
        Case((np.array([0, 0, 0, 1]), 2), "three of class 0, one of class 1"),
        Case((skewed, 2), "60 labels, about 10 % positive"),
        Case((rng.integers(0, 3, 25), 3), "25 labels of three classes"),
        Case((np.array([0, 2, 2, 0, 2]), 3), "class 1 has no samples: its weight is 0"),
    ]


def _weights_variant(y, k, *, frequency=False, no_k=False, reciprocal=False, divide_by_zero=False):
    y = np.asarray(y)
    counts = np.bincount(y, minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if frequency:
            return counts / len(y)
        w = 1 / counts if reciprocal else len(y) / counts if no_k else len(y) / (k * counts)
    return w if divide_by_zero else np.where(counts > 0, w, 0.0)


register(
    "class_weights",
    chapter=CHAPTER,
    reference=data_quality.class_weights,
    cases=_weight_cases,
    arg_names=("y", "n_classes"),
    mistakes=[
        Mistake(
            "class frequencies instead of weights",
            lambda y, k: _weights_variant(y, k, frequency=True),
            "A rare class must weigh MORE: the weight is the inverse of the class's share, m / (n_classes · m_c).",
        ),
        Mistake(
            "n_classes left out",
            lambda y, k: _weights_variant(y, k, no_k=True),
            "Divide by n_classes too, so that a balanced data set gets weight 1 for every class.",
        ),
        Mistake(
            "one over the count",
            lambda y, k: _weights_variant(y, k, reciprocal=True),
            "Multiply by the number of samples m: w_c = m / (n_classes · m_c), so the weights average to about 1.",
        ),
        Mistake(
            "division by zero for an empty class",
            lambda y, k: _weights_variant(y, k, divide_by_zero=True),
            "A class with no samples must get weight 0, not inf: np.divide(..., where=counts > 0) helps.",
        ),
    ],
)


def _fold_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((6, 3), "6 samples, 3 folds"),
        Case((10, 3), "10 samples, 3 folds: the first fold has 4"),
        Case((7, 7), "leave-one-out: 7 folds of one sample"),
        Case((11, 4), "11 samples, 4 folds"),
        Case(_random_folds(rng, 3, 8), "random n and k (3 to 8 folds), k not dividing n"),
        Case(_random_folds(rng, 2, 12), "random n and k (2 to 12 folds), k not dividing n"),
    ]


def _random_folds(rng: np.random.Generator, k_min: int, k_max: int) -> tuple[int, int]:
    """``(n, k)`` with 2 to 7 samples per fold and a remainder 1 ≤ n % k < k, so the first folds get one sample more."""
    k = int(rng.integers(k_min, k_max + 1))
    return (k * int(rng.integers(2, 8)) + int(rng.integers(1, k)), k)


def _folds_variant(n, k, *, train_all=False, drop_rest=False, rest_last=False, one_fewer=False):
    idx = np.arange(n)
    if drop_rest:
        folds = [idx[i * (n // k) : (i + 1) * (n // k)] for i in range(k)]
    elif rest_last:
        size = n // k
        folds = [idx[i * size : (i + 1) * size] for i in range(k - 1)] + [idx[(k - 1) * size :]]
    else:
        folds = np.array_split(idx, k - 1 if one_fewer else k)
    return tuple((idx if train_all else np.setdiff1d(idx, f), f) for f in folds)


register(
    "k_fold_splits",
    chapter=CHAPTER,
    reference=data_quality.k_fold_splits,
    cases=_fold_cases,
    arg_names=("n", "k"),
    mistakes=[
        Mistake(
            "validation samples also in training",
            lambda n, k: _folds_variant(n, k, train_all=True),
            "A fold's validation samples must NOT be in its training set: train on every sample except the fold.",
        ),
        Mistake(
            "leftover samples never validated",
            lambda n, k: _folds_variant(n, k, drop_rest=True),
            "Every sample must be in exactly one validation fold; when k does not divide n, give the first n % k"
            " folds one sample more (np.array_split does this).",
        ),
        Mistake(
            "leftover samples all in the last fold",
            lambda n, k: _folds_variant(n, k, rest_last=True),
            "The extra samples go one each to the FIRST n % k folds (np.array_split), not all to the last fold.",
        ),
        Mistake(
            "k − 1 folds",
            lambda n, k: _folds_variant(n, k, one_fewer=True),
            "Make exactly k folds: check the range of your loop.",
        ),
    ],
)


def _fgsm_cases(rng: np.random.Generator) -> list[Case]:
    X, G = rng.uniform(0, 1, (3, 4, 4)), rng.normal(size=(3, 4, 4))
    X[:, 0, :2], G[:, 0, :2] = [0.98, 0.01], [1.0, -1.0]  # pixels pushed past 1 and below 0
    return [
        Case((np.array([0.5, 0.2, 0.9]), np.array([0.3, -2.0, 0.01]), 0.1), "three pixels"),
        Case((X, G, 0.05), "three 4×4 images"),
        Case(
            (np.array([0.02, 0.99, 0.5, 0.5]), np.array([-1.0, 1.0, 0.0, 5.0]), 0.1), "steps out of [0, 1] are clipped"
        ),
        Case((X[0], rng.normal(size=(4, 4)), 0.0), "ε = 0 changes nothing"),
    ]


def _fgsm_variant(X, grad, eps, *, descent=False, no_clip=False, raw_grad=False, wide_clip=False):
    X, g = np.asarray(X, float), np.asarray(grad, float)
    step = eps * (g if raw_grad else np.sign(g))
    out = X - step if descent else X + step
    if no_clip:
        return out
    return np.clip(out, -1, 1) if wide_clip else np.clip(out, 0, 1)


register(
    "fgsm",
    chapter=CHAPTER,
    reference=adversarial.fgsm,
    cases=_fgsm_cases,
    arg_names=("X", "grad", "epsilon"),
    mistakes=[
        Mistake(
            "a step down the loss",
            lambda X, g, e: _fgsm_variant(X, g, e, descent=True),
            "An attack wants the loss to GROW: add ε·sign(grad), don't subtract it (that is gradient descent).",
        ),
        Mistake(
            "the gradient instead of its sign",
            lambda X, g, e: _fgsm_variant(X, g, e, raw_grad=True),
            "FGSM moves every pixel by exactly ε: use np.sign(grad), not grad.",
        ),
        Mistake(
            "not clipped",
            lambda X, g, e: _fgsm_variant(X, g, e, no_clip=True),
            "Pixels must stay valid: np.clip the result to [0, 1].",
        ),
        Mistake(
            "clipped to [−1, 1]",
            lambda X, g, e: _fgsm_variant(X, g, e, wide_clip=True),
            "The images hold values in [0, 1], so clip to [0, 1].",
        ),
    ],
)


# --------------------------------------------------------------------------
# adversarial_training_step(W, b, X, y, epsilon, lr) -> (W_new, b_new)


def _adv_cases(rng: np.random.Generator) -> list[Case]:
    X = rng.uniform(0, 1, (5, 4))
    X[0, :2], X[1, 2:] = [0.0, 1.0], [1.0, 0.02]  # pixels at the ends of [0, 1]
    return [
        Case(
            (rng.normal(size=(4, 3)), rng.normal(size=3), X, np.array([0, 2, 1, 1, 0]), 0.1, 0.5),
            "5 images of 4 pixels, 3 classes",
        ),
        Case(
            (rng.normal(size=(6, 4)), rng.normal(size=4), rng.uniform(0, 1, (8, 6)), rng.integers(0, 4, 8), 0.25, 1.0),
            "8 images of 6 pixels, 4 classes, ε = 0.25",
        ),
        Case(
            (rng.normal(size=(3, 2)), np.zeros(2), rng.uniform(0, 1, (4, 3)), np.array([1, 0, 1, 1]), 0.0, 0.3),
            "ε = 0: one ordinary gradient step",
        ),
        Case(
            (
                0.1 * rng.normal(size=(9, 5)),
                rng.normal(size=5),
                rng.uniform(0, 1, (6, 9)),
                rng.integers(0, 5, 6),
                0.05,
                2.0,
            ),
            "6 images of 9 pixels, 5 classes, lr = 2",
        ),
    ]


def _ce_grads(W, b, X, y):
    Z = X @ W + b
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    D = (P - np.eye(W.shape[1])[y]) / len(X)
    return X.T @ D, D.sum(axis=0), D @ W.T


def _adv_variant(
    W, b, X, y, eps, lr, *, descent=False, after=False, no_clip=False, raw=False, only_adv=False, summed=False
):
    """The adversarial-training step, or one of its catalogued mistakes."""
    W, b, X, y = np.asarray(W, float), np.asarray(b, float), np.asarray(X, float), np.asarray(y)

    def attack(W, b):
        g = _ce_grads(W, b, X, y)[2]
        out = X + (-1 if descent else 1) * eps * (g if raw else np.sign(g))
        return out if no_clip else np.clip(out, 0, 1)

    if after:  # a clean step first, then the attack against the new parameters, then a second step
        dW, db, _ = _ce_grads(W, b, X, y)
        W, b = W - lr * dW / 2, b - lr * db / 2
        dW, db, _ = _ce_grads(W, b, attack(W, b), y)
        return W - lr * dW / 2, b - lr * db / 2
    dW_a, db_a, _ = _ce_grads(W, b, attack(W, b), y)
    if only_adv:
        return W - lr * dW_a, b - lr * db_a
    dW, db, _ = _ce_grads(W, b, X, y)
    half = 1.0 if summed else 0.5
    return W - lr * half * (dW + dW_a), b - lr * half * (db + db_a)


def _adv_mistake(**flag):
    return lambda W, b, X, y, e, lr: _adv_variant(W, b, X, y, e, lr, **flag)


register(
    "adversarial_training_step",
    chapter=CHAPTER,
    reference=adversarial.adversarial_training_step,
    cases=_adv_cases,
    arg_names=("W", "b", "X", "y", "epsilon", "lr"),
    atol=1e-6,
    mistakes=[
        Mistake(
            "the attack steps down the loss",
            _adv_mistake(descent=True),
            "The attack must make the loss LARGER: move each pixel by +ε·sign(∂L/∂X). Moving against the gradient"
            " makes the images easier, not harder.",
        ),
        Mistake(
            "the attack made after an update",
            _adv_mistake(after=True),
            "Make the FGSM images against the parameters you were given, before any update; then take ONE step,"
            " with both gradients computed at those same parameters.",
        ),
        Mistake(
            "not clipped",
            _adv_mistake(no_clip=True),
            "The attacked images must stay valid images: clip them to [0, 1] before computing their loss.",
        ),
        Mistake(
            "the gradient instead of its sign",
            _adv_mistake(raw=True),
            "FGSM moves every pixel by exactly ε: use the sign of ∂L/∂X, not ∂L/∂X itself.",
        ),
        Mistake(
            "only the adversarial loss",
            _adv_mistake(only_adv=True),
            "The step descends the MEAN of the clean loss and the adversarial loss, so the clean images still"
            " count: average the two gradients.",
        ),
        Mistake(
            "the sum of the two losses",
            _adv_mistake(summed=True),
            "Average the clean and the adversarial loss (½ each), don't add them: the sum doubles the step.",
        ),
    ],
)
