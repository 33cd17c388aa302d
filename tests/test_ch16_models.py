"""Chapter 16: the models the learner writes — the autoencoder's forward pass and decoder gradients, the ring's step.

Declares ``ALTERNATIVES`` and ``WRONG`` so that tests/test_grading_seed.py also checks them under every class seed.
The references are gradient-checked and compared with Keras here.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import compression, tsp
from course_lib.gradcheck import gradient_check
from tests.exercise_helpers import assert_exercise


def _layers(weights, dtype=np.float64):
    return [np.asarray(w, dtype) for w in weights]


def forward_loop(X, weights):
    """Layer by layer, with the activations in a list."""
    out = np.asarray(X, float)
    activations = [lambda z: np.maximum(z, 0), lambda z: z, lambda z: np.maximum(z, 0), lambda z: 1 / (1 + np.exp(-z))]
    kept = []
    for layer, act in enumerate(activations):
        out = act(out @ np.asarray(weights[2 * layer]) + np.asarray(weights[2 * layer + 1]))
        kept.append(out)
    return kept[1], kept[3]


def forward_float32(X, weights):
    W1, b1, W2, b2, W3, b3, W4, b4 = _layers(weights, np.float32)
    X = np.asarray(X, np.float32)
    code = np.where(X @ W1 + b1 > 0, X @ W1 + b1, 0) @ W2 + b2
    Z = np.maximum(code @ W3 + b3, 0) @ W4 + b4
    return code, (0.5 * (1 + np.tanh(Z / 2))).astype(np.float32)


def gradients_probabilities(X, weights):
    """The loss from the probabilities themselves, the backward pass by the chain rule step by step."""
    W1, b1, W2, b2, W3, b3, W4, b4 = _layers(weights)
    X = np.asarray(X, float)
    code = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    Z3 = code @ W3 + b3
    H3 = np.maximum(Z3, 0)
    P = 1 / (1 + np.exp(-(H3 @ W4 + b4)))
    loss = -np.mean(X * np.log(P) + (1 - X) * np.log(1 - P))
    dP = (P - X) / (P * (1 - P)) / X.size
    dZ4 = dP * P * (1 - P)
    dH3 = dZ4 @ W4.T
    dZ3 = np.where(Z3 > 0, dH3, 0.0)
    return float(loss), code.T @ dZ3, dZ3.sum(axis=0), H3.T @ dZ4, dZ4.sum(axis=0)


def gradients_float32(X, weights):
    W1, b1, W2, b2, W3, b3, W4, b4 = _layers(weights, np.float32)
    X = np.asarray(X, np.float32)
    code = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    Z3 = code @ W3 + b3
    P = 1 / (1 + np.exp(-(np.maximum(Z3, 0) @ W4 + b4)))
    N, D = X.shape
    dZ4 = (P - X) / np.float32(N * D)
    dZ3 = (dZ4 @ W4.T) * (Z3 > 0)
    loss = -np.mean(X * np.log(P) + (1 - X) * np.log1p(-P))
    return float(loss), code.T @ dZ3, dZ3.sum(0), np.maximum(Z3, 0).T @ dZ4, dZ4.sum(0)


def ring_loop(ring, city, lr, radius):
    ring = np.array(ring, float)
    K = len(ring)
    winner = min(range(K), key=lambda k: float(np.sum((ring[k] - city) ** 2)))
    new = ring.copy()
    for k in range(K):
        d = min((k - winner) % K, (winner - k) % K)
        new[k] += lr * np.exp(-(d**2) / (2 * radius**2)) * (np.asarray(city) - ring[k])
    return new


def ring_circle(ring, city, lr, radius):
    """The ring index as an angle: the circular distance via the wrapped difference."""
    ring = np.asarray(ring, np.float32)
    K = len(ring)
    winner = np.argmin(np.linalg.norm(ring - np.asarray(city, np.float32), axis=1))
    d = np.abs((np.arange(K) - winner + K // 2) % K - K // 2)
    h = np.exp(-(d**2) / (2 * radius**2)).astype(np.float32)
    return ring + np.float32(lr) * h[:, None] * (np.asarray(city, np.float32) - ring)


ALTERNATIVES = {
    "autoencoder_forward": [forward_loop, forward_float32],
    "autoencoder_decoder_gradients": [gradients_probabilities, gradients_float32],
    "ring_update": [ring_loop, ring_circle],
}
WRONG = {
    "autoencoder_forward": [
        (lambda X, w: forward_loop(X, w)[1], "wrong_type"),
        (lambda X, w: forward_loop(X, w)[::-1], "wrong_shape"),
        (lambda X, w: (forward_loop(X, w)[0], 0.5 * forward_loop(X, w)[1]), "wrong_value"),
    ],
    "autoencoder_decoder_gradients": [
        (lambda X, w: gradients_probabilities(X, w)[1:], "wrong_type"),
        (
            lambda X, w: (gradients_probabilities(X, w)[0], *(g.T for g in gradients_probabilities(X, w)[1:])),
            "wrong_shape",
        ),
        (lambda X, w: tuple(2 * g for g in gradients_probabilities(X, w)), "wrong_value"),
    ],
    "ring_update": [
        (lambda r, c, lr, s: ring_loop(r, c, lr, s).tolist(), "wrong_type"),
        (lambda r, c, lr, s: ring_loop(r, c, lr, s)[:-1], "wrong_shape"),
        (lambda r, c, lr, s: ring_loop(r, c, 2 * lr, s), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def _random_weights(rng, D=9, hidden=6, k=3):
    weights = []
    for n_in, n_out in [(D, hidden), (hidden, k), (k, hidden), (hidden, D)]:
        weights += [rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, 0.3, n_out)]
    return weights


def test_decoder_gradients_pass_a_gradient_check():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (5, 9))
    weights = _random_weights(rng)
    names = ("W3", "b3", "W4", "b4")

    def decoder(params):
        return weights[:4] + [params[name] for name in names]

    errors = gradient_check(
        lambda p: compression.autoencoder_decoder_gradients(X, decoder(p))[0],
        lambda p: dict(zip(names, compression.autoencoder_decoder_gradients(X, decoder(p))[1:], strict=True)),
        dict(zip(names, weights[4:], strict=True)),
    )
    assert max(errors.values()) < 1e-6, errors


def test_the_autoencoder_matches_keras():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    keras.utils.set_random_seed(1)
    X = np.random.default_rng(1).uniform(0, 1, (6, 12)).astype("float32")
    autoencoder, encoder, decoder = compression.dense_autoencoder(12, 3, hidden=5)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    autoencoder.fit(X, X, epochs=2, batch_size=3, verbose=0)  # not the initial weights: biases are no longer 0
    weights = autoencoder.get_weights()
    code, reconstruction = compression.autoencoder_forward(X, weights)
    np.testing.assert_allclose(code, encoder.predict(X, verbose=0), atol=1e-5)
    np.testing.assert_allclose(reconstruction, autoencoder.predict(X, verbose=0), atol=1e-5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.binary_crossentropy(X, autoencoder(X)))
    keras_grads = tape.gradient(loss, decoder.trainable_variables)
    ours = compression.autoencoder_decoder_gradients(X, weights)
    assert ours[0] == pytest.approx(float(loss), rel=1e-5)
    assert ours[0] == pytest.approx(autoencoder.evaluate(X, X, verbose=0), rel=1e-5)
    for theirs, mine in zip(keras_grads, ours[1:], strict=True):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-4, atol=1e-7)


def test_autoencoder_weights_are_validated():
    rng = np.random.default_rng(2)
    X, weights = rng.uniform(0, 1, (3, 9)), _random_weights(rng)
    with pytest.raises(ValueError, match="list"):
        compression.autoencoder_forward(X, weights[:6])
    with pytest.raises(ValueError, match="layer 2"):
        compression.autoencoder_forward(X, weights[:2] + [weights[2][:-1]] + weights[3:])
    with pytest.raises(ValueError, match="pixels"):
        compression.autoencoder_decoder_gradients(X, weights[:6] + [weights[6][:, :8], weights[7][:8]])


def test_ring_update_wraps_round_and_leaves_its_input_alone():
    angle = 2 * np.pi * np.arange(10) / 10
    ring = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    before = ring.copy()
    new = tsp.ring_update(ring, np.array([1.5, 0.0]), lr=0.5, radius=1.0)  # unit 0 wins
    np.testing.assert_array_equal(ring, before)
    pulled = np.linalg.norm(new - ring, axis=1) / np.linalg.norm([1.5, 0.0] - ring, axis=1)  # lr · h_k
    assert pulled[1] == pytest.approx(pulled[9])  # unit 9 is unit 0's neighbour, like unit 1
    assert pulled[0] == pytest.approx(0.5)
    assert pulled[0] > pulled[1] > pulled[2] > pulled[5]
    with pytest.raises(ValueError, match="ring"):
        tsp.ring_update(ring[:, :1], np.zeros(2), 0.5, 1.0)
    with pytest.raises(ValueError, match="radius"):
        tsp.ring_update(ring, np.zeros(2), 0.5, 0.0)


def test_elastic_ring_is_ring_update_repeated():
    """The library's ring uses the learner's step: one epoch by hand gives the same ring."""
    cities = tsp.random_cities(8, seed=3)
    _, _, kept = tsp.elastic_ring(cities, units_per_city=2, epochs=1, seed=4, snapshots=(0, 1))
    ring = kept[0]
    for k in np.random.default_rng(4).permutation(8):
        ring = tsp.ring_update(ring, cities[k], 0.8, 16 / 10)
    np.testing.assert_allclose(ring, kept[1])
