"""Compressing images to a few numbers: PCA and autoencoders, measured in bits per image and PSNR.

Defined in: Chapter 16, "More applications".

A *codec* has an encoder (image → short code) and a decoder (code → image).
The code is stored with a fixed number of bits per number, so its size in
bits is ``code_size × bits``; the quality of the decoded image is measured by
the peak signal-to-noise ratio (PSNR, in decibels: higher is better, +6 dB
is half the error amplitude).
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_whole


def psnr(original, reconstruction, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, ``10·log10(peak² / MSE)`` over all entries; ``inf`` for a perfect copy.

    Defined in: Chapter 16, "More applications".
    """
    a = as_float_array(original, "original")
    b = as_float_array(reconstruction, "reconstruction")
    if a.shape != b.shape:
        raise ValueError(f"reconstruction must have the original's shape {a.shape}, got {b.shape}")
    peak = check_positive(peak, "peak")
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else float(10 * np.log10(peak**2 / mse))


def quantize(codes, bits: int, low, high) -> np.ndarray:
    """``codes`` rounded to ``2**bits`` evenly spaced levels between ``low`` and ``high`` (values outside are clipped).

    Defined in: Chapter 16, "More applications".

    ``low`` and ``high`` are numbers, or one per code column (each code
    number then gets a range of its own, see :func:`code_ranges`).  Returns
    the *decoded* values, so the effect of storing each number with ``bits``
    bits can be measured directly.
    """
    codes = as_float_array(codes, "codes")
    bits = check_whole(bits, "bits")
    low, high = as_float_array(low, "low"), as_float_array(high, "high")
    if not np.all(high > low):
        raise ValueError(f"high must be greater than low everywhere, got low={low}, high={high}")
    steps = 2**bits - 1
    levels = np.round((np.clip(codes, low, high) - low) / (high - low) * steps)
    return low + levels / steps * (high - low)


def code_ranges(train_codes, coverage: float = 99.0):
    """Per-column ``(low, high)`` holding the central ``coverage`` % of the training codes: the quantiser's range.

    Defined in: Chapter 16, "More applications".

    The ranges are part of the codec (decided once, from training data), not
    stored per image.
    """
    train_codes = as_float_array(train_codes, "train_codes", ndim=2)
    if not 0 < coverage <= 100:
        raise ValueError(f"coverage must be a percentage in (0, 100], got {coverage}")
    low, high = np.percentile(train_codes, [(100 - coverage) / 2, (100 + coverage) / 2], axis=0)
    return low, np.maximum(high, low + 1e-9)


class PCACodec:
    """Principal component analysis as a linear codec: the code is the projection on the first ``k`` components.

    Defined in: Chapter 16, "More applications".
    """

    def __init__(self, code_size: int):
        self.code_size = check_whole(code_size, "code_size")

    def fit(self, X) -> PCACodec:
        from sklearn.decomposition import PCA

        X = as_float_array(X, "X", ndim=2)
        self.pca = PCA(self.code_size, random_state=0).fit(X)
        return self

    def encode(self, X) -> np.ndarray:
        return self.pca.transform(as_float_array(X, "X", ndim=2))

    def decode(self, codes) -> np.ndarray:
        return np.clip(self.pca.inverse_transform(as_float_array(codes, "codes", ndim=2)), 0.0, 1.0)


def dense_autoencoder(n_pixels: int, code_size: int, hidden: int = 256):
    """A Keras autoencoder ``pixels → hidden → code → hidden → pixels``: ``(autoencoder, encoder, decoder)``.

    Defined in: Chapter 16, "More applications".

    The code layer is linear, like PCA's projection (a sigmoid there saturates
    early in training and the network learns only the average image); the
    output is a sigmoid (pixels in [0, 1]).  Imports Keras when called.
    """
    import keras

    n_pixels, code_size = check_whole(n_pixels, "n_pixels"), check_whole(code_size, "code_size")
    encoder = keras.Sequential(
        [
            keras.Input((n_pixels,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(code_size),
        ],
        name="encoder",
    )
    decoder = keras.Sequential(
        [
            keras.Input((code_size,)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(n_pixels, activation="sigmoid"),
        ],
        name="decoder",
    )
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


def _autoencoder_arrays(X, weights):
    X = as_float_array(X, "X", ndim=2)
    if not isinstance(weights, list | tuple) or len(weights) != 8:
        raise ValueError(
            "weights must be the list [W1, b1, W2, b2, W3, b3, W4, b4] of the four dense layers "
            f"(autoencoder.get_weights()), got {type(weights).__name__} of length {len(weights) if hasattr(weights, '__len__') else '?'}"
        )
    arrays = [as_float_array(w, f"weights[{i}]", ndim=2 if i % 2 == 0 else 1) for i, w in enumerate(weights)]
    width = X.shape[1]
    for layer in range(4):
        W, b = arrays[2 * layer], arrays[2 * layer + 1]
        if W.shape[0] != width or b.shape != (W.shape[1],):
            raise ValueError(
                f"layer {layer + 1}: W{layer + 1} must have {width} rows and b{layer + 1} one entry per column of "
                f"W{layer + 1}, got W{layer + 1} {W.shape} and b{layer + 1} {b.shape}"
            )
        width = W.shape[1]
    if width != X.shape[1]:
        raise ValueError(f"the last layer must output the {X.shape[1]} pixels of X, got {width}")
    return X, arrays


def _relu(Z):
    return np.maximum(Z, 0.0)


def autoencoder_forward(X, weights):
    """The dense autoencoder's forward pass, batch-first: ``(code, reconstruction)``.

    Defined in: Chapter 16, "More applications".

    ``weights = [W1, b1, W2, b2, W3, b3, W4, b4]`` are the four layers of
    :func:`dense_autoencoder`, in the order of ``autoencoder.get_weights()``
    (each ``W`` of shape ``(inputs, outputs)``).  For images ``X (N, D)``::

        code = relu(X W1 + b1) W2 + b2                      # linear code layer
        reconstruction = sigmoid(relu(code W3 + b3) W4 + b4)
    """
    X, (W1, b1, W2, b2, W3, b3, W4, b4) = _autoencoder_arrays(X, weights)
    code = _relu(X @ W1 + b1) @ W2 + b2
    Z4 = _relu(code @ W3 + b3) @ W4 + b4
    return code, 1.0 / (1.0 + np.exp(-Z4))


def autoencoder_decoder_gradients(X, weights):
    """The autoencoder's loss on ``X (N, D)`` and its gradient for the decoder: ``(loss, dW3, db3, dW4, db4)``.

    Defined in: Chapter 16, "More applications".

    The loss is Keras's ``binary_crossentropy`` of the reconstruction ``P``
    against the images themselves, averaged over every image and pixel,
    ``L = −mean(X log P + (1 − X) log(1 − P))``.  With the sigmoid output,
    ``∂L/∂Z4 = (P − X) / (N·D)``; backpropagation carries it through ``W4``
    and the ReLU of the decoder's hidden layer to ``W3`` and ``b3``.
    """
    X, (W1, b1, W2, b2, W3, b3, W4, b4) = _autoencoder_arrays(X, weights)
    code = _relu(X @ W1 + b1) @ W2 + b2
    Z3 = code @ W3 + b3
    A3 = _relu(Z3)
    Z4 = A3 @ W4 + b4
    # −[x log σ(z) + (1 − x) log(1 − σ(z))] = max(z, 0) − x z + log(1 + e^(−|z|)), without overflow
    loss = float(np.mean(np.maximum(Z4, 0) - X * Z4 + np.log1p(np.exp(-np.abs(Z4)))))
    dZ4 = (1.0 / (1.0 + np.exp(-Z4)) - X) / X.size
    dZ3 = (dZ4 @ W4.T) * (Z3 > 0)
    return loss, code.T @ dZ3, dZ3.sum(axis=0), A3.T @ dZ4, dZ4.sum(axis=0)


__all__ = [
    "PCACodec",
    "autoencoder_decoder_gradients",
    "autoencoder_forward",
    "code_ranges",
    "dense_autoencoder",
    "psnr",
    "quantize",
]
