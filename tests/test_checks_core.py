"""The checks engine itself, fed misbehaving implementations (DESIGN.md §6)."""

from __future__ import annotations

import dataclasses
import random
import sys
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
    result = checks.run("weighted_summ", good)
    assert result.status == "error"
    assert "no exercise called 'weighted_summ'" in result.message
    assert "'weighted_sum'" in result.message


def test_swapped_arguments_get_a_clear_message(capsys):
    result = checks.check(good, "weighted_sum")
    assert result.status == "error"
    assert "wrong way round" in result.message
    assert "checks.check('weighted_sum', good)" in _folded(result.message)
    assert checks.run(3, good).status == "error"
    assert checks.run(None, None).status == "error"


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


# --------------------------------------------------------------------------
# Hostile and careless code (issue 7, section 4): each case ends in a clear
# report with the right status, never raises and leaves the session as it was.

from course_lib.neuron import weighted_sum as reference_weighted_sum  # noqa: E402


def test_handing_in_the_reference_is_refused():
    import functools

    assert checks.run("weighted_sum", reference_weighted_sum).status == "not_implemented"
    assert "course_lib's own answer" in _folded(checks.run("weighted_sum", reference_weighted_sum).message)
    assert checks.run("weighted_sum", functools.partial(reference_weighted_sum)).status == "not_implemented"

    def wraps(x, w, b):
        return reference_weighted_sum(x, w, b)

    def wraps_later(x, w, b):
        y = x @ w
        return reference_weighted_sum(x, w, b) if np.ndim(y) else y + b

    import types

    clone = types.FunctionType(reference_weighted_sum.__code__, globals(), "weighted_sum")
    for cheat in (wraps, wraps_later, clone, lambda x, w, b: reference_weighted_sum(x, w, b)):
        result = checks.run("weighted_sum", cheat)
        assert result.status == "not_implemented", result.message
    # ... and the library's function still works afterwards.
    assert reference_weighted_sum(np.ones(2), np.ones(2), 1.0) == 3.0


def test_thin_wrapper_references_cover_the_library_function():
    from course_lib import activations

    assert checks.run("sigmoid", activations.sigmoid).status == "not_implemented"
    assert checks.run("sigmoid", lambda z: activations.sigmoid(z)).status == "not_implemented"
    assert checks.run("sigmoid", lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))).passed


def test_calling_another_exercises_reference_is_allowed():
    from course_lib.activations import sigmoid

    def neuron(x, w, b):
        return sigmoid(x @ w + b)

    assert checks.run("neuron", neuron).passed


def _hostile_timeouts():
    import signal

    def bare_except(x, w, b):
        while True:
            try:
                while True:
                    pass
            except:  # noqa: E722 - a learner's bare except swallows everything
                pass

    def cancels_alarm(x, w, b):
        signal.alarm(0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        while True:
            pass

    def ignores_alarm(x, w, b):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass

    def long_c_call(x, w, b):
        big = np.ones((6000, 6000))
        for _ in range(1000):
            big @ big  # one call takes seconds and cannot be interrupted by a signal handler
        return x @ w + b

    def nested_check(x, w, b):
        while True:
            checks.run("weighted_sum", bare_except)

    def sleeps(x, w, b):
        import time

        time.sleep(60)

    return [bare_except, cancels_alarm, ignores_alarm, long_c_call, nested_check, sleeps]


@pytest.mark.parametrize("func", _hostile_timeouts(), ids=lambda f: f.__name__)
def test_time_limit_cannot_be_defeated(quick_timeout, func):
    import signal
    import time

    handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    result = checks.run("weighted_sum", func)
    assert result.status == "timeout", result.message
    assert time.monotonic() - start < 5.0
    assert signal.getsignal(signal.SIGALRM) is handler


def test_thread_fallback_restores_streams_and_stops_the_loop(quick_timeout, monkeypatch):
    import sys
    import threading
    import time

    monkeypatch.setenv("COURSE_CHECKS_NO_FORK", "1")
    stdout, stderr = sys.stdout, sys.stderr

    def loops_and_prints(x, w, b):
        while True:
            try:
                print("spam")
                time.sleep(0.001)
            except Exception:  # noqa: BLE001
                pass

    result = checks.run("weighted_sum", loops_and_prints)
    assert result.status == "timeout"
    assert sys.stdout is stdout and sys.stderr is stderr
    time.sleep(0.1)
    assert not any(t.name == "course-checks-learner" and t.is_alive() for t in threading.enumerate())
    # The fallback checks correct and wrong answers like the forked path.
    assert checks.run("weighted_sum", good).passed
    assert checks.run("weighted_sum", misbehaving()["mutated_input"]).status == "mutated_input"
    assert checks.run("weighted_sum", reference_weighted_sum).status == "not_implemented"


def _odd_answers():
    class LyingEq(float):
        def __eq__(self, other):
            return True

        __hash__ = float.__hash__

    class Liar:
        def __eq__(self, other):
            return True

        def __array__(self, *a, **k):
            raise RuntimeError("no")

    class BadStr:
        def __str__(self):
            raise RuntimeError("boom")

        __repr__ = __str__

    class BadStrError(Exception):
        def __str__(self):
            raise RuntimeError("boom")

    def raises_bad_str(x, w, b):
        raise BadStrError

    return {
        "python_complex": (lambda x, w, b: complex(x @ w + b if np.ndim(x) == 1 else 0.0, 1.0), "wrong_type"),
        "complex_array": (lambda x, w, b: np.asarray(x @ w + b) + 1j, "wrong_type"),
        "complex_scalar_zero_imag_part": (lambda x, w, b: np.complex128(1e9), "wrong_type"),
        "huge_int": (lambda x, w, b: 10**400, "non_finite"),
        "fully_masked": (lambda x, w, b: np.ma.masked_all(np.shape(x @ w + b)) if np.ndim(x) == 2 else 0.0, None),
        "masked_correct_data": (lambda x, w, b: np.ma.masked_array(np.atleast_1d(x @ w + b), mask=True), None),
        "lying_eq_object": (lambda x, w, b: Liar(), "wrong_type"),
        "lying_eq_float_subclass": (lambda x, w, b: LyingEq(-123.0), "wrong_type"),
        "bad_str_object": (lambda x, w, b: BadStr(), "wrong_type"),
        "bad_str_exception": (raises_bad_str, "error"),
        "matrix": (lambda x, w, b: np.matrix(np.atleast_2d(x @ w + b)), None),
        "generator": (lambda x, w, b: (v for v in [1.0]), "wrong_type"),
    }


@pytest.mark.parametrize("name", sorted(_odd_answers()))
def test_odd_answers_get_a_clear_status_and_no_false_pass(name):
    func, status = _odd_answers()[name]
    result = checks.run("weighted_sum", func)
    assert not result.passed, result.message
    assert result.status in checks.STATUSES
    if status:
        assert result.status == status, result.message
    assert result.message and "Traceback" not in result.message


def test_leftover_seterr_raise_and_patched_numpy_do_not_fool_the_check(monkeypatch):
    old = np.seterr(all="raise")
    try:
        assert checks.run("sigmoid", lambda z: 1 / (1 + np.exp(-z))).status in ("passed", "non_finite")
        assert checks.run("weighted_sum", good).passed
        assert np.geterr()["over"] == "raise"
    finally:
        np.seterr(**old)
    monkeypatch.setattr(np, "isclose", lambda *a, **k: np.True_)
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "array_equal", lambda *a, **k: True)
    assert checks.run("weighted_sum", lambda x, w, b: x @ w).status == "wrong_value"


def test_session_state_restored_even_by_hostile_code(monkeypatch):
    import sys

    for fork in ("0", "1"):
        monkeypatch.setenv("COURSE_CHECKS_NO_FORK", fork)
        limit = sys.getrecursionlimit()
        np.random.seed(5)
        state = np.random.get_state()[1].copy()
        err = np.geterr()

        def meddles(x, w, b):
            sys.setrecursionlimit(limit + 123)
            np.random.seed(1)
            np.seterr(all="raise")
            warnings.simplefilter("error")
            return x @ w + b

        assert checks.run("weighted_sum", meddles).passed
        assert sys.getrecursionlimit() == limit
        assert np.array_equal(np.random.get_state()[1], state)
        assert np.geterr() == err


def test_a_process_that_dies_is_an_error():
    import os

    result = checks.run("weighted_sum", lambda x, w, b: os._exit(3))
    assert result.status == "error"
    assert "ended without returning" in _folded(result.message)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the forked sandbox runs on Linux")
def test_processes_started_by_the_learner_do_not_outlive_the_check():
    import subprocess
    import time
    from pathlib import Path

    marker = "course-checks-orphan-test-41"

    def spawns(x, w, b):
        subprocess.Popen(["bash", "-c", f"exec -a {marker} sleep 30"])
        return x @ w + b

    def running():
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if marker.encode() in cmdline.read_bytes():
                    found.append(cmdline.parent.name)
            except OSError:
                pass
        return found

    assert checks.run("weighted_sum", spawns).passed
    time.sleep(0.3)
    assert not running(), f"processes left running: {running()}"
