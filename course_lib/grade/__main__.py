"""``python -m course_lib.grade SUBMISSIONS_DIR --out RESULTS_DIR``: grade a class (see :mod:`course_lib.grade`).

Defined in: Preface, "Grading a class".
"""

from __future__ import annotations

import argparse
import os
import sys

from course_lib.grade import DEFAULT_EDITION, grade_class


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.grade", description=__doc__.split("\n")[0])
    parser.add_argument("submissions", help="folder with one sub-folder of notebooks per student")
    parser.add_argument("--out", required=True, help="folder for gradebook.csv, lms.csv, feedback/, summary.html")
    parser.add_argument("--edition", default=str(DEFAULT_EDITION), help="the student edition (default: %(default)s)")
    parser.add_argument(
        "--notebooks", help="grade only these notebooks, comma-separated (e.g. 04_activations,06_losses)"
    )
    parser.add_argument("--points", help="a points file like course_lib/grade/points.toml")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="notebooks graded at once")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per notebook (default 600)")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory per notebook (default 4096 MB)")
    args = parser.parse_args(argv)
    notebooks = [n.strip() for n in args.notebooks.split(",") if n.strip()] if args.notebooks else None
    done = []

    def progress(job):
        done.append(job)
        print(f"\r{len(done)} notebooks graded (last: {job.student}/{job.notebook})", end="", file=sys.stderr)

    try:
        rows = grade_class(
            args.submissions,
            args.out,
            edition_dir=args.edition,
            notebooks=notebooks,
            points_file=args.points,
            workers=args.jobs,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            progress=progress,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    students = len({r["student"] for r in rows})
    passed = sum(r["status"] == "passed" for r in rows)
    print(f"\n{students} students, {len(rows)} exercise results ({passed} passed); see {args.out}/summary.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
