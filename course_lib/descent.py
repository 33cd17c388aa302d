"""Gradient descent at work: loss surfaces, noisy descent, mini-batches and a linear-regression training loop.

Defined in: Chapter 7, "Gradient descent".

The update rules themselves (one step of gradient descent, momentum, Adam)
live in :mod:`course_lib.optim`; this module runs them on small, fully
understood problems so that the chapter can show what they do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from course_lib._validation import as_float_array, check_positive
from course_lib.optim import SGD


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
