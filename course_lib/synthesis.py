"""Speech synthesisers driven from Python: espeak-ng, flite and festival (Debian packages).

Defined in: Chapter 14, "Speech recognition".

The training speech of the chapter is made by these engines, offline.  Each
call runs the engine in a subprocess and returns a float32 waveform.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from course_lib.audio import check_rate, read_wav, resample

#: The engines ``synthesize`` can drive, and the voices each offers (engine:voice names).
ENGINES = ("espeak-ng", "flite", "festival")
FESTIVAL_VOICES = {"kal": "voice_kal_diphone", "ked": "voice_ked_diphone", "slt": "voice_cmu_us_slt_arctic_hts"}
FLITE_VOICES = ("kal16", "awb", "rms", "slt", "kal")


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


__all__ = ["ENGINES", "FESTIVAL_VOICES", "FLITE_VOICES", "synthesize", "synthesize_festival_batch"]
