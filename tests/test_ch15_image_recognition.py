"""Chapter 15: the exercises (connected components, IoU, NMS, occlusion maps) and the plate reader, detector and saliency helpers."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import datasets, detection, faces, plates, saliency
from tests.exercise_helpers import assert_exercise


def iou_areas(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    lo, hi = np.maximum(a[:2], b[:2]), np.minimum(a[2:], b[2:])
    inter = np.prod(np.clip(hi - lo, 0, None))
    union = np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - inter
    return inter / union if union else 0.0


def iou_pixels(a, b):
    """Counts pixels with boolean masks (boxes have whole-number corners in the cases)."""
    size = int(max(a[2], b[2], a[3], b[3])) + 1
    ma, mb = np.zeros((size, size), bool), np.zeros((size, size), bool)
    ma[int(a[0]) : int(a[2]), int(a[1]) : int(a[3])] = True
    mb[int(b[0]) : int(b[2]), int(b[1]) : int(b[3])] = True
    return (ma & mb).sum() / (ma | mb).sum()


def nms_matrix(boxes, scores, threshold):
    boxes = np.asarray(boxes, float)
    n = len(boxes)
    M = np.array([[iou_areas(boxes[i], boxes[j]) for j in range(n)] for i in range(n)])
    alive = np.ones(n, bool)
    keep = []
    for i in sorted(range(n), key=lambda k: (-scores[k], k)):
        if alive[i]:
            keep.append(i)
            alive &= M[i] <= threshold
            alive[i] = False
    return np.array(keep)


def nms_recursive(boxes, scores, threshold, order=None):
    order = list(np.argsort(-np.asarray(scores), kind="stable")) if order is None else order
    if not order:
        return np.array([], dtype=int)
    best, rest = order[0], order[1:]
    rest = [i for i in rest if iou_areas(boxes[best], boxes[i]) <= threshold]
    return np.concatenate([[best], nms_recursive(boxes, scores, threshold, rest)]).astype(int)


def occlusion_loop(predict, image, patch, stride, target):
    image = np.asarray(image, float)
    base = predict(image[None])[0, target]
    out = []
    for r in range(0, image.shape[0] - patch + 1, stride):
        row = []
        for c in range(0, image.shape[1] - patch + 1, stride):
            x = image.copy()
            x[r : r + patch, c : c + patch] = 0.5
            row.append(base - predict(x[None])[0, target])
        out.append(row)
    return np.array(out)


def occlusion_masks(predict, image, patch, stride, target):
    image = np.asarray(image, np.float32)
    h, w = image.shape[:2]
    starts = [(r, c) for r in range(0, h - patch + 1, stride) for c in range(0, w - patch + 1, stride)]
    batch = []
    for r, c in starts:
        mask = np.zeros(image.shape, bool)
        mask[r : r + patch, c : c + patch] = True
        batch.append(np.where(mask, 0.5, image))
    p = predict(np.array([image] + batch))[:, target]
    return (p[0] - p[1:]).reshape((h - patch) // stride + 1, (w - patch) // stride + 1)


def components_bfs(ink):
    """Breadth-first flood fill from each new ink pixel, int32 labels."""
    from collections import deque

    ink = np.asarray(ink, bool)
    h, w = ink.shape
    out = np.zeros((h, w), np.int32)
    n = 0
    for r in range(h):
        for c in range(w):
            if ink[r, c] and not out[r, c]:
                n += 1
                out[r, c] = n
                queue = deque([(r, c)])
                while queue:
                    i, j = queue.popleft()
                    for a in range(max(i - 1, 0), min(i + 2, h)):
                        for b in range(max(j - 1, 0), min(j + 2, w)):
                            if ink[a, b] and not out[a, b]:
                                out[a, b] = n
                                queue.append((a, b))
    return out


def components_union_find(ink):
    """Two-pass labelling: provisional labels, merged with union-find, then renumbered in scan order."""
    ink = np.asarray(ink, bool)
    h, w = ink.shape
    parent = [0]

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    provisional = np.zeros((h, w), int)
    for r in range(h):
        for c in range(w):
            if not ink[r, c]:
                continue
            earlier = [(r - 1, c - 1), (r - 1, c), (r - 1, c + 1), (r, c - 1)]  # neighbours already scanned
            seen = [provisional[a, b] for a, b in earlier if 0 <= a and 0 <= b < w and provisional[a, b]]
            if not seen:
                parent.append(len(parent))
                provisional[r, c] = len(parent) - 1
                continue
            provisional[r, c] = min(root(k) for k in seen)
            for k in seen:
                parent[root(k)] = root(provisional[r, c])
    out, numbers = np.zeros((h, w), np.int64), {}
    for r in range(h):
        for c in range(w):
            if provisional[r, c]:
                out[r, c] = numbers.setdefault(root(provisional[r, c]), len(numbers) + 1)
    return out


def components_scipy(ink):
    from scipy import ndimage

    return ndimage.label(np.asarray(ink, bool), structure=np.ones((3, 3), int))[0]


ALTERNATIVES = {
    "iou": [iou_areas, iou_pixels],
    "label_components": [components_bfs, components_union_find, components_scipy],
    "non_max_suppression": [nms_matrix, nms_recursive],
    "occlusion_map": [occlusion_loop, occlusion_masks],
}
WRONG = {
    "label_components": [
        (lambda ink: int(components_scipy(ink).max()), "wrong_type"),
        (lambda ink: components_scipy(ink).ravel(), "wrong_shape"),
        (lambda ink: components_scipy(ink).T, "wrong_shape"),
        (lambda ink: (components_scipy(ink) > 0).astype(int), "wrong_value"),  # one label for all ink
    ],
    "iou": [(lambda a, b: 1 - iou_areas(a, b), "wrong_value"), (lambda a, b: [iou_areas(a, b)], "wrong_type")],
    "non_max_suppression": [
        (lambda b, s, t: np.arange(len(b)), "wrong_shape"),
        (lambda b, s, t: nms_matrix(b, s, t)[::-1], "wrong_value"),
    ],
    "occlusion_map": [
        (lambda p, x, k, s, t: occlusion_loop(p, x, k, s, t) / 2, "wrong_value"),
        (lambda p, x, k, s, t: occlusion_loop(p, x, k, s, t).ravel(), "wrong_shape"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


@pytest.fixture(scope="module")
def test_digits():
    _, X_test, _, y_test = datasets.load_mnist_subset()
    return datasets.to_images(X_test), y_test


def test_segmentation_finds_every_digit_of_nearly_every_plate(test_digits):
    images, labels = test_digits
    plate_images, texts = plates.make_plates(images, labels, 60, seed=3)
    found = [len(plates.segment(p)) == len(t) for p, t in zip(plate_images, texts)]
    assert np.mean(found) >= 0.95
    assert all(4 <= len(t) <= 6 for t in texts)


def test_a_perfect_classifier_reads_a_clean_plate(test_digits):
    """With the true digits as the 'classifier' output, reading is only as good as segmentation."""
    images, labels = test_digits
    plate_images, texts = plates.make_plates(images, labels, 10, seed=4)
    X, y = plates.labelled_crops(plate_images, texts)
    assert X.shape[1:] == (28, 28) and len(X) == len(y) and X.max() <= 1.0
    order = iter(y)
    reads = plates.read_plates(plate_images[:1], lambda batch: np.eye(10)[[next(order) for _ in batch]])
    assert reads == texts[:1]


def test_shifted_average_looks_at_the_crop_moved_one_pixel_each_way():
    image = np.zeros((1, 5, 5, 1))
    image[0, 2, 2, 0] = 1.0
    seen = plates.shifted_average(lambda batch: batch.reshape(len(batch), -1))(image).reshape(5, 5)
    expected = np.zeros((5, 5))
    expected[2, 2] = expected[1, 2] = expected[3, 2] = expected[2, 1] = expected[2, 3] = 0.2
    np.testing.assert_allclose(seen, expected)
    corner = np.zeros((1, 5, 5, 1))
    corner[0, 0, 0, 0] = 1.0  # ink shifted out of the picture is gone, not wrapped round to the other side
    moved = plates.shifted_average(lambda batch: batch.reshape(len(batch), -1))(corner).reshape(5, 5)
    assert moved[0, 0] == moved[1, 0] == moved[0, 1] == pytest.approx(0.2) and moved.sum() == pytest.approx(0.6)
    with pytest.raises(ValueError, match=r"\(n, height, width, channels\)"):
        plates.shifted_average(lambda batch: batch)(np.zeros((5, 5)))
    with pytest.raises(ValueError, match="pixels"):
        plates.shifted_average(lambda batch: batch, pixels=0)


def test_to_mnist_centres_the_ink_like_mnist():
    crop = np.ones((40, 16))
    crop[5:35, 6:10] = 0.0  # a dark vertical bar: a "1"
    out = plates.to_mnist(crop)
    rows, cols = np.nonzero(out > 0.5)
    assert out.shape == (28, 28) and 3 <= rows.min() and rows.max() <= 24
    assert abs(np.average(np.arange(28), weights=out.sum(axis=1)) - 14) < 0.6


def test_nms_keeps_one_box_per_object():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [51, 50, 61, 60]], float)
    keep = detection.non_max_suppression(boxes, np.array([0.9, 0.95, 0.5, 0.6]), 0.3)
    assert keep.tolist() == [1, 3]


def test_sliding_windows_boxes_are_in_original_pixels():
    image = np.zeros((40, 60))
    image[10:20, 30:40] = 1.0
    patches, boxes = detection.sliding_windows(image, 10, 5, scales=(1.0, 0.5))
    hit = np.flatnonzero(patches.reshape(len(patches), -1).mean(axis=1) == 1.0)
    assert boxes[hit].tolist() == [[10, 30, 20, 40]]
    assert np.allclose((boxes[:, 2:] - boxes[:, :2])[-1], [20, 20])  # a 10-px window at scale 0.5 is 20 px
    found, scores = detection.detect(image, lambda p: p.mean(axis=(1, 2)), 10, 5, (1.0,), min_score=0.9)
    assert found.tolist() == [[10, 30, 20, 40]] and scores.tolist() == [1.0]


def test_the_cascade_finds_the_astronauts_face_and_match_counts_it():
    found = faces.cascade_faces(faces.photo("astronaut"))
    tp, fp, missed = faces.match(found, [[70, 180, 165, 275]])
    assert tp == 1 and missed == 0 and fp == len(found) - 1


def test_face_data_holds_faces_out_and_scenes_hold_their_faces():
    X, y, held = faces.face_data(test_faces=20, negatives=300)
    assert X.shape[1:] == (25, 25) and set(np.unique(y)) == {0.0, 1.0}
    assert y.sum() == 160 and held.shape == (20, 25, 25)
    picture, boxes = faces.pasted_scene(faces.photo("moon"), held[:3], np.random.default_rng(0))
    assert boxes.shape == (3, 4) and picture.shape == (512, 512)


def test_occlusion_map_points_at_the_evidence():
    def predict(batch):  # class 1 = a bright top-left corner
        p = batch[:, :4, :4].mean(axis=(1, 2))
        return np.stack([1 - p, p], axis=1)

    image = np.zeros((12, 12))
    image[:4, :4] = 1.0
    heat = saliency.occlusion_map(predict, image, 4, 4, 1)
    assert heat.shape == (3, 3) and heat[0, 0] == pytest.approx(0.5) and np.all(heat.ravel()[1:] == 0)
    assert saliency.upsample(heat, (12, 12)).shape == (12, 12)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: detection.iou((0, 0, 1), (0, 0, 1, 1)), "last axis 4"),
        (lambda: detection.iou((5, 0, 1, 1), (0, 0, 1, 1)), "row1 >= row0"),
        (lambda: detection.non_max_suppression(np.zeros((2, 4)), [1.0], 0.3), "one value per box"),
        (lambda: detection.non_max_suppression(np.zeros((2, 4)), [1.0, 2.0], 3), "between 0 and 1"),
        (lambda: detection.sliding_windows(np.zeros((5, 5)), 10, 1), "smaller than the window"),
        (lambda: plates.make_plate(np.zeros((3, 20, 20)), np.random.default_rng(0)), "28×28"),
        (lambda: saliency.occlusion_map(lambda b: b, np.zeros((4, 4)), 5, 1, 0), "must fit"),
        (lambda: faces.grey(np.zeros((4, 4, 2))), "grey"),
        (lambda: faces.photo("no such photo"), "no photograph"),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
