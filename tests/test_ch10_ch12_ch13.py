"""Part II exercises of Chapters 10 (RBF, SOM), 12 (RNN, LSTM) and 13 (GAN losses): contracts and parity."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import gan, rbf, rnn, som
from course_lib.gradcheck import numerical_gradient, relative_error
from tests.exercise_helpers import assert_exercise


def rbf_loops(X, centres, gamma):
    out = np.empty((len(X), len(centres)))
    for i, x in enumerate(X):
        for k, c in enumerate(centres):
            out[i, k] = np.exp(-gamma * np.sum((x - c) ** 2))
    return out


def rbf_expanded(X, centres, gamma):
    # ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖², as a matrix product
    d2 = (X**2).sum(1)[:, None] - 2 * X @ centres.T + (centres**2).sum(1)[None, :]
    return np.exp(-gamma * np.maximum(d2, 0.0))


def som_loop(weights, grid, x, lr, radius):
    new = weights.copy()
    winner = min(range(len(weights)), key=lambda k: float(np.sum((weights[k] - x) ** 2)))
    for k in range(len(weights)):
        h = np.exp(-np.sum((grid[k] - grid[winner]) ** 2) / (2 * radius**2))
        new[k] = weights[k] + lr * h * (x - weights[k])
    return new


def som_norm(weights, grid, x, lr, radius):
    winner = np.argmin(np.linalg.norm(weights - x, axis=1))
    h = np.exp(-(np.linalg.norm(grid - grid[winner], axis=1) ** 2) / (2 * radius**2))
    return (1 - lr * h)[:, None] * weights + (lr * h)[:, None] * x


def rnn_step_einsum(x, h, Wx, Wh, b):
    return np.tanh(np.einsum("mi,iu->mu", x, Wx) + np.einsum("mv,vu->mu", h, Wh) + b)


def rnn_step_via_sigmoid(x, h, Wx, Wh, b):
    z = x @ Wx + h @ Wh + b
    return 2 / (1 + np.exp(-2 * z)) - 1


def rnn_forward_list(X, h0, Wx, Wh, b):
    states, h = [], h0
    for x_t in np.moveaxis(X, 1, 0):
        h = np.tanh(x_t @ Wx + h @ Wh + b)
        states.append(h)
    return np.stack(states, axis=1)


def rnn_forward_float32(X, h0, Wx, Wh, b):
    return rnn_forward_list(*(a.astype(np.float32) for a in (X, h0, Wx, Wh, b)))


def bptt_per_sample(dH, X, H, h0, Wx, Wh):
    outs = [np.zeros_like(X), np.zeros_like(h0), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])]
    for n in range(X.shape[0]):
        dh = np.zeros(Wh.shape[0])
        for t in reversed(range(X.shape[1])):
            dz = (dH[n, t] + dh) * (1 - H[n, t] ** 2)
            outs[2] += np.outer(X[n, t], dz)
            outs[3] += np.outer(H[n, t - 1] if t else h0[n], dz)
            outs[4] += dz
            outs[0][n, t] = Wx @ dz
            dh = Wh @ dz
        outs[1][n] = dh
    return tuple(outs)


def bptt_sum_of_steps(dH, X, H, h0, Wx, Wh):
    T = X.shape[1]
    dZ = np.zeros_like(H)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        dZ[:, t] = (dH[:, t] + carry) * (1 - H[:, t] ** 2)
        carry = dZ[:, t] @ Wh.T
    H_prev = np.concatenate([h0[:, None], H[:, :-1]], axis=1)
    return (
        dZ @ Wx.T,
        carry,
        np.einsum("mti,mtu->iu", X, dZ),
        np.einsum("mtv,mtu->vu", H_prev, dZ),
        dZ.sum(axis=(0, 1)),
    )


def lstm_split(x, h, c, Wx, Wh, b):
    u = h.shape[1]
    Wi, Wf, Wc, Wo = np.split(Wx, 4, axis=1)
    Ui, Uf, Uc, Uo = np.split(Wh, 4, axis=1)
    bi, bf, bc, bo = np.split(b, 4)

    def sig(z):
        return 0.5 * (1 + np.tanh(z / 2))

    i, f = sig(x @ Wi + h @ Ui + bi), sig(x @ Wf + h @ Uf + bf)
    c_new = f * c + i * np.tanh(x @ Wc + h @ Uc + bc)
    assert c_new.shape[1] == u
    return sig(x @ Wo + h @ Uo + bo) * np.tanh(c_new), c_new


def lstm_list(x, h, c, Wx, Wh, b):
    h_new, c_new = lstm_split(x, h, c, Wx, Wh, b)
    return [h_new, c_new]


def d_loss_logaddexp(real, fake):
    return float(np.mean(np.logaddexp(0, -real)) + np.mean(np.logaddexp(0, fake)))


def d_loss_loop(real, fake):
    def softplus(z):
        return z + np.log1p(np.exp(-z)) if z > 0 else np.log1p(np.exp(z))

    r, f = np.ravel(real), np.ravel(fake)
    return sum(softplus(-z) for z in r) / len(r) + sum(softplus(z) for z in f) / len(f)


ALTERNATIVES = {
    "rbf_features": [rbf_loops, rbf_expanded],
    "som_update": [som_loop, som_norm],
    "rnn_step": [rnn_step_einsum, rnn_step_via_sigmoid],
    "rnn_forward": [rnn_forward_list, rnn_forward_float32],
    "rnn_backward": [bptt_per_sample, bptt_sum_of_steps],
    "lstm_step": [lstm_split, lstm_list],
    "discriminator_loss": [d_loss_logaddexp, d_loss_loop],
    "generator_loss": [lambda f: float(np.mean(np.logaddexp(0, -f))), lambda f: d_loss_loop(f, np.array([-1e9]))],
}
WRONG = {
    "rbf_features": [(lambda X, C, g: rbf_loops(X, C, g).ravel(), "wrong_shape"), (lambda X, C, g: None, "wrong_type")],
    "som_update": [
        (lambda w, g, x, lr, s: som_loop(w, g, x, lr, s)[:-1], "wrong_shape"),
        (lambda w, g, x, lr, s: w, "wrong_value"),
    ],
    "rnn_step": [(lambda x, h, Wx, Wh, b: rnn_step_einsum(x, h, Wx, Wh, b).T, "wrong_shape")],
    "rnn_forward": [(lambda X, h0, Wx, Wh, b: rnn_forward_list(X, h0, Wx, Wh, b)[:, -1], "wrong_shape")],
    "rnn_backward": [(lambda *a: bptt_per_sample(*a)[:4], "wrong_type")],
    "lstm_step": [(lambda *a: lstm_split(*a)[0], "wrong_type")],
    "discriminator_loss": [(lambda r, f: np.logaddexp(0, -r), "wrong_shape")],
    "generator_loss": [(lambda f: float(np.mean(np.log(1 + np.exp(-f)))), "non_finite")],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def _sequence(seed=0, m=3, T=6, n=2, u=4):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(m, T, n)), rng.normal(size=(m, u)), rng.normal(scale=0.7, size=(n, u)),
            rng.normal(scale=0.7, size=(u, u)), rng.normal(scale=0.2, size=u))  # fmt: skip


def test_rnn_backward_passes_the_finite_difference_check():
    X, h0, Wx, Wh, b = _sequence()
    G = np.random.default_rng(1).normal(size=(3, 6, 4))

    def loss(P):
        return float(np.sum(rnn.rnn_forward(P["X"], P["h0"], P["Wx"], P["Wh"], P["b"]) * G))

    numeric = numerical_gradient(loss, {"X": X, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b})
    H = rnn.rnn_forward(X, h0, Wx, Wh, b)
    for name, analytic in zip(("X", "h0", "Wx", "Wh", "b"), rnn.rnn_backward(G, X, H, h0, Wx, Wh)):
        assert relative_error(analytic, numeric[name]) < 1e-6, name


@pytest.mark.tf
def test_rnn_and_lstm_match_keras_given_the_same_weights():
    keras = pytest.importorskip("keras")
    X, h0, Wx, Wh, b = _sequence(m=2, T=5, n=3, u=4)
    layer = keras.layers.SimpleRNN(4, return_sequences=True, dtype="float64")
    layer.build((None, 5, 3))
    layer.set_weights([Wx, Wh, b])
    zeros = np.zeros_like(h0)
    np.testing.assert_allclose(rnn.rnn_forward(X, zeros, Wx, Wh, b), np.asarray(layer(X)), rtol=1e-6, atol=1e-9)

    rng = np.random.default_rng(2)
    W, U, bl = rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    lstm = keras.layers.LSTM(4, return_sequences=True, dtype="float64")
    lstm.build((None, 5, 3))
    lstm.set_weights([W, U, bl])
    h = c = zeros
    outs = []
    for t in range(5):
        h, c = rnn.lstm_step(X[:, t], h, c, W, U, bl)
        outs.append(h)
    np.testing.assert_allclose(np.stack(outs, 1), np.asarray(lstm(X)), rtol=1e-6, atol=1e-9)


@pytest.mark.tf
def test_gan_losses_match_keras_binary_cross_entropy_from_logits():
    keras = pytest.importorskip("keras")
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(6, 1)), rng.normal(size=(6, 1))
    expected = float(bce(np.ones_like(real), real)) + float(bce(np.zeros_like(fake), fake))
    assert gan.discriminator_loss(real, fake) == pytest.approx(expected, rel=1e-6)
    assert gan.generator_loss(fake) == pytest.approx(float(bce(np.ones_like(fake), fake)), rel=1e-6)
    assert np.isfinite(gan.discriminator_loss(np.array([1e4, -1e4]), np.array([1e4])))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rbf.rbf_features(np.ones((3, 2)), np.ones((2, 3)), 1.0), r"centres must have shape \(k, 2\)"),
        (lambda: rbf.rbf_features(np.ones((3, 2)), np.ones((2, 2)), -1.0), "gamma must be a positive"),
        (lambda: som.som_update(np.ones((4, 2)), np.ones((3, 1)), np.ones(2), 0.1, 1.0), "one position per unit"),
        (
            lambda: rnn.rnn_step(np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 4)), np.ones((4, 3)), np.ones(4)),
            "Wh must",
        ),
        (
            lambda: rnn.rnn_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 4)), np.ones((4, 4)), np.ones(4)),
            "X must be 3-D",
        ),
        (
            lambda: rnn.lstm_step(
                np.ones((2, 3)), np.ones((2, 2)), np.ones((2, 2)), np.ones((3, 4)), np.ones((2, 8)), np.ones(8)
            ),
            r"\(3, 8\)",
        ),
    ],
)
def test_bad_shapes_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_som_update_leaves_its_inputs_alone_and_pulls_the_winner_most():
    weights, grid = np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 0.0]]), np.arange(3.0)[:, None]
    before = weights.copy()
    new = som.som_update(weights, grid, np.array([1.9, 0.0]), 0.5, 0.5)
    np.testing.assert_array_equal(weights, before)
    x = np.array([1.9, 0.0])
    fractions = np.abs(new - weights)[:, 0] / np.abs(x - weights)[:, 0]  # how far each unit moved towards x
    np.testing.assert_allclose(fractions, 0.5 * np.exp(-np.array([1.0, 0.0, 1.0]) / (2 * 0.5**2)))


def test_a_trained_som_covers_the_data_and_keeps_its_order():
    grid = som.grid_positions(6, 6)
    X = np.random.default_rng(0).uniform(0, 1, size=(800, 2))
    weights, kept = som.train_som(X, grid, 2000, snapshots=(0, 2000))
    assert som.quantization_error(weights, X) < 0.5 * som.quantization_error(kept[0], X)
    assert som.topographic_error(weights, grid, X) < 0.1 < som.topographic_error(kept[0], grid, X)
    np.testing.assert_array_equal(kept[2000], weights)
    assert som.grid_positions(2, 3).tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]


def test_rbf_network_separates_rings_that_a_line_cannot():
    from sklearn.linear_model import LogisticRegression

    from course_lib import datasets

    X, y = datasets.rings(n=400, seed=0)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.3, seed=0)
    accuracy = np.mean(rbf.RBFNetwork(12, gamma=2.0).fit(X_train, y_train).predict(X_test) == y_test)
    linear = LogisticRegression().fit(X_train, y_train).score(X_test, y_test)
    assert accuracy >= 0.95 and linear < 0.7


def test_modular_network_routes_each_sample_to_its_specialist():
    from course_lib import modular
    from course_lib.dense import Dense
    from course_lib.model import Sequential

    X, y = modular.two_task_data(200, seed=0)
    assert set(np.unique(X[:, 2])) == {0.0, 1.0} and set(np.unique(y)) == {0, 1}
    same_sign = (X[:, 0] * X[:, 1] > 0).astype(int)
    np.testing.assert_array_equal(y[X[:, 2] == 0], same_sign[X[:, 2] == 0])

    class Constant:  # a "specialist" that always answers class k
        def __init__(self, k):
            self.k = k

        def predict(self, X):
            return np.tile(np.eye(2)[self.k], (len(X), 1))

        def count_params(self):
            return 1

    net = modular.ModularNetwork([Constant(0), Constant(1)])
    np.testing.assert_array_equal(net.predict_classes(X), X[:, 2].astype(int))
    assert net.count_params() == 2
    assert Sequential([Dense(2, activation="softmax")], input_dim=2).count_params() == 6


def test_pulse_response_remembers_longer_with_a_larger_feedback_weight():
    short, long = rnn.pulse_response(0.5, 30), rnn.pulse_response(0.9, 30)
    assert short[0] == long[0] == pytest.approx(np.tanh(2.0))
    assert np.sum(np.abs(long) > 0.05) > 3 * np.sum(np.abs(short) > 0.05)
    assert abs(rnn.pulse_response(1.2, 60)[-1]) > 0.5  # latches


def test_chapter_10_figures_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.figures import ch10

    X, y = np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 2
    figs = [
        ch10.draw_decision_regions([("all zero", lambda G: np.zeros(len(G)))], X, y),
        ch10.draw_som_training(250),
        ch10.draw_feedback_memory((0.5,)),
        ch10.draw_edges(np.ones((8, 8)), np.zeros((8, 8, 2))),
    ]
    grid = som.grid_positions(2, 2)
    figs.append(ch10.draw_som_snapshots(X, grid, {0: X[:4], 5: X[4:8]}))
    assert "step 300" in figs[1].axes[0].get_title()
    assert all(f.axes for f in figs)
    plt.close("all")


def _rnn_model(return_sequences=False, dtype="float64"):
    from course_lib.dense import Dense
    from course_lib.model import Sequential
    from course_lib.recurrent_layers import SimpleRNN

    layers = [SimpleRNN(5, return_sequences=return_sequences)]
    if not return_sequences:
        layers.append(Dense(3, activation="softmax"))
    return Sequential(layers, input_shape=(6, 2), seed=0, dtype=dtype)


@pytest.mark.tf
def test_simple_rnn_layer_matches_keras_forward_and_backward():
    tf = pytest.importorskip("tensorflow")
    from course_lib.keras_bridge import to_keras

    model = _rnn_model()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(4, 6, 2)), rng.integers(0, 3, 4)
    clone = to_keras(model)
    np.testing.assert_allclose(model.predict(X), clone.predict(X, verbose=0), rtol=1e-6, atol=1e-9)
    _, grads = model.compute_gradients(X, y)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, clone(X)))
    for ours, theirs in zip([grads[k] for k in model.params], tape.gradient(loss, clone.trainable_variables)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-8)


def test_simple_rnn_layer_gradients_pass_the_finite_difference_check():
    model = _rnn_model()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(3, 6, 2)), rng.integers(0, 3, 3)
    _, analytic = model.compute_gradients(X, y)
    Y = np.eye(3)[y]

    def loss(P):
        for key, value in P.items():
            model.params[key][...] = value
        return model._loss_value(model._forward(X), Y)

    numeric = numerical_gradient(loss, {k: v.copy() for k, v in model.params.items()})
    for key in numeric:
        assert relative_error(analytic[key], numeric[key]) < 1e-6, key
    assert _rnn_model(return_sequences=True).predict(X).shape == (3, 6, 5)
    with pytest.raises(ValueError, match=r"\(T, n_in\)"):
        _rnn_model().build((6,))


def test_gradients_through_time_vanish_for_small_recurrent_weights_and_clipping_caps_them():
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(8, 8)))
    small, large = rnn.gradient_norm_through_time(0.5 * q, 20), rnn.gradient_norm_through_time(2.0 * q, 20)
    assert small[-1] < 1e-6 * small[0]
    assert large[-1] > 0.1 * large[0]
    grads = {"a": np.array([3.0, 4.0]), "b": np.array([12.0])}
    clipped = rnn.clip_by_global_norm(grads, 6.5)
    assert np.sqrt(sum(np.sum(g**2) for g in clipped.values())) == pytest.approx(6.5)
    np.testing.assert_allclose(clipped["a"] / grads["a"], 0.5)
    assert rnn.clip_by_global_norm(grads, 100.0)["b"][0] == 12.0


def test_chapter_12_figures_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.figures import ch12

    fig = ch12.draw_gradient_norms({0.5: np.array([1.0, 0.5, 0.25])})
    assert fig.axes[0].get_yscale() == "log"
    t = np.arange(20.0)
    assert ch12.draw_forecast(t, np.sin(t), 10, {"naive": np.sin(t[9:19])}).axes
    plt.close("all")


def test_ring_of_gaussians_and_mode_coverage():
    from course_lib import gan

    centres = gan.ring_centres(8, radius=2.0)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0)
    real = gan.ring_of_gaussians(4000, std=0.05, seed=1)
    assert real.shape == (4000, 2) and real.dtype == np.float32
    modes, quality = gan.mode_coverage(real, centres, 0.05)
    assert modes == 8 and quality > 0.98
    collapsed = np.repeat(centres[:1], 500, axis=0)
    assert gan.mode_coverage(collapsed, centres, 0.05) == (1, 1.0)
    between = (centres[:1] + centres[1:2]) / 2 + np.zeros((300, 2))  # every sample between two modes
    assert gan.mode_coverage(between, centres, 0.05) == (0, 0.0)
    two = np.concatenate([np.repeat(centres[:1], 990, axis=0), np.repeat(centres[3:4], 10, axis=0)])
    assert gan.mode_coverage(two, centres, 0.05)[0] == 2
    assert gan.mode_coverage(two, centres, 0.05, min_fraction=0.02)[0] == 1
    with pytest.raises(ValueError, match="same d"):
        gan.mode_coverage(np.zeros((3, 3)), centres, 0.05)


def test_classifier_score_rewards_sharp_and_diverse_predictions():
    from course_lib import gan

    assert gan.classifier_score(np.eye(10)[np.arange(200) % 10]) == pytest.approx(10.0)
    assert gan.classifier_score(np.eye(10)[np.zeros(200, int)]) == pytest.approx(1.0)
    assert gan.classifier_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)
    half = np.eye(10)[np.arange(200) % 5]
    assert gan.classifier_score(half) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="probabilities"):
        gan.classifier_score(np.ones((3, 4)))


def test_chapter_11_and_13_figures_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib import gan
    from course_lib.figures import ch11, ch13

    logits = np.linspace(-8, 4, 49)
    gan_sigmoid = 1 / (1 + np.exp(-logits))

    rng = np.random.default_rng(0)
    for fig in (
        ch11.draw_images(rng.uniform(size=(5, 8, 8, 3)), titles=list("abcde"), ncols=3),
        ch11.draw_filter_responses(
            rng.uniform(size=(9, 9)), [rng.normal(size=(9, 9))] * 2, ["a", "b"], [np.eye(3)] * 2
        ),
        ch11.draw_stride_padding_demo(5, 2, "same"),
        ch11.draw_kernels(rng.normal(size=(3, 3, 1, 4))),
        ch11.draw_feature_maps({"x": rng.uniform(size=(8, 8))}, {"x": rng.uniform(size=(6, 6, 3))}, n=4),
        ch13.draw_generator_gradients(logits, -gan_sigmoid, gan_sigmoid - 1),  # the two losses' real gradients
        ch13.draw_ring_snapshots(gan.ring_of_gaussians(50), gan.ring_centres(), {1: rng.normal(size=(20, 2))}, "t"),
        ch13.draw_coverage({"run": [(1, 0, 0.1), (2, 8, 0.9)]}),
    ):
        assert fig.axes
        plt.close(fig)
