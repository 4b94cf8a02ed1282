"""Sphinx extension of the GAN book: numbers from the run in the prose, and the claims report.

- ``{num}`key:fmt``` shows a value that the notebook stored with ``ganbook.glue(key, value)``,
  formatted with the Python format spec ``fmt`` (``.3f``, ``,d``, ``.1%``; default: as stored).
  Unlike myst-nb's ``{glue:text}`key``` it also resolves inside a paragraph translated through a
  gettext catalogue: the translated paragraph is parsed as a fresh document without the notebook's
  glue data, so this role only records the key and the current document, and myst-nb's own
  post-transform fills in the value from the glue data the build saved for that document.
- In a translated edition, ``{num}`` shows a glued ``ganbook.Text`` (words such as the machine a
  run time was measured on) in the edition's language, and warns on glued words without one.
- ``{quoted}`figure``` marks a figure quoted from a paper (never computed here); the sentence cites
  the paper. It renders the figure followed by a small "quoted" mark.
- A quick-mode build (``GANBOOK_QUICK=1``) keeps its execution cache apart from the full build's, so
  that a full build never reuses quick-mode outputs (the cache is keyed on the code, not the mode).
- When the build finishes, every ``ganbook.claim`` record of every executed notebook is written to
  ``claims.json`` beside the HTML folder (``_build/claims.json``), with the notebook's file name.
  The records are read from the executed outputs wherever they are: in cache mode from the
  execution cache's record of the notebook (on a cache hit myst-nb writes the notebook to
  ``jupyter_execute`` without its outputs), else from the notebook myst-nb wrote there.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

CLAIM_KEY = "ganbook_claim"  # where ganbook.claim puts its record in the output metadata
# where ganbook.glue puts a ganbook.Text's translation (ganbook.claims.translation_mime)
TRANSLATION_MIME = "text/x-ganbook-{language}"
QUOTED_MARK = {"zh_CN": "引用", "zh": "引用"}
LOGGER = logging.getLogger(__name__)


class NumberRole(SphinxRole):
    """``{num}`key:fmt```: a glued value of this document, resolved after translation."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        from myst_nb.ext.glue.utils import PendingGlueReference

        key, _, fmt_spec = self.text.partition(":")
        ref = PendingGlueReference(
            refdoc=self.env.docname,
            key=key.strip(),
            inline=True,
            gtype="text",
            fmt_spec=fmt_spec.strip() or "s",
        )
        self.set_source_info(ref)
        return [ref], []


class QuotedRole(SphinxRole):
    """``{quoted}`figure```: a figure quoted from a cited paper, marked as such."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        mark = QUOTED_MARK.get(self.config.language or "en", "quoted")
        node = nodes.inline(self.rawtext, "", classes=["quoted-figure"])
        node += nodes.Text(self.text)
        node += nodes.superscript("", mark, classes=["quoted-mark"])
        self.set_source_info(node)
        return [node], []


def glued_words(plain_text: str) -> bool:
    """Whether a glued value's text/plain is words, which a translated edition must not show in
    English, rather than a number, a bool or a symbol ("nan", "R1", "0.125")."""
    try:
        float(plain_text)
        return False
    except ValueError:
        pass
    if plain_text in ("True", "False"):
        return False
    return re.search(r"[A-Za-z]{2,}", plain_text) is not None


class TranslateGluedText(SphinxPostTransform):
    """In a translated edition, ``{num}`` shows a glued ``ganbook.Text`` in the edition's
    language; glued words without a translation are a warning (an error under ``-W``).

    It runs just before myst-nb's own post-transform (priority 5), which fills in every other
    glued value from the same record (``<docname>.glue.json`` in myst-nb's output folder)."""

    default_priority = 4

    def apply(self, **kwargs: Any) -> None:
        from myst_nb.core.variables import format_plain_text
        from myst_nb.ext.glue.crossref import read_glue_cache
        from myst_nb.ext.glue.utils import PendingGlueReference

        language = self.config.language or "en"
        if language == "en":
            return
        folder = self.env.mystnb_config.output_folder
        glued = {}  # refdoc -> its glue record, read once per page (a chapter has dozens of {num})
        for node in list(self.document.findall(PendingGlueReference)):
            if node.refdoc not in glued:
                glued[node.refdoc] = read_glue_cache(folder, node.refdoc)
            output = glued[node.refdoc].get(node.key)
            if node.get("gtype") != "text" or output is None:
                continue  # myst-nb reports a missing key
            data = output.get("data", {})
            words = data.get(TRANSLATION_MIME.format(language=language))
            if words is None:
                if glued_words(data.get("text/plain", "")):
                    LOGGER.warning(
                        f"glued text {node.key!r} ({data['text/plain']!r}) has no {language} "
                        "translation: glue a ganbook.Text with one",
                        location=node,
                    )
                continue
            text = format_plain_text(words, node["fmt_spec"])
            node.replace_self(nodes.inline(text, text, classes=["pasted-text"]))


def collect_claims(notebooks: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """Every claim record in the executed cells of each notebook, in page order, with the
    chapter's file name."""
    report = []
    for chapter, cells in notebooks.items():
        for cell in cells:
            for output in cell.get("outputs", []):
                record = output.get("metadata", {}).get(CLAIM_KEY)
                if record is not None:
                    report.append({"chapter": chapter, **record})
    return report


def cached_cells(cache_path: Path, source: Path) -> list[dict] | None:
    """The executed code cells of ``source`` in the jupyter-cache at ``cache_path``, or None when
    the cache holds no run of the notebook as it is now (a failed run is not cached)."""
    import nbformat
    from jupyter_cache import get_cache

    if not cache_path.is_dir():
        return None
    cache = get_cache(str(cache_path))
    try:
        record = cache.match_cache_notebook(nbformat.read(source, as_version=4))
    except KeyError:
        return None
    return cache.get_cache_bundle(record.pk).nb["cells"]


def executed_cells(app: Any, docname: str) -> list[dict]:
    """The cells of a notebook with the outputs this build used: the cache's record in cache mode
    (myst-nb's executed copy has no outputs after a cache hit), else that executed copy."""
    config = app.env.mystnb_config
    if config.execution_mode == "cache":
        # myst-nb sets the cache path at builder-inited (default: _build/.jupyter_cache)
        cells = cached_cells(Path(config.execution_cache_path), Path(app.env.doc2path(docname)))
        if cells is not None:
            return cells
    executed = Path(config.output_folder) / f"{docname}.ipynb"
    if not executed.exists():
        return []
    return json.loads(executed.read_text(encoding="utf-8"))["cells"]


def write_claims_report(app: Any, exception: Exception | None) -> None:
    """On a successful build, write ``claims.json`` beside the output folder."""
    if exception is not None or app.builder.format != "html":
        return
    notebooks = {
        Path(docname).name + ".ipynb": executed_cells(app, docname)
        for docname in sorted(app.env.found_docs)
        if Path(app.env.doc2path(docname)).suffix == ".ipynb"
    }
    report = collect_claims(notebooks)
    target = Path(app.config.ganbook_claims_report or Path(app.outdir).parent / "claims.json")
    target.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    failed = [entry for entry in report if not entry["held"]]
    LOGGER.info(
        f"claims: {len(report)} checked in {len(notebooks)} notebooks, "
        f"{len(failed)} not held; report in {target}"
    )


def separate_quick_cache(app: Any, config: Any) -> None:
    """Quick mode executes into its own cache folder (ganbook.config.is_quick reads the same
    variable)."""
    if os.environ.get("GANBOOK_QUICK", "").strip().lower() in ("1", "true", "yes", "on"):
        default = Path(app.outdir).parent / ".jupyter_cache"
        config.nb_execution_cache_path = (
            str(Path(config.nb_execution_cache_path or default)) + "-quick"
        )


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("ganbook_claims_report", "", "env")
    app.add_role("num", NumberRole())
    app.add_role("quoted", QuotedRole())
    app.add_post_transform(TranslateGluedText)
    app.connect("config-inited", separate_quick_cache)
    app.connect("build-finished", write_claims_report)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
