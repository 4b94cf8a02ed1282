"""The claims of the book, statically in the notebooks and as the full build checked them.

Static checks (always): every ``{num}`` key in a chapter's prose is glued by that chapter; prose
uses ``{num}``, not myst-nb's ``{glue:text}`` (which does not survive translation); every check is
in a cell folded away in the HTML; every quoted figure is cited in its paragraph.

Report checks (after a full build): ``_build/claims.json`` (or ``$GANBOOK_CLAIMS_REPORT``) was
written by a full-mode build, every chapter done so far has checks, and every check held. Without a
report, or with a quick-mode one, they skip with a message, except under ``CI=true``, which builds
the full book first and where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from bookfiles import ROOT, load_notebook, notebooks, source

NOTEBOOKS = notebooks()
IDS = [p.name for p in NOTEBOOKS]

# Chapters whose every run-dependent statement is checked. A chapter joins when its issue is done.
CHAPTERS_WITH_CHECKS = [
    "01_introduction.ipynb",
    "02_minimax.ipynb",
    "03_gradients.ipynb",
    "04_first_gan.ipynb",
    "05_dcgan.ipynb",
    "06_conditional_gan.ipynb",
    "07_failure_modes.ipynb",
    "08_remedies.ipynb",
    "09_evaluation.ipynb",
    "10_applications.ipynb",
]

NUM_ROLE = re.compile(r"\{num\}`([^`:]+)(?::[^`]*)?`")
GLUE_CALL = re.compile(r"""\bglue\(\s*(?:f?["'])([^"']+)["']""")
CLAIM_CALL = re.compile(r"\bclaim\(")


def markdown(path: Path) -> str:
    return "\n\n".join(
        source(c) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown"
    )


def code(path: Path) -> list[dict]:
    return [c for c in load_notebook(path)["cells"] if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_number_in_the_prose_is_glued_by_the_chapter(path):
    glued = {key for cell in code(path) for key in GLUE_CALL.findall(source(cell))}
    dynamic = [key for key in glued if "{" in key]  # f-string names: glue(f"gap_{seed}", ...)
    patterns = [
        re.compile("^" + re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(key)) + "$") for key in dynamic
    ]
    used = set(NUM_ROLE.findall(markdown(path)))
    missing = sorted(k for k in used if k not in glued and not any(p.match(k) for p in patterns))
    assert not missing, (
        f"{path.name}: prose shows {{num}} keys that no glue() call stores: {missing}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_prose_uses_the_num_role_not_glue_text(path):
    found = re.findall(r"\{glue(?::\w+)?\}`[^`]*`", markdown(path))
    assert not found, f"{path.name}: use {{num}}`key:fmt` (it survives translation), not {found}"


def folded(cell: dict) -> bool:
    return bool(
        {"hide-input", "hide-cell", "remove-input"} & set(cell.get("metadata", {}).get("tags", []))
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_checks_are_folded_away_in_the_html(path):
    """A check is tagged hide-input, or sits in a solution, which is a closed dropdown already."""
    unfolded, in_solution = [], False
    for index, cell in enumerate(load_notebook(path)["cells"]):
        text = source(cell)
        if cell["cell_type"] == "markdown":
            in_solution = "{solution-end}" not in text and (
                "{solution-start}" in text or in_solution
            )
        elif CLAIM_CALL.search(text) and not folded(cell) and not in_solution:
            unfolded.append(index)
    assert not unfolded, f"{path.name}: cells {unfolded} check claims but are not tagged hide-input"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_quoted_figures_are_cited_in_their_paragraph(path):
    uncited = [
        paragraph.strip()[:100]
        for paragraph in re.split(r"\n\s*\n", markdown(path))
        if "{quoted}" in paragraph and "{cite" not in paragraph
    ]
    assert not uncited, (
        f"{path.name}: quoted figures without a citation in the paragraph: {uncited}"
    )


@pytest.mark.parametrize("name", CHAPTERS_WITH_CHECKS)
def test_done_chapters_check_their_claims(name):
    assert any(CLAIM_CALL.search(source(cell)) for cell in code(ROOT / "book" / name)), name


def full_build_report() -> list[dict]:
    path = Path(os.environ.get("GANBOOK_CLAIMS_REPORT") or ROOT / "_build" / "claims.json")
    in_ci = os.environ.get("CI", "").lower() == "true"
    problem = None
    if not path.exists():
        problem = f"no claims report at {path}: build the book in full mode first"
    else:
        report = json.loads(path.read_text(encoding="utf-8"))
        if not report or any(entry["mode"] != "full" for entry in report):
            problem = f"{path} comes from a quick-mode build: build the book in full mode first"
    if problem:
        if in_ci:
            pytest.fail(problem)
        pytest.skip(problem)
    return report


@pytest.fixture(scope="module")
def report() -> list[dict]:
    return full_build_report()


def test_report_entries_have_the_documented_fields(report):
    for entry in report:
        assert {"chapter", "statement", "value", "held", "mode"} <= entry.keys(), entry


@pytest.mark.parametrize("name", CHAPTERS_WITH_CHECKS)
def test_every_done_chapter_was_checked_by_the_full_build(report, name):
    assert any(entry["chapter"] == name for entry in report), (
        f"the full build checked nothing in {name}"
    )


def test_every_check_held_in_the_full_build(report):
    failed = [
        f"{e['chapter']}: {e['statement']} (value {e['value']})" for e in report if not e["held"]
    ]
    assert not failed, "statements of the text that did not hold:\n" + "\n".join(failed)
