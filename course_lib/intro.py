"""Rules written by hand versus rules learned from data.

Defined in: Chapter 1, "What is deep learning?".

The chapter's running example asks one question of scikit-learn's 8×8
handwritten digits: *is this a zero?*  A person can write a rule for it
(a zero is a ring: little ink in the middle, ink left and right), a program can
learn a rule from labelled examples, and both can be scored the same way.
The "intelligent decision" loop (try a change, keep it if it is less bad,
repeat) is here too, as a plain function.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib._validation import as_float_array, check_positive


def load_zero_or_not(test_fraction: float = 0.3, seed: int = 0):
    """The 1,797 8×8 digits of scikit-learn, labelled 1.0 for a zero and 0.0 for any other digit.

    Defined in: Chapter 1, "What is deep learning?".

    Returns ``(X_train, X_test, y_train, y_test)``: ``X`` is ``(m, 64)``
    with the amount of ink from 0 (none, drawn white) to 16 (solid, drawn black), row by row; ``y`` is ``(m,)``.
    The split is stratified (both parts have the same share of zeros,
    about 10 %) and fixed by ``seed``.  The data ship inside scikit-learn,
    so nothing is downloaded.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    digits = load_digits()
    y = (digits.target == 0).astype(float)
    return train_test_split(digits.data, y, test_size=test_fraction, random_state=seed, stratify=y)


def _images(X) -> np.ndarray:
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != 64:
        raise ValueError(f"X must have shape (m, 64) (8×8 images, one per row), got {X.shape}")
    return X.reshape(-1, 8, 8)


def ring_features(X):
    """Mean ink (0 = none … 16 = solid) of the middle, the left side and the right side of each 8×8 digit.

    Defined in: Chapter 1, "What is deep learning?".

    Rows 2–5 of the image are used; the middle is columns 3–4, the left
    side columns 1–2 and the right side columns 5–6.  Returns an array of
    shape ``(m, 3)``: columns ``middle, left, right``, each 0..16.
    """
    images = _images(X)[:, 2:6, :]
    middle = images[:, :, 3:5].mean(axis=(1, 2))
    left = images[:, :, 1:3].mean(axis=(1, 2))
    right = images[:, :, 5:7].mean(axis=(1, 2))
    return np.column_stack([middle, left, right])


def hand_rule_is_zero(X, middle_below: float = 4.0, sides_above: float = 4.0):
    """A rule written by a person: "a zero is a ring: a light (ink-free) middle between two dark sides".

    Defined in: Chapter 1, "What is deep learning?".

    Data + algorithm = result: the thresholds were chosen by looking at a
    few pictures, not computed from the data.  Returns 1.0 for "zero" and
    0.0 otherwise, shape ``(m,)``.
    """
    middle, left, right = ring_features(X).T
    return ((middle < middle_below) & (left > sides_above) & (right > sides_above)).astype(float)


def hole_score(X):
    """How much more ink the sides of each digit hold than its middle (large for a zero).

    Defined in: Chapter 1, "What is deep learning?".

    ``(left + right) / 2 − middle`` from :func:`ring_features`, shape ``(m,)``.
    """
    middle, left, right = ring_features(X).T
    return (left + right) / 2 - middle


def _labels(y_true, n: int, name: str = "y_true") -> np.ndarray:
    y_true = as_float_array(y_true, name, ndim=1)
    if y_true.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},) to match the predictions, got {y_true.shape}")
    return y_true


def fraction_correct(y_pred, y_true) -> float:
    """The fraction of predictions equal to the true labels (a number from 0 to 1).

    Defined in: Chapter 1, "What is deep learning?".

    Parameters
    ----------
    y_pred, y_true : arrays of shape (m,)
        Predicted and true labels (0/1, or any class numbers).

    Returns
    -------
    float
        ``mean(y_pred == y_true)``.  Chapter 9 calls this *accuracy*.
    """
    y_pred = as_float_array(y_pred, "y_pred", ndim=1)
    if y_pred.size == 0:
        raise ValueError("y_pred must hold at least one prediction, got shape (0,)")
    y_true = _labels(y_true, y_pred.shape[0])
    return float(np.mean(y_pred == y_true))


def learn_threshold(scores, y) -> float:
    """Learn the rule "class 1 when score ≥ t" from labelled examples: the best t among the scores.

    Defined in: Chapter 1, "What is deep learning?".

    Data + result = algorithm: every observed score is tried as the
    threshold ``t``, the rule ``scores >= t`` is scored with
    :func:`fraction_correct` on the examples, and the ``t`` with the highest
    fraction correct wins (the smallest such ``t`` when several tie).

    Parameters
    ----------
    scores : array of shape (m,)
        One number per example (for instance :func:`hole_score`).
    y : array of shape (m,)
        The true labels, 0 or 1.

    Returns
    -------
    float
        The learned threshold, one of the values in ``scores``.
    """
    scores = as_float_array(scores, "scores", ndim=1)
    if scores.size == 0:
        raise ValueError("scores must hold at least one example, got shape (0,)")
    y = _labels(y, scores.shape[0], "y")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold only 0 and 1")
    candidates = np.unique(scores)  # sorted, so argmax's first maximum is the smallest t
    predictions = scores[None, :] >= candidates[:, None]  # (n_candidates, m)
    fractions = np.mean(predictions == (y == 1)[None, :], axis=1)
    return float(candidates[np.argmax(fractions)])


def improve_by_trial(loss: Callable, start, step: float = 0.5, n_trials: int = 200, seed: int = 0):
    """The "intelligent decision" loop: try a random change, keep it if it is less bad, repeat.

    Defined in: Chapter 1, "What is deep learning?".

    Starting from ``start`` (an array of parameters), each trial adds
    Gaussian noise of scale ``step`` to the best parameters so far and
    evaluates ``loss`` (a function of the parameters returning a number,
    lower is better).  The candidate replaces the best only if its loss is
    strictly lower.  This is *random search*, the crudest learning
    algorithm; gradient descent (chapter 7) replaces the random guess by the
    direction that is known to go downhill.

    Returns
    -------
    best : array, same shape as ``start``
        The least bad parameters found (``start`` itself is not changed).
    history : array of shape (n_trials + 1,)
        The best loss after 0, 1, ..., ``n_trials`` trials (never increases).
    """
    best = as_float_array(start, "start").copy()
    step = check_positive(step, "step")
    if isinstance(n_trials, bool) or not isinstance(n_trials, (int, np.integer)) or n_trials < 0:
        raise ValueError(f"n_trials must be a whole number >= 0, got {n_trials!r}")
    rng = np.random.default_rng(seed)
    best_loss = float(loss(best))
    history = [best_loss]
    for _ in range(n_trials):
        candidate = best + step * rng.normal(size=best.shape)
        candidate_loss = float(loss(candidate))
        if candidate_loss < best_loss:  # keep the new action only if it is less bad
            best, best_loss = candidate, candidate_loss
        history.append(best_loss)
    return best, np.array(history)


def cluster_purity(clusters, labels) -> float:
    """The share of examples whose label is the most common label of their cluster.

    Defined in: Chapter 1, "What is deep learning?".

    Scores a clustering, found *without* the labels, against them afterwards: 1.0 when every cluster holds
    a single label, and about the share of the most common label when the clusters are random.  It rewards
    many small clusters (one per example scores 1.0), so compare clusterings with the same number of
    clusters.  ``clusters`` and ``labels`` are arrays of shape ``(m,)`` of whole numbers.
    """
    clusters = as_float_array(clusters, "clusters", ndim=1)
    if clusters.size == 0:
        raise ValueError("clusters must hold at least one example, got shape (0,)")
    labels = _labels(labels, clusters.shape[0], "labels")
    majority = 0
    for cluster in np.unique(clusters):
        _, counts = np.unique(labels[clusters == cluster], return_counts=True)
        majority += counts.max()
    return float(majority / clusters.size)


__all__ = [
    "cluster_purity",
    "fraction_correct",
    "hand_rule_is_zero",
    "hole_score",
    "improve_by_trial",
    "learn_threshold",
    "load_zero_or_not",
    "ring_features",
]
