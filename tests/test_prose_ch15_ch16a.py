"""Result guards are code that runs, and the prose of 15b–16 quotes numbers its code prints (issue 18, §1).

A result guard is a code cell tagged ``remove-cell`` whose asserts fail the book's run when a result the text
quotes is no longer reached. Written as a markdown cell, its asserts never run and the page shows raw Python.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = sorted((ROOT / "book").glob("*.ipynb"))
GUARD_COMMENT = "# The book's tests run this notebook"
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
ASSERT_LINE = re.compile(r"^\s*assert\b.*(?:,|$)", re.M)


def _cells(path: Path):
    return nbformat.read(path, as_version=4).cells


def _top_level(source: str) -> list[ast.stmt]:
    """The cell's top-level statements (IPython magics and shell lines left out)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines)).body


def _is_result_guard(source: str) -> bool:
    """A cell that only checks: it opens with the guard comment, or it is nothing but asserts and assignments."""
    if source.lstrip().startswith(GUARD_COMMENT):
        return True
    body = _top_level(source)
    return any(isinstance(s, ast.Assert) for s in body) and all(
        isinstance(s, ast.Assert | ast.Assign | ast.AnnAssign | ast.AugAssign) for s in body
    )


def markdown_guard_problems(cells) -> list[str]:
    """Markdown cells that hold a guard comment or an assert statement outside a fenced code block."""
    problems = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        prose = FENCE.sub("", cell.source)
        if GUARD_COMMENT in prose or "fail loudly" in prose or ASSERT_LINE.search(prose):
            problems.append(f"cell {i}: a result guard written as markdown never runs: {cell.source[:60]!r}")
    return problems


def untagged_guard_problems(cells) -> list[str]:
    problems = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and _is_result_guard(cell.source):
            if "remove-cell" not in cell.metadata.get("tags", []):
                problems.append(f"cell {i}: a result guard must be tagged remove-cell: {cell.source[:60]!r}")
    return problems


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.name)
def test_every_result_guard_is_a_code_cell(path):
    assert markdown_guard_problems(_cells(path)) == []


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.name)
def test_every_result_guard_is_hidden_from_the_page(path):
    assert untagged_guard_problems(_cells(path)) == []


def test_the_checks_catch_a_guard_written_as_markdown():
    source = f'{GUARD_COMMENT}: fail loudly.\nassert x > 0, "x"'
    assert markdown_guard_problems([nbformat.v4.new_markdown_cell(source)])
    assert untagged_guard_problems([nbformat.v4.new_code_cell(source)])
    tagged = nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-cell"]})
    assert untagged_guard_problems([tagged]) == []
    # An assert inside a fenced example in prose, or at the end of a cell that also prints, is not a guard.
    example = nbformat.v4.new_markdown_cell("For example:\n\n```python\nassert f(2) == 4\n```")
    assert markdown_guard_problems([example]) == []
    visible = nbformat.v4.new_code_cell('print(x)\nassert x > 0, "x"')
    assert untagged_guard_problems([visible]) == []


def _prose(path: Path) -> str:
    return "\n".join(c.source for c in _cells(path) if c.cell_type == "markdown")


def _code(path: Path) -> str:
    return "\n".join(c.source for c in _cells(path) if c.cell_type == "code")


def test_faces_prose_does_not_hard_code_a_pyramid_or_face_count_the_code_contradicts():
    path = ROOT / "book" / "15b_faces.ipynb"
    prose, code = _prose(path), _code(path)
    scales = ast.literal_eval(re.search(r"^SCALES = (\([^)]*\))", code, re.M).group(1))
    numbers = "zero one two three four five six seven eight nine ten eleven twelve".split()
    for k, word in enumerate(numbers):
        if k != len(scales):
            assert not re.search(rf"\b({word}|{k}) scales\b", prose, re.I), f"the code has {len(scales)} scales"
    assert not re.search(r"from 0\.6 down to 0\.1\b", prose), "the smallest scale is not 0.1"
    assert not re.search(r"\b40 to 250 pixels", prose), f"the windows cover 25/s pixels for s in {scales}"
    assert not re.search(r"\b20 held-out faces are pasted", prose), "the code pastes six faces into each of 3 scenes"
    # Prose that quotes the pyramid must point at the cell that prints it.
    assert re.search(r"print\(.*SCALES", code) and "The cell above prints the scales" in prose
    assert "n_pasted" in code and "The cell above prints how many of the held-out faces were pasted" in prose


def test_applications_prose_quotes_the_png_ratio_the_code_prints():
    path = ROOT / "book" / "16_applications.ipynb"
    prose, code = _prose(path), _code(path)
    assert "ten to thirty times smaller" not in prose
    assert "png_ratios" in code and "The cell above prints how much smaller the codes are" in prose
    guard = next(c.source for c in _cells(path) if "min(gains)" in c.source)
    if "over a decibel" in prose:
        assert re.search(r"min\(gains\) > 1(\.0)?\b", guard), "the prose says over a decibel; guard exactly that"


def test_forecasting_prose_does_not_say_networks_cannot_extrapolate():
    prose = _prose(ROOT / "book" / "16a_forecasting_and_logs.ipynb")
    assert not re.search(r"cannot\s+extrapolate", prose), "ReLU networks extrapolate (linearly), just not reliably"
