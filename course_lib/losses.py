"""Loss functions: how wrong a prediction is, as one number.

Defined in: Chapter 6, "Loss functions".

Every loss takes ``(y_true, y_pred)`` in Keras' order, checks that the
shapes agree (no silent broadcasting) and returns a Python float averaged
over the samples.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_shape

EPSILON = 1e-12  # probabilities are clipped into [EPSILON, 1 - EPSILON] before log()


def _pair(y_true, y_pred, ndim=(1, 2)) -> tuple[np.ndarray, np.ndarray]:
    y_true = as_float_array(y_true, "y_true", ndim=ndim)
    y_pred = as_float_array(y_pred, "y_pred", ndim=ndim)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got y_true {y_true.shape} and y_pred {y_pred.shape}"
        )
    return y_true, y_pred


def _check_probabilities(y_true, y_pred, one_hot: bool = False) -> None:
    """Labels in [0, 1] (rows summing to 1 when ``one_hot``) and probabilities in [0, 1], or a ValueError.

    The common slip of passing ``(y_pred, y_true)`` is named when the
    "labels" look like probabilities and the "predictions" look like labels.
    """
    labels_ok = bool(np.all((y_true >= 0) & (y_true <= 1)))
    if one_hot and labels_ok:
        labels_ok = bool(np.allclose(y_true.sum(axis=-1), 1.0))
    probs_ok = bool(np.all((y_pred >= 0) & (y_pred <= 1)))
    hard_labels, hard_preds = np.all(np.isin(y_true, (0.0, 1.0))), np.all(np.isin(y_pred, (0.0, 1.0)))
    if probs_ok and hard_preds and not hard_labels:
        raise ValueError(
            "y_true looks like probabilities and y_pred like labels: the order is loss(y_true, y_pred),"
            " labels first (as in Keras)"
        )
    if not labels_ok:
        wanted = "one-hot rows (entries 0 or 1, each row summing to 1)" if one_hot else "labels 0 or 1"
        raise ValueError(f"y_true must hold {wanted}; got values from {y_true.min():g} to {y_true.max():g}")
    if not probs_ok:
        raise ValueError(
            f"y_pred must hold probabilities in [0, 1]; got values from {np.nanmin(y_pred):g} to"
            f" {np.nanmax(y_pred):g} (raw scores? use the *_from_logits loss)"
        )


def mse(y_true, y_pred) -> float:
    """Mean squared error, averaged over every element.

    Defined in: Chapter 6, "Loss functions".
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_pred - y_true) ** 2))


def binary_cross_entropy(y_true, y_pred) -> float:
    """Mean of −[y·log(p) + (1 − y)·log(1 − p)]; finite even when p is exactly 0 or 1.

    Defined in: Chapter 6, "Loss functions".  ``y_pred`` holds probabilities;
    they are clipped into [1e-12, 1 − 1e-12] so a confident mistake costs a
    large but finite amount.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    _check_probabilities(y_true, y_pred)
    p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return float(np.mean(-(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p))))


def categorical_cross_entropy(y_true_onehot, probs) -> float:
    """Mean over samples of −Σₖ yₖ·log(pₖ), for one-hot labels ``(m, K)`` and probabilities ``(m, K)``.

    Defined in: Chapter 6, "Loss functions".
    """
    y_true, probs = _pair(y_true_onehot, probs, ndim=2)
    _check_probabilities(y_true, probs, one_hot=True)
    p = np.clip(probs, EPSILON, 1.0)
    return float(np.mean(-np.sum(y_true * np.log(p), axis=-1)))


def hinge(y_true, y_pred) -> float:
    """Mean of max(0, 1 − y·ŷ) for labels y in {−1, +1} and raw scores ŷ.

    Defined in: Chapter 6, "Loss functions".  Labels given as {0, 1} are
    mapped to {−1, +1} first, as Keras does.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if np.all(np.isin(y_true, (0.0, 1.0))):
        y_true = 2.0 * y_true - 1.0
    if not np.all(np.isin(y_true, (-1.0, 1.0))):
        raise ValueError("hinge loss needs labels in {-1, +1} (or {0, 1})")
    return float(np.mean(np.maximum(0.0, 1.0 - y_true * y_pred)))


def cross_entropy_unclipped(y_true, y_pred) -> float:
    """Binary cross-entropy WITHOUT clipping — the textbook formula typed in directly. Do not use it.

    Defined in: Chapter 6, "Loss functions".

    It exists so the chapter can show what goes wrong: a prediction of
    exactly 0 or 1 makes ``log(0) = -inf`` appear, and ``0 · (-inf)`` is
    ``nan``, so the mean is ``inf`` or ``nan`` (with numpy warnings).
    :func:`binary_cross_entropy` is the fixed version.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(-(y_true * np.log(y_pred) + (1.0 - y_true) * np.log(1.0 - y_pred))))


def binary_cross_entropy_per_sample(y_true, y_pred) -> np.ndarray:
    """The binary cross-entropy of each sample (the *loss*); its mean is the *cost*.

    Defined in: Chapter 6, "Loss functions".  Same clipping as
    :func:`binary_cross_entropy`; returns an array shaped like ``y_true``.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    return -(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p))


def binary_cross_entropy_from_logits(y_true, logits) -> float:
    """Binary cross-entropy of σ(logits), computed from the logits directly; exact and stable for any ``|z|``.

    Defined in: Chapter 6, "Loss functions".

    Writing σ(z) into −[y·log σ(z) + (1 − y)·log(1 − σ(z))] and simplifying
    gives, for every z,

        max(z, 0) − y·z + log(1 + e^(−|z|)),

    which never takes the log of 0 and never exponentiates a positive
    number.  No clipping is needed, so a confident mistake (z = −1e4 for
    y = 1) costs its true value, 1e4.  Keras: ``BinaryCrossentropy(from_logits=True)``.
    """
    y_true, z = _pair(y_true, logits)
    if not np.all((y_true >= 0) & (y_true <= 1)):
        raise ValueError(f"y_true must hold labels 0 or 1; got values from {y_true.min():g} to {y_true.max():g}")
    return float(np.mean(_bce_from_logits(y_true, z)))


def _bce_from_logits(y, z: np.ndarray) -> np.ndarray:
    # max(z, 0) − y·z + log(1 + e^(−|z|)), elementwise, unchecked; keeps float32 float32.
    return np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))


def log_softmax(z) -> np.ndarray:
    """log(softmax(z)) along the last axis, via the log-sum-exp trick: z − max − log Σ e^(z − max).

    Defined in: Chapter 6, "Loss functions".
    """
    return _log_softmax(as_float_array(z, "z", ndim=(1, 2)))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    # Unchecked, along the last axis of any array (a batch of sequences too).
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def categorical_cross_entropy_from_logits(y_true_onehot, logits) -> float:
    """Categorical cross-entropy of softmax(logits), from the logits; stable for any size of logits.

    Defined in: Chapter 6, "Loss functions".

    −Σₖ yₖ·log softmax(z)ₖ with the log-softmax computed by the log-sum-exp
    trick (:func:`log_softmax`), averaged over the samples (rows).  Keras:
    ``CategoricalCrossentropy(from_logits=True)``.
    """
    y_true, z = _pair(y_true_onehot, logits, ndim=2)
    return float(np.mean(-np.sum(y_true * log_softmax(z), axis=-1)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    from course_lib.activations import sigmoid

    return np.asarray(sigmoid(z))


def mse_sigmoid_grad(y_true, z) -> np.ndarray:
    """d/dz of the squared error (σ(z) − y)² for each sample: 2·(σ(z) − y)·σ(z)·(1 − σ(z)).

    Defined in: Chapter 6, "Loss functions".

    The factor σ(z)(1 − σ(z)) is nearly 0 when the sigmoid saturates, so a
    *confidently wrong* prediction (y = 1, z = −10) gets almost no push
    towards the right answer.
    """
    y_true, z = _pair(y_true, z)
    p = _sigmoid(z)
    return 2.0 * (p - y_true) * p * (1.0 - p)


def bce_sigmoid_grad(y_true, z) -> np.ndarray:
    """d/dz of the binary cross-entropy of σ(z) for each sample: simply σ(z) − y.

    Defined in: Chapter 6, "Loss functions".

    The log in the cross-entropy cancels the sigmoid's flat tails: the more
    wrong the prediction, the larger the gradient (up to 1 in size).
    """
    y_true, z = _pair(y_true, z)
    return _sigmoid(z) - y_true


def softmax_cross_entropy_backward(probs, Y) -> np.ndarray:
    """∂L/∂Z of the mean categorical cross-entropy of a softmax output: ``(probs − Y) / m``.

    Defined in: Chapter 9, "Training a network end to end".

    ``probs`` ``(m, k)`` are the softmax outputs, ``Y`` ``(m, k)`` the one-hot
    targets.  The softmax Jacobian and the derivative of −log cancel so
    neatly that the whole output layer's error signal is "prediction minus
    target", averaged over the batch.  (The sigmoid with binary
    cross-entropy gives the same formula.)
    """
    probs = as_float_array(probs, "probs", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    check_shape(Y, "Y", probs.shape)
    return (probs - Y) / probs.shape[0]


# --------------------------------------------------------------------------
# The loss a model reports, computed as Keras computes it


def output_loss(loss: str, A: np.ndarray, Z: np.ndarray, Y: np.ndarray) -> float:
    """The mean ``loss`` of a model's outputs ``A`` (computed from the logits ``Z``) against targets ``Y``.

    Defined in: Chapter 9, "Training a network end to end".

    What ``Sequential.fit`` and ``evaluate`` report, exactly as Keras does.
    ``A``, ``Z`` and ``Y`` share one shape, ``(m, k)`` or ``(m, T, k)`` for
    sequences; the arrays are trusted (``fit`` calls this on every batch).

    * ``"categorical_crossentropy"`` (softmax output): −Σₖ yₖ·log softmax(z)ₖ
      for every prediction (one per sample, or per sample and time step),
      averaged over the predictions;
    * ``"binary_crossentropy"`` (sigmoid output): the cross-entropy of every
      output, averaged;
    * ``"mse"``: the squared error of every output, averaged (Keras averages
      over the last axis, then over the rest: the same number).

    The cross-entropies are computed from the logits, as Keras does when the
    output layer's activation is the matching softmax or sigmoid: a saturated
    output (σ(z) rounds to exactly 1) then costs its true value instead of
    the clipped −log(1e-7) ≈ 16.1 the probabilities alone would give.
    """
    if loss == "mse":
        return float(np.mean((A - Y) ** 2))
    if loss == "binary_crossentropy":
        return float(np.mean(_bce_from_logits(Y, Z)))
    return float(-np.sum(Y * _log_softmax(Z)) / (Y.size // Y.shape[-1]))
