"""Data problems a network cannot fix by itself: duplicates, wrong labels, skewed classes.

Defined in: Chapter 17, "Challenges and limitations".

Each function here is plain numpy over a data set ``X`` (one sample per row,
any number of feature axes) and its integer labels ``y``.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole
from course_lib.metrics import as_labels


def _rows(X, name: str = "X") -> np.ndarray:
    A = as_float_array(X, name)
    if A.ndim < 1 or A.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample (one per row), got shape {A.shape}")
    return A.reshape(A.shape[0], -1)


def find_duplicates(X) -> list[np.ndarray]:
    """Groups of identical samples: a list of index arrays (each of two or more indices, in increasing order).

    Defined in: Chapter 17, "Challenges and limitations".
    """
    rows = _rows(X)
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    groups = [np.flatnonzero(inverse == g) for g in np.flatnonzero(counts > 1)]
    return sorted(groups, key=lambda g: g[0])


def shared_samples(X_train, X_test) -> np.ndarray:
    """Indices of the test samples that also appear, exactly, in the training set (a leak).

    Defined in: Chapter 17, "Challenges and limitations".
    """
    A, B = _rows(X_train, "X_train"), _rows(X_test, "X_test")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"X_test must have {A.shape[1]} features per sample like X_train, got {B.shape[1]}")
    seen = {row.tobytes() for row in np.ascontiguousarray(A)}
    return np.array([i for i, row in enumerate(np.ascontiguousarray(B)) if row.tobytes() in seen], dtype=int)


def flip_labels(y, fraction: float, n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(noisy_y, flipped)``: a copy of ``y`` with ``fraction`` of the labels changed to another class at random.

    Defined in: Chapter 17, "Challenges and limitations".
    """
    labels = as_labels(y, "y")
    k = check_whole(n_classes, "n_classes", minimum=2)
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    flipped = np.zeros(len(labels), bool)
    flipped[rng.choice(len(labels), int(round(fraction * len(labels))), replace=False)] = True
    noisy = labels.copy()
    noisy[flipped] = (labels[flipped] + rng.integers(1, k, flipped.sum())) % k  # always a different class
    return noisy, flipped


def label_issues(probs, y) -> np.ndarray:
    """Sample indices ordered from the most to the least suspicious label.

    Defined in: Chapter 17, "Challenges and limitations".

    ``probs`` are *out-of-fold* class probabilities ``(m, n_classes)`` — each
    sample's from a model that did not train on it (cross-validation) — and a
    label is suspicious when that model gives it a low probability.  This is the
    simplest form of "confident learning" (Northcutt et al., 2021).
    """
    P = as_float_array(probs, "probs", ndim=2)
    labels = as_labels(y, "y")
    if len(labels) != len(P) or labels.max(initial=0) >= P.shape[1]:
        raise ValueError(f"y must hold {len(P)} labels below {P.shape[1]} (one per row of probs)")
    return np.argsort(P[np.arange(len(P)), labels], kind="stable")


def class_weights(y, n_classes: int) -> np.ndarray:
    """Balanced class weights ``(n_classes,)``: w_c = m / (n_classes · m_c), so every class weighs the same in total.

    Defined in: Chapter 17, "Challenges and limitations".

    ``m`` is the number of samples and ``m_c`` the number in class ``c``; a
    class with no samples gets weight 0.  (scikit-learn's ``"balanced"``.)
    """
    labels = as_labels(y, "y")
    k = check_whole(n_classes, "n_classes", minimum=1)
    if len(labels) == 0 or labels.max() >= k:
        raise ValueError(f"y must be a non-empty array of labels 0 … {k - 1}")
    counts = np.bincount(labels, minlength=k).astype(float)
    return np.divide(len(labels), k * counts, out=np.zeros(k), where=counts > 0)


def oversample(X, y, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Repeat randomly chosen samples of every smaller class until each class has as many as the largest; shuffled.

    Defined in: Chapter 17, "Challenges and limitations".
    """
    A, labels = np.asarray(X), as_labels(y, "y")
    if len(A) != len(labels):
        raise ValueError(f"X and y must have the same number of samples, got {len(A)} and {len(labels)}")
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels)
    picks = [
        np.concatenate([idx, rng.choice(idx, counts.max() - len(idx))])
        for idx in (np.flatnonzero(labels == c) for c in range(len(counts)))
        if len(idx)
    ]
    order = rng.permutation(np.concatenate(picks))
    return A[order], labels[order]


def k_fold_splits(n: int, k: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``k`` pairs ``(train_indices, validation_indices)`` over samples 0 … n−1, in order, without shuffling.

    Defined in: Chapter 17, "Challenges and limitations".

    The validation folds are consecutive blocks that cover every sample once;
    when ``k`` does not divide ``n`` the first ``n % k`` folds have one sample
    more (as ``np.array_split`` and scikit-learn's ``KFold``).  Each training set
    is every other sample, in increasing order.  Shuffle the data first if its
    order means something.
    """
    n, k = check_whole(n, "n"), check_whole(k, "k", minimum=2)
    if k > n:
        raise ValueError(f"k must be at most the number of samples n = {n}, got {k}")
    everything = np.arange(n)
    return tuple((np.setdiff1d(everything, fold), fold) for fold in np.array_split(everything, k))


__all__ = [
    "class_weights",
    "find_duplicates",
    "flip_labels",
    "k_fold_splits",
    "label_issues",
    "oversample",
    "shared_samples",
]
