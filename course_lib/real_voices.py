"""Real people saying chapter 14's words: the pack ``real_words_8k.npz`` and its fixed speaker split.

Defined in: Chapter 14, "Speech recognition".

The pack (CC BY-SA 4.0, never committed to the project; its README gives the sources) holds 8 kHz clips of
Speech Commands digits and of words cut from WUW Corpus II telephone sentences.  A third of its speakers are
held out by a hash of their name, so every page and script measures on the same people.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

RATE = 8000
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

#: The file of real people's voices (chapter 14; CC BY-SA 4.0, never committed): see :func:`real_words`.
REAL_WORDS_FILE = "real_words_8k.npz"


@dataclasses.dataclass(frozen=True)
class RealWords:
    """Clips of real people saying the vocabulary: ``waves[i]`` (float32 in [-1, 1], 8 kHz) says ``words[i]``.

    Defined in: Chapter 14, "Speech recognition".

    ``speakers[i]`` names who spoke it and ``corpus[i]`` where it comes from
    (``"speech_commands_v0.01"``: isolated digits; ``"wuw_corpus_ii"``: words cut from telephone sentences).
    """

    waves: list
    words: np.ndarray
    speakers: np.ndarray
    corpus: np.ndarray
    sample_rate: int = RATE

    def __len__(self) -> int:
        return len(self.waves)

    def held_out(self) -> np.ndarray:
        """Boolean mask: which clips are spoken by a held-out speaker (see :func:`held_out_speaker`)."""
        return np.array([held_out_speaker(s) for s in self.speakers], dtype=bool)


def held_out_speaker(speaker: str) -> bool:
    """Whether ``speaker`` belongs to the held-out third of the real speakers (never trained on).

    Defined in: Chapter 14, "Speech recognition".

    The split is fixed by a hash of the name, so every script and page holds out the same people:
    ``int(sha256(speaker), 16) % 3 == 0``.
    """
    if not isinstance(speaker, str) or not speaker:
        raise ValueError(f"speaker must be a non-empty string, got {speaker!r}")
    return int(hashlib.sha256(speaker.encode()).hexdigest(), 16) % 3 == 0


def _real_words_paths() -> list[Path]:
    from course_lib.keras_cache import keras_datasets_dir

    repository = Path(__file__).resolve().parents[1]
    return [keras_datasets_dir() / REAL_WORDS_FILE, repository.parent / "shared" / "data" / REAL_WORDS_FILE]


def real_words(path=None) -> RealWords | None:
    """The pack of real people's voices as a :class:`RealWords`, or ``None`` when it is not on this machine.

    Defined in: Chapter 14, "Speech recognition".

    Looks in ``$KERAS_HOME/datasets`` (where ``python -m course_lib.keras_cache`` seeds it) and then in
    ``../shared/data`` beside the repository; ``path`` names the file instead.
    """
    candidates = [Path(path)] if path is not None else _real_words_paths()
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        if path is not None:
            raise FileNotFoundError(f"no real-voice pack at {path}")
        return None
    with np.load(found, allow_pickle=False) as d:
        audio, offsets = d["audio"], d["offsets"]
        rate = int(d["sample_rate"])
        waves = [(audio[offsets[i] : offsets[i + 1]] / 32767.0).astype(np.float32) for i in range(len(d["words"]))]
        return RealWords(waves, d["words"].astype(str), d["speakers"].astype(str), d["corpus"].astype(str), rate)


#: Words of the real-voice pack trained on: the digits.  Its "the"/"is" are short words cut from running
#: telephone speech and pull isolated digits into those classes, so they are left out.
REAL_TRAINING_WORDS = DIGITS


def real_training_clips(pack=None, words=REAL_TRAINING_WORDS) -> list[tuple[np.ndarray, str, str]]:
    """The real clips the recognizer may train on: ``(wave, word, speaker)`` of ``words``, held-out speakers excluded.

    Defined in: Chapter 14, "Speech recognition".

    ``pack`` is a :class:`RealWords` (default :func:`real_words`); an empty list when there is no pack.
    """
    pack = real_words() if pack is None else pack
    if pack is None:
        return []
    from course_lib.word_recognizer import VOCABULARY

    unknown = set(words) - set(VOCABULARY)
    if unknown:
        raise ValueError(f"words must be in the vocabulary; unknown: {sorted(unknown)}")
    return [
        (pack.waves[i], str(pack.words[i]), str(pack.speakers[i]))
        for i in np.flatnonzero(~pack.held_out())
        if pack.words[i] in words
    ]


__all__ = [
    "REAL_TRAINING_WORDS",
    "REAL_WORDS_FILE",
    "RealWords",
    "held_out_speaker",
    "real_training_clips",
    "real_words",
]
