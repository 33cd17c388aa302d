"""Exercises of Chapter 3, "The perceptron"."""

from __future__ import annotations

import numpy as np

from course_lib import activations
from course_lib import perceptron as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 3, "The perceptron"'

# ---------------------------------------------------------------------------
# step


def _step_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([-2.0, -0.5, 0.0, 0.25, 2.0]),), "negative, zero and positive values"),
        Case((np.array([0.0, 0.0, 0.0]),), "exactly zero: the threshold itself"),
        Case((rng.normal(size=(3, 4)),), "a 2-D array"),
        Case((np.array([-1e-12, 1e-12, -1e4, 1e4]),), "tiny and huge values"),
        Case((rng.normal(size=(2, 2, 3)),), "a 3-D array"),
        Case((np.array([0.25, 0.5, 0.75, -0.25]),), "values between 0 and 1"),
    ]


register(
    "step",
    chapter=CHAPTER,
    reference=activations.step,
    cases=_step_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "strict inequality",
            lambda z: np.where(z > 0, 1.0, 0.0),
            "At z = 0 exactly the step outputs 1: the condition is z >= 0, not z > 0.",
        ),
        Mistake(
            "bipolar outputs",
            lambda z: np.where(z >= 0, 1.0, -1.0),
            "This step outputs 1 and 0, not 1 and −1 (that is the 'sign' function).",
        ),
        Mistake(
            "threshold at one half",
            lambda z: np.where(z >= 0.5, 1.0, 0.0),
            "The threshold is at z = 0. A cut at 0.5 is for probabilities such as a sigmoid's output,"
            " but z here is the raw weighted sum.",
        ),
        Mistake(
            "passes positive values through",
            lambda z: np.maximum(z, 0.0),
            "For z >= 0 the step outputs exactly 1.0, not z itself (that would be ReLU).",
        ),
    ],
)

# ---------------------------------------------------------------------------
# perceptron_predict


def _predict_cases(rng: np.random.Generator) -> list[Case]:
    X_gate, _ = ref.logic_gate("and")
    return [
        Case((np.array([1.0, 1.0]), np.array([1.0, 1.0]), -1.5), "one sample, AND weights: fires"),
        Case((np.array([0.0, -1.0]), np.array([1.0, 1.0]), -1.5), "one sample with a negative input: does not fire"),
        Case((X_gate, np.array([1.0, 1.0]), -0.5), "a batch: the OR gate"),
        Case((X_gate, np.array([1.0, 1.0]), -1.0), "w·x + b exactly 0 for two of the samples"),
        Case((rng.normal(size=(6, 3)), rng.normal(size=3), 0.4), "a batch of 6 samples, 3 inputs"),
        Case((X_gate, np.array([-1.0, -1.0]), 1.5), "a batch: the NAND gate"),
        Case((np.array([2.0, -1.0, 0.5]), np.array([0.5, 1.0, 2.0]), -1.0), "one sample, exactly on the boundary"),
    ]


def _predict_ref(x, w, b):
    return ref.perceptron_predict(x, w, b)


register(
    "perceptron_predict",
    chapter=CHAPTER,
    reference=_predict_ref,
    cases=_predict_cases,
    arg_names=("x", "w", "b"),
    mistakes=[
        Mistake(
            "strict inequality",
            lambda x, w, b: np.where(x @ w + b > 0, 1.0, 0.0),
            "A point exactly on the boundary (w·x + b = 0) belongs to class 1: use >= 0, not > 0.",
        ),
        Mistake(
            "no bias",
            lambda x, w, b: np.where(x @ w >= 0, 1.0, 0.0),
            "Don't forget the bias: the perceptron thresholds w·x + b, not w·x.",
        ),
        Mistake(
            "no threshold",
            lambda x, w, b: x @ w + b,
            "You returned the weighted sum z; the perceptron outputs step(z), i.e. 1 or 0.",
        ),
        Mistake(
            "bias subtracted",
            lambda x, w, b: np.where(x @ w - b >= 0, 1.0, 0.0),
            "The bias is added: step(w·x + b), not step(w·x − b).",
        ),
        Mistake(
            "one sum over the whole batch",
            lambda x, w, b: np.where(np.sum(x * w) + b >= 0, 1.0, 0.0),
            "For a batch (m, n) each row is a sample and needs its own answer: use `x @ w + b`,"
            " which gives one weighted sum per row.",
        ),
    ],
)

# ---------------------------------------------------------------------------
# perceptron_update


def _update_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([0.0, 0.0]), 0.0, np.array([1.0, 2.0]), 0.0, 1.0), "zero weights predict 1, label 0"),
        Case((np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1.0, 1.0), "already correct: nothing changes"),
        Case((np.array([0.5, -0.5]), -0.2, np.array([1.0, 1.0]), 1.0, 0.1), "predicted 0, label 1, lr = 0.1"),
        Case((np.array([0.3, 0.2]), 0.1, np.array([0.0, 1.0]), 0.0, 0.5), "predicted 1, label 0, lr = 0.5"),
        Case((np.array([1.0, 1.0]), -1.5, np.array([0.0, 1.0]), 0.0, 0.25), "already correct (class 0)"),
        Case((rng.normal(size=4), 0.3, rng.normal(size=4) + 3.0, 0.0, 0.05), "four inputs, lr = 0.05"),
        Case((np.array([-0.4, 0.1, 0.2]), -0.7, np.array([2.0, 1.0, -1.0]), 1.0, 2.0), "three inputs, lr = 2"),
    ]


def _update_ref(w, b, x, y, lr):
    return ref.perceptron_update(w, b, x, y, lr)


def _threshold(z):
    return np.where(z >= 0, 1.0, 0.0)


register(
    "perceptron_update",
    chapter=CHAPTER,
    reference=_update_ref,
    cases=_update_cases,
    arg_names=("w", "b", "x", "y", "lr"),
    mistakes=[
        Mistake(
            "no bias update",
            lambda w, b, x, y, lr: (w + lr * (y - _threshold(x @ w + b)) * x, b),
            "Don't forget to update the bias too: b ← b + η (y − ŷ).",
        ),
        Mistake(
            "wrong sign of the error",
            lambda w, b, x, y, lr: (
                w - lr * (y - _threshold(x @ w + b)) * x,
                b - lr * (y - _threshold(x @ w + b)),
            ),
            "Check the sign: the error is y − ŷ and it is *added* (w ← w + η (y − ŷ) x), so a"
            " missed positive pulls the weights towards x.",
        ),
        Mistake(
            "error from the weighted sum",
            lambda w, b, x, y, lr: (w + lr * (y - (x @ w + b)) * x, b + lr * (y - (x @ w + b))),
            "The error uses the *prediction* ŷ = step(w·x + b), not the raw weighted sum; that way a"
            " correctly classified sample gives error 0 and changes nothing.",
        ),
        Mistake(
            "no learning rate",
            lambda w, b, x, y, lr: (w + (y - _threshold(x @ w + b)) * x, b + (y - _threshold(x @ w + b))),
            "Multiply the update by the learning rate lr (η).",
        ),
        Mistake(
            "always updates",
            lambda w, b, x, y, lr: (w + lr * (2 * y - 1) * x, b + lr * (2 * y - 1)),
            "Only a *misclassified* sample changes the weights: multiply by the error y − ŷ, which"
            " is 0 when the prediction is right.",
        ),
    ],
)

# ---------------------------------------------------------------------------
# perceptron_epoch (our own)


def _epoch_cases(rng: np.random.Generator) -> list[Case]:
    X_and, y_and = ref.logic_gate("and")
    X_or, y_or = ref.logic_gate("or")
    X_xor, y_xor = ref.logic_gate("xor")
    X_r = rng.normal(size=(8, 3))
    y_r = (X_r @ np.array([1.0, -2.0, 0.5]) > 0.2).astype(float)
    X_mix = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, 1.0], [0.5, 0.5], [-2.0, -1.0]])
    y_mix = np.array([1.0, 0.0, 1.0, 0.0, 0.0])
    return [
        Case((np.array([0.5, -0.5]), 0.0, X_mix, y_mix, 1.0), "5 points, several of them misclassified"),
        Case((np.array([0.2, -0.1]), 0.05, X_xor, y_xor, 0.1), "XOR, lr = 0.1"),
        Case((np.zeros(2), 0.0, X_or, y_or, 0.5), "OR from zero weights, lr = 0.5"),
        Case((np.zeros(2), 0.0, X_and, y_and, 1.0), "AND from zero weights"),
        Case((np.array([1.0, 1.0]), -1.5, X_and, y_and, 1.0), "AND already learned: nothing changes"),
        Case((rng.normal(size=3), 0.0, X_r, y_r, 0.3), "8 random samples with 3 inputs"),
    ]


def _epoch_ref(w, b, X, y, lr):
    return ref.perceptron_epoch(w, b, X, y, lr)


def _epoch_batch(w, b, X, y, lr):
    err = y - _threshold(X @ w + b)
    return w + lr * err @ X, b + lr * err.sum()


def _epoch_no_carry(w, b, X, y, lr):
    new_w, new_b = w, b
    for x_i, y_i in zip(X, y):
        err = y_i - _threshold(x_i @ w + b)
        new_w, new_b = w + lr * err * x_i, b + lr * err
    return new_w, new_b


def _epoch_no_bias(w, b, X, y, lr):
    for x_i, y_i in zip(X, y):
        w = w + lr * (y_i - _threshold(x_i @ w + b)) * x_i
    return w, b


def _epoch_reversed(w, b, X, y, lr):
    for x_i, y_i in zip(X[::-1], y[::-1]):
        err = y_i - _threshold(x_i @ w + b)
        w, b = w + lr * err * x_i, b + lr * err
    return w, b


register(
    "perceptron_epoch",
    chapter=CHAPTER,
    reference=_epoch_ref,
    cases=_epoch_cases,
    arg_names=("w", "b", "X", "y", "lr"),
    mistakes=[
        Mistake(
            "all predictions made first",
            _epoch_batch,
            "Update after *each* sample: predict sample i with the weights already changed by the samples"
            " before it (compute ŷ inside the loop).",
        ),
        Mistake(
            "updates not carried over",
            _epoch_no_carry,
            "Inside the loop, keep updating the same variables (`w, b = perceptron_update(w, b, ...)`);"
            " otherwise every step starts again from the original weights and only the last one counts.",
        ),
        Mistake(
            "no bias update",
            _epoch_no_bias,
            "Update the bias as well as the weights at every misclassified sample.",
        ),
        Mistake(
            "samples in reverse order",
            _epoch_reversed,
            "Visit the samples in their given order, first row first: the online rule's result depends on it.",
        ),
    ],
)

# ---------------------------------------------------------------------------
# count_errors (our own)


def _count_cases(rng: np.random.Generator) -> list[Case]:
    X, y_and = ref.logic_gate("and")
    _, y_or = ref.logic_gate("or")
    _, y_xor = ref.logic_gate("xor")
    X_r = rng.normal(size=(10, 2))
    y_r = (X_r[:, 0] > 0).astype(float)
    return [
        Case((X, y_and, np.array([1.0, 1.0]), -1.5), "AND with AND weights: no errors"),
        Case((X, y_xor, np.array([1.0, 1.0]), -0.5), "XOR with OR weights"),
        Case((X, y_and, np.zeros(2), 0.5), "zero weights: everything predicted 1"),
        Case((X, y_or, np.array([1.0, 1.0]), -1.0), "OR, with w·x + b exactly 0 on two samples"),
        Case((X_r, y_r, np.array([0.3, 1.0]), 0.1), "10 random points"),
    ]


def _count_ref(X, y, w, b):
    return ref.count_errors(X, y, w, b)


register(
    "count_errors",
    chapter=CHAPTER,
    reference=_count_ref,
    cases=_count_cases,
    arg_names=("X", "y", "w", "b"),
    mistakes=[
        Mistake(
            "counts the correct ones",
            lambda X, y, w, b: int(np.sum(_threshold(X @ w + b) == y)),
            "That counts the *correctly* classified samples; count those where the prediction differs from y.",
        ),
        Mistake(
            "fraction instead of count",
            lambda X, y, w, b: float(np.mean(_threshold(X @ w + b) != y)),
            "Return how many samples are wrong (a whole number), not the fraction.",
        ),
        Mistake(
            "strict inequality",
            lambda X, y, w, b: int(np.sum(np.where(X @ w + b > 0, 1.0, 0.0) != y)),
            "Predict with the perceptron's rule, step(w·x + b) with z >= 0 giving 1: a point on the boundary is class 1.",
        ),
        Mistake(
            "no bias",
            lambda X, y, w, b: int(np.sum(_threshold(X @ w) != y)),
            "Include the bias b in the weighted sum before thresholding.",
        ),
    ],
)
