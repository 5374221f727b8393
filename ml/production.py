"""Training the model the service serves: on everything in the store, with a held-out slice to stop.

Early stopping needs validation data, and the product model should learn from every rating. So
``train_for_serving`` first trains on a per-user random 90% with early stopping on the other 10% (its
validation metrics are the ones the service reports), then trains again on 100% for the number of
epochs that was best (with ``nproc`` > 1 both runs are data-parallel). ``data_as_of`` records the
newest rating the model saw: ratings written later are folded in by the service.

The service retrains in a child process (:func:`train_for_serving_in_child`): in a thread of the
service the training took turns with the request handlers on one interpreter lock.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from logging.handlers import QueueHandler, QueueListener

import pandas as pd

from ml.cpus import cpus_left_free_here, threads_left_here
from ml.interactions import validate_interactions
from ml.recommender import Recommender
from ml.split import split_interactions
from ml.train import TrainConfig

log = logging.getLogger(__name__)

VALIDATION_SHARE = 0.1


def train_for_serving(
    ratings: pd.DataFrame, config: TrainConfig | None = None, progress: bool = False, nproc: int = 1
) -> Recommender:
    """Probe with early stopping on a held-out 10%, then refit on everything (module docstring).

    ``nproc > 1`` runs both fits data-parallel on that many processes (:mod:`ml.distributed`).
    """
    config = config or TrainConfig()
    if nproc > 1:
        from ml.distributed import run_data_parallel

        return run_data_parallel(train_for_serving, (ratings, config, progress), nproc)
    with cpus_left_free_here():  # the service's retrain runs here, on a worker thread of its event loop
        return _probe_then_refit(ratings, config, progress)


def train_for_serving_in_child(
    ratings: pd.DataFrame, config: TrainConfig | None = None, progress: bool = False
) -> Recommender:
    """:func:`train_for_serving` in a child process on the torch threads the caller's
    ``ml.cpus.leaving_cpus_free`` leaves; its errors are raised here.

    Beside live requests: on a thread of the service the training took turns with the request handlers
    on the interpreter lock; the ml-100k retrain took 144 s under four clients' requests there and 71 s
    in a child, the requests' latency unchanged (``cinegraph bench retrain-serving``, docs/benchmarks.md).
    A child costs the start of an interpreter and a copy of the ratings. Its log records come back
    through a queue to this process's loggers.
    """
    spawn = multiprocessing.get_context("spawn")  # forking a process that runs threads is unsafe
    records = spawn.Queue()
    forwarding = QueueListener(records, _ToThisProcessLoggers())
    level = logging.getLogger().getEffectiveLevel()
    forwarding.start()
    try:
        with ProcessPoolExecutor(1, spawn, initializer=_log_to_parent, initargs=(records, level)) as child:
            return child.submit(_train_in_child, threads_left_here(), ratings, config, progress).result()
    finally:
        forwarding.stop()


class _ToThisProcessLoggers(logging.Handler):
    """Hands a child's log records to this process's loggers of the same name, so that the retrain's
    lines go wherever the service's go (its log file, uvicorn's handlers)."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


def _log_to_parent(records: multiprocessing.Queue, level: int) -> None:
    root = logging.getLogger()
    root.handlers = [QueueHandler(records)]
    root.setLevel(level)


def _train_in_child(
    threads: int, ratings: pd.DataFrame, config: TrainConfig | None, progress: bool
) -> Recommender:
    import torch

    torch.set_num_threads(threads)
    log.info("retraining in child process %d, torch threads: %d", os.getpid(), threads)
    return train_for_serving(ratings, config, progress)


def _probe_then_refit(ratings: pd.DataFrame, config: TrainConfig, progress: bool) -> Recommender:
    table = validate_interactions(ratings, source="store ratings")
    train, valid, _ = split_interactions(
        table, "random", seed=config.seed, ratios=(1 - VALIDATION_SHARE, VALIDATION_SHARE, 0.0)
    )
    probe = Recommender.fit(train, config, valid=valid, progress=progress)
    best_epoch = max(int(probe.metrics.get("best_epoch", config.max_epochs)), 1)
    log.info(
        "held-out NDCG@20 %.4f at epoch %d; refitting on all ratings",
        probe.metrics.get("valid_ndcg@20", float("nan")),
        best_epoch,
    )
    model = Recommender.fit(
        table, dataclasses.replace(config, max_epochs=best_epoch), valid=None, progress=progress
    )
    # The refit has no held-out ratings: the score weight calibrated on the probe's carries over, since
    # the score is standardised per user (ml.rating_scale).
    model.rating_scale = dataclasses.replace(model.rating_scale, weights=probe.rating_scale.weights)
    model.metrics = {
        **probe.metrics,
        "train_seconds": round(probe.metrics["train_seconds"] + model.metrics["train_seconds"], 2),
        "interactions": model.metrics["interactions"],
    }
    return model
