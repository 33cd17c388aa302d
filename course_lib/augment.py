"""Data augmentation for images: new training examples from old ones by small shifts, crops and mirroring.

Defined in: Chapter 11, "Convolutional networks".

A digit moved by a pixel or two is still the same digit, so shifted copies
are free, correctly labelled training data.  Keras does the same with its
preprocessing layers (``RandomTranslation``, ``RandomFlip``, ...); this is
the numpy version the from-scratch CNN uses.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole


def random_shift(images, max_shift: int = 2, seed: int = 0) -> np.ndarray:
    """Move each image of ``(m, H, W, C)`` by a random whole number of pixels in [−max_shift, max_shift] along each axis.

    Defined in: Chapter 11, "Convolutional networks".

    Pixels shifted in from outside the frame are 0 (the background of
    MNIST-style digits).  Returns a new array; ``images`` is not modified.
    """
    X = as_float_array(images, "images", ndim=4)
    s = check_whole(max_shift, "max_shift", minimum=0)
    m, H, W, _ = X.shape
    if s >= min(H, W):
        raise ValueError(f"max_shift must be smaller than the image size {H}×{W}, got {s}")
    rng = np.random.default_rng(check_whole(seed, "seed", minimum=0))
    dy, dx = rng.integers(-s, s + 1, size=(2, m))
    padded = np.pad(X, ((0, 0), (s, s), (s, s), (0, 0)))
    rows = (s - dy)[:, None] + np.arange(H)  # output row r reads padded row r + s - dy
    cols = (s - dx)[:, None] + np.arange(W)
    return padded[np.arange(m)[:, None, None], rows[:, :, None], cols[:, None, :]]


def random_crop_flip(images, size: int, seed: int = 0) -> np.ndarray:
    """A random ``size × size`` crop of each image of ``(m, H, W, C)``, mirrored left–right half of the time.

    Defined in: Chapter 15, "Image recognition" (the numpy twin of Keras'
    ``RandomCrop`` followed by ``RandomFlip("horizontal")``).
    """
    X = as_float_array(images, "images", ndim=4)
    size = check_whole(size, "size")
    m, H, W, _ = X.shape
    if size > min(H, W):
        raise ValueError(f"size must fit inside the images ({H}×{W}), got {size}")
    rng = np.random.default_rng(check_whole(seed, "seed", minimum=0))
    top, left = rng.integers(0, H - size + 1, m), rng.integers(0, W - size + 1, m)
    rows, cols = top[:, None] + np.arange(size), left[:, None] + np.arange(size)
    out = X[np.arange(m)[:, None, None], rows[:, :, None], cols[:, None, :]]
    flip = rng.random(m) < 0.5
    out[flip] = out[flip, :, ::-1]
    return out


__all__ = ["random_crop_flip", "random_shift"]
