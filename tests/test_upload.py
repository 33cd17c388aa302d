"""A learner's WAV file reaches chapter 14's recognizer: a real 44.1 kHz stereo 16-bit WAV of a synthesised word,
uploaded through ipywidgets 8's FileUpload (as its front end sends it), ipywidgets 7's, and Colab's files.upload(),
comes out as one mono waveform at 8 kHz.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import wave as wavemodule

import numpy as np
import pytest
from scipy.io import wavfile

from course_lib import microphone, speech

RATE = 44100


def _word() -> np.ndarray:
    """'seven' from espeak-ng at 44.1 kHz, or (without espeak-ng) a vowel-like sound with the same length."""
    if shutil.which("espeak-ng"):
        return speech.synthesize("seven", sample_rate=RATE)
    t = np.arange(int(0.5 * RATE)) / RATE
    return (
        0.6 * np.hanning(len(t)) * sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((150, 700, 1200), 1))
    ).astype(np.float32)


@pytest.fixture(scope="module")
def stereo_wav():
    """A 44.1 kHz stereo 16-bit PCM file: the word on the left, the same word quieter and 1 ms later on the right."""
    word = _word() / np.abs(_word()).max() * 0.8
    left = word
    right = 0.5 * np.concatenate([np.zeros(RATE // 1000, np.float32), word[: -(RATE // 1000)]])
    pcm = np.round(np.stack([left, right], axis=1) * 32767).astype(np.int16)
    buf = io.BytesIO()
    wavfile.write(buf, RATE, pcm)
    data = buf.getvalue()
    with wavemodule.open(io.BytesIO(data)) as w:  # a genuine WAV file, as a phone or Audacity writes it
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, RATE)
    expected = speech.resample(pcm.astype(np.float64).mean(axis=1) / 32767, RATE, 8000)
    return data, expected


def _file_upload_from_front_end(name: str, data: bytes):
    """An ipywidgets FileUpload whose value arrived as its front end sends it (the file's bytes as a binary buffer)."""
    import ipywidgets

    upload = microphone.upload()
    entry = {"name": name, "type": "audio/wav", "size": len(data), "last_modified": 1_700_000_000_000}
    upload._handle_msg(
        {
            "content": {
                "data": {"method": "update", "state": {"value": [entry]}, "buffer_paths": [["value", 0, "content"]]}
            },
            "buffers": [memoryview(data)],
        }
    )
    assert ipywidgets.__version__.startswith("8") and len(upload.value) == 1
    return upload


def _check(wave, rate, expected):
    assert rate == 8000 and wave.dtype == np.float32 and wave.ndim == 1
    assert len(wave) == len(expected) and abs(len(wave) / 8000 - len(_word()) / RATE) < 0.01
    assert np.abs(wave - expected).max() < 1e-3, "the two channels must be averaged and resampled to 8 kHz"


def test_the_upload_button_accepts_wav_files():
    upload = microphone.upload()
    assert ".wav" in upload.accept and upload.multiple is False and "WAV" in upload.description


def test_a_stereo_44k_wav_uploaded_with_ipywidgets_8_becomes_mono_8k(stereo_wav):
    data, expected = stereo_wav
    upload = _file_upload_from_front_end("my seven.wav", data)
    assert isinstance(upload.value[0]["content"], memoryview)
    _check(*microphone.wave_from_upload(upload.value), expected)
    _check(*microphone.wave_from_upload(upload), expected)  # the widget itself is accepted too


def test_ipywidgets_7_and_colab_uploads_give_the_same_wave(stereo_wav):
    data, expected = stereo_wav
    ipywidgets7 = {
        "my seven.wav": {"metadata": {"name": "my seven.wav", "type": "audio/wav"}, "content": memoryview(data)}
    }
    colab = {"my seven.wav": data}  # google.colab.files.upload() returns name -> bytes
    for value in (ipywidgets7, colab):
        assert microphone.uploaded_files(value) == [("my seven.wav", data)]
        _check(*microphone.wave_from_upload(value), expected)


def test_the_uploaded_word_is_what_the_recognizer_features_see(stereo_wav):
    data, _ = stereo_wav
    wave, rate = microphone.wave_from_upload({"seven.wav": data})
    mono = speech.read_wav(data)[0]
    a, b = speech.features(wave, rate), speech.features(mono, RATE)
    assert a.shape == b.shape and np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.99


def test_8_bit_and_float_wavs_are_scaled_to_minus_one_one():
    t = np.arange(8000) / 8000
    tone = 0.5 * np.sin(2 * np.pi * 200 * t)
    for samples in (np.round(tone * 127 + 128).astype(np.uint8), tone.astype(np.float32)):
        buf = io.BytesIO()
        wavfile.write(buf, 8000, samples)
        wave, rate = microphone.wave_from_upload({"tone.wav": buf.getvalue()})
        assert rate == 8000 and abs(float(wave.mean())) < 0.01 and abs(float(np.abs(wave).max()) - 0.5) < 0.01


def _wav(samples, rate=8000) -> bytes:
    buf = io.BytesIO()
    wavfile.write(buf, rate, samples)
    return buf.getvalue()


@pytest.mark.parametrize(
    "value, message",
    [
        ((), "nothing uploaded yet"),
        ({}, "nothing uploaded yet"),
        ({"memo.m4a": b"\x00\x00\x00\x20ftypM4A "}, "'memo.m4a' is not a WAV file .*export the recording as .wav"),
        ({"empty.wav": b""}, "'empty.wav' is not a WAV file \\(empty\\)"),
        ({"cut.wav": _wav(np.zeros(800, np.int16))[:30]}, "could not read 'cut.wav'"),
        ({"silence.wav": _wav(np.zeros(0, np.int16))}, "could not read 'silence.wav'.*non-empty"),
        ({"x.wav": "RIFF...."}, "must be bytes"),
        ([b"RIFF"], "dict with 'name' and 'content'"),
        ("x.wav", "FileUpload's value"),
    ],
)
def test_bad_uploads_get_clear_errors(value, message):
    with pytest.raises(ValueError, match=message):
        microphone.wave_from_upload(value)


def test_the_last_of_several_files_is_used():
    first, second = _wav(np.full(800, 1000, np.int16)), _wav(np.full(1600, -1000, np.int16))
    value = (
        {"name": "a.wav", "content": memoryview(first), "last_modified": dt.datetime.now()},
        {"name": "b.wav", "content": memoryview(second), "last_modified": dt.datetime.now()},
    )
    wave, rate = microphone.wave_from_upload(value)
    assert len(wave) == 1600 and float(wave[800]) < 0
