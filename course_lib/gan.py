"""The losses of a generative adversarial network, computed from logits.

Defined in: Chapter 13, "Generative adversarial networks".

The discriminator outputs a *logit* s per sample (its belief that the sample
is real is σ(s)).  Both losses are binary cross-entropies computed from the
logits with the stable form ``max(s, 0) − y·s + log(1 + e^(−|s|))``, so they are
finite for logits of any size.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array


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
