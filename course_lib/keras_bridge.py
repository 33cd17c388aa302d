"""Bridge to Keras: the same architecture and weights as a Keras model.

Defined in: Chapter 9, "Training a network end to end".
"""

from __future__ import annotations

from course_lib.model import Sequential


def to_keras(model: Sequential, dtype: str | None = None):
    """A Keras model with the same architecture and a copy of ``model``'s weights (TensorFlow imported here).

    Defined in: Chapter 9, "Training a network end to end".

    ``keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(units, activation), ...])``
    then ``set_weights(model.get_weights())``: both models now compute the
    same function.  ``dtype`` defaults to the model's.
    """
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    model._require_built()
    dtype = dtype or model.dtype.name
    clone = keras.Sequential(
        [keras.Input((model.layers[0].n_in,), dtype=dtype)]
        + [
            keras.layers.Dense(layer.units, activation=layer.activation, use_bias=layer.use_bias, dtype=dtype)
            for layer in model.layers
        ]
    )
    clone.set_weights(model.get_weights())
    return clone
