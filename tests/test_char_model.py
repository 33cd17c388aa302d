"""Tests of course_lib.char_model (Chapter 12, section "Text: a character-level language model") and its exercise."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from course_lib import char_model as cm
from course_lib import rnn
from tests.exercise_helpers import assert_exercise


def bits_loop(probs, targets):
    total = 0.0
    for row, target in zip(probs, targets):
        total -= math.log2(float(row[int(target)]))
    return total / len(targets)


def bits_via_nats(probs, targets):
    picked = np.take_along_axis(np.asarray(probs, dtype=np.float32), np.asarray(targets)[:, None], axis=1)
    return float(-np.mean(np.log(picked)) / np.log(2))


ALTERNATIVES = {"bits_per_character": [bits_loop, bits_via_nats]}
WRONG = {
    "bits_per_character": [
        (lambda p, t: -np.log2(p[np.arange(len(t)), t]), "wrong_shape"),  # one number per prediction
        (lambda p, t: float(-np.mean(np.log10(p[np.arange(len(t)), t]))), None),  # base 10
        (lambda p, t: float(np.log2(p.shape[1])), None),  # always the uniform cost
    ]
}


def test_bits_per_character_exercise_contract():
    assert_exercise("bits_per_character", ALTERNATIVES["bits_per_character"], WRONG["bits_per_character"])


TEXT = "to be, or not to be: that is the question.\nwhether 'tis nobler in the mind to suffer\n" * 3


def test_encode_decode_round_trip_and_sorted_vocabulary():
    ids, vocabulary = cm.encode(TEXT)
    assert vocabulary == sorted(set(TEXT))
    assert ids.dtype == np.int64 and ids.shape == (len(TEXT),)
    assert cm.decode(ids, vocabulary) == TEXT
    assert cm.encode("é à")[1] == [" ", "à", "é"]
    with pytest.raises(ValueError):
        cm.encode("")


def test_split_by_position_keeps_order_and_the_last_part_validates():
    ids = np.arange(1000)
    train, val = cm.split_by_position(ids, 0.1)
    assert len(train) == 900 and len(val) == 100
    np.testing.assert_array_equal(np.concatenate([train, val]), ids)
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ValueError):
            cm.split_by_position(ids, bad)


def test_bits_per_character_values():
    assert cm.bits_per_character(np.full((4, 8), 1 / 8), np.array([0, 3, 7, 1])) == pytest.approx(3.0)
    assert cm.bits_per_character(np.eye(3), np.array([0, 1, 2])) == 0.0
    with pytest.raises(ValueError):
        cm.bits_per_character(np.eye(3), np.array([0.0, 1.0, 2.0]))


@pytest.mark.tf
def test_bits_per_character_is_keras_cross_entropy_over_ln_2():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(20, 7))
    targets = rng.integers(0, 7, size=20)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    nats = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(targets, logits))
    assert cm.bits_per_character(probs, targets) == pytest.approx(nats / math.log(2), rel=1e-5)


def _brute_add_k(train, text, n, V, k):
    """Add-k n-gram probabilities counted with collections.Counter, the context taken from the end of train."""
    grams = Counter(tuple(train[i : i + n]) for i in range(len(train) - n + 1))
    contexts = Counter(tuple(train[i : i + n - 1]) for i in range(len(train) - n + 1))
    stream = list(train[len(train) - (n - 1) :] if n > 1 else []) + list(text)
    out = []
    for t in range(n - 1, len(stream)):
        h, c = tuple(stream[t - n + 1 : t]), stream[t]
        out.append((grams[h + (c,)] + k) / (contexts[h] + k * V))
    return np.array(out)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("k", [1.0, 0.1])
def test_add_k_matches_counting_with_a_counter(n, k):
    ids, vocabulary = cm.encode(TEXT)
    train, val = cm.split_by_position(ids, 0.2)
    got = cm.ngram_probabilities(train, val, n, len(vocabulary), k=k)
    np.testing.assert_allclose(got, _brute_add_k(list(train), list(val), n, len(vocabulary), k))


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_smoothed_distributions_sum_to_one(n):
    ids, vocabulary = cm.encode(TEXT)
    V = len(vocabulary)
    for context in (ids[5 : 5 + n - 1], np.array([V - 1] * (n - 1), dtype=np.int64)):  # seen and unseen contexts
        add_k = [cm.ngram_probabilities(ids, [c], n, V, k=0.5, context=context)[0] for c in range(V)]
        assert sum(add_k) == pytest.approx(1.0)
        assert cm.ngram_distribution(ids, context, V, alpha=3.0).sum() == pytest.approx(1.0)


def test_interpolation_order_one_is_add_one_unigram_and_trusts_frequent_contexts():
    ids, vocabulary = cm.encode(TEXT)
    V = len(vocabulary)
    np.testing.assert_allclose(
        cm.interpolated_probabilities(ids, ids[:10], 1, V), cm.ngram_probabilities(ids, ids[:10], 1, V, k=1.0)
    )
    # After "ques" in this text comes a "t" every time: a tiny alpha makes that nearly certain.
    p = cm.ngram_distribution(ids, [vocabulary.index(ch) for ch in "ques"], V, alpha=1e-3)
    assert vocabulary[int(np.argmax(p))] == "t" and p.max() > 0.99


def test_invalid_smoothing_is_refused():
    ids = np.array([0, 1, 2, 1, 0])
    with pytest.raises(ValueError):
        cm.ngram_probabilities(ids, ids, 2, 3, k=0)
    with pytest.raises(ValueError):
        cm.ngram_probabilities(ids, ids, 0, 3)
    with pytest.raises(ValueError):
        cm.interpolated_probabilities(ids, ids, 2, 3, alpha=0)


def test_sampling_with_temperature():
    logits = np.array([2.0, 1.0, 0.0, -1.0])
    rng = np.random.default_rng(0)
    cold = [cm.sample_with_temperature(logits, 0.05, rng) for _ in range(200)]
    assert set(cold) == {0}
    draws = np.bincount([cm.sample_with_temperature(logits, 1.0, rng) for _ in range(20000)], minlength=4) / 20000
    softmax = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(draws, softmax, atol=0.015)
    hot = np.bincount([cm.sample_with_temperature(logits, 100.0, rng) for _ in range(20000)], minlength=4) / 20000
    np.testing.assert_allclose(hot, 0.25, atol=0.02)
    assert cm.sample_with_temperature(np.array([1000.0, 0.0]), 1.0, rng) == 0  # no overflow
    with pytest.raises(ValueError):
        cm.sample_with_temperature(logits, 0.0, rng)


@pytest.mark.tf
def test_lstm_step_equals_keras_lstm_after_an_embedding_float32():
    """The notebook's parity: the chapter's numpy step reproduces Keras' Embedding + LSTM on the same weights."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    embedding, lstm = keras.layers.Embedding(11, 5), keras.layers.LSTM(6, return_sequences=True)
    seq = np.array([[3, 1, 4, 1, 5, 9, 2, 6]])
    keras_h = np.asarray(lstm(embedding(seq)))[0]
    Wx, Wh, b = (np.asarray(w) for w in lstm.weights)
    h = c = np.zeros((1, 6), dtype="float32")
    ours = []
    for x_t in np.asarray(embedding.embeddings)[seq[0]]:
        h, c = rnn.lstm_step(x_t[None], h, c, Wx, Wh, b)
        ours.append(h[0])
    np.testing.assert_allclose(np.array(ours), keras_h, atol=1e-6)
