"""The chapter 14 microphone widget records in a real browser and hands the samples to the kernel.

Runs JupyterLab and headless Chromium with Chromium's fake microphone (a beep), presses *Record*
and reads the recording back in Python.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.site.test_site import CHROMIUM, FLAGS

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium (tests/apt.txt)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    nb = new_notebook(
        cells=[
            new_code_cell("from course_lib.microphone import microphone\nw = microphone(seconds=1.0)\nw"),
            new_code_cell("wave, rate = w.wave()\nprint('RECORDED', len(wave), rate, float(abs(wave).max()) > 0)"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, root / "mic.ipynb")
    port = _free_port()
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    server = subprocess.Popen(
        [jupyter, "lab", "--no-browser", f"--port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={root}", "--allow-root"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_record_button_sends_the_recording_to_python(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
        )
        page = browser.new_context(permissions=["microphone"]).new_page()
        page.goto(f"{lab}/lab/tree/mic.ipynb")
        cells = page.locator(".jp-Notebook .jp-Cell")
        cells.nth(0).wait_for(timeout=90_000)
        page.wait_for_selector("text=/ipykernel\\) \\| Idle/", timeout=90_000)  # the status bar: kernel ready
        cells.nth(0).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        page.locator("button:has-text('Record')").click(timeout=60_000)
        page.wait_for_selector("text=/recorded 1\\.\\d s at \\d+ Hz/", timeout=30_000)
        cells.nth(1).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        output = cells.nth(1).locator(".jp-OutputArea-output").filter(has_text="RECORDED").last
        output.wait_for(timeout=30_000)
        _, samples, rate, loud = output.inner_text().split()
        browser.close()
    assert int(rate) >= 8000 and 0.8 * int(rate) <= int(samples) <= 1.5 * int(rate) and loud == "True"


def test_a_stereo_44k_wav_uploaded_in_the_browser_reaches_python_as_mono_8k(lab, tmp_path):
    """The WAV upload of chapter 14 through JupyterLab's real FileUpload front end (issue 21 §3)."""
    import http.cookiejar
    import io
    import json

    import numpy as np
    from playwright.sync_api import sync_playwright
    from scipy.io import wavfile

    rate, seconds = 44100, 0.5
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    wav = tmp_path / "stereo 44k.wav"
    buf = io.BytesIO()
    wavfile.write(buf, rate, np.round(np.stack([tone, 0.5 * tone], axis=1) * 32767).astype(np.int16))
    wav.write_bytes(buf.getvalue())
    nb = new_notebook(
        cells=[
            new_code_cell("from course_lib import microphone\nu = microphone.upload()\nu"),
            new_code_cell("wave, rate = microphone.wave_from_upload(u.value)\nprint('UPLOADED', len(wave), rate)"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    body = json.dumps({"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(nb))}).encode()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{lab}/lab", timeout=30)  # sets the _xsrf cookie the contents API asks back for
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    request = urllib.request.Request(
        f"{lab}/api/contents/upload.ipynb", data=body, method="PUT", headers={"X-XSRFToken": xsrf}
    )
    opener.open(request, timeout=30)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        page.goto(f"{lab}/lab/workspaces/upload-test/tree/upload.ipynb?reset")  # a workspace with this notebook only
        cells = page.locator(".jp-Notebook:visible .jp-Cell")
        cells.nth(0).wait_for(timeout=90_000)
        page.wait_for_selector("text=/ipykernel\\) \\| Idle/", timeout=90_000)
        cells.nth(0).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        with page.expect_file_chooser(timeout=60_000) as chooser:
            page.locator("button:has-text('Upload a WAV')").click(timeout=60_000)
        chooser.value.set_files(str(wav))
        page.wait_for_selector("button:has-text('(1)')", timeout=30_000)  # the button counts the uploaded files
        cells.nth(1).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        output = cells.nth(1).locator(".jp-OutputArea-output").filter(has_text="UPLOADED").last
        output.wait_for(timeout=30_000)
        _, samples, out_rate = output.inner_text().split()
        browser.close()
    assert int(out_rate) == 8000 and int(samples) == int(8000 * seconds)
