"""course_lib.conv_fast, the path the convolutional layers run on, computes what the chapter's conv computes.

Equal to the last bit, not just close: the layers used to run the chapter's functions, so the book's printed
results (and any model trained before) do not change with the faster path.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import conv, conv_fast
from course_lib.conv_layers import Conv2D, Flatten, MaxPooling2D
from course_lib.dense import Dense
from course_lib.model import Sequential
from tests.test_conv import GEOMETRIES as CHAPTER_GEOMETRIES

GEOMETRIES = CHAPTER_GEOMETRIES + [
    # H, W, kh, kw, C_in, C_out, stride, padding
    (11, 7, 3, 3, 1, 5, 1, "valid"),  # one input channel: the other im2col branch
    (11, 7, 3, 3, 1, 5, 2, "same"),
    (13, 10, 5, 5, 4, 3, 2, "same"),
    (6, 6, 3, 3, 2, 1, 1, "same"),  # one output channel: db is summed by sum, not einsum
]
DTYPES = [np.float32, np.float64]


def _case(geometry, dtype, seed=0):
    H, Wd, kh, kw, C, Co, s, pad = geometry
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(3, H, Wd, C)), rng.normal(size=(kh, kw, C, Co)), rng.normal(size=Co)
    return X.astype(dtype), W.astype(dtype), b.astype(dtype), s, pad


def _equal(actual, desired):
    assert actual.dtype == desired.dtype
    np.testing.assert_array_equal(actual, desired)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_im2col_matrix_has_the_entries_of_the_chapters_im2col(geometry, dtype):
    X, W, _, s, pad = _case(geometry, dtype)
    cols = conv_fast.im2col_matrix(X, W.shape[0], W.shape[1], s, pad)
    assert cols.dtype == dtype and cols.flags.c_contiguous
    np.testing.assert_array_equal(cols, conv.im2col(X, W.shape[0], W.shape[1], s, pad))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_fast_conv2d_forward_and_backward_equal_the_chapters_exactly(geometry, dtype):
    X, W, b, s, pad = _case(geometry, dtype)
    Y, cols = conv_fast.conv2d_forward(X, W, b, s, pad)
    _equal(Y, conv.conv2d(X, W, b, s, pad))
    dY = np.random.default_rng(1).normal(size=Y.shape).astype(dtype)
    fast = conv_fast.conv2d_gradients(dY, X.shape, cols, W, s, pad)
    for name, got, want in zip(("dX", "dW", "db"), fast, conv.conv2d_backward(dY, X, W, s, pad)):
        assert got.shape == want.shape, name
        _equal(got, want)
    dX, dW, db = conv_fast.conv2d_gradients(dY, X.shape, cols, W, s, pad, need_dX=False)
    assert dX is None
    np.testing.assert_array_equal(dW, fast[1])
    np.testing.assert_array_equal(db, fast[2])
    Y0, _ = conv_fast.conv2d_forward(X, W, None, s, pad)
    _equal(Y0, conv.conv2d(X, W, None, s, pad))


POOLS = [(8, 2, 2), (7, 3, 2), (9, 2, 1), (26, 2, 2), (7, 2, 3), (5, 3, 1), (6, 1, 1)]  # size, pool, stride


def _pool_case(size, dtype, seed=1):
    rng = np.random.default_rng(seed)
    X = np.maximum(rng.normal(size=(2, size, size, 3)), 0).astype(dtype)  # after ReLU: many tied zeros
    X[1, : size // 2, : size // 2, 1] = 0.5  # ties between positive values too
    return X


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("size", "pool", "stride"), POOLS)
def test_fast_max_pool_and_its_gradient_equal_the_chapters_exactly(size, pool, stride, dtype):
    X = _pool_case(size, dtype)
    Y = conv_fast.max_pool2d_forward(X, pool, stride)
    assert Y.dtype == dtype
    np.testing.assert_array_equal(Y, conv.max_pool2d(X, pool, stride))
    dY = np.random.default_rng(2).normal(size=Y.shape).astype(dtype)
    dX = conv_fast.max_pool2d_gradient(dY, X, Y, pool, stride)
    assert dX.dtype == dtype
    np.testing.assert_array_equal(dX, conv.max_pool2d_backward(dY, X, pool, stride))


@pytest.mark.parametrize(("size", "pool", "stride"), [(8, 2, 2), (9, 2, 1)])
def test_fast_max_pool_treats_nan_and_inf_like_the_chapter(size, pool, stride):
    X = _pool_case(size, np.float64)
    X[0, 1, 1, 0] = np.nan
    Y = conv_fast.max_pool2d_forward(X, pool, stride)
    np.testing.assert_array_equal(Y, conv.max_pool2d(X, pool, stride))
    dY = np.random.default_rng(2).normal(size=Y.shape)
    dY[1, 0, 0, 2] = np.inf
    np.testing.assert_array_equal(
        conv_fast.max_pool2d_gradient(dY, X, Y, pool, stride), conv.max_pool2d_backward(dY, X, pool, stride)
    )


@pytest.mark.tf
@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_fast_conv2d_and_its_gradients_match_tensorflow(geometry):
    tf = pytest.importorskip("tensorflow")
    X, W, b, s, pad = _case(geometry, np.float64)
    Xt, Wt = tf.Variable(X), tf.Variable(W)
    with tf.GradientTape() as tape:
        Yt = tf.nn.conv2d(Xt, Wt, s, pad.upper()) + b
        weights = tf.constant(np.cos(np.arange(np.prod(Yt.shape))).reshape(Yt.shape))
        loss = tf.reduce_sum(Yt * weights)
    dX_t, dW_t = tape.gradient(loss, [Xt, Wt])
    Y, cols = conv_fast.conv2d_forward(X, W, b, s, pad)
    np.testing.assert_allclose(Y, Yt.numpy(), rtol=1e-6, atol=1e-9)
    dX, dW, db = conv_fast.conv2d_gradients(weights.numpy(), X.shape, cols, W, s, pad)
    np.testing.assert_allclose(dX, dX_t.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dW, dW_t.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, weights.numpy().sum(axis=(0, 1, 2)), rtol=1e-12)


def test_the_layers_run_the_fast_path_and_a_float32_cnn_stays_float32():
    model = Sequential(
        [
            Conv2D(3, 3, activation="relu", padding="same"),
            MaxPooling2D(2),
            Conv2D(4, 2, strides=2, activation="tanh"),
            Flatten(),
            Dense(3, activation="softmax"),
        ],
        input_shape=(9, 9, 2),
        seed=0,
        dtype="float32",
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(5, 9, 9, 2)).astype(np.float32), rng.integers(0, 3, 5)
    conv1, pool = model.layers[0], model.layers[1]
    A = conv1.forward(X)
    Z = conv.conv2d(X, conv1.params["W"], conv1.params["b"], 1, "same")
    _equal(A, np.maximum(Z, 0))
    P = pool.forward(A)
    np.testing.assert_array_equal(P, conv.max_pool2d(A, 2))
    dP = rng.normal(size=P.shape).astype(np.float32)
    np.testing.assert_array_equal(pool.backward(dP), conv.max_pool2d_backward(dP, A, 2))
    assert pool.backward(dP, need_dX=False) is None
    assert conv1.backward(np.ones_like(A), need_dX=False) is None
    _, grads = model.compute_gradients(X, y)
    assert model.predict(X).dtype == np.float32
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}, {k: g.dtype for k, g in grads.items()}
