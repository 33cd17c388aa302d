"""Exercises of Chapter 7, "Gradient descent"."""

from __future__ import annotations

import numpy as np

from course_lib import optim as ref
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 7, "Gradient descent"'


# --------------------------------------------------------------------------
# gradient_descent_step(params, grads, lr) -> new dict


def _gd_cases(rng: np.random.Generator) -> list[Case]:
    two_three_one = {"W1": rng.normal(size=(2, 3)), "b1": rng.normal(size=3), "W2": rng.normal(size=(3, 1))}
    two_three_one["b2"] = rng.normal(size=1)
    return [
        Case(
            (
                {"W": np.array([[1.0, -2.0]]), "b": np.array([0.5])},
                {"W": np.array([[0.4, 0.2]]), "b": np.array([-1.0])},
                0.1,
            ),
            "one weight row and a bias, lr = 0.1",
        ),
        Case(
            (two_three_one, {k: rng.normal(size=v.shape) for k, v in two_three_one.items()}, 0.5),
            "the four parameters of the 2-3-1 network, lr = 0.5",
        ),
        Case(
            ({"w": rng.normal(size=4), "b": np.array([0.0])}, {"w": np.zeros(4), "b": np.zeros(1)}, 0.3),
            "zero gradients: nothing should move",
        ),
        Case(
            (
                {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)},
                {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)},
                2.0,
            ),
            "a large learning rate, lr = 2",
        ),
        Case(
            ({"w": np.array([3.0])}, {"w": np.array([6.0])}, 1e-3),
            "a single parameter and a small learning rate",
        ),
    ]


register(
    "gradient_descent_step",
    chapter=CHAPTER,
    reference=ref.gradient_descent_step,
    cases=_gd_cases,
    arg_names=("params", "grads", "lr"),
    mistakes=[
        Mistake(
            "adds the gradient",
            lambda params, grads, lr: {k: params[k] + lr * grads[k] for k in params},
            "The gradient points uphill (towards a larger loss); step the other way: subtract lr * grad.",
        ),
        Mistake(
            "forgets the learning rate",
            lambda params, grads, lr: {k: params[k] - grads[k] for k in params},
            "Scale the gradient by the learning rate: params[name] - lr * grads[name].",
        ),
        Mistake(
            "divides by the learning rate",
            lambda params, grads, lr: {k: params[k] - grads[k] / lr for k in params},
            "The learning rate multiplies the gradient (a small lr means a small step); it does not divide it.",
        ),
        Mistake(
            "updates only the weights",
            lambda params, grads, lr: {k: params[k] - lr * grads[k] for k in params if k.upper().startswith("W")},
            "Return every parameter, the biases too: loop over all the keys of params.",
        ),
        Mistake(
            "scales the parameters too",
            lambda params, grads, lr: {k: lr * (params[k] - grads[k]) for k in params},
            "Only the gradient is multiplied by lr: params[name] - lr * grads[name], not lr * (params - grads).",
        ),
    ],
)


# --------------------------------------------------------------------------
# momentum_step(w, v, g, lr, momentum) -> (new_w, new_v)


def _momentum_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            (np.array([1.0, -2.0, 0.5]), np.array([0.2, 0.0, -0.1]), np.array([0.5, -1.0, 2.0]), 0.1, 0.9),
            "a 3-vector, momentum 0.9",
        ),
        Case(
            (rng.normal(size=4), np.zeros(4), rng.normal(size=4), 0.05, 0.9),
            "the first step: the velocity starts at zero",
        ),
        Case(
            (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 0.01, 0.5),
            "a (2, 3) weight matrix, momentum 0.5",
        ),
        Case(
            (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), 0.2, 0.0), "momentum 0: plain gradient descent"
        ),
        Case(
            (rng.normal(size=5), rng.normal(size=5), np.zeros(5), 0.1, 0.99), "no gradient: the velocity keeps coasting"
        ),
    ]


def _torch_style(w, v, g, lr, momentum):
    v_new = momentum * v + g
    return w - lr * v_new, v_new


def _old_velocity(w, v, g, lr, momentum):
    return w + v, momentum * v - lr * g


register(
    "momentum_step",
    chapter=CHAPTER,
    reference=ref.momentum_step,
    cases=_momentum_cases,
    arg_names=("w", "v", "g", "lr", "momentum"),
    atol=1e-6,  # float32 steps near 0 are off by up to ~1e-7 (seen over 20,000 fresh draws)
    mistakes=[
        Mistake(
            "moves with the old velocity",
            _old_velocity,
            "Update the velocity first, then move the weights with the NEW velocity: w_new = w + v_new.",
        ),
        Mistake(
            "adds the gradient to the velocity",
            lambda w, v, g, lr, momentum: (w + momentum * v + lr * g, momentum * v + lr * g),
            "The velocity accumulates steps downhill: v_new = momentum * v - lr * g (minus the gradient).",
        ),
        Mistake(
            "the other velocity convention",
            _torch_style,
            "That is the convention of some other libraries (v = momentum*v + g, w -= lr*v). Here, as in Keras,"
            " the velocity already includes −lr: v_new = momentum * v - lr * g, then w_new = w + v_new.",
        ),
        Mistake(
            "forgets the momentum term",
            lambda w, v, g, lr, momentum: (w - lr * g, -lr * g),
            "Keep a share of the old velocity: v_new = momentum * v - lr * g.",
        ),
        Mistake(
            "returns (v, w)",
            lambda w, v, g, lr, momentum: (momentum * v - lr * g, w + momentum * v - lr * g),
            "Return the new weights first, then the new velocity: (w_new, v_new).",
        ),
    ],
)


# --------------------------------------------------------------------------
# adam_step(w, m, v, g, t, lr, beta_1, beta_2, epsilon) -> (new_w, new_m, new_v)


def _adam_cases(rng: np.random.Generator) -> list[Case]:
    def moments(shape):
        return rng.normal(scale=0.3, size=shape), rng.uniform(0.05, 0.5, size=shape)

    m3, v3 = moments(3)
    m23, v23 = moments((2, 3))
    m4, v4 = moments(4)
    return [
        Case(
            (
                np.array([1.0, -2.0, 0.5]),
                np.zeros(3),
                np.zeros(3),
                np.array([0.5, -1.0, 2.0]),
                1,
                0.1,
                0.9,
                0.999,
                1e-7,
            ),
            "the first step (t = 1) from zero moments",
        ),
        Case((rng.normal(size=3), m3, v3, rng.normal(size=3), 2, 0.01, 0.9, 0.999, 1e-7), "the second step (t = 2)"),
        Case(
            (rng.normal(size=(2, 3)), m23, v23, rng.normal(size=(2, 3)), 10, 0.05, 0.8, 0.99, 1e-7),
            "a (2, 3) matrix at step 10 with beta_1 = 0.8, beta_2 = 0.99",
        ),
        Case(
            (rng.normal(size=4), m4, v4, 100.0 * rng.normal(size=4), 1000, 0.02, 0.9, 0.999, 1e-7),
            "large gradients at step 1000",
        ),
    ]


def _adam_no_bias_correction(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g**2
    return w - lr * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_no_square(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g
    m_hat, v_hat = m_new / (1 - beta_1**t), v_new / (1 - beta_2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon), m_new, v_new


def _adam_no_sqrt(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g**2
    m_hat, v_hat = m_new / (1 - beta_1**t), v_new / (1 - beta_2**t)
    return w - lr * m_hat / (v_hat + epsilon), m_new, v_new


def _adam_old_moments(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon), beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g**2


def _adam_beta_not_power(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g**2
    m_hat, v_hat = m_new / (1 - beta_1), v_new / (1 - beta_2)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon), m_new, v_new


def _adam_plus(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g**2
    m_hat, v_hat = m_new / (1 - beta_1**t), v_new / (1 - beta_2**t)
    return w + lr * m_hat / (np.sqrt(v_hat) + epsilon), m_new, v_new


register(
    "adam_step",
    chapter=CHAPTER,
    reference=ref.adam_step,
    cases=_adam_cases,
    arg_names=("w", "m", "v", "g", "t", "lr", "beta_1", "beta_2", "epsilon"),
    mistakes=[
        Mistake(
            "no bias correction",
            _adam_no_bias_correction,
            "Correct the bias of the running averages, which start at zero: divide m by (1 - beta_1**t)"
            " and v by (1 - beta_2**t) before the update.",
        ),
        Mistake(
            "averages g instead of g²",
            _adam_no_square,
            "v is the running average of the SQUARED gradient: v_new = beta_2 * v + (1 - beta_2) * g**2.",
        ),
        Mistake(
            "forgets the square root",
            _adam_no_sqrt,
            "Divide by the square root of v_hat (the gradient's typical size), not by v_hat itself.",
        ),
        Mistake(
            "steps with the old moments",
            _adam_old_moments,
            "Update m and v with the new gradient first, then use the NEW moments in the weight update.",
        ),
        Mistake(
            "bias correction with beta instead of beta**t",
            _adam_beta_not_power,
            "The bias correction depends on the step: 1 - beta_1**t and 1 - beta_2**t (t is the step number).",
        ),
        Mistake(
            "moves uphill",
            _adam_plus,
            "Like every gradient method, Adam steps against the gradient: w_new = w - ... (minus).",
        ),
    ],
)
