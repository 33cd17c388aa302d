"""Running a learner's function so that nothing it does can hurt the check or the session.

Defined in: Preface, "How exercises and checks work".

On Linux the function runs in a forked child process.  The child inherits the
whole notebook (the function, its globals, the arguments) for free, so the
learner notices nothing, but:

* a time limit is a ``SIGKILL`` of the child's process group: a bare
  ``except:``, ``signal.alarm(0)``, ``signal.signal(SIGALRM, SIG_IGN)``, one long
  C call (a huge matrix product) or a nested ``checks.run`` cannot outlast it;
* whatever the function changes (random state, ``np.seterr``, warnings
  filters, the recursion limit, monkey-patched numpy, printed output) dies
  with the child;
* only *plain* data comes back — numbers, strings, numpy arrays of a base
  class, tuples, lists, dicts — through a pickle reader that accepts nothing
  else, so an object whose ``__eq__`` lies or whose ``__str__`` raises, a masked
  array or a matrix subclass arrives as an :class:`Opaque` description.

Elsewhere (Windows, macOS, where forking a process with threads is unsafe) a
thread runs the function; on a time-out the thread is sent an exception until
it stops, and stdout/stderr are restored by the caller, not by the thread.
The environment variable ``COURSE_CHECKS_NO_FORK=1`` forces that fallback.
"""

from __future__ import annotations

import builtins
import ctypes
import io
import math
import os
import pickle
import select
import signal
import sys
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_IN_CHILD = False  # set in a forked child: a nested check then runs in-process, under the parent's limit
_TRIPWIRE_NAME = "__course_checks_tripwire__"


@dataclass(frozen=True)
class Opaque:
    """What came back instead of a value that is not plain data."""

    description: str


@dataclass(frozen=True)
class LearnerError:
    """An exception raised by the learner's function, described in plain data."""

    type_name: str
    text: str
    where: str  # " (in f, line 3: return x @ w)" or ""
    not_implemented: bool

    def as_exception(self) -> BaseException:
        """A stand-in exception of the same built-in type (for chaining ``CheckFailed``)."""
        cls = getattr(builtins, self.type_name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                return cls(self.text)
            except Exception:  # noqa: BLE001 - some built-in exceptions need more arguments
                pass
        return RuntimeError(f"{self.type_name}: {self.text}")


@dataclass
class Call:
    """The outcome of one call: a plain value or an error, the arguments after the call."""

    value: object = None
    error: LearnerError | None = None
    timed_out: bool = False
    args_after: tuple = ()
    used_reference: bool = False
    cpu_seconds: float = 0.0  # measured when the call had a CPU-time limit


# --------------------------------------------------------------------------
# Plain data only.


def plain(value, depth: int = 0):
    """``value`` as plain data, or an :class:`Opaque` description of what it is."""
    kind = type(value)
    if value is None or kind in (bool, int, float, complex, str):
        return value
    if depth > 32:
        return Opaque("a structure nested more than 32 levels deep")
    if kind is np.ndarray:
        if value.dtype.kind not in "biufc":
            return Opaque(f"a numpy array of dtype {value.dtype}")
        return np.array(value, copy=True, order="C")
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in "biufc":
        return value
    if isinstance(value, np.ndarray):  # a subclass: masked array, matrix, something home-made
        name = "MaskedArray" if isinstance(value, np.ma.MaskedArray) else kind.__name__
        return Opaque(f"a numpy {name} (a subclass of ndarray), not a plain numpy array")
    if kind in (tuple, list):
        return kind(plain(item, depth + 1) for item in value)
    if kind is dict:
        if not all(type(k) in (str, int) for k in value):
            return Opaque("a dict whose keys are not strings")
        return {k: plain(v, depth + 1) for k, v in value.items()}
    return Opaque(f"an object of type {_qualname(kind)}")


def _qualname(kind: type) -> str:
    try:
        module = kind.__module__
        name = kind.__qualname__
        return name if module in ("builtins", "__main__") else f"{module}.{name}"
    except Exception:  # noqa: BLE001 - a hostile metaclass
        return "<unknown>"


_ALLOWED = {
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "scalar"),
    ("builtins", "complex"),
    (__name__, "Opaque"),
    (__name__, "LearnerError"),
    (__name__, "Call"),
}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED or (module == "numpy.dtypes" and name.endswith("DType")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


# --------------------------------------------------------------------------
# Catching a learner who hands in (or wraps) the library's reference.


def reference_functions(reference: Callable) -> tuple:
    """The reference and, when it is a thin wrapper in ``course_lib.checks``, the library
    functions it delegates to (``def _sigmoid_ref(z): return ref.sigmoid(z)``)."""
    found = [reference]
    code = getattr(reference, "__code__", None)
    if code is None or not getattr(reference, "__module__", "").startswith("course_lib.checks"):
        return tuple(found)
    scope = reference.__globals__
    modules = [v for v in scope.values() if isinstance(v, types.ModuleType) and v.__name__.startswith("course_lib")]
    for name in code.co_names:
        for candidate in [scope.get(name)] + [getattr(m, name, None) for m in modules]:
            if _is_library_function(candidate) and candidate not in found:
                found.append(candidate)
    # The same function under another module's name: activations.sigmoid delegates to neuron.sigmoid (as _sigmoid).
    for function in found[1:]:
        base = _base_name(function)
        for candidate in list(function.__globals__.values()):
            if _is_library_function(candidate) and _base_name(candidate) == base and candidate not in found:
                found.append(candidate)
    return tuple(found)


def _is_library_function(candidate) -> bool:
    return (
        isinstance(candidate, types.FunctionType)
        and candidate.__module__.startswith("course_lib")
        and not candidate.__module__.startswith("course_lib.checks")
    )


def _base_name(function) -> str:
    return function.__name__.strip("_").removesuffix("_unchecked")


def is_reference(func: Callable, reference: Callable) -> bool:
    """Whether ``func`` *is* the reference: the same function, a partial of it or its code."""
    targets = reference_functions(reference)
    codes = [t.__code__ for t in targets if hasattr(t, "__code__")]
    seen = 0
    while func is not None and seen < 50:
        seen += 1
        if any(func is t for t in targets) or any(getattr(func, "__code__", None) is c for c in codes):
            return True
        func = getattr(func, "__wrapped__", None) or getattr(func, "func", None)
        if not callable(func):
            return False
    return False


def _arm_tripwires(reference: Callable, hit: list) -> None:
    for target in reference_functions(reference):
        _arm_tripwire(target, hit)


def _arm_tripwire(reference: Callable, hit: list) -> None:
    """In the child only: make every call of ``reference`` record itself in ``hit``."""
    code = getattr(reference, "__code__", None)
    if code is None or code.co_freevars:
        return
    original = types.FunctionType(code, reference.__globals__, reference.__name__, reference.__defaults__)
    original.__kwdefaults__ = reference.__kwdefaults__

    def tripped(*args, **kwargs):
        hit.append(True)
        return original(*args, **kwargs)

    namespace = {}
    exec(f"def _trip(*args, **kwargs):\n    return {_TRIPWIRE_NAME}(*args, **kwargs)\n", namespace)  # noqa: S102
    reference.__globals__[_TRIPWIRE_NAME] = tripped
    reference.__code__ = namespace["_trip"].__code__
    reference.__defaults__ = None
    reference.__kwdefaults__ = None


# --------------------------------------------------------------------------
# Describing an exception raised by the learner.


def _safe_str(obj) -> str:
    try:
        text = str(obj)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return "<an exception whose message cannot be printed>"
    return text if len(text) <= 500 else text[:497] + "..."


def _learner_frame(exc: BaseException) -> str:
    """' (in f, line N: code)' for the deepest frame outside numpy and course_lib."""
    try:
        frames = traceback.extract_tb(exc.__traceback__)
    except Exception:  # noqa: BLE001
        return ""
    here = os.path.dirname(os.path.dirname(__file__))
    mine = [f for f in frames if not f.filename.startswith(here) and "site-packages" not in f.filename]
    if not mine:
        return ""
    frame = mine[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f" (in {frame.name}, line {frame.lineno}{code})"


def describe_error(exc: BaseException) -> LearnerError:
    return LearnerError(
        type_name=_qualname(type(exc)).rsplit(".", 1)[-1],
        text=_safe_str(exc),
        where=_learner_frame(exc),
        not_implemented=isinstance(exc, NotImplementedError),
    )


# --------------------------------------------------------------------------
# The two ways of calling.


def call(func: Callable, args: tuple, seconds: float, reference: Callable | None = None) -> Call:
    """Call ``func(*args)`` under a time limit; see the module docstring.

    A grader hands in a stand-in for a learner's function that lives in another process (its class has a
    ``remote_call(args, seconds)`` method, see :mod:`course_lib.grade.learner`): the call is sent there.
    """
    remote = getattr(type(func), "remote_call", None)
    if remote is not None:
        return remote(func, args, seconds)
    if sys.platform.startswith("linux") and not _IN_CHILD and os.environ.get("COURSE_CHECKS_NO_FORK") != "1":
        return _call_forked(func, args, seconds, reference)
    return _call_threaded(func, args, seconds, reference)


def _child(func: Callable, args: tuple, reference: Callable | None, write_fd: int, cpu_seconds: int = 0) -> None:
    """Runs in the forked child; never returns.  ``cpu_seconds`` > 0 limits its CPU time (``RLIMIT_CPU``)."""
    global _IN_CHILD
    _IN_CHILD = True
    try:
        os.setpgid(0, 0)  # its own process group, so that a kill takes anything it starts too
        if cpu_seconds:
            import resource

            signal.signal(signal.SIGXCPU, signal.SIG_DFL)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        # Keep only the result pipe: descriptors inherited from whoever runs the check (a grader's report
        # pipe, open files) are out of the learner's reach.
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 1 << 16)
        _die_with_parent()
        sys.stdout = sys.stderr = io.StringIO()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        hit: list = []
        if reference is not None:
            _arm_tripwires(reference, hit)
        outcome = Call()
        try:
            outcome.value = plain(func(*args))
        except BaseException as exc:  # noqa: BLE001 - reported, not raised
            outcome.error = describe_error(exc)
        outcome.args_after = plain(args)
        outcome.used_reference = bool(hit)
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
    finally:
        os._exit(0)


def _die_with_parent() -> None:
    """Linux: ask the kernel to kill this child when the process that forked it dies (e.g. a grader's time-out)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _call_forked(
    func: Callable, args: tuple, seconds: float, reference: Callable | None, cpu_limit: bool = False
) -> Call:
    """Fork, call, collect.  With ``cpu_limit`` the limit is ``seconds`` of CPU time (a grader on a busy machine),
    and wall-clock time only stops a call that has waited far longer (one that sleeps, or blocks)."""
    read_fd, write_fd = os.pipe()
    cpu_seconds = max(1, math.ceil(seconds)) if cpu_limit else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "fork() in a multi-threaded process"
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read_fd)
        _child(func, args, reference, write_fd, cpu_seconds)
    os.close(write_fd)
    chunks = []
    deadline = time.monotonic() + (3 * seconds + 30 if cpu_limit else seconds)
    timed_out = False
    reaped = None  # (status, usage) once the child has ended
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 0.05))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                continue
            # Nothing to read: has the child ended?  (A process it started may hold the pipe open for ever.)
            ended, status, usage = os.wait4(pid, os.WNOHANG)
            if ended:
                reaped = status, usage
                break
    finally:
        os.set_blocking(read_fd, False)
        try:
            while chunk := os.read(read_fd, 1 << 20):  # what the child wrote just before it ended
                chunks.append(chunk)
        except (BlockingIOError, OSError):
            pass
        os.close(read_fd)
        # Kill the child's whole process group — on a time-out the child itself, and in every case anything the
        # learner's code started (a subprocess, a forked worker) — before reaping the child, whose pid keeps the
        # group's id reserved until then.
        victims = [lambda: os.killpg(pid, signal.SIGKILL)] + (
            [lambda: os.kill(pid, signal.SIGKILL)] if timed_out else []
        )
        for kill in victims:
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass
        if reaped is None:
            _, status, usage = os.wait4(pid, 0)
        else:
            status, usage = reaped
    used = usage.ru_utime + usage.ru_stime
    if cpu_limit and os.WIFSIGNALED(status):  # the soft limit sends SIGXCPU, the hard one (a second later) SIGKILL
        signalled = os.WTERMSIG(status)
        timed_out = timed_out or signalled == signal.SIGXCPU or (signalled == signal.SIGKILL and used >= cpu_seconds)
    if timed_out:
        return Call(timed_out=True, args_after=args, cpu_seconds=used)
    try:
        outcome = _PlainUnpickler(io.BytesIO(b"".join(chunks))).load()
        if not isinstance(outcome, Call):
            raise pickle.UnpicklingError("not a Call")
    except Exception:  # noqa: BLE001 - the child died or wrote something else into the pipe
        reason = _death(status)
        return Call(error=LearnerError("ProcessDied", reason, "", False), args_after=args, cpu_seconds=used)
    outcome.cpu_seconds = used
    return outcome


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        return f"the Python process running your function was killed by signal {name}"
    return "the Python process running your function ended without returning (did it call exit()?)"


class _Stop(BaseException):
    """Sent into a learner's thread when its time is up."""


def _call_threaded(func: Callable, args: tuple, seconds: float, reference: Callable | None) -> Call:
    outcome = Call()
    sink = io.StringIO()
    saved = sys.stdout, sys.stderr

    def target():
        try:
            outcome.value = plain(func(*args))
        except _Stop:
            outcome.timed_out = True
        except BaseException as exc:  # noqa: BLE001 - reported, not raised
            outcome.error = describe_error(exc)

    sys.stdout = sys.stderr = sink
    try:
        worker = threading.Thread(target=target, daemon=True, name="course-checks-learner")
        worker.start()
        worker.join(seconds)
        if worker.is_alive():
            outcome.timed_out = True
            _stop_thread(worker)
    finally:
        sys.stdout, sys.stderr = saved
    outcome.args_after = plain(args)
    if reference is not None and not outcome.timed_out and outcome.error is None:
        outcome.used_reference = is_reference(func, reference)
    return outcome


def _stop_thread(worker: threading.Thread, patience: float = 2.0) -> None:
    """Raise :class:`_Stop` in ``worker`` until it ends (a bare ``except:`` only delays it)."""
    set_async = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async is None or worker.ident is None:
        return
    deadline = time.monotonic() + patience
    while worker.is_alive() and time.monotonic() < deadline:
        set_async(ctypes.c_ulong(worker.ident), ctypes.py_object(_Stop))
        worker.join(0.01)
