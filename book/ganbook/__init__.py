"""ganbook: the small helper package shared by the chapters of the GAN book.

Each public function names, in its docstring, the chapter that introduces it. Plumbing only:
what a chapter exists to teach is written out in that chapter.
"""

import os as _os
import sys as _sys


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow once with file descriptor 2 silenced.

    TensorFlow's C++ start-up lines (CPU features, "could not find cuda drivers") are written to the
    raw stderr before its logging is configured, so no setting hides them; in a notebook they would
    clutter the first cell of every chapter. Python exceptions still propagate; later warnings still
    show.
    """
    if "tensorflow" in _sys.modules:
        return
    # 3 also hides Grappler's harmless "remapper failed" ERROR lines, printed mid-training from C++;
    # Python exceptions are unaffected. A value already set (e.g. "0" to debug) wins.
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        saved, devnull = _os.dup(2), _os.open(_os.devnull, _os.O_WRONLY)
    except OSError:  # no usable stderr descriptor: import normally
        import tensorflow  # noqa: F401

        return
    try:
        _sys.stderr.flush()
        _os.dup2(devnull, 2)
        import tensorflow

        # device discovery logs "failed call to cuInit" on CPUs
        tensorflow.config.list_physical_devices()
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)
        _os.close(devnull)


_import_tensorflow_quietly()

from ganbook.animation import animate, frame_indices
from ganbook.claims import Claim, ClaimFailed, Text, claim, glue
from ganbook.classifier import (
    build_digit_classifier,
    classifier_features,
    load_or_train_digit_classifier,
    predict_digits,
    save_model_atomically,
)
from ganbook.config import (
    artifacts_dir,
    choose,
    gpu_timing_note,
    is_quick,
    machine,
    seed_everything,
)
from ganbook.data import (
    CorruptDataError,
    DatasetUnavailable,
    ImageData,
    OfflineDataWarning,
    bundled_digits_path,
    load_images,
)
from ganbook.diagnostics import GANDiagnostics, TrainingMonitor
from ganbook.dirac import DiracGAN, distance_to_equilibrium
from ganbook.gan import LATENT_DIM, load_or_train_dcgan_generator
from ganbook.metrics import (
    digit_score,
    frechet_distance,
    kernel_distance,
    memorisation_check,
    precision_recall,
)
from ganbook.mode_coverage import ModeCoverage, mode_coverage, record_coverage, score_toy
from ganbook.plotting import image_grid, plot_densities, tile_images, to_display
from ganbook.toy import (
    Mixture1D,
    grid_means,
    ring_means,
    sample_grid,
    sample_mixture_2d,
    sample_ring,
)
from ganbook.toygan import ToyGAN, ToyGANConfig

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "ClaimFailed",
    "CorruptDataError",
    "DatasetUnavailable",
    "DiracGAN",
    "GANDiagnostics",
    "ImageData",
    "LATENT_DIM",
    "Mixture1D",
    "ModeCoverage",
    "OfflineDataWarning",
    "Text",
    "ToyGAN",
    "ToyGANConfig",
    "TrainingMonitor",
    "animate",
    "artifacts_dir",
    "build_digit_classifier",
    "bundled_digits_path",
    "choose",
    "claim",
    "classifier_features",
    "digit_score",
    "distance_to_equilibrium",
    "frame_indices",
    "frechet_distance",
    "glue",
    "gpu_timing_note",
    "grid_means",
    "image_grid",
    "is_quick",
    "kernel_distance",
    "load_images",
    "load_or_train_dcgan_generator",
    "load_or_train_digit_classifier",
    "machine",
    "memorisation_check",
    "mode_coverage",
    "plot_densities",
    "precision_recall",
    "predict_digits",
    "record_coverage",
    "ring_means",
    "sample_grid",
    "sample_mixture_2d",
    "sample_ring",
    "save_model_atomically",
    "score_toy",
    "seed_everything",
    "tile_images",
    "to_display",
]
