"""Chapter 16b: the matrix-factorisation exercises (prediction and gradients), checked against finite differences
and against Keras' own model and loss.

Declares ``ALTERNATIVES`` and ``WRONG`` so that tests/test_grading_seed.py also checks them under every class seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import recommender
from course_lib.gradcheck import gradient_check
from tests.exercise_helpers import assert_exercise


def predict_loop(P, Q, b_user, b_item, mu, users, items):
    out = []
    for u, i in zip(users, items):
        out.append(mu + b_user[u] + b_item[i] + sum(float(a) * float(b) for a, b in zip(P[u], Q[i])))
    return np.array(out)


def predict_einsum_float32(P, Q, b_user, b_item, mu, users, items):
    P, Q = np.asarray(P, np.float32), np.asarray(Q, np.float32)
    return (np.einsum("kd,kd->k", P[users], Q[items]) + b_user[users] + b_item[items] + mu).astype(np.float32)


def predict_full_then_pick(P, Q, b_user, b_item, mu, users, items):
    """Every user's rating of every film, then the pairs asked for: wasteful, but right."""
    full = mu + b_user[:, None] + b_item[None, :] + P @ Q.T
    return full[users, items]


def gradients_loop(P, Q, b_user, b_item, mu, users, items, ratings, l2):
    dP, dQ = 2 * l2 * np.array(P, np.float64), 2 * l2 * np.array(Q, np.float64)
    db_user, db_item = np.zeros(len(b_user)), np.zeros(len(b_item))
    m = len(ratings)
    for u, i, r in zip(users, items, ratings):
        e = 2 * (mu + b_user[u] + b_item[i] + P[u] @ Q[i] - r) / m
        dP[u] += e * Q[i]
        dQ[i] += e * P[u]
        db_user[u] += e
        db_item[i] += e
    return dP, dQ, db_user, db_item


def gradients_one_hot(P, Q, b_user, b_item, mu, users, items, ratings, l2):
    """The batch's pairs as one-hot matrices U (m, n_users) and F (m, n_items): dP = Uᵀ (e ⊙ Q[items]) + 2 l2 P."""
    U, F = np.eye(len(P))[users], np.eye(len(Q))[items]
    e = 2 * ((U @ P * (F @ Q)).sum(axis=1) + U @ b_user + F @ b_item + mu - ratings) / len(ratings)
    return U.T @ (e[:, None] * (F @ Q)) + 2 * l2 * P, F.T @ (e[:, None] * (U @ P)) + 2 * l2 * Q, U.T @ e, F.T @ e


def gradients_bincount_float32(P, Q, b_user, b_item, mu, users, items, ratings, l2):
    P, Q = np.asarray(P, np.float32), np.asarray(Q, np.float32)
    e = (
        2 * (np.sum(P[users] * Q[items], axis=1) + b_user[users] + b_item[items] + mu - ratings) / len(ratings)
    ).astype(np.float32)
    dP = np.stack([np.bincount(users, e * Q[items, j], len(P)) for j in range(P.shape[1])], axis=1) + 2 * l2 * P
    dQ = np.stack([np.bincount(items, e * P[users, j], len(Q)) for j in range(Q.shape[1])], axis=1) + 2 * l2 * Q
    return (
        dP.astype(np.float32),
        dQ.astype(np.float32),
        np.bincount(users, e, len(P)).astype(np.float32),
        np.bincount(items, e, len(Q)).astype(np.float32),
    )


ALTERNATIVES = {
    "mf_predict": [predict_loop, predict_einsum_float32, predict_full_then_pick],
    "mf_gradients": [gradients_loop, gradients_one_hot, gradients_bincount_float32],
}
WRONG = {
    "mf_predict": [
        (lambda *a: predict_full_then_pick(*a).tolist(), "wrong_type"),
        (lambda *a: predict_full_then_pick(*a)[:, None], "wrong_shape"),
        (lambda *a: predict_full_then_pick(*a) + 0.5, "wrong_value"),
    ],
    "mf_gradients": [
        (lambda *a: gradients_loop(*a)[:3], "wrong_type"),
        (lambda *a: dict(zip(("dP", "dQ", "db_user", "db_item"), gradients_loop(*a))), "wrong_type"),
        # the biases as Keras stores them, one column (n, 1), instead of vectors
        (lambda *a: (*gradients_loop(*a)[:2], *(g[:, None] for g in gradients_loop(*a)[2:])), "wrong_shape"),
        (lambda *a: tuple(-g for g in gradients_loop(*a)), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def _problem(seed=0, n_users=6, n_items=8, d=3, m=15):
    rng = np.random.default_rng(seed)
    params = {
        "P": rng.normal(0, 0.5, (n_users, d)),
        "Q": rng.normal(0, 0.5, (n_items, d)),
        "b_user": rng.normal(0, 0.5, n_users),
        "b_item": rng.normal(0, 0.5, n_items),
    }
    users, items = rng.integers(0, n_users - 1, m), rng.integers(0, n_items - 1, m)  # the last rows stay untouched
    users[-1], items[-1] = users[0], items[0]
    return params, users, items, rng.integers(1, 11, m) / 2


@pytest.mark.parametrize("l2", [0.0, 0.03])
def test_gradients_pass_a_gradient_check(l2):
    params, users, items, ratings = _problem()

    def loss(p):
        return recommender.mf_loss(p["P"], p["Q"], p["b_user"], p["b_item"], 3.5, users, items, ratings, l2)

    def grads(p):
        return dict(zip(params, recommender.mf_gradients(*p.values(), 3.5, users, items, ratings, l2)))

    errors = gradient_check(loss, grads, params)
    assert max(errors.values()) < 1e-7, errors


def test_untouched_rows_get_only_the_penalty():
    params, users, items, ratings = _problem()
    dP, dQ, db_user, db_item = recommender.mf_gradients(*params.values(), 3.5, users, items, ratings, 0.1)
    np.testing.assert_allclose(dP[-1], 0.2 * params["P"][-1])
    np.testing.assert_allclose(dQ[-1], 0.2 * params["Q"][-1])
    assert db_user[-1] == 0 and db_item[-1] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: {**a, "Q": a["Q"][:, :2]}, "same length"),
        (lambda a: {**a, "b_user": a["b_user"][:-1]}, "b_user must have shape"),
        (lambda a: {**a, "users": a["users"] + 100}, "users must lie between"),
        (lambda a: {**a, "items": a["items"].astype(float)}, "integer indices"),
        (lambda a: {**a, "items": a["items"][:-1]}, "same length"),
        (lambda a: {**a, "P": a["P"][0]}, "P must be 2-D"),
    ],
)
def test_bad_input_is_named(change, message):
    params, users, items, _ = _problem()
    args = change({**params, "mu": 3.5, "users": users, "items": items})
    with pytest.raises(ValueError, match=message):
        recommender.mf_predict(**args)


def test_gradients_reject_bad_ratings_and_l2():
    params, users, items, ratings = _problem()
    with pytest.raises(ValueError, match="ratings must have shape"):
        recommender.mf_gradients(*params.values(), 3.5, users, items, ratings[:-1], 0.1)
    with pytest.raises(ValueError, match="l2 must be"):
        recommender.mf_gradients(*params.values(), 3.5, users, items, ratings, -0.1)


def test_prediction_and_gradients_equal_keras():
    """Same weights in the Keras model: its predictions, and the gradients of the loss ``fit`` minimises."""
    pytest.importorskip("keras")
    import tensorflow as tf

    params, users, items, ratings = _problem(seed=1, n_users=7, n_items=9, d=4, m=20)
    l2, mu = 0.02, 3.25
    model = recommender.factorization_model(7, 9, dim=4, l2=l2, mean=mu)
    model.compile(optimizer="sgd", loss="mse")
    for name, layer in {"P": "user_vector", "Q": "item_vector"}.items():
        model.get_layer(layer).set_weights([params[name].astype("float32")])
    for name, layer in {"b_user": "user_bias", "b_item": "item_bias"}.items():
        model.get_layer(layer).set_weights([params[name][:, None].astype("float32")])
    weights = recommender.factorization_weights(model)
    for name in params:
        np.testing.assert_allclose(weights[name], params[name], atol=1e-7)

    x = [users.astype("int32"), items.astype("int32")]
    ours = recommender.mf_predict(*params.values(), mu, users, items)
    np.testing.assert_allclose(np.ravel(model.predict(x, verbose=0)), ours, atol=1e-5)

    y = ratings.astype("float32")
    with tf.GradientTape() as tape:
        y_pred = model(x, training=True)
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)  # what fit() minimises, penalty included
    variables = {v.path.split("/")[0]: v for v in model.trainable_variables}
    grads = tape.gradient(
        loss, [variables[layer].value for layer in ("user_vector", "item_vector", "user_bias", "item_bias")]
    )
    keras_grads = [tf.convert_to_tensor(g).numpy() for g in grads]
    keras_grads[2:] = [g[:, 0] for g in keras_grads[2:]]
    ours_grads = recommender.mf_gradients(*params.values(), mu, users, items, ratings, l2)
    assert float(loss) == pytest.approx(recommender.mf_loss(*params.values(), mu, users, items, ratings, l2), rel=1e-5)
    for k, g in zip(params, ours_grads):
        np.testing.assert_allclose(keras_grads[list(params).index(k)], g, atol=2e-6, err_msg=k)
