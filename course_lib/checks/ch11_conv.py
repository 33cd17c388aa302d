"""Exercises of Chapter 11, "Convolutional networks" (NHWC images, HWIO kernels, as TensorFlow)."""

from __future__ import annotations

import numpy as np

from course_lib import conv as ref
from course_lib import transfer
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 11, "Convolutional networks"'


def _conv_cases(rng: np.random.Generator) -> list[Case]:
    def case(m, H, W, kh, C, Co, stride, padding):
        return (rng.normal(size=(m, H, W, C)), rng.normal(size=(kh, kh, C, Co)), rng.normal(size=Co), stride, padding)

    return [
        Case(case(2, 6, 7, 3, 1, 2, 1, "valid"), "one channel in, two out, 'valid'"),
        Case(case(1, 7, 7, 3, 3, 4, 2, "valid"), "three channels, stride 2"),
        Case(case(2, 5, 6, 3, 2, 3, 1, "same"), "'same' padding, odd kernel"),
        Case(case(1, 6, 6, 2, 2, 2, 1, "same"), "'same' padding, even kernel: the extra row goes at the bottom"),
        Case(case(2, 7, 8, 3, 2, 2, 2, "same"), "'same' padding with stride 2"),
        Case(case(1, 4, 4, 1, 3, 5, 1, "valid"), "a 1×1 kernel mixes channels only"),
    ]


def _loops(X, W, b, stride, padding, flip=False, pad_before_extra=False, no_bias=False, transpose_kernel=False):
    """A deliberately plain loop implementation, with one switch per classic mistake."""
    kh, kw, _, Co = W.shape
    if flip:
        W = W[::-1, ::-1]
    if transpose_kernel:
        W = W.transpose(1, 0, 2, 3)
    if padding == "same":
        (t, bo), (le, r) = ref.same_padding(X.shape[1], kh, stride), ref.same_padding(X.shape[2], kw, stride)
        if pad_before_extra:
            t, bo, le, r = bo, t, r, le
        X = np.pad(X, ((0, 0), (t, bo), (le, r), (0, 0)))
    Ho, Wo = (X.shape[1] - kh) // stride + 1, (X.shape[2] - kw) // stride + 1
    Y = np.zeros((X.shape[0], Ho, Wo, Co))
    for i in range(Ho):
        for j in range(Wo):
            patch = X[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            Y[:, i, j, :] = np.tensordot(patch, W, axes=([1, 2, 3], [0, 1, 2]))
    return Y if no_bias else Y + b


register(
    "conv2d",
    chapter=CHAPTER,
    reference=ref.conv2d,
    cases=_conv_cases,
    arg_names=("X", "W", "b", "stride", "padding"),
    atol=1e-5,  # sums of up to 36 products of size ~1: float32 answers are good to about 1e-6
    mistakes=[
        Mistake(
            "kernel flipped",
            lambda X, W, b, s, p: _loops(X, W, b, s, p, flip=True),
            "Deep-learning 'convolution' is a cross-correlation: slide the kernel as it is, without flipping it.",
        ),
        Mistake(
            "no bias",
            lambda X, W, b, s, p: _loops(X, W, b, s, p, no_bias=True),
            "Add each output channel's bias b[c] to every position of that channel.",
        ),
        Mistake(
            "odd padding pixel on the wrong side",
            lambda X, W, b, s, p: _loops(X, W, b, s, p, pad_before_extra=True),
            "When the padding is odd, TensorFlow puts the extra row at the bottom and the extra column on the right.",
        ),
        Mistake(
            "kernel rows and columns swapped",
            lambda X, W, b, s, p: _loops(X, W, b, s, p, transpose_kernel=True),
            "W[i, j] multiplies the pixel i rows down and j columns right of the window's corner (HWIO order).",
        ),
    ],
)


def _backward_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for (X, W, _, stride, padding), label in [(c.args, c.label) for c in _conv_cases(rng)]:
        Y = ref.conv2d(X, W, None, stride, padding)
        cases.append(Case((rng.normal(size=Y.shape), X, W, stride, padding), label))
    return cases


def _backward_loops(dY, X, W, stride, padding):
    """conv2d's gradients by plain loops over the output positions (an independent implementation)."""
    kh, kw = W.shape[:2]
    H, Wd = X.shape[1:3]
    top = left = 0
    if padding == "same":
        (top, bottom), (left, right) = ref.same_padding(H, kh, stride), ref.same_padding(Wd, kw, stride)
        X = np.pad(X, ((0, 0), (top, bottom), (left, right), (0, 0)))
    dXp, dW = np.zeros_like(X), np.zeros_like(W)
    for i in range(dY.shape[1]):
        for j in range(dY.shape[2]):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            dW += np.tensordot(X[:, rows, cols, :], dY[:, i, j, :], axes=([0], [0]))
            dXp[:, rows, cols, :] += np.tensordot(dY[:, i, j, :], W, axes=([1], [3]))
    return dXp[:, top : top + H, left : left + Wd, :], dW, dY.sum(axis=(0, 1, 2))


def _backward_variant(dY, X, W, stride, padding, *, skip_dx=False, db_mean=False, dW_flip=False):
    dX, dW, db = _backward_loops(dY, X, W, stride, padding)
    if skip_dx:
        dX = np.zeros_like(dX)
    if db_mean:
        db = dY.mean(axis=(0, 1, 2))
    if dW_flip:
        dW = dW[::-1, ::-1]
    return dX, dW, db


register(
    "conv2d_backward",
    chapter=CHAPTER,
    reference=ref.conv2d_backward,
    cases=_backward_cases,
    arg_names=("dY", "X", "W", "stride", "padding"),
    atol=1e-5,
    mistakes=[
        Mistake(
            "dX not computed",
            lambda *a: _backward_variant(*a, skip_dx=True),
            "Every pixel a window read receives that window's share dY · Wᵀ; the layers below need dX.",
        ),
        Mistake(
            "bias gradient averaged",
            lambda *a: _backward_variant(*a, db_mean=True),
            "dY is already ∂L/∂Y: db sums it over the batch and every position, it does not average.",
        ),
        Mistake(
            "kernel gradient flipped",
            lambda *a: _backward_variant(*a, dW_flip=True),
            "dW[i, j] collects the pixels at offset (i, j) of every window times the error there: no flipping.",
        ),
    ],
)


def _pool_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.normal(size=(2, 4, 4, 1)), 2, None), "2×2 windows side by side"),
        Case((rng.normal(size=(1, 7, 7, 3)), 2, None), "odd size: the last row and column are dropped"),
        Case((rng.normal(size=(2, 6, 6, 2)), 3, 2), "overlapping 3×3 windows, stride 2"),
        Case((-np.abs(rng.normal(size=(1, 4, 6, 2))), 2, None), "all values negative"),
        Case((rng.normal(size=(1, 5, 5, 1)), 2, 1), "stride 1"),
    ]


def _pool(X, p, s, reduce=np.max, across_channels=False):
    s = p if s is None else s
    Ho, Wo = (X.shape[1] - p) // s + 1, (X.shape[2] - p) // s + 1
    out = np.zeros((X.shape[0], Ho, Wo, X.shape[3]))
    for i in range(Ho):
        for j in range(Wo):
            window = X[:, i * s : i * s + p, j * s : j * s + p, :]
            out[:, i, j, :] = (
                reduce(window, axis=(1, 2)) if not across_channels else reduce(window, axis=(1, 2, 3))[:, None]
            )
    return out


register(
    "max_pool2d",
    chapter=CHAPTER,
    reference=ref.max_pool2d,
    cases=_pool_cases,
    arg_names=("X", "pool_size", "stride"),
    mistakes=[
        Mistake(
            "average pooling",
            lambda X, p, s: _pool(X, p, s, np.mean),
            "Max pooling keeps the largest value of each window, not the mean.",
        ),
        Mistake(
            "max over channels too",
            lambda X, p, s: _pool(X, p, s, across_channels=True),
            "Pool each channel separately: take the maximum over the window's rows and columns only.",
        ),
        Mistake(
            "absolute values",
            lambda X, p, s: _pool(np.abs(X), p, s),
            "Take the largest value, not the largest magnitude: −5 is smaller than 1.",
        ),
        Mistake(
            "stride 1 always",
            lambda X, p, s: _pool(X, p, 1),
            "Without a stride argument the windows sit side by side: the stride defaults to pool_size.",
        ),
    ],
)


def _layer_params_ref(input_shape, layers):
    """Each layer's number of weights and biases, as the Param # column of Keras' ``model.summary()``."""
    return _count(input_shape, layers)


def _count(input_shape, layers, *, biases=True, channels=True, pool_ceil=False, same=False, dense_on_channels=False):
    """A plain reference with one switch per classic mistake."""
    rows, cols, depth = input_shape
    unflattened = None  # the channels of the last feature maps, right after Flatten
    counts = []
    for kind, *args in layers:
        if kind == "conv":
            filters, k = args
            counts.append(k * k * (depth if channels else 1) * filters + (filters if biases else 0))
            if not same:
                rows, cols = rows - k + 1, cols - k + 1
            depth = filters
        elif kind == "pool":
            (p,) = args
            rows, cols = (-(-rows // p), -(-cols // p)) if pool_ceil else (rows // p, cols // p)
            counts.append(0)
        elif kind == "flatten":
            rows, cols, depth, unflattened = 1, 1, rows * cols * depth, depth
            counts.append(0)
        elif kind == "dropout":
            counts.append(0)
        elif kind == "dense":
            (units,) = args
            n_in = unflattened if dense_on_channels and unflattened else depth
            counts.append(n_in * units + (units if biases else 0))
            depth, unflattened = units, None
        else:
            raise ValueError(f"unknown layer {kind!r}")
    return tuple(counts)


def _params_cases(rng: np.random.Generator) -> list[Case]:
    side, k, p = int(rng.integers(20, 40)), int(rng.choice([3, 5])), int(rng.choice([2, 3]))
    return [
        Case(
            (
                (28, 28, 1),
                [
                    ("conv", 16, 3),
                    ("pool", 2),
                    ("conv", 32, 3),
                    ("pool", 2),
                    ("flatten",),
                    ("dense", 64),
                    ("dense", 10),
                ],
            ),
            "the from-scratch digit CNN of this chapter",
        ),
        Case(
            (
                (64, 64, 3),
                [("conv", 16, 3), ("pool", 2), ("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2)]
                + [("flatten",), ("dropout", 0.5), ("dense", 64), ("dense", 1)],
            ),
            "this section's cats-and-dogs CNN",
        ),
        Case(
            ((7, 9, 2), [("conv", 4, 3), ("pool", 2), ("flatten",), ("dense", 5)]), "odd sizes: pooling drops the rest"
        ),
        Case(((10, 20, 3), [("conv", 6, 5), ("pool", 3), ("flatten",), ("dense", 7)]), "a 5×5 kernel on a wide photo"),
        Case(
            ((side, side, 3), [("conv", int(rng.integers(4, 12)), k), ("pool", p), ("flatten",), ("dense", 8)]),
            "a random square colour image",
        ),
    ]


register(
    "layer_params",
    chapter=CHAPTER,
    reference=_layer_params_ref,
    cases=_params_cases,
    arg_names=("input_shape", "layers"),
    mistakes=[
        Mistake(
            "no biases",
            lambda s, layers: _count(s, layers, biases=False),
            "Every filter of a Conv2D layer and every unit of a Dense layer has one bias too.",
        ),
        Mistake(
            "input channels forgotten",
            lambda s, layers: _count(s, layers, channels=False),
            "A filter spans all input channels: k × k × C_in weights, plus its bias.",
        ),
        Mistake(
            "pooling rounds up",
            lambda s, layers: _count(s, layers, pool_ceil=True),
            "Pooling drops the rows and columns that do not fill a whole window: n_H // p, rounded down.",
        ),
        Mistake(
            "'same' padding assumed",
            lambda s, layers: _count(s, layers, same=True),
            "These Conv2D layers use Keras' default padding='valid': a k × k kernel makes each side k − 1 pixels shorter.",
        ),
        Mistake(
            "dense layer sees the channels only",
            lambda s, layers: _count(s, layers, dense_on_channels=True),
            "After Flatten, the Dense layer sees every number of the last feature maps: rows × columns × channels inputs.",
        ),
    ],
)


def _head_cases(rng: np.random.Generator) -> list[Case]:
    def data(m, n, relu=False, balanced=True):
        F = rng.normal(size=(m, n))
        if relu:  # like the pooled features of a ReLU network: non-negative, not centred
            F = np.maximum(F + 0.5, 0.0)
        score = F @ rng.normal(size=n) + rng.normal(scale=0.5, size=m)
        threshold = np.median(score) if balanced else np.quantile(score, 0.7)
        return F, (score > threshold).astype(np.int64)

    F1, y1 = data(12, 3, balanced=False)
    F2, y2 = data(20, 5, relu=True)
    F3, y3 = data(9, 4, balanced=False)
    F4, y4 = data(6, 2)
    F5, y5 = data(30, 8, relu=True, balanced=False)
    return [
        Case((F1, y1, 0.5, 10), "12 examples, 3 features, fewer 1s than 0s"),
        Case((F2, y2, 0.1, 25), "non-negative features, as after ReLU and pooling"),
        Case((F3, y3, 1.0, 1), "a single step"),
        Case((F4, y4, 0.3, 0), "no steps at all: the starting point"),
        Case((F5.astype(np.float32), y5, 0.2, 15), "float32 features, as Keras returns them"),
    ]


def _head(
    F, y, lr, steps, *, total=False, ascent=False, no_bias=False, mse=False, in_turn=False, fewer=0, linear=False
):
    """Gradient descent on the logistic-regression head, with one switch per classic mistake."""
    F, y = np.asarray(F, dtype=np.float64), np.asarray(y, dtype=np.float64)
    m, n = F.shape
    w, b = np.zeros(n), 0.0
    sign = 1.0 if ascent else -1.0
    for _ in range(max(steps - fewer, 0)):
        z = F @ w + b
        p = z if linear else 1.0 / (1.0 + np.exp(-z))
        error = (p - y) * (p * (1 - p) if mse else 1.0)
        scale = 1.0 if total else 1.0 / m
        w = w + sign * lr * scale * (F.T @ error)
        if in_turn:
            p = 1.0 / (1.0 + np.exp(-(F @ w + b)))
            error = p - y
        if not no_bias:
            b = b + sign * lr * scale * float(error.sum())
    return w, b


register(
    "train_head",
    chapter=CHAPTER,
    reference=transfer.train_head,
    cases=_head_cases,
    arg_names=("F", "y", "learning_rate", "steps"),
    atol=1e-6,  # float32 features: weights good to about 1e-7
    mistakes=[
        Mistake(
            "gradient summed, not averaged",
            lambda F, y, lr, s: _head(F, y, lr, s, total=True),
            "The loss is the mean over the m examples, so its gradient is divided by m too: "
            "a sum makes the step m times too large.",
        ),
        Mistake(
            "steps uphill",
            lambda F, y, lr, s: _head(F, y, lr, s, ascent=True),
            "Gradient descent moves against the gradient: subtract learning_rate × gradient, do not add it.",
        ),
        Mistake(
            "bias never trained",
            lambda F, y, lr, s: _head(F, y, lr, s, no_bias=True),
            "The bias is trained too: its gradient is the mean of (p − y) over the examples.",
        ),
        Mistake(
            "squared-error gradient",
            lambda F, y, lr, s: _head(F, y, lr, s, mse=True),
            "For a sigmoid output with the cross-entropy loss the gradient with respect to z is simply p − y; "
            "the factor p(1 − p) belongs to the squared error.",
        ),
        Mistake(
            "bias gradient from the new weights",
            lambda F, y, lr, s: _head(F, y, lr, s, in_turn=True),
            "Compute both gradients from the same predictions p, then update w and b: "
            "the bias's gradient must not see the weights already updated in this step.",
        ),
        Mistake(
            "one step too few",
            lambda F, y, lr, s: _head(F, y, lr, s, fewer=1),
            "Take exactly `steps` steps: with steps = 1 the weights move once, with steps = 0 they stay at zero.",
        ),
        Mistake(
            "no sigmoid",
            lambda F, y, lr, s: _head(F, y, lr, s, linear=True),
            "The predictions are probabilities: pass F w + b through the sigmoid before comparing them with y.",
        ),
    ],
)
