"""Sphinx extension of the GAN book: the part captions of the table of contents, translated.

Jupyter Book's table of contents (``_toc.yml``, through sphinx-external-toc) inserts the toctrees,
with their part captions ("Part I: The game"), into the root document by a transform that runs
after Sphinx's translation transform. The captions are in the root document's catalogue (the
gettext builder extracts them), but nothing applies their translations: every page of a translated
edition would show the English captions in its sidebar. This transform runs just after the
insertion and translates each caption from the document's catalogue.
"""

from __future__ import annotations

from os import path
from typing import Any

from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

INSERT_TOCTREES_PRIORITY = 100  # sphinx_external_toc.events.InsertToctrees.default_priority


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the toctrees that sphinx-external-toc inserted."""

    default_priority = INSERT_TOCTREES_PRIORITY + 1

    def apply(self, **kwargs: Any) -> None:
        language = self.config.language or "en"
        toctrees = [node for node in self.document.findall(addnodes.toctree) if node.get("caption")]
        if language == "en" or not toctrees:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        folders = [path.join(self.env.srcdir, folder) for folder in self.config.locale_dirs]
        catalogue, found = init_locale(folders, language, domain)
        if not found:
            return
        for node in toctrees:
            caption = catalogue.gettext(node["caption"])
            node["caption"] = node["rawcaption"] = caption


def setup(app: Any) -> dict[str, Any]:
    app.add_transform(TranslateTocCaptions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
