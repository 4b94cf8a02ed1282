"""Clean pages (issue 11): no warning, machine path or progress bar in any built page.

A reader's page shows what the chapter prints on purpose: the data source once, results, checks.
A library warning (with the kernel's temporary file name), a path of the build machine or a
download or training progress bar is noise the text never explains. The test reads the built
HTML, English and Chinese, from ``$GANBOOK_HTML_DIR`` or ``_build/html``. Without a build it
skips, except under ``CI=true`` (``.ci/run`` builds the book first), where that is a failure.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OUTPUT = re.compile(
    r'<div class="output (?P<kind>[a-z_]+)[^"]*"><div class="highlight">'
    r"<pre>(?P<text>.*?)</pre>",
    re.S,
)
# A path of the machine that ran the build, the kernel's temporary cell files, a progress bar.
NOISE = re.compile(r"/tmp/|/work/|/home/|/root/|/content/|ipykernel_|━|Downloading data from|\r")


def _html_dir() -> Path:
    return Path(os.environ.get("GANBOOK_HTML_DIR", REPO / "_build" / "html"))


def _pages() -> list[Path]:
    root = _html_dir()
    pages = sorted(root.glob("book/*.html")) + sorted(root.glob("zh/book/*.html"))
    if not pages:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"no built pages in {root}: .ci/run builds the book before the tests")
        pytest.skip(f"no built pages in {root}: build the book first (jupyter-book build .)")
    return pages


def noise_in(page_html: str) -> list[str]:
    """The outputs of one page that a reader should not see, as plain text."""
    found = []
    for match in OUTPUT.finditer(page_html):
        text = html.unescape(re.sub(r"<[^>]+>", "", match["text"]))
        if match["kind"] == "stderr" or NOISE.search(text) or "Warning:" in text:
            found.append(f"{match['kind']}: {text.strip()[:160]}")
    return found


def test_noise_is_recognised():
    warning = (
        '<div class="output stderr highlight-myst-ansi notranslate"><div class="highlight"><pre>'
        "/tmp/ipykernel_1/2.py:4: LinAlgWarning: Matrix is singular.</pre>"
    )
    path = (
        '<div class="output stream highlight-myst-ansi notranslate"><div class="highlight"><pre>'
        "saved to /work/book/_artifacts/g.keras</pre>"
    )
    clean = (
        '<div class="output stream highlight-myst-ansi notranslate"><div class="highlight"><pre>'
        "MNIST (60,000 training digits)</pre>"
    )
    assert len(noise_in(warning)) == 1 and len(noise_in(path)) == 1
    assert noise_in(clean) == []


def test_every_page_is_clean():
    dirty = {}
    for page in _pages():
        found = noise_in(page.read_text(encoding="utf-8"))
        if found:
            dirty[str(page.relative_to(_html_dir()))] = found
    assert not dirty, "outputs a reader should not see:\n" + "\n".join(
        f"{page}: {line}" for page, lines in dirty.items() for line in lines
    )
