"""Convolution, pooling and the convolutional layers: parity with TensorFlow, gradient checks, validation."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import conv
from course_lib.conv_layers import Conv2D, Flatten, MaxPooling2D
from course_lib.dense import Dense
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.model import Sequential

GEOMETRIES = [
    # H, W, kh, kw, C_in, C_out, stride, padding
    (7, 8, 3, 3, 2, 4, 1, "valid"),
    (7, 8, 3, 3, 2, 4, 2, "same"),
    (6, 5, 2, 3, 3, 2, 2, "valid"),
    (5, 5, 4, 4, 1, 3, 3, "same"),
    (9, 9, 3, 3, 2, 2, 1, "same"),
    (8, 8, 1, 1, 3, 2, 2, "valid"),
]


def _case(geometry, seed=0):
    H, Wd, kh, kw, C, Co, s, pad = geometry
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, H, Wd, C)), rng.normal(size=(kh, kw, C, Co)), rng.normal(size=Co), s, pad


@pytest.mark.tf
@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_conv2d_and_its_gradients_match_tensorflow(geometry):
    tf = pytest.importorskip("tensorflow")
    X, W, b, s, pad = _case(geometry)
    Xt, Wt = tf.Variable(X), tf.Variable(W)
    with tf.GradientTape() as tape:
        Yt = tf.nn.conv2d(Xt, Wt, s, pad.upper()) + b
        weights = tf.constant(np.cos(np.arange(np.prod(Yt.shape))).reshape(Yt.shape))
        loss = tf.reduce_sum(Yt * weights)
    dX_t, dW_t = tape.gradient(loss, [Xt, Wt])
    Y = conv.conv2d(X, W, b, s, pad)
    np.testing.assert_allclose(Y, Yt.numpy(), rtol=1e-6, atol=1e-9)
    dX, dW, db = conv.conv2d_backward(weights.numpy(), X, W, s, pad)
    np.testing.assert_allclose(dX, dX_t.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dW, dW_t.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, weights.numpy().sum(axis=(0, 1, 2)), rtol=1e-12)


@pytest.mark.tf
@pytest.mark.parametrize(("size", "pool", "stride"), [(8, 2, None), (7, 3, 2), (9, 2, 1)])
def test_max_pool_and_its_gradient_match_tensorflow(size, pool, stride):
    tf = pytest.importorskip("tensorflow")
    X = np.random.default_rng(1).normal(size=(2, size, size, 3))
    Xt = tf.Variable(X)
    with tf.GradientTape() as tape:
        Yt = tf.nn.max_pool2d(Xt, pool, stride or pool, "VALID")
        weights = tf.constant(np.sin(np.arange(np.prod(Yt.shape))).reshape(Yt.shape))
        loss = tf.reduce_sum(Yt * weights)
    np.testing.assert_array_equal(conv.max_pool2d(X, pool, stride), Yt.numpy())
    np.testing.assert_allclose(
        conv.max_pool2d_backward(weights.numpy(), X, pool, stride), tape.gradient(loss, Xt).numpy()
    )


@pytest.mark.parametrize("geometry", GEOMETRIES[:4])
def test_conv2d_gradients_pass_the_finite_difference_check(geometry):
    X, W, b, s, pad = _case(geometry, seed=2)
    G = np.random.default_rng(3).normal(size=conv.conv2d(X, W, b, s, pad).shape)

    def loss(P):
        return float(np.sum(conv.conv2d(P["X"], P["W"], P["b"], s, pad) * G))

    numeric = numerical_gradient(loss, {"X": X, "W": W, "b": b})
    dX, dW, db = conv.conv2d_backward(G, X, W, s, pad)
    for name, analytic in (("X", dX), ("W", dW), ("b", db)):
        assert relative_error(analytic, numeric[name]) < 1e-6, name


def test_im2col_is_one_matrix_product():
    X, W, b, s, pad = _case(GEOMETRIES[1])
    cols = conv.im2col(X, 3, 3, s, pad)
    assert cols.shape == (2, 4, 4, 3 * 3 * 2)
    np.testing.assert_allclose(cols @ conv.kernel_matrix(W) + b, conv.conv2d(X, W, b, s, pad))


def test_im2col_rows_run_over_window_rows_then_columns_then_channels():
    X = np.arange(2 * 4 * 5 * 3, dtype=float).reshape(2, 4, 5, 3)
    cols = conv.im2col(X, 2, 3, stride=1)
    np.testing.assert_array_equal(cols[1, 2, 1], X[1, 2:4, 1:4, :].reshape(-1))


def test_output_sizes_and_same_padding_split():
    assert conv.conv_output_size(28, 3) == 26
    assert conv.conv_output_size(28, 3, 2, "same") == 14
    assert conv.conv_output_size(7, 2, 2) == 3
    assert conv.same_padding(5, 4, 1) == (1, 2)  # TensorFlow puts the odd pixel after


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.conv2d(np.ones((2, 5, 5)), np.ones((3, 3, 1, 1)), np.ones(1)), "X must be 4-D"),
        (
            lambda: conv.conv2d(np.ones((2, 5, 5, 3)), np.ones((3, 3, 2, 1)), np.ones(1)),
            r"W must have shape \(kh, kw, 3",
        ),
        (lambda: conv.conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 2)), np.ones(3)), r"b must have shape \(2,\)"),
        (lambda: conv.conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 1)), None, padding="full"), "padding"),
        (lambda: conv.conv2d(np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 1)), None, stride=0), "stride"),
        (lambda: conv.conv2d(np.ones((2, 2, 2, 1)), np.ones((3, 3, 1, 1)), None), "does not fit"),
        (lambda: conv.max_pool2d(np.ones((1, 1, 1, 1)), 2), "does not fit"),
        (lambda: conv.conv2d_backward(np.ones((2, 2, 2, 1)), np.ones((2, 5, 5, 1)), np.ones((3, 3, 1, 1))), "dY must"),
        (lambda: Conv2D(8, (3, 5)), "pair of equal"),
        (lambda: Sequential([Dense(3)], input_shape=(4, 4, 1)), "Flatten"),
        (lambda: Sequential([Conv2D(2)], input_shape=(10,)), r"\(H, W, C\)"),
    ],
)
def test_bad_shapes_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _small_cnn(dtype="float64"):
    return Sequential(
        [
            Conv2D(3, 3, activation="relu", padding="same"),
            MaxPooling2D(2),
            Conv2D(4, 2, strides=2, activation="tanh"),
            Flatten(),
            Dense(3, activation="softmax"),
        ],
        input_shape=(8, 8, 2),
        seed=0,
        dtype=dtype,
    )


@pytest.mark.tf
def test_a_cnn_matches_keras_forward_and_backward():
    tf = pytest.importorskip("tensorflow")
    from course_lib.keras_bridge import to_keras

    model = _small_cnn()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(5, 8, 8, 2)), rng.integers(0, 3, 5)
    clone = to_keras(model)
    np.testing.assert_allclose(model.predict(X), clone.predict(X, verbose=0), rtol=1e-6, atol=1e-9)
    _, grads = model.compute_gradients(X, y)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, clone(X)))
    theirs = tape.gradient(loss, clone.trainable_variables)
    ours = [grads[k] for k in model.params]
    for a, b_ in zip(ours, theirs):
        np.testing.assert_allclose(a, b_.numpy(), rtol=1e-5, atol=1e-8)


def test_cnn_gradients_pass_the_finite_difference_check():
    model = _small_cnn()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(4, 8, 8, 2)), rng.integers(0, 3, 4)
    _, analytic = model.compute_gradients(X, y)
    Y = np.eye(3)[y]

    def loss(P):
        for key, value in P.items():
            model.params[key][...] = value
        return model._loss_value(model._forward(X), Y)

    saved = {k: v.copy() for k, v in model.params.items()}
    numeric = numerical_gradient(loss, saved)
    for key in saved:
        assert relative_error(analytic[key], numeric[key]) < 1e-6, key


def test_a_small_cnn_learns_the_8x8_digits():
    from course_lib import datasets

    X_train, X_test, y_train, y_test = datasets.load_digits_8x8(test_size=0.25, seed=0)
    model = Sequential(
        [Conv2D(8, 3, activation="relu", padding="same"), MaxPooling2D(), Flatten(), Dense(10, activation="softmax")],
        seed=0,
    )
    from course_lib import optim

    model.compile(optimizer=optim.Adam(learning_rate=0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X_train.reshape(-1, 8, 8, 1), y_train, epochs=10, verbose=0)
    _, accuracy = model.evaluate(X_test.reshape(-1, 8, 8, 1), y_test)
    assert accuracy >= 0.93
    assert model.count_params() == 3 * 3 * 1 * 8 + 8 + 4 * 4 * 8 * 10 + 10


def test_random_shift_moves_each_image_by_at_most_max_shift_and_keeps_the_input():
    from course_lib.augment import random_shift

    X = np.zeros((50, 9, 9, 2))
    X[:, 4, 4, :] = 1.0
    before = X.copy()
    Y = random_shift(X, max_shift=2, seed=3)
    np.testing.assert_array_equal(X, before)
    offsets = set()
    for img in Y:
        pos = np.argwhere(img[..., 0] == 1.0)
        assert len(pos) == 1 and img.sum() == 2.0, "a shift by ≤ 2 keeps the centre pixel, in both channels"
        np.testing.assert_array_equal(img[..., 0], img[..., 1])
        offsets.add((int(pos[0, 0]) - 4, int(pos[0, 1]) - 4))
    assert offsets <= {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)} and len(offsets) > 10
    np.testing.assert_array_equal(random_shift(X, 0, seed=1), X)
    np.testing.assert_array_equal(random_shift(X, 2, seed=3), Y)  # the same seed gives the same shifts


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"images": np.zeros((2, 4, 4))}, "images must be 4-D"),
        ({"max_shift": 5}, "smaller than the image"),
        ({"max_shift": -1}, "max_shift"),
    ],
)
def test_random_shift_rejects_bad_input(kwargs, message):
    from course_lib.augment import random_shift

    args = {"images": np.zeros((2, 4, 4, 1)), "max_shift": 1} | kwargs
    with pytest.raises(ValueError, match=message):
        random_shift(**args)
