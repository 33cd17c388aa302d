"""Input validation shared by every public function of ``course_lib``.

Public functions reject wrong shapes and types with a ``ValueError`` that
names what was expected, instead of letting numpy broadcast silently or fail
deep inside an operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np


def as_float_array(value, name: str, ndim: int | Sequence[int] | None = None) -> np.ndarray:
    """Return ``value`` as a float array, or raise a ``ValueError`` saying what was expected.

    ``ndim`` may be one number of dimensions or a sequence of allowed ones.
    Integer and float inputs are accepted (and converted to float64 unless
    they already are a float type); booleans, strings, ``None`` and ragged
    lists are rejected.
    """
    if value is None:
        raise ValueError(f"{name} must be a number or an array of numbers, got None")
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a number or an array of numbers, got a string")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers ({exc})") from None
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold numbers (int or float), got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {wanted}, got shape {arr.shape}")
    return arr


def check_shape(arr: np.ndarray, name: str, expected: tuple) -> None:
    """Raise a ``ValueError`` unless ``arr.shape`` matches ``expected``.

    ``None`` in ``expected`` matches any size along that axis, so
    ``(None, 3)`` reads "any number of rows, 3 columns".
    """
    ok = arr.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, arr.shape))
    if not ok:
        pretty = "(" + ", ".join("m" if e is None else str(e) for e in expected)
        pretty += ",)" if len(expected) == 1 else ")"
        raise ValueError(f"{name} must have shape {pretty}, got {arr.shape}")


def check_positive(value, name: str) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_whole(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= ``minimum`` (booleans rejected)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)
