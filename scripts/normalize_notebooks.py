"""Store every chapter notebook in one canonical form, so that a one-line edit is a one-line diff.

Canonical: nbformat 4.5 (every cell has a stable id), one source line per list entry, no outputs or
execution counts, only the kernelspec and language name in the notebook metadata, JSON indented by
one space with a final newline (what Jupyter itself writes).

    python scripts/normalize_notebooks.py          # rewrite the notebooks that are not canonical
    python scripts/normalize_notebooks.py --check  # list them and exit 1
                                                   # (tests/test_book.py runs this)
    python scripts/normalize_notebooks.py book/05_dcgan.ipynb  # only the notebooks named
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_PARTS = {"_build", "_artifacts", ".ipynb_checkpoints"}
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebooks() -> list[Path]:
    book = ROOT / "book"
    return sorted(
        p for p in book.rglob("*.ipynb") if not SKIP_PARTS & set(p.relative_to(ROOT).parts)
    )


def lines(text: str | list[str]) -> list[str]:
    text = "".join(text) if isinstance(text, list) else text
    return text.splitlines(keepends=True)


def cell_id(path: Path, index: int, cell: dict) -> str:
    """A short id that stays the same as long as the cell keeps its place and kind."""
    digest = hashlib.sha1(f"{path.stem}:{index}:{cell['cell_type']}".encode()).hexdigest()
    return digest[:8]


def canonical(path: Path, notebook: dict) -> dict:
    cells = []
    seen: set[str] = set()
    for index, cell in enumerate(notebook["cells"]):
        identifier = cell.get("id") or cell_id(path, index, cell)
        if identifier in seen:
            identifier = cell_id(path, index, cell)
        seen.add(identifier)
        clean = {
            "cell_type": cell["cell_type"],
            "id": identifier,
            "metadata": cell.get("metadata", {}),
        }
        if cell["cell_type"] == "code":
            clean.update(execution_count=None, outputs=[])
        clean["source"] = lines(cell["source"])
        cells.append(clean)
    metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def dumps(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only list notebooks that are not canonical"
    )
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks to normalise (default: all)")
    args = parser.parse_args(argv)
    stale = []
    for path in [p.resolve() for p in args.paths] or notebooks():
        text = path.read_text(encoding="utf-8")
        wanted = dumps(canonical(path, json.loads(text)))
        if text != wanted:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    verb = "not canonical" if args.check else "rewritten"
    for path in stale:
        print(f"{path}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
