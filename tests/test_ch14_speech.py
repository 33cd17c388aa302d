"""The exercises of Chapter 14 (framing, bigram language model, Viterbi): correct alternatives pass, wrong ones fail."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_lib import language_model
from tests.exercise_helpers import assert_exercise


def frames_loop(x, frame_length, hop_length):
    x = np.asarray(x, dtype=np.float64)
    if len(x) < frame_length:
        x = np.concatenate([x, np.zeros(frame_length - len(x))])
    starts = range(0, len(x) - frame_length + 1, hop_length)
    return np.array([x[s : s + frame_length] for s in starts])


def frames_index(x, frame_length, hop_length):
    x = np.pad(np.asarray(x, dtype=np.float32), (0, max(0, frame_length - len(x))))
    n = (len(x) - frame_length) // hop_length + 1
    return x[np.arange(n)[:, None] * hop_length + np.arange(frame_length)]


def bigram_dict(sentences, vocabulary, k=1.0):
    pairs = {}
    for s in sentences:
        seq = ["<b>", *s, "<b>"]
        for a, b in zip(seq, seq[1:]):
            pairs[a, b] = pairs.get((a, b), 0) + 1
    names = ["<b>", *vocabulary]
    P = np.array([[pairs.get((a, b), 0) + k for b in names] for a in names], dtype=float)
    return P / P.sum(axis=1)[:, None]


def bigram_onehot(sentences, vocabulary, k=1.0):
    V = len(vocabulary) + 1
    C = np.full((V, V), float(k))
    for s in sentences:
        ids = [0, *(vocabulary.index(w) + 1 for w in s), 0]
        np.add.at(C, (ids[:-1], ids[1:]), 1)
    return C / C.sum(axis=1, keepdims=True)


def viterbi_brute_force(A, L, lm_weight=1.0):
    T, V = A.shape
    best, best_path = -np.inf, None
    for path in itertools.product(range(V), repeat=T):
        ids = [0, *(p + 1 for p in path), 0]
        s = sum(A[t, p] for t, p in enumerate(path)) + lm_weight * sum(L[a, b] for a, b in zip(ids[:-1], ids[1:]))
        if s > best:
            best, best_path = s, path
    return np.array(best_path)


def viterbi_probabilities(A, L, lm_weight=1.0):
    """Max-product in the probability domain, rescaled at every step (no logs in the recursion)."""
    P, E = np.exp(A), np.exp(lm_weight * L)
    delta, back = E[0, 1:] * P[0], []
    for t in range(1, len(A)):
        cand = delta[:, None] * E[1:, 1:]
        back.append(cand.argmax(axis=0))
        delta = cand.max(axis=0) * P[t]
        delta /= delta.sum()
    path = [int(np.argmax(delta * E[1:, 0]))]
    for b in reversed(back):
        path.insert(0, int(b[path[0]]))
    return np.array(path)


ALTERNATIVES = {
    "frame_signal": [frames_loop, frames_index],
    "bigram_matrix": [bigram_dict, bigram_onehot],
    "viterbi_decode": [viterbi_brute_force, viterbi_probabilities],
}
WRONG = {
    "frame_signal": [(lambda x, n, h: frames_loop(x, n, h).T, "wrong_shape"), (lambda x, n, h: None, "wrong_type")],
    "bigram_matrix": [
        (lambda s, v, k: bigram_dict(s, v, k)[1:, 1:], "wrong_shape"),
        (lambda s, v, k: bigram_dict(s, v, 0.0 + 1e-9) if s else bigram_dict(s, v, k), "wrong_value"),
    ],
    "viterbi_decode": [
        (lambda A, L, w: viterbi_brute_force(A, L, w)[::-1], "wrong_value"),
        (lambda A, L, w: viterbi_brute_force(A, L, w)[:-1], "wrong_shape"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_the_language_model_fixes_an_ambiguous_word():
    vocab = ["what", "is", "the", "time", "two"]
    P = language_model.bigram_matrix([["what", "is", "the", "time"], ["the", "time", "is", "two"]], vocab)
    # The third segment sounds a little more like "two" than "the".
    A = np.log(np.array([[0.9, 0.025, 0.025, 0.025, 0.025], [0.025, 0.9, 0.025, 0.025, 0.025],
                         [0.02, 0.02, 0.44, 0.02, 0.5], [0.025, 0.025, 0.025, 0.9, 0.025]]))  # fmt: skip
    assert [vocab[i] for i in A.argmax(axis=1)] == ["what", "is", "two", "time"]
    words = [vocab[i] for i in language_model.viterbi_decode(A, np.log(P))]
    assert words == ["what", "is", "the", "time"]
    assert language_model.sentence_log_probability(words, vocab, P) > language_model.sentence_log_probability(
        ["what", "is", "two", "time"], vocab, P
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: language_model.bigram_matrix([["what", "now"]], ["what"]), "outside the vocabulary"),
        (lambda: language_model.bigram_matrix([], ["a"], k=-1), "k must be"),
        (lambda: language_model.bigram_matrix([["a"]], ["a", "b"], k=0), "every word must occur"),
        (lambda: language_model.viterbi_decode(np.zeros((3, 2)), np.zeros((2, 2))), r"must be \(3, 3\)"),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
