"""The student edition: solutions stripped, markers validated, kept in sync with the book."""

from __future__ import annotations

import filecmp
from pathlib import Path

import nbformat
import pytest

from course_lib import edition

ROOT = Path(__file__).resolve().parents[1]
CANARY = "CANARY_7f3a_SHOULD_NEVER_REACH_STUDENTS"


def _notebook(*sources, tags=("hide-input",)):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T")]
    for src in sources:
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["tags"] = list(tags)
        cell.outputs = [nbformat.v4.new_output("stream", text="old output")]
        cell.execution_count = 3
        nb.cells.append(cell)
    return nb


def test_solution_is_replaced_by_a_stub_at_the_marker_indentation():
    src = "def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n    return y\n    # END SOLUTION\n"
    out, count = edition.strip_solutions(src)
    assert count == 1
    assert out == f"def f(x):\n    {edition.STUB}\n"


def test_two_solutions_in_one_cell_and_code_around_them_survive():
    src = "a = 1\n# BEGIN SOLUTION\nb = 2\n# END SOLUTION\nc = 3\n  # BEGIN SOLUTION\n  d\n  # END SOLUTION\n"
    out, count = edition.strip_solutions(src)
    assert count == 2
    assert out.splitlines() == ["a = 1", edition.STUB, "c = 3", "  " + edition.STUB]


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("# BEGIN SOLUTION\nx\n", "never closed"),
        ("x\n# END SOLUTION\n", "without a '# BEGIN SOLUTION'"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n# END SOLUTION\n", "cannot be nested"),
    ],
)
def test_bad_markers_stop_the_tool_with_a_clear_message(src, message):
    with pytest.raises(edition.EditionError, match=message):
        edition.strip_solutions(src, "book/x.ipynb, cell 3")


def test_build_refuses_bad_markers_and_writes_nothing(tmp_path):
    src, out = tmp_path / "book", tmp_path / "student"
    src.mkdir()
    nbformat.write(_notebook("# BEGIN SOLUTION\nx = 1\n"), src / "a.ipynb")
    assert edition.main([str(src), str(out)]) == 2
    assert not out.exists()


def test_canary_never_reaches_the_edition(tmp_path):
    src, out = tmp_path / "book", tmp_path / "student"
    src.mkdir()
    nb = _notebook(f"def f():\n    # BEGIN SOLUTION\n    return '{CANARY}'\n    # END SOLUTION\n", "print('kept')")
    nbformat.write(nb, src / "a.ipynb")
    edition.build(src, out)
    text = (out / "a.ipynb").read_text()
    assert CANARY not in text
    assert "old output" not in text
    student = nbformat.read(out / "a.ipynb", as_version=4)
    assert student.cells[1].metadata.get("tags") is None  # exercise cell un-hidden
    assert student.cells[2].metadata["tags"] == ["hide-input"]  # other cells keep their tags
    assert all(c.execution_count is None for c in student.cells if c.cell_type == "code")
    assert CANARY in (src / "a.ipynb").read_text()  # the master is untouched


def test_stale_notebooks_are_removed(tmp_path):
    src, out = tmp_path / "book", tmp_path / "student"
    src.mkdir()
    out.mkdir()
    nbformat.write(_notebook("x = 1"), src / "a.ipynb")
    nbformat.write(_notebook("x = 1"), out / "gone.ipynb")
    edition.build(src, out)
    assert sorted(p.name for p in out.iterdir()) == ["a.ipynb"]


def test_committed_edition_is_in_sync_with_the_book(tmp_path):
    edition.build(ROOT / "book", tmp_path)
    committed = ROOT / "student" / "book"
    names = sorted(p.name for p in tmp_path.glob("*.ipynb"))
    assert names == sorted(p.name for p in committed.glob("*.ipynb")), "run `make student`"
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, committed, names, shallow=False)
    assert not mismatch and not errors, f"student edition out of date for {mismatch + errors}: run `make student`"


def test_no_solution_text_in_the_committed_edition():
    for path in (ROOT / "student" / "book").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                lines = {line.strip() for line in cell.source.splitlines()}
                assert not lines & {edition.BEGIN, edition.END}, path
