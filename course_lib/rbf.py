"""Radial basis function features: how close a sample is to each of a few centres.

Defined in: Chapter 10, "A tour of network types".

An RBF network replaces a hidden layer's weighted sums by distances: unit k
responds exp(−γ‖x − c_k‖²), 1 at its centre and fading with distance.  A
linear read-out on these features then separates classes that no straight
line could.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_positive, check_whole


def rbf_features(X, centres, gamma: float) -> np.ndarray:
    """``Φ[i, k] = exp(−gamma · ‖X[i] − centres[k]‖²)`` for ``X (m, n)`` and ``centres (k, n)``: shape ``(m, k)``.

    Defined in: Chapter 10, "A tour of network types".
    """
    X = as_float_array(X, "X", ndim=2)
    centres = as_float_array(centres, "centres", ndim=2)
    if centres.shape[1] != X.shape[1]:
        raise ValueError(f"centres must have shape (k, {X.shape[1]}) to match X, got {centres.shape}")
    gamma = check_positive(gamma, "gamma")
    squared = ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1)
    return np.exp(-gamma * squared)


class RBFNetwork:
    """An RBF network for classification: k-means centres, Gaussian features, a logistic-regression read-out.

    Defined in: Chapter 10, "A tour of network types".

    Only the read-out is trained by gradient descent (scikit-learn's
    ``LogisticRegression``); the centres come from k-means on the inputs,
    without looking at the labels.
    """

    def __init__(self, n_centres: int = 12, gamma: float = 2.0, seed: int = 0):
        self.n_centres = check_whole(n_centres, "n_centres")
        self.gamma = check_positive(gamma, "gamma")
        self.seed = seed

    def fit(self, X, y):
        from sklearn.cluster import KMeans
        from sklearn.linear_model import LogisticRegression

        X = as_float_array(X, "X", ndim=2)
        self.centres = KMeans(self.n_centres, n_init=4, random_state=self.seed).fit(X).cluster_centers_
        self.readout = LogisticRegression(max_iter=2000).fit(rbf_features(X, self.centres, self.gamma), y)
        return self

    def predict(self, X) -> np.ndarray:
        return self.readout.predict(rbf_features(X, self.centres, self.gamma))
