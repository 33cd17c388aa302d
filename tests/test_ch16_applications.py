"""Chapter 16: the exercises (PSNR, tour length, windows, precision/recall) and the application modules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import compression, forecast, logs, metrics, recommender, tsp
from tests.exercise_helpers import assert_exercise


def psnr_rmse(original, reconstruction, peak):
    a, b = np.asarray(original, float), np.asarray(reconstruction, float)
    rmse = math.sqrt(((a - b) ** 2).sum() / a.size)
    return 20 * math.log10(peak / rmse)


def psnr_float32(original, reconstruction, peak):
    d = np.asarray(original, np.float64) - np.asarray(reconstruction, np.float64)
    return float(10 * np.log10(peak * peak) - 10 * np.log10(np.mean(d * d)))


def tour_loop(cities, order):
    total = 0.0
    for k in range(len(order)):
        (x1, y1), (x2, y2) = cities[order[k]], cities[order[(k + 1) % len(order)]]
        total += math.hypot(x2 - x1, y2 - y1)
    return total


def tour_diff(cities, order):
    path = np.asarray(cities)[np.asarray(order)]
    closed = np.vstack([path, path[:1]])
    return float(np.sqrt((np.diff(closed, axis=0) ** 2).sum(axis=1)).sum())


def windows_loop(series, window, horizon):
    X, y = [], []
    for i in range(len(series) - window - horizon + 1):
        X.append(list(series[i : i + window]))
        y.append(series[i + window + horizon - 1])
    return np.array(X), np.array(y)


def windows_index(series, window, horizon):
    s = np.asarray(series, np.float64)
    n = len(s) - window - horizon + 1
    idx = np.arange(n)[:, None] + np.arange(window)
    return s[idx], s[np.arange(n) + window + horizon - 1]


def pr_counts(y_true, y_pred):
    tp = sum(1 for t, p in zip(y_true, y_pred) if t == 1 and p == 1)
    fp = sum(1 for t, p in zip(y_true, y_pred) if t == 0 and p == 1)
    fn = sum(1 for t, p in zip(y_true, y_pred) if t == 1 and p == 0)
    return np.array([tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0])


def pr_boolean(y_true, y_pred):
    t, p = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    hits = (t & p).sum()
    return np.array([hits / max(p.sum(), 1), hits / max(t.sum(), 1)], dtype=np.float32)


def pak_loop(recommended, relevant, k):
    total, users = 0.0, 0
    for ranked, liked in zip(recommended, relevant):
        if liked:
            total += sum(1 for film in list(ranked)[:k] if film in liked) / k
            users += 1
    return total / users


def pak_isin(recommended, relevant, k):
    rows = [np.isin(np.asarray(r)[:k], list(rel)).mean() for r, rel in zip(recommended, relevant) if len(rel)]
    return np.float32(np.mean(rows))


ALTERNATIVES = {
    "psnr": [psnr_rmse, psnr_float32],
    "tour_length": [tour_loop, tour_diff],
    "make_windows": [windows_loop, windows_index],
    "precision_recall": [pr_counts, pr_boolean],
    "precision_at_k": [pak_loop, pak_isin],
}
WRONG = {
    "psnr": [(lambda a, b, p: -psnr_rmse(a, b, p), "wrong_value"), (lambda a, b, p: None, "wrong_type")],
    "tour_length": [(lambda c, o: tour_loop(c, o) / len(o), "wrong_value")],
    "make_windows": [
        (lambda s, w, h: windows_loop(s, w, h)[0], "wrong_type"),
        (lambda s, w, h: (windows_loop(s, w, h)[0].T, windows_loop(s, w, h)[1]), "wrong_shape"),
    ],
    "precision_recall": [
        (lambda t, p: pr_counts(t, p)[:1], "wrong_shape"),
        (lambda t, p: 1 - pr_counts(t, p), "wrong_value"),
    ],
    "precision_at_k": [
        (lambda r, rel, k: [pak_loop(r, rel, k)], "wrong_type"),  # a list, not a number
        (lambda r, rel, k: pak_loop(r, rel, k) * k, "wrong_value"),  # hits per user, not a share
        # counting from 1: films 2 … k+1 of each list instead of 1 … k
        (lambda r, rel, k: pak_loop([list(x)[1:] for x in r], rel, k), "wrong_value"),
        # pooled over users: all hits over all films shown, users who liked nothing included
        (
            lambda r, rel, k: sum(len(set(list(x)[:k]) & set(s)) for x, s in zip(r, rel)) / (k * len(r)),
            "wrong_value",
        ),
        # the median over users instead of the mean
        (
            lambda r, rel, k: float(np.median([len(set(list(x)[:k]) & set(s)) / k for x, s in zip(r, rel) if s])),
            "wrong_value",
        ),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


def test_psnr_and_quantize():
    a = np.linspace(0, 1, 100).reshape(10, 10)
    assert compression.psnr(a, a) == float("inf")
    assert compression.psnr(a, a + 0.1) == pytest.approx(20.0)
    q = compression.quantize(a, 2, 0.0, 1.0)
    assert set(np.round(np.unique(q), 6)) == {0.0, 0.333333, 0.666667, 1.0}
    low, high = compression.code_ranges(np.array([[0.0, 10.0], [1.0, 20.0]]), coverage=100)
    assert low.tolist() == [0.0, 10.0] and high.tolist() == [1.0, 20.0]
    assert np.all(np.abs(compression.quantize(a[:, :2] * [1, 10], 8, low * 0, [1, 10]) - a[:, :2] * [1, 10]) < 0.03)


def test_pca_codec_reconstructs_data_of_low_rank_exactly():
    rng = np.random.default_rng(0)
    X = np.clip(0.5 + rng.normal(size=(200, 3)) @ rng.normal(size=(3, 20)) * 0.05, 0, 1)
    codec = compression.PCACodec(3).fit(X)
    assert compression.psnr(X, codec.decode(codec.encode(X))) > 60


def test_two_opt_and_the_elastic_ring_beat_nearest_neighbour():
    cities = tsp.random_cities(60, seed=1)
    nn = tsp.nearest_neighbour_tour(cities)
    opt = tsp.two_opt(cities, nn)
    ring, weights, kept = tsp.elastic_ring(cities, epochs=40, seed=0, snapshots=(0, 10))
    assert sorted(ring.tolist()) == list(range(60)) and set(kept) == {0, 10}
    L = {name: tsp.tour_length(cities, o) for name, o in [("nn", nn), ("2opt", opt), ("ring", ring)]}
    assert L["2opt"] < L["nn"] and L["ring"] <= 1.10 * L["2opt"]
    # 2-opt leaves no improving move
    for i in range(58):
        for j in range(i + 2, 60):
            o = opt.copy()
            o[i + 1 : j + 1] = o[i + 1 : j + 1][::-1]
            assert tsp.tour_length(cities, o) >= L["2opt"] - 1e-9


def test_windows_naive_forecast_and_split():
    X, y = forecast.make_windows(np.arange(8.0), 3, 2)
    assert X.tolist()[0] == [0, 1, 2] and y.tolist() == [4, 5, 6, 7]
    assert forecast.naive_forecast(X).tolist() == [2, 3, 4, 5]
    assert forecast.mean_absolute_error(y, forecast.naive_forecast(X)) == 2.0
    train, val, test = forecast.chronological_split(100)
    assert (len(train), len(val), len(test)) == (70, 15, 15) and train.max() < val.min() < test.min()


def test_log_templates_and_generated_faults():
    line = "08:01:17 WARN  auth: failed login for user u12 from 10.1.2.3"
    assert logs.template(line) == "WARN  auth: failed login for user u<num> from <ip>"
    assert logs.template("08:00:00 DEBUG cache: hit key=deadbeef01") == "DEBUG cache: hit key=<hex>"
    windows, kinds = logs.generate_logs(200, lines=40, fault_rate=0.2, seed=0)
    assert len(windows) == 200 and all(len(w) == 40 for w in windows)
    assert 20 <= sum(bool(k) for k in kinds) <= 60 and set(kinds) - {""} <= set(logs.FAULTS)
    counts = logs.TemplateCounts().fit([w for w, k in zip(windows, kinds) if not k])
    V = counts.transform(windows)
    assert np.allclose(V.sum(axis=1), 1.0) and V.shape[1] == len(counts.templates) + 1
    oom = [i for i, k in enumerate(kinds) if k == "out of memory"]
    assert all(V[i, -1] > 0 for i in oom)  # an unseen template lands in the "unknown" column


def test_recommender_helpers():
    idx, ids = recommender.encode([30, 10, 30, 20])
    assert idx.tolist() == [2, 0, 2, 1] and ids.tolist() == [10, 20, 30]
    users = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    test = recommender.split_by_time(users, np.array([5, 1, 4, 2, 3, 10, 50, 20, 40, 30]), 0.4)
    assert np.flatnonzero(test).tolist() == [0, 2, 6, 8]
    mu, means = recommender.damped_means(np.array([0, 0, 1]), np.array([5.0, 5.0, 1.0]), 3, damping=1.0)
    assert mu == pytest.approx(11 / 3) and means[2] == pytest.approx(mu)
    u, i, labels = recommender.with_negatives(np.array([0, 1]), np.array([3, 4]), 10, per_positive=3)
    assert len(labels) == 8 and labels.sum() == 2
    scores = np.array([[0.1, 0.9, 0.5, 0.7], [0.3, 0.2, 0.8, 0.1]])
    top = recommender.top_k(scores, np.array([[0, 1, 0, 0], [0, 0, 0, 0]], bool), 2)
    assert top.tolist() == [[3, 2], [2, 0]]
    assert recommender.precision_at_k(top, [{3}, {1}], 2) == pytest.approx(0.25)


def test_precision_recall_rejects_more_than_two_classes():
    assert metrics.precision_recall([1, 0, 1], [1, 1, 0]).tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="binary"):
        metrics.precision_recall([0, 2], [0, 1])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: compression.psnr(np.zeros(3), np.zeros(4)), "shape"),
        (lambda: compression.quantize([0.5], 4, 1.0, 0.0), "greater than low"),
        (lambda: tsp.tour_length(np.zeros((4, 2)), [0, 1, 1, 2]), "permutation"),
        (lambda: tsp.tour_length(np.zeros((4, 3)), [0, 1, 2, 3]), r"shape \(n, 2\)"),
        (lambda: forecast.make_windows(np.arange(3.0), 3, 1), "too short"),
        (lambda: forecast.chronological_split(10, (0.8, 0.3)), "fractions"),
        (lambda: logs.template(3), "string"),
        (lambda: logs.generate_logs(5, fault_rate=2), "fault_rate"),
        (lambda: recommender.split_by_time([0, 1], [1], 0.2), "same shape"),
        (lambda: recommender.precision_at_k([[1]], [set()], 1), "undefined"),
    ],
)
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
