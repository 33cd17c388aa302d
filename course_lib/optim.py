"""Gradient descent and the optimisers that train every network of the course.

Defined in: Chapter 7, "Gradient descent".

Parameters are kept the way a training loop keeps them: a dict that maps a
name (``"W1"``, ``"b1"``, ...) to a float numpy array, with a dict of
gradients of exactly the same keys and shapes.

* :func:`gradient_descent_step` is the update rule θ ← θ − η∇L written as a
  pure function: it returns a NEW dict and leaves its inputs alone.
* :class:`SGD` and :class:`Adam` carry the names, defaults and update
  formulas of Keras 3's ``keras.optimizers.SGD`` and ``keras.optimizers.Adam``
  (tested to agree to 1e-6 in float64).  Their ``apply(params, grads)``
  updates the arrays of ``params`` IN PLACE, which is what a training loop
  wants, and keeps its state (velocities, moments, step counts) per name.

Running them on loss surfaces and data is :mod:`course_lib.descent`; the
chapter's drawings are :mod:`course_lib.figures.ch07`.  This module imports
only numpy.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive

CHAPTER = 'Chapter 7, "Gradient descent"'


# --------------------------------------------------------------------------
# Validation shared by every update rule.


def _check_fraction(value, name: str) -> float:
    """``value`` as a float in [0, 1), or a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    if not (0.0 <= float(value) < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def _check_dicts(params, grads) -> None:
    """Raise a ValueError unless ``params`` and ``grads`` are dicts with equal keys and shapes."""
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict of arrays, got {type(params).__name__}")
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    if set(params) != set(grads):
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise ValueError(
            f"grads must have the same keys as params; missing in grads: {missing}, not in params: {extra}"
        )
    for key in params:
        p_shape = np.shape(params[key])
        g_shape = np.shape(grads[key])
        if p_shape != g_shape:
            raise ValueError(f"grads[{key!r}] must have the shape of params[{key!r}], {p_shape}; got {g_shape}")


# --------------------------------------------------------------------------
# The update rule as a pure function.


def gradient_descent_step(params: dict, grads: dict, lr: float) -> dict:
    """One step of gradient descent, θ ← θ − η ∇L, for every parameter.

    Defined in: Chapter 7, "Gradient descent".

    Parameters
    ----------
    params : dict[str, array]
        The current parameters, e.g. ``{"W1": ..., "b1": ...}``.
    grads : dict[str, array]
        ∂L/∂θ for each parameter: same keys and shapes as ``params``.
    lr : float
        The learning rate η > 0.

    Returns
    -------
    dict[str, numpy.ndarray]
        A NEW dict ``{name: params[name] - lr * grads[name]}``; neither input
        is changed, so the old parameters stay available (handy for plots and
        for comparing steps).
    """
    _check_dicts(params, grads)
    lr = check_positive(lr, "lr")
    new = {}
    for key in params:
        p = as_float_array(params[key], f"params[{key!r}]")
        g = as_float_array(grads[key], f"grads[{key!r}]")
        new[key] = p - lr * g
    return new


def momentum_step(w, v, g, lr: float, momentum: float) -> tuple[np.ndarray, np.ndarray]:
    """One step of gradient descent with momentum, in Keras' form.

    Defined in: Chapter 7, "Gradient descent".

    The velocity ``v`` is a running, decaying sum of past steps::

        v_new = momentum * v - lr * g
        w_new = w + v_new

    Returns ``(w_new, v_new)`` as new arrays; the inputs are not changed.
    """
    w = as_float_array(w, "w")
    v = as_float_array(v, "v")
    g = as_float_array(g, "g")
    for name, arr in (("v", v), ("g", g)):
        if arr.shape != w.shape:
            raise ValueError(f"{name} must have the shape of w, {w.shape}; got {arr.shape}")
    lr = check_positive(lr, "lr")
    momentum = _check_fraction(momentum, "momentum")
    v_new = momentum * v - lr * g
    return w + v_new, v_new


def adam_step(
    w, m, v, g, t: int, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step, written exactly as Keras 3 computes it.

    Defined in: Chapter 7, "Gradient descent".

    ``m`` and ``v`` are the running averages of the gradient and of its
    square; ``t`` is the number of this step, starting at 1.  Keras folds the
    two bias corrections into the step size::

        m_new = m + (1 - beta_1) * (g - m)          # = beta_1*m + (1-beta_1)*g
        v_new = v + (1 - beta_2) * (g**2 - v)
        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w_new = w - alpha * m_new / (sqrt(v_new) + epsilon)

    which equals the paper's ``lr * m_hat / (sqrt(v_hat) + epsilon)`` up to
    where ``epsilon`` sits (a difference of order ``epsilon``).

    Returns ``(w_new, m_new, v_new)`` as new arrays.
    """
    w = as_float_array(w, "w")
    m = as_float_array(m, "m")
    v = as_float_array(v, "v")
    g = as_float_array(g, "g")
    for name, arr in (("m", m), ("v", v), ("g", g)):
        if arr.shape != w.shape:
            raise ValueError(f"{name} must have the shape of w, {w.shape}; got {arr.shape}")
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(f"t must be a whole number >= 1 (the step count), got {t!r}")
    lr = check_positive(lr, "lr")
    beta_1 = _check_fraction(beta_1, "beta_1")
    beta_2 = _check_fraction(beta_2, "beta_2")
    epsilon = check_positive(epsilon, "epsilon")
    m_new = m + (1.0 - beta_1) * (g - m)
    v_new = v + (1.0 - beta_2) * (g * g - v)
    alpha = lr * np.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    return w - alpha * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


# --------------------------------------------------------------------------
# Optimisers with Keras' names: stateful, in-place updates.


class _Optimizer:
    """Common part of :class:`SGD` and :class:`Adam`: checks and per-name state."""

    def _check(self, params, grads) -> None:
        _check_dicts(params, grads)
        for key in params:
            p = params[key]
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise ValueError(
                    f"params[{key!r}] must be a float numpy array (it is updated in place), got "
                    + (f"an array of dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__)
                )
            as_float_array(grads[key], f"grads[{key!r}]")

    def apply(self, params: dict, grads: dict) -> None:
        """Update every array of ``params`` IN PLACE using ``grads`` (same keys and shapes)."""
        self._check(params, grads)
        self.update(params, grads)

    def update(self, params: dict, grads: dict) -> None:  # pragma: no cover - overridden
        """:meth:`apply` without the argument checks, for a training loop that validated its data once."""
        raise NotImplementedError


class SGD(_Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum, like ``keras.optimizers.SGD``.

    Defined in: Chapter 7, "Gradient descent".

    Parameters
    ----------
    learning_rate : float, default 0.01
    momentum : float in [0, 1), default 0.0
        0 gives plain gradient descent, ``w -= learning_rate * g``.  Otherwise
        each parameter keeps a velocity ``v`` (starting at 0)::

            v = momentum * v - learning_rate * g
            w = w + v                                     # nesterov=False
            w = w + momentum * v - learning_rate * g      # nesterov=True
    nesterov : bool, default False
        Look ahead along the velocity before taking the gradient step.

    Examples
    --------
    >>> params = {"w": np.array([1.0, -2.0])}
    >>> SGD(learning_rate=0.1).apply(params, {"w": np.array([1.0, 1.0])})
    >>> params["w"]
    array([ 0.9, -2.1])
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.momentum = _check_fraction(momentum, "momentum")
        if not isinstance(nesterov, bool):
            raise ValueError(f"nesterov must be True or False, got {nesterov!r}")
        self.nesterov = nesterov
        self.velocities: dict[str, np.ndarray] = {}

    def update(self, params: dict, grads: dict) -> None:
        """The in-place update of :meth:`apply`, without its argument checks."""
        lr, mu = self.learning_rate, self.momentum
        for key, w in params.items():
            g = np.asarray(grads[key], dtype=w.dtype)
            if mu == 0.0:
                w -= lr * g
                continue
            if key not in self.velocities:
                self.velocities[key] = np.zeros_like(w)
            v = self.velocities[key]
            v *= mu
            v -= lr * g
            if self.nesterov:
                w += mu * v - lr * g
            else:
                w += v

    def __repr__(self) -> str:
        return f"SGD(learning_rate={self.learning_rate}, momentum={self.momentum}, nesterov={self.nesterov})"


class Adam(_Optimizer):
    """Adam (adaptive moment estimation), with the update formulas of ``keras.optimizers.Adam``.

    Defined in: Chapter 7, "Gradient descent".

    Each parameter keeps a running mean of its gradient (``m``), of its
    squared gradient (``v``) and a step count ``t``; one call of
    :meth:`apply` performs :func:`adam_step` on every parameter.  Dividing by
    ``sqrt(v)`` gives every weight its own step size of about
    ``learning_rate``, whatever the scale of its gradient.
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.beta_1 = _check_fraction(beta_1, "beta_1")
        self.beta_2 = _check_fraction(beta_2, "beta_2")
        self.epsilon = check_positive(epsilon, "epsilon")
        self.moments: dict[str, np.ndarray] = {}
        self.velocities: dict[str, np.ndarray] = {}
        self.steps: dict[str, int] = {}
        self._scratch: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def update(self, params: dict, grads: dict) -> None:
        """The in-place update of :meth:`apply`, without its argument checks: :func:`adam_step`'s
        formulas, computed in place so that a training loop allocates nothing per batch."""
        lr, b1, b2, eps = self.learning_rate, self.beta_1, self.beta_2, self.epsilon
        for key, w in params.items():
            g = np.asarray(grads[key], dtype=w.dtype)
            if key not in self.moments:  # (setdefault would build a throw-away array on every step)
                self.moments[key], self.velocities[key] = np.zeros_like(w), np.zeros_like(w)
                self._scratch[key] = (np.empty_like(w), np.empty_like(w))
            m, v, (a, d) = self.moments[key], self.velocities[key], self._scratch[key]
            t = self.steps[key] = self.steps.get(key, 0) + 1
            # The formulas of adam_step, in two scratch arrays: same arithmetic, same rounding,
            # and no temporary arrays (they cost more than the arithmetic on a 200,000-weight layer).
            np.subtract(g, m, out=a)  # m += (1 - β1)(g − m)
            a *= 1.0 - b1
            m += a
            np.multiply(g, g, out=a)  # v += (1 − β2)(g² − v)
            a -= v
            a *= 1.0 - b2
            v += a
            np.sqrt(v, out=d)  # w −= α_t m / (√v + ε)
            d += eps
            np.multiply(m, lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t), out=a)
            a /= d
            w -= a

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, beta_2={self.beta_2}, "
            f"epsilon={self.epsilon})"
        )


# --------------------------------------------------------------------------
# Running an optimiser on a loss surface.


# --------------------------------------------------------------------------
# Loss surfaces used in the chapter.


# --------------------------------------------------------------------------
# Batch, mini-batch and stochastic gradient descent on linear regression.


# --------------------------------------------------------------------------
# The learning-rate widget.


__all__ = [
    "SGD",
    "Adam",
    "adam_step",
    "gradient_descent_step",
    "momentum_step",
]
