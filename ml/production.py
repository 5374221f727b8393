"""Training the model the service serves: on everything in the store, with a held-out slice to stop.

Early stopping needs validation data, and the product model should learn from every rating. So
``train_for_serving`` holds out 10% of the ratings of the users whose ranking decides early stopping
(every user, or a fixed sample of ``eval_users`` of them) and trains on the rest with early stopping
(its validation metrics are the ones the service reports). Then:

- when the held-out ratings are more than ``REFIT_ABOVE_HELD_OUT_SHARE`` of all (ml-100k: 10%), it
  trains again on 100% for the number of epochs that was best;
- otherwise (25M ratings: 1.2%) the refit, which costs as much as the first training, would add little:
  the held-out ratings are folded into their users' vectors instead (``Recommender.with_histories_of``,
  exact but for those ratings' own effect on the movies' vectors).

With ``nproc`` > 1 the trainings are data-parallel. ``data_as_of`` records the newest rating the model
saw: ratings written later are folded in by the service.

From ``AT_SCALE_RATINGS`` ratings on, the product trains with ``AT_SCALE`` settings, measured on the
synthetic 1M, 10M and 25M data (docs/benchmarks.md): as accurate as the defaults at 1M in less time;
with the defaults, one epoch of probe and refit at 25M took 1,070 s and peaked at 13.3 GB.

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

import numpy as np
import pandas as pd

from ml.cpus import cpus_left_free_here, threads_left_here
from ml.interactions import validate_interactions
from ml.recommender import Recommender
from ml.split import split_interactions
from ml.train import TrainConfig

log = logging.getLogger(__name__)

VALIDATION_SHARE = 0.1
REFIT_ABOVE_HELD_OUT_SHARE = 0.02
"""Refit on everything when the validation held out more than this share of the ratings (docstring)."""

AT_SCALE_RATINGS = 1_000_000
AT_SCALE = {"embedding_dim": 64, "learning_rate": 0.05, "eval_every": 1, "patience": 3, "min_gain": 0.005}
"""TrainConfig fields the product uses from ``AT_SCALE_RATINGS`` ratings on (module docstring)."""


def serving_config(ratings: int, max_epochs: int | None = None) -> TrainConfig:
    """The product's training settings for a store of ``ratings`` ratings; ``max_epochs`` caps the
    epochs (None: early stopping decides)."""
    config = TrainConfig(**(AT_SCALE if ratings >= AT_SCALE_RATINGS else {}))
    return config if max_epochs is None else dataclasses.replace(config, max_epochs=max_epochs)


def train_for_serving(
    ratings: pd.DataFrame, config: TrainConfig | None = None, progress: bool = False, nproc: int = 1
) -> Recommender:
    """Train with early stopping on a held-out slice, then refit on everything or fold that slice in
    (module docstring). ``config``: :func:`serving_config` for the number of ratings unless given.

    ``nproc > 1`` runs the fits data-parallel on that many processes (:mod:`ml.distributed`).
    """
    config = config or serving_config(len(ratings))
    if nproc > 1:
        from ml.distributed import run_data_parallel

        return run_data_parallel(train_for_serving, (ratings, config, progress), nproc)
    with cpus_left_free_here():  # the service's retrain runs here, on a worker thread of its event loop
        return _train_with_early_stopping(ratings, config, progress)


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


def validation_split(table: pd.DataFrame, config: TrainConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, valid): ``VALIDATION_SHARE`` of the ratings of the users whose ranking decides early
    stopping (``ml.train.validation_users``): every user, or a fixed random sample of
    ``config.eval_users`` users when there are more; the other users' ratings are all in train."""
    ratios = (1 - VALIDATION_SHARE, VALIDATION_SHARE, 0.0)
    users = np.sort(table["user_id"].unique())  # the sample depends on the data, not on its row order
    if config.eval_users is None or len(users) <= config.eval_users:
        train, valid, _ = split_interactions(table, "random", seed=config.seed, ratios=ratios)
        return train, valid
    sampled = np.random.default_rng(config.seed).choice(users, config.eval_users, replace=False)
    in_sample = table["user_id"].isin(sampled).to_numpy()
    train, valid, _ = split_interactions(table[in_sample], "random", seed=config.seed, ratios=ratios)
    return pd.concat([table[~in_sample], train], ignore_index=True), valid


def _train_with_early_stopping(ratings: pd.DataFrame, config: TrainConfig, progress: bool) -> Recommender:
    table = validate_interactions(ratings, source="store ratings")
    train, valid = validation_split(table, config)
    probe = Recommender.fit(train, config, valid=valid, progress=progress)
    best_epoch = max(int(probe.metrics.get("best_epoch", config.max_epochs)), 1)
    held_out_share = len(valid) / len(table)
    log.info(
        "held-out NDCG@20 %.4f at epoch %d (%d ratings of %d users held out, %.1f%%)",
        probe.metrics.get("valid_ndcg@20", float("nan")),
        best_epoch,
        len(valid),
        valid["user_id"].nunique(),
        100 * held_out_share,
    )
    if held_out_share <= REFIT_ABOVE_HELD_OUT_SHARE:
        log.info("folding the held-out ratings into their users' vectors")
        return probe.with_histories_of(valid["user_id"].unique(), table)
    log.info("refitting on all ratings for %d epochs", best_epoch)
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
