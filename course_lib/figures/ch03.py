"""Figures of Chapter 3, "The perceptron".

Defined in: Chapter 3, "The perceptron".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib.perceptron import count_errors, logic_gate, perceptron_predict, train_perceptron


def draw_perceptron_training(gate: str = "and", epoch: int = 0):
    """Plot a logic gate's data and the perceptron's boundary after ``epoch`` epochs of training.

    Defined in: Chapter 3, "The perceptron".

    The drawing behind the chapter's epoch slider: the background is
    shaded by the perceptron's prediction, the line is its decision
    boundary w·x + b = 0, and the title counts the points still
    misclassified.  Starts from zero weights with learning rate 1 (from
    zero weights the learning rate only rescales w and b, never the boundary).  Returns the figure.
    """
    import matplotlib.pyplot as plt

    X, y = logic_gate(gate)
    fit = train_perceptron(X, y, lr=1.0, epochs=int(epoch), stop_early=False)
    w, b = fit.w, fit.b
    wrong = count_errors(X, y, w, b)

    fig, ax = plt.subplots(figsize=(5.0, 4.4))
    g1, g2 = np.meshgrid(np.linspace(-0.5, 1.5, 161), np.linspace(-0.5, 1.5, 161))
    pred = perceptron_predict(np.column_stack([g1.ravel(), g2.ravel()]), w, b).reshape(g1.shape)
    ax.contourf(g1, g2, pred, levels=[-0.5, 0.5, 1.5], colors=["#F7D9C4", "#CCE3F0"], alpha=0.8)
    x1 = np.array([-0.5, 1.5])
    if w[1] != 0:
        ax.plot(x1, -(w[0] * x1 + b) / w[1], "k-", lw=2, label="boundary $w\\cdot x + b = 0$")
    elif w[0] != 0:
        ax.axvline(-b / w[0], color="k", lw=2, label="boundary $w\\cdot x + b = 0$")
    for label, marker, colour in ((0.0, "o", "C3"), (1.0, "s", "C0")):
        pts = X[y == label]
        ax.scatter(
            pts[:, 0], pts[:, 1], marker=marker, s=120, c=colour, edgecolor="k", label=f"y = {label:g}", zorder=3
        )
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(
        f"{gate.upper()} after {int(epoch)} epoch(s): w = ({w[0]:g}, {w[1]:g}), b = {b:g}\n{wrong} of 4 misclassified",
        fontsize=10,
    )
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    return fig
