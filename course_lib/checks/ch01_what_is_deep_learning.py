"""Exercises of Chapter 1, "What is deep learning?"."""

from __future__ import annotations

import numpy as np

from course_lib import intro as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 1, "What is deep learning?"'


# --------------------------------------------------------------------------
# fraction_correct(y_pred, y_true)


def _fraction_cases(rng: np.random.Generator) -> list[Case]:
    y_true = rng.integers(0, 2, size=50).astype(float)
    y_pred = np.where(rng.random(50) < 0.8, y_true, 1 - y_true)
    return [
        Case(
            (np.array([1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])),
            "8 predictions, 6 of them right",
        ),
        Case((y_pred, y_true), "50 predictions, about 80 % right"),
        Case((np.zeros(10), np.array([0.0] * 9 + [1.0])), "the rule 'always 0' on a set with one 1"),
        Case((np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 1.0])), "every prediction right"),
        Case((np.array([0.0, 1.0]), np.array([1.0, 0.0])), "every prediction wrong"),
        Case((np.array([3, 1, 4, 1, 5]), np.array([3, 1, 4, 1, 9])), "class numbers other than 0 and 1 (ints)"),
    ]


register(
    "fraction_correct",
    chapter=CHAPTER,
    reference=ref.fraction_correct,
    cases=_fraction_cases,
    arg_names=("y_pred", "y_true"),
    mistakes=[
        Mistake(
            "count instead of fraction",
            lambda y_pred, y_true: int(np.sum(y_pred == y_true)),
            "You returned how many predictions are right; divide by how many predictions there are"
            " (or use np.mean) to get a fraction between 0 and 1.",
        ),
        Mistake(
            "error rate",
            lambda y_pred, y_true: float(np.mean(y_pred != y_true)),
            "That is the fraction of *wrong* predictions (the error rate); the exercise asks for the right ones.",
        ),
        Mistake(
            "percentage",
            lambda y_pred, y_true: 100.0 * float(np.mean(y_pred == y_true)),
            "Return a fraction between 0 and 1, not a percentage: drop the factor 100.",
        ),
        Mistake(
            "share of positive predictions",
            lambda y_pred, y_true: float(np.mean(y_pred)),
            "np.mean(y_pred) is how often the rule says 1, whatever the truth; compare the predictions"
            " with the true labels first: np.mean(y_pred == y_true).",
        ),
        Mistake(
            "counts agreement on 1s only",
            lambda y_pred, y_true: float(np.sum((y_pred == 1) & (y_true == 1)) / len(y_true)),
            "A prediction of 0 for a true 0 is right too: count every position where the two arrays agree.",
        ),
    ],
)


# --------------------------------------------------------------------------
# learn_threshold(scores, y)


def _threshold_cases(rng: np.random.Generator) -> list[Case]:
    negatives = rng.normal(0.0, 1.0, size=30)
    positives = rng.normal(2.5, 1.0, size=20)
    scores = rng.permutation(np.concatenate([negatives, positives]))
    labels = np.isin(scores, positives).astype(float)
    return [
        Case(
            (np.array([5.0, 1.0, 4.0, 3.0, 2.0, 0.5]), np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])),
            "6 examples, perfectly separable",
        ),
        Case(
            (np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), np.array([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0])),
            "7 examples that no threshold separates perfectly",
        ),
        Case((scores, labels), "50 examples from two overlapping groups"),
        Case(
            (np.array([2.0, 2.0, 7.0, 7.0, 9.0]), np.array([0.0, 0.0, 1.0, 1.0, 1.0])),
            "repeated scores",
        ),
        Case((np.array([-3.0, -1.0, -2.0, -0.5]), np.array([0.0, 1.0, 0.0, 1.0])), "negative scores"),
        Case((np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0])), "a tie: the smallest best threshold wins"),
    ]


def _thresholds_and_fractions(scores, y, predict):
    candidates = np.unique(scores)
    fractions = np.array([np.mean(predict(scores, t) == (y == 1)) for t in candidates])
    return candidates, fractions


register(
    "learn_threshold",
    chapter=CHAPTER,
    reference=ref.learn_threshold,
    cases=_threshold_cases,
    arg_names=("scores", "y"),
    mistakes=[
        Mistake(
            "strict comparison",
            lambda scores, y: float(
                (lambda c, f: c[np.argmax(f)])(*_thresholds_and_fractions(scores, y, lambda s, t: s > t))
            ),
            "The rule is `scores >= t` (a score equal to the threshold counts as class 1); with `>` the"
            " winning threshold moves one example down.",
        ),
        Mistake(
            "returns the best fraction",
            lambda scores, y: float(np.max(_thresholds_and_fractions(scores, y, lambda s, t: s >= t)[1])),
            "Return the threshold t itself, not the fraction correct it achieves.",
        ),
        Mistake(
            "largest of the tied thresholds",
            lambda scores, y: float(
                (lambda c, f: c[len(f) - 1 - np.argmax(f[::-1])])(
                    *_thresholds_and_fractions(scores, y, lambda s, t: s >= t)
                )
            ),
            "When several thresholds are equally good, return the smallest one: keep a new threshold only"
            " if it is strictly better (`>`, not `>=`), trying thresholds from small to large.",
        ),
        Mistake(
            "direction reversed",
            lambda scores, y: float(
                (lambda c, f: c[np.argmax(f)])(*_thresholds_and_fractions(scores, y, lambda s, t: s < t))
            ),
            "The rule predicts class 1 for scores *at or above* the threshold: `scores >= t`, not `scores < t`.",
        ),
        Mistake(
            "midpoint of the class means",
            lambda scores, y: float((np.mean(scores[y == 1]) + np.mean(scores[y == 0])) / 2),
            "Halfway between the two groups' average scores is a guess, not a learned rule: try every"
            " observed score as t and keep the one whose predictions are right most often.",
        ),
    ],
)
