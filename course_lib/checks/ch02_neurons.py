"""Exercises of Chapter 2, "From biological to artificial neurons"."""

from __future__ import annotations

import numpy as np

from course_lib import neuron as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 2, "From biological to artificial neurons"'


def _neuron_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([1.0, 2.0]), np.array([0.5, -0.25]), 0.1), "one sample, two inputs"),
        Case((rng.normal(size=5), rng.normal(size=5), -0.7), "one sample, five inputs"),
        Case((rng.normal(size=(4, 3)), rng.normal(size=3), 0.3), "a batch of 4 samples"),
        Case((np.zeros((2, 2)), np.array([3.0, -1.0]), 2.0), "all-zero inputs: only the bias is left"),
        Case((rng.uniform(-3, 3, size=(6, 1)), np.array([2.0]), -1.5), "a batch, one feature each"),
        Case(
            (np.array([[400.0, 500.0], [-400.0, -500.0]]), np.array([1.0, 1.0]), 5.0), "very large weighted sums (±905)"
        ),
    ]


register(
    "weighted_sum",
    chapter=CHAPTER,
    reference=ref.weighted_sum,
    cases=_neuron_cases,
    arg_names=("x", "w", "b"),
    mistakes=[
        Mistake("no bias", lambda x, w, b: x @ w, "Don't forget to add the bias b after the sum."),
        Mistake("minus bias", lambda x, w, b: x @ w - b, "The bias is added (+ b), not subtracted."),
        Mistake(
            "no sum",
            lambda x, w, b: x * w + b,
            "Multiply each input by its weight *and add the products up*: try `x @ w` or `np.sum(x * w, axis=-1)`.",
        ),
        Mistake(
            "sum over the whole batch",
            lambda x, w, b: np.sum(x * w) + b,
            "For a batch (m, n) you need one sum per row: sum over the last axis only (`axis=-1`), or use `x @ w`.",
        ),
        Mistake(
            "bias added per input",
            lambda x, w, b: np.sum(x * w + b, axis=-1),
            "The bias is added once per neuron, after the sum, not once per input.",
        ),
    ],
)


def _neuron_ref(x, w, b):
    return ref.neuron(x, w, b)


register(
    "neuron",
    chapter=CHAPTER,
    reference=_neuron_ref,
    cases=_neuron_cases,
    arg_names=("x", "w", "b"),
    mistakes=[
        Mistake(
            "no activation",
            lambda x, w, b: x @ w + b,
            "You returned the weighted sum z; pass it through the sigmoid 1 / (1 + e^(−z)).",
        ),
        Mistake(
            "wrong sign in the exponent",
            lambda x, w, b: 1.0 / (1.0 + np.exp(x @ w + b)),
            "Check the sign in the exponent: sigmoid(z) = 1 / (1 + e^(−z)), so a large z gives an output near 1.",
        ),
        Mistake(
            "bias outside the activation",
            lambda x, w, b: 1.0 / (1.0 + np.exp(-(x @ w))) + b,
            "The bias belongs inside the activation: sigmoid(w·x + b), not sigmoid(w·x) + b.",
        ),
        Mistake(
            "tanh instead of sigmoid",
            lambda x, w, b: np.tanh(x @ w + b),
            "That is tanh (outputs in −1..1); this neuron uses the sigmoid (outputs in 0..1).",
        ),
    ],
)


def _layer_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            (np.array([1.0, -2.0, 0.5]), rng.normal(size=(3, 3)), np.array([0.1, -0.2, 0.3])),
            "one sample, 3 inputs, 3 neurons",
        ),
        Case(
            (rng.normal(size=(5, 2)), rng.normal(size=(2, 4)), rng.normal(size=4)),
            "a batch of 5 samples, 2 inputs, 4 neurons",
        ),
        Case((rng.normal(size=4), rng.normal(size=(4, 2)), np.array([0.0, 1.0])), "one sample, 4 inputs, 2 neurons"),
        Case(
            (rng.normal(size=(3, 3)), rng.normal(size=(3, 1)), np.array([-0.5])),
            "a batch, a single neuron (W is (3, 1))",
        ),
        Case(
            (np.zeros((2, 3)), rng.normal(size=(3, 2)), np.array([2.0, -2.0])),
            "all-zero inputs: only the biases are left",
        ),
        Case(
            (np.array([[500.0, 600.0], [-500.0, -600.0]]), np.array([[1.0, -1.0], [1.0, 0.5]]), np.array([0.0, 0.0])),
            "very large weighted sums (±1100)",
        ),
    ]


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


register(
    "neuron_layer",
    chapter=CHAPTER,
    reference=ref.neuron_layer,
    cases=_layer_cases,
    arg_names=("x", "W", "b"),
    mistakes=[
        Mistake(
            "weights transposed",
            lambda x, W, b: _sig(x @ W.T + b),
            "W has shape (n_inputs, n_neurons): column j holds neuron j's weights, so compute `x @ W`"
            " (not `x @ W.T` or `W @ x`).",
        ),
        Mistake(
            "no activation",
            lambda x, W, b: x @ W + b,
            "You returned the weighted sums z; pass them through the sigmoid 1 / (1 + e^(−z)).",
        ),
        Mistake(
            "bias outside the activation",
            lambda x, W, b: _sig(x @ W) + b,
            "Each neuron's bias goes inside its activation: sigmoid(x @ W + b).",
        ),
        Mistake(
            "all biases summed",
            lambda x, W, b: _sig(x @ W + np.sum(b)),
            "Each neuron has its own bias: add the vector b (one entry per neuron), not the sum of its entries.",
        ),
    ],
)


# neuron_accuracy: a multi-step exercise (weighted sums → sigmoid → threshold → compare → fraction)


def _accuracy_cases(rng: np.random.Generator) -> list[Case]:
    w = np.array([1.5, -0.5])
    for _ in range(100):  # the bias must change the accuracy, or leaving it out would pass (the practice draw does)
        X = rng.normal(size=(12, 2))
        y = (X @ w + 0.2 + rng.normal(scale=0.7, size=12) > 0).astype(float)
        if np.mean((X @ w + 0.2 >= 0) == (y == 1)) != np.mean((X @ w >= 0) == (y == 1)):
            break
    return [
        Case((X, y, w, 0.2), "12 points, a noisy linear rule"),
        Case((X, 1.0 - y, w, 0.2), "the same points, labels flipped"),
        Case(
            (np.array([[1.0, 1.0], [2.0, -2.0], [0.0, 1.0]]), np.array([1.0, 1.0, 0.0]), np.array([1.0, 1.0]), -2.0),
            "an output of exactly 0.5 counts as class 1",
        ),  # fmt: skip
        Case((rng.normal(size=(7, 3)), (rng.random(7) < 0.5).astype(float), rng.normal(size=3), 0.0), "three inputs"),
        Case(
            (np.array([[300.0, 0.0], [-300.0, 0.0]]), np.array([1.0, 0.0]), np.array([2.0, 0.0]), 0.0),
            "very large weighted sums",
        ),  # fmt: skip
    ]


register(
    "neuron_accuracy",
    chapter=CHAPTER,
    reference=ref.neuron_accuracy,
    cases=_accuracy_cases,
    arg_names=("X", "y", "w", "b"),
    mistakes=[
        Mistake(
            "strict threshold",
            lambda X, y, w, b: float(np.mean((_sig(X @ w + b) > 0.5) == (y == 1))),
            "An output of exactly 0.5 sits on the boundary; the chapter reads it as class 1, so compare with >= 0.5.",
        ),
        Mistake(
            "no bias",
            lambda X, y, w, b: float(np.mean((_sig(X @ w) >= 0.5) == (y == 1))),
            "The neuron's weighted sum includes the bias b.",
        ),
        Mistake(
            "count instead of fraction",
            lambda X, y, w, b: float(np.sum((_sig(X @ w + b) >= 0.5) == (y == 1))),
            "Return the fraction of correct samples (between 0 and 1), not their number: divide by m, or take a mean.",
        ),
        Mistake(
            "error rate",
            lambda X, y, w, b: float(np.mean((_sig(X @ w + b) >= 0.5) != (y == 1))),
            "That is the fraction of *mistakes*; the accuracy counts the samples where prediction and label agree.",
        ),
        Mistake(
            "threshold at 0 on the output",
            lambda X, y, w, b: float(np.mean((_sig(X @ w + b) >= 0.0) == (y == 1))),
            "The sigmoid's output is always above 0; threshold the output at 0.5 (or, equivalently, z at 0).",
        ),
    ],
)
