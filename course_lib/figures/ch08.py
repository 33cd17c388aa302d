"""Figures of Chapter 8, "Backpropagation".

Defined in: Chapter 8, "Backpropagation".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib.autograd import Value
from course_lib.gradcheck import finite_difference_errors


def draw_finite_difference_error(log10_eps: float = -6.0, float32: bool = False):
    """Plot the error of forward and central differences against ε, marking the chosen ε.

    Defined in: Chapter 8, "Backpropagation".  The drawing behind the
    chapter's ε slider; returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    dtype = np.float32 if float32 else np.float64
    grid = np.logspace(-14, -1, 131)
    curves = finite_difference_errors(grid, dtype=dtype)
    chosen = finite_difference_errors(np.array([10.0**log10_eps]), dtype=dtype)
    floor = 1e-18  # errors that are exactly 0 would vanish from a log plot
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.loglog(
        grid, np.maximum(curves["forward"], floor), label="forward  (f(x+ε) − f(x)) / ε", color="C1", linestyle="--"
    )
    ax.loglog(grid, np.maximum(curves["central"], floor), label="central  (f(x+ε) − f(x−ε)) / 2ε", color="C0")
    ax.axvline(10.0**log10_eps, color="k", linestyle="--", linewidth=1)
    for kind, color in (("forward", "C1"), ("central", "C0")):
        ax.plot(chosen["eps"], np.maximum(chosen[kind], floor), "o", color=color, markersize=8)
    ax.set_xlabel("step size ε")
    ax.set_ylabel("|numerical − exact derivative|")
    name = "float32" if float32 else "float64"
    ax.set_title(
        f"Finite-difference error in {name} at ε = 1e{log10_eps:+.1f}: "
        f"forward {chosen['forward'][0]:.1e}, central {chosen['central'][0]:.1e}",
        fontsize=10,
    )
    ax.set_ylim(1e-13, 1e2)
    ax.legend(loc="upper center")
    return fig


def draw_graph(root: Value, ax=None):
    """Draw the computation graph of ``root``: one box per node (label, data, grad), arrows towards the output.

    Defined in: Chapter 8, "Backpropagation".  Nodes are placed in columns by
    their distance from the inputs (a leaf sits just left of its first use).  Returns the matplotlib axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(root, Value):
        raise ValueError(f"root must be a Value, got {type(root).__name__}")
    order = root.graph()
    depth = {}
    for node in order:  # inputs first, so parents already have a depth
        depth[id(node)] = 1 + max((depth[id(p)] for p in node._parents), default=-1)
    leaf_depth = {}  # move each leaf just left of its earliest use, so arrows stay short
    for node in order:
        for parent in node._parents:
            if not parent._parents:
                d = depth[id(node)] - 1
                leaf_depth[id(parent)] = min(leaf_depth.get(id(parent), d), d)
    depth.update(leaf_depth)
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for d, nodes in columns.items():
        for i, node in enumerate(nodes):
            pos[id(node)] = (d, (len(nodes) - 1) / 2 - i)
    if ax is None:
        n_cols = max(columns) + 1
        n_rows = max(len(v) for v in columns.values())
        _, ax = plt.subplots(figsize=(max(4.0, 2.3 * n_cols), max(2.5, 1.1 * n_rows + 1)))
    for node in order:
        x1, y1 = pos[id(node)]
        for parent in set(map(id, node._parents)):
            x0, y0 = pos[parent]
            ax.annotate("", xy=(x1 - 0.32, y1), xytext=(x0 + 0.32, y0), arrowprops={"arrowstyle": "->", "color": "0.4"})
    for node in order:
        x, y = pos[id(node)]
        head = node.label or node.op or "const"
        if node.label and node.op:
            head = f"{node.label} ({node.op})"
        text = f"{head}\ndata {node.data:.4g}\ngrad {node.grad:.4g}"
        color = "#CCE3F0" if not node._parents else "#FBEBC2"
        ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox={"boxstyle": "round", "fc": color, "ec": "0.3"})
    ax.set_xlim(-0.6, max(columns) + 0.6)
    ax.set_ylim(min(p[1] for p in pos.values()) - 0.7, max(p[1] for p in pos.values()) + 0.7)
    ax.set_xticks(range(max(columns) + 1))
    ax.set_xlabel("depth from the inputs (the backward pass runs right to left)")
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title("Computation graph: blue = inputs, orange = operations")
    return ax
