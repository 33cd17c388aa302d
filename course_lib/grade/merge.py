"""Grading a big class in shards, and putting the shards' results back together as one run would have written them.

Defined in: Preface, "Grading a class".

Each shard grades the students :func:`shard_of` gives it and writes a results folder as usual, with its rows in
``rows.jsonl`` and its facts (seed, shard, edition, ...) in ``run.json``.  :func:`merge` checks that the parts
belong together and writes the class's outputs: the CSVs and feedback files are byte for byte those of a single
run (only the summary's timing line is left out).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from course_lib.grade.report import GRADEBOOK_FIELDS, prepare_out_dir, write_all

#: What every shard of one grading run must share, or the merge refuses.
MUST_AGREE = ("seed", "edition")


def shard_of(student: str, count: int) -> int:
    """The shard (``0`` to ``count - 1``) that grades ``student``: the same on every machine and every run."""
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"the number of shards must be a whole number ≥ 1, got {count!r}")
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count


def read_part(part) -> tuple[dict, list[dict]]:
    """``(run info, rows)`` of one shard's results folder."""
    part = Path(part)
    try:
        info = json.loads((part / "run.json").read_text(encoding="utf-8"))
        lines = (part / "rows.jsonl").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise ValueError(f"{part} is not a shard's results folder: {Path(exc.filename).name} is missing") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{part}/run.json is not valid JSON: {exc}") from None
    if not isinstance(info, dict):
        raise ValueError(f"{part}/run.json must hold a JSON object")
    rows = []
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{part}/rows.jsonl line {number} is not valid JSON: {exc}") from None
        if not isinstance(row, dict) or set(row) != set(GRADEBOOK_FIELDS):
            raise ValueError(f"{part}/rows.jsonl line {number} is not a gradebook row {GRADEBOOK_FIELDS}")
        rows.append(row)
    return info, rows


def _check_agree(parts: list[Path], infos: list[dict]) -> None:
    for key in MUST_AGREE:
        values = {json.dumps(info.get(key), sort_keys=True) for info in infos}
        if len(values) > 1:
            found = ", ".join(f"{part}: {info.get(key)!r}" for part, info in zip(parts, infos))
            raise ValueError(f"the parts were graded with different {key}s ({found}); merge only parts of one run")


def _group(parts: list[Path], all_rows: list[list[dict]]) -> dict[str, list[dict]]:
    """``{student: rows}`` over all parts; refuses a student found in two parts or graded on other exercises."""
    groups, owner, course = {}, {}, None
    for part, rows in zip(parts, all_rows):
        mine = {}
        for r in rows:
            mine.setdefault(r["student"], []).append(r)
        for student, student_rows in mine.items():
            if student in owner:
                raise ValueError(f"student {student!r} is in two parts, {owner[student]} and {part}")
            owner[student] = part
            graded = [(r["notebook"], r["exercise"], r["max_points"]) for r in student_rows]
            if course is None:
                course = graded
            elif graded != course:
                raise ValueError(f"student {student!r} in {part} was graded on other exercises or points than the rest")
            groups[student] = student_rows
    return groups


def merge(parts: list[Path], out: Path) -> list[dict]:
    """Write the outputs of the whole class from its shards' results folders into ``out``; return the rows.

    Students come in order of name and each student's rows in the order written, as in a single run.  Parts with
    different seeds or editions, or a student in two parts, are refused (``ValueError``) before anything is written.
    """
    parts = [Path(p) for p in parts]
    if not parts:
        raise ValueError("nothing to merge: give the results folders of the shards")
    infos, all_rows = zip(*(read_part(p) for p in parts))
    _check_agree(parts, list(infos))
    groups = _group(parts, list(all_rows))
    rows = [r for student in sorted(groups) for r in groups[student]]
    info = {k: v for k, v in infos[0].items() if k != "shard" and all(i.get(k) == v for i in infos)}
    info["merged_from"] = [i.get("shard", str(p)) for p, i in zip(parts, infos)]
    write_all(rows, prepare_out_dir(out), info, wall_seconds=None)
    return rows


__all__ = ["MUST_AGREE", "merge", "read_part", "shard_of"]
