"""The version bounds say one thing everywhere: requirements.txt, pyproject.toml and the oldest
versions CI tests (.ci/oldest.txt) agree on the lower bound of TensorFlow, Keras and NumPy."""

from __future__ import annotations

import re

from bookfiles import ROOT

PACKAGES = ("tensorflow", "keras", "numpy")


def _lower_bounds(text: str) -> dict[str, str]:
    found = re.findall(r"\b(tensorflow|keras|numpy)>=([\d.]+)", text)
    return dict(found)


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def test_lower_bounds_agree_and_are_the_tested_oldest_versions():
    requirements = _lower_bounds((ROOT / "requirements.txt").read_text())
    pyproject = _lower_bounds((ROOT / "pyproject.toml").read_text())
    oldest = dict(re.findall(r"(?m)^(\w+)==([\d.]+)$", (ROOT / ".ci" / "oldest.txt").read_text()))
    assert set(requirements) == set(pyproject) == set(oldest) == set(PACKAGES)
    for package in PACKAGES:
        assert requirements[package] == pyproject[package], package
        tested, bound = _release(oldest[package]), _release(requirements[package])
        assert tested[: len(bound)] == bound, (package, oldest[package], requirements[package])


def test_ci_installs_the_oldest_versions():
    run = (ROOT / ".ci" / "run").read_text()
    assert "-c .ci/oldest.txt -r requirements.txt" in run
    assert "pytest -n 0 book/05_dcgan.ipynb" in run
