"""A recurrent layer with Keras' name, ``SimpleRNN``, on the layer protocol.

Defined in: Chapter 12, "Recurrent networks".

Its forward pass is :func:`course_lib.rnn.rnn_forward` and its backward pass
:func:`course_lib.rnn.rnn_backward` (backpropagation through time), the
functions the chapter teaches and checks.
"""

from __future__ import annotations

import numpy as np

from course_lib import rnn
from course_lib._validation import check_whole
from course_lib.initializers import glorot_limit
from course_lib.layer import Layer


class SimpleRNN(Layer):
    """``h_t = tanh(x_t Wx + h_{t−1} Wh + b)`` over a sequence, like ``keras.layers.SimpleRNN``.

    Defined in: Chapter 12, "Recurrent networks".

    Input samples have shape ``(T, n_in)``; the output is the last state
    ``(units,)`` or, with ``return_sequences=True``, every state ``(T, units)``.
    The state starts at zero.  ``params`` are ``Wx (n_in, units)``,
    ``Wh (units, units)`` and ``b (units,)`` — Keras' kernel, recurrent kernel
    and bias, in that order.  Keras initialises the recurrent kernel as an
    orthogonal matrix; so does this layer (from the model's seed).  ``name``
    is Keras' automatic one (``simple_rnn``, ``simple_rnn_1``, ...) unless given.
    """

    activation = "tanh"

    def __init__(self, units: int, return_sequences: bool = False, name: str | None = None):
        super().__init__(name)
        self.units = check_whole(units, "units")
        if not isinstance(return_sequences, bool):
            raise ValueError(f"return_sequences must be True or False, got {return_sequences!r}")
        self.return_sequences = return_sequences

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"SimpleRNN needs sequences of shape (T, n_in), got samples of shape {input_shape}")
        return (input_shape[0], self.units) if self.return_sequences else (self.units,)

    def build(self, input_shape, rng: np.random.Generator, dtype="float32") -> None:
        super().build(input_shape, rng, dtype)
        n_in, u = self.input_shape[1], self.units
        limit = glorot_limit(n_in, u)
        q, r = np.linalg.qr(rng.normal(size=(u, u)))
        self.params = {
            "Wx": rng.uniform(-limit, limit, size=(n_in, u)).astype(dtype),
            "Wh": (q * np.sign(np.diag(r))).astype(dtype),
            "b": np.zeros(u, dtype=dtype),
        }

    def forward(self, X: np.ndarray) -> np.ndarray:
        h0 = np.zeros((X.shape[0], self.units), dtype=X.dtype)
        H = rnn.rnn_forward(X, h0, self.params["Wx"], self.params["Wh"], self.params["b"])
        self._cache = (X, H, h0)
        return H if self.return_sequences else H[:, -1]

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        X, H, h0 = self._cache
        if self.return_sequences:
            dH = dA
        else:
            dH = np.zeros_like(H)
            dH[:, -1] = dA
        dX, _, dWx, dWh, db = rnn.rnn_backward(dH, X, H, h0, self.params["Wx"], self.params["Wh"])
        # rnn_backward sums the bias gradient in float64: give every gradient its parameter's dtype.
        grads = {"Wx": dWx, "Wh": dWh, "b": db}
        self.grads = {key: g.astype(self.params[key].dtype, copy=False) for key, g in grads.items()}
        return dX if need_dX else None

    def __repr__(self) -> str:
        return f"SimpleRNN({self.units}, return_sequences={self.return_sequences})"
