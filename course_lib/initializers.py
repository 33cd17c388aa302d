"""Initial weights: the Glorot limit, a dense layer's initial weights, and a measure of symmetry between units.

Defined in: Chapter 9, "Training a network end to end".
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole


def glorot_limit(n_in: int, n_out: int) -> float:
    """The Glorot (Xavier) uniform limit sqrt(6 / (n_in + n_out)).

    Defined in: Chapter 9, "Training a network end to end".

    Weights drawn uniformly from [−limit, limit] have variance
    2 / (n_in + n_out), which keeps the size of the signal roughly constant
    from layer to layer, forwards and backwards.
    """
    n_in, n_out = check_whole(n_in, "n_in"), check_whole(n_out, "n_out")
    return float(np.sqrt(6.0 / (n_in + n_out)))


def init_dense(n_in: int, n_out: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Glorot-uniform weights ``W (n_in, n_out)`` and zero biases ``b (n_out,)`` for a dense layer.

    Defined in: Chapter 9, "Training a network end to end".

    The exact recipe (so that a result can be reproduced)::

        rng = np.random.default_rng(seed)
        limit = np.sqrt(6 / (n_in + n_out))
        W = rng.uniform(-limit, limit, size=(n_in, n_out))
        b = np.zeros(n_out)

    Random weights break the symmetry between hidden units; the limit keeps
    their scale sensible.  Biases may start at zero: the weights already
    make every unit different.
    """
    n_in, n_out = check_whole(n_in, "n_in"), check_whole(n_out, "n_out")
    rng = np.random.default_rng(check_whole(seed, "seed", minimum=0))
    limit = np.sqrt(6.0 / (n_in + n_out))
    W = rng.uniform(-limit, limit, size=(n_in, n_out))
    return W, np.zeros(n_out)


def max_column_difference(W) -> float:
    """The largest difference between any column of ``W`` and the first one (0.0 ⇔ all units identical).

    Defined in: Chapter 9, "Training a network end to end".

    Column ``j`` of a kernel holds hidden unit ``j``'s incoming weights, so
    this number measures how different the hidden units are.
    """
    W = as_float_array(W, "W", ndim=2)
    return float(np.max(np.abs(W - W[:, :1])))
