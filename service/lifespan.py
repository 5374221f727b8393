"""Start-up and shutdown: the graph store (embedded or Neo4j), the model, and the helpers around them."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from contextlib import asynccontextmanager

import numpy as np
from fastapi import FastAPI

from ml.cpus import leaving_cpus_free, use_available_cpus
from service.movie_sync import MovieSync
from service.observability import log_duration, logged_duration
from service.personalization import UserVectors
from service.retrain import Retrainer
from service.serving_model import ServingModel, build_serving_model, ensure_store_has_data
from service.store.factory import connect_store, embedded_server

log = logging.getLogger(__name__)


async def warm_folded_in_users(app: FastAPI, model: ServingModel) -> int:
    """Fold in the users who rated after the model's snapshot, so their first request is fast: those the
    ratings export it was built from shows, and those who rated while it was being built."""
    store, vectors = app.state.store, app.state.user_vectors
    recent = np.array(await store.recent_raters(model.ratings_as_of), np.int64)
    users = np.union1d(model.newer_raters, recent)
    for user_id in users.tolist():
        vectors.vector(model, user_id, await store.user_history(user_id))
    return len(users)


@asynccontextmanager
async def lifespan(app: FastAPI):
    started = time.perf_counter()
    settings = app.state.settings
    use_available_cpus()  # also under a plain `uvicorn service.main:create_app`
    server = None if settings.uses_neo4j else embedded_server(settings)
    started_server = await asyncio.to_thread(server.start) if server else False
    store = connect_store(settings)
    app.state.store = store
    app.state.user_vectors = UserVectors()

    def install(model: ServingModel) -> None:
        app.state.model = model
        app.state.metrics.set_model(model.version, model.trained_at)
        # The model, catalogue and reason index are millions of long-lived objects; a full garbage
        # collection walking them stalled requests by tens of milliseconds. Freezing moves everything
        # alive now out of the collector's sight (unfrozen first, so that a replaced model can be freed).
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    async def build_fresh_model() -> ServingModel:
        with leaving_cpus_free(settings.retrain_spare_cpus):  # a retrain leaves live requests a core
            return await build_serving_model(store, settings, force_retrain=True, train_in_child=True)

    movie_sync = MovieSync(store, lambda: app.state.model, install)
    app.state.movie_sync = movie_sync

    def install_retrained(model: ServingModel) -> None:
        install(model)
        task = asyncio.create_task(movie_sync.catch_up())  # movies changed while it trained
        app.state.background.add(task)
        task.add_done_callback(app.state.background.discard)

    app.state.retrainer = Retrainer(build_fresh_model, install_retrained)
    app.state.background = set()
    polling = None
    try:
        with logged_duration(log, "store check"):
            await ensure_store_has_data(store, settings)
        model = await build_serving_model(store, settings)
        with logged_duration(log, "model install"):
            install(model)
        with logged_duration(log, "folding in users"):
            folded = await warm_folded_in_users(app, model)
        log.info("serving model %s; %d users folded in from newer ratings", model.version, folded)
        log_duration(log, "start-up", started)
        polling = asyncio.create_task(movie_sync.run_every(settings.movie_sync_interval_s))
        yield
    finally:
        if polling is not None:
            polling.cancel()
        await app.state.retrainer.cancel()
        await store.close()
        if started_server:
            await asyncio.to_thread(server.stop)
