"""Grading a class: every student's notebooks of the student edition, checked by the course's own checks.

Defined in: Preface, "Grading a class".

::

    python -m course_lib.grade SUBMISSIONS_DIR --out RESULTS_DIR     # or: make grade SUBMISSIONS=... OUT=...
    python -m course_lib.grade SUBMISSIONS_DIR --out PART_I --seed S --shard I/N      # one shard of a big class
    python -m course_lib.grade merge PART_0 PART_1 ... --out RESULTS_DIR

``SUBMISSIONS_DIR`` holds one folder per student, each with that student's
notebooks (named as in the student edition, at any depth — an nbgrader
``submitted/`` tree works).  The exercises of each notebook are the
``checks.check("id", name)`` cells of the *student edition* (never those of
the submission, which a learner may edit).  ``RESULTS_DIR`` must not exist
(or be empty); it receives

* ``gradebook.csv`` — one row per student and exercise: status, points, message;
* ``lms.csv`` — one row per student, one column per exercise, for an LMS gradebook;
* ``feedback/<student>.md`` — the checks' own messages for each exercise;
* ``summary.html`` and ``pass_rates.png`` — where the class struggles;
* ``rows.jsonl`` and ``run.json`` — the same rows for a merge, and the grading seed, limits and edition.

Points per exercise are declared in ``course_lib/grade/points.toml``.  The
graded cases are drawn from a grading seed the students never see.  The
learner's code runs in a sandbox that never holds an expected answer
(:mod:`course_lib.grade.sandbox`); what a submission may and may not do is in
:mod:`course_lib.grade.submission` and :mod:`course_lib.grade.runner`.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from course_lib.grade.merge import merge, shard_of
from course_lib.grade.report import gradebook_rows, load_points, prepare_out_dir, write_all
from course_lib.grade.runner import GRADER_STATUSES, Context, Job, Limits, run_jobs
from course_lib.grade.sandbox import make_workspace, prepare_library, probe
from course_lib.grade.submission import check_calls, find_notebooks, read_notebook

DEFAULT_EDITION = Path(__file__).resolve().parents[2] / "student" / "book"


def edition_exercises(edition_dir=DEFAULT_EDITION, notebooks=None) -> dict[str, list[tuple[str, str]]]:
    """``{notebook file name: [(exercise_id, function_name), ...]}`` from the student edition's check cells."""
    folder = Path(edition_dir)
    if not folder.is_dir():
        raise ValueError(f"the student edition folder {folder} does not exist (pass --edition DIR)")
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        nb = read_notebook(path)
        pairs = [pair for cell in nb.cells if cell.cell_type == "code" for pair in check_calls(cell.source)]
        if pairs and (notebooks is None or path.stem in notebooks or path.name in notebooks):
            found[path.name] = pairs
    if notebooks is not None:
        unknown = sorted(set(notebooks) - {n for n in found} - {Path(n).stem for n in found})
        if unknown:
            raise ValueError(f"no notebook with exercises named {unknown} in {folder}; choose from {sorted(found)}")
    return found


def collect_jobs(submissions_dir, exercises: dict, shard: tuple[int, int] | None = None) -> list[Job]:
    """One :class:`Job` per student folder and notebook of ``exercises`` (``path=None`` when not handed in).

    Hidden folders (``.Trash-1000``, ``.ipynb_checkpoints``) and symbolic links are never graded; see
    :func:`~course_lib.grade.submission.find_notebooks`.  ``shard=(i, n)`` keeps the students of shard ``i`` of
    ``n`` (:func:`~course_lib.grade.merge.shard_of`).
    """
    root = Path(submissions_dir)
    if not root.is_dir():
        raise ValueError(f"the submissions folder {root} does not exist")
    students = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise ValueError(f"{root} has no student folders: expected {root}/<student>/<notebook>.ipynb")
    if shard is not None:
        students = [p for p in students if shard_of(p.name, shard[1]) == shard[0]]
    jobs = []
    linked = "the student folder is a symbolic link, which the grader does not follow; hand in the notebooks themselves"
    for folder in students:
        found = {n: (None, linked) for n in exercises} if folder.is_symlink() else find_notebooks(folder, exercises)
        for notebook, pairs in exercises.items():
            path, note = found[notebook]
            jobs.append(Job(folder.name, notebook, path, tuple(pairs), note))
    return jobs


def prepare_libraries(workspace: Path, exercises: dict) -> dict[str, Path]:
    """The sandbox's copy of ``course_lib`` for each notebook, its exercises' references withheld."""
    from course_lib import checks
    from course_lib.checks._sandbox import reference_functions

    libraries = {}
    for number, (notebook, pairs) in enumerate(exercises.items()):
        references = [f for exercise, _ in pairs for f in reference_functions(checks.get(exercise).reference)]
        libraries[notebook] = prepare_library(workspace / f"{number:02d}", references)
    return libraries


def grade_class(
    submissions_dir,
    out_dir,
    *,
    edition_dir=DEFAULT_EDITION,
    notebooks=None,
    points_file=None,
    workers: int = 2,
    cpu_seconds: float = 300.0,
    wall_seconds: float = 1800.0,
    memory_mb: int = 4096,
    seed: int | None = None,
    shard: tuple[int, int] | None = None,
    progress=None,
) -> list[dict]:
    """Grade every student's notebooks and write the results (see the module docstring); return the gradebook rows.

    ``seed`` draws the graded cases (``None``: a fresh secret seed, recorded in ``run.json``); ``shard=(i, n)``
    grades shard ``i`` of ``n`` only (the same ``seed`` for every shard), for :func:`~course_lib.grade.merge.merge`.
    Raises :class:`~course_lib.grade.sandbox.SandboxUnavailable` when bubblewrap cannot run here, and
    ``ValueError`` for a wrong folder, or an ``out_dir`` that exists and is not empty.
    """
    start = time.perf_counter()
    submissions_dir = Path(submissions_dir).resolve()  # before any worker changes directory
    if shard is not None and (seed is None or not 0 <= shard[0] < shard[1]):
        raise ValueError("--shard I/N needs 0 ≤ I < N and a --seed shared by every shard")
    points, default = load_points(points_file)
    exercises = edition_exercises(edition_dir, notebooks)
    jobs = collect_jobs(submissions_dir, exercises, shard)
    out = prepare_out_dir(out_dir)
    seed = secrets.randbits(31) if seed is None else int(seed)
    workspace = make_workspace()
    try:
        libraries = prepare_libraries(workspace, exercises)
        probe(next(iter(libraries.values())))
        limits = Limits(cpu_seconds, wall_seconds, memory_mb)
        context = Context(limits, libraries, seed)
        results = run_jobs(jobs, context, workers=workers, progress=progress)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    rows = gradebook_rows(results, exercises, points, default)
    info = {
        "seed": seed,
        "edition": sorted(exercises),
        "shard": f"{shard[0]}/{shard[1]}" if shard else None,
        "limits": {"cpu_seconds": cpu_seconds, "wall_seconds": wall_seconds, "memory_mb": memory_mb},
    }
    write_all(rows, out, info, time.perf_counter() - start)
    return rows


__all__ = [
    "GRADER_STATUSES",
    "collect_jobs",
    "edition_exercises",
    "grade_class",
    "merge",
    "prepare_libraries",
]
