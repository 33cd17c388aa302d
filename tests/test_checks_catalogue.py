"""Every registered exercise is covered by a chapter test declaring its alternatives."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from course_lib import checks

CORE_IDS = {
    "weighted_sum", "neuron", "step", "perceptron_predict", "perceptron_update", "sigmoid", "tanh", "relu",
    "sigmoid_derivative", "relu_derivative", "softmax", "mse", "binary_cross_entropy",
    "categorical_cross_entropy", "dense_forward", "forward_2_3_1", "gradient_descent_step",
    "dense_backward", "backprop_2_3_1",
}  # fmt: skip


def _declared():
    declared = {}
    for path in sorted(Path(__file__).parent.glob("test_ch*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        for exercise_id, alternatives in getattr(module, "ALTERNATIVES", {}).items():
            declared[exercise_id] = (path.name, alternatives, getattr(module, "WRONG", {}).get(exercise_id, []))
    return declared


def test_every_exercise_has_a_test_with_alternatives_and_wrong_implementations():
    declared = _declared()
    missing = sorted(set(checks.exercises()) - set(declared))
    assert not missing, f"no ALTERNATIVES declared for {missing}"
    for exercise_id, (where, alternatives, wrong) in declared.items():
        assert exercise_id in checks.exercises(), f"{where} declares an unknown exercise {exercise_id}"
        assert len(alternatives) >= 2, f"{exercise_id}: at least two alternative correct implementations"
        assert len(checks.get(exercise_id).mistakes) + len(wrong) >= 3


def test_core_exercises_of_the_contract_are_registered():
    missing = CORE_IDS - set(checks.exercises())
    assert not missing, f"DESIGN.md §6 exercises not registered: {sorted(missing)}"


def test_catalogue_counts(capsys):
    ids = checks.exercises()
    mistakes = sum(len(checks.get(i).mistakes) for i in ids)
    wrong = sum(len(w) for _, _, w in _declared().values())
    print(f"{len(ids)} exercises, {mistakes} catalogued mistakes, {wrong} extra wrong implementations")
    assert mistakes >= 3 * len(ids)


def test_every_declared_exercise_is_actually_run_through_assert_exercise():
    """Declaring ALTERNATIVES is not enough: some test must call assert_exercise on the id.

    (A parametrised `test_exercise_contract` only sees the ids declared *before* it.)
    """
    import inspect

    covered = set()
    for path in sorted(Path(__file__).parent.glob("test_ch*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        contract = getattr(module, "test_exercise_contract", None)
        for mark in getattr(contract, "pytestmark", []):
            if mark.name == "parametrize":
                covered |= set(mark.args[1])
        covered |= set(re.findall(r"assert_exercise\(\s*\"(\w+)\"", inspect.getsource(module)))
        covered |= {
            m for m in re.findall(r"exercise = \"(\w+)\"\n\s+assert_exercise\(exercise", inspect.getsource(module))
        }
    missing = sorted(set(checks.exercises()) - covered)
    assert not missing, f"no test runs assert_exercise on {missing}"
