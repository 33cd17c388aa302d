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

from course_lib._validation import as_float_array, check_positive, check_shape


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
