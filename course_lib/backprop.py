"""Backpropagation: gradients by the chain rule, layer by layer.

Defined in: Chapter 8, "Backpropagation".

The running example is the 2-3-1 network of Chapter 5: two inputs, three
sigmoid hidden units, one sigmoid output, trained with the mean binary
cross-entropy.  Its parameters live in a dict, batch-first like Keras::

    W1 (2, 3)   b1 (3,)   W2 (3, 1)   b2 (1,)

The course notes name the same thirteen numbers ``w1 … w9, b1 … b4``; the
correspondence (hidden unit j = 1, 2, 3) is

* ``w1, w2`` → ``W1[0, 0], W1[1, 0]`` (inputs x1, x2 into hidden unit 1),
  ``w3, w4`` → ``W1[:, 1]``, ``w5, w6`` → ``W1[:, 2]``;
* ``w7, w8, w9`` → ``W2[0, 0], W2[1, 0], W2[2, 0]`` (hidden units into the output);
* ``b1, b2, b3`` → ``b1[0], b1[1], b1[2]`` (careful: the notes' ``b1`` is *one entry* of our ``b1``);
* ``b4`` → ``b2[0]``.

:func:`params_to_named` and :func:`named_to_params` convert between the two.
"""

from __future__ import annotations

import math

import numpy as np

from course_lib._validation import as_float_array, check_shape
from course_lib.activations import sigmoid
from course_lib.layers import NAMED_TO_MATRIX, PARAM_SHAPES_2_3_1, check_params_2_3_1, named_from_params
from course_lib.losses import binary_cross_entropy

PARAM_SHAPES = PARAM_SHAPES_2_3_1
NAMES = tuple(NAMED_TO_MATRIX)  # ("w1", …, "w9", "b1", …, "b4"), the notes' names


# --------------------------------------------------------------------------
# Conversions between the notes' scalars and the matrices (defined in Chapter 5)

params_to_named = named_from_params


def named_to_params(named) -> dict:
    """The matrix parameter dict (W1, b1, W2, b2) built from the notes' scalars w1..w9, b1..b4.

    Defined in: Chapter 8, "Backpropagation" (a dict-taking form of
    :func:`course_lib.layers.params_from_named`).
    """
    if not isinstance(named, dict) or set(named) != set(NAMES):
        got = sorted(map(str, named)) if isinstance(named, dict) else type(named).__name__
        raise ValueError(f"named must be a dict with exactly the keys {list(NAMES)}, got {got}")
    from course_lib.layers import params_from_named

    return params_from_named(**named)


def _check_Xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, "X", ndim=2)
    check_shape(X, "X", (None, 2))
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one sample: expected shape (m, 2) with m >= 1, got (0, 2)")
    y = as_float_array(y, "y", ndim=1)
    check_shape(y, "y", (X.shape[0],))
    return X, y


def init_params_2_3_1(seed: int = 0, scale: float = 1.0) -> dict:
    """Random parameters for the 2-3-1 network (normal weights times ``scale``, zero biases).

    Defined in: Chapter 8, "Backpropagation".
    """
    rng = np.random.default_rng(seed)
    return {
        "W1": scale * rng.normal(size=(2, 3)),
        "b1": np.zeros(3),
        "W2": scale * rng.normal(size=(3, 1)),
        "b2": np.zeros(1),
    }


# --------------------------------------------------------------------------
# Forward pass with a cache, and the loss


def forward_2_3_1_cache(X, params):
    """Forward pass of the 2-3-1 network that also keeps what the backward pass needs.

    Defined in: Chapter 8, "Backpropagation".

    Returns ``(y_hat, cache)``: ``y_hat`` is ``(m,)`` and ``cache`` holds
    ``X (m, 2)``, ``Z1, A1 (m, 3)`` and ``Z2, A2 (m, 1)``.  Backpropagation
    reuses these activations instead of recomputing them.
    """
    X = as_float_array(X, "X", ndim=2)
    check_shape(X, "X", (None, 2))
    p = check_params_2_3_1(params)
    Z1 = X @ p["W1"] + p["b1"]
    A1 = sigmoid(Z1)
    Z2 = A1 @ p["W2"] + p["b2"]
    A2 = sigmoid(Z2)
    return A2[:, 0], {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def loss_2_3_1(X, y, params) -> float:
    """Mean binary cross-entropy of the 2-3-1 network on the batch ``(X (m, 2), y (m,))``.

    Defined in: Chapter 8, "Backpropagation".
    """
    X, y = _check_Xy(X, y)
    y_hat, _ = forward_2_3_1_cache(X, params)
    return binary_cross_entropy(y, y_hat)


# --------------------------------------------------------------------------
# The building blocks of the backward pass


def dense_backward(dZ, X, W):
    """Gradients of a dense layer Z = X @ W + b, given dZ = ∂loss/∂Z.

    Defined in: Chapter 8, "Backpropagation".

    ``dZ`` ``(m, n_out)`` is already averaged over the batch (the 1/m lives
    in it), so the weights' gradient is a plain sum over samples:
    ``dW = Xᵀ dZ`` ``(n_in, n_out)``, ``db = Σ_samples dZ`` ``(n_out,)``,
    and the gradient passed back to the previous layer is
    ``dX = dZ Wᵀ`` ``(m, n_in)``.  Returns ``(dX, dW, db)``.
    """
    dZ = as_float_array(dZ, "dZ", ndim=2)
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    check_shape(W, "W", (X.shape[1], dZ.shape[1]))
    check_shape(dZ, "dZ", (X.shape[0], W.shape[1]))
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def sigmoid_backward(dA, Z):
    """∂loss/∂Z for A = σ(Z), given dA = ∂loss/∂A: ``dA * σ(Z) * (1 − σ(Z))``.

    Defined in: Chapter 8, "Backpropagation".

    The chain rule through an elementwise activation is an elementwise
    product with the activation's *derivative* — not with the activation
    itself.  ``dA`` and ``Z`` must have the same shape.
    """
    dA = as_float_array(dA, "dA")
    Z = as_float_array(Z, "Z")
    if dA.shape != Z.shape:
        raise ValueError(f"dA must have the same shape as Z, {Z.shape}; got {dA.shape}")
    s = np.asarray(sigmoid(Z))
    return dA * s * (1.0 - s)


# --------------------------------------------------------------------------
# The 2-3-1 network: correct matrix backprop


def backprop_2_3_1(X, y, params) -> dict:
    """Gradients of the mean binary cross-entropy of the 2-3-1 network, by backpropagation.

    Defined in: Chapter 8, "Backpropagation".

    With a sigmoid output and cross-entropy loss the output error simplifies
    to ``dZ2 = (A2 − y) / m`` (the 1/m because the loss is a mean).  Then,
    layer by layer with :func:`dense_backward`::

        dA1, dW2, db2 = dense_backward(dZ2, A1, W2)   # dW2 = A1ᵀ dZ2, db2 = Σ dZ2, dA1 = dZ2 W2ᵀ
        dZ1 = dA1 * A1 * (1 − A1)                     # through the hidden sigmoid
        _,   dW1, db1 = dense_backward(dZ1, X, W1)    # dW1 = Xᵀ dZ1, db1 = Σ dZ1

    Returns a dict with the same keys and shapes as ``params``.
    """
    X, y = _check_Xy(X, y)
    p = check_params_2_3_1(params)
    m = X.shape[0]
    _, cache = forward_2_3_1_cache(X, p)
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - y[:, None]) / m
    dA1, dW2, db2 = dense_backward(dZ2, A1, p["W2"])
    dZ1 = dA1 * A1 * (1.0 - A1)
    _, dW1, db1 = dense_backward(dZ1, X, p["W1"])
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# --------------------------------------------------------------------------
# The same gradients one scalar at a time, in the notes' names


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def scalar_backprop_2_3_1(x1: float, x2: float, y: float, named: dict) -> dict:
    """Correct gradients of the cross-entropy of ONE sample, one line per derivative, in the notes' names.

    Defined in: Chapter 8, "Backpropagation".

    ``named`` holds the scalars ``w1 … w9, b1 … b4`` (see
    :func:`params_to_named`).  Returns ``{"w1": ∂L/∂w1, …, "b4": ∂L/∂b4}``
    for L = −[y log ŷ + (1 − y) log(1 − ŷ)].  Each hidden unit's error is the
    output error times *the weight from that unit to the output* (w7, w8,
    w9) times the unit's sigmoid slope.
    """
    w = {k: float(named[k]) for k in NAMES}
    # forward
    z1 = w["w1"] * x1 + w["w2"] * x2 + w["b1"]
    z2 = w["w3"] * x1 + w["w4"] * x2 + w["b2"]
    z3 = w["w5"] * x1 + w["w6"] * x2 + w["b3"]
    h1, h2, h3 = _sig(z1), _sig(z2), _sig(z3)
    z4 = w["w7"] * h1 + w["w8"] * h2 + w["w9"] * h3 + w["b4"]
    y_hat = _sig(z4)
    # backward: output unit (sigmoid + cross-entropy ⇒ ∂L/∂z4 = ŷ − y)
    dz4 = y_hat - y
    dw7, dw8, dw9, db4 = dz4 * h1, dz4 * h2, dz4 * h3, dz4
    # hidden units: ∂L/∂hj = ∂L/∂z4 · ∂z4/∂hj, and ∂z4/∂hj is the WEIGHT w7, w8 or w9
    dh1, dh2, dh3 = dz4 * w["w7"], dz4 * w["w8"], dz4 * w["w9"]
    dz1, dz2, dz3 = dh1 * h1 * (1 - h1), dh2 * h2 * (1 - h2), dh3 * h3 * (1 - h3)
    dw1, dw2, db1 = dz1 * x1, dz1 * x2, dz1
    dw3, dw4, db2 = dz2 * x1, dz2 * x2, dz2
    dw5, dw6, db3 = dz3 * x1, dz3 * x2, dz3
    return {
        "w1": dw1, "w2": dw2, "w3": dw3, "w4": dw4, "w5": dw5, "w6": dw6,
        "w7": dw7, "w8": dw8, "w9": dw9, "b1": db1, "b2": db2, "b3": db3, "b4": db4,
    }  # fmt: skip


def _mean_over_samples(step, X, y, params) -> dict:
    """Average a one-sample scalar gradient function over a batch; return matrix-shaped grads."""
    X, y = _check_Xy(X, y)
    named = params_to_named(params)
    total = dict.fromkeys(NAMES, 0.0)
    for (x1, x2), target in zip(X, y):
        for name, g in step(float(x1), float(x2), float(target), named).items():
            total[name] += g
    m = X.shape[0]
    return named_to_params({name: g / m for name, g in total.items()})


def scalar_backprop_2_3_1_batch(X, y, params) -> dict:
    """:func:`scalar_backprop_2_3_1` averaged over a batch, returned as a matrix grads dict.

    Defined in: Chapter 8, "Backpropagation".  Agrees with
    :func:`backprop_2_3_1` to rounding: the loop form and the matrix form
    are the same arithmetic.
    """
    return _mean_over_samples(scalar_backprop_2_3_1, X, y, params)


# --------------------------------------------------------------------------
# The course notes' version, bug for bug (so that a gradient check can catch it)


def _notes_scalar_step(x1: float, x2: float, y: float, named: dict) -> dict:
    """One sample of the notes' backward pass, re-created with its two bugs (see notes_backprop_2_3_1)."""
    w = {k: float(named[k]) for k in NAMES}
    z1 = w["w1"] * x1 + w["w2"] * x2 + w["b1"]
    z2 = w["w3"] * x1 + w["w4"] * x2 + w["b2"]
    z3 = w["w5"] * x1 + w["w6"] * x2 + w["b3"]
    h1, h2, h3 = _sig(z1), _sig(z2), _sig(z3)
    z4 = w["w7"] * h1 + w["w8"] * h2 + w["w9"] * h3 + w["b4"]
    y_hat = _sig(z4)
    loss_slope = -(y / y_hat - (1 - y) / (1 - y_hat))  # ∂L/∂ŷ, as the notes compute it
    out_slope = y_hat * (1 - y_hat)  # ∂ŷ/∂z4
    dz4 = loss_slope * out_slope
    dw7, dw8, dw9, db4 = dz4 * h1, dz4 * h2, dz4 * h3, dz4
    # BUG 1: ∂z4/∂w9 (= h3) is used for every hidden unit where ∂z4/∂hj (= w7, w8, w9) belongs.
    dz1 = dz4 * h3 * h1 * (1 - h1)
    dz2 = dz4 * h3 * h2 * (1 - h2)
    dz3 = dz4 * h3 * h3 * (1 - h3)
    # BUG 2: the notes compute ∂L/∂b1 but never apply it, so b1 does not move: its effective gradient is 0.
    return {
        "w1": dz1 * x1, "w2": dz1 * x2, "w3": dz2 * x1, "w4": dz2 * x2, "w5": dz3 * x1, "w6": dz3 * x2,
        "w7": dw7, "w8": dw8, "w9": dw9, "b1": 0.0, "b2": dz2, "b3": dz3, "b4": db4,
    }  # fmt: skip


def notes_backprop_2_3_1(X, y, params) -> dict:
    """The course notes' backpropagation for the 2-3-1 network, re-created WITH its bugs.

    Defined in: Chapter 8, "Backpropagation".

    Do not use this to train anything: it exists so the chapter can compare
    it with :func:`backprop_2_3_1` and catch it with a gradient check.  It
    reproduces, in our own code, the two mistakes of the notes' scalar code:

    1. every hidden unit's gradient is multiplied by ∂z4/∂w9 = h3 (the third
       hidden *activation*) instead of ∂z4/∂hj, the *weight* w7, w8 or w9
       connecting that hidden unit to the output;
    2. the gradient of the notes' ``b1`` (our ``b1[0]``) is computed but never
       used in the update, so its effective gradient is 0.

    The output layer's gradients (``W2``, ``b2``) are right.  Per-sample
    gradients are averaged over the batch, like :func:`backprop_2_3_1`, and
    returned in the same dict format.
    """
    return _mean_over_samples(_notes_scalar_step, X, y, params)


# --------------------------------------------------------------------------
# Training with any gradient function (to see what a wrong gradient does)


def train_2_3_1(X, y, params, grad_fn=backprop_2_3_1, lr: float = 1.0, steps: int = 100):
    """Full-batch gradient descent on the 2-3-1 network with the gradients of ``grad_fn``.

    Defined in: Chapter 8, "Backpropagation".

    Returns ``(params, losses)``: the final parameters (new arrays; the
    input is not changed) and the loss before each step plus after the last
    (``steps + 1`` numbers).
    """
    X, y = _check_Xy(X, y)
    p = check_params_2_3_1(params)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    losses = [loss_2_3_1(X, y, p)]
    for _ in range(steps):
        grads = grad_fn(X, y, p)
        p = {k: p[k] - lr * grads[k] for k in p}
        losses.append(loss_2_3_1(X, y, p))
    return p, np.array(losses)
