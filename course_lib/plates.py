"""Reading a number written in several handwritten digits: make a "plate", segment it, classify each digit.

Defined in: Chapter 15, "Image recognition".

A plate is a grey picture with real 28×28 MNIST digits written on it side by
side, on a noisy, unevenly lit background, slightly rotated.  Reading it is
three steps: *segment* (find the ink blobs with connected components and put
the pieces of one digit together), *normalise* each blob the way MNIST was
made (fit into 20×20, centre of mass at the middle of 28×28), *classify*
each with a CNN and join the answers left to right.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole


def make_plate(digits, rng: np.random.Generator, max_angle: float = 6.0, noise: float = 0.08) -> np.ndarray:
    """A plate picture (float in [0, 1], dark ink on light paper) showing the given ``(n, 28, 28)`` digits.

    Defined in: Chapter 15, "Image recognition".

    Each digit is jittered up or down by a few pixels, the gaps between
    digits vary, the paper gets a brightness gradient and Gaussian noise, and
    the whole plate is rotated by up to ``max_angle`` degrees.
    """
    from skimage.transform import rotate

    digits = as_float_array(digits, "digits", ndim=3)
    if digits.shape[1:] != (28, 28):
        raise ValueError(f"digits must be 28×28 images, shape (n, 28, 28); got {digits.shape}")
    n = len(digits)
    gaps = rng.integers(-4, 3, size=n)  # MNIST digits carry 4 px of empty border each side
    width = 12 + n * 28 + int(gaps.sum()) + 12
    ink = np.zeros((52, width))
    col = 12
    for digit, gap in zip(digits, gaps):
        row = 12 + int(rng.integers(-3, 4))
        ink[row : row + 28, col : col + 28] = np.maximum(ink[row : row + 28, col : col + 28], digit)
        col += 28 + int(gap)
    ink = rotate(ink, rng.uniform(-max_angle, max_angle), mode="constant", cval=0.0, order=1)
    rows, cols = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]]
    paper = 0.85 + 0.1 * (cols / cols.max() - 0.5) * rng.choice([-1, 1]) + 0.05 * rows / rows.max()
    plate = paper * (1 - 0.8 * ink) + rng.normal(0, noise, ink.shape)
    return np.clip(plate, 0.0, 1.0)


def make_plates(images, labels, count: int, length=(4, 6), seed: int = 0):
    """``count`` plates built from ``images (m, 28, 28)``: ``(plates, texts)``; each plate has 4–6 digits.

    Defined in: Chapter 15, "Image recognition".
    """
    images = as_float_array(images, "images", ndim=3)
    labels = np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have one digit per image ({len(images)}), got shape {labels.shape}")
    count = check_whole(count, "count")
    rng = np.random.default_rng(seed)
    plates, texts = [], []
    for _ in range(count):
        pick = rng.choice(len(images), size=int(rng.integers(length[0], length[1] + 1)), replace=False)
        plates.append(make_plate(images[pick], rng))
        texts.append("".join(str(int(d)) for d in labels[pick]))
    return plates, texts


def segment(plate, min_area: int = 20) -> list[tuple[int, int, int, int]]:
    """The boxes ``(row0, col0, row1, col1)`` of the characters on a plate, left to right.

    Defined in: Chapter 15, "Image recognition".

    Dark pixels (Otsu's threshold after a light blur) are grouped into
    connected components; specks smaller than ``min_area`` pixels are noise.
    Components that overlap horizontally by more than half of the narrower
    one, or that overlap at all when one is a short fragment (the detached
    top bar of a 5) or together they are no wider than tall, are pieces of
    the same digit and are merged.
    """
    from skimage.filters import gaussian, threshold_otsu
    from skimage.measure import label, regionprops

    plate = as_float_array(plate, "plate", ndim=2)
    smooth = gaussian(plate, sigma=1.0)
    if smooth.max() - smooth.min() < 1e-6:
        return []
    ink = smooth < threshold_otsu(smooth)
    boxes = [r.bbox for r in regionprops(label(ink, connectivity=2)) if r.area >= min_area]
    boxes.sort(key=lambda b: b[1])
    merged: list[list[int]] = []
    for r0, c0, r1, c1 in boxes:
        if merged:
            m = merged[-1]
            overlap = min(c1, m[3]) - max(c0, m[1])
            fragment = min(r1 - r0, m[2] - m[0]) < 0.6 * max(r1 - r0, m[2] - m[0])
            narrow = max(c1, m[3]) - min(c0, m[1]) < 1.1 * (max(r1, m[2]) - min(r0, m[0]))
            if overlap > 0.5 * min(c1 - c0, m[3] - m[1]) or (overlap > 0 and (fragment or narrow)):
                merged[-1] = [min(r0, m[0]), min(c0, m[1]), max(r1, m[2]), max(c1, m[3])]
                continue
        merged.append([r0, c0, r1, c1])
    return [tuple(int(v) for v in m) for m in merged]


def to_mnist(crop) -> np.ndarray:
    """One character crop (dark ink on light) → a 28×28 MNIST-style image (light ink on black, in [0, 1]).

    Defined in: Chapter 15, "Image recognition".

    Like MNIST itself: the ink is scaled to fit a 20×20 box keeping its
    aspect ratio, then placed so that its centre of mass is at the centre of
    the 28×28 image.
    """
    from scipy import ndimage
    from skimage.transform import resize

    crop = as_float_array(crop, "crop", ndim=2)
    ink = np.clip((np.median(crop) - crop) / max(np.median(crop) - crop.min(), 1e-6), 0, 1)
    h, w = ink.shape
    scale = 20.0 / max(h, w)
    small = resize(ink, (max(1, round(h * scale)), max(1, round(w * scale))), anti_aliasing=True)
    out = np.zeros((28, 28))
    top, left = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    if out.sum() > 0:
        cy, cx = ndimage.center_of_mass(out)
        out = ndimage.shift(out, (14.0 - cy, 14.0 - cx), order=1, mode="constant")
    return np.clip(out, 0, 1)


def crops(plate, min_area: int = 20) -> np.ndarray:
    """Every character of ``plate``, left to right, as MNIST-style images: shape ``(n, 28, 28)``.

    Defined in: Chapter 15, "Image recognition".
    """
    plate = as_float_array(plate, "plate", ndim=2)
    return np.array([to_mnist(plate[r0:r1, c0:c1]) for r0, c0, r1, c1 in segment(plate, min_area)]).reshape(-1, 28, 28)


def labelled_crops(plates, texts):
    """Crops of the plates whose segmentation found as many characters as the text has, with their digits.

    Defined in: Chapter 15, "Image recognition".

    Training the classifier on crops that went through the same segmentation
    and normalisation as the crops it will read removes a mismatch between
    training and use.  Returns ``(images (n, 28, 28), digits (n,))``.
    """
    images, digits = [], []
    for plate, text in zip(plates, texts):
        found = crops(plate)
        if len(found) == len(text):
            images.append(found)
            digits += [int(ch) for ch in text]
    return np.concatenate(images).reshape(-1, 28, 28), np.array(digits, dtype=np.int64)


def read_plates(plates, classify) -> list[str]:
    """The digits written on each plate, as strings: segment, normalise, classify (one batch), join.

    Defined in: Chapter 15, "Image recognition".

    ``classify(images)`` gets an ``(n, 28, 28, 1)`` float32 array and returns
    class probabilities ``(n, 10)`` (a Keras model's ``predict`` does).
    """
    per_plate = [crops(p) for p in plates]
    counts = [len(c) for c in per_plate]
    if sum(counts) == 0:
        return [""] * len(plates)
    probs = np.asarray(classify(np.concatenate(per_plate)[..., None].astype("float32")))
    if probs.shape != (sum(counts), 10):
        raise ValueError(f"classify must return (n, 10) probabilities for n = {sum(counts)} crops, got {probs.shape}")
    digits = "".join(str(int(k)) for k in probs.argmax(axis=1))
    ends = np.cumsum(counts)
    return [digits[e - n : e] for e, n in zip(ends, counts)]


def shifted_average(classify, pixels: int = 1):
    """A ``classify`` that also looks at each crop moved by ``pixels`` up, down, left and right and averages the five answers.

    Defined in: Chapter 15, "Image recognition".

    This is *test-time augmentation*: a character the classifier is unsure
    about gets five slightly different looks, and a mistake that depends on
    the exact position of the ink is outvoted.  The shifted-in border is black
    (no ink), as around an MNIST digit.  It costs five classifications per crop.
    """
    step = check_whole(pixels, "pixels")

    def shift(batch, dy: int, dx: int):
        padded = np.pad(batch, ((0, 0), (step, step), (step, step), (0, 0)))
        rows, cols = batch.shape[1], batch.shape[2]
        return padded[:, step - dy : step - dy + rows, step - dx : step - dx + cols]

    def averaged(batch):
        batch = np.asarray(batch)
        if batch.ndim != 4:
            raise ValueError(f"expected a batch of images (n, height, width, channels), got shape {batch.shape}")
        moves = [(0, 0), (step, 0), (-step, 0), (0, step), (0, -step)]
        return np.mean([np.asarray(classify(shift(batch, dy, dx))) for dy, dx in moves], axis=0)

    return averaged


__all__ = [
    "crops",
    "labelled_crops",
    "make_plate",
    "make_plates",
    "read_plates",
    "segment",
    "shifted_average",
    "to_mnist",
]
