"""Exercises of Chapter 4, "Activation functions".

Every activation must work elementwise on any shape (``softmax`` along the
last axis) and stay finite for |z| up to 1e4.  Overflow *warnings* are
silenced by the checks engine: ``1 / (1 + np.exp(-z))`` warns at z = −1e4 but
returns the right, finite answer 0.0, so it passes; a formula that turns the
overflow into ``nan`` (``inf / inf``) does not.
"""

from __future__ import annotations

import numpy as np

from course_lib import activations as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 4, "Activation functions"'


def _elementwise_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([-3.0, -1.0, 0.0, 0.5, 3.0]),), "a few values around 0"),
        Case((0.5,), "a single number"),
        Case((np.zeros(4),), "zeros"),
        Case((rng.normal(scale=2.0, size=(3, 4)),), "a 2-D array"),
        Case((rng.normal(scale=3.0, size=(2, 3, 2)),), "a 3-D array"),
        Case((np.array([-20.0, -8.0, 8.0, 20.0]),), "saturated values (|z| up to 20)"),
        Case((np.array([-1e4, -750.0, 750.0, 1e4]),), "huge values (|z| up to 1e4)"),
        Case((np.array([[-1e4, 0.0], [1e4, -0.5]]),), "huge and small values in a 2-D array"),
    ]


def _sigmoid_ref(z):
    return ref.sigmoid(z)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


register(
    "sigmoid",
    chapter=CHAPTER,
    reference=_sigmoid_ref,
    cases=_elementwise_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "sign in the exponent",
            lambda z: 1.0 / (1.0 + np.exp(z)),
            "Check the sign in the exponent: σ(z) = 1 / (1 + e^(−z)), so large z gives outputs near 1.",
        ),
        Mistake(
            "minus in the denominator",
            lambda z: 1.0 / (1.0 - np.exp(-z)),
            "The denominator is 1 + e^(−z) (a plus), which is never 0.",
        ),
        Mistake(
            "forgot the 1 +",
            lambda z: 1.0 / np.exp(-z),
            "Don't drop the '1 +' in the denominator: 1 / e^(−z) is just e^z, which is not squashed into (0, 1).",
        ),
        Mistake(
            "tanh instead",
            lambda z: np.tanh(z),
            "That is tanh (outputs in −1..1). The sigmoid's outputs lie in 0..1: 1 / (1 + e^(−z)).",
        ),
        Mistake(
            "tanh identity without the halving",
            lambda z: 1.0 + np.tanh(z / 2.0),
            "σ(z) = (1 + tanh(z / 2)) / 2: don't forget to divide the whole thing by 2.",
        ),
    ],
)


def _tanh_ref(z):
    return ref.tanh(z)


register(
    "tanh",
    chapter=CHAPTER,
    reference=_tanh_ref,
    cases=_elementwise_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "sigmoid instead",
            lambda z: _sigmoid(z),
            "That is the sigmoid (outputs in 0..1); tanh's outputs lie in −1..1 and tanh(0) = 0.",
        ),
        Mistake(
            "2σ(z) − 1",
            lambda z: 2.0 * _sigmoid(z) - 1.0,
            "The identity is tanh(z) = 2σ(2z) − 1: the sigmoid's argument is 2z, not z.",
        ),
        Mistake(
            "forgot the − 1",
            lambda z: 2.0 * _sigmoid(2.0 * z),
            "2σ(2z) lies in 0..2; subtract 1 to get tanh(z) = 2σ(2z) − 1.",
        ),
        Mistake(
            "derivative instead",
            lambda z: 1.0 - np.tanh(z) ** 2,
            "1 − tanh(z)² is tanh's *derivative*; the exercise asks for tanh itself.",
        ),
    ],
)


def _relu_ref(z):
    return ref.relu(z)


register(
    "relu",
    chapter=CHAPTER,
    reference=_relu_ref,
    cases=_elementwise_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "capped at 1",
            lambda z: np.clip(z, 0.0, 1.0),
            "ReLU is max(0, z) and has no upper limit: ReLU(3) = 3. Capping at 1 gives a different"
            " function (a clipped ReLU / hard limiter), a common mix-up the chapter discusses.",
        ),
        Mistake(
            "absolute value",
            lambda z: np.abs(z),
            "Negative inputs give 0, not their absolute value: ReLU(−2) = 0.",
        ),
        Mistake(
            "minimum instead of maximum",
            lambda z: np.minimum(z, 0.0),
            "Use the maximum: ReLU(z) = max(0, z) keeps the positive values and zeroes the negative ones.",
        ),
        Mistake(
            "step instead",
            lambda z: np.where(z > 0, 1.0, 0.0),
            "That is ReLU's derivative (or a step): ReLU(z) returns z itself for positive z.",
        ),
    ],
)


def _sigmoid_derivative_ref(z):
    return ref.sigmoid_derivative(z)


register(
    "sigmoid_derivative",
    chapter=CHAPTER,
    reference=_sigmoid_derivative_ref,
    cases=_elementwise_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "z(1 − z)",
            lambda z: z * (1.0 - z),
            "The formula σ'(z) = σ(z)(1 − σ(z)) uses σ(z), not z: compute s = sigmoid(z) first, then s * (1 - s).",
        ),
        Mistake(
            "the sigmoid itself",
            lambda z: _sigmoid(z),
            "You returned σ(z); its derivative is σ(z)(1 − σ(z)), which peaks at 0.25 when z = 0.",
        ),
        Mistake(
            "tanh's derivative formula",
            lambda z: 1.0 - _sigmoid(z) ** 2,
            "1 − s² is the pattern of tanh's derivative; the sigmoid's is s(1 − s).",
        ),
        Mistake(
            "plus instead of minus",
            lambda z: _sigmoid(z) * (1.0 + _sigmoid(z)),
            "σ'(z) = σ(z)(1 − σ(z)): a minus inside the brackets.",
        ),
    ],
)


def _relu_derivative_ref(z):
    return ref.relu_derivative(z)


register(
    "relu_derivative",
    chapter=CHAPTER,
    reference=_relu_derivative_ref,
    cases=_elementwise_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "1 at zero",
            lambda z: np.where(z >= 0, 1.0, 0.0),
            "At the kink z = 0 this course (like TensorFlow) uses the derivative 0: the condition is z > 0.",
        ),
        Mistake(
            "ReLU itself",
            lambda z: np.maximum(z, 0.0),
            "You returned ReLU(z); its derivative is 1 for z > 0 and 0 otherwise.",
        ),
        Mistake(
            "sign",
            lambda z: np.sign(z),
            "For negative z the derivative is 0, not −1: ReLU is flat there.",
        ),
        Mistake(
            "one half at zero",
            lambda z: np.heaviside(z, 0.5),
            "np.heaviside(z, 0.5) puts 0.5 at z = 0; this course uses 0 there (as TensorFlow does).",
        ),
    ],
)


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.array([1.0, 2.0, 3.0]),), "one vector of 3 scores"),
        Case((rng.normal(size=(3, 3)),), "a square 2-D batch (3 rows of 3 scores)"),
        Case((rng.normal(size=(4, 5)),), "a 2-D batch of 4 rows"),
        Case((np.zeros((2, 4)),), "zeros: uniform probabilities"),
        Case((np.array([[-1.0, -2.0, -3.0], [-0.5, 0.0, 0.5]]),), "negative scores"),
        Case((rng.normal(size=(2, 3, 4)),), "a 3-D array: softmax along the last axis"),
        Case((np.array([[3.0], [-7.0]]),), "one class per row"),
        Case(
            (np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -999.0]]),), "rows of very different scales (±1000)"
        ),
        Case((np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]]),), "huge scores (|z| = 1e4)"),
    ]


def _softmax_ref(z):
    return ref.softmax(z)


def _softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


register(
    "softmax",
    chapter=CHAPTER,
    reference=_softmax_ref,
    cases=_softmax_cases,
    arg_names=("z",),
    mistakes=[
        Mistake(
            "no max subtraction",
            _softmax_naive,
            "exp(1000) overflows to inf and inf / inf is nan. Subtract each row's maximum first"
            " (`z - z.max(axis=-1, keepdims=True)`): softmax does not change when you add a constant to a row.",
        ),
        Mistake(
            "sum over the whole array",
            lambda z: np.exp(z - z.max(axis=-1, keepdims=True)) / np.exp(z - z.max(axis=-1, keepdims=True)).sum(),
            "Each row is its own distribution: sum over the last axis only (`axis=-1, keepdims=True`).",
        ),
        Mistake(
            "normalised along the first axis",
            lambda z: np.exp(z - z.max(axis=0, keepdims=True)) / np.exp(z - z.max(axis=0, keepdims=True)).sum(axis=0),
            "Normalise along the *last* axis (the classes), so that each row sums to 1: use axis=-1.",
        ),
        Mistake(
            "sum without keepdims",
            lambda z: (
                np.exp(z - z.max(axis=-1, keepdims=True)) / np.exp(z - z.max(axis=-1, keepdims=True)).sum(axis=-1)
            ),
            "Without keepdims=True the row sums have shape (m,) and broadcast against the *columns*;"
            " use `.sum(axis=-1, keepdims=True)`.",
        ),
        Mistake(
            "one global maximum",
            lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=-1, keepdims=True),
            "Subtract each row's own maximum (`z.max(axis=-1, keepdims=True)`), not the maximum of the whole"
            " array: a row far below the global maximum underflows to 0 / 0.",
        ),
        Mistake(
            "sigmoid of each score",
            lambda z: _sigmoid(z),
            "A sigmoid on each score does not make the row sum to 1; softmax divides exp(z) by the row's sum of exp(z).",
        ),
    ],
)


# sigmoid_chain_gradient: a multi-step exercise (a forward pass, then the chain rule's product)


def _chain_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((0.5, 1.0, 10), "every unit at z = 0, w = 1: the gradient vanishes"),
        Case((0.5, 6.0, 10), "every unit at z = 0, w = 6: it explodes"),
        Case((0.9, 3.0, 4), "units away from z = 0"),
        Case((0.2, -2.5, 3), "a negative weight"),
        Case((0.7, 4.0, 1), "a single unit"),
        Case((float(rng.uniform(0, 1)), float(rng.uniform(-8, 8)), 6), "random input and weight"),
    ]


def _chain(factor):
    """A chain-rule product whose per-unit factor is ``factor(w, s, z)`` (wrong versions of the right one)."""

    def gradient(x, w, layers):
        a, total = x, 1.0
        for _ in range(layers):
            z = w * a - w / 2
            s = float(_sigmoid(z))
            total *= factor(w, s, z)
            a = s
        return total

    return gradient


register(
    "sigmoid_chain_gradient",
    chapter=CHAPTER,
    reference=ref.sigmoid_chain_gradient,
    cases=_chain_cases,
    arg_names=("x", "w", "layers"),
    rtol=1e-6,
    atol=1e-12,
    mistakes=[
        Mistake(
            "forgot the weight",
            _chain(lambda w, s, z: s * (1 - s)),
            "Each unit multiplies the gradient by its slope σ'(z) *and by the weight w* the signal came through"
            " (∂z/∂a = w).",
        ),
        Mistake(
            "slope always at z = 0",
            lambda x, w, layers: (w * 0.25) ** layers,
            "σ'(z) is 0.25 only at z = 0; run the forward pass and use each unit's own z.",
        ),
        Mistake(
            "sigmoid instead of its slope",
            _chain(lambda w, s, z: w * s),
            "The factor is the derivative σ'(z) = σ(z)(1 − σ(z)), not σ(z) itself.",
        ),
        Mistake(
            "z without the bias",
            _chain(lambda w, s, z: w * float(_sigmoid(z + w / 2)) * (1 - float(_sigmoid(z + w / 2)))),
            "Each unit computes z = w·a − w/2: include the −w/2 before taking the slope.",
        ),
    ],
)
