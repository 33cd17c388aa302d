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


def _softmax_regression(W, b, X, y) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Mean cross-entropy of the softmax regression ``softmax(X W + b)`` and its gradients for W, b and X."""
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)
    log_P = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    rows = np.arange(len(X))
    dZ = np.exp(log_P)
    dZ[rows, y] -= 1.0
    dZ /= len(X)  # ∂L/∂Z = (P − Y)/m for the mean cross-entropy L
    return float(-log_P[rows, y].mean()), X.T @ dZ, dZ.sum(axis=0), dZ @ W.T


def _check_softmax_inputs(W, b, X, y):
    W = as_float_array(W, "W", ndim=2)
    n, K = W.shape
    b = as_float_array(b, "b", ndim=1)
    X = as_float_array(X, "X", ndim=2)
    if b.shape != (K,) or X.shape[1] != n or len(X) == 0:
        raise ValueError(f"need W (n, K), b (K,) and X (m, n) with m ≥ 1; got W {W.shape}, b {b.shape}, X {X.shape}")
    y = np.asarray(y)
    if y.shape != (len(X),) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= K:
        raise ValueError(f"y must hold {len(X)} integer labels in 0 … {K - 1}, got {y.dtype} of shape {y.shape}")
    return W.astype(np.float64), b.astype(np.float64), X.astype(np.float64), y


def softmax_fgsm(W, b, X, y, epsilon: float) -> np.ndarray:
    """FGSM images (pixels in [0, 1]) against the softmax regression ``softmax(X W + b)``, for integer labels ``y``.

    Defined in: Chapter 17, "Challenges and limitations".

    The input gradient of the mean cross-entropy is ``(P − Y) Wᵀ / m``; only its sign matters.
    """
    W, b, X, y = _check_softmax_inputs(W, b, X, y)
    return fgsm(X, _softmax_regression(W, b, X, y)[3], epsilon)


def softmax_accuracy(W, b, X, y) -> float:
    """The fraction of rows of ``X`` whose largest score in ``X W + b`` is at the label ``y``.

    Defined in: Chapter 17, "Challenges and limitations".
    """
    W, b, X, y = _check_softmax_inputs(W, b, X, y)
    return float(np.mean((X @ W + b).argmax(axis=1) == y))


def adversarial_training_step(W, b, X, y, epsilon: float, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """One step of adversarial training of a softmax regression: FGSM from the current (W, b), then one descent step.

    Defined in: Chapter 17, "Challenges and limitations".

    ``W`` (n, K), ``b`` (K,), pixels ``X`` (m, n) in [0, 1], integer labels
    ``y`` (m,).  The FGSM images ``X_adv = clip(X + ε·sign(∇_X L), 0, 1)``
    are made against the parameters *before* the step; the step descends
    the mean of the clean and the adversarial mean cross-entropies,
    ``½ (L(X) + L(X_adv))``, once, with learning rate ``lr``.  Returns the
    new ``(W, b)``; the inputs are not changed.
    """
    W, b, X, y = _check_softmax_inputs(W, b, X, y)
    lr = check_positive(lr, "lr")
    _, dW, db, dX = _softmax_regression(W, b, X, y)
    X_adv = fgsm(X, dX, epsilon)
    _, dW_adv, db_adv, _ = _softmax_regression(W, b, X_adv, y)
    return W - lr * (dW + dW_adv) / 2, b - lr * (db + db_adv) / 2


__all__ = [
    "adversarial_training_step",
    "fgsm",
    "fgsm_attack",
    "input_gradient",
    "softmax_accuracy",
    "softmax_fgsm",
]
