"""Exercises of Chapter 16, "More applications" (PSNR, tour length, forecasting windows, precision and recall,
precision at k)."""

from __future__ import annotations

import numpy as np

from course_lib import compression, forecast, metrics, recommender, tsp
from course_lib.checks._core import Case, Mistake, register

CHAPTER = 'Chapter 16, "More applications"'


def _psnr_cases(rng: np.random.Generator) -> list[Case]:
    a = rng.uniform(0, 1, (4, 8, 8))
    return [
        Case((a, np.clip(a + rng.normal(0, 0.05, a.shape), 0, 1), 1.0), "four 8×8 images with a little noise"),
        Case((a[0], a[0] * 0.9, 1.0), "one image, 10 % darker"),
        Case((255 * a[1], np.round(255 * a[1]), 255.0), "8-bit pixel values, peak 255"),
        Case((a[2], np.full_like(a[2], a[2].mean()), 1.0), "the image replaced by its mean"),
    ]


def _psnr_variant(a, b, peak, *, rmse=False, unsquared_peak=False, log_e=False, mean_abs=False):
    a, b = np.asarray(a, float), np.asarray(b, float)
    err = np.mean(np.abs(a - b)) if mean_abs else np.mean((a - b) ** 2)
    if rmse:
        return float(10 * np.log10(peak**2 / np.sqrt(err)))
    top = peak if unsquared_peak else peak**2
    return float(10 * (np.log(top / err) if log_e else np.log10(top / err)))


register(
    "psnr",
    chapter=CHAPTER,
    reference=compression.psnr,
    cases=_psnr_cases,
    arg_names=("original", "reconstruction", "peak"),
    mistakes=[
        Mistake(
            "root mean square instead of mean square",
            lambda a, b, p: _psnr_variant(a, b, p, rmse=True),
            "PSNR uses the mean squared error itself: 10·log10(peak² / MSE) (or, equivalently, 20·log10(peak / RMSE)).",
        ),
        Mistake(
            "peak not squared",
            lambda a, b, p: _psnr_variant(a, b, p, unsquared_peak=True),
            "The signal power is peak², not peak: it matters as soon as peak is not 1 (e.g. 255).",
        ),
        Mistake(
            "natural logarithm",
            lambda a, b, p: _psnr_variant(a, b, p, log_e=True),
            "Decibels use the base-10 logarithm: np.log10, not np.log.",
        ),
        Mistake(
            "mean absolute error",
            lambda a, b, p: _psnr_variant(a, b, p, mean_abs=True),
            "Square the differences before averaging them: MSE = mean((original − reconstruction)²).",
        ),
    ],
)


def _tour_cases(rng: np.random.Generator) -> list[Case]:
    square = np.array([[0, 0], [0, 1], [1, 1], [1, 0]], float)
    c12 = rng.uniform(0, 10, (12, 2))
    return [
        Case((c12, rng.permutation(12)), "12 random cities, a random tour"),
        Case((square, np.array([0, 1, 2, 3])), "a unit square, in order"),
        Case((square, np.array([0, 2, 1, 3])), "the same square, with crossing edges"),
        Case((rng.uniform(0, 1, (5, 2)), np.array([4, 2, 0, 3, 1])), "5 cities, a tour not starting at city 0"),
    ]


def _tour_variant(cities, order, *, closed=True, squared=False, ignore_order=False, manhattan=False):
    p = np.asarray(cities, float)
    p = p if ignore_order else p[np.asarray(order)]
    q = np.roll(p, -1, axis=0) if closed else p[1:]
    d = p[: len(q)] - q
    if manhattan:
        return float(np.abs(d).sum())
    sq = (d**2).sum(axis=1)
    return float(sq.sum() if squared else np.sqrt(sq).sum())


register(
    "tour_length",
    chapter=CHAPTER,
    reference=tsp.tour_length,
    cases=_tour_cases,
    arg_names=("cities", "order"),
    mistakes=[
        Mistake(
            "the tour is not closed",
            lambda c, o: _tour_variant(c, o, closed=False),
            "A tour returns to its start: add the edge from the last city back to the first (np.roll helps).",
        ),
        Mistake(
            "squared distances",
            lambda c, o: _tour_variant(c, o, squared=True),
            "Each edge's length is the square root of the summed squared differences: np.linalg.norm(..., axis=1).",
        ),
        Mistake(
            "cities visited in index order",
            lambda c, o: _tour_variant(c, o, ignore_order=True),
            "Visit the cities in the given order: reorder them first with cities[order].",
        ),
        Mistake(
            "Manhattan distance",
            lambda c, o: _tour_variant(c, o, manhattan=True),
            "The distance between two cities is the straight-line (Euclidean) distance, not |dx| + |dy|.",
        ),
    ],
)


def _window_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case((np.arange(10.0), 3, 1), "0 … 9, windows of 3, the next value"),
        Case((rng.normal(size=30).cumsum(), 5, 1), "a random walk of 30 steps, windows of 5"),
        Case((np.arange(12.0) ** 2, 4, 3), "a horizon of 3 steps"),
        Case((rng.normal(size=7), 6, 1), "exactly one window fits"),
    ]


def _window_variant(series, window, horizon, *, target_in_window=False, horizon_off=False, drop_last=False):
    s = np.asarray(series, float)
    shift = 0 if horizon_off else horizon - 1
    n = len(s) - window - horizon + 1
    rows = range(n - 1 if drop_last and n > 1 else n)
    X = np.array([s[i : i + window] for i in rows])
    y = np.array([s[i + window - 1] if target_in_window else s[i + window + shift] for i in rows])
    return X, y


register(
    "make_windows",
    chapter=CHAPTER,
    reference=forecast.make_windows,
    cases=_window_cases,
    arg_names=("series", "window", "horizon"),
    mistakes=[
        Mistake(
            "the target is the window's last value",
            lambda s, w, h: _window_variant(s, w, h, target_in_window=True),
            "The target comes AFTER the window: series[i + window + horizon − 1]. A target inside the window is "
            "a leak — the model is shown the answer.",
        ),
        Mistake(
            "the horizon is ignored",
            lambda s, w, h: _window_variant(s, w, h, horizon_off=True),
            "With horizon h the target is h steps after the window's last value: series[i + window + h − 1].",
        ),
        Mistake(
            "the last window is dropped",
            lambda s, w, h: _window_variant(s, w, h, drop_last=True),
            "There are len(series) − window − horizon + 1 windows: the last one ends exactly where its target "
            "is the series' final value.",
        ),
    ],
)


def _pr_cases(rng: np.random.Generator) -> list[Case]:
    t = (rng.random(40) < 0.2).astype(int)
    p = np.where(rng.random(40) < 0.8, t, 1 - t)
    return [
        Case((np.array([1, 1, 0, 0, 1, 0]), np.array([1, 0, 1, 0, 1, 0])), "six windows, two of three faults found"),
        Case((t, p), "40 windows, a noisy detector"),
        Case((np.array([0, 1, 1, 0]), np.zeros(4, int)), "nothing flagged: precision is 0/0, reported as 0"),
        Case((np.array([1, 0, 0, 0, 0]), np.ones(5, int)), "everything flagged"),
    ]


def _pr_variant(t, p, *, swapped=False, accuracy=False, fp_recall=False, nan=False):
    t, p = np.asarray(t), np.asarray(p)
    tp = np.sum((t == 1) & (p == 1))
    if accuracy:
        return np.array([np.mean(t == p)] * 2)
    flagged, positives = np.sum(p == 1), np.sum(t == 1)
    prec = tp / flagged if flagged else (np.nan if nan else 0.0)
    rec = tp / (tp + np.sum((t == 0) & (p == 1))) if fp_recall else (tp / positives if positives else 0.0)
    out = np.array([rec, prec] if swapped else [prec, rec], float)
    return out


register(
    "precision_recall",
    chapter=CHAPTER,
    reference=metrics.precision_recall,
    cases=_pr_cases,
    arg_names=("y_true", "y_pred"),
    mistakes=[
        Mistake(
            "precision and recall swapped",
            lambda t, p: _pr_variant(t, p, swapped=True),
            "Precision divides the true positives by what was FLAGGED; recall divides them by what is truly positive.",
        ),
        Mistake(
            "accuracy for both",
            lambda t, p: _pr_variant(t, p, accuracy=True),
            "Both count only true positives (true 1 and flagged 1); accuracy also counts the correct 0s.",
        ),
        Mistake(
            "recall over flagged",
            lambda t, p: _pr_variant(t, p, fp_recall=True),
            "Recall's denominator is the number of truly positive samples: true positives + missed ones.",
        ),
        Mistake(
            "0/0 gives nan",
            lambda t, p: _pr_variant(t, p, nan=True),
            "When nothing is flagged, precision is 0/0: report 0 (as scikit-learn does), not nan.",
        ),
    ],
)


def _pak_cases(rng: np.random.Generator) -> list[Case]:
    ranked = np.array([rng.permutation(40)[:12] for _ in range(20)])
    liked = [sorted(rng.choice(40, int(rng.integers(0, 9)), replace=False).tolist()) for _ in range(20)]
    liked[3] = []  # a user who liked nothing in the test period
    liked[7] = [int(ranked[7, 0])]  # a user who liked a single film: the top one
    return [
        Case(
            (np.array([[4, 1, 7, 2], [0, 3, 5, 6], [2, 4, 6, 8]]), [[1, 2], [], [9]], 2),
            "three users, k = 2: the second liked nothing, the third nothing recommended",
        ),
        Case((ranked, liked, 3), "20 users, ranked lists of 12 films, k = 3: only the first three films count"),
        Case((ranked, liked, 10), "the same users, k = 10"),
        Case(
            (ranked[:2], [[int(ranked[0, 5])], sorted(ranked[1, :4].tolist())], 5),
            "one hit at rank 6, four in the top 5",
        ),
    ]


def _pak_variant(recommended, relevant, k, *, recall=False, all_users=False, whole_list=False, at_most=False):
    scores = []
    for ranked, liked in zip(recommended, relevant):
        liked = set(liked)
        if not liked and not all_users:
            continue
        shown = list(ranked) if whole_list else list(ranked)[:k]
        hits = len(set(shown) & liked)
        if recall:
            scores.append(hits / len(liked) if liked else 0.0)
        else:
            scores.append(hits / (min(k, len(liked)) if at_most and liked else k))
    return float(np.mean(scores))


register(
    "precision_at_k",
    chapter=CHAPTER,
    reference=recommender.precision_at_k,
    cases=_pak_cases,
    arg_names=("recommended", "relevant", "k"),
    mistakes=[
        Mistake(
            "recall at k",
            lambda r, rel, k: _pak_variant(r, rel, k, recall=True),
            "Precision divides a user's hits by k, the number of films SHOWN; dividing by the number of films the "
            "user liked gives recall@k.",
        ),
        Mistake(
            "users who liked nothing count as 0",
            lambda r, rel, k: _pak_variant(r, rel, k, all_users=True),
            "Skip the users who liked nothing in the test period: no list could score above 0 for them, so they say "
            "nothing about the recommender and only drag the mean down.",
        ),
        Mistake(
            "the whole list instead of the first k",
            lambda r, rel, k: _pak_variant(r, rel, k, whole_list=True),
            "Only the first k films of each ranked list are shown to the user: cut each list to its first k before "
            "counting hits.",
        ),
        Mistake(
            "divided by the smaller of k and the films liked",
            lambda r, rel, k: _pak_variant(r, rel, k, at_most=True),
            "Divide by k even when the user liked fewer than k films: precision@k is the share of the k films shown "
            "that were liked.",
        ),
    ],
)
