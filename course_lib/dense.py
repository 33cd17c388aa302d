"""A fully connected layer with Keras' name and arguments: the layer every from-scratch model stacks.

Defined in: Chapter 9, "Training a network end to end".

It follows the layer protocol of :mod:`course_lib.layer`: ``build(input_shape,
rng, dtype)`` creates ``params``; ``forward(X)`` remembers what ``backward``
needs; ``backward(dA)`` fills ``grads`` (same keys as ``params``) and returns ``dX``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from course_lib._validation import check_whole
from course_lib.activations import FORMULAS
from course_lib.backprop import dense_backward
from course_lib.initializers import glorot_limit
from course_lib.layer import Layer

ACTIVATIONS = (None, "linear", "relu", "sigmoid", "tanh", "softmax")


INITIALIZERS = ("glorot_uniform", "he_normal", "zeros", "constant")


class Dense(Layer):
    """A fully connected layer ``A = activation(X @ W + b)``, named like ``keras.layers.Dense``.

    Defined in: Chapter 9, "Training a network end to end".

    Parameters
    ----------
    units : int
        Number of neurons (columns of the output).
    activation : None, "linear", "relu", "sigmoid", "tanh" or "softmax"
    kernel_initializer : "glorot_uniform" (default), "he_normal", "zeros" or "constant"
        ``he_normal`` draws from N(0, 2 / n_in) (Keras truncates it at two
        standard deviations; the difference does not matter here).
        ``"constant"`` fills the kernel with ``constant_value``: every unit
        then starts identical — the experiment of the chapter.
    constant_value : float, default 0.05
        The value used by ``kernel_initializer="constant"``.
    name : str, optional
        Keras' automatic name (``dense``, ``dense_1``, ...) unless given.

    Notes
    -----
    Like Keras' ``Dense``, it also takes sequences ``(T, n_in)`` (the output
    of ``SimpleRNN(return_sequences=True)``) and applies the same weights at
    every time step, giving ``(T, units)``.

    After :meth:`build`, ``params`` is ``{"W": kernel (n_in, units), "b": bias (units,)}``
    and, after :meth:`backward`, ``grads`` holds arrays of the same shapes.
    """

    def __init__(
        self,
        units: int,
        activation=None,
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        constant_value=0.05,
        name: str | None = None,
    ):
        super().__init__(name)
        self.units = check_whole(units, "units")
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {ACTIVATIONS}")
        if not isinstance(use_bias, bool):
            raise ValueError(f"use_bias must be True or False, got {use_bias!r}")
        if kernel_initializer not in INITIALIZERS:
            raise ValueError(f"unknown kernel_initializer {kernel_initializer!r}; choose one of {INITIALIZERS}")
        if isinstance(constant_value, bool) or not isinstance(constant_value, Real):
            raise ValueError(f"constant_value must be a number, got {constant_value!r}")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.constant_value = float(constant_value)
        self._f, self._df = FORMULAS[activation or "linear"]
        self._cache: tuple = ()

    @property
    def n_in(self) -> int:
        return self.params["W"].shape[0]

    @property
    def logits(self) -> np.ndarray:
        """``Z = X @ W + b`` of the latest :meth:`forward`, before the activation (the losses use it, as Keras does)."""
        return self._cache[1]

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        # Keras would also apply Dense to each pixel of an image; here that is refused as a forgotten Flatten.
        if len(input_shape) not in (1, 2):
            raise ValueError(
                f"Dense needs flat inputs (n_in,) or sequences (T, n_in), got samples of shape {input_shape}:"
                " put a Flatten() before it"
            )
        return input_shape[:-1] + (self.units,)

    def build(self, input_shape, rng: np.random.Generator, dtype="float32") -> None:
        """Create the kernel ``W (n_in, units)`` with the layer's initialiser and (unless
        ``use_bias=False``) a zero bias ``b (units,)``."""
        super().build(input_shape, rng, dtype)
        shape = (self.input_shape[-1], self.units)
        if self.kernel_initializer == "glorot_uniform":
            limit = glorot_limit(*shape)
            W = rng.uniform(-limit, limit, size=shape)
        elif self.kernel_initializer == "he_normal":
            W = rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)
        elif self.kernel_initializer == "zeros":
            W = np.zeros(shape)
        else:
            W = np.full(shape, self.constant_value)
        self.params = {"W": W.astype(dtype)}
        if self.use_bias:
            self.params["b"] = np.zeros(self.units, dtype=dtype)
        self.grads = {}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """``A = activation(X @ W + b)``; remembers ``X``, ``Z`` and ``A`` for :meth:`backward`.

        ``X`` must already be an array ``(m, n_in)`` or ``(m, T, n_in)`` of the layer's dtype
        (:meth:`Sequential.predict` validates what users pass in).
        """
        Z = X @ self.params["W"]
        if self.use_bias:
            Z += self.params["b"]
        A = self._f(Z)
        self._cache = (X, Z, A)
        return A

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        """From ``dA = ∂L/∂A`` compute ``dZ``, the gradients ``grads["W"], grads["b"]``, and return ``dX``.

        The activation's derivative (:data:`course_lib.activations.FORMULAS`)
        turns ``dA`` into ``dZ``, then :func:`course_lib.backprop.dense_backward`
        does the rest.
        """
        X, Z, A = self._cache
        return self.backward_from_dZ(self._df(dA, Z, A), need_dX)

    def backward_from_dZ(self, dZ: np.ndarray, need_dX: bool = True):
        """Like :meth:`backward` when ``dZ = ∂L/∂Z`` is already known (the fused softmax + cross-entropy).

        The first layer of a network needs no ``dX`` (nothing comes before
        it), so ``need_dX=False`` skips that matrix product — the same
        formulas as ``dense_backward``, one product fewer.
        """
        X = self._cache[0]
        W = self.params["W"]
        X2, dZ2 = X.reshape(-1, X.shape[-1]), dZ.reshape(-1, dZ.shape[-1])  # every time step is one more row
        if need_dX:
            dX, dW, db = dense_backward(dZ2, X2, W)
            dX = dX.reshape(X.shape)
        else:
            dX, dW, db = None, X2.T @ dZ2, dZ2.sum(axis=0)
        self.grads = {"W": dW, "b": db} if self.use_bias else {"W": dW}
        return dX

    def __repr__(self) -> str:
        bias = "" if self.use_bias else ", use_bias=False"
        return f"Dense({self.units}, activation={self.activation!r}{bias})"
