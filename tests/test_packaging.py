"""course_lib installs as a package (what `pip install git+URL` does) and imports cheaply; the published
configuration (_config.yml) points at no placeholder host."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Hosts that only stand in for a real one (RFC 2606), and this machine.
PLACEHOLDER_HOST = re.compile(r"//(?:[\w-]+\.)*example\.(?:org|com|net)\b|//localhost\b|//127\.", re.I)


def test_wheel_contains_every_module(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("course_lib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "course_lib").rglob("*.py")}
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("tests/", "book/", "student/")) for n in names)


def test_import_loads_neither_tensorflow_nor_matplotlib():
    code = (
        "import sys, course_lib, course_lib.checks; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def test_the_published_config_points_at_no_placeholder_host():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    placeholders = [s for s in _strings(config) if PLACEHOLDER_HOST.search(s)]
    assert not placeholders, f"_config.yml publishes placeholder addresses: {placeholders}"


def test_the_jupyterhub_button_is_hidden_unless_a_real_hub_is_configured():
    buttons = yaml.safe_load((ROOT / "_config.yml").read_text())["launch_buttons"]
    hub = buttons.get("jupyterhub_url", "")
    # sphinx-book-theme calls .strip() on it (None breaks the build) and shows the button for any non-empty value
    assert isinstance(hub, str), 'leave jupyterhub_url empty ("") to hide the JupyterHub button'
    assert hub == "" or re.fullmatch(r"https://[\w.-]+\.[a-z]{2,}(:\d+)?(/[\w./-]*)?", hub), hub
    assert buttons["colab_url"] == "https://colab.research.google.com"
    assert buttons["binderhub_url"] == "https://mybinder.org"


def test_the_placeholder_pattern_knows_a_placeholder_from_a_real_host():
    assert PLACEHOLDER_HOST.search("https://jupyterhub.example.org")
    assert PLACEHOLDER_HOST.search("https://example.com/hub")
    assert not PLACEHOLDER_HOST.search("https://mybinder.org")
    assert not PLACEHOLDER_HOST.search("https://github.com/neurons-to-networks/neurons-to-networks")
