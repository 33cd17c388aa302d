"""The learner's side of grading: a small server that runs inside the sandbox and calls the learner's functions.

Defined in: Preface, "Grading a class".

The grader's worker starts it under bubblewrap (:mod:`course_lib.grade.sandbox`)
and talks to it over two pipes with length-prefixed pickles:

1. the worker sends the notebook's kept statements (compiled code, see
   :mod:`course_lib.grade.submission`), the modules to import first and the
   notebook's CPU budget;
2. then, for each call a check makes, the function's name, the case's *inputs*
   and the call's CPU limit; the server answers with a
   :class:`~course_lib.checks._sandbox.Call` of plain data.

Each call runs in a child forked for it (the learner's statements are run
afresh there, so nothing one call changes reaches the next), with a CPU-time
limit rather than a wall-clock one, so a busy grading machine does not turn
correct work into time-outs.  The server adds up the CPU time its children
used and refuses calls once the notebook's budget is spent.

Nothing here ever sees an expected answer, a reference or a check: they stay in
the worker, outside the sandbox.  A learner who takes this server over can only
lie about their own answers, which is no better than computing them.
"""

from __future__ import annotations

import importlib
import io
import linecache
import marshal
import os
import pickle
import struct
import sys

#: Largest message either side accepts (a learner's answer included).
MAX_MESSAGE = 256 * 1024 * 1024
_HEADER = struct.Struct(">Q")


class ChannelClosed(EOFError):
    """The other side of the pipe went away (or sent something that is not a message)."""


def send(fd: int, obj) -> None:
    """Write one length-prefixed pickle to ``fd``."""
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def receive_bytes(fd: int) -> bytes:
    """Read one length-prefixed message's bytes from ``fd``; :class:`ChannelClosed` at its end."""
    header = _read_exactly(fd, _HEADER.size)
    (size,) = _HEADER.unpack(header)
    if size > MAX_MESSAGE:
        raise ChannelClosed(f"a message of {size} bytes is larger than the {MAX_MESSAGE} allowed")
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise ChannelClosed("the pipe was closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _drop_privileges(uid: int) -> None:
    """Root in the sandbox: become ``uid`` (no capabilities left) and cap the processes that uid may run."""
    import resource

    from course_lib.grade.sandbox import MAX_PROCESSES

    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))


def serve(requests: int, replies: int) -> None:
    """Answer the worker's calls until it closes the pipe (see the module docstring)."""
    from course_lib.checks import _sandbox
    from course_lib.grade.submission import Definitions, LearnerFunction

    setup = pickle.loads(receive_bytes(requests))  # noqa: S301 - from the grader's worker, not the learner
    for module in setup["preload"]:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S112 - a name that is not a module (``from x import function``)
            continue
    for filename, source in setup["sources"].items():  # tracebacks show the learner's lines
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    blocks = tuple((marshal.loads(code), defines, uses) for code, defines, uses in setup["blocks"])  # noqa: S302
    found = Definitions(blocks, frozenset(n for _, names, _ in blocks for n in names))
    functions: dict[str, LearnerFunction] = {}
    budget, spent = float(setup["cpu_budget"]), 0.0
    while True:
        try:
            name, args, seconds = pickle.loads(receive_bytes(requests))  # noqa: S301 - from the worker
        except ChannelClosed:
            return
        left = budget - spent
        if left < 0.5:
            send(replies, ("over_budget", spent))
            continue
        func = functions.setdefault(name, LearnerFunction(name, found))
        outcome = _sandbox._call_forked(func, args, min(seconds, left), None, cpu_limit=True)
        spent += outcome.cpu_seconds
        if outcome.timed_out and seconds > left:
            send(replies, ("over_budget", spent))
        else:
            send(replies, ("call", pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)))


def main(argv) -> None:
    """Entry point inside the sandbox: ``python -m course_lib.grade.learner [UID]``."""
    if argv:
        _drop_privileges(int(argv[0]))
    from course_lib.grade.runner import make_private

    make_private()  # the learner's code, in a child, cannot ptrace this server
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
    # The protocol moves off 0 and 1, above the descriptors a call's child keeps: it closes every other one.
    requests, replies = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    sys.stdout = sys.stderr = io.StringIO()
    serve(requests, replies)


if __name__ == "__main__":
    main(sys.argv[1:])
