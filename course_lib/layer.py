"""The one protocol every from-scratch layer follows, so that one ``Sequential`` trains any stack of them.

Defined in: Chapter 9, "Training a network end to end" (and used by every layer of Part II).

A layer

* is **built** from the shape of one input sample (``input_shape``, without
  the batch axis), a random generator and a dtype: ``build(input_shape, rng,
  dtype)`` creates ``params`` (a dict of arrays, e.g. ``{"W": ..., "b": ...}``)
  and sets ``output_shape``;
* computes ``forward(X)`` on a batch, remembering what its backward pass needs;
* computes ``backward(dA, need_dX=True)`` from ``dA = ∂L/∂(output)``: stores
  ``grads`` (same keys and shapes as ``params``) and returns ``dX = ∂L/∂X``
  (or ``None`` when ``need_dX`` is false: the first layer needs none).

Layers without weights (pooling, flattening) have empty ``params``.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import check_whole


def as_shape(input_shape) -> tuple[int, ...]:
    """``input_shape`` as a tuple of whole numbers ≥ 1 (an int ``n`` means ``(n,)``)."""
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
    if not shape:
        raise ValueError("input_shape must have at least one dimension")
    return tuple(check_whole(n, "input_shape entries") for n in shape)


class Layer:
    """Base class of the from-scratch layers (see the module docstring for the protocol)."""

    #: The activation, for layers that have one (shown by ``summary``).
    activation = None

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.input_shape: tuple[int, ...] | None = None
        self.output_shape: tuple[int, ...] | None = None

    @property
    def built(self) -> bool:
        return self.output_shape is not None

    def build(self, input_shape, rng: np.random.Generator, dtype="float32") -> None:
        """Create the weights for inputs of shape ``input_shape`` (one sample) and set ``output_shape``."""
        self.input_shape = as_shape(input_shape)
        self.output_shape = self.compute_output_shape(self.input_shape)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:  # pragma: no cover
        raise NotImplementedError

    def forward(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def backward(self, dA: np.ndarray, need_dX: bool = True):  # pragma: no cover
        raise NotImplementedError

    def count_params(self) -> int:
        return sum(p.size for p in self.params.values())
