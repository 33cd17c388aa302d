"""course_lib.model: the from-scratch Sequential MLP — gradients, parity with Keras, accuracy, determinism."""

import numpy as np
import pytest

from course_lib import datasets, initializers, optim
from course_lib.dense import Dense
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.initializers import max_column_difference
from course_lib.keras_bridge import to_keras
from course_lib.model import Sequential

ACTIVATIONS = ["relu", "sigmoid", "tanh", None]


def small_model(loss, hidden_activation="tanh", dtype="float64", seed=0):
    out = {
        "categorical_crossentropy": Dense(3, activation="softmax"),
        "binary_crossentropy": Dense(1, activation="sigmoid"),
    }
    out["mse"] = Dense(2, activation="sigmoid")
    model = Sequential(
        [Dense(5, activation=hidden_activation), Dense(4, activation="relu"), out[loss]], seed=seed, dtype=dtype
    )
    model.compile(optimizer="sgd", loss=loss)
    return model


def small_data(loss, m=7, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 4))
    y = {
        "categorical_crossentropy": rng.integers(0, 3, size=m),
        "binary_crossentropy": rng.integers(0, 2, size=m).astype(float),
        "mse": rng.uniform(size=(m, 2)),
    }[loss]
    return X, y


LOSSES = ["categorical_crossentropy", "binary_crossentropy", "mse"]


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", None])
def test_gradients_pass_finite_differences(loss, hidden):
    model = small_model(loss, hidden)
    X, y = small_data(loss)
    _, grads = model.compute_gradients(X, y)
    weights = model.get_weights()
    names = list(model.params)

    def f(params):
        model.set_weights([params[n] for n in names])
        return model.compute_gradients(X, y)[0]

    numeric = numerical_gradient(f, dict(zip(names, weights)))
    model.set_weights(weights)
    for name in names:
        assert relative_error(grads[name], numeric[name]) < 1e-6, name


@pytest.mark.tf
@pytest.mark.parametrize("loss", LOSSES)
def test_gradients_and_predictions_match_keras_with_the_same_weights(loss):
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf

    model = small_model(loss, "sigmoid")
    X, y = small_data(loss)
    model.predict(X)
    clone = to_keras(model)
    np.testing.assert_allclose(model.predict(X), np.asarray(clone(X)), rtol=1e-6, atol=1e-12)

    keras_loss = {
        "categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy(dtype="float64"),
        "binary_crossentropy": keras.losses.BinaryCrossentropy(dtype="float64"),
        "mse": keras.losses.MeanSquaredError(dtype="float64"),
    }[loss]
    target = y[:, None] if loss == "binary_crossentropy" else y
    with tf.GradientTape() as tape:
        value = keras_loss(tf.constant(target), clone(tf.constant(X)))
    keras_grads = tape.gradient(value, clone.trainable_variables)
    ours_loss, ours = model.compute_gradients(X, y)
    assert ours_loss == pytest.approx(float(value), rel=1e-6)
    for ours_g, theirs in zip(ours.values(), keras_grads):
        np.testing.assert_allclose(ours_g, np.asarray(theirs), rtol=1e-6, atol=1e-10)


@pytest.mark.tf
def test_keras_weights_copied_into_the_scratch_model_predict_the_same():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(0)
    net = keras.Sequential(
        [
            keras.Input((6,), dtype="float32"),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], input_dim=6)
    model.set_weights(net.get_weights())
    X = np.random.default_rng(0).normal(size=(10, 6)).astype(np.float32)
    np.testing.assert_allclose(model.predict(X), net.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_digits_8x8_accuracy_is_at_least_97_percent():
    X_train, X_test, y_train, y_test = datasets.load_digits_8x8()
    model = Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer=optim.Adam(learning_rate=0.003), loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X_train, y_train, epochs=30, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(X_test, y_test)
    print(f"8x8 digits test accuracy: {accuracy:.4f}")
    assert accuracy >= 0.97


def test_mnist_subset_accuracy_is_at_least_94_percent():
    X_train, X_test, y_train, y_test = datasets.load_mnist_subset()
    model = Sequential(
        [Dense(256, activation="relu"), Dense(128, activation="relu"), Dense(10, activation="softmax")], seed=0
    )
    model.compile(optimizer=optim.Adam(learning_rate=0.001), loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X_train, y_train, epochs=15, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(X_test, y_test)
    print(f"MNIST subset test accuracy: {accuracy:.4f}")
    assert accuracy >= 0.94


def test_fit_is_deterministic_given_the_seed_and_records_history():
    X, y = datasets.moons(n=120, noise=0.1, seed=0)

    def train(seed):
        model = Sequential([Dense(8, activation="tanh"), Dense(2, activation="softmax")], seed=seed)
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(X, y, epochs=4, batch_size=16, validation_data=(X[:20], y[:20]), verbose=0)
        return model, history

    a, hist_a = train(3)
    b, hist_b = train(3)
    c, _ = train(4)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert hist_a.history == hist_b.history
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])
    assert set(hist_a.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 4 for v in hist_a.history.values()) and hist_a.epoch == [0, 1, 2, 3]
    assert hist_a.history["loss"][-1] < hist_a.history["loss"][0]
    assert a.params["W1"].dtype == np.float32


def test_binary_training_learns_xor_and_history_matches_evaluate_without_shuffle():
    X, y = datasets.xor(n=200, noise=0.1, seed=0)
    model = Sequential([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], seed=0, dtype="float64")
    model.compile(optimizer=optim.Adam(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=40, batch_size=200, verbose=0, shuffle=False)
    loss, accuracy = model.evaluate(X, y)
    assert accuracy >= 0.97
    # With one full batch the epoch's loss is the loss before its update: one more epoch shows it.
    history = model.fit(X, y, epochs=1, batch_size=200, verbose=0)
    assert history.history["loss"][0] == pytest.approx(loss)


def test_identical_initial_weights_keep_hidden_units_identical():
    X, y = datasets.moons(n=100, noise=0.1, seed=0)

    def hidden_after_training(init):
        model = Sequential(
            [
                Dense(6, activation="tanh", kernel_initializer=init),
                Dense(2, activation="softmax", kernel_initializer=init),
            ]
        )
        model.compile(optimizer=optim.SGD(learning_rate=0.5), loss="categorical_crossentropy", metrics=["accuracy"])
        model.fit(X, y, epochs=20, batch_size=20, verbose=0)
        return model.params["W1"]

    W_const = hidden_after_training("constant")
    assert max_column_difference(W_const) < 1e-6
    assert not np.allclose(W_const, 0.05)  # the weights did move, all together
    assert max_column_difference(hidden_after_training("glorot_uniform")) > 0.1


def test_count_params_summary_and_weights_order(capsys):
    model = Sequential([Dense(32, activation="relu"), Dense(10, activation="softmax")], input_dim=64)
    assert model.count_params() == 64 * 32 + 32 + 32 * 10 + 10
    assert [w.shape for w in model.get_weights()] == [(64, 32), (32,), (32, 10), (10,)]
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 2,410" in out and "(None, 32)" in out
    he = Sequential([Dense(400, kernel_initializer="he_normal")], input_dim=300, seed=1).get_weights()[0]
    assert he.std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m: m.fit(np.zeros((5, 3)), np.zeros(5, int), verbose=0), ValueError, r"X must have shape \(m, 4\)"),
        (lambda m: m.fit(np.zeros((5, 4)), np.zeros(4, int), verbose=0), ValueError, "y must have 5 entries"),
        (lambda m: m.fit(np.zeros((5, 4)), np.full(5, 7), verbose=0), ValueError, "labels 0 .. 2"),
        (lambda m: m.fit(np.zeros((5, 4)), np.zeros(5, int), epochs=0), ValueError, "epochs"),
        (lambda m: m.fit(np.zeros((5, 4)), np.zeros(5, int), batch_size=2.5), ValueError, "batch_size"),
        (lambda m: m.predict(np.zeros(4)), ValueError, "X must be 2-D"),
        (lambda m: m.compile(loss="hinge"), ValueError, "unknown loss"),
        (lambda m: m.compile(optimizer="rmsprop"), ValueError, "unknown optimizer"),
        (lambda m: m.compile(loss="binary_crossentropy"), ValueError, "sigmoid"),
        (lambda m: m.set_weights([np.zeros((4, 5))]), ValueError, "list of 6 arrays"),
        (
            lambda m: m.set_weights([np.zeros((5, 4))] + m.get_weights()[1:]),
            ValueError,
            r"weights\[0\] must have shape \(4, 5\)",
        ),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, message):
    model = small_model("categorical_crossentropy")
    model.build(4)
    with pytest.raises(error, match=message):
        call(model)


def test_bad_layers_and_models_are_rejected():
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(3, activation="swish")
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(ValueError, match="kernel_initializer"):
        Dense(3, kernel_initializer="orthogonal")
    with pytest.raises(ValueError, match="course_lib layers"):
        Sequential([3])
    with pytest.raises(RuntimeError, match="no layers"):
        Sequential().predict(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="dtype"):
        Sequential([Dense(2)], dtype="int32")
    with pytest.raises(RuntimeError, match="compile"):
        Sequential([Dense(2)]).fit(np.zeros((2, 2)), np.zeros(2))


def test_fit_progress_bar_only_when_verbose(capsys):
    X, y = datasets.moons(n=40, seed=0)
    model = Sequential([Dense(4, activation="relu"), Dense(2, activation="softmax")])
    model.compile()
    model.fit(X, y, epochs=2, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    model.fit(X, y, epochs=2, verbose=1)
    assert "training" in capsys.readouterr().err


def test_training_loop_activations_equal_course_lib_activations():
    from course_lib import activations
    from course_lib.activations import FORMULAS

    z = np.random.default_rng(0).normal(size=(6, 5)) * 30
    dA = np.random.default_rng(1).normal(size=(6, 5))
    checked = {
        "linear": (lambda z: z, lambda z: np.ones_like(z)),
        "relu": (activations.relu, activations.relu_derivative),
        "sigmoid": (activations.sigmoid, activations.sigmoid_derivative),
        "tanh": (activations.tanh, activations.tanh_derivative),
    }
    for name, (f, df) in checked.items():
        forward, backward = FORMULAS[name]
        A = forward(z)
        np.testing.assert_allclose(A, f(z), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(backward(dA, z, A), dA * df(z), rtol=1e-12, atol=1e-15)
    forward, backward = FORMULAS["softmax"]
    A = forward(z)
    np.testing.assert_allclose(A, activations.softmax(z), rtol=1e-12, atol=1e-15)
    jacobians = np.einsum("mi,ij->mij", A, np.eye(5)) - np.einsum("mi,mj->mij", A, A)
    np.testing.assert_allclose(backward(dA, z, A), np.einsum("mij,mj->mi", jacobians, dA), atol=1e-12)
    assert FORMULAS["sigmoid"][0](z.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("make", [lambda: optim.Adam(learning_rate=0.01), lambda: optim.SGD(learning_rate=0.1)])
def test_the_lean_update_of_fit_equals_the_optimizers_apply(make):
    from course_lib.model import _apply_update

    rng = np.random.default_rng(0)
    params_a = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2)}
    params_b = {k: v.copy() for k, v in params_a.items()}
    opt_a, opt_b = make(), make()
    for _ in range(5):
        grads = {k: rng.normal(size=v.shape) for k, v in params_a.items()}
        opt_a.apply(params_a, grads)
        _apply_update(opt_b, params_b, grads)
    for key in params_a:
        np.testing.assert_allclose(params_b[key], params_a[key], rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------
# The API as a Keras user expects it (issue 7, section 5).


def _moons_model(**compile_kwargs):
    X, y = datasets.moons(n=200, noise=0.1, seed=0)
    model = Sequential([Dense(8, activation="tanh"), Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer=optim.Adam(learning_rate=0.02), **compile_kwargs)
    return model, X, y


def test_arguments_after_y_are_keyword_only():
    model, X, y = _moons_model(loss="categorical_crossentropy")
    with pytest.raises(TypeError):
        model.fit(X, y, 8, 3)
    with pytest.raises(TypeError):
        model.evaluate(X, y, 32)
    with pytest.raises(TypeError):
        model.predict(X, 32)


def test_keras_optimizer_is_rejected_at_compile():
    keras = pytest.importorskip("keras")
    model = Sequential([Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match="Keras optimizer.*course_lib.optim.Adam"):
        model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="Keras layer"):
        Sequential([keras.layers.Dense(2)])


def test_metrics_accuracy_is_reported_only_when_asked():
    model, X, y = _moons_model(loss="categorical_crossentropy")
    history = model.fit(X, y, epochs=3, verbose=0)
    assert set(history.history) == {"loss"}
    assert isinstance(model.evaluate(X, y), float)
    model, X, y = _moons_model(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=3, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    loss, acc = model.evaluate(X, y, verbose=0)
    assert 0.0 <= acc <= 1.0
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile(loss="categorical_crossentropy", metrics=["auc"])
    with pytest.raises(ValueError, match="list of names"):
        model.compile(loss="categorical_crossentropy", metrics="accuracy")


def test_regression_with_mse_reports_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = Sequential([Dense(1)], seed=0)
    model.compile(optimizer=optim.Adam(learning_rate=0.05), loss="mean_squared_error")
    history = model.fit(X, y, epochs=30, verbose=0)
    assert list(history.history) == ["loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert isinstance(model.evaluate(X, y), float)
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    with pytest.raises(ValueError, match="accuracy means nothing"):
        model.fit(X, y, epochs=1, verbose=0)


def test_validation_split_holds_out_the_last_samples_like_keras():
    model, X, y = _moons_model(loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=1, verbose=0, validation_split=0.25, shuffle=False)
    twin, _, _ = _moons_model(loss="categorical_crossentropy", metrics=["accuracy"])
    twin.fit(X[:150], y[:150], epochs=1, verbose=0, shuffle=False)
    assert history.history["val_loss"][0] == pytest.approx(twin.evaluate(X[150:], y[150:])[0])
    with pytest.raises(ValueError, match="not both"):
        model.fit(X, y, validation_split=0.2, validation_data=(X, y), verbose=0)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        model.fit(X, y, validation_split=1.5, verbose=0)


def test_add_call_labels_column_and_use_bias_false():
    X, y = datasets.moons(n=100, noise=0.1, seed=0)
    model = Sequential(seed=0)
    model.add(Dense(6, activation="relu", use_bias=False))
    model.add(Dense(2, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y[:, None], epochs=2, verbose=0)  # labels (m, 1)
    assert [w.shape for w in model.get_weights()] == [(2, 6), (6, 2), (2,)]
    assert set(model.params) == {"W1", "W2", "b2"}
    np.testing.assert_array_equal(model(X), model.predict(X, verbose=0, batch_size=16))
    assert model.evaluate(X, y[:, None]) == model.evaluate(X, y)
    model.add(Dense(2, activation="softmax"))  # adding to a built model builds the new layer
    assert model.predict(X).shape == (100, 2)


def test_use_bias_false_matches_keras():
    keras = pytest.importorskip("keras")
    from course_lib.keras_bridge import to_keras

    X = np.random.default_rng(0).normal(size=(5, 3))
    model = Sequential([Dense(4, activation="tanh", use_bias=False), Dense(2)], input_dim=3, dtype="float64")
    np.testing.assert_allclose(model.predict(X), to_keras(model).predict(X, verbose=0), rtol=1e-6, atol=1e-9)
    assert keras is not None


def test_scalar_arguments_are_validated():
    from course_lib import activations

    with pytest.raises(ValueError, match="n_in"):
        initializers.glorot_limit(0, 0)
    with pytest.raises(ValueError, match="seed"):
        initializers.init_dense(2, 3, seed=1.5)
    with pytest.raises(ValueError, match="seed"):
        Sequential([Dense(2)], seed="0")
    with pytest.raises(ValueError, match="max_value"):
        activations.clipped_relu(np.ones(2), max_value=-1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        optim.Adam(learning_rate="0.01")
    with pytest.raises(ValueError, match="lr"):
        optim.gradient_descent_step({"w": np.ones(2)}, {"w": np.ones(2)}, "0.1")
    from course_lib import neuron

    with pytest.raises(ValueError, match="z must"):
        neuron.sigmoid("3")
    with pytest.raises(ValueError, match="use_bias"):
        Dense(2, use_bias="no")


def test_sequence_outputs_take_labels_with_or_without_a_last_axis_and_images_need_flatten():
    from course_lib.recurrent_layers import SimpleRNN

    X = np.random.default_rng(0).normal(size=(4, 5, 2))
    labels = np.arange(20).reshape(4, 5) % 3
    model = Sequential([SimpleRNN(3, return_sequences=True), Dense(3, activation="softmax")], dtype="float64")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.evaluate(X, labels) == model.evaluate(X, labels[..., None]) == model.evaluate(X, np.eye(3)[labels])
    with pytest.raises(ValueError, match="labels 0 .. 2"):
        model.evaluate(X, labels + 1)
    with pytest.raises(ValueError, match=r"Flatten\(\)"):
        Sequential([Dense(2)], input_shape=(4, 4, 1))
