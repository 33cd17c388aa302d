"""course_lib.datasets: the toy 2-D sets, the real digits and the helpers."""

import numpy as np
import pytest

from course_lib import datasets

TOY = [datasets.xor, datasets.moons, datasets.spirals, datasets.rings]


@pytest.mark.parametrize("make", TOY)
def test_toy_sets_have_the_promised_shapes_and_are_reproducible(make):
    X, y = make(n=101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert abs(int(np.sum(y == 0)) - int(np.sum(y == 1))) <= 1 or make is datasets.xor
    X2, y2 = make(n=101, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(n=101, noise=0.1, seed=4)[0])


@pytest.mark.parametrize("make", TOY)
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 1}, "n must be a whole number"),
        ({"n": 10.5}, "n must be"),
        ({"noise": -0.1}, "noise"),
        ({"seed": -1}, "seed"),
    ],
)
def test_toy_sets_reject_bad_arguments(make, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(**kwargs)


def test_toy_sets_have_their_geometry_without_noise():
    X, y = datasets.xor(n=8, noise=0.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    X, y = datasets.rings(n=100, noise=0.0, radii=(0.5, 1.0, 2.0))
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.array([0.5, 1.0, 2.0])[y])
    X, y = datasets.moons(n=50, noise=0.0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5), 1.0)
    X, y = datasets.spirals(n=50, noise=0.0)
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1.0
    with pytest.raises(ValueError, match="radii"):
        datasets.rings(radii=(1.0,))


def test_one_hot():
    np.testing.assert_array_equal(datasets.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(datasets.one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])
    for bad, message in [
        (([0, 3], 3), "labels 0 .. 2"),
        (([-1], 3), "labels 0 .. 2"),
        (([[0, 1]], 3), r"shape \(m,\)"),
        (([0.5], 3), "integer class labels"),
        (([0], 0), "num_classes"),
        ((None, 3), "integer class labels"),
    ]:
        with pytest.raises(ValueError, match=message):
            datasets.one_hot(*bad)


def test_load_digits_8x8_is_scaled_stratified_and_reproducible():
    X_train, X_test, y_train, y_test = datasets.load_digits_8x8(test_size=0.25, seed=0)
    assert X_train.shape[1] == 64 and len(X_train) + len(X_test) == 1797
    assert len(X_test) == 450
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    share_train = np.bincount(y_train) / len(y_train)
    share_test = np.bincount(y_test) / len(y_test)
    np.testing.assert_allclose(share_train, share_test, atol=0.01)
    np.testing.assert_array_equal(X_test, datasets.load_digits_8x8(test_size=0.25, seed=0)[1])
    with pytest.raises(ValueError, match="test_size"):
        datasets.load_digits_8x8(test_size=1.5)


def test_load_mnist_subset_holds_real_28x28_digits():
    X_train, X_test, y_train, y_test = datasets.load_mnist_subset(test_size=0.2, seed=0)
    assert X_train.shape == (4000, 784) and X_test.shape == (1000, 784)
    assert 0.0 <= X_train.min() and X_train.max() <= 1.0 and X_train.max() > 0.99
    np.testing.assert_array_equal(np.bincount(y_test), np.full(10, 100))
    images = datasets.to_images(X_train[:3])
    assert images.shape == (3, 28, 28)
    # Real handwriting: ink in the centre, an almost empty border.
    mean = datasets.to_images(X_train).mean(axis=0)
    assert mean[10:18, 10:18].mean() > 5 * mean[:3].mean()
    X_train[0, 0] = 5.0  # the caller's copy is theirs; the cached data stay intact
    assert datasets.load_mnist_subset()[0].max() <= 1.0


def test_to_images_and_train_test_split():
    assert datasets.to_images(np.zeros(64)).shape == (8, 8)
    assert datasets.to_images(np.zeros((2, 16)), side=4).shape == (2, 4, 4)
    with pytest.raises(ValueError, match="side"):
        datasets.to_images(np.zeros((2, 12)))
    X, y = np.arange(20.0).reshape(10, 2), np.array([0, 1] * 5)
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X, y, test_size=0.2, seed=0)
    assert len(X_te) == 2 and sorted(y_te) == [0, 1]
    with pytest.raises(ValueError, match="same number of samples"):
        datasets.train_test_split(X, y[:-1])


def test_keras_cache_is_seeded_from_local_copies_without_overwriting(tmp_path, monkeypatch):
    from course_lib import keras_cache

    fashion, data = tmp_path / "deb", tmp_path / "data"
    fashion.mkdir()
    data.mkdir()
    for name in keras_cache.FASHION_MNIST_FILES:
        (fashion / name).write_bytes(b"fashion " + name.encode())
    (data / keras_cache.CATS_AND_DOGS_ZIP).write_bytes(b"zip")
    (data / keras_cache.SHAKESPEARE_TXT).write_text("First Citizen:")
    (data / keras_cache.MOBILENET_V2_NO_TOP).write_bytes(b"weights")
    (data / keras_cache.REAL_WORDS_NPZ).write_bytes(b"voices")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    cache = keras_cache.keras_datasets_dir()
    assert cache == tmp_path / "keras" / "datasets"
    copied = keras_cache.seed_keras_cache(data, fashion)
    assert len(copied) == 8
    assert (cache / keras_cache.REAL_WORDS_NPZ).read_bytes() == b"voices"
    assert (cache / keras_cache.SHAKESPEARE_TXT).read_text() == "First Citizen:"
    assert (tmp_path / "keras" / "models" / keras_cache.MOBILENET_V2_NO_TOP).read_bytes() == b"weights"
    assert (cache / "fashion-mnist" / "t10k-images-idx3-ubyte.gz").read_bytes() == b"fashion t10k-images-idx3-ubyte.gz"
    (cache / keras_cache.CATS_AND_DOGS_ZIP).write_bytes(b"the learner's own download")
    assert keras_cache.seed_keras_cache(data, fashion) == [], "files already cached are left alone"
    assert (cache / keras_cache.CATS_AND_DOGS_ZIP).read_bytes() == b"the learner's own download"
    assert keras_cache.seed_keras_cache(tmp_path / "nowhere", tmp_path / "nothing") == []
