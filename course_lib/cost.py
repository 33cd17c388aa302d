"""What a model costs: parameters, floating-point operations, and the machine's speed at them.

Defined in: Chapter 17, "Challenges and limitations".

A multiply and an add count as two floating-point operations (FLOPs).  A
dense layer's forward pass costs 2·n_in·n_out FLOPs per sample, a
convolution 2·k_h·k_w·c_in·c_out per output position; training costs about
three forward passes (the forward pass plus a backward pass about twice as
expensive), the usual rule of thumb (Kaplan et al., 2020).
"""

from __future__ import annotations

import time

import numpy as np

from course_lib._validation import check_whole


def dense_flops(n_in: int, n_out: int) -> int:
    """FLOPs of one dense layer's forward pass for one sample: a multiply and an add per weight (biases ignored).

    Defined in: Chapter 17, "Challenges and limitations".
    """
    return 2 * check_whole(n_in, "n_in") * check_whole(n_out, "n_out")


def conv2d_flops(out_height: int, out_width: int, kernel: tuple[int, int], c_in: int, c_out: int) -> int:
    """FLOPs of one 2-D convolution's forward pass for one sample.

    Defined in: Chapter 17, "Challenges and limitations".
    """
    kh, kw = (check_whole(k, "kernel") for k in kernel)
    positions = check_whole(out_height, "out_height") * check_whole(out_width, "out_width")
    return 2 * positions * kh * kw * check_whole(c_in, "c_in") * check_whole(c_out, "c_out")


def keras_forward_flops(model) -> int:
    """Forward-pass FLOPs per sample of a built Keras model's Dense and Conv2D layers (the rest is comparatively free).

    Defined in: Chapter 17, "Challenges and limitations".
    """
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dense":
            total += dense_flops(layer.kernel.shape[0], layer.kernel.shape[1])
        elif kind == "Conv2D":
            _, h, w, _ = layer.output.shape
            kh, kw, c_in, c_out = layer.kernel.shape
            total += conv2d_flops(h, w, (kh, kw), c_in, c_out)
    return total


def training_flops(forward_flops_per_sample: float, samples: int, epochs: int) -> float:
    """≈ 3 × forward FLOPs × samples × epochs: the cost of training (see the module docstring).

    Defined in: Chapter 17, "Challenges and limitations".
    """
    return 3.0 * float(forward_flops_per_sample) * check_whole(samples, "samples") * check_whole(epochs, "epochs")


def matmul_gflops(n: int = 1024, repeats: int = 5, dtype=np.float32) -> float:
    """This machine's speed at a large matrix product, in GFLOP/s (best of ``repeats``): an upper bound for training.

    Defined in: Chapter 17, "Challenges and limitations".
    """
    n = check_whole(n, "n")
    rng = np.random.default_rng(0)
    A, B = rng.random((n, n), dtype=np.float64).astype(dtype), rng.random((n, n), dtype=np.float64).astype(dtype)
    best = float("inf")
    for _ in range(check_whole(repeats, "repeats")):
        start = time.perf_counter()
        A @ B
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


__all__ = ["conv2d_flops", "dense_flops", "keras_forward_flops", "matmul_gflops", "training_flops"]
