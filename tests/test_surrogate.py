"""Chapter 1: the slow credit-risk simulation and the network that learns to answer it (a surrogate model)."""

import math

import numpy as np
import pytest

from course_lib import surrogate


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def test_one_month_matches_the_lognormal_formula():
    # Checked once, after one month, the log-value is normal: N(-σ²/12/2, σ²/12). So P(default) = Φ((ln L + σ²T/2)/(σ√T)).
    leverage, volatility, years, n = 0.9, 0.4, 1 / 12, 40_000
    exact = _phi((math.log(leverage) + 0.5 * volatility**2 * years) / (volatility * math.sqrt(years)))
    estimate = surrogate.default_probability(leverage, volatility, years, n_paths=n)
    assert abs(estimate - exact) < 4 * math.sqrt(exact * (1 - exact) / n)


def test_monthly_checks_default_less_often_than_continuous_watching():
    # Watched continuously, the first-passage probability of a Brownian motion with drift μ = −σ²/2 is known
    # (reflection principle); checking only monthly can miss a dip, so the simulation must lie a little below it.
    leverage, volatility, years = 0.6, 0.3, 3.0
    mu, s = -0.5 * volatility**2, volatility * math.sqrt(years)
    a = math.log(leverage)
    continuous = _phi((a - mu * years) / s) + math.exp(2 * mu * a / volatility**2) * _phi((a + mu * years) / s)
    monthly = surrogate.default_probability(leverage, volatility, years, n_paths=20_000)
    assert continuous - 0.08 < monthly < continuous + 0.01


def test_more_debt_and_a_longer_horizon_never_lower_the_risk():
    # The same simulated futures answer every question, so these hold exactly, not just on average.
    risks = [surrogate.default_probability(lev, 0.3, 2.0, n_paths=2000) for lev in (0.3, 0.5, 0.7, 0.9)]
    assert risks == sorted(risks) and 0 <= risks[0] < risks[-1] <= 1
    horizons = [surrogate.default_probability(0.7, 0.3, years, n_paths=2000) for years in (1, 2, 4)]
    assert horizons == sorted(horizons)


def test_the_batched_version_gives_the_same_answers_and_is_seeded():
    inputs = surrogate.sample_inputs(6, seed=4)
    one_by_one = [surrogate.default_probability(*row, n_paths=3000, seed=1) for row in inputs]
    np.testing.assert_array_equal(surrogate.default_probabilities(inputs, n_paths=3000, seed=1), one_by_one)
    assert surrogate.default_probability(0.7, 0.3, 2.0, seed=5) == surrogate.default_probability(0.7, 0.3, 2.0, seed=5)


def test_sample_inputs_stays_in_its_box():
    inputs = surrogate.sample_inputs(500, seed=0)
    assert inputs.shape == (500, 3)
    for column, name in enumerate(surrogate.INPUTS):
        low, high = surrogate.TRAINING_RANGES[name]
        assert low <= inputs[:, column].min() and inputs[:, column].max() <= high
    wider = surrogate.sample_inputs(200, seed=0, ranges={"volatility": (0.5, 0.8)})
    assert wider[:, 1].min() >= 0.5 and wider[:, 0].max() <= 0.9


def test_the_surrogate_learns_the_simulation_inside_its_box_and_is_worse_outside():
    fit_inputs, new_inputs = surrogate.sample_inputs(400, seed=1), surrogate.sample_inputs(100, seed=2)
    network = surrogate.fit_surrogate(fit_inputs, surrogate.default_probabilities(fit_inputs, n_paths=3000))
    truth = surrogate.default_probabilities(new_inputs, n_paths=3000)
    answers = network(new_inputs)
    assert answers.shape == (100,) and answers.min() >= 0 and answers.max() <= 1
    np.testing.assert_allclose(answers, np.clip(network.model.predict(new_inputs), 0, 1), atol=1e-12)
    inside = np.abs(answers - truth).mean()
    assert inside < 0.03  # a few percentage points at most
    assert inside < 0.2 * np.abs(truth - truth.mean()).mean()  # far better than always answering the average
    outside_inputs = surrogate.sample_inputs(100, seed=3, ranges={"years": (6.0, 10.0)})
    outside = np.abs(network(outside_inputs) - surrogate.default_probabilities(outside_inputs, n_paths=3000)).mean()
    assert outside > 2 * inside


def test_seconds_per_answer_divides_the_fastest_run():
    calls = []
    assert surrogate.seconds_per_answer(lambda: calls.append(1), n_answers=10, repeats=4) >= 0
    assert len(calls) == 4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: surrogate.default_probability(1.2, 0.3, 2.0), "leverage"),
        (lambda: surrogate.default_probability(0.5, -0.1, 2.0), "positive"),
        (lambda: surrogate.default_probability(0.5, 0.3, 2.0, n_paths=0), "n_paths"),
        (lambda: surrogate.default_probabilities(np.zeros((2, 2))), r"shape \(m, 3\)"),
        (lambda: surrogate.fit_surrogate(np.zeros((4, 3)), np.zeros(3)), r"targets must have shape \(4,\)"),
    ],
)
def test_bad_inputs_are_refused_with_a_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
