"""Transfer learning helpers: photos read fast, features computed once, small label sets stretched to a fixed budget.

Defined in: Chapter 11, "Convolutional networks" (section "Transfer learning on the real photos").

numpy and Pillow only; nothing here imports TensorFlow.  The notebook passes
a Keras model's ``predict`` (or any function of a batch) to
:func:`extract_features`.
"""

from __future__ import annotations

import os
from numbers import Integral

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_shape, check_whole


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def load_photos(folder, side: int, classes=("cats", "dogs")):
    """Every JPEG under ``folder/<class>/`` as a ``side × side`` RGB array: ``(X, y)``.

    Defined in: Chapter 11, "Convolutional networks" (section "Transfer learning on the real photos").

    ``X`` is float32 in [0, 1] of shape ``(m, side, side, 3)``; ``y`` holds the
    index of each photo's class in ``classes`` (cats 0, dogs 1, as Keras'
    ``image_dataset_from_directory`` numbers the folders).  Files are read in
    sorted order.  Pillow's ``draft`` mode lets the JPEG decoder skip detail
    the small size will not keep, which makes reading several times faster
    than decoding at full size and then shrinking.
    """
    from PIL import Image

    side = _positive_int(side, "side")
    images, labels = [], []
    for label, name in enumerate(classes):
        directory = os.path.join(folder, name)
        for file in sorted(os.listdir(directory)):
            with Image.open(os.path.join(directory, file)) as photo:
                photo.draft("RGB", (side, side))
                photo = photo.convert("RGB").resize((side, side), Image.BILINEAR)
                images.append(np.asarray(photo, dtype=np.float32) / 255.0)
            labels.append(label)
    if not images:
        raise ValueError(f"no photos found under {folder!r} in the folders {tuple(classes)}")
    return np.stack(images), np.array(labels, dtype=np.int64)


def extract_features(predict, X, batch_size: int = 100) -> np.ndarray:
    """``predict`` applied to ``X`` batch by batch, the results stacked: compute once, train heads on the result.

    Defined in: Chapter 11, "Convolutional networks" (section "Transfer learning on the real photos").

    ``predict`` maps a batch ``(b, ...)`` to an array ``(b, ...)`` — e.g.
    ``lambda x: model.predict(x, verbose=0)``.  Batching bounds the memory a
    large network needs; the result is the same as one call on all of ``X``.
    """
    batch_size = _positive_int(batch_size, "batch_size")
    X = np.asarray(X)
    if len(X) == 0:
        raise ValueError("X must hold at least one example")
    parts = [np.asarray(predict(X[start : start + batch_size])) for start in range(0, len(X), batch_size)]
    for part, start in zip(parts, range(0, len(X), batch_size)):
        if len(part) != len(X[start : start + batch_size]):
            raise ValueError("predict must return one row per example of its batch")
    return np.concatenate(parts, axis=0)


def stretch_indices(n_labelled: int, n_samples: int, seed: int = 0) -> np.ndarray:
    """Indices ``0 … n_labelled-1`` in shuffled passes, ``n_samples`` of them: a fixed training budget for any set size.

    Defined in: Chapter 11, "Convolutional networks" (section "Transfer learning on the real photos").

    Each complete pass is a fresh permutation, so every example is seen equally
    often (up to one, in the last, partial pass).  Training on 50 or on 4,000
    labels then costs the same number of gradient steps.
    """
    n_labelled = _positive_int(n_labelled, "n_labelled")
    n_samples = _positive_int(n_samples, "n_samples")
    rng = np.random.default_rng(seed)
    passes = -(-n_samples // n_labelled)  # ceiling division
    return np.concatenate([rng.permutation(n_labelled) for _ in range(passes)])[:n_samples]


def most_confident_mistakes(p, y, k: int = 8) -> np.ndarray:
    """Indices of the ``k`` wrong predictions (``p > 0.5`` ≠ ``y``) that were most confident, most confident first.

    Defined in: Chapter 11, "Convolutional networks" (section "Transfer learning on the real photos").
    """
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y)
    if p.shape != y.shape:
        raise ValueError(f"p and y must have the same shape, got {p.shape} and {y.shape}")
    wrong = np.flatnonzero((p > 0.5) != (y == 1))
    order = np.argsort(-np.abs(p[wrong] - 0.5), kind="stable")
    return wrong[order][: max(0, int(k))]


def train_head(F, y, learning_rate: float, steps: int):
    """A logistic-regression head trained on cached features ``F`` by full-batch gradient descent: ``(w, b)``.

    Defined in: Chapter 11, "Convolutional networks" (section "Transfer learning on the real photos").

    ``F`` is ``(m, n)``: one row of frozen features per example; ``y`` holds
    labels 0 or 1.  Starting from ``w = 0``, ``b = 0``, each of the ``steps``
    steps computes ``p = σ(F w + b)`` and moves both against the gradient of the
    mean binary cross-entropy,
    ``w ← w − η Fᵀ(p − y) / m`` and ``b ← b − η · mean(p − y)``.
    Returns ``w`` of shape ``(n,)`` and ``b`` as a float.
    """
    F = as_float_array(F, "F", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    check_shape(y, "y", (F.shape[0],))
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold labels 0 or 1")
    learning_rate = check_positive(learning_rate, "learning_rate")
    steps = check_whole(steps, "steps", minimum=0)
    m, n = F.shape
    w, b = np.zeros(n), 0.0
    for _ in range(steps):
        p = 0.5 * (1.0 + np.tanh(0.5 * (F @ w + b)))  # σ(z), written so that it cannot overflow
        error = p - y
        w = w - learning_rate * (F.T @ error) / m
        b = b - learning_rate * float(error.mean())
    return w, b


__all__ = ["extract_features", "load_photos", "most_confident_mistakes", "stretch_indices", "train_head"]
