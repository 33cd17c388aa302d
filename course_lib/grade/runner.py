"""Grading many notebooks at once: one process per notebook, each with a time and a memory limit.

Defined in: Preface, "Grading a class".

The grader's own process imports ``course_lib.checks`` and never runs a line
of a learner's code.  For each handed-in notebook it forks a *worker* that

* sits in its own process group (a time-out kills it and everything it started),
* cannot be inspected or written into through ``/proc`` by the learner's code
  (it is made non-dumpable),
* may use at most ``memory_mb`` of address space, and may not write any file
  (``RLIMIT_FSIZE`` is 0, inherited by everything it starts),
* runs each exercise's check on a :class:`~course_lib.grade.submission.LearnerFunction`,
  so the learner's code only ever runs inside the checks' own sandbox child,
  which closes every descriptor it inherits — it cannot reach the pipe the
  worker reports on.

The worker reports one JSON line per exercise; whatever it has not reported
when it dies or runs out of time gets a status that says so, and the class
goes on.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.grade.submission import LearnerFunction, UnreadableNotebook, definitions, read_notebook

#: Statuses the grader adds to those of :data:`course_lib.checks.STATUSES`.
GRADER_STATUSES = ("missing", "no_submission", "unreadable", "notebook_timeout", "crashed")


@dataclass(frozen=True)
class Job:
    """One notebook of one student: where it is (``None`` when not handed in) and its ``(id, name)`` exercises."""

    student: str
    notebook: str
    path: Path | None
    exercises: tuple[tuple[str, str], ...]


@dataclass
class _Running:
    job: Job
    pid: int
    fd: int
    deadline: float
    data: bytearray = field(default_factory=bytearray)


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the limits below still apply
        pass


def make_private() -> None:
    """Make this process non-dumpable: other processes of the same user cannot ptrace it or open its /proc files."""
    _prctl(4, 0)  # PR_SET_DUMPABLE


def grade_notebook(job: Job):
    """Yield the check result of each exercise of one notebook as it is known (runs in the worker)."""
    from course_lib import checks

    try:
        found = definitions(read_notebook(job.path))
    except UnreadableNotebook as exc:
        for ex, _ in job.exercises:
            yield _row(ex, "unreadable", f"❌ {ex}: {exc}. Download it again from Jupyter (File ▸ Download).")
        return
    problems = "".join(f"\n  Note: {p}." for p in found.problems)
    for exercise, name in job.exercises:
        if name not in found.names:
            message = (
                f"✏️ {exercise}: your notebook has no function named `{name}` — was its cell deleted or renamed?"
                + problems
            )
            yield _row(exercise, "missing", message)
            continue
        try:
            result = checks.run(exercise, LearnerFunction(name, found))
            status, message = result.status, result.message
        except Exception as exc:  # noqa: BLE001 - a grader fault must not stop the class
            status, message = "error", f"❌ {exercise}: the grader could not check it ({type(exc).__name__}: {exc})."
        yield _row(exercise, status, message + (problems if status != "passed" else ""))


def _row(exercise: str, status: str, message: str) -> dict:
    return {"exercise": exercise, "status": status, "message": message}


def _worker(job: Job, write_fd: int, memory_mb: int) -> None:
    """The forked worker's body; never returns."""
    try:
        os.setpgid(0, 0)
        make_private()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.chdir(tempfile.gettempdir())
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails with an error instead
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        for row in grade_notebook(job):  # each result is reported as soon as it is known
            data = (json.dumps(row) + "\n").encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view) :]
    finally:
        os._exit(0)


def _start(job: Job, timeout: float, memory_mb: int) -> _Running:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the worker
        os.close(read_fd)
        _worker(job, write_fd, memory_mb)
    os.close(write_fd)
    return _Running(job, pid, read_fd, time.monotonic() + timeout)


def _finish(run: _Running, timed_out: bool, timeout: float) -> list[dict]:
    try:
        os.killpg(run.pid, signal.SIGKILL)  # whatever the worker started, on a time-out the worker too
    except (ProcessLookupError, PermissionError):
        pass
    _, status = os.waitpid(run.pid, 0)
    os.close(run.fd)
    rows = {}
    for line in bytes(run.data).decode(errors="replace").splitlines():
        try:
            row = json.loads(line)
            rows[row["exercise"]] = row
        except (ValueError, KeyError, TypeError):
            continue
    done = [rows[ex] for ex, _ in run.job.exercises if ex in rows]
    unchecked = [ex for ex, _ in run.job.exercises if ex not in rows]
    if timed_out:
        why = "notebook_timeout", f"grading this notebook took longer than {timeout:g} s, so it was stopped"
    elif os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        why = "crashed", f"the process grading this notebook was killed ({name}; often: out of memory)"
    else:
        why = "crashed", "the process grading this notebook stopped before checking it"
    return done + [_row(ex, why[0], f"❌ {ex}: not checked — {why[1]}.") for ex in unchecked]


def run_jobs(
    jobs, *, workers: int = 2, timeout: float = 600.0, memory_mb: int = 4096, preload=(), progress=None
) -> dict:
    """Grade every :class:`Job`, ``workers`` notebooks at a time; ``{(student, notebook): [row, ...]}``.

    Each row is ``{"exercise", "status", "message"}``; ``progress(job)`` is called as each job ends.
    ``preload`` names modules to import before forking (the learner's imports then cost nothing).
    """
    import importlib

    import course_lib.checks  # noqa: F401 - imported once here, before any fork: the workers inherit it

    os.environ.setdefault("MPLBACKEND", "Agg")
    for module in preload:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S112 - a name that is not a module (``from x import function``)
            continue

    make_private()
    pending, running, results = list(jobs), [], {}
    while pending or running:
        while pending and len(running) < max(1, workers):
            job = pending.pop(0)
            if job.path is None:
                message = f"not handed in: no notebook named {job.notebook} in the submission"
                results[job.student, job.notebook] = [
                    _row(ex, "no_submission", f"✏️ {ex}: {message}.") for ex, _ in job.exercises
                ]
                if progress:
                    progress(job)
                continue
            running.append(_start(job, timeout, memory_mb))
        if not running:
            continue
        wait = max(0.0, min(r.deadline for r in running) - time.monotonic())
        ready, _, _ = select.select([r.fd for r in running], [], [], wait)
        for run in list(running):
            ended = timed_out = False
            if run.fd in ready:
                chunk = os.read(run.fd, 1 << 16)
                run.data.extend(chunk)
                ended = not chunk
            if not ended and time.monotonic() >= run.deadline:
                ended = timed_out = True
            if ended:
                running.remove(run)
                results[run.job.student, run.job.notebook] = _finish(run, timed_out, timeout)
                if progress:
                    progress(run.job)
    return results


__all__ = ["GRADER_STATUSES", "Job", "grade_notebook", "make_private", "run_jobs"]
