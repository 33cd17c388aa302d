"""The losses of a generative adversarial network, computed from logits.

Defined in: Chapter 13, "Generative adversarial networks".

The discriminator outputs a *logit* s per sample (its belief that the sample
is real is σ(s)).  Both losses are binary cross-entropies computed from the
logits with the stable form ``max(s, 0) − y·s + log(1 + e^(−|s|))``, so they are
finite for logits of any size.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_whole


def _bce_from_logits(logits: np.ndarray, label: float) -> float:
    return float(np.mean(np.maximum(logits, 0.0) - label * logits + np.log1p(np.exp(-np.abs(logits)))))


def discriminator_loss(real_logits, fake_logits) -> float:
    """Mean BCE of the real samples' logits against 1, plus mean BCE of the fake samples' logits against 0.

    Defined in: Chapter 13, "Generative adversarial networks".
    """
    real = as_float_array(real_logits, "real_logits", ndim=(1, 2))
    fake = as_float_array(fake_logits, "fake_logits", ndim=(1, 2))
    return _bce_from_logits(real, 1.0) + _bce_from_logits(fake, 0.0)


def generator_loss(fake_logits) -> float:
    """The non-saturating generator loss: mean BCE of the fake samples' logits against 1, i.e. −log σ(s).

    Defined in: Chapter 13, "Generative adversarial networks".

    The minimax form would *minimise* log(1 − σ(s)), whose gradient vanishes
    exactly when the discriminator confidently rejects the fakes (s ≪ 0) —
    at the start of training.  Maximising log σ(s) instead gives the generator
    a strong gradient there.
    """
    fake = as_float_array(fake_logits, "fake_logits", ndim=(1, 2))
    return _bce_from_logits(fake, 1.0)


def ring_centres(k: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``(k, 2)`` centres of ``k`` Gaussians spaced evenly on a circle.

    Defined in: Chapter 13, "Generative adversarial networks".
    """
    k = check_whole(k, "k")
    angles = 2 * np.pi * np.arange(k) / k
    return check_positive(radius, "radius") * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_of_gaussians(n: int, k: int = 8, radius: float = 2.0, std: float = 0.05, seed: int = 0) -> np.ndarray:
    """``n`` points (float32, ``(n, 2)``) from an equal mixture of ``k`` Gaussians on a ring, the GAN benchmark of mode collapse.

    Defined in: Chapter 13, "Generative adversarial networks".
    """
    n = check_whole(n, "n")
    rng = np.random.default_rng(check_whole(seed, "seed", minimum=0))
    centres = ring_centres(k, radius)
    points = centres[rng.integers(0, k, size=n)] + rng.normal(scale=check_positive(std, "std"), size=(n, 2))
    return points.astype(np.float32)


def mode_coverage(samples, centres, std: float, min_fraction: float = 0.01) -> tuple[int, float]:
    """How many modes a generator covers, and what fraction of its samples are of high quality.

    Defined in: Chapter 13, "Generative adversarial networks".

    A sample is *high quality* when it lies within 3·std of its nearest
    centre; a mode is *covered* when at least ``min_fraction`` of all
    samples are high-quality samples of that mode.  Returns
    ``(modes_covered, high_quality_fraction)``.
    """
    X = as_float_array(samples, "samples", ndim=2)
    C = as_float_array(centres, "centres", ndim=2)
    if X.shape[1] != C.shape[1] or len(X) == 0:
        raise ValueError(f"samples (m, d) and centres (k, d) need the same d and m ≥ 1, got {X.shape} and {C.shape}")
    dist = np.sqrt(((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))
    nearest, closest = dist.argmin(axis=1), dist.min(axis=1)
    good = closest <= 3 * check_positive(std, "std")
    per_mode = np.bincount(nearest[good], minlength=len(C)) / len(X)
    return int(np.sum(per_mode >= min_fraction)), float(good.mean())


def classifier_score(probs) -> float:
    """exp(E_x KL(p(y|x) ‖ p(y))) from a classifier's class probabilities ``(m, K)`` for generated samples.

    Defined in: Chapter 13, "Generative adversarial networks".

    The "Inception score" idea with any classifier: high when each sample is
    classified confidently (sharp p(y|x)) *and* the samples spread over all
    classes (broad p(y)).  It ranges from 1 to K; it never looks at real data,
    so it cannot tell realistic samples from merely classifiable ones.
    """
    P = as_float_array(probs, "probs", ndim=2)
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("probs must be rows of class probabilities (non-negative, summing to 1)")
    P = np.clip(P, 1e-12, 1.0)
    marginal = P.mean(axis=0)
    return float(np.exp(np.mean(np.sum(P * (np.log(P) - np.log(marginal)), axis=1))))
