"""Figures a colour-blind reader can read (issue 20 §3): the course palette, and the colours figure code names.

That every figure on the site has alternative text is tested on the built pages (tests/site/test_site.py).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import colorspacious
import matplotlib
import nbformat
import numpy as np
import pytest

from course_lib import plots

ROOT = Path(__file__).resolve().parents[1]
#: The three kinds of colour blindness, simulated at full severity (Machado et al. 2009, via colorspacious).
DICHROMACIES = ("protanomaly", "deuteranomaly", "tritanomaly")
#: Smallest distance between two colours of the palette in CAM02-UCS (about 1 is a just-noticeable difference).
MIN_DISTANCE = 10.0


def _smallest_distance(colours, cvd_type=None) -> tuple[float, str, str]:
    rgb = [np.array(matplotlib.colors.to_rgb(c)) for c in colours]
    if cvd_type:
        space = {"name": "sRGB1+CVD", "cvd_type": cvd_type, "severity": 100}
        rgb = [np.clip(colorspacious.cspace_convert(c, space, "sRGB1"), 0, 1) for c in rgb]
    ucs = [colorspacious.cspace_convert(c, "sRGB1", "CAM02-UCS") for c in rgb]
    return min(
        (float(np.linalg.norm(ucs[i] - ucs[j])), colours[i], colours[j])
        for i, j in itertools.combinations(range(len(colours)), 2)
    )


@pytest.mark.parametrize("cvd_type", [None, *DICHROMACIES])
def test_the_palette_stays_distinct_for_colour_blind_readers(cvd_type):
    distance, a, b = _smallest_distance(plots.PALETTE, cvd_type)
    assert distance >= MIN_DISTANCE, f"{a} and {b} look alike under {cvd_type or 'normal vision'} ({distance:.1f})"


def test_the_measure_rejects_matplotlibs_default_palette():
    tab10 = matplotlib.rcParamsDefault["axes.prop_cycle"].by_key()["color"]
    assert min(_smallest_distance(tab10, cvd)[0] for cvd in DICHROMACIES) < MIN_DISTANCE


def test_the_course_style_cycles_through_the_palette():
    with matplotlib.rc_context():
        plots.use_course_style()
        assert tuple(matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]) == plots.PALETTE


#: Colours figure code may name: the palette by cycle index ("C0"–"C7") or by value, its tints, and greys.
NEUTRAL = {"k", "black", "w", "white", "gray", "grey", "lightgray", "lightgrey", "darkgray", "darkgrey", "none"}
COLOUR_ARG = re.compile(r"""\b(?:colou?rs?|c|ec|fc|edgecolou?r|facecolou?r)\s*=\s*\(?\s*["']([^"']+)["']""")
NAMED = re.compile(
    r"""["'](tab:\w+|red|green|blue|orange|purple|brown|pink|olive|cyan|magenta|lime|#[0-9a-fA-F]{6})["']"""
)
#: Colour maps that hide or invent structure for colour-blind readers (rainbow maps; red-green diverging maps).
BAD_CMAPS = re.compile(
    r"""cmap\s*=\s*["'](jet|rainbow|gist_rainbow|hsv|nipy_spectral|Spectral|RdYlGn|PiYG|RdGy)(_r)?["']"""
)


def _figure_sources():
    for path in sorted((ROOT / "course_lib" / "figures").glob("*.py")) + [ROOT / "course_lib" / "widgets.py"]:
        yield path.relative_to(ROOT), path.read_text()
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        yield path.relative_to(ROOT), "\n".join(code)


def _allowed(colour: str) -> bool:
    grey = re.fullmatch(r"0?\.\d+|1(\.0)?", colour)  # matplotlib's grey levels, "0.0" (black) to "1" (white)
    return (
        bool(re.fullmatch(r"C\d", colour) or grey) or colour in NEUTRAL or colour.upper() in plots.PALETTE + plots.TINTS
    )


@pytest.mark.parametrize(("name", "source"), list(_figure_sources()), ids=lambda v: str(v)[:40])
def test_figure_code_names_only_palette_or_neutral_colours(name, source):
    named = {m.group(1) for m in COLOUR_ARG.finditer(source)} | {m.group(1) for m in NAMED.finditer(source)}
    off_palette = sorted(c for c in named if not _allowed(c))
    assert not off_palette, f"{name} names colours outside the course palette: {off_palette} (use 'C0'…'C7')"
    assert not BAD_CMAPS.search(source), f"{name} uses a rainbow or red-green colour map: {BAD_CMAPS.search(source)}"


def test_the_colour_scan_finds_what_it_forbids():
    sample = 'ax.plot(x, color="tab:green"); ax.scatter(x, y, c="#d62728"); ax.imshow(z, cmap="jet")'
    named = {m.group(1) for m in COLOUR_ARG.finditer(sample)} | {m.group(1) for m in NAMED.finditer(sample)}
    assert {c for c in named if not _allowed(c)} == {"tab:green", "#d62728"}
    assert BAD_CMAPS.search(sample) and _allowed("C3") and _allowed("0.75") and _allowed(plots.TINTS[0])
