"""Taught code has one source, its chapter: scripts/export_taught.py copies the cells to ganbook.

The first test is the one that guards the book: it fails when a notebook's marked cells and the
generated section of their module differ (run ``python scripts/export_taught.py`` to fix it). The
others check the script itself on a small book made in a temporary folder.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path

import pytest

from ganbook import cgan, gan

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "export_taught.py"
SPEC = importlib.util.spec_from_file_location("export_taught", SCRIPT)
export_taught = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(export_taught)

TAUGHT = {
    "book/05_dcgan.ipynb": (
        gan,
        [
            "make_dataset",
            "build_generator",
            "build_discriminator",
            "GAN",
            "SampleGrid",
            "CheckpointAndResume",
            "StopOnNaN",
            "dtype_policy",
            "compile_from_config",
            "build_gan",
            "fit_gan",
            "train_dcgan",
        ],
    ),
    "book/06_conditional_gan.ipynb": (
        cgan,
        [
            "build_conditional_generator",
            "build_conditional_discriminator",
            "ConditionalGAN",
            "train_cgan",
        ],
    ),
}


def test_the_export_is_current(capsys):
    status = export_taught.main(["--check"])
    assert status == 0, capsys.readouterr().out + "\nrun: python scripts/export_taught.py"


@pytest.mark.parametrize("notebook", TAUGHT)
def test_the_chapters_teach_these_objects_and_ganbook_holds_their_cells(notebook):
    module, names = TAUGHT[notebook]
    bodies = export_taught.taught_cells(ROOT / notebook, notebook)[module.__name__.split(".")[-1]]
    defined = [name for body in bodies for name in export_taught.top_level_names(body, notebook)]
    assert defined == names
    source = inspect.getsource(module)
    assert export_taught.BEGIN.format(notebook=notebook) in source  # says: edit the notebook
    for name in names:
        assert inspect.getsource(getattr(module, name)).strip() in source
        assert getattr(module, name).__module__ == module.__name__


# --------------------------------------------------------------------------------------------------
# The script, on a book of one notebook and one module
# --------------------------------------------------------------------------------------------------

MODULE = '''"""A module with a generated section."""

import math

SCALE = 2


# BEGIN generated from book/01_toy.ipynb by scripts/export_taught.py; edit the notebook
# END generated from book/01_toy.ipynb


def plumbing():
    return double(SCALE)
'''


def _code(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}


def _book(tmp_path: Path, cells: list[dict], module: str = MODULE) -> Path:
    (tmp_path / "book" / "ganbook").mkdir(parents=True)
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "book" / "01_toy.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "book" / "ganbook" / "toy.py").write_text(module)
    return tmp_path


DOUBLE = "# ganbook: toy\ndef double(x):\n    return 2 * x\n"
ROOT_OF = "# ganbook: toy\ndef root(x):\n    return math.sqrt(x)"


def test_export_writes_marked_cells_in_order_and_check_sees_staleness(tmp_path):
    root = _book(tmp_path, [_code(DOUBLE), _code("print(double(3))"), _code(ROOT_OF)])
    assert export_taught.main(["--check"], root=root) == 1
    assert export_taught.main([], root=root) == 0
    text = (root / "book" / "ganbook" / "toy.py").read_text()
    assert "def double(x):\n    return 2 * x\n\n\ndef root(x):" in text
    assert "# ganbook: toy" not in text and "print(double(3))" not in text
    assert text.startswith('"""A module with a generated section."""') and "def plumbing" in text
    assert export_taught.main(["--check"], root=root) == 0
    namespace = {}
    exec(compile(text, "toy.py", "exec"), namespace)
    assert namespace["plumbing"]() == 4 and namespace["root"](9) == 3

    notebook = json.loads((root / "book" / "01_toy.ipynb").read_text())
    notebook["cells"][0]["source"] = DOUBLE.replace("2 * x", "x + x")
    (root / "book" / "01_toy.ipynb").write_text(json.dumps(notebook))
    assert export_taught.export(root, check=True) == ["book/ganbook/toy.py"]
    assert "x + x" not in (root / "book" / "ganbook" / "toy.py").read_text()  # check writes nothing


@pytest.mark.parametrize(
    "cells, module, message",
    [
        ([_code(DOUBLE + "%timeit double(2)\n")], MODULE, "magic"),
        ([_code(DOUBLE + "!ls\n")], MODULE, "magic"),
        ([_code(DOUBLE), _code(DOUBLE)], MODULE, "defines double again"),
        ([_code(DOUBLE), _code("def double(x):\n    return 0")], MODULE, "redefines double"),
        ([_code(DOUBLE)], '"""No markers."""\n', "must hold the line"),
        ([_code("# ganbook: elsewhere\nx = 1")], MODULE, "does not exist"),
        ([_code("x = 1")], MODULE, "which marks no cell"),
        ([_code("# ganbook: toy\ndef broken(:\n")], MODULE, "not plain Python"),
    ],
)
def test_export_refuses_what_it_cannot_copy_faithfully(tmp_path, capsys, cells, module, message):
    root = _book(tmp_path, cells, module)
    with pytest.raises(export_taught.ExportError, match=message):
        export_taught.export(root)
    assert export_taught.main(["--check"], root=root) == 2
    assert message.split()[0] in capsys.readouterr().err
