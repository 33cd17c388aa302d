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
* :func:`minimize` runs an optimiser on a small loss surface and returns the
  whole trajectory, for plots.

The module imports only numpy; the drawing function of the learning-rate
widget imports matplotlib when it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
            v = self.velocities.setdefault(key, np.zeros_like(w))
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

    def update(self, params: dict, grads: dict) -> None:
        """The in-place update of :meth:`apply`, without its argument checks: :func:`adam_step`'s
        formulas, computed in place so that a training loop allocates nothing per batch."""
        lr, b1, b2, eps = self.learning_rate, self.beta_1, self.beta_2, self.epsilon
        for key, w in params.items():
            g = np.asarray(grads[key], dtype=w.dtype)
            m = self.moments.setdefault(key, np.zeros_like(w))
            v = self.velocities.setdefault(key, np.zeros_like(w))
            t = self.steps[key] = self.steps.get(key, 0) + 1
            m += (1.0 - b1) * (g - m)
            v += (1.0 - b2) * (g * g - v)
            w -= lr * np.sqrt(1.0 - b2**t) / (1.0 - b1**t) * m / (np.sqrt(v) + eps)

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, beta_2={self.beta_2}, "
            f"epsilon={self.epsilon})"
        )


# --------------------------------------------------------------------------
# Running an optimiser on a loss surface.


def minimize(grad_fn: Callable, x0, optimizer, steps: int) -> np.ndarray:
    """Follow ``optimizer`` from ``x0`` for ``steps`` steps; return every point visited.

    Defined in: Chapter 7, "Gradient descent".

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(x)`` returns ∇L(x), an array of the shape of ``x``.
    x0 : float or array of shape (dim,)
        The starting point (a number for a 1-D loss surface).
    optimizer : SGD, Adam or anything with ``apply(params, grads)``
        Use a fresh optimiser per run: its state (velocity, moments) carries
        over between calls.
    steps : int
        Number of updates.

    Returns
    -------
    numpy.ndarray of shape (steps + 1, dim)
        Row 0 is ``x0``, row k the point after k updates.
    """
    if not callable(grad_fn):
        raise ValueError(f"grad_fn must be a function of x, got {type(grad_fn).__name__}")
    if not callable(getattr(optimizer, "apply", None)):
        raise ValueError("optimizer must have an apply(params, grads) method, e.g. SGD(learning_rate=0.1)")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    x = as_float_array(x0, "x0", ndim=(0, 1)).astype(np.float64).reshape(-1)
    if x.size == 0:
        raise ValueError("x0 must have shape (dim,) with dim >= 1, got an empty array")
    params = {"x": x}
    path = np.empty((steps + 1, x.size))
    path[0] = x
    for k in range(1, steps + 1):
        g = as_float_array(grad_fn(x.copy()), "grad_fn(x)")
        g = g.reshape(-1) if g.size == x.size else g
        if g.shape != x.shape:
            raise ValueError(f"grad_fn(x) must return shape {x.shape} (like x), got {g.shape}")
        optimizer.apply(params, {"x": g})
        path[k] = x
    return path


# --------------------------------------------------------------------------
# Loss surfaces used in the chapter.


def quadratic_1d(theta, curvature: float = 1.0):
    """L(θ) = curvature · θ² / 2, the simplest bowl; its gradient is curvature · θ.

    Defined in: Chapter 7, "Gradient descent".
    """
    theta = as_float_array(theta, "theta")
    return 0.5 * curvature * theta**2


def ravine_loss(p, a: float = 1.0, b: float = 20.0):
    """L(x, y) = (a x² + b y²) / 2: a long, narrow valley when b ≫ a.

    Defined in: Chapter 7, "Gradient descent".  ``p`` is a point (2,) or a
    grid (..., 2).
    """
    p = as_float_array(p, "p")
    if p.shape[-1:] != (2,):
        raise ValueError(f"p must have shape (2,) or (..., 2), got {p.shape}")
    return 0.5 * (a * p[..., 0] ** 2 + b * p[..., 1] ** 2)


def ravine_grad(p, a: float = 1.0, b: float = 20.0) -> np.ndarray:
    """Gradient (a x, b y) of :func:`ravine_loss` at a point ``p`` of shape (2,).

    Defined in: Chapter 7, "Gradient descent".
    """
    p = as_float_array(p, "p", ndim=1)
    if p.shape != (2,):
        raise ValueError(f"p must have shape (2,), got {p.shape}")
    return np.array([a * p[0], b * p[1]])


def bumpy_loss(x):
    """A non-convex 1-D loss with a deep and a shallow minimum: L(x) = (x² − 4)²/16 + x/2 + 2.

    Defined in: Chapter 7, "Gradient descent".

    A double well tilted to the left: the global minimum is near
    x ≈ −2.21 (L ≈ 0.94), a shallow local minimum near x ≈ 1.68 (L ≈ 2.93)
    sits behind a low ridge at x ≈ 0.54 (L ≈ 3.13).
    """
    x = as_float_array(x, "x")
    return (x**2 - 4.0) ** 2 / 16.0 + 0.5 * x + 2.0


def bumpy_grad(x):
    """Derivative of :func:`bumpy_loss`: x (x² − 4) / 4 + 1/2.

    Defined in: Chapter 7, "Gradient descent".
    """
    x = as_float_array(x, "x")
    return x * (x**2 - 4.0) / 4.0 + 0.5


def noisy_gradient_descent(grad_fn: Callable, x0, lr: float, steps: int, noise_std: float, seed: int) -> np.ndarray:
    """Gradient descent whose every gradient carries Gaussian noise, like a mini-batch estimate.

    Defined in: Chapter 7, "Gradient descent".

    Returns the trajectory, shape ``(steps + 1, dim)``.  ``noise_std=0``
    gives plain gradient descent.  Same ``seed``, same trajectory.
    """
    lr = check_positive(lr, "lr")
    if isinstance(noise_std, bool) or not isinstance(noise_std, (int, float)) or noise_std < 0:
        raise ValueError(f"noise_std must be a number >= 0, got {noise_std!r}")
    rng = np.random.default_rng(seed)

    def noisy(x):
        g = as_float_array(grad_fn(x), "grad_fn(x)")
        return g + noise_std * rng.standard_normal(g.shape)

    return minimize(noisy, x0, SGD(learning_rate=lr), steps)


# --------------------------------------------------------------------------
# Batch, mini-batch and stochastic gradient descent on linear regression.


def minibatches(m: int, batch_size: int, rng: np.random.Generator | None = None) -> Iterator[np.ndarray]:
    """Yield index arrays that split ``range(m)`` into batches of ``batch_size`` (the last may be smaller).

    Defined in: Chapter 7, "Gradient descent".  With ``rng`` the order is
    shuffled (a new permutation for each call, i.e. each epoch).
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m must be a whole number >= 1, got {m!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    order = rng.permutation(m) if rng is not None else np.arange(m)
    for start in range(0, m, batch_size):
        yield order[start : start + batch_size]


def linear_regression_grads(X, y, params: dict) -> tuple[float, dict]:
    """Mean squared error of ``X @ w + b`` and its gradient with respect to ``w`` (n,) and ``b`` (1,).

    Defined in: Chapter 7, "Gradient descent".  Returns ``(loss, grads)``.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    w, b = params["w"], params["b"]
    if np.shape(w) != (X.shape[1],) or np.shape(b) != (1,):
        raise ValueError(f"params must hold w of shape ({X.shape[1]},) and b of shape (1,)")
    error = X @ w + b - y
    m = X.shape[0]
    grads = {"w": 2.0 / m * (X.T @ error), "b": np.array([2.0 / m * error.sum()])}
    return float(np.mean(error**2)), grads


def fit_linear_regression(X, y, optimizer, batch_size: int, epochs: int, seed: int = 0) -> dict:
    """Train ``X @ w + b`` on the mean squared error with mini-batches; record the losses.

    Defined in: Chapter 7, "Gradient descent".

    ``batch_size = len(X)`` is batch gradient descent, ``1`` is stochastic
    gradient descent, anything in between is mini-batch gradient descent.
    Weights start at zero; batches are reshuffled every epoch with a
    generator seeded by ``seed``.

    Returns
    -------
    dict
        ``params`` (``w``, ``b``), ``loss_per_update`` (the full-data loss
        after every update), ``loss_per_epoch`` (the full-data loss after each
        epoch, starting with the initial loss) and ``batch_loss`` (the loss of
        the mini-batch used for each update, a noisy estimate).
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_float_array(y, "y", ndim=1)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    rng = np.random.default_rng(seed)
    params = {"w": np.zeros(X.shape[1]), "b": np.zeros(1)}
    full, _ = linear_regression_grads(X, y, params)
    per_epoch, per_update, batch_loss = [full], [], []
    for _ in range(epochs):
        for idx in minibatches(len(X), batch_size, rng):
            loss, grads = linear_regression_grads(X[idx], y[idx], params)
            optimizer.apply(params, grads)
            batch_loss.append(loss)
            per_update.append(linear_regression_grads(X, y, params)[0])
        per_epoch.append(per_update[-1])
    return {
        "params": params,
        "loss_per_update": np.array(per_update),
        "loss_per_epoch": np.array(per_epoch),
        "batch_loss": np.array(batch_loss),
    }


# --------------------------------------------------------------------------
# The learning-rate widget.


def learning_rate_trajectory(lr: float, steps: int = 20, theta0: float = 4.0, curvature: float = 1.0) -> np.ndarray:
    """Plain gradient descent on L(θ) = curvature·θ²/2 from ``theta0``: the points θ₀ … θ_steps.

    Defined in: Chapter 7, "Gradient descent".

    Each step multiplies θ by (1 − lr·curvature), so the run converges when
    0 < lr < 2 / curvature and diverges when lr > 2 / curvature.
    """
    curvature = check_positive(curvature, "curvature")
    path = minimize(lambda t: curvature * t, theta0, SGD(learning_rate=lr), steps)
    return path[:, 0]


def learning_rate_regime(lr: float, curvature: float = 1.0) -> str:
    """Name what gradient descent does on a quadratic with this learning rate.

    Defined in: Chapter 7, "Gradient descent".  One of ``"crawls"``
    (lr·curvature < 0.1), ``"converges"``, ``"oscillates"`` (the sign flips
    every step but the size shrinks), ``"stuck oscillating"`` (exactly 2/L)
    and ``"diverges"``.
    """
    lr = check_positive(lr, "lr")
    factor = lr * check_positive(curvature, "curvature")
    if factor < 0.1:
        return "crawls"
    if factor <= 1.0:
        return "converges"
    if factor < 2.0:
        return "oscillates"
    if factor == 2.0:
        return "stuck oscillating"
    return "diverges"


def draw_learning_rate(lr: float = 0.3, steps: int = 20, curvature: float = 1.0):
    """Draw gradient descent on L(θ) = curvature·θ²/2: the path on the curve and the loss per step.

    Defined in: Chapter 7, "Gradient descent".  The drawing function of the
    chapter's learning-rate widget (``slider_demo(draw_learning_rate, lr=...)``).
    Returns the figure; its first axes' second line holds the plotted
    trajectory (θ_k, L(θ_k)) and the second axes' line the losses.
    """
    import matplotlib.pyplot as plt

    steps = int(steps)
    path = learning_rate_trajectory(lr, steps=steps, curvature=curvature)
    losses = 0.5 * curvature * path**2
    regime = learning_rate_regime(lr, curvature)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    span = max(4.5, min(float(np.max(np.abs(path))) * 1.1, 40.0))
    grid = np.linspace(-span, span, 300)
    ax1.plot(grid, 0.5 * curvature * grid**2, color="0.6", label="$L(\\theta)$")
    ax1.plot(path, losses, "o-", color="C3", markersize=4, linewidth=1, label="steps")
    ax1.plot(path[:1], losses[:1], "s", color="k", label="start")
    ax1.set_xlim(-span, span)
    ax1.set_ylim(-0.05 * 0.5 * curvature * span**2, 0.5 * curvature * span**2 * 1.05)
    ax1.set_xlabel("parameter $\\theta$")
    ax1.set_ylabel("loss $L(\\theta)$")
    ax1.set_title(f"$\\eta$ = {lr:g}: {regime}")
    ax1.legend(loc="upper center")
    ax2.semilogy(np.arange(steps + 1), np.maximum(losses, 1e-300), "o-", color="C3", markersize=4)
    ax2.set_xlabel("step $k$")
    ax2.set_ylabel("loss (log scale)")
    ax2.set_title(f"limit for convergence: $\\eta < 2/L$ = {2 / curvature:g}")
    fig.tight_layout()
    return fig


__all__ = [
    "SGD",
    "Adam",
    "adam_step",
    "bumpy_grad",
    "bumpy_loss",
    "draw_learning_rate",
    "fit_linear_regression",
    "gradient_descent_step",
    "learning_rate_regime",
    "learning_rate_trajectory",
    "linear_regression_grads",
    "minibatches",
    "minimize",
    "momentum_step",
    "noisy_gradient_descent",
    "quadratic_1d",
    "ravine_grad",
    "ravine_loss",
]
