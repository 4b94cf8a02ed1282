"""Colab, simulated without running any notebook a second time (nbmake runs each once).

In Colab a notebook arrives without the rest of the repository, and the setup cell installs
`ganbook` from the repository (a regular, non-editable install). Here the package is installed the
same way into a throwaway folder; then, from an empty working folder with only that copy on the
path, every `ganbook` name that any notebook uses must import, from the installed copy and not from
this checkout. And no notebook may read a file of the repository by a relative path, which would
not be there in Colab.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from bookfiles import ROOT, code_cells, load_notebook, notebooks, set_repository_script, source

NOTEBOOKS = notebooks()


@pytest.fixture(scope="module")
def installed_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site-packages")
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--target",
        str(site),
        str(ROOT),
    ]
    if importlib.util.find_spec("setuptools") is not None:
        command.insert(4, "--no-build-isolation")  # builds offline with the installed setuptools
    subprocess.run(command, check=True, cwd=tmp_path_factory.getbasetemp())
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    return site


def python_source(notebook: dict) -> str:
    """The notebook's code cells as Python, with IPython magics and shell lines left out."""
    lines = []
    for cell in code_cells(notebook):
        lines += [
            line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!"))
        ]
    return "\n".join(lines)


def ganbook_names(tree: ast.AST) -> set[str]:
    """Every `ganbook` module and `module:name` the code imports or reads as an attribute."""
    names: set[str] = set()
    aliases = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "ganbook"
        ):
            names.update(f"{node.module}:{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "ganbook":
                    names.add(alias.name)
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            names.add(f"{aliases[node.value.id]}:{node.attr}")
    return names


def test_installed_copy_has_every_module(installed_site):
    source_modules = {p.name for p in (ROOT / "book" / "ganbook").glob("*.py")}
    installed_modules = {p.name for p in (installed_site / "ganbook").glob("*.py")}
    assert source_modules == installed_modules


def test_every_name_the_notebooks_use_imports_from_the_installed_copy(installed_site, tmp_path):
    wanted = sorted(
        {
            name
            for path in NOTEBOOKS
            for name in ganbook_names(ast.parse(python_source(load_notebook(path))))
        }
    )
    assert any(":" in name for name in wanted), "found no ganbook names in the notebooks"
    script = (
        "import importlib, json, sys\n"
        "missing = []\n"
        f"for name in {wanted!r}:\n"
        "    module, _, attribute = name.partition(':')\n"
        "    try:\n"
        "        value = importlib.import_module(module)\n"
        # `from ganbook import tuning` names a submodule, which getattr finds only once imported
        "        if attribute and not hasattr(value, attribute):\n"
        "            importlib.import_module(f'{module}.{attribute}')\n"
        "    except (ImportError, AttributeError) as error:\n"
        "        missing.append(f'{name}: {error}')\n"
        "import ganbook\n"
        "print(json.dumps({'missing': missing, 'file': ganbook.__file__}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(installed_site))
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["file"].startswith(str(installed_site)), report["file"]
    assert not report["missing"], (
        "names the notebooks use that the installed package lacks:\n" + "\n".join(report["missing"])
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_reads_no_repository_file(path):
    """A relative path into the repository works in a checkout and fails in Colab."""
    tree = ast.parse(python_source(load_notebook(path)))
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    top_level = {p.name for p in ROOT.iterdir() if not p.name.startswith(".")} | {
        p.name for p in (ROOT / "book").iterdir()
    }
    suspicious = [
        text
        for text in strings
        if re.match(r"^\.\.?/", text)
        or text.split("/")[0] in top_level - {"ganbook"}
        and "/" in text
    ]
    assert not suspicious, f"{path.name} refers to repository files by path: {suspicious}"


def test_notebooks_name_no_local_paths():
    text = "\n".join(json.dumps(load_notebook(path)) for path in NOTEBOOKS)
    assert str(ROOT) not in text and "/work/" not in text


def test_setup_cell_pins_the_release_not_a_branch():
    script = set_repository_script()
    text = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'(?m)^version = "([^"]*)"', text).group(1)
    cell = script.render_setup_cell("https://github.com/you/book", "main")
    assert f'GANBOOK_RELEASE = "v{version}"' in cell
    assert "@{GANBOOK_RELEASE}" in cell and "@main" not in cell
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert f'"{commit}"' in script.render_setup_cell("https://github.com/you/book", "main", commit)
    for moving in ("main", "dev", "v1", "HEAD"):
        with pytest.raises(ValueError, match="ref"):
            script.render_setup_cell("https://github.com/you/book", "main", moving)


def test_setup_cell_in_colab_installs_the_pinned_release(monkeypatch):
    """The pip branch of the setup cell, run as in Colab (ganbook not yet importable)."""
    import types

    script = set_repository_script()
    cell = script.render_setup_cell("https://github.com/you/book", "main", "v9.8.7")
    commands = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(subprocess, "run", lambda command, check: commands.append(command))
    exec(compile(cell, "setup cell", "exec"), {})
    assert commands == [
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "git+https://github.com/you/book@v9.8.7",
        ]
    ]
