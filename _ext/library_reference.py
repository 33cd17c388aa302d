"""The library reference's links back to the book.

Every docstring of ``course_lib`` says where the book defines it, as ``Chapter 2, "From biological to artificial
neurons"``, ``Chapter 12, section "Text: a character-level language model"`` or ``Preface, "How to use this
course"``.  In the reference pages (autodoc)
each such mention becomes a link to that chapter's page, and a function or class whose own docstring does not say
where it is defined gets its module's chapter as a link, so every entry leads to the chapter that teaches it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MENTION = re.compile(r'(?:Chapter\s+(\d+)|Preface)(?:,\s+section\s+"([^"]+)"|,\s+"([^"]+)")?')


def _page_titles() -> dict[str, str]:
    """Each notebook's title (its first ``# `` heading) → its document name."""
    titles = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            heading = next((line for line in "".join(cell["source"]).splitlines() if line.startswith("# ")), None)
            if cell["cell_type"] == "markdown" and heading:
                titles[heading[2:].strip()] = f"book/{path.stem}"
                break
    return titles


def _chapter_pages() -> dict[int, str]:
    """Chapter number → its main page (``book/02_neurons``)."""
    pages = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        match = re.match(r"(\d\d)_", path.name)
        if match:
            pages[int(match.group(1))] = f"book/{path.stem}"
    return pages


TITLES, CHAPTERS = _page_titles(), _chapter_pages()


def chapter_link(match: re.Match) -> str:
    """A ``:doc:`` role for one mention of a chapter, or the mention itself when no page is found."""
    number = int(match.group(1)) if match.group(1) else 0  # the preface is page 00
    section, title = match.group(2), match.group(3)
    page = TITLES.get(section or title or "") or CHAPTERS.get(number)
    if page is None:
        return match.group(0)
    text = " ".join(match.group(0).split()).replace("<", r"\<")
    return f":doc:`{text} </{page}>`"


def linked(text: str) -> str:
    """``text`` with every chapter mention turned into a link."""
    return MENTION.sub(chapter_link, text)


def _module_mention(module_name: str) -> str | None:
    module = sys.modules.get(module_name)
    match = MENTION.search((module.__doc__ or "") if module else "")
    return " ".join(match.group(0).split()) if match else None


def _process_docstring(app, what, name, obj, options, lines) -> None:
    text = "\n".join(lines)
    if what in ("function", "class") and not MENTION.search(text):
        mention = _module_mention(getattr(obj, "__module__", "") or "")
        if mention:
            lines.extend(["", f"Defined in: {mention}."])
            text = "\n".join(lines)
    lines[:] = linked(text).split("\n")


def setup(app):
    app.connect("autodoc-process-docstring", _process_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
