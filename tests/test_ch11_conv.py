"""The exercises of Chapter 11 (convolution and pooling): correct alternatives pass, wrong ones fail."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import conv
from tests.exercise_helpers import assert_exercise


def conv2d_loops(X, W, b, stride=1, padding="valid"):
    kh, kw, _, C_out = W.shape
    if padding == "same":
        (t, bo), (le, r) = conv.same_padding(X.shape[1], kh, stride), conv.same_padding(X.shape[2], kw, stride)
        X = np.pad(X, ((0, 0), (t, bo), (le, r), (0, 0)))
    Ho, Wo = (X.shape[1] - kh) // stride + 1, (X.shape[2] - kw) // stride + 1
    Y = np.empty((X.shape[0], Ho, Wo, C_out))
    for n in range(X.shape[0]):
        for i in range(Ho):
            for j in range(Wo):
                for c in range(C_out):
                    patch = X[n, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
                    Y[n, i, j, c] = np.sum(patch * W[..., c]) + b[c]
    return Y


def conv2d_einsum_float32(X, W, b, stride=1, padding="valid"):
    kh, kw = W.shape[:2]
    X32, W32 = X.astype(np.float32), W.astype(np.float32)
    if padding == "same":
        (t, bo), (le, r) = conv.same_padding(X.shape[1], kh, stride), conv.same_padding(X.shape[2], kw, stride)
        X32 = np.pad(X32, ((0, 0), (t, bo), (le, r), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(X32, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nhwcij,ijco->nhwo", windows, W32) + b.astype(np.float32)


def backward_einsum(dY, X, W, stride=1, padding="valid"):
    kh, kw = W.shape[:2]
    H, Wd = X.shape[1:3]
    t = le = 0
    if padding == "same":
        (t, bo), (le, r) = conv.same_padding(H, kh, stride), conv.same_padding(Wd, kw, stride)
        X = np.pad(X, ((0, 0), (t, bo), (le, r), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(X, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcij,nhwo->ijco", windows, dY)
    dXp = np.zeros_like(X)
    for i in range(kh):
        for j in range(kw):
            dXp[:, i : i + stride * dY.shape[1] : stride, j : j + stride * dY.shape[2] : stride] += np.einsum(
                "nhwo,co->nhwc", dY, W[i, j]
            )
    return dXp[:, t : t + H, le : le + Wd], dW, dY.sum(axis=(0, 1, 2))


def backward_by_autodiff_free_loops(dY, X, W, stride=1, padding="valid"):
    from course_lib.checks.ch11_conv import _backward_loops

    return _backward_loops(dY, X, W, stride, padding)


def pool_loops(X, pool_size=2, stride=None):
    s = pool_size if stride is None else stride
    Ho, Wo = (X.shape[1] - pool_size) // s + 1, (X.shape[2] - pool_size) // s + 1
    out = np.empty((X.shape[0], Ho, Wo, X.shape[3]))
    for i in range(Ho):
        for j in range(Wo):
            out[:, i, j] = X[:, i * s : i * s + pool_size, j * s : j * s + pool_size].max(axis=(1, 2))
    return out


def pool_reshape(X, pool_size=2, stride=None):
    s = pool_size if stride is None else stride
    windows = np.lib.stride_tricks.sliding_window_view(X, (pool_size, pool_size), axis=(1, 2))[:, ::s, ::s]
    return windows.reshape(*windows.shape[:4], -1).max(axis=-1)


def layer_params_shapes(input_shape, layers):
    """Track the shape with the library's output-size formula, then count."""
    shape, counts = tuple(input_shape), []
    for kind, *args in layers:
        n = 0
        if kind == "conv":
            filters, k = args
            n = (k * k * shape[2] + 1) * filters
            shape = (
                conv.conv_output_size(shape[0], k, 1, "valid"),
                conv.conv_output_size(shape[1], k, 1, "valid"),
                filters,
            )
        elif kind == "pool":
            shape = (shape[0] // args[0], shape[1] // args[0], shape[2])
        elif kind == "flatten":
            shape = (int(np.prod(shape)),)
        elif kind == "dense":
            n = (shape[-1] + 1) * args[0]
            shape = (args[0],)
        counts.append(n)
    return counts  # a list is as good as a tuple


def layer_params_numpy(input_shape, layers):
    """Build zero arrays of the real shapes and count the sizes of the kernels and biases."""
    x, counts = np.zeros(input_shape), []
    for kind, *args in layers:
        if kind == "conv":
            kernel, bias = np.zeros((args[1], args[1], x.shape[-1], args[0])), np.zeros(args[0])
            x = np.zeros((x.shape[0] - args[1] + 1, x.shape[1] - args[1] + 1, args[0]))
            counts.append(np.int64(kernel.size + bias.size))
        elif kind == "pool":
            x = x[: x.shape[0] // args[0] * args[0] : args[0], : x.shape[1] // args[0] * args[0] : args[0]]
            counts.append(0)
        elif kind == "flatten":
            x = x.ravel()
            counts.append(0)
        elif kind == "dense":
            counts.append(np.int64(np.zeros((x.size, args[0])).size + args[0]))
            x = np.zeros(args[0])
        else:
            counts.append(0)
    return tuple(counts)


ALTERNATIVES = {
    "layer_params": [layer_params_shapes, layer_params_numpy],
    "conv2d": [conv2d_loops, conv2d_einsum_float32],
    "conv2d_backward": [backward_einsum, backward_by_autodiff_free_loops],
    "max_pool2d": [pool_loops, pool_reshape],
}
WRONG = {
    "layer_params": [
        (lambda input_shape, layers: sum(layer_params_shapes(input_shape, layers)), "wrong_type"),
        (lambda input_shape, layers: [n for n in layer_params_shapes(input_shape, layers) if n], "wrong_type"),
        (  # a kernel counted once per output position, as if nothing were shared
            lambda input_shape, layers: [
                n * (input_shape[0] - 2) ** 2 if i == 0 else n
                for i, n in enumerate(layer_params_shapes(input_shape, layers))
            ],
            "wrong_value",
        ),
    ],
    "conv2d": [
        (lambda X, W, b, stride=1, padding="valid": conv2d_loops(X, W, b, stride, padding)[..., 0], "wrong_shape"),
        (lambda X, W, b, stride=1, padding="valid": conv2d_loops(X, W, b, 1, "valid"), "wrong_shape"),
        (lambda X, W, b, stride=1, padding="valid": conv2d_loops(X, W, b, stride, padding).tolist(), "wrong_type"),
    ],
    "conv2d_backward": [
        (lambda dY, X, W, stride=1, padding="valid": backward_einsum(dY, X, W, stride, padding)[:2], "wrong_type"),
        (
            lambda dY, X, W, stride=1, padding="valid": tuple(
                g * 2 for g in backward_einsum(dY, X, W, stride, padding)
            ),
            "wrong_value",
        ),
    ],
    "max_pool2d": [
        (lambda X, pool_size=2, stride=None: pool_loops(X, pool_size, stride)[..., :1], "wrong_shape"),
        (lambda X, pool_size=2, stride=None: pool_loops(X, pool_size, stride) > 0, "wrong_type"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])
