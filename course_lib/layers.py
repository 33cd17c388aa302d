"""Dense layers and forward propagation.

Defined in: Chapter 5, "Layers and forward propagation".

Batch-first like Keras: ``X`` is ``(m, n_in)``, ``W`` is ``(n_in, n_out)``,
``b`` is ``(n_out,)`` and the layer's output ``Z = X @ W + b`` is
``(m, n_out)``.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_shape
from course_lib.activations import sigmoid


def dense_forward(X, W, b):
    """Z = X @ W + b for a batch ``X (m, n_in)``, weights ``W (n_in, n_out)`` and bias ``b (n_out,)``.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    check_shape(W, "W", (X.shape[1], None))
    check_shape(b, "b", (W.shape[1],))
    return X @ W + b


# --------------------------------------------------------------------------
# The 2-3-1 network: named scalars, by hand, and as matrices

PARAM_SHAPES_2_3_1 = {"W1": (2, 3), "b1": (3,), "W2": (3, 1), "b2": (1,)}

#: Where each of the thirteen scalar names of the 2-3-1 network lives in the
#: batch-first matrices.  Hidden unit j reads column j of ``W1``; the notes'
#: ``b1, b2, b3`` are the three entries of OUR vector ``b1`` and ``b4`` is ``b2[0]``.
NAMED_TO_MATRIX = {
    "w1": ("W1", (0, 0)),
    "w2": ("W1", (1, 0)),
    "w3": ("W1", (0, 1)),
    "w4": ("W1", (1, 1)),
    "w5": ("W1", (0, 2)),
    "w6": ("W1", (1, 2)),
    "w7": ("W2", (0, 0)),
    "w8": ("W2", (1, 0)),
    "w9": ("W2", (2, 0)),
    "b1": ("b1", (0,)),
    "b2": ("b1", (1,)),
    "b3": ("b1", (2,)),
    "b4": ("b2", (0,)),
}

#: The example values used throughout Chapter 5 (w1..w9 = 0.1..0.9, b1..b4 = 0.1..0.4).
EXAMPLE_NAMED = {f"w{i}": round(0.1 * i, 1) for i in range(1, 10)} | {f"b{i}": round(0.1 * i, 1) for i in range(1, 5)}


def _sig(z: float) -> float:
    """A scalar sigmoid that never overflows (math-only, for the by-hand version)."""
    import math

    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def forward_2_3_1_by_hand(x1: float, x2: float, w, b) -> dict:
    """The 2-3-1 network for ONE sample, one line of arithmetic per neuron.

    Defined in: Chapter 5, "Layers and forward propagation".

    Parameters
    ----------
    x1, x2 : float
        The two inputs (the input layer computes nothing: it just holds them).
    w : sequence of 9 floats
        ``w1 … w9``: ``w1, w2`` feed hidden unit 1, ``w3, w4`` unit 2,
        ``w5, w6`` unit 3 and ``w7, w8, w9`` carry h1, h2, h3 to the output.
    b : sequence of 4 floats
        ``b1 … b4``: the biases of h1, h2, h3 and of the output.

    Returns
    -------
    dict
        ``{"h1": ..., "h2": ..., "h3": ..., "y": ...}`` as Python floats.
    """
    w = [float(v) for v in as_float_array(w, "w", ndim=1)]
    b = [float(v) for v in as_float_array(b, "b", ndim=1)]
    if len(w) != 9 or len(b) != 4:
        raise ValueError(f"w must have shape (9,) and b shape (4,), got ({len(w)},) and ({len(b)},)")
    w1, w2, w3, w4, w5, w6, w7, w8, w9 = w
    b1, b2, b3, b4 = b
    x1, x2 = float(x1), float(x2)
    h1 = _sig(w1 * x1 + w2 * x2 + b1)
    h2 = _sig(w3 * x1 + w4 * x2 + b2)
    h3 = _sig(w5 * x1 + w6 * x2 + b3)
    y = _sig(w7 * h1 + w8 * h2 + w9 * h3 + b4)
    return {"h1": h1, "h2": h2, "h3": h3, "y": y}


def params_from_named(w1, w2, w3, w4, w5, w6, w7, w8, w9, b1, b2, b3, b4) -> dict:
    """The matrix parameters ``{W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,)}`` built from the thirteen scalars.

    Defined in: Chapter 5, "Layers and forward propagation".

    Batch-first means ``W1`` is ``(n_in, n_out) = (2, 3)``: column j holds
    the two weights *into* hidden unit j, so ``W1[:, 0] = (w1, w2)``.  See
    :data:`NAMED_TO_MATRIX` for the full table.  Call it with keywords, e.g.
    ``params_from_named(**EXAMPLE_NAMED)``.
    """
    named = dict(zip(NAMED_TO_MATRIX, (w1, w2, w3, w4, w5, w6, w7, w8, w9, b1, b2, b3, b4)))
    params = {key: np.zeros(shape) for key, shape in PARAM_SHAPES_2_3_1.items()}
    for name, (key, idx) in NAMED_TO_MATRIX.items():
        value = as_float_array(named[name], name, ndim=0)
        params[key][idx] = float(value)
    return params


def named_from_params(params) -> dict:
    """The inverse of :func:`params_from_named`: ``{"w1": ..., ..., "b4": ...}``.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    p = check_params_2_3_1(params)
    return {name: float(p[key][idx]) for name, (key, idx) in NAMED_TO_MATRIX.items()}


def check_params_2_3_1(params) -> dict:
    """Float64 copies of a 2-3-1 parameter dict, or a ``ValueError`` naming the expected shapes.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    if not isinstance(params, dict) or set(params) != set(PARAM_SHAPES_2_3_1):
        got = sorted(map(str, params)) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,); got {got}")
    out = {}
    for key, shape in PARAM_SHAPES_2_3_1.items():
        arr = as_float_array(params[key], key)
        check_shape(arr, key, shape)
        out[key] = np.array(arr, dtype=np.float64)
    return out


def random_params_2_3_1(rng: np.random.Generator, scale: float = 1.0) -> dict:
    """Random 2-3-1 parameters (standard normal entries times ``scale``), e.g. for test cases.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    return {key: scale * rng.normal(size=shape) for key, shape in PARAM_SHAPES_2_3_1.items()}


def forward_2_3_1(X, params):
    """Predictions ``(m,)`` of the 2-3-1 network with sigmoid hidden and output units.

    Defined in: Chapter 5, "Layers and forward propagation".

    ``X`` is ``(m, 2)``; ``params`` holds ``W1 (2, 3)``, ``b1 (3,)``,
    ``W2 (3, 1)``, ``b2 (1,)``.  Two lines of matrix algebra do the work
    of the four scalar lines of :func:`forward_2_3_1_by_hand`, for every
    sample at once::

        A1 = σ(X @ W1 + b1)     # (m, 3): h1, h2, h3 for every sample
        A2 = σ(A1 @ W2 + b2)    # (m, 1): the output

    and the last column is returned flat, shape ``(m,)``.
    """
    X = as_float_array(X, "X", ndim=2)
    check_shape(X, "X", (None, 2))
    p = check_params_2_3_1(params)
    A1 = sigmoid(X @ p["W1"] + p["b1"])
    A2 = sigmoid(A1 @ p["W2"] + p["b2"])
    return A2[:, 0]


# --------------------------------------------------------------------------
# Any multilayer perceptron: initialisation and forward pass with a cache

ACTIVATIONS = ("sigmoid", "tanh", "relu", "softmax", "linear")


def _activation(name):
    from course_lib import activations

    if callable(name):
        return name
    table = {
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "relu": activations.relu,
        "softmax": activations.softmax,
        "linear": lambda z: z,
    }
    if name not in table:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)} or a function, got {name!r}")
    return table[name]


def init_params(layer_sizes, rng=0) -> dict:
    """Random parameters for a dense network with the given layer sizes.

    Defined in: Chapter 5, "Layers and forward propagation".

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_in, n_hidden_1, ..., n_out)``, e.g. ``(3, 8, 1)``.  The input
        layer is listed but owns no parameters.
    rng : numpy Generator or int
        Source of randomness (an int is used as a seed).

    Returns
    -------
    dict
        ``W1 … WL`` of shape ``(n_{l-1}, n_l)`` drawn from a normal with
        standard deviation ``1 / sqrt(n_{l-1})`` (so every layer's weighted
        sums start at a similar scale), and zero biases ``b1 … bL``.
        Chapter 9 explains why the weights must be random.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in sizes):
        raise ValueError(f"layer_sizes must be at least two positive integers, e.g. (3, 8, 1); got {layer_sizes!r}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    params = {}
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{layer}"] = rng.normal(scale=1.0 / np.sqrt(n_in), size=(n_in, n_out))
        params[f"b{layer}"] = np.zeros(n_out)
    return params


def n_layers(params) -> int:
    """How many dense layers (W1, b1), (W2, b2), … a parameter dict holds.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict with keys W1, b1, W2, b2, ...; got {type(params).__name__}")
    L = 0
    while f"W{L + 1}" in params:
        L += 1
    expected = {f"{k}{i}" for i in range(1, L + 1) for k in "Wb"}
    if L == 0 or set(params) != expected:
        raise ValueError(f"params must have keys W1, b1, ..., WL, bL; got {sorted(map(str, params))}")
    return L


def count_params(params) -> int:
    """Total number of weights and biases.

    Defined in: Chapter 5, "Layers and forward propagation".
    """
    n_layers(params)
    return int(sum(np.size(v) for v in params.values()))


def mlp_forward(X, params, activations):
    """Forward propagation through any stack of dense layers; returns ``(output, cache)``.

    Defined in: Chapter 5, "Layers and forward propagation".

    Parameters
    ----------
    X : array of shape (m, n_in)
    params : dict
        ``W1, b1, ..., WL, bL`` as made by :func:`init_params`.
    activations : str, callable or sequence of them
        One per layer (``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"softmax"``,
        ``"linear"`` or a function); a single value is used for every layer.

    Returns
    -------
    output : array of shape (m, n_out)
        ``A_L``, the last layer's activations (kept 2-D; slice ``[:, 0]``
        for one output unit).
    cache : dict
        ``A0`` (= X), and for each layer l: ``Z{l} = A{l-1} @ W{l} + b{l}``
        and ``A{l} = activation(Z{l})``.  Backpropagation (Chapter 8)
        reuses these instead of recomputing them.
    """
    X = as_float_array(X, "X", ndim=2)
    L = n_layers(params)
    if isinstance(activations, (str, bytes)) or callable(activations):
        activations = [activations] * L
    activations = list(activations)
    if len(activations) != L:
        raise ValueError(f"activations must name one activation per layer ({L}), got {len(activations)}")
    cache = {"A0": X}
    A = X
    for layer in range(1, L + 1):
        W = as_float_array(params[f"W{layer}"], f"W{layer}", ndim=2)
        b = as_float_array(params[f"b{layer}"], f"b{layer}", ndim=1)
        if W.shape[0] != A.shape[1]:
            raise ValueError(
                f"W{layer} must have shape ({A.shape[1]}, n_out) to follow a layer of {A.shape[1]} units, got {W.shape}"
            )
        Z = dense_forward(A, W, b)
        A = np.asarray(_activation(activations[layer - 1])(Z))
        cache[f"Z{layer}"], cache[f"A{layer}"] = Z, A
    return A, cache


def flatten_images(images):
    """Turn a batch of grey-scale images ``(m, h, w)`` with pixel values 0..255 into rows ``(m, h·w)`` in [0, 1].

    Defined in: Chapter 5, "Layers and forward propagation".

    A dense layer sees an image as one long vector: a 28×28 digit becomes
    784 numbers, row after row.  Dividing by 255 puts every pixel in [0, 1]
    (0 = background, 1 = full ink for MNIST).
    """
    images = as_float_array(images, "images", ndim=3)
    m = images.shape[0]
    return images.reshape(m, -1).astype(np.float64) / 255.0


# --------------------------------------------------------------------------
# Pictures of networks: layered graphs and the five classic topologies
