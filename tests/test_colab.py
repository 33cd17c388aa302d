"""The set-up cell on Colab and Binder: each chapter gets what it needs, with no network and no root here.

Colab is simulated (``COLAB_RELEASE_TAG`` set, a fake command runner that answers ``dpkg-query`` and records
every command), so these tests check the exact commands the set-up cell would issue.  Binder reads the
repository's ``apt.txt``, ``requirements.txt`` and ``postBuild``: they must cover every chapter.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib import colab, synthesis

ROOT = Path(__file__).resolve().parents[1]
BOOK = sorted((ROOT / "book").glob("*.ipynb"))
#: What the Colab and Binder buttons open: the set-up cell must work there too.
STUDENT = sorted((ROOT / "student" / "book").glob("*.ipynb"))
STEMS = [p.stem for p in BOOK]
APT_UPDATE = ["apt-get", "update", "-qq"]
APT_INSTALL = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"]


class FakeApt:
    """Stands in for ``subprocess.run``: knows which Debian packages are installed, records every command."""

    def __init__(self, installed=(), fail=None, output="E: Unable to locate package festvox-kallpc16k"):
        self.installed, self.fail, self.output = set(installed), fail, output
        self.commands: list[list[str]] = []

    def __call__(self, command, **kwargs):
        command = list(command)
        assert kwargs.get("capture_output") and kwargs.get("text"), "every command's output is captured"
        if command[0] == "dpkg-query":
            assert command[:3] == ["dpkg-query", "-W", "-f=${Package} ${Status}\\n"]
            known = [p for p in command[3:] if p in self.installed]
            stdout = "".join(f"{p} install ok installed\n" for p in known)
            return subprocess.CompletedProcess(command, 1 if len(known) < len(command) - 3 else 0, stdout, "")
        self.commands.append(command)
        if self.fail is not None and command[: len(self.fail)] == self.fail:
            return subprocess.CompletedProcess(command, 100, "Reading package lists...\n", self.output)
        if command[0] == "apt-get":
            assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive"
        return subprocess.CompletedProcess(command, 0, "", "")


def pip_install(*requirements):
    return [sys.executable, "-m", "pip", "install", "-q", *requirements]


@pytest.fixture
def on_colab(monkeypatch):
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-test")
    monkeypatch.setattr(colab, "_module_missing", lambda module: False)


@pytest.fixture
def off_colab(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)


def test_colab_is_detected_by_its_module_or_its_environment_variable(monkeypatch, off_colab):
    assert not colab.on_colab()
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20260101-060000_RC00")
    assert colab.on_colab()
    monkeypatch.delenv("COLAB_RELEASE_TAG")
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert colab.on_colab()


def test_missing_packages_are_installed_with_the_exact_apt_commands_in_order(on_colab, capsys):
    fake = FakeApt(installed={"espeak-ng", "festival", "festvox-kallpc16k"})
    installed = colab.install_system_packages("14_speech", run=fake)
    missing = [p for p in colab.SPEECH_PACKAGES if p not in {"espeak-ng", "festival", "festvox-kallpc16k"}]
    assert installed == missing
    assert fake.commands == [APT_UPDATE, APT_INSTALL + missing]
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "one line says what is installed and why"
    assert out.startswith(f"Installing {', '.join(missing)} for this chapter's speech synthesis (about a minute)")
    assert out.rstrip().endswith("done.")


def test_a_missing_python_package_is_pip_installed_after_the_debian_ones(on_colab, monkeypatch, capsys):
    monkeypatch.setattr(colab, "_module_missing", lambda module: module == "ttspico")
    fake = FakeApt(installed=set(colab.SPEECH_PACKAGES) - {"flite"})
    assert colab.install_system_packages("14_speech", run=fake) == ["flite", "ttspico"]
    assert fake.commands == [APT_UPDATE, APT_INSTALL + ["flite"], pip_install("ttspico>=0.3.2")]
    assert "Installing flite, ttspico for this chapter's speech synthesis" in capsys.readouterr().out


def test_only_a_python_package_missing_runs_no_apt_get(on_colab, monkeypatch):
    monkeypatch.setattr(colab, "_module_missing", lambda module: True)
    fake = FakeApt(installed=colab.SPEECH_PACKAGES)
    assert colab.install_system_packages("14_speech", run=fake) == ["ttspico"]
    assert fake.commands == [pip_install("ttspico>=0.3.2")]


def test_nothing_missing_runs_nothing_and_says_nothing(on_colab, capsys):
    fake = FakeApt(installed=colab.SPEECH_PACKAGES)
    assert colab.install_system_packages("14_speech", run=fake) == []
    assert fake.commands == []
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("stem", [s for s in STEMS if not colab.DEBIAN_PACKAGES.get(s)])
def test_a_chapter_that_needs_nothing_asks_nothing(on_colab, stem, capsys):
    def never(*args, **kwargs):
        raise AssertionError(f"{stem} needs nothing on Colab, yet ran {args}")

    assert colab.install_system_packages(stem, run=never) == []
    assert capsys.readouterr().out == ""


def test_off_colab_nothing_runs_even_when_everything_is_missing(off_colab, monkeypatch, capsys):
    monkeypatch.setattr(colab, "_module_missing", lambda module: True)
    fake = FakeApt(installed=())
    assert colab.install_system_packages("14_speech", run=fake) == []
    assert fake.commands == []
    assert capsys.readouterr().out == ""


def test_an_unknown_notebook_name_is_a_clear_error_everywhere(off_colab):
    with pytest.raises(ValueError, match=r"unknown notebook '14_speach'.*14_speech"):
        colab.install_system_packages("14_speach")


@pytest.mark.parametrize(
    ("fail", "what"),
    [(APT_UPDATE, "apt-get update"), (APT_INSTALL, "apt-get install"), (pip_install()[:5], "pip install")],
)
def test_a_failed_install_raises_with_the_output_and_the_command_to_run_by_hand(on_colab, monkeypatch, fail, what):
    monkeypatch.setattr(colab, "_module_missing", lambda module: True)
    fake = FakeApt(installed=set(colab.SPEECH_PACKAGES) - {"festvox-kallpc16k"}, fail=fail)
    with pytest.raises(colab.InstallError) as raised:
        colab.install_system_packages("14_speech", run=fake)
    message = str(raised.value)
    assert what in message and "exited with code 100" in message
    assert "E: Unable to locate package festvox-kallpc16k" in message  # the end of the command's output
    if what == "pip install":
        assert "!pip install 'ttspico>=0.3.2'" in message
    else:
        assert "!apt-get update && apt-get install -y --no-install-recommends festvox-kallpc16k" in message
    assert fake.commands[-1][: len(fail)] == fail, "nothing runs after the failed command"


def test_the_real_dpkg_query_finds_what_is_installed_here():
    if subprocess.run(["which", "dpkg-query"], capture_output=True).returncode != 0:
        pytest.skip("no dpkg here")
    assert colab.missing_debian_packages(["dpkg", "no-such-package-in-any-archive"]) == [
        "no-such-package-in-any-archive"
    ]


# --- every notebook's set-up cell -------------------------------------------------------------------------


def _setup_call(path: Path) -> tuple[str, ast.Module]:
    """The first code cell's source, and its statements from ``from course_lib.colab import`` to the call."""
    first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code").source
    body = ast.parse(first).body
    start = next(i for i, s in enumerate(body) if isinstance(s, ast.ImportFrom) and s.module == "course_lib.colab")
    end = next(
        i
        for i, s in enumerate(body)
        if isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and getattr(s.value.func, "id", None) == "install_system_packages"
    )
    assert start < end
    return first, ast.Module(body=body[start : end + 1], type_ignores=[])


def test_every_notebook_is_in_the_table_and_the_table_has_no_stale_entries():
    assert STEMS, "no notebooks found"
    assert sorted(colab.DEBIAN_PACKAGES) == STEMS
    assert set(colab.PYTHON_PACKAGES) <= set(STEMS) and set(colab.PURPOSES) <= set(STEMS)
    assert all(colab.PURPOSES.get(s) for s in STEMS if colab.DEBIAN_PACKAGES[s] or colab.PYTHON_PACKAGES.get(s))


@pytest.mark.parametrize("path", BOOK + STUDENT, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_set_up_cell_calls_install_system_packages_with_its_own_name(path):
    first, calls = _setup_call(path)
    call = calls.body[-1].value
    assert [ast.literal_eval(a) for a in call.args] == [path.stem] and not call.keywords
    assert first.index("from course_lib.colab import install_system_packages") > first.index("pip")


@pytest.mark.parametrize("path", BOOK + STUDENT, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_set_up_cell_runs_on_a_simulated_colab(path, on_colab, monkeypatch, capsys):
    fake = FakeApt(installed=())  # a fresh Colab: none of the chapter's packages
    monkeypatch.setattr(subprocess, "run", fake)  # the cell calls install_system_packages(...) without run=
    monkeypatch.setattr(colab, "_module_missing", lambda module: True)
    _, calls = _setup_call(path)
    exec(compile(calls, str(path), "exec"), {})
    debian = list(colab.DEBIAN_PACKAGES[path.stem])
    python = [req for _, req in colab.PYTHON_PACKAGES.get(path.stem, ())]
    expected = ([APT_UPDATE, APT_INSTALL + debian] if debian else []) + ([pip_install(*python)] if python else [])
    assert fake.commands == expected
    assert capsys.readouterr().out.count("Installing") == (1 if expected else 0)


# --- what the table says the chapters need ----------------------------------------------------------------


def test_every_festival_voice_the_recognizer_trains_on_has_its_package():
    assert set(colab.FESTIVAL_VOICE_PACKAGES) == set(synthesis.FESTIVAL_VOICES)
    assert set(colab.FESTIVAL_VOICE_PACKAGES.values()) <= set(colab.DEBIAN_PACKAGES["14_speech"])


def _code(stem: str) -> str:
    nb = nbformat.read(ROOT / "book" / f"{stem}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize(
    ("program", "package"), [("espeak-ng", "espeak-ng"), ("flite", "flite"), ("festival", "festival")]
)
def test_every_notebook_that_uses_a_speech_engine_installs_it(program, package):
    for stem in STEMS:
        code = _code(stem)
        uses = re.search(
            rf"""["']{program}["']|engine=["']{program}|{program}:|train_word_recognizer|synthesize_words""", code
        )
        if uses:
            assert package in colab.DEBIAN_PACKAGES[stem], f"{stem} uses {program} but does not install {package}"


def test_pico_is_installed_where_a_notebook_synthesises_with_it():
    for stem in STEMS:
        code = _code(stem)
        if re.search(r"""["']pico["']|train_word_recognizer|synthesize_words""", code):
            assert "ttspico" in [m for m, _ in colab.PYTHON_PACKAGES.get(stem, ())], stem


# --- Binder ----------------------------------------------------------------------------------------------


def _apt_txt(path: Path) -> set[str]:
    return {line.split("#")[0].strip() for line in path.read_text().splitlines()} - {""}


def test_binder_apt_txt_covers_every_chapter():
    apt = _apt_txt(ROOT / "apt.txt")
    needed = {p for packages in colab.DEBIAN_PACKAGES.values() for p in packages}
    assert needed <= apt, f"apt.txt (Binder, make setup) lacks {sorted(needed - apt)}"
    assert not any("#" in line for line in (ROOT / "apt.txt").read_text().splitlines() if line.split("#")[0].strip()), (
        "repo2docker reads whole lines: no comment after a package name in apt.txt"
    )


def test_binder_requirements_cover_every_python_package_of_the_table():
    names = {
        re.split(r"[<>=!~\[; ]", line.strip(), maxsplit=1)[0].lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-"))
    }
    for packages in colab.PYTHON_PACKAGES.values():
        for _, requirement in packages:
            assert re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower() in names, requirement


def test_binder_reads_the_root_files_and_seeds_the_keras_cache_without_downloading():
    # repo2docker ignores the root apt.txt and requirements.txt when a binder/ or .binder/ folder exists
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    post_build = ROOT / "postBuild"
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild only when it is executable"
    commands = [
        line.strip() for line in post_build.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    assert commands == ["set -euo pipefail", "python -m course_lib.keras_cache"]
