"""Grading a class: every student's notebooks of the student edition, checked by the course's own checks.

Defined in: Preface, "Grading a class".

::

    python -m course_lib.grade SUBMISSIONS_DIR --out RESULTS_DIR     # or: make grade SUBMISSIONS=... OUT=...

``SUBMISSIONS_DIR`` holds one folder per student, each with that student's
notebooks (named as in the student edition, at any depth — an nbgrader
``submitted/`` tree works).  The exercises of each notebook are the
``checks.check("id", name)`` cells of the *student edition* (never those of
the submission, which a learner may edit).  ``RESULTS_DIR`` receives

* ``gradebook.csv`` — one row per student and exercise: status, points, message;
* ``lms.csv`` — one row per student, one column per exercise, for an LMS gradebook;
* ``feedback/<student>.md`` — the checks' own messages for each exercise;
* ``summary.html`` and ``pass_rates.png`` — where the class struggles.

Points per exercise are declared in ``course_lib/grade/points.toml``.  How a
submission is kept from grading itself is explained in
:mod:`course_lib.grade.submission` and :mod:`course_lib.grade.runner`.
"""

from __future__ import annotations

import time
from pathlib import Path

from course_lib.grade.report import gradebook_rows, load_points, write_feedback, write_gradebook, write_summary
from course_lib.grade.runner import GRADER_STATUSES, Job, run_jobs
from course_lib.grade.submission import check_calls, read_notebook

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


def edition_imports(edition_dir=DEFAULT_EDITION) -> list[str]:
    """Modules the student edition's code cells import at top level (TensorFlow and Keras left out).

    The grader imports them once before it forks its workers, so that a learner's ``import`` statements, re-run
    for every test case, cost nothing.  They come from the edition, never from a submission.
    """
    import ast

    modules = set()
    for path in sorted(Path(edition_dir).glob("*.ipynb")):
        for cell in read_notebook(path).cells:
            try:
                tree = ast.parse(cell.source) if cell.cell_type == "code" else None
            except SyntaxError:
                continue
            for node in tree.body if tree else []:
                if isinstance(node, ast.Import):
                    modules.update(a.name for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.add(node.module)
                    modules.update(f"{node.module}.{a.name}" for a in node.names)
    return sorted(m for m in modules if m.split(".")[0] not in {"tensorflow", "keras"})


def collect_jobs(submissions_dir, exercises: dict) -> list[Job]:
    """One :class:`Job` per student folder and notebook of ``exercises`` (``path=None`` when not handed in)."""
    root = Path(submissions_dir)
    if not root.is_dir():
        raise ValueError(f"the submissions folder {root} does not exist")
    students = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise ValueError(f"{root} has no student folders: expected {root}/<student>/<notebook>.ipynb")
    jobs = []
    for folder in students:
        handed_in = {}
        for path in sorted(folder.rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in path.parts:
                handed_in.setdefault(path.name, path)
        for notebook, pairs in exercises.items():
            jobs.append(Job(folder.name, notebook, handed_in.get(notebook), tuple(pairs)))
    return jobs


def grade_class(
    submissions_dir,
    out_dir,
    *,
    edition_dir=DEFAULT_EDITION,
    notebooks=None,
    points_file=None,
    workers: int = 2,
    timeout: float = 600.0,
    memory_mb: int = 4096,
    progress=None,
) -> list[dict]:
    """Grade every student's notebooks and write the results (see the module docstring); return the gradebook rows."""
    start = time.perf_counter()
    points, default = load_points(points_file)
    exercises = edition_exercises(edition_dir, notebooks)
    jobs = collect_jobs(submissions_dir, exercises)
    results = run_jobs(
        jobs,
        workers=workers,
        timeout=timeout,
        memory_mb=memory_mb,
        preload=edition_imports(edition_dir),
        progress=progress,
    )
    rows = gradebook_rows(results, exercises, points, default)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(rows, out)
    write_feedback(rows, out)
    write_summary(rows, out, time.perf_counter() - start)
    return rows


__all__ = ["GRADER_STATUSES", "collect_jobs", "edition_exercises", "edition_imports", "grade_class"]
