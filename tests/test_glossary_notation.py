"""The glossary is linked at each term's first use, and the notation page is the one the chapters follow."""

from __future__ import annotations

import re

import pytest

from tests.prose import ROOT, TERM_ROLE, glossary_terms, markdown_cells, masked, reading_order, term_pattern

TERMS = glossary_terms()
BOOK = reading_order()


def _occurrences(term: str):
    """Every plain and linked use of ``term`` in reading order: (position, linked)."""
    pattern = term_pattern(term)
    found = []
    for n, path in enumerate(BOOK):
        for c, text in enumerate(markdown_cells(path)):
            text = text.split("## References")[0]  # the titles of cited works are not the book's own words
            for m in TERM_ROLE.finditer(text):
                if (m.group(2) or m.group(1)).strip().lower() == term.lower():
                    found.append(((n, c, m.start()), True, path.name))
            for m in pattern.finditer(masked(text)):
                found.append(((n, c, m.start()), False, path.name))
    return sorted(found)


def test_the_glossary_is_in_the_book_and_alphabetical():
    assert len(TERMS) >= 40
    assert TERMS == sorted(TERMS, key=str.lower)
    toc = (ROOT / "_toc.yml").read_text()
    assert "book/glossary" in toc and "book/notation" in toc


@pytest.mark.parametrize("term", TERMS)
def test_each_term_is_linked_at_its_first_use(term):
    uses = _occurrences(term)
    assert uses, f"the glossary term {term!r} is never used in the book"
    position, linked, name = uses[0]
    assert linked, f"{term!r} is first used unlinked in {name}: write {{term}}`{term.lower()}` there"


def test_every_term_link_points_into_the_glossary():
    known = {t.lower() for t in TERMS}
    for path in BOOK:
        for text in markdown_cells(path):
            for m in TERM_ROLE.finditer(text):
                assert (m.group(2) or m.group(1)).strip().lower() in known, f"{path.name}: unknown term {m.group(0)}"


def _math(text: str) -> str:
    """The LaTeX of a text's maths, without spaces and braces (so `\\hat{y}` and `\\hat y` agree)."""
    spans = re.findall(r"\$\$(.*?)\$\$|\$([^$\n]+)\$", text, re.S)
    return " ".join(a or b for a, b in spans).replace(" ", "").replace("{", "").replace("}", "")


NOTATION = (ROOT / "book" / "notation.md").read_text()
ROWS = [line for line in NOTATION.splitlines() if line.startswith("| $")]
SYMBOLS = [s for row in ROWS for s in re.findall(r"\$([^$]+)\$", row.split("|")[1])]
CHAPTER_MATH = {path.name: _math("\n".join(markdown_cells(path))) for path in BOOK}


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_every_symbol_of_the_notation_page_is_used(symbol):
    key = symbol.replace(" ", "").replace("{", "").replace("}", "")
    users = [name for name, math in CHAPTER_MATH.items() if key in math]
    assert users, f"the notation page lists ${symbol}$, which no chapter uses"


# The same thing must not get two symbols. Each entry: what, the symbol the notation page uses, the forbidden ones.
CONFLICTS = [
    ("the loss", "L", [r"\\mathcal\{?L\}?", r"(?<![A-Za-z\\])J\("]),
    ("the learning rate", r"\eta", [r"learning rate[^.$]{0,20}\$\\alpha\$"]),
    ("a small number", r"\varepsilon", [r"\\epsilon(?![a-z])"]),
    ("the prediction", r"\hat y", [r"y_\{?\\text\{?pred", r"\\tilde\{?y"]),
    ("the number of samples", "m", [r"\$N\$ samples", r"\$N\$ training"]),
    ("the sigmoid", r"\sigma", [r"\\operatorname\{?sigmoid", r"\\text\{?sigmoid"]),
    ("the layer of a weight matrix", "W_1", [r"W\^\{\["]),
    ("an activation function", "g", [r"\\varphi"]),
    # A symbol that already means something is not reused: σ is the sigmoid, z the weighted sum, W a weight matrix.
    (
        "the neighbourhood radius of a SOM",
        "r",
        [
            r"\{2\\sigma\^2\}",
            r"(?:width|radius|neighbourhood)[^.$]{0,30}\$\\sigma\$",
            r"\$\\sigma\$[^.$]{0,20}(?:width|radius)",
        ],
    ),
    ("a standard deviation", r"\sigma", [r"\$\d+\s*\\sigma\$", r"standard deviation[^.$]{0,20}\$\\sigma"]),
    ("the rows and columns of an image", "n_H", [r"H\s*\\times\s*W\b", r"\(m,\s*H'?,\s*W'?,", r"Y_\{n,"]),
    ("the noise of a GAN", r"\boldsymbol\xi", [r"G\(\\mathbf\s*\{?z", r"noise\s*\$\\mathbf\s*\{?z"]),
    ("an LSTM's recurrent kernel", "W_h", [r"\\mathbf\s*\{?h\}?_\{?t-1\}?\s*U(?![A-Za-z])"]),
    ("the number of bits per code number", r"n_\text{bits}", [r"\$b\$ bits", r"2\^\{?b\}?\$"]),
    ("the number of cities", r"n_\text{cities}", [r"\$n\$ cities", r"\(n\s*-\s*1\)!"]),
]


@pytest.mark.parametrize("what, ours, forbidden", CONFLICTS, ids=[c[0] for c in CONFLICTS])
def test_chapters_use_no_other_symbol_for_the_same_thing(what, ours, forbidden):
    assert f"${ours}" in NOTATION or ours in NOTATION
    for path in BOOK:
        text = "\n".join(markdown_cells(path))
        for pattern in forbidden:
            found = re.search(pattern, text)
            assert found is None, f"{path.name} writes {found.group(0)!r} for {what}; the notation page uses ${ours}$"


# Issue 18 §3: the words of Parts II–IV that a learner looks up.
REQUIRED = """Mode collapse, Vanishing gradient, Exploding gradient, Gradient clipping, RBF network, Kernel (filter), Stride,
Padding, Feature map, Acoustic model, Lexicon, Phoneme, Viterbi decoding, Saliency map, Intersection over union,
Non-maximum suppression, PSNR, Leakage, Quantisation, Classification, Clustering, Anomaly detection"""


@pytest.mark.parametrize("term", [t.strip() for t in REQUIRED.split(",")])
def test_the_glossary_defines_the_terms_of_parts_two_to_four(term):
    assert term in TERMS, f"the glossary has no entry {term!r}"
