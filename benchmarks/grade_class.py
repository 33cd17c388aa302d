"""Grading benchmark, run by ``make bench``: a generated class graded on every notebook of the student edition.

Every notebook's code runs in the bubblewrap sandbox (:mod:`course_lib.grade.sandbox`); the benchmark also times
starting one sandbox and making one call in it, which is what the sandbox adds to each notebook.

The class (``tests/class_factory.py``) cycles through every kind of submission — the book's own answers, partly
done, untouched stubs, a hanging function, a syntax error, a file that is not a notebook, a memory hog, a function
that kills its grading process, and five hostile notebooks that try to grade themselves.  Prints ``name: value``
lines: the wall time, and how many students of each kind earned points they should not have.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.grade import edition_exercises, grade_class  # noqa: E402
from tests.class_factory import EDITION, HOSTILE, make_class  # noqa: E402


def sandbox_start_seconds(repeats: int = 10) -> float:
    """Median time to start a notebook's sandbox, send it one definition and get one answer back."""
    import shutil
    import statistics

    import nbformat
    import numpy as np

    from course_lib.grade import prepare_libraries
    from course_lib.grade.sandbox import Session, make_workspace
    from course_lib.grade.submission import definitions

    workspace = make_workspace()
    try:
        library = prepare_libraries(workspace, edition_exercises(EDITION, ["04_activations"]))["04_activations.ipynb"]
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("import numpy as np\n\ndef f(z):\n    return np.tanh(z)\n")]
        found = definitions(nb)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            with Session(library, found, preload=["numpy"]) as box:
                box.call("f", (np.zeros(3),), 5)
            times.append(time.perf_counter() - start)
        return statistics.median(times)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def main(n_students: int = 30) -> None:
    notebooks = [Path(n).stem for n in edition_exercises(EDITION)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        kinds = make_class(root / "submitted", notebooks, n_students, root / "results")
        start = time.perf_counter()
        rows = grade_class(root / "submitted", root / "results", notebooks=notebooks, workers=os.cpu_count() or 2)
        wall = time.perf_counter() - start
    earned = Counter()
    for row in rows:
        earned[kinds[row["student"]]] += row["points"]
    statuses = Counter(row["status"] for row in rows)
    print(f"grade_class_students: {n_students}")
    print(f"grade_class_notebooks: {n_students * len(notebooks)}")
    print(f"grade_class_exercise_results: {len(rows)}")
    print(f"grade_class_wall_s: {wall:.1f}")
    print(f"grade_class_s_per_notebook: {wall / (n_students * len(notebooks)):.2f}")
    print(f"grade_class_notebooks_per_s: {n_students * len(notebooks) / wall:.2f}")
    print(f"grade_class_sandbox_start_and_one_call_s: {sandbox_start_seconds():.3f}")
    print(f"grade_class_hostile_points: {sum(earned[k] for k in HOSTILE):g}")
    print("grade_class_statuses: " + ", ".join(f"{s}={n}" for s, n in statuses.most_common()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
