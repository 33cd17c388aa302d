"""Figures of Chapter 1, "What is deep learning?".

Defined in: Chapter 1, "What is deep learning?".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations


def draw_ai_ml_dl():
    """Draw artificial intelligence ⊃ machine learning ⊃ deep learning as nested ellipses.

    Defined in: Chapter 1, "What is deep learning?".

    Returns the figure; its axes hold three ``Ellipse`` patches, outermost
    first, each labelled (``patch.get_label()``) with its field's name.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse

    fields = [
        (
            "Artificial intelligence",
            "machines doing tasks that seem to need intelligence:\nsearch, planning, rules, learning",
            10.0,
            6.4,
        ),
        ("Machine learning", "rules learned from data\ninstead of written by hand", 7.4, 4.4),
        ("Deep learning", "learning with\nmany-layered\nneural networks", 4.0, 2.4),
    ]
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for i, (name, what, width, height) in enumerate(fields):
        centre = (0.0, -(6.4 - height) / 2 * 0.9)
        patch = Ellipse(
            centre, width, height, facecolor=f"C{i}", alpha=0.25, edgecolor=f"C{i}", linewidth=2, label=name
        )
        ax.add_patch(patch)
        top = centre[1] + height / 2
        ax.text(0, top - 0.35, name, ha="center", va="top", fontsize=12, fontweight="bold")
        ax.text(0, top - 0.8, what, ha="center", va="top", fontsize=9)
    ax.set_xlim(-5.3, 5.3)
    ax.set_ylim(-3.4, 3.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Each field is a part of the one around it")
    fig.tight_layout()
    return fig


def plot_cluster_centres(centres, clusters, labels):
    """Draw each k-means centre as an 8×8 image, titled with its cluster's commonest digit and its share.

    Defined in: Chapter 1, "What is deep learning?".

    ``centres`` is ``(k, 64)`` (``KMeans.cluster_centers_``), ``clusters`` the cluster of each example and
    ``labels`` its true digit, both ``(m,)``; the labels are used for the titles only. Returns the figure.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    centres, clusters, labels = np.asarray(centres), np.asarray(clusters), np.asarray(labels)
    fig, axes = plt.subplots(1, len(centres), figsize=(1.0 * len(centres), 1.7))
    for k, (ax, centre) in enumerate(zip(np.atleast_1d(axes), centres)):
        members = labels[clusters == k]
        digit = np.bincount(members).argmax() if members.size else -1
        share = np.mean(members == digit) if members.size else 0.0
        ax.imshow(centre.reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(f"{digit}: {share:.0%}", fontsize=9)
        ax.axis("off")
    fig.suptitle("The ten k-means centres, titled with their commonest digit and its share")
    fig.tight_layout()
    return fig


def plot_surrogate_slice(volatility, simulated, learned, trained_range):
    """Draw the simulation's and the surrogate's answers along one input, shading the range it was trained on.

    Defined in: Chapter 1, "What is deep learning?".

    ``volatility``, ``simulated`` and ``learned`` are arrays of the same length; ``trained_range`` is the pair
    ``(low, high)`` of volatilities the surrogate saw in training. Returns the axes.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.axvspan(*trained_range, color="0.9", label="volatilities seen in training")
    ax.plot(volatility, simulated, "o", markersize=4, label="simulation (slow)")
    ax.plot(volatility, learned, "-", lw=2, label="surrogate network (fast)")
    ax.set_xlabel("volatility (yearly)")
    ax.set_ylabel("chance of default")
    ax.legend()
    return ax
