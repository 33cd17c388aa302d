"""Figures of Chapter 16, "More applications"."""

from __future__ import annotations

import numpy as np


def draw_reconstructions(originals, rows: dict, side: int = 28, n: int = 8):
    """The first ``n`` originals on top, then one row per codec: ``rows[label] = reconstructions``."""
    import matplotlib.pyplot as plt

    labels = ["original", *rows]
    images = [originals, *rows.values()]
    fig, axes = plt.subplots(len(labels), n, figsize=(1.1 * n + 1.6, 1.15 * len(labels)), squeeze=False)
    for r, (label, batch) in enumerate(zip(labels, images)):
        for c in range(n):
            axes[r, c].imshow(np.asarray(batch[c]).reshape(side, side), cmap="gray", vmin=0, vmax=1)
            axes[r, c].set_xticks([])
            axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout()
    return fig


def draw_rate_distortion(results: dict):
    """PSNR against bits per image: ``results[codec] = [(bits, psnr, label), ...]``, one marker per code."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4))
    for (name, points), marker in zip(results.items(), "osd^"):
        bits, quality = [p[0] for p in points], [p[1] for p in points]
        ax.plot(bits, quality, marker=marker, ls="none", ms=8, label=name)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("bits per image (log scale)")
    ax.set_ylabel("PSNR on test digits (dB)")
    ax.set_title("Quality against size: higher and further left is better")
    ax.legend()
    fig.tight_layout()
    return fig


def draw_ring(ax, cities, ring=None, order=None, title=""):
    """Draw the cities on ``ax``, with the elastic ring (closed, orange) and a tour (blue) when given."""
    ax.scatter(*cities.T, s=12, c="black", zorder=3)
    if ring is not None:
        closed = np.vstack([ring, ring[:1]])
        ax.plot(*closed.T, "-", color="C1", lw=1.2)
    if order is not None:
        path = cities[np.r_[order, order[:1]]]
        ax.plot(*path.T, "-", color="C0", lw=1.2)
    ax.set_title(title, fontsize=10)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])


def draw_ring_snapshots(cities, snapshots: dict):
    """The ring (orange) over the cities at several epochs: ``snapshots[epoch] = ring weights``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(snapshots), figsize=(2.6 * len(snapshots), 2.9), squeeze=False)
    for ax, (epoch, ring) in zip(axes[0], sorted(snapshots.items())):
        draw_ring(ax, cities, ring=ring, title=f"epoch {epoch}")
    fig.tight_layout()
    return fig


def draw_tours(cities, tours: dict, lengths: dict):
    """One panel per tour (blue), titled with its length."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tours), figsize=(3.4 * len(tours), 3.6), squeeze=False)
    for ax, (name, order) in zip(axes[0], tours.items()):
        draw_ring(ax, cities, order=order, title=f"{name}: {lengths[name]:.3f}")
    fig.tight_layout()
    return fig


def draw_forecasts(days, actual, forecasts: dict, title: str):
    """The actual series and each forecast over the same days."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(days, actual, color="black", lw=1.5, label="actual")
    for name, values in forecasts.items():
        ax.plot(days, values, lw=1, label=name)
    ax.set_xlabel("trading day")
    ax.set_ylabel("index points")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def draw_anomaly_scores(scores: dict, is_fault, thresholds: dict):
    """Histograms of each detector's scores for normal and faulty windows, with the alarm threshold."""
    import matplotlib.pyplot as plt

    is_fault = np.asarray(is_fault, bool)
    fig, axes = plt.subplots(1, len(scores), figsize=(4.2 * len(scores), 3.2), squeeze=False)
    for ax, (name, s) in zip(axes[0], scores.items()):
        bins = np.linspace(np.min(s), np.max(s), 40)
        ax.hist(s[~is_fault], bins=bins, alpha=0.6, label="normal", density=True)
        ax.hist(s[is_fault], bins=bins, alpha=0.6, label="faulty", density=True)
        ax.axvline(thresholds[name], color="black", ls="--", lw=1, label="alarm threshold")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("anomaly score")
        ax.set_yticks([])
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig
