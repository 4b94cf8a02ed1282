"""Numbers and statements bound to the run that produced them (every chapter, from chapter 1).

The book promises that every number in its prose is computed by the code beside it, and that every
statement that depends on a run ("the gradient vanishes", "R1 captures every mode") is checked on
that run. Two functions keep the promise:

- :func:`glue` stores a value under a name; the prose shows it with the book's ``{num}`name:.3f```
  role, which the build resolves (in every language edition) from the run's own output.
- :func:`claim` checks a run-dependent statement right after the prose that makes it. The result is
  shown under the cell and recorded in the executed notebook; the build collects every record into
  ``_build/claims.json``. In full mode a statement that does not hold raises :class:`ClaimFailed`,
  which fails the book build with the statement quoted. In quick mode (``GANBOOK_QUICK=1``), whose
  numbers mean nothing, the check is recorded and shown but never raises.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ganbook import checks
from ganbook.config import is_quick

# What the build reads back (book/_ext/claims.py): a claim's record sits in its output's metadata
# under CLAIM_KEY. Glued values use the format of myst-nb's own ``glue`` (scrapbook metadata, hidden
# mimetype prefix), written here so that the notebooks need no myst-nb at run time (Colab lacks it).
CLAIM_KEY = "ganbook_claim"
GLUE_PREFIX = "application/papermill.record/"
# The book's other editions (locales/): a glued ``Text`` carries its words in each, under
# GLUE_PREFIX + translation_mime(language), where the edition's ``{num}`` role finds them.
LANGUAGES = ("zh_CN",)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_NAME_RULE = "a string of letters, digits, '_', '.' or '-' that starts with a letter or '_'"


def translation_mime(language: str) -> str:
    """The mimetype under which :func:`glue` stores a :class:`Text`'s words in ``language``."""
    return f"text/x-ganbook-{checks.one_of('language', language, LANGUAGES)}"


class Text(str):
    """Words for the prose, with their translation in each of the book's other editions.

    Introduced in chapter 1. In Python it is the English string; :func:`glue` also stores each
    translation, and the Chinese edition's ``{num}`` role shows it, so a glued phrase such as the
    machine a run time was measured on reads in the page's language. The Chinese edition's strict
    build fails on a glued phrase without its translation.

    >>> Text("2 CPU cores, no GPU", zh_CN="2 个 CPU 核心，无 GPU")
    '2 CPU cores, no GPU'
    """

    translations: dict[str, str]

    def __new__(cls, english: str, **translations: str) -> Text:
        checks.text("english", english)
        for language, words in translations.items():
            checks.one_of("language", language, LANGUAGES)
            checks.text(language, words)
        text = super().__new__(cls, english)
        text.translations = dict(translations)
        return text


class ClaimFailed(AssertionError):
    """A statement of the text does not hold on this run (raised in full mode only)."""


@dataclass(frozen=True)
class Claim:
    """One checked statement, as it goes into ``_build/claims.json``."""

    statement: str
    value: Any
    held: bool
    mode: str

    def _ipython_display_(self) -> None:
        """Show nothing more: :func:`claim` has shown the result (a cell may end with a claim)."""

    def report(self) -> str:
        mark = "✓ Checked on this run" if self.held else "✗ Does not hold on this run"
        if not self.held and self.mode == "quick":
            mark += " (quick mode: recorded, not enforced)"
        shown = "" if self.value is None else f" (value: {_show(self.value)})"
        return f"{mark}: “{self.statement}”{shown}"


def plain(value: Any) -> Any:
    """Return ``value`` as plain JSON data: NumPy scalars and arrays become numbers and lists.

    Introduced in chapter 1, for :func:`glue` and :func:`claim`. Non-finite floats become strings
    ("nan", "inf"), since JSON has no spelling for them.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, str):
        return value
    raise ValueError(
        f"value must be a number, string, bool, array, list or dict; got {type(value).__name__}"
    )


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{key} = {_show(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def _display(bundle: dict, metadata: dict | None = None) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata=metadata or {})


def glue(name: str, value: Any) -> Any:
    """Store ``value`` under ``name`` for the prose, which shows it with ``{num}`name:fmt```.

    Introduced in chapter 1. Numbers are stored as plain Python numbers, so that format specs such
    as ``.3f`` or ``,d`` apply; strings are stored as they are, a :class:`Text` with its
    translations. Nothing is shown under the cell.
    Returns ``value`` unchanged, so that ``gap = glue("gap", compute_gap())`` reads naturally.
    """
    if not _NAME.match(checks.instance("name", name, str, _NAME_RULE)):
        raise ValueError(f"name must be {_NAME_RULE}; got {name!r}")
    stored = plain(value)
    if isinstance(stored, (list, dict)) or stored is None:
        raise ValueError(
            f"value must be a single number, bool or string to appear in the text; got {value!r}"
        )
    text = str(stored) if isinstance(stored, str) else repr(stored)
    bundle = {GLUE_PREFIX + "text/plain": text}
    for language, words in getattr(value, "translations", {}).items():
        bundle[GLUE_PREFIX + translation_mime(language)] = words
    scrapbook = {"name": name, "mime_prefix": GLUE_PREFIX}
    _display(bundle, {"scrapbook": scrapbook})
    return value


def claim(statement: str, held: Any, value: Any = None) -> Claim:
    """Check a run-dependent statement of the text on this run's results (every chapter).

    Introduced in chapter 1. ``statement`` quotes (or closely paraphrases) the sentence of the text
    it checks; ``held`` is the outcome of the check; ``value`` is what was measured (a number, or a
    dict of numbers), shown beside the statement and kept in the report. In full mode a statement
    that does not hold raises :class:`ClaimFailed`; in quick mode it is only recorded.
    """
    checks.text("statement", statement)
    checks.instance("held", held, (bool, np.bool_), "a bool (the outcome of the check)")
    result = Claim(statement.strip(), plain(value), bool(held), "quick" if is_quick() else "full")
    _display({"text/plain": result.report()}, {CLAIM_KEY: json.loads(json.dumps(asdict(result)))})
    if not result.held and result.mode == "full":
        measured = "" if result.value is None else f" (value: {_show(result.value)})"
        raise ClaimFailed(
            f"the text says “{result.statement}”, but on this run it does not hold{measured}"
        )
    return result
