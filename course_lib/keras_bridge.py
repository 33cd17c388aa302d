"""Bridge to Keras: the same architecture and weights as a Keras model.

Defined in: Chapter 9, "Training a network end to end" (convolutional layers: Chapter 11).
"""

from __future__ import annotations

from course_lib.model import Sequential


def _keras_layer(layer, keras, dtype):
    from course_lib.conv_layers import Conv2D, Flatten, MaxPooling2D
    from course_lib.dense import Dense
    from course_lib.recurrent_layers import SimpleRNN

    same = {"dtype": dtype, "name": layer.name}  # the clone's summary() names its layers as ours does
    if isinstance(layer, Dense):
        return keras.layers.Dense(layer.units, activation=layer.activation, use_bias=layer.use_bias, **same)
    if isinstance(layer, Conv2D):
        return keras.layers.Conv2D(
            layer.filters, layer.kernel_size, strides=layer.strides, padding=layer.padding,
            activation=layer.activation, **same,
        )  # fmt: skip
    if isinstance(layer, MaxPooling2D):
        return keras.layers.MaxPooling2D(layer.pool_size, strides=layer.strides, **same)
    if isinstance(layer, SimpleRNN):
        return keras.layers.SimpleRNN(layer.units, return_sequences=layer.return_sequences, **same)
    if isinstance(layer, Flatten):
        return keras.layers.Flatten(**same)
    raise ValueError(f"no Keras counterpart for {layer!r}")


def to_keras(model: Sequential, dtype: str | None = None):
    """A Keras model with the same architecture and a copy of ``model``'s weights (TensorFlow imported here).

    Defined in: Chapter 9, "Training a network end to end".

    ``keras.Sequential([keras.Input(input_shape), keras.layers.Dense(...), ...])``
    (or ``Conv2D``, ``MaxPooling2D``, ``Flatten``) then
    ``set_weights(model.get_weights())``: both models now compute the same
    function.  ``dtype`` defaults to the model's.
    """
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    model._require_built()
    dtype = dtype or model.dtype.name
    clone = keras.Sequential(
        [keras.Input(model.input_shape, dtype=dtype)] + [_keras_layer(layer, keras, dtype) for layer in model.layers]
    )
    clone.set_weights(model.get_weights())
    return clone
