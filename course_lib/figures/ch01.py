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
