"""Recurrent networks: a hidden state carried across time steps, backpropagation through time, the LSTM cell.

Defined in: Chapter 12, "Recurrent networks".

Sequences are batch-first, as in Keras: ``X`` has shape ``(m, T, n_in)`` —
``m`` sequences of ``T`` steps of ``n_in`` features.  The weights use Keras'
names and layouts: ``Wx`` is the ``kernel (n_in, u)``, ``Wh`` the
``recurrent_kernel (u, u)``, ``b`` the ``bias (u,)``; for the LSTM the four
gates are stacked side by side in Keras' order i, f, c, o.

Recurrence is *not* data flowing from the output layer back to the input
layer: it is the same cell applied at every time step, reading its own
previous hidden state.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_shape
from course_lib.activations import _sigmoid_unchecked


def _check_cell(x_t, h_prev, Wx, Wh, b, gates: int = 1):
    x_t = as_float_array(x_t, "x_t", ndim=2)
    h_prev = as_float_array(h_prev, "h_prev", ndim=2)
    Wx = as_float_array(Wx, "Wx", ndim=2)
    Wh = as_float_array(Wh, "Wh", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    u = h_prev.shape[1]
    if gates > 1 and Wx.shape[1] != gates * u:
        raise ValueError(
            f"Wx must have shape ({x_t.shape[1]}, {gates * u}) for {u} units (gates i, f, c, o), got {Wx.shape}"
        )
    check_shape(Wx, "Wx", (x_t.shape[1], gates * u))
    check_shape(Wh, "Wh", (u, gates * u))
    check_shape(b, "b", (gates * u,))
    check_shape(h_prev, "h_prev", (x_t.shape[0], u))
    return x_t, h_prev, Wx, Wh, b


def rnn_step(x_t, h_prev, Wx, Wh, b) -> np.ndarray:
    """One step of a simple RNN: ``h_t = tanh(x_t Wx + h_prev Wh + b)``, shape ``(m, u)``.

    Defined in: Chapter 12, "Recurrent networks".
    """
    x_t, h_prev, Wx, Wh, b = _check_cell(x_t, h_prev, Wx, Wh, b)
    return np.tanh(x_t @ Wx + h_prev @ Wh + b)


def _check_sequence(X, h0, Wx, Wh):
    X = as_float_array(X, "X", ndim=3)
    h0 = as_float_array(h0, "h0", ndim=2)
    Wx = as_float_array(Wx, "Wx", ndim=2)
    Wh = as_float_array(Wh, "Wh", ndim=2)
    u = Wh.shape[0]
    check_shape(Wx, "Wx", (X.shape[2], u))
    check_shape(Wh, "Wh", (u, u))
    check_shape(h0, "h0", (X.shape[0], u))
    return X, h0, Wx, Wh


def rnn_forward(X, h0, Wx, Wh, b) -> np.ndarray:
    """The hidden states ``H (m, T, u)`` of a simple RNN over the sequences ``X (m, T, n_in)``, from ``h0 (m, u)``.

    Defined in: Chapter 12, "Recurrent networks".

    The same weights at every step: ``H[:, t] = tanh(X[:, t] Wx + H[:, t−1] Wh + b)``.
    """
    X, h0, Wx, Wh = _check_sequence(X, h0, Wx, Wh)
    b = as_float_array(b, "b", ndim=1)
    check_shape(b, "b", (Wh.shape[0],))
    H = np.empty((X.shape[0], X.shape[1], Wh.shape[0]), dtype=np.result_type(X, Wx))
    h = h0
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ Wx + h @ Wh + b)
        H[:, t] = h
    return H


def rnn_backward(dH, X, H, h0, Wx, Wh):
    """Backpropagation through time: ``(dX, dh0, dWx, dWh, db)`` from ``dH = ∂L/∂H`` at every step.

    Defined in: Chapter 12, "Recurrent networks".

    Walking backwards in time, the error reaching step t is what the loss
    sends there directly, ``dH[:, t]``, plus what step t+1 sends back through
    ``Wh``.  Through the tanh it becomes ``dZ = dh ⊙ (1 − h_t²)``; the weights,
    shared by every step, collect ``x_tᵀ dZ`` and ``h_{t−1}ᵀ dZ`` over all steps.
    Each step multiplies the travelling error by ``Wh`` and a tanh slope:
    that product, T times over, is why gradients vanish or explode.
    """
    X, h0, Wx, Wh = _check_sequence(X, h0, Wx, Wh)
    H = as_float_array(H, "H", ndim=3)
    dH = as_float_array(dH, "dH", ndim=3)
    shape = (X.shape[0], X.shape[1], Wh.shape[0])
    check_shape(H, "H", shape)
    check_shape(dH, "dH", shape)
    dX = np.zeros_like(X, dtype=np.result_type(X, dH))
    dWx, dWh, db = np.zeros_like(Wx, dtype=dX.dtype), np.zeros_like(Wh, dtype=dX.dtype), np.zeros(Wh.shape[0])
    dh_next = np.zeros_like(h0, dtype=dX.dtype)
    for t in range(X.shape[1] - 1, -1, -1):
        h_prev = H[:, t - 1] if t > 0 else h0
        dZ = (dH[:, t] + dh_next) * (1.0 - H[:, t] ** 2)
        dWx += X[:, t].T @ dZ
        dWh += h_prev.T @ dZ
        db += dZ.sum(axis=0)
        dX[:, t] = dZ @ Wx.T
        dh_next = dZ @ Wh.T
    return dX, dh_next, dWx, dWh, db


def lstm_step(x_t, h_prev, c_prev, Wx, Wh, b):
    """One step of an LSTM cell with Keras' weights: returns ``(h, c)``, each ``(m, u)``.

    Defined in: Chapter 12, "Recurrent networks".

    ``Z = x_t Wx + h_prev Wh + b`` holds the four gates' sums side by side in
    Keras' order **i, f, c, o**: input gate i = σ(·), forget gate f = σ(·),
    candidate c̃ = tanh(·), output gate o = σ(·).  The cell state is updated
    additively, ``c = f ⊙ c_prev + i ⊙ c̃`` — the path along which gradients
    survive many steps — and ``h = o ⊙ tanh(c)``.
    """
    x_t, h_prev, Wx, Wh, b = _check_cell(x_t, h_prev, Wx, Wh, b, gates=4)
    c_prev = as_float_array(c_prev, "c_prev", ndim=2)
    check_shape(c_prev, "c_prev", h_prev.shape)
    u = h_prev.shape[1]
    Z = x_t @ Wx + h_prev @ Wh + b
    i, f = _sigmoid_unchecked(Z[:, :u]), _sigmoid_unchecked(Z[:, u : 2 * u])
    c_tilde, o = np.tanh(Z[:, 2 * u : 3 * u]), _sigmoid_unchecked(Z[:, 3 * u :])
    c = f * c_prev + i * c_tilde
    return o * np.tanh(c), c


def pulse_response(w: float, steps: int = 25, kick: float = 2.0) -> np.ndarray:
    """The states h_0 … h_{steps−1} of one tanh node with feedback weight ``w`` after a single input pulse.

    Defined in: Chapter 10, "A tour of network types" (the single node with feedback).

    The input is 1 at t = 0 (through the weight ``kick``) and 0 afterwards, so
    whatever remains of the pulse in h_t lives only in the feedback loop.
    """
    h, trace = np.zeros((1, 1)), []
    for t in range(steps):
        x = np.array([[1.0 if t == 0 else 0.0]])
        h = rnn_step(x, h, np.array([[kick]]), np.array([[w]]), np.zeros(1))
        trace.append(float(h[0, 0]))
    return np.array(trace)


def gradient_norm_through_time(Wh, steps: int, seed: int = 0, n_in: int = 4, m: int = 16) -> np.ndarray:
    """‖∂h_T/∂h_0‖ (mean over ``m`` random sequences) for T = 1 … ``steps``, with recurrent kernel ``Wh``.

    Defined in: Chapter 12, "Recurrent networks".

    Runs :func:`rnn_forward` on random inputs, then :func:`rnn_backward` with
    an error of ones on the last state only, and reads ``dh0``: how much of a
    signal at the start still reaches step T.  Every step multiplies it by
    ``Wh`` and the tanh slopes, so it shrinks or grows geometrically.
    """
    Wh = as_float_array(Wh, "Wh", ndim=2)
    rng = np.random.default_rng(seed)
    u = Wh.shape[0]
    X = rng.normal(size=(m, steps, n_in))
    Wx = rng.normal(scale=1 / np.sqrt(n_in), size=(n_in, u))
    h0 = np.zeros((m, u))
    b = np.zeros(u)
    norms = []
    for T in range(1, steps + 1):
        H = rnn_forward(X[:, :T], h0, Wx, Wh, b)
        dH = np.zeros_like(H)
        dH[:, -1] = 1.0
        dh0 = rnn_backward(dH, X[:, :T], H, h0, Wx, Wh)[1]
        norms.append(float(np.linalg.norm(dh0, axis=1).mean()))
    return np.array(norms)


def clip_by_global_norm(grads: dict, max_norm: float) -> dict:
    """Gradients scaled down so that their combined norm is at most ``max_norm`` (new dict; inputs untouched).

    Defined in: Chapter 12, "Recurrent networks".

    ``scale = min(1, max_norm / ‖g‖)`` with ‖g‖ the norm of all the arrays
    together, as ``keras.optimizers.*(global_clipnorm=...)``: the direction of
    the step is kept, only an exploding length is cut.
    """
    max_norm = check_positive(max_norm, "max_norm")
    total = float(np.sqrt(sum(float(np.sum(np.square(as_float_array(g, f"grads[{k!r}]")))) for k, g in grads.items())))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return {k: np.asarray(g) * scale for k, g in grads.items()}
