"""On Google Colab, install what a chapter needs that Colab lacks; elsewhere, do nothing.

Defined in: Preface, "How to use this course".

Every notebook's set-up cell calls :func:`install_system_packages` with its
own name (the file name without ``.ipynb``).  On Colab, which runs notebooks
as root on Ubuntu, it installs the chapter's Debian packages that are missing
(``apt-get``) and the Python packages that ``pip install git+…`` of
``course_lib`` does not bring, printing one line that says what and why.
When nothing is missing it prints nothing.  Anywhere else it does nothing at
all: a local learner gets the same packages from ``make setup`` (``apt.txt``,
``requirements.txt``) and Binder reads the same two files, so a test checks
that they cover every entry of the tables below.

Only the speech-recognition chapter needs anything on Colab.  Data sets come
from the network there: Keras downloads Fashion-MNIST and the cats-and-dogs
photos into its cache, so the Debian package ``dataset-fashion-mnist`` (which
``make`` uses to fill that cache offline) is not installed on Colab.
``bubblewrap`` (``apt.txt``) is for an instructor's grading machine, not for a
notebook.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence

#: The Debian package of each festival voice of :data:`course_lib.synthesis.FESTIVAL_VOICES`.  Every one is in
#: Debian main, and so in Ubuntu's universe component, which Colab's Ubuntu has enabled.
FESTIVAL_VOICE_PACKAGES = {
    "kal": "festvox-kallpc16k",
    "ked": "festvox-kdlpc16k",
    "slt": "festvox-us-slt-hts",
    "it-pc": "festvox-itapc16k",
    "it-lp": "festvox-italp16k",
    "cs-dita": "festvox-czech-dita",
    "cs-krb": "festvox-czech-krb",
    "cs-ph": "festvox-czech-ph",
    "fi-lj": "festvox-suopuhe-lj",
    "fi-mv": "festvox-suopuhe-mv",
}

#: The speech engines of chapter 14 (course_lib.synthesis), and every festival voice its recognizer trains on.
SPEECH_PACKAGES = ("espeak-ng", "flite", "festival", *FESTIVAL_VOICE_PACKAGES.values())

#: Debian packages each notebook needs on Colab (by file name without ``.ipynb``); ``()`` for none.
DEBIAN_PACKAGES: dict[str, tuple[str, ...]] = {
    "00_preface": (),
    "01_what_is_deep_learning": (),
    "02_neurons": (),
    "03_perceptron": (),
    "04_activations": (),
    "05_forward_propagation": (),
    "06_losses": (),
    "07_gradient_descent": (),
    "08_backpropagation": (),
    "09_training": (),
    "10_network_types": (),
    "11_convolutional": (),  # Fashion-MNIST: Keras downloads it on Colab
    "11a_cats_vs_dogs": (),  # the photos: Keras downloads them on Colab
    "11b_transfer_learning": (),  # photos, MobileNetV2 weights, Fashion-MNIST: Keras downloads them on Colab
    "11c_modern_cnns": (),
    "12_recurrent": (),
    "12a_text": (),  # tiny Shakespeare: Keras downloads it on Colab
    "13_gans": (),
    "14_speech": SPEECH_PACKAGES,
    "15_image_recognition": (),
    "15a_cats_closely": (),
    "15b_faces": (),
    "16_applications": (),
    "16a_forecasting_and_logs": (),
    "16b_recommender": (),
    "17_challenges": (),
    "17a_robustness_and_cost": (),  # only counts the speech recordings and builds the model: no synthesis
    "18_whats_next": (),
    "18a_transformer": (),
}

#: Python packages a notebook needs beyond ``course_lib``'s own dependencies, as (module to import, what to
#: ``pip install``).  SVOX Pico is ``course_lib``'s optional ``speech`` extra, which the set-up cell's
#: ``pip install git+…`` does not bring; Binder and ``make setup`` have it from ``requirements.txt``.
PYTHON_PACKAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "14_speech": (("ttspico", "ttspico>=0.3.2"),),
}

#: What the packages of a notebook are for, in the line printed while they install.
PURPOSES = {"14_speech": "this chapter's speech synthesis"}

Runner = Callable[..., subprocess.CompletedProcess]


class InstallError(RuntimeError):
    """An install command failed on Colab; the message has its output's end and the command to run by hand.

    Defined in: Preface, "How to use this course".
    """


def on_colab() -> bool:
    """Whether this Python runs inside Google Colab.

    Defined in: Preface, "How to use this course".
    """
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def _module_missing(module: str) -> bool:
    return importlib.util.find_spec(module) is None


def missing_debian_packages(packages: Sequence[str], run: Runner | None = None) -> list[str]:
    """The ``packages`` that dpkg does not list as installed, in their order.

    Defined in: Preface, "How to use this course".
    """
    if not packages:
        return []
    run = subprocess.run if run is None else run
    query = ["dpkg-query", "-W", "-f=${Package} ${Status}\\n", *packages]
    result = run(query, capture_output=True, text=True)  # unknown names go to stderr; the rest are listed
    installed = set()
    for line in (result.stdout or "").splitlines():
        fields = line.split()  # "espeak-ng install ok installed"
        if len(fields) == 4 and fields[3] == "installed":
            installed.add(fields[0].split(":")[0])
    return [p for p in packages if p not in installed]


def _check(result: subprocess.CompletedProcess, command: list[str], by_hand: str, what: str) -> None:
    if result.returncode == 0:
        return
    output = "\n".join(s for s in (result.stdout, result.stderr) if s).strip().splitlines()
    tail = "\n".join(output[-15:]) or "(no output)"
    raise InstallError(
        f"Installing {what} failed: `{shlex.join(command)}` exited with code {result.returncode}. "
        f"Its last lines:\n{tail}\n"
        f"Run this in a cell to see the whole output, then run the set-up cell again:\n{by_hand}"
    )


def install_system_packages(notebook: str, run: Runner | None = None) -> list[str]:
    """Install, on Colab only, what ``notebook`` needs and Colab lacks; return the names installed.

    Defined in: Preface, "How to use this course".

    ``notebook`` is the notebook's file name without ``.ipynb`` (``"14_speech"``); an unknown name raises
    :class:`ValueError` everywhere, so a typo shows up in the course's own tests.  Off Colab nothing is run
    and ``[]`` is returned.  On Colab the missing Debian packages (asked of ``dpkg-query``) are installed with
    ``apt-get update -qq`` and ``apt-get install -y -qq --no-install-recommends …``, then the missing Python
    packages with ``pip install -q …``, all with their output captured; a failure raises
    :class:`InstallError` with the end of that output and the command to run by hand.  ``run`` runs each
    command (default :func:`subprocess.run`); the tests pass a fake one.
    """
    if notebook not in DEBIAN_PACKAGES:
        raise ValueError(f"unknown notebook {notebook!r}: the names are {', '.join(DEBIAN_PACKAGES)}")
    if not on_colab():
        return []
    run = subprocess.run if run is None else run
    debian = missing_debian_packages(DEBIAN_PACKAGES[notebook], run)
    python = [(m, req) for m, req in PYTHON_PACKAGES.get(notebook, ()) if _module_missing(m)]
    if not debian and not python:
        return []

    names = debian + [m for m, _ in python]
    purpose = PURPOSES.get(notebook, "this chapter")
    print(f"Installing {', '.join(names)} for {purpose} (about a minute)…", end="", flush=True)
    try:
        _install(debian, python, run)
    except InstallError:
        print(" failed.", flush=True)
        raise
    print(" done.", flush=True)
    return names


def _install(debian: list[str], python: list[tuple[str, str]], run: Runner) -> None:
    if debian:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        by_hand = f"!apt-get update && apt-get install -y --no-install-recommends {' '.join(debian)}"
        for command in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *debian],
        ):
            _check(run(command, capture_output=True, text=True, env=env), command, by_hand, ", ".join(debian))
    if python:
        command = [sys.executable, "-m", "pip", "install", "-q", *(req for _, req in python)]
        by_hand = f"!pip install {' '.join(shlex.quote(req) for _, req in python)}"
        _check(run(command, capture_output=True, text=True), command, by_hand, ", ".join(m for m, _ in python))
        importlib.invalidate_caches()  # so that this kernel finds the new package without a restart


__all__ = [
    "DEBIAN_PACKAGES",
    "FESTIVAL_VOICE_PACKAGES",
    "InstallError",
    "PURPOSES",
    "PYTHON_PACKAGES",
    "SPEECH_PACKAGES",
    "install_system_packages",
    "missing_debian_packages",
    "on_colab",
]
