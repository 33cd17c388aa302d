"""Plotting helpers shared by the chapters (matplotlib is imported on first use).

Defined in: Preface, "How to use this course".
"""

from __future__ import annotations

import numpy as np

#: The book's line and marker colours, in order: Okabe and Ito's palette for colour-blind readers
#: (blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black).  Any two stay distinct
#: under protanopia, deuteranopia and tritanopia (tests/test_figures_accessible.py measures it); matplotlib's
#: default palette does not (its orange and green look alike to a protanope).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: Pale tints of the palette's blue, vermillion and orange, for filled regions and boxes behind text.
TINTS = ("#CCE3F0", "#F7D9C4", "#FBEBC2")


def use_course_style() -> None:
    """A readable, consistent matplotlib style for the whole book, in a colour-blind-safe palette.

    Defined in: Preface, "How to use this course".  Lines and markers cycle through :data:`PALETTE`, so "C0",
    "C1", ... name its colours.
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=list(PALETTE)),
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 11,
            "legend.frameon": False,
        }
    )


def plot_points_2d(X, y, ax=None, title: str | None = None):
    """Scatter 2-D points coloured by a 0/1 (or class) label; returns the axes.

    Defined in: Chapter 2, "From biological to artificial neurons".
    """
    import matplotlib.pyplot as plt

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (m, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    ax = ax or plt.gca()
    for label, marker in zip(np.unique(y), "os^vD*"):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=36, label=f"class {label:g}", edgecolor="k", linewidth=0.5)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax


def plot_decision_regions(predict, X, y, ax=None, resolution: int = 200, title: str | None = None):
    """Shade where ``predict`` (a function of an (m, 2) batch) outputs each class, with the data on top.

    Defined in: Chapter 3, "The perceptron".  ``predict`` may return
    probabilities (shaded continuously) or class labels.
    """
    import matplotlib.pyplot as plt

    X = np.asarray(X, dtype=float)
    ax = ax or plt.gca()
    pad = 0.5
    x1 = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    x2 = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    G1, G2 = np.meshgrid(x1, x2)
    grid = np.column_stack([G1.ravel(), G2.ravel()])
    Z = np.asarray(predict(grid), dtype=float).reshape(G1.shape)
    ax.contourf(G1, G2, Z, levels=20, cmap="RdBu_r", alpha=0.35)
    ax.contour(G1, G2, Z, levels=[0.5], colors="k", linewidths=1.5)
    plot_points_2d(X, y, ax=ax, title=title)
    return ax
