"""One artificial neuron: weighted sum, bias and activation.

Defined in: Chapter 2, "From biological to artificial neurons".

Shapes are batch-first like Keras: one sample ``x`` is ``(n,)``, a batch
``X`` is ``(m, n)``; the weights ``w`` of a single neuron are ``(n,)`` and
the bias ``b`` is a number.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from course_lib._validation import as_float_array, check_shape


def _check_inputs(x, w, b) -> tuple[np.ndarray, np.ndarray, float]:
    x = as_float_array(x, "x", ndim=(1, 2))
    w = as_float_array(w, "w", ndim=1)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(
            f"x must have {w.shape[0]} features to match w of shape {w.shape}: "
            f"expected shape ({w.shape[0]},) or (m, {w.shape[0]}), got {x.shape}"
        )
    if isinstance(b, bool) or not isinstance(b, (Real, np.number)) or np.ndim(b) != 0:
        raise ValueError(f"b must be a single number, got {b!r}")
    return x, w, float(b)


def weighted_sum(x, w, b):
    """Return z = w·x + b for one sample ``(n,)`` or each row of a batch ``(m, n)``.

    Defined in: Chapter 2, "From biological to artificial neurons".

    The weighted sum is what a neuron's cell body "adds up": each input is
    multiplied by how strongly it is connected (its weight) and the bias
    shifts the result.  Returns a float for one sample, an ``(m,)`` array for
    a batch.
    """
    x, w, b = _check_inputs(x, w, b)
    z = x @ w + b
    return float(z) if np.ndim(z) == 0 else z


def sigmoid(z):
    """The logistic function 1 / (1 + e^(−z)), computed without overflow.

    Defined in: Chapter 2, "From biological to artificial neurons" (studied
    in depth in Chapter 4, "Activation functions").
    """
    z = as_float_array(z, "z")
    # For z < 0 use e^z / (1 + e^z): the same value, but e^z cannot overflow.
    e = np.exp(-np.abs(z))
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(out) if out.ndim == 0 else out


def neuron(x, w, b):
    """Return sigmoid(w·x + b): the output of a sigmoid neuron.

    Defined in: Chapter 2, "From biological to artificial neurons".
    """
    return sigmoid(weighted_sum(x, w, b))


def decision_boundary(w, b, x1):
    """The x2 values on the line w1·x1 + w2·x2 + b = 0, for plotting a 2-input neuron.

    Defined in: Chapter 2, "From biological to artificial neurons".

    Points on this line give z = 0, where a sigmoid neuron outputs exactly
    0.5.  Returns ``None`` when ``w2`` is 0 (the boundary is then vertical,
    at x1 = −b / w1).
    """
    w = as_float_array(w, "w", ndim=1)
    if w.shape != (2,):
        raise ValueError(f"w must have shape (2,) for a two-input neuron, got {w.shape}")
    x1 = as_float_array(x1, "x1", ndim=1)
    if w[1] == 0:
        return None
    return -(w[0] * x1 + float(b)) / w[1]


def neuron_layer(x, W, b):
    """Return sigmoid(x @ W + b): the outputs of k sigmoid neurons that share the same inputs.

    Defined in: Chapter 2, "From biological to artificial neurons".

    Parameters
    ----------
    x : array of shape (n,) or (m, n)
        One sample, or a batch of m samples, with n inputs each.
    W : array of shape (n, k)
        Column j holds the n weights of neuron j.
    b : array of shape (k,)
        One bias per neuron.

    Returns
    -------
    array of shape (k,) for one sample, (m, k) for a batch
        Entry ``[i, j]`` is neuron j's output on sample i.  Each column is
        exactly :func:`neuron` with that neuron's weights: putting the
        weight vectors side by side in a matrix lets one ``@`` compute them
        all at once (chapter 5 builds whole layers this way).
    """
    x = as_float_array(x, "x", ndim=(1, 2))
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    n, k = W.shape
    if x.shape[-1] != n:
        raise ValueError(
            f"x must have {n} features to match W of shape {W.shape}: expected shape ({n},) or (m, {n}), got {x.shape}"
        )
    check_shape(b, "b", (k,))
    return sigmoid(x @ W + b)


def neuron_accuracy(X, y, w, b) -> float:
    """The fraction of samples a sigmoid neuron classifies correctly, reading an output ≥ 0.5 as class 1.

    Defined in: Chapter 2, "From biological to artificial neurons".

    Four steps: the weighted sums of the batch ``X (m, n)``, the sigmoid, the
    threshold at 0.5 (an output of exactly 0.5, on the boundary, counts as
    class 1) and the comparison with the labels ``y (m,)`` of 0s and 1s.
    """
    out = neuron(X, w, b)
    out = np.atleast_1d(out)
    y = as_float_array(y, "y", ndim=1)
    check_shape(y, "y", out.shape)
    if not np.all(np.isin(y, (0.0, 1.0))):
        raise ValueError("y must hold labels 0 and 1")
    return float(np.mean((out >= 0.5) == (y == 1.0)))


def demo_points(m: int = 40, seed: int = 0):
    """A small 2-D data set for the neuron demo: two overlapping clouds labelled 0 and 1.

    Defined in: Chapter 2, "From biological to artificial neurons".

    Returns ``(X, y)`` with ``X`` of shape ``(m, 2)`` and ``y`` of shape
    ``(m,)`` (half of each class; ``m`` must be even).  The same seed
    gives the same points.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 2 or m % 2:
        raise ValueError(f"m must be an even number of points >= 2, got {m!r}")
    rng = np.random.default_rng(seed)
    half = m // 2
    X = np.vstack([rng.normal([-1.0, -0.8], 0.85, size=(half, 2)), rng.normal([1.0, 0.9], 0.85, size=(half, 2))])
    y = np.repeat([0.0, 1.0], half)
    return X, y
