"""Graded mode: ``checks.run(id, func, seed=s)`` draws fresh random cases from a secret seed.

Practice mode (``seed=None``) shows every learner the same public cases, so a
learner could hand in a lookup table of their answers.  A grader passes a
secret class seed instead: the fixed edge cases stay, the random cases are
drawn afresh.  The crucial property checked here is fairness both ways:

* every correct implementation the chapter tests declare (``ALTERNATIVES``)
  still passes under every seed — an honest learner never loses points to an
  unlucky draw;
* every catalogued mistake (and every declared ``WRONG`` implementation)
  still fails under every seed — a check that cannot fail is worthless;
* seeded cases differ from the practice cases, so a lookup table of practice
  answers does not pass;
* the same seed gives the same cases twice (a grade can be reproduced).
"""

from __future__ import annotations

import importlib
import zlib
from pathlib import Path

import numpy as np
import pytest

from course_lib import checks

SEEDS = (1, 2, 3, 12345, 2**31 - 1)


def _declared() -> dict:
    """``{id: (alternatives, wrong functions)}`` from the ``ALTERNATIVES``/``WRONG`` dicts of tests/test_ch*.py."""
    declared = {}
    for path in sorted(Path(__file__).parent.glob("test_ch*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        wrong = getattr(module, "WRONG", {})
        for exercise_id, alternatives in getattr(module, "ALTERNATIVES", {}).items():
            declared[exercise_id] = (list(alternatives), [func for func, _status in wrong.get(exercise_id, [])])
    return declared


DECLARED = _declared()
IDS = checks.exercises()


def _key(value) -> bytes:
    """Exact bytes of a case's arguments (dtype, shape and content of arrays; the repr of objects)."""
    if isinstance(value, np.ndarray):
        return b"A" + f"{value.dtype.str}{value.shape}".encode() + np.ascontiguousarray(value).tobytes()
    if isinstance(value, dict):
        return b"D{" + b",".join(repr(k).encode() + b":" + _key(v) for k, v in value.items()) + b"}"
    if isinstance(value, (list, tuple)):
        return type(value).__name__.encode() + b"(" + b",".join(_key(v) for v in value) + b")"
    return repr(type(value)).encode() + repr(value).encode()


def _name(func) -> str:
    return getattr(func, "__name__", repr(func))


def test_practice_cases_are_seeded_from_the_id_alone():
    """``seed=None`` is exactly the public practice stream: ``default_rng(crc32(id))``."""
    for exercise_id in IDS:
        ex = checks.get(exercise_id)
        practice = [_key(c.args) for c in ex.make_cases()]
        assert practice == [_key(c.args) for c in ex.make_cases(None)]
        assert practice == [_key(c.args) for c in ex.cases(np.random.default_rng(zlib.crc32(exercise_id.encode())))]


@pytest.mark.parametrize("exercise_id", IDS)
def test_seeded_cases_keep_the_edge_cases_and_are_reproducible(exercise_id):
    ex = checks.get(exercise_id)
    practice = ex.make_cases()
    by_seed = {}
    for seed in SEEDS:
        cases = ex.make_cases(seed)
        assert [_key(c.args) for c in cases] == [_key(c.args) for c in ex.make_cases(seed)], (
            f"{exercise_id}: seed {seed} gives different cases on a second call"
        )
        assert [c.label for c in cases] == [c.label for c in practice], (
            f"{exercise_id}: seed {seed} changes the list of cases"
        )
        by_seed[seed] = [_key(c.args) for c in cases]
    practice_keys = [_key(c.args) for c in practice]
    for number, key in enumerate(practice_keys):
        seeded = {keys[number] for keys in by_seed.values()}
        if len(seeded) == 1:  # the same under every seed: a fixed edge case, which must be the practice one
            assert seeded == {key}, (
                f"{exercise_id}: case {number + 1} ({practice[number].label}) is fixed under seeds but differs from practice"
            )
    changed = [seed for seed, keys in by_seed.items() if any(k != p for k, p in zip(keys, practice_keys))]
    assert changed == list(SEEDS), (
        f"{exercise_id}: seeds {sorted(set(SEEDS) - set(changed))} give exactly the practice cases,"
        " so a lookup table of practice answers would pass"
    )
    assert len(set(map(tuple, by_seed.values()))) == len(SEEDS), f"{exercise_id}: two seeds give the same cases"


def test_exercises_sharing_a_case_generator_get_their_own_streams():
    """sigmoid and tanh share one generator; under one class seed their random cases still differ."""
    for a, b in [("sigmoid", "tanh"), ("neuron", "weighted_sum")]:
        assert checks.get(a).cases is checks.get(b).cases
        assert [_key(c.args) for c in checks.get(a).make_cases(7)] != [
            _key(c.args) for c in checks.get(b).make_cases(7)
        ]


@pytest.mark.parametrize("exercise_id", IDS)
def test_correct_alternatives_pass_under_every_seed(exercise_id):
    alternatives, _ = DECLARED[exercise_id]
    failures = []
    for seed in SEEDS:
        for alt in alternatives:
            result = checks.run(exercise_id, alt, seed=seed)
            if not result.passed:
                failures.append(f"{_name(alt)} with seed {seed}:\n{result.message}")
    assert not failures, f"{exercise_id}: a correct implementation fails on fresh cases\n" + "\n\n".join(failures)


@pytest.mark.parametrize("exercise_id", IDS)
def test_mistakes_and_wrong_implementations_fail_under_every_seed(exercise_id):
    _, wrong = DECLARED[exercise_id]
    funcs = [(f"mistake {m.name!r}", m.func) for m in checks.get(exercise_id).mistakes]
    funcs += [(f"WRONG {_name(f)}", f) for f in wrong]
    passing = [
        f"{name} with seed {seed}"
        for seed in SEEDS
        for name, func in funcs
        if checks.run(exercise_id, func, seed=seed).passed
    ]
    assert not passing, f"{exercise_id}: wrong implementations pass fresh cases: {passing}"


def _lookup_table_learner(exercise_id):
    """A learner who hands in the practice answers, keyed by the bytes of the inputs, and 0 for anything else."""
    ex = checks.get(exercise_id)
    table = {_key(c.args): ex.reference(*c.args) for c in ex.make_cases()}

    def lookup(*args):
        return table.get(_key(args), 0.0)

    return lookup


@pytest.mark.parametrize("exercise_id", ["sigmoid", "mse", "conv2d", "viterbi_decode"])
def test_a_lookup_table_of_practice_answers_passes_practice_but_not_a_graded_run(exercise_id):
    learner = _lookup_table_learner(exercise_id)
    practice = checks.run(exercise_id, learner)
    assert practice.passed, practice.message
    graded = checks.run(exercise_id, learner, seed=7)
    assert not graded.passed
    assert graded.status in ("wrong_type", "wrong_shape", "wrong_value"), graded.message


def test_check_stays_in_practice_mode():
    """``check`` takes no seed: what a learner runs in the notebook is always the practice check."""
    import inspect

    assert "seed" not in inspect.signature(checks.check).parameters
    assert inspect.signature(checks.run).parameters["seed"].kind is inspect.Parameter.KEYWORD_ONLY
