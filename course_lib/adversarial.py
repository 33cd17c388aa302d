"""Adversarial examples: the fast gradient sign method (FGSM) and adversarial training's ingredients.

Defined in: Chapter 17, "Challenges and limitations".

Goodfellow, Shlens and Szegedy (2015) showed that moving every pixel a tiny
step ε in the direction that increases the loss — the *sign* of the loss's
gradient with respect to the input — fools a trained network far more often
than random noise of the same size.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive


def fgsm(X, grad, epsilon: float) -> np.ndarray:
    """The FGSM image: ``clip(X + ε·sign(∂loss/∂X), 0, 1)`` — one step *up* the loss, then back into the pixel range.

    Defined in: Chapter 17, "Challenges and limitations".

    ``X`` holds pixel values in [0, 1]; ``grad`` is the gradient of the loss
    with respect to ``X`` (same shape).  Returns a new array.
    """
    A = as_float_array(X, "X")
    G = as_float_array(grad, "grad")
    if G.shape != A.shape:
        raise ValueError(f"grad must have the shape of X, {A.shape}, got {G.shape}")
    eps = float(epsilon)
    if not np.isfinite(eps) or eps < 0:
        raise ValueError(f"epsilon must be a number ≥ 0, got {epsilon!r}")
    return np.clip(A + eps * np.sign(G), 0.0, 1.0)


def input_gradient(model, X, y) -> np.ndarray:
    """∂(mean cross-entropy)/∂X of a Keras classifier with softmax outputs, for integer labels ``y``.

    Defined in: Chapter 17, "Challenges and limitations".
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(X, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        probs = model(x, training=False)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(np.asarray(y), probs))
    return tape.gradient(loss, x).numpy()


def fgsm_attack(model, X, y, epsilon: float, batch_size: int = 500) -> np.ndarray:
    """FGSM versions of every image of ``X`` against ``model`` (in batches).

    Defined in: Chapter 17, "Challenges and limitations".
    """
    check_positive(batch_size, "batch_size")
    parts = [
        fgsm(X[i : i + batch_size], input_gradient(model, X[i : i + batch_size], y[i : i + batch_size]), epsilon)
        for i in range(0, len(X), batch_size)
    ]
    return np.concatenate(parts).astype(np.float32)


__all__ = ["fgsm", "fgsm_attack", "input_gradient"]
