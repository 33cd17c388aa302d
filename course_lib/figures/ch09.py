"""Figures of Chapter 9, "Training a network end to end".

Defined in: Chapter 9, "Training a network end to end".

Drawing code only: each function computes with the tested functions of the
concept modules and draws the result with matplotlib (imported when called).
Returns the figure (or the axes it drew on).
"""

from __future__ import annotations

import numpy as np

from course_lib.metrics import as_labels


def plot_confusion_matrix(cm, ax=None, class_names=None, title: str = "Confusion matrix", normalize: bool = False):
    """Draw a confusion matrix as a heat map with the count written in every cell; returns the axes.

    Defined in: Chapter 9, "Training a network end to end".

    With ``normalize=True`` each row is divided by its total, so a cell reads
    "the fraction of class i predicted as j".
    """
    import matplotlib.pyplot as plt

    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.dtype.kind not in "iuf":
        raise ValueError(f"cm must be a square (k, k) array of counts, got shape {cm.shape}")
    k = cm.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"class_names must have {k} entries, got {len(names)}")
    values = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    ax = ax or plt.gca()
    image = ax.imshow(values, cmap="Blues")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = values.max() / 2 if values.size else 0
    for i in range(k):
        for j in range(k):
            text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
            colour = "white" if values[i, j] > threshold else "black"
            ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=8)
    long_names = max(len(n) for n in names) > 2
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    ax.grid(False)
    return ax


def plot_history(history, title: str = "Learning curves"):
    """Training and validation loss (left) and accuracy (right) per epoch; returns the figure.

    Defined in: Chapter 9, "Training a network end to end".

    ``history`` is the dict of lists returned by ``fit`` (``history.history``
    in Keras and in :class:`course_lib.model.Sequential`), or the object that
    holds it.
    """
    import matplotlib.pyplot as plt

    hist = getattr(history, "history", history)
    if not isinstance(hist, dict) or "loss" not in hist:
        raise ValueError("history must be a dict (or a History) with at least a 'loss' list")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for key, style in ((metric, "-o"), (f"val_{metric}", "--s")):
            if key in hist:
                epochs = np.arange(1, len(hist[key]) + 1)
                ax.plot(epochs, hist[key], style, markersize=3, label=key.replace("_", " "))
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric)
        if ax.lines:
            ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_misclassified(images, y_true, y_pred, n: int = 10, title: str = "Misclassified digits"):
    """Show the first ``n`` images whose prediction is wrong, titled "true → predicted"; returns the figure.

    Defined in: Chapter 9, "Training a network end to end".

    ``images`` is ``(m, h, w)`` (use :func:`course_lib.datasets.to_images`
    on flattened rows).
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images, dtype=float)
    t, p = as_labels(y_true, "y_true"), as_labels(y_pred, "y_pred")
    if images.ndim != 3 or images.shape[0] != t.shape[0] or t.shape != p.shape:
        raise ValueError(
            f"images must be (m, h, w) with m = len(y_true) = len(y_pred); got {images.shape}, {t.shape}, {p.shape}"
        )
    wrong = np.flatnonzero(t != p)[: int(n)]
    cols = max(1, min(len(wrong), 10))
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.5 * rows + 0.4), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(images[i], cmap="gray_r")
        ax.set_title(f"{t[i]} → {p[i]}", fontsize=10)
    fig.suptitle(f"{title} ({len(wrong)} shown, true → predicted)" if len(wrong) else f"{title}: none")
    fig.tight_layout()
    return fig


def draw_prediction(images, probs, y_true, index: int = 0):
    """One test image next to the network's probability for each class; returns the figure.

    Defined in: Chapter 9, "Training a network end to end".  The drawing
    function of the chapter's digit browser (``slider_demo(partial(
    draw_prediction, images, probs, y_true), index=...)``): the bar of the
    true class is green, the predicted class (when it differs) red, so a
    confident mistake and an honest doubt look different at a glance.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images, dtype=float)
    probs = np.asarray(probs, dtype=float)
    t = as_labels(y_true, "y_true")
    if images.ndim != 3 or probs.ndim != 2 or not images.shape[0] == probs.shape[0] == t.shape[0]:
        raise ValueError(
            "images must be (m, h, w), probs (m, K) and y_true (m,) with the same m; "
            f"got {images.shape}, {probs.shape}, {t.shape}"
        )
    if isinstance(index, bool) or not 0 <= int(index) < len(t):
        raise ValueError(f"index must be an integer in [0, {len(t) - 1}], got {index!r}")
    i = int(index)
    predicted = int(np.argmax(probs[i]))
    colors = ["0.7"] * probs.shape[1]
    colors[predicted] = "C3"
    colors[t[i]] = "C2"
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(8, 3), gridspec_kw={"width_ratios": [1, 2]})
    ax_img.imshow(images[i], cmap="gray_r")
    ax_img.axis("off")
    verdict = "right" if predicted == t[i] else "wrong"
    ax_img.set_title(f"test digit {i}: true {t[i]}, predicted {predicted} ({verdict})", fontsize=10)
    ax_bar.bar(np.arange(probs.shape[1]), probs[i], color=colors)
    ax_bar.set_xticks(np.arange(probs.shape[1]))
    ax_bar.set_ylim(0, 1)
    ax_bar.set_xlabel("class")
    ax_bar.set_ylabel("predicted probability")
    ax_bar.set_title(f"confidence in its answer: {probs[i, predicted]:.1%}", fontsize=10)
    fig.tight_layout()
    return fig
