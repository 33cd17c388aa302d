"""Which numbers the prose quotes that no code or output of the same notebook backs (issue 18 §2).

A number a chapter's text quotes ("94 %", "56,714 weights", "9× smaller") must come from the computation:
either the notebook prints it (an output of an executed copy contains it, to the precision the text gives)
or a code cell holds it (a result guard such as ``assert accuracy > 0.94``, or the parameter the prose
describes). This is a heuristic:

* Only *claims* are checked: numbers with a decimal point, a per cent sign, a thousands separator, a
  multiplication sign or a unit, and integers above 10. Small counts ("two layers", "3 × 3") and years
  (1900–2099) are left alone, as are maths, code spans, links, headings and directive lines
  (:func:`tests.prose.masked`) and each page's reference list.
* "about", "roughly", "≈", "over", "under", … widen the tolerance to 10 %; a bare number must match to the
  precision written (``94 %`` is backed by 0.9412 or 94.1; ``0.5 dB`` by 0.48).
* :data:`ALLOWED` lists the few numbers that are facts about the world rather than results, each with why.

Run ``python -m tests.claims book/NN.ipynb EXECUTED.ipynb`` (the executed copy e.g. from
``jupyter nbconvert --to notebook --execute --output /tmp/NN.ipynb book/NN.ipynb``) to list what is
unbacked; the site tests run it on the execution cache that ``make book`` fills.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import nbformat

from tests.prose import masked

#: Numbers in prose that are facts from outside the notebook, by notebook stem: (number as written, why).
ALLOWED: dict[str, list[tuple[str, str]]] = {}

APPROX = re.compile(
    r"(?:about|roughly|around|nearly|almost|approximately|some|over|under|above|below|more than|less than|"
    r"fewer than|at least|at most|up to|within|≈|~|>|<|≥|≤)\s*$",
    re.IGNORECASE,
)
NUMBER = re.compile(
    r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w.,]*\d)(\s?(?:%|×(?!\s*\d)|dB\b|px\b)|\s(?:ms|s)\b)?"
)
#: A sentence that cites its source — "(Jouppi et al., 2017)", "Brown et al. (2020)" — quotes a fact, not a result.
CITATION = re.compile(r"[A-Z][\w-]+(?:\s+et\s+al\.|\s+and\s+[A-Z][\w-]+)?,?\s+\(?(?:19|20)\d\d\b")
SENTENCE = re.compile(r"(?:[^.!?]|(?<=\bal)\.|(?<=\be\.g)\.|(?<=\bi\.e)\.|[.!?](?!\s|$))*(?:[.!?]|$)", re.S)
CODE_NUMBER = re.compile(r"(?<![\w.])\d[\d_,]*(?:\.\d+)?(?:e[-+]?\d+)?")
BASE64 = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*|[A-Za-z0-9+/=]{40,}")
WORD_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _prose_numbers(text: str):
    """(number as written, value, decimals, approximate) for each claim in a markdown cell's prose."""
    text = re.split(r"^#+\s*(?:References|Further reading|Review questions)\b", text, flags=re.M | re.I)[0]
    prose = masked(text)
    cited = [s.span() for s in SENTENCE.finditer(text) if CITATION.search(s.group(0))]
    for m in NUMBER.finditer(prose):
        if any(a <= m.start() < b for a, b in cited):
            continue
        whole, frac, unit = m.group(1), m.group(2) or "", (m.group(3) or "").strip()
        value = float(whole.replace(",", "") + frac)
        is_year = 1900 <= value <= 2099 and not frac and "," not in whole and not unit
        if is_year or (value <= 10 and not frac and not unit and "," not in whole):
            continue
        after = prose[m.end() : m.end() + 10].lower()
        scale = next((s for w, s in WORD_SCALE.items() if after.lstrip().startswith(w)), 1.0)
        approximate = bool(APPROX.search(prose[max(0, m.start() - 14) : m.start()]))
        yield m.group(0).strip(), value, len(frac) - 1 if frac else 0, approximate, scale, m.start()


def _pool(nb) -> list[float]:
    """Every number in the notebook's code and outputs (with fractions also as per cents and vice versa)."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts.append(cell.source)
        for out in cell.get("outputs", []):
            texts.append(out.get("text", ""))
            data = out.get("data", {})
            texts.append(data.get("text/plain", "") if isinstance(data.get("text/plain", ""), str) else "")
            texts.append(data.get("text/html", "") if isinstance(data.get("text/html", ""), str) else "")
            texts.append(data.get("text/markdown", "") if isinstance(data.get("text/markdown", ""), str) else "")
    values = []
    for text in texts:
        text = BASE64.sub(" ", text)  # an audio player's or an image's data are not numbers anyone printed
        for m in CODE_NUMBER.finditer(text):
            try:
                q = float(m.group(0).replace("_", "").replace(",", ""))
            except ValueError:
                continue
            values += [q, q * 100, q / 100]
    return values


def _backed(value: float, decimals: int, approximate: bool, scale: float, pool: list[float]) -> bool:
    """Whether the pool holds ``value`` (or ``value × scale``, for "2.5 million") to the precision written."""
    for unit in {1.0, scale}:
        if approximate and any(math.isclose(q, value * unit, rel_tol=0.1) for q in pool):
            return True
        half_unit = 0.5 * 10.0 ** (-decimals) * unit
        if any(abs(q - value * unit) <= half_unit + 1e-9 * abs(value * unit) for q in pool):
            return True
    return False


def with_outputs(master: Path | str, executed: Path | str):
    """The master notebook with the outputs of an executed copy (jupyter-cache keeps only the code cells)."""
    nb = nbformat.read(master, as_version=4)
    ran = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
    code = [c for c in nb.cells if c.cell_type == "code"]
    if [c.source for c in code] != [c.source for c in ran]:
        raise ValueError(f"{executed} is not an execution of {master}: their code cells differ")
    for cell, done in zip(code, ran):
        cell.outputs = done.get("outputs", [])
    return nb


def unbacked_claims(master: Path | str, executed: Path | str | None = None) -> list[str]:
    """The prose numbers of a notebook that neither its code nor the outputs of ``executed`` back."""
    nb = with_outputs(master, executed or master)
    stem = Path(master).stem
    allowed = {number for number, _ in ALLOWED.get(stem, [])}
    pool = _pool(nb)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for written, value, decimals, approximate, scale, at in _prose_numbers(cell.source):
            if written in allowed or _backed(value, decimals, approximate, scale, pool):
                continue
            context = cell.source[max(0, at - 70) : at + 50].replace("\n", " ")
            found.append(f"{written!r} in: …{context}…")
    return found


if __name__ == "__main__":
    master, executed = sys.argv[1], sys.argv[2]
    claims = unbacked_claims(master, executed)
    print(f"== {master}: {len(claims)} unbacked")
    for claim in claims:
        print("  ", claim)
