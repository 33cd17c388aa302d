"""``course_lib.doctor()``: which versions are in use, and what is missing or known to break.

Defined in: Preface, "How to use this course".

Run it first when something behaves strangely::

    import course_lib
    course_lib.doctor()

The work is split in two: :func:`gather_facts` looks at this machine
(package versions read from their metadata, *without importing* TensorFlow,
which takes seconds; the ``espeak-ng`` program on ``PATH``), and the pure
function :func:`doctor_report` turns those facts into the lines to print and
the warnings.  The tests feed :func:`doctor_report` every situation.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass, field

#: Packages the report lists, as (label, distribution names to try in order).
PACKAGES = (
    ("numpy", ("numpy",)),
    ("matplotlib", ("matplotlib",)),
    ("ipywidgets", ("ipywidgets",)),
    ("scikit-learn", ("scikit-learn",)),
    ("TensorFlow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tensorflow-intel", "tf-nightly")),
    ("Keras", ("keras",)),
)

#: Lowest versions course_lib is tested with (as in pyproject.toml).
MINIMUM = {"numpy": (1, 24), "matplotlib": (3, 7), "ipywidgets": (8, 0), "scikit-learn": (1, 2)}

#: The oldest Python the course supports.
MIN_PYTHON = (3, 10)

#: How to get espeak-ng.  On Colab the speech chapter's set-up cell installs it (course_lib.colab).
ESPEAK_INSTALL = (
    "sudo apt-get install -y espeak-ng   (on Colab there is nothing to do: the set-up cell of the speech-recognition "
    "chapter installs it, with the other speech engines)"
)


@dataclass(frozen=True)
class Facts:
    """What :func:`doctor_report` needs to know about an environment.

    Defined in: Preface, "How to use this course".

    ``versions`` maps each label of :data:`PACKAGES` (and ``"course_lib"``)
    to its version string, or ``None`` when it is not installed.
    ``espeak_path`` is where ``espeak-ng`` was found, or ``None``.
    ``legacy_keras`` is true when ``TF_USE_LEGACY_KERAS=1`` is set, which
    makes TensorFlow use Keras 2 even when Keras 3 is installed.
    """

    python: tuple[int, int, int]
    versions: dict[str, str | None]
    espeak_path: str | None
    legacy_keras: bool = False


@dataclass(frozen=True)
class Report:
    """The doctor's findings: the version table, the warnings, and both as printable text.

    Defined in: Preface, "How to use this course".
    """

    lines: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is missing or known to break."""
        return not self.warnings

    @property
    def text(self) -> str:
        """Everything :func:`doctor` prints."""
        return "\n".join(self.lines)


def parse_version(version: str | None) -> tuple[int, ...] | None:
    """The leading numbers of a version string: ``"2.16.1rc0"`` → ``(2, 16, 1)``; ``None`` if there are none.

    Defined in: Preface, "How to use this course".
    """
    if not version:
        return None
    numbers = []
    for part in str(version).split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match.group()))
        if match.end() != len(part):  # "1rc0": keep the 1, stop after it
            break
    return tuple(numbers) or None


def doctor_report(facts: Facts) -> Report:
    """Turn the facts about an environment into the doctor's report (pure: no I/O).

    Defined in: Preface, "How to use this course".

    Parameters
    ----------
    facts : Facts
        Python version, package versions, where ``espeak-ng`` is and whether
        legacy Keras is forced.

    Returns
    -------
    Report
        ``lines`` (the version table, then the warnings or an all-clear) and
        ``warnings`` (one string per problem, each saying what breaks and
        how to fix it).
    """
    versions = facts.versions
    python = ".".join(str(n) for n in facts.python)
    table = [("Python", python), ("course_lib", versions.get("course_lib"))]
    table += [(label, versions.get(label)) for label, _ in PACKAGES]
    table.append(("espeak-ng", facts.espeak_path))
    width = max(len(label) for label, _ in table) + 2
    lines = ["Neurons to Networks: environment check"]
    lines += [f"  {label:<{width}}{value if value else 'not found'}" for label, value in table]

    warnings: list[str] = []
    if tuple(facts.python[:2]) < MIN_PYTHON:
        warnings.append(
            f"Python {python} is older than {'.'.join(map(str, MIN_PYTHON))}, the oldest version the course "
            "supports: install a newer Python (Colab and Binder already have one)."
        )
    if versions.get("course_lib") is None:
        warnings.append(
            "course_lib is not installed: run the first cell of any chapter, or `pip install -e .` in the repository."
        )
    for label, minimum in MINIMUM.items():
        found = parse_version(versions.get(label))
        wanted = ".".join(map(str, minimum))
        if found is None:
            warnings.append(f"{label} is missing: every chapter needs it (`pip install '{label}>={wanted}'`).")
        elif found < minimum:
            warnings.append(
                f"{label} {versions[label]} is older than {wanted}, the oldest version the course is tested with "
                f"(`pip install -U '{label}>={wanted}'`)."
            )
    tf = parse_version(versions.get("TensorFlow"))
    keras = parse_version(versions.get("Keras"))
    if tf is None:
        warnings.append(
            "TensorFlow is not installed: chapters 1-8 run without it, but chapter 9 and everything after it "
            "need it (`pip install 'tensorflow>=2.16'`)."
        )
    elif tf < (2, 16):
        warnings.append(
            f"TensorFlow {versions['TensorFlow']} is older than 2.16 and comes with Keras 2; the book is written "
            "for Keras 3 (`pip install -U 'tensorflow>=2.16'`)."
        )
    if keras is not None and keras < (3,):
        warnings.append(
            f"Keras {versions['Keras']} is Keras 2, not Keras 3: some of the book's Keras code (for example the "
            "GAN training of chapter 13) behaves differently (`pip install -U 'keras>=3'`)."
        )
    elif keras is None and tf is not None:
        warnings.append("Keras is not installed although TensorFlow is: `pip install -U 'keras>=3'`.")
    if facts.legacy_keras:
        warnings.append(
            "TF_USE_LEGACY_KERAS=1 is set, so TensorFlow uses Keras 2 (tf_keras) instead of Keras 3: unset it "
            "(`del os.environ['TF_USE_LEGACY_KERAS']` before importing TensorFlow)."
        )
    if facts.espeak_path is None:
        warnings.append(
            "espeak-ng is not on PATH: chapter 14 (speech recognition) generates its recordings with it. "
            f"Install it with: {ESPEAK_INSTALL}"
        )

    if warnings:
        lines.append("")
        lines.append(f"{len(warnings)} thing(s) to fix:")
        lines += [f"  ⚠ {w}" for w in warnings]
    else:
        lines.append("")
        lines.append("✅ Everything the course needs is here.")
    return Report(lines=lines, warnings=warnings)


def _installed_version(distributions) -> str | None:
    from importlib import metadata

    for name in distributions:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def gather_facts() -> Facts:
    """Look at this environment: versions from package metadata (nothing heavy is imported) and ``PATH``.

    Defined in: Preface, "How to use this course".
    """
    from course_lib import __version__

    versions: dict[str, str | None] = {"course_lib": __version__}
    for label, distributions in PACKAGES:
        versions[label] = _installed_version(distributions)
    return Facts(
        python=tuple(sys.version_info[:3]),
        versions=versions,
        espeak_path=shutil.which("espeak-ng"),
        legacy_keras=os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in {"1", "true", "yes"},
    )


def doctor() -> Report:
    """Print the versions in use and warn clearly about anything missing or known to break.

    Defined in: Preface, "How to use this course".

    Returns the :class:`Report` too (a notebook cell ending in ``doctor();``
    shows only the printed text).
    """
    report = doctor_report(gather_facts())
    print(report.text)
    return report


__all__ = ["Facts", "Report", "doctor", "doctor_report", "gather_facts", "parse_version"]
