"""Exercises of Chapter 5, "Layers and forward propagation".

Batch-first, like Keras: ``X`` is ``(m, n_in)``, ``W`` is ``(n_in, n_out)``,
``b`` is ``(n_out,)``.  The cases use non-square matrices wherever the
order of a product matters, so a transposed answer shows up as a wrong shape.
"""

from __future__ import annotations

import numpy as np

from course_lib import layers as ref
from course_lib.checks._core import Case, Mistake, register
from course_lib.layers import random_params_2_3_1

CHAPTER = 'Chapter 5, "Layers and forward propagation"'


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# --------------------------------------------------------------------------
# dense_forward


def _dense_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)), "4 samples, a 3 → 3 layer"),
        Case((rng.normal(size=(5, 2)), rng.normal(size=(2, 3)), rng.normal(size=3)), "5 samples, a 2 → 3 layer"),
        Case((rng.normal(size=(1, 4)), rng.normal(size=(4, 2)), np.array([0.5, -1.0])), "one sample (a 1-row batch)"),
        Case((np.zeros((3, 2)), rng.normal(size=(2, 4)), np.array([1.0, 2.0, 3.0, 4.0])), "zero inputs: only b is left"),
        Case((rng.uniform(0, 1, size=(6, 784)), rng.normal(scale=0.05, size=(784, 8)), rng.normal(size=8)), "6 flattened digits, 784 → 8"),
    ]  # fmt: skip


register(
    "dense_forward",
    chapter=CHAPTER,
    reference=ref.dense_forward,
    cases=_dense_cases,
    arg_names=("X", "W", "b"),
    atol=1e-5,  # sums of 784 products: a float32 answer near 0 is off by up to ~1e-6 (seen over 10,000 fresh draws)
    mistakes=[
        Mistake("no bias", lambda X, W, b: X @ W, "Don't forget to add the bias: Z = X @ W + b."),
        Mistake(
            "W transposed",
            lambda X, W, b: X @ W.T + b,
            "W is stored batch-first as (n_in, n_out), so use it as it is: X @ W, no transpose.",
        ),
        Mistake(
            "W @ X order",
            lambda X, W, b: W.T @ X.T + b[:, None],
            "With X of shape (m, n_in) the samples are rows: compute X @ W (shape (m, n_out)), not W @ X"
            " (which gives one column per sample).",
        ),
        Mistake(
            "activation applied",
            lambda X, W, b: _sig(X @ W + b),
            "dense_forward returns the weighted sums Z only; the activation is applied separately.",
        ),
        Mistake(
            "bias subtracted",
            lambda X, W, b: X @ W - b,
            "The bias is added (+ b), not subtracted.",
        ),
    ],
)


# --------------------------------------------------------------------------
# forward_2_3_1


def _forward_cases(rng: np.random.Generator) -> list[Case]:
    example = ref.params_from_named(**ref.EXAMPLE_NAMED)
    mixed = {
        "W1": np.array([[0.5, -1.0, 2.0], [-1.5, 0.8, 0.3]]),
        "b1": np.array([0.2, -0.4, 0.1]),
        "W2": np.array([[1.2], [-0.7], [0.5]]),
        "b2": np.array([-0.3]),
    }
    return [
        Case((np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 0.5]]), mixed), "3 samples, weights of both signs"),
        Case((np.array([[1.0, 2.0]]), example), "the chapter's example: w1..w9 = 0.1..0.9, b1..b4 = 0.1..0.4"),
        Case((rng.normal(size=(7, 2)), random_params_2_3_1(rng)), "7 samples, random parameters"),
        Case((rng.normal(scale=50.0, size=(4, 2)), random_params_2_3_1(rng, 3.0)), "large inputs: saturated sigmoids"),
    ]


def _forward_2_3_1(X, p):
    return ref.forward_2_3_1(X, p)


register(
    "forward_2_3_1",
    chapter=CHAPTER,
    reference=_forward_2_3_1,
    cases=_forward_cases,
    arg_names=("X", "params"),
    mistakes=[
        Mistake(
            "returned (m, 1)",
            lambda X, p: _sig(_sig(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]),
            "Your answer has shape (m, 1); return one prediction per sample, shape (m,): take `[:, 0]` or"
            " `.ravel()` of the output layer.",
        ),
        Mistake(
            "no output sigmoid",
            lambda X, p: (_sig(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])[:, 0],
            "The output unit is a sigmoid neuron too: apply σ to A1 @ W2 + b2.",
        ),
        Mistake(
            "no hidden sigmoid",
            lambda X, p: _sig((X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])[:, 0],
            "Each hidden unit applies σ to its weighted sum before passing it on: A1 = σ(X @ W1 + b1).",
        ),
        Mistake(
            "relu hidden layer",
            lambda X, p: _sig(np.maximum(X @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"])[:, 0],
            "This network uses the sigmoid in the hidden layer, not ReLU.",
        ),
        Mistake(
            "forgot b1",
            lambda X, p: _sig(_sig(X @ p["W1"]) @ p["W2"] + p["b2"])[:, 0],
            "Add the hidden layer's bias: A1 = σ(X @ W1 + b1).",
        ),
        Mistake(
            "forgot b2",
            lambda X, p: _sig(_sig(X @ p["W1"] + p["b1"]) @ p["W2"])[:, 0],
            "Add the output bias: σ(A1 @ W2 + b2).",
        ),
        Mistake(
            "output fed the inputs",
            lambda X, p: _sig(_sig(X @ p["W1"] + p["b1"]).sum(axis=1, keepdims=True) + p["b2"])[:, 0],
            "The output layer weights each hidden unit by W2 (w7, w8, w9) before adding them up.",
        ),
    ],
)


# --------------------------------------------------------------------------
# flatten_images


def _image_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.integers(0, 256, size=(3, 28, 28)).astype(np.uint8),), "3 random 28×28 images (uint8)"),
        Case((rng.integers(0, 256, size=(2, 4, 5)).astype(np.float64),), "2 tiny 4×5 images, as floats"),
        Case((np.full((1, 28, 28), 255, dtype=np.uint8),), "one all-white (255) image"),
        Case((np.zeros((4, 8, 8), dtype=np.uint8),), "four blank 8×8 images"),
    ]


register(
    "flatten_images",
    chapter=CHAPTER,
    reference=ref.flatten_images,
    cases=_image_cases,
    arg_names=("images",),
    mistakes=[
        Mistake(
            "not scaled",
            lambda images: images.reshape(len(images), -1).astype(float),
            "Divide by 255 so that every pixel lies in [0, 1].",
        ),
        Mistake(
            "one long vector",
            lambda images: images.ravel() / 255.0,
            "Keep one row per image: reshape to (m, h*w), e.g. `images.reshape(len(images), -1)`.",
        ),
        Mistake(
            "one column per image",
            lambda images: images.reshape(len(images), -1).T / 255.0,
            "Batch-first: samples are rows, so the result is (m, h*w), not (h*w, m).",
        ),
        Mistake(
            "integer division",
            lambda images: images.reshape(len(images), -1) // 255,
            "`// 255` rounds down to 0 or 1; use true division `/ 255` (and a float result).",
        ),
        Mistake(
            "scaled by 256",
            lambda images: images.reshape(len(images), -1) / 256.0,
            "The brightest pixel is 255, so divide by 255 to map it to exactly 1.",
        ),
    ],
)


# forward_layers: a multi-step exercise (a loop over any number of layers)


def forward_layers_reference(X, params, activations):
    """The last layer's activations of :func:`course_lib.layers.mlp_forward` (the exercise returns only those)."""
    return ref.mlp_forward(X, params, activations)[0]


def _stack_cases(rng: np.random.Generator) -> list[Case]:
    def params(sizes, scale=1.0):
        out = {}
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            out[f"W{i}"] = rng.normal(scale=scale, size=(a, b))
            out[f"b{i}"] = rng.normal(scale=scale, size=b)
        return out

    return [
        Case((rng.normal(size=(5, 3)), params((3, 4, 2)), ["relu", "sigmoid"]), "3 → 4 → 2, relu then sigmoid"),
        Case((rng.normal(size=(4, 2)), params((2, 3, 3, 1)), ["tanh", "relu", "linear"]), "three layers"),
        Case((rng.normal(size=(6, 4)), params((4, 5, 3)), ["relu", "softmax"]), "a softmax output"),
        Case((rng.normal(size=(3, 2)), params((2, 1)), ["sigmoid"]), "a single layer"),
        Case(
            (rng.normal(size=(4, 3)), params((3,) * 12), ["tanh"] * 10 + ["softmax"]),
            "eleven layers (W10 and W11 come after W9)",
        ),
    ]


_ACTS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
    "linear": lambda z: z,
    "softmax": lambda z: (
        np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)
    ),
}


def _stack(X, params, activations, *, order=None, skip_last=False, bias=True, same=False):
    """Wrong (or right) loops over the layers, one switch per classic mistake."""
    names = order(params) if order else [f"W{i}" for i in range(1, len(activations) + 1)]
    A = X
    for i, name in enumerate(names):
        Z = A @ params[name] + (params["b" + name[1:]] if bias else 0.0)
        act = activations[0] if same else activations[i]
        A = Z if (skip_last and i == len(names) - 1) else _ACTS[act](Z)
    return A


register(
    "forward_layers",
    chapter=CHAPTER,
    reference=forward_layers_reference,
    cases=_stack_cases,
    arg_names=("X", "params", "activations"),
    mistakes=[
        Mistake(
            "last activation skipped",
            lambda X, p, a: _stack(X, p, a, skip_last=True),
            "You returned the last layer's weighted sums Z; apply its activation too.",
        ),
        Mistake(
            "one activation for every layer",
            lambda X, p, a: _stack(X, p, a, same=True),
            "Each layer has its own activation: use activations[l - 1] for layer l.",
        ),
        Mistake(
            "no biases",
            lambda X, p, a: _stack(X, p, a, bias=False),
            "Each layer adds its bias vector b_l after the matrix product.",
        ),
        Mistake(
            "layers in sorted-string order",
            lambda X, p, a: _stack(X, p, a, order=lambda p: sorted(k for k in p if k.startswith("W"))),
            "Sorting the names as strings puts W10 before W2; loop over l = 1, 2, …, L and build the names f'W{l}'.",
        ),
    ],
)
