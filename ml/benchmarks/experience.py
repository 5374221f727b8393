"""``cinegraph bench experience``: the live loop as a person meets it, measured on one dataset.

One model is trained on a random 80/10/10 split (early stopping on valid) and serves three measures:
what one rating does to a list (:mod:`ml.benchmarks.live_update`), how close predicted stars come to
real ones (:mod:`ml.benchmarks.rating_accuracy`) and whether similar movies are ones a person
recognises (:mod:`ml.benchmarks.similarity`). New users from five picks need users left out of
training, so :mod:`ml.benchmarks.onboarding` trains its own model.
"""

from __future__ import annotations

import time

import pandas as pd

from ml.benchmarks.live_update import live_update_report
from ml.benchmarks.onboarding import onboarding_report
from ml.benchmarks.rating_accuracy import rating_accuracy
from ml.benchmarks.similarity import similarity_report
from ml.recommender import Recommender
from ml.split import split_interactions
from ml.train import TrainConfig

PARTS = ("live", "ratings", "similar", "onboarding")


def experience_report(
    ratings: pd.DataFrame, movies: pd.DataFrame, config: TrainConfig, parts: tuple[str, ...] = PARTS
) -> dict:
    """Each requested part's report, and the training time of the model the first three share."""
    report: dict = {}
    if {"live", "ratings", "similar"} & set(parts):
        started = time.perf_counter()
        train, valid, test = split_interactions(ratings, "random", seed=config.seed)
        model = Recommender.fit(train, config, valid=valid, progress=False)
        report["model"] = {
            "valid_ndcg@20": round(model.metrics["valid_ndcg@20"], 4),
            "train_s": round(time.perf_counter() - started, 1),
        }
        if "ratings" in parts:
            report["predicted_stars"] = rating_accuracy(model, train, test)
        if "similar" in parts:
            report["similar_movies"] = similarity_report(model, train, movies)
        if "live" in parts:
            report["live_update"] = live_update_report(model, train, valid, test)
    if "onboarding" in parts:
        report["onboarding"] = onboarding_report(ratings, config, seed=config.seed)
    return report
