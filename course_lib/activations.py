"""Activation functions and their derivatives, in numerically stable forms.

Defined in: Chapter 4, "Activation functions".

Every function works elementwise on any shape (``softmax`` along the last
axis) and stays finite, without warnings, for ``|z|`` up to 1e4 and beyond.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive
from course_lib.neuron import sigmoid as _sigmoid


def _float_or_array(out: np.ndarray):
    return float(out) if out.ndim == 0 else out


def step(z):
    """Threshold (Heaviside) activation: 1.0 where z ≥ 0, else 0.0.

    Defined in: Chapter 3, "The perceptron".
    """
    z = as_float_array(z, "z")
    return _float_or_array(np.where(z >= 0, 1.0, 0.0))


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), squashing any number into (0, 1); stable for large ``|z|``.

    Defined in: Chapter 4, "Activation functions".
    """
    return _sigmoid(as_float_array(z, "z"))


def sigmoid_derivative(z):
    """σ'(z) = σ(z)·(1 − σ(z)); at most 0.25, and near 0 where σ saturates.

    Defined in: Chapter 4, "Activation functions".
    """
    s = np.asarray(sigmoid(z))
    return _float_or_array(s * (1.0 - s))


def tanh(z):
    """Hyperbolic tangent, outputs in (−1, 1); equals 2σ(2z) − 1.

    Defined in: Chapter 4, "Activation functions".
    """
    return _float_or_array(np.tanh(as_float_array(z, "z")))


def tanh_derivative(z):
    """tanh'(z) = 1 − tanh(z)².

    Defined in: Chapter 4, "Activation functions".
    """
    t = np.tanh(as_float_array(z, "z"))
    return _float_or_array(1.0 - t * t)


def relu(z):
    """ReLU(z) = max(0, z): zero for negative inputs, the input itself otherwise — unbounded above.

    Defined in: Chapter 4, "Activation functions".  (The course notes
    describe a function clipped at 1; that is :func:`clipped_relu`, a
    different function.)
    """
    z = as_float_array(z, "z")
    return _float_or_array(np.maximum(z, 0.0))


def relu_derivative(z):
    """ReLU'(z): 1.0 for z > 0, 0.0 for z ≤ 0 (we take 0 at the kink, as TensorFlow does).

    Defined in: Chapter 4, "Activation functions".
    """
    z = as_float_array(z, "z")
    return _float_or_array(np.where(z > 0, 1.0, 0.0))


def _check_max_value(max_value) -> float:
    return check_positive(max_value, "max_value")


def clipped_relu(z, max_value: float = 1.0):
    """min(max(0, z), max_value): the "capped" function the notes mistake for ReLU.

    Defined in: Chapter 4, "Activation functions".  With ``max_value=6`` this
    is ReLU6.
    """
    z = as_float_array(z, "z")
    return _float_or_array(np.clip(z, 0.0, _check_max_value(max_value)))


def clipped_relu_derivative(z, max_value: float = 1.0):
    """Derivative of :func:`clipped_relu`: 1.0 for 0 < z < max_value, else 0.0.

    Defined in: Chapter 4, "Activation functions".  Unlike ReLU's, this
    gradient also vanishes for large inputs — the price of the cap.
    """
    z = as_float_array(z, "z")
    return _float_or_array(np.where((z > 0) & (z < _check_max_value(max_value)), 1.0, 0.0))


def softmax(z, temperature: float = 1.0):
    """Softmax along the last axis: exp(z / T) / sum(exp(z / T)), rows sum to 1.

    Defined in: Chapter 4, "Activation functions".  Subtracting each row's
    maximum first changes nothing mathematically but keeps exp() from
    overflowing.

    Parameters
    ----------
    z : array of shape (k,), (m, k) or (m, t, k)
        Scores ("logits"); each slice along the last axis is one distribution.
    temperature : float, default 1.0
        T > 0.  Small T sharpens the distribution towards the largest score
        (T → 0 gives one-hot), large T flattens it towards uniform.
    """
    z = as_float_array(z, "z", ndim=(1, 2, 3))
    z = z / check_positive(temperature, "temperature")
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def sigmoid_chain_gradient(x: float, w: float, layers: int) -> float:
    """d(output)/d(input) of ``layers`` sigmoid units in a row, each computing a ← σ(w·a − w/2), at input ``x``.

    Defined in: Chapter 4, "Activation functions".

    The chain rule multiplies one factor per unit: the slope σ'(z) at that
    unit's own weighted sum z = w·a − w/2, *times the weight* w the signal came
    through.  So a forward pass first (to know every z), then the product.
    """
    for name, value in (("x", x), ("w", w)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if isinstance(layers, bool) or not isinstance(layers, (int, np.integer)) or layers < 1:
        raise ValueError(f"layers must be a whole number >= 1, got {layers!r}")
    a, gradient = float(x), 1.0
    for _ in range(int(layers)):
        z = w * a - w / 2
        s = float(_sigmoid(np.asarray(z)))
        gradient *= w * s * (1.0 - s)
        a = s
    return gradient


# --------------------------------------------------------------------------
# The same formulas without per-call checks, for training loops that validated
# their data once (course_lib.model's Dense layer uses these).


def _sigmoid_unchecked(Z: np.ndarray) -> np.ndarray:
    # σ(z) = (1 + tanh(z / 2)) / 2: stable for any z and keeps the dtype (float32 stays float32).
    return 0.5 * (1.0 + np.tanh(0.5 * Z))


def _softmax_unchecked(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    E /= E.sum(axis=-1, keepdims=True)
    return E


def _softmax_backward(dA: np.ndarray, A: np.ndarray) -> np.ndarray:
    # The softmax Jacobian applied to dA, row by row.
    return A * (dA - np.sum(dA * A, axis=-1, keepdims=True))


#: Keras' activation names → (forward ``A = f(Z)``, backward ``dZ = g(dA, Z, A)``).
#: Tests compare every entry with the checked functions above.
FORMULAS = {
    "linear": (lambda Z: Z, lambda dA, Z, A: dA),
    "relu": (lambda Z: np.maximum(Z, 0), lambda dA, Z, A: dA * (Z > 0)),
    "sigmoid": (_sigmoid_unchecked, lambda dA, Z, A: dA * A * (1.0 - A)),
    "tanh": (np.tanh, lambda dA, Z, A: dA * (1.0 - A * A)),
    "softmax": (_softmax_unchecked, lambda dA, Z, A: _softmax_backward(dA, A)),
}


#: The four class scores shown by :func:`draw_softmax_temperature`.
DEMO_LOGITS = (2.0, 1.0, 0.1, -1.0)
