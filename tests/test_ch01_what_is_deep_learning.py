"""Chapter 1: hand-written versus learned rules, the decision loop, and the exercises' checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import intro
from course_lib.figures import ch01 as figures
from tests.exercise_helpers import assert_exercise

# --- alternative correct solutions of the exercises ---------------------------


def fraction_loop(y_pred, y_true):
    right = 0
    for p, t in zip(y_pred, y_true):
        if p == t:
            right += 1
    return right / len(y_true)


def fraction_count_nonzero(y_pred, y_true):
    return np.count_nonzero(np.asarray(y_pred) == np.asarray(y_true)) / np.size(y_true)


def fraction_float32(y_pred, y_true):
    return np.float32(np.mean(np.asarray(y_pred, np.float32) == np.asarray(y_true, np.float32)))


def threshold_loop(scores, y):
    best_t, best_fraction = None, -1.0
    for t in sorted(set(scores.tolist())):
        fraction = np.mean((scores >= t) == (y == 1))
        if fraction > best_fraction:
            best_t, best_fraction = t, fraction
    return best_t


def threshold_by_sorting(scores, y):
    # Sort once; the rule ">= t" for the k-th smallest distinct score predicts 1 for everything from it upwards.
    order = np.argsort(scores, kind="stable")
    s, labels = scores[order], y[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])  # first index of each distinct score
    zeros_below = np.cumsum(np.r_[0, labels == 0])[starts]  # right 0s below the threshold
    ones_above = np.sum(labels == 1) - np.cumsum(np.r_[0, labels == 1])[starts]
    return float(s[starts][np.argmax(zeros_below + ones_above)])


def threshold_pure_python(scores, y):
    pairs = list(zip(scores.tolist(), y.tolist()))
    candidates = sorted({s for s, _ in pairs})
    right = [sum((s >= t) == (label == 1) for s, label in pairs) for t in candidates]
    return candidates[right.index(max(right))]


ALTERNATIVES = {
    "fraction_correct": [fraction_loop, fraction_count_nonzero, fraction_float32],
    "learn_threshold": [threshold_loop, threshold_by_sorting, threshold_pure_python],
}
WRONG = {
    "fraction_correct": [
        (lambda y_pred, y_true: y_pred == y_true, "wrong_shape"),
        (lambda y_pred, y_true: str(np.mean(y_pred == y_true)), "wrong_type"),
        (lambda y_pred, y_true: round(float(np.mean(y_pred == y_true)), 1), "wrong_value"),  # rounded too early
        (lambda y_pred, y_true: np.mean(y_pred[:-1] == y_true[:-1]), "wrong_value"),
    ],
    "learn_threshold": [
        (lambda scores, y: scores[scores >= np.median(scores)], "wrong_shape"),
        (lambda scores, y: None, "wrong_type"),
        (lambda scores, y: float(np.min(scores)), "wrong_value"),
    ],
}


@pytest.mark.parametrize("exercise_id", sorted(ALTERNATIVES))
def test_exercise_contract(exercise_id):
    assert_exercise(exercise_id, ALTERNATIVES[exercise_id], WRONG[exercise_id])


# --- the reference functions ----------------------------------------------------


def test_fraction_correct_values_and_validation():
    assert intro.fraction_correct([1, 0, 1, 1], [1, 1, 1, 0]) == 0.5
    assert isinstance(intro.fraction_correct(np.ones(3), np.ones(3)), float)
    with pytest.raises(ValueError, match=r"y_true must have shape \(3,\)"):
        intro.fraction_correct([1, 0, 1], [1, 0])
    with pytest.raises(ValueError, match="at least one prediction"):
        intro.fraction_correct([], [])


def test_learn_threshold_examples():
    assert intro.learn_threshold([5.0, 1.0, 4.0, 3.0, 2.0, 0.5], [1, 0, 1, 1, 0, 0]) == 3.0
    assert intro.learn_threshold([1.0, 2.0, 3.0], [0, 1, 0]) == 2.0  # ties: the smallest best t
    with pytest.raises(ValueError, match="only 0 and 1"):
        intro.learn_threshold([1.0, 2.0], [0, 2])
    with pytest.raises(ValueError, match=r"y must have shape \(2,\)"):
        intro.learn_threshold([1.0, 2.0], [0, 1, 1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-20, 20).map(float), st.integers(0, 1).map(float)),
        min_size=1,
        max_size=25,
    )
)
def test_learn_threshold_is_at_least_as_good_as_every_other_observed_threshold(pairs):
    scores, y = (np.array(v) for v in zip(*pairs))
    t = intro.learn_threshold(scores, y)
    assert t in scores
    best = intro.fraction_correct((scores >= t).astype(float), y)
    for other in scores:
        fraction = intro.fraction_correct((scores >= other).astype(float), y)
        assert fraction <= best
        if fraction == best:
            assert t <= other


def test_the_zero_detector_data_and_rules():
    X_train, X_test, y_train, y_test = intro.load_zero_or_not()
    assert X_train.shape[1] == 64 and len(X_train) + len(X_test) == 1797
    assert set(np.unique(y_train)) == {0.0, 1.0}
    assert abs(y_train.mean() - y_test.mean()) < 0.01  # stratified
    hand = intro.fraction_correct(intro.hand_rule_is_zero(X_test), y_test)
    t = intro.learn_threshold(intro.hole_score(X_train), y_train)
    learned = intro.fraction_correct((intro.hole_score(X_test) >= t).astype(float), y_test)
    always_no = intro.fraction_correct(np.zeros_like(y_test), y_test)
    # The numbers the chapter discusses: both rules beat "always no", and the learned one beats the hand-written one.
    assert always_no < 0.91 < hand < learned
    with pytest.raises(ValueError, match="test_fraction"):
        intro.load_zero_or_not(test_fraction=1.5)


def test_cluster_purity_scores_a_grouping_against_labels():
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert intro.cluster_purity(np.array([5, 5, 5, 9, 9, 9]), labels) == 1.0  # cluster names do not matter
    assert intro.cluster_purity(np.zeros(6), labels) == 0.5  # one cluster: the share of the commonest label
    assert intro.cluster_purity(np.array([0, 0, 1, 1, 1, 1]), labels) == pytest.approx(5 / 6)
    assert intro.cluster_purity(np.arange(6), labels) == 1.0  # one example per cluster is trivially pure
    # Random groups of the ten digits score little more than one digit's share; k-means on the pixels far more.
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 10, size=2000)
    assert intro.cluster_purity(rng.integers(0, 10, size=2000), digits) < 0.2
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        intro.cluster_purity(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        intro.cluster_purity(np.zeros(0), np.zeros(0))


def test_ring_features_of_a_drawn_ring():
    ring = np.zeros((8, 8))
    ring[1:7, 1:3] = ring[1:7, 5:7] = 16.0  # two bright vertical bars, empty middle
    middle, left, right = intro.ring_features(ring.reshape(1, 64))[0]
    assert (middle, left, right) == (0.0, 16.0, 16.0)
    assert intro.hand_rule_is_zero(ring.reshape(1, 64))[0] == 1.0
    assert intro.hole_score(ring.reshape(1, 64))[0] == 16.0
    assert intro.hand_rule_is_zero(np.full((1, 64), 16.0))[0] == 0.0  # a filled square is not a zero
    with pytest.raises(ValueError, match=r"X must have shape \(m, 64\)"):
        intro.ring_features(np.zeros((2, 63)))


def test_improve_by_trial_finds_the_bottom_of_a_bowl_and_never_gets_worse():
    start = np.array([3.0, -2.0])
    before = start.copy()
    best, history = intro.improve_by_trial(
        lambda p: float(np.sum((p - [1.0, 0.5]) ** 2)), start, step=0.3, n_trials=500
    )
    np.testing.assert_array_equal(start, before)  # the start is not changed
    assert history.shape == (501,) and history[0] == pytest.approx(4.0 + 6.25)
    assert np.all(np.diff(history) <= 0)
    np.testing.assert_allclose(best, [1.0, 0.5], atol=0.1)
    again, history2 = intro.improve_by_trial(
        lambda p: float(np.sum((p - [1.0, 0.5]) ** 2)), start, step=0.3, n_trials=500
    )
    np.testing.assert_array_equal(best, again)  # seeded: the same run every time
    np.testing.assert_array_equal(history, history2)


def test_improve_by_trial_keeps_only_strict_improvements():
    calls = []

    def flat(p):
        calls.append(p.copy())
        return 1.0

    best, history = intro.improve_by_trial(flat, np.zeros(2), n_trials=5)
    assert len(calls) == 6 and np.all(history == 1.0)
    np.testing.assert_array_equal(best, np.zeros(2))  # nothing was less bad, so nothing changed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"step": 0.0}, "step must be a positive number"),
        ({"n_trials": -1}, "n_trials"),
        ({"n_trials": 2.5}, "n_trials"),
    ],
)
def test_improve_by_trial_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        intro.improve_by_trial(lambda p: 0.0, np.zeros(1), **kwargs)


def test_draw_ai_ml_dl_nests_the_three_fields():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse

    fig = figures.draw_ai_ml_dl()
    try:
        patches = [p for p in fig.axes[0].patches if isinstance(p, Ellipse)]
        assert [p.get_label() for p in patches] == ["Artificial intelligence", "Machine learning", "Deep learning"]
        for outer, inner in zip(patches, patches[1:]):
            # every point of the inner ellipse's outline lies inside the outer ellipse
            outline = inner.get_patch_transform().transform(inner.get_path().vertices)
            (cx, cy), a, b = outer.center, outer.width / 2, outer.height / 2
            assert np.all(((outline[:, 0] - cx) / a) ** 2 + ((outline[:, 1] - cy) / b) ** 2 <= 1 + 1e-9)
    finally:
        plt.close(fig)


def test_the_clustering_and_surrogate_figures_draw_what_they_are_given():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 4)
    clusters = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2])
    fig = figures.plot_cluster_centres(rng.uniform(0, 16, size=(3, 64)), clusters, labels)
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert titles == ["0: 100%", "1: 75%", "2: 80%"]  # each group's commonest digit and its share
    finally:
        plt.close(fig)
    x = np.linspace(0.05, 0.9, 5)
    ax = figures.plot_surrogate_slice(x, x, x + 0.1, (0.1, 0.5))
    try:
        lines = ax.get_lines()
        assert len(lines) == 2 and np.allclose(lines[1].get_ydata(), x + 0.1)
        assert len(ax.patches) == 1  # the shaded training range
    finally:
        plt.close(ax.figure)
