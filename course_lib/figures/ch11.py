"""Figures of Chapter 11, "Convolutional networks".

Defined in: Chapter 11, "Convolutional networks".

Drawing code only; the numbers come from :mod:`course_lib.conv` and the models.
"""

from __future__ import annotations

import numpy as np


def _show(ax, image, title=None, cmap="gray"):
    image = np.asarray(image, dtype=float)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        ax.imshow(image, cmap=cmap)
    else:
        ax.imshow(np.clip(image, 0, 1))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def draw_images(images, titles=None, ncols: int = 6, size: float = 1.7, suptitle: str | None = None, cmap="gray"):
    """A grid of images (grey ``(h, w)`` or colour ``(h, w, 3)`` in [0, 1]) with optional titles; returns the figure."""
    import matplotlib.pyplot as plt

    n = len(images)
    ncols = max(1, min(ncols, n))
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.35), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, ax in enumerate(axes.ravel()[:n]):
        ax.axis("on")
        _show(ax, images[i], None if titles is None else titles[i], cmap=cmap)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def draw_filter_responses(image, responses, titles, kernels=None, ncols: int = 3):
    """A photo followed by what each filter makes of it, in a grid, with each small kernel's numbers under its response."""
    import matplotlib.pyplot as plt

    panels = [(image, "photo", None)] + [
        (r, t, None if kernels is None else np.asarray(kernels[i])) for i, (r, t) in enumerate(zip(responses, titles))
    ]
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 3.0 * nrows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (picture, title, k) in zip(axes.ravel(), panels):
        ax.axis("on")
        _show(ax, picture, title)
        if k is not None and k.size <= 9:
            ax.set_xlabel("\n".join(" ".join(f"{v:+.2g}" for v in row) for row in k), fontsize=8, family="monospace")
    fig.tight_layout()
    return fig


def draw_output_size(image, output, kernel_size: int, stride: int, padding: str):
    """An image and a filter's output side by side, drawn at the same scale so the size change is visible."""
    import matplotlib.pyplot as plt

    H, W = image.shape[:2]
    h, w = output.shape[:2]
    fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.6), gridspec_kw={"width_ratios": [W, max(w, 1)]})
    _show(axes[0], image, f"input {H}×{W}")
    _show(axes[1], output, f"output {h}×{w}  (k={kernel_size}, s={stride}, {padding})")
    fig.tight_layout()
    return fig


def draw_kernels(W, title: str = "Learned 3×3 filters", ncols: int = 8):
    """The kernels of a first convolution layer, ``W`` of shape (kh, kw, 1, filters), as small images in a grid."""
    import matplotlib.pyplot as plt

    W = np.asarray(W, dtype=float)
    n = W.shape[-1]
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.2 * nrows + 0.5), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for j, ax in enumerate(axes.ravel()[:n]):
        k = W[:, :, 0, j]
        lim = np.abs(k).max() or 1.0
        ax.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(f"{j}", fontsize=8)
    fig.suptitle(title + " (red +, blue −)", fontsize=10)
    fig.tight_layout()
    return fig


def draw_feature_maps(images: dict, maps: dict, n: int = 8, title: str = "Feature maps", channels=None):
    """One row per named input: the input, then channels of its feature maps ``(h, w, C)``.

    ``channels`` lists the channel indices to show (default: the first ``n``);
    each map is scaled on its own, so weak and strong channels are both visible.
    """
    import matplotlib.pyplot as plt

    names = list(images)
    first = np.asarray(maps[names[0]])
    channels = list(range(min(n, first.shape[-1]))) if channels is None else [int(c) for c in channels]
    k = len(channels)
    fig, axes = plt.subplots(len(names), k + 1, figsize=(1.6 * (k + 1), 1.7 * len(names) + 0.4), squeeze=False)
    for row, name in zip(axes, names):
        _show(row[0], images[name], name)
        fmap = np.asarray(maps[name], dtype=float)
        for ax, c in zip(row[1:], channels):
            _show(ax, fmap[..., c], f"channel {c}", cmap="viridis")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def draw_stride_padding_demo(kernel_size: int = 5, stride: int = 2, padding: str = "valid"):
    """A k×k box blur of a bundled photo with the chosen stride and padding, input and output at the same scale."""
    from skimage import color, data, transform

    from course_lib import conv

    photo = transform.rescale(color.rgb2gray(data.chelsea()), 0.25, anti_aliasing=True)
    k = int(kernel_size)
    W = np.full((k, k, 1, 1), 1.0 / (k * k))
    out = conv.conv2d(photo[None, :, :, None], W, np.zeros(1), stride=int(stride), padding=padding)[0, :, :, 0]
    return draw_output_size(photo, out, k, int(stride), padding)
