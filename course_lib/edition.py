"""The student edition: the book's notebooks with every solution removed.

Defined in: Preface, "The student edition".

Inside a code cell, a solution sits between two marker lines, each alone on
its line::

    def sigmoid(z):
        # BEGIN SOLUTION
        return 1.0 / (1.0 + np.exp(-z))
        # END SOLUTION

The student edition replaces each marked region by one
``raise NotImplementedError(...)`` line at the marker's indentation, clears
every output and un-hides the exercise cells.  Run it with ``make student``
or ``python -m course_lib.edition SOURCE_DIR TARGET_DIR``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUB = 'raise NotImplementedError("Exercise: write your solution here, then run the check below.")'
HIDDEN_TAGS = {"hide-input", "hide-cell", "hide-output"}


class EditionError(ValueError):
    """A notebook's solution markers are unbalanced or nested."""


def strip_solutions(source: str, where: str = "cell") -> tuple[str, int]:
    """Return ``source`` with each marked solution replaced by a stub, and how many there were.

    Raises :class:`EditionError` naming ``where`` and the line for an
    ``END`` without ``BEGIN``, a ``BEGIN`` inside another, or a ``BEGIN``
    never closed.
    """
    out: list[str] = []
    opened_at: int | None = None
    count = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if opened_at is not None:
                raise EditionError(
                    f"{where}, line {number}: '{BEGIN}' inside the solution opened at line {opened_at}; "
                    "solutions cannot be nested"
                )
            opened_at = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{STUB}\n")
            count += 1
        elif marker == END:
            if opened_at is None:
                raise EditionError(f"{where}, line {number}: '{END}' without a '{BEGIN}' before it")
            opened_at = None
        elif opened_at is None:
            out.append(line)
    if opened_at is not None:
        raise EditionError(f"{where}, line {opened_at}: '{BEGIN}' is never closed by '{END}'")
    return "".join(out), count


def student_notebook(nb, name: str = "notebook"):
    """A student-edition copy of the ``nbformat`` notebook ``nb``; the original is not changed."""
    import copy

    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source, count = strip_solutions(cell.source, f"{name}, cell {index}")
        cell.source = source.rstrip("\n")
        cell.outputs = []
        cell.execution_count = None
        if count:
            tags = [t for t in cell.metadata.get("tags", []) if t not in HIDDEN_TAGS]
            cell.metadata["tags"] = tags
            if not tags:
                del cell.metadata["tags"]
    return nb


def build(source: Path, target: Path) -> list[Path]:
    """Write the student edition of every notebook in ``source`` into ``target``.

    Notebooks in ``target`` that no longer exist in ``source`` are removed,
    so the edition always mirrors the book.  Returns the written paths.
    """
    import nbformat

    source, target = Path(source), Path(target)
    notebooks = sorted(p for p in source.glob("*.ipynb"))
    if not notebooks:
        raise EditionError(f"no notebooks found in {source}")
    # Validate everything before writing anything.
    editions = []
    for path in notebooks:
        edition = student_notebook(nbformat.read(path, as_version=4), str(path))
        editions.append((path.name, edition))
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.ipynb"):
        if not (source / stale.name).exists():
            stale.unlink()
    written = []
    for name, edition in editions:
        out = target / name
        nbformat.write(edition, out)
        written.append(out)
    for folder in ("images", "data"):
        if (source / folder).is_dir():
            shutil.copytree(source / folder, target / folder, dirs_exist_ok=True)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.edition [SOURCE] [TARGET]``: write the student edition; returns the exit status."""
    parser = argparse.ArgumentParser(description="Write the student edition of the book's notebooks.")
    parser.add_argument("source", nargs="?", default="book", help="folder of the master notebooks")
    parser.add_argument("target", nargs="?", default="student/book", help="folder to write the edition to")
    args = parser.parse_args(argv)
    try:
        written = build(Path(args.source), Path(args.target))
    except EditionError as exc:
        print(f"make student: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote the student edition of {len(written)} notebooks to {args.target}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
