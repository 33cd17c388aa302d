"""Prose of chapters 12–18: claims a careful reader found wrong once (issue 18), held by rules that catch the kind.

Each test reads the markdown of the master notebooks, paragraph by paragraph, and checks a rule rather than one
sentence: a FLOP rule is stated with the models it holds for, a derivative with the path it holds along, a date with
the event it dates, a cross-reference with the section that shows the thing.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.prose import ROOT, markdown_cells, reading_order

BOOK = ROOT / "book"
OURS = [
    BOOK / f"{name}.ipynb"
    for name in ("12_recurrent", "13_gans", "17_challenges", "17a_robustness_and_cost", "18_whats_next")
]


def paragraphs(path: Path) -> list[str]:
    """The markdown of a notebook split at blank lines: a paragraph, a display equation, a question or an answer."""
    return [p for cell in markdown_cells(path) for p in re.split(r"\n\s*\n", cell) if p.strip()]


def flat(text: str) -> str:
    """``text`` on one line, so that phrases broken across lines still match."""
    return re.sub(r"\s+", " ", text)


def everywhere() -> list[tuple[str, str]]:
    return [(path.name, flat(p)) for path in reading_order() if path.suffix == ".ipynb" for p in paragraphs(path)]


def ours() -> list[tuple[str, str]]:
    return [(path.name, flat(p)) for path in OURS for p in paragraphs(path)]


SIX_N_D = re.compile(r"6\s*N\s*D|6\s*(?:\\times|×|\*|x)\s*\$?\s*(?:the\s+)?(?:number\s+of\s+)?param", re.IGNORECASE)


def test_the_6nd_rule_is_stated_only_for_dense_and_transformer_models_per_token():
    """≈ 6·N·D counts every weight once per token; a convolution uses each weight at every position, so the rule
    undercounts a CNN many times over. Wherever the rule appears, say what it holds for."""
    found = [(name, p) for name, p in everywhere() if SIX_N_D.search(p)]
    assert found, "the cost section no longer states the 6·N·D rule; update this test"
    for name, p in found:
        assert re.search(r"\btokens?\b", p, re.I), f"{name}: the 6·N·D rule without 'tokens': {p[:200]!r}"
        assert re.search(r"transformer", p, re.I), f"{name}: the 6·N·D rule without 'transformer': {p[:200]!r}"
        assert not re.search(r"parameters\s*\$?\\?(?:times|×)\$?\s*(?:training\s+)?samples\s+FLOPs", p), (
            f"{name}: the per-token rule applied to samples as if it held for any network: {p[:200]!r}"
        )


def test_the_cost_section_gives_the_general_rule_for_any_network():
    text = flat(" ".join(markdown_cells(BOOK / "17a_robustness_and_cost.ipynb")))
    assert re.search(r"3 \\times\$? \(forward FLOPs per sample\)", text), "the 3 × forward FLOPs rule is missing"
    assert re.search(r"shared across positions", text), "the reason the 6·N·D rule fails for a CNN is missing"


def test_the_rare_class_counts_in_the_text_are_those_of_the_data():
    from course_lib import datasets

    _, _, y_train, _ = datasets.load_digits_8x8()
    others = int(np.sum(y_train != 9))
    text = flat(" ".join(markdown_cells(BOOK / "17_challenges.ipynb")))
    said = re.search(r"only 15 of them among ([\d,]+) other digits", text)
    assert said, "the rare-class example changed; update this test"
    assert int(said.group(1).replace(",", "")) == others, f"the text says {said.group(1)}, the data hold {others:,}"
    assert all("1,224" not in p for _, p in everywhere())


CITATION = re.compile(r"[A-Z][\w-]+(?: et al\.| and [A-Z][\w-]+)?,? \(?\d{4}\)?")


@pytest.mark.parametrize("event, year", [("Smart Reply", "2015")])
def test_dates_of_events_are_the_events_not_the_papers(event, year):
    """Smart Reply launched in November 2015; Kannan et al.'s KDD paper describing it is from 2016."""
    found = [
        (name, p) for name, p in everywhere() if event in p and not re.match(r"\* [A-Z][\w-]+, [A-Z]\.", p)
    ]  # not the reference list
    assert found
    for name, p in found:
        years = re.findall(r"\b(?:19|20)\d\d\b", CITATION.sub("", p))
        assert years and set(years) == {year}, f"{name}: {event} dated {years}, not {year}: {p[:200]!r}"


def test_transformers_in_speech_are_dated_from_2018():
    """Speech-Transformer (Dong et al., ICASSP 2018) applied transformers to speech recognition two years before 2020."""
    for name, p in everywhere():
        if re.search(r"transformer", p, re.I) and re.search(r"\bspeech\b", p, re.I):
            assert not re.search(r"[Ss]ince (?:2019|202\d)", p), f"{name}: transformers in speech dated too late: {p!r}"
    text = flat(" ".join(markdown_cells(BOOK / "18_whats_next.ipynb")))
    assert "Dong et al., 2018" in text and "Dong, L., Xu, S., Xu, B. (2018)" in text


def test_int8_quantisation_scales_by_the_largest_absolute_weight():
    """Scaling by the largest weight would overflow a negative weight of larger magnitude."""
    for name, p in everywhere():
        if "127" in p and re.search(r"\blargest\b", p):
            assert re.search(r"absolute", p), (
                f"{name}: 'largest weight' for int8 scaling, not the largest absolute: {p!r}"
            )


def test_the_lstm_derivative_is_qualified_as_the_direct_path():
    """∂c_t/∂c_{t−1} = f only with the gates held fixed: they depend on h_{t−1}, which depends on c_{t−1}."""
    derivative = re.compile(r"\\partial \\mathbf c_t / \\partial \\mathbf c_\{t-1\} = \\mathbf f")
    found = [(name, p) for name, p in everywhere() if derivative.search(p)]
    assert found
    for name, p in found:
        assert re.search(r"direct path", p), f"{name}: ∂c_t/∂c_(t−1) = f stated without 'direct path': {p[:200]!r}"


def test_mode_collapse_is_not_called_invisible_to_a_per_sample_discriminator():
    """The optimal per-sample discriminator p_data / (p_data + p_g) does reject an over-filled mode; the failure is
    in the dynamics of the game."""
    for name, p in everywhere():
        if re.search(r"collapse|mode", p, re.I):
            assert not re.search(r"\binvisible\b|nothing to object", p, re.I), f"{name}: {p[:200]!r}"
    text = flat(" ".join(markdown_cells(BOOK / "13_gans.ipynb")))
    assert r"D^*(\mathbf x) = \frac{p_\text{data}(\mathbf x)}{p_\text{data}(\mathbf x) + p_g(\mathbf x)}" in text
    assert re.search(r"y = a/\(a\+b\)", text), "the derivation of the optimal discriminator is missing"
    assert re.search(r"\bdynamics\b", text)


def test_references_to_fooled_networks_point_at_the_adversarial_section():
    """Adversarial examples are shown in the robustness section, not in the chapter that builds the CNN."""
    for name, p in everywhere():
        if name == "17a_robustness_and_cost.ipynb" or not re.search(r"\{(?:numref|ref)\}`", p):
            continue
        if re.search(r"\bfooled\b|adversarial example", p, re.I):
            assert "sec-robustness-cost" in p, f"{name}: a fooled network referenced elsewhere: {p[:240]!r}"
        assert not re.search(r"<ch-convolutional>`'s networks can be fooled", p), name


@pytest.mark.parametrize(
    "claim",
    [
        r"cannot extrapolate",  # a network extrapolates; it does so badly (and without warning)
        r"every (?:network|model) in this book trains? in seconds",  # the speech model and the GANs take minutes
        r"found in exactly this way",  # the wolf/snow shortcut was planted on purpose to test LIME
        r"barely changes? when the weights",  # the sanity check in 15a compared trained and untrained maps
    ],
)
def test_overclaims_are_absent_from_these_chapters(claim):
    for name, p in ours():
        assert not re.search(claim, p, re.I), f"{name}: {p[:240]!r}"


def test_the_wolf_and_snow_shortcut_is_described_as_built_on_purpose():
    for name, p in everywhere():
        if re.search(r"\bwol(?:f|ves)\b", p, re.I) and re.search(r"\bsnow", p, re.I):
            assert re.search(r"on purpose|deliberately", p) and "Ribeiro" in p, f"{name}: {p[:240]!r}"
