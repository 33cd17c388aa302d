"""Backpropagation: gradients by the chain rule, layer by layer.

Defined in: Chapter 8, "Backpropagation".
"""

from __future__ import annotations

from course_lib._validation import as_float_array, check_shape


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
