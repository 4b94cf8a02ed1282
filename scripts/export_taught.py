"""Copy the code that chapters teach into ganbook, so that each taught object has one source.

A notebook code cell whose first line is ``# ganbook: <module>`` defines objects that other
chapters (and the package) use. This script writes every such cell of a notebook, in notebook order
and without that first line, into ``book/ganbook/<module>.py``, replacing what stands between the
two lines

    # BEGIN generated from book/05_dcgan.ipynb by scripts/export_taught.py; edit the notebook
    # END generated from book/05_dcgan.ipynb

The rest of the module (imports, configuration, plumbing no chapter shows) is written by hand; the
two marker lines go where the generated code belongs, once per notebook that exports to the module.

    python scripts/export_taught.py          # rewrite the generated sections that are out of date
    python scripts/export_taught.py --check  # list them and exit 1 (tests/test_export.py runs this)

It refuses (exit 2, saying why) a marked cell that is not plain Python (a ``%magic`` or ``!shell``
line), a name that marked cells define twice, an unmarked cell of the same notebook that redefines
an exported name (the notebook would then run other code than the package holds), a module without
the marker lines, and marker lines that no notebook fills.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r"#\s*ganbook:\s*([A-Za-z_]\w*)\s*$")
BEGIN = "# BEGIN generated from {notebook} by scripts/export_taught.py; edit the notebook"
END = "# END generated from {notebook}"
ANY_BEGIN = re.compile(r"^# BEGIN generated from (\S+) by scripts/export_taught\.py", re.MULTILINE)


class ExportError(Exception):
    """A notebook or module that the export cannot handle; the message says what to fix."""


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def top_level_names(code: str, where: str) -> list[str]:
    """Names that ``code`` defines at top level with ``def`` or ``class``."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        message = f"{where} is not plain Python: {error.msg} (line {error.lineno})"
        raise ExportError(message) from None
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return [node.name for node in tree.body if isinstance(node, kinds)]


def taught_cells(notebook: Path, label: str) -> dict[str, list[str]]:
    """The marked cells of a notebook, without their marker line, by target module."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    by_module: dict[str, list[str]] = {}
    exported: dict[str, int] = {}
    unmarked: list[tuple[int, str]] = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        lines = cell_source(cell).splitlines()
        mark = MARK.fullmatch(lines[0].strip()) if lines else None
        if mark is None:
            unmarked.append((index, cell_source(cell)))
            continue
        where = f"{label}, cell {index}"
        body = "\n".join(lines[1:]).strip("\n")
        if any(line.lstrip().startswith(("%", "!")) for line in body.splitlines()):
            raise ExportError(f"{where} is marked for ganbook but holds a %magic or !shell line")
        for name in top_level_names(body, where):
            if name in exported:
                raise ExportError(f"{where} defines {name} again (cell {exported[name]} did)")
            exported[name] = index
        by_module.setdefault(mark.group(1), []).append(body)
    for index, source in unmarked:
        try:
            names = top_level_names(source, f"{label}, cell {index}")
        except ExportError:
            continue  # an unmarked cell may hold magics: it is not exported
        for name in names:
            if name in exported:
                raise ExportError(
                    f"{label}, cell {index} redefines {name}, which cell {exported[name]} exports "
                    "to ganbook: rename one of them"
                )
    return by_module


def section(label: str, bodies: list[str]) -> str:
    """The generated section: marker lines around the cells, two blank lines between definitions."""
    code = "\n\n\n".join(bodies)
    return f"{BEGIN.format(notebook=label)}\n\n\n{code}\n\n\n{END.format(notebook=label)}"


def with_section(text: str, module: str, label: str, bodies: list[str]) -> str:
    """``text`` (a module's source) with the section for the notebook ``label`` replaced."""
    begin, end = BEGIN.format(notebook=label), END.format(notebook=label)
    if text.count(begin + "\n") != 1 or text.count(end + "\n") != 1:
        raise ExportError(
            f"{module} must hold the line {begin!r} once, and later the line {end!r} once, "
            "where the code of the notebook belongs"
        )
    start, stop = text.index(begin + "\n"), text.index(end + "\n") + len(end)
    if stop < start:
        raise ExportError(f"{module}: the END line for {label} comes before its BEGIN line")
    return text[:start] + section(label, bodies) + text[stop:]


def export(root: Path = ROOT, check: bool = False) -> list[str]:
    """Bring every generated section under ``root`` up to date; return the modules that were stale.

    With ``check`` nothing is written. Raises ExportError for anything the export cannot handle.
    """
    book, package = root / "book", root / "book" / "ganbook"
    wanted: dict[Path, dict[str, list[str]]] = {}
    for notebook in sorted(book.glob("*.ipynb")):
        label = notebook.relative_to(root).as_posix()
        for module, bodies in taught_cells(notebook, label).items():
            path = package / f"{module}.py"
            if not path.is_file():
                raise ExportError(f"{label} exports to ganbook.{module}, but {path} does not exist")
            wanted.setdefault(path, {})[label] = bodies
    stale = []
    for path in sorted(package.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        module = path.relative_to(root).as_posix()
        sections = wanted.get(path, {})
        for label in ANY_BEGIN.findall(text):
            if label not in sections:
                message = f"{module} has a section generated from {label}, which marks no cell"
                raise ExportError(message)
        updated = text
        for label, bodies in sections.items():
            updated = with_section(updated, module, label, bodies)
        if updated != text:
            stale.append(module)
            if not check:
                path.write_text(updated, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale modules; exit 1 if any")
    args = parser.parse_args(argv)
    try:
        stale = export(root, check=args.check)
    except ExportError as error:
        print(f"export_taught: {error}", file=sys.stderr)
        return 2
    for module in stale:
        if args.check:
            print(f"{module}: out of date with its notebook; run python scripts/export_taught.py")
        else:
            print(f"{module}: rewritten")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
