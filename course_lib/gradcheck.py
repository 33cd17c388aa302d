"""Gradient checking: test an analytic gradient against finite differences.

Defined in: Chapter 8, "Backpropagation".

Backpropagation code can be wrong and still run, still lower the loss a
little, and still look plausible.  A gradient check compares it with the
definition of the derivative, evaluated numerically: nudge one parameter by
±ε, watch the loss, divide.  It is slow (two loss evaluations per
parameter), which is why it is a test and not a training method.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib._validation import as_float_array, check_positive


def _as_param_dict(params, name: str = "params") -> dict:
    if not isinstance(params, dict) or not params:
        raise ValueError(f"{name} must be a non-empty dict of arrays, e.g. {{'W1': (2, 3), 'b1': (3,)}}")
    return {key: np.array(as_float_array(value, f"{name}[{key!r}]"), dtype=np.float64) for key, value in params.items()}


def numerical_gradient(f: Callable, params: dict, eps: float = 1e-6) -> dict:
    """Central-difference estimate of the gradient of ``f(params)`` for every entry of every array.

    Defined in: Chapter 8, "Backpropagation".

    For each entry θ of each array: ``(f(θ + ε) − f(θ − ε)) / (2ε)``.

    *Why central differences?*  The one-sided ``(f(θ + ε) − f(θ)) / ε`` has an
    error proportional to ε (the curvature term of the Taylor series does not
    cancel); the symmetric version cancels it and its error shrinks like ε².
    With ε = 1e-6 that is the difference between ~1e-6 and ~1e-12.

    *Why float64?*  The numerator subtracts two nearly equal losses, so it
    loses as many significant digits as ε is small: in float32 (about 7
    digits) ε = 1e-6 leaves almost nothing; float64 (about 16 digits) leaves
    ~10.  All parameters are therefore converted to float64 copies — the
    arrays you pass in are never modified — and ``f`` receives a dict of
    such copies, one entry nudged at a time (restored right after).

    Returns a dict with the same keys and shapes as ``params``.
    """
    eps = check_positive(eps, "eps")
    if not callable(f):
        raise ValueError(f"f must be a function of the params dict returning a number, got {type(f).__name__}")
    work = _as_param_dict(params)
    grads = {}
    for key, arr in work.items():
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            f_plus = float(f(work))
            arr[idx] = old - eps
            f_minus = float(f(work))
            arr[idx] = old  # restore before moving on
            g[idx] = (f_plus - f_minus) / (2.0 * eps)
        grads[key] = g
    return grads


def relative_error(a, b) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖): a scale-free distance between two gradients (0 when both are 0).

    Defined in: Chapter 8, "Backpropagation".

    An absolute difference of 1e-7 is excellent for gradients of size 1 and
    useless for gradients of size 1e-8; dividing by their sizes makes one
    threshold work for both.  Rough guide in float64: < 1e-7 correct, 1e-7 …
    1e-4 suspicious, > 1e-4 wrong.  The value is at most 1 (reached when
    one of the two is all zeros and the other is not).
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape; got a {a.shape} and b {b.shape}")
    a, b = a.astype(np.float64), b.astype(np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradient_check(f: Callable, grad_fn: Callable, params: dict, eps: float = 1e-6) -> dict:
    """Relative error between ``grad_fn(params)`` and :func:`numerical_gradient` for each parameter.

    Defined in: Chapter 8, "Backpropagation".

    ``f(params)`` returns the loss, ``grad_fn(params)`` a dict of gradients
    with the same keys and shapes.  Returns ``{key: relative error}``, ready
    to be printed as a table (:func:`format_gradient_check`).
    """
    numeric = numerical_gradient(f, params, eps)
    analytic = grad_fn(_as_param_dict(params))
    if not isinstance(analytic, dict) or set(analytic) != set(numeric):
        got = sorted(map(str, analytic)) if isinstance(analytic, dict) else type(analytic).__name__
        raise ValueError(f"grad_fn must return a dict with the keys {list(numeric)}, got {got}")
    errors = {}
    for key, num in numeric.items():
        ana = as_float_array(analytic[key], f"grad_fn(params)[{key!r}]")
        if ana.shape != num.shape:
            raise ValueError(f"grad_fn(params)[{key!r}] must have shape {num.shape}, got {ana.shape}")
        errors[key] = relative_error(ana, num)
    return errors


def format_gradient_check(errors: dict, threshold: float = 1e-6) -> str:
    """A small text table of :func:`gradient_check` results with a verdict per parameter.

    Defined in: Chapter 8, "Backpropagation".
    """
    lines = [f"{'parameter':<10} {'relative error':>15}  verdict", "-" * 36]
    for key, err in errors.items():
        verdict = "ok" if err < threshold else "WRONG"
        lines.append(f"{key:<10} {err:>15.2e}  {verdict}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# How the step size ε matters: truncation error versus round-off error


def _demo_f(x):
    return np.sin(x) * np.exp(x)


def _demo_df(x):
    return np.exp(x) * (np.sin(x) + np.cos(x))


def finite_difference_errors(eps, x: float = 1.0, dtype=np.float64) -> dict:
    """Absolute errors of forward and central differences of f(x) = sin(x)·eˣ for each step in ``eps``.

    Defined in: Chapter 8, "Backpropagation".

    The arithmetic is done in ``dtype`` (float64 or float32) to show how
    precision sets the floor: large ε → truncation error (the Taylor terms
    the formula ignores), tiny ε → round-off error (subtracting two nearly
    equal numbers).  Returns ``{"eps", "forward", "central"}`` arrays.
    """
    eps = as_float_array(eps, "eps", ndim=1)
    if np.any(eps <= 0):
        raise ValueError("eps must hold positive step sizes, shape (k,)")
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    xs = dt.type(x)
    h = eps.astype(dt)
    f = lambda v: _demo_f(v).astype(dt)  # noqa: E731 - a one-line local helper
    forward = (f(xs + h) - f(xs)) / h
    central = (f(xs + h) - f(xs - h)) / (dt.type(2) * h)
    exact = _demo_df(float(x))
    return {
        "eps": eps,
        "forward": np.abs(forward.astype(np.float64) - exact),
        "central": np.abs(central.astype(np.float64) - exact),
    }
