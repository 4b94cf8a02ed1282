"""Test-session defaults: quick mode on, artifacts in a throwaway folder.

Set here, before any test or notebook kernel starts, so every nbmake kernel inherits them.
A value already in the environment wins (so GANBOOK_QUICK=0 runs notebooks in full).
"""

import os
import tempfile

os.environ.setdefault("GANBOOK_QUICK", "1")
os.environ.setdefault("GANBOOK_ARTIFACTS", tempfile.mkdtemp(prefix="ganbook-test-artifacts-"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore_glob = ["_build/*", "**/_artifacts/*", "**/.ipynb_checkpoints/*"]

# Tests that execute a notebook (nbmake's, and modules that build or run notebooks themselves) carry
# the marker `notebook`: `pytest -m "not notebook"` runs everything else in well under two minutes.
NOTEBOOK_MODULES = {"test_claims_build.py", "test_browser.py"}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if item.path.suffix == ".ipynb" or item.path.name in NOTEBOOK_MODULES:
            item.add_marker(pytest.mark.notebook)
