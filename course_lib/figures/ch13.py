"""Figures of Chapter 13, "Generative adversarial networks".

Defined in: Chapter 13, "Generative adversarial networks".

Drawing code only; the numbers come from :mod:`course_lib.gan` and the training loops.
"""

from __future__ import annotations

import numpy as np


def draw_generator_gradients(logits, minimax_grad, non_saturating_grad):
    """The size ``|∂loss/∂s|`` of the two generator losses against the discriminator's logit s for a fake sample."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.semilogy(logits, np.abs(minimax_grad), label=r"minimax: minimise $\log(1-\sigma(s))$")
    ax.semilogy(logits, np.abs(non_saturating_grad), label=r"non-saturating: minimise $-\log\sigma(s)$")
    ax.axvspan(logits[0], -2, color="0.92")
    ax.text(logits[0] + 0.3, 2e-4, "fakes confidently\nrejected (early\ntraining)", fontsize=8)
    ax.set_xlabel("discriminator logit s for a fake sample")
    ax.set_ylabel("size of the generator's gradient")
    ax.set_title("Which loss gives the generator something to learn from?")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def draw_ring_snapshots(real, centres, snapshots: dict, title: str):
    """Generated 2-D samples at several training steps, over the real data and the mode centres."""
    import matplotlib.pyplot as plt

    n = len(snapshots)
    fig, axes = plt.subplots(1, n, figsize=(2.3 * n, 2.6), squeeze=False)
    for ax, (step, samples) in zip(axes[0], snapshots.items()):
        ax.scatter(real[:, 0], real[:, 1], s=2, color="0.75")
        ax.scatter(samples[:, 0], samples[:, 1], s=2, color="C3", alpha=0.5)
        ax.scatter(centres[:, 0], centres[:, 1], marker="+", color="k", s=30)
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"step {step}", fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def draw_coverage(logs: dict, n_modes: int = 8):
    """Modes covered (left) and fraction of high-quality samples (right) against the training step, one line per run.

    ``logs`` maps a run's name to a list of ``(step, modes_covered, high_quality_fraction)``.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for name, log in logs.items():
        steps, modes, quality = np.array(log).T
        axes[0].plot(steps, modes, "o-", ms=3, label=name)
        axes[1].plot(steps, quality, "o-", ms=3, label=name)
    axes[0].set_ylim(-0.3, n_modes + 0.3)
    axes[0].set_ylabel(f"modes covered (of {n_modes})")
    axes[1].set_ylim(0, 1)
    axes[1].set_ylabel("high-quality fraction (within 3 std of a mode)")
    for ax in axes:
        ax.set_xlabel("training step")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
