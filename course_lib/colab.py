"""On Google Colab, install the Debian packages a chapter needs; elsewhere, do nothing.

Defined in: Preface, "How to use this course".

Every notebook's set-up cell calls :func:`install_system_packages` with its own
name. (Being completed: the per-chapter package table and the Colab path.)
"""

from __future__ import annotations

import os
import sys


def on_colab() -> bool:
    """Whether this Python runs inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def install_system_packages(notebook: str) -> list[str]:
    """Install, on Colab only, the Debian packages ``notebook`` needs; return what was installed."""
    if not on_colab():
        return []
    return []
