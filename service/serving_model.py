"""The model as the service holds it: recommender, catalogue, reasons and similar movies, built and
swapped as one unit.

``ServingModel`` is immutable; a retrain builds a new one and replaces the reference in app state in
one assignment, so a request sees either the old model or the new one, never a mix.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import numpy as np

from ml.data import default_dataset
from ml.production import train_for_serving
from ml.recommender import CheckpointMismatch, Recommender
from ml.similarity import MovieSimilarity
from ml.train import TrainConfig
from service.catalogue import Catalogue
from service.config import Settings
from service.reasons import ReasonBuilder
from service.store.graph_store import GraphStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServingModel:
    recommender: Recommender
    catalogue: Catalogue
    reasons: ReasonBuilder
    similarity: MovieSimilarity

    @property
    def version(self) -> str:
        return self.recommender.version

    @property
    def data_as_of(self) -> int:
        """Unix time of the store snapshot the model was trained on; later ratings are folded in."""
        return int(self.recommender.data_as_of)

    @property
    def trained_at(self) -> str:
        return self.recommender.trained_at

    def knows_user(self, user_id: int) -> bool:
        return self.recommender.has_user(user_id)


async def ensure_store_has_data(store: GraphStore, settings: Settings) -> None:
    """An empty graph gets the default dataset, so that a first start has something to recommend; a graph
    made by an earlier version gets the schema it lacks (constraints and indexes are idempotent)."""
    if (await store.stats())["ratings"] == 0:
        log.info("the graph is empty: importing %s", settings.dataset)
        dataset = await asyncio.to_thread(default_dataset, settings.data_dir)
        await store.import_dataset(dataset, progress=False)
    else:
        await store.backend.apply_schema()


async def build_serving_model(
    store: GraphStore, settings: Settings, *, force_retrain: bool = False, nproc: int = 1
) -> ServingModel:
    """Load the saved model, or train one from the store's current data (and save it)."""
    interactions = await store.export_interactions()
    links = await store.export_movie_links()
    catalogue = await Catalogue.load(store, interactions)
    recommender = None if force_retrain else _load_checkpoint(settings, catalogue)
    if recommender is None:
        log.info("training a model on %d ratings from the store", len(interactions))
        config = (
            TrainConfig() if settings.train_epochs is None else TrainConfig(max_epochs=settings.train_epochs)
        )
        started = time.perf_counter()
        recommender = await asyncio.to_thread(train_for_serving, interactions.as_frame(), config, nproc=nproc)
        log.info("trained model %s in %.1f s", recommender.version, time.perf_counter() - started)
        settings.models_dir.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(recommender.save, settings.checkpoint_path)
    similarity = await asyncio.to_thread(
        MovieSimilarity.fit, catalogue.rating_matrix(interactions), catalogue.genre_matrix(), catalogue.ids
    )
    return ServingModel(recommender, catalogue, ReasonBuilder(interactions, links, catalogue), similarity)


def _load_checkpoint(settings: Settings, catalogue: Catalogue) -> Recommender | None:
    path = settings.checkpoint_path
    if not path.is_file():
        log.info("no saved model at %s", path)
        return None
    try:
        recommender = Recommender.load(path)
    except CheckpointMismatch as error:
        log.warning("not using the saved model: %s", error)
        return None
    unknown = np.setdiff1d(recommender.item_ids, catalogue.ids)
    if len(unknown):
        log.warning("the saved model knows %d movies the graph does not hold: retraining", len(unknown))
        return None
    log.info("loaded model %s (trained %s)", recommender.version, recommender.trained_at)
    return recommender
