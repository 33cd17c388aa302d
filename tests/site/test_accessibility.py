"""The site with a keyboard and with search (issue 20 §3; run after `make book`).

axe-core runs on every page in tests/site/test_site.py::test_page; figures' alternative text and the palette are
tested in tests/test_figures_accessible.py.
"""

from __future__ import annotations

import pytest

from tests.site.test_site import HTML, PAGES, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(not PAGES, reason="build the site first: make book")

#: Everything in a chapter that opens: hints and review answers (sphinx-togglebutton buttons) and solutions
#: (myst-nb's hidden cell sources, a <details> element).
TOGGLES = "article button.toggle-button, article details > summary"


def test_hints_solutions_and_answers_open_with_the_keyboard_alone(server, browser):  # noqa: F811
    tab = browser.new_page()
    tab.goto(f"{server}/book/02_neurons.html", wait_until="load")
    tab.wait_for_selector("article button.toggle-button", state="attached")
    count = tab.locator(TOGGLES).count()
    assert count >= 10, f"expected hints, solutions and answers on chapter 2, found {count} toggles"
    opened: set[int] = set()
    for _ in range(1500):  # Tab through the whole page: sidebar, links, then every toggle of the article
        tab.keyboard.press("Tab")
        index = tab.evaluate(
            f"() => Array.from(document.querySelectorAll({TOGGLES!r})).indexOf(document.activeElement)"
        )
        if index < 0 or index in opened:
            continue
        tab.keyboard.press("Enter")
        shown = tab.evaluate(
            """e => {
                 if (e.tagName === 'SUMMARY') {
                   const body = e.parentElement.querySelector(':scope > :not(summary)');
                   return e.parentElement.open && body !== null && body.offsetHeight > 0;
                 }
                 const box = document.getElementById(e.dataset.target);
                 const body = box.querySelector(':scope > :not(.admonition-title)');
                 return !box.classList.contains('toggle-hidden') && body !== null && body.offsetHeight > 0
                        && e.getAttribute('aria-expanded') === 'true';
               }""",
            tab.locator(TOGGLES).nth(index).element_handle(),
        )
        assert shown, f"toggle {index} of chapter 2 does not open with Enter"
        opened.add(index)
        if len(opened) == count:
            break
    assert len(opened) == count, f"Tab reached {len(opened)} of the {count} toggles of chapter 2"
    tab.close()


@pytest.mark.parametrize(
    ("query", "chapter"),
    [("backpropagation", "08_backpropagation"), ("im2col", "11_convolutional"), ("mode collapse", "13_gans")],
)
def test_search_lands_on_the_chapter_that_teaches_it(query, chapter, server, browser):  # noqa: F811
    tab = browser.new_page()
    tab.goto(f"{server}/search.html?q={query}", wait_until="load")
    tab.wait_for_selector("#search-results ul.search li a", timeout=60_000)
    hrefs = tab.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    tab.close()
    assert hrefs[0].split("#")[0] == f"book/{chapter}.html", f"searching {query!r} lists first: {hrefs[:5]}"
