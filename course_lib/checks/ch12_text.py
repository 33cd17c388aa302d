"""Exercise of Chapter 12, section "Text: a character-level language model" (bits per character)."""

from __future__ import annotations

import numpy as np

from course_lib import char_model
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 12, section "Text: a character-level language model"'


def _probs_cases(rng: np.random.Generator) -> list[Case]:
    def case(N, V, sharp=1.0):
        logits = sharp * rng.normal(size=(N, V))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return probs, rng.integers(0, V, size=N)

    uniform = np.full((5, 8), 1 / 8)
    return [
        Case(case(6, 5), "6 predictions over 5 characters"),
        Case(case(1, 3), "a single prediction"),
        Case(case(40, 65, sharp=3.0), "65 characters, confident predictions"),
        Case((uniform, rng.integers(0, 8, size=5)), "uniform over 8 characters: exactly 3 bits"),
        Case(case(7, 4, sharp=0.1), "nearly uniform predictions"),
    ]


def _picked(probs, targets):
    return probs[np.arange(len(targets)), targets]


register(
    "bits_per_character",
    chapter=CHAPTER,
    reference=char_model.bits_per_character,
    cases=_probs_cases,
    arg_names=("probs", "targets"),
    mistakes=[
        Mistake(
            "natural logarithm",
            lambda p, t: float(-np.mean(np.log(_picked(p, t)))),
            "That is the cross-entropy in nats (np.log). Bits need the base-2 logarithm, np.log2.",
        ),
        Mistake(
            "sum instead of mean",
            lambda p, t: float(-np.sum(np.log2(_picked(p, t)))),
            "Bits *per character*: average over the predictions instead of adding them up.",
        ),
        Mistake(
            "sign",
            lambda p, t: float(np.mean(np.log2(_picked(p, t)))),
            "log2 of a probability is negative; the number of bits is minus its mean.",
        ),
        Mistake(
            "probability of the most likely character",
            lambda p, t: float(-np.mean(np.log2(p.max(axis=1)))),
            "Score the character that actually came next, probs[i, targets[i]], not the model's favourite.",
        ),
        Mistake(
            "whole rows",
            lambda p, t: float(-np.mean(np.log2(p[:, t]))),
            "probs[:, targets] picks whole columns for every row; pick one entry per row, probs[i, targets[i]].",
        ),
        Mistake(
            "entropy of the predictions",
            lambda p, t: float(-np.mean(np.sum(p * np.log2(p), axis=1))),
            "That is the entropy of the model's predictions, which ignores the targets; "
            "use the probability each row gives to its target.",
        ),
    ],
)
