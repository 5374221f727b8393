"""Training beside a busy core: `cinegraph evaluate` on ml-100k while another process keeps one core busy.

    python scripts/bench_busy_core.py [--runs evaluate-default,evaluate-passive,evaluate-one-core]

A spinning process is pinned to the last CPU, then `cinegraph split` + `cinegraph evaluate` (LightGCN,
random split seed 0, early stopping) run with:
  default    OpenMP's own wait policy (what CineGraph had before it set one), all CPUs' threads
  passive    OMP_WAIT_POLICY=PASSIVE (CineGraph's default now, set in ml/__init__.py), all CPUs' threads
  one-core   pinned to the first CPU (taskset), so CineGraph picks one thread itself
and, with nothing else running, default and passive again (`--idle`) to show the setting costs
nothing on a quiet machine. Prints one JSON line per run: wall seconds and test NDCG@20.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ml.cpus import busy_core

SETUPS = {
    "default": ({"OMP_WAIT_POLICY": ""}, []),
    "passive": ({"OMP_WAIT_POLICY": "PASSIVE"}, []),
    "one-core": ({}, ["taskset", "-c", "0"]),
}


def evaluate(split_dir: Path, setup: str) -> dict:
    env_changes, prefix = SETUPS[setup]
    env = {**os.environ, **env_changes}
    command = prefix + ["cinegraph", "evaluate", "--model", "lightgcn"]
    command += [f"--{part}={split_dir / f'{part}.tsv'}" for part in ("train", "valid", "test")]
    started = time.perf_counter()
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return {"setup": setup, "wall_s": round(time.perf_counter() - started, 1), "ndcg@20": result["ndcg@20"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="default,passive,one-core")
    parser.add_argument("--idle", action="store_true", help="also run default and passive with no busy core")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        split_dir = Path(tmp)
        split = ["cinegraph", "split", "--dataset", "ml-100k", "--out", tmp]
        subprocess.run(split, check=True, stdout=subprocess.DEVNULL)
        if args.idle:
            for setup in ("default", "passive"):
                print(json.dumps({"busy_core": None, **evaluate(split_dir, setup)}), flush=True)
        with busy_core() as core:
            for setup in args.runs.split(","):
                print(json.dumps({"busy_core": core, **evaluate(split_dir, setup)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
