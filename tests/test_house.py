"""The house rules of DESIGN.md §3: concept modules hold the math, nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "course_lib"
MACHINERY = {"__init__.py", "_validation.py", "plots.py", "widgets.py", "edition.py", "environment.py", "datasets.py"}
CONCEPTS = sorted(p for p in PACKAGE.glob("*.py") if p.name not in MACHINERY)
LINE_LIMIT = 330
#: Modules allowed past the limit, and why.
LONGER = {"model.py": 400}  # Keras' whole training interface (compile, fit, evaluate, predict) in one class


@pytest.mark.parametrize("path", CONCEPTS, ids=lambda p: p.name)
def test_concept_modules_hold_no_drawing_code_and_stay_small(path):
    text = path.read_text()
    assert not re.search(r"^\s*(import|from) matplotlib", text, re.M), f"{path.name} draws; move it to figures/"
    assert not re.search(r"^\s*(from|import) course_lib\.(figures|plots|widgets|checks)", text, re.M), (
        f"{path.name} imports presentation or machinery: arrows point the other way"
    )
    lines = len(text.splitlines())
    assert lines <= LONGER.get(path.name, LINE_LIMIT), f"{path.name} has {lines} lines: split it by idea"


def test_importing_the_package_loads_neither_tensorflow_nor_matplotlib():
    code = (
        "import sys, course_lib, course_lib.checks, course_lib.model, course_lib.descent;"
        "bad = [m for m in ('tensorflow', 'keras', 'matplotlib', 'course_lib.figures') if m in sys.modules];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
