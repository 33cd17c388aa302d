"""From a waveform to features a network can read: framing, spectrogram, log-mel features, word splitting.

Defined in: Chapter 14, "Speech recognition".

Speech is a pressure wave; a microphone and an analogue-to-digital converter
turn it into a 1-D array of amplitudes (:mod:`course_lib.audio`); the
synthesisers of :mod:`course_lib.synthesis` speak the training words.  This
module cuts a recording into short overlapping frames and computes log-mel
features — the "spectrogram as the ear hears it" the acoustic model of the
chapter reads — and re-exports the audio and synthesis helpers, so that
``course_lib.speech`` is the one place a learner needs.  The word recognizer
itself lives in :mod:`course_lib.word_recognizer`.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import check_whole
from course_lib.audio import FEATURE_RATE, as_waveform, check_rate, read_wav, resample
from course_lib.synthesis import (
    ENGINES,
    FESTIVAL_VOICES,
    FLITE_VOICES,
    PICO_VOICES,
    synthesize,
    synthesize_festival_batch,
    synthesize_pico_batch,
)

FRAME_SECONDS, HOP_SECONDS, N_FFT, N_MELS = 0.025, 0.010, 256, 40
N_CEPSTRA = 16  # cepstral smoothing: what a word is lives in the envelope, who says it in the fine structure
DYNAMIC_RANGE = 8.0  # natural-log units: features keep about 35 dB below the loudest mel energy


def frames(wave, frame_length: int, hop_length: int) -> np.ndarray:
    """Cut a waveform into overlapping frames ``(n_frames, frame_length)``, one every ``hop_length`` samples.

    Defined in: Chapter 14, "Speech recognition".

    A waveform shorter than one frame is padded with zeros to one frame.
    """
    x = as_waveform(wave)
    n, hop = check_whole(frame_length, "frame_length"), check_whole(hop_length, "hop_length")
    if len(x) < n:
        x = np.pad(x, (0, n - len(x)))
    return np.lib.stride_tricks.sliding_window_view(x, n)[::hop]


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = N_FFT, sample_rate: int = FEATURE_RATE) -> np.ndarray:
    """Triangular filters ``(n_fft // 2 + 1, n_mels)`` evenly spaced on the mel scale m = 2595·log10(1 + f/700).

    Defined in: Chapter 14, "Speech recognition".
    """
    n_mels, n_fft, sr = check_whole(n_mels, "n_mels"), check_whole(n_fft, "n_fft"), check_rate(sample_rate)
    mel_max = 2595 * np.log10(1 + (sr / 2) / 700)
    hz = 700 * (10 ** (np.linspace(0, mel_max, n_mels + 2) / 2595) - 1)
    bins = np.linspace(0, sr / 2, n_fft // 2 + 1)
    lower, centre, upper = hz[:-2, None], hz[1:-1, None], hz[2:, None]
    rising, falling = (bins - lower) / (centre - lower), (upper - bins) / (upper - centre)
    return np.maximum(0, np.minimum(rising, falling)).T.astype(np.float32)


def log_mel_spectrogram(wave, sample_rate) -> np.ndarray:
    """Log-mel energies ``(n_frames, N_MELS)``: 25 ms Hann-windowed frames every 10 ms, at 8 kHz.

    Defined in: Chapter 14, "Speech recognition".
    """
    x = resample(wave, sample_rate, FEATURE_RATE)
    x = np.append(x[0], x[1:] - 0.97 * x[:-1])  # pre-emphasis: lift the weak high frequencies
    F = frames(x, int(FRAME_SECONDS * FEATURE_RATE), int(HOP_SECONDS * FEATURE_RATE)) * np.hanning(
        int(FRAME_SECONDS * FEATURE_RATE)
    )
    power = np.abs(np.fft.rfft(F, n=N_FFT, axis=1)) ** 2
    return np.log(power @ mel_filterbank() + 1e-6).astype(np.float32)


def trim_silence(logmel: np.ndarray, margin: int = 3, threshold_db: float = 25.0) -> np.ndarray:
    """Keep the frames from the first to the last one within ``threshold_db`` of the loudest, plus a margin.

    Defined in: Chapter 14, "Speech recognition".
    """
    energy = np.log(np.exp(logmel).sum(axis=1) + 1e-12) * (10 / np.log(10))  # dB
    loud = np.flatnonzero(energy >= energy.max() - threshold_db)
    return logmel[max(loud[0] - margin, 0) : loud[-1] + margin + 1]


def split_words(wave, sample_rate, min_gap: float = 0.12, threshold_db: float = 30.0) -> list[np.ndarray]:
    """Cut a recording of words spoken with short pauses into one waveform per word (energy-based).

    Defined in: Chapter 14, "Speech recognition".

    A frame is *speech* when its energy is within ``threshold_db`` of the
    loudest frame; runs of speech separated by at least ``min_gap`` seconds of
    quiet are words.  Runs shorter than 60 ms (clicks) are dropped.
    """
    x = as_waveform(wave)
    sr = check_rate(sample_rate)
    hop = max(1, int(HOP_SECONDS * sr))
    F = frames(x, max(hop, int(FRAME_SECONDS * sr)), hop)
    energy = 10 * np.log10(np.mean(F.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = energy >= energy.max() - threshold_db
    words, start, quiet = [], None, 0
    gap = max(1, int(round(min_gap / HOP_SECONDS)))
    for i, is_loud in enumerate(np.append(loud, [False] * (gap + 1))):
        if is_loud:
            start, quiet = (i if start is None else start), 0
        elif start is not None:
            quiet += 1
            if quiet >= gap:
                end = i - quiet + 1
                if (end - start) * HOP_SECONDS >= 0.06:
                    a, b = max(0, (start - 3) * hop), min(len(x), (end + 3) * hop + hop)
                    words.append(x[a:b])
                start, quiet = None, 0
    return words


def features(wave, sample_rate, n_frames: int = 40) -> np.ndarray:
    """The acoustic model's input for one word: ``(n_frames, N_MELS)`` float32.

    Defined in: Chapter 14, "Speech recognition".

    Log-mel spectrogram at 8 kHz → silence trimmed → stretched or squeezed to
    ``n_frames`` frames (so a fast and a slow speaker give the same shape) →
    each mel band's mean over time removed and the whole divided by its
    standard deviation (so the microphone's colouring and the loudness drop out).
    Energies more than about 35 dB below the loudest are raised to that floor,
    and each frame is smoothed across frequency (the first ``N_CEPSTRA``
    cepstral coefficients), which removes the pitch harmonics of the voice.
    """
    from scipy.fft import dct, idct

    logmel = trim_silence(log_mel_spectrogram(wave, sample_rate))
    logmel = np.maximum(logmel, logmel.max() - DYNAMIC_RANGE)  # digital silence and a noise floor look alike
    cepstrum = dct(logmel, norm="ortho", axis=1)
    cepstrum[:, N_CEPSTRA:] = 0.0  # keep the spectral envelope (vocal tract), drop the pitch harmonics (voice)
    logmel = idct(cepstrum, norm="ortho", axis=1)
    n = check_whole(n_frames, "n_frames")
    t_old = np.linspace(0, 1, len(logmel))
    t_new = np.linspace(0, 1, n)
    fixed = np.stack([np.interp(t_new, t_old, logmel[:, k]) for k in range(logmel.shape[1])], axis=1)
    fixed -= fixed.mean(axis=0)
    return (fixed / (fixed.std() + 1e-6)).astype(np.float32)


__all__ = [
    "ENGINES",
    "FEATURE_RATE",
    "FESTIVAL_VOICES",
    "FLITE_VOICES",
    "PICO_VOICES",
    "check_rate",
    "as_waveform",
    "features",
    "frames",
    "log_mel_spectrogram",
    "mel_filterbank",
    "read_wav",
    "resample",
    "split_words",
    "synthesize",
    "synthesize_festival_batch",
    "synthesize_pico_batch",
    "trim_silence",
]
