"""Kohonen's self-organising map: units on a grid that drag their neighbours towards each sample.

Defined in: Chapter 10, "A tour of network types".

Each unit k has a position ``grid[k]`` on a fixed map (a line, a grid, a
ring) and a weight vector ``weights[k]`` in the data space.  For every
sample the nearest unit wins, and it and its *map* neighbours move towards
the sample — the further from the winner on the map, the less.  Over many
samples, units that are neighbours on the map end up responding to
neighbouring regions of the data.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_shape, check_whole


def som_update(weights, grid, x, lr: float, sigma: float) -> np.ndarray:
    """One Kohonen step: new ``weights (k, n)`` after sample ``x (n,)``; the inputs are left unchanged.

    Defined in: Chapter 10, "A tour of network types".

    The winner is the unit whose weights are nearest to ``x`` (the first, on a
    tie); every unit moves by ``lr · h_k · (x − weights[k])`` with the
    neighbourhood ``h_k = exp(−‖grid[k] − grid[winner]‖² / (2σ²))``.
    """
    weights = as_float_array(weights, "weights", ndim=2)
    grid = as_float_array(grid, "grid", ndim=2)
    x = as_float_array(x, "x", ndim=1)
    check_shape(x, "x", (weights.shape[1],))
    if grid.shape[0] != weights.shape[0]:
        raise ValueError(f"grid must have one position per unit: shape ({weights.shape[0]}, d), got {grid.shape}")
    lr, sigma = check_positive(lr, "lr"), check_positive(sigma, "sigma")
    winner = int(np.argmin(((weights - x) ** 2).sum(axis=1)))
    h = np.exp(-((grid - grid[winner]) ** 2).sum(axis=1) / (2.0 * sigma**2))
    return weights + lr * h[:, None] * (x - weights)


def grid_positions(rows: int, cols: int = 1) -> np.ndarray:
    """The map positions of a ``rows × cols`` grid of units, row by row: shape ``(rows·cols, 2)``.

    Defined in: Chapter 10, "A tour of network types".
    """
    rows, cols = check_whole(rows, "rows"), check_whole(cols, "cols")
    return np.array([[r, c] for r in range(rows) for c in range(cols)], dtype=float)


def train_som(X, grid, steps: int, lr: float = 0.5, sigma: float | None = None, seed: int = 0, snapshots=()):
    """Train a SOM with :func:`som_update` on random samples of ``X``; returns ``(weights, {step: weights})``.

    Defined in: Chapter 10, "A tour of network types".

    The learning rate and the neighbourhood width both shrink linearly to
    about 1 % of their start (σ starts at half the map's diameter), so the
    map first unfolds as a whole and then fine-tunes locally.  The initial
    weights are small random values around the data's mean: the map starts
    as a crumpled ball.  ``snapshots`` lists steps whose weights are kept.
    """
    X = as_float_array(X, "X", ndim=2)
    grid = as_float_array(grid, "grid", ndim=2)
    steps = check_whole(steps, "steps")
    rng = np.random.default_rng(seed)
    sigma0 = check_positive(sigma, "sigma") if sigma is not None else max(np.ptp(grid, axis=0).max() / 2, 1.0)
    weights = X.mean(axis=0) + 0.05 * X.std(axis=0) * rng.normal(size=(len(grid), X.shape[1]))
    kept = {0: weights.copy()} if 0 in snapshots else {}
    for step in range(1, steps + 1):
        fade = 1.0 - (step - 1) / steps * 0.99
        weights = som_update(weights, grid, X[rng.integers(len(X))], lr * fade, sigma0 * fade)
        if step in snapshots:
            kept[step] = weights.copy()
    return weights, kept


def quantization_error(weights, X) -> float:
    """The mean distance from each sample to its nearest unit: how well the units cover the data."""
    d = np.sqrt(((as_float_array(X, "X", ndim=2)[:, None, :] - weights[None]) ** 2).sum(-1))
    return float(d.min(axis=1).mean())


def topographic_error(weights, grid, X) -> float:
    """The fraction of samples whose two nearest units are *not* neighbours on the map (0 = perfectly ordered)."""
    X = as_float_array(X, "X", ndim=2)
    d = ((X[:, None, :] - weights[None]) ** 2).sum(-1)
    first, second = np.argsort(d, axis=1)[:, :2].T
    return float(np.mean(np.abs(grid[first] - grid[second]).sum(axis=1) > 1.0))
