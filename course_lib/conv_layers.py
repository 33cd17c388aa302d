"""Convolutional layers with Keras' names — ``Conv2D``, ``MaxPooling2D``, ``Flatten`` — on the layer protocol.

Defined in: Chapter 11, "Convolutional networks".

The layers run on :mod:`course_lib.conv_fast`, which computes the same
numbers as the chapter's functions in :mod:`course_lib.conv` with fewer,
larger numpy operations; the tests hold the two equal, and both to TensorFlow.
"""

from __future__ import annotations

import numpy as np

from course_lib import conv, conv_fast
from course_lib._validation import check_whole
from course_lib.activations import FORMULAS
from course_lib.dense import ACTIVATIONS
from course_lib.initializers import glorot_limit
from course_lib.layer import Layer


def _pair(value, name: str) -> int:
    """Keras accepts 3 or (3, 3); this course uses square kernels, pools and strides."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2 or value[0] != value[1]:
            raise ValueError(f"{name} must be a number or a pair of equal numbers, got {value!r}")
        value = value[0]
    return check_whole(value, name)


class Conv2D(Layer):
    """``A = activation(conv2d(X, W, b, strides, padding))`` with ``filters`` output channels, like ``keras.layers.Conv2D``.

    Defined in: Chapter 11, "Convolutional networks".

    The kernel ``W`` is HWIO, ``(k, k, C_in, filters)``, initialised Glorot-uniform
    over its fan-in ``k·k·C_in`` and fan-out ``k·k·filters`` as in Keras; the bias is zero.
    ``name`` is Keras' automatic one (``conv2d``, ``conv2d_1``, ...) unless given.
    """

    def __init__(
        self, filters: int, kernel_size=3, strides=1, padding: str = "valid", activation=None, name: str | None = None
    ):
        super().__init__(name)
        self.filters = check_whole(filters, "filters")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        if padding not in conv.PADDINGS:
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        if activation not in ACTIVATIONS or activation == "softmax":
            raise ValueError(f"unknown activation {activation!r} for Conv2D; choose one of {ACTIVATIONS[:-1]}")
        self.padding = padding
        self.activation = activation
        self._f, self._df = FORMULAS[activation or "linear"]

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"Conv2D needs images of shape (H, W, C), got samples of shape {input_shape}")
        H, W, _ = input_shape
        k, s = self.kernel_size, self.strides
        return (
            conv.conv_output_size(H, k, s, self.padding),
            conv.conv_output_size(W, k, s, self.padding),
            self.filters,
        )

    def build(self, input_shape, rng: np.random.Generator, dtype="float32") -> None:
        super().build(input_shape, rng, dtype)
        k, c_in = self.kernel_size, self.input_shape[2]
        limit = glorot_limit(k * k * c_in, k * k * self.filters)
        self.params = {
            "W": rng.uniform(-limit, limit, size=(k, k, c_in, self.filters)).astype(dtype),
            "b": np.zeros(self.filters, dtype=dtype),
        }

    def forward(self, X: np.ndarray) -> np.ndarray:
        Z, cols = conv_fast.conv2d_forward(X, self.params["W"], self.params["b"], self.strides, self.padding)
        A = self._f(Z)
        self._cache = (X.shape, cols, Z, A)
        return A

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        x_shape, cols, Z, A = self._cache
        dZ = self._df(dA, Z, A)
        W = self.params["W"]
        dX, dW, db = conv_fast.conv2d_gradients(dZ, x_shape, cols, W, self.strides, self.padding, need_dX)
        self.grads = {"W": dW, "b": db}
        return dX

    def __repr__(self) -> str:
        return f"Conv2D({self.filters}, {self.kernel_size}, strides={self.strides}, padding={self.padding!r}, activation={self.activation!r})"


class MaxPooling2D(Layer):
    """The largest value of each ``pool_size × pool_size`` window, per channel, like ``keras.layers.MaxPooling2D``.

    Defined in: Chapter 11, "Convolutional networks".
    """

    def __init__(self, pool_size=2, strides=None, name: str | None = None):
        super().__init__(name)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"MaxPooling2D needs images of shape (H, W, C), got samples of shape {input_shape}")
        H, W, C = input_shape
        p, s = self.pool_size, self.strides
        return (conv.conv_output_size(H, p, s), conv.conv_output_size(W, p, s), C)

    def forward(self, X: np.ndarray) -> np.ndarray:
        Y = conv_fast.max_pool2d_forward(X, self.pool_size, self.strides)
        self._cache = (X, Y)
        return Y

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        self.grads = {}
        if not need_dX:
            return None
        X, Y = self._cache
        return conv_fast.max_pool2d_gradient(dA, X, Y, self.pool_size, self.strides)

    def __repr__(self) -> str:
        return f"MaxPooling2D({self.pool_size}, strides={self.strides})"


class Flatten(Layer):
    """Each sample's array as one row, like ``keras.layers.Flatten`` (row-major, so it matches Keras' weights).

    Defined in: Chapter 11, "Convolutional networks".
    """

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, X: np.ndarray) -> np.ndarray:
        self._shape = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        self.grads = {}
        return dA.reshape(self._shape) if need_dX else None

    def __repr__(self) -> str:
        return "Flatten()"
