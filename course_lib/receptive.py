"""Receptive fields: how many input pixels one output of a stack of convolutions and poolings can see.

Defined in: Chapter 11, "Modern convolutional networks".

A layer with kernel ``k`` and stride ``s`` adds ``(k − 1)`` steps of its
input to the receptive field; a step of its input is ``J`` input pixels, where
``J`` (the *jump*) is the product of the strides of the layers below.  So,
layer by layer from the input (``R = 1``, ``J = 1``)::

    R ← R + (k − 1)·J
    J ← J · s

Padding moves the field but does not change its size.
"""

from __future__ import annotations

from course_lib._validation import check_whole


def _pairs(layers) -> list[tuple[int, int]]:
    pairs = []
    for i, layer in enumerate(layers):
        try:
            k, s = layer
        except (TypeError, ValueError):
            raise ValueError(f"layers[{i}] must be a (kernel, stride) pair, got {layer!r}") from None
        pairs.append((check_whole(k, f"layers[{i}] kernel"), check_whole(s, f"layers[{i}] stride")))
    return pairs


def receptive_fields(layers) -> list[tuple[int, int]]:
    """``(R, J)`` after each layer: the receptive field's side in input pixels and the jump between neighbours.

    Defined in: Chapter 11, "Modern convolutional networks".
    """
    R, J, out = 1, 1, []
    for k, s in _pairs(layers):
        R, J = R + (k - 1) * J, J * s
        out.append((R, J))
    return out


def receptive_field(layers) -> int:
    """The side, in input pixels, of what one output of the stack ``[(kernel, stride), ...]`` sees (1 for no layers).

    Defined in: Chapter 11, "Modern convolutional networks".
    """
    fields = receptive_fields(layers)
    return fields[-1][0] if fields else 1


__all__ = ["receptive_field", "receptive_fields"]
