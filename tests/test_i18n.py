"""The Chinese edition (issue 14): complete catalogues, glossary terms, intact markup, the language
switch, and catalogues in step with the English text.

The documents listed in locales/translated.txt must have every message translated and none fuzzy;
where an English message uses a glossary term (book/appendix/glossary.md), its translation uses the
term's primary Chinese form (the 中文 column of the glossary's table); roles, maths and inline code
pass through a translation unchanged (a {term} may show Chinese text, but must point at the same
English term). Each check is also run on a deliberately broken catalogue, to show that it can fail.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from html import escape
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from bookfiles import BOOK, ROOT, toc_files

sys.path.insert(0, str(BOOK / "_ext"))
from language_switch import check_editions, edition_link  # noqa: E402

CATALOGUES = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"
GLOSSARY = BOOK / "appendix" / "glossary.md"


def load_script():
    spec = importlib.util.spec_from_file_location("i18n", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


I18N = load_script()
TRANSLATED = I18N.translated_documents()


def catalogue(doc: str) -> Catalog:
    with open(CATALOGUES / f"{doc}.po", "rb") as handle:
        return read_po(handle)


def messages(doc: str) -> list:
    return [message for message in catalogue(doc) if message.id]


# --- every message translated, none fuzzy ---------------------------------------------------


def unfinished(catalogue_messages) -> list[str]:
    """Messages with no translation or a fuzzy one (sphinx-intl marks a changed message fuzzy)."""
    return [m.id for m in catalogue_messages if m.id and (m.fuzzy or not m.string)]


@pytest.mark.parametrize("doc", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(doc):
    assert messages(doc), f"{doc}: empty catalogue"
    assert unfinished(messages(doc)) == [], f"{doc}: untranslated or fuzzy messages"


def test_an_untranslated_or_fuzzy_message_is_caught():
    doctored = Catalog(locale="zh_CN")
    doctored.add("Overview", "概述")
    doctored.add("Setup", "")
    doctored.add("Summary", "小结", flags=["fuzzy"])
    assert unfinished(list(doctored)) == ["Setup", "Summary"]


def test_the_listed_documents_exist():
    assert TRANSLATED, "locales/translated.txt lists no document"
    for doc in TRANSLATED:
        sources = [ROOT / f"{doc}{suffix}" for suffix in (".ipynb", ".md")]
        assert any(path.exists() for path in sources), f"{doc} is not a document of the book"
        assert (CATALOGUES / f"{doc}.po").exists(), f"{doc} has no catalogue"


def test_every_page_of_the_book_is_translated():
    """The Chinese edition is complete: every document of _toc.yml is held to a full catalogue,
    so a new chapter cannot land with English text in the Chinese edition."""
    assert sorted(toc_files()) == sorted(TRANSLATED), "locales/translated.txt and _toc.yml differ"


# --- terminology: the bilingual glossary is the source of truth --------------------------------


def table_cells(row: str) -> tuple[str, ...]:
    return tuple(cell.strip() for cell in row.strip().strip("|").split("|"))


@functools.cache
def glossary_table() -> tuple[tuple[str, ...], ...]:
    """The glossary's bilingual table, header row first: | English | 中文 | pinyin | variants |."""
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    for index, (header, separator) in enumerate(zip(lines, lines[1:])):
        if not (header.startswith("|") and re.fullmatch(r"\|[-| :]+\|", separator.strip())):
            continue
        table = [table_cells(header)]
        for row in lines[index + 2 :]:
            cells = table_cells(row)
            if not row.startswith("|") or len(cells) != 4:
                break
            table.append(cells)
        return tuple(table)
    return ()


def glossary() -> dict[str, str]:
    """English term -> its primary Chinese form, from the glossary's bilingual table. The variants
    are other texts' names, listed to help readers; the book itself uses the primary form."""
    return {row[0]: row[1] for row in glossary_table()[1:]}


def glossary_cells() -> set[str]:
    """Every cell of the glossary's table: English names, Chinese forms, pinyin and variants are
    the same in both editions (the pinyin of "PatchGAN 判别器" names PatchGAN, untranslated)."""
    return {cell for row in glossary_table() for cell in row} - {""}


def glossary_term_lines() -> set[str]:
    """The terms of the glossary directive, as {term} references name them: its lines at the left
    margin (a term may have a second line, an alternative spelling); definitions are indented."""
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split(":::{glossary}", 1)[1].split("\n:::", 1)[0]
    return {line.strip() for line in body.splitlines() if line.strip() and not line[0].isspace()}


def prose(text: str) -> str:
    """The words of a message: inline code, maths, and the keys of roles other than {term}
    removed; a {term}'s text kept."""
    text = re.sub(r"\{term\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", text)
    text = re.sub(r"\{[\w:]+\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", text, flags=re.DOTALL)
    return text


def without_accents(text: str) -> str:
    """Latin letters without their accents (é -> e); Chinese characters unchanged."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def missing_terms(english: str, chinese: str, terms: dict[str, str]) -> list[str]:
    """The glossary terms that the English message uses and its translation does not render by
    the term's primary Chinese form. Accents are ignored: "Frechet distance" is Fréchet's."""
    words = without_accents(prose(english))
    missing = []
    for term, primary in terms.items():
        name = re.escape(without_accents(term)).replace(r"\ ", r"[\s-]+")
        pattern = r"(?<![\w-])" + name + r"(?:s|es)?(?![\w-])"
        if re.search(pattern, words, re.IGNORECASE) and primary not in chinese:
            missing.append(f"{term} -> {primary}")
    return missing


@pytest.mark.parametrize("doc", TRANSLATED)
def test_glossary_terms_keep_their_chinese_form(doc):
    terms = glossary()
    names = glossary_cells() | glossary_term_lines()  # stay English: see the test below
    problems = [
        f"{message.id[:70]!r}: {missing}"
        for message in messages(doc)
        if message.string
        and message.id not in names
        and (missing := missing_terms(message.id, message.string, terms))
    ]
    assert problems == [], f"{doc}: glossary terms not used in the translation"


def test_the_glossary_keeps_the_english_names_of_its_terms():
    """A term's English name is one message for the table cell and for the term line of the
    glossary directive, which every {term} reference targets: translated, the Chinese pages'
    references would no longer resolve. The Chinese name stands beside it in the table and at the
    start of the definition."""
    doc = "book/appendix/glossary"
    if doc not in TRANSLATED:
        pytest.skip("the glossary's catalogue is not complete yet")
    term_lines = glossary_term_lines()
    assert set(glossary()) <= term_lines and "Frechet distance" in term_lines, term_lines
    names = {message.id: message.string for message in messages(doc) if message.id in term_lines}
    assert set(names) == term_lines, "a glossary term is missing from the catalogue"
    renamed = {name: string for name, string in names.items() if string != name}
    assert renamed == {}, "glossary term names translated: {term} references would break"


def test_the_glossary_gives_the_primary_chinese_forms():
    terms = glossary()
    assert len(terms) > 20 and terms["Discriminator"] == "判别器", terms.get("Discriminator")
    assert terms["Generative adversarial network"] == "生成对抗网络"


def test_a_term_rendered_otherwise_is_caught():
    terms = {"Discriminator": "判别器", "Mode collapse": "模式崩溃"}
    english = "The {term}`discriminator` sees mode collapse; `discriminator_loss` is code."
    assert missing_terms(english, "鉴别器看到了模式坍塌。", terms) == [
        "Discriminator -> 判别器",
        "Mode collapse -> 模式崩溃",
    ]
    assert missing_terms(english, "判别器看到了模式崩溃。", terms) == []
    fd = {"Fréchet distance": "弗雷歇距离"}
    assert missing_terms("the Frechet distance", "距离", fd) == ["Fréchet distance -> 弗雷歇距离"]
    assert missing_terms("`discriminator_loss` and $D$", "代码", terms) == []


# --- markup passes through unchanged --------------------------------------------------------


def markup(text: str) -> Counter:
    """Roles (a {term}, {ref} or {doc} by its target, the rest whole) with their counts, as
    Sphinx compares references; the maths and inline code used, each once (a translation may
    repeat a symbol or drop a repeated one)."""
    found = Counter()
    for name, content in re.findall(r"\{([\w:]+)\}`([^`]*)`", text):
        target = re.search(r"<([^>]*)>$", content)
        if name in ("term", "ref", "doc"):
            content = target.group(1) if target else content
            content = content.lower() if name == "term" else content
        found[f"{{{name}}}{content}"] += 1
    rest = re.sub(r"\{[\w:]+\}`[^`]*`", " ", text)
    found.update({f"code {code}" for code in re.findall(r"`([^`]+)`", rest)})
    rest = re.sub(r"`[^`]*`", " ", rest)
    found.update({f"math {m}" for m in re.findall(r"\$\$.*?\$\$|\$[^$]*\$", rest, re.DOTALL)})
    return found


@pytest.mark.parametrize("doc", TRANSLATED)
def test_roles_maths_and_code_are_kept(doc):
    problems = [
        f"{message.id[:70]!r}: lost {dict(markup(message.id) - markup(message.string))}, "
        f"added {dict(markup(message.string) - markup(message.id))}"
        for message in messages(doc)
        if message.string and markup(message.id) != markup(message.string)
    ]
    assert problems == [], f"{doc}: markup changed in translation"


def test_changed_markup_is_caught():
    english = "The {term}`generator` gives $G(z)$ after {num}`steps:,d` steps of `fit`."
    good = "经过 {num}`steps:,d` 步 `fit` 之后，{term}`生成器 <generator>` 给出 $G(z)$。"
    assert markup(english) == markup(good)
    for bad in (
        good.replace("{num}`steps:,d`", "{num}`steps`"),
        good.replace("$G(z)$", "G(z)"),
        good.replace("<generator>", "<discriminator>"),
        good.replace("`fit`", "fit"),
    ):
        assert markup(english) != markup(bad), bad


# --- the language switch --------------------------------------------------------------------

EDITIONS = {"en": "", "zh_CN": "zh"}


@pytest.mark.parametrize(
    ("current", "target", "page", "expected"),
    [
        ("en", "zh_CN", "book/02_minimax", "../zh/book/02_minimax.html"),
        ("zh_CN", "en", "book/02_minimax", "../../book/02_minimax.html"),
        ("en", "zh_CN", "index", "zh/index.html"),
        ("zh_CN", "en", "index.html", "../index.html"),
        ("zh_CN", "zh_CN", "book/appendix/faq", "faq.html"),
    ],
)
def test_the_switch_lands_on_the_same_page(current, target, page, expected):
    assert edition_link(EDITIONS, current, target, page) == expected


@pytest.mark.parametrize(
    "editions", [{"zh_CN": "zh"}, {"en": "", "zh_CN": "/zh"}, {"en": "", "zh_CN": "../zh"}, []]
)
def test_bad_editions_are_refused(editions):
    with pytest.raises(ValueError, match="language_editions"):
        check_editions(editions)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'fr'"):
        edition_link(EDITIONS, "en", "fr", "index")


CONF = f"""
import sys
sys.path.insert(0, {str(BOOK / "_ext")!r})
extensions = ["language_switch"]
language_editions = {EDITIONS!r}
locale_dirs = ["locales"]
html_static_path = [{str(BOOK / "_static")!r}]
exclude_patterns = ["_build"]
"""


def sphinx(folder: Path, out: Path, *options: str) -> None:
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q", *options, folder, out]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def links(html: str) -> list[str]:
    return re.findall(r'class="language-switch-link" href="([^"]+)"', html)


def test_both_editions_link_to_each_other_page_by_page(tmp_path):
    source = tmp_path / "book"
    (source / "part").mkdir(parents=True)
    (source / "conf.py").write_text(CONF, encoding="utf-8")
    (source / "index.rst").write_text(
        "Book\n====\n\n.. toctree::\n\n   part/page\n", encoding="utf-8"
    )
    (source / "part" / "page.rst").write_text("Page\n====\n\nText.\n", encoding="utf-8")
    english, chinese = tmp_path / "html", tmp_path / "html" / "zh"
    sphinx(source, english)
    sphinx(source, chinese, "-D", "language=zh_CN")
    for page in ("index.html", "part/page.html"):
        for here, there in ((english, chinese), (chinese, english)):
            (href,) = links((here / page).read_text(encoding="utf-8"))
            assert ((here / page).parent / href).resolve() == (there / page).resolve()
    assert 'hreflang="zh-Hans"' in (english / "part" / "page.html").read_text(encoding="utf-8")


# --- catalogues in step with the text ---------------------------------------------------------


def write_catalogue(path: Path, translations: dict[str, str]) -> None:
    catalogue_ = Catalog(locale="zh_CN")
    for english, chinese in translations.items():
        catalogue_.add(english, chinese)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        write_po(handle, catalogue_)


def test_stale_messages_names_new_and_left_over_text(tmp_path, monkeypatch):
    monkeypatch.setattr(I18N, "translated_documents", lambda: ["book/ch"])
    write_catalogue(tmp_path / "pot" / "book" / "ch.pot", {"Kept.": "", "New text.": ""})
    write_catalogue(tmp_path / "po" / "book" / "ch.po", {"Kept.": "保留。", "Old text.": "旧文。"})
    assert I18N.stale_messages(tmp_path / "pot", [], tmp_path / "po") == [
        "book/ch: not in the catalogue: 'New text.'",
        "book/ch: no longer in the text: 'Old text.'",
    ]
    # read without outputs, a notebook lacks its figure captions: left-over text is not judged
    without_outputs = ["book/ch.ipynb"]
    assert I18N.stale_messages(tmp_path / "pot", without_outputs, tmp_path / "po") == [
        "book/ch: not in the catalogue: 'New text.'"
    ]


# --- the same on the real book (reads the book; uses the full build's cache) -------------------


@pytest.mark.notebook
def test_the_catalogues_hold_the_messages_of_the_current_text(tmp_path):
    status, without_outputs = I18N.extract_messages(tmp_path / "gettext")
    assert status == 0
    assert I18N.stale_messages(tmp_path / "gettext", without_outputs, CATALOGUES) == []


# --- the built book: every page of both editions switches to the same page -----------------


def built_pages(root: Path) -> list[Path]:
    """The pages of the book's documents under ``root`` (not the other edition's folder,
    redirects, or the search and index pages, which carry the alternate links only)."""
    pages = []
    for page in sorted(root.rglob("*.html")):
        if page.relative_to(root).parts[0] in ("zh", "_static", "_sources", "_images"):
            continue
        if page.name not in ("search.html", "genindex.html") and 'class="bd-article' in (
            page.read_text(encoding="utf-8")
        ):
            pages.append(page)
    return pages


@pytest.mark.notebook
def built_chinese_edition() -> Path:
    """_build/html/zh; the test skips without it, except under CI=true, where it fails."""
    chinese = ROOT / "_build" / "html" / "zh"
    if not (chinese / "index.html").exists():
        message = "no Chinese edition in _build/html/zh: run python scripts/i18n.py build"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return chinese


def test_every_built_page_switches_to_the_same_page_both_ways():
    chinese = built_chinese_edition()
    english = chinese.parent
    pages = built_pages(english)
    assert pages, "no page in the English edition"
    for page in pages:
        twin = chinese / page.relative_to(english)
        for here, there in ((page, twin), (twin, page)):
            hrefs = links(here.read_text(encoding="utf-8"))
            assert len(hrefs) == 1, f"{here}: {len(hrefs)} language switches"
            assert (here.parent / hrefs[0]).resolve() == there.resolve(), f"{here}: {hrefs[0]}"


def test_the_chinese_sidebar_shows_the_part_captions_in_chinese():
    """The part captions come from _toc.yml and are inserted after Sphinx's translation step;
    book/_ext/toc_captions.py translates them (without it every Chinese page showed
    "Part I: The game")."""
    chinese = built_chinese_edition()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in toc["parts"]]
    translations = {message.id: message.string for message in messages("book/index")}
    for page in (chinese / "book" / "index.html", chinese / "book" / "08_remedies.html"):
        html = page.read_text(encoding="utf-8")
        for caption in captions:
            assert f">{escape(translations[caption])}<" in html, f"{page}: {caption}"
            assert f">{escape(caption)}<" not in html, f"{page}: {caption}"
