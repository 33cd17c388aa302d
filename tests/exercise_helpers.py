"""Shared assertions for testing exercise checks (used by every tests/test_ch*_*.py).

Each chapter's test module declares, for each of its exercises,

* ``ALTERNATIVES[id]``: at least two *correct* implementations written
  differently from the reference (loop vs vectorised, float32, another
  stable formula) — each must pass;
* ``WRONG[id]``: extra wrong implementations, as ``(func, expected_status)``
  pairs — each must fail with that status;

and calls :func:`assert_exercise` on them.  On top of that, every
``Mistake`` in the exercise's own catalogue must fail *and* show its hint.
``tests/test_checks_catalogue.py`` verifies that every registered exercise
is covered this way.
"""

from __future__ import annotations

import numpy as np

from course_lib import checks


def independent(reference):
    """A copy of a reference compiled afresh from its source.

    Checks refuse the library's own reference (and anything that calls it), so a
    test that builds a wrong answer *from* the right one uses this copy instead.
    """
    import inspect
    import textwrap

    namespace = dict(reference.__globals__)
    exec(textwrap.dedent(inspect.getsource(reference)), namespace)  # noqa: S102
    return namespace[reference.__name__]


def assert_passes(exercise_id: str, func) -> None:
    result = checks.run(exercise_id, func)
    assert result.passed, f"{getattr(func, '__name__', func)} should pass {exercise_id}:\n{result.message}"


def assert_fails(exercise_id: str, func, status: str | None = None, hint: str | None = None) -> None:
    result = checks.run(exercise_id, func)
    assert not result.passed, f"{getattr(func, '__name__', func)} should fail {exercise_id}"
    if status is not None:
        assert result.status == status, f"expected status {status}, got {result.status}:\n{result.message}"
    if hint is not None:
        # messages are wrapped for reading: compare with white space folded
        assert " ".join(hint.split()) in " ".join(result.message.split()), (
            f"expected the hint {hint!r} in:\n{result.message}"
        )


def assert_exercise(exercise_id: str, alternatives, wrong=()) -> None:
    """The full contract of one exercise's check."""
    ex = checks.get(exercise_id)
    # Handing in the library's own reference is refused: the learner must write it.
    assert checks.run(exercise_id, ex.reference).status == "not_implemented"
    assert len(alternatives) >= 2, f"{exercise_id} needs at least two alternative correct implementations"
    for alt in alternatives:
        assert_passes(exercise_id, alt)
    assert len(ex.mistakes) >= 3
    for mistake in ex.mistakes:
        assert_fails(exercise_id, mistake.func, hint=mistake.hint)
    for func, status in wrong:
        assert_fails(exercise_id, func, status=status)
    # Reruns print byte-identical text and leave the global random state alone.
    state = np.random.get_state()[1].copy()
    first = checks.run(exercise_id, ex.mistakes[0].func).message
    assert checks.run(exercise_id, ex.mistakes[0].func).message == first
    assert np.array_equal(np.random.get_state()[1], state)
