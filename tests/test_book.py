"""Book-wide checks: table of contents, stored notebooks, the shared setup cell, the build
config."""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from bookfiles import (
    BOOK,
    ROOT,
    code_cells,
    config,
    load_notebook,
    notebooks,
    set_repository_script,
    source,
    toc_files,
)

NOTEBOOKS = notebooks()
IDS = [p.name for p in NOTEBOOKS]


def test_book_has_chapters():
    assert len(NOTEBOOKS) >= 2


def test_every_notebook_is_in_the_toc():
    listed = set(toc_files())
    missing = [str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS]
    missing = [name for name in missing if name not in listed]
    assert not missing, f"notebooks missing from _toc.yml: {missing}"


def test_every_toc_entry_exists():
    absent = [
        name
        for name in toc_files()
        if not any((ROOT / f"{name}{ext}").exists() for ext in (".ipynb", ".md"))
    ]
    assert not absent, f"_toc.yml names files that do not exist: {absent}"


def test_every_markdown_page_is_in_the_toc():
    listed = set(toc_files())
    pages = [str(p.relative_to(ROOT).with_suffix("")) for p in BOOK.rglob("*.md")]
    stray = [page for page in pages if page not in listed and "_build" not in page]
    assert not stray, f"markdown pages not in _toc.yml: {stray}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_stored_without_outputs(path):
    for index, cell in enumerate(code_cells(load_notebook(path))):
        assert not cell.get("outputs"), f"{path.name}: code cell {index} has stored outputs"
        assert cell.get("execution_count") is None, (
            f"{path.name}: code cell {index} has an execution count"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_uses_python3_kernel(path):
    assert load_notebook(path)["metadata"]["kernelspec"]["name"] == "python3"


def setup_cell(path: Path) -> str:
    return source(code_cells(load_notebook(path))[0])


def test_setup_cell_identical_everywhere():
    reference = setup_cell(NOTEBOOKS[0])
    different = [p.name for p in NOTEBOOKS if setup_cell(p) != reference]
    assert not different, f"first code cell differs from {NOTEBOOKS[0].name} in: {different}"


def test_setup_cell_is_the_template_for_the_configured_repository():
    """scripts/set_repository.py renders the cell; run it after changing the template or the
    repository."""
    spec = importlib.util.spec_from_file_location(
        "set_repository", ROOT / "scripts" / "set_repository.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    repository = config()["repository"]
    expected = module.render_setup_cell(repository["url"], repository["branch"])
    assert f'GANBOOK_REPOSITORY = "{repository["url"]}"' in expected
    stale = [p.name for p in NOTEBOOKS if setup_cell(p) != expected]
    assert not stale, f"setup cell out of date in {stale}: run python scripts/set_repository.py"
    unfolded = [
        p.name
        for p in NOTEBOOKS
        if "hide-input" not in code_cells(load_notebook(p))[0]["metadata"].get("tags", [])
    ]
    assert not unfolded, (
        f"setup cell not tagged hide-input in {unfolded}: run python scripts/set_repository.py"
    )


def run_setup_cell(monkeypatch, in_colab: bool, installed: bool) -> list[list[str]]:
    """Execute the setup cell with Colab and the package present or not; return the commands run."""
    importlib.import_module("ganbook")  # imported for real first: its imports may run subprocesses
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: calls.append(command))
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: real_find_spec(name, *a) if installed else None,
    )
    exec(compile(setup_cell(NOTEBOOKS[0]), "setup-cell", "exec"), {})
    return calls


def test_setup_cell_installs_ganbook_from_the_repository_in_colab(monkeypatch):
    repository = config()["repository"]
    calls = run_setup_cell(monkeypatch, in_colab=True, installed=False)
    assert len(calls) == 1
    assert calls[0][:4] == [sys.executable, "-m", "pip", "install"]
    # pinned to the release tag (scripts/set_repository.py), never the moving branch
    assert calls[0][-1] == f"git+{repository['url']}@{set_repository_script().release_tag()}"
    assert not calls[0][-1].endswith(f"@{repository['branch']}")


@pytest.mark.parametrize("in_colab, installed", [(False, False), (False, True), (True, True)])
def test_setup_cell_installs_nothing_otherwise(monkeypatch, in_colab, installed):
    assert run_setup_cell(monkeypatch, in_colab=in_colab, installed=installed) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_follows_page_skeleton(path):
    markdown = "\n".join(
        source(c) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown"
    )
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    for required in ("Overview", "Prerequisites", "Setup", "Summary", "Exercises", "References"):
        assert required in headings, f"{path.name} lacks a '## {required}' section"
    assert re.search(r"^# \S", markdown, flags=re.M), f"{path.name} has no title"
    numbered = re.findall(r"^#{1,3} \d+(?:\.\d+)*\.? .*$", markdown, flags=re.M)
    assert not numbered, (
        f"{path.name}: the toc numbers chapters and sections; "
        f"drop the hand-written numbers {numbered}"
    )
    assert ":class: dropdown" in markdown, (
        f"{path.name}: exercises need solutions hidden in a dropdown"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figures_have_captions(path):
    """A cell that draws (plt.show) carries a myst-nb caption in its metadata."""
    for index, cell in enumerate(code_cells(load_notebook(path))):
        if "plt.show()" in source(cell):
            caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption")
            assert caption, f"{path.name}: code cell {index} draws a figure without a caption"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_citations_exist_in_the_bibliography(path):
    keys = set(
        re.findall(r"^@\w+\{([^,]+),", (BOOK / "references.bib").read_text(encoding="utf-8"), re.M)
    )
    text = "\n".join(
        source(c) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown"
    )
    cited = {
        key.strip()
        for group in re.findall(r"\{cite[tp]?\}`([^`]+)`", text)
        for key in group.split(",")
    }
    assert cited <= keys, (
        f"{path.name} cites keys missing from references.bib: {sorted(cited - keys)}"
    )


def test_config_executes_notebooks_and_fails_loudly():
    settings = config()
    assert settings["only_build_toc_files"] is True
    assert settings["execute"]["execute_notebooks"] in ("cache", "force")
    assert settings["execute"]["timeout"] > 0
    assert settings["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    assert settings["sphinx"]["config"]["nb_execution_show_tb"] is True
    assert settings["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert settings["bibtex_bibfiles"] == ["book/references.bib"]


def test_requirements_pin_jupyter_book_1():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "jupyter-book==1.0.4.post1" in lines
