"""A character-level language model's numpy parts: encoding, a split by position, n-gram baselines, bits per character.

Defined in: Chapter 12, section "Text: a character-level language model".

A text becomes a sequence of integer ids, one per character (its index in the
sorted list of the characters that occur).  A language model gives, at every
position, a probability distribution over the next character; its score on a
text is the average number of bits it needs per character,
``−mean log2 p(actual next character)``.  The baselines below are counted, not
trained: uniform, unigram and n-gram models with add-k smoothing or with
interpolation.  The last part trains the chapter's own numpy LSTM
(:func:`course_lib.rnn.lstm_forward`, :func:`course_lib.rnn.lstm_backward`) on it.
"""

from __future__ import annotations

import numpy as np

from course_lib import rnn
from course_lib._validation import as_float_array, check_positive, check_whole


def encode(text: str) -> tuple[np.ndarray, list[str]]:
    """``(ids, vocabulary)``: the sorted characters of ``text`` and the text as their indices (int64).

    Defined in: Chapter 12, section "Text: a character-level language model".
    """
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty string")
    vocabulary = sorted(set(text))
    lookup = np.zeros(max(map(ord, vocabulary)) + 1, dtype=np.int64)
    lookup[[ord(ch) for ch in vocabulary]] = np.arange(len(vocabulary))
    ids = lookup[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    return ids, vocabulary


def decode(ids, vocabulary) -> str:
    """The characters of ``ids`` joined into a string.

    Defined in: Chapter 12, section "Text: a character-level language model".
    """
    return "".join(vocabulary[int(i)] for i in ids)


def split_by_position(ids, validation_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """``(train, validation)``: the first part of the sequence and its last ``validation_fraction``.

    Defined in: Chapter 12, section "Text: a character-level language model".

    Never shuffle characters or windows before splitting: overlapping windows
    would put the same text on both sides of the split.
    """
    ids = np.asarray(ids)
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction!r}")
    cut = int(round(len(ids) * (1 - validation_fraction)))
    return ids[:cut], ids[cut:]


def bits_per_character(probs, targets) -> float:
    """``−mean log2 probs[i, targets[i]]``: the cross-entropy in bits of predictions ``probs (N, V)``.

    Defined in: Chapter 12, section "Text: a character-level language model".

    Each row of ``probs`` is a distribution over the ``V`` characters; ``targets``
    holds the characters that actually came next.  Uniform guessing costs
    ``log2 V`` bits; a perfect model 0.  Divide by ``log2 e`` to get the
    natural-log cross-entropy Keras reports (nats); ``2 ** bits`` is the
    perplexity.
    """
    probs = as_float_array(probs, "probs", ndim=2)
    targets = np.asarray(targets)
    if targets.shape != (probs.shape[0],) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be {probs.shape[0]} integer indices, got shape {targets.shape}")
    return float(-np.mean(np.log2(probs[np.arange(len(targets)), targets])))


def sample_with_temperature(logits, temperature: float, rng: np.random.Generator) -> int:
    """One index drawn from ``softmax(logits / temperature)``.

    Defined in: Chapter 12, section "Text: a character-level language model".

    Temperature 1 samples the model's own distribution; below 1 it sharpens it
    towards the most likely character (safe, repetitive text), above 1 it
    flattens it towards uniform (varied text with more mistakes).
    """
    logits = as_float_array(logits, "logits", ndim=1)
    temperature = check_positive(temperature, "temperature")
    z = logits / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


def _keys(ids: np.ndarray, n: int, V: int) -> np.ndarray:
    """One int64 per window of ``n`` consecutive ids: the window read as a number in base ``V``."""
    keys = np.zeros(len(ids) - n + 1, dtype=np.int64)
    for j in range(n):
        keys = keys * V + ids[j : len(ids) - n + 1 + j]
    return keys


def _count(keys_train: np.ndarray, keys_query: np.ndarray) -> np.ndarray:
    """How often each query key occurs among the training keys."""
    unique, counts = np.unique(keys_train, return_counts=True)
    pos = np.clip(np.searchsorted(unique, keys_query), 0, len(unique) - 1)
    return np.where(unique[pos] == keys_query, counts[pos], 0)


def _check_ngram_args(train, text, n, V, context):
    train, text = np.asarray(train, dtype=np.int64), np.asarray(text, dtype=np.int64)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number ≥ 1, got {n!r}")
    if V ** max(n, 1) >= 2**62:
        raise ValueError(f"V ** n = {V}**{n} is too large for 64-bit keys")
    context = np.asarray(context if context is not None else train[len(train) - (n - 1) :], dtype=np.int64)
    return train, np.concatenate([context[len(context) - (n - 1) :] if n > 1 else context[:0], text])


def ngram_probabilities(train, text, n: int, V: int, k: float = 1.0, context=None) -> np.ndarray:
    """``p(text[t] | the n − 1 characters before it)`` for every ``t``, from counts on ``train`` with add-k smoothing.

    Defined in: Chapter 12, section "Text: a character-level language model".

    ``p(c | s) = (N(s c) + k) / (N(s) + k V)``: every one of the ``V``
    characters gets ``k`` extra counts after every context ``s``, so a
    continuation never seen in training keeps a small probability.  The first
    characters of ``text`` take their context from ``context`` (default: the
    end of ``train``, which is what precedes a validation part split by
    position).  ``n = 1`` is the unigram model.
    """
    k = float(k)
    if k <= 0:
        raise ValueError(f"k must be > 0 (k = 0 gives unseen characters probability 0), got {k!r}")
    train, stream = _check_ngram_args(train, text, n, V, context)
    grams = _count(_keys(train, n, V), _keys(stream, n, V))
    if n == 1:
        contexts = np.full(len(grams), len(train))
    else:
        contexts = _count(_keys(train[:-1], n - 1, V), _keys(stream[:-1], n - 1, V))
    return (grams + k) / (contexts + k * V)


def interpolated_probabilities(train, text, n: int, V: int, alpha: float = 1.0, context=None) -> np.ndarray:
    """Like :func:`ngram_probabilities`, but each order backs off smoothly to the order below it (interpolation).

    Defined in: Chapter 12, section "Text: a character-level language model".

    ``p_1(c) = (N(c) + 1) / (N + V)`` and, for ``j = 2 … n``,
    ``p_j(c | s) = (N(s c) + α p_{j−1}(c | s′)) / (N(s) + α)`` with ``s′`` the
    context ``s`` without its oldest character: a context seen often trusts
    its own counts, a rare or unseen one falls back on the shorter context.
    This is interpolation with a weight ``N(s) / (N(s) + α)`` that depends on
    how often the context was seen.
    """
    alpha = check_positive(alpha, "alpha")
    train, stream = _check_ngram_args(train, text, n, V, context)
    p = ngram_probabilities(train, stream[n - 1 :], 1, V, k=1.0)
    for j in range(2, n + 1):
        part = stream[n - j :]  # the last len(text) + j − 1 ids: the text with j − 1 characters of context
        grams = _count(_keys(train, j, V), _keys(part, j, V))
        contexts = _count(_keys(train[:-1], j - 1, V), _keys(part[:-1], j - 1, V))
        p = (grams + alpha * p) / (contexts + alpha)
    return p


def ngram_distribution(train, context, V: int, alpha: float = 1.0) -> np.ndarray:
    """The interpolated model's whole distribution over the next character after ``context`` (shape ``(V,)``).

    Defined in: Chapter 12, section "Text: a character-level language model".

    The order is ``len(context) + 1``; it sums to 1, which the tests check.
    """
    context = np.asarray(context, dtype=np.int64)
    n = len(context) + 1
    return np.array([interpolated_probabilities(train, [c], n, V, alpha=alpha, context=context)[0] for c in range(V)])


# --------------------------------------------------------------------------
# The chapter's own LSTM as a character model: one-hot input, rnn.lstm_forward / rnn.lstm_backward, a softmax
# readout, and the windows of truncated backpropagation through time.


def _softmax_rows(logits: np.ndarray) -> np.ndarray:
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def _check_char_params(params) -> tuple[int, int]:
    """``(V, u)`` of a character LSTM's parameters, or a ValueError naming the expected keys and shapes."""
    keys = {"Wx", "Wh", "b", "W_out", "b_out"}
    if not isinstance(params, dict) or set(params) != keys:
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {sorted(keys)}, got {got}")
    V, u = np.shape(params["Wx"])[0], np.shape(params["Wh"])[0]
    expected = {"Wx": (V, 4 * u), "Wh": (u, 4 * u), "b": (4 * u,), "W_out": (u, V), "b_out": (V,)}
    for key, shape in expected.items():
        if np.shape(params[key]) != shape:
            raise ValueError(f"params[{key!r}] must have shape {shape} (V = {V}, u = {u}), got {np.shape(params[key])}")
    return V, u


def _check_ids(ids, name: str, V: int, ndim: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != ndim or not np.issubdtype(ids.dtype, np.integer) or ids.size == 0:
        raise ValueError(
            f"{name} must be a non-empty {ndim}-D array of integer character ids, got {ids.dtype} {ids.shape}"
        )
    if ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"{name} must hold ids in 0 … {V - 1}, got {ids.min()} … {ids.max()}")
    return ids


def lstm_char_init(V: int, units: int, rng: np.random.Generator, dtype="float32") -> dict:
    """Initial weights of a character LSTM: ``Wx (V, 4u)``, ``Wh (u, 4u)``, ``b (4u,)``, ``W_out (u, V)``, ``b_out (V,)``.

    Defined in: Chapter 12, section "Text: a character-level language model".

    Keras' defaults for ``LSTM`` and ``Dense``: Glorot-uniform kernels, an
    orthogonal recurrent kernel, zero biases except the forget gate's, which
    starts at 1 (``unit_forget_bias``) so that the cell state is kept, not
    wiped, before anything is learned.  The input is one-hot, so ``Wx`` also
    plays the part of an embedding: row ``c`` is what character ``c`` adds
    to the four gates.
    """
    V, u = check_whole(V, "V"), check_whole(units, "units")

    def glorot(n_in, n_out):
        limit = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-limit, limit, size=(n_in, n_out))

    q, r = np.linalg.qr(rng.normal(size=(4 * u, u)))  # orthonormal columns: Wh = (q · signs)ᵀ has orthonormal rows
    b = np.zeros(4 * u)
    b[u : 2 * u] = 1.0
    params = {
        "Wx": glorot(V, 4 * u),
        "Wh": (q * np.sign(np.diag(r))).T,
        "b": b,
        "W_out": glorot(u, V),
        "b_out": np.zeros(V),
    }
    return {key: value.astype(dtype) for key, value in params.items()}


def lstm_char_loss_and_grads(params: dict, inputs, targets, h0, c0):
    """``(loss, grads, (h_T, c_T))`` of a character LSTM on one batch of windows, teacher-forced.

    Defined in: Chapter 12, section "Text: a character-level language model".

    ``inputs`` and ``targets`` are ``(m, T)`` character ids, the targets the
    inputs shifted by one character (**teacher forcing**: the true previous
    character is always the input).  The loss is the mean cross-entropy in
    nats over the ``m·T`` predictions; ``grads`` has the keys of ``params``.
    The gradient stops at ``(h0, c0)``: whatever state the window starts from
    is treated as a constant (**truncated** backpropagation through time,
    windows from :func:`course_lib.rnn.truncated_bptt_windows`), and the final
    state is returned so that the next window can start from it.
    """
    V, u = _check_char_params(params)
    inputs, targets = _check_ids(inputs, "inputs", V, 2), _check_ids(targets, "targets", V, 2)
    if targets.shape != inputs.shape:
        raise ValueError(f"targets must have the shape of inputs, {inputs.shape}; got {targets.shape}")
    m, T = inputs.shape
    dtype = params["Wx"].dtype
    X = np.eye(V, dtype=dtype)[inputs]
    H, C = rnn.lstm_forward(X, h0, c0, params["Wx"], params["Wh"], params["b"])
    P = _softmax_rows(H @ params["W_out"] + params["b_out"]).reshape(m * T, V)
    rows, cols = np.arange(m * T), targets.reshape(-1)
    loss = float(-np.mean(np.log(P[rows, cols])))
    dlogits = P
    dlogits[rows, cols] -= 1.0
    dlogits /= m * T
    H_flat = H.reshape(m * T, u)
    dH = (dlogits @ params["W_out"].T).reshape(m, T, u)
    _, _, _, dWx, dWh, db = rnn.lstm_backward(
        dH, X, H, C, h0, c0, params["Wx"], params["Wh"], params["b"], need_dX=False
    )
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "W_out": H_flat.T @ dlogits, "b_out": dlogits.sum(axis=0)}
    grads = {key: g.astype(params[key].dtype, copy=False) for key, g in grads.items()}
    return loss, grads, (H[:, -1], C[:, -1])


def lstm_char_logits(params: dict, stream_ids, pieces: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """``(logits (N, V), targets (N,))`` for every next character of ``stream_ids``, the state carried throughout.

    Defined in: Chapter 12, section "Text: a character-level language model".

    The text is cut into ``pieces`` consecutive parts read side by side as
    one batch; only the first character of each part starts from an empty
    state, so every other prediction uses everything before it in its part.
    """
    V, u = _check_char_params(params)
    stream_ids, pieces = _check_ids(stream_ids, "stream_ids", V, 1), check_whole(pieces, "pieces")
    length = (len(stream_ids) - 1) // pieces
    if length < 1:
        raise ValueError(f"{len(stream_ids)} ids are too few for {pieces} pieces")
    inputs = stream_ids[: pieces * length].reshape(pieces, length)
    targets = stream_ids[1 : pieces * length + 1].reshape(pieces, length)
    dtype = params["Wx"].dtype
    h = c = np.zeros((pieces, u), dtype=dtype)
    H, _ = rnn.lstm_forward(np.eye(V, dtype=dtype)[inputs], h, c, params["Wx"], params["Wh"], params["b"])
    logits = H @ params["W_out"] + params["b_out"]
    return logits.reshape(-1, V), targets.reshape(-1)


def lstm_char_generate(params: dict, prompt_ids, length: int, temperature: float, rng: np.random.Generator):
    """The ids of ``prompt_ids`` followed by ``length`` sampled ones, each fed back as the next input.

    Defined in: Chapter 12, section "Text: a character-level language model".

    The prompt only sets the state; then every step draws the next character
    with :func:`sample_with_temperature` and reads it back in.
    """
    V, u = _check_char_params(params)
    prompt_ids = _check_ids(prompt_ids, "prompt_ids", V, 1)
    temperature = check_positive(temperature, "temperature")
    dtype = params["Wx"].dtype
    one_hot = np.eye(V, dtype=dtype)
    h = c = np.zeros((1, u), dtype=dtype)
    out = [int(i) for i in prompt_ids]
    for i in out:  # read the prompt, keeping only the state
        h, c = rnn.lstm_step(one_hot[[i]], h, c, params["Wx"], params["Wh"], params["b"])
    for _ in range(check_whole(length, "length", minimum=0)):
        nxt = sample_with_temperature((h @ params["W_out"] + params["b_out"])[0], temperature, rng)
        out.append(nxt)
        h, c = rnn.lstm_step(one_hot[[nxt]], h, c, params["Wx"], params["Wh"], params["b"])
    return np.array(out, dtype=np.int64)
