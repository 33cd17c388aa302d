"""An off-the-shelf baseline for the word recognizer: PocketSphinx restricted to a few words.

Defined in: Chapter 14, "Speech recognition".

PocketSphinx (CMU Sphinx) is a classic speech recognizer: hidden Markov models of
phones with Gaussian-mixture output densities, trained on many hours of real
American English.  Its Python package (version 5) ships its en-US acoustic model
and pronunciation dictionary, so nothing is downloaded.  Here a JSGF grammar
allows exactly one word of a given vocabulary per clip, which makes it a
closed-set word recognizer like chapter 14's CNN, and the two can be compared on
the same clips.  PocketSphinx is imported only when :func:`recognize_words` runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_lib.audio import as_waveform, check_rate, resample

#: The sample rate of PocketSphinx's bundled en-US acoustic model; every clip is resampled to it.
SPHINX_RATE = 16000


def _check_vocabulary(vocabulary) -> tuple[str, ...]:
    if isinstance(vocabulary, (str, bytes)) or not isinstance(vocabulary, Sequence) or len(vocabulary) == 0:
        raise ValueError(f"vocabulary must be a non-empty list of words, got {vocabulary!r}")
    words = tuple(vocabulary)
    for word in words:
        if not isinstance(word, str) or not word.isalpha():
            raise ValueError(f"vocabulary must hold words of letters only (e.g. 'seven'), got {word!r}")
    if len(set(words)) != len(words):
        raise ValueError(f"vocabulary must not repeat a word, got {list(words)}")
    if len({w.lower() for w in words}) != len(words):
        raise ValueError(f"vocabulary must not repeat a word (in any case), got {list(words)}")
    return words


def _decoder(words: tuple[str, ...]):
    try:
        from pocketsphinx import Config, Decoder
    except ImportError:
        raise ImportError(
            "the PocketSphinx baseline needs the pocketsphinx package (its bundled en-US model is all it uses): "
            "run `pip install pocketsphinx` (make setup installs it from requirements.txt)"
        ) from None
    decoder = Decoder(Config(lm=None, loglevel="FATAL", samprate=SPHINX_RATE))
    unknown = [w for w in words if decoder.lookup_word(w.lower()) is None]
    if unknown:
        raise ValueError(f"PocketSphinx's dictionary has no pronunciation for {unknown}: use English words it knows")
    grammar = "#JSGF V1.0;\ngrammar words;\npublic <word> = " + " | ".join(w.lower() for w in words) + " ;\n"
    decoder.add_jsgf_string("words", grammar)
    decoder.activate_search("words")
    return decoder


def recognize_words(waves, sample_rate, vocabulary, pad_seconds: float = 0.3) -> list[str | None]:
    """PocketSphinx's word for each waveform, chosen among ``vocabulary``; ``None`` where it has no hypothesis.

    Defined in: Chapter 14, "Speech recognition".

    ``waves`` is a list of 1-D waveforms (one word each, any sample rate ``sample_rate``, float in [-1, 1]
    or integer PCM); each is resampled to 16 kHz, the rate of the bundled model, and ``pad_seconds`` of
    silence is added before and after it (its voice-activity and silence models expect some: without
    padding, clips cut tight around the word are often misheard or get no hypothesis at all).
    A grammar lets exactly one word of ``vocabulary`` be said, with optional silence around it.
    """
    if isinstance(waves, np.ndarray) and waves.ndim == 1:
        waves = [waves]
    if isinstance(waves, (str, bytes)) or not hasattr(waves, "__len__") or len(waves) == 0:
        raise ValueError("waves must be a non-empty list of 1-D waveforms (one word each)")
    rate = check_rate(sample_rate)
    if isinstance(pad_seconds, bool) or not isinstance(pad_seconds, (int, float)) or not 0 <= pad_seconds <= 10:
        raise ValueError(f"pad_seconds must be a number of seconds between 0 and 10, got {pad_seconds!r}")
    words = _check_vocabulary(vocabulary)
    clips = [resample(as_waveform(w, f"waves[{i}]"), rate, SPHINX_RATE) for i, w in enumerate(waves)]
    decoder = _decoder(words)
    spelling = {w.lower(): w for w in words}  # the grammar uses the dictionary's lower case
    pad = np.zeros(int(round(pad_seconds * SPHINX_RATE)), dtype=np.float32)
    heard: list[str | None] = []
    for clip in clips:
        pcm = (np.clip(np.concatenate([pad, clip, pad]), -1.0, 1.0) * 32767).astype(np.int16)
        decoder.start_utt()
        decoder.process_raw(pcm.tobytes(), full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        said = hypothesis.hypstr.strip() if hypothesis is not None else ""
        heard.append(spelling.get(said))
    return heard


__all__ = ["SPHINX_RATE", "recognize_words"]
