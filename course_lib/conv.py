"""Convolution and max pooling on batches of images, forward and backward, exactly as TensorFlow computes them.

Defined in: Chapter 11, "Convolutional networks".

Images are NHWC — ``X`` has shape ``(m, H, W, C)`` — and kernels HWIO —
``W`` has shape ``(kh, kw, C_in, C_out)`` — as in ``tf.nn.conv2d``.  A
"convolution" in deep learning is a *cross-correlation*: the kernel is slid
over the image without being flipped.

The computation is **im2col**: every ``kh × kw × C_in`` window of the (padded)
image becomes one row of a matrix, so the whole convolution is a single
matrix product with the kernel reshaped to ``(kh·kw·C_in, C_out)``.  The
backward pass is the same product transposed (for ``dW``) and, for ``dX``,
each kernel position sending its share of the error back to the pixels it
read.

These functions are written to be read.  The layers of
:mod:`course_lib.conv_layers` run :mod:`course_lib.conv_fast` instead, which
computes the same numbers (the tests hold the two equal) with fewer, larger
numpy operations.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib._validation import as_float_array, check_shape, check_whole

PADDINGS = ("valid", "same")


def _check_geometry(stride, padding) -> tuple[int, str]:
    stride = check_whole(stride, "stride")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return stride, padding


def conv_output_size(n: int, k: int, stride: int = 1, padding: str = "valid") -> int:
    """The output length along one axis: ⌊(n − k) / s⌋ + 1 for "valid", ⌈n / s⌉ for "same".

    Defined in: Chapter 11, "Convolutional networks".
    """
    n, k = check_whole(n, "n"), check_whole(k, "k")
    stride, padding = _check_geometry(stride, padding)
    if padding == "same":
        return -(-n // stride)
    if k > n:
        raise ValueError(f"a kernel of size {k} does not fit in an input of size {n} without padding")
    return (n - k) // stride + 1


def same_padding(n: int, k: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same" padding along one axis: (before, after), the extra pixel going *after*.

    Defined in: Chapter 11, "Convolutional networks".
    """
    out = -(-n // stride)
    total = max((out - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def _padded(X: np.ndarray, kh: int, kw: int, stride: int, padding: str) -> np.ndarray:
    if padding == "valid":
        return X
    (top, bottom), (left, right) = same_padding(X.shape[1], kh, stride), same_padding(X.shape[2], kw, stride)
    return np.pad(X, ((0, 0), (top, bottom), (left, right), (0, 0)))


def im2col(X, kh: int, kw: int, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Every window of ``X (m, H, W, C)`` as a row: shape ``(m, H', W', kh·kw·C)`` (a copy).

    Defined in: Chapter 11, "Convolutional networks".

    Entry order within a row is (row in window, column in window, channel) —
    the order of the HWIO kernel's first three axes, so the kernel becomes
    the matrix ``W.reshape(kh·kw·C, C_out)`` (:func:`kernel_matrix`).  The
    rows are built from the ``kh·kw`` shifted, strided views of the image,
    one block of channels at a time.
    """
    X = as_float_array(X, "X", ndim=4)
    stride, padding = _check_geometry(stride, padding)
    Xp = _padded(X, kh, kw, stride, padding)
    if Xp.shape[1] < kh or Xp.shape[2] < kw:
        raise ValueError(f"a {kh}×{kw} kernel does not fit in images of size {X.shape[1]}×{X.shape[2]}")
    Ho, Wo = (Xp.shape[1] - kh) // stride + 1, (Xp.shape[2] - kw) // stride + 1
    shifted = [
        Xp[:, i : i + stride * Ho : stride, j : j + stride * Wo : stride, :] for i in range(kh) for j in range(kw)
    ]
    return np.concatenate(shifted, axis=-1)


def kernel_matrix(W: np.ndarray) -> np.ndarray:
    """The HWIO kernel ``(kh, kw, C_in, C_out)`` as the matrix ``(kh·kw·C_in, C_out)`` that multiplies :func:`im2col`."""
    return W.reshape(-1, W.shape[3])


def _check_conv(X, W, b):
    X = as_float_array(X, "X", ndim=4)
    W = as_float_array(W, "W", ndim=4)
    if W.shape[2] != X.shape[3]:
        raise ValueError(
            f"W must have shape (kh, kw, {X.shape[3]}, C_out) for images with {X.shape[3]} channels, got {W.shape}"
        )
    if b is not None:
        b = as_float_array(b, "b", ndim=1)
        check_shape(b, "b", (W.shape[3],))
    return X, W, b


def conv2d_with_cols(X, W, b, stride: int, padding: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`conv2d` and the im2col matrix it used (which the backward pass needs); no argument checks."""
    cols = im2col(X, W.shape[0], W.shape[1], stride, padding)
    Y = cols @ kernel_matrix(W)
    if b is not None:
        Y += b
    return Y, cols


def conv2d(X, W, b, stride: int = 1, padding: str = "valid") -> np.ndarray:
    """2-D convolution (cross-correlation) of a batch of images, as ``tf.nn.conv2d(X, W, stride, padding) + b``.

    Defined in: Chapter 11, "Convolutional networks".

    Parameters
    ----------
    X : array (m, H, W, C_in)
    W : array (kh, kw, C_in, C_out)
    b : array (C_out,), or None for no bias
    stride : int, the same along both axes
    padding : "valid" (no padding) or "same" (zeros around the image so that
        the output is ⌈H / stride⌉ × ⌈W / stride⌉; the odd extra pixel goes
        to the bottom and the right, as in TensorFlow)

    Returns
    -------
    array (m, H', W', C_out)
    """
    X, W, b = _check_conv(X, W, b)
    stride, padding = _check_geometry(stride, padding)
    return conv2d_with_cols(X, W, b, stride, padding)[0]


def conv2d_backward_from_cols(dY, x_shape, cols, W, stride: int, padding: str):
    """:func:`conv2d_backward` given the im2col matrix of the forward pass; no argument checks."""
    m, H, Wd, C = x_shape
    kh, kw, _, C_out = W.shape
    Ho, Wo = dY.shape[1], dY.shape[2]
    dY2 = dY.reshape(-1, C_out)
    dW = (cols.reshape(-1, cols.shape[-1]).T @ dY2).reshape(W.shape)
    db = dY2.sum(axis=0)
    if padding == "same":
        (top, bottom), (left, right) = same_padding(H, kh, stride), same_padding(Wd, kw, stride)
    else:
        top = bottom = left = right = 0
    dXp = np.zeros((m, H + top + bottom, Wd + left + right, C), dtype=np.result_type(dY, W))
    for i in range(kh):  # every kernel position sends dY · W[i, j]ᵀ back to the pixels it read
        for j in range(kw):
            dXp[:, i : i + stride * Ho : stride, j : j + stride * Wo : stride, :] += (dY2 @ W[i, j].T).reshape(
                m, Ho, Wo, C
            )
    return dXp[:, top : top + H, left : left + Wd, :], dW, db


def conv2d_backward(dY, X, W, stride: int = 1, padding: str = "valid"):
    """Gradients ``(dX, dW, db)`` of a loss through :func:`conv2d`, given ``dY = ∂L/∂Y``.

    Defined in: Chapter 11, "Convolutional networks".

    ``dW = Σ colsᵀ dY`` (every window times the error it caused), ``db`` sums
    ``dY`` over the batch and the positions, and ``dX`` adds every window's
    share ``dY Wᵀ`` back onto the pixels that window read.
    """
    X, W, _ = _check_conv(X, W, None)
    stride, padding = _check_geometry(stride, padding)
    cols = im2col(X, W.shape[0], W.shape[1], stride, padding)
    dY = as_float_array(dY, "dY", ndim=4)
    check_shape(dY, "dY", (X.shape[0], cols.shape[1], cols.shape[2], W.shape[3]))
    return conv2d_backward_from_cols(dY, X.shape, cols, W, stride, padding)


def _pool_windows(X, pool_size, stride):
    pool_size = check_whole(pool_size, "pool_size")
    stride = pool_size if stride is None else check_whole(stride, "stride")
    if X.shape[1] < pool_size or X.shape[2] < pool_size:
        raise ValueError(f"a {pool_size}×{pool_size} pool does not fit in images of size {X.shape[1]}×{X.shape[2]}")
    windows = sliding_window_view(X, (pool_size, pool_size), axis=(1, 2))[:, ::stride, ::stride]
    return windows, pool_size, stride


def max_pool2d(X, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """The largest value of every ``pool_size × pool_size`` window, per channel ("valid" pooling, as Keras).

    Defined in: Chapter 11, "Convolutional networks".

    ``stride`` defaults to ``pool_size`` (windows side by side, no overlap);
    the output is ``(m, ⌊(H − p) / s⌋ + 1, ⌊(W − p) / s⌋ + 1, C)``.
    """
    X = as_float_array(X, "X", ndim=4)
    windows, _, _ = _pool_windows(X, pool_size, stride)
    return windows.max(axis=(4, 5))


def max_pool2d_backward(dY, X, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """``dX`` of :func:`max_pool2d`: each window's gradient goes to the position of its maximum (the first, on ties).

    Defined in: Chapter 11, "Convolutional networks".
    """
    X = as_float_array(X, "X", ndim=4)
    windows, p, s = _pool_windows(X, pool_size, stride)
    dY = as_float_array(dY, "dY", ndim=4)
    check_shape(dY, "dY", windows.shape[:4])
    m, Ho, Wo, C = dY.shape
    flat = windows.reshape(m, Ho, Wo, C, p * p).argmax(axis=-1)
    di, dj = np.divmod(flat, p)
    dX = np.zeros_like(X, dtype=np.result_type(dY, X))
    n_idx, h_idx, w_idx, c_idx = np.indices((m, Ho, Wo, C))
    np.add.at(dX, (n_idx, h_idx * s + di, w_idx * s + dj, c_idx), dY)
    return dX
