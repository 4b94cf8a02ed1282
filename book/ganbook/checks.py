"""Argument checks shared by every public function of ganbook (plumbing, no chapter teaches it).

Each check takes the argument's name first and its value second, returns the value in a plain Python
type, and raises ``ValueError`` naming the argument and what was expected. Integers from NumPy
(``np.int64``) are accepted wherever an integer is; ``bool`` is never taken for a number.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np


def _fail(name: str, expected: str, value: Any) -> ValueError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ValueError(f"{name} must be {expected}; got {shown}")


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers; False for ``bool``, which Python counts as one."""
    is_integer = isinstance(value, (numbers.Integral, np.integer))
    return is_integer and not isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    """True for Python and NumPy real numbers (NaN and infinity included), False for ``bool``."""
    is_real = isinstance(value, (numbers.Real, np.integer, np.floating))
    return is_real and not isinstance(value, (bool, np.bool_))


def integer(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum] (either bound may be None)."""
    expected = "an integer"
    if minimum is not None and maximum is not None:
        expected += f" in [{minimum}, {maximum}]"
    elif minimum is not None:
        named = {0: "a non-negative integer", 1: "a positive integer"}
        expected = named.get(minimum, f"an integer >= {minimum}")
    elif maximum is not None:
        expected += f" <= {maximum}"
    if not is_int(value):
        raise _fail(name, expected, value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise _fail(name, expected, value)
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """An integer >= 1."""
    return integer(name, value, minimum=1)


def non_negative_int(name: str, value: Any) -> int:
    """An integer >= 0."""
    return integer(name, value, minimum=0)


def seed(name: str, value: Any) -> int:
    """A seed NumPy and TensorFlow both accept: an integer in [0, 2**32)."""
    return integer(name, value, minimum=0, maximum=2**32 - 1)


def optional_seed(name: str, value: Any) -> int | None:
    """None (fresh entropy) or a :func:`seed`, as ``np.random.default_rng`` takes it."""
    return None if value is None else seed(name, value)


def flag(name: str, value: Any) -> bool:
    """True or False (NumPy's ``bool_`` included); never 0, 1 or a string such as "no"."""
    if not isinstance(value, (bool, np.bool_)):
        raise _fail(name, "True or False", value)
    return bool(value)


def number(
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
) -> float:
    """A finite real number in the given range (NumPy scalars included; ``bool``, NaN excluded)."""
    bounds = []
    if minimum is not None:
        bounds.append(f"{'>' if exclusive_minimum else '>='} {minimum}")
    if maximum is not None:
        bounds.append(f"{'<' if exclusive_maximum else '<='} {maximum}")
    expected = " ".join(["a finite number", ", ".join(bounds)]).strip()
    try:
        result = float(value) if is_number(value) else math.nan
    except OverflowError:  # an int too large for a float
        result = math.inf
    if not math.isfinite(result):
        raise _fail(name, expected, value)
    below = minimum is not None and (result <= minimum if exclusive_minimum else result < minimum)
    above = maximum is not None and (result >= maximum if exclusive_maximum else result > maximum)
    if below or above:
        raise _fail(name, expected, value)
    return result


def positive_number(name: str, value: Any) -> float:
    """A finite number > 0."""
    return number(name, value, minimum=0.0, exclusive_minimum=True)


def non_negative_number(name: str, value: Any) -> float:
    """A finite number >= 0."""
    return number(name, value, minimum=0.0)


def probability(name: str, value: Any) -> float:
    """A finite number in [0, 1]."""
    return number(name, value, minimum=0.0, maximum=1.0)


def optional_number(name: str, value: Any) -> float | None:
    """None or a finite number."""
    return None if value is None else number(name, value)


def one_of(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """One of ``choices`` (compared with ==), returned as ``choices`` spells it.

    A ``bool`` matches only a bool choice, although Python has True == 1.
    """
    options = list(choices)
    if not isinstance(value, (list, dict, set, np.ndarray)):
        for option in options:
            same_kind = isinstance(option, (bool, np.bool_)) == isinstance(value, (bool, np.bool_))
            if same_kind and option == value:
                return option
    raise _fail(name, "one of " + ", ".join(repr(option) for option in options), value)


def text(name: str, value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise _fail(name, "a non-empty string", value)
    return value


def optional_text(name: str, value: Any) -> str | None:
    """None or a string (which may be empty: a label or title left blank)."""
    if value is not None and not isinstance(value, str):
        raise _fail(name, "None or a string", value)
    return value


def texts(name: str, value: Any) -> list[str]:
    """A list or tuple of strings (labels, titles), returned as a list."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise _fail(name, "a list of strings", value)
    return list(value)


def path(name: str, value: Any) -> Path:
    """A file or folder path: a non-empty string or an ``os.PathLike``."""
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise _fail(name, "a path (a non-empty string or pathlib.Path)", value)
    return Path(value)


def optional_path(name: str, value: Any) -> Path | None:
    """None or a :func:`path`."""
    return None if value is None else path(name, value)


def function(name: str, value: Any) -> Callable:
    """Something that can be called."""
    if not callable(value):
        raise _fail(name, "a callable", value)
    return value


def instance(
    name: str, value: Any, kind: type | tuple[type, ...], description: str | None = None
) -> Any:
    """An instance of ``kind``; ``description`` ("a Matplotlib Figure") names it in the error."""
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise _fail(name, description or f"an instance of {names}", value)
    return value


def _shape_text(shape: tuple[int | None, ...]) -> str:
    sizes = ["any" if size is None else str(size) for size in shape]
    return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"


def array(
    name: str,
    value: Any,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    min_length: int = 0,
    finite: bool = True,
    dtype: Any = None,
) -> np.ndarray:
    """A real numeric array of the given rank and shape (None: any size), ``bool`` excluded.

    ``min_length`` bounds the first axis (rows). ``finite`` rejects NaN and infinity. ``dtype``
    (say ``np.float64``) converts the result; without it the array keeps its own dtype.
    """
    if value is None or isinstance(value, (str, bytes, dict)):
        raise _fail(name, "a numeric array", value)
    try:
        result = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} must be a numeric array of one shape; {error}") from None
    if result.dtype == bool or not np.issubdtype(result.dtype, np.number):
        raise _fail(name, "a numeric array", value)
    if np.issubdtype(result.dtype, np.complexfloating):
        raise _fail(name, "a real-valued array", value)
    ranks = (ndim,) if isinstance(ndim, int) else ndim
    if ranks is not None and result.ndim not in ranks:
        wanted = " or ".join(map(str, ranks)) + (" dimension" if ranks == (1,) else " dimensions")
        raise ValueError(f"{name} must have {wanted}; got shape {result.shape}")
    if shape is not None and (
        result.ndim != len(shape)
        or any(want not in (None, got) for want, got in zip(shape, result.shape, strict=True))
    ):
        raise ValueError(f"{name} must have shape {_shape_text(shape)}; got {result.shape}")
    if result.ndim and len(result) < min_length:
        noun = ("row", "rows") if result.ndim > 1 else ("entry", "entries")
        least = f"{min_length} {noun[min_length != 1]}"
        raise ValueError(f"{name} must hold at least {least}; got {len(result)}")
    if dtype is not None:
        result = result.astype(dtype, copy=False)
    if finite and np.issubdtype(result.dtype, np.floating) and not np.all(np.isfinite(result)):
        raise ValueError(f"{name} must hold finite numbers; it holds NaN or infinity")
    return result


def images(
    name: str,
    value: Any,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    min_length: int = 1,
    dtype: Any = np.float32,
    tolerance: float = 1e-3,
) -> np.ndarray:
    """A finite :func:`array` of images scaled to [-1, 1] (a ``tanh`` generator's range).

    Values beyond [-1, 1] by more than ``tolerance`` (pixels in 0-255 are the usual mistake) are
    rejected with the range found and the formula that rescales them.
    """
    result = array(name, value, ndim=ndim, shape=shape, min_length=min_length, dtype=dtype)
    if result.size and (result.min() < -1 - tolerance or result.max() > 1 + tolerance):
        raise ValueError(
            f"{name} must be scaled to [-1, 1]; got values in "
            f"[{float(result.min()):.4g}, {float(result.max()):.4g}] "
            "(map 0-255 pixels with (x - 127.5) / 127.5)"
        )
    return result
