"""The built library reference (issue 20 §2; run after `make book`): every public name of course_lib has an entry,
and every entry of a module that a chapter defines links to that chapter."""

from __future__ import annotations

import importlib
import re

import bs4
import pytest

from tests.library_reference import anchor, documented_modules, public_names
from tests.site.test_site import HTML

CHAPTER_PAGE = re.compile(r"^\.\./\d\d[a-z]?_\w+\.html")
pytestmark = pytest.mark.skipif(not (HTML / "book" / "reference").exists(), reason="build the site first: make book")


def _soup(page) -> bs4.BeautifulSoup:
    return bs4.BeautifulSoup((HTML / "book" / "reference" / f"{page.stem}.html").read_text(), "html.parser")


@pytest.mark.parametrize("module_name", sorted(documented_modules()))
def test_every_public_name_has_an_entry_that_links_to_its_chapter(module_name):
    soup = _soup(documented_modules()[module_name])
    ids = {tag["id"]: tag for tag in soup.select("dt[id]")}
    missing = [n for n, obj in public_names(module_name).items() if anchor(module_name, n, obj) not in ids]
    assert not missing, f"{module_name}: no reference entry for {missing}"
    doc = importlib.import_module(module_name).__doc__ or ""
    if "Chapter" not in doc and "Preface" not in doc:
        return
    unlinked = []
    for name, obj in public_names(module_name).items():
        dt = ids[anchor(module_name, name, obj)]
        if dt.parent.get("class") and {"function", "class"} & set(dt.parent["class"]):
            links = [a["href"] for a in dt.find_next_sibling("dd").find_all("a", href=True)]
            if not any(CHAPTER_PAGE.match(href) for href in links):
                unlinked.append(name)
    assert not unlinked, f"{module_name}: entries without a link to the chapter that defines them: {unlinked}"


def test_a_defined_in_line_links_to_its_own_chapter():
    soup = _soup(documented_modules()["course_lib.neuron"])
    dd = soup.find("dt", id="course_lib.neuron.weighted_sum").find_next_sibling("dd")
    link = next(a for a in dd.find_all("a", href=True) if CHAPTER_PAGE.match(a["href"]))
    assert link["href"].startswith("../02_neurons.html"), link
    assert "Chapter 2" in link.get_text(), link.get_text()
