"""Dense layers and forward propagation.

Defined in: Chapter 5, "Layers and forward propagation".

Batch-first like Keras: ``X`` is ``(m, n_in)``, ``W`` is ``(n_in, n_out)``,
``b`` is ``(n_out,)`` and the layer's output ``Z = X @ W + b`` is
``(m, n_out)``.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_shape


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
