"""The built site, opened page by page in headless Chromium (run after `make book`).

For every page: no console errors, math rendered by MathJax (no raw `$$`),
printed output that fits the page and no ``<… object at 0x…>`` reprs,
launch buttons pointing at that page's notebook in the *student edition* (a JupyterHub one only when
an instructor configured a hub; no link to a placeholder host anywhere),
exercise solutions collapsed, exercises numbered, and no accessibility violation of impact "serious" or
"critical" under axe-core's WCAG 2.1 A/AA rules ("moderate" ones are printed; every page's counts are written
to _build/axe.json).  A screenshot of each page is saved under _build/screenshots/ for a human to look at.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(__import__("os").environ.get("SITE_HTML", ROOT / "_build" / "html"))
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.glob("book/**/*.html")) if HTML.exists() else []
#: axe-core's rule tags for WCAG 2.0 and 2.1, levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
#: The JupyterHub an instructor configured ("" when none: then no page may have a JupyterHub button).
HUB_URL = (CONFIG["launch_buttons"].get("jupyterhub_url") or "").strip("/")
#: What sphinx-book-theme's JupyterHub button links to on the hub (an nbgitpuller link).
HUB_LINK = "/hub/user-redirect/git-pull?"
#: Hosts that only stand in for a real one (RFC 2606), and this machine.
PLACEHOLDER_HOST = re.compile(r"//(?:[\w-]+\.)*example\.(?:org|com|net)\b|//localhost\b|//127\.", re.I)
LINK = re.compile(r"""\b(?:href|src|action)\s*=\s*["']([^"']*)["']""", re.I)

pytestmark = pytest.mark.skipif(not PAGES, reason="build the site first: make book")


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def axe_violations(tab) -> list[dict]:
    """axe-core's WCAG 2.1 AA violations on the page open in ``tab`` (axe-core as packaged by axe-playwright-python)."""
    from importlib.resources import files

    tab.add_script_tag(content=(files("axe_playwright_python") / "axe.min.js").read_text())
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def meaningful_alt(alt: str | None) -> bool:
    """Alternative text that says something: a few words, not a file name or a generic word (issue 20 §3)."""
    text = (alt or "").strip()
    if re.fullmatch(r"[\w./:-]+\.(png|svg|jpe?g|gif)", text, re.I) or text.lower() in {"image", "figure", "plot"}:
        return False
    return len(text.split()) >= 4


def _record_axe(page: str, violations: list[dict]) -> None:
    """Add this page's counts by impact to _build/axe.json (for the closing note and a human reader)."""
    import json

    path = ROOT / "_build" / "axe.json"
    record = json.loads(path.read_text()) if path.exists() else {}
    counts = {}
    for v in violations:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    record[page] = counts
    path.write_text(json.dumps(record, indent=1, sort_keys=True))


def _source_notebook(page: str) -> Path | None:
    path = ROOT / Path(page).with_suffix(".ipynb")
    return path if path.exists() else None


def _links(path: Path) -> list[str]:
    return [unquote(m.group(1)) for m in LINK.finditer(path.read_text(encoding="utf-8", errors="replace"))]


def test_no_built_page_links_to_a_placeholder_host():
    """Every HTML file of the site (the chapters, the index, the search page, ...), read without a browser."""
    bad = {}
    for path in sorted(HTML.rglob("*.html")):
        found = [link for link in _links(path) if PLACEHOLDER_HOST.search(link)]
        if found:
            bad[path.relative_to(HTML).as_posix()] = found[:2]
    assert not bad, f"pages link to placeholder hosts: {bad}"


def test_no_jupyterhub_launch_link_unless_a_hub_is_configured():
    hub_links = {page: [h for h in _links(HTML / page) if HUB_LINK in h] for page in PAGES}
    if HUB_URL:
        notebooks = [page for page in PAGES if _source_notebook(page) is not None]
        assert all(len(hub_links[p]) == 1 and hub_links[p][0].startswith(HUB_URL) for p in notebooks), hub_links
    else:
        with_hub = {page: links for page, links in hub_links.items() if links}
        assert not with_hub, f"no jupyterhub_url in _config.yml, yet these pages have a JupyterHub button: {with_hub}"


@pytest.mark.parametrize("page", PAGES)
def test_page(page, server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = ctx.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    tab.on("response", lambda resp: errors.append(f"HTTP {resp.status}: {resp.url}") if resp.status >= 400 else None)
    tab.goto(f"{server}/{page}", wait_until="load")
    tab.wait_for_load_state("networkidle")
    if tab.locator("div.math, span.math").count():
        tab.wait_for_selector("mjx-container", state="attached", timeout=15000)
    tab.screenshot(path=str(SHOTS / f"{Path(page).stem}.png"), full_page=True)

    assert not errors, f"console errors on {page}: {errors}"

    prose = tab.evaluate(
        """() => { const a = document.querySelector('article').cloneNode(true);
                   a.querySelectorAll('pre, code, .cell_output, mjx-container').forEach(e => e.remove());
                   return a.innerText; }"""
    )
    raw = re.findall(r".{0,30}\$.{0,30}", prose)
    assert not raw, f"raw TeX ($ signs) left in the prose of {page}: {raw[:3]}"
    assert (
        tab.locator("div.math, span.math").count()
        == tab.locator("div.math mjx-container, span.math mjx-container").count()
    )

    printed = ".cell_output .output.stream pre, .cell_output .output.text_plain pre"
    overflowing = tab.eval_on_selector_all(
        printed, "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 60))"
    )
    assert not overflowing, f"printed output wider than the page on {page} (hidden behind a scroll bar): {overflowing}"
    reprs = re.findall(r"<[\w.<>]+ object at 0x[0-9a-f]+>", tab.inner_text("article"))
    assert not reprs, f"a Python object's default repr is printed on {page}: {reprs[:2]}"

    alts = tab.eval_on_selector_all(
        "article img", "els => els.map(e => [e.getAttribute('src'), e.getAttribute('alt')])"
    )
    unnamed = [src for src, alt in alts if not meaningful_alt(alt)]
    assert not unnamed, f"figures on {page} without alternative text that says what they show: {unnamed[:5]}"

    violations = axe_violations(tab)
    _record_axe(page, violations)
    for v in violations:
        if v["impact"] not in ("serious", "critical"):
            print(f"axe ({v['impact']}) on {page}: {v['id']}: {v['help']} at {v['nodes']}")
    severe = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not severe, f"accessibility violations on {page}: {severe}"

    notebook = _source_notebook(page)
    if notebook is None:
        ctx.close()
        return
    student_path = f"student/{Path(page).with_suffix('.ipynb').as_posix()}"
    hrefs = [unquote(h) for h in tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")]
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    colab = [h for h in hrefs if h.startswith("https://colab.research.google.com/")]
    binder = [h for h in hrefs if h.startswith("https://mybinder.org/")]
    hub = [h for h in hrefs if HUB_LINK in h]
    assert colab == [f"https://colab.research.google.com/github/{repo}/blob/main/{student_path}"], colab
    assert len(binder) == 1 and binder[0].endswith(f"urlpath=lab/tree/{student_path}"), binder
    if HUB_URL:
        assert len(hub) == 1 and hub[0].startswith(HUB_URL) and student_path in hub[0], hub
    else:
        assert hub == [], f"no JupyterHub is configured, yet {page} has a JupyterHub launch link: {hub}"

    nb = nbformat.read(notebook, as_version=4)
    solutions = sum("# BEGIN SOLUTION" in c.source for c in nb.cells if c.cell_type == "code")
    hidden = tab.locator(".tag_hide-input")
    assert hidden.count() >= solutions
    for i in range(hidden.count()):
        assert not hidden.nth(i).locator(".cell_input pre").first.is_visible(), f"solution {i} visible on {page}"
    widget_cells = tab.locator(".cell", has_text="Sliders appear here")
    for i in range(widget_cells.count()):
        assert widget_cells.nth(i).locator(".cell_output img").count() >= 1, (
            f"widget cell {i} on {page} has no static figure"
        )
    exercises = tab.locator(".exercise > .admonition-title")
    titles = [exercises.nth(i).inner_text() for i in range(exercises.count())]
    assert all(re.match(r"Exercise \d+\.\d+ ", t) for t in titles), titles  # numbered per chapter
    if solutions:
        assert titles, f"{page} has solutions but no numbered exercises"
    ctx.close()
