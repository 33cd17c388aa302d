"""Exercises of Chapter 10, "A tour of network types"."""

from __future__ import annotations

import numpy as np

from course_lib import rbf, som
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 10, "A tour of network types"'


def _rbf_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.normal(size=(5, 2)), rng.normal(size=(3, 2)), 0.5), "5 points, 3 centres in 2-D"),
        Case((rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 2.0), "3-D, a sharper gamma"),
        Case((np.zeros((1, 2)), np.array([[0.0, 0.0], [3.0, 4.0]]), 0.1), "a point on a centre, one at distance 5"),
        Case((rng.normal(size=(6, 1)), rng.normal(size=(2, 1)), 1.0), "1-D"),
    ]


def _sqdist(X, C):
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)


register(
    "rbf_features",
    chapter=CHAPTER,
    reference=rbf.rbf_features,
    cases=_rbf_cases,
    arg_names=("X", "centres", "gamma"),
    mistakes=[
        Mistake(
            "distance not squared",
            lambda X, C, g: np.exp(-g * np.sqrt(_sqdist(X, C))),
            "The Gaussian uses the *squared* distance ‖x − c‖², not the distance itself.",
        ),
        Mistake("sign", lambda X, C, g: np.exp(g * _sqdist(X, C)), "exp(−γ d²): the response falls with distance."),
        Mistake(
            "gamma divides",
            lambda X, C, g: np.exp(-_sqdist(X, C) / g),
            "gamma multiplies the squared distance: exp(−gamma · d²).",
        ),
        Mistake(
            "centres and points swapped",
            lambda X, C, g: np.exp(-g * _sqdist(C, X)),
            "One row per point and one column per centre: the result has shape (m, k), not (k, m).",
        ),
    ],
)


def _som_cases(rng: np.random.Generator) -> list[Case]:
    line = np.arange(5.0)[:, None]
    square = np.array([[i, j] for i in range(3) for j in range(3)], dtype=float)
    return [
        Case((rng.normal(size=(5, 2)), line, rng.normal(size=2), 0.5, 1.0), "five units on a line, 2-D data"),
        Case((rng.normal(size=(9, 3)), square, rng.normal(size=3), 0.1, 0.7), "a 3×3 grid, 3-D data"),
        Case((rng.normal(size=(9, 2)), square, rng.normal(size=2), 1.0, 5.0), "lr 1 and a wide neighbourhood"),
        Case(
            (np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 0.0]]), line[:3], np.array([1.9, 0.1]), 0.5, 0.5),
            "the winner is unit 1",
        ),
    ]


def _som(weights, grid, x, lr, radius, *, winner_by=None, data_space=False, square_radius=False):
    winner = int(np.argmin(((weights - x) ** 2).sum(1))) if winner_by is None else winner_by(weights, grid, x)
    space = weights if data_space else grid
    d2 = ((space - space[winner]) ** 2).sum(1)
    h = np.exp(-d2 / (2 * radius)) if square_radius else np.exp(-d2 / (2 * radius**2))
    return weights + lr * h[:, None] * (x - weights)


register(
    "som_update",
    chapter=CHAPTER,
    reference=som.som_update,
    cases=_som_cases,
    arg_names=("weights", "grid", "x", "lr", "radius"),
    mistakes=[
        Mistake(
            "winner = farthest unit",
            lambda w, g, x, lr, s: _som(
                w, g, x, lr, s, winner_by=lambda w, g, x: int(np.argmax(((w - x) ** 2).sum(1)))
            ),
            "The winner is the unit whose weights are *nearest* to x (argmin of the distance).",
        ),
        Mistake(
            "neighbourhood measured in data space",
            lambda w, g, x, lr, s: _som(w, g, x, lr, s, data_space=True),
            "The neighbourhood is measured on the map (grid positions), not between weight vectors.",
        ),
        Mistake(
            "radius not squared",
            lambda w, g, x, lr, s: _som(w, g, x, lr, s, square_radius=True),
            "The neighbourhood is exp(−d² / (2r²)), with d the distance on the map: square the radius r.",
        ),
        Mistake(
            "only the winner moves",
            lambda w, g, x, lr, s: _som(w, g, x, lr, 1e-9),
            "Every unit moves, weighted by its neighbourhood h_k; the winner (h = 1) simply moves the most.",
        ),
    ],
)
