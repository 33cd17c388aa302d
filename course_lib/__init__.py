"""Neurons to Networks: the companion package of the course.

Each module holds the from-scratch code of one chapter and says in its
docstring which chapter defines it.  Importing ``course_lib`` is cheap: it
loads numpy at most, and never TensorFlow; submodules are imported when you
first touch them (``course_lib.activations``) or import them explicitly.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "activations",
    "autograd",
    "backprop",
    "checks",
    "datasets",
    "edition",
    "environment",
    "gradcheck",
    "intro",
    "layers",
    "losses",
    "model",
    "neuron",
    "optim",
    "perceptron",
    "plots",
    "surrogate",
    "widgets",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "doctor_report":
        return importlib.import_module(f"{__name__}.environment").doctor_report
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")


def doctor() -> None:
    """Print the versions in use and warn about anything missing or known to break.

    Defined in: Preface, "How to use this course".  The checks themselves
    live in :mod:`course_lib.environment` (``environment.doctor()`` also
    returns the report).
    """
    from course_lib.environment import doctor as _doctor

    _doctor()


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)
