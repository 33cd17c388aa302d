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

Names
-----
Every layer has a ``name``, given as Keras 3 gives it: an explicit
``name=`` wins; otherwise the class name in snake case (``Dense`` →
``dense``, ``SimpleRNN`` → ``simple_rnn``, ``Conv2D`` → ``conv2d``) followed
by a counter per name that runs for the whole Python session, as Keras'
does: the first ``Dense`` is ``dense``, the next ``dense_1``, ``dense_2``,
... even in another model.  :func:`clear_session` restarts the counters,
like ``keras.backend.clear_session()``.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from course_lib._validation import check_whole

#: How many layers of each snake-case name this session has named (Keras keeps the same global count).
_NAME_COUNTS: Counter = Counter()


def snake_case(name: str) -> str:
    """A class name in Keras' snake case: ``"SimpleRNN"`` → ``"simple_rnn"``, ``"Conv2D"`` → ``"conv2d"``.

    Defined in: Chapter 9, "Training a network end to end".
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ...: Keras' automatic layer names.

    Defined in: Chapter 9, "Training a network end to end".
    """
    count = _NAME_COUNTS[prefix]
    _NAME_COUNTS[prefix] += 1
    return f"{prefix}_{count}" if count else prefix


def clear_session() -> None:
    """Restart the automatic layer names (the next ``Dense`` is ``dense`` again), like ``keras.backend.clear_session()``.

    Defined in: Chapter 9, "Training a network end to end".
    """
    _NAME_COUNTS.clear()


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

    def __init__(self, name: str | None = None):
        if name is None:
            name = unique_name(snake_case(type(self).__name__))
        elif not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string (or None for an automatic one), got {name!r}")
        self.name = name
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
