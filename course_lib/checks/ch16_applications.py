"""Exercises of Chapter 16, "More applications" (PSNR, the autoencoder's forward pass and decoder gradients, tour
length, the elastic ring's step, forecasting windows, precision and recall, precision at k)."""

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

# --------------------------------------------------------------------------
# The autoencoder of the page, written out: forward pass, loss and the decoder's gradients.


def _ae_weights(rng: np.random.Generator, D: int, hidden: int, k: int, shift: float = 0.0) -> list:
    shapes = [(D, hidden), (hidden, k), (k, hidden), (hidden, D)]
    weights = []
    for n_in, n_out in shapes:
        weights += [rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(shift, 0.3, n_out)]
    return weights


def _ae_cases(rng: np.random.Generator) -> list[Case]:
    X = rng.uniform(0, 1, (6, 10))
    return [
        Case((X, _ae_weights(rng, 10, 5, 3)), "6 images of 10 pixels, 10 → 5 → 3 → 5 → 10"),
        Case(((rng.uniform(0, 1, (4, 8)) > 0.5) * 1.0, _ae_weights(rng, 8, 6, 2)), "4 black-and-white images"),
        Case((X[:1], _ae_weights(rng, 10, 4, 3)), "a single image"),
        Case((X, _ae_weights(rng, 10, 7, 4, shift=-0.4)), "negative biases: many ReLU units are off"),
    ]


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _ae_variant(X, weights, *, code_act=None, hidden_act=True, output_act=True, biases=True):
    X = np.asarray(X, float)
    W1, b1, W2, b2, W3, b3, W4, b4 = (np.asarray(w, float) for w in weights)
    if not biases:
        b1, b2, b3, b4 = 0 * b1, 0 * b2, 0 * b3, 0 * b4
    act = (lambda Z: np.maximum(Z, 0)) if hidden_act else (lambda Z: Z)
    code = act(X @ W1 + b1) @ W2 + b2
    if code_act is not None:
        code = code_act(code)
    Z4 = act(code @ W3 + b3) @ W4 + b4
    return code, _sigmoid(Z4) if output_act else Z4


register(
    "autoencoder_forward",
    chapter=CHAPTER,
    reference=compression.autoencoder_forward,
    cases=_ae_cases,
    arg_names=("X", "weights"),
    atol=1e-6,
    mistakes=[
        Mistake(
            "ReLU on the code layer",
            lambda X, w: _ae_variant(X, w, code_act=lambda Z: np.maximum(Z, 0)),
            "The code layer (the second Dense layer) has no activation: the code is linear, like PCA's projection, "
            "and may be negative.",
        ),
        Mistake(
            "sigmoid on the code layer",
            lambda X, w: _ae_variant(X, w, code_act=_sigmoid),
            "The code layer (the second Dense layer) has no activation: only the last layer has a sigmoid.",
        ),
        Mistake(
            "no ReLU on the hidden layers",
            lambda X, w: _ae_variant(X, w, hidden_act=False),
            "The first and third layers (256 units on the page) pass their sums through a ReLU, max(z, 0).",
        ),
        Mistake(
            "no sigmoid at the output",
            lambda X, w: _ae_variant(X, w, output_act=False),
            "The reconstruction is the last layer's sum passed through a sigmoid, so every pixel lies in (0, 1).",
        ),
        Mistake(
            "biases forgotten",
            lambda X, w: _ae_variant(X, w, biases=False),
            "Each Dense layer computes inputs @ W + b: add the layer's bias b1, b2, b3 or b4.",
        ),
    ],
)


def _ae_grad_variant(
    X, weights, *, per_image=False, total=False, mse=False, extra_sigmoid=False, no_relu_grad=False,
    mean_bias=False, flipped=False,
):  # fmt: skip
    X = np.asarray(X, float)
    W1, b1, W2, b2, W3, b3, W4, b4 = (np.asarray(w, float) for w in weights)
    code = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    Z3 = code @ W3 + b3
    H3 = np.maximum(Z3, 0)
    P = _sigmoid(H3 @ W4 + b4)
    N, D = X.shape
    scale = 1.0 if total else (N if per_image else N * D)
    if mse:
        loss = ((P - X) ** 2).sum() / scale
        dZ4 = 2 * (P - X) * P * (1 - P) / scale
    else:
        loss = -(X * np.log(P) + (1 - X) * np.log(1 - P)).sum() / scale
        dZ4 = (P - X) * (P * (1 - P) if extra_sigmoid else 1) / scale
    if flipped:
        dZ4 = -dZ4
    dZ3 = (dZ4 @ W4.T) * (1 if no_relu_grad else (Z3 > 0))
    bias = (lambda G: G.mean(axis=0)) if mean_bias else (lambda G: G.sum(axis=0))
    return float(loss), code.T @ dZ3, bias(dZ3), H3.T @ dZ4, bias(dZ4)


register(
    "autoencoder_decoder_gradients",
    chapter=CHAPTER,
    reference=compression.autoencoder_decoder_gradients,
    cases=_ae_cases,
    arg_names=("X", "weights"),
    atol=1e-6,
    mistakes=[
        Mistake(
            "mean over the images only",
            lambda X, w: _ae_grad_variant(X, w, per_image=True),
            "Keras's binary cross-entropy averages over the pixels of each image and then over the images: divide "
            "the sum by N·D, the number of all pixels, in the loss and in the gradient.",
        ),
        Mistake(
            "sum instead of mean",
            lambda X, w: _ae_grad_variant(X, w, total=True),
            "The loss is a mean over every image and pixel, not a sum: divide by N·D (and the gradient with it).",
        ),
        Mistake(
            "squared error",
            lambda X, w: _ae_grad_variant(X, w, mse=True),
            "The page trains with binary cross-entropy, −mean(x log p + (1 − x) log(1 − p)), not the squared error.",
        ),
        Mistake(
            "sigmoid's slope multiplied in again",
            lambda X, w: _ae_grad_variant(X, w, extra_sigmoid=True),
            "With a sigmoid output and cross-entropy, the slope of the loss with respect to the last layer's sums "
            "is already (p − x)/(N·D): the sigmoid's own slope p(1 − p) cancels and must not be multiplied in.",
        ),
        Mistake(
            "ReLU's slope forgotten",
            lambda X, w: _ae_grad_variant(X, w, no_relu_grad=True),
            "On its way back to W3 and b3 the gradient passes the decoder's ReLU: it is zero wherever that layer's "
            "sum was negative.",
        ),
        Mistake(
            "bias gradient averaged",
            lambda X, w: _ae_grad_variant(X, w, mean_bias=True),
            "A bias is added to every image, so its gradient is the SUM over the images of the gradient of the "
            "layer's sums (the 1/(N·D) is already in there).",
        ),
        Mistake(
            "gradient with the wrong sign",
            lambda X, w: _ae_grad_variant(X, w, flipped=True),
            "The slope of the loss at the last layer's sums is p − x (the reconstruction minus the image), not x − p.",
        ),
    ],
)


# --------------------------------------------------------------------------
# The elastic ring's one step.


def _ring_cases(rng: np.random.Generator) -> list[Case]:
    angle = 2 * np.pi * np.arange(12) / 12
    circle = 0.5 + 0.1 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return [
        Case((circle, rng.uniform(0, 1, 2), 0.5, 2.0), "a circle of 12 units, a random city"),
        Case((circle, np.array([0.62, 0.49]), 0.8, 3.0), "the winner is unit 0: its neighbours wrap around"),
        Case((rng.uniform(0, 1, (15, 2)), rng.uniform(0, 1, 2), 0.3, 1.5), "a crumpled ring of 15 units"),
        Case((circle[::-1].copy(), np.array([0.5, 0.62]), 0.05, 0.5), "a small step, a narrow neighbourhood"),
        Case((rng.uniform(0, 1, (20, 2)), rng.uniform(0, 1, 2), 0.6, 4.0), "20 units in random places"),
    ]


def _ring_variant(ring, city, lr, radius, *, wrap=True, plane=False, winner_only=False, away=False,
                  farthest=False, unsquared=False):  # fmt: skip
    ring, city = np.asarray(ring, float), np.asarray(city, float)
    dist2 = ((ring - city) ** 2).sum(axis=1)
    w = int(np.argmax(dist2) if farthest else np.argmin(dist2))
    steps = np.abs(np.arange(len(ring)) - w)
    d2 = ((np.minimum(steps, len(ring) - steps) if wrap else steps) ** 2).astype(float)
    if plane:
        d2 = ((ring - ring[w]) ** 2).sum(axis=1)
    h = np.exp(-d2 / (2 * (radius if unsquared else radius**2)))
    if winner_only:
        h = (np.arange(len(ring)) == w) * 1.0
    return ring + (-1 if away else 1) * lr * h[:, None] * (city - ring)


register(
    "ring_update",
    chapter=CHAPTER,
    reference=tsp.ring_update,
    cases=_ring_cases,
    arg_names=("ring", "city", "lr", "radius"),
    mistakes=[
        Mistake(
            "the ring does not wrap around",
            lambda r, c, lr, s: _ring_variant(r, c, lr, s, wrap=False),
            "The ring is closed: the last unit is the first's neighbour. Count the steps between two units both ways "
            "round the ring and keep the shorter.",
        ),
        Mistake(
            "neighbourhood measured in the plane",
            lambda r, c, lr, s: _ring_variant(r, c, lr, s, plane=True),
            "A unit's neighbourhood depends on how many steps along the ring it is from the winner (its index), not "
            "on where it lies in the plane.",
        ),
        Mistake(
            "only the winner moves",
            lambda r, c, lr, s: _ring_variant(r, c, lr, s, winner_only=True),
            "Every unit moves, weighted by its neighbourhood h_k; the winner (h = 1) simply moves the most.",
        ),
        Mistake(
            "the units move away from the city",
            lambda r, c, lr, s: _ring_variant(r, c, lr, s, away=True),
            "Each unit is pulled TOWARDS the city: add lr · h_k · (city − ring[k]).",
        ),
        Mistake(
            "winner = farthest unit",
            lambda r, c, lr, s: _ring_variant(r, c, lr, s, farthest=True),
            "The winner is the unit nearest to the city (argmin of the distance).",
        ),
        Mistake(
            "radius not squared",
            lambda r, c, lr, s: _ring_variant(r, c, lr, s, unsquared=True),
            "The neighbourhood is exp(−d² / (2r²)), with d the number of steps along the ring: square the radius r.",
        ),
    ],
)


# --- Chapter 16b exercises below ---


def _mf_tables(rng, n_users, n_items, d, dtype=np.float64, bias_scale=0.5):
    P, Q = rng.normal(0, 0.5, (n_users, d)), rng.normal(0, 0.5, (n_items, d))
    b_user, b_item = rng.normal(0, bias_scale, n_users), rng.normal(0, bias_scale, n_items)
    return tuple(a.astype(dtype) for a in (P, Q, b_user, b_item))


def _mf_batch(rng, n_users, n_items, m, *, repeats=True):
    """Index arrays below min(n_users, n_items), so swapped tables give numbers (and a hint), not an IndexError."""
    n = min(n_users, n_items)
    if repeats:
        return rng.integers(0, n, m), rng.integers(0, n, m)
    return rng.permutation(n)[:m], rng.permutation(n)[:m]


def _mf_predict_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for (n_users, n_items, d, m, repeats, mu, dtype), label in [
        ((5, 6, 3, 4, False, 3.5, np.float64), "4 pairs of different users and films, vectors of length 3"),
        ((6, 4, 2, 7, True, 3.5, np.float64), "7 pairs with repeated users and films, more users than films"),
        ((4, 7, 5, 3, True, 0.0, np.float64), "the overall mean mu = 0, more films than users"),
        ((8, 9, 1, 6, True, 2.75, np.float64), "vectors of length 1"),
        ((10, 12, 4, 9, True, 3.5, np.float32), "float32 tables, as Keras stores them"),
    ]:
        P, Q, b_user, b_item = _mf_tables(rng, n_users, n_items, d, dtype, bias_scale=1.0)
        users, items = _mf_batch(rng, n_users, n_items, m, repeats=repeats)
        cases.append(Case((P, Q, b_user, b_item, mu, users, items), label))
    return cases


def _mf_predict_variant(P, Q, b_user, b_item, mu, users, items, *, biases=True, mean=True, swap=False, axis=1):
    P, Q = np.asarray(P, np.float64), np.asarray(Q, np.float64)
    u, i = (items, users) if swap else (users, items)
    r = np.sum(P[u] * Q[i], axis=axis)
    if biases:
        r = r + b_user[users] + b_item[items]
    return r + (mu if mean else 0.0)


register(
    "mf_predict",
    chapter=CHAPTER,
    reference=recommender.mf_predict,
    cases=_mf_predict_cases,
    arg_names=("P", "Q", "b_user", "b_item", "mu", "users", "items"),
    atol=1e-6,  # float32 tables: answers good to about 1e-7
    mistakes=[
        Mistake(
            "biases forgotten",
            lambda *a: _mf_predict_variant(*a, biases=False),
            "The prediction has four parts: the overall mean, the user's bias, the film's bias and the dot product of "
            "the two vectors. Add b_user and b_item, each looked up at its own index array.",
        ),
        Mistake(
            "overall mean forgotten",
            lambda *a: _mf_predict_variant(*a, mean=False),
            "The biases and vectors only say how far a rating is from the overall mean mu: add mu to every prediction.",
        ),
        Mistake(
            "user and film swapped",
            lambda *a: _mf_predict_variant(*a, swap=True),
            "P has one row per user and Q one row per film: look up P's rows with users and Q's rows with items.",
        ),
        Mistake(
            "the whole matrix of dot products",
            lambda P, Q, bu, bi, mu, users, items: (
                mu + bu[users][:, None] + bi[items][None, :] + np.asarray(P)[users] @ np.asarray(Q)[items].T
            ),
            "Each pair k needs only its own dot product p_u · q_i, one number: multiply the two looked-up rows entry by "
            "entry and sum along the vector, instead of multiplying the two (m, d) matrices into an (m, m) one.",
        ),
        Mistake(
            "every product summed into one number",
            lambda *a: _mf_predict_variant(*a, axis=None),
            "Each pair k has its own dot product p_u · q_i: sum the products along the vector (the last axis of the "
            "looked-up rows) only. Summing over the whole array adds every pair's products into one number.",
        ),
    ],
)


def _mf_gradient_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for (n_users, n_items, d, m, repeats, l2, dtype), label in [
        ((5, 5, 3, 5, False, 0.0, np.float64), "5 different users and films, each met once, l2 = 0"),
        ((4, 5, 2, 9, True, 0.0, np.float64), "users and films met several times in the batch, l2 = 0"),
        ((4, 4, 3, 4, False, 0.1, np.float64), "l2 = 0.1, every user and film in the batch"),
        ((7, 9, 3, 4, False, 0.05, np.float64), "l2 = 0.05, some users and films not in the batch"),
        ((6, 8, 4, 12, True, 0.01, np.float64), "a batch of 12 with repeats, l2 = 0.01"),
        ((6, 8, 4, 12, True, 0.01, np.float32), "float32 tables, as Keras stores them"),
    ]:
        P, Q, b_user, b_item = _mf_tables(rng, n_users, n_items, d, dtype)
        users, items = _mf_batch(rng, n_users, n_items, m, repeats=repeats)
        ratings = rng.integers(1, 11, m) / 2  # 0.5 to 5 stars
        if repeats:  # make sure one user and one film really come twice
            users[-1], items[-1] = users[0], items[0]
        cases.append(Case((P, Q, b_user, b_item, 3.5, users, items, ratings.astype(dtype), l2), label))
    return cases


def _mf_gradients_variant(
    P,
    Q,
    b_user,
    b_item,
    mu,
    users,
    items,
    ratings,
    l2,
    *,
    scale=2.0,
    mean=True,
    sign=1.0,
    buffered=False,
    touched_only=False,
    l2_factor=2.0,
    bias_l2=False,
    own_vector=False,
):
    """The gradients written out again, with one switch per classic mistake."""
    P, Q = np.asarray(P, np.float64), np.asarray(Q, np.float64)
    b_user, b_item = np.asarray(b_user, np.float64), np.asarray(b_item, np.float64)
    r_hat = mu + b_user[users] + b_item[items] + np.sum(P[users] * Q[items], axis=1)
    e = sign * scale * (r_hat - ratings) / (len(ratings) if mean else 1)
    grads = [np.zeros_like(t) for t in (P, Q, b_user, b_item)]
    dP, dQ, db_user, db_item = grads
    from_p, from_q = (P[users], Q[items]) if own_vector else (Q[items], P[users])
    if buffered:
        dP[users] += e[:, None] * from_p
        dQ[items] += e[:, None] * from_q
        db_user[users] += e
        db_item[items] += e
    else:
        np.add.at(dP, users, e[:, None] * from_p)
        np.add.at(dQ, items, e[:, None] * from_q)
        np.add.at(db_user, users, e)
        np.add.at(db_item, items, e)
    for g, table, rows in ((dP, P, users), (dQ, Q, items)) + (
        ((db_user, b_user, users), (db_item, b_item, items)) if bias_l2 else ()
    ):
        if touched_only:
            touched = np.unique(rows)
            g[touched] += l2_factor * l2 * table[touched]
        else:
            g += l2_factor * l2 * table
    return dP, dQ, db_user, db_item


register(
    "mf_gradients",
    chapter=CHAPTER,
    reference=recommender.mf_gradients,
    cases=_mf_gradient_cases,
    arg_names=("P", "Q", "b_user", "b_item", "mu", "users", "items", "ratings", "l2"),
    atol=1e-6,  # float32 tables: answers good to about 1e-7
    mistakes=[
        Mistake(
            "repeated rows overwritten",
            lambda *a: _mf_gradients_variant(*a, buffered=True),
            "A user (or film) met twice in the batch must collect both contributions. Adding into dP[users] with "
            "fancy indexing keeps only one of them per repeated index; accumulate with np.add.at (or a loop).",
        ),
        Mistake(
            "factor 2 forgotten",
            lambda *a: _mf_gradients_variant(*a, scale=1.0),
            "The derivative of the squared error (r̂ − r)² is 2 (r̂ − r): keep the factor 2.",
        ),
        Mistake(
            "summed, not averaged, over the batch",
            lambda *a: _mf_gradients_variant(*a, mean=False),
            "The loss is the MEAN squared error over the m pairs of the batch: divide each pair's contribution by m.",
        ),
        Mistake(
            "sign flipped",
            lambda *a: _mf_gradients_variant(*a, sign=-1.0),
            "With the error e = r̂ − r (prediction minus rating), a prediction that is too high must give a positive "
            "gradient for its biases; check the order of the subtraction.",
        ),
        Mistake(
            "a vector's gradient from the vector itself",
            lambda *a: _mf_gradients_variant(*a, own_vector=True),
            "The derivative of p_u · q_i with respect to p_u is q_i, the OTHER vector: the user's vector is pushed "
            "along the film's, and the film's along the user's.",
        ),
        Mistake(
            "penalty only on the rows in the batch",
            lambda *a: _mf_gradients_variant(*a, touched_only=True),
            "The penalty l2 (‖P‖² + ‖Q‖²) covers every row of both tables, as Keras' embeddings_regularizer adds it "
            "at each step: its gradient 2·l2·P reaches users and films that are not in the batch too.",
        ),
        Mistake(
            "penalty's factor 2 forgotten",
            lambda *a: _mf_gradients_variant(*a, l2_factor=1.0),
            "The derivative of l2 · ‖P‖² with respect to P is 2 · l2 · P: keep the factor 2.",
        ),
        Mistake(
            "biases penalised",
            lambda *a: _mf_gradients_variant(*a, bias_l2=True),
            "Only the vector tables P and Q carry the l2 penalty (the model gives the bias embeddings no "
            "regulariser), so the biases' gradients have no l2 term.",
        ),
    ],
)
