"""Training at scale: LightGCN against implicit ALS and popularity on synthetic data with planted taste.

    python scripts/bench_training_at_scale.py --sizes 1m,10m [--models lightgcn,als,popularity]
        [--data-dir /tmp/cinegraph-scale] [--config '{"eval_every": 1, "patience": 3}']

For each size, generates `cinegraph data synth --size S --format ml-25m` once (kept in --data-dir),
then runs `cinegraph bench train` (random per-user 80/10/10 split, seed 0, full ranking over all
movies for a fixed sample of at most 20,000 test users) once per model, each in its own process so
that its peak memory is its own. Prints one markdown row per (size, model) and writes every run's
JSON next to the data.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from ml.production import AT_SCALE


def synthetic(size: str, data_dir: Path) -> Path:
    path = data_dir / f"synth-{size}"
    if not (path / "ratings.csv").exists():
        command = ["cinegraph", "data", "synth", "--size", size, "--format", "ml-25m", "--out", str(path)]
        subprocess.run(command, check=True)
    return path


def run(size: str, model: str, dataset: Path, config: dict) -> dict:
    out = dataset / f"bench-{model}.json"
    command = ["cinegraph", "bench", "train", "--dataset", str(dataset), "--protocols", "random"]
    command += ["--seeds", "0", "--models", model, "--json-out", str(out)]
    if model == "lightgcn":
        command += ["--config", json.dumps(config)]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    result = json.loads(out.read_text())["runs"][0]
    return {"size": size, "model": model, "wall_s": round(wall), **result}


def row(run: dict) -> str:
    epochs = f"{run['epochs']} (best {run['best_epoch']})" if "epochs" in run else "–"
    per_epoch = f"{run['epoch_seconds']:.0f}" if "epoch_seconds" in run else "–"
    return (
        f"| {run['size']} | {run['model']} | {run['ndcg@20']:.4f} | {run['recall@20']:.4f} | {per_epoch} | "
        f"{epochs} | {run['train_seconds']:.0f} | {run['wall_s']} | {run['peak_rss_mb'] / 1024:.1f} | "
        f"{run['users']:,} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1m,10m")
    parser.add_argument("--models", default="lightgcn,als,popularity")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/cinegraph-scale"))
    overrides = "LightGCN config overrides (default: ml.production.AT_SCALE)"
    parser.add_argument("--config", default=json.dumps(AT_SCALE), help=overrides)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    columns = ["size", "model", "NDCG@20", "Recall@20", "s per epoch", "epochs", "train s", "wall s"]
    columns += ["peak RSS GB", "test users"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for size in args.sizes.split(","):
        dataset = synthetic(size, args.data_dir)
        for model in args.models.split(","):
            print(row(run(size, model, dataset, json.loads(args.config))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
