"""Grading as an instructor runs it: the README's commands, odd folders, a grading seed, shards merged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.grade import edition_exercises, grade_class
from course_lib.grade.__main__ import main
from tests.class_factory import BOOK, EDITION, make_class

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "04_activations"
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("bwrap") is None, reason="grading needs bubblewrap on Linux"
)


def _lms(out: Path) -> dict[str, str]:
    lines = (out / "lms.csv").read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",")[0]: line.rsplit(",", 1)[1] for line in lines}


def test_the_readme_command_with_relative_paths(tmp_path):
    kinds = make_class(tmp_path / "submitted", [NOTEBOOK], 3, tmp_path / "results")
    command = [sys.executable, "-m", "course_lib.grade", "submitted", "--out", "results", "--notebooks", NOTEBOOK]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    total = len(edition_exercises(EDITION, [NOTEBOOK])[f"{NOTEBOOK}.ipynb"])
    correct = next(s for s, k in kinds.items() if k == "correct")
    assert float(_lms(tmp_path / "results")[correct]) == total
    assert "unreadable" not in (tmp_path / "results" / "gradebook.csv").read_text()


def test_make_grade_with_relative_paths():
    where = ROOT / "_build" / f"grade-test-{os.getpid()}"
    shutil.rmtree(where, ignore_errors=True)
    try:
        kinds = make_class(where / "submitted", [NOTEBOOK], 1, where / "results")
        relative = where.relative_to(ROOT)
        done = subprocess.run(
            ["make", "grade", f"SUBMISSIONS={relative}/submitted", f"OUT={relative}/results", f"NOTEBOOKS={NOTEBOOK}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        (student,) = kinds
        assert float(_lms(where / "results")[student]) > 0
    finally:
        shutil.rmtree(where, ignore_errors=True)


def test_stale_copies_symlinks_and_long_names(tmp_path):
    submitted = tmp_path / "submitted"
    kinds = make_class(submitted, [NOTEBOOK], 3, tmp_path / "results")
    correct, partly, stubs = kinds  # the first three kinds: correct, partly correct, untouched stubs
    # A deleted stub copy in the trash and an old checkpoint sort before the real notebook: never graded.
    for hidden in (".Trash-1000", ".ipynb_checkpoints", "a/.ipynb_checkpoints"):
        (submitted / correct / hidden).mkdir(parents=True)
        shutil.copy(EDITION / f"{NOTEBOOK}.ipynb", submitted / correct / hidden / f"{NOTEBOOK}.ipynb")
    # Two candidates: the top-level one is graded, and the feedback says which.
    (submitted / partly / "old").mkdir()
    shutil.copy(BOOK / f"{NOTEBOOK}.ipynb", submitted / partly / "old" / f"{NOTEBOOK}.ipynb")
    # A symlink to the solved book is refused.
    (submitted / stubs / f"{NOTEBOOK}.ipynb").unlink()
    (submitted / stubs / f"{NOTEBOOK}.ipynb").symlink_to(BOOK / f"{NOTEBOOK}.ipynb")
    # A 255-byte folder name, with characters a spreadsheet or Markdown would read as code.
    long_name = "=cmd|' -C calc'!A0 ```<b>" + "é" * 115
    long_name = long_name[: len(long_name) - (len(long_name.encode()) - 255) // 2]
    assert 250 <= len(long_name.encode()) <= 255
    shutil.copytree(submitted / correct, submitted / long_name)

    rows = grade_class(submitted, tmp_path / "results", notebooks=[NOTEBOOK], seed=1)
    status = {}
    for r in rows:
        status.setdefault(r["student"], set()).add(r["status"])
    assert status[correct] == status[long_name] == {"passed"}
    partly_rows = [r for r in rows if r["student"] == partly]
    assert {"not_implemented", "passed"} == {r["status"] for r in partly_rows}
    assert f"old/{NOTEBOOK}.ipynb" in partly_rows[0]["message"]
    stub_rows = [r for r in rows if r["student"] == stubs]
    assert {r["status"] for r in stub_rows} == {"no_submission"} and "symbolic link" in stub_rows[0]["message"]
    out = tmp_path / "results"
    assert len(list((out / "feedback").iterdir())) == 4
    assert (out / "summary.html").exists() and (out / "lms.csv").exists()
    assert not any(line.startswith("=") for line in (out / "lms.csv").read_text(encoding="utf-8").splitlines())


def test_results_folder_must_be_new(tmp_path):
    make_class(tmp_path / "submitted", [NOTEBOOK], 1, tmp_path / "results")
    (tmp_path / "results").mkdir()
    os.mkfifo(tmp_path / "results" / "gradebook.csv")  # a FIFO would hang a grader that opened it
    args = [str(tmp_path / "submitted"), "--notebooks", NOTEBOOK]
    assert main([*args, "--out", str(tmp_path / "results")]) == 2
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere")
    assert main([*args, "--out", str(tmp_path / "linked")]) == 2
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_graded_cases_come_from_a_recorded_seed_and_shards_merge_into_one_run(tmp_path):
    submitted = tmp_path / "submitted"
    kinds = make_class(submitted, [NOTEBOOK], 5, tmp_path / "x")
    single = tmp_path / "single"
    args = [str(submitted), "--notebooks", NOTEBOOK, "--seed", "77"]
    assert main([*args, "--out", str(single)]) == 0
    assert json.loads((single / "run.json").read_text())["seed"] == 77
    parts = []
    for index in range(2):
        parts.append(tmp_path / f"part{index}")
        assert main([*args, "--shard", f"{index}/2", "--out", str(parts[-1])]) == 0
    assert main(["merge", *map(str, parts), "--out", str(tmp_path / "merged")]) == 0
    for name in ("gradebook.csv", "lms.csv"):
        assert (tmp_path / "merged" / name).read_bytes() == (single / name).read_bytes()
    for feedback in (single / "feedback").iterdir():
        assert (tmp_path / "merged" / "feedback" / feedback.name).read_bytes() == feedback.read_bytes()
    assert len(kinds) == len(_lms(tmp_path / "merged"))
    assert main([*args[:-2], "--shard", "0/2", "--out", str(tmp_path / "noseed")]) == 2  # every shard needs the seed


def test_a_seed_gives_the_same_cases_and_without_one_a_fresh_seed_is_recorded(tmp_path):
    submitted = tmp_path / "submitted"
    make_class(submitted, [NOTEBOOK], 1, tmp_path / "x")
    nb = nbformat.read(str(submitted / "s000_correct" / f"{NOTEBOOK}.ipynb"), as_version=4)
    # A function that reports its input: the graded case appears in the message.
    nb.cells.append(nbformat.v4.new_code_cell("def relu(z):\n    return z * 0 + 12345.0\n"))
    nbformat.write(nb, str(submitted / "s000_correct" / f"{NOTEBOOK}.ipynb"))
    messages = []
    for out, seed in (("a", 5), ("b", 5), ("c", None)):
        rows = grade_class(submitted, tmp_path / out, notebooks=[NOTEBOOK], seed=seed)
        messages.append(next(r["message"] for r in rows if r["exercise"] == "relu" and r["status"] != "passed"))
    assert messages[0] == messages[1]
    recorded = json.loads((tmp_path / "c" / "run.json").read_text())["seed"]
    assert isinstance(recorded, int) and recorded != 5


def test_the_solved_book_earns_every_point_and_the_student_edition_none(tmp_path):
    """Every notebook, each in its own sandbox whose library withholds that notebook's answers: the book's own
    solutions (some call the library for earlier chapters' functions) still pass."""
    notebooks = [Path(n).stem for n in edition_exercises(EDITION)]
    kinds = make_class(tmp_path / "submitted", notebooks, 3, tmp_path / "x")
    rows = grade_class(tmp_path / "submitted", tmp_path / "results", notebooks=notebooks, seed=11)
    by_kind = {kind: [r for r in rows if kinds[r["student"]] == kind] for kind in kinds.values()}
    assert len(by_kind["correct"]) >= 66
    assert [r for r in by_kind["correct"] if r["status"] != "passed"] == []
    assert {r["status"] for r in by_kind["stubs"]} == {"not_implemented"}
    assert {r["status"] for r in by_kind["partly_correct"]} == {"passed", "not_implemented"}
