"""What the library reference (book/reference/*.md) must document: every public module of ``course_lib`` and,
in it, every public name (``__all__``, or else the functions and classes the module defines)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import course_lib

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book" / "reference").glob("*.md"))
AUTOMODULE = re.compile(r"^\.\. automodule:: (\S+)", re.M)
#: The chapters' exercise registrations: listed by ``checks.exercises()`` and documented in each chapter.
EXERCISE_MODULES = re.compile(r"^course_lib\.checks\.ch\d\d_")


def public_modules() -> list[str]:
    """Every importable module of course_lib whose dotted name has no private part."""
    names = ["course_lib"] + [m.name for m in pkgutil.walk_packages(course_lib.__path__, "course_lib.")]
    return sorted(
        n for n in names if not any(part.startswith("_") for part in n.split(".")[1:]) and not EXERCISE_MODULES.match(n)
    )


def documented_modules() -> dict[str, Path]:
    """Module → the reference page whose ``automodule`` documents it (a module documented twice raises)."""
    found: dict[str, Path] = {}
    for page in PAGES:
        for name in AUTOMODULE.findall(page.read_text()):
            if name in found:
                raise AssertionError(f"{name} is documented on both {found[name].name} and {page.name}")
            found[name] = page
    return found


def public_names(module_name: str) -> dict[str, object]:
    """The public names of one module: its ``__all__``, or the functions and classes it defines."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return {name: getattr(module, name) for name in module.__all__}
    return {
        name: obj
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == module_name
    }


def _assigns(module_name: str, name: str) -> bool:
    source = inspect.getsource(importlib.import_module(module_name))
    return re.search(rf"^{re.escape(name)}\s*(:[^=\n]+)?=", source, re.M) is not None


def anchor(module_name: str, name: str, obj: object) -> str:
    """The HTML id autodoc gives ``name``: under the public module that defines it (autodoc skips re-exports)."""
    if inspect.isfunction(obj) or inspect.isclass(obj):
        home = obj.__module__
        if home != module_name and home in public_modules():
            return f"{home}.{obj.__name__}"
    elif not _assigns(module_name, name):
        for home in public_modules():
            module = importlib.import_module(home)
            if home != module_name and getattr(module, name, None) is obj and _assigns(home, name):
                return f"{home}.{name}"
    return f"{module_name}.{name}"
