"""Chapter 8: the scalar autograd engine, against finite differences and the 2-3-1 matrix gradients."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import backprop as bp
from course_lib import gradcheck as gc
from course_lib.autograd import Value, autograd_grads_2_3_1, value_params
from course_lib.figures.ch08 import draw_graph


def _numeric(f, xs, eps=1e-6):
    """Central differences of a plain function of several floats."""
    out = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        out.append((f(*up) - f(*down)) / (2 * eps))
    return out


EXPRESSIONS = {
    "sum and product": lambda a, b, c: a * b + c * a,
    "subtraction and negation": lambda a, b, c: -(a - b) - (3.0 - c),
    "division both ways": lambda a, b, c: a / b + 2.0 / c,
    "powers": lambda a, b, c: a**2 + b**3 * c ** (-2),
    "exp and log": lambda a, b, c: (a * b).exp() + (c * c + 1.0).log(),
    "activations": lambda a, b, c: a.tanh() * b.sigmoid() + (c - 0.2).relu() + (0.5 - a).relu(),
    "radd rmul rsub rtruediv": lambda a, b, c: 2.0 + 3.0 * a - (1.0 - b) + 4.0 / c,
}


def _plain(name):
    """The same expression evaluated on plain floats (Value methods mapped to math)."""

    class F(float):
        def exp(self):
            return F(math.exp(self))

        def log(self):
            return F(math.log(self))

        def tanh(self):
            return F(math.tanh(self))

        def sigmoid(self):
            return F(1 / (1 + math.exp(-self)))

        def relu(self):
            return F(max(0.0, self))

        def __add__(self, o):
            return F(float(self) + o)

        __radd__ = __add__

        def __sub__(self, o):
            return F(float(self) - o)

        def __rsub__(self, o):
            return F(o - float(self))

        def __mul__(self, o):
            return F(float(self) * o)

        __rmul__ = __mul__

        def __truediv__(self, o):
            return F(float(self) / o)

        def __rtruediv__(self, o):
            return F(o / float(self))

        def __pow__(self, k):
            return F(float(self) ** k)

        def __neg__(self):
            return F(-float(self))

    return lambda *xs: float(EXPRESSIONS[name](*map(F, xs)))


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_operations_match_finite_differences(name):
    xs = [0.7, -1.3, 1.9]
    vals = [Value(x, lab) for x, lab in zip(xs, "abc")]
    out = EXPRESSIONS[name](*vals)
    assert out.data == pytest.approx(_plain(name)(*xs), rel=1e-12)
    out.backward()
    num = _numeric(_plain(name), xs)
    assert gc.relative_error([v.grad for v in vals], num) < 1e-8


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_property_random_inputs_match_finite_differences(xs):
    # Stay off the relu kinks (c = 0.2, a = 0.5) and off c = 0.
    xs = [x if min(abs(x - 0.2), abs(x - 0.5)) > 1e-3 and abs(x) > 1e-2 else x + 0.05 for x in xs]
    vals = [Value(x) for x in xs]
    f = EXPRESSIONS["activations"]
    f(*vals).backward()
    num = _numeric(_plain("activations"), xs)
    np.testing.assert_allclose([v.grad for v in vals], num, rtol=1e-5, atol=1e-7)


def test_reused_node_accumulates():
    a = Value(3.0, "a")
    b = a + a
    b.backward()
    assert a.grad == 2.0
    c = a * a
    c.backward()
    assert a.grad == 6.0  # 2a
    d = a * a * a + a  # 3a² + 1
    d.backward()
    assert a.grad == pytest.approx(28.0)


def test_repeated_backward_gives_the_same_gradients():
    a, b = Value(2.0, "a"), Value(-4.0, "b")
    e = (a * b + a).tanh() * b
    e.backward()
    first = (a.grad, b.grad, e.grad)
    e.backward()
    assert (a.grad, b.grad, e.grad) == first
    e.zero_grad()
    assert a.grad == b.grad == e.grad == 0.0
    e.backward()
    assert (a.grad, b.grad, e.grad) == first


def test_reuse_in_a_deep_graph():
    # x_{k+1} = x_k * x_k / 2 + x_k: every step reuses the previous node twice; 2000 steps deep
    x0 = Value(1e-3, "x0")
    x, plain = x0, 1e-3
    deriv = 1.0
    for _ in range(2000):
        deriv *= plain + 1.0  # d x_{k+1} / d x_k = x_k + 1
        plain = plain * plain / 2 + plain
        x = x * x / 2 + x
    x.backward()
    assert x.data == pytest.approx(plain, rel=1e-10)
    assert x0.grad == pytest.approx(deriv, rel=1e-9)
    # the shared node appears once in the topological order
    order = x.graph()
    assert len(order) == len({id(n) for n in order})
    assert order[0] is x0 or x0 in order


def test_diamond_graph_topological_order():
    a = Value(1.5, "a")
    b = a.exp()
    c = a * 2.0
    d = b * c + b  # b used twice, through two paths
    order = d.graph()
    pos = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node._parents:
            assert pos[id(parent)] < pos[id(node)]
    d.backward()
    # d = 2a e^a + e^a → d' = e^a (2a + 3)
    assert a.grad == pytest.approx(math.exp(1.5) * (2 * 1.5 + 3))


def test_autograd_matches_the_2_3_1_matrix_gradients_and_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 2))
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    params = bp.init_params_2_3_1(3) | {"b1": rng.normal(size=3), "b2": rng.normal(size=1)}
    auto = autograd_grads_2_3_1(X, y, params)
    matrix = bp.backprop_2_3_1(X, y, params)
    for k in params:
        assert auto[k].shape == params[k].shape
        np.testing.assert_allclose(auto[k], matrix[k], rtol=1e-10, atol=1e-14)
    errors = gc.gradient_check(lambda P: bp.loss_2_3_1(X, y, P), lambda P: autograd_grads_2_3_1(X, y, P), params)
    assert max(errors.values()) < 1e-6


def test_value_params_labels_and_repr():
    P = value_params({"W1": np.arange(6.0).reshape(2, 3)})
    assert P["W1"].shape == (2, 3) and P["W1"][1, 2].data == 5.0 and P["W1"][1, 2].label == "W1[1,2]"
    v = Value(2.5, "x")
    assert repr(v) == "Value(label='x', data=2.5, grad=0)"
    assert repr(Value(1.0)) == "Value(data=1, grad=0)"


def test_draw_graph_draws_every_node():
    import matplotlib.pyplot as plt

    a, b = Value(2.0, "a"), Value(-1.0, "b")
    out = a * b + a
    out.label = "out"
    out.backward()
    ax = draw_graph(out)
    texts = [t.get_text() for t in ax.texts if t.get_text()]
    assert len(texts) == len(out.graph()) == 4
    assert any(t.startswith("out (+)") and "grad 1" in t for t in texts)
    assert ax.get_xlabel() and ax.get_title()
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Value("3"), "single real number"),
        (lambda: Value(np.ones(2)), "single real number"),
        (lambda: Value(True), "single real number"),
        (lambda: Value(1.0) + "a", "single real number"),
        (lambda: Value(2.0) ** Value(2.0), "exponent must be a plain number"),
        (lambda: Value(-1.0).log(), "positive number"),
        (lambda: draw_graph(3.0), "root must be a Value"),
    ],
)
def test_bad_input_is_rejected_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()
