"""Sphinx extension of the GAN book: a link on every page to the same page in the other edition.

The English edition is built into ``_build/html`` and the Chinese one into ``_build/html/zh``
(``scripts/i18n.py build``), from the same sources. ``language_editions`` names, for each language,
the folder of its edition below the English one (``{"en": "", "zh_CN": "zh"}``); this extension
adds to each page a visible link to the same page in every other edition, and ``<link
rel="alternate" hreflang=...>`` tags for search engines. Links are relative, so the book works from
any folder or host, and need no JavaScript.
"""

from __future__ import annotations

import posixpath
from html import escape
from typing import Any

# What each edition is called in the link that leads to it, in its own language.
EDITION_NAMES = {"en": "English", "zh_CN": "简体中文"}
HREFLANG = {"en": "en", "zh_CN": "zh-Hans"}
SWITCH_TITLE = {"en": "This page in", "zh_CN": "本页的其他语言版本："}


def check_editions(editions: Any) -> dict[str, str]:
    """The configured editions, checked: a mapping of language to a relative folder, with English
    at the root."""
    if not isinstance(editions, dict) or editions.get("en") != "":
        raise ValueError(
            "language_editions must map each language to its folder below the English edition, "
            f'with "en" mapped to "" (got {editions!r})'
        )
    for language, folder in editions.items():
        if not isinstance(folder, str) or folder.startswith("/") or ".." in folder.split("/"):
            raise ValueError(
                f"language_editions[{language!r}] must be a relative folder inside the English "
                f"edition (got {folder!r})"
            )
    return editions


def edition_link(editions: dict[str, str], current: str, target: str, page: str) -> str:
    """The relative address of ``page`` (a page name such as ``book/02_minimax``, or the file
    name of a page, ``book/02_minimax.html``) in the edition of ``target``, seen from the same page
    in the edition of ``current``."""
    for language in (current, target):
        if language not in editions:
            raise ValueError(f"language {language!r} is not in language_editions {editions}")
    filename = page if page.endswith(".html") else page + ".html"
    here = posixpath.join(editions[current], filename)
    there = posixpath.join(editions[target], filename)
    return posixpath.relpath(there, posixpath.dirname(here) or ".")


def switch_html(editions: dict[str, str], current: str, page: str) -> str:
    """The link bar shown at the top of the page: one link per other edition."""
    links = []
    for language in editions:
        if language == current:
            continue
        href = escape(edition_link(editions, current, language, page))
        name = escape(EDITION_NAMES.get(language, language))
        hreflang = HREFLANG.get(language, language)
        links.append(
            f'<a class="language-switch-link" href="{href}" hreflang="{hreflang}" '
            f'lang="{hreflang}">{name}</a>'
        )
    title = escape(SWITCH_TITLE.get(current, SWITCH_TITLE["en"]))
    return f'<nav class="language-switch" aria-label="{title}">{title} {" ".join(links)}</nav>\n'


def alternate_tags(editions: dict[str, str], current: str, page: str) -> str:
    """``<link rel="alternate">`` tags naming every edition of this page, this one included."""
    return "".join(
        f'<link rel="alternate" hreflang="{HREFLANG.get(language, language)}" '
        f'href="{escape(edition_link(editions, current, language, page))}" />\n'
        for language in editions
    )


def add_switch(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Put the switch at the top of the page's body and the alternate links in its head."""
    editions = app.config.language_editions
    if not editions:
        return
    current = app.config.language or "en"
    if current not in editions:
        return
    page = context.get("current_page_name", pagename) + app.builder.out_suffix
    context["metatags"] = context.get("metatags", "") + alternate_tags(editions, current, page)
    if "body" in context:  # pages without a body (search, genindex) get the head links only
        context["body"] = switch_html(editions, current, page) + context["body"]


def validate_config(app: Any, config: Any) -> None:
    if config.language_editions:
        check_editions(config.language_editions)


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("language_editions", {}, "html", types=[dict])
    app.connect("config-inited", validate_config)
    app.connect("html-page-context", add_switch)
    app.add_css_file("language_switch.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
