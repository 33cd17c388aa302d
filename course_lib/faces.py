"""A face detector built from a face / non-face classifier, and the classical detector to compare it with.

Defined in: Chapter 15, "Image recognition".

The classifier learns from ``skimage.data.lfw_subset`` (100 faces from
"Labeled Faces in the Wild" and 100 non-faces, 25×25 grey) plus patches cut
from photographs that contain no face; :func:`course_lib.detection.detect`
turns it into a detector.  :func:`cascade_faces` runs scikit-image's
bundled Viola–Jones-style cascade (local binary patterns, trained by
OpenCV) on the same pictures.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole

WINDOW = 25
#: Photographs without faces (all bundled with scikit-image): where negative patches come from.
BACKGROUNDS = ("brick", "chelsea", "clock", "coffee", "coins", "grass", "gravel", "moon", "page", "rocket", "text")
#: Held out: backgrounds for the pasted-face test scenes, never seen in training.
TEST_BACKGROUNDS = ("hubble_deep_field", "cell", "immunohistochemistry")
#: The faces in the three test photographs, boxed by hand (approximate: a detection with IoU > 0.3 counts).
PHOTO_FACES = {
    "astronaut": [(65, 180, 160, 275)],
    "grace_hopper": [(150, 150, 335, 370)],
    "camera": [(115, 200, 195, 265)],
}


def grey(image) -> np.ndarray:
    """A picture as a 2-D float array in [0, 1] (colour is averaged to grey, an alpha channel dropped).

    Defined in: Chapter 15, "Image recognition".
    """
    from skimage.color import rgb2gray
    from skimage.util import img_as_float

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = image[..., :3]
    if image.ndim == 3 and image.shape[-1] == 3:
        image = rgb2gray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be grey (h, w) or colour (h, w, 3|4), got shape {image.shape}")
    return img_as_float(image) if image.dtype.kind in "ub" else as_float_array(image, "image").clip(0, 1)


def photo(name: str) -> np.ndarray:
    """A bundled photograph as grey floats: a ``skimage.data`` name, or ``"grace_hopper"`` (matplotlib's sample).

    Defined in: Chapter 15, "Image recognition".
    """
    if name == "grace_hopper":
        from importlib.resources import files

        from PIL import Image

        with (files("matplotlib") / "mpl-data" / "sample_data" / "grace_hopper.jpg").open("rb") as f:
            return grey(np.asarray(Image.open(f)))
    import skimage.data

    if not hasattr(skimage.data, name):
        raise ValueError(f"no photograph called {name!r}: use a skimage.data name or 'grace_hopper'")
    return grey(getattr(skimage.data, name)())


def random_patches(image, count: int, rng: np.random.Generator, scales=(0.25, 0.5, 1.0)) -> np.ndarray:
    """``count`` random 25×25 patches of ``image`` at random scales (a picture shrunk by 0.25 shows more in 25 px).

    Defined in: Chapter 15, "Image recognition".
    """
    from skimage.transform import rescale

    count = check_whole(count, "count")
    levels = [rescale(grey(image), s, anti_aliasing=s < 1) for s in scales]
    levels = [lv for lv in levels if min(lv.shape) > WINDOW]
    out = np.empty((count, WINDOW, WINDOW))
    for k in range(count):
        lv = levels[rng.integers(len(levels))]
        r, c = rng.integers(lv.shape[0] - WINDOW), rng.integers(lv.shape[1] - WINDOW)
        out[k] = lv[r : r + WINDOW, c : c + WINDOW]
    return out


def face_data(test_faces: int = 20, negatives: int = 3000, seed: int = 0):
    """Training and test patches: ``(X_train, y_train, X_test_faces)`` with 1 = face.

    Defined in: Chapter 15, "Image recognition".

    The last ``test_faces`` faces of ``lfw_subset`` are held out (for the
    pasted-face scenes).  The training faces are doubled by mirroring;
    the non-faces are lfw_subset's 100 plus ``negatives`` random patches of
    the :data:`BACKGROUNDS`.
    """
    import skimage.data

    lfw = skimage.data.lfw_subset()
    faces, nonfaces = lfw[:100], lfw[100:]
    train_faces, held_out = faces[: 100 - test_faces], faces[100 - test_faces :]
    rng = np.random.default_rng(seed)
    per = -(-negatives // len(BACKGROUNDS))
    patches = np.concatenate([random_patches(photo(n), per, rng) for n in BACKGROUNDS])[:negatives]
    pos = np.concatenate([train_faces, train_faces[:, :, ::-1]])
    neg = np.concatenate([nonfaces, patches])
    X = np.concatenate([pos, neg]).astype("float32")
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]).astype("float32")
    return X, y, held_out


def normalise(patches) -> np.ndarray:
    """Each patch with its mean removed and divided by its spread: ``(n, 25, 25)`` → ``(n, 25, 25, 1)`` float32.

    Defined in: Chapter 15, "Image recognition".

    The classifier then sees the *pattern* of light and dark, not how bright
    or contrasty the photo happens to be.
    """
    patches = as_float_array(patches, "patches", ndim=3)
    centred = patches - patches.mean(axis=(1, 2), keepdims=True)
    return (centred / (patches.std(axis=(1, 2), keepdims=True) + 0.05))[..., None].astype("float32")


def negative_pool(step: int = 5, scales=(0.6, 0.4, 0.27, 0.18, 0.12)) -> np.ndarray:
    """Every 25×25 window of the :data:`BACKGROUNDS` at several scales: where hard negatives are mined.

    Defined in: Chapter 15, "Image recognition".
    """
    from course_lib.detection import sliding_windows

    return np.concatenate([sliding_windows(photo(n), WINDOW, step, scales)[0] for n in BACKGROUNDS])


def pasted_scene(background, faces, rng: np.random.Generator, sizes=(50, 90)):
    """A test picture: ``faces`` (25×25) enlarged to random sizes and pasted onto a face-free background.

    Defined in: Chapter 15, "Image recognition".

    Returns ``(picture, boxes)`` with the true face boxes.  The faces do not overlap.
    """
    from skimage.transform import resize

    picture = grey(background).copy()
    boxes: list[tuple[int, int, int, int]] = []
    for face in faces:
        for _ in range(100):
            size = int(rng.integers(sizes[0], sizes[1] + 1))
            r, c = int(rng.integers(picture.shape[0] - size)), int(rng.integers(picture.shape[1] - size))
            box = (r, c, r + size, c + size)
            if all(box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in boxes):
                picture[r : r + size, c : c + size] = resize(face, (size, size), anti_aliasing=False)
                boxes.append(box)
                break
    return picture, np.array(boxes, dtype=float).reshape(-1, 4)


def cascade_faces(image, min_size: int = 40, max_size: int = 300) -> np.ndarray:
    """Face boxes ``(row0, col0, row1, col1)`` found by scikit-image's bundled LBP cascade.

    Defined in: Chapter 15, "Image recognition".
    """
    import skimage.data
    from skimage.feature import Cascade

    cascade = Cascade(skimage.data.lbp_frontal_face_cascade_filename())
    found = cascade.detect_multi_scale(
        grey(image), scale_factor=1.2, step_ratio=1, min_size=(min_size, min_size), max_size=(max_size, max_size)
    )
    boxes = [(d["r"], d["c"], d["r"] + d["height"], d["c"] + d["width"]) for d in found]
    return np.array(boxes, dtype=float).reshape(-1, 4)


def match(found, truth, threshold: float = 0.3) -> tuple[int, int, int]:
    """``(true positives, false positives, missed)``: a found box counts if its IoU with an unclaimed true box > threshold.

    Defined in: Chapter 15, "Image recognition".
    """
    from course_lib.detection import iou

    found, truth = np.asarray(found, float).reshape(-1, 4), np.asarray(truth, float).reshape(-1, 4)
    claimed = np.zeros(len(truth), bool)
    tp = 0
    for box in found:
        overlaps = [iou(box, t) if not claimed[j] else 0.0 for j, t in enumerate(truth)]
        if overlaps and max(overlaps) > threshold:
            claimed[int(np.argmax(overlaps))] = True
            tp += 1
    return tp, len(found) - tp, int(len(truth) - claimed.sum())


__all__ = [
    "BACKGROUNDS",
    "PHOTO_FACES",
    "TEST_BACKGROUNDS",
    "cascade_faces",
    "face_data",
    "grey",
    "match",
    "negative_pool",
    "normalise",
    "pasted_scene",
    "photo",
    "random_patches",
]
