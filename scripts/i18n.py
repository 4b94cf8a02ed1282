"""The Chinese edition of the book: extract messages, update the catalogues, build, count.

One source, two editions: the English text of the notebooks and pages is cut into messages by
Sphinx's gettext builder; ``locales/zh_CN/LC_MESSAGES/<document>.po`` holds their translations
(one catalogue per document, kept for the documents listed in ``locales/translated.txt``); the
Chinese HTML is built from the same sources with ``language = zh_CN`` into ``_build/html/zh``,
beside the English edition.

    python scripts/i18n.py extract   # messages of the current text -> _build/gettext (*.pot),
                                     # then sphinx-intl updates the listed catalogues
    python scripts/i18n.py build     # the Chinese edition -> _build/html/zh (after the English
                                     # build: it reuses its execution cache, runs no notebook)
    python scripts/i18n.py check     # fails if a listed catalogue misses a message of the text
    python scripts/i18n.py stats     # translated / fuzzy / untranslated messages per catalogue

Both Sphinx runs read ``_config.yml`` as ``jupyter-book build`` does, with a few overrides.
Extraction does not execute notebooks: it reuses the execution cache when it has the notebook,
and otherwise reads the notebook without outputs (its figure captions need outputs, so run
``jupyter-book build .`` first for complete catalogues). The Chinese build executes nothing
either when the cache is warm; it keeps its doctrees, executed notebooks and claims report under
``_build/zh`` and copies its HTML into ``_build/html/zh``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALES = ROOT / "locales"
CATALOGUES = LOCALES / LANGUAGE / "LC_MESSAGES"
TRANSLATED_LIST = LOCALES / "translated.txt"
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"  # where `jupyter-book build .` keeps its execution cache
GETTEXT = BUILD / "gettext"
ZH_BUILD = BUILD / "zh"
ZH_HTML = BUILD / "html" / "zh"
EDITIONS = {"en": "", LANGUAGE: "zh"}
# Words that are configuration, not text, so that no catalogue carries them: the book's title,
# and the buttons of folded cells (the book folds only inputs: hide-input).
ZH_CONFIG = {
    "html_title": "生成对抗网络：一本可执行的书",
    "nb_code_prompt_show": "显示代码",
    "nb_code_prompt_hide": "隐藏代码",
}


def translated_documents() -> list[str]:
    """The documents whose catalogues are kept and must be complete (locales/translated.txt)."""
    lines = TRANSLATED_LIST.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def sphinx_build(
    builder: str,
    outdir: Path,
    doctrees: Path,
    overrides: dict,
    strict: bool = False,
    quiet: bool = False,
    fresh: bool = False,
) -> int:
    """Run Sphinx on the book as `jupyter-book build` would, with configuration overrides."""
    from jupyter_book.sphinx import build_sphinx

    overrides = {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),
        "latex_individualpages": False,
        "nb_execution_cache_path": str(CACHE),
        "locale_dirs": [str(LOCALES)],
        "gettext_compact": False,
        "language_editions": EDITIONS,
        **overrides,
    }
    result = build_sphinx(
        ROOT,
        outdir,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides=overrides,
        doctreedir=doctrees,
        builder=builder,
        warningiserror=strict,
        keep_going=strict,
        quiet=quiet,
        freshenv=fresh,
    )
    return 1 if isinstance(result, Exception) else int(result or 0)


def uncached() -> list[str]:
    """The notebooks that the execution cache does not hold as they are now: extraction reads
    them without outputs rather than execute them."""
    import nbformat
    from jupyter_cache import get_cache

    notebooks = sorted((ROOT / "book").rglob("*.ipynb"))
    if not CACHE.exists():
        missing = notebooks
    else:
        cache = get_cache(str(CACHE))
        missing = []
        for path in notebooks:
            try:
                cache.match_cache_notebook(nbformat.read(path, as_version=4))
            except KeyError:
                missing.append(path)
    for path in missing:
        print(f"not in the execution cache, read without outputs: {path.relative_to(ROOT)}")
    return [str(path.relative_to(ROOT)) for path in missing]


def extract_messages(outdir: Path) -> tuple[int, list[str]]:
    """Messages of the current text into ``outdir`` (one .pot per document), without executing a
    notebook; the build status and the notebooks read without outputs."""
    from myst_nb.core.render import base_render_priority

    without_outputs = uncached()
    overrides = {
        "nb_execution_mode": "cache",
        "nb_execution_excludepatterns": without_outputs,
        # myst-nb renders no output for a builder it does not know, and a figure's caption
        # only exists with its output: render as for HTML.
        "nb_mime_priority_overrides": [
            ("gettext", mime, priority) for mime, priority in base_render_priority()["html"].items()
        ],
    }
    doctrees = outdir.parent / f"{outdir.name}-doctrees"
    mode = os.environ.get("GANBOOK_QUICK")
    os.environ["GANBOOK_QUICK"] = "0"  # the full build's cache, which uncached() looked in
    try:
        status = sphinx_build("gettext", outdir, doctrees, overrides, quiet=True)
    finally:
        if mode is None:
            os.environ.pop("GANBOOK_QUICK")
        else:
            os.environ["GANBOOK_QUICK"] = mode
    return status, without_outputs


def extract() -> int:
    """Messages of the current text into _build/gettext, then the listed catalogues updated."""
    status, _ = extract_messages(GETTEXT)
    if status:
        return status
    documents = translated_documents()
    missing = [doc for doc in documents if not (GETTEXT / f"{doc}.pot").exists()]
    if missing:
        print(f"no messages extracted for {missing}: check locales/translated.txt", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:  # sphinx-intl updates every template it sees
        for doc in documents:
            target = Path(folder) / f"{doc}.pot"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(GETTEXT / f"{doc}.pot", target)
        command = ["sphinx-intl", "update", "-p", folder, "-d", str(LOCALES), "-l", LANGUAGE]
        return subprocess.run(command, check=False).returncode


def message_ids(path: Path) -> set[str]:
    """The messages of a .pot or .po file (obsolete ones excluded)."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def stale_messages(extracted: Path, without_outputs: list[str], catalogues: Path) -> list[str]:
    """What keeps the listed catalogues in ``catalogues`` from holding exactly the messages
    extracted into ``extracted``: a message of the text missing from a catalogue (new or changed
    English), or one left over in it (checked only for notebooks read with their outputs)."""
    problems = []
    for doc in translated_documents():
        current = message_ids(extracted / f"{doc}.pot")
        stored = message_ids(catalogues / f"{doc}.po")
        problems += [f"{doc}: not in the catalogue: {text!r}" for text in sorted(current - stored)]
        if not any(path.endswith(f"{doc}.ipynb") for path in without_outputs):
            left = sorted(stored - current)
            problems += [f"{doc}: no longer in the text: {text!r}" for text in left]
    return problems


def check() -> int:
    """Fail if a listed catalogue is out of date with the text."""
    with tempfile.TemporaryDirectory() as folder:
        status, without_outputs = extract_messages(Path(folder) / "gettext")
        if status:
            return status
        problems = stale_messages(Path(folder) / "gettext", without_outputs, CATALOGUES)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run: python scripts/i18n.py extract, then translate", file=sys.stderr)
    return 1 if problems else 0


def build(strict: bool, nitpicky: bool) -> int:
    """The Chinese edition, from the execution cache of the English build, into _build/html/zh."""
    overrides = {
        "language": LANGUAGE,
        **ZH_CONFIG,
        "ganbook_claims_report": str(ZH_BUILD / "claims.json"),
        "nitpicky": nitpicky,
    }
    # Read every document afresh: a changed translation changes titles that every page's
    # navigation shows, and Sphinx would otherwise rewrite only the pages it re-read.
    doctrees = ZH_BUILD / ".doctrees"
    status = sphinx_build("html", ZH_BUILD / "html", doctrees, overrides, strict, fresh=True)
    if status:
        return status
    shutil.rmtree(ZH_HTML, ignore_errors=True)
    shutil.copytree(ZH_BUILD / "html", ZH_HTML)
    print(f"Chinese edition in {ZH_HTML}")
    return 0


def stats() -> int:
    """Translated, fuzzy and untranslated messages of every listed catalogue."""
    from babel.messages.pofile import read_po

    total = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for doc in translated_documents():
        with open(CATALOGUES / f"{doc}.po", "rb") as handle:
            catalogue = read_po(handle)
        counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
        for message in catalogue:
            if not message.id:
                continue
            kind = "fuzzy" if message.fuzzy else "translated" if message.string else "untranslated"
            counts[kind] += 1
        print(f"{doc}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
        total = {kind: total[kind] + counts[kind] for kind in total}
    print("all: " + ", ".join(f"{n} {kind}" for kind, n in total.items()))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="extract messages and update the listed catalogues")
    build_parser = commands.add_parser("build", help="build the Chinese edition")
    build_parser.add_argument("-W", dest="strict", action="store_true", help="warnings fail")
    build_parser.add_argument("-n", dest="nitpicky", action="store_true", help="nitpicky mode")
    commands.add_parser("check", help="fail if a listed catalogue is out of date")
    commands.add_parser("stats", help="count translated messages")
    arguments = parser.parse_args()
    if arguments.command == "extract":
        return extract()
    if arguments.command == "check":
        return check()
    if arguments.command == "build":
        return build(arguments.strict, arguments.nitpicky)
    return stats()


if __name__ == "__main__":
    sys.exit(main())
