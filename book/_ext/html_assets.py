"""Sphinx extension of the GAN book: keep every page free of duplicated inline scripts.

Sphinx 7.4 adds an inline script registered with ``app.add_js_file(None, body=...)`` after the
builder starts twice to every page: once as given and once when the HTML builder re-reads its
registry (the two copies compare unequal, ``None`` against ``''``, so its de-duplication misses
them). sphinx-thebe registers its ``const THEBE_JS_URL = ...`` that way, and the second copy throws
"Identifier 'THEBE_JS_URL' has already been declared" in every reader's browser console. This
extension drops the second copy of any script tag on each page. tests/test_browser.py checks the
result.
"""

from __future__ import annotations

from typing import Any


def _key(script: Any) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = tuple(
        sorted((str(k), str(v)) for k, v in getattr(script, "attributes", {}).items())
    )
    return filename, attributes


def drop_duplicate_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """On each page, keep the first of any two script tags with the same source, body and
    attributes."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
