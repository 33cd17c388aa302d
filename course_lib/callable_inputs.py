"""Functions that exercises hand to a learner's function as inputs: a loss to differentiate, a model to probe.

Defined in: Chapter 8, "Backpropagation" (``ExampleLoss``) and Chapter 15, "Image recognition"
(``ExampleClassifier``).

They live in the library, not with the checks, because a grader sends them to the learner's code, which runs
where the checks are not (see :mod:`course_lib.grade.sandbox`).  Each is deterministic and has a readable repr.
"""

from __future__ import annotations

import numpy as np

from course_lib.backprop import loss_2_3_1


class ExampleLoss:
    """A deterministic test function of a params dict, with a readable repr (no memory addresses)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, params):
        if self.kind == "quadratic":
            return float(np.sum(params["w"] ** 2) + 3.0 * np.sum(params["w"]))
        if self.kind == "cubic":
            return float(np.sum(params["a"] ** 3) + np.sum(params["a"]) * float(np.prod(params["b"])))
        X = np.array([[0.5, -1.0], [1.5, 2.0], [-0.3, 0.8]])
        y = np.array([1.0, 0.0, 1.0])
        return loss_2_3_1(X, y, params)

    def __deepcopy__(self, memo):
        return self  # stateless: the check's copies of the arguments may share it

    def __repr__(self) -> str:
        return {
            "quadratic": "f(params) = Σ w² + 3 Σ w",
            "cubic": "f(params) = Σ a³ + (Σ a)·(Π b)",
            "net": "f(params) = mean cross-entropy of the 2-3-1 network on 3 samples",
        }[self.kind]


class ExampleClassifier:
    """A deterministic toy classifier of image batches, with a readable repr (no memory addresses)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, batch):
        batch = np.asarray(batch, dtype=float)
        flat = batch.reshape(len(batch), -1)
        if self.kind == "bright-centre":  # p(class 1) grows with the brightness of the middle
            h, w = batch.shape[1:3]
            centre = batch[:, h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].reshape(len(batch), -1).mean(axis=1)
            p = 1 / (1 + np.exp(-8 * (centre - 0.5)))
            return np.stack([1 - p, p], axis=1)
        W = np.random.default_rng(flat.shape[1]).normal(0, 0.3, (flat.shape[1], 3))
        z = flat @ W
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return {"bright-centre": "predict = p(bright centre)", "linear": "predict = softmax(pixels · W), 3 classes"}[
            self.kind
        ]


__all__ = ["ExampleClassifier", "ExampleLoss"]
