"""A bigram language model and the Viterbi decoder that combines it with an acoustic model.

Defined in: Chapter 14, "Speech recognition".

A language model gives word sequences probabilities: P(w_1 … w_n) ≈
Π P(w_i | w_{i−1}), with a boundary symbol (index 0) standing for the start
and the end of a sentence.  The decoder picks the word sequence that
maximises  Σ log p_acoustic(w_t | segment t) + λ · log P_LM(sequence),
so a word that sounded ambiguous is settled by the words around it.
"""

from __future__ import annotations

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


__all__ = ["bigram_matrix", "sentence_log_probability", "viterbi_decode"]
