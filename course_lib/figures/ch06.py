"""Figures of Chapter 6, "Loss functions".

Defined in: Chapter 6, "Loss functions".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib.losses import bce_sigmoid_grad, binary_cross_entropy_per_sample, mse_sigmoid_grad


def draw_loss_vs_probability(p: float = 0.1, y: int = 1):
    """MSE and binary cross-entropy of one prediction p for label y, and their slopes; returns the figure.

    Defined in: Chapter 6, "Loss functions".

    Left: both losses as functions of the predicted probability, with the
    chosen ``p`` marked.  Right: the size of the gradient with respect to the
    output unit's logit z = log(p / (1 − p)) — what a sigmoid network
    actually gets to learn from.  The titles print the values at ``p``.
    """
    import matplotlib.pyplot as plt

    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y!r}")
    p = float(np.clip(p, 1e-4, 1 - 1e-4))
    grid = np.linspace(1e-4, 1 - 1e-4, 500)
    labels = np.full_like(grid, float(y))
    mse_curve = (grid - y) ** 2
    bce_curve = binary_cross_entropy_per_sample(labels, grid)
    logit = np.log(grid) - np.log1p(-grid)
    z = float(np.log(p) - np.log1p(-p))
    g_mse = float(mse_sigmoid_grad([float(y)], [z])[0])
    g_bce = float(bce_sigmoid_grad([float(y)], [z])[0])
    l_mse = (p - y) ** 2
    l_bce = float(binary_cross_entropy_per_sample([float(y)], [p])[0])
    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(9.6, 3.8))
    ax_l.plot(grid, mse_curve, label="MSE: $(p-y)^2$")
    ax_l.plot(grid, bce_curve, label="BCE: $-\\log$ p(true class)")
    ax_l.plot([p, p], [l_mse, l_bce], "ko")
    ax_l.set_ylim(0, 6)
    ax_l.set_xlabel("predicted probability p that y = 1")
    ax_l.set_ylabel("loss")
    ax_l.set_title(f"y = {y}, p = {p:.3f}: MSE = {l_mse:.3f}, BCE = {l_bce:.3f}", fontsize=10)
    ax_l.legend(loc="upper center")
    ax_g.plot(grid, np.abs(mse_sigmoid_grad(labels, logit)), label="MSE∘sigmoid")
    ax_g.plot(grid, np.abs(bce_sigmoid_grad(labels, logit)), label="BCE∘sigmoid")
    ax_g.plot([p, p], [abs(g_mse), abs(g_bce)], "ko")
    ax_g.set_ylim(0, 1.05)
    ax_g.set_xlabel("predicted probability p that y = 1")
    ax_g.set_ylabel("|dLoss/dz| (z = logit)")
    ax_g.set_title(f"slopes at p: MSE {abs(g_mse):.4f}, BCE {abs(g_bce):.4f}", fontsize=10)
    ax_g.legend(loc="upper center")
    fig.tight_layout()
    return fig
