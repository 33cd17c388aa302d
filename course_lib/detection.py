"""Finding objects in a picture: boxes, overlap, sliding windows and non-maximum suppression.

Defined in: Chapter 15, "Image recognition".

A box is ``(row0, col0, row1, col1)`` in pixels, the top-left corner
included and the bottom-right corner excluded, like a numpy slice
``image[row0:row1, col0:col1]``.  A classifier that only answers "face or
not?" for a small patch becomes a *detector* by asking it about every
window of the picture, at several scales, and then keeping only the best of
each cluster of overlapping hits.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_whole


def _boxes(boxes, name: str = "boxes") -> np.ndarray:
    boxes = as_float_array(boxes, name, ndim=(1, 2))
    if boxes.shape[-1] != 4:
        raise ValueError(f"{name} must hold (row0, col0, row1, col1) per box: last axis 4, got shape {boxes.shape}")
    if np.any(boxes[..., 2] < boxes[..., 0]) or np.any(boxes[..., 3] < boxes[..., 1]):
        raise ValueError(f"{name}: every box needs row1 >= row0 and col1 >= col0")
    return boxes


def iou(box_a, box_b) -> float:
    """Intersection over union of two boxes ``(row0, col0, row1, col1)``: 1 for equal boxes, 0 if apart.

    Defined in: Chapter 15, "Image recognition".

    Two empty boxes (zero area) have an IoU of 0.
    """
    a, b = _boxes(box_a, "box_a"), _boxes(box_b, "box_b")
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError("iou compares two single boxes, each of shape (4,)")
    return float(_iou_with(a, b[None])[0])


def non_max_suppression(boxes, scores, threshold: float = 0.3) -> np.ndarray:
    """Indices of the boxes to keep, best score first: each kept box removes the later ones it overlaps.

    Defined in: Chapter 15, "Image recognition".

    Greedy NMS: take the highest-scoring box left, keep it, drop every
    remaining box whose IoU with it is *greater than* ``threshold``; repeat.
    Equal scores keep their original order.
    """
    boxes = _boxes(boxes)
    if boxes.ndim != 2:
        raise ValueError(f"boxes must have shape (n, 4), got {boxes.shape}")
    scores = as_float_array(scores, "scores", ndim=1)
    if len(scores) != len(boxes):
        raise ValueError(f"scores must have one value per box: {len(boxes)}, got {len(scores)}")
    if not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold must be an IoU between 0 and 1, got {threshold}")
    order = np.argsort(-scores, kind="stable")
    keep = []
    while len(order):
        best, order = order[0], order[1:]
        keep.append(best)
        order = order[_iou_with(boxes[best], boxes[order]) <= threshold]
    return np.array(keep, dtype=np.int64)


def _iou_with(box, boxes) -> np.ndarray:
    """IoU of one box with each of ``boxes (n, 4)``: the vectorised form of :func:`iou`."""
    height = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    width = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = height * width
    union = (box[2] - box[0]) * (box[3] - box[1]) + (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def sliding_windows(image, window: int, step: int, scales=(1.0,)):
    """Every ``window × window`` patch of ``image`` at each scale: ``(patches, boxes)``.

    Defined in: Chapter 15, "Image recognition".

    At scale ``s`` the picture is resized by ``s`` (so ``s < 1`` finds objects
    bigger than the window) and the window slides ``step`` pixels at a time.
    ``boxes`` are in the original picture's pixels.
    """
    from skimage.transform import rescale

    image = as_float_array(image, "image", ndim=2)
    window, step = check_whole(window, "window"), check_whole(step, "step")
    patches, boxes = [], []
    for s in scales:
        s = check_positive(s, "scale")
        small = rescale(image, s, anti_aliasing=s < 1) if s != 1 else image
        rows, cols = small.shape
        if rows < window or cols < window:
            continue
        view = np.lib.stride_tricks.sliding_window_view(small, (window, window))[::step, ::step]
        r, c = np.meshgrid(np.arange(view.shape[0]) * step, np.arange(view.shape[1]) * step, indexing="ij")
        patches.append(view.reshape(-1, window, window))
        corner = np.stack([r.ravel(), c.ravel()], axis=1) / s
        boxes.append(np.concatenate([corner, corner + window / s], axis=1))
    if not patches:
        raise ValueError(f"image {image.shape} is smaller than the window ({window}) at every scale")
    return np.concatenate(patches), np.concatenate(boxes)


def detect(image, score_patches, window: int, step: int = 4, scales=(1.0,), min_score=0.5, overlap=0.3):
    """Sliding window + classifier + NMS: ``(boxes, scores)`` of the detections, best first.

    Defined in: Chapter 15, "Image recognition".

    ``score_patches(patches)`` gets an ``(n, window, window)`` array and must
    return one score in [0, 1] per patch.
    """
    patches, boxes = sliding_windows(image, window, step, scales)
    scores = np.asarray(score_patches(patches), dtype=float).reshape(-1)
    if scores.shape != (len(patches),):
        raise ValueError(f"score_patches must return one score per patch ({len(patches)}), got {scores.shape}")
    hit = scores >= min_score
    boxes, scores = boxes[hit], scores[hit]
    keep = non_max_suppression(boxes, scores, overlap) if len(boxes) else np.array([], dtype=int)
    return boxes[keep], scores[keep]


__all__ = ["detect", "iou", "non_max_suppression", "sliding_windows"]
