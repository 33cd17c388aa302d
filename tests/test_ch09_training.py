"""Chapter 9: the exercises' checks, the metrics and the chapter's reference functions."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import datasets, initializers, losses, metrics
from course_lib.figures import ch09 as figures
from tests.exercise_helpers import assert_exercise, independent

# --- one_hot -------------------------------------------------------------------


def one_hot_loop(y, num_classes):
    out = np.zeros((len(y), num_classes))
    for i, label in enumerate(y):
        out[i, label] = 1.0
    return out


def one_hot_compare(y, num_classes):
    return (np.asarray(y)[:, None] == np.arange(num_classes)).astype(np.float32)


def one_hot_eye(y, num_classes):
    return np.eye(num_classes)[y]


# --- accuracy ------------------------------------------------------------------


def accuracy_loop(y_true, y_pred):
    right = 0
    for t, p in zip(y_true, y_pred):
        right += int(t == p)
    return right / len(y_true)


def accuracy_count_nonzero(y_true, y_pred):
    return np.count_nonzero(np.equal(y_true, y_pred)) / np.size(y_true)


# --- init_dense ----------------------------------------------------------------


def init_affine(n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (n_in + n_out))
    u = rng.random((n_in, n_out))  # uniform(low, high) is low + (high - low) * random()
    return -limit + 2 * limit * u, np.zeros(n_out)


def init_float32(n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    limit = np.float32(np.sqrt(6.0 / (n_in + n_out)))
    return rng.uniform(-limit, limit, size=(n_in, n_out)).astype(np.float32), np.zeros(n_out, np.float32)


# --- softmax_cross_entropy_backward ------------------------------------------------


def sce_loop(probs, Y):
    m = probs.shape[0]
    out = np.empty_like(probs)
    for i in range(m):
        out[i] = (probs[i] - Y[i]) / m
    return out


def sce_via_jacobian(probs, Y):
    # dL/dp = -Y / (m p); dZ = p * (dL/dp - sum(dL/dp * p)): the general softmax backward pass.
    m = probs.shape[0]
    dP = -Y / (m * probs)
    return probs * (dP - np.sum(dP * probs, axis=1, keepdims=True))


def sce_float32(probs, Y):
    return ((probs - Y) / len(probs)).astype(np.float32)


# --- confusion_matrix ----------------------------------------------------------


def cm_loop(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        C[t, p] += 1
    return C


def cm_add_at(y_true, y_pred, num_classes):
    C = np.zeros((num_classes, num_classes))
    np.add.at(C, (y_true, y_pred), 1)
    return C


def cm_outer(y_true, y_pred, num_classes):
    eye = np.eye(num_classes)
    return eye[y_true].T @ eye[y_pred]


ALTERNATIVES = {
    "one_hot": [one_hot_loop, one_hot_compare, one_hot_eye],
    "accuracy": [accuracy_loop, accuracy_count_nonzero],
    "init_dense": [init_affine, init_float32],
    "softmax_cross_entropy_backward": [sce_loop, sce_via_jacobian, sce_float32],
    "confusion_matrix": [cm_loop, cm_add_at, cm_outer],
}
_own_init_dense = independent(initializers.init_dense)

WRONG = {
    "one_hot": [
        (lambda y, k: np.asarray(y)[:, None] == np.arange(k), "wrong_type"),
        (lambda y, k: np.eye(k)[y].tolist(), "wrong_type"),
        (lambda y, k: np.eye(k)[y].ravel(), "wrong_shape"),
        (lambda y, k: np.eye(k)[y] * 0.5, "wrong_value"),
    ],
    "accuracy": [
        (lambda y_true, y_pred: y_true == y_pred, "wrong_shape"),
        (lambda y_true, y_pred: None, "wrong_type"),
        (lambda y_true, y_pred: np.mean(y_true == y_pred) / 0.0, "non_finite"),
    ],
    "init_dense": [
        (lambda n_in, n_out, seed: np.zeros((n_in, n_out)), "wrong_type"),
        (lambda n_in, n_out, seed: (np.ones((n_in, n_out)), np.zeros(n_out)), "wrong_value"),
        (lambda n_in, n_out, seed: (_own_init_dense(n_in, n_out, seed)[0], np.zeros((n_out, 1))), "wrong_shape"),
        (lambda n_in, n_out, seed: (_own_init_dense(n_in, n_out, seed)[0] * np.inf, np.zeros(n_out)), "non_finite"),
    ],
    "softmax_cross_entropy_backward": [
        (lambda probs, Y: np.mean(probs - Y, axis=0), "wrong_shape"),
        (lambda probs, Y: (probs - Y) / 0.0, "non_finite"),
        (lambda probs, Y: probs.copy(), "wrong_value"),
    ],
    "confusion_matrix": [
        (lambda t, p, k: cm_loop(t, p, k).tolist(), "wrong_type"),
        (lambda t, p, k: np.bincount(t * k + p, minlength=k * k), "wrong_shape"),
        (lambda t, p, k: np.diag(np.bincount(t[t == p], minlength=k)), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_an_input_mutating_confusion_matrix_is_caught():
    from course_lib import checks

    def sorts_in_place(y_true, y_pred, k):
        order = np.argsort(y_true)
        y_true[:] = y_true[order]
        y_pred[:] = y_pred[order]
        return cm_loop(y_true, y_pred, k)

    assert checks.run("confusion_matrix", sorts_in_place).status == "mutated_input"


# --- metrics against scikit-learn -----------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            st.just(k), st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), min_size=1, max_size=50)
        )
    )
)
def test_confusion_matrix_and_accuracy_agree_with_sklearn(data):
    from sklearn.metrics import accuracy_score
    from sklearn.metrics import confusion_matrix as sk_cm

    k, pairs = data
    warnings.filterwarnings("ignore", message="A single label", category=UserWarning)
    y_true, y_pred = (np.array(col) for col in zip(*pairs))
    C = metrics.confusion_matrix(y_true, y_pred, k)
    np.testing.assert_array_equal(C, sk_cm(y_true, y_pred, labels=list(range(k))))
    assert C.sum() == len(y_true)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(accuracy_score(y_true, y_pred))
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(np.trace(C) / C.sum())


def test_accuracy_takes_probabilities_too():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert metrics.accuracy(np.array([1, 0, 0]), probs) == pytest.approx(2 / 3)
    assert metrics.accuracy(np.array([1, 0]), np.array([[0.7], [0.4]])) == 1.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.accuracy([1, 2], [1]), r"y_pred must have shape \(2,\)"),
        (lambda: metrics.accuracy([], []), "zero samples"),
        (lambda: metrics.accuracy([0.5, 1], [1, 1]), "integer class labels"),
        (lambda: metrics.confusion_matrix([0, 3], [0, 1], 3), "labels 0 .. 2"),
        (lambda: metrics.confusion_matrix([0, 1], [0, 1], 0), "num_classes"),
    ],
)
def test_metrics_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- plots ------------------------------------------------------------------------


@pytest.fixture
def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_plot_confusion_matrix_writes_every_count(plt):
    C = metrics.confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)
    ax = figures.plot_confusion_matrix(C)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [str(v) for v in C.ravel()]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    ax2 = figures.plot_confusion_matrix(C, ax=plt.figure().gca(), normalize=True)
    assert ax2.texts[0].get_text() == "0.50"
    with pytest.raises(ValueError, match="square"):
        figures.plot_confusion_matrix(np.ones((2, 3)))


def test_plot_history_and_misclassified(plt):
    fig = figures.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]})
    assert [len(ax.lines) for ax in fig.axes] == [2, 1]
    assert fig.axes[0].get_xlabel() == "epoch"
    images = np.zeros((4, 8, 8))
    fig = figures.plot_misclassified(images, [1, 2, 3, 4], [1, 0, 3, 0])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["2 → 0", "4 → 0"]
    with pytest.raises(ValueError, match="history"):
        figures.plot_history([1, 2])


# --- the chapter's reference functions ------------------------------------------------


def test_init_dense_statistics_match_glorot():
    W, b = initializers.init_dense(300, 200, seed=0)
    limit = np.sqrt(6 / 500)
    assert W.shape == (300, 200) and np.all(b == 0)
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    assert abs(W.mean()) < 0.01 * limit
    assert W.var() == pytest.approx(2 / 500, rel=0.03)
    np.testing.assert_array_equal(W, initializers.init_dense(300, 200, seed=0)[0])
    with pytest.raises(ValueError, match="n_in"):
        initializers.init_dense(0, 3)


def test_softmax_cross_entropy_backward_is_the_gradient_of_the_loss():
    from course_lib.gradcheck import numerical_gradient

    rng = np.random.default_rng(0)
    Z = rng.normal(size=(5, 4))
    Y = np.eye(4)[[0, 3, 1, 1, 2]]

    def loss(p):
        e = np.exp(p["Z"] - p["Z"].max(axis=1, keepdims=True))
        probs = e / e.sum(axis=1, keepdims=True)
        return -np.mean(np.sum(Y * np.log(probs), axis=1))

    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    numeric = numerical_gradient(loss, {"Z": Z})["Z"]
    np.testing.assert_allclose(losses.softmax_cross_entropy_backward(probs, Y), numeric, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match=r"Y must have shape \(5, 4\)"):
        losses.softmax_cross_entropy_backward(probs, Y[:, :3])


def test_max_column_difference():
    assert initializers.max_column_difference(np.ones((3, 4))) == 0.0
    assert initializers.max_column_difference(np.array([[1.0, 3.0], [0.0, 0.5]])) == 2.0


def test_one_hot_and_datasets_round_trip():
    y = np.array([3, 0, 9])
    Y = datasets.one_hot(y, 10)
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    assert Y.sum() == 3


def test_draw_prediction_plots_the_probabilities_and_colours_the_answer():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = np.zeros((3, 8, 8))
    probs = np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]])
    fig = figures.draw_prediction(images, probs, [1, 2, 2], index=1)
    bars = fig.axes[1].patches
    np.testing.assert_allclose([b.get_height() for b in bars], probs[1])
    colors = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars]
    assert colors[2] == matplotlib.colors.to_hex("C2")  # the true class
    assert colors[0] == matplotlib.colors.to_hex("C3")  # the wrong prediction
    assert "wrong" in fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="index must be an integer in \\[0, 2\\]"):
        figures.draw_prediction(images, probs, [1, 2, 2], index=3)
    with pytest.raises(ValueError, match="same m"):
        figures.draw_prediction(images, probs[:2], [1, 2, 2])


def test_metrics_read_label_columns_as_labels():
    y_true = np.array([[3], [7], [1], [1]])
    y_pred = np.array([3, 7, 2, 1])
    assert metrics.accuracy(y_true, y_pred) == 0.75
    assert metrics.accuracy(y_true.astype(float), y_pred[:, None]) == 0.75
    cm = metrics.confusion_matrix(y_true, y_pred, 8)
    assert cm[3, 3] == 1 and cm[7, 7] == 1 and cm[1, 2] == 1 and cm.sum() == 4
    # A column of probabilities is thresholded at 0.5.
    assert metrics.accuracy(np.array([0, 1, 1]), np.array([[0.2], [0.9], [0.4]])) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="labels or probabilities"):
        metrics.accuracy(np.array([0, 1]), np.array([[1.5], [-0.2]]))


# --- two_layer_gradients (multi-step) ----------------------------------------------


def two_layer_per_sample(X, Y, p):
    grads = {k: np.zeros_like(v, dtype=float) for k, v in p.items()}
    for x, y in zip(X, Y):
        z1 = x @ p["W1"] + p["b1"]
        a1 = np.maximum(z1, 0)
        z2 = a1 @ p["W2"] + p["b2"]
        a2 = np.exp(z2 - z2.max())
        a2 /= a2.sum()
        d2 = (a2 - y) / len(X)
        d1 = (p["W2"] @ d2) * (z1 > 0)
        grads["W2"] += np.outer(a1, d2)
        grads["b2"] += d2
        grads["W1"] += np.outer(x, d1)
        grads["b1"] += d1
    return grads


def two_layer_via_course_lib_blocks(X, Y, p):
    from course_lib.backprop import dense_backward

    Z1 = X @ p["W1"] + p["b1"]
    A1 = np.where(Z1 > 0, Z1, 0.0)
    Z2 = A1 @ p["W2"] + p["b2"]
    A2 = np.exp(Z2 - Z2.max(1, keepdims=True))
    A2 /= A2.sum(1, keepdims=True)
    dA1, dW2, db2 = dense_backward((A2 - Y) / len(X), A1, p["W2"])
    _, dW1, db1 = dense_backward(dA1 * (Z1 > 0), X, p["W1"])
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


ALTERNATIVES["two_layer_gradients"] = [two_layer_per_sample, two_layer_via_course_lib_blocks]
WRONG["two_layer_gradients"] = [
    (lambda X, Y, p: list(two_layer_per_sample(X, Y, p).values()), "wrong_type"),
    (lambda X, Y, p: {**two_layer_per_sample(X, Y, p), "b1": two_layer_per_sample(X, Y, p)["b1"][None]}, "wrong_shape"),
    (lambda X, Y, p: {k: v * 1.01 for k, v in two_layer_per_sample(X, Y, p).items()}, "wrong_value"),
]


def test_two_layer_gradients_contract_and_gradient_check():
    from course_lib.gradcheck import numerical_gradient, relative_error
    from course_lib.network import two_layer_gradients

    assert_exercise("two_layer_gradients", ALTERNATIVES["two_layer_gradients"], WRONG["two_layer_gradients"])
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    params = {
        "W1": rng.normal(size=(4, 5)),
        "b1": rng.normal(size=5),
        "W2": rng.normal(size=(5, 3)),
        "b2": rng.normal(size=3),
    }

    def loss(P):
        A1 = np.maximum(X @ P["W1"] + P["b1"], 0)
        return losses.categorical_cross_entropy_from_logits(Y, A1 @ P["W2"] + P["b2"])

    numeric = numerical_gradient(loss, params)
    analytic = two_layer_gradients(X, Y, params)
    assert all(relative_error(analytic[k], numeric[k]) < 1e-6 for k in params)
