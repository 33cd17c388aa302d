"""Chapter 3: the perceptron module and its exercises' checks."""

import numpy as np
import pytest

from course_lib import activations, checks, perceptron
from course_lib.figures import ch03 as figures
from tests.exercise_helpers import assert_exercise, assert_fails

# --- alternative correct implementations -----------------------------------


def step_loop(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    for idx, value in np.ndenumerate(z):
        out[idx] = 1.0 if value >= 0 else 0.0
    return out


def step_astype(z):
    return (np.asarray(z) >= 0).astype(np.float32)


def step_heaviside(z):
    return np.heaviside(z, 1.0)


def predict_loop(x, w, b):
    x = np.asarray(x, dtype=float)
    rows = np.atleast_2d(x)
    out = np.zeros(len(rows))
    for i, row in enumerate(rows):
        z = b + sum(xi * wi for xi, wi in zip(row, w))
        out[i] = 1 if z >= 0 else 0
    return out[0] if x.ndim == 1 else out


def predict_int(x, w, b):
    return (np.dot(x, w) + b >= 0).astype(int)


def update_branch(w, b, x, y, lr):
    y_hat = 1.0 if x @ w + b >= 0 else 0.0
    if y_hat == y:
        return w.copy(), b
    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)


def update_float32(w, b, x, y, lr):
    w32, x32 = w.astype(np.float32), x.astype(np.float32)
    err = np.float32(y) - np.float32(x32 @ w32 + np.float32(b) >= 0)
    return w32 + np.float32(lr) * err * x32, np.float32(b) + np.float32(lr) * err


def epoch_with_reference_update(w, b, X, y, lr):
    for x_i, y_i in zip(X, y):
        w, b = perceptron.perceptron_update(w, b, x_i, y_i, lr)
    return w, b


def epoch_indexed(w, b, X, y, lr):
    w = np.array(w, dtype=float)
    for i in range(X.shape[0]):
        err = y[i] - (1.0 if np.dot(X[i], w) + b >= 0 else 0.0)
        if err != 0:
            w = w + lr * err * X[i]
            b = b + lr * err
    return w, b


def count_loop(X, y, w, b):
    return sum(1 for x_i, y_i in zip(X, y) if (1.0 if x_i @ w + b >= 0 else 0.0) != y_i)


def count_nonzero(X, y, w, b):
    return np.count_nonzero(perceptron.perceptron_predict(X, w, b) - y)


# --- wrong implementations with their expected status -----------------------


def update_in_place(w, b, x, y, lr):
    err = y - (1.0 if x @ w + b >= 0 else 0.0)
    w += lr * err * x
    return w, b + lr * err


def epoch_in_place(w, b, X, y, lr):
    for x_i, y_i in zip(X, y):
        err = y_i - (1.0 if x_i @ w + b >= 0 else 0.0)
        w += lr * err * x_i
        b += lr * err
    return w, b


ALTERNATIVES = {
    "step": [step_loop, step_astype, step_heaviside],
    "perceptron_predict": [predict_loop, predict_int],
    "perceptron_update": [update_branch, update_float32],
    "perceptron_epoch": [epoch_with_reference_update, epoch_indexed],
    "count_errors": [count_loop, count_nonzero],
}
WRONG = {
    "step": [
        (lambda z: z >= 0, "wrong_type"),  # booleans instead of 1.0 / 0.0
        (lambda z: 1.0 if z >= 0 else 0.0, "error"),  # a Python if on an array
        (lambda z: list(np.where(np.ravel(z) >= 0, 1.0, 0.0)), "wrong_type"),
        (lambda z: np.where(np.ravel(z) >= 0, 1.0, 0.0), "wrong_shape"),
    ],
    "perceptron_predict": [
        (lambda x, w, b: x @ w + b >= 0, "wrong_type"),  # booleans
        (lambda x, w, b: np.atleast_1d(np.where(x @ w + b >= 0, 1.0, 0.0))[:, None], "wrong_shape"),
        (lambda x, w, b: None, "wrong_type"),
    ],
    "perceptron_update": [
        (update_in_place, "mutated_input"),
        (lambda w, b, x, y, lr: w + lr * (y - float(x @ w + b >= 0)) * x, "wrong_type"),  # forgot b
        (lambda w, b, x, y, lr: (w, b), "wrong_value"),  # never learns
    ],
    "perceptron_epoch": [
        (epoch_in_place, "mutated_input"),
        (lambda w, b, X, y, lr: (w, b, 0), "wrong_type"),
    ],
    "count_errors": [
        (lambda X, y, w, b: perceptron.perceptron_predict(X, w, b) != y, "wrong_shape"),
        (lambda X, y, w, b: "none", "wrong_type"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_chapter_registers_its_exercises():
    for exercise_id in ("step", "perceptron_predict", "perceptron_update", "perceptron_epoch", "count_errors"):
        assert checks.get(exercise_id).chapter == 'Chapter 3, "The perceptron"'


def test_in_place_update_is_reported_as_mutation_with_a_hint():
    result = checks.run("perceptron_update", update_in_place)
    assert result.status == "mutated_input"
    assert "argument `w`" in result.message and "x += ..." in result.message


def test_booleans_are_rejected_with_advice_to_convert():
    assert_fails("step", lambda z: z >= 0, status="wrong_type", hint=".astype(float)")


# --- the module -------------------------------------------------------------


def test_step_threshold_at_zero():
    np.testing.assert_array_equal(activations.step(np.array([-1.0, -0.0, 0.0, 2.0])), [0.0, 1.0, 1.0, 1.0])
    assert activations.step(0.0) == 1.0 and isinstance(activations.step(-3), float)


def test_logic_gates():
    for name, table in {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "xor": [0, 1, 1, 0]}.items():
        X, y = perceptron.logic_gate(name)
        assert X.shape == (4, 2) and y.shape == (4,)
        np.testing.assert_array_equal(y, table)
    np.testing.assert_array_equal(perceptron.logic_gate("AND")[1], [0, 0, 0, 1])


def test_predict_single_and_batch():
    X, y = perceptron.logic_gate("and")
    w, b = perceptron.GATE_WEIGHTS["and"]
    np.testing.assert_array_equal(perceptron.perceptron_predict(X, w, b), y)
    assert perceptron.perceptron_predict([1.0, 1.0], w, b) == 1.0
    assert perceptron.perceptron_predict([1.0, 0.0], [1.0, 1.0], -1.0) == 1.0  # on the boundary: class 1


def test_update_rule_and_no_mutation():
    w, b, x = np.array([0.5, -0.5]), -0.2, np.array([1.0, 1.0])
    w_before = w.copy()
    new_w, new_b = perceptron.perceptron_update(w, b, x, 1, 0.1)
    np.testing.assert_allclose(new_w, [0.6, -0.4])
    assert new_b == pytest.approx(-0.1)
    np.testing.assert_array_equal(w, w_before)
    same_w, same_b = perceptron.perceptron_update(np.array([1.0, 1.0]), -1.5, x, 1, 0.1)
    np.testing.assert_array_equal(same_w, [1.0, 1.0])
    assert same_b == -1.5


@pytest.mark.parametrize("gate", ["and", "or", "nand"])
def test_converges_on_linearly_separable_gates(gate):
    X, y = perceptron.logic_gate(gate)
    fit = perceptron.train_perceptron(X, y, lr=1.0, epochs=100)
    assert fit.converged and fit.errors[-1] == 0 and len(fit.errors) < 100
    assert perceptron.count_errors(X, y, fit.w, fit.b) == 0
    np.testing.assert_array_equal(perceptron.perceptron_predict(X, fit.w, fit.b), y)
    assert fit.updates == fit.errors.sum() > 0
    assert len(fit.path) == len(fit.errors) + 1


@pytest.mark.parametrize("lr", [0.1, 1.0])
def test_never_learns_xor(lr):
    X, y = perceptron.logic_gate("xor")
    fit = perceptron.train_perceptron(X, y, lr=lr, epochs=100)
    assert len(fit.errors) == 100 and (fit.errors > 0).all() and not fit.converged
    for w, b in fit.path:
        assert perceptron.count_errors(X, y, w, b) >= 1


def test_converges_on_random_separable_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    margin = X @ np.array([1.0, -2.0]) + 0.3
    X, margin = X[np.abs(margin) > 0.1], margin[np.abs(margin) > 0.1]
    y = (margin > 0).astype(float)
    fit = perceptron.train_perceptron(X, y, lr=0.5, epochs=1000)
    assert fit.converged and perceptron.count_errors(X, y, fit.w, fit.b) == 0


def test_epoch_matches_training_one_epoch():
    X, y = perceptron.logic_gate("or")
    w, b = perceptron.perceptron_epoch(np.zeros(2), 0.0, X, y, 1.0)
    fit = perceptron.train_perceptron(X, y, lr=1.0, epochs=1, stop_early=False)
    np.testing.assert_array_equal(w, fit.w)
    assert b == fit.b


def test_two_layer_xor():
    X, y = perceptron.logic_gate("xor")
    out, H = perceptron.two_layer_xor(X, return_hidden=True)
    np.testing.assert_array_equal(out, y)
    np.testing.assert_array_equal(H, [[0, 1], [1, 1], [1, 1], [1, 0]])
    for gate in ("and", "or", "nand"):
        Xg, yg = perceptron.logic_gate(gate)
        np.testing.assert_array_equal(perceptron.perceptron_predict(Xg, *perceptron.GATE_WEIGHTS[gate]), yg)


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        (perceptron.perceptron_predict, ([1.0, 2.0, 3.0], [1.0, 1.0], 0.0), r"expected shape \(2,\) or \(m, 2\)"),
        (perceptron.perceptron_update, ([1.0, 1.0], 0.0, [1.0, 2.0, 3.0], 1, 0.1), r"must have shape \(2,\)"),
        (perceptron.perceptron_update, ([1.0, 1.0], 0.0, [[1.0, 2.0]], 1, 0.1), r"must have shape \(2,\)"),
        (perceptron.perceptron_update, ([1.0, 1.0], 0.0, [1.0, 2.0], 2, 0.1), "only 0 and 1"),
        (perceptron.perceptron_update, ([1.0, 1.0], 0.0, [1.0, 2.0], 1, -0.1), "lr must be a positive number"),
        (perceptron.perceptron_update, ([1.0, 1.0], [0.0], [1.0, 2.0], 1, 0.1), "b must be a single number"),
        (perceptron.train_perceptron, (np.zeros((4, 2)), np.zeros(3)), r"y must have shape \(4,\)"),
        (perceptron.train_perceptron, (np.zeros(4), np.zeros(4)), "X must be 2-D"),
        (perceptron.train_perceptron, (np.zeros((4, 2)), np.zeros(4), 1.0, -1), "epochs"),
        (perceptron.perceptron_epoch, (np.zeros(3), 0.0, np.zeros((4, 2)), np.zeros(4)), r"w must have shape \(2,\)"),
        (perceptron.count_errors, (np.zeros((4, 2)), np.zeros((4, 1)), np.zeros(2), 0.0), r"y must have shape \(4,\)"),
        (perceptron.two_layer_xor, (np.zeros((4, 3)),), r"X must have shape \(m, 2\)"),
        (perceptron.logic_gate, ("xnor",), "name must be one of"),
    ],
)
def test_bad_input_raises_value_error_naming_the_shape(func, args, message):
    with pytest.raises(ValueError, match=message):
        func(*args)


def test_draw_perceptron_training():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figures.draw_perceptron_training("and", epoch=0)
    assert "AND after 0 epoch(s)" in fig.axes[0].get_title()
    assert "misclassified" in fig.axes[0].get_title()
    plt.close(fig)
    fig = figures.draw_perceptron_training("or", epoch=10)
    title = fig.axes[0].get_title()
    assert "0 of 4 misclassified" in title
    assert fig.axes[0].get_xlabel() == "$x_1$" and len(fig.axes[0].lines) == 1
    plt.close(fig)
    fig = figures.draw_perceptron_training("xor", epoch=50)
    assert "0 of 4" not in fig.axes[0].get_title()
    plt.close(fig)


def test_module_imports_no_matplotlib_or_tensorflow():
    import subprocess
    import sys

    code = "import sys, course_lib.perceptron, course_lib.checks; print('matplotlib' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_drawing_function_works_as_a_slider_demo():
    import matplotlib

    matplotlib.use("Agg")
    import ipywidgets
    import matplotlib.pyplot as plt

    live = ipywidgets.interactive(
        figures.draw_perceptron_training,
        gate=ipywidgets.Dropdown(options=["and", "xor"], value="xor"),
        epoch=ipywidgets.IntSlider(value=2, min=0, max=20),
    )
    assert [w._kwarg for w in live.kwargs_widgets] == ["gate", "epoch"]
    plt.close("all")
