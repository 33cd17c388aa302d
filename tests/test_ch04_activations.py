"""Chapter 4: activation functions, their derivatives, and the exercises' checks."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib import activations as act
from course_lib import checks
from course_lib.figures import ch04 as figures
from tests.exercise_helpers import assert_exercise, assert_fails

# --- alternative correct implementations -----------------------------------


def sigmoid_textbook(z):
    # The DESIGN's example solution: overflows (with a warning, silenced by the check) to the right answer.
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_tanh(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def sigmoid_float32(z):
    z = np.asarray(z, dtype=np.float32)
    return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def sigmoid_piecewise(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def tanh_via_sigmoid(z):
    return 2.0 * sigmoid_tanh(2.0 * np.asarray(z, dtype=float)) - 1.0


def tanh_float32(z):
    return np.tanh(np.asarray(z, dtype=np.float32))


def tanh_stable_exp(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-2.0 * np.abs(z))
    return np.sign(z) * (1.0 - e) / (1.0 + e)


def relu_where(z):
    return np.where(z > 0, z, 0.0)


def relu_mask(z):
    return z * (z > 0)


def relu_loop(z):
    z = np.asarray(z, dtype=float)
    out = z.copy()
    for idx, value in np.ndenumerate(z):
        out[idx] = value if value > 0 else 0.0
    return out


def sigmoid_derivative_product(z):
    s = sigmoid_tanh(z)
    return s * (1.0 - s)


def sigmoid_derivative_two_sigmoids(z):
    # σ'(z) = σ(z) σ(−z): symmetric and stable
    return sigmoid_tanh(z) * sigmoid_tanh(-np.asarray(z, dtype=float))


def sigmoid_derivative_textbook(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1 - s)


def relu_derivative_astype(z):
    return (np.asarray(z) > 0).astype(np.float32)


def relu_derivative_heaviside(z):
    return np.heaviside(z, 0.0)


def softmax_logsumexp(z):
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True))
    return np.exp(z - lse)


def softmax_loop(z):
    z = np.asarray(z, dtype=float)
    rows = z.reshape(-1, z.shape[-1])
    out = np.empty_like(rows)
    for i, row in enumerate(rows):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
    return out.reshape(z.shape)


def softmax_float32(z):
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def relu_in_place(z):
    z[z < 0] = 0.0
    return z


ALTERNATIVES = {
    "sigmoid": [sigmoid_textbook, sigmoid_tanh, sigmoid_float32, sigmoid_piecewise],
    "tanh": [tanh_via_sigmoid, tanh_float32, tanh_stable_exp],
    "relu": [relu_where, relu_mask, relu_loop],
    "sigmoid_derivative": [sigmoid_derivative_product, sigmoid_derivative_two_sigmoids, sigmoid_derivative_textbook],
    "relu_derivative": [relu_derivative_astype, relu_derivative_heaviside],
    "softmax": [softmax_logsumexp, softmax_loop, softmax_float32],
}
WRONG = {
    "sigmoid": [
        (lambda z: np.exp(z) / (1.0 + np.exp(z)), "non_finite"),  # inf / inf at z = 1e4
        (lambda z: 1.0 / (1.0 + math.exp(-z)), "error"),  # math.exp works on single numbers only
        (lambda z: np.round(1.0 / (1.0 + np.exp(-z))), "wrong_value"),
    ],
    "tanh": [
        (lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)), "non_finite"),  # inf / inf
        (lambda z: np.tanh(np.ravel(z)), "wrong_shape"),
        (lambda z: np.tanh(z) > 0, "wrong_type"),
    ],
    "relu": [
        (relu_in_place, "mutated_input"),
        (lambda z: max(0.0, z), "error"),  # Python's max on an array
        (lambda z: list(np.maximum(np.ravel(z), 0.0)), "wrong_type"),
    ],
    "sigmoid_derivative": [
        (lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2, "non_finite"),  # inf / inf at z = −1e4
        (lambda z: None, "wrong_type"),
        (lambda z: 0.25 * np.ones_like(z), "wrong_value"),
    ],
    "relu_derivative": [
        (lambda z: z > 0, "wrong_type"),  # booleans
        (lambda z: np.float64(1.0), "wrong_type"),
        (lambda z: np.where(z > 0, 1.0, 0.0).ravel(), "wrong_shape"),
    ],
    "softmax": [
        (softmax_naive, "non_finite"),  # no max subtraction: exp(1000) overflows, inf / inf = nan
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)), "wrong_value"),  # never normalised
        (lambda z: np.exp(z - z.max(axis=-1, keepdims=True)).tolist(), "wrong_type"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_textbook_sigmoid_passes_but_naive_softmax_is_non_finite():
    assert checks.run("sigmoid", sigmoid_textbook).passed
    assert_fails("softmax", softmax_naive, status="non_finite", hint="Subtract each row's maximum")


def test_the_notes_relu_is_caught_with_an_explanation():
    assert_fails("relu", lambda z: np.clip(z, 0.0, 1.0), status="wrong_value", hint="has no upper limit")


def test_checks_leave_numpy_error_settings_and_warnings_alone():
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checks.run("sigmoid", sigmoid_textbook)
        checks.run("softmax", softmax_naive)
    assert np.geterr() == before


# --- values -----------------------------------------------------------------


def test_known_values():
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid_derivative(0.0) == 0.25
    assert act.tanh_derivative(0.0) == 1.0
    np.testing.assert_array_equal(act.relu(np.array([-2.0, 0.0, 3.0, 1e4])), [0.0, 0.0, 3.0, 1e4])
    np.testing.assert_array_equal(act.relu_derivative(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(act.clipped_relu(np.array([-1.0, 0.5, 3.0])), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(act.clipped_relu(np.array([3.0, 9.0]), max_value=6.0), [3.0, 6.0])
    np.testing.assert_array_equal(act.clipped_relu_derivative(np.array([-1.0, 0.5, 3.0])), [0.0, 1.0, 0.0])


def test_tanh_is_a_rescaled_sigmoid():
    z = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=1e-12)


def test_softmax_invariance_and_temperature():
    z = np.array([[2.0, 1.0, 0.1], [0.0, -3.0, 5.0]])
    np.testing.assert_allclose(act.softmax(z + 123.0), act.softmax(z))
    np.testing.assert_allclose(act.softmax(z, temperature=2.0), act.softmax(z / 2.0))
    cold, hot = act.softmax(z[0], temperature=0.01), act.softmax(z[0], temperature=100.0)
    np.testing.assert_allclose(cold, [1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(hot, np.full(3, 1 / 3), atol=0.01)
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        act.softmax(z, temperature=0.0)


def test_saturation_numbers():
    assert act.sigmoid_derivative(10.0) < 5e-5 and act.tanh_derivative(10.0) < 1e-8
    assert act.sigmoid_derivative(1e4) == 0.0
    assert act.relu_derivative(1e4) == 1.0


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        (act.softmax, (5.0,), r"z must be 1-D or 2-D or 3-D, got shape \(\)"),
        (act.softmax, (np.zeros((1, 1, 1, 2)),), r"z must be 1-D or 2-D or 3-D, got shape \(1, 1, 1, 2\)"),
        (act.sigmoid, ("1.0",), "z must be a number or an array of numbers"),
        (act.relu, ([[1.0], [2.0, 3.0]],), "rectangular"),
        (act.step, (np.array([True, False]),), "must hold numbers"),
        (figures.draw_softmax_temperature, (0.0,), "temperature must be a positive number"),
    ],
)
def test_bad_input_raises_value_error(func, args, message):
    with pytest.raises(ValueError, match=message):
        func(*args)


# --- finite differences -------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "df"),
    [
        (act.sigmoid, act.sigmoid_derivative),
        (act.tanh, act.tanh_derivative),
        (act.relu, act.relu_derivative),
        (act.clipped_relu, act.clipped_relu_derivative),
    ],
)
def test_derivatives_match_finite_differences(f, df):
    z = np.array([-4.0, -2.5, -0.7, -0.1, 0.3, 0.8, 1.9, 3.0, 4.0])  # away from the kinks
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    analytic = df(z)
    rel = np.abs(numeric - analytic) / np.maximum(1e-8, np.abs(numeric) + np.abs(analytic))
    assert rel.max() < 1e-6


# --- property tests -----------------------------------------------------------

finite_z = hnp.arrays(
    dtype=np.float64,
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
)
ELEMENTWISE = [
    act.step,
    act.sigmoid,
    act.sigmoid_derivative,
    act.tanh,
    act.tanh_derivative,
    act.relu,
    act.relu_derivative,
    act.clipped_relu,
    act.clipped_relu_derivative,
]


def _strict(func, z):
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        return np.asarray(func(z))


@settings(max_examples=150, deadline=None)
@given(finite_z)
def test_every_activation_and_derivative_is_finite_without_warnings(z):
    for func in ELEMENTWISE:
        out = _strict(func, z)
        assert out.shape == z.shape and np.isfinite(out).all(), func.__name__
    assert ((0 <= _strict(act.sigmoid, z)) & (_strict(act.sigmoid, z) <= 1)).all()
    assert (np.abs(_strict(act.tanh, z)) <= 1).all()
    assert (_strict(act.sigmoid_derivative, z) <= 0.25).all()


@settings(max_examples=150, deadline=None)
@given(finite_z, st.floats(0.05, 20.0))
def test_softmax_rows_are_distributions(z, temperature):
    p = _strict(lambda v: act.softmax(v, temperature=temperature), z)
    assert p.shape == z.shape and np.isfinite(p).all()
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(finite_z, st.floats(-1e3, 1e3))
def test_softmax_ignores_a_constant_shift(z, c):
    np.testing.assert_allclose(act.softmax(z + c), act.softmax(z), atol=1e-9)


# --- TensorFlow parity ----------------------------------------------------------

PARITY_Z = np.concatenate([np.linspace(-12, 12, 49), [-1e4, -750.0, -30.0, 0.0, 30.0, 750.0, 1e4]])


@pytest.mark.tf
@pytest.mark.parametrize(
    ("ours", "tf_name"),
    [(act.sigmoid, "sigmoid"), (act.tanh, "tanh"), (act.relu, "relu"), (act.step, None)],
)
def test_activations_match_tensorflow(ours, tf_name):
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    z = tf.constant(PARITY_Z, dtype=tf.float64)
    theirs = {
        "sigmoid": tf.math.sigmoid,
        "tanh": tf.math.tanh,
        "relu": tf.nn.relu,
        None: lambda v: tf.cast(v >= 0, tf.float64),
    }[tf_name](z)
    np.testing.assert_allclose(ours(PARITY_Z), theirs.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.tf
def test_clipped_relu_matches_relu6():
    import tensorflow as tf

    np.testing.assert_allclose(
        act.clipped_relu(PARITY_Z, max_value=6.0), tf.nn.relu6(tf.constant(PARITY_Z, tf.float64)).numpy()
    )


@pytest.mark.tf
def test_softmax_matches_tensorflow():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    for z in (rng.normal(size=(5, 7)), rng.normal(scale=500, size=(2, 3, 4)), np.array([[1e4, 0.0, -1e4]])):
        np.testing.assert_allclose(
            act.softmax(z), tf.nn.softmax(tf.constant(z, tf.float64)).numpy(), rtol=1e-6, atol=1e-12
        )
        np.testing.assert_allclose(
            act.softmax(z, temperature=0.5),
            tf.nn.softmax(tf.constant(z / 0.5, tf.float64)).numpy(),
            rtol=1e-6,
            atol=1e-12,
        )


@pytest.mark.tf
@pytest.mark.parametrize(
    ("ours", "tf_name"),
    [
        (act.sigmoid_derivative, "sigmoid"),
        (act.tanh_derivative, "tanh"),
        (act.relu_derivative, "relu"),
        (lambda z: act.clipped_relu_derivative(z, 6.0), "relu6"),
    ],
)
def test_derivatives_match_gradient_tape(ours, tf_name):
    import tensorflow as tf

    fn = {"sigmoid": tf.math.sigmoid, "tanh": tf.math.tanh, "relu": tf.nn.relu, "relu6": tf.nn.relu6}[tf_name]
    z = tf.Variable(PARITY_Z, dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(fn(z))
    grad = tape.gradient(y, z).numpy()
    np.testing.assert_allclose(ours(PARITY_Z), grad, rtol=1e-6, atol=1e-12)
    if tf_name == "relu":
        assert act.relu_derivative(0.0) == grad[list(PARITY_Z).index(0.0)] == 0.0


# --- the widget's drawing functions -----------------------------------------------


def test_draw_softmax_temperature():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figures.draw_softmax_temperature(1.0)
    ax_z, ax_p = fig.axes
    heights = [bar.get_height() for bar in ax_p.patches]
    np.testing.assert_allclose(heights, act.softmax(np.array([2.0, 1.0, 0.1, -1.0])))
    assert "T = 1.00" in ax_p.get_title() and ax_p.get_ylabel() == "probability"
    plt.close(fig)
    cold = figures.draw_softmax_temperature(0.05)
    assert max(bar.get_height() for bar in cold.axes[1].patches) > 0.99
    plt.close(cold)


def test_draw_saturation():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figures.draw_saturation(8.0)
    assert "sigmoid' = 3.35e-04" in fig.axes[1].get_title()
    assert fig.axes[0].get_xlabel() == "z"
    plt.close(fig)


def test_drawing_functions_work_as_slider_demos():
    import matplotlib

    matplotlib.use("Agg")
    import ipywidgets
    import matplotlib.pyplot as plt

    live = ipywidgets.interactive(
        figures.draw_softmax_temperature, temperature=ipywidgets.FloatSlider(value=2.0, min=0.1)
    )
    assert [w._kwarg for w in live.kwargs_widgets] == ["temperature"]
    live = ipywidgets.interactive(figures.draw_saturation, z=ipywidgets.FloatSlider(value=1.0, min=-10, max=10))
    assert [w._kwarg for w in live.kwargs_widgets] == ["z"]
    plt.close("all")


# --- sigmoid_chain_gradient (multi-step) -------------------------------------------


def chain_by_finite_differences_is_not_allowed_but_chain_rule_twice_is(x, w, layers):
    zs, a = [], x
    for _ in range(layers):  # forward pass, keeping every z
        zs.append(w * a - w / 2)
        a = 1 / (1 + np.exp(-zs[-1]))
    slopes = [1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z))) for z in zs]
    return float(np.prod([w * s for s in slopes]))


def chain_log_space(x, w, layers):
    a, log_total, sign = x, 0.0, 1.0
    for _ in range(layers):
        z = w * a - w / 2
        s = 0.5 * (1 + np.tanh(0.5 * z))
        factor = w * s * (1 - s)
        sign *= np.sign(factor)
        log_total += np.log(abs(factor))
        a = s
    return float(sign * np.exp(log_total))


ALTERNATIVES["sigmoid_chain_gradient"] = [
    chain_by_finite_differences_is_not_allowed_but_chain_rule_twice_is,
    chain_log_space,
]
WRONG["sigmoid_chain_gradient"] = [
    (lambda x, w, layers: [0.25 * w] * layers, "wrong_type"),
    (lambda x, w, layers: np.array([(w / 4) ** layers]), "wrong_shape"),
    (lambda x, w, layers: (w / 4) ** layers * np.inf, "non_finite"),
]


def test_sigmoid_chain_gradient_contract_and_finite_differences():
    assert_exercise("sigmoid_chain_gradient", ALTERNATIVES["sigmoid_chain_gradient"], WRONG["sigmoid_chain_gradient"])

    def chain(x, w, layers):
        for _ in range(layers):
            x = act.sigmoid(w * x - w / 2)
        return x

    for x, w, layers in [(0.5, 6.0, 10), (0.3, -2.0, 4), (0.9, 3.5, 7)]:
        h = 1e-6
        numeric = (chain(x + h, w, layers) - chain(x - h, w, layers)) / (2 * h)
        assert act.sigmoid_chain_gradient(x, w, layers) == pytest.approx(numeric, rel=1e-6, abs=1e-12)
    with pytest.raises(ValueError, match="layers"):
        act.sigmoid_chain_gradient(0.5, 1.0, 0)
