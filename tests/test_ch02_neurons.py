"""Chapter 2: the neuron module and its exercises' checks."""

import numpy as np
import pytest

from course_lib import neuron
from course_lib.figures import ch02 as figures
from tests.exercise_helpers import assert_exercise


def ws_loop(x, w, b):
    x = np.asarray(x, dtype=float)
    rows = x.reshape(-1, x.shape[-1])
    out = np.empty(len(rows))
    for i, row in enumerate(rows):
        total = b
        for xi, wi in zip(row, w):
            total += xi * wi
        out[i] = total
    return out[0] if x.ndim == 1 else out


def ws_float32(x, w, b):
    return np.asarray(x, np.float32) @ np.asarray(w, np.float32) + np.float32(b)


def ws_einsum(x, w, b):
    return np.einsum("...i,i->...", x, w) + b


def neuron_tanh_identity(x, w, b):
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: another stable formula
    return 0.5 * (1.0 + np.tanh(0.5 * (x @ w + b)))


def neuron_float32(x, w, b):
    z = np.asarray(x, np.float32) @ np.asarray(w, np.float32) + np.float32(b)
    return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


ALTERNATIVES = {
    "weighted_sum": [ws_loop, ws_float32, ws_einsum],
    "neuron": [neuron_tanh_identity, neuron_float32],
}
WRONG = {
    "weighted_sum": [
        (lambda x, w, b: None, "wrong_type"),
        (lambda x, w, b: np.atleast_1d(x @ w + b)[:, None], "wrong_shape"),
        (lambda x, w, b: (x @ w + b) * np.nan, "non_finite"),
    ],
    "neuron": [
        (lambda x, w, b: [1 / (1 + np.exp(-(x @ w + b)))], "wrong_type"),
        (lambda x, w, b: np.round(1 / (1 + np.exp(-(x @ w + b)))), "wrong_value"),
        (lambda x, w, b: np.exp(x @ w + b) / (1 + np.exp(x @ w + b)), "non_finite"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_weighted_sum_values():
    assert neuron.weighted_sum([1, 2], [0.5, -0.25], 0.1) == pytest.approx(0.1)
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(neuron.weighted_sum(X, [1.0, 1.0], 1.0), [4.0, 8.0])


def test_sigmoid_is_stable():
    z = np.array([-1e4, -10.0, 0.0, 10.0, 1e4])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = neuron.sigmoid(z)
    np.testing.assert_allclose(out, [0.0, 4.5397868702434395e-05, 0.5, 0.9999546021312976, 1.0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1.0, 2.0, 3.0], [1.0, 2.0], 0.0), "x must have 2 features"),
        (([[[1.0]]], [1.0], 0.0), "x must be 1-D or 2-D"),
        (([1.0, 2.0], [1.0, 2.0], [1.0, 2.0]), "b must be a single number"),
        ((["a", "b"], [1.0, 2.0], 0.0), "x must hold numbers"),
        ((None, [1.0], 0.0), "got None"),
    ],
)
def test_bad_input_is_rejected_clearly(args, message):
    with pytest.raises(ValueError, match=message):
        neuron.weighted_sum(*args)


def test_decision_boundary_is_where_output_is_one_half():
    w, b = np.array([2.0, -1.0]), 0.5
    x1 = np.linspace(-2, 2, 5)
    x2 = neuron.decision_boundary(w, b, x1)
    np.testing.assert_allclose(neuron.neuron(np.column_stack([x1, x2]), w, b), 0.5)
    assert neuron.decision_boundary([1.0, 0.0], 0.0, x1) is None


# --- neuron_layer -----------------------------------------------------------


def layer_loop_over_neurons(x, W, b):
    # Each column of W is one neuron; stack the single-neuron outputs side by side.
    return np.stack([neuron.neuron(x, W[:, j], float(b[j])) for j in range(W.shape[1])], axis=-1)


def layer_float32(x, W, b):
    z = np.asarray(x, np.float32) @ np.asarray(W, np.float32) + np.asarray(b, np.float32)
    return 0.5 * (1 + np.tanh(0.5 * z))


def layer_einsum(x, W, b):
    z = np.einsum("...i,ij->...j", x, W) + b
    return np.exp(-np.logaddexp(0.0, -z))  # sigmoid(z) = e^(−log(1 + e^(−z)))


ALTERNATIVES["neuron_layer"] = [layer_loop_over_neurons, layer_float32, layer_einsum]
WRONG["neuron_layer"] = [
    (lambda x, W, b: (1 / (1 + np.exp(-(x @ W + b)))).tolist(), "wrong_type"),
    (lambda x, W, b: (1 / (1 + np.exp(-(x @ W + b)))).T, "wrong_shape"),
    (lambda x, W, b: np.exp(x @ W + b) / (1 + np.exp(x @ W + b)), "non_finite"),
    (lambda x, W, b: (x @ W + b > 0).astype(float), "wrong_value"),
]


def test_neuron_layer_contract():
    # (added after the parametrised contract test above was defined, so it needs its own call)
    assert_exercise("neuron_layer", ALTERNATIVES["neuron_layer"], WRONG["neuron_layer"])


def test_neuron_layer_columns_are_single_neurons():
    rng = np.random.default_rng(1)
    X, W, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    out = neuron.neuron_layer(X, W, b)
    assert out.shape == (6, 4)
    for j in range(4):
        np.testing.assert_allclose(out[:, j], neuron.neuron(X, W[:, j], float(b[j])))
    assert neuron.neuron_layer(X[0], W, b).shape == (4,)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.ones(3), np.ones((2, 4)), np.ones(4)), "x must have 2 features"),
        ((np.ones(2), np.ones((2, 4)), np.ones(3)), r"b must have shape \(4,\)"),
        ((np.ones(2), np.ones(2), np.ones(1)), "W must be 2-D"),
    ],
)
def test_neuron_layer_rejects_mismatched_shapes(args, message):
    with pytest.raises(ValueError, match=message):
        neuron.neuron_layer(*args)


@pytest.mark.tf
def test_neuron_layer_matches_a_keras_dense_sigmoid_layer():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    rng = np.random.default_rng(2)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    layer = keras.layers.Dense(2, activation="sigmoid", dtype="float64")
    layer.build((None, 3))
    layer.set_weights([W, b])
    np.testing.assert_allclose(neuron.neuron_layer(X, W, b), np.asarray(layer(X)), rtol=1e-6, atol=1e-12)


# --- the slider demo's drawing function --------------------------------------


@pytest.fixture
def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def _boundary(fig):
    lines = [line for line in fig.axes[0].get_lines() if line.get_gid() == "decision-boundary"]
    return lines[0] if lines else None


@pytest.mark.parametrize(("w1", "w2", "b"), [(1.0, 1.0, 0.0), (2.0, -0.5, 1.0), (-0.3, 1.7, -2.0)])
def test_draw_neuron_plots_the_line_where_z_is_zero(plt, w1, w2, b):
    fig = figures.draw_neuron(w1, w2, b)
    x1, x2 = _boundary(fig).get_data()
    np.testing.assert_allclose(w1 * np.asarray(x1) + w2 * np.asarray(x2) + b, 0.0, atol=1e-12)
    np.testing.assert_allclose(neuron.neuron(np.column_stack([x1, x2]), [w1, w2], b), 0.5)
    assert fig.axes[0].get_xlabel() == "$x_1$" and fig.axes[0].get_ylabel() == "$x_2$"
    assert len(fig.axes) == 2  # the plot and the colour bar of the output


def test_draw_neuron_vertical_and_missing_boundary(plt):
    x1, x2 = _boundary(figures.draw_neuron(2.0, 0.0, 1.0)).get_data()
    np.testing.assert_allclose(x1, [-0.5, -0.5])
    assert x2[0] != x2[1]
    fig = figures.draw_neuron(0.0, 0.0, 1.0)
    assert _boundary(fig) is None and "no boundary" in fig.axes[0].get_title()


def test_draw_neuron_counts_the_points_on_the_right_side(plt):
    X, y = neuron.demo_points()
    w, b = np.array([1.0, 1.0]), 0.0
    expected = int(np.sum((neuron.neuron(X, w, b) > 0.5) == (y == 1)))
    fig = figures.draw_neuron(*w, b, X=X, y=y)
    assert f"{expected} of {len(y)} points" in fig.axes[0].get_title()
    assert 30 <= expected < 40  # the demo data are nearly, not perfectly, separable by this line
    with pytest.raises(ValueError, match="pass both X"):
        figures.draw_neuron(1.0, 1.0, 0.0, X=X)
    with pytest.raises(ValueError, match=r"y must have shape \(40,\)"):
        figures.draw_neuron(1.0, 1.0, 0.0, X=X, y=y[:-1])


def test_demo_points_are_reproducible_and_balanced():
    X, y = neuron.demo_points(10, seed=3)
    X2, _ = neuron.demo_points(10, seed=3)
    assert X.shape == (10, 2) and np.array_equal(X, X2) and y.sum() == 5
    with pytest.raises(ValueError, match="even number"):
        neuron.demo_points(7)


def test_the_neuron_demo_runs_through_slider_demo(plt, monkeypatch):
    import ipywidgets

    from course_lib import widgets

    monkeypatch.setattr("IPython.display.display", lambda *a, **k: None)
    live = widgets.slider_demo(
        figures.draw_neuron_demo,
        w1=ipywidgets.FloatSlider(value=1.5, min=-3, max=3),
        w2=ipywidgets.FloatSlider(value=0.0, min=-3, max=3),
        b=ipywidgets.FloatSlider(value=0.5, min=-3, max=3),
    )
    sliders = [c for c in live.widget.children if isinstance(c, ipywidgets.FloatSlider)]
    assert [s.description for s in sliders] == ["w1", "w2", "b"]
    # The static figure drawn first shows the default state, boundary included.
    # w2 = 0, so the boundary is the vertical line x1 = -b / w1.
    x1, _ = _boundary(plt.figure(plt.get_fignums()[0])).get_data()
    np.testing.assert_allclose(x1, [-0.5 / 1.5, -0.5 / 1.5])


# --- neuron_accuracy (multi-step) -------------------------------------------------


def accuracy_loop(X, y, w, b):
    right = 0
    for x_i, y_i in zip(X, y):
        z = float(np.dot(x_i, w) + b)
        p = 1.0 / (1.0 + np.exp(-z)) if z >= 0 else np.exp(z) / (1.0 + np.exp(z))
        right += int((p >= 0.5) == (y_i == 1))
    return right / len(y)


def accuracy_on_z(X, y, w, b):
    # σ(z) ≥ 0.5 exactly when z ≥ 0: the sigmoid need not be computed at all
    return float(np.mean((X @ w + b >= 0) == y.astype(bool)))


def accuracy_float32(X, y, w, b):
    z = X.astype(np.float32) @ w.astype(np.float32) + np.float32(b)
    return np.float32(np.mean((z >= 0) == (y > 0.5)))


ALTERNATIVES["neuron_accuracy"] = [accuracy_loop, accuracy_on_z, accuracy_float32]
WRONG["neuron_accuracy"] = [
    (lambda X, y, w, b: (X @ w + b >= 0) == y, "wrong_shape"),
    (lambda X, y, w, b: None, "wrong_type"),
    (lambda X, y, w, b: float(np.mean((X @ w + b >= 0) == y)) + 0.01, "wrong_value"),
]


def test_neuron_accuracy_contract():
    assert_exercise("neuron_accuracy", ALTERNATIVES["neuron_accuracy"], WRONG["neuron_accuracy"])
    with pytest.raises(ValueError, match="labels 0 and 1"):
        neuron.neuron_accuracy(np.ones((2, 2)), np.array([0.0, 2.0]), np.ones(2), 0.0)
