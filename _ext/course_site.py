"""Small fixes to the site's HTML, so every page loads without console errors.

* sphinx-thebe registers its configuration script once per read phase, and a
  fresh build declares ``const THEBE_JS_URL`` twice; we keep one copy.
* pydata-sphinx-theme reports an empty colour mode as an error; we start in
  light mode (readers can still switch).
"""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
