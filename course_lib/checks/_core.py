"""The machinery behind ``course_lib.checks``: registering and running exercise checks.

Defined in: Preface, "How exercises and checks work".

A check runs a learner's function on several cases, compares each answer
with the reference implementation's, and turns the first difference into a
short, specific message.  It never raises for a learner's fault (unless
strict mode is on), never changes the learner's session (random state, numpy
error settings, warnings filters) and prints the same text on every rerun.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
import random
import sys
import textwrap
import warnings
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from numbers import Number

import numpy as np

from course_lib.checks import _sandbox
from course_lib.checks._sandbox import Opaque

# Captured at import: a learner who monkey-patches numpy cannot change how answers are compared.
_abs, _isfinite, _maximum, _argwhere = np.abs, np.isfinite, np.maximum, np.argwhere
_asarray, _array_equal, _seterr, _geterr = np.asarray, np.array_equal, np.seterr, np.geterr

#: Every status a check can report, from a pass to each kind of mistake.
STATUSES = (
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

STRICT_ENV = "COURSE_CHECKS_STRICT"


class CheckFailed(AssertionError):
    """Raised by :func:`check` in strict mode (``COURSE_CHECKS_STRICT=1``) when a check fails."""


@dataclass(frozen=True)
class Case:
    """One set of arguments for an exercise, with a short label for messages."""

    args: tuple
    label: str


@dataclass(frozen=True)
class Mistake:
    """A known-wrong implementation and the hint a learner who wrote it needs.

    When a learner's answer matches what ``func`` returns, the check shows
    ``hint``.  The catalogue doubles as test material: every mistake must be
    rejected by its check.
    """

    name: str
    func: Callable
    hint: str


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: what the learner writes and how it is checked."""

    id: str
    chapter: str
    reference: Callable
    cases: Callable[[np.random.Generator], Sequence[Case]]
    mistakes: tuple[Mistake, ...]
    arg_names: tuple[str, ...]
    rtol: float = 1e-5
    atol: float = 1e-7
    time_limit: float = 5.0
    uses_tensorflow: bool = False
    hint: str = ""

    def make_cases(self, seed: int | None = None) -> list[Case]:
        """The exercise's cases, identical on every call with the same ``seed``.

        With ``seed=None`` (practice mode) the generator is seeded from the id alone,
        so every learner sees the same public cases.  With an integer ``seed`` (graded
        mode: a secret class seed) the random cases are drawn afresh from
        ``default_rng([seed, crc32(id)])`` — one stream per exercise — while the fixed
        edge cases stay as they are.
        """
        key = zlib.crc32(self.id.encode())
        rng = np.random.default_rng(key if seed is None else [seed, key])
        return list(self.cases(rng))


@dataclass(frozen=True)
class Result:
    """What a check found.  ``status`` is one of :data:`STATUSES`."""

    exercise: str
    status: str
    message: str
    case: int | None = None
    details: dict = field(default_factory=dict, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:
        return f"Result(exercise={self.exercise!r}, status={self.status!r})"


_REGISTRY: dict[str, Exercise] = {}


def register(
    id: str,
    *,
    chapter: str,
    reference: Callable,
    cases: Callable[[np.random.Generator], Sequence[Case]],
    mistakes: Sequence[Mistake],
    arg_names: Sequence[str],
    rtol: float = 1e-5,
    atol: float = 1e-7,
    time_limit: float = 5.0,
    uses_tensorflow: bool = False,
    hint: str = "",
) -> Exercise:
    """Register an exercise.  Every exercise needs at least three known mistakes."""
    if id in _REGISTRY:
        raise ValueError(f"exercise {id!r} is registered twice")
    if len(mistakes) < 3:
        raise ValueError(f"exercise {id!r} needs at least 3 known mistakes, got {len(mistakes)}")
    exercise = Exercise(
        id=id,
        chapter=chapter,
        reference=reference,
        cases=cases,
        mistakes=tuple(mistakes),
        arg_names=tuple(arg_names),
        rtol=rtol,
        atol=atol,
        time_limit=time_limit,
        uses_tensorflow=uses_tensorflow,
        hint=hint,
    )
    _REGISTRY[id] = exercise
    return exercise


def exercises() -> list[str]:
    """The ids of every registered exercise, sorted."""
    return sorted(_REGISTRY)


def get(exercise_id: str) -> Exercise:
    """The registered :class:`Exercise` called ``exercise_id``."""
    try:
        return _REGISTRY[exercise_id]
    except (KeyError, TypeError):
        raise KeyError(_unknown_id(exercise_id)) from None


def _unknown_id(exercise_id) -> str:
    close = difflib.get_close_matches(str(exercise_id), list(_REGISTRY), n=3)
    also = f" Did you mean {', '.join(map(repr, close))}?" if close else " checks.exercises() lists them all."
    return f"There is no exercise called {exercise_id!r}.{also}"


# --------------------------------------------------------------------------
# Formatting: short, deterministic renderings of values for messages.


def _fmt(value) -> str:
    if isinstance(value, Opaque):
        return f"<{value.description}>"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=12, edgeitems=3, linewidth=88, suppress=False):
            text = np.array2string(value, separator=", ")
        if not value.ndim:
            return text
        sep = "\n" if "\n" in text else " "  # a matrix starts on its own line, its rows aligned
        return f"array of shape {value.shape}:{sep}{text}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: …" for k in value) + "}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.8g}"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _type_name(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return value.description
    if isinstance(value, np.ndarray):
        return f"a numpy array of dtype {value.dtype}"
    return f"a {type(value).__name__}"


# --------------------------------------------------------------------------
# Comparison of a learner's answer with the reference.


@dataclass(frozen=True)
class _Diff:
    status: str
    text: str


def _is_number(value) -> bool:
    return isinstance(value, (Number, np.number)) and not isinstance(value, (bool, np.bool_))


def _compare(expected, got, ex: Exercise, where: str = "the result") -> _Diff | None:
    """``None`` when ``got`` matches ``expected``; otherwise what differs.

    ``got`` is plain data (see :func:`course_lib.checks._sandbox.plain`): anything
    else arrives as an :class:`Opaque` description and is a wrong type.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _Diff("wrong_type", f"{where} should be a dict, got {_type_name(got)}")
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            return _Diff(
                "wrong_type",
                f"{where} should have the keys {sorted(expected)}, got {sorted(map(str, got))}",
            )
        for key in expected:
            diff = _compare(expected[key], got[key], ex, f"{where}[{key!r}]")
            if diff:
                return diff
        return None
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return _Diff(
                "wrong_type",
                f"{where} should be a tuple of {len(expected)} values, got {_type_name(got)}"
                + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""),
            )
        for i, (e, g) in enumerate(zip(expected, got)):
            diff = _compare(e, g, ex, f"{where}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if type(got) is not np.ndarray:
            extra = " (convert it with np.array(...))" if isinstance(got, (list, tuple)) else ""
            return _Diff("wrong_type", f"{where} should be a numpy array, got {_type_name(got)}{extra}")
        if got.dtype.kind not in "iuf":
            why = {
                "b": " (convert booleans with .astype(float))",
                "c": " (complex numbers: did a square root or a log get a negative number?)",
            }.get(got.dtype.kind, "")
            return _Diff("wrong_type", f"{where} should hold real numbers, got an array of dtype {got.dtype}{why}")
        if got.shape != expected.shape:
            return _Diff("wrong_shape", f"{where} should have shape {expected.shape}, got shape {got.shape}")
        return _compare_values(expected, got, ex, where)
    # A single number (Python or numpy scalar, or a 0-d array).
    if type(got) is np.ndarray and got.ndim == 0:
        got = got[()]
    if type(got) is np.ndarray:
        return _Diff("wrong_shape", f"{where} should be a single number, got an array of shape {got.shape}")
    if not _is_number(got):
        return _Diff("wrong_type", f"{where} should be a number, got {_type_name(got)}")
    if isinstance(got, (complex, np.complexfloating)):
        return _Diff("wrong_type", f"{where} should be a real number, got the complex number {got!r}")
    try:
        got_float = float(got)
    except OverflowError:
        return _Diff("non_finite", f"{where} is {_fmt(got)}, too large for a float; expected {_fmt(expected)}")
    return _compare_values(np.asarray(expected, dtype=float), np.asarray(got_float), ex, where)


def _compare_values(expected: np.ndarray, got: np.ndarray, ex: Exercise, where: str) -> _Diff | None:
    got_f = got.astype(np.float64)
    exp_f = expected.astype(np.float64)
    bad_finite = ~_isfinite(got_f) & _isfinite(exp_f)
    if bad_finite.any():
        idx = tuple(int(i) for i in _argwhere(bad_finite)[0])
        at = f" at index {idx}" if got_f.ndim else ""
        return _Diff(
            "non_finite",
            f"{where} contains {_fmt(got_f[idx] if got_f.ndim else got_f[()])}{at}, "
            f"where {_fmt(exp_f[idx] if exp_f.ndim else exp_f[()])} was expected",
        )
    # |got - expected| <= atol + rtol |expected|, written out (np.isclose may be monkey-patched).
    gap = _abs(got_f - exp_f)
    close = (gap <= ex.atol + ex.rtol * _abs(exp_f)) | (got_f == exp_f) | ((got_f != got_f) & (exp_f != exp_f))
    if close.all():
        return None
    if got_f.ndim == 0:
        return _Diff("wrong_value", f"{where}: expected {_fmt(exp_f[()])}, got {_fmt(got_f[()])}")
    idx = tuple(int(i) for i in _argwhere(~close)[0])
    n_bad = int((~close).sum())
    largest = float(_maximum.reduce(_abs(got_f - exp_f), axis=None))
    return _Diff(
        "wrong_value",
        f"{where} differs in {n_bad} of {close.size} entries (largest difference {largest:.3g}); "
        f"first at index {idx}: expected {_fmt(exp_f[idx])}, got {_fmt(got_f[idx])}",
    )


def _same_value(a, b) -> bool:
    """Whether two plain values are equal, arrays compared by type, shape and content."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_same_value(a[k], b[k]) for k in a)
        )
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (
            isinstance(a, (tuple, list))
            and isinstance(b, (tuple, list))
            and len(a) == len(b)
            and all(_same_value(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, Opaque) or isinstance(b, Opaque):
        return False
    if isinstance(a, (str, bytes)) or isinstance(b, (str, bytes)):
        return type(a) is type(b) and a == b
    try:
        a_arr, b_arr = _asarray(a), _asarray(b)
        return a_arr.shape == b_arr.shape and bool(_array_equal(a_arr, b_arr, equal_nan=True))
    except Exception:  # noqa: BLE001 - anything incomparable is simply "not the same"
        return a is b


# --------------------------------------------------------------------------
# Running a learner's function safely (the calling itself is in _sandbox).


class _SessionGuard:
    """Save and restore what a check must not change in the learner's session."""

    def __enter__(self):
        self.np_state = np.random.get_state()
        self.py_state = random.getstate()
        self.np_err = _geterr()
        self.np_print = np.get_printoptions()
        self.recursion_limit = sys.getrecursionlimit()
        self.stdout, self.stderr = sys.stdout, sys.stderr
        self.warnings = warnings.catch_warnings()
        self.warnings.__enter__()
        warnings.simplefilter("ignore")
        _seterr(all="ignore")
        return self

    def __exit__(self, *exc):
        self.warnings.__exit__(*exc)
        sys.stdout, sys.stderr = self.stdout, self.stderr
        sys.setrecursionlimit(self.recursion_limit)
        _seterr(**self.np_err)
        np.set_printoptions(**self.np_print)
        random.setstate(self.py_state)
        np.random.set_state(self.np_state)
        return False


def _describe_args(ex: Exercise, args: tuple) -> str:
    names = ex.arg_names if len(ex.arg_names) == len(args) else [f"arg{i}" for i in range(len(args))]
    lines = []
    for name, value in zip(names, args):
        lines.append(f"    {name} = " + _fmt(value).replace("\n", "\n      "))
    return "\n".join(lines)


def _mistake_hint(ex: Exercise, args: tuple, got) -> str:
    """The hint of the first known mistake whose answer matches the learner's."""
    for mistake in ex.mistakes:
        try:  # the catalogue is the course's own code: called directly
            value = _sandbox.plain(mistake.func(*copy.deepcopy(args)))
        except Exception:  # noqa: BLE001 - a mistake that raises on this case matches nothing
            continue
        if _same_value(value, got) or _compare(value, got, ex) is None:
            return mistake.hint
    return ""


def _notebook_globals_used(func: Callable) -> list[str]:
    """Names of notebook data (arrays, lists, numbers) that ``func`` reads as globals."""
    code = getattr(func, "__code__", None)
    scope = getattr(func, "__globals__", {})
    if code is None:
        return []
    names = []
    for name in code.co_names:
        value = scope.get(name)
        if isinstance(value, (np.ndarray, list, tuple, dict)) or _is_number(value):
            if not name.isupper():  # CONSTANTS are a deliberate choice, not a slip
                names.append(name)
    return names


def _ignores_arguments(ex: Exercise, func: Callable, cases: list[Case], got_first) -> bool:
    """True when ``func`` answers two different cases identically though the reference does not."""
    if len(cases) < 2:
        return False
    other = cases[1] if not _same_value(cases[0].args, cases[1].args) else cases[-1]
    expected_a = ex.reference(*copy.deepcopy(cases[0].args))
    expected_b = ex.reference(*copy.deepcopy(other.args))
    if _same_value(expected_a, expected_b):
        return False
    outcome = _sandbox.call(func, copy.deepcopy(other.args), ex.time_limit)
    return outcome.error is None and not outcome.timed_out and _same_value(outcome.value, got_first)


_GENERIC_HINTS = {
    "wrong_type": "Check what your function returns: the last line should be `return ...`.",
    "wrong_shape": "Print the shapes of your intermediate arrays; numpy broadcasting may have"
    " combined two arrays you meant to keep apart.",
    "non_finite": "Look for exp() of large numbers, log(0) or division by zero; the chapter"
    " shows a numerically stable form.",
    "mutated_input": "Work on a copy (`x = x.copy()`) or build a new array instead of"
    " assigning into the argument (avoid `x[...] =` and `x += ...`).",
    "wrong_value": "",
}


def _usage_error(exercise_id, func) -> Result | None:
    """A clear message for a call of ``run`` that cannot be a check (swapped or unknown id)."""
    name = str(exercise_id) if isinstance(exercise_id, str) else getattr(exercise_id, "__name__", "?")
    if callable(exercise_id) and isinstance(func, str):
        return Result(
            str(func),
            "error",
            f"❌ The arguments are the wrong way round: write checks.check({func!r}, {name}) —"
            " the exercise id first, then your function.",
        )
    if not isinstance(exercise_id, str):
        return Result(
            name,
            "error",
            f"❌ The first argument must be an exercise id (a string such as 'sigmoid'), got {_type_name(exercise_id)}.",
        )
    if exercise_id not in _REGISTRY:
        return Result(exercise_id, "error", f"❌ {_unknown_id(exercise_id)}")
    return None


def run(exercise_id: str, func: Callable, *, seed: int | None = None) -> Result:
    """Check ``func`` against the exercise's reference; never raises for the learner's faults.

    ``seed=None`` runs the public practice cases; an integer ``seed`` (a grader's secret)
    runs fresh random cases next to the same fixed edge cases (see :meth:`Exercise.make_cases`).
    """
    problem = _usage_error(exercise_id, func)
    if problem is not None:
        return problem
    ex = _REGISTRY[exercise_id]
    if not callable(func):
        return Result(
            ex.id,
            "wrong_type",
            f"❌ {ex.id}: expected a function, got {_type_name(_sandbox.plain(func))}.\n"
            f"   Pass the function itself: checks.check({ex.id!r}, {ex.id}) — no parentheses after it.",
        )
    with _SessionGuard():
        if _sandbox.is_reference(func, ex.reference):
            return _handed_in_reference(ex)
        cases = ex.make_cases(seed)
        for number, case in enumerate(cases, start=1):
            result = _run_case(ex, func, cases, number, case)
            if result is not None:
                return dataclasses.replace(result, message=_wrap_prose(result.message))
    return Result(ex.id, "passed", f"✅ {ex.id}: all {len(cases)} test cases passed.")


def _handed_in_reference(ex: Exercise) -> Result:
    module = getattr(ex.reference, "__module__", "course_lib")
    return Result(
        ex.id,
        "not_implemented",
        _wrap_prose(
            f"✏️ {ex.id}: this is course_lib's own answer ({module}.{ex.reference.__name__}), not yours."
            " Write the function yourself — you may call numpy, but not the library's solution."
        ),
    )


def _wrap_prose(message: str, width: int = 92) -> str:
    """Wrap the message's sentences (first line, hints) to ``width``; leave printed values as they are."""
    lines = []
    for line in message.splitlines():
        prose = not line.startswith("    ") and not line.lstrip().startswith(("Expected:", "Got:"))
        if prose and len(line) > width:
            indent = "  " if line.startswith("  ") else ""
            hang = indent + ("      " if line.lstrip().startswith("Hint:") else "  ")
            line = textwrap.fill(
                line, width=width, subsequent_indent=hang, break_long_words=False, break_on_hyphens=False
            )
        lines.append(line)
    return "\n".join(lines)


def _run_case(ex: Exercise, func: Callable, cases: list[Case], number: int, case: Case) -> Result | None:
    pristine = copy.deepcopy(case.args)
    expected = ex.reference(*copy.deepcopy(case.args))
    outcome = _sandbox.call(func, copy.deepcopy(case.args), ex.time_limit, reference=ex.reference)
    where = f"case {number} of {len(cases)} ({case.label})"
    inputs = f"  Inputs:\n{_describe_args(ex, pristine)}"

    if outcome.used_reference:
        return _handed_in_reference(ex)
    if outcome.timed_out:
        return Result(
            ex.id,
            "timeout",
            f"⏱ {ex.id}: no answer within {ex.time_limit:g} s on {where}.\n{inputs}\n"
            "  Hint: look for a loop that never ends, or a loop over millions of items"
            " that a vectorised numpy expression would replace.",
            number,
        )
    err = outcome.error
    if err is not None and err.not_implemented:
        return Result(
            ex.id,
            "not_implemented",
            f"✏️ {ex.id}: not implemented yet — replace the `raise NotImplementedError` line"
            " with your code, then run this cell again.",
            number,
        )
    if err is not None:
        return Result(
            ex.id,
            "error",
            f"❌ {ex.id}: your function raised {err.type_name}: {err.text}{err.where}\n  on {where}.\n{inputs}",
            number,
            {"exception": err.as_exception()},
        )
    for name, before, after in zip(ex.arg_names, pristine, outcome.args_after):
        if isinstance(after, Opaque):  # a function or an object argument: not data that can be compared
            continue
        if not _same_value(before, after):
            return Result(
                ex.id,
                "mutated_input",
                f"❌ {ex.id}: your function changed its argument `{name}` on {where}.\n{inputs}\n"
                f"  Hint: {_GENERIC_HINTS['mutated_input']}",
                number,
            )
    diff = _compare(expected, outcome.value, ex)
    if diff is None:
        return None
    hint = _mistake_hint(ex, case.args, outcome.value)
    used = _notebook_globals_used(func)
    if not hint and used:
        hint = (
            f"your function reads the notebook variable(s) {', '.join(f'`{n}`' for n in used)}"
            " instead of its own arguments; use only what is passed in."
        )
    if not hint and _ignores_arguments(ex, func, cases, outcome.value):
        hint = (
            "your function gives the same answer for different inputs. Does it use a variable"
            " from the notebook instead of its own arguments?"
        )
    hint = hint or ex.hint or _GENERIC_HINTS[diff.status]
    expected_line = (
        f"\n  Expected: {_fmt(expected)}\n  Got:      {_fmt(outcome.value)}" if diff.status == "wrong_value" else ""
    )
    return Result(
        ex.id,
        diff.status,
        f"❌ {ex.id}: {diff.status.replace('_', ' ')} on {where}: {diff.text}.\n{inputs}{expected_line}"
        + (f"\n  Hint: {hint}" if hint else ""),
        number,
    )


def check(exercise_id: str, func: Callable) -> Result:
    """Run the check, print its message and return the :class:`Result`.

    With the environment variable ``COURSE_CHECKS_STRICT=1`` (used by the
    course's CI), a failed check raises :class:`CheckFailed` instead, chained
    to the learner's exception when there was one.
    """
    result = run(exercise_id, func)
    print(result.message, flush=True)
    if not result.passed and os.environ.get(STRICT_ENV) == "1":
        raise CheckFailed(result.message) from result.details.get("exception")
    return result


__all__ = [
    "Case",
    "CheckFailed",
    "Exercise",
    "Mistake",
    "Result",
    "STATUSES",
    "check",
    "exercises",
    "get",
    "register",
    "run",
]
