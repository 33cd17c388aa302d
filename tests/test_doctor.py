"""The environment doctor: every warning, fed through the pure doctor_report()."""

from __future__ import annotations

import subprocess
import sys

import pytest

import course_lib
from course_lib.colab import SPEECH_PACKAGES
from course_lib.environment import Facts, doctor_report, gather_facts, parse_version

GOOD_VERSIONS = {
    "course_lib": "0.1.0",
    "numpy": "2.4.0",
    "matplotlib": "3.10.0",
    "ipywidgets": "8.1.5",
    "scikit-learn": "1.6.1",
    "TensorFlow": "2.21.0",
    "Keras": "3.15.1",
}


def facts(python=(3, 12, 1), espeak="/usr/bin/espeak-ng", legacy=False, **versions) -> Facts:
    merged = dict(GOOD_VERSIONS)
    merged.update({("scikit-learn" if k == "scikit_learn" else k): v for k, v in versions.items()})
    return Facts(python=python, versions=merged, espeak_path=espeak, legacy_keras=legacy)


def test_a_healthy_environment_has_no_warnings_and_lists_every_version():
    report = doctor_report(facts())
    assert report.ok and report.warnings == []
    text = report.text
    for label, version in GOOD_VERSIONS.items():
        assert label in text and version in text
    assert "Python        3.12.1" in text
    assert "/usr/bin/espeak-ng" in text
    assert "Everything the course needs is here" in text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"TensorFlow": None, "Keras": None}, "chapter 9 and everything after it"),
        ({"Keras": "2.15.0"}, "Keras 2.15.0 is Keras 2, not Keras 3"),
        ({"TensorFlow": "2.15.1", "Keras": "2.15.0"}, "older than 2.16"),
        ({"Keras": None}, "Keras is not installed although TensorFlow is"),
        ({"espeak": None}, "apt-get install -y espeak-ng"),
        ({"python": (3, 9, 18)}, "Python 3.9.18 is older than 3.10"),
        ({"legacy": True}, "TF_USE_LEGACY_KERAS=1"),
        ({"course_lib": None}, "course_lib is not installed"),
        ({"numpy": None}, "numpy is missing"),
        ({"matplotlib": "3.5.3"}, "matplotlib 3.5.3 is older than 3.7"),
        ({"ipywidgets": "7.8.1"}, "ipywidgets 7.8.1 is older than 8.0"),
        ({"scikit_learn": None}, "scikit-learn is missing"),
    ],
)
def test_each_problem_gets_exactly_one_clear_warning(changes, expected):
    changes = dict(changes)
    kwargs = {key: changes.pop(key) for key in ("python", "espeak", "legacy") if key in changes}
    report = doctor_report(facts(**kwargs, **changes))
    assert not report.ok
    matching = [w for w in report.warnings if expected in w]
    assert len(matching) == 1, report.warnings
    assert f"⚠ {matching[0]}" in report.text
    assert f"{len(report.warnings)} thing(s) to fix:" in report.text


def test_missing_tensorflow_is_a_single_warning_that_names_the_chapters():
    report = doctor_report(facts(TensorFlow=None, Keras=None))
    assert len(report.warnings) == 1
    assert "TensorFlow is not installed" in report.warnings[0]
    assert "TensorFlow    not found" in report.text


def test_missing_espeak_says_which_chapter_needs_it():
    (warning,) = doctor_report(facts(espeak=None)).warnings
    assert "chapter 14" in warning and "espeak-ng     not found" in doctor_report(facts(espeak=None)).text


def test_missing_espeak_on_colab_points_at_the_set_up_cell_not_at_a_manual_apt_get():
    (warning,) = doctor_report(facts(espeak=None)).warnings
    assert "on Colab there is nothing to do" in warning and "set-up cell" in warning
    assert "!apt-get" not in warning  # course_lib.colab installs it (tests/test_colab.py)
    assert "espeak-ng" in SPEECH_PACKAGES


def test_several_problems_are_all_reported():
    report = doctor_report(facts(python=(3, 8, 0), espeak=None, TensorFlow=None, Keras=None))
    assert len(report.warnings) == 3
    assert "3 thing(s) to fix" in report.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.16.1", (2, 16, 1)), ("3.0.0rc1", (3, 0, 0)), ("1.26", (1, 26)), ("2.21.0.dev20250101", (2, 21, 0))],
)
def test_parse_version(text, expected):
    assert parse_version(text) == expected


@pytest.mark.parametrize("text", [None, "", "unknown"])
def test_parse_version_of_nothing_is_none(text):
    assert parse_version(text) is None


def test_gather_facts_reads_this_environment_without_importing_tensorflow():
    code = (
        "import sys, course_lib\n"
        "from course_lib.environment import gather_facts\n"
        "f = gather_facts()\n"
        "assert f.versions['numpy'] and f.versions['course_lib'] == course_lib.__version__\n"
        "assert 'tensorflow' not in sys.modules and 'matplotlib' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert gather_facts().python == tuple(sys.version_info[:3])


def test_legacy_keras_environment_variable_is_noticed(monkeypatch):
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    assert gather_facts().legacy_keras
    monkeypatch.delenv("TF_USE_LEGACY_KERAS")
    assert not gather_facts().legacy_keras


def test_espeak_is_looked_up_on_path(monkeypatch):
    monkeypatch.setenv("PATH", "")
    assert gather_facts().espeak_path is None


def test_course_lib_doctor_and_the_environment_module_agree(capsys):
    course_lib.doctor()
    first = capsys.readouterr().out
    from course_lib.environment import doctor

    report = doctor()
    assert capsys.readouterr().out == first == report.text + "\n"
    assert course_lib.doctor() is None
    assert capsys.readouterr().out == first
    assert course_lib.doctor_report is doctor_report
    assert "Neurons to Networks: environment check" in first
