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


__all__ = ["PCACodec", "code_ranges", "dense_autoencoder", "psnr", "quantize"]
