"""Style: ruff is clean over the package, tests, scripts and notebooks; code cells fit the page.

A code cell wider than 88 columns scrolls sideways in the HTML book, so notebook code is held to 88
columns; Python files to the 100 of pyproject.toml. Notebooks are stored in one canonical form
(scripts/normalize_notebooks.py), so that a one-line edit is a one-line diff.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from bookfiles import ROOT, code_cells, load_notebook, notebooks, source

NOTEBOOKS = notebooks()
PAGE_WIDTH = 88


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: pip install -r requirements.txt")
    result = subprocess.run(
        [ruff, "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_code_cells_fit_the_page(path):
    wide = [
        f"cell {index}: {line[:60]}..."
        for index, cell in enumerate(code_cells(load_notebook(path)))
        for line in source(cell).splitlines()
        if len(line) > PAGE_WIDTH
    ]
    assert not wide, f"{path.name}: lines over {PAGE_WIDTH} columns:\n" + "\n".join(wide)


def test_notebooks_are_canonical():
    script = ROOT / "scripts" / "normalize_notebooks.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, f"run python scripts/normalize_notebooks.py:\n{result.stdout}"
