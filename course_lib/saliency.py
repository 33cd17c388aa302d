"""Where does a classifier look?  Occlusion maps and gradient saliency.

Defined in: Chapter 15, "Image recognition".

*Occlusion*: cover one square of the picture at a time with a grey patch
and record how much the probability of the class drops; squares whose
covering hurts the most are the ones the model relies on.  It needs only
the model's predictions.  *Gradient saliency*: the size of the gradient of
the class score with respect to each pixel; one backward pass, but noisier.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole


def occlusion_map(predict, image, patch: int, stride: int, target: int, fill: float = 0.5) -> np.ndarray:
    """How much covering each ``patch × patch`` square lowers ``predict``'s probability of class ``target``.

    Defined in: Chapter 15, "Image recognition".

    ``image`` is ``(h, w)`` or ``(h, w, channels)``; ``predict(batch)`` takes
    a batch of such images and returns probabilities ``(n, classes)``.  The
    square's top-left corner moves ``stride`` pixels at a time over every
    position where the square fits; the result has shape
    ``((h - patch) // stride + 1, (w - patch) // stride + 1)`` and holds
    ``p(original) − p(covered)`` (positive where the evidence was).
    """
    image = as_float_array(image, "image", ndim=(2, 3))
    patch, stride = check_whole(patch, "patch"), check_whole(stride, "stride")
    h, w = image.shape[:2]
    if patch > min(h, w):
        raise ValueError(f"patch ({patch}) must fit inside the image ({h}×{w})")
    rows, cols = (h - patch) // stride + 1, (w - patch) // stride + 1
    batch = np.repeat(image[None], rows * cols + 1, axis=0)
    for k in range(rows * cols):
        r, c = (k // cols) * stride, (k % cols) * stride
        batch[k + 1, r : r + patch, c : c + patch] = fill
    probs = np.asarray(predict(batch), dtype=float)
    if probs.ndim != 2 or len(probs) != len(batch) or not 0 <= target < probs.shape[1]:
        raise ValueError(f"predict must return (n, classes) probabilities with class {target}; got {probs.shape}")
    p = probs[:, target]
    return (p[0] - p[1:]).reshape(rows, cols)


def gradient_saliency(model, images, target: int) -> np.ndarray:
    """``|∂ score_target / ∂ pixel|``, the largest over colour channels: shape ``(n, h, w)``.

    Defined in: Chapter 15, "Image recognition".

    ``model`` is a Keras model; for a single sigmoid output, ``target`` 1 is
    that output and ``target`` 0 its complement (the sign does not matter
    after the absolute value).
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(as_float_array(images, "images", ndim=4), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = model(x, training=False)
        score = out[:, 0] if out.shape[-1] == 1 else out[:, target]
    grad = tape.gradient(score, x).numpy()
    return np.abs(grad).max(axis=-1)


def upsample(heat, shape) -> np.ndarray:
    """A coarse map (e.g. from :func:`occlusion_map`) stretched to ``shape`` for drawing over the picture.

    Defined in: Chapter 15, "Image recognition".
    """
    from skimage.transform import resize

    return resize(as_float_array(heat, "heat", ndim=2), tuple(shape)[:2], order=1)


__all__ = ["gradient_saliency", "occlusion_map", "upsample"]
