"""Run configuration shared by every chapter: quick mode, seeding and the artifacts folder.

Introduced in chapter 1 (Introduction). Quick mode (``GANBOOK_QUICK=1``) shrinks epochs and
sample counts so that a notebook runs in under a minute on two CPU cores; the text of the book
never depends on quick-mode numbers, which exist only to keep the tests fast.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import TypeVar

import numpy as np

from ganbook import checks

T = TypeVar("T")

QUICK_ENV = "GANBOOK_QUICK"
ARTIFACTS_ENV = "GANBOOK_ARTIFACTS"
DEFAULT_ARTIFACTS = "_artifacts"


def is_quick() -> bool:
    """Return True when ``GANBOOK_QUICK`` is set to a true value (1, true, yes, on).

    Introduced in chapter 1. Read at every call, so a test can switch modes with ``monkeypatch``.
    """
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{QUICK_ENV} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")


def choose(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise (chapter 1).

    Every size a chapter uses (epochs, samples, grid points) goes through this one function, so a
    reader sees both settings side by side: ``epochs = choose(full=30, quick=1)``.
    """
    same_kind = type(full) is type(quick) or (checks.is_number(full) and checks.is_number(quick))
    if not same_kind:
        raise ValueError(
            f"full and quick must be of the same kind; got full={full!r} and quick={quick!r}"
        )
    for name, value in (("full", full), ("quick", quick)):
        if checks.is_number(value):
            checks.number(name, value)  # NaN and infinity are never a size or a setting
    return quick if is_quick() else full


def seed_everything(seed: int) -> int:
    """Seed Python, NumPy, Keras and TensorFlow from one integer and return it (chapter 1).

    The same seed gives the same numbers on the same machine; different machines (or a GPU) may
    still differ in the last digits, because floating-point sums are evaluated in different orders.
    """
    seed = checks.seed("seed", seed)
    random.seed(seed)
    np.random.seed(seed)
    import keras  # imported here so that NumPy-only chapters start fast

    keras.utils.set_random_seed(seed)
    # Unseeded keras.random draws come from a global SeedGenerator that recent Keras resets here
    # and older Keras (3.8, the oldest the book supports) keeps: drop it, so both repeat.
    from keras.src.backend.common import global_state

    global_state.set_global_attribute("global_seed_generator", None)
    return seed


def artifacts_dir(subdir: str | None = None) -> Path:
    """Return (and create) the folder where chapters save models, samples and tables (chapter 1).

    The root is ``$GANBOOK_ARTIFACTS`` if set, else ``_artifacts/`` in the working directory (beside
    the notebook). In quick mode everything goes one level down, in ``quick/``, so a model trained
    for a few quick steps can never be mistaken for a fully trained one by a later chapter.
    """
    root = Path(os.environ.get(ARTIFACTS_ENV) or DEFAULT_ARTIFACTS)
    if is_quick():
        root = root / "quick"
    if subdir is not None:
        checks.text("subdir", subdir)
        if Path(subdir).is_absolute() or ".." in Path(subdir).parts:
            raise ValueError(
                f"subdir must be a relative path inside the artifacts folder; got {subdir!r}"
            )
        root = root / subdir
    root.mkdir(parents=True, exist_ok=True)
    return root


DRIVE_MOUNT = "/content/drive"


def use_google_drive(enabled: bool, folder: str = "ganbook_artifacts") -> Path | None:
    """In Colab, put the artifacts folder on Google Drive, so a run survives a VM recycle.

    Introduced in chapter 5. With ``enabled`` and in Colab it mounts Drive (Colab asks for
    permission) and points ``GANBOOK_ARTIFACTS`` at ``MyDrive/<folder>``, returning that folder;
    anywhere else, or with ``enabled`` False, it changes nothing and returns None. Colab's own disk
    (``/content``) survives a kernel restart but is wiped when the VM is recycled; Drive survives
    both.
    """
    enabled = checks.flag("enabled", enabled)
    folder = checks.text("folder", folder)
    if Path(folder).is_absolute() or ".." in Path(folder).parts:
        raise ValueError(f"folder must be a relative path inside MyDrive; got {folder!r}")
    if not enabled or "google.colab" not in sys.modules:
        return None
    from google.colab import drive  # only importable in Colab

    drive.mount(DRIVE_MOUNT)
    root = Path(DRIVE_MOUNT) / "MyDrive" / folder
    root.mkdir(parents=True, exist_ok=True)
    os.environ[ARTIFACTS_ENV] = str(root)
    return root


def machine() -> str:
    """Describe the hardware a run time was measured on: CPU cores and the GPUs TensorFlow sees.

    Introduced in chapter 1: every chapter states its run time from its own timer, together with
    this description (for example "2 CPU cores, no GPU"), so a reader knows what the figure applies
    to. It is a :class:`ganbook.claims.Text`: glued, the Chinese edition shows it in Chinese.
    """
    import tensorflow as tf

    from ganbook.claims import Text

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return Text(f"{cores} CPU cores, no GPU", zh_CN=f"{cores} 个 CPU 核心，无 GPU")
    names = sorted(
        {tf.config.experimental.get_device_details(gpu).get("device_name", "GPU") for gpu in gpus}
    )
    plural = "s" if len(gpus) > 1 else ""
    return Text(
        f"{cores} CPU cores, {len(gpus)} GPU{plural} ({', '.join(names)})",
        zh_CN=f"{cores} 个 CPU 核心，{len(gpus)} 个 GPU（{'、'.join(names)}）",
    )


def gpu_timing_note() -> str:
    """Say whether a chapter's run time is a GPU time: a sentence for the text (chapters 5, 6).

    A :class:`ganbook.claims.Text` (glued, the Chinese edition shows it in Chinese): the book's
    published build has no GPU, so its GPU times are not measured, and the text must not imply
    they are; a reader who builds the book on a GPU gets the other sentence.
    """
    import tensorflow as tf

    from ganbook.claims import Text

    if tf.config.list_physical_devices("GPU"):
        return Text(
            "This page was built on a GPU, so the time is a GPU time.",
            zh_CN="构建本页的机器有 GPU，所以这是 GPU 上的时间。",
        )
    return Text(
        "Times on a GPU are not measured yet: the machine that built this page has none.",
        zh_CN="GPU 上的时间尚未测量：构建本页的机器没有 GPU。",
    )
