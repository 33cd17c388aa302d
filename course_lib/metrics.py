"""How good is a classifier? Accuracy, the confusion matrix and pictures of both.

Defined in: Chapter 9, "Training a network end to end".

Only numpy is imported at the top; the plotting functions import matplotlib
when they are called.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from course_lib.datasets import check_labels

CHAPTER = 'Chapter 9, "Training a network end to end"'


def as_labels(y, name: str) -> np.ndarray:
    """Class labels from labels ``(m,)`` or ``(m, 1)``, or from scores/probabilities ``(m, k)``.

    Rows of ``k > 1`` scores give their arg-max.  A single column ``(m, 1)``
    holds labels when its entries are whole numbers (``[[3], [7]]``, as Keras
    users often shape them) and probabilities of class 1 otherwise
    (thresholded at 0.5).
    """
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.dtype.kind in "iuf":
        if arr.shape[1] > 1:
            return arr.argmax(axis=1).astype(np.int64)
        column = arr[:, 0]
        if arr.dtype.kind in "iu" or np.all(column == np.round(column)):
            return check_labels(column, name)
        if not np.all((column >= 0) & (column <= 1)):
            raise ValueError(f"{name} of shape (m, 1) must hold class labels or probabilities in [0, 1]")
        return (column > 0.5).astype(np.int64)
    return check_labels(arr, name)


def accuracy(y_true, y_pred) -> float:
    """The fraction of samples whose predicted class equals the true class (a float in [0, 1]).

    Defined in: Chapter 9, "Training a network end to end".

    Parameters
    ----------
    y_true : array of shape (m,)
        Integer class labels (or one-hot rows ``(m, k)``).
    y_pred : array of shape (m,)
        Predicted labels, or class probabilities ``(m, k)`` whose arg-max is
        taken per row (a single column ``(m, 1)`` is thresholded at 0.5).
    """
    t, p = as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_pred must have shape ({t.shape[0]},) like y_true, got {p.shape}")
    if t.size == 0:
        raise ValueError("accuracy of zero samples is undefined; y_true is empty")
    return float(np.mean(t == p))


def count_correct(A: np.ndarray, Y: np.ndarray) -> tuple[int, int]:
    """``(correct, total)``: how many of a model's predictions ``A`` match the targets ``Y`` (same shape), of how many.

    Defined in: Chapter 9, "Training a network end to end".

    What ``Sequential`` reports as ``accuracy``, as Keras picks it: with
    ``k > 1`` outputs each prediction is the arg-max over the last axis
    (categorical accuracy), with one output it is ``A > 0.5`` (binary
    accuracy).  There is one prediction per sample, or per sample and time
    step when ``A`` is ``(m, T, k)``.  Unchecked: ``fit`` calls it on every batch.
    """
    hits = (A.argmax(axis=-1) == Y.argmax(axis=-1)) if A.shape[-1] > 1 else ((A > 0.5) == (Y > 0.5))
    return int(np.count_nonzero(hits)), hits.size


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j`` (int64, ``(k, k)``).

    Defined in: Chapter 9, "Training a network end to end".

    Rows are the true classes and columns the predictions, as in
    ``sklearn.metrics.confusion_matrix``: the diagonal holds the correct
    answers, ``C.sum()`` is the number of samples and
    ``np.trace(C) / C.sum()`` is the accuracy.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, Integral) or num_classes < 1:
        raise ValueError(f"num_classes must be a whole number >= 1, got {num_classes!r}")
    t, p = as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_pred must have shape ({t.shape[0]},) like y_true, got {p.shape}")
    for name, arr in (("y_true", t), ("y_pred", p)):
        if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
            raise ValueError(f"{name} must hold labels 0 .. {num_classes - 1}, got {arr.min()} .. {arr.max()}")
    # Each (true, predicted) pair gets one number t*k + p; counting those numbers counts the pairs.
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


def precision_recall(y_true, y_pred) -> np.ndarray:
    """``[precision, recall]`` of the positive class (1) for 0/1 labels and 0/1 predictions.

    Defined in: Chapter 16, "More applications".

    Precision: of the samples flagged 1, the share that are truly 1.
    Recall: of the truly-1 samples, the share that were flagged.  A
    precision with nothing flagged, or a recall with no true positives in
    the data, is 0/0 and reported as 0 (scikit-learn's ``zero_division=0``).
    """
    t, p = as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_pred must have shape ({t.shape[0]},) like y_true, got {p.shape}")
    if t.size and (max(t.max(), p.max()) > 1):
        raise ValueError("precision and recall take binary labels: y_true and y_pred must hold only 0 and 1")
    tp = float(np.sum((t == 1) & (p == 1)))
    flagged, positives = float(np.sum(p == 1)), float(np.sum(t == 1))
    return np.array([tp / flagged if flagged else 0.0, tp / positives if positives else 0.0])


__all__ = [
    "accuracy",
    "confusion_matrix",
    "count_correct",
    "precision_recall",
]
