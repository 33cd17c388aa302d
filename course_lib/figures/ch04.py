"""Figures of Chapter 4, "Activation functions".

Defined in: Chapter 4, "Activation functions".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib.activations import DEMO_LOGITS, sigmoid, sigmoid_derivative, softmax, tanh, tanh_derivative


def draw_softmax_temperature(temperature: float = 1.0):
    """Bar chart of softmax(z / T) for the fixed scores :data:`DEMO_LOGITS`: how T sharpens or flattens.

    Defined in: Chapter 4, "Activation functions".

    The drawing behind the chapter's temperature slider; the title reports
    the largest probability and the entropy (in bits) of the distribution.
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    logits = np.array(DEMO_LOGITS)
    p = softmax(logits, temperature=temperature)
    entropy = float(-np.sum(p * np.log2(np.clip(p, 1e-300, None))))
    fig, (ax_z, ax_p) = plt.subplots(1, 2, figsize=(8.4, 3.4))
    names = [f"class {i}" for i in range(len(logits))]
    ax_z.bar(names, logits, color="gray")
    ax_z.axhline(0, color="k", lw=0.8)
    ax_z.set_title("scores z (logits)")
    ax_z.set_ylabel("z")
    ax_p.bar(names, p, color="C0")
    ax_p.set_ylim(0, 1)
    ax_p.set_ylabel("probability")
    ax_p.set_title(
        f"softmax(z / T), T = {temperature:.2f}\nmax p = {p.max():.3f}, entropy = {entropy:.2f} bits", fontsize=10
    )
    for i, value in enumerate(p):
        ax_p.text(i, value + 0.02, f"{value:.2f}", ha="center", fontsize=9)
    fig.tight_layout()
    return fig


def draw_saturation(z: float = 0.0):
    """Sigmoid and tanh with their slopes at ``z``: where the gradient vanishes.

    Defined in: Chapter 4, "Activation functions".

    The left panel shows both functions and a marker at ``z``; the right
    panel their derivatives, with the values at ``z`` in the title.
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    z = float(z)
    grid = np.linspace(-10, 10, 401)
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(8.4, 3.4))
    ax_f.plot(grid, sigmoid(grid), label="sigmoid")
    ax_f.plot(grid, tanh(grid), label="tanh")
    ax_f.plot([z, z], [sigmoid(z), tanh(z)], "ko")
    ax_f.set_xlabel("z")
    ax_f.set_ylabel("activation")
    ax_f.set_title(f"at z = {z:g}: sigmoid = {sigmoid(z):.4f}, tanh = {tanh(z):.4f}", fontsize=10)
    ax_f.legend(loc="upper left")
    ax_d.plot(grid, sigmoid_derivative(grid), label="sigmoid'")
    ax_d.plot(grid, tanh_derivative(grid), label="tanh'")
    ax_d.plot([z, z], [sigmoid_derivative(z), tanh_derivative(z)], "ko")
    ax_d.set_xlabel("z")
    ax_d.set_ylabel("derivative")
    ax_d.set_title(f"slopes: sigmoid' = {sigmoid_derivative(z):.2e}, tanh' = {tanh_derivative(z):.2e}", fontsize=10)
    ax_d.legend(loc="upper left")
    fig.tight_layout()
    return fig
