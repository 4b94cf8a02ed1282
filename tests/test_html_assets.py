"""The book's Sphinx extension book/_ext/html_assets.py: duplicated script tags are dropped
(issue 6)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sphinx.builders.html._assets import _JavaScript

ROOT = Path(__file__).resolve().parents[1]


def load_extension():
    spec = importlib.util.spec_from_file_location(
        "html_assets", ROOT / "book" / "_ext" / "html_assets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_drops_the_second_copy_of_an_inline_script_registered_twice():
    # What Sphinx 7.4 produces for sphinx-thebe: the same body once with filename None, once with
    # ''.
    body = 'const THEBE_JS_URL = "x"'
    scripts = [
        _JavaScript("_static/a.js"),
        _JavaScript(None, body=body),
        _JavaScript("_static/b.js", **{"async": "async"}),
        _JavaScript("", body=body),
        _JavaScript("_static/a.js"),
    ]
    context = {"script_files": scripts}
    load_extension().drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] is scripts  # edited in place, as the builder expects
    assert [(s.filename, s.attributes) for s in scripts] == [
        ("_static/a.js", {}),
        (None, {"body": body}),
        ("_static/b.js", {"async": "async"}),
    ]


def test_keeps_distinct_scripts_and_tolerates_pages_without_scripts():
    module = load_extension()
    scripts = [
        _JavaScript(None, body="var a = 1"),
        _JavaScript(None, body="var b = 2"),
        _JavaScript("_static/a.js"),
    ]
    context = {"script_files": scripts}
    module.drop_duplicate_scripts(None, "page", "page.html", context, None)
    assert len(scripts) == 3
    module.drop_duplicate_scripts(None, "page", "page.html", {}, None)


def test_is_configured_as_a_local_extension():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["local_extensions"]["html_assets"] == "book/_ext"
    assert config["sphinx"]["config"]["mathjax_path"] == "mathjax/tex-chtml.js"
    assert (ROOT / "book" / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (
        ROOT / "book" / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    ).is_dir()
