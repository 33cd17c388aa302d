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


# --------------------------------------------------------------------------
# gan_step(G, D, X, Xi, lr) -> (G_new, D_new, loss_D, loss_G)


def _gan_params(rng: np.random.Generator, d: int, k: int, h: int) -> tuple[dict, dict]:
    G = {"W": rng.normal(size=(k, d)), "b": rng.normal(size=d)}
    D = {
        "W1": rng.normal(size=(d, h)),
        "b1": rng.normal(size=h),
        "W2": rng.normal(size=(h, 1)),
        "b2": rng.normal(size=1),
    }
    return G, D


def _gan_cases(rng: np.random.Generator) -> list[Case]:
    G1, D1 = _gan_params(rng, 1, 1, 3)
    G2, D2 = _gan_params(rng, 2, 3, 4)
    G3, D3 = _gan_params(rng, 2, 2, 5)
    D3["b2"] = np.array([-1000.0])  # every logit near −1000: σ(s) rounds to 0
    G4, D4 = _gan_params(rng, 3, 2, 2)
    return [
        Case((G1, D1, rng.normal(2.0, 0.5, (6, 1)), rng.normal(size=(6, 1)), 0.1), "1-D data, 1-D noise, 3 hidden"),
        Case(
            (G2, D2, rng.normal(size=(5, 2)), rng.normal(size=(7, 3)), 0.05),
            "2-D data from 3-D noise, 5 real and 7 fake samples",
        ),
        Case(
            (G3, D3, rng.normal(size=(4, 2)), rng.normal(size=(4, 2)), 0.01),
            "a discriminator that calls everything fake: logits near −1000",
        ),
        Case((G4, D4, rng.normal(size=(8, 3)), rng.normal(size=(3, 2)), 0.5), "3-D data, 2 hidden units, lr = 0.5"),
    ]


def _sig(s):
    return 0.5 * (1.0 + np.tanh(0.5 * s))


def _logits(D, X):
    return (np.tanh(X @ D["W1"] + D["b1"]) @ D["W2"] + D["b2"])[:, 0]


def _d_backward(D, X, ds):
    H = np.tanh(X @ D["W1"] + D["b1"])
    dA = np.outer(ds, D["W2"][:, 0]) * (1 - H**2)
    return {"W1": X.T @ dA, "b1": dA.sum(0), "W2": H.T @ ds[:, None], "b2": np.array([ds.sum()])}, dA @ D["W1"].T


def _gan_variant(
    G,
    D,
    X,
    Xi,
    lr,
    *,
    old_d=False,
    saturating=False,
    g_in_d_step=False,
    ascent=False,
    swapped=False,
    probabilities=False,
    summed=False,
):
    """The GAN step, or one of its catalogued mistakes."""
    G = {k: np.asarray(v, float) for k, v in G.items()}
    D = {k: np.asarray(v, float) for k, v in D.items()}
    X, Xi = np.asarray(X, float), np.asarray(Xi, float)
    m, n = (1, 1) if summed else (len(X), len(Xi))
    sign = 1.0 if ascent else -1.0
    fake = Xi @ G["W"] + G["b"]
    s_r, s_f = _logits(D, X), _logits(D, fake)
    y_r, y_f = (0.0, 1.0) if swapped else (1.0, 0.0)
    if probabilities:
        p_r, p_f = 1 / (1 + np.exp(-s_r)), 1 / (1 + np.exp(-s_f))
        loss_D = -np.sum(np.log(p_r)) / m - np.sum(np.log(1 - p_f)) / n
    else:
        loss_D = np.sum(_softplus(s_r) - y_r * s_r) / m + np.sum(_softplus(s_f) - y_f * s_f) / n
    g_r, dX_r = _d_backward(D, X, (_sig(s_r) - y_r) / m)
    g_f, dX_f = _d_backward(D, fake, (_sig(s_f) - y_f) / n)
    D_new = {k: D[k] + sign * lr * (g_r[k] + g_f[k]) for k in D}
    if g_in_d_step:  # G also moved by the discriminator's loss
        G = {"W": G["W"] + sign * lr * Xi.T @ dX_f, "b": G["b"] + sign * lr * dX_f.sum(0)}
        fake = Xi @ G["W"] + G["b"]
    judge = D if old_d else D_new
    s = _logits(judge, fake)
    if saturating:
        loss_G = -np.sum(_softplus(s)) / n
        ds = -_sig(s) / n
    else:
        loss_G = -np.sum(np.log(1 / (1 + np.exp(-s)))) / n if probabilities else np.sum(_softplus(-s)) / n
        ds = (_sig(s) - 1) / n
    _, dX = _d_backward(judge, fake, ds)
    G_new = {"W": G["W"] + sign * lr * Xi.T @ dX, "b": G["b"] + sign * lr * dX.sum(0)}
    return G_new, D_new, float(loss_D), float(loss_G)


def _gan_mistake(**flag):
    return lambda G, D, X, Xi, lr: _gan_variant(G, D, X, Xi, lr, **flag)


register(
    "gan_step",
    chapter=CHAPTER,
    reference=gan.gan_step,
    cases=_gan_cases,
    arg_names=("G", "D", "X", "Xi", "lr"),
    rtol=1e-5,
    atol=1e-6,
    mistakes=[
        Mistake(
            "generator step through the old discriminator",
            _gan_mistake(old_d=True),
            "The generator's step must be scored by the discriminator AFTER its update: compute the fakes' logits"
            " with the new D parameters, not the ones you started with.",
        ),
        Mistake(
            "the saturating minimax loss",
            _gan_mistake(saturating=True),
            "The generator minimises the non-saturating loss −log σ(s) (its fakes against the label 1), whose"
            " gradient with respect to s is (σ(s) − 1)/n; log(1 − σ(s)) has a vanishing gradient.",
        ),
        Mistake(
            "the generator also moved in the discriminator's step",
            _gan_mistake(g_in_d_step=True),
            "In the discriminator's step the fakes are fixed numbers: update only D's four arrays there; G changes"
            " only in its own step, by the gradient of the generator's loss.",
        ),
        Mistake(
            "a step up the loss",
            _gan_mistake(ascent=True),
            "Both networks DESCEND their own loss: new parameter = old parameter − lr · gradient.",
        ),
        Mistake(
            "labels swapped",
            _gan_mistake(swapped=True),
            "For the discriminator real samples have label 1 and fakes 0, so ∂L_D/∂s is (σ(s) − 1)/m for a real"
            " sample and σ(s)/n for a fake.",
        ),
        Mistake(
            "losses through probabilities",
            _gan_mistake(probabilities=True),
            "σ(s) rounds to exactly 0 or 1 when |s| is large, and log 0 = −∞: compute both losses from the"
            " logits (the stable form of the discriminator_loss exercise).",
        ),
        Mistake(
            "sums instead of means",
            _gan_mistake(summed=True),
            "The losses are means over each batch: divide the real samples' terms by m and the fakes' by n, in"
            " the losses and in their gradients.",
        ),
    ],
)
