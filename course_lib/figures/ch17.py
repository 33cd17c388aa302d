"""Figures of Chapter 17, "Challenges and limitations"."""

from __future__ import annotations

import numpy as np


def draw_images(images, titles, side: int = 8, per_row: int = 10, size: float = 1.0):
    """A grid of small grey images with a title under each (e.g. 'given 3 / true 8')."""
    import matplotlib.pyplot as plt

    n = len(images)
    rows = int(np.ceil(n / per_row))
    fig, axes = plt.subplots(rows, per_row, figsize=(size * per_row, (size + 0.35) * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, title in zip(axes.ravel(), images, titles):
        ax.imshow(np.asarray(image).reshape(side, side), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def draw_learning_curves(histories: dict, title: str = "Learning curves"):
    """Training (dashed) and validation (solid) loss per epoch, one colour per ``histories[label]`` (Keras History)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for (label, h), colour in zip(histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        epochs = np.arange(1, len(h.history["loss"]) + 1)
        ax.plot(epochs, h.history["loss"], ls="--", color=colour, alpha=0.8)
        ax.plot(epochs, h.history["val_loss"], color=colour, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss (log scale)")
    ax.set_title(title + " — dashed: training, solid: validation")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def draw_search(trials: dict, x: str, y: str, labels=None):
    """Each search's trials in the plane of two log-scaled hyperparameters (colour: validation accuracy), and the
    best accuracy found after each trial.  ``trials[name] = [(params, accuracy), ...]``; ``labels`` name the axes."""
    import matplotlib.pyplot as plt

    x_label, y_label = labels or (x, y)
    fig, axes = plt.subplots(1, len(trials) + 1, figsize=(4.0 * (len(trials) + 1), 4.2))
    everything = [acc for runs in trials.values() for _, acc in runs]
    for ax, (name, runs) in zip(axes, trials.items()):
        points = ax.scatter(
            [p[x] for p, _ in runs],
            [p[y] for p, _ in runs],
            c=[a for _, a in runs],
            cmap="viridis",
            vmin=min(everything),
            vmax=max(everything),
            s=70,
            edgecolor="k",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.set_title(f"{name}\n{len({p[x] for p, _ in runs})} values of the {x_label}", fontsize=10)
    fig.colorbar(points, ax=axes[len(trials) - 1], label="validation accuracy")
    for name, runs in trials.items():
        axes[-1].plot(np.arange(1, len(runs) + 1), np.maximum.accumulate([a for _, a in runs]), marker="o", label=name)
    axes[-1].set_xlabel("trial")
    axes[-1].set_ylabel("best validation accuracy so far")
    axes[-1].legend()
    fig.tight_layout()
    return fig


def draw_heatmap(values, title: str, side: int = 8, cmap: str = "magma"):
    """One ``side × side`` map (e.g. permutation importance per pixel) with a colour bar."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.8, 3.3))
    im = ax.imshow(np.asarray(values).reshape(side, side), cmap=cmap)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return fig


def draw_attack_curves(epsilons, curves: dict):
    """Accuracy against ε, one line per ``curves[label]``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4))
    for label, accuracies in curves.items():
        ax.plot(epsilons, 100 * np.asarray(accuracies), marker="o", label=label)
    ax.set_xlabel("ε (largest change of any pixel, pixels in [0, 1])")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend()
    fig.tight_layout()
    return fig
