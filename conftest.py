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
