"""The perceptron: one threshold neuron and the rule that teaches it.

Defined in: Chapter 3, "The perceptron".

Shapes follow the rest of the course: one sample ``x`` is ``(n,)``, a batch
``X`` is ``(m, n)``, the weights ``w`` are ``(n,)`` and the bias ``b`` is a
number.  Labels ``y`` are 0 or 1.
"""

from __future__ import annotations

from numbers import Real
from typing import NamedTuple

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_shape
from course_lib.activations import step
from course_lib.neuron import weighted_sum

#: The four logic gates of the chapter, as truth tables over the inputs (0,0), (0,1), (1,0), (1,1).
GATES = {
    "and": (0.0, 0.0, 0.0, 1.0),
    "or": (0.0, 1.0, 1.0, 1.0),
    "nand": (1.0, 1.0, 1.0, 0.0),
    "xor": (0.0, 1.0, 1.0, 0.0),
}

#: Hand-set weights (w, b) of a perceptron that computes each linearly separable gate.
GATE_WEIGHTS = {
    "and": (np.array([1.0, 1.0]), -1.5),
    "or": (np.array([1.0, 1.0]), -0.5),
    "nand": (np.array([-1.0, -1.0]), 1.5),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The truth table of a two-input logic gate as a tiny dataset ``(X, y)``.

    Defined in: Chapter 3, "The perceptron".

    Parameters
    ----------
    name : {"and", "or", "nand", "xor"}
        The gate (case-insensitive).

    Returns
    -------
    X : ndarray of shape (4, 2)
        The inputs (0,0), (0,1), (1,0), (1,1).
    y : ndarray of shape (4,)
        The gate's output for each row of ``X`` (0.0 or 1.0).
    """
    key = str(name).lower() if isinstance(name, str) else None
    if key not in GATES:
        raise ValueError(f"name must be one of {sorted(GATES)}, got {name!r}")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array(GATES[key])


def _check_bias(b) -> float:
    if isinstance(b, bool) or not isinstance(b, (Real, np.number)) or np.ndim(b) != 0:
        raise ValueError(f"b must be a single number, got {b!r}")
    return float(b)


def _check_labels(y, shape: tuple, name: str = "y") -> np.ndarray:
    y = as_float_array(y, name)
    check_shape(y, name, shape)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{name} must hold only 0 and 1 (the perceptron's two classes), got {np.unique(y)}")
    return y


def perceptron_predict(x, w, b):
    """The perceptron's class: 1.0 where w·x + b ≥ 0, else 0.0.

    Defined in: Chapter 3, "The perceptron".

    Parameters
    ----------
    x : array of shape (n,) or (m, n)
        One sample or a batch of samples.
    w : array of shape (n,)
        The weights.
    b : float
        The bias (minus the threshold).

    Returns
    -------
    float or ndarray of shape (m,)
        1.0 or 0.0 for one sample, an array of them for a batch.
    """
    return step(weighted_sum(x, w, b))


def perceptron_update(w, b, x, y, lr: float = 1.0):
    """One step of the perceptron learning rule on a single sample.

    Defined in: Chapter 3, "The perceptron".

    .. math:: w \\leftarrow w + \\eta (y - \\hat y) x, \\qquad b \\leftarrow b + \\eta (y - \\hat y)

    The error ``y - ŷ`` is 0 when the sample is classified correctly (no
    change), +1 when the perceptron said 0 but should have said 1 (the
    weights move *towards* x) and −1 in the opposite case (they move away).
    The arguments are not modified: new arrays are returned.

    Parameters
    ----------
    w : array of shape (n,)
    b : float
    x : array of shape (n,)
        One sample.
    y : {0, 1}
        Its label.
    lr : float, default 1.0
        The learning rate η > 0.

    Returns
    -------
    new_w : ndarray of shape (n,)
    new_b : float
    """
    w = as_float_array(w, "w", ndim=1)
    x = as_float_array(x, "x")
    check_shape(x, "x (one sample, matching w)", (w.shape[0],))
    b = _check_bias(b)
    y = float(_check_labels(np.asarray(y), (), "y"))
    lr = check_positive(lr, "lr")
    error = y - perceptron_predict(x, w, b)
    return w + lr * error * x, b + lr * error


def count_errors(X, y, w, b) -> int:
    """How many samples of ``(X, y)`` the perceptron ``(w, b)`` misclassifies.

    Defined in: Chapter 3, "The perceptron".

    Parameters
    ----------
    X : array of shape (m, n)
    y : array of shape (m,) with values 0 and 1
    w : array of shape (n,)
    b : float

    Returns
    -------
    int
    """
    X = as_float_array(X, "X", ndim=2)
    y = _check_labels(y, (X.shape[0],))
    return int(np.sum(perceptron_predict(X, w, b) != y))


def perceptron_epoch(w, b, X, y, lr: float = 1.0):
    """One pass of the learning rule over the samples, in order.

    Defined in: Chapter 3, "The perceptron".

    Each sample is predicted with the weights *as updated by the samples
    before it* (the online rule), so the order of the rows matters.

    Returns
    -------
    new_w : ndarray of shape (n,)
    new_b : float
    """
    X = as_float_array(X, "X", ndim=2)
    w = as_float_array(w, "w", ndim=1)
    check_shape(w, "w", (X.shape[1],))
    y = _check_labels(y, (X.shape[0],))
    b = _check_bias(b)
    for x_i, y_i in zip(X, y):
        w, b = perceptron_update(w, b, x_i, y_i, lr)
    return w, b


class PerceptronFit(NamedTuple):
    """What :func:`train_perceptron` returns.

    Defined in: Chapter 3, "The perceptron".

    Attributes
    ----------
    w, b : the final weights and bias.
    errors : ndarray of int, one entry per epoch run
        How many samples were misclassified (and so caused an update)
        during each epoch.
    path : list of (w, b)
        The weights before training and after every epoch, for plotting.
    """

    w: np.ndarray
    b: float
    errors: np.ndarray
    path: list

    @property
    def converged(self) -> bool:
        """True when the last epoch classified every sample correctly."""
        return bool(len(self.errors) and self.errors[-1] == 0)

    @property
    def updates(self) -> int:
        """The total number of weight updates made."""
        return int(np.sum(self.errors))


def train_perceptron(X, y, lr: float = 1.0, epochs: int = 100, w0=None, b0: float = 0.0, stop_early: bool = True):
    """Train a perceptron with the learning rule, one sample at a time.

    Defined in: Chapter 3, "The perceptron".

    Parameters
    ----------
    X : array of shape (m, n)
    y : array of shape (m,) with values 0 and 1
    lr : float, default 1.0
        The learning rate η.
    epochs : int, default 100
        The largest number of passes over the data.
    w0 : array of shape (n,), optional
        Initial weights (zeros by default, which makes training deterministic).
    b0 : float, default 0.0
        Initial bias.
    stop_early : bool, default True
        Stop after the first epoch without a single mistake (nothing would
        change any more).

    Returns
    -------
    PerceptronFit
        ``(w, b, errors, path)``; ``errors[k]`` is the number of
        misclassified samples met during epoch ``k``.
    """
    X = as_float_array(X, "X", ndim=2)
    y = _check_labels(y, (X.shape[0],))
    lr = check_positive(lr, "lr")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a whole number ≥ 0, got {epochs!r}")
    w = np.zeros(X.shape[1]) if w0 is None else as_float_array(w0, "w0", ndim=1).copy()
    check_shape(w, "w0", (X.shape[1],))
    b = _check_bias(b0)
    errors, path = [], [(w.copy(), b)]
    for _ in range(int(epochs)):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            new_w, new_b = perceptron_update(w, b, x_i, y_i, lr)
            if new_b != b or not np.array_equal(new_w, w):
                mistakes += 1
            w, b = new_w, new_b
        errors.append(mistakes)
        path.append((w.copy(), b))
        if stop_early and mistakes == 0:
            break
    return PerceptronFit(w, b, np.array(errors, dtype=int), path)


def two_layer_xor(X, return_hidden: bool = False):
    """XOR computed by three hand-set perceptrons in two layers: XOR = AND(OR, NAND).

    Defined in: Chapter 3, "The perceptron".

    The hidden layer maps each input to the pair (OR(x), NAND(x)); in that
    new space the two classes *are* linearly separable, and one AND
    perceptron finishes the job.

    Parameters
    ----------
    X : array of shape (m, 2)
    return_hidden : bool, default False
        Also return the hidden layer's outputs, shape (m, 2).
    """
    X = as_float_array(X, "X", ndim=2)
    check_shape(X, "X", (None, 2))
    H = np.column_stack([perceptron_predict(X, *GATE_WEIGHTS["or"]), perceptron_predict(X, *GATE_WEIGHTS["nand"])])
    out = perceptron_predict(H, *GATE_WEIGHTS["and"])
    return (out, H) if return_hidden else out
