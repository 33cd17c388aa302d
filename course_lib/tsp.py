"""The travelling salesperson: tour lengths, two classical heuristics, and a self-organising ring.

Defined in: Chapter 16, "More applications".

A tour visits every city once and returns to its start; it is written as an
``order`` (a permutation of the city indices).  Finding the shortest tour is
NP-hard, so everything here is a heuristic: nearest neighbour (greedy),
2-opt (repair crossings until none is left) and the *elastic ring*, a
self-organising map of chapter 10 whose units lie on a ring and are pulled
towards the cities until the ring passes through all of them.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_shape, check_whole


def _cities(cities) -> np.ndarray:
    cities = as_float_array(cities, "cities", ndim=2)
    if cities.shape[1] != 2 or len(cities) < 3:
        raise ValueError(f"cities must have shape (n, 2) with n >= 3, got {cities.shape}")
    return cities


def _order(order, n: int) -> np.ndarray:
    order = np.asarray(order)
    if order.shape != (n,) or order.dtype.kind not in "iu" or not np.array_equal(np.sort(order), np.arange(n)):
        raise ValueError(f"order must be a permutation of 0 … {n - 1} (each city once), got {order!r}")
    return order


def tour_length(cities, order) -> float:
    """The length of the closed tour visiting ``cities (n, 2)`` in ``order``, back to the start.

    Defined in: Chapter 16, "More applications".
    """
    cities = _cities(cities)
    path = cities[_order(order, len(cities))]
    return float(np.sum(np.linalg.norm(path - np.roll(path, -1, axis=0), axis=1)))


def random_cities(n: int, seed: int = 0) -> np.ndarray:
    """``n`` cities uniformly at random in the unit square: shape ``(n, 2)``.

    Defined in: Chapter 16, "More applications".
    """
    return np.random.default_rng(seed).uniform(0, 1, (check_whole(n, "n", minimum=3), 2))


def nearest_neighbour_tour(cities, start: int = 0) -> np.ndarray:
    """Greedy tour: from ``start``, always go to the nearest city not yet visited.

    Defined in: Chapter 16, "More applications".
    """
    cities = _cities(cities)
    n = len(cities)
    unvisited = np.ones(n, bool)
    order = [int(start)]
    unvisited[start] = False
    for _ in range(n - 1):
        d = np.linalg.norm(cities - cities[order[-1]], axis=1)
        d[~unvisited] = np.inf
        order.append(int(np.argmin(d)))
        unvisited[order[-1]] = False
    return np.array(order)


def two_opt(cities, order) -> np.ndarray:
    """Improve a tour with 2-opt moves until none shortens it: reverse ``order[i+1 : j+1]`` when that helps.

    Defined in: Chapter 16, "More applications".

    A 2-opt move removes the edges (a, b) and (c, d) and reconnects a–c and
    b–d; it shortens the tour exactly when two edges cross or nearly do.
    Each pass tries every pair of edges (vectorised over ``j``).
    """
    cities = _cities(cities)
    order = _order(order, len(cities)).copy()
    n = len(order)
    improved = True
    while improved:
        improved = False
        for i in range(n - 2):
            p = cities[order]
            a, b = p[i], p[i + 1]
            c, d = p[i + 2 :], np.roll(p, -1, axis=0)[i + 2 :]
            if i == 0:
                c, d = c[:-1], d[:-1]  # the last edge shares city 0 with the first
            gain = (
                np.linalg.norm(a - b) + np.linalg.norm(c - d, axis=1)
                - np.linalg.norm(a - c, axis=1) - np.linalg.norm(b - d, axis=1)
            )  # fmt: skip
            if len(gain) and gain.max() > 1e-12:
                j = i + 2 + int(np.argmax(gain))
                order[i + 1 : j + 1] = order[i + 1 : j + 1][::-1]
                improved = True
    return order


def ring_positions(units: int) -> np.ndarray:
    """Map positions of ``units`` units on a circle with neighbours 1 apart: the ring's starting shape.

    Defined in: Chapter 16, "More applications".
    """
    units = check_whole(units, "units", minimum=3)
    angle = 2 * np.pi * np.arange(units) / units
    radius = units / (2 * np.pi)
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def ring_update(ring, city, lr: float, radius: float) -> np.ndarray:
    """One step of the elastic ring: the new ``ring (K, 2)`` after ``city (2,)`` pulls it; ``ring`` is unchanged.

    Defined in: Chapter 16, "More applications".

    The winner ``w`` is the unit nearest to the city (the first, on a tie).
    Unit ``k`` lies ``d_k = min(|k − w|, K − |k − w|)`` steps from it along the
    closed ring, and moves by ``lr · h_k · (city − ring[k])`` with
    ``h_k = exp(−d_k² / (2·radius²))``: the winner moves most, its ring
    neighbours less, whatever their distance in the plane.
    """
    ring = as_float_array(ring, "ring", ndim=2)
    if ring.shape[1] != 2 or len(ring) < 3:
        raise ValueError(f"ring must have shape (K, 2) with K >= 3 units, got {ring.shape}")
    city = as_float_array(city, "city", ndim=1)
    check_shape(city, "city", (2,))
    lr, radius = check_positive(lr, "lr"), check_positive(radius, "radius")
    winner = int(np.argmin(((ring - city) ** 2).sum(axis=1)))
    steps = np.abs(np.arange(len(ring)) - winner)
    d = np.minimum(steps, len(ring) - steps)
    h = np.exp(-(d**2) / (2.0 * radius**2))
    return ring + lr * h[:, None] * (city - ring)


def elastic_ring(cities, units_per_city: int = 3, epochs: int = 60, seed: int = 0, snapshots=()):
    """Train a ring SOM on the cities: ``(order, ring weights, {epoch: ring weights})``.

    Defined in: Chapter 16, "More applications".

    A ring of ``units_per_city × n`` units starts as a small circle in the
    middle of the cities.  Every epoch shows every city once, in random
    order, to :func:`ring_update` (the self-organising map's step of chapter
    10, with distances counted along the ring); the neighbourhood radius
    shrinks geometrically from a tenth of the ring to half a unit, the
    learning rate from 0.8 to 0.05.  The tour visits the cities in the order
    of their nearest units along the ring.
    """
    cities = _cities(cities)
    epochs = check_whole(epochs, "epochs")
    n = len(cities)
    units = check_whole(units_per_city, "units_per_city") * n
    rng = np.random.default_rng(seed)
    grid = ring_positions(units)
    centre, spread = cities.mean(axis=0), cities.std()
    weights = centre + 0.1 * spread * grid / np.abs(grid).max()
    kept = {0: weights.copy()} if 0 in snapshots else {}
    sigma0, sigma1, lr0, lr1 = units / 10, 0.5, 0.8, 0.05
    for epoch in range(1, epochs + 1):
        t = (epoch - 1) / max(epochs - 1, 1)
        sigma, lr = sigma0 * (sigma1 / sigma0) ** t, lr0 * (lr1 / lr0) ** t
        for k in rng.permutation(n):
            weights = ring_update(weights, cities[k], lr, sigma)
        if epoch in snapshots:
            kept[epoch] = weights.copy()
    winners = np.argmin(((cities[:, None, :] - weights[None]) ** 2).sum(axis=2), axis=1)
    return np.argsort(winners, kind="stable"), weights, kept


__all__ = [
    "elastic_ring",
    "nearest_neighbour_tour",
    "random_cities",
    "ring_positions",
    "ring_update",
    "tour_length",
    "two_opt",
]
