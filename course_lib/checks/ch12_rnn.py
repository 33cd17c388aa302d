"""Exercises of Chapter 12, "Recurrent networks" (batch-first sequences, Keras' weight layouts)."""

from __future__ import annotations

import numpy as np

from course_lib import rnn
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 12, "Recurrent networks"'


def _step_cases(rng: np.random.Generator) -> list[Case]:
    def case(m, n, u, scale=1.0):
        return (rng.normal(size=(m, n)), rng.normal(size=(m, u)), rng.normal(scale=scale, size=(n, u)),
                rng.normal(scale=scale, size=(u, u)), rng.normal(size=u))  # fmt: skip

    return [
        Case(case(2, 3, 4), "2 sequences, 3 features, 4 units"),
        Case(case(1, 1, 2), "one feature"),
        Case(case(3, 2, 3, scale=30.0), "large weights: tanh saturates"),
        Case(case(4, 5, 1), "a single unit"),
    ]


def _tanh_cell(x, h, Wx, Wh, b):
    return np.tanh(x @ Wx + h @ Wh + b)


register(
    "rnn_step",
    chapter=CHAPTER,
    reference=rnn.rnn_step,
    cases=_step_cases,
    arg_names=("x_t", "h_prev", "Wx", "Wh", "b"),
    mistakes=[
        Mistake(
            "no recurrence",
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + b),
            "Add the previous hidden state's contribution h_prev @ Wh.",
        ),
        Mistake(
            "sigmoid",
            lambda x, h, Wx, Wh, b: 1 / (1 + np.exp(-(x @ Wx + h @ Wh + b))),
            "A simple RNN cell uses tanh, not the sigmoid.",
        ),
        Mistake(
            "recurrent kernel transposed",
            lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh.T + b),
            "h_prev @ Wh, with Wh of shape (u, u) as Keras stores it — not Wh.T.",
        ),
        Mistake("no activation", lambda x, h, Wx, Wh, b: x @ Wx + h @ Wh + b, "Pass the sum through tanh."),
    ],
)


def _seq_cases(rng: np.random.Generator) -> list[Case]:
    def case(m, T, n, u, scale=0.8):
        return (rng.normal(size=(m, T, n)), rng.normal(size=(m, u)), rng.normal(scale=scale, size=(n, u)),
                rng.normal(scale=scale, size=(u, u)), rng.normal(scale=0.3, size=u))  # fmt: skip

    return [
        Case(case(2, 5, 3, 4), "2 sequences of 5 steps"),
        Case(case(1, 1, 2, 2), "a single step"),
        Case(case(3, 8, 1, 3), "8 steps of one feature"),
        Case(case(2, 4, 2, 2, scale=3.0), "large weights"),
    ]


def _forward(X, h0, Wx, Wh, b, *, reset=False, reverse=False, keep_h0=False):
    h, out = h0, []
    steps = range(X.shape[1] - 1, -1, -1) if reverse else range(X.shape[1])
    for t in steps:
        h = _tanh_cell(X[:, t], h0 if reset else h, Wx, Wh, b)
        out.append(h0 if keep_h0 and not out else h)
    return np.stack(out[::-1] if reverse else out, axis=1)


register(
    "rnn_forward",
    chapter=CHAPTER,
    reference=rnn.rnn_forward,
    cases=_seq_cases,
    arg_names=("X", "h0", "Wx", "Wh", "b"),
    atol=1e-4,  # float32 rounding grows through the recurrence (up to ~4e-5 with the large weights over 20,000 draws)
    mistakes=[
        Mistake(
            "state not carried",
            lambda *a: _forward(*a, reset=True),
            "Each step must read the hidden state of the *previous step*, not h0 again.",
        ),
        Mistake("time reversed", lambda *a: _forward(*a, reverse=True), "Walk through time from t = 0 to T − 1."),
        Mistake(
            "h0 stored first",
            lambda *a: _forward(*a, keep_h0=True),
            "H[:, t] is the state *after* step t: h0 itself is not part of H.",
        ),
    ],
)


def _backward_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for c in _seq_cases(rng):
        X, h0, Wx, Wh, b = c.args
        H = rnn.rnn_forward(X, h0, Wx, Wh, b)
        cases.append(Case((rng.normal(size=H.shape), X, H, h0, Wx, Wh), c.label))
    return cases


def _bptt(dH, X, H, h0, Wx, Wh, *, carry=True, last_only=False, use_pre_slope=False):
    dX, dWx, dWh, db = np.zeros_like(X), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in range(X.shape[1] - 1, -1, -1):
        h_prev = H[:, t - 1] if t else h0
        direct = dH[:, t] if (not last_only or t == X.shape[1] - 1) else 0.0
        slope = (1 - h_prev**2) if use_pre_slope else (1 - H[:, t] ** 2)
        dZ = (direct + (dh_next if carry else 0.0)) * slope
        dWx += X[:, t].T @ dZ
        dWh += h_prev.T @ dZ
        db += dZ.sum(0)
        dX[:, t] = dZ @ Wx.T
        dh_next = dZ @ Wh.T
    return dX, dh_next, dWx, dWh, db


register(
    "rnn_backward",
    chapter=CHAPTER,
    reference=rnn.rnn_backward,
    cases=_backward_cases,
    arg_names=("dH", "X", "H", "h0", "Wx", "Wh"),
    mistakes=[
        Mistake(
            "no error carried back in time",
            lambda *a: _bptt(*a, carry=False),
            "The error at step t is dH[:, t] *plus* what step t+1 sends back through Wh (dZ_{t+1} @ Whᵀ).",
        ),
        Mistake(
            "only the last step's error",
            lambda *a: _bptt(*a, last_only=True),
            "dH holds the loss's gradient at every step: add dH[:, t] at each step, not only at the last.",
        ),
        Mistake(
            "tanh slope of the previous state",
            lambda *a: _bptt(*a, use_pre_slope=True),
            "Step t's tanh slope is 1 − h_t², using that step's own output H[:, t].",
        ),
    ],
)


def _lstm_cases(rng: np.random.Generator) -> list[Case]:
    def case(m, n, u):
        return (rng.normal(size=(m, n)), rng.normal(size=(m, u)), rng.normal(size=(m, u)),
                rng.normal(size=(n, 4 * u)), rng.normal(size=(u, 4 * u)), rng.normal(size=4 * u))  # fmt: skip

    return [Case(case(2, 3, 2), "2 samples, 3 features, 2 units"), Case(case(1, 1, 3), "one feature, 3 units"),
            Case(case(3, 2, 1), "a single unit")]  # fmt: skip


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _lstm(x, h, c, Wx, Wh, b, order="ifco", peephole_c=False, output_c=False):
    u = h.shape[1]
    Z = x @ Wx + h @ Wh + b
    g = {name: Z[:, k * u : (k + 1) * u] for k, name in enumerate(order)}
    i, f, c_tilde, o = _sig(g["i"]), _sig(g["f"]), np.tanh(g["c"]), _sig(g["o"])
    c_new = f * c + i * c_tilde if not peephole_c else i * c + f * c_tilde
    return (o * (c_new if output_c else np.tanh(c_new))), c_new


register(
    "lstm_step",
    chapter=CHAPTER,
    reference=rnn.lstm_step,
    cases=_lstm_cases,
    arg_names=("x_t", "h_prev", "c_prev", "Wx", "Wh", "b"),
    mistakes=[
        Mistake(
            "gates in the order i, c, f, o", lambda *a: _lstm(*a, order="icfo"), "Keras stacks the gates as i, f, c, o."
        ),
        Mistake(
            "forget and input gates swapped in the update",
            lambda *a: _lstm(*a, peephole_c=True),
            "c = f ⊙ c_prev + i ⊙ c̃: the forget gate (second block of Z) keeps the old cell state, the input gate"
            " (first block) admits the candidate — check both the gate order i, f, c, o and the update.",
        ),
        Mistake(
            "no tanh on the output",
            lambda *a: _lstm(*a, output_c=True),
            "h = o ⊙ tanh(c): squash the cell state before the output gate.",
        ),
    ],
)
