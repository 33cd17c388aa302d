"""Chapter 14's off-the-shelf baseline: PocketSphinx restricted to the recognizer's words."""

from __future__ import annotations

import builtins
import importlib.util
import shutil
import subprocess
import sys

import numpy as np
import pytest

from course_lib import sphinx_baseline, word_recognizer

needs_sphinx = pytest.mark.skipif(
    importlib.util.find_spec("pocketsphinx") is None, reason="pocketsphinx is not installed"
)
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt.txt)")


def test_importing_the_baseline_imports_neither_pocketsphinx_nor_tensorflow():
    code = "import sys, course_lib.sphinx_baseline; print('pocketsphinx' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.parametrize(
    "waves, rate, vocabulary, pad, message",
    [
        ([], 8000, ("one",), 0.3, "non-empty list"),
        ("one", 8000, ("one",), 0.3, "non-empty list"),
        ([np.zeros((2, 100))], 8000, ("one",), 0.3, "1-D"),
        ([np.array([0.0, np.nan])], 8000, ("one",), 0.3, "NaN"),
        ([np.zeros(800)], 44.5, ("one",), 0.3, "whole number of Hz"),
        ([np.zeros(800)], 8000, "one", 0.3, "list of words"),
        ([np.zeros(800)], 8000, (), 0.3, "list of words"),
        ([np.zeros(800)], 8000, ("one", "one"), 0.3, "repeat"),
        ([np.zeros(800)], 8000, ("one two",), 0.3, "letters only"),
        ([np.zeros(800)], 8000, ("one",), -0.1, "pad_seconds"),
        ([np.zeros(800)], 8000, ("one",), True, "pad_seconds"),
    ],
)
def test_bad_input_gets_a_clear_error(waves, rate, vocabulary, pad, message):
    with pytest.raises(ValueError, match=message):
        sphinx_baseline.recognize_words(waves, rate, vocabulary, pad_seconds=pad)


def test_a_missing_pocketsphinx_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_sphinx(name, *args, **kwargs):
        if name == "pocketsphinx":
            raise ImportError("No module named 'pocketsphinx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sphinx)
    with pytest.raises(ImportError, match="pip install pocketsphinx"):
        sphinx_baseline.recognize_words([np.zeros(800)], 8000, ("one",))


@needs_sphinx
def test_a_word_outside_the_dictionary_is_refused():
    with pytest.raises(ValueError, match="no pronunciation"):
        sphinx_baseline.recognize_words([np.zeros(800)], 8000, ("one", "qxzvw"))


@needs_sphinx
def test_silence_gets_no_word():
    assert sphinx_baseline.recognize_words([np.zeros(8000)], 8000, word_recognizer.VOCABULARY) == [None]


@needs_sphinx
@needs_espeak
def test_clear_synthetic_digits_are_recognised_in_the_vocabulary_spelling():
    from course_lib import speech

    waves = [speech.synthesize(word, voice="en-us", sample_rate=16000) for word in ("seven", "three")]
    assert sphinx_baseline.recognize_words(waves, 16000, word_recognizer.VOCABULARY) == ["seven", "three"]
    at_8k = [speech.resample(w, 16000, 8000) for w in waves]
    up = [speech.resample(w, 8000, 16000) for w in at_8k]  # any rate is brought to the model's 16 kHz first
    V = word_recognizer.VOCABULARY
    assert sphinx_baseline.recognize_words(at_8k, 8000, V) == sphinx_baseline.recognize_words(up, 16000, V)
    pcm = (waves[0] * 32767).astype(np.int16)  # integer PCM, one wave alone, a capitalised vocabulary
    assert sphinx_baseline.recognize_words(pcm, 16000, ("Seven", "Three")) == ["Seven"]
