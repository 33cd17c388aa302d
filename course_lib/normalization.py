"""Batch normalisation from scratch: the forward pass in both modes, the backward pass, and a layer.

Defined in: Chapter 11, "Modern convolutional networks".

For a batch ``X`` of shape ``(m, n)`` (features last) or ``(m, n_H, n_W, C)``
(channels last, NHWC), batch normalisation standardises every feature (every
channel) with the mean and variance taken over all the other axes — the
samples and, for images, every position — then scales and shifts it with two
learned vectors of the last axis's length, ``gamma`` and ``beta`` (Keras'
names; Ioffe and Szegedy, 2015)::

    mu  = mean(X)                         over every axis but the last
    v   = mean((X - mu)**2)               the biased variance, as Keras
    X~  = (X - mu) / sqrt(v + eps)
    Y   = gamma * X~ + beta

During training the layer also keeps running averages of ``mu`` and ``v``
(``moving = momentum * moving + (1 - momentum) * batch``, Keras' default
momentum 0.99) and uses them instead of the batch's statistics at inference.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive
from course_lib.layer import Layer


def _axes(X: np.ndarray) -> tuple[int, ...]:
    """Every axis but the last: the axes the statistics are taken over."""
    if X.ndim < 2:
        raise ValueError(f"X must have a batch axis and a feature axis, got shape {X.shape}")
    return tuple(range(X.ndim - 1))


def _as_input(X, name: str = "X") -> np.ndarray:
    return as_float_array(X, name)


def batch_statistics(X) -> tuple[np.ndarray, np.ndarray]:
    """The per-feature mean and (biased) variance over every axis but the last.

    Defined in: Chapter 11, "Modern convolutional networks".
    """
    X = _as_input(X)
    axes = _axes(X)
    mu = X.mean(axis=axes)
    return mu, ((X - mu) ** 2).mean(axis=axes)


def batch_norm_forward(X, gamma, beta, eps: float = 1e-3) -> np.ndarray:
    """Training-mode batch normalisation: ``gamma * (X - mu) / sqrt(v + eps) + beta``, as Keras' ``training=True``.

    Defined in: Chapter 11, "Modern convolutional networks".

    ``X`` is ``(m, n)`` or ``(m, n_H, n_W, C)``; ``gamma`` and ``beta`` have the
    shape of the last axis.  The mean ``mu`` and the variance ``v`` (divided by
    the count, not the count − 1) are taken over every axis but the last.
    """
    X = _as_input(X)
    check_positive(eps, "eps")
    mu, v = batch_statistics(X)
    return gamma * (X - mu) / np.sqrt(v + eps) + beta


def batch_norm_inference(X, gamma, beta, moving_mean, moving_variance, eps: float = 1e-3) -> np.ndarray:
    """Inference-mode batch normalisation: the running statistics replace the batch's, as Keras' ``training=False``.

    Defined in: Chapter 11, "Modern convolutional networks".
    """
    X = _as_input(X)
    return gamma * (X - moving_mean) / np.sqrt(moving_variance + check_positive(eps, "eps")) + beta


def batch_norm_backward(dY, X, gamma, eps: float = 1e-3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients ``(dX, dgamma, dbeta)`` of training-mode batch normalisation, from ``dY = ∂L/∂Y``.

    Defined in: Chapter 11, "Modern convolutional networks".

    With ``N`` the number of values each feature's statistics average over
    (``m`` or ``m·n_H·n_W``) and ``X~`` the standardised input::

        dbeta  = sum(dY)                  over every axis but the last
        dgamma = sum(dY * X~)
        dX     = gamma / sqrt(v + eps) * (dY - dbeta / N - X~ * dgamma / N)

    The last two terms are what the mean and the variance contribute: every
    value of ``X`` moves them, so every value's gradient carries a share.
    """
    X, dY = _as_input(X), _as_input(dY, "dY")
    check_positive(eps, "eps")
    axes = _axes(X)
    N = X.size // X.shape[-1]
    mu, v = batch_statistics(X)
    inv_std = 1.0 / np.sqrt(v + eps)
    X_tilde = (X - mu) * inv_std
    dbeta = dY.sum(axis=axes)
    dgamma = (dY * X_tilde).sum(axis=axes)
    dX = gamma * inv_std * (dY - dbeta / N - X_tilde * dgamma / N)
    return dX, dgamma, dbeta


class BatchNormalization(Layer):
    """Batch normalisation on the layer protocol, like ``keras.layers.BatchNormalization(epsilon=1e-3)``.

    Defined in: Chapter 11, "Modern convolutional networks".

    ``params`` holds the learned ``gamma`` (ones) and ``beta`` (zeros); the
    running ``moving_mean`` (zeros) and ``moving_variance`` (ones) are not
    learned by gradient descent and live in ``state``.  ``forward(X,
    training=True)`` normalises with the batch's statistics and updates the
    running ones; ``training=False`` uses the running ones, as after training.
    """

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, name: str | None = None):
        super().__init__(name)
        if not 0.0 <= float(momentum) < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.epsilon = check_positive(epsilon, "epsilon")
        self.state: dict[str, np.ndarray] = {}
        self.training = True  # the mode forward() uses when none is given

    def compute_output_shape(self, input_shape):
        return input_shape

    def build(self, input_shape, rng: np.random.Generator, dtype="float32") -> None:
        super().build(input_shape, rng, dtype)
        C = self.input_shape[-1]
        self.params = {"gamma": np.ones(C, dtype=dtype), "beta": np.zeros(C, dtype=dtype)}
        self.state = {"moving_mean": np.zeros(C, dtype=dtype), "moving_variance": np.ones(C, dtype=dtype)}

    def forward(self, X: np.ndarray, training: bool | None = None) -> np.ndarray:
        training = self.training if training is None else training
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            return batch_norm_inference(X, gamma, beta, **self.state, eps=self.epsilon).astype(X.dtype, copy=False)
        mu, v = batch_statistics(X)
        b = self.momentum
        self.state = {
            "moving_mean": (b * self.state["moving_mean"] + (1 - b) * mu).astype(gamma.dtype),
            "moving_variance": (b * self.state["moving_variance"] + (1 - b) * v).astype(gamma.dtype),
        }
        self._cache = X
        return batch_norm_forward(X, gamma, beta, self.epsilon).astype(X.dtype, copy=False)

    def backward(self, dA: np.ndarray, need_dX: bool = True):
        dX, dgamma, dbeta = batch_norm_backward(dA, self._cache, self.params["gamma"], self.epsilon)
        self.grads = {
            "gamma": dgamma.astype(self.params["gamma"].dtype),
            "beta": dbeta.astype(self.params["beta"].dtype),
        }
        return dX.astype(dA.dtype, copy=False) if need_dX else None


__all__ = [
    "BatchNormalization",
    "batch_norm_backward",
    "batch_norm_forward",
    "batch_norm_inference",
    "batch_statistics",
]
