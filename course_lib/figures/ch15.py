"""Figures of Chapter 15, "Image recognition": plates with their boxes, detections, heat maps."""

from __future__ import annotations

import numpy as np


def _boxes(ax, boxes, colour, label=None, scores=None, ls="-"):
    import matplotlib.patches as patches

    for k, (r0, c0, r1, c1) in enumerate(np.asarray(boxes, float).reshape(-1, 4)):
        ax.add_patch(
            patches.Rectangle(
                (c0, r0), c1 - c0, r1 - r0, fill=False, lw=2, ls=ls, ec=colour, label=label if k == 0 else None
            )
        )
        if scores is not None:
            ax.text(c0, r0 - 2, f"{scores[k]:.2f}", color=colour, fontsize=8, va="bottom")


def draw_plates(plates, titles, boxes=None, ncols: int = 2, width: float = 4.2):
    """Plates in a grid with a title each, and optionally the segmentation boxes drawn on them."""
    import matplotlib.pyplot as plt

    n = len(plates)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, 1.6 * nrows + 0.3), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for k, ax in enumerate(axes.ravel()[:n]):
        ax.imshow(plates[k], cmap="gray", vmin=0, vmax=1)
        ax.set_title(titles[k], fontsize=10)
        if boxes is not None:
            _boxes(ax, boxes[k], "C3")
    fig.tight_layout()
    return fig


def draw_detections(images: dict, found: dict, colours=("C1", "C0"), truth=None, size: float = 4.0):
    """Each picture with the boxes of every detector: ``found[detector][picture] = (boxes, scores or None)``."""
    import matplotlib.pyplot as plt

    names = list(images)
    fig, axes = plt.subplots(1, len(names), figsize=(size * len(names), size + 0.4), squeeze=False)
    for ax, name in zip(axes[0], names):
        ax.imshow(images[name], cmap="gray", vmin=0, vmax=1)
        ax.set_title(name)
        ax.axis("off")
        if truth is not None and name in truth:
            _boxes(ax, truth[name], "C2", "true face", ls="--")
        for (detector, results), colour in zip(found.items(), colours):
            boxes, scores = results[name]
            _boxes(ax, boxes, colour, detector, scores)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def draw_heatmaps(images, heats, titles, alpha: float = 0.5, size: float = 2.2, suptitle: str | None = None):
    """Pictures (top row) and the same pictures with a heat map over them (bottom row)."""
    import matplotlib.pyplot as plt

    n = len(images)
    fig, axes = plt.subplots(2, n, figsize=(size * n, 2 * size + 0.5), squeeze=False)
    for k in range(n):
        for row in range(2):
            axes[row, k].imshow(images[k], cmap="gray")
            axes[row, k].axis("off")
        axes[1, k].imshow(heats[k], cmap="inferno", alpha=alpha)
        axes[0, k].set_title(titles[k], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
