"""One artificial neuron: weighted sum, bias and activation.

Defined in: Chapter 2, "From biological to artificial neurons".

Shapes are batch-first like Keras: one sample ``x`` is ``(n,)``, a batch
``X`` is ``(m, n)``; the weights ``w`` of a single neuron are ``(n,)`` and
the bias ``b`` is a number.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from course_lib._validation import as_float_array


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
    z = np.asarray(z, dtype=float)
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
