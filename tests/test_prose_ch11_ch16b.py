"""The prose of chapters 11, 11a and 16b about networks: sizes and results that other chapters or the code fix.

"The chapter 9 MLP" is one network: the 784-256-128-10 network that chapter 9 trains on the MNIST subset. Any
architecture written as "784-…" in the book's prose must be that network, read here from chapter 9's own code; a
chapter that compares with it prints the comparison from code rather than typing chapter 9's accuracy from memory;
and a weight count in the prose is either exact (the count of a network the notebook builds) or left to the code.

Each check is a function of the markdown text, so it can also be run on an older version of a notebook
(``git show HEAD~n:book/11_convolutional.ipynb``) to confirm that it catches the defect it was written for.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest

from tests.prose import ROOT, markdown_cells

BOOK = ROOT / "book"
OURS = [BOOK / "11_convolutional.ipynb", BOOK / "11a_cats_vs_dogs.ipynb", BOOK / "16b_recommender.ipynb"]
ARCHITECTURE = re.compile(r"(?<![\d,.])784(?:\s*[-–]\s*\d+)+")
CHAPTER_9 = r"(?:training chapter|ch-training|chapter 9|MLP|multilayer perceptron)"
#: A percentage typed within a clause after a mention of chapter 9's network ("the MLP of the training chapter: 94 %").
PERCENT_AFTER_CHAPTER_9 = re.compile(CHAPTER_9 + r"[^.;]{0,60}?\d+(?:\.\d+)?\s*%", re.I)
VAGUE_COUNT = re.compile(
    r"\b(?:a few|several|some|many|tens of|hundreds of)\s+(?:hundred\s+|tens of\s+)?(?:thousands?|millions?)\s+"
    r"(?:of\s+)?(?:weights|parameters)",
    re.I,
)
STATED_COUNT = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d{5,})\s+(?:weights|parameters)\b")
LAYER = re.compile(r"\b(Conv2D|MaxPooling2D|Flatten|Dropout|Dense|Input)\(([^()]*(?:\([^()]*\))?[^()]*)\)")


def _markdown(path: Path, source: str | None = None) -> list[str]:
    if source is None:
        return markdown_cells(path)
    return [c.source for c in nbformat.reads(source, as_version=4).cells if c.cell_type == "markdown"]


def _code(path: Path, source: str | None = None) -> list[str]:
    nb = nbformat.read(path, as_version=4) if source is None else nbformat.reads(source, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def chapter_9_architecture() -> str:
    """'784-256-128-10', read from the layer sizes of the MNIST network in chapter 9's code."""
    cell = next(s for s in _code(BOOK / "09_training.ipynb") if re.search(r"^mnist_model = Sequential\(", s, re.M))
    units = re.findall(r"Dense\((\d+)", cell.split("mnist_model.compile", 1)[0])
    assert len(units) >= 2, cell
    return "-".join(["784", *units])


def architectures(markdown: list[str]) -> set[str]:
    return {re.sub(r"\s*[-–]\s*", "-", m.group(0)) for text in markdown for m in ARCHITECTURE.finditer(text)}


def percentages_about_chapter_9(markdown: list[str]) -> list[str]:
    return [m.group(0) for text in markdown for m in PERCENT_AFTER_CHAPTER_9.finditer(text)]


def _n_params(cell: str) -> list[int]:
    """Parameter counts of the Sequential models a code cell builds from Input/Conv2D/pooling/Flatten/Dense."""
    counts = []
    for model in re.split(r"(?=\bSequential\()", cell)[1:]:
        body = model.split("\n)\n", 1)[0] if "\n)\n" in model else model
        after = model[len(body) :]
        built = re.search(r"\.build\(\(([\d,\s]+)\)\)", after) or re.search(r"Input\(\(([\d,\s]+)\)", body)
        if built is None:
            continue
        shape = [int(n) for n in built.group(1).replace(" ", "").split(",") if n]
        total = 0
        for name, args in LAYER.findall(body):
            if name == "Input" or name == "Dropout":
                continue
            if re.search(r"padding|strides|pool_size|use_bias", args):
                break  # not a layer this small counter understands: give up on the model
            numbers = [int(n) for n in re.findall(r"(?<![\w.])(\d+)(?![\w.])", args.split("activation")[0])]
            if name == "Conv2D":
                filters, k = numbers[0], numbers[1]
                total += k * k * shape[-1] * filters + filters
                shape = [shape[0] - k + 1, shape[1] - k + 1, filters]
            elif name == "MaxPooling2D":
                shape = [shape[0] // 2, shape[1] // 2, shape[2]]
            elif name == "Flatten":
                shape = [math.prod(shape)]
            elif name == "Dense":
                total += shape[-1] * numbers[0] + numbers[0]
                shape = [numbers[0]]
        else:
            counts.append(total)
    return counts


def network_sizes(code: list[str]) -> set[int]:
    return {n for cell in code for n in _n_params(cell)}


def stated_counts(markdown: list[str]) -> set[int]:
    return {int(m.group(1).replace(",", "")) for text in markdown for m in STATED_COUNT.finditer(text)}


def vague_counts(markdown: list[str]) -> list[str]:
    return [m.group(0) for text in markdown for m in VAGUE_COUNT.finditer(text)]


def test_chapter_9_network_is_read_from_its_code():
    assert chapter_9_architecture() == "784-256-128-10"


def test_the_parameter_counter_agrees_with_keras_arithmetic():
    # 11a's cats-and-dogs CNN: 448 + 4,640 + 18,496 + 147,520 + 65 (Keras' model.summary() prints the same).
    assert 171_169 in network_sizes(_code(BOOK / "11a_cats_vs_dogs.ipynb"))
    # Chapter 11's from-scratch CNN and, built for comparison, chapter 9's MLP.
    assert {56_714, 235_146} <= network_sizes(_code(BOOK / "11_convolutional.ipynb"))


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.name)
def test_every_784_architecture_in_the_prose_is_chapter_9s(path):
    """Only chapter 9 trains a 784-input MLP that other chapters cite; the prose must give its real layer sizes."""
    wrong = architectures(_markdown(path)) - {chapter_9_architecture()}
    assert not wrong, f"{path.name} names {sorted(wrong)}; chapter 9's MNIST network is {chapter_9_architecture()}"


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_no_accuracy_of_chapter_9s_network_is_typed(path):
    """Chapter 9's accuracy is printed by code (chapter 11 retrains the network on the same split), never recalled."""
    found = percentages_about_chapter_9(_markdown(path))
    assert not found, f"{path.name} types chapter 9's accuracy instead of printing it: {found}"


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_weight_counts_are_exact_or_printed(path):
    assert not vague_counts(_markdown(path)), f"{path.name}: say how many, or let the code print it"
    wrong = stated_counts(_markdown(path)) - network_sizes(_code(path))
    assert not wrong, f"{path.name} states {sorted(wrong)} weights, but builds networks of {network_sizes(_code(path))}"


def mlps_after_a_mention_of_chapter_9(cells: list[tuple[str, str]]) -> list[str]:
    """The layer sizes of every 784-input MLP built in a code cell whose nearest markdown above cites chapter 9."""
    found, cited = [], False
    for kind, source in cells:
        if kind == "markdown":
            cited = bool(re.search(r"ch-training|training chapter|chapter 9", source, re.I))
            continue
        for model in re.split(r"(?=\bSequential\()", source)[1:]:
            model = model.split("\n)\n", 1)[0] + (re.search(r"\n\)\n.*?\n", model, re.S) or [""])[0]
            units = re.findall(r"Dense\((\d+)", model)
            if cited and len(units) >= 2 and re.search(r"Input\(\(784,\)|\.build\(\(784,\)\)", model):
                found.append("-".join(["784", *units]))
    return found


def _cells(path: Path, source: str | None = None) -> list[tuple[str, str]]:
    nb = nbformat.read(path, as_version=4) if source is None else nbformat.reads(source, as_version=4)
    return [(c.cell_type, c.source) for c in nb.cells]


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.name)
def test_a_network_presented_as_chapter_9s_is_chapter_9s(path):
    """'The digits network of chapter 9, rebuilt in Keras' must rebuild 784-256-128-10, not a smaller cousin."""
    wrong = set(mlps_after_a_mention_of_chapter_9(_cells(path))) - {chapter_9_architecture()}
    assert not wrong, f"{path.name} builds {sorted(wrong)} right after citing chapter 9's {chapter_9_architecture()}"


def test_networks_whose_size_the_prose_states_print_it():
    code = "\n".join(_code(BOOK / "11a_cats_vs_dogs.ipynb"))
    assert "model.count_params()" in code
    code = "\n".join(_code(BOOK / "11_convolutional.ipynb"))
    assert "cnn.count_params()" in code and "mlp.count_params()" in code
