"""``make pdf``: one PDF of the whole book, printed from the built site by headless Chromium.

The site (``make book``) already has everything a printed book needs — numbered chapters and exercises, maths
rendered by MathJax, the figures of the executed notebooks — so each page, in the order of the table of contents,
is printed with Chromium's own print engine (through Playwright) and the pages are joined with ``pypdf``, with one
bookmark per chapter.  It is the *student* version: exercise solutions, folded away on the site, are left out;
hints and review answers are unfolded, since paper cannot be clicked.

    python tools/make_pdf.py [OUTPUT]        # default: _build/pdf/neurons-to-networks.pdf
"""

from __future__ import annotations

import functools
import http.server
import io
import shutil
import sys
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
DEFAULT = ROOT / "_build" / "pdf" / "neurons-to-networks.pdf"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PRINT_CSS = """
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .prev-next-area, .bd-footer,
.bd-footer-article, .headerlink, details.hide.above-input, .tag_hide-input .cell_input, #jb-print-docs-body,
.tag_hide-input:not(:has(.cell_output)) { display: none !important; }
article.bd-article h1, article.bd-article .section-number { display: block !important; visibility: visible !important; }
article.bd-article .section-number { display: inline !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
.bd-page-width { max-width: 100% !important; }
div.cell_output img { max-width: 100% !important; page-break-inside: avoid; }
h1, h2, h3 { page-break-after: avoid; }
pre { white-space: pre-wrap !important; word-break: break-all; }
"""


def pages() -> list[str]:
    """The site's pages in reading order: the start page, then the table of contents."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return [f"{f}.html" for f in files]


def _serve():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def print_page(tab, url: str) -> tuple[bytes, str]:
    """The PDF of one page and its title."""
    tab.goto(url, wait_until="load")
    tab.wait_for_load_state("networkidle")
    if tab.locator("div.math, span.math").count():
        tab.wait_for_selector("mjx-container", state="attached", timeout=30000)
    tab.add_style_tag(content=PRINT_CSS)
    tab.evaluate("() => document.querySelectorAll('.admonition.dropdown button.toggle-button').forEach(b => b.click())")
    tab.evaluate("() => document.querySelectorAll('details:not(.above-input)').forEach(d => d.open = true)")
    tab.emulate_media(media="print")
    title = tab.evaluate("() => (document.querySelector('article h1') || {innerText: document.title}).innerText")
    pdf = tab.pdf(
        format="A4", print_background=True, margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
    )
    return pdf, " ".join(title.replace("#", "").split())


def build(output: Path = DEFAULT) -> Path:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    missing = [p for p in pages() if not (HTML / p).exists()]
    if missing:
        raise SystemExit(f"build the site first (make book): missing {missing[:3]}")
    httpd = _serve()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    writer = PdfWriter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
            tab = browser.new_context(viewport={"width": 1100, "height": 1400}).new_page()
            for page in pages():
                pdf, title = print_page(tab, f"{base}/{page}")
                start = len(writer.pages)
                for sheet in PdfReader(io.BytesIO(pdf)).pages:
                    writer.add_page(sheet)
                writer.add_outline_item(title, start)
                print(f"{len(writer.pages):4d} pages  {title}", flush=True)
            browser.close()
    finally:
        httpd.shutdown()
    writer.add_metadata({"/Title": "Neurons to Networks", "/Subject": "An open deep-learning course"})
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "wb") as f:
        writer.write(f)
    return output


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
    print(f"wrote {out}")
