"""Exercises of Chapter 13, "Generative adversarial networks"."""

from __future__ import annotations

import numpy as np

from course_lib import gan
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 13, "Generative adversarial networks"'


def _d_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.normal(size=8), rng.normal(size=8)), "ordinary logits"),
        Case((rng.normal(size=5), rng.normal(size=3)), "different numbers of real and fake samples"),
        Case((np.array([1e4, -1e4]), np.array([-1e4, 1e4])), "logits of ±10⁴"),
        Case((rng.normal(size=(4, 1)), rng.normal(size=(4, 1))), "column vectors (m, 1), as a Dense(1) layer returns"),
    ]


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


register(
    "discriminator_loss",
    chapter=CHAPTER,
    reference=gan.discriminator_loss,
    cases=_d_cases,
    arg_names=("real_logits", "fake_logits"),
    mistakes=[
        Mistake(
            "labels swapped",
            lambda r, f: float(np.mean(_softplus(r)) + np.mean(_softplus(-f))),
            "Real samples are labelled 1 and fakes 0: the loss is −log σ(real) − log(1 − σ(fake)).",
        ),
        Mistake(
            "through probabilities",
            lambda r, f: float(np.mean(-np.log(1 / (1 + np.exp(-r)))) + np.mean(-np.log(1 - 1 / (1 + np.exp(-f))))),
            "σ(10⁴) rounds to 1 and log(1 − 1) = −∞: compute from the logits, −log σ(s) = softplus(−s).",
        ),
        Mistake(
            "one mean over all samples",
            lambda r, f: float(np.mean(np.concatenate([_softplus(-np.ravel(r)), _softplus(np.ravel(f))]))),
            "Average the real samples' losses and the fake samples' losses separately, then add the two means.",
        ),
        Mistake(
            "only the real samples",
            lambda r, f: float(np.mean(_softplus(-r))),
            "The discriminator is also trained on the fakes: add the mean BCE of the fake logits against 0.",
        ),
    ],
)


def _g_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((rng.normal(size=6),), "ordinary logits"),
        Case((np.array([-1e4, -20.0, 0.0, 20.0, 1e4]),), "logits from −10⁴ to 10⁴"),
        Case((rng.normal(size=(5, 1)),), "a column (m, 1)"),
    ]


register(
    "generator_loss",
    chapter=CHAPTER,
    reference=gan.generator_loss,
    cases=_g_cases,
    arg_names=("fake_logits",),
    mistakes=[
        Mistake(
            "the saturating minimax form",
            lambda f: float(np.mean(-_softplus(f))),
            "That is the minimax loss log(1 − σ(s)), whose gradient vanishes when the fakes are easy to spot; the"
            " non-saturating loss is −log σ(s), the BCE of the fakes against the label 1.",
        ),
        Mistake(
            "label 0",
            lambda f: float(np.mean(_softplus(f))),
            "The generator wants its fakes classified as real: BCE against 1, not 0.",
        ),
        Mistake(
            "through probabilities",
            lambda f: float(np.mean(-np.log(1 / (1 + np.exp(-f))))),
            "σ(−10⁴) underflows to 0 and log 0 = −∞: compute −log σ(s) from the logit, as softplus(−s).",
        ),
    ],
)
