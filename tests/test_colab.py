"""Colab, simulated: each notebook copied alone into an empty folder runs with `ganbook` installed.

In Colab a notebook arrives without the rest of the repository, and the setup cell installs `ganbook` from
the repository (a regular, non-editable install). Here the package is installed the same way into a
throwaway folder that is put first on PYTHONPATH; the notebook runs in another empty folder, and a cell
appended to it checks that `ganbook` was imported from the installed copy, not from this checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from bookfiles import ROOT, notebooks

NOTEBOOKS = notebooks()


@pytest.fixture(scope="module")
def installed_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site-packages")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(ROOT)]
    if importlib.util.find_spec("setuptools") is not None:
        command.insert(4, "--no-build-isolation")  # builds offline with the installed setuptools
    subprocess.run(command, check=True, cwd=tmp_path_factory.getbasetemp())
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    return site


def test_installed_copy_has_every_module(installed_site):
    source_modules = {p.name for p in (ROOT / "book" / "ganbook").glob("*.py")}
    installed_modules = {p.name for p in (installed_site / "ganbook").glob("*.py")}
    assert source_modules == installed_modules


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_alone_with_installed_package(installed_site, tmp_path, monkeypatch, path):
    workdir = tmp_path / "colab"
    workdir.mkdir()
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import ganbook\nprint('GANBOOK_FROM', ganbook.__file__)"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(installed_site), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("GANBOOK_ARTIFACTS", str(tmp_path / "artifacts"))
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}})
    client.execute()
    printed = "".join(out.get("text", "") for out in notebook.cells[-1].outputs)
    assert f"GANBOOK_FROM {installed_site}" in printed, printed
