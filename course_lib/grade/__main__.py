"""``python -m course_lib.grade SUBMISSIONS_DIR --out RESULTS_DIR``: grade a class (see :mod:`course_lib.grade`).

Defined in: Preface, "Grading a class".
"""

from __future__ import annotations

import argparse
import os
import sys

from course_lib.grade import DEFAULT_EDITION, grade_class, merge
from course_lib.grade.sandbox import SandboxUnavailable


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N such as 0/4, got {text!r}") from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"expected 0 ≤ I < N in I/N, got {text!r}")
    return index, count


def _grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_lib.grade", description=__doc__.split("\n")[0])
    parser.add_argument("submissions", help="folder with one sub-folder of notebooks per student")
    parser.add_argument("--out", required=True, help="a new (or empty) folder for the results")
    parser.add_argument("--edition", default=str(DEFAULT_EDITION), help="the student edition (default: %(default)s)")
    parser.add_argument(
        "--notebooks", help="grade only these notebooks, comma-separated (e.g. 04_activations,06_losses)"
    )
    parser.add_argument("--points", help="a points file like course_lib/grade/points.toml")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="notebooks graded at once")
    parser.add_argument(
        "--cpu-limit", type=float, default=300, help="CPU seconds one notebook's code may use (default 300)"
    )
    parser.add_argument(
        "--wall-limit", type=float, default=1800, help="wall-clock backstop per notebook in seconds (default 1800)"
    )
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory per notebook (default 4096 MB)")
    parser.add_argument("--seed", type=int, help="grading seed (default: a fresh secret one, saved in run.json)")
    parser.add_argument("--shard", type=_shard, help="grade only shard I of N (0 ≤ I < N; needs --seed), e.g. 3/10")
    return parser


def _merge(argv) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grade merge", description="join the results folders of a class's shards"
    )
    parser.add_argument("parts", nargs="+", help="the shards' results folders")
    parser.add_argument("--out", required=True, help="a new (or empty) folder for the class's results")
    args = parser.parse_args(argv)
    try:
        rows = merge(args.parts, args.out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len({r['student'] for r in rows})} students merged from {len(args.parts)} parts; see {args.out}")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return _merge(argv[1:])
    args = _grade_parser().parse_args(argv)
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
            cpu_seconds=args.cpu_limit,
            wall_seconds=args.wall_limit,
            memory_mb=args.memory_mb,
            seed=args.seed,
            shard=args.shard,
            progress=progress,
        )
    except (ValueError, SandboxUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    students = len({r["student"] for r in rows})
    passed = sum(r["status"] == "passed" for r in rows)
    print(f"\n{students} students, {len(rows)} exercise results ({passed} passed); see {args.out}/summary.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
