"""A surrogate model: a small network that learns a slow computation and then answers in microseconds.

Defined in: Chapter 1, "What is deep learning?".

Course notes say that nonlinear systems "find shortcuts to computationally expensive solutions", with a
bank's spreadsheet that takes days as the example. The chapter makes that claim measurable. The slow
computation is a small credit-risk simulation, :func:`default_probability`: a firm's value wanders at
random from month to month, and the firm defaults as soon as its value falls below its debt. The chance
of default within a few years has no simple formula once the value is checked monthly, so it is estimated
by simulating many possible futures (Monte Carlo), which takes milliseconds per answer. A network trained
on a few hundred such answers (:func:`fit_surrogate`) reproduces them in microseconds, inside the range
of inputs it was trained on, and not beyond it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from course_lib._validation import as_float_array, check_whole

#: The inputs, in the order of the columns of an input array.
INPUTS = ("leverage", "volatility", "years")
#: The box the surrogate is trained in: debt as a share of the firm's value, yearly volatility, horizon.
TRAINING_RANGES = {"leverage": (0.3, 0.9), "volatility": (0.1, 0.5), "years": (1.0, 5.0)}
MONTH = 1.0 / 12.0


def _months(years: float) -> int:
    return max(1, int(round(12 * years)))


def _check_input(leverage, volatility, years) -> tuple[float, float, float]:
    leverage, volatility, years = (
        float(as_float_array(v, name, ndim=0)) for v, name in zip((leverage, volatility, years), INPUTS)
    )
    if not 0 < leverage < 1:
        raise ValueError(f"leverage (debt / value) must lie between 0 and 1, got {leverage!r}")
    if not volatility > 0 or not years > 0:
        raise ValueError(f"volatility and years must be positive, got {volatility!r} and {years!r}")
    return leverage, volatility, years


def _walks(months: int, n_paths: int, seed: int) -> np.ndarray:
    """Running sums of standard normal draws, shape ``(months, n_paths)``: the random part of every future.

    The draws are generated month by month, so a shorter horizon uses exactly the first months of a
    longer one: every question is answered on the same simulated futures (common random numbers).
    """
    return np.cumsum(np.random.default_rng(seed).standard_normal((months, n_paths)), axis=0)


def _defaults(walks: np.ndarray, leverage: float, volatility: float, months: int) -> float:
    """The share of futures whose log-value falls below log(leverage) at some monthly check."""
    t = np.arange(1, months + 1)[:, None]
    log_value = volatility * np.sqrt(MONTH) * walks[:months] - 0.5 * volatility**2 * MONTH * t
    return float(np.mean(log_value.min(axis=0) < np.log(leverage)))


def default_probability(leverage, volatility, years, n_paths: int = 10_000, seed: int = 0) -> float:
    """The slow computation: the chance that a firm defaults within ``years``, by Monte Carlo simulation.

    Defined in: Chapter 1, "What is deep learning?".

    The firm's value starts at 1 and moves each month by a random factor (a geometric random walk with
    yearly volatility ``volatility`` and no drift in expectation); its debt is ``leverage`` (between 0 and
    1). It defaults the first month its value is below its debt. ``n_paths`` simulated futures are drawn
    from ``seed``, every call afresh, as a simulation in a spreadsheet would; the answer is the share of
    them that default, a number from 0 to 1 (standard error at most ``0.5 / sqrt(n_paths)``).
    """
    leverage, volatility, years = _check_input(leverage, volatility, years)
    n_paths = check_whole(n_paths, "n_paths")
    months = _months(years)
    return _defaults(_walks(months, n_paths, seed), leverage, volatility, months)


def default_probabilities(inputs, n_paths: int = 10_000, seed: int = 0) -> np.ndarray:
    """:func:`default_probability` for every row ``(leverage, volatility, years)`` of ``inputs``.

    Defined in: Chapter 1, "What is deep learning?".

    The same answers as calling :func:`default_probability` row by row, computed faster: the simulated
    futures are drawn once and shared. Returns an array of shape ``(m,)``.
    """
    inputs = as_float_array(inputs, "inputs", ndim=2)
    if inputs.shape[1] != len(INPUTS):
        raise ValueError(f"inputs must have shape (m, 3), columns {INPUTS}, got {inputs.shape}")
    rows = [_check_input(*row) for row in inputs]
    walks = _walks(max((_months(years) for *_, years in rows), default=1), check_whole(n_paths, "n_paths"), seed)
    return np.array([_defaults(walks, lev, vol, _months(years)) for lev, vol, years in rows])


def sample_inputs(n: int, seed: int = 0, ranges: dict | None = None) -> np.ndarray:
    """``n`` random inputs, uniform in the box ``ranges`` (default :data:`TRAINING_RANGES`), shape ``(n, 3)``.

    Defined in: Chapter 1, "What is deep learning?".
    """
    ranges = {**TRAINING_RANGES, **(ranges or {})}
    low, high = zip(*(ranges[name] for name in INPUTS))
    return np.random.default_rng(seed).uniform(low, high, size=(check_whole(n, "n"), len(INPUTS)))


def fit_surrogate(inputs, targets, hidden: tuple[int, ...] = (32, 32), seed: int = 0):
    """Train a small network (scikit-learn's ``MLPRegressor``) to map inputs to the slow computation's answers.

    Defined in: Chapter 1, "What is deep learning?".

    The inputs are standardised first (each column to mean 0 and spread 1), then a network with the
    ``hidden`` layer sizes and ReLU units is fitted to the targets by least squares. Returns a function
    ``inputs (m, 3) -> answers (m,)`` that runs the trained network with a few numpy matrix products (the
    same numbers as ``surrogate.model.predict``, without its per-call overhead), clipped to [0, 1] because
    the answers are probabilities.
    """
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    inputs = as_float_array(inputs, "inputs", ndim=2)
    targets = as_float_array(targets, "targets", ndim=1)
    if targets.shape != (inputs.shape[0],):
        raise ValueError(f"targets must have shape ({inputs.shape[0]},), one per input row, got {targets.shape}")
    network = MLPRegressor(hidden_layer_sizes=hidden, solver="lbfgs", max_iter=2000, random_state=seed)
    model = make_pipeline(StandardScaler(), network).fit(inputs, targets)
    mean, scale = model[0].mean_, model[0].scale_
    weights, biases = network.coefs_, network.intercepts_

    def surrogate(x):
        # The trained network is a fixed sequence of arithmetic: scale, then (weighted sum, ReLU) per layer.
        a = (as_float_array(x, "inputs", ndim=2) - mean) / scale
        for W, b in zip(weights[:-1], biases[:-1]):
            a = np.maximum(a @ W + b, 0.0)
        return np.clip((a @ weights[-1] + biases[-1])[:, 0], 0.0, 1.0)

    surrogate.model = model
    return surrogate


def seconds_per_answer(answer: Callable, n_answers: int, repeats: int = 3) -> float:
    """The fastest of ``repeats`` timings of ``answer()``, divided by the ``n_answers`` it gives.

    Defined in: Chapter 1, "What is deep learning?".

    The fastest run is the one least disturbed by other programs on the machine.
    """
    best = float("inf")
    for _ in range(check_whole(repeats, "repeats")):
        start = time.perf_counter()
        answer()
        best = min(best, time.perf_counter() - start)
    return best / check_whole(n_answers, "n_answers")


__all__ = [
    "INPUTS",
    "TRAINING_RANGES",
    "default_probabilities",
    "default_probability",
    "fit_surrogate",
    "sample_inputs",
    "seconds_per_answer",
]
