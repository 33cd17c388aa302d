"""Point the book at another repository (a fork): `make repo URL=https://github.com/YOU/FORK`.

_config.yml holds the one repository URL; this rewrites it there and in
everything derived from it that is stored in files (each notebook's install
cell and the README).  tests/test_notebooks.py checks they agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]


def main(url: str) -> int:
    if not re.fullmatch(r"https://(github\.com|gitlab\.com)/[\w.-]+/[\w.-]+", url or ""):
        print("usage: make repo URL=https://github.com/OWNER/REPO", file=sys.stderr)
        return 2
    config = ROOT / "_config.yml"
    old = yaml.safe_load(config.read_text())["repository"]["url"]
    config.write_text(config.read_text().replace(f"url: {old}", f"url: {url}"))
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and f"git+{old}" in cell.source:
                cell.source = cell.source.replace(f"git+{old}", f"git+{url}")
        nbformat.write(nb, path)
    readme = ROOT / "README.md"
    readme.write_text(readme.read_text().replace(old, url))
    print(f"Repository URL changed from {old} to {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
