"""Modular networks: specialist networks behind a gate, against one monolithic network.

Defined in: Chapter 10, "A tour of network types".
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_whole


def two_task_data(n: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Samples ``(x1, x2, task)`` of two classification tasks on the same square, and their labels.

    Defined in: Chapter 10, "A tour of network types".

    Task 0 asks "do x1 and x2 have the same sign?" (XOR-like quadrants),
    task 1 "is the point inside the circle of radius 0.75?".  The third column
    says which task a sample belongs to, so the problem splits naturally.
    """
    n, rng = check_whole(n, "n"), np.random.default_rng(seed)
    P = rng.uniform(-1, 1, size=(n, 2))
    task = rng.integers(0, 2, n)
    same_sign = (P[:, 0] * P[:, 1] > 0).astype(int)
    inside = ((P**2).sum(axis=1) < 0.75**2).astype(int)
    return np.column_stack([P, task]), np.where(task == 0, same_sign, inside)


class ModularNetwork:
    """Specialists behind a gate: sample i is answered by ``specialists[gate(X)[i]]`` on the features ``X[:, :-1]``.

    Defined in: Chapter 10, "A tour of network types".

    Here the gate reads the task column, because the data say which task a
    sample belongs to; a *mixture of experts* learns its gate instead.
    """

    def __init__(self, specialists, gate=None):
        self.specialists = list(specialists)
        self.gate = gate or (lambda X: X[:, -1].astype(int))

    def predict_classes(self, X) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2)
        route = self.gate(X)
        out = np.empty(len(X), dtype=int)
        for k, net in enumerate(self.specialists):
            mine = route == k
            if mine.any():
                out[mine] = net.predict(X[mine, :-1]).argmax(axis=1)
        return out

    def count_params(self) -> int:
        return sum(net.count_params() for net in self.specialists)
