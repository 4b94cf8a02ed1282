"""The front door and the reference pages: licences, errata reporting, README, glossary, notation.

The glossary is the single source of the book's terms for both editions: its table gives each
English term one primary Chinese term, and the definitions below it must agree with the table.
"""

from __future__ import annotations

import re

import pytest
from bookfiles import BOOK, ROOT, config, load_notebook, notebooks, source

APPENDIX = BOOK / "appendix"
GLOSSARY = APPENDIX / "glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def read(path) -> str:
    return path.read_text(encoding="utf-8")


def glossary_table() -> dict[str, tuple[str, str]]:
    """English term -> (primary Chinese term, variants), from the table at the top of the page."""
    rows = {}
    for line in read(GLOSSARY).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("English", "---") and line.startswith("|"):
            assert cells[0] not in rows, f"glossary table lists {cells[0]!r} twice"
            rows[cells[0]] = (cells[1], cells[3])
    return rows


def glossary_definitions() -> dict[str, str]:
    """Each term of the {glossary} directive (aliases too) -> the Chinese term it opens with."""
    block = read(GLOSSARY).split(":::{glossary}", 1)[1].split("\n:::", 1)[0]
    definitions, pending = {}, []
    for line in block.splitlines():
        if line and not line.startswith(" "):
            pending.append(line.strip())
        elif line.startswith("  ") and pending:
            match = re.match(r"\s+\*\*([^*]+)\*\*", line)
            assert match, f"{pending[0]!r}: the definition must open with its Chinese term in bold"
            for term in pending:
                definitions[term] = match.group(1)
            pending = []
    return definitions


def test_licences_exist_and_the_readme_names_them():
    readme = read(ROOT / "README.md")
    assert "MIT License" in read(ROOT / "LICENSE")
    assert "Attribution 4.0 International" in read(ROOT / "LICENSE-TEXT")
    for name in ("`LICENSE`", "`LICENSE-TEXT`", "CC BY 4.0", "MIT"):
        assert name in readme, f"README.md does not name {name}"


def test_readers_can_report_errata_on_the_configured_repository():
    settings = config()
    assert settings["html"]["use_issues_button"] is True
    assert settings["repository"]["url"].startswith("https://github.com/")
    assert "issue" in read(BOOK / "index.md").lower()


def test_readme_says_what_is_quoted_and_which_build_is_published():
    readme = read(ROOT / "README.md")
    assert "still being written" not in readme
    assert "*Quoted* ones" in readme
    assert "The published HTML is this full build" in readme


def test_landing_page_points_to_the_faq():
    assert "appendix/faq" in read(BOOK / "index.md")


def test_glossary_table_and_definitions_agree():
    table, definitions = glossary_table(), glossary_definitions()
    assert table, "the glossary has no table of terms"
    for term, (chinese, _) in table.items():
        assert definitions.get(term) == chinese, (
            f"{term!r}: the table says {chinese!r}, the definition {definitions.get(term)!r}"
        )
    missing = sorted(set(definitions) - set(table) - set(aliases()))
    assert not missing, f"defined but not in the table: {missing}"


def aliases() -> set[str]:
    """Extra spellings the directive accepts for an entry (a term line right after another)."""
    table = glossary_table()
    return {term for term in glossary_definitions() if term not in table}


def test_glossary_primary_terms_are_unique_and_simplified():
    primaries = [chinese for chinese, _ in glossary_table().values()]
    assert len(primaries) == len(set(primaries)), "two English terms share a primary Chinese term"
    traditional = set("們個來說這樣對與為過還會應當點長門問間開關東")
    for chinese in primaries:
        assert not traditional & set(chinese), f"{chinese!r} uses traditional characters"


@pytest.mark.parametrize(
    "page", [*notebooks(), *sorted(APPENDIX.glob("*.md")), BOOK / "index.md"], ids=lambda p: p.name
)
def test_every_term_reference_resolves(page):
    known = {term.lower() for term in glossary_definitions()}
    if page.suffix == ".ipynb":
        text = "\n".join(source(c) for c in load_notebook(page)["cells"])
    else:
        text = read(page)
    for reference in TERM_ROLE.findall(text):
        target = reference.split("<")[-1].rstrip(">").strip() if "<" in reference else reference
        assert target.lower() in known, f"{page.name}: {{term}}`{reference}` is not in the glossary"


def test_reader_pages_carry_no_contributor_instructions():
    for page in [*APPENDIX.glob("*.md"), BOOK / "index.md"]:
        assert "contributor" not in read(page).lower(), f"{page.name} addresses contributors"


def test_notation_gives_each_symbol_one_row():
    symbols = []
    for line in read(APPENDIX / "notation.md").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| $") and len(cells) == 2:
            symbols.append(cells[0])
    duplicated = sorted({s for s in symbols if symbols.count(s) > 1})
    assert symbols and not duplicated, f"notation lists these symbols twice: {duplicated}"
