"""Every chapter of Parts II–IV has an open "predict, then measure" experiment (issue 19 §5), in one form.

The form: a tip admonition "Predict, then measure: ..." that says what to change and asks for a prediction, a
code cell that runs the experiment and guards the direction of its effect with an ``assert``, and a
"What happened, and why" dropdown after it.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.prose import ROOT

PARTS_II_TO_IV = range(10, 19)
HEADING = re.compile(r"^:{3,}\{admonition\} Predict, then measure: \S", re.M)


def _experiments(path):
    """(prompt, code, answer) cell triples of one notebook."""
    cells = nbformat.read(path, as_version=4).cells
    return [
        (cell, cells[i + 1] if i + 1 < len(cells) else None, cells[i + 2] if i + 2 < len(cells) else None)
        for i, cell in enumerate(cells)
        if cell.cell_type == "markdown" and HEADING.search(cell.source)
    ]


def _chapter_notebooks(chapter: int):
    return sorted(p for p in (ROOT / "book").glob(f"{chapter}*.ipynb") if re.match(rf"{chapter}[a-z]?_", p.name))


@pytest.mark.parametrize("chapter", PARTS_II_TO_IV)
def test_every_chapter_of_parts_two_to_four_has_a_predict_then_measure_experiment(chapter):
    found = [e for path in _chapter_notebooks(chapter) for e in _experiments(path)]
    assert found, f"chapter {chapter} has no 'Predict, then measure' experiment"


@pytest.mark.parametrize("path", [p for c in PARTS_II_TO_IV for p in _chapter_notebooks(c)], ids=lambda p: p.stem)
def test_an_experiment_asks_for_a_prediction_runs_guarded_and_explains(path):
    for prompt, code, answer in _experiments(path):
        title = HEADING.search(prompt.source).group(0)
        assert "**Predict**" in prompt.source and "**Change one thing.**" in prompt.source, title
        assert code is not None and code.cell_type == "code", f"{title}: the next cell must run the experiment"
        assert re.search(r"^\s*assert\b", code.source, re.M), f"{title}: the experiment guards its effect"
        assert answer is not None and answer.cell_type == "markdown", title
        assert "What happened, and why" in answer.source and ":class: dropdown" in answer.source, title
