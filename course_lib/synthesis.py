"""Speech synthesisers driven from Python: espeak-ng, flite and festival (Debian packages) and SVOX Pico.

Defined in: Chapter 14, "Speech recognition".

The training speech of the chapter is made by these engines, offline.  Each
runs in a child process: the Debian programs, and Pico (the Android
synthesiser, PyPI package ``ttspico``, which ships its voices) in a small
Python child.  Every call returns a float32 waveform.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np

from course_lib.audio import check_rate, read_wav, resample

#: The engines ``synthesize`` can drive, and the voices each offers (engine:voice names).
ENGINES = ("espeak-ng", "flite", "festival", "pico")
#: Festival voices by name.  The Italian (``it-``), Czech (``cs-``) and Finnish (``fi-``) voices read text by their
#: own language's spelling rules: respelled English (``"uan tu tri"``) comes out as English with a foreign accent.
#: Debian's fourth Czech voice (``voice_czech_machac``) is left out: it does not always give the same sound for
#: the same text and speed, so a recognizer trained on it could not be reproduced.
FESTIVAL_VOICES = {
    "kal": "voice_kal_diphone",
    "ked": "voice_ked_diphone",
    "slt": "voice_cmu_us_slt_arctic_hts",
    "it-pc": "voice_pc_diphone",
    "it-lp": "voice_lp_diphone",
    "cs-dita": "voice_czech_dita",
    "cs-krb": "voice_czech_krb",
    "cs-ph": "voice_czech_ph",
    "fi-lj": "voice_suo_fi_lj_diphone",
    "fi-mv": "voice_hy_fi_mv_diphone",
}
#: flite's built-in voices.
FLITE_VOICES = ("kal16", "awb", "rms", "slt", "kal")
#: SVOX Pico's English voices.
PICO_VOICES = ("en-US", "en-GB")


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
    raise ValueError(f"no command line for engine {engine!r}")


def synthesize(
    text: str, voice=None, rate=None, pitch=None, sample_rate: int = 16000, engine: str = "espeak-ng"
) -> np.ndarray:
    """Speak ``text`` with a speech synthesiser and return the float32 waveform at ``sample_rate``.

    Defined in: Chapter 14, "Speech recognition".

    ``engine`` is ``"espeak-ng"`` (``voice`` such as ``"en-us"``, ``"en-gb-scotland+f3"``),
    ``"flite"`` (``"kal16"``, ``"awb"``, ``"rms"``, ``"slt"``, ``"kal"``) or
    ``"festival"`` (``"kal"``, ``"ked"``, ``"slt"``, and the foreign voices of
    :data:`FESTIVAL_VOICES`, which read by their own spelling rules) or ``"pico"`` (``"en-US"``,
    ``"en-GB"``); ``rate`` is in words per minute (about 80–450, default 160)
    and ``pitch`` 0–99 (default 50).  Needs the engine's Debian package
    (``apt-get install espeak-ng``), or for Pico ``pip install ttspico``.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string, got {text!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if rate is not None and not 80 <= float(rate) <= 450:
        raise ValueError(f"rate must be between 80 and 450 words per minute, got {rate!r}")
    if pitch is not None and not 0 <= float(pitch) <= 99:
        raise ValueError(f"pitch must be between 0 and 99, got {pitch!r}")
    if engine == "festival":
        return synthesize_festival_batch([text], voice or "kal", [rate or 160], sample_rate)[0]
    if engine == "pico":
        return synthesize_pico_batch(
            [text], voice or "en-US", [rate or 160], [50 if pitch is None else pitch], sample_rate
        )[0]
    if shutil.which(engine) is None:
        raise RuntimeError(f"{engine} is not installed: apt-get install {engine} (see apt.txt)")
    result = subprocess.run(_engine_command(text, engine, voice, rate, pitch), capture_output=True, timeout=60)
    if result.returncode != 0 or len(result.stdout) < 100:
        raise RuntimeError(
            f"{engine} failed for voice {voice!r}: {result.stderr.decode(errors='replace').strip()[:200]}"
        )
    wave, sr = read_wav(_fix_wav_sizes(result.stdout))
    return resample(wave, sr, check_rate(sample_rate))


#: Run in a child process: Pico's C code corrupts memory in a process that has loaded TensorFlow.
_PICO_CHILD = """
import json, struct, sys
import ttspico
engines, out = {}, sys.stdout.buffer
for text, voice, speed, height in json.load(sys.stdin):
    engine = engines.get(voice) or engines.setdefault(voice, ttspico.TtsEngine(voice))
    pcm = engine.speak(f'<speed level="{speed}"><pitch level="{height}">{text}</pitch></speed>') or b""
    out.write(struct.pack("<I", len(pcm)) + pcm)
"""


def synthesize_pico_batch(texts, voice: str = "en-US", rates=None, pitches=None, sample_rate: int = 16000):
    """Several texts by one Pico voice in one child process; ``rates`` in words per minute, ``pitches`` 0–99.

    Defined in: Chapter 14, "Speech recognition".
    """
    if voice not in PICO_VOICES:
        raise ValueError(f"pico voice must be one of {PICO_VOICES}, got {voice!r}")
    texts = list(texts)
    if any(not isinstance(t, str) or not t.strip() or any(c in t for c in "<>&") for t in texts):
        raise ValueError("texts must be non-empty strings without the markup characters <, > or &")
    rates = [160.0] * len(texts) if rates is None else [float(r) for r in rates]
    pitches = [50.0] * len(texts) if pitches is None else [float(p) for p in pitches]
    # speed in per cent of normal; pitch 0–99 becomes a factor 0.5–2 (50 is the voice's own pitch)
    jobs = [
        (t, voice, round(100 * r / 160), round(100 * 2 ** ((p - 50) / 50))) for t, r, p in zip(texts, rates, pitches)
    ]
    result = subprocess.run([sys.executable, "-c", _PICO_CHILD], input=json.dumps(jobs).encode(), capture_output=True)
    if result.returncode != 0:
        error = result.stderr.decode(errors="replace").strip()
        hint = " (pip install ttspico, see requirements.txt)" if "No module named" in error else ""
        raise RuntimeError(f"pico failed{hint}: {error[-300:]}")
    waves, data, pos = [], result.stdout, 0
    for text in texts:
        size = int.from_bytes(data[pos : pos + 4], "little")
        pcm, pos = data[pos + 4 : pos + 4 + size], pos + 4 + size
        if size == 0:
            raise RuntimeError(f"pico produced no sound for {text!r}")
        waves.append(
            resample(np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0, 16000, check_rate(sample_rate))
        )
    return waves


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
    encoding = "iso-8859-2" if voice.startswith("cs-") else "latin-1"  # what each voice's text front end reads
    waves, retries, crashes = {}, 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        while len(waves) < len(texts):
            todo = [i for i in range(len(texts)) if i not in waves]
            lines = [f"({FESTIVAL_VOICES[voice]})"]
            for i in todo:
                lines.append(f"(Parameter.set 'Duration_Stretch {160 / rates[i]:.3f})")
                lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{texts[i]}")) "{tmp}/{i}.wav" \'riff)')
            script = Path(tmp) / "batch.scm"
            try:
                script.write_bytes(("\n".join(lines) + "\n").encode(encoding))
            except UnicodeEncodeError:
                raise ValueError(
                    f"festival voice {voice!r} reads {encoding} text; these texts have other letters"
                ) from None
            result = subprocess.run(["festival", "-b", str(script)], capture_output=True, timeout=300)
            for i in todo:
                if (Path(tmp) / f"{i}.wav").exists():
                    wave, sr = read_wav(str(Path(tmp) / f"{i}.wav"))
                    waves[i] = resample(wave, sr, check_rate(sample_rate))
            failed = [i for i in todo if i not in waves]
            if failed and result.returncode < 0 and retries < 8:  # festival crashed on this text: try it again, and
                retries += 1  # if it crashes twice (a diphone voice can, on one exact duration), say it 3 % faster
                crashes[failed[0]] = crashes.get(failed[0], 0) + 1
                if crashes[failed[0]] >= 2:
                    rates[failed[0]] *= 1.03
            elif failed:
                error = result.stderr.decode(errors="replace").strip()[-300:]
                if "unbound variable" in error:
                    error = f"voice {voice!r} is not installed (apt.txt lists its festvox package): {error}"
                raise RuntimeError(f"festival failed on {texts[failed[0]]!r} (exit code {result.returncode}): {error}")
    return [waves[i] for i in range(len(texts))]


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


__all__ = [
    "ENGINES",
    "FESTIVAL_VOICES",
    "FLITE_VOICES",
    "PICO_VOICES",
    "synthesize",
    "synthesize_festival_batch",
    "synthesize_pico_batch",
]
