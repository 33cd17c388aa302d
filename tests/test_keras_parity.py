"""Where course_lib's Sequential says "as Keras does", it does: each behaviour built with Keras 3 and compared (issue 18, §5)."""

import math
import os
import types

import numpy as np
import pytest

from course_lib import optim
from course_lib.conv_layers import Conv2D, Flatten, MaxPooling2D
from course_lib.dense import Dense
from course_lib.keras_bridge import to_keras
from course_lib.layer import clear_session
from course_lib.model import Sequential
from course_lib.recurrent_layers import SimpleRNN

pytestmark = pytest.mark.tf


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("keras")


def keras_loss(keras, name, dtype="float32"):
    """Keras' loss object computing in ``dtype`` (a float64 model's output must not be cast to float32)."""
    kind = {
        "mse": keras.losses.MeanSquaredError,
        "binary_crossentropy": keras.losses.BinaryCrossentropy,
        "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
    }[name]
    return kind(dtype=dtype)


def keras_loss_and_gradients(clone, keras_loss, X, y):
    """Keras' mean loss and its gradients, traced as ``fit`` traces them (so a softmax/sigmoid output keeps its logits)."""
    import tensorflow as tf

    @tf.function
    def run(X, y):
        with tf.GradientTape() as tape:
            value = keras_loss(y, clone(X))
        return value, tape.gradient(value, clone.trainable_variables)

    value, grads = run(tf.constant(X), tf.constant(y))
    return float(value), [np.asarray(g) for g in grads]


# 1. add() on a built model


def test_add_to_a_built_model_keeps_the_earlier_weights_like_keras(keras):
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    before = [w.copy() for w in theirs.get_weights()]
    theirs.add(keras.layers.Dense(2))
    for old, new in zip(before, theirs.get_weights()):
        np.testing.assert_array_equal(old, new)

    X, y = np.random.default_rng(0).normal(size=(8, 3)), np.arange(8) % 2
    ours = Sequential([Dense(4, activation="relu"), Dense(2, activation="softmax")], seed=0)
    ours.compile(optimizer="adam", loss="categorical_crossentropy")
    ours.fit(X, y, epochs=2, verbose=0)  # trained weights, not the initial ones
    trained = ours.get_weights()
    ours.add(Dense(2, activation="softmax"))
    assert ours.built and [w.shape for w in ours.get_weights()] == [w.shape for w in trained] + [(2, 2), (2,)]
    for old, new in zip(trained, ours.get_weights()):
        np.testing.assert_array_equal(old, new)
    ours.predict(X)  # the next call does not rebuild either
    np.testing.assert_array_equal(trained[0], ours.get_weights()[0])
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in to_keras(ours).get_weights()]


# 2. validation_split


def test_validation_split_holds_out_what_keras_holds_out(keras):
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    theirs.compile(optimizer="sgd", loss="binary_crossentropy", run_eagerly=True)  # eager: no tracing, faster here
    ours = Sequential([Dense(1, activation="sigmoid")], seed=0)
    ours.compile(optimizer="sgd", loss="binary_crossentropy")
    for m, split in [(10, 0.25), (4, 0.2), (7, 0.3)]:  # issue 18: Keras holds out 3 of 10 and splits 4 as 3/1
        rng = np.random.default_rng(m)
        X, y = rng.normal(size=(m, 3)).astype("float32"), (np.arange(m) % 2)[:, None].astype("float32")
        keras_steps = theirs.fit(X, y, batch_size=1, epochs=1, validation_split=split, verbose=0).params["steps"]
        history = ours.fit(X, y, batch_size=1, epochs=1, validation_split=split, verbose=0, shuffle=False)
        n_train = history.params["steps"]  # one sample per batch: steps = training samples
        assert n_train == keras_steps == math.floor(m * (1 - split)), (m, split)
        assert history.history["val_loss"][0] == pytest.approx(ours.evaluate(X[n_train:], y[n_train:]), rel=1e-6)


def test_a_validation_split_keras_refuses_is_refused_with_a_clear_error(keras):
    X, y = np.zeros((1, 2), "float32"), np.zeros((1, 1), "float32")
    theirs = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    theirs.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match="not sufficient"):
        theirs.fit(X, y, validation_split=0.5, verbose=0)
    ours = Sequential([Dense(1, activation="sigmoid")])
    ours.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match="leaves 0 for training and 1 for validation"):
        ours.fit(X, y, validation_split=0.5, verbose=0)


# 3. Saturated outputs: the cross-entropy from the logits


@pytest.mark.parametrize("loss", ["binary_crossentropy", "sparse_categorical_crossentropy"])
def test_a_saturated_output_reports_keras_loss_and_gradient(keras, loss):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3)).astype("float32")
    units, activation = (1, "sigmoid") if loss == "binary_crossentropy" else (3, "softmax")
    y = rng.integers(0, units if units > 1 else 2, size=(6, 1)).astype("float32")
    ours = Sequential([Dense(4, activation="tanh"), Dense(units, activation=activation)], input_dim=3, seed=0)
    ours.set_weights([w * 40 for w in ours.get_weights()])  # |z| ~ 100: σ and softmax round to exactly 0 and 1
    ours.compile(optimizer="sgd", loss=loss)
    clone = to_keras(ours)
    clone.compile(optimizer="sgd", loss=loss)
    keras_value, keras_grads = keras_loss_and_gradients(clone, keras_loss(keras, loss), X, y)
    value, grads = ours.compute_gradients(X, y)
    assert value > 20  # far above the clipped cap of −log(1e-7) ≈ 16.1
    assert value == pytest.approx(keras_value, rel=1e-5)
    assert ours.evaluate(X, y) == pytest.approx(clone.evaluate(X, y, verbose=0), rel=1e-5)
    for g, theirs in zip(grads.values(), keras_grads):
        np.testing.assert_allclose(g, theirs, rtol=1e-4, atol=1e-5)


# 4. The metric's name and the History object


def test_acc_metric_names_history_params_and_model_match_keras(keras):
    X, y = np.random.default_rng(0).normal(size=(10, 3)).astype("float32"), np.arange(10) % 2
    theirs = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    theirs.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"], run_eagerly=True)
    keras_history = theirs.fit(X, y, epochs=2, batch_size=3, validation_split=0.25, verbose=0)

    ours = Sequential([Dense(2, activation="softmax")])
    ours.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = ours.fit(X, y, epochs=2, batch_size=3, validation_split=0.25, verbose=0)
    assert set(history.history) == set(keras_history.history) == {"loss", "acc", "val_loss", "val_acc"}
    assert history.params == keras_history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    assert history.model is ours and keras_history.model is theirs
    assert len(ours.evaluate(X, y)) == len(theirs.evaluate(X, y, verbose=0)) == 2


# 5. Gradients keep their parameter's dtype


def test_every_gradient_has_its_parameters_dtype_like_keras(keras):
    import tensorflow as tf

    X = np.random.default_rng(0).normal(size=(3, 6, 6, 1)).astype("float32")
    y = np.array([0, 1, 1])
    for ours, data in [
        (Sequential([SimpleRNN(3), Dense(2, activation="softmax")]), X[..., 0]),
        (Sequential([Conv2D(2, 3, activation="relu"), MaxPooling2D(), Flatten(), Dense(2, activation="softmax")]), X),
    ]:
        ours.compile(optimizer="sgd", loss="categorical_crossentropy")
        _, grads = ours.compute_gradients(data, y)
        assert {key: g.dtype for key, g in grads.items()} == {key: np.dtype("float32") for key in ours.params}
        clone = to_keras(ours)
        with tf.GradientTape() as tape:
            value = keras.losses.sparse_categorical_crossentropy(y, clone(data))
        assert {g.dtype for g in tape.gradient(value, clone.trainable_variables)} == {tf.float32}


# 6. Sequence targets (batch, time, features)


@pytest.mark.parametrize("loss", ["mse", "sparse_categorical_crossentropy", "binary_crossentropy"])
def test_sequence_targets_train_like_keras(keras, loss):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 5, 2))
    units, activation = {"mse": (2, None), "binary_crossentropy": (1, "sigmoid")}.get(loss, (3, "softmax"))
    y = {
        "mse": rng.normal(size=(4, 5, 2)),
        "binary_crossentropy": rng.integers(0, 2, size=(4, 5, 1)).astype(float),
    }.get(loss, rng.integers(0, 3, size=(4, 5)))
    ours = Sequential([SimpleRNN(3, return_sequences=True), Dense(units, activation=activation)], dtype="float64")
    ours.compile(optimizer=optim.SGD(learning_rate=0.1), loss=loss)
    ours.predict(X)
    clone = to_keras(ours)
    keras_value, keras_grads = keras_loss_and_gradients(clone, keras_loss(keras, loss, "float64"), X, y)
    value, grads = ours.compute_gradients(X, y)
    assert value == pytest.approx(keras_value, rel=1e-6)
    for g, theirs in zip(grads.values(), keras_grads):
        np.testing.assert_allclose(g, theirs, rtol=1e-6, atol=1e-10)
    # Two full-batch SGD epochs: the same losses and the same weights
    clone.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=keras_loss(keras, loss, "float64"))
    keras_history = clone.fit(X, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    history = ours.fit(X, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], keras_history.history["loss"], rtol=1e-6)
    for w, theirs in zip(ours.get_weights(), clone.get_weights()):
        np.testing.assert_allclose(w, theirs, rtol=1e-6, atol=1e-10)


def test_a_recurrent_output_layer_fits_sequence_targets():
    X = np.random.default_rng(0).normal(size=(6, 4, 2))
    model = Sequential([SimpleRNN(3, return_sequences=True)], seed=0)
    model.compile(optimizer=optim.Adam(learning_rate=0.05), loss="mse")
    history = model.fit(X, np.tanh(X[..., :1].repeat(3, axis=-1)), epochs=20, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    with pytest.raises(ValueError, match=r"y must have shape \(6, 4, 3\)"):
        model.fit(X, np.zeros((6, 4, 2)), verbose=0)


# 7. Layer names


def test_layer_names_and_summary_match_keras(keras, capsys):
    def layers(lib):
        return [
            lib.Dense(4),
            lib.Dense(2, name="scores"),
            lib.SimpleRNN(3),
            lib.Conv2D(2, 3),
            lib.MaxPooling2D(),
            lib.Flatten(),
            lib.Dense(1),
            lib.Conv2D(2, 3),
        ]

    class Ours:
        Dense, SimpleRNN, Conv2D, MaxPooling2D, Flatten = Dense, SimpleRNN, Conv2D, MaxPooling2D, Flatten

    keras.backend.clear_session()
    clear_session()
    expected = [layer.name for layer in layers(keras.layers)]
    assert expected[:3] == ["dense", "scores", "simple_rnn"]
    assert [layer.name for layer in layers(Ours)] == expected
    # The counter runs for the session, as in Keras: a second model's first Dense is dense_2.
    model = Sequential([Dense(8, activation="relu"), Dense(2, activation="softmax")], input_dim=3)
    keras_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8), keras.layers.Dense(2)])
    assert (
        [layer.name for layer in model.layers] == [layer.name for layer in keras_model.layers] == ["dense_2", "dense_3"]
    )
    model.summary()
    out = capsys.readouterr().out
    assert "dense_2 (Dense)" in out and "dense_3 (Dense)" in out and "(None, 8)" in out
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        Dense(2, name="")


def test_two_layers_with_one_name_are_refused_like_keras(keras):
    for build in (
        lambda lib, seq: seq([lib.Dense(2, name="a"), lib.Dense(3, name="a")]),
        lambda lib, seq: seq([lib.Dense(2, name="a")]).add(lib.Dense(3, name="a")),
    ):
        with pytest.raises(ValueError) as theirs:
            build(keras.layers, lambda layers: keras.Sequential([keras.Input((3,)), *layers]))
        with pytest.raises(ValueError) as ours:
            build(types.SimpleNamespace(Dense=Dense), Sequential)
        assert str(ours.value) == str(theirs.value)


def test_to_keras_keeps_the_layer_names(keras):
    model = Sequential([Dense(4, activation="relu", name="hidden"), Dense(2, activation="softmax")], input_dim=3)
    assert [layer.name for layer in to_keras(model).layers] == [layer.name for layer in model.layers]
