"""Finding words in the book's prose — not in code, maths, headings, links or directive lines — for the glossary.

Used by the glossary tests (and by whoever links a new term at its first use).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = re.compile(
    r"```.*?```|\$\$.*?\$\$|\$[^$\n]*\$|\{[\w:-]+\}`[^`]*`|`[^`\n]*`|\[[^\]\n]*\]\([^)\n]*\)|https?://\S+"
    r"|^\s*(?:#|:|\(|\||!\[).*?$",
    re.S | re.M,
)
TERM_ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>]+)>)?`")


def reading_order() -> list[Path]:
    """The book's notebooks in the order of the table of contents."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = []

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(ROOT / f"{entry['file']}.ipynb")
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return [f for f in files if f.exists()]


def masked(text: str) -> str:
    """``text`` with everything that is not prose replaced by NUL characters (positions are kept)."""
    return HIDDEN.sub(lambda m: "\0" * len(m.group(0)), text)


def term_pattern(term: str) -> re.Pattern:
    words = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", re.IGNORECASE)


def glossary_terms() -> list[str]:
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(" ")]


def markdown_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
