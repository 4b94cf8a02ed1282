"""Unit tests of ganbook.checks: each check returns good values in a plain type and names the
argument of a bad one. The cases are generated from a few tables, one row per class of value."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from ganbook import checks

NAME = "my_arg"  # every error message must start with the argument's name

NUMPY_INTEGERS = [np.int8(3), np.int16(3), np.int32(3), np.int64(3), np.uint8(3), np.uint64(3)]
NUMPY_FLOATS = [np.float16(0.5), np.float32(0.5), np.float64(0.5)]
BOOLS = [True, False, np.bool_(True), np.bool_(False)]
NOT_FINITE = [math.nan, -math.inf, math.inf, np.float32("nan"), np.float64("inf")]


class Opaque:
    """An object that is no number, with a repr that is the same in every process (xdist ids)."""

    def __repr__(self) -> str:
        return "Opaque()"


NOT_NUMBERS = ["3", b"3", None, [3], (3,), {"a": 3}, 3j, np.array([3]), np.array(3.0), Opaque()]

INTEGER_CHECKS = {
    "integer": (checks.integer, {}),
    "positive_int": (checks.positive_int, {}),
    "non_negative_int": (checks.non_negative_int, {}),
    "seed": (checks.seed, {}),
    "integer in [2, 4]": (checks.integer, {"minimum": 2, "maximum": 4}),
}
NUMBER_CHECKS = {
    "number": (checks.number, {}),
    "positive_number": (checks.positive_number, {}),
    "non_negative_number": (checks.non_negative_number, {}),
    "probability": (checks.probability, {}),
    "number in (0, 1)": (
        checks.number,
        {"minimum": 0, "maximum": 1, "exclusive_minimum": True, "exclusive_maximum": True},
    ),
}


def cases(table: dict, values: list, label: str) -> list:
    """One pytest.param per (check, value), with an id naming both."""
    return [
        pytest.param(check, kwargs, value, id=f"{name}-{label}-{value!r}")
        for name, (check, kwargs) in table.items()
        for value in values
    ]


def assert_rejected(check, value, *args, **kwargs) -> None:
    with pytest.raises(ValueError, match=f"^{NAME} must "):
        check(NAME, value, *args, **kwargs)


# ---------------------------------------------------------------- is_int, is_number


@pytest.mark.parametrize(
    "value, is_int, is_number",
    [(3, True, True), (-(2**70), True, True), (Fraction(1, 2), False, True), (0.5, False, True)]
    + [(value, True, True) for value in NUMPY_INTEGERS]
    + [(value, False, True) for value in NUMPY_FLOATS + NOT_FINITE]
    + [(value, False, False) for value in BOOLS + NOT_NUMBERS],
    ids=repr,
)
def test_is_int_and_is_number(value, is_int, is_number):
    assert checks.is_int(value) is is_int
    assert checks.is_number(value) is is_number


# ---------------------------------------------------------------- integers


@pytest.mark.parametrize(
    "check, kwargs, value", cases(INTEGER_CHECKS, [3] + NUMPY_INTEGERS, "good")
)
def test_integer_checks_return_a_plain_int(check, kwargs, value):
    result = check(NAME, value, **kwargs)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize(
    "check, kwargs, value",
    cases(INTEGER_CHECKS, BOOLS, "bool")
    + cases(INTEGER_CHECKS, NOT_FINITE, "not finite")
    + cases(INTEGER_CHECKS, [3.0, np.float64(3.0)] + NOT_NUMBERS, "not an integer"),
)
def test_integer_checks_reject_other_types(check, kwargs, value):
    assert_rejected(check, value, **kwargs)


@pytest.mark.parametrize(
    "check, kwargs, good, bad, expected",
    [
        (checks.integer, {}, -(2**70), None, "an integer"),
        (checks.positive_int, {}, 1, 0, "a positive integer"),
        (checks.non_negative_int, {}, 0, -1, "a non-negative integer"),
        (checks.seed, {}, 2**32 - 1, 2**32, r"an integer in \[0, 4294967295\]"),
        (checks.seed, {}, 0, np.int64(-1), r"an integer in \[0, 4294967295\]"),
        (checks.integer, {"minimum": 5}, 5, 4, "an integer >= 5"),
        (checks.integer, {"maximum": 5}, -9, 6, "an integer <= 5"),
        (checks.integer, {"minimum": 2, "maximum": 4}, 2, np.uint8(5), r"an integer in \[2, 4\]"),
    ],
)
def test_integer_bounds_are_inclusive_and_named(check, kwargs, good, bad, expected):
    assert check(NAME, good, **kwargs) == good
    if bad is not None:
        with pytest.raises(
            ValueError, match=f"^{NAME} must be {expected}; got {re.escape(repr(bad))}$"
        ):
            check(NAME, bad, **kwargs)


# ---------------------------------------------------------------- real numbers


@pytest.mark.parametrize(
    "check, kwargs, value",
    cases(NUMBER_CHECKS, [0.5, Fraction(1, 2)] + NUMPY_FLOATS, "good"),
)
def test_number_checks_return_a_plain_float(check, kwargs, value):
    result = check(NAME, value, **kwargs)
    assert result == 0.5 and type(result) is float


@pytest.mark.parametrize("value", [1] + NUMPY_INTEGERS)
def test_number_checks_accept_integers(value):
    result = checks.positive_number(NAME, value)
    assert result == int(value) and type(result) is float


@pytest.mark.parametrize(
    "check, kwargs, value",
    cases(NUMBER_CHECKS, BOOLS, "bool")
    + cases(NUMBER_CHECKS, NOT_FINITE + [10**400], "not finite")
    + cases(NUMBER_CHECKS, NOT_NUMBERS, "not a number"),
)
def test_number_checks_reject_other_types(check, kwargs, value):
    assert_rejected(check, value, **kwargs)


@pytest.mark.parametrize(
    "check, kwargs, good, bad, expected",
    [
        (checks.positive_number, {}, 1e-300, 0.0, "a finite number > 0.0"),
        (checks.non_negative_number, {}, 0.0, -1e-300, "a finite number >= 0.0"),
        (checks.probability, {}, 1.0, 1.0000001, "a finite number >= 0.0, <= 1.0"),
        (checks.probability, {}, 0, np.float32(-0.5), "a finite number >= 0.0, <= 1.0"),
        (checks.number, {"maximum": 2}, -1e300, 2.5, "a finite number <= 2"),
        (
            checks.number,
            {"minimum": 0, "maximum": 1, "exclusive_minimum": True, "exclusive_maximum": True},
            0.999,
            1.0,
            "a finite number > 0, < 1",
        ),
    ],
)
def test_number_bounds_are_named(check, kwargs, good, bad, expected):
    assert check(NAME, good, **kwargs) == good
    with pytest.raises(ValueError, match=f"^{NAME} must be {expected}; got "):
        check(NAME, bad, **kwargs)


# ---------------------------------------------------------------- choices, text, callables, types


@pytest.mark.parametrize(
    "value, choices, returned",
    [
        ("b", ("a", "b"), "b"),
        ("a", ["a"], "a"),
        (np.int64(2), (1, 2), 2),
        (2.0, (1, 2), 2),
        (np.str_("a"), ("a", "b"), "a"),
        (None, (None, "a"), None),
        (True, (True, False), True),
    ],
    ids=repr,
)
def test_one_of_returns_the_choice_as_spelled(value, choices, returned):
    result = checks.one_of(NAME, value, choices)
    assert result == returned and type(result) is type(returned)


@pytest.mark.parametrize(
    "value, choices",
    [("c", ("a", "b")), ("A", ("a",)), (True, (0, 1)), (np.bool_(False), (0, 1)), (1, (True,))]
    + [(["a"], ("a",)), ({"a"}, ("a",)), ({"a": 1}, ("a",)), (np.array("a"), ("a",))],
    ids=repr,
)
def test_one_of_rejects_everything_else(value, choices):
    with pytest.raises(ValueError, match=f"^{NAME} must be one of "):
        checks.one_of(NAME, value, choices)


@pytest.mark.parametrize("value", ["a", " padded ", "two words"])
def test_text_accepts_non_empty_strings(value):
    assert checks.text(NAME, value) == value


@pytest.mark.parametrize("value", ["", "   ", "\n", None, 3, True, b"bytes", ["a"]], ids=repr)
def test_text_rejects_empty_strings_and_other_types(value):
    assert_rejected(checks.text, value)


@pytest.mark.parametrize(
    "value",
    [len, lambda: None, int, np.mean, object().__str__],
    ids=["builtin", "lambda", "type", "numpy-function", "bound-method"],  # stable under xdist
)
def test_function_accepts_callables(value):
    assert checks.function(NAME, value) is value


@pytest.mark.parametrize("value", [None, 3, "len", [len]], ids=repr)
def test_function_rejects_the_rest(value):
    assert_rejected(checks.function, value)


@pytest.mark.parametrize(
    "value, kind",
    [(3, int), ("a", str), (np.float64(1.0), float), (True, (bool, np.bool_)), ([], (list, tuple))],
    ids=repr,
)
def test_instance_accepts_its_kind(value, kind):
    assert checks.instance(NAME, value, kind) is value


@pytest.mark.parametrize(
    "value, kind, description, expected",
    [
        ("3", int, None, "an instance of int"),
        (3, (list, tuple), None, "an instance of list or tuple"),
        (1, (bool, np.bool_), "a bool (the outcome)", r"a bool \(the outcome\)"),
        (None, float, "a Matplotlib Figure", "a Matplotlib Figure"),
    ],
    ids=repr,
)
def test_instance_names_what_was_expected(value, kind, description, expected):
    with pytest.raises(
        ValueError, match=f"^{NAME} must be {expected}; got {re.escape(repr(value))}$"
    ):
        checks.instance(NAME, value, kind, description)


def test_long_values_are_shortened_in_messages():
    with pytest.raises(ValueError) as error:
        checks.text(NAME, list(range(1000)))
    assert str(error.value).endswith("...") and len(str(error.value)) < 150


# ---------------------------------------------------------------- arrays


@pytest.mark.parametrize(
    "value, kwargs, shape, dtype",
    [
        ([[1.0, 2.0]], {}, (1, 2), np.float64),
        ([1, 2, 3], {}, (3,), np.int64),
        (np.zeros((2, 3), np.float32), {"ndim": 2}, (2, 3), np.float32),
        (np.zeros((2, 3), np.uint8), {"ndim": (2, 3), "dtype": np.float64}, (2, 3), np.float64),
        (np.zeros((4, 5, 1)), {"shape": (None, 5, 1)}, (4, 5, 1), np.float64),
        (np.zeros((2, 2)), {"min_length": 2}, (2, 2), np.float64),
        (np.float64(2.0), {"min_length": 5}, (), np.float64),  # a scalar has no rows to count
        ([np.nan, np.inf], {"finite": False}, (2,), np.float64),
        ([1, 2], {"dtype": np.float32}, (2,), np.float32),
    ],
    ids=repr,
)
def test_array_accepts_numeric_arrays(value, kwargs, shape, dtype):
    result = checks.array(NAME, value, **kwargs)
    assert isinstance(result, np.ndarray) and result.shape == shape and result.dtype == dtype


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        (None, {}, "be a numeric array"),
        ("abc", {}, "be a numeric array"),
        (b"abc", {}, "be a numeric array"),
        ({"a": 1}, {}, "be a numeric array"),
        ([True, False], {}, "be a numeric array"),
        (np.array([Opaque()]), {}, "be a numeric array"),
        ([[1, 2], [3]], {}, "be a numeric array of one shape"),
        ([1j, 2], {}, "be a real-valued array"),
        (np.zeros(3), {"ndim": 2}, r"have 2 dimensions; got shape \(3,\)"),
        (np.zeros((3, 1)), {"ndim": 1}, r"have 1 dimension; got shape \(3, 1\)"),
        (np.zeros(3), {"ndim": (2, 3)}, "have 2 or 3 dimensions"),
        (np.zeros((2, 3)), {"shape": (2, 4)}, r"have shape \(2, 4\); got \(2, 3\)"),
        (np.zeros((2, 3)), {"shape": (None,)}, r"have shape \(any,\); got \(2, 3\)"),
        (np.zeros((2, 3)), {"shape": (None, 3, 1)}, r"have shape \(any, 3, 1\)"),
        (np.zeros(1), {"min_length": 2}, "hold at least 2 entries; got 1"),
        (np.zeros(0), {"min_length": 1}, "hold at least 1 entry; got 0"),
        (np.zeros((1, 4)), {"min_length": 2}, "hold at least 2 rows; got 1"),
        ([0.0, np.nan], {}, "hold finite numbers"),
        ([[np.inf]], {}, "hold finite numbers"),
    ],
    ids=repr,
)
def test_array_rejects_and_names_the_argument(value, kwargs, expected):
    with pytest.raises(ValueError, match=f"^{NAME} must {expected}"):
        checks.array(NAME, value, **kwargs)


# The checks added for issue 15's NumPy-side modules: seeds that may be None, flags, optional
# numbers and labels, lists of labels, paths and images in [-1, 1].
GOOD_AND_BAD = {
    "optional_seed": (
        checks.optional_seed,
        [None, 0, np.uint32(7), 2**32 - 1],
        [True, -1, 1.5, "3", 2**32, np.float64(2.0)],
    ),
    "flag": (checks.flag, [True, False, np.bool_(True)], [None, 0, 1, "no", np.array([True])]),
    "optional_number": (
        checks.optional_number,
        [None, 0, -1.5, np.float32(2.0)],
        [True, "1", math.nan, math.inf, [1.0]],
    ),
    "optional_text": (checks.optional_text, [None, "", "a title"], [3, b"x", ["a"], True]),
    "texts": (checks.texts, [[], ["a"], ("a", "b")], [None, "ab", [1], ["a", None], {"a"}]),
    "path": (checks.path, ["x.csv", Path("a/b")], [None, "", 3, b"x.csv", Opaque()]),
}


@pytest.mark.parametrize(
    ("check", "value"),
    [pytest.param(c, v, id=f"{n}-{v!r}") for n, (c, good, _) in GOOD_AND_BAD.items() for v in good],
)
def test_new_checks_accept_good_values(check, value):
    result = check(NAME, value)
    assert result == (Path(value) if check is checks.path else value) or isinstance(result, list)


@pytest.mark.parametrize(
    ("check", "value"),
    [pytest.param(c, v, id=f"{n}-{v!r}") for n, (c, _, bad) in GOOD_AND_BAD.items() for v in bad],
)
def test_new_checks_reject_and_name_the_argument(check, value):
    assert_rejected(check, value)


def test_flag_and_optional_seed_return_plain_types():
    assert type(checks.flag(NAME, np.bool_(True))) is bool
    assert type(checks.optional_seed(NAME, np.int64(3))) is int


def test_images_accepts_unit_range_and_rounding():
    images = checks.images(NAME, np.array([[-1.0, 1.0005], [0.0, 0.5]]), ndim=2)
    assert images.dtype == np.float32


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (np.array([[0.0, 255.0]]), {}, r"must be scaled to \[-1, 1\]; got values in \[0, 255\]"),
        (np.array([[-2.0, 0.0]]), {}, r"must be scaled to \[-1, 1\]"),
        (np.array([[math.nan, 0.0]]), {}, "must hold finite numbers"),
        (np.zeros((0, 2)), {}, "must hold at least 1 row"),
        (np.zeros((2, 2)), {"ndim": 3}, "must have 3 dimensions"),
        (None, {}, "must be a numeric array"),
    ],
)
def test_images_rejects_and_names_the_argument(value, kwargs, expected):
    with pytest.raises(ValueError, match=f"^{NAME} {expected}"):
        checks.images(NAME, value, **kwargs)


@pytest.mark.parametrize("value", ["folder", Path("folder/file.keras")], ids=["str", "Path"])
def test_optional_path_accepts_paths_and_none(value):
    assert checks.optional_path(NAME, value) == Path(value)
    assert checks.optional_path(NAME, None) is None


@pytest.mark.parametrize("value", ["", "  ", 3, True, b"folder", ["folder"]], ids=repr)
def test_optional_path_rejects_what_is_no_path(value):
    assert_rejected(checks.optional_path, value)
