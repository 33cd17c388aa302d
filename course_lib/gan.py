"""The losses of a generative adversarial network, computed from logits, and one GAN training step in numpy.

Defined in: Chapter 13, "Generative adversarial networks".

The discriminator outputs a *logit* s per sample (its belief that the sample
is real is σ(s)).  Both losses are binary cross-entropies computed from the
logits with the stable form ``max(s, 0) − y·s + log(1 + e^(−|s|))``, so they are
finite for logits of any size.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_shape, check_whole


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


def _params(value, name: str, shapes: dict) -> dict:
    """A float copy of a parameter dict, every key present with its expected shape (``None`` = any size)."""
    if not isinstance(value, dict) or set(value) != set(shapes):
        got = sorted(map(str, value)) if isinstance(value, dict) else type(value).__name__
        raise ValueError(f"{name} must be a dict with the keys {sorted(shapes)}, got {got}")
    out = {}
    for key, shape in shapes.items():
        arr = np.array(as_float_array(value[key], f"{name}[{key!r}]"), dtype=np.float64)
        check_shape(arr, f"{name}[{key!r}]", shape)
        out[key] = arr
    return out


def _check_step_inputs(G, D, X, Xi):
    X = as_float_array(X, "X", ndim=2)
    Xi = as_float_array(Xi, "Xi", ndim=2)
    d, k = X.shape[1], Xi.shape[1]
    G = _params(G, "G", {"W": (k, d), "b": (d,)})
    D = _params(D, "D", {"W1": (d, None), "b1": (None,), "W2": (None, 1), "b2": (1,)})
    h = D["W1"].shape[1]
    check_shape(D["b1"], "D['b1']", (h,))
    check_shape(D["W2"], "D['W2']", (h, 1))
    if len(X) == 0 or len(Xi) == 0:
        raise ValueError("X and Xi need at least one row each")
    return G, D, X.astype(np.float64), Xi.astype(np.float64)


def generator_forward(G: dict, Xi) -> np.ndarray:
    """The affine generator of the numpy GAN: ``G(ξ) = ξ W + b`` for a batch of noise ``Xi`` (m, k) → (m, d).

    Defined in: Chapter 13, "Generative adversarial networks".
    """
    return np.asarray(Xi) @ G["W"] + G["b"]


def discriminator_logits(D: dict, X) -> np.ndarray:
    """The one-hidden-layer discriminator of the numpy GAN: logits ``s = tanh(X W1 + b1) W2 + b2``, shape (m,).

    Defined in: Chapter 13, "Generative adversarial networks".
    """
    return (np.tanh(np.asarray(X) @ D["W1"] + D["b1"]) @ D["W2"] + D["b2"])[:, 0]


def _sigmoid(s: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * s))  # = 1 / (1 + e^(−s)), without overflow


def _discriminator_backward(D: dict, X: np.ndarray, ds: np.ndarray) -> tuple[dict, np.ndarray]:
    """Gradients of a loss with ∂loss/∂s = ``ds`` (m,) for D's parameters, and ∂loss/∂X."""
    H = np.tanh(X @ D["W1"] + D["b1"])
    dA = (ds[:, None] @ D["W2"].T) * (1.0 - H**2)  # back through W2, then through tanh
    grads = {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ ds[:, None], "b2": np.array([ds.sum()])}
    return grads, dA @ D["W1"].T


def _discriminator_gradients(D: dict, X: np.ndarray, X_fake: np.ndarray) -> dict:
    """∂L_D/∂(W1, b1, W2, b2) for real samples ``X`` and fakes ``X_fake``; ∂L_D/∂s = (σ(s) − y) / m per batch."""
    real, _ = _discriminator_backward(D, X, (_sigmoid(discriminator_logits(D, X)) - 1.0) / len(X))
    fake, _ = _discriminator_backward(D, X_fake, _sigmoid(discriminator_logits(D, X_fake)) / len(X_fake))
    return {key: real[key] + fake[key] for key in real}


def _generator_gradients(G: dict, D: dict, Xi: np.ndarray) -> dict:
    """∂L_G/∂(W, b) of the non-saturating loss, back through D to the fakes and on to G's parameters."""
    X_fake = generator_forward(G, Xi)
    _, dX = _discriminator_backward(D, X_fake, (_sigmoid(discriminator_logits(D, X_fake)) - 1.0) / len(Xi))
    return {"W": Xi.T @ dX, "b": dX.sum(axis=0)}


def gan_step(G: dict, D: dict, X, Xi, lr: float) -> tuple[dict, dict, float, float]:
    """One training step of the numpy GAN: a discriminator update, then a generator update through the NEW D.

    Defined in: Chapter 13, "Generative adversarial networks".

    ``G = {"W": (k, d), "b": (d,)}`` is the affine generator ``ξ W + b``;
    ``D = {"W1": (d, h), "b1": (h,), "W2": (h, 1), "b2": (1,)}`` the
    discriminator with logits ``tanh(x W1 + b1) W2 + b2``.  ``X`` (m, d)
    holds real samples and ``Xi`` (n, k) the noise.  With the fakes
    ``G(Xi)`` held fixed, D takes one gradient-descent step on
    :func:`discriminator_loss`; then G takes one step on the non-saturating
    :func:`generator_loss` of the *updated* D's logits for ``G(Xi)`` — the
    same noise.  Returns ``(G_new, D_new, loss_D, loss_G)``: new dicts (the
    inputs are not changed), ``loss_D`` before D's step and ``loss_G``
    before G's step.
    """
    G, D, X, Xi = _check_step_inputs(G, D, X, Xi)
    lr = check_positive(lr, "lr")
    X_fake = generator_forward(G, Xi)
    loss_D = discriminator_loss(discriminator_logits(D, X), discriminator_logits(D, X_fake))
    grads = _discriminator_gradients(D, X, X_fake)
    D_new = {key: D[key] - lr * grads[key] for key in D}
    loss_G = generator_loss(discriminator_logits(D_new, X_fake))
    grads = _generator_gradients(G, D_new, Xi)
    G_new = {key: G[key] - lr * grads[key] for key in G}
    return G_new, D_new, loss_D, loss_G


def init_gan(d: int, k: int, h: int = 16, seed: int = 0) -> tuple[dict, dict]:
    """Starting parameters ``(G, D)`` for :func:`gan_step`: random weights of scale 1/√fan-in, G's bias 0.

    Defined in: Chapter 13, "Generative adversarial networks".
    """
    d, k, h = check_whole(d, "d"), check_whole(k, "k"), check_whole(h, "h")
    rng = np.random.default_rng(check_whole(seed, "seed", minimum=0))
    G = {"W": rng.normal(scale=1 / np.sqrt(k), size=(k, d)), "b": np.zeros(d)}
    D = {
        "W1": rng.normal(scale=1 / np.sqrt(d), size=(d, h)),
        "b1": rng.normal(scale=0.5, size=h),
        "W2": rng.normal(scale=1 / np.sqrt(h), size=(h, 1)),
        "b2": np.zeros(1),
    }
    return G, D


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
