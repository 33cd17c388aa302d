"""Exercises of Chapter 11, "Modern convolutional networks": batch normalisation and the receptive field."""

from __future__ import annotations

import numpy as np

from course_lib import normalization as bn
from course_lib import receptive
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 11, "Modern convolutional networks"'


def _bn_cases(rng: np.random.Generator) -> list[Case]:
    def batch(shape, scale=1.0, shift=0.0, dtype=np.float64):
        return (shift + scale * rng.normal(size=shape)).astype(dtype)

    def params(C):
        return rng.uniform(0.5, 2.0, size=C), rng.normal(size=C)

    ones, zeros = np.ones(3), np.zeros(3)
    return [
        Case((batch((8, 3)), ones, zeros, 1e-3), "8 samples of 3 features, gamma = 1, beta = 0"),
        Case(
            (batch((6, 4), 3.0, 5.0), *params(4), 1e-3), "features far from mean 0 and variance 1, gamma ≠ 1, beta ≠ 0"
        ),
        Case((batch((3, 5, 2)), *params(2), 1e-3), "a 3-D batch: statistics over the first two axes"),
        Case((batch((2, 3, 4, 3)), *params(3), 1e-3), "a 4-D batch of images (m, n_H, n_W, C)"),
        Case(
            (batch((4, 2, 2, 3), dtype=np.float32), *(p.astype(np.float32) for p in params(3)), 1e-3),
            "float32 images, as Keras gives them",
        ),
        Case((batch((5, 3), 0.1), *params(3), 0.1), "a small variance and eps = 0.1: eps matters"),
    ]


def _bn_forward(X, gamma, beta, eps=1e-3, *, axes=None, ddof=0, eps_outside=False, ignore_eps=False):
    """A plain reference with one switch per classic mistake."""
    X = np.asarray(X, dtype=np.float64)
    axes = tuple(range(X.ndim - 1)) if axes is None else axes(X)
    eps = 1e-3 if ignore_eps else eps
    mu = X.mean(axis=axes, keepdims=True)
    v = ((X - mu) ** 2).sum(axis=axes, keepdims=True) / (X.size / np.prod(mu.shape) - ddof)
    X_tilde = (X - mu) / (np.sqrt(v) + eps if eps_outside else np.sqrt(v + eps))
    return gamma * X_tilde + beta


register(
    "batch_norm_forward",
    chapter=CHAPTER,
    reference=bn.batch_norm_forward,
    cases=lambda rng: [Case(c.args, c.label) for c in _bn_cases(rng)],
    arg_names=("X", "gamma", "beta", "eps"),
    atol=1e-5,  # float32 inputs: answers good to about 1e-6
    mistakes=[
        Mistake(
            "statistics over the batch axis only",
            lambda X, g, b, e: _bn_forward(X, g, b, e, axes=lambda X: (0,)),
            "For images, one channel's mean and variance are taken over the samples AND every position:"
            " every axis but the last (axis=(0, 1, 2) for (m, n_H, n_W, C)).",
        ),
        Mistake(
            "statistics over the last axis",
            lambda X, g, b, e: _bn_forward(X, g, b, e, axes=lambda X: (X.ndim - 1,)),
            "Batch normalisation standardises each feature across the batch; averaging over a sample's own"
            " features is layer normalisation.",
        ),
        Mistake(
            "statistics over every axis",
            lambda X, g, b, e: _bn_forward(X, g, b, e, axes=lambda X: tuple(range(X.ndim))),
            "Each feature (channel) gets its own mean and variance, a vector of the last axis's length, not one number.",
        ),
        Mistake(
            "unbiased variance",
            lambda X, g, b, e: _bn_forward(X, g, b, e, ddof=1),
            "Divide the squared deviations by their count N, not N − 1: Keras (and the original paper's"
            " training mode) use the biased variance.",
        ),
        Mistake(
            "eps outside the square root",
            lambda X, g, b, e: _bn_forward(X, g, b, e, eps_outside=True),
            "eps goes under the square root: divide by sqrt(v + eps), not sqrt(v) + eps.",
        ),
        Mistake(
            "eps argument ignored",
            lambda X, g, b, e: _bn_forward(X, g, b, 1e-3, ignore_eps=True),
            "Use the eps the caller passes, not a constant 1e-3.",
        ),
        Mistake(
            "gamma and beta forgotten",
            lambda X, g, b, e: _bn_forward(X, np.ones_like(g), np.zeros_like(b), e),
            "After standardising, scale by gamma and shift by beta: Y = gamma * X~ + beta.",
        ),
    ],
)


def _bn_backward(dY, X, gamma, eps=1e-3, *, no_stats=False, no_var=False, dgamma_axis0=False, dgamma_raw=False):
    """The backward pass, written out again, with one switch per classic mistake."""
    X, dY = np.asarray(X, dtype=np.float64), np.asarray(dY, dtype=np.float64)
    axes = tuple(range(X.ndim - 1))
    N = X.size // X.shape[-1]
    mu = X.mean(axis=axes)
    inv_std = 1 / np.sqrt(((X - mu) ** 2).mean(axis=axes) + eps)
    X_tilde = (X - mu) * inv_std
    dbeta, dgamma = dY.sum(axis=axes), (dY * X_tilde).sum(axis=axes)
    dX = gamma * inv_std * (dY - dbeta / N - X_tilde * dgamma / N)
    if no_stats:
        dX = gamma * inv_std * dY
    if no_var:
        dX = gamma * inv_std * (dY - dbeta / N)
    if dgamma_axis0:
        dgamma = (dY * X_tilde).sum(axis=0)
    if dgamma_raw:
        dgamma = (dY * X).sum(axis=axes)
    return dX, dgamma, dbeta


def _backward_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for c in _bn_cases(rng):
        X, gamma, _, eps = c.args
        dY = rng.normal(size=X.shape).astype(X.dtype)
        cases.append(Case((dY, X, gamma, eps), c.label))
    return cases


register(
    "batch_norm_backward",
    chapter=CHAPTER,
    reference=bn.batch_norm_backward,
    cases=_backward_cases,
    arg_names=("dY", "X", "gamma", "eps"),
    atol=1e-5,
    mistakes=[
        Mistake(
            "mean and variance treated as constants",
            lambda *a: _bn_backward(*a, no_stats=True),
            "The batch's mean and variance depend on every X too: dX needs the terms through them,"
            " dX = gamma / sqrt(v + eps) · (dY − mean(dY) − X~ · mean(dY · X~)).",
        ),
        Mistake(
            "variance term forgotten",
            lambda *a: _bn_backward(*a, no_var=True),
            "You subtracted the mean's share; the variance depends on every X as well and contributes"
            " − X~ · mean(dY · X~) (means over every axis but the last).",
        ),
        Mistake(
            "dgamma summed over the batch axis only",
            lambda *a: _bn_backward(*a, dgamma_axis0=True),
            "gamma is shared by every position of a channel: sum dY · X~ over every axis but the last.",
        ),
        Mistake(
            "dgamma from the raw input",
            lambda *a: _bn_backward(*a, dgamma_raw=True),
            "gamma multiplies the standardised input X~ = (X − mu) / sqrt(v + eps), so dgamma = sum(dY · X~), not sum(dY · X).",
        ),
    ],
)


def _rf(layers, *, strides=True, multiply=False, start=1, add_k=False, jump_first=False):
    """The receptive field with one switch per classic mistake."""
    if multiply:
        return int(np.prod([k for k, _ in layers])) if layers else 1
    R, J = start, 1
    for k, s in layers:
        if jump_first and strides:
            J *= s
        R += (k if add_k else k - 1) * J
        if strides and not jump_first:
            J *= s
    return R


def _rf_cases(rng: np.random.Generator) -> list[Case]:
    n = int(rng.integers(3, 6))
    random_stack = [(int(rng.choice([1, 3, 5])), int(rng.choice([1, 2]))) for _ in range(n)]
    return [
        Case(([],), "no layers: one output sees one pixel"),
        Case(([(3, 1)],), "one 3×3 convolution"),
        Case(([(3, 1), (3, 1), (3, 1)],), "three 3×3 convolutions, stride 1 (VGG's argument)"),
        Case(([(5, 1), (2, 2), (5, 1), (2, 2)],), "LeNet-5: convolution, pooling, convolution, pooling"),
        Case(([(7, 2), (3, 2), (3, 1), (3, 1)],), "ResNet's stem: a 7×7 stride-2 convolution, 3×3 stride-2 pooling"),
        Case(([(3, 2), (1, 1), (3, 1), (2, 3)],), "strides that differ from layer to layer"),
        Case((random_stack,), "a random stack of convolutions"),
    ]


register(
    "receptive_field",
    chapter=CHAPTER,
    reference=receptive.receptive_field,
    cases=_rf_cases,
    arg_names=("layers",),
    mistakes=[
        Mistake(
            "strides ignored",
            lambda layers: _rf(layers, strides=False),
            "After a stride-s layer, one step of the next layer's kernel spans s input pixels:"
            " multiply the jump J by each stride and add (k − 1)·J.",
        ),
        Mistake(
            "kernels multiplied",
            lambda layers: _rf(layers, multiply=True),
            "Receptive fields grow by adding: each layer adds (k − 1)·J pixels, it does not multiply the field by k.",
        ),
        Mistake(
            "starts at 0",
            lambda layers: _rf(layers, start=0),
            "Before any layer an output is one pixel: start from R = 1 (receptive_field([]) is 1).",
        ),
        Mistake(
            "adds k instead of k − 1",
            lambda layers: _rf(layers, add_k=True),
            "A k-wide kernel sees k − 1 more steps than a single position: add (k − 1)·J, not k·J.",
        ),
        Mistake(
            "jump updated before adding",
            lambda layers: _rf(layers, jump_first=True),
            "A layer's own stride spaces the NEXT layer's inputs: add (k − 1)·J with the jump of the layers"
            " below, then multiply J by the stride.",
        ),
    ],
)
