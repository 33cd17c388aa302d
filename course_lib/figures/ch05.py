"""Figures of Chapter 5, "Layers and forward propagation".

Defined in: Chapter 5, "Layers and forward propagation".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array
from course_lib.activations import sigmoid
from course_lib.layers import EXAMPLE_NAMED, flatten_images, forward_2_3_1, params_from_named
from course_lib.topologies import TOPOLOGIES, topology


def draw_graph(graph: dict, ax=None, title: str | None = None, edge_labels: dict | None = None):
    """Draw a graph made by :func:`layered_graph` or :func:`topology`; returns the axes.

    Defined in: Chapter 5, "Layers and forward propagation".

    Forward edges are grey arrows; recurrent edges are orange, curved
    arrows (a self-loop for a unit feeding itself).  ``edge_labels`` maps
    ``(src, dst)`` to a text written on that edge (e.g. ``"w1"``).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    ax = ax or plt.gca()
    nodes = graph["nodes"]
    edge_labels = edge_labels or {}
    for src, dst, kind in graph["edges"]:
        (x0, y0), (x1, y1) = nodes[src], nodes[dst]
        if kind == "recurrent":
            if src == dst:
                ax.add_patch(
                    FancyArrowPatch(
                        (x0 - 0.08, y0 + 0.12), (x0 + 0.08, y0 + 0.12), connectionstyle="arc3,rad=-2.2",
                        arrowstyle="-|>", mutation_scale=10, color="C1", lw=1.4,
                    )
                )  # fmt: skip
            else:
                ax.add_patch(
                    FancyArrowPatch(
                        (x0, y0), (x1, y1), connectionstyle="arc3,rad=0.5", arrowstyle="-|>",
                        mutation_scale=8, color="C1", lw=0.9, alpha=0.7, shrinkA=9, shrinkB=9,
                    )
                )  # fmt: skip
        else:
            ax.add_patch(
                FancyArrowPatch(
                    (x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=9, color="0.55", lw=1.0, shrinkA=9, shrinkB=9
                )
            )
        if (src, dst) in edge_labels:
            t = 0.22 if kind == "forward" else 0.5
            ax.text(
                x0 + t * (x1 - x0), y0 + t * (y1 - y0), edge_labels[(src, dst)], fontsize=8, ha="center",
                va="center", bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
            )  # fmt: skip
    n_cols = max(x for x, _ in nodes.values())
    for name, (x, y) in nodes.items():
        colour = "C1" if x == 0 else ("C3" if x == n_cols else "C0")
        ax.scatter([x], [y], s=420, color=colour, edgecolor="k", zorder=3)
        ax.text(x, y, name, ha="center", va="center", fontsize=8, zorder=4)
    ys = [y for _, y in nodes.values()]
    ax.set_xlim(-0.5, n_cols + 0.5)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def draw_topologies():
    """The five classic topologies side by side, each with its one-line caption; returns the figure.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 5, figsize=(15, 3.6))
    for ax, name in zip(axes, TOPOLOGIES):
        g = topology(name)
        draw_graph(g, ax=ax, title=name)
        ax.text(0.5, -0.02, _wrap(g["caption"], 34), transform=ax.transAxes, ha="center", va="top", fontsize=8)
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def draw_2_3_1_surface(w1: float = 0.1, w2: float = 0.2, b1: float = 0.1, w7: float = 0.7, extent: float = 6.0):
    """Hidden unit h1 and the 2-3-1 network's output over the input plane, for chosen w1, w2, b1, w7.

    Defined in: Chapter 5, "Layers and forward propagation".

    Every other parameter keeps its example value (:data:`EXAMPLE_NAMED`).
    Left: h1 = σ(w1·x1 + w2·x2 + b1), a soft step whose edge is the line
    w1·x1 + w2·x2 + b1 = 0.  Right: the output y, which mixes h1 with h2
    and h3 through w7, w8, w9.  Returns the figure.
    """
    import matplotlib.pyplot as plt

    named = dict(EXAMPLE_NAMED, w1=float(w1), w2=float(w2), b1=float(b1), w7=float(w7))
    params = params_from_named(**named)
    grid = np.linspace(-extent, extent, 121)
    G1, G2 = np.meshgrid(grid, grid)
    X = np.column_stack([G1.ravel(), G2.ravel()])
    H1 = sigmoid(X @ params["W1"][:, 0] + params["b1"][0]).reshape(G1.shape)
    Y = forward_2_3_1(X, params).reshape(G1.shape)
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 4.0))
    for ax, values, label in ((axes[0], H1, "hidden unit h1"), (axes[1], Y, "network output y")):
        im = ax.contourf(G1, G2, values, levels=np.linspace(0, 1, 21), cmap="viridis")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_aspect("equal")
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        ax.set_title(label, fontsize=10)
    axes[0].set_title(f"h1 = σ({w1:.2f}·x1 + {w2:.2f}·x2 + {b1:.2f})", fontsize=10)
    axes[1].set_title(f"output y (w7 = {w7:.2f}); range {Y.min():.3f} … {Y.max():.3f}", fontsize=10)
    fig.tight_layout()
    return fig


def draw_digit_vector(image, label=None, row: int = 14):
    """A 28×28 digit, its 784-vector as a strip, and one image row's values; returns the figure.

    Defined in: Chapter 5, "Layers and forward propagation".

    ``image`` is one image ``(h, w)`` with values 0..255 (it is flattened
    and scaled with :func:`flatten_images`).  The highlighted ``row`` of the
    image is the stretch ``row·w … row·w + w − 1`` of the vector.
    """
    import matplotlib.pyplot as plt

    image = as_float_array(image, "image", ndim=2)
    h, w = image.shape
    row = int(row)
    if not 0 <= row < h:
        raise ValueError(f"row must be between 0 and {h - 1}, got {row}")
    x = flatten_images(image[None])[0]
    fig = plt.figure(figsize=(10, 4.2))
    grid = fig.add_gridspec(2, 2, width_ratios=(1, 2.4), height_ratios=(1, 1))
    ax_img = fig.add_subplot(grid[:, 0])
    ax_img.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    ax_img.axhline(row, color="C3", lw=1.5)
    ax_img.set_title(f"{h}×{w} image" + (f" of a {label}" if label is not None else ""), fontsize=10)
    ax_img.set_xlabel("column")
    ax_img.set_ylabel("row")
    ax_img.grid(False)
    ax_vec = fig.add_subplot(grid[0, 1])
    ax_vec.plot(np.arange(h * w), x, lw=0.7)
    ax_vec.axvspan(row * w, row * w + w - 1, color="C3", alpha=0.25)
    ax_vec.set_xlim(0, h * w - 1)
    ax_vec.set_ylim(-0.05, 1.05)
    ax_vec.set_xlabel(f"input index (0 … {h * w - 1})")
    ax_vec.set_ylabel("pixel value")
    ax_vec.set_title(f"the same image as {h * w} inputs in [0, 1]; shaded: row {row}", fontsize=10)
    ax_row = fig.add_subplot(grid[1, 1])
    ax_row.bar(np.arange(row * w, row * w + w), x[row * w : row * w + w], color="C3")
    ax_row.set_ylim(0, 1.05)
    ax_row.set_xlabel("input index")
    ax_row.set_ylabel("pixel value")
    ax_row.set_title(f"row {row} of the image = inputs {row * w} … {row * w + w - 1}", fontsize=10)
    fig.tight_layout()
    return fig
