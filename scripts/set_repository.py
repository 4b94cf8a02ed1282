"""Point the book at a repository: Colab launch buttons (_config.yml) and every notebook's setup
cell.

    python scripts/set_repository.py  # re-write setup cells for the current _config.yml
    python scripts/set_repository.py URL [BRANCH]  # e.g. https://github.com/you/gan-book main

The setup cell is rendered from scripts/setup_cell.py.template; tests/test_book.py checks that every
notebook's first code cell equals that rendering, so run this after editing the template too.

In Colab the cell installs ``ganbook`` pinned to the release tag ``v<version>``, the version in
pyproject.toml, never a moving branch: a notebook saved or opened from an old page keeps the package
it was written with. A release therefore bumps the version, runs this script, commits, and tags
that commit ``v<version>`` in the repository.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("setup_cell.py.template")


def release_tag() -> str:
    """The tag the setup cell installs: ``v`` and the package version in pyproject.toml."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'(?m)^version = "([^"]*)"', text)  # [project]'s, the only one
    version = found.group(1) if found else ""
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise ValueError(f"pyproject.toml's version must be MAJOR.MINOR.PATCH; got {version!r}")
    return f"v{version}"


def render_setup_cell(url: str, branch: str, ref: str | None = None) -> str:
    """The setup cell's source: install from ``url`` at ``ref`` (default: the release tag)."""
    ref = release_tag() if ref is None else ref
    if ref == branch or not re.fullmatch(r"v\d+\.\d+\.\d+|[0-9a-f]{40}", ref):
        raise ValueError(f"ref must be a release tag vX.Y.Z or a full commit hash; got {ref!r}")
    template = TEMPLATE.read_text(encoding="utf-8").rstrip("\n")
    return template.replace("{url}", url).replace("{branch}", branch).replace("{ref}", ref)


def update_config(url: str, branch: str) -> None:
    config = ROOT / "_config.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(repository:\n  url: ).*$", rf"\g<1>{url}", text)
    text = re.sub(r"(?m)^(  branch: ).*$", rf"\g<1>{branch}", text, count=1)
    config.write_text(text, encoding="utf-8")


def update_notebooks(url: str, branch: str) -> list[Path]:
    cell_source = render_setup_cell(url, branch)
    changed = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        tags = first.metadata.get("tags", [])
        if first.source != cell_source or "hide-input" not in tags:
            first.source = cell_source
            first.metadata["tags"] = sorted(
                set(tags) | {"hide-input"}
            )  # plumbing, folded away in the HTML
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (argv and not argv[0].startswith(("https://", "http://"))):
        print(__doc__)
        return 2
    repository = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    url = argv[0].rstrip("/") if argv else repository["url"]
    branch = argv[1] if len(argv) > 1 else repository["branch"]
    update_config(url, branch)
    for path in update_notebooks(url, branch):
        print(f"updated {path.relative_to(ROOT)}")
    print(f"book points at {url} (branch {branch}); Colab installs ganbook {release_tag()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
