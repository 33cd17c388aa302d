"""Exercises of Chapter 14, "Speech recognition" (framing, a bigram language model, Viterbi decoding)."""

from __future__ import annotations

import numpy as np

from course_lib import language_model, speech
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 14, "Speech recognition"'


def _frame_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.normal(size=1000).astype(np.float32), 200, 80), "1,000 samples, frames of 200 every 80"),
        Case((rng.normal(size=400), 400, 100), "exactly one frame"),
        Case((rng.normal(size=95), 100, 50), "shorter than one frame: padded to one"),
        Case((np.arange(23, dtype=np.float64), 5, 5), "frames that do not overlap"),
        Case((rng.normal(size=1001), 200, 80), "a leftover tail that does not fill a frame is dropped"),
    ]


def _frames_loop(x, n, hop, *, keep_tail=False, pad_short=True, start=0):
    x = np.asarray(x, dtype=float)
    if pad_short and len(x) < n:
        x = np.pad(x, (0, n - len(x)))
    out, i = [], start
    while i + n <= len(x) or (keep_tail and i < len(x)):
        piece = x[i : i + n]
        out.append(np.pad(piece, (0, n - len(piece))))
        i += hop
    return np.array(out)


register(
    "frame_signal",
    chapter=CHAPTER,
    reference=speech.frames,
    cases=_frame_cases,
    arg_names=("x", "frame_length", "hop_length"),
    mistakes=[
        Mistake(
            "frames do not overlap",
            lambda x, n, hop: _frames_loop(x, n, n),
            "Start a new frame every hop_length samples, not every frame_length: the frames overlap.",
        ),
        Mistake(
            "the tail is kept, padded",
            lambda x, n, hop: _frames_loop(x, n, hop, keep_tail=True),
            "Keep only frames that fit entirely inside the signal; a short last piece is dropped.",
        ),
        Mistake(
            "frames of length hop",
            lambda x, n, hop: _frames_loop(x, hop, hop),
            "Each frame has frame_length samples; hop_length is only the distance between frame starts.",
        ),
        Mistake(
            "off by one at the end",
            lambda x, n, hop: (
                _frames_loop(x, n, hop)[:-1] if len(_frames_loop(x, n, hop)) > 1 else _frames_loop(x, n, hop)
            ),
            "The last frame may end exactly at the last sample: the condition is start + frame_length ≤ len(x).",
        ),
    ],
)

WORDS = ["what", "is", "the", "time", "one", "two"]


def _bigram_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(([["what", "is", "the", "time"], ["the", "time", "is", "two"]], WORDS, 1.0), "two sentences, add-one"),
        Case(([["one"], ["one", "two"], ["two", "one", "one"]], WORDS, 0.5), "short sentences, k = 0.5"),
        Case(([["what", "is", "the", "time"]] * 3, WORDS, 0.01), "the same sentence three times, little smoothing"),
        Case(([], WORDS, 1.0), "no sentences at all: every probability equal"),
        Case((_random_sentences(rng, 3, 6), WORDS, _random_k(rng)), "3 to 6 random sentences, random k"),
        Case((_random_sentences(rng, 8, 15), WORDS, _random_k(rng)), "8 to 15 random sentences, random k"),
    ]


def _random_sentences(rng: np.random.Generator, least: int, most: int) -> list[list[str]]:
    """Between ``least`` and ``most`` sentences of 1 to 7 words drawn from WORDS."""
    n = int(rng.integers(least, most + 1))
    return [[WORDS[i] for i in rng.integers(0, len(WORDS), int(rng.integers(1, 8)))] for _ in range(n)]


def _random_k(rng: np.random.Generator) -> float:
    """A smoothing constant between 0.1 and 2, with two decimals: well away from k = 0."""
    return round(float(rng.uniform(0.1, 2.0)), 2)


def _bigram_variant(sentences, vocabulary, k, *, no_boundaries=False, no_end=False, column_norm=False, smooth_v=False):
    idx = {w: i + 1 for i, w in enumerate(vocabulary)}
    C = np.zeros((len(vocabulary) + 1,) * 2)
    for s in sentences:
        ids = [idx[w] for w in s]
        ids = ids if no_boundaries else [0] + ids + ([] if no_end else [0])
        for a, b in zip(ids[:-1], ids[1:]):
            C[a, b] += 1
    C = C + k
    if smooth_v:
        return C / (C.sum(axis=1, keepdims=True) - k + k * len(vocabulary))
    return C / C.sum(axis=0, keepdims=True) if column_norm else C / C.sum(axis=1, keepdims=True)


register(
    "bigram_matrix",
    chapter=CHAPTER,
    reference=language_model.bigram_matrix,
    cases=_bigram_cases,
    arg_names=("sentences", "vocabulary", "k"),
    mistakes=[
        Mistake(
            "no sentence boundaries",
            lambda s, v, k: _bigram_variant(s, v, k, no_boundaries=True),
            "Wrap every sentence in the boundary symbol (index 0) at both ends before counting pairs: "
            "row 0 holds how sentences start, column 0 how they end.",
        ),
        Mistake(
            "no end boundary",
            lambda s, v, k: _bigram_variant(s, v, k, no_end=True),
            "Count the pair (last word, boundary) too: a sentence's end is an event the model must predict.",
        ),
        Mistake(
            "columns normalised",
            lambda s, v, k: _bigram_variant(s, v, k, column_norm=True),
            "P[prev, next] is a distribution over the next word: each ROW must sum to 1.",
        ),
        Mistake(
            "smoothing adds k to V entries only",
            lambda s, v, k: _bigram_variant(s, v, k, smooth_v=True),
            "k is added to all V + 1 entries of a row (the boundary counts as a possible next symbol).",
        ),
    ],
)


def _viterbi_cases(rng: np.random.Generator) -> list[Case]:
    def case(T, V, lm_weight=1.0, sharp=1.0):
        A = np.log(rng.dirichlet(np.full(V, sharp), size=T))
        L = np.log(rng.dirichlet(np.full(V + 1, 0.5), size=V + 1))
        return (A, L, lm_weight)

    # Redrawn until each slip below (the catalogue's mistakes) decodes some case differently from the true path;
    # a draw where, say, the start probabilities never change the best path would let a decoder that forgets them
    # pass.  The practice draw is accepted at once; about a quarter of fresh draws are redrawn.
    for _ in range(100):
        cases = [
            Case(case(4, 3), "4 segments, 3 words"),
            Case(case(1, 5), "a single segment: the end probability counts too"),
            Case(case(6, 4, lm_weight=3.0, sharp=5.0), "a strong language model over unsure acoustics"),
            Case(case(5, 6, lm_weight=0.0), "lm_weight = 0: the acoustic best word per segment"),
            Case(case(8, 2, lm_weight=1.5), "8 segments, 2 words"),
        ]
        if all(any(_decodes_differently(c.args, slip) for c in cases) for slip in _SLIPS):
            break
    return cases


_SLIPS = ({"greedy": True}, {"no_start": True}, {"no_end": True}, {"transposed": True}, {"unweighted": True})


def _decodes_differently(args, slip: dict) -> bool:
    A, L, w = args
    return not np.array_equal(_viterbi_variant(A, L, w, **slip), language_model.viterbi_decode(A, L, w))


def _greedy(A, L, w=1.0):
    return np.asarray(A).argmax(axis=1)


def _viterbi_variant(A, L, w=1.0, *, greedy=False, no_start=False, no_end=False, transposed=False, unweighted=False):
    if greedy:
        return _greedy(A, L, w)
    A, L = np.asarray(A), np.asarray(L)
    T, V = A.shape
    w = 1.0 if unweighted else w
    trans = w * (L[1:, 1:].T if transposed else L[1:, 1:])
    score = (0 if no_start else w * L[0, 1:]) + A[0]
    back = []
    for t in range(1, T):
        total = score[:, None] + trans
        back.append(total.argmax(axis=0))
        score = total.max(axis=0) + A[t]
    path = [int(np.argmax(score + (0 if no_end else w * L[1:, 0])))]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    return np.array(path[::-1])


register(
    "viterbi_decode",
    chapter=CHAPTER,
    reference=language_model.viterbi_decode,
    cases=_viterbi_cases,
    arg_names=("log_acoustic", "log_bigram", "lm_weight"),
    mistakes=[
        Mistake(
            "greedy",
            _greedy,
            "Choosing the best word per segment ignores the language model; keep, for every word at step t, the best "
            "score of any path ending in it, and follow back-pointers at the end.",
        ),
        Mistake(
            "no start probability",
            lambda A, L, w: _viterbi_variant(A, L, w, no_start=True),
            "The first word also has a language-model score: log_bigram[0, word + 1] (boundary → word).",
        ),
        Mistake(
            "no end probability",
            lambda A, L, w: _viterbi_variant(A, L, w, no_end=True),
            "Before picking the last word, add lm_weight · log_bigram[word + 1, 0] (word → end of sentence).",
        ),
        Mistake(
            "transitions transposed",
            lambda A, L, w: _viterbi_variant(A, L, w, transposed=True),
            "Row = previous word, column = next word: log_bigram[prev + 1, next + 1].",
        ),
        Mistake(
            "lm_weight ignored",
            lambda A, L, w: _viterbi_variant(A, L, w, unweighted=True),
            "Multiply every language-model log-probability (start, transitions, end) by lm_weight.",
        ),
    ],
)
