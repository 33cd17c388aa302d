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

from course_lib._validation import as_float_array, check_positive, check_shape, check_whole
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


def _check_lstm_sequence(X, h0, c0, Wx, Wh, b):
    X = as_float_array(X, "X", ndim=3)
    h0 = as_float_array(h0, "h0", ndim=2)
    c0 = as_float_array(c0, "c0", ndim=2)
    Wx = as_float_array(Wx, "Wx", ndim=2)
    Wh = as_float_array(Wh, "Wh", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    u = Wh.shape[0]
    check_shape(Wx, "Wx", (X.shape[2], 4 * u))
    check_shape(Wh, "Wh", (u, 4 * u))
    check_shape(b, "b", (4 * u,))
    check_shape(h0, "h0", (X.shape[0], u))
    check_shape(c0, "c0", (X.shape[0], u))
    return X, h0, c0, Wx, Wh, b


def lstm_forward(X, h0, c0, Wx, Wh, b) -> tuple[np.ndarray, np.ndarray]:
    """The hidden and cell states ``(H, C)``, each ``(m, T, u)``, of an LSTM over ``X (m, T, n_in)``.

    Defined in: Chapter 12, "Recurrent networks".

    :func:`lstm_step` applied at every step from ``(h0, c0)``, with the same
    weights.  The input's share of the gate sums, ``X Wx``, does not depend
    on the state, so it is computed for all steps in one product before the
    loop; only ``h_{t−1} Wh`` must wait for the previous step.
    """
    X, h0, c0, Wx, Wh, b = _check_lstm_sequence(X, h0, c0, Wx, Wh, b)
    m, T, u = X.shape[0], X.shape[1], Wh.shape[0]
    dtype = np.result_type(X, Wx, Wh, h0)
    XW = np.ascontiguousarray(np.moveaxis(X @ Wx + b, 1, 0))  # (T, m, 4u): step t is one contiguous block
    H, C = np.empty((m, T, u), dtype=dtype), np.empty((m, T, u), dtype=dtype)
    h, c = h0, c0
    for t in range(T):
        Z = XW[t] + h @ Wh
        S = _sigmoid_unchecked(Z)  # the gates i, f, o in one call (the c̃ block is recomputed with tanh)
        c = S[:, u : 2 * u] * c + S[:, :u] * np.tanh(Z[:, 2 * u : 3 * u])
        h = S[:, 3 * u :] * np.tanh(c)
        H[:, t], C[:, t] = h, c
    return H, C


def lstm_backward(dH, X, H, C, h0, c0, Wx, Wh, b, need_dX: bool = True):
    """Backpropagation through time for the LSTM: ``(dX, dh0, dc0, dWx, dWh, db)`` from ``dH = ∂L/∂H``.

    Defined in: Chapter 12, "Recurrent networks".

    ``H`` and ``C`` are :func:`lstm_forward`'s states; the gates are
    recomputed from them in one product.  Walking backwards, the error on
    ``h_t`` is ``dH[:, t]`` plus what step t+1 sends back through ``Wh``;
    with ``h_t = o ⊙ tanh(c_t)`` it reaches the output gate as
    ``dh ⊙ tanh(c_t)`` and the cell state as ``dh ⊙ o ⊙ (1 − tanh²c_t)``,
    added to the error the cell state received from step t+1.  From
    ``c_t = f ⊙ c_{t−1} + i ⊙ c̃`` the cell's error goes to the gates
    (``dc ⊙ c̃``, ``dc ⊙ c_{t−1}``, ``dc ⊙ i``) and back to ``c_{t−1}`` as
    ``dc ⊙ f`` — multiplied by the forget gate only, not by ``Wh``: the
    additive path that lets gradients survive many steps.  Each gate's error
    times its slope (σ(1 − σ) or 1 − tanh²) gives ``dZ``; the shared
    weights collect ``x_tᵀ dZ`` and ``h_{t−1}ᵀ dZ`` over all steps.

    ``need_dX=False`` skips ``dX`` (returned as ``None``), e.g. for one-hot
    inputs nobody trains.  Only the window is differentiated: ``dh0`` and
    ``dc0`` are where truncated backpropagation through time stops.
    """
    X, h0, c0, Wx, Wh, b = _check_lstm_sequence(X, h0, c0, Wx, Wh, b)
    m, T, u = X.shape[0], X.shape[1], Wh.shape[0]
    H, C, dH = (as_float_array(a, name, ndim=3) for a, name in ((H, "H"), (C, "C"), (dH, "dH")))
    for a, name in ((H, "H"), (C, "C"), (dH, "dH")):
        check_shape(a, name, (m, T, u))
    dtype = np.result_type(X, Wx, Wh, dH)
    H_prev = np.concatenate([h0[:, None], H[:, :-1]], axis=1)
    C_prev = np.concatenate([c0[:, None], C[:, :-1]], axis=1)
    Z = X @ Wx + H_prev @ Wh + b
    gate_i, gate_f = _sigmoid_unchecked(Z[..., :u]), _sigmoid_unchecked(Z[..., u : 2 * u])
    gate_c, gate_o = np.tanh(Z[..., 2 * u : 3 * u]), _sigmoid_unchecked(Z[..., 3 * u :])
    tanh_C = np.tanh(C)
    # The local slopes do not depend on the error: computed for all steps at once, before the loop.
    # dZ of gates i, f, c̃ = dc ⊙ (c̃ σ'(·), c_{t−1} σ'(·), i tanh'(·));  dZ of gate o = dh ⊙ tanh(c_t) σ'(·).
    slopes = np.stack(
        [gate_c * gate_i * (1.0 - gate_i), C_prev * gate_f * (1.0 - gate_f), gate_i * (1.0 - gate_c**2)], axis=2
    )  # (m, T, 3, u)
    out_slope = tanh_C * gate_o * (1.0 - gate_o)
    cell_slope = gate_o * (1.0 - tanh_C**2)  # ∂h_t/∂c_t
    dZ = np.empty((m, T, 4 * u), dtype=dtype)
    dh_next, dc_next = np.zeros((m, u), dtype=dtype), np.zeros((m, u), dtype=dtype)
    for t in range(T - 1, -1, -1):
        dh = dH[:, t] + dh_next
        dc = dc_next + dh * cell_slope[:, t]
        dZ[:, t, : 3 * u] = (slopes[:, t] * dc[:, None, :]).reshape(m, 3 * u)
        dZ[:, t, 3 * u :] = dh * out_slope[:, t]
        dc_next = dc * gate_f[:, t]
        dh_next = dZ[:, t] @ Wh.T
    flat = dZ.reshape(m * T, 4 * u)
    dWx = X.reshape(m * T, -1).T @ flat
    dWh = H_prev.reshape(m * T, u).T @ flat
    db = flat.sum(axis=0)
    dX = (dZ @ Wx.T) if need_dX else None
    return dX, dh_next, dc_next, dWx, dWh, db


def truncated_bptt_windows(ids, batch_size: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """``(inputs, targets)``, each ``(n_windows, batch_size, T)``: consecutive windows of ``batch_size`` streams.

    Defined in: Chapter 12, section "Text: a character-level language model".

    The text is cut into ``batch_size`` contiguous streams read side by side;
    window ``j`` holds characters ``jT … jT + T − 1`` of every stream, so
    window ``j + 1`` continues exactly where window ``j`` stopped.  Carrying
    the state from one window to the next gives the network context beyond
    ``T`` characters, while the gradient still stops at the window's start.
    """
    ids = np.asarray(ids)
    batch_size, T = check_whole(batch_size, "batch_size"), check_whole(T, "T")
    length = (len(ids) - 1) // batch_size
    n_windows = length // T
    if n_windows < 1:
        raise ValueError(f"{len(ids)} ids are too few for {batch_size} streams of at least one window of {T}")
    streams = ids[: batch_size * length].reshape(batch_size, length)[:, : n_windows * T]
    shifted = ids[1 : batch_size * length + 1].reshape(batch_size, length)[:, : n_windows * T]
    to_windows = lambda a: a.reshape(batch_size, n_windows, T).transpose(1, 0, 2)  # noqa: E731
    return to_windows(streams), to_windows(shifted)


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
