"""Exercises of Chapter 15, "Image recognition" (connected components, box overlap, non-maximum suppression,
occlusion maps)."""

from __future__ import annotations

import numpy as np

from course_lib import detection, saliency
from course_lib.callable_inputs import ExampleClassifier as _Model
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 15, "Image recognition"'


def _box_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(((10, 10, 50, 40), (30, 20, 70, 60)), "two boxes that overlap partly"),
        Case(((0, 0, 10, 10), (20, 30, 25, 40)), "boxes far apart in both directions"),
        Case(((0, 0, 100, 100), (20, 30, 40, 60)), "one box inside the other"),
        Case(((0, 0, 10, 10), (0, 10, 10, 20)), "boxes that touch along an edge"),
        Case(((5, 5, 25, 45), (5, 5, 25, 45)), "the same box twice"),
        Case(((0, 0, 10, 10), (2, 20, 8, 30)), "overlapping rows, separate columns"),
        Case(_overlapping_boxes(rng), "two boxes that overlap partly, drawn at random"),
        Case(_stacked_boxes(rng), "a box above another, overlapping columns, drawn at random"),
    ]


# Random boxes have whole-number corners (a learner may count pixels with masks) and sides of at least 4, so no
# box is empty and no division is by zero; the order of the two boxes is drawn too (IoU is symmetric).
def _random_box(rng: np.random.Generator, row0: int, col0: int, min_height: int = 4) -> tuple:
    height, width = int(rng.integers(min_height, min_height + 30)), int(rng.integers(4, 34))
    return (row0, col0, row0 + height, col0 + width)


def _in_random_order(rng: np.random.Generator, a: tuple, b: tuple) -> tuple:
    return (a, b) if rng.random() < 0.5 else (b, a)


def _overlapping_boxes(rng: np.random.Generator) -> tuple:
    """b's top-left corner strictly inside a, b reaching below a: a partial overlap, neither box inside the other."""
    a = _random_box(rng, int(rng.integers(0, 40)), int(rng.integers(0, 40)))
    row0, col0 = int(rng.integers(a[0] + 1, a[2])), int(rng.integers(a[1] + 1, a[3]))
    b = _random_box(rng, row0, col0, min_height=a[2] - row0 + 1)
    return _in_random_order(rng, a, b)


def _stacked_boxes(rng: np.random.Generator) -> tuple:
    """b starts 1 to 8 rows below a, its columns overlapping a's: no overlap, but the columns' overlap is positive."""
    a = _random_box(rng, int(rng.integers(0, 40)), int(rng.integers(10, 40)))
    b = _random_box(rng, a[2] + int(rng.integers(1, 9)), int(rng.integers(a[1] - 3, a[3])))
    return _in_random_order(rng, a, b)


def _iou_variant(a, b, *, clamp=True, subtract=True, plus_one=False, over_min=False):
    e = 1 if plus_one else 0
    h = min(a[2], b[2]) - max(a[0], b[0]) + e
    w = min(a[3], b[3]) - max(a[1], b[1]) + e
    inter = max(0, h) * max(0, w) if clamp else h * w
    area_a = (a[2] - a[0] + e) * (a[3] - a[1] + e)
    area_b = (b[2] - b[0] + e) * (b[3] - b[1] + e)
    if over_min:
        return inter / min(area_a, area_b)
    return inter / (area_a + area_b - (inter if subtract else 0))


register(
    "iou",
    chapter=CHAPTER,
    reference=detection.iou,
    cases=_box_cases,
    arg_names=("box_a", "box_b"),
    mistakes=[
        Mistake(
            "no clamping of the overlap",
            lambda a, b: _iou_variant(a, b, clamp=False),
            "When the boxes do not overlap, the overlap's height or width comes out negative (and two negatives "
            "multiply to a positive area): clamp each at 0 with max(0, ...).",
        ),
        Mistake(
            "union without subtracting the intersection",
            lambda a, b: _iou_variant(a, b, subtract=False),
            "The union is area_a + area_b − intersection: the overlap is counted twice otherwise.",
        ),
        Mistake(
            "pixel-inclusive corners",
            lambda a, b: _iou_variant(a, b, plus_one=True),
            "The corner (row1, col1) is excluded, like a slice: the height is row1 − row0, with no + 1.",
        ),
        Mistake(
            "intersection over the smaller area",
            lambda a, b: _iou_variant(a, b, over_min=True),
            "Divide by the union of the two boxes, not by the smaller box's area.",
        ),
    ],
)


def _nms_cases(rng: np.random.Generator) -> list[Case]:
    def cluster(n_objects, per, spread):
        boxes, scores = [], []
        for _ in range(n_objects):
            r, c, s = rng.uniform(0, 200), rng.uniform(0, 200), rng.uniform(20, 50)
            for _ in range(per):
                dr, dc = rng.normal(0, spread, 2)
                boxes.append([r + dr, c + dc, r + dr + s, c + dc + s])
                scores.append(rng.uniform(0.5, 1.0))
        order = rng.permutation(len(boxes))
        return np.round(np.array(boxes)[order], 1), np.round(np.array(scores)[order], 3)

    chain = np.array([[0, 0, 10, 10], [0, 4, 10, 14], [0, 8, 10, 18]], float)
    three = np.array([[40, 40, 50, 50], [0, 0, 10, 10], [1, 1, 11, 11]], float)
    return [
        Case((three, np.array([0.5, 0.3, 0.9]), 0.3), "a lone box, then a weak and a strong detection of one object"),
        Case((*cluster(3, 4, 3.0), 0.3), "three objects, four overlapping detections each"),
        Case((chain, np.array([0.9, 0.8, 0.7]), 0.3), "a chain: the middle box is removed, so the third stays"),
        Case((np.array([[0, 0, 2, 2], [0, 1, 2, 3]], float), np.array([0.9, 0.6]), 1 / 3), "IoU exactly 1/3"),
        Case((*cluster(5, 3, 6.0), 0.5), "five objects, a looser threshold"),
        Case((np.array([[0, 0, 5, 5]], float), np.array([0.2]), 0.3), "a single box"),
    ]


def _nms_variant(boxes, scores, t, *, by_input=False, geq=False, against_all=False, sort_keep=False):
    def overlap(a, b):
        h = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
        w = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        i = h * w
        return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i)

    order = list(range(len(boxes))) if by_input else list(np.argsort(-np.asarray(scores), kind="stable"))
    keep = []
    for pos, i in enumerate(order):
        rivals = order[:pos] if against_all else keep
        if all((overlap(boxes[i], boxes[j]) < t) if geq else (overlap(boxes[i], boxes[j]) <= t) for j in rivals):
            keep.append(i)
    return np.array(sorted(keep) if sort_keep else keep, dtype=np.int64)


register(
    "non_max_suppression",
    chapter=CHAPTER,
    reference=detection.non_max_suppression,
    cases=_nms_cases,
    arg_names=("boxes", "scores", "threshold"),
    mistakes=[
        Mistake(
            "boxes taken in input order",
            lambda b, s, t: _nms_variant(b, s, t, by_input=True),
            "Visit the boxes from the highest score down (np.argsort(-scores)): the best detection of each "
            "object must be the one that survives.",
        ),
        Mistake(
            "suppressed boxes still suppress",
            lambda b, s, t: _nms_variant(b, s, t, against_all=True),
            "Only boxes you KEEP remove others: a box that was itself suppressed must not remove a later one.",
        ),
        Mistake(
            "IoU equal to the threshold removes",
            lambda b, s, t: _nms_variant(b, s, t, geq=True),
            "A box is removed only when its IoU is strictly greater than the threshold; equal to it, it stays.",
        ),
        Mistake(
            "indices sorted instead of by score",
            lambda b, s, t: _nms_variant(b, s, t, sort_keep=True),
            "Return the kept indices in the order you kept them: best score first.",
        ),
    ],
)


def _occlusion_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((_Model("bright-centre"), rng.uniform(0.3, 1, (12, 12)), 4, 2, 1), "12×12 grey, patch 4, stride 2"),
        Case((_Model("linear"), rng.uniform(0, 1, (10, 14)), 3, 3, 2), "10×14 (not square), patch 3, stride 3"),
        Case((_Model("linear"), rng.uniform(0, 1, (8, 9, 3)), 4, 3, 0), "colour 8×9×3, stride 3 leaves a margin"),
        Case((_Model("bright-centre"), np.zeros((6, 6)), 6, 1, 0), "the patch covers the whole picture"),
    ]


def _occlusion_variant(predict, image, patch, stride, target, *, fill=0.5, sign=1, transposed=False, ceil=False):
    image = np.asarray(image, dtype=float)
    h, w = image.shape[:2]
    count = (lambda n: -(-(n - patch) // stride) + 1) if ceil else (lambda n: (n - patch) // stride + 1)
    rows, cols = count(h), count(w)
    base = predict(image[None])[0, target]
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            covered = image.copy()
            r, c = (j, i) if transposed else (i, j)
            covered[r * stride : r * stride + patch, c * stride : c * stride + patch] = fill
            out[i, j] = sign * (base - predict(covered[None])[0, target])
    return out


register(
    "occlusion_map",
    chapter=CHAPTER,
    reference=saliency.occlusion_map,
    cases=_occlusion_cases,
    arg_names=("predict", "image", "patch", "stride", "target"),
    time_limit=10.0,
    mistakes=[
        Mistake(
            "the drop has the wrong sign",
            lambda p, x, k, s, t: _occlusion_variant(p, x, k, s, t, sign=-1),
            "Report p(original) − p(covered): a square that held evidence for the class gives a positive value.",
        ),
        Mistake(
            "covered with black",
            lambda p, x, k, s, t: _occlusion_variant(p, x, k, s, t, fill=0.0),
            "Cover the square with mid-grey (0.5), not black: black is a strong signal of its own.",
        ),
        Mistake(
            "rows and columns swapped",
            lambda p, x, k, s, t: (
                _occlusion_variant(p, x, k, s, t, transposed=True)
                if np.shape(x)[0] == np.shape(x)[1]
                else _occlusion_variant(p, x, k, s, t).T
            ),
            "Entry [i, j] is the square whose top-left corner is at row i·stride and column j·stride.",
        ),
        Mistake(
            "squares that stick out of the picture",
            lambda p, x, k, s, t: _occlusion_variant(p, x, k, s, t, ceil=True),
            "Use only positions where the whole square fits: (h − patch) // stride + 1 of them down.",
        ),
    ],
)


def _label_components(ink):
    """8-connected groups of ink pixels, numbered 1, 2, ... in the order a row-by-row scan meets them; 0 is paper."""
    from skimage.measure import label

    return label(np.asarray(ink, dtype=bool), connectivity=2).astype(np.int64)


def _component_cases(rng: np.random.Generator) -> list[Case]:
    blobs = np.zeros((6, 9), bool)
    blobs[1:3, 1:3] = blobs[3:5, 5:8] = True
    diagonal = np.eye(6, dtype=bool) | np.eye(6, k=3, dtype=bool)
    u_shape = np.zeros((7, 7), bool)
    u_shape[1:6, 1] = u_shape[1:6, 5] = u_shape[5, 1:6] = True  # two arms, joined only at the bottom
    u_shape[0:2, 3] = True  # and a stub between the arms, met before the arms are joined
    edges = np.zeros((6, 8), bool)
    edges[0, 2:5] = edges[5, 3:6] = edges[2:4, 0] = edges[1:4, 7] = True  # ink on all four borders
    random_sparse = rng.random((12, 15)) < 0.35
    random_dense = rng.random((9, 20)) < 0.55
    return [
        Case((blobs,), "two separate blobs"),
        Case((diagonal,), "two diagonal lines: pixels that touch only at a corner"),
        Case((u_shape,), "a U whose arms meet only at the bottom, with a stub between them"),
        Case((edges,), "ink along all four borders of the picture"),
        Case((np.zeros((4, 5), bool),), "no ink at all"),
        Case((np.ones((3, 4), bool),), "ink everywhere"),
        Case((random_sparse,), "random specks, 12×15"),
        Case((random_dense,), "random ink, dense, 9×20"),
    ]


def _flood(ink, *, neighbours, lower_bounds=True, column_scan=False):
    ink = np.asarray(ink, dtype=bool)
    h, w = ink.shape
    out = np.zeros((h, w), dtype=np.int64)
    count = 0
    starts = [(r, c) for c in range(w) for r in range(h)] if column_scan else np.ndindex(h, w)
    for r, c in starts:
        if not ink[r, c] or out[r, c]:
            continue
        count += 1
        out[r, c] = count
        stack = [(r, c)]
        while stack:
            i, j = stack.pop()
            for di, dj in neighbours:
                a, b = i + di, j + dj
                inside = (0 <= a < h and 0 <= b < w) if lower_bounds else (a < h and b < w)
                if inside and ink[a, b] and not out[a, b]:
                    out[a, b] = count
                    stack.append((a, b))
    return out


_EIGHT = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
_FOUR = [(-1, 0), (0, -1), (0, 1), (1, 0)]


def _one_pass(ink):
    """The first pass of two-pass labelling alone: labels that meet later are never merged."""
    ink = np.asarray(ink, dtype=bool)
    h, w = ink.shape
    out = np.zeros((h, w), dtype=np.int64)
    count = 0
    for r, c in np.ndindex(h, w):
        if ink[r, c]:
            seen = [out[r + dr, c + dc] for dr, dc in _EIGHT[:4] if 0 <= r + dr and 0 <= c + dc < w]
            seen = [s for s in seen if s]
            if seen:
                out[r, c] = min(seen)
            else:
                count += 1
                out[r, c] = count
    return out


register(
    "label_components",
    chapter=CHAPTER,
    reference=_label_components,
    cases=_component_cases,
    arg_names=("ink",),
    mistakes=[
        Mistake(
            "four neighbours instead of eight",
            lambda ink: _flood(ink, neighbours=_FOUR),
            "Pixels that touch only at a corner belong to the same group: look at all eight neighbours, the "
            "diagonal ones too (a thin slanted stroke is a chain of corner-to-corner pixels).",
        ),
        Mistake(
            "index −1 wraps round to the far border",
            lambda ink: _flood(ink, neighbours=_EIGHT, lower_bounds=False),
            "A neighbour at row −1 or column −1 is outside the picture, but numpy reads index −1 as the last "
            "row or column: test both bounds, 0 ≤ row < height and 0 ≤ column < width.",
        ),
        Mistake(
            "groups numbered column by column",
            lambda ink: _flood(ink, neighbours=_EIGHT, column_scan=True),
            "Number the groups in the order a row-by-row scan meets them: the top row first, each row from "
            "left to right.",
        ),
        Mistake(
            "numbering starts at 0",
            lambda ink: np.maximum(_flood(ink, neighbours=_EIGHT) - 1, 0),
            "0 marks paper, so the first group is 1: with the count starting at 0, the first group vanishes "
            "into the paper.",
        ),
        Mistake(
            "labels that meet are never merged",
            _one_pass,
            "A group can be met in several places before the scan finds that they join (the two arms of a U): "
            "when two numbers turn out to label one group, it must get a single number. A flood fill from each "
            "new ink pixel avoids the problem.",
        ),
    ],
)
