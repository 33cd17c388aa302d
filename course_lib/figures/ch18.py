"""Figures of Chapter 18, "Where neural networks go next"."""

from __future__ import annotations

import numpy as np


def draw_attention(weights, cell_labels, row_labels, column_labels, title="Attention weights"):
    """A heat map of attention weights (rows: queries, columns: tokens), each cell labelled and with its weight."""
    import matplotlib.pyplot as plt

    weights = np.asarray(weights)
    n, m = weights.shape
    fig, ax = plt.subplots(figsize=(1.0 * m + 2.6, 0.55 * n + 1.2))
    ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(m):
            colour = "white" if weights[i, j] > 0.5 else "black"
            ax.text(
                j, i, f"{cell_labels[i][j]}\n{weights[i, j]:.2f}", ha="center", va="center", fontsize=8, color=colour
            )
    ax.set_yticks(range(n), row_labels)
    ax.set_xticks(range(m), column_labels)
    ax.set_title(title)
    ax.grid(False)
    fig.tight_layout()
    return fig
