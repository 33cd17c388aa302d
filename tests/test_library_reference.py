"""The library reference (issue 20 §2): every public module and name of course_lib is in it, with a docstring.

The built pages are tested in tests/site/test_reference.py.
"""

from __future__ import annotations

import importlib
import inspect
import io
import re

import pytest

from tests.library_reference import documented_modules, public_modules, public_names


def test_every_public_module_is_documented_once():
    documented = documented_modules()
    missing = sorted(set(public_modules()) - set(documented))
    assert not missing, f"not in any book/reference/*.md automodule: {missing}"
    unknown = sorted(set(documented) - set(public_modules()))
    assert not unknown, f"documented but not a public module: {unknown}"


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_name_has_a_docstring(module_name):
    undocumented = [
        name
        for name, obj in public_names(module_name).items()
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and not (inspect.getdoc(obj) or "").strip()
    ]
    assert not undocumented, f"{module_name}: public names without a docstring: {undocumented}"


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_module_has_a_docstring(module_name):
    doc = importlib.import_module(module_name).__doc__ or ""
    assert doc.strip(), f"{module_name} has no module docstring"


def _docstrings(module_name):
    """(name, docstring) of the module, its functions and classes, and their methods."""
    module = importlib.import_module(module_name)
    objects = [(module_name, module)] + [
        (f"{module_name}.{name}", obj)
        for name, obj in vars(module).items()
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module_name
    ]
    for name, cls in list(objects):
        if inspect.isclass(cls):
            objects += [(f"{name}.{m}", f) for m, f in vars(cls).items() if inspect.isfunction(f)]
    return [(name, inspect.getdoc(obj)) for name, obj in objects if inspect.getdoc(obj)]


@pytest.mark.parametrize("module_name", public_modules())
def test_docstrings_render_without_warnings(module_name):
    """What autodoc would warn about (and fail the -W build for), found before the site is built.

    Sphinx roles and directives (``:func:``, ``.. note::``) are unknown to plain docutils and are not reported.
    """
    import docutils.core
    from sphinx.ext.napoleon import Config
    from sphinx.ext.napoleon.docstring import NumpyDocstring

    config = Config(napoleon_numpy_docstring=True, napoleon_google_docstring=False, napoleon_use_ivar=True)
    problems = []
    for name, doc in _docstrings(module_name):
        stream = io.StringIO()
        settings = {"warning_stream": stream, "report_level": 2, "halt_level": 5}
        docutils.core.publish_doctree(str(NumpyDocstring(doc, config)), settings_overrides=settings)
        problems += [
            f"{name}: {line}"
            for line in stream.getvalue().splitlines()
            if re.search(r"\((WARNING|ERROR|SEVERE)/", line)
            and not re.search(r"Unknown interpreted text role|Unknown directive type", line)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module_name", public_modules())
def test_prose_after_a_parameters_section_is_under_a_heading(module_name):
    """Napoleon reads every unindented line of a Parameters section as one more parameter: prose after the
    parameters must start a new section (``Notes`` and its dashes), or it renders as a list of bogus parameters."""
    sections = {"Parameters", "Returns", "Yields", "Attributes", "Raises", "Other Parameters"}
    entry = re.compile(r"^\*{0,2}[A-Za-z_][\w, ]*(\s:\s|$)")
    bogus = []
    for name, doc in _docstrings(module_name):
        lines, section = doc.splitlines(), None
        for i, line in enumerate(lines):
            if i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip()):
                section = line.strip()
            elif section in sections and line and not line[0].isspace() and not lines[i - 1].strip():
                if not re.fullmatch(r"-{3,}", line.strip()) and not entry.match(line):
                    bogus.append(f"{name}: {line[:60]!r}")
    assert not bogus, "prose inside a NumPy section:\n" + "\n".join(bogus)
