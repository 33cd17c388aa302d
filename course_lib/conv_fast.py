"""The fast path of :mod:`course_lib.conv` that the layers of :mod:`course_lib.conv_layers` run on.

Defined in: Chapter 11, "Convolutional networks".

The chapter's functions in :mod:`course_lib.conv` are written to be read;
these compute the same numbers, to the last bit (the tests hold them equal,
float32 and float64), with fewer and larger numpy operations:

* im2col copies the window view of the image (``sliding_window_view``) in one
  go into a contiguous ``(m, H', W', kh·kw·C_in)`` buffer instead of joining
  ``kh·kw`` slices, and the forward pass keeps it for the backward pass, which
  does not build it again;
* ``db`` is summed by ``einsum``, which adds the rows in the same order as
  ``sum`` but several times faster;
* ``dX`` is computed as in the chapter (each kernel position adds its share
  ``dY W[i, j]ᵀ`` back onto the pixels it read), but skipped when the layer
  below needs no gradient (the first layer); the shares stay small arrays, as
  one big temporary the size of the im2col matrix would cost the memory
  allocator fresh pages on every call;
* max pooling takes the maximum of the ``p·p`` strided views of the image
  (``p²`` element-wise operations instead of a reduction over a window view),
  and its gradient walks the same ``p·p`` positions in order, giving each
  window's gradient to the first position that holds its maximum — the same
  tie rule as :func:`course_lib.conv.max_pool2d_backward` and TensorFlow.

No argument checks: the layers check shapes when they are built.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib.conv import same_padding


def _pads(H: int, Wd: int, kh: int, kw: int, stride: int, padding: str) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zeros around an ``H × Wd`` image."""
    if padding == "valid":
        return 0, 0, 0, 0
    (top, bottom), (left, right) = same_padding(H, kh, stride), same_padding(Wd, kw, stride)
    return top, bottom, left, right


def im2col_matrix(X: np.ndarray, kh: int, kw: int, stride: int, padding: str) -> np.ndarray:
    """:func:`course_lib.conv.im2col` as one contiguous ``(m, H', W', kh·kw·C)`` array (the same entries).

    Defined in: Chapter 11, "Convolutional networks".
    """
    m, H, Wd, C = X.shape
    top, bottom, left, right = _pads(H, Wd, kh, kw, stride, padding)
    if top or bottom or left or right:
        Xp = np.zeros((m, H + top + bottom, Wd + left + right, C), dtype=X.dtype)
        Xp[:, top : top + H, left : left + Wd, :] = X
    else:
        Xp = X
    if C > 1:  # one copy of the window view, in runs of kw·C numbers
        windows = sliding_window_view(Xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]  # (m, H', W', C, kh, kw)
        m, Ho, Wo = windows.shape[:3]
        return np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(m, Ho, Wo, kh * kw * C)
    Ho, Wo = (Xp.shape[1] - kh) // stride + 1, (Xp.shape[2] - kw) // stride + 1
    cols = np.empty((m, Ho, Wo, kh, kw), dtype=X.dtype)  # one channel: kh·kw copies of whole image rows are faster
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j] = Xp[:, i : i + stride * Ho : stride, j : j + stride * Wo : stride, 0]
    return cols.reshape(m, Ho, Wo, kh * kw)


def conv2d_forward(X: np.ndarray, W: np.ndarray, b, stride: int, padding: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`course_lib.conv.conv2d` and its im2col matrix (kept for the backward pass), as one matrix product.

    Defined in: Chapter 11, "Convolutional networks".
    """
    cols = im2col_matrix(X, W.shape[0], W.shape[1], stride, padding)
    Y = cols @ W.reshape(-1, W.shape[3])  # as the chapter's, so the numbers are the same to the last bit
    if b is not None:  # Y += b, a whole image row at a time (adding b to runs of C_out numbers is slow)
        m, Ho, Wo, C_out = Y.shape
        rows = Y.reshape(m * Ho, Wo * C_out)
        rows += np.tile(b, Wo)
    return Y, cols


def conv2d_gradients(dY: np.ndarray, x_shape, cols: np.ndarray, W: np.ndarray, stride: int, padding: str, need_dX=True):
    """``(dX, dW, db)`` of :func:`conv2d_forward` given ``dY`` and the forward pass's im2col matrix.

    Defined in: Chapter 11, "Convolutional networks".

    ``dX`` is ``None`` when ``need_dX`` is false.
    """
    m, H, Wd, C = x_shape
    kh, kw, _, C_out = W.shape
    Ho, Wo = dY.shape[1], dY.shape[2]
    dY2 = dY.reshape(-1, C_out)
    dW = (cols.reshape(-1, kh * kw * C).T @ dY2).reshape(W.shape)
    # Σ dY over batch and positions: einsum adds the rows in the same order as dY2.sum(axis=0), ~4× faster
    db = np.einsum("nc->c", dY2) if C_out > 1 else dY2.sum(axis=0)
    if not need_dX:
        return None, dW, db
    top, bottom, left, right = _pads(H, Wd, kh, kw, stride, padding)
    dXp = np.zeros((m, H + top + bottom, Wd + left + right, C), dtype=np.result_type(dY, W))
    for i in range(kh):  # each kernel position adds its share dY·W[i, j]ᵀ back onto the pixels it read
        for j in range(kw):
            share = (dY2 @ W[i, j].T).reshape(m, Ho, Wo, C)
            dXp[:, i : i + stride * Ho : stride, j : j + stride * Wo : stride, :] += share
    return dXp[:, top : top + H, left : left + Wd, :], dW, db


def _pool_views(X: np.ndarray, pool_size: int, stride: int):
    """The ``p·p`` strided views of ``X``, one per position in the window, in row-major order."""
    Ho, Wo = (X.shape[1] - pool_size) // stride + 1, (X.shape[2] - pool_size) // stride + 1
    for i in range(pool_size):
        for j in range(pool_size):
            yield (slice(None), slice(i, i + stride * Ho, stride), slice(j, j + stride * Wo, stride))


def max_pool2d_forward(X: np.ndarray, pool_size: int, stride: int) -> np.ndarray:
    """:func:`course_lib.conv.max_pool2d` as ``p·p`` element-wise maxima of strided views.

    Defined in: Chapter 11, "Convolutional networks".
    """
    views = _pool_views(X, pool_size, stride)
    Y = X[next(views)].copy()
    for view in views:
        np.maximum(Y, X[view], out=Y)
    return Y


def max_pool2d_gradient(dY: np.ndarray, X: np.ndarray, Y: np.ndarray, pool_size: int, stride: int) -> np.ndarray:
    """:func:`course_lib.conv.max_pool2d_backward` given the forward output ``Y``: first maximum of each window.

    Defined in: Chapter 11, "Convolutional networks".
    """
    views = list(_pool_views(X, pool_size, stride))
    nan = np.isnan(Y).any()  # a window holding NaN has NaN as its maximum, at its first NaN (as argmax)
    hits, unclaimed = [], None  # unclaimed: the windows whose maximum is not found yet
    for view in views:
        hit = X[view] == Y
        if nan:
            hit |= np.isnan(X[view])
        if unclaimed is None:
            unclaimed = ~hit
        else:
            hit &= unclaimed
            unclaimed ^= hit
        hits.append(hit)
    dX = np.zeros(X.shape, dtype=np.result_type(dY, X))
    finite = np.isfinite(dY).all()  # then dY · hit is dY where hit, else 0, and much faster than np.where
    if stride >= pool_size:  # windows side by side: each pixel is in one window at most
        for view, hit in zip(views, hits):
            if finite:
                np.multiply(dY, hit, out=dX[view])
            else:  # inf · 0 would be NaN
                dX[view] = np.where(hit, dY, 0)
        return dX
    for view, hit in zip(views[::-1], hits[::-1]):  # overlapping windows add up in the order of the windows
        dX[view] += dY * hit if finite else np.where(hit, dY, 0)
    return dX
