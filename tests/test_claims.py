"""Unit tests of ganbook.claims: glued values and checked statements."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ganbook.claims as claims
from ganbook import Claim, ClaimFailed, claim, glue
from ganbook.claims import CLAIM_KEY, GLUE_PREFIX, plain


@pytest.fixture
def shown(monkeypatch):
    """What the functions would display in a notebook, as (bundle, metadata) pairs."""
    displayed = []
    monkeypatch.setattr(
        claims, "_display", lambda bundle, metadata=None: displayed.append((bundle, metadata))
    )
    return displayed


@pytest.mark.parametrize(
    "value, expected",
    [
        (np.float32(0.5), 0.5),
        (np.int64(3), 3),
        (np.bool_(True), True),
        (np.array([1.0, 2.0]), [1.0, 2.0]),
        ({"a": np.float64(1.5), 2: [np.int8(1)]}, {"a": 1.5, "2": [1]}),
        (float("nan"), "nan"),
        (-math.inf, "-inf"),
        ("text", "text"),
        (None, None),
    ],
)
def test_plain_turns_numpy_into_json_data(value, expected):
    assert plain(value) == expected


def test_plain_rejects_objects_it_cannot_store():
    with pytest.raises(ValueError, match="value"):
        plain(object())


def test_glue_stores_a_plain_number_in_myst_nb_format(shown):
    assert glue("gap", np.float64(0.125)) == np.float64(0.125)
    ((bundle, metadata),) = shown
    assert bundle == {GLUE_PREFIX + "text/plain": "0.125"}  # not "np.float64(0.125)": formats apply
    assert metadata == {"scrapbook": {"name": "gap", "mime_prefix": GLUE_PREFIX}}


def test_glue_stores_strings_as_they_are(shown):
    glue("pair", "4 and 9")
    assert shown[0][0] == {GLUE_PREFIX + "text/plain": "4 and 9"}


def test_glue_stores_a_texts_translations_beside_the_english(shown):
    words = claims.Text("2 CPU cores, no GPU", zh_CN="2 个 CPU 核心，无 GPU")
    assert glue("machine", words) == "2 CPU cores, no GPU"
    assert shown[0][0] == {
        GLUE_PREFIX + "text/plain": "2 CPU cores, no GPU",
        GLUE_PREFIX + "text/x-ganbook-zh_CN": "2 个 CPU 核心，无 GPU",
    }
    assert type(shown[0][0][GLUE_PREFIX + "text/plain"]) is str  # plain JSON, not a Text


def test_a_text_is_its_english_string_and_keeps_its_translations():
    words = claims.Text("no GPU", zh_CN="无 GPU")
    assert words == "no GPU" and f"on {words}" == "on no GPU"
    assert words.translations == {"zh_CN": "无 GPU"}
    assert claims.Text("no GPU").translations == {}


def test_a_text_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="language"):
        claims.Text("no GPU", fr="pas de GPU")


@pytest.mark.parametrize("name", ["", "two words", "1st", None, 3, "a:b", "a`b"])
def test_glue_rejects_bad_names(shown, name):
    with pytest.raises(ValueError, match="name"):
        glue(name, 1.0)
    assert not shown


@pytest.mark.parametrize("value", [None, [1, 2], np.zeros(3), {"a": 1}, object()])
def test_glue_rejects_values_that_cannot_appear_in_a_sentence(shown, value):
    with pytest.raises(ValueError, match="value"):
        glue("x", value)


@pytest.mark.parametrize("quick", ["0", "1"])
def test_claim_that_holds_is_recorded_and_shown(shown, monkeypatch, quick):
    monkeypatch.setenv("GANBOOK_QUICK", quick)
    result = claim(
        "the gap shrinks", held=np.bool_(True), value={"before": 0.5, "after": np.float64(0.1)}
    )
    mode = "quick" if quick == "1" else "full"
    assert result == Claim("the gap shrinks", {"before": 0.5, "after": 0.1}, True, mode)
    ((bundle, metadata),) = shown
    assert metadata[CLAIM_KEY] == {
        "statement": "the gap shrinks",
        "value": {"before": 0.5, "after": 0.1},
        "held": True,
        "mode": mode,
    }
    assert (
        bundle["text/plain"]
        == "✓ Checked on this run: “the gap shrinks” (value: before = 0.5, after = 0.1)"
    )


def test_failed_claim_fails_full_mode_quoting_the_statement(shown, monkeypatch):
    monkeypatch.setenv("GANBOOK_QUICK", "0")
    with pytest.raises(ClaimFailed, match="the text says “R1 captures every mode”.*value: 7"):
        claim("R1 captures every mode", held=7 == 8, value=7)
    assert shown[0][1][CLAIM_KEY]["held"] is False  # recorded before it raises


def test_failed_claim_is_only_recorded_in_quick_mode(shown, monkeypatch):
    monkeypatch.setenv("GANBOOK_QUICK", "1")
    result = claim("the loss oscillates", held=False)
    assert not result.held and result.mode == "quick"
    assert "quick mode: recorded, not enforced" in shown[0][0]["text/plain"]


def test_claim_failed_is_an_assertion_error():
    assert issubclass(ClaimFailed, AssertionError)


@pytest.mark.parametrize("statement", ["", "   ", None, 3])
def test_claim_rejects_empty_statements(shown, statement):
    with pytest.raises(ValueError, match="statement"):
        claim(statement, held=True)


@pytest.mark.parametrize("held", [1, 0.0, "yes", None, np.array([True])])
def test_claim_rejects_outcomes_that_are_not_bools(shown, held):
    with pytest.raises(ValueError, match="held"):
        claim("something", held=held)
    assert not shown
