"""Figures of Chapter 2, "From biological to artificial neurons".

Defined in: Chapter 2, "From biological to artificial neurons".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_shape
from course_lib.neuron import decision_boundary, demo_points, neuron


def draw_neuron(w1: float = 1.0, w2: float = 1.0, b: float = 0.0, X=None, y=None, extent: float = 3.0):
    """Shade a two-input sigmoid neuron's output over the plane and draw its decision boundary.

    Defined in: Chapter 2, "From biological to artificial neurons".  The
    drawing function of the chapter's slider demo
    (``slider_demo(draw_neuron, w1=..., w2=..., b=...)``).

    The boundary is the line w1·x1 + w2·x2 + b = 0, where z = 0 and the
    output is exactly 0.5; the arrow is the weight vector (w1, w2), which is
    perpendicular to it and points towards outputs above 0.5.  Points
    ``X`` (m, 2) with labels ``y`` (m,) are drawn on top, and the title
    reports how many the rule "output > 0.5 means class 1" gets right.

    Returns the figure.  Its line with ``gid == "decision-boundary"`` holds
    the plotted boundary (absent when w1 = w2 = 0: then z = b everywhere and
    there is no boundary).
    """
    import matplotlib.pyplot as plt

    from course_lib.plots import plot_points_2d

    w = np.array([float(w1), float(w2)])
    b = float(b)
    extent = float(extent)
    if X is not None or y is not None:
        if X is None or y is None:
            raise ValueError("pass both X (m, 2) and y (m,), or neither")
        X = as_float_array(X, "X", ndim=2)
        check_shape(X, "X", (None, 2))
        y = as_float_array(y, "y", ndim=1)
        check_shape(y, "y", (X.shape[0],))
        extent = max(extent, float(np.max(np.abs(X))) + 0.5)

    fig, ax = plt.subplots(figsize=(5.6, 4.8))
    grid = np.linspace(-extent, extent, 201)
    G1, G2 = np.meshgrid(grid, grid)
    out = neuron(np.column_stack([G1.ravel(), G2.ravel()]), w, b).reshape(G1.shape)
    shade = ax.contourf(G1, G2, out, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.45)
    fig.colorbar(shade, ax=ax, label="neuron output $\\sigma(z)$")

    if w[1] != 0:
        line_x1 = np.array([-extent, extent])
        line_x2 = decision_boundary(w, b, line_x1)
    elif w[0] != 0:
        line_x1 = np.full(2, -b / w[0])
        line_x2 = np.array([-extent, extent])
    else:
        line_x1 = line_x2 = None
    if line_x1 is not None:
        (line,) = ax.plot(line_x1, line_x2, "k-", linewidth=2, label="$z = 0$ (output 0.5)")
        line.set_gid("decision-boundary")
        # The weight vector, drawn from the boundary point closest to the origin.
        foot = -b * w / (w @ w)
        arrow = w / np.linalg.norm(w)
        ax.annotate("", xy=foot + arrow, xytext=foot, arrowprops={"arrowstyle": "->", "color": "k", "lw": 1.5})
        ax.text(*(foot + 1.1 * arrow), "$\\mathbf{w}$", fontsize=12)

    title = f"$w_1$ = {w[0]:.2f}, $w_2$ = {w[1]:.2f}, $b$ = {b:.2f}"
    if line_x1 is None:
        title += "\nno boundary: the output is the same everywhere"
    if X is not None:
        plot_points_2d(X, y, ax=ax)
        correct = int(np.sum((neuron(X, w, b) > 0.5) == (y == 1)))
        title += f"\n{correct} of {len(y)} points on the right side"
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return fig


def draw_neuron_demo(w1: float = 1.0, w2: float = 1.0, b: float = 0.0):
    """:func:`draw_neuron` on the chapter's :func:`demo_points`: the function behind the slider demo.

    Defined in: Chapter 2, "From biological to artificial neurons".

    Its only parameters are the three sliders (ipywidgets makes a control
    for every parameter of the function it is given).
    """
    X, y = demo_points()
    return draw_neuron(w1, w2, b, X=X, y=y)
