"""Figures of Chapter 7, "Gradient descent".

Defined in: Chapter 7, "Gradient descent".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib.descent import learning_rate_regime, learning_rate_trajectory


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
