"""Figures of Chapter 10, "A tour of network types".

Defined in: Chapter 10, "A tour of network types".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
"""

from __future__ import annotations

import functools

import numpy as np

from course_lib import rnn, som


def draw_decision_regions(models, X, y, extent: float = 1.6):
    """One panel per ``(title, predict)`` pair: the predicted class over the plane, with the data on top."""
    import matplotlib.pyplot as plt

    g = np.linspace(-extent, extent, 200)
    xx, yy = np.meshgrid(g, g)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models), 3.6), squeeze=False)
    for ax, (title, predict) in zip(axes[0], models):
        ax.contourf(xx, yy, np.asarray(predict(grid)).reshape(xx.shape), levels=1, cmap="RdBu_r", alpha=0.35)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", s=10, edgecolor="k", linewidth=0.3)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def _draw_map(ax, X, grid, weights, title):
    ax.scatter(X[:, 0], X[:, 1], s=3, color="0.75")
    index = {tuple(p): k for k, p in enumerate(grid)}
    for k, p in enumerate(grid):  # draw each map edge once: to the right and upwards
        for dp in ((0, 1), (1, 0)):
            j = index.get((p[0] + dp[0], p[1] + dp[1]))
            if j is not None:
                ax.plot(*weights[[k, j]].T, color="C0", lw=0.8)
    ax.plot(*weights.T, "o", color="C3", ms=2.5)
    ax.set_title(title, fontsize=10)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def draw_som_snapshots(X, grid, snapshots: dict):
    """The map drawn in the data space (units joined to their map neighbours) at several training steps."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(snapshots), figsize=(2.9 * len(snapshots), 3.1))
    for ax, (step, weights) in zip(np.atleast_1d(axes), sorted(snapshots.items())):
        qe, te = som.quantization_error(weights, X), som.topographic_error(weights, grid, X)
        _draw_map(ax, X, grid, weights, f"step {step}\nQE {qe:.3f}, TE {te:.2f}")
    fig.tight_layout()
    return fig


@functools.lru_cache(maxsize=1)
def _demo_training():
    X = np.random.default_rng(0).uniform(0, 1, size=(1000, 2))
    grid = som.grid_positions(8, 8)
    steps = tuple(range(0, 3001, 100))
    _, kept = som.train_som(X, grid, 3000, snapshots=steps)
    return X, grid, kept


def draw_som_training(step: int = 300):
    """The chapter's 8×8 map on uniform data after ``step`` training steps (0 … 3000, multiples of 100)."""
    import matplotlib.pyplot as plt

    X, grid, kept = _demo_training()
    step = int(min(max(int(step / 100 + 0.5) * 100, 0), 3000))
    fig, ax = plt.subplots(figsize=(3.8, 3.8))
    weights = kept[step]
    _draw_map(ax, X, grid, weights, f"step {step}: QE {som.quantization_error(weights, X):.3f}")
    return fig


def draw_feedback_memory(weights=(0.5, 0.9, 1.2), steps: int = 25):
    """The state of a single node with feedback after one pulse, for several feedback weights."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for w in weights:
        ax.plot(rnn.pulse_response(w, steps), "o-", ms=3, label=f"feedback weight w = {w:g}")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("time step t (the input is 1 at t = 0, then 0)")
    ax.set_ylabel("state $h_t$")
    ax.set_title("A single node with feedback remembers a pulse")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def draw_edges(image, responses, titles=("photo", "vertical edges", "horizontal edges", "edge strength")):
    """A grey image next to the two Sobel responses and their magnitude."""
    import matplotlib.pyplot as plt

    magnitude = np.hypot(responses[..., 0], responses[..., 1])
    panels = [image, responses[..., 0], responses[..., 1], magnitude]
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.3))
    for ax, panel, title, cmap in zip(axes, panels, titles, ("gray", "RdBu_r", "RdBu_r", "magma")):
        ax.imshow(panel, cmap=cmap)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig
