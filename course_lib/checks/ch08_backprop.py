"""Exercises of Chapter 8, "Backpropagation"."""

from __future__ import annotations

import numpy as np

from course_lib import backprop as ref
from course_lib.callable_inputs import ExampleLoss as _Loss
from course_lib.checks._core import Case, Mistake, register
from course_lib.gradcheck import numerical_gradient
from course_lib.layers import random_params_2_3_1

CHAPTER = 'Chapter 8, "Backpropagation"'


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


# --------------------------------------------------------------------------
# sigmoid_backward(dA, Z)


def _sigmoid_backward_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([[1.0, -2.0, 0.5]]), np.array([[0.0, 1.0, -3.0]])), "one sample, three units"),
        Case((rng.normal(size=(4, 3)), rng.normal(size=(4, 3))), "a batch of 4 samples"),
        Case((np.ones((2, 2)), np.array([[0.0, 2.0], [-2.0, 5.0]])), "dA all ones: the slope itself"),
        Case((rng.normal(size=(3, 1)), np.array([[30.0], [-30.0], [0.0]])), "saturated units (|z| = 30)"),
    ]


register(
    "sigmoid_backward",
    chapter=CHAPTER,
    reference=ref.sigmoid_backward,
    cases=_sigmoid_backward_cases,
    arg_names=("dA", "Z"),
    mistakes=[
        Mistake(
            "times the activation, not its derivative",
            lambda dA, Z: dA * _sig(Z),
            "You multiplied dA by σ(Z); the chain rule needs the *derivative* σ'(Z) = σ(Z)(1 − σ(Z)).",
        ),
        Mistake(
            "forgot dA",
            lambda dA, Z: _sig(Z) * (1 - _sig(Z)),
            "That is σ'(Z) alone. The chain rule multiplies it by the gradient arriving from above, dA.",
        ),
        Mistake(
            "derivative formula applied to Z",
            lambda dA, Z: dA * Z * (1 - Z),
            "Z(1 − Z) uses the pre-activation; the formula σ(1 − σ) needs the activation A = σ(Z).",
        ),
        Mistake(
            "matrix product",
            lambda dA, Z: dA @ (_sig(Z) * (1 - _sig(Z))).T,
            "The activation acts on each unit separately, so its backward step is elementwise: use `*`, not `@`.",
        ),
    ],
)


# --------------------------------------------------------------------------
# dense_backward(dZ, X, W)


def _dense_backward_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            (rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(3, 2))), "4 samples, 3 inputs → 2 units"
        ),
        Case(
            (rng.normal(size=(1, 3)), rng.normal(size=(1, 2)), rng.normal(size=(2, 3))),
            "one sample, 2 inputs → 3 units",
        ),
        Case(
            (rng.normal(size=(5, 1)), rng.normal(size=(5, 3)), rng.normal(size=(3, 1))),
            "5 samples into one output unit",
        ),
        Case((np.zeros((3, 2)), rng.normal(size=(3, 4)), rng.normal(size=(4, 2))), "dZ = 0: every gradient is 0"),
        Case(
            (np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]), np.arange(12.0).reshape(3, 4) / 10, np.ones((4, 2))),
            "3 samples, 4 inputs → 2 units",
        ),
    ]


register(
    "dense_backward",
    chapter=CHAPTER,
    reference=ref.dense_backward,
    cases=_dense_backward_cases,
    arg_names=("dZ", "X", "W"),
    atol=1e-5,  # like dense_forward: a float32 answer near 0 is off by up to ~5e-7 (seen over 20,000 fresh draws)
    hint="Write down each shape: dZ (m, n_out), X (m, n_in), W (n_in, n_out); each gradient has the shape of"
    " what it is the gradient of.",
    mistakes=[
        Mistake(
            "dW transposed",
            lambda dZ, X, W: (dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)),
            "dW must have W's shape (n_in, n_out): it is Xᵀ dZ, not dZᵀ X (which is its transpose).",
        ),
        Mistake(
            "db not summed over the batch",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ),
            "db must have b's shape (n_out,): add up dZ over the samples, `dZ.sum(axis=0)`.",
        ),
        Mistake(
            "db averaged a second time",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)),
            "dZ is already averaged over the batch (the 1/m is inside it), so db is a plain sum: `dZ.sum(axis=0)`.",
        ),
        Mistake(
            "dW averaged a second time",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / X.shape[0], dZ.sum(axis=0)),
            "dZ already contains the 1/m of the mean loss; dividing dW by m again makes it m times too small.",
        ),
        Mistake(
            "dX transposed",
            lambda dZ, X, W: (W @ dZ.T, X.T @ dZ, dZ.sum(axis=0)),
            "dX must have X's shape (m, n_in): it is dZ Wᵀ, not W dZᵀ (which is its transpose).",
        ),
        Mistake(
            "db summed over the wrong axis",
            lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)),
            "Sum over the samples (axis=0), keeping one number per unit; axis=1 sums over the units instead.",
        ),
    ],
)


# --------------------------------------------------------------------------
# backprop_2_3_1(X, y, params)


_NOTES_PARAMS = {
    "W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
    "b1": np.array([0.1, 0.2, 0.3]),
    "W2": np.array([[0.7], [0.8], [0.9]]),
    "b2": np.array([0.4]),
}


def _backprop_cases(rng: np.random.Generator) -> list[Case]:
    X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return [
        Case(
            (np.array([[1.0, 0.5]]), np.array([1.0]), _NOTES_PARAMS), "one sample, the notes' weights w1..w9 = 0.1..0.9"
        ),
        Case((X4, np.array([0.0, 1.0, 1.0, 0.0]), random_params_2_3_1(rng)), "XOR, 4 samples, random weights"),
        Case(
            (rng.normal(size=(6, 2)), rng.integers(0, 2, size=6).astype(float), random_params_2_3_1(rng, 0.5)),
            "6 random samples",
        ),
        Case(
            (rng.normal(size=(3, 2)), np.array([1.0, 1.0, 0.0]), random_params_2_3_1(rng, 2.0)),
            "3 samples, large weights",
        ),
    ]


def _grads(dW1, db1, dW2, db2):
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def _fwd(X, params):
    A1 = _sig(X @ params["W1"] + params["b1"])
    A2 = _sig(A1 @ params["W2"] + params["b2"])
    return A1, A2


def _bp_variant(X, y, params, *, output_weights="W2", average=True, dW_transposed=False, db_summed=True,
                slope="derivative", output_slope=False):  # fmt: skip
    """A family of (mostly wrong) 2-3-1 backward passes, one switch per classic mistake."""
    A1, A2 = _fwd(X, params)
    m = X.shape[0]
    dZ2 = (A2 - y[:, None]) / (m if average else 1)
    if output_slope:  # multiplies by σ'(z4) although sigmoid + cross-entropy already cancelled it
        dZ2 = dZ2 * A2 * (1 - A2)
    if output_weights == "W2":
        dA1 = dZ2 @ params["W2"].T
    elif output_weights == "h3":  # the notes' bug: ∂z4/∂w9 = h3 in place of ∂z4/∂hj = w7, w8, w9
        dA1 = dZ2 * A1[:, 2:3]
    else:  # "A1": ∂z4/∂w_j = h_j in place of ∂z4/∂h_j = w_j
        dA1 = dZ2 * A1
    if slope == "derivative":
        dZ1 = dA1 * A1 * (1 - A1)
    elif slope == "activation":
        dZ1 = dA1 * A1
    else:  # "none"
        dZ1 = dA1
    if dW_transposed:
        dW1, dW2 = dZ1.T @ X, dZ2.T @ A1
    else:
        dW1, dW2 = X.T @ dZ1, A1.T @ dZ2
    if db_summed:
        db1, db2 = dZ1.sum(axis=0), dZ2.sum(axis=0)
    else:
        db1, db2 = dZ1, dZ2
    return _grads(dW1, db1, dW2, db2)


def _notes_exact(X, y, params):
    return ref.notes_backprop_2_3_1(X, y, params)


register(
    "backprop_2_3_1",
    chapter=CHAPTER,
    reference=ref.backprop_2_3_1,
    cases=_backprop_cases,
    arg_names=("X", "y", "params"),
    atol=1e-6,  # float32 gradients near 0 are off by up to ~2e-7 (seen over 20,000 fresh draws)
    hint="Run a gradient check (course_lib.gradcheck.gradient_check) to see which parameter's gradient is off,"
    " then re-derive that one step of the chain rule.",
    mistakes=[
        Mistake(
            "the notes' h3 bug",
            lambda X, y, p: _bp_variant(X, y, p, output_weights="h3"),
            "This is the course notes' bug: the error reaching hidden unit j is dZ2 times the WEIGHT w_j from that"
            " unit to the output (dA1 = dZ2 @ W2.T), not times h3 = ∂z4/∂w9.",
        ),
        Mistake(
            "the notes' exact version (h3 bug, b1 never updated)",
            _notes_exact,
            "This reproduces the course notes: hidden gradients multiplied by h3 instead of the output weights"
            " (use dA1 = dZ2 @ W2.T), and the first hidden bias left out (its gradient is not 0).",
        ),
        Mistake(
            "activation in place of the weight",
            lambda X, y, p: _bp_variant(X, y, p, output_weights="A1"),
            "You multiplied by ∂z/∂w (the activation h_j). To go back *through* the output layer you need ∂z/∂h_j,"
            " the weight: dA1 = dZ2 @ W2.T.",
        ),
        Mistake(
            "no 1/m",
            lambda X, y, p: _bp_variant(X, y, p, average=False),
            "Your gradients are m times too large: the loss is the MEAN over the batch, so a factor 1/m belongs in"
            " the output error: dZ2 = (A2 − y) / m.",
        ),
        Mistake(
            "dW = dZ Xᵀ transposed",
            lambda X, y, p: _bp_variant(X, y, p, dW_transposed=True),
            "Each gradient has the shape of its parameter: dW1 = Xᵀ dZ1 is (2, 3) and dW2 = A1ᵀ dZ2 is (3, 1).",
        ),
        Mistake(
            "db not summed over the batch",
            lambda X, y, p: _bp_variant(X, y, p, db_summed=False),
            "b1 has shape (3,) and b2 (1,): sum dZ1 and dZ2 over the samples (`.sum(axis=0)`).",
        ),
        Mistake(
            "sigmoid instead of its derivative",
            lambda X, y, p: _bp_variant(X, y, p, slope="activation"),
            "Going back through the hidden sigmoid multiplies by its derivative A1·(1 − A1), not by A1 itself.",
        ),
        Mistake(
            "hidden sigmoid skipped",
            lambda X, y, p: _bp_variant(X, y, p, slope="none"),
            "Don't skip the hidden activation: dZ1 = dA1 * A1 * (1 − A1).",
        ),
        Mistake(
            "output sigmoid slope applied twice",
            lambda X, y, p: _bp_variant(X, y, p, output_slope=True),
            "With a sigmoid output and cross-entropy, ∂L/∂z2 is simply (A2 − y) / m: the σ'(z2) factor is already"
            " cancelled by the loss's 1/(A2(1 − A2)). Don't multiply by A2(1 − A2) again.",
        ),
    ],
)


# --------------------------------------------------------------------------
# numerical_gradient(f, params, eps)


def _numgrad_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((_Loss("quadratic"), {"w": np.array([1.0, -2.0, 0.5])}, 1e-6), "a quadratic, one array"),
        Case(
            (_Loss("cubic"), {"a": rng.normal(size=(2, 2)), "b": np.array([1.5, -0.5])}, 1e-3), "two arrays, ε = 1e-3"
        ),
        Case((_Loss("net"), random_params_2_3_1(rng), 1e-5), "the 2-3-1 network's loss"),
    ]


def _numgrad_forward(f, params, eps):
    base = {k: np.array(v, dtype=float) for k, v in params.items()}
    f0 = f(base)
    grads = {}
    for key, arr in base.items():
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            g[idx] = (f(base) - f0) / eps
            arr[idx] = old
        grads[key] = g
    return grads


def _numgrad_divided_by(divisor):
    """Central differences divided by ``divisor · ε`` (the right divisor is 2)."""

    def numgrad(f, params, eps):
        base = {k: np.array(v, dtype=float) for k, v in params.items()}
        grads = {}
        for key, arr in base.items():
            g = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + eps
                f_plus = f(base)
                arr[idx] = old - eps
                f_minus = f(base)
                arr[idx] = old
                g[idx] = (f_plus - f_minus) / (divisor * eps)
            grads[key] = g
        return grads

    return numgrad


def _numgrad_no_restore(f, params, eps):
    base = {k: np.array(v, dtype=float) for k, v in params.items()}
    grads = {}
    for key, arr in base.items():
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            f_plus = f(base)
            arr[idx] = old - eps
            g[idx] = (f_plus - f(base)) / (2 * eps)  # entry left at θ − ε
        grads[key] = g
    return grads


register(
    "numerical_gradient",
    chapter=CHAPTER,
    reference=numerical_gradient,
    cases=_numgrad_cases,
    arg_names=("f", "params", "eps"),
    rtol=1e-4,
    atol=1e-6,
    mistakes=[
        Mistake(
            "forward difference",
            _numgrad_forward,
            "That is the one-sided difference (f(θ+ε) − f(θ)) / ε; use the central one,"
            " (f(θ+ε) − f(θ−ε)) / (2ε), whose error shrinks like ε² instead of ε.",
        ),
        Mistake(
            "divided by ε instead of 2ε",
            _numgrad_divided_by(1),
            "Your gradients are twice too large: θ+ε and θ−ε are 2ε apart, so divide by 2ε.",
        ),
        Mistake(
            "divided by 4ε",
            _numgrad_divided_by(4),
            "Your gradients are half the right size: divide the difference f(θ+ε) − f(θ−ε) by 2ε.",
        ),
        Mistake(
            "entry not restored",
            _numgrad_no_restore,
            "After nudging an entry, put its original value back before moving on to the next one;"
            " otherwise every later estimate is taken at a shifted point.",
        ),
    ],
)
