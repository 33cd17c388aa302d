"""The claims checker (tests/claims.py) finds a quoted number that nothing backs, and only that."""

from __future__ import annotations

import nbformat
import pytest

from tests.claims import unbacked_claims


def _notebook(tmp_path, markdown, source="", output=""):
    cell = nbformat.v4.new_code_cell(source)
    if output:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize(
    "markdown, source, output",
    [
        ("The network reaches 94 % on the test set.", "", "test accuracy 0.9412"),
        ("The network reaches 94 % on the test set.", "", "test accuracy: 94.1 %"),
        ("It has 56,714 weights.", "", "56714 parameters"),
        ("It has 56,714 weights.", "", "Total params: 56,714"),
        ("The guard holds: above 0.5 dB.", "assert gain > 0.5", ""),
        ("Accuracy is about 60 %.", "", "0.57"),
        ("A 2.5 million-weight model.", "", "2500000"),
        ("Brown et al. (2020) trained a model of 175 billion parameters.", "", ""),
        ("LeCun et al., 1998, used 60,000 digits.", "", ""),
        ("Backpropagation became known in the 1980s and in 1986.", "", ""),
        ("Two layers of 3 × 3 kernels.", "", ""),
        ("The code `x = 12345` and the maths $m = 4000$ are not claims.", "", ""),
        ("## Review questions\n\n1. A colleague reports 99 % accuracy. What do you ask?", "", ""),
        ("## References\n\n* Kohonen, T. (1982). Biological Cybernetics 43, 59–69.", "", ""),
    ],
)
def test_a_backed_number_passes(tmp_path, markdown, source, output):
    path = _notebook(tmp_path, markdown, source, output)
    assert unbacked_claims(path) == []


@pytest.mark.parametrize(
    "markdown, source, output",
    [
        ("The network reaches 94 % on the test set.", "", "test accuracy 0.9312"),
        ("The network reaches 94 % on the test set.", "", ""),
        ("It has 56,714 weights.", "", "56713 parameters"),
        ("Accuracy is about 60 %.", "", "0.45"),
        ("Training took 12.5 s.", "", "13.1"),
        ("It is 9× smaller.", "", "ratio 7.2"),
        ("The 1,212 other digits.", "", "1224 others"),
    ],
)
def test_an_unbacked_number_is_reported(tmp_path, markdown, source, output):
    path = _notebook(tmp_path, markdown, source, output)
    found = unbacked_claims(path)
    assert len(found) == 1, found


def test_the_data_of_an_audio_player_backs_nothing(tmp_path):
    path = _notebook(tmp_path, "It recognises 85 % of the words.", "display(Audio(x))")
    nb = nbformat.read(path, as_version=4)
    html = '<audio controls><source src="data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB85 %" /></audio>'
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "<Audio>"})]
    nbformat.write(nb, path)
    assert len(unbacked_claims(path)) == 1


def test_outputs_must_come_from_the_same_code(tmp_path):
    master = _notebook(tmp_path, "It reaches 94 %.", "print(acc)")
    other = tmp_path / "other.ipynb"
    nb = nbformat.read(master, as_version=4)
    nb.cells[1].source = "print(other)"
    nbformat.write(nb, other)
    with pytest.raises(ValueError, match="code cells differ"):
        unbacked_claims(master, other)
