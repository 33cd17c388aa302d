"""The checks engine itself, fed misbehaving implementations (DESIGN.md §6)."""

from __future__ import annotations

import dataclasses
import random
import warnings

import numpy as np
import pytest

from course_lib import checks
from course_lib.checks import _core


@pytest.fixture
def quick_timeout(monkeypatch):
    """Shorten weighted_sum's time limit so the hang test takes half a second."""
    ex = _core._REGISTRY["weighted_sum"]
    monkeypatch.setitem(_core._REGISTRY, "weighted_sum", dataclasses.replace(ex, time_limit=0.5))


def _folded(text: str) -> str:
    """Messages are wrapped for reading; compare with white space folded."""
    return " ".join(text.split())


def good(x, w, b):
    return x @ w + b


notebook_x = np.array([1.0, 2.0])


def misbehaving():
    def raises(x, w, b):
        return x @ w + undefined_name  # noqa: F821

    def not_implemented(x, w, b):
        raise NotImplementedError

    def returns_none(x, w, b):
        x @ w + b

    def returns_list(x, w, b):
        return np.atleast_1d(x @ w + b).tolist()

    def returns_nan(x, w, b):
        return (x @ w + b) * np.nan

    def wrong_shape(x, w, b):
        return np.atleast_2d(x @ w + b)

    def mutates(x, w, b):
        x *= 1.0
        x[...] = 0.0
        return x @ w + b

    def reads_global(x, w, b):
        return float(notebook_x @ w[:2]) + b

    def returns_bools(x, w, b):
        return np.asarray(x @ w + b) > 0

    return {
        "error": raises,
        "not_implemented": not_implemented,
        "wrong_type": returns_none,
        "wrong_type_list": returns_list,
        "non_finite": returns_nan,
        "wrong_shape": wrong_shape,
        "mutated_input": mutates,
        "wrong_value": reads_global,
        "wrong_type_bool": returns_bools,
    }


@pytest.mark.parametrize(("expected", "func"), sorted(misbehaving().items()))
def test_misbehaving_implementations_get_the_right_status(expected, func):
    result = checks.run("weighted_sum", func)
    assert result.status == expected.split("_list")[0].split("_bool")[0]
    assert not result.passed
    assert result.message.startswith(("❌", "✏️", "⏱"))
    assert "Traceback" not in result.message


def test_hanging_implementation_times_out(quick_timeout):
    def hangs(x, w, b):
        while True:
            pass

    result = checks.run("weighted_sum", hangs)
    assert result.status == "timeout"
    assert "0.5 s" in result.message


def test_timeout_cannot_be_swallowed_by_except_exception(quick_timeout):
    def stubborn(x, w, b):
        while True:
            try:
                while True:
                    pass
            except Exception:  # noqa: BLE001 - a learner's over-broad except
                pass

    assert checks.run("weighted_sum", stubborn).status == "timeout"


def test_timeout_in_a_thread(quick_timeout):
    import threading

    def hangs(x, w, b):
        import time

        time.sleep(5)

    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", checks.run("weighted_sum", hangs)))
    worker.start()
    worker.join(10)
    assert box["r"].status == "timeout"


def test_global_reading_gets_a_specific_hint():
    result = checks.run("weighted_sum", misbehaving()["wrong_value"])
    assert "reads the notebook variable(s) `notebook_x` instead of its own arguments" in _folded(result.message)

    def same_answer_always(x, w, b):
        return 3.0

    assert "same answer for different inputs" in _folded(checks.run("weighted_sum", same_answer_always).message)


def test_error_message_points_at_the_learners_line():
    result = checks.run("weighted_sum", misbehaving()["error"])
    assert "NameError" in result.message
    assert "in raises, line" in _folded(result.message)


def test_not_callable():
    result = checks.run("weighted_sum", 3.0)
    assert result.status == "wrong_type"
    assert "expected a function" in result.message


def test_unknown_exercise_suggests_close_ids():
    with pytest.raises(KeyError, match="weighted_sum"):
        checks.run("weighted_summ", good)


def test_statuses_are_the_documented_ones():
    assert checks.STATUSES == (
        "passed",
        "not_implemented",
        "error",
        "timeout",
        "wrong_type",
        "wrong_shape",
        "non_finite",
        "mutated_input",
        "wrong_value",
    )


def test_session_is_left_untouched():
    np.random.seed(123)
    random.seed(7)
    np.seterr(over="warn", divide="warn", invalid="warn", under="ignore")
    before_np, before_py, before_err = np.random.get_state()[1].copy(), random.getstate(), np.geterr()
    before_filters = list(warnings.filters)

    def noisy(x, w, b):
        np.random.seed(0)
        random.seed(0)
        np.seterr(all="raise")
        warnings.simplefilter("error")
        np.random.rand(10)
        return x @ w + b

    assert checks.run("weighted_sum", noisy).passed
    assert np.array_equal(np.random.get_state()[1], before_np)
    assert random.getstate() == before_py
    assert np.geterr() == before_err
    assert warnings.filters == before_filters


def test_learner_prints_do_not_leak(capsys):
    def chatty(x, w, b):
        print("debugging!")
        return x @ w + b

    result = checks.check("weighted_sum", chatty)
    out = capsys.readouterr().out
    assert "debugging!" not in out
    assert out == result.message + "\n"


def test_reruns_print_identical_bytes():
    messages = {checks.run("weighted_sum", f).message for f in [misbehaving()["wrong_shape"]] * 3}
    assert len(messages) == 1


def test_check_is_lenient_by_default_and_strict_on_request(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_CHECKS_STRICT", raising=False)
    assert checks.check("weighted_sum", misbehaving()["wrong_shape"]).status == "wrong_shape"
    monkeypatch.setenv("COURSE_CHECKS_STRICT", "1")
    with pytest.raises(checks.CheckFailed, match="wrong shape"):
        checks.check("weighted_sum", misbehaving()["wrong_shape"])
    with pytest.raises(checks.CheckFailed) as info:
        checks.check("weighted_sum", misbehaving()["error"])
    assert isinstance(info.value.__cause__, NameError)
    assert checks.check("weighted_sum", good).passed


def test_register_demands_three_mistakes():
    with pytest.raises(ValueError, match="at least 3 known mistakes"):
        _core.register("x_never", chapter="-", reference=good, cases=lambda rng: [], mistakes=[], arg_names=())


def test_long_sentences_are_wrapped_but_values_are_not():
    result = checks.run("weighted_sum", misbehaving()["wrong_shape"])
    assert all(len(line) <= 92 for line in result.message.splitlines() if not line.startswith("    "))
