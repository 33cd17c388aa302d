"""Audio as numbers: checking a waveform and its sample rate, resampling, reading WAV files.

Defined in: Chapter 14, "Speech recognition".

A microphone and an analogue-to-digital converter turn sound into a 1-D
array of amplitudes, ``sample_rate`` numbers per second; these helpers make
sure what the speech code receives is such an array, and bring it to the
rate the features use.
"""

from __future__ import annotations

import io
from math import gcd
from numbers import Integral, Real

import numpy as np

#: All audio is brought to this rate before features are computed: telephone
#: bandwidth (0–4 kHz), so 8 kHz recordings and 16 kHz ones look the same to the model.
FEATURE_RATE = 8000


def as_waveform(wave, name: str = "wave") -> np.ndarray:
    """``wave`` as a finite 1-D float32 array of at least one sample, or a ``ValueError`` saying what was expected.

    Defined in: Chapter 14, "Speech recognition".
    """
    if isinstance(wave, (str, bytes)) or wave is None:
        raise ValueError(f"{name} must be a 1-D array of audio samples, got {type(wave).__name__}")
    arr = np.asarray(wave)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D array of numbers (mono audio), got shape {arr.shape}, dtype {arr.dtype}"
        )
    if arr.dtype.kind in "iu":  # 16-bit PCM and friends: scale to [-1, 1]
        arr = arr / float(np.iinfo(arr.dtype).max)
    arr = arr.astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite samples")
    return arr


def check_rate(sample_rate) -> int:
    """A sample rate in Hz as a whole number between 1 kHz and 192 kHz, or a ``ValueError`` saying so.

    Defined in: Chapter 14, "Speech recognition".
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (Integral, Real)):
        raise ValueError(f"sample_rate must be a number of samples per second (e.g. 16000), got {sample_rate!r}")
    if sample_rate != int(sample_rate) or not 1000 <= sample_rate <= 192000:
        raise ValueError(f"sample_rate must be a whole number of Hz between 1000 and 192000, got {sample_rate!r}")
    return int(sample_rate)


def resample(wave, sample_rate, target_rate: int = FEATURE_RATE) -> np.ndarray:
    """Change the sample rate of ``wave`` with a polyphase anti-aliasing filter (SciPy).

    Defined in: Chapter 14, "Speech recognition".
    """
    from scipy.signal import resample_poly

    x = as_waveform(wave)
    sr, target = check_rate(sample_rate), check_rate(target_rate)
    if sr == target:
        return x
    g = gcd(sr, target)
    return resample_poly(x, target // g, sr // g).astype(np.float32)


def read_wav(data) -> tuple[np.ndarray, int]:
    """Read WAV bytes or a file path; returns ``(mono float32 waveform in [-1, 1], sample_rate)``.

    Defined in: Chapter 14, "Speech recognition".
    """
    from scipy.io import wavfile

    source = io.BytesIO(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else data
    sr, x = wavfile.read(source)
    if x.dtype == np.uint8:  # 8-bit WAV is unsigned, silence at 128
        x = (x.astype(np.float64) - 128) / 128
    elif x.dtype.kind in "iu":  # 16-, 24- (stored in int32) and 32-bit PCM
        x = x.astype(np.float64) / np.iinfo(x.dtype).max
    if x.ndim == 2:  # stereo (or more channels): average them
        x = x.mean(axis=1)
    return as_waveform(x), int(sr)


__all__ = ["FEATURE_RATE", "as_waveform", "check_rate", "read_wav", "resample"]
