"""A bigram language model and the Viterbi decoder that combines it with an acoustic model.

Defined in: Chapter 14, "Speech recognition".

A language model gives word sequences probabilities: P(w_1 … w_n) ≈
Π P(w_i | w_{i−1}), with a boundary symbol (index 0) standing for the start
and the end of a sentence.  The decoder picks the word sequence that
maximises  Σ log p_acoustic(w_t | segment t) + λ · log P_LM(sequence),
so a word that sounded ambiguous is settled by the words around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._validation import as_float_array

BOUNDARY = "<s>"


def bigram_matrix(sentences, vocabulary, k: float = 1.0) -> np.ndarray:
    """P(next | previous) as a ``(V + 1, V + 1)`` matrix; index 0 is the sentence boundary, word i is index i + 1.

    Defined in: Chapter 14, "Speech recognition".

    Counts every adjacent pair of ``<s> w_1 … w_n <s>`` in ``sentences``
    (lists of words from ``vocabulary``), adds ``k`` to every count
    (add-k smoothing: unseen pairs keep a small probability) and normalises
    each row.  Row 0 is the distribution of first words, column 0 the
    probability that a sentence ends.
    """
    vocabulary = list(vocabulary)
    if not isinstance(k, (int, float)) or isinstance(k, bool) or k < 0:
        raise ValueError(f"k must be a number ≥ 0, got {k!r}")
    index = {w: i + 1 for i, w in enumerate(vocabulary)}
    counts = np.zeros((len(vocabulary) + 1, len(vocabulary) + 1))
    for sentence in sentences:
        words = sentence.split() if isinstance(sentence, str) else list(sentence)
        unknown = [w for w in words if w not in index]
        if unknown:
            raise ValueError(f"sentence {sentence!r} has words outside the vocabulary: {unknown}")
        ids = [0] + [index[w] for w in words] + [0]
        for a, b in zip(ids[:-1], ids[1:]):
            counts[a, b] += 1
    counts += k
    totals = counts.sum(axis=1, keepdims=True)
    if np.any(totals == 0):
        raise ValueError(
            "with k = 0 every word must occur in the sentences (a row of zero counts cannot be normalised)"
        )
    return counts / totals


def sentence_log_probability(words, vocabulary, P) -> float:
    """log P(sentence) under the bigram matrix ``P`` (boundaries included).

    Defined in: Chapter 14, "Speech recognition".
    """
    index = {w: i + 1 for i, w in enumerate(vocabulary)}
    ids = [0] + [index[w] for w in words] + [0]
    return float(sum(np.log(P[a, b]) for a, b in zip(ids[:-1], ids[1:])))


def viterbi_decode(log_acoustic, log_bigram, lm_weight: float = 1.0) -> np.ndarray:
    """The most probable word indices ``(T,)`` given per-segment acoustic log-probabilities and a bigram model.

    Defined in: Chapter 14, "Speech recognition".

    ``log_acoustic`` is ``(T, V)``: log p(word j | segment t); ``log_bigram``
    is ``(V + 1, V + 1)`` with the boundary at index 0 (as from
    ``np.log(bigram_matrix(...))``).  Maximises
    Σ_t log_acoustic[t, w_t] + lm_weight · (log P(w_1|<s>) + Σ log P(w_t|w_{t−1}) + log P(</s>|w_T))
    by dynamic programming in O(T·V²).
    """
    A = as_float_array(log_acoustic, "log_acoustic", ndim=2)
    L = as_float_array(log_bigram, "log_bigram", ndim=2)
    T, V = A.shape
    if L.shape != (V + 1, V + 1):
        raise ValueError(f"log_bigram must be ({V + 1}, {V + 1}) for {V} words (index 0 = boundary), got {L.shape}")
    trans, start, end = lm_weight * L[1:, 1:], lm_weight * L[0, 1:], lm_weight * L[1:, 0]
    score = start + A[0]
    back = np.zeros((T, V), dtype=int)
    for t in range(1, T):
        total = score[:, None] + trans  # (previous word, next word)
        back[t] = total.argmax(axis=0)
        score = total.max(axis=0) + A[t]
    path = [int(np.argmax(score + end))]
    for t in range(T - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return np.array(path[::-1])


def _percent(p: float) -> str:
    return "<1 %" if p < 0.005 else f"{100 * p:.0f} %"


@dataclass(frozen=True)
class HeardWord:
    """One piece of a decoded recording: the acoustic model's best candidates and the word the decoder chose.

    Defined in: Chapter 14, "Speech recognition".
    """

    candidates: tuple[tuple[str, float], ...]  # (word, acoustic probability), most probable first
    decoded: str  # the word chosen with the language model (Viterbi)
    unsure: bool  # the acoustic model's top probability is below the threshold

    @property
    def acoustic(self) -> str:
        """The acoustic model's own choice (its most probable word)."""
        return self.candidates[0][0]

    @property
    def top_probability(self) -> float:
        return self.candidates[0][1]

    @property
    def changed(self) -> bool:
        """Whether the language model replaced the acoustic model's choice."""
        return self.decoded != self.acoustic


@dataclass(frozen=True)
class SentenceReport:
    """What the recogniser heard in a recording, word by word; ``str(report)`` says it in words.

    Defined in: Chapter 14, "Speech recognition".
    """

    words: tuple[HeardWord, ...]
    unsure_below: float

    @property
    def decoded(self) -> list[str]:
        """The decoder's words (acoustic and language model together), including the unsure ones."""
        return [w.decoded for w in self.words]

    @property
    def acoustic(self) -> list[str]:
        """The acoustic model's best word per piece, without the language model."""
        return [w.acoustic for w in self.words]

    @property
    def sentence(self) -> str:
        """The decoded sentence with ``?`` for every word the recogniser is not sure about."""
        return " ".join("?" if w.unsure else w.decoded for w in self.words)

    @property
    def unsure(self) -> list[int]:
        """Positions (from 1) of the words the recogniser is not sure about."""
        return [k for k, w in enumerate(self.words, 1) if w.unsure]

    def text(self) -> str:
        """The report as lines of text: the sentence, then each word's candidates and what the language model did."""
        if not self.words:
            return "I heard no words: the recording is silent, or too quiet to tell words from the pauses."
        lines = [f'I heard: "{self.sentence}"']
        for k, w in enumerate(self.words, 1):
            heard = ", ".join(f"{word} {_percent(p)}" for word, p in w.candidates)
            if w.unsure:
                note = (
                    f"I am not sure about word {k} (the best sound match has only {100 * w.top_probability:.0f} %,"
                    f" below {100 * self.unsure_below:.0f} %); the language model would guess {w.decoded!r}"
                )
            elif w.changed:
                note = f"the language model changed {w.acoustic!r} to {w.decoded!r}"
            else:
                note = "kept by the language model"
            lines.append(f"  word {k}: {'?' if w.unsure else w.decoded:<6}  acoustic model: {heard}  →  {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def sentence_report(
    probabilities, vocabulary, log_bigram, lm_weight: float = 1.0, unsure_below: float = 0.5, top: int = 3
) -> SentenceReport:
    """Decode per-piece acoustic probabilities ``(T, V)`` with the bigram model and report each piece.

    Defined in: Chapter 14, "Speech recognition".

    For every piece: the acoustic model's ``top`` most probable words, the word
    :func:`viterbi_decode` chooses with the language model, and whether the
    acoustic model's top probability is below ``unsure_below`` (then the
    report says it is not sure instead of guessing).
    """
    vocabulary = [str(w) for w in vocabulary]
    probs = as_float_array(probabilities, "probabilities", ndim=2)
    if probs.shape[1] != len(vocabulary):
        raise ValueError(
            f"probabilities must have one column per vocabulary word ({len(vocabulary)}), got shape {probs.shape}"
        )
    if not np.all(np.isfinite(probs)) or np.any(probs < 0) or np.any(probs > 1 + 1e-6):
        raise ValueError("probabilities must lie in [0, 1] (use predict_proba, not logits or log-probabilities)")
    if isinstance(unsure_below, bool) or not isinstance(unsure_below, (int, float)) or not 0 <= unsure_below <= 1:
        raise ValueError(f"unsure_below must be a probability between 0 and 1, got {unsure_below!r}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a whole number ≥ 1, got {top!r}")
    if len(probs) == 0:
        return SentenceReport((), float(unsure_below))
    best = viterbi_decode(np.log(probs + 1e-9), log_bigram, lm_weight=lm_weight)
    words = []
    for p, j in zip(probs, best):
        order = np.argsort(-p, kind="stable")[:top]
        candidates = tuple((vocabulary[i], float(p[i])) for i in order)
        words.append(HeardWord(candidates, vocabulary[int(j)], bool(p[order[0]] < unsure_below)))
    return SentenceReport(tuple(words), float(unsure_below))


def decode_sentence(
    recognizer,
    wave,
    rate,
    vocabulary=None,
    log_bigram=None,
    lm_weight: float = 1.0,
    unsure_below: float = 0.5,
    top: int = 3,
) -> SentenceReport:
    """Cut a recording of words said with short pauses into words, score them and decode them with the bigram model.

    Defined in: Chapter 14, "Speech recognition".

    ``recognizer.predict_proba(pieces, rate)`` gives the acoustic
    probabilities of the pieces found by ``speech.split_words``;
    ``vocabulary`` (default: ``recognizer.vocabulary``) names their columns
    and ``log_bigram`` is ``np.log`` of a :func:`bigram_matrix` over it.
    Returns a :class:`SentenceReport` (see :func:`sentence_report`).
    """
    from course_lib import speech
    from course_lib.audio import as_waveform

    if log_bigram is None:
        raise ValueError("log_bigram is required: np.log(bigram_matrix(sentences, vocabulary))")
    if not hasattr(recognizer, "predict_proba"):
        raise ValueError(f"recognizer must have predict_proba(waves, rate), got {type(recognizer).__name__}")
    vocabulary = list(recognizer.vocabulary if vocabulary is None else vocabulary)
    x = as_waveform(wave)
    quiet = float(np.abs(x).max()) < 1e-3  # below −60 dB of full scale: nothing was said (or the microphone is off)
    pieces = [] if quiet else speech.split_words(x, rate)
    if not pieces:
        probabilities = np.zeros((0, len(vocabulary)))
    else:
        probabilities = np.asarray(recognizer.predict_proba(pieces, rate))
    return sentence_report(probabilities, vocabulary, log_bigram, lm_weight, unsure_below, top)


__all__ = [
    "HeardWord",
    "SentenceReport",
    "bigram_matrix",
    "decode_sentence",
    "sentence_log_probability",
    "sentence_report",
    "viterbi_decode",
]
