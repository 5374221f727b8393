"""Data-parallel LightGCN training with ``torch.distributed``: gloo on CPU, NCCL on GPU.

Every process holds the whole (small) model and graph and the same seeds, so all ranks draw the
same batches. Each step rank ``r`` of ``N`` takes slice ``r`` of the global batch (users for the
softmax loss, positives for BPR), computes its loss scaled by the *global* batch's count, and the
gradients are summed over ranks (``all_reduce``) before the optimiser step::

    ∇ (1/B Σ_{b ∈ batch} ℓ_b) = Σ_r ∇ (1/B Σ_{b ∈ slice r} ℓ_b)

so the update is the one a single process makes on the whole batch (up to float summation order),
and the Adam states stay identical on every rank. Rank 0 evaluates the validation split and
broadcasts its metrics and the stop decision, so all ranks stop together with the same history.

The propagation ``Â E`` runs in full on every rank (the softmax needs every item's final embedding),
so only the loss and its backward are split: on a 2-core CPU one process with two threads is faster
(ml-100k in docs/ml.md; at 10M ratings 14 s per epoch against 23 s for two processes, docs/benchmarks.md).
It can pay with a GPU per rank.

Entry points: :func:`train_distributed` (``Recommender.fit`` on ``nproc`` processes) and
:func:`run_data_parallel` (any training function, e.g. ``train_for_serving``); under ``torchrun``,
``python -m ml.distributed`` (see :func:`main`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from ml.cpus import use_available_cpus
from ml.recommender import Recommender
from ml.train import Shard, TrainConfig, data_parallel

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ProcessGroupShard(Shard):
    """A :class:`ml.train.Shard` whose collectives run on the default ``torch.distributed`` group."""

    device: torch.device = torch.device("cpu")  # where scalars travel (NCCL needs the GPU)

    def sum_gradients(self, model: torch.nn.Module) -> None:
        for param in model.parameters():
            if param.grad is None:
                param.grad = torch.zeros_like(param)
            dist.all_reduce(param.grad)

    def sum(self, value: float) -> float:
        total = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(total)
        return float(total.item())

    def broadcast(self, value):
        box = [value]
        dist.broadcast_object_list(box, src=0, device=self.device)
        return box[0]

    def broadcast_parameters(self, model: torch.nn.Module) -> None:
        for param in model.parameters():
            dist.broadcast(param.data, src=0)


def default_backend() -> str:
    """NCCL for CUDA tensors when there is a GPU (gloo still carries CPU ones), else gloo."""
    return "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"


@contextmanager
def process_group(rank: int, world_size: int, init_method: str = "env://") -> Iterator[ProcessGroupShard]:
    """Join the default process group as ``rank`` and yield this process's shard; leave it after."""
    device = torch.device("cpu")
    if torch.cuda.is_available():
        local_rank = int(os.environ.get("LOCAL_RANK", rank))
        torch.cuda.set_device(local_rank % torch.cuda.device_count())  # "cuda" now means this GPU
        device = torch.device("cuda", torch.cuda.current_device())
    else:
        # The ranks share the cores: without this each would start one thread per core.
        use_available_cpus(share=world_size)
    dist.init_process_group(default_backend(), init_method=init_method, rank=rank, world_size=world_size)
    try:
        yield ProcessGroupShard(rank=rank, world_size=world_size, device=device)
    finally:
        dist.destroy_process_group()


def _worker(
    rank: int, world_size: int, init_method: str, fn: Callable, args: tuple, result_path: str
) -> None:
    with process_group(rank, world_size, init_method) as shard, data_parallel(shard):
        result = fn(*args)
    if rank == 0:
        with open(result_path, "wb") as out:
            pickle.dump(result, out)
    _exit_without_interpreter_teardown()


def _exit_without_interpreter_teardown() -> None:
    """End this rank now, its work done and written, skipping the interpreter's finalisation.

    Gloo's C++ threads can still hold tensors after ``destroy_process_group``; freeing them while the
    interpreter is torn down aborted a rank ("terminate called without an active exception", SIGABRT
    or SIGSEGV) in about 1 two-rank run in 15 of ``tests/ml/test_distributed.py``'s first test run over
    and over on this machine, failing runs whose results were already on disk (pytorch/pytorch#179291
    describes the cause); 0 in 60 since. Nothing is left to finalise.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def run_data_parallel(fn: Callable[..., T], args: tuple[Any, ...], nproc: int) -> T:
    """``fn(*args)`` in ``nproc`` processes whose LightGCN training is data-parallel; rank 0's result.

    ``fn`` must be picklable (a module-level function or a classmethod) and train through
    :func:`ml.train.train_lightgcn`. The processes meet through a file in a private temporary
    directory (no port to race for); a failing rank stops the others and raises here.
    """
    if nproc < 1:
        raise ValueError(f"nproc must be at least 1, got {nproc}")
    if nproc == 1:
        return fn(*args)
    with tempfile.TemporaryDirectory(prefix="cinegraph-ddp-") as tmp:
        result_path = os.path.join(tmp, "result.pkl")
        init_method = f"file://{os.path.join(tmp, 'rendezvous')}"
        mp.spawn(_worker, args=(nproc, init_method, fn, args, result_path), nprocs=nproc, join=True)
        # Our own file, written by our own child a moment ago: unpickling it is safe.
        with open(result_path, "rb") as result:
            return pickle.load(result)


def train_distributed(
    ratings: pd.DataFrame,
    config: TrainConfig | None = None,
    nproc: int = 2,
    valid: pd.DataFrame | None = None,
    progress: bool = False,
) -> Recommender:
    """:meth:`ml.recommender.Recommender.fit` data-parallel on ``nproc`` processes (rank 0's model)."""
    return run_data_parallel(Recommender.fit, (ratings, config or TrainConfig(), valid, progress), nproc)


def main(argv: list[str] | None = None) -> None:
    """Under torchrun: ``torchrun --standalone --nproc-per-node N -m ml.distributed RATINGS OUT.npz``.

    Trains the serving model (:func:`ml.production.train_for_serving`) data-parallel on the ranks
    torchrun started; rank 0 writes the checkpoint.
    """
    from ml.interactions import read_interactions
    from ml.production import serving_config, train_for_serving

    parser = argparse.ArgumentParser(prog="python -m ml.distributed", description=main.__doc__)
    parser.add_argument("ratings", type=Path, help="ratings file (TSV/CSV or RecBole .inter)")
    parser.add_argument("out", type=Path, help="checkpoint to write (.npz)")
    parser.add_argument("--config", default="{}", help="TrainConfig fields as JSON, over the product's")
    args = parser.parse_args(argv)
    ratings = read_interactions(args.ratings)
    config = dataclasses.replace(serving_config(len(ratings)), **json.loads(args.config))
    rank, world_size = int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))
    with process_group(rank, world_size) as shard, data_parallel(shard):
        model = train_for_serving(ratings, config, progress=shard.is_main)
    if rank == 0:
        model.save(args.out)
        log.info("wrote %s: %s", args.out, model.metrics)


if __name__ == "__main__":
    quiet = os.environ.get("RANK", "0") != "0"  # one log, rank 0's
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    main()
    _exit_without_interpreter_teardown()
