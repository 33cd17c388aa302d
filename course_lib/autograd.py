"""A tiny scalar automatic-differentiation engine (reverse mode), in the spirit of micrograd.

Defined in: Chapter 8, "Backpropagation".

Every arithmetic operation on :class:`Value` objects records a node of a
computation graph: its result, the nodes it was computed from, and a small
function that knows the *local* derivative of that one operation.
:meth:`Value.backward` walks the graph from the output back to the inputs
in reverse topological order and applies the chain rule at each node — this
is backpropagation, for any expression, without deriving anything by hand.

>>> a = Value(2.0, "a"); b = Value(-3.0, "b")
>>> c = a * b + a          # c = a·b + a
>>> c.backward()
>>> a.grad, b.grad         # ∂c/∂a = b + 1, ∂c/∂b = a
(-2.0, 2.0)
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np


def _check_number(x, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (Real, np.number)) or np.ndim(x) != 0:
        raise ValueError(f"{what} must be a single real number (a Python or numpy scalar), got {x!r}")
    return float(x)


class Value:
    """One scalar in a computation graph, with the gradient of the final output with respect to it.

    Defined in: Chapter 8, "Backpropagation".

    ``data`` is the number, ``grad`` is ∂(output)/∂(this node) after
    :meth:`backward`, ``label`` is an optional name for printing and
    drawing.  ``_parents`` are the nodes this one was computed from (a node
    may appear twice, as in ``a + a``) and ``op`` names the operation.
    """

    __slots__ = ("data", "grad", "label", "op", "_parents", "_backward")

    def __init__(self, data, label: str = "", *, _parents: tuple = (), _op: str = ""):
        self.data = _check_number(data, "Value data")
        self.grad = 0.0
        self.label = str(label)
        self.op = _op
        self._parents = tuple(_parents)
        self._backward = lambda: None

    # -- representation ---------------------------------------------------
    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # -- building blocks ---------------------------------------------------
    @staticmethod
    def _lift(other) -> Value:
        return other if isinstance(other, Value) else Value(_check_number(other, "the other operand"))

    def __add__(self, other) -> Value:
        other = Value._lift(other)
        out = Value(self.data + other.data, _parents=(self, other), _op="+")

        def backward():  # ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other) -> Value:
        other = Value._lift(other)
        out = Value(self.data * other.data, _parents=(self, other), _op="*")

        def backward():  # ∂(ab)/∂a = b, ∂(ab)/∂b = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __pow__(self, exponent) -> Value:
        if isinstance(exponent, Value):
            raise ValueError("Value ** Value is not supported: the exponent must be a plain number, e.g. x ** 2")
        k = _check_number(exponent, "the exponent")
        out = Value(self.data**k, _parents=(self,), _op=f"**{k:g}")

        def backward():  # ∂(a^k)/∂a = k a^(k−1)
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = backward
        return out

    def exp(self) -> Value:
        """e^x; its derivative is itself."""
        out = Value(math.exp(self.data), _parents=(self,), _op="exp")

        def backward():
            self.grad += out.data * out.grad

        out._backward = backward
        return out

    def log(self) -> Value:
        """Natural logarithm (x must be > 0); derivative 1/x."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive number, got {self.data}")
        out = Value(math.log(self.data), _parents=(self,), _op="log")

        def backward():
            self.grad += out.grad / self.data

        out._backward = backward
        return out

    def tanh(self) -> Value:
        """tanh(x); derivative 1 − tanh(x)²."""
        out = Value(math.tanh(self.data), _parents=(self,), _op="tanh")

        def backward():
            self.grad += (1.0 - out.data**2) * out.grad

        out._backward = backward
        return out

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^(−x)), computed stably; derivative σ(x)(1 − σ(x))."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, _parents=(self,), _op="sigmoid")

        def backward():
            self.grad += out.data * (1.0 - out.data) * out.grad

        out._backward = backward
        return out

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0 and 0 otherwise (0 at the kink, like TensorFlow)."""
        out = Value(max(0.0, self.data), _parents=(self,), _op="relu")

        def backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = backward
        return out

    # -- everything else is built from the operations above -----------------
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other) -> Value:
        return self + (-Value._lift(other))

    def __truediv__(self, other) -> Value:
        return self * Value._lift(other) ** -1

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return Value._lift(other) - self

    def __rtruediv__(self, other) -> Value:
        return Value._lift(other) / self

    # -- the graph ----------------------------------------------------------
    def graph(self) -> list[Value]:
        """Every node this value depends on (itself included), inputs first: a topological order.

        Iterative depth-first search, so very deep graphs do not hit Python's recursion limit.
        """
        order, seen = [], set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for parent in node._parents:
                if id(parent) not in seen:
                    stack.append((parent, False))
        return order

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on every node of this value's graph."""
        for node in self.graph():
            node.grad = 0.0

    def backward(self) -> None:
        """Fill ``grad`` of every node in the graph with ∂(self)/∂(node).

        First every node's gradient in this graph is reset to 0, then the
        chain rule runs from this node (gradient 1) back to the inputs in
        reverse topological order.  Inside one call, contributions *add up*
        — a node used twice (``a + a``, ``a * a``) gets both — but calling
        ``backward()`` again gives the same gradients, not twice them.
        (PyTorch instead accumulates across calls until you zero them; we
        reset because a learner re-running a notebook cell should not see
        gradients silently double.)  A node shared with *another* graph is
        reset too, so run one backward at a time.
        """
        order = self.graph()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def value_params(params) -> dict:
    """Turn a dict of numpy arrays into a dict of same-shaped object arrays of :class:`Value`.

    Defined in: Chapter 8, "Backpropagation".  Each Value is labelled
    ``"W1[0,2]"`` and so on.
    """
    out = {}
    for key, arr in params.items():
        arr = np.asarray(arr, dtype=np.float64)
        vals = np.empty(arr.shape, dtype=object)
        for idx in np.ndindex(arr.shape):
            vals[idx] = Value(arr[idx], f"{key}[{','.join(map(str, idx))}]")
        out[key] = vals
    return out


def autograd_grads_2_3_1(X, y, params) -> dict:
    """Gradients of the 2-3-1 network's mean binary cross-entropy computed by the :class:`Value` engine.

    Defined in: Chapter 8, "Backpropagation".

    The loss is built scalar by scalar (no clipping, so keep predictions
    away from exactly 0 and 1) and differentiated with one
    :meth:`Value.backward`; the result must match
    :func:`course_lib.backprop.backprop_2_3_1`.
    """
    from course_lib.backprop import _check_Xy, check_params_2_3_1

    X, y = _check_Xy(X, y)
    P = value_params(check_params_2_3_1(params))
    total = Value(0.0)
    for x_row, target in zip(X, y):
        h = [
            (P["W1"][0, j] * float(x_row[0]) + P["W1"][1, j] * float(x_row[1]) + P["b1"][j]).sigmoid() for j in range(3)
        ]
        y_hat = (h[0] * P["W2"][0, 0] + h[1] * P["W2"][1, 0] + h[2] * P["W2"][2, 0] + P["b2"][0]).sigmoid()
        t = float(target)
        total = total - (t * y_hat.log() + (1.0 - t) * (1.0 - y_hat).log())
    loss = total / X.shape[0]
    loss.backward()
    return {key: np.vectorize(lambda v: v.grad, otypes=[float])(vals) for key, vals in P.items()}
