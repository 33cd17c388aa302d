"""From a waveform to features a network can read: sampling, framing, spectrogram, log-mel features.

Defined in: Chapter 14, "Speech recognition".

Speech is a pressure wave; a microphone and an analogue-to-digital converter
turn it into a 1-D array of amplitudes, ``sample_rate`` numbers per second.
This module synthesises spoken words offline (``espeak-ng``, ``flite`` and
``festival`` are Debian packages), brings any recording to one sample rate,
cuts it into short overlapping frames and computes log-mel features — the
"spectrogram as the ear hears it" the acoustic model of the chapter reads.
The word recognizer itself lives in :mod:`course_lib.word_recognizer`.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from math import gcd
from numbers import Integral, Real

import numpy as np

from course_lib._validation import check_whole

#: All audio is brought to this rate before features are computed: telephone
#: bandwidth (0–4 kHz), so 8 kHz recordings and 16 kHz ones look the same to the model.
FEATURE_RATE = 8000
FRAME_SECONDS, HOP_SECONDS, N_FFT, N_MELS = 0.025, 0.010, 256, 40
N_CEPSTRA = 16  # cepstral smoothing: what a word is lives in the envelope, who says it in the fine structure
DYNAMIC_RANGE = 8.0  # natural-log units: features keep about 35 dB below the loudest mel energy
#: The engines ``synthesize`` can drive, and the voices each offers (engine:voice names).
ENGINES = ("espeak-ng", "flite", "festival")
FESTIVAL_VOICES = {"kal": "voice_kal_diphone", "ked": "voice_ked_diphone", "slt": "voice_cmu_us_slt_arctic_hts"}
FLITE_VOICES = ("kal16", "awb", "rms", "slt", "kal")


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
    """A sample rate in Hz as a whole number between 1 kHz and 192 kHz."""
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

    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    sr, x = wavfile.read(source)
    if x.ndim == 2:  # stereo: average the channels
        x = x.mean(axis=1) if x.dtype.kind == "f" else (x.astype(np.float64).mean(axis=1) / np.iinfo(x.dtype).max)
    return as_waveform(x), int(sr)


def _engine_command(text: str, engine: str, voice, rate, pitch) -> list[str]:
    if engine == "espeak-ng":
        cmd = ["espeak-ng", "--stdout", "-v", voice or "en-us"]
        cmd += ["-s", str(int(rate or 160)), "-p", str(int(pitch if pitch is not None else 50)), text]
        return cmd
    if engine == "flite":
        voice = voice or "kal16"
        if voice not in FLITE_VOICES:
            raise ValueError(f"flite voice must be one of {FLITE_VOICES}, got {voice!r}")
        cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={160 / float(rate or 160):.3f}"]
        if pitch is not None:
            cmd += ["--setf", f"int_f0_target_mean={60 + 1.4 * float(pitch):.0f}"]
        return cmd + ["-t", text, "-o", "/dev/stdout"]
    voice = voice or "kal"
    if voice not in FESTIVAL_VOICES:
        raise ValueError(f"festival voice must be one of {tuple(FESTIVAL_VOICES)}, got {voice!r}")
    stretch = 160 / float(rate or 160)
    return [
        "text2wave",
        "-eval",
        f"({FESTIVAL_VOICES[voice]})",
        "-eval",
        f"(Parameter.set 'Duration_Stretch {stretch:.3f})",
        "-o",
        "/dev/stdout",
    ]


def synthesize(
    text: str, voice=None, rate=None, pitch=None, sample_rate: int = 16000, engine: str = "espeak-ng"
) -> np.ndarray:
    """Speak ``text`` with a speech synthesiser and return the float32 waveform at ``sample_rate``.

    Defined in: Chapter 14, "Speech recognition".

    ``engine`` is ``"espeak-ng"`` (``voice`` such as ``"en-us"``, ``"en-gb-scotland+f3"``),
    ``"flite"`` (``"kal16"``, ``"awb"``, ``"rms"``, ``"slt"``, ``"kal"``) or
    ``"festival"`` (``"kal"``, ``"ked"``, ``"slt"``); ``rate`` is in words per
    minute (about 80–450, default 160) and ``pitch`` 0–99 (default 50).
    Needs the engine's Debian package (``apt-get install espeak-ng``).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if rate is not None and not 80 <= float(rate) <= 450:
        raise ValueError(f"rate must be between 80 and 450 words per minute, got {rate!r}")
    if pitch is not None and not 0 <= float(pitch) <= 99:
        raise ValueError(f"pitch must be between 0 and 99, got {pitch!r}")
    program = "text2wave" if engine == "festival" else engine
    if shutil.which(program) is None:
        package = "festival" if engine == "festival" else engine
        raise RuntimeError(f"{program} is not installed: apt-get install {package} (see apt.txt)")
    cmd = _engine_command(text, engine, voice, rate, pitch)
    stdin = text.encode() if engine == "festival" else None
    result = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)
    if result.returncode != 0 or len(result.stdout) < 100:
        raise RuntimeError(
            f"{engine} failed for voice {voice!r}: {result.stderr.decode(errors='replace').strip()[:200]}"
        )
    wave, sr = read_wav(_fix_wav_sizes(result.stdout))
    return resample(wave, sr, check_rate(sample_rate))


def synthesize_festival_batch(texts, voice: str = "kal", rates=None, sample_rate: int = 16000) -> list[np.ndarray]:
    """Several texts by one festival voice in a single festival process (start-up is most of festival's cost).

    Defined in: Chapter 14, "Speech recognition".
    """
    import tempfile
    from pathlib import Path

    if voice not in FESTIVAL_VOICES:
        raise ValueError(f"festival voice must be one of {tuple(FESTIVAL_VOICES)}, got {voice!r}")
    texts = list(texts)
    rates = [160.0] * len(texts) if rates is None else [float(r) for r in rates]
    if any(not isinstance(t, str) or not t.strip() or '"' in t or "\\" in t for t in texts):
        raise ValueError("texts must be non-empty strings without quotes or backslashes")
    if shutil.which("festival") is None:
        raise RuntimeError("festival is not installed: apt-get install festival (see apt.txt)")
    with tempfile.TemporaryDirectory() as tmp:
        lines = [f"({FESTIVAL_VOICES[voice]})"]
        for i, (text, rate) in enumerate(zip(texts, rates)):
            lines.append(f"(Parameter.set 'Duration_Stretch {160 / rate:.3f})")
            lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{text}")) "{tmp}/{i}.wav" \'riff)')
        script = Path(tmp) / "batch.scm"
        script.write_text("\n".join(lines) + "\n")
        result = subprocess.run(["festival", "-b", str(script)], capture_output=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"festival failed: {result.stderr.decode(errors='replace').strip()[:200]}")
        waves = []
        for i in range(len(texts)):
            wave, sr = read_wav(str(Path(tmp) / f"{i}.wav"))
            waves.append(resample(wave, sr, check_rate(sample_rate)))
    return waves


def _fix_wav_sizes(data: bytes) -> bytes:
    """Engines that write WAV to a pipe cannot seek back to fill in the sizes; fill them in."""
    data = bytearray(data)
    if data[:4] == b"RIFF" and len(data) > 44:
        data[4:8] = (len(data) - 8).to_bytes(4, "little")
        pos = 12
        while pos + 8 <= len(data):
            chunk, size = bytes(data[pos : pos + 4]), int.from_bytes(data[pos + 4 : pos + 8], "little")
            if chunk == b"data":
                data[pos + 4 : pos + 8] = (len(data) - pos - 8).to_bytes(4, "little")
                break
            pos += 8 + size
    return bytes(data)


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
    "FEATURE_RATE",
    "as_waveform",
    "features",
    "frames",
    "log_mel_spectrogram",
    "mel_filterbank",
    "read_wav",
    "resample",
    "split_words",
    "synthesize",
    "trim_silence",
]
