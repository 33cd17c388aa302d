"""Tests for course_lib.transfer (Chapter 11, "Transfer learning on the real photos")."""

import numpy as np
import pytest
from PIL import Image

from course_lib import transfer


def _photo_folder(tmp_path, sizes=((120, 90), (64, 64), (200, 150))):
    rng = np.random.default_rng(0)
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
        for i, (w, h) in enumerate(sizes):
            pixels = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / name / f"{name}.{i}.jpg", quality=95)
    return tmp_path


def test_load_photos_shapes_labels_and_range(tmp_path):
    folder = _photo_folder(tmp_path)
    X, y = transfer.load_photos(str(folder), 32)
    assert X.shape == (6, 32, 32, 3) and X.dtype == np.float32
    assert y.tolist() == [0, 0, 0, 1, 1, 1]
    assert 0.0 <= X.min() and X.max() <= 1.0


def test_load_photos_matches_a_plain_resize_of_a_smooth_photo(tmp_path):
    # A smooth gradient: shrinking while decoding (draft mode) must give nearly what a full decode and resize gives.
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
    ramp = np.linspace(0, 255, 256)
    pixels = np.stack(np.broadcast_arrays(ramp[None, :], ramp[:, None], np.full((256, 256), 128.0)), axis=-1)
    Image.fromarray(pixels.astype(np.uint8)).save(tmp_path / "cats" / "a.jpg", quality=95)
    Image.fromarray(pixels.astype(np.uint8)).save(tmp_path / "dogs" / "b.jpg", quality=95)
    X, _ = transfer.load_photos(str(tmp_path), 64)
    reference = np.asarray(Image.fromarray(pixels.astype(np.uint8)).resize((64, 64), Image.BILINEAR)) / 255.0
    assert np.abs(X[0] - reference).mean() < 0.02


def test_load_photos_rejects_bad_side_and_empty_folders(tmp_path):
    for name in ("cats", "dogs"):
        (tmp_path / name).mkdir()
    with pytest.raises(ValueError):
        transfer.load_photos(str(tmp_path), 32)
    with pytest.raises(ValueError):
        transfer.load_photos(str(tmp_path), 0)


def test_extract_features_equals_one_call_in_any_batch_size():
    X = np.random.default_rng(1).normal(size=(23, 4, 4, 3))
    W = np.random.default_rng(2).normal(size=(3, 5))

    def predict(batch):
        return np.maximum(batch @ W, 0).mean(axis=(1, 2))

    for batch_size in (1, 5, 23, 100):
        np.testing.assert_allclose(transfer.extract_features(predict, X, batch_size), predict(X))
    with pytest.raises(ValueError):
        transfer.extract_features(lambda b: b[:1], X, 5)
    with pytest.raises(ValueError):
        transfer.extract_features(predict, X[:0])


def test_extract_features_matches_a_keras_model_predict():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3), keras.layers.GlobalAveragePooling2D()])
    X = np.random.default_rng(3).normal(size=(37, 8, 8, 3)).astype("float32")
    got = transfer.extract_features(lambda b: model.predict(b, verbose=0), X, batch_size=10)
    np.testing.assert_allclose(got, model.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_stretch_indices_passes_are_permutations():
    order = transfer.stretch_indices(7, 30, seed=0)
    assert len(order) == 30
    for start in range(0, 28, 7):
        assert sorted(order[start : start + 7].tolist()) == list(range(7))
    counts = np.bincount(order, minlength=7)
    assert counts.max() - counts.min() <= 1
    np.testing.assert_array_equal(order, transfer.stretch_indices(7, 30, seed=0))
    assert len(transfer.stretch_indices(4000, 100)) == 100
    assert len(set(transfer.stretch_indices(4000, 100).tolist())) == 100
    with pytest.raises(ValueError):
        transfer.stretch_indices(0, 10)


def test_most_confident_mistakes():
    p = np.array([0.9, 0.2, 0.6, 0.01, 0.55, 0.45])
    y = np.array([0, 1, 1, 1, 0, 0])
    # wrong: 0 (0.9 vs cat), 1 (0.2 vs dog), 3 (0.01 vs dog), 4 (0.55 vs cat)
    assert transfer.most_confident_mistakes(p, y, k=10).tolist() == [3, 0, 1, 4]
    assert transfer.most_confident_mistakes(p, y, k=2).tolist() == [3, 0]
    with pytest.raises(ValueError):
        transfer.most_confident_mistakes(p, y[:3])
