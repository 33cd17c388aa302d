"""Chapter 7: the optimisers of course_lib.optim and the chapter's exercise checks."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import descent, optim
from course_lib.figures import ch07 as figures
from course_lib.optim import SGD, Adam
from tests.exercise_helpers import assert_exercise

# --------------------------------------------------------------------------
# Alternative correct implementations and extra wrong ones, per exercise.


def gd_loop(params, grads, lr):
    new = {}
    for name, value in params.items():
        value = np.array(value, dtype=float)
        flat = value.reshape(-1)
        g = np.asarray(grads[name], dtype=float).reshape(-1)
        for i in range(flat.size):
            flat[i] = flat[i] - lr * g[i]
        new[name] = value
    return new


def gd_float32(params, grads, lr):
    return {k: np.float32(params[k]) - np.float32(lr) * np.float32(grads[k]) for k in params}


def gd_subtract_copy(params, grads, lr):
    new = {k: v.copy() for k, v in params.items()}
    for k in new:
        new[k] -= lr * grads[k]  # in place, but on copies
    return new


def gd_mutates(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def gd_mutates_dict(params, grads, lr):
    for k in params:
        params[k] = params[k] - lr * grads[k]
    return params


def momentum_loop(w, v, g, lr, momentum):
    w_new, v_new = np.empty_like(w), np.empty_like(v)
    for i in np.ndindex(w.shape):
        v_new[i] = momentum * v[i] - lr * g[i]
        w_new[i] = w[i] + v_new[i]
    return w_new, v_new


def momentum_float32(w, v, g, lr, momentum):
    v_new = np.float32(momentum) * v.astype(np.float32) - np.float32(lr) * g.astype(np.float32)
    return w.astype(np.float32) + v_new, v_new


def momentum_mutates(w, v, g, lr, momentum):
    v *= momentum
    v -= lr * g
    w += v
    return w, v


def adam_textbook(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    # The form of the Adam paper: epsilon added to sqrt(v_hat) instead of sqrt(v).
    m_new = beta_1 * m + (1 - beta_1) * g
    v_new = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m_new / (1 - beta_1**t)
    v_hat = v_new / (1 - beta_2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon), m_new, v_new


def adam_float32(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    f = np.float32
    w, m, v, g = (a.astype(f) for a in (w, m, v, g))
    m_new = f(beta_1) * m + f(1 - beta_1) * g
    v_new = f(beta_2) * v + f(1 - beta_2) * g * g
    step = f(lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t))
    return w - step * m_new / (np.sqrt(v_new) + f(epsilon)), m_new, v_new


def adam_mutates(w, m, v, g, t, lr, beta_1, beta_2, epsilon):
    m *= beta_1
    m += (1 - beta_1) * g
    v *= beta_2
    v += (1 - beta_2) * g**2
    return w - lr * (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon), m, v


ALTERNATIVES = {
    "gradient_descent_step": [gd_loop, gd_float32, gd_subtract_copy],
    "momentum_step": [momentum_loop, momentum_float32],
    "adam_step": [adam_textbook, adam_float32],
}
WRONG = {
    "gradient_descent_step": [
        (gd_mutates, "mutated_input"),
        (gd_mutates_dict, "mutated_input"),
        (lambda params, grads, lr: [params[k] - lr * grads[k] for k in params], "wrong_type"),
        (lambda params, grads, lr: None, "wrong_type"),
        (lambda params, grads, lr: {k: (params[k] - lr * grads[k]).reshape(-1, 1) for k in params}, "wrong_shape"),
        (lambda params, grads, lr: {k: params[k] - lr * grads[k] / 0.0 for k in params}, "non_finite"),
    ],
    "momentum_step": [
        (momentum_mutates, "mutated_input"),
        (lambda w, v, g, lr, momentum: w + momentum * v - lr * g, "wrong_type"),
        (lambda w, v, g, lr, momentum: (w - lr * g, momentum * v - lr * g), "wrong_value"),
    ],
    "adam_step": [
        (adam_mutates, "mutated_input"),
        (lambda w, m, v, g, t, lr, b1, b2, eps: (w - lr * np.sign(g), m), "wrong_type"),
        (lambda w, m, v, g, t, lr, b1, b2, eps: (w - lr * np.sign(g), m, v), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


# --------------------------------------------------------------------------
# gradient_descent_step


def test_gradient_descent_step_values_and_no_mutation():
    params = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    grads = {"W": np.array([[0.5, -1.0]]), "b": np.array([2.0])}
    before = {k: v.copy() for k, v in params.items()}
    new = optim.gradient_descent_step(params, grads, 0.1)
    np.testing.assert_allclose(new["W"], [[0.95, 2.1]])
    np.testing.assert_allclose(new["b"], [0.3])
    assert new is not params and new["W"] is not params["W"]
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


@pytest.mark.parametrize(
    ("params", "grads", "lr", "message"),
    [
        (
            {"W": np.ones((2, 3))},
            {"W": np.ones((3, 2))},
            0.1,
            r"grads\['W'\] must have the shape of params\['W'\], \(2, 3\); got \(3, 2\)",
        ),
        ({"W": np.ones(2), "b": np.ones(1)}, {"W": np.ones(2)}, 0.1, r"missing in grads: \['b'\]"),
        ({"W": np.ones(2)}, {"W": np.ones(2), "c": np.ones(1)}, 0.1, r"not in params: \['c'\]"),
        ({"W": np.ones(2)}, {"W": np.ones(2)}, -0.1, "lr must be a positive number"),
        ({"W": np.ones(2)}, {"W": np.ones(2)}, 0.0, "lr must be a positive number"),
        ([np.ones(2)], {"W": np.ones(2)}, 0.1, "params must be a dict"),
        ({"W": np.array(["a", "b"])}, {"W": np.ones(2)}, 0.1, "must hold numbers"),
    ],
)
def test_gradient_descent_step_rejects_bad_input(params, grads, lr, message):
    with pytest.raises(ValueError, match=message):
        optim.gradient_descent_step(params, grads, lr)


# --------------------------------------------------------------------------
# SGD and Adam: in-place updates, state per name, agreement with the step functions


def test_sgd_without_momentum_is_gradient_descent_step():
    rng = np.random.default_rng(1)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    expected = optim.gradient_descent_step(params, grads, 0.3)
    arrays = {k: id(v) for k, v in params.items()}
    assert SGD(learning_rate=0.3).apply(params, grads) is None
    for k in params:
        assert id(params[k]) == arrays[k], "apply updates the arrays in place"
        np.testing.assert_allclose(params[k], expected[k], rtol=0, atol=1e-15)


def test_sgd_momentum_matches_momentum_step_and_keeps_state_per_name():
    rng = np.random.default_rng(2)
    params = {"a": rng.normal(size=3), "b": rng.normal(size=(2, 2))}
    opt = SGD(learning_rate=0.1, momentum=0.9)
    w = {k: v.copy() for k, v in params.items()}
    vel = {k: np.zeros_like(v) for k, v in params.items()}
    for _ in range(5):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        opt.apply(params, grads)
        for k in w:
            w[k], vel[k] = optim.momentum_step(w[k], vel[k], grads[k], 0.1, 0.9)
    for k in params:
        np.testing.assert_allclose(params[k], w[k], atol=1e-14)
        np.testing.assert_allclose(opt.velocities[k], vel[k], atol=1e-14)


def test_adam_matches_adam_step_and_counts_steps_per_name():
    rng = np.random.default_rng(3)
    params = {"w": rng.normal(size=4)}
    opt = Adam(learning_rate=0.05)
    w, m, v = params["w"].copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 8):
        g = rng.normal(size=4)
        opt.apply(params, {"w": g})
        w, m, v = optim.adam_step(w, m, v, g, t, 0.05)
    assert opt.steps == {"w": 7}
    np.testing.assert_allclose(params["w"], w, atol=1e-14)


def test_adam_first_step_moves_each_weight_by_about_lr():
    params = {"w": np.array([1.0, 1.0, 1.0])}
    Adam(learning_rate=0.01).apply(params, {"w": np.array([0.05, 1.0, -500.0])})
    np.testing.assert_allclose(params["w"], [0.99, 0.99, 1.01], atol=1e-5)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD(learning_rate=-1.0), "learning_rate must be a positive number"),
        (lambda: SGD(momentum=1.0), r"momentum must be in \[0, 1\)"),
        (lambda: SGD(nesterov="yes"), "nesterov must be True or False"),
        (lambda: Adam(beta_1=1.5), r"beta_1 must be in \[0, 1\)"),
        (lambda: Adam(epsilon=0), "epsilon must be a positive number"),
    ],
)
def test_optimizer_settings_are_validated(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("opt", [SGD(0.1), SGD(0.1, 0.9), Adam()], ids=repr)
def test_optimizers_reject_bad_params(opt):
    with pytest.raises(ValueError, match=r"grads\['W'\] must have the shape of params\['W'\], \(2,\); got \(3,\)"):
        opt.apply({"W": np.ones(2)}, {"W": np.ones(3)})
    with pytest.raises(ValueError, match="must be a float numpy array"):
        opt.apply({"W": [1.0, 2.0]}, {"W": np.ones(2)})
    with pytest.raises(ValueError, match="must be a float numpy array"):
        opt.apply({"W": np.array([1, 2])}, {"W": np.ones(2)})


def test_step_functions_reject_bad_input():
    with pytest.raises(ValueError, match=r"v must have the shape of w, \(3,\); got \(2,\)"):
        optim.momentum_step(np.ones(3), np.ones(2), np.ones(3), 0.1, 0.9)
    with pytest.raises(ValueError, match="t must be a whole number >= 1"):
        optim.adam_step(np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), 0)
    with pytest.raises(ValueError, match=r"g must have the shape of w"):
        optim.adam_step(np.ones(3), np.zeros(3), np.zeros(3), np.ones((3, 1)), 1)


# --------------------------------------------------------------------------
# Parity with Keras 3 (float64)


def _keras_run(make_keras, ours, steps=20):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    rng = np.random.default_rng(0)
    shapes = {"W": (3, 2), "b": (2,)}
    init = {k: rng.normal(size=s) for k, s in shapes.items()}
    grads = [{k: rng.normal(size=s) for k, s in shapes.items()} for _ in range(steps)]
    variables = {k: keras.Variable(init[k].copy(), dtype="float64") for k in shapes}
    opt = make_keras(keras)
    params = {k: v.copy() for k, v in init.items()}
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(g[k], dtype="float64"), variables[k]) for k in shapes])
        ours.apply(params, g)
    return {k: np.asarray(variables[k].numpy()) for k in shapes}, params


KERAS_CASES = {
    "SGD": (lambda k: k.optimizers.SGD(learning_rate=0.1), SGD(learning_rate=0.1)),
    "SGD momentum": (lambda k: k.optimizers.SGD(momentum=0.9), SGD(momentum=0.9)),
    "SGD nesterov": (lambda k: k.optimizers.SGD(momentum=0.9, nesterov=True), SGD(momentum=0.9, nesterov=True)),
    "Adam": (lambda k: k.optimizers.Adam(), Adam()),
}


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(KERAS_CASES))
def test_parity_with_keras_defaults(name):
    # Keras keeps hyperparameters such as 0.9 in float32 variables, so float64 agreement is
    # limited to ~1e-7 here; the test below uses values exact in float32 and agrees to 1e-12.
    make_keras, ours = KERAS_CASES[name]
    theirs, mine = _keras_run(make_keras, ours)
    for k in mine:
        np.testing.assert_allclose(mine[k], theirs[k], rtol=1e-6, atol=1e-6)


@pytest.mark.tf
@pytest.mark.parametrize(
    ("make_keras", "ours"),
    [
        (lambda k: k.optimizers.SGD(learning_rate=0.0625, momentum=0.875), SGD(0.0625, 0.875)),
        (lambda k: k.optimizers.SGD(learning_rate=0.0625, momentum=0.875, nesterov=True), SGD(0.0625, 0.875, True)),
        (
            lambda k: k.optimizers.Adam(learning_rate=0.015625, beta_1=0.875, beta_2=1 - 2**-9, epsilon=2**-20),
            Adam(0.015625, 0.875, 1 - 2**-9, 2**-20),
        ),
    ],
    ids=["SGD momentum", "SGD nesterov", "Adam"],
)
def test_parity_with_keras_is_exact_when_hyperparameters_are_exact_in_float32(make_keras, ours):
    theirs, mine = _keras_run(make_keras, ours)
    for k in mine:
        np.testing.assert_allclose(mine[k], theirs[k], rtol=0, atol=1e-12)


# --------------------------------------------------------------------------
# minimize and the learning rate


def test_minimize_returns_the_trajectory_in_1d_and_2d():
    path = descent.minimize(lambda x: 2 * x, 1.0, SGD(learning_rate=0.25), steps=3)
    assert path.shape == (4, 1)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.5, 0.25, 0.125])
    path2 = descent.minimize(descent.ravine_grad, [1.0, 1.0], SGD(learning_rate=0.01), steps=50)
    assert path2.shape == (51, 2)
    np.testing.assert_allclose(path2[-1], [0.99**50, 0.8**50])


def test_minimize_rejects_bad_input():
    with pytest.raises(ValueError, match="optimizer must have an apply"):
        descent.minimize(lambda x: x, 1.0, 0.1, 5)
    with pytest.raises(ValueError, match="steps must be a whole number"):
        descent.minimize(lambda x: x, 1.0, SGD(), -1)
    with pytest.raises(ValueError, match=r"grad_fn\(x\) must return shape \(2,\)"):
        descent.minimize(lambda x: np.ones(3), [1.0, 2.0], SGD(), 2)
    with pytest.raises(ValueError, match="x0 must be 0-D or 1-D"):
        descent.minimize(lambda x: x, np.ones((2, 2)), SGD(), 2)


@settings(max_examples=40, deadline=None)
@given(
    curvature=st.floats(0.1, 10.0),
    fraction=st.floats(0.05, 0.95),
)
def test_gd_on_a_quadratic_converges_below_two_over_L(curvature, fraction):
    lr = fraction * 2.0 / curvature
    path = descent.learning_rate_trajectory(lr, steps=400, theta0=3.0, curvature=curvature)
    assert abs(path[-1]) < abs(path[0]) * abs(1 - lr * curvature) ** 399 * 1.0001 + 1e-300
    assert abs(path[-1]) < 1e-3


@settings(max_examples=40, deadline=None)
@given(curvature=st.floats(0.1, 10.0), factor=st.floats(1.05, 3.0))
def test_gd_on_a_quadratic_diverges_above_two_over_L(curvature, factor):
    lr = factor * 2.0 / curvature
    path = descent.learning_rate_trajectory(lr, steps=60, theta0=1.0, curvature=curvature)
    assert np.all(np.abs(np.diff(np.abs(path))) > 0)  # |θ| grows at every step
    assert abs(path[-1]) > 10.0


def test_gd_on_a_quadratic_2d_converges_iff_lr_below_two_over_largest_curvature():
    # The ravine has curvatures 1 and 20, so the limit is 2 / 20 = 0.1.
    ok = descent.minimize(descent.ravine_grad, [5.0, 1.0], SGD(learning_rate=0.095), 500)
    bad = descent.minimize(descent.ravine_grad, [5.0, 1.0], SGD(learning_rate=0.105), 500)
    assert np.linalg.norm(ok[-1]) < 1e-6
    assert np.linalg.norm(bad[-1]) > 1e3


def test_momentum_beats_plain_gd_in_the_ravine():
    plain = descent.minimize(descent.ravine_grad, [-8.0, 1.0], SGD(learning_rate=0.09), 60)
    heavy = descent.minimize(descent.ravine_grad, [-8.0, 1.0], SGD(learning_rate=0.02, momentum=0.8), 60)
    loss = lambda p: descent.ravine_loss(p[-1])  # noqa: E731
    assert loss(heavy) < loss(plain) / 10
    # plain GD zig-zags across the valley: the sign of y flips at every step
    assert np.all(np.sign(plain[1:12, 1]) != np.sign(plain[:11, 1]))


def test_trajectories_are_deterministic():
    a = descent.noisy_gradient_descent(descent.bumpy_grad, 1.7, 0.1, 200, 1.5, seed=4)
    b = descent.noisy_gradient_descent(descent.bumpy_grad, 1.7, 0.1, 200, 1.5, seed=4)
    np.testing.assert_array_equal(a, b)
    c = descent.minimize(descent.ravine_grad, [1.0, 2.0], Adam(0.1), 30)
    d = descent.minimize(descent.ravine_grad, [1.0, 2.0], Adam(0.1), 30)
    np.testing.assert_array_equal(c, d)


def test_learning_rate_regimes():
    assert descent.learning_rate_regime(0.01) == "crawls"
    assert descent.learning_rate_regime(0.5) == "converges"
    assert descent.learning_rate_regime(1.5) == "oscillates"
    assert descent.learning_rate_regime(2.0) == "stuck oscillating"
    assert descent.learning_rate_regime(2.5) == "diverges"
    assert descent.learning_rate_regime(0.5, curvature=5.0) == "diverges"


def test_learning_rate_trajectory_is_geometric():
    path = descent.learning_rate_trajectory(0.3, steps=5, theta0=4.0)
    np.testing.assert_allclose(path, 4.0 * 0.7 ** np.arange(6))


@pytest.mark.parametrize("lr", [0.05, 0.8, 2.3])
def test_draw_learning_rate_plots_the_trajectory(lr):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figures.draw_learning_rate(lr=lr, steps=12)
    ax_path, ax_loss = fig.axes
    expected = 4.0 * (1 - lr) ** np.arange(13)
    steps_line = ax_path.lines[1]
    np.testing.assert_allclose(steps_line.get_xdata(), expected)
    np.testing.assert_allclose(steps_line.get_ydata(), 0.5 * expected**2)
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), 0.5 * expected**2)
    assert descent.learning_rate_regime(lr) in ax_path.get_title()
    assert ax_path.get_xlabel() and ax_loss.get_ylabel()
    plt.close(fig)


# --------------------------------------------------------------------------
# Non-convex loss, noise and mini-batches


def _finite_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_loss_surface_gradients_match_finite_differences():
    xs = np.linspace(-3, 3, 13)
    num = _finite_difference(descent.bumpy_loss, xs)
    rel = np.abs(num - descent.bumpy_grad(xs)) / np.maximum(1.0, np.abs(num))
    assert rel.max() < 1e-6
    p = np.array([0.7, -1.3])
    num2 = np.array([_finite_difference(lambda t: descent.ravine_loss(p + t * e), 0.0) for e in np.eye(2)])
    np.testing.assert_allclose(descent.ravine_grad(p), num2, rtol=1e-6)


def test_different_starts_end_in_different_minima():
    left = descent.minimize(descent.bumpy_grad, -0.5, SGD(learning_rate=0.1), 300)[-1, 0]
    right = descent.minimize(descent.bumpy_grad, 1.0, SGD(learning_rate=0.1), 300)[-1, 0]
    assert left == pytest.approx(-2.214, abs=1e-2)
    assert right == pytest.approx(1.675, abs=1e-2)
    assert descent.bumpy_loss(left) < descent.bumpy_loss(right)


def test_noise_can_but_need_not_escape_a_shallow_minimum():
    finals = lambda noise: np.array(  # noqa: E731
        [descent.noisy_gradient_descent(descent.bumpy_grad, 1.675, 0.05, 400, noise, seed=s)[-1, 0] for s in range(30)]
    )
    assert np.all(finals(0.0) > 0)  # no noise: stays in the shallow minimum
    escaped = np.mean(finals(2.0) < 0)
    assert 0 < escaped < 1  # some runs escape, others do not: help, not a guarantee


def test_minibatches_cover_every_index_once():
    rng = np.random.default_rng(0)
    batches = list(descent.minibatches(10, 4, rng))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert [b.tolist() for b in descent.minibatches(5, 2)] == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        list(descent.minibatches(10, 0))


def test_linear_regression_gradients_match_finite_differences():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    params = {"w": rng.normal(size=3), "b": rng.normal(size=1)}
    _, grads = descent.linear_regression_grads(X, y, params)
    for key in params:
        for i in range(params[key].size):
            e = np.zeros_like(params[key])
            e[i] = 1e-6
            up = descent.linear_regression_grads(X, y, {**params, key: params[key] + e})[0]
            down = descent.linear_regression_grads(X, y, {**params, key: params[key] - e})[0]
            num = (up - down) / 2e-6
            assert abs(num - grads[key][i]) / max(1.0, abs(num)) < 1e-6


def test_batch_minibatch_and_stochastic_descent_reach_least_squares():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=64)
    A = np.column_stack([X, np.ones(64)])
    best = np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2)
    full = descent.fit_linear_regression(X, y, SGD(0.1), batch_size=64, epochs=300)
    mini = descent.fit_linear_regression(X, y, SGD(0.05), batch_size=8, epochs=60, seed=1)
    assert len(full["loss_per_update"]) == 300 and len(mini["loss_per_update"]) == 60 * 8
    assert len(mini["loss_per_epoch"]) == 61
    assert full["loss_per_epoch"][-1] == pytest.approx(best, rel=1e-6)
    assert mini["loss_per_epoch"][-1] < best * 1.2
    again = descent.fit_linear_regression(X, y, SGD(0.05), batch_size=8, epochs=60, seed=1)
    np.testing.assert_array_equal(mini["loss_per_update"], again["loss_per_update"])
