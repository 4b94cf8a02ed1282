"""Tune chapter 8's remedies with equal budgets; write the log the chapter reads.

    python scripts/tune_remedies.py            # the committed search (about 30 min on 2 cores)
    python scripts/tune_remedies.py --budget 2 --steps 50 --out /tmp/search.json   # a smoke test

Every method of ``ganbook.tuning.METHODS`` gets ``--budget`` candidate configurations (its reference
setting first, then random draws; see ``ganbook.tuning.candidates``), each trained for ``--steps``
generator steps on each benchmark from every validation seed. Every run's score goes into the log;
per benchmark and method the candidate with the best mean validation score is chosen. The log is
rewritten after each method, so an interrupted search keeps what it finished.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

import ganbook
from ganbook import tuning
from ganbook.mode_coverage import score_toy


def search_method(method: str, dataset: str, budget: int, steps: int) -> list[dict]:
    """Train every candidate of ``method`` on ``dataset`` from every validation seed; score them."""
    settings = tuning.candidates(method, budget)
    configs, seeds, index = [], [], []
    for i, numbers in enumerate(settings):
        for seed in tuning.VALIDATION_SEEDS:
            configs.append(tuning.method_config(method, **numbers).with_(steps=steps))
            seeds.append(seed)
            index.append(i)
    result = tuning.train_runs(configs, seeds, dataset)
    rows = []
    for i, seed, x, cpu in zip(index, seeds, result.samples, result.cpu_seconds, strict=True):
        score = score_toy(x, dataset)
        rows.append({
            "dataset": dataset, "method": method, "candidate": i, "seed": seed,
            "numbers": settings[i], "modes": score.modes, "high_quality": score.high_quality,
            "kl": score.kl if np.isfinite(score.kl) else None,
            "score": tuning.validation_score(score), "cpu_seconds": float(cpu),
        })
    return rows


def choose(rows: list[dict]) -> dict:
    """Per benchmark and method, the candidate with the best mean validation score."""
    chosen: dict = {}
    for row in rows:
        key = (row["dataset"], row["method"])
        chosen.setdefault(key, {}).setdefault(row["candidate"], []).append(row)
    out: dict = {}
    for (dataset, method), by_candidate in chosen.items():
        means = {i: float(np.mean([r["score"] for r in rs])) for i, rs in by_candidate.items()}
        best = max(means, key=lambda i: (means[i], -i))  # ties: the earlier candidate
        out.setdefault(dataset, {})[method] = {
            "candidate": best, "numbers": by_candidate[best][0]["numbers"],
            "validation_score": means[best],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=tuning.BUDGET)
    parser.add_argument("--steps", type=int, default=tuning.STEPS)
    parser.add_argument("--methods", nargs="*", default=list(tuning.METHODS))
    parser.add_argument("--datasets", nargs="*", default=["ring", "grid"])
    parser.add_argument("--out", default=str(tuning.search_path()))
    args = parser.parse_args()
    rows: list[dict] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    for dataset in args.datasets:
        for method in args.methods:
            t0 = time.perf_counter()
            rows += search_method(method, dataset, args.budget, args.steps)
            done = [r for r in rows if r["method"] == method and r["dataset"] == dataset]
            print(f"{dataset:5s} {method:16s} {len(done)} runs, best score "
                  f"{max(r['score'] for r in done):.3f}, {time.perf_counter() - t0:.0f} s",
                  flush=True)
            log = {
                "meta": {
                    "command": "python scripts/tune_remedies.py "
                               f"--budget {args.budget} --steps {args.steps}",
                    "budget": args.budget, "steps": args.steps,
                    "validation_seeds": list(tuning.VALIDATION_SEEDS),
                    "sources": {m: tuning.METHODS[m].source for m in args.methods},
                    "wall_seconds": time.perf_counter() - start,
                    "cpu_seconds": time.process_time() - cpu_start,
                    "machine": ganbook.machine(), "python": platform.python_version(),
                },
                "chosen": choose(rows),
                "runs": rows,
            }
            with open(args.out, "w") as handle:
                json.dump(log, handle, indent=0)
    print(f"done in {time.perf_counter() - start:.0f} s; log in {args.out}")


if __name__ == "__main__":
    main()
