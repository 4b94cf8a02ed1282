"""Tune each arm of chapter 8's DCGAN comparison with the same budget; write the search as data.

usage: python scripts/tune_dcgan_remedies.py [--configs 6] [--out book/ganbook/data/...json]

Every arm (chapter 5's GAN, + R1, R3GAN's loss with R1 + R2; ``ganbook.remedies.ARMS``) gets the
same number of configurations: its paper's published setting first, then random draws of the
learning rate (log-uniform 1e-4 to 2e-3), Adam's beta_1 in {0, 0.5} and beta_2 in {0.9, 0.999},
and, for the penalised arms, gamma (log-uniform 0.01 to 10). Each configuration trains from the
validation seeds with chapter 8's budget and is scored by FD-digits (the Frechet distance in the
digit classifier's features) against the held-out digits; the configuration with the lowest mean
is chosen. Chapter 8 then trains the chosen ones from fresh seeds. Run it outside the book build
(about 20 minutes on 2 CPU cores); the full log and the command go into the JSON file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np

import ganbook
from ganbook.classifier import classifier_features, load_or_train_digit_classifier
from ganbook.metrics import frechet_distance
from ganbook.remedies import ARMS, SEARCH_FILE, RemedyConfig, train_seeds

STEPS = 500
BATCH_SIZE = 32
WIDTH = 32
SAMPLES = 1000
VALIDATION_SEEDS = (1000, 1001)
# The papers' settings: Radford et al. 2016 (DCGAN, also chapter 5's Adam), Mescheder et al. 2018
# (R1, gamma 10 on their image GANs), Huang et al. 2024 (R3GAN on CIFAR-10: lr 2e-4, betas (0, 0.9),
# gamma 0.05 at the start of its schedule).
PUBLISHED = {
    "dcgan": RemedyConfig("dcgan", 2e-4, 0.5, 0.999),
    "r1": RemedyConfig("r1", 2e-4, 0.5, 0.999, gamma=10.0),
    "r3gan": RemedyConfig("r3gan", 2e-4, 0.0, 0.9, gamma=0.05),
}


def random_config(arm: str, rng: np.random.Generator) -> RemedyConfig:
    gamma = 0.0 if arm == "dcgan" else float(10 ** rng.uniform(-2, 1))
    return RemedyConfig(
        arm,
        learning_rate=float(10 ** rng.uniform(-4, np.log10(2e-3))),
        beta_1=float(rng.choice([0.0, 0.5])),
        beta_2=float(rng.choice([0.9, 0.999])),
        gamma=gamma,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=6, help="configurations per arm")
    parser.add_argument("--out", type=Path, default=SEARCH_FILE)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ganbook.OfflineDataWarning)
    classifier = load_or_train_digit_classifier()
    train = ganbook.load_images("mnist", "train")
    heldout_features = classifier_features(classifier, ganbook.load_images("mnist", "test").images)
    rng = np.random.default_rng(2024)
    runs, chosen = [], {}
    for arm in ARMS:
        configs = [PUBLISHED[arm]] + [random_config(arm, rng) for _ in range(args.configs - 1)]
        best = None
        for index, config in enumerate(configs):
            scores = []
            for run in train_seeds(config, train.images, VALIDATION_SEEDS, STEPS, BATCH_SIZE,
                                   WIDTH, SAMPLES):
                features = classifier_features(classifier, run["samples"])
                fd = frechet_distance(features, heldout_features)
                fd = fd if np.isfinite(fd) else float("inf")
                scores.append(fd)
                runs.append({**asdict(config), "config": index, "seed": run["seed"],
                             "fd_digits": fd, "cpu_seconds": run["cpu_seconds"]})
                print(f"{time.strftime('%H:%M:%S')} {arm} config {index} {asdict(config)} "
                      f"seed {run['seed']}: FD-digits {fd:.3f}, {run['cpu_seconds']:.0f} CPU s",
                      flush=True)
            if best is None or np.mean(scores) < best[0]:
                best = (float(np.mean(scores)), config)
        chosen[arm] = asdict(best[1])
    search = {
        "command": "python scripts/tune_dcgan_remedies.py " + " ".join(sys.argv[1:]),
        "steps": STEPS, "batch_size": BATCH_SIZE, "width": WIDTH, "samples": SAMPLES,
        "validation_seeds": list(VALIDATION_SEEDS), "configs_per_arm": args.configs,
        "data": train.source, "machine": ganbook.machine(),
        "published": {arm: asdict(config) for arm, config in PUBLISHED.items()},
        "runs": runs, "chosen": chosen,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(search, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
