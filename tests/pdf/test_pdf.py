"""The PDF of the book (run after `make pdf`): every chapter is in it, numbered, with its figures and no solutions."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from tests.prose import reading_order

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "neurons-to-networks.pdf"

pytestmark = pytest.mark.skipif(
    not PDF.exists() or shutil.which("pdftotext") is None, reason="make pdf first (needs poppler-utils)"
)


@pytest.fixture(scope="module")
def text():
    raw = subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout
    return raw.translate(str.maketrans("“”‘’", "\"\"''"))  # the site prints typographic quotes


def _title(path: Path) -> str:
    first = nbformat.read(path, as_version=4).cells[0].source
    return re.search(r"^# (.+)$", first, re.M).group(1).strip()


def test_every_chapter_and_section_is_in_the_pdf_in_order(text):
    flat = " ".join(text.split())
    positions = []
    for path in reading_order():
        title = " ".join(_title(path).split())
        assert title in flat, f"{path.name}: its title {title!r} is not in the PDF"
        positions.append(flat.index(title))
    assert positions == sorted(positions), "the chapters are out of order"
    for number in range(1, 19):
        assert re.search(rf"(?m)^{number}\. \S", text), f"no numbered chapter heading '{number}. ...'"
    assert "Exercise 17.1" in text and "Glossary" in text and "Notation" in text


def test_figures_are_present_and_solutions_are_not(text):
    images = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    assert len(images.splitlines()) - 2 >= 100, "fewer than 100 images: were the figures printed?"
    flat = " ".join(text.split())
    solution_lines = []
    for path in reading_order():
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines() if cell.cell_type == "code" else []:
                inside = {"# BEGIN SOLUTION": True, "# END SOLUTION": False}.get(line.strip(), inside)
                if inside and len(line.strip()) > 30:
                    solution_lines.append(" ".join(line.split()))
    printed = [line for line in solution_lines if line in flat]
    # A few solution lines also appear in the chapters' own code (the library's version); the solutions do not.
    assert len(solution_lines) > 100 and len(printed) <= 0.1 * len(solution_lines), printed[:5]


def test_the_pdf_is_a_book_not_a_pamphlet():
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 300
    assert "Neurons to Networks" in info
