"""The library reference (issue 20 §2): every public module and name of course_lib is in it, with a docstring.

The built pages are tested in tests/site/test_reference.py.
"""

from __future__ import annotations

import inspect

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
    import importlib

    doc = importlib.import_module(module_name).__doc__ or ""
    assert doc.strip(), f"{module_name} has no module docstring"
