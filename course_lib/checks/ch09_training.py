"""Exercises of Chapter 9, "Training a network end to end"."""

from __future__ import annotations

import numpy as np

from course_lib import datasets, initializers, losses, metrics, network
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 9, "Training a network end to end"'


# --------------------------------------------------------------------------
# one_hot


def _one_hot_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([2, 0, 1, 2]), 3), "four labels, three classes"),
        Case((rng.integers(0, 10, size=12), 10), "twelve digits 0..9"),
        Case((np.array([0, 1, 1, 0]), 5), "the classes 2, 3 and 4 never occur in this batch"),
        Case((np.array([7]), 10), "a single sample"),
        Case((np.array([1, 0, 1]), 2), "two classes"),
    ]


def _one_hot_all_columns(y, num_classes):
    Y = np.zeros((len(y), num_classes))
    Y[:, y] = 1.0
    return Y


def _one_hot_one_based(y, num_classes):
    Y = np.zeros((len(y), num_classes))
    Y[np.arange(len(y)), y - 1] = 1.0
    return Y


register(
    "one_hot",
    chapter=CHAPTER,
    reference=datasets.one_hot,
    cases=_one_hot_cases,
    arg_names=("y", "num_classes"),
    mistakes=[
        Mistake(
            "transposed",
            lambda y, num_classes: np.eye(num_classes)[:, y],
            "One ROW per sample: the result is (m, num_classes). `np.eye(num_classes)[y]` picks rows,"
            " `np.eye(num_classes)[:, y]` picks columns.",
        ),
        Mistake(
            "classes counted from the data",
            lambda y, num_classes: np.eye(int(np.max(y)) + 1)[y],
            "Use the num_classes argument, not y.max() + 1: a batch may not contain the highest class,"
            " and every one-hot row must have the same length as the network's output.",
        ),
        Mistake(
            "whole columns set",
            _one_hot_all_columns,
            "`Y[:, y] = 1` sets whole columns (every sample gets a 1 for every label that occurs)."
            " Pair each row with its own label: `Y[np.arange(m), y] = 1`.",
        ),
        Mistake(
            "labels treated as 1-based",
            _one_hot_one_based,
            "Labels start at 0: class 0 goes in column 0, so use y as the column index directly (not y - 1).",
        ),
    ],
)


# --------------------------------------------------------------------------
# accuracy


def _accuracy_cases(rng: np.random.Generator) -> list[Case]:
    y = rng.integers(0, 10, size=20)
    pred = y.copy()
    pred[[1, 4, 9, 13, 17]] = (pred[[1, 4, 9, 13, 17]] + 3) % 10
    return [
        Case((y, pred), "20 digits, 5 of them wrong"),
        Case((np.array([0, 1, 1, 0, 1, 1, 0, 0]), np.array([0, 1, 0, 0, 1, 1, 1, 0])), "8 binary labels, 2 wrong"),
        Case((np.array([3, 1, 2]), np.array([3, 1, 2])), "every prediction right"),
        Case((np.array([3, 1, 2]), np.array([1, 2, 3])), "every prediction wrong"),
        Case((np.array([4]), np.array([4])), "a single sample"),
    ]


register(
    "accuracy",
    chapter=CHAPTER,
    reference=metrics.accuracy,
    cases=_accuracy_cases,
    arg_names=("y_true", "y_pred"),
    mistakes=[
        Mistake(
            "count instead of fraction",
            lambda y_true, y_pred: int(np.sum(y_true == y_pred)),
            "That is the NUMBER of correct predictions; divide by the number of samples (or use np.mean)"
            " to get a fraction between 0 and 1.",
        ),
        Mistake(
            "percentage",
            lambda y_true, y_pred: 100.0 * np.mean(y_true == y_pred),
            "Return a fraction between 0 and 1 (like Keras' accuracy), not a percentage.",
        ),
        Mistake(
            "error rate",
            lambda y_true, y_pred: float(np.mean(y_true != y_pred)),
            "You computed the error rate (the fraction of WRONG predictions); accuracy is the fraction"
            " where y_true == y_pred.",
        ),
    ],
)


# --------------------------------------------------------------------------
# init_dense


def _init_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((3, 4, 0), "3 inputs, 4 units, seed 0"),
        Case((64, 10, 1), "the 8×8 digits' output layer, seed 1"),
        Case((784, 32, 42), "784 MNIST pixels, 32 units, seed 42"),
        Case((1, 1, 7), "a single weight"),
        Case((5, 2, 123), "5 inputs, 2 units, seed 123"),
        Case(_random_init_args(rng, 2, 20), "random sizes from 2 to 20, a random seed"),
        Case(_random_init_args(rng, 20, 200), "random sizes from 20 to 200, a random seed"),
    ]


def _random_init_args(rng: np.random.Generator, low: int, high: int) -> tuple[int, int, int]:
    """``(n_in, n_out, seed)`` with ``n_in ≠ n_out`` (a square W would hide a transposed one) and a seed < 2³²."""
    n_in, n_out = (int(n) for n in rng.choice(np.arange(low, high + 1), size=2, replace=False))
    return (n_in, n_out, int(rng.integers(0, 2**32)))


def _init_random_bias(n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out)), rng.uniform(-limit, limit, size=n_out)


def _init_legacy_seed(n_in, n_out, seed):
    limit = np.sqrt(6.0 / (n_in + n_out))
    legacy = np.random.RandomState(seed)  # noqa: NPY002 - the learner's mistake under test
    return legacy.uniform(-limit, limit, size=(n_in, n_out)), np.zeros(n_out)


register(
    "init_dense",
    chapter=CHAPTER,
    reference=initializers.init_dense,
    cases=_init_cases,
    arg_names=("n_in", "n_out", "seed"),
    mistakes=[
        Mistake(
            "all zeros",
            lambda n_in, n_out, seed: (np.zeros((n_in, n_out)), np.zeros(n_out)),
            "All-zero weights make every hidden unit identical, and identical units stay identical"
            " forever (symmetry). Draw W at random: rng.uniform(-limit, limit, size=(n_in, n_out)).",
        ),
        Mistake(
            "transposed shape",
            lambda n_in, n_out, seed: (
                np.random.default_rng(seed).uniform(
                    -np.sqrt(6.0 / (n_in + n_out)), np.sqrt(6.0 / (n_in + n_out)), size=(n_out, n_in)
                ),
                np.zeros(n_out),
            ),
            "Batch-first: W has shape (n_in, n_out) so that X @ W works for X of shape (m, n_in).",
        ),
        Mistake(
            "limit from n_in only",
            lambda n_in, n_out, seed: (
                np.random.default_rng(seed).uniform(-np.sqrt(6.0 / n_in), np.sqrt(6.0 / n_in), size=(n_in, n_out)),
                np.zeros(n_out),
            ),
            "The Glorot limit uses both fan-in and fan-out: sqrt(6 / (n_in + n_out)).",
        ),
        Mistake(
            "normal instead of uniform",
            lambda n_in, n_out, seed: (
                np.random.default_rng(seed).normal(0.0, np.sqrt(6.0 / (n_in + n_out)), size=(n_in, n_out)),
                np.zeros(n_out),
            ),
            "Glorot UNIFORM draws from a uniform distribution on [-limit, limit]: use rng.uniform, not rng.normal.",
        ),
        Mistake(
            "uniform on [0, limit)",
            lambda n_in, n_out, seed: (
                np.random.default_rng(seed).uniform(0.0, np.sqrt(6.0 / (n_in + n_out)), size=(n_in, n_out)),
                np.zeros(n_out),
            ),
            "The weights must be centred on zero: draw from [-limit, limit], not [0, limit].",
        ),
        Mistake(
            "random biases",
            _init_random_bias,
            "Only W is random; the biases start at zero (np.zeros(n_out)). The random weights already"
            " break the symmetry.",
        ),
        Mistake(
            "legacy global seed",
            _init_legacy_seed,
            "Use the recipe's generator, rng = np.random.default_rng(seed), then rng.uniform(...);"
            " np.random.seed / RandomState produce a different stream of numbers.",
        ),
    ],
)


# --------------------------------------------------------------------------
# softmax_cross_entropy_backward


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sce_cases(rng: np.random.Generator) -> list[Case]:
    def one_hot(labels, k):
        return np.eye(k)[labels]

    return [
        Case((_softmax(rng.normal(size=(4, 3))), one_hot(np.array([0, 2, 1, 2]), 3)), "4 samples, 3 classes"),
        Case((_softmax(rng.normal(size=(6, 10)) * 2), one_hot(rng.integers(0, 10, 6), 10)), "6 digits, 10 classes"),
        Case((np.array([[0.7, 0.2, 0.1]]), np.array([[1.0, 0.0, 0.0]])), "a single sample"),
        Case((_softmax(rng.normal(size=(5, 2))), one_hot(np.array([1, 0, 0, 1, 1]), 2)), "two classes"),
        Case(
            (np.array([[0.998, 0.001, 0.001], [0.001, 0.001, 0.998]]), np.eye(3)[[0, 2]]),
            "confident, right predictions",
        ),
    ]


register(
    "softmax_cross_entropy_backward",
    chapter=CHAPTER,
    reference=losses.softmax_cross_entropy_backward,
    cases=_sce_cases,
    arg_names=("probs", "Y"),
    mistakes=[
        Mistake(
            "not averaged",
            lambda probs, Y: probs - Y,
            "The loss is the MEAN over the m samples, so its gradient carries a 1/m: (probs - Y) / m"
            " with m = probs.shape[0].",
        ),
        Mistake(
            "wrong sign",
            lambda probs, Y: (Y - probs) / probs.shape[0],
            "Check the sign: the gradient is prediction minus target, (probs - Y) / m. Raising the"
            " probability of the true class must LOWER the loss.",
        ),
        Mistake(
            "divided by every entry",
            lambda probs, Y: (probs - Y) / probs.size,
            "Divide by the number of samples m = probs.shape[0], not by probs.size (= m·k): the"
            " cross-entropy sums over classes and averages over samples.",
        ),
        Mistake(
            "softmax derivative applied again",
            lambda probs, Y: (probs - Y) * probs * (1 - probs) / probs.shape[0],
            "(probs - Y) / m is already the gradient with respect to Z, the softmax included: do not"
            " multiply by a softmax derivative again.",
        ),
        Mistake(
            "gradient with respect to the probabilities",
            lambda probs, Y: -Y / probs / probs.shape[0],
            "-Y / probs is ∂L/∂probs; the exercise asks for ∂L/∂Z, the input of the softmax, where the"
            " softmax Jacobian simplifies everything to (probs - Y) / m.",
        ),
    ],
)


# --------------------------------------------------------------------------
# confusion_matrix


def _cm_cases(rng: np.random.Generator) -> list[Case]:
    y = rng.integers(0, 10, size=60)
    pred = np.where(rng.random(60) < 0.7, y, rng.integers(0, 10, size=60))
    return [
        Case((np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3), "6 samples, 3 classes"),
        Case((y, pred, 10), "60 digits, about 70 % right"),
        Case((np.array([0, 1, 1, 0]), np.array([0, 1, 1, 0]), 4), "classes 2 and 3 never occur"),
        Case((np.array([1, 1, 1, 0]), np.array([0, 0, 0, 0]), 2), "every sample predicted as class 0"),
        Case((np.array([2]), np.array([1]), 3), "a single sample"),
    ]


def _cm_fancy_increment(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=int)
    C[y_true, y_pred] += 1
    return C


def _cm_transposed(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[p, t] += 1
    return C


def _cm_unique_classes(y_true, y_pred, num_classes):
    classes = np.unique(np.concatenate([y_true, y_pred]))
    k = len(classes)
    C = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[np.searchsorted(classes, t), np.searchsorted(classes, p)] += 1
    return C


def _cm_row_normalised(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes))
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    return C / np.maximum(C.sum(axis=1, keepdims=True), 1)


register(
    "confusion_matrix",
    chapter=CHAPTER,
    reference=metrics.confusion_matrix,
    cases=_cm_cases,
    arg_names=("y_true", "y_pred", "num_classes"),
    mistakes=[
        Mistake(
            "fancy-index increment",
            _cm_fancy_increment,
            "`C[y_true, y_pred] += 1` counts a repeated (true, predicted) pair only ONCE: numpy does not"
            " accumulate repeated indices. Loop over the pairs, or use np.add.at(C, (y_true, y_pred), 1).",
        ),
        Mistake(
            "rows and columns swapped",
            _cm_transposed,
            "Rows are the TRUE classes and columns the PREDICTED ones: count sample i in C[y_true[i], y_pred[i]].",
        ),
        Mistake(
            "classes taken from the data",
            _cm_unique_classes,
            "Make the matrix num_classes × num_classes even when some classes never occur, so that row i"
            " is always class i.",
        ),
        Mistake(
            "rows normalised",
            _cm_row_normalised,
            "Return the raw counts; dividing each row by its total is a separate (optional) step for the plot.",
        ),
    ],
)


# two_layer_gradients: a multi-step exercise (the whole backward pass of the training loop)


def _two_layer_cases(rng: np.random.Generator) -> list[Case]:
    def case(m, n, h, k, scale=1.0):
        params = {
            "W1": rng.normal(scale=scale, size=(n, h)),
            "b1": rng.normal(scale=scale, size=h),
            "W2": rng.normal(scale=scale, size=(h, k)),
            "b2": rng.normal(scale=scale, size=k),
        }
        return rng.normal(size=(m, n)), np.eye(k)[rng.integers(0, k, size=m)], params

    return [
        Case(case(5, 4, 3, 3), "5 samples, 4 → 3 → 3"),
        Case(case(1, 2, 4, 2), "one sample"),
        Case(case(8, 3, 6, 5, scale=2.0), "larger weights: many ReLUs off"),
        Case(case(6, 5, 2, 4), "a narrow hidden layer"),
    ]


def _two_layer(X, Y, p, *, mean=True, mask="relu", transpose_ok=True, bias_axis=0):
    Z1 = X @ p["W1"] + p["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ p["W2"] + p["b2"]
    A2 = np.exp(Z2 - Z2.max(1, keepdims=True))
    A2 /= A2.sum(1, keepdims=True)
    dZ2 = (A2 - Y) / (len(X) if mean else 1)
    dA1 = dZ2 @ p["W2"].T
    dZ1 = {"relu": dA1 * (Z1 > 0), "none": dA1, "sigmoid": dA1 * A1 * (1 - A1)}[mask]
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(bias_axis), "W2": A1.T @ dZ2, "b2": dZ2.sum(bias_axis)}


register(
    "two_layer_gradients",
    chapter=CHAPTER,
    reference=network.two_layer_gradients,
    cases=_two_layer_cases,
    arg_names=("X", "Y", "params"),
    mistakes=[
        Mistake(
            "no ReLU mask",
            lambda X, Y, p: _two_layer(X, Y, p, mask="none"),
            "On the way back through the hidden layer, multiply by ReLU's slope: 1 where Z1 > 0, 0 elsewhere.",
        ),
        Mistake(
            "sigmoid's slope for a ReLU layer",
            lambda X, Y, p: _two_layer(X, Y, p, mask="sigmoid"),
            "The hidden layer is ReLU: its slope is [Z1 > 0], not A1(1 − A1).",
        ),
        Mistake(
            "not averaged",
            lambda X, Y, p: _two_layer(X, Y, p, mean=False),
            "The loss is a *mean* over the batch: divide the output error A2 − Y by m.",
        ),
        Mistake(
            "error with the wrong sign",
            lambda X, Y, p: {k: -v for k, v in _two_layer(X, Y, p).items()},
            "The output error is prediction minus target, (A2 − Y) / m; with Y − A2 every gradient points uphill.",
        ),
    ],
)
