"""Grading many notebooks at once: one worker per notebook, the learner's code in a sandbox with CPU and memory limits.

Defined in: Preface, "Grading a class".

The grader's own process imports ``course_lib.checks`` and never runs a line
of a learner's code.  For each handed-in notebook it forks a *worker* that

* sits in its own process group, is non-dumpable (no other process of the
  same user can ptrace it or open its ``/proc`` files), and computes every
  expected answer itself;
* starts the notebook's sandbox (:mod:`course_lib.grade.sandbox`), in which the
  learner's functions are called with each case's inputs only, each call under
  a CPU-time limit, the notebook under a CPU-time budget, the sandbox under a
  memory limit.

The worker reports one JSON line per exercise; whatever it has not reported
when it dies gets a status that says so, and the class goes on.  CPU time,
not wall-clock time, is what a notebook is allowed: a busy grading machine
does not turn correct work into time-outs.  Wall-clock time is only a
generous backstop (for code that sleeps or blocks), and a notebook stopped by
it is graded once more, on its own, before it is reported as a time-out.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.grade.submission import UnreadableNotebook, definitions, imported_modules, read_notebook

#: Statuses the grader adds to those of :data:`course_lib.checks.STATUSES`.
GRADER_STATUSES = ("missing", "no_submission", "unreadable", "notebook_timeout", "crashed")


@dataclass(frozen=True)
class Job:
    """One notebook of one student: where it is (``None`` when not handed in) and its ``(id, name)`` exercises."""

    student: str
    notebook: str
    path: Path | None
    exercises: tuple[tuple[str, str], ...]
    note: str = ""  # for the feedback: which copy was graded, or why none was


@dataclass(frozen=True)
class Limits:
    """What one notebook may use: CPU seconds for all its code, a wall-clock backstop, memory for its sandbox."""

    cpu_seconds: float = 300.0
    wall_seconds: float = 1800.0
    memory_mb: int = 4096


@dataclass(frozen=True)
class Context:
    """What every worker needs besides its job: the limits, the sandbox library of each notebook, the grading seed."""

    limits: Limits
    libraries: dict
    seed: int | None = None


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


def grade_notebook(job: Job, context: Context):
    """Yield the check result of each exercise of one notebook as it is known (runs in the worker)."""
    from course_lib import checks
    from course_lib.grade.sandbox import NotebookOverBudget, RemoteFunction, SandboxDied, Session

    try:
        found = definitions(read_notebook(job.path))
    except UnreadableNotebook as exc:
        for ex, _ in job.exercises:
            yield _row(ex, "unreadable", f"❌ {ex}: {exc}. Download it again from Jupyter (File ▸ Download).")
        return
    problems = "".join(f"\n  Note: {p}." for p in found.problems)
    copy = f"\n  Note: {job.note}" if job.note else ""  # which copy of the notebook was graded, and why
    limits = context.limits
    graded = [name for _, name in job.exercises if name in found.names]
    try:
        session = Session(
            context.libraries[job.notebook],
            found,
            preload=imported_modules(found, graded),
            cpu_budget=limits.cpu_seconds,
            memory_mb=limits.memory_mb,
        )
    except (SandboxDied, OSError) as exc:
        for ex, _ in job.exercises:
            yield _row(ex, "crashed", f"❌ {ex}: not checked — the sandbox for this notebook did not start ({exc}).")
        return
    seed = {} if context.seed is None else {"seed": context.seed}
    with session:
        for number, (exercise, name) in enumerate(job.exercises):
            if name not in found.names:
                message = (
                    f"✏️ {exercise}: your notebook has no function named `{name}` — was its cell deleted or renamed?"
                    + problems
                )
                yield _row(exercise, "missing", message)
                continue
            try:
                result = checks.run(exercise, RemoteFunction(session, name), **seed)
                status, message = result.status, result.message
            except NotebookOverBudget:
                why = f"the notebook's code used its {limits.cpu_seconds:g} s of CPU time"
                for ex, _ in job.exercises[number:]:
                    yield _row(ex, "notebook_timeout", f"❌ {ex}: not checked — {why}.")
                return
            except SandboxDied as exc:
                why = f"the sandbox running this notebook's code stopped ({session.death() or exc})"
                for ex, _ in job.exercises[number:]:
                    yield _row(ex, "crashed", f"❌ {ex}: not checked — {why}.")
                return
            except Exception as exc:  # noqa: BLE001 - a grader fault must not stop the class
                status, message = "error", f"❌ {exercise}: the grader could not check it ({type(exc).__name__})."
            yield _row(exercise, status, message + (problems if status != "passed" else "") + copy)


def _row(exercise: str, status: str, message: str) -> dict:
    return {"exercise": exercise, "status": status, "message": message}


def _worker(job: Job, write_fd: int, context: Context) -> None:
    """The forked worker's body; never returns."""
    try:
        os.setpgid(0, 0)
        make_private()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        for row in grade_notebook(job, context):  # each result is reported as soon as it is known
            data = (json.dumps(row) + "\n").encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_fd, view) :]
    finally:
        os._exit(0)


def _start(job: Job, context: Context) -> _Running:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the worker
        os.close(read_fd)
        _worker(job, write_fd, context)
    os.close(write_fd)
    return _Running(job, pid, read_fd, time.monotonic() + context.limits.wall_seconds)


def _finish(run: _Running, timed_out: bool, wall_seconds: float) -> list[dict]:
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
        why = (
            "notebook_timeout",
            (
                f"grading this notebook took longer than {wall_seconds:g} s of wall-clock time, twice"
                " (the second time on its own), so it was stopped"
            ),
        )
    elif os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        why = "crashed", f"the process grading this notebook was killed ({name}; often: out of memory)"
    else:
        why = "crashed", "the process grading this notebook stopped before checking it"
    return done + [_row(ex, why[0], f"❌ {ex}: not checked — {why[1]}.") for ex in unchecked]


def run_jobs(jobs, context: Context, *, workers: int = 2, progress=None) -> dict:
    """Grade every :class:`Job`, ``workers`` notebooks at a time; ``{(student, notebook): [row, ...]}``.

    Each row is ``{"exercise", "status", "message"}``; ``progress(job)`` is called as each job ends.  A notebook
    stopped by the wall-clock backstop is graded again, alone, once every other notebook is done.
    """
    import course_lib.checks  # noqa: F401 - imported once here, before any fork: the workers inherit it

    make_private()
    results, again = _run(jobs, context, workers, progress, retry=True)
    if again:
        results.update(_run(again, context, 1, progress, retry=False)[0])
    return results


def _run(jobs, context: Context, workers: int, progress, retry: bool):
    pending, running, results, again = list(jobs), [], {}, []
    while pending or running:
        while pending and len(running) < max(1, workers):
            job = pending.pop(0)
            if job.path is None:
                message = job.note or f"not handed in: no notebook named {job.notebook} in the submission"
                results[job.student, job.notebook] = [
                    _row(ex, "no_submission", f"✏️ {ex}: {message}.") for ex, _ in job.exercises
                ]
                if progress:
                    progress(job)
                continue
            running.append(_start(job, context))
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
            if not ended:
                continue
            running.remove(run)
            if timed_out and retry:
                _finish(run, timed_out, context.limits.wall_seconds)
                again.append(run.job)
                continue
            results[run.job.student, run.job.notebook] = _finish(run, timed_out, context.limits.wall_seconds)
            if progress:
                progress(run.job)
    return results, again


__all__ = ["GRADER_STATUSES", "Context", "Job", "Limits", "grade_notebook", "make_private", "run_jobs"]
