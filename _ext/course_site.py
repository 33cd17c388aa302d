"""Small fixes to the site's HTML, so every page loads without console errors.

* sphinx-thebe registers its configuration script once per read phase, and a
  fresh build declares ``const THEBE_JS_URL`` twice; we keep one copy.
* pydata-sphinx-theme reports an empty colour mode as an error; we start in
  light mode (readers can still switch).
* the sidebar's expand/collapse toggles are ``<summary>`` elements with only an icon; each gets a name a
  screen reader can say ("Sections of 11. Convolutional networks"), as WCAG 4.1.2 asks.
* printed output wraps at the page's width (``static/course_site.css``)
  instead of hiding the end of long lines behind a scroll bar.
* sphinx-external-toc 1.x renumbers sections across numbered parts with a
  loop that writes to a stale variable (``doc`` instead of ``docname``): a
  book whose chapters have several sections stops with ``KeyError: 'book/index'``.
  :func:`_fix_section_renumbering` recompiles that method with the right names.
"""

from __future__ import annotations

import inspect
import re
import textwrap
import types
from pathlib import Path

TOGGLE = re.compile(
    r'(<a class="[^"]*\breference internal\b[^"]*" href="[^"]*">([^<]+)</a>\s*<details[^>]*>\s*)<summary>'
)


def label_toggles(html: str) -> str:
    """The sidebar's HTML with a name on every expand/collapse toggle."""
    return TOGGLE.sub(lambda m: f'{m.group(1)}<summary aria-label="Sections of {m.group(2)}">', html)


def _name_sidebar_toggles(app, pagename, templatename, context, doctree):
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "labels_toggles", False):
        return

    def generate_labelled(*args, **kwargs):
        html = generate(*args, **kwargs)
        return type(html)(label_toggles(str(html)))

    generate_labelled.labels_toggles = True
    context["generate_toctree_html"] = generate_labelled


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    scripts = context.get("script_files", [])
    for script in scripts:
        key = (getattr(script, "filename", script) or "", getattr(script, "attributes", {}).get("body", ""))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: later handlers (MathJax) append to this very list
    if not context.get("default_mode"):
        context["default_mode"] = "light"


def _fix_section_renumbering() -> None:
    from sphinx_external_toc import collectors

    cls = collectors.TocTreeCollectorWithStyles
    source = textwrap.dedent(inspect.getsource(cls.assign_section_numbers))
    loop = source.find("for docname in env.toc_secnumbers:")  # the second loop: the one with the bug
    bug = "env.toc_secnumbers[doc][anchor] = copy.deepcopy(update_secnumber)"
    if loop < 0 or bug not in source[loop:]:
        return  # a release that no longer has the bug
    head, tail = source[:loop], source[loop:]
    tail = tail.replace(bug, "env.toc_secnumbers[docname][anchorname] = copy.deepcopy(update_secnumber)", 1)
    source = (head + tail).replace(
        "secnumber[i] == old_secnumber[i]", "old_secnumber is not None and secnumber[i] == old_secnumber[i]"
    )
    # Compiled inside a class of the same name, so that self.__private names are mangled as in the original.
    namespace = dict(vars(collectors))
    exec(f"class {cls.__name__}:\n" + textwrap.indent(source, "    "), namespace)  # noqa: S102
    fixed = namespace[cls.__name__].__dict__["assign_section_numbers"]
    # super() inside it must see the real class, not the stand-in compiled above.
    cells = tuple(types.CellType(cls) if name == "__class__" else cell
                  for name, cell in zip(fixed.__code__.co_freevars, fixed.__closure__ or ()))  # fmt: skip
    cls.assign_section_numbers = types.FunctionType(fixed.__code__, fixed.__globals__, fixed.__name__, None, cells)


def _add_static(app, config) -> None:
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    _fix_section_renumbering()
    app.connect("config-inited", _add_static)
    app.add_css_file("course_site.css")
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _name_sidebar_toggles, priority=900)  # after the theme adds the function
    return {"parallel_read_safe": True, "parallel_write_safe": True}
