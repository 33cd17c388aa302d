"""Autograded exercise checks.

Defined in: Preface, "How exercises and checks work".

>>> from course_lib import checks
>>> result = checks.run("sigmoid", sigmoid)      # never raises for your mistakes
>>> result.passed, result.status, result.message
>>> checks.check("sigmoid", sigmoid)             # prints the message too
>>> checks.exercises()                           # every exercise id

Each chapter registers its exercises in a module of this package named after
the chapter (``ch02_neurons.py``, ``ch04_activations.py``, ...); they are all
loaded when this package is imported.  Loading them imports numpy and the
chapter modules of ``course_lib``, never TensorFlow.
"""

from __future__ import annotations

import importlib
import pkgutil

from course_lib.checks._core import (
    STATUSES,
    Case,
    CheckFailed,
    Exercise,
    Mistake,
    Result,
    check,
    exercises,
    get,
    register,
    run,
)

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ch")):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = [
    "STATUSES",
    "Case",
    "CheckFailed",
    "Exercise",
    "Mistake",
    "Result",
    "check",
    "exercises",
    "get",
    "register",
    "run",
]
