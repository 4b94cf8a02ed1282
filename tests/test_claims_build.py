"""The claims mechanism in a real Sphinx build: numbers in prose, translations, the report,
failures.

A one-page book with the book's own extension (book/_ext/claims.py) and myst-nb, built with Sphinx:
the English page shows the glued number; a Chinese build whose catalogue translates the paragraph
still shows it (myst-nb's own ``{glue:text}`` role loses it there, which is why the book uses
``{num}``); ``claims.json`` lists the check with its chapter, and lists it alike when a rebuild
takes the outputs from the execution cache (English, Chinese from the English cache, quick mode);
and in full mode a claim that does not hold fails the build, quoting its statement.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bookfiles import BOOK

CONF = f"""
import sys
sys.path.insert(0, {str(BOOK / "_ext")!r})
extensions = ["myst_nb", "claims"]
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_show_tb = True  # as the book: the failing cell's traceback in the log
nb_execution_timeout = 240  # TensorFlow can take a minute to import on two busy cores
locale_dirs = ["locales"]
gettext_compact = False
exclude_patterns = ["_build"]
"""
PARAGRAPH = (
    "The gap is {num}`gap:.3f` after {num}`steps:,d` steps on {num}`machine`; "
    "the paper used {quoted}`k = 1`."
)
TRANSLATION = (
    "在 {num}`machine` 上经过 {num}`steps:,d` 步后差距为 {num}`gap:.3f`；"
    "论文用的是 {quoted}`k = 1`。"
)
MACHINE = "Text('2 CPU cores', zh_CN='2 个 CPU 核心')"  # glued words, with their translation
PO = f"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "{PARAGRAPH}"
msgstr "{TRANSLATION}"
"""


def make_book(folder: Path, held: str = "gap < 0.2", machine: str = MACHINE) -> Path:
    folder.mkdir()
    (folder / "conf.py").write_text(CONF, encoding="utf-8")
    messages = folder / "locales" / "zh_CN" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "chapter.po").write_text(PO, encoding="utf-8")
    (folder / "index.md").write_text("# Book\n\n```{toctree}\nchapter\n```\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Chapter"),
        nbformat.v4.new_code_cell(
            "import numpy as np\nfrom ganbook import Text, claim, glue\n"
            "gap = glue('gap', np.float64(0.123456))\nglue('steps', 12000)\n"
            f"glue('machine', {machine})\n"
        ),
        nbformat.v4.new_markdown_cell(PARAGRAPH),
        nbformat.v4.new_code_cell(f"claim('the gap is below 0.2', held=bool({held}), value=gap)"),
    ]
    nbformat.write(notebook, folder / "chapter.ipynb")
    return folder


def sphinx(folder: Path, out: str, *options: str, quick: str = "0") -> subprocess.CompletedProcess:
    env = dict(os.environ, GANBOOK_QUICK=quick)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-W",
        *options,
        str(folder),
        str(folder / out),
    ]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = make_book(tmp_path_factory.mktemp("claims-book") / "book")
    english = sphinx(folder, "_build/html")
    assert english.returncode == 0, english.stdout[-3000:] + english.stderr[-3000:]
    assert "Executing" in english.stdout
    shutil.copy(folder / "_build" / "claims.json", folder / "_build" / "claims-executed.json")
    chinese = sphinx(folder, "_build/html/zh", "-D", "language=zh_CN")
    assert chinese.returncode == 0, chinese.stdout[-3000:] + chinese.stderr[-3000:]
    return folder


def page(built: Path, *parts: str) -> str:
    return built.joinpath("_build", "html", *parts, "chapter.html").read_text(encoding="utf-8")


def test_numbers_from_the_run_appear_in_the_english_prose(built):
    html = page(built)
    assert "The gap is" in html and "0.123</span> after" in html and "12,000</span> steps" in html
    assert "2 CPU cores</span>;" in html
    assert 'class="quoted-figure"' in html and ">quoted</sup>" in html


def test_numbers_survive_translation(built):
    html = page(built, "zh")
    assert "经过" in html, "the translated paragraph is not on the page"
    assert "12,000</span> 步后差距为" in html and "0.123</span>" in html
    assert ">引用</sup>" in html
    assert "在 <span" in html and "2 个 CPU 核心</span> 上" in html
    assert "2 CPU cores</span>" not in html  # (the code cell shows it)


def test_glued_words_without_a_translation_fail_the_strict_chinese_build(tmp_path):
    folder = make_book(tmp_path / "book", machine="'2 CPU cores'")
    english = sphinx(folder, "_build/html")
    assert english.returncode == 0, english.stdout[-3000:] + english.stderr[-3000:]
    chinese = sphinx(folder, "_build/html/zh", "-D", "language=zh_CN")
    assert chinese.returncode != 0
    assert "glued text 'machine' ('2 CPU cores') has no zh_CN translation" in chinese.stderr


def test_the_second_language_reuses_the_execution_cache(built):
    assert "Executing" not in sphinx(built, "_build/html/zh", "-D", "language=zh_CN", "-E").stdout


def test_claims_report_lists_every_check_with_its_chapter(built):
    report = json.loads((built / "_build" / "claims.json").read_text(encoding="utf-8"))
    assert report == [
        {
            "chapter": "chapter.ipynb",
            "statement": "the gap is below 0.2",
            "value": 0.123456,
            "held": True,
            "mode": "full",
        }
    ]


def reports_equal(built: Path, report: Path) -> None:
    executed = built / "_build" / "claims-executed.json"
    assert json.loads(report.read_text(encoding="utf-8")) == json.loads(
        executed.read_text(encoding="utf-8")
    )


def test_a_build_from_the_cache_reports_the_same_claims(built):
    """On a cache hit myst-nb writes the notebook to jupyter_execute without its outputs; the
    report reads the cache's record instead, so a rebuild reports what the executing build did."""
    result = sphinx(built, "_build/html", "-E")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Executing" not in result.stdout and "Using cached notebook" in result.stdout
    written = built / "_build" / "jupyter_execute" / "chapter.ipynb"
    cells = json.loads(written.read_text(encoding="utf-8"))["cells"]
    assert not any(cell.get("outputs") for cell in cells), (
        "myst-nb now keeps the outputs on a cache hit: this test no longer covers the cache path"
    )
    reports_equal(built, built / "_build" / "claims.json")


def test_the_chinese_edition_from_the_english_cache_reports_the_same_claims(built):
    """As scripts/i18n.py builds it: the English build's cache, the report in _build/zh."""
    report = built / "_build" / "zh" / "claims.json"
    report.parent.mkdir(exist_ok=True)
    result = sphinx(
        built,
        "_build/html/zh",
        "-E",
        "-D",
        "language=zh_CN",
        "-D",
        f"nb_execution_cache_path={built / '_build' / '.jupyter_cache'}",
        "-D",
        f"ganbook_claims_report={report}",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Executing" not in result.stdout and "Using cached notebook" in result.stdout
    reports_equal(built, report)


def test_a_broken_claim_fails_the_full_build_quoting_its_statement(tmp_path):
    result = sphinx(make_book(tmp_path / "book", held="gap > 0.2"), "_build/html")
    assert result.returncode != 0
    assert (
        "the text says “the gap is below 0.2”, but on this run it does not hold"
        in result.stdout + result.stderr
    )


def test_quick_mode_never_reuses_the_full_build_cache(built):
    """The cache is keyed on the code; a quick build must execute anew, and be reported as quick."""
    result = sphinx(built, "_build/html-quick", quick="1")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Executing" in result.stdout
    report = json.loads((built / "_build" / "claims.json").read_text(encoding="utf-8"))
    assert [entry["mode"] for entry in report] == ["quick"]
    again = sphinx(built, "_build/html-quick", "-E", quick="1")  # from the quick cache
    assert "Executing" not in again.stdout and "Using cached notebook" in again.stdout
    assert json.loads((built / "_build" / "claims.json").read_text(encoding="utf-8")) == report
    assert "Executing" not in sphinx(built, "_build/html", "-E").stdout  # the full cache is intact
