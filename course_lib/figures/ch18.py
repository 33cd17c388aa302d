"""Figures of Chapter 18, "Where neural networks go next"."""

from __future__ import annotations

import numpy as np


def draw_attention(weights, keys, values, queries, answers):
    """One row per example: how much the query attends to each (key, value) pair of its sequence."""
    import matplotlib.pyplot as plt

    weights = np.asarray(weights)
    n, pairs = weights.shape
    fig, ax = plt.subplots(figsize=(1.0 * pairs + 2.6, 0.55 * n + 1.2))
    ax.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(pairs):
            colour = "white" if weights[i, j] > 0.5 else "black"
            ax.text(
                j,
                i,
                f"{keys[i][j]}={values[i][j]}\n{weights[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=8,
                color=colour,
            )
    ax.set_yticks(range(n), [f"query {q} → {a}" for q, a in zip(queries, answers)])
    ax.set_xticks(range(pairs), [f"pair {j + 1}" for j in range(pairs)])
    ax.set_title("Attention weights of the query over the six pairs")
    fig.tight_layout()
    return fig
