"""The model as the service holds it: recommender, catalogue, reasons and similar movies, built and
swapped as one unit.

``ServingModel`` is immutable; a retrain builds a new one and replaces the reference in app state in
one assignment, so a request sees either the old model or the new one, never a mix. Movies an admin
adds or changes make a new one too (:meth:`ServingModel.with_movies`, ``service.movie_sync``).

**Cold movies.** A movie the recommender was not trained on (added since, or never rated) gets its
embedding from its graph neighbours, genres, release period and people (``ml.cold_items``, fitted on
the trained movies each time a model is built), and its similar movies by that embedding
(``ml.similarity.similar_by_embedding``). Two encoders are fitted: one for the movie's embedding
(its score for every user) and one for its history vector (what rating it adds to a user's vector).
The embedding is the expected one given those attributes, so its scores are not inflated: a new movie
reaches a user's list where its genres, period and people say it fits them (with people that carry
taste, first for the fans of its director: ``tests/service/api/test_people.py``).

**Similar movies** are part of the model: fitted when a model is trained (``ml.similarity``), or by the
first start that finds none, and saved beside its checkpoint (``Settings.similar_movies_path``). A
start-up loads them when they were fitted for the same model over the same movies and fits them again
otherwise (a missing, older or unreadable file is logged, never fatal). Ratings stored since count from
the next retrain, as they do for the model.

**Folding in at start-up.** The users who rated after the model's snapshot are found in the ratings
export the serving model was built from (``ServingModel.newer_raters``) and, for the ratings stored
while it was being built, from the users' ``rated_at`` index (``GraphStore.recent_raters``): no second
read of every rating.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from ml.cold_items import ColdItemEncoder
from ml.cpus import cpus_left_free_here
from ml.data import default_dataset
from ml.graph import MovieFacts, movie_graph
from ml.production import serving_config, train_for_serving, train_for_serving_in_child
from ml.recommender import CheckpointMismatch, Recommender
from ml.similarity import TOP_K, MovieSimilarity, SimilarityMismatch, similar_by_embedding
from service.catalogue import Catalogue
from service.config import Settings
from service.observability import logged_duration
from service.reasons import ReasonBuilder
from service.schemas import Movie
from service.store.graph_store import GraphStore, Interactions, MovieLinks

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ColdMovies:
    """What gives a movie the recommender was not trained on its vectors (module docstring)."""

    trained_ids: np.ndarray  # sorted raw ids of the movies the recommender was trained on
    embeddings: ColdItemEncoder
    history_vectors: ColdItemEncoder

    @classmethod
    def fit(cls, recommender: Recommender, catalogue: Catalogue, links: MovieLinks) -> ColdMovies:
        graph = movie_graph(None, movie_facts(catalogue, links))
        return cls(
            recommender.item_ids.copy(),
            ColdItemEncoder.from_recommender(graph, recommender),
            ColdItemEncoder.fit(graph, recommender.item_ids, recommender.item_history_vectors),
        )

    def untrained(self, movie_ids: np.ndarray) -> np.ndarray:
        return np.setdiff1d(np.asarray(movie_ids, np.int64), self.trained_ids)

    def vectors(self, movies: list[Movie], links: MovieLinks) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings, history vectors) of ``movies`` from their genres, years and ``links``' people."""
        people = [links.person_ids[links.person_movie_ids == movie.id].tolist() for movie in movies]
        genres = [movie.genres for movie in movies]
        years = [movie.year for movie in movies]
        return (
            self.embeddings.embed_many(genres, years, people),
            self.history_vectors.embed_many(genres, years, people),
        )


def movie_facts(catalogue: Catalogue, links: MovieLinks) -> MovieFacts:
    years = [np.nan if movie.year is None else movie.year for movie in catalogue.movies.values()]
    return MovieFacts(
        movie_ids=np.array(list(catalogue.movies), np.int64),
        years=np.array(years, np.float64),
        genre_movie_ids=links.genre_movie_ids,
        genres=links.genres.astype(str),
        person_movie_ids=links.person_movie_ids,
        person_ids=links.person_ids.astype(str),
        roles=links.roles.astype(str),
    )


@dataclass(frozen=True)
class ServingModel:
    recommender: Recommender
    catalogue: Catalogue
    reasons: ReasonBuilder
    similarity: MovieSimilarity
    cold: ColdMovies
    movies_as_of: int = 0
    """Unix time the catalogue was read: admin changes from then on are applied by ``service.movie_sync``."""
    ratings_as_of: int = 0
    """Unix time the ratings export it was built from began: who rated from then on is read from the store."""
    newer_raters: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    """Users whose ratings in that export are newer than the recommender's snapshot (``data_as_of``)."""

    @classmethod
    def build(
        cls,
        recommender: Recommender,
        catalogue: Catalogue,
        interactions: Interactions,
        links: MovieLinks,
        movies_as_of: int = 0,
        *,
        ratings_as_of: int = 0,
        similarity: MovieSimilarity | None = None,
    ) -> ServingModel:
        """The serving model of a trained recommender, with vectors for the catalogue's unrated movies.
        ``similarity``: the catalogue's similar movies where they are at hand (:func:`similar_movies`), else
        fitted here. Each part logs how long it took (``service.observability.logged_duration``)."""
        if similarity is None:
            with logged_duration(log, "similar movies"):
                similarity = fit_similar_movies(catalogue, interactions)
        with logged_duration(log, "reasons"):
            reasons = ReasonBuilder(interactions, links, catalogue)
        with logged_duration(log, "cold-movie encoders"):
            cold = ColdMovies.fit(recommender, catalogue, links)
        newer_raters = interactions.users_rated_since(int(recommender.data_as_of))
        model = cls(
            recommender, catalogue, reasons, similarity, cold, movies_as_of, ratings_as_of, newer_raters
        )
        untrained = model.cold.untrained(catalogue.ids)
        if len(untrained) == 0:
            return model
        log.info("%d movies without ratings get vectors from their genres, years and people", len(untrained))
        with logged_duration(log, "vectors of unrated movies"):
            return model._with_cold_movies([catalogue.movie(int(m)) for m in untrained], links)

    def with_movies(self, rows: list[dict], links: MovieLinks, as_of: int) -> ServingModel:
        """This model with movies an admin added or changed (rows as ``GraphStore.movies_by_id`` gives
        them, ``links`` their genres and credits). A trained movie keeps its vectors; an untrained one
        gets them from its neighbours, and its similar movies by them."""
        catalogue = self.catalogue.with_movies(rows)
        model = dataclasses.replace(
            self,
            catalogue=catalogue,
            reasons=self.reasons.with_movies(catalogue, links),
            movies_as_of=as_of,
        )
        untrained = self.cold.untrained(np.array([int(row["id"]) for row in rows], np.int64))
        return model._with_cold_movies([catalogue.movie(int(m)) for m in untrained], links)

    def _with_cold_movies(self, movies: list[Movie], links: MovieLinks) -> ServingModel:
        if not movies:
            return self
        embeddings, history_vectors = self.cold.vectors(movies, links)
        ids = np.array([movie.id for movie in movies], np.int64)
        trained = self.cold.trained_ids
        trained_rows = np.searchsorted(self.recommender.item_ids, trained)
        genre_rows = np.searchsorted(self.catalogue.ids, trained)
        known_genres = self.catalogue.genre_matrix()
        trained_embeddings = self.recommender.item_embeddings[trained_rows]
        neighbours = np.full((len(movies), TOP_K), -1, np.int64)
        scores = np.full((len(movies), TOP_K), -np.inf, np.float32)
        for i, embedding in enumerate(embeddings):
            rows, top = similar_by_embedding(
                embedding,
                known_genres[np.searchsorted(self.catalogue.ids, ids[i])],
                trained_embeddings,
                known_genres[genre_rows],
            )
            neighbours[i, : len(rows)], scores[i, : len(rows)] = trained[rows], top
        return dataclasses.replace(
            self,
            recommender=self.recommender.with_items(ids, embeddings, history_vectors),
            similarity=self.similarity.with_movies(ids, neighbours, scores),
        )

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


def fit_similar_movies(catalogue: Catalogue, interactions: Interactions) -> MovieSimilarity:
    return MovieSimilarity.fit(catalogue.rating_matrix(interactions), catalogue.genre_matrix(), catalogue.ids)


def similar_movies(
    recommender: Recommender,
    catalogue: Catalogue,
    interactions: Interactions,
    path: Path,
    *,
    refit: bool = False,
) -> MovieSimilarity:
    """The catalogue's similar movies for ``recommender``: the table saved at ``path`` if it was fitted for
    this recommender over these movies, else fitted from ``interactions`` and saved there. ``refit`` (the
    model was just trained) fits and overwrites whatever is saved."""
    if not refit:
        with logged_duration(log, "similar movies load"):
            similarity = _load_similar_movies(path, recommender, catalogue)
        if similarity is not None:
            return similarity
    with logged_duration(log, "similar movies"):
        similarity = fit_similar_movies(catalogue, interactions)
        try:
            similarity.save(path, recommender.version)
        except OSError as error:  # the next start fits them again
            log.warning("could not save the similar movies to %s: %s", path, error)
    return similarity


def _load_similar_movies(
    path: Path, recommender: Recommender, catalogue: Catalogue
) -> MovieSimilarity | None:
    if not path.is_file():
        log.info("no saved similar movies at %s: fitting them", path)
        return None
    try:
        similarity = MovieSimilarity.load(path, recommender.version, catalogue.ids)
    except SimilarityMismatch as error:
        log.warning("fitting the similar movies again: %s", error)
        return None
    log.info("loaded the similar movies of model %s", recommender.version)
    return similarity


async def ensure_store_has_data(store: GraphStore, settings: Settings) -> None:
    """An empty graph gets the default dataset, so that a first start has something to recommend; a graph
    made by an earlier version gets the schema it lacks (constraints and indexes are idempotent) and the
    fields search needs (search titles, rating counts). Whether it is empty is one rating read, not a
    count of them all (``stats``), which grows with the ratings (1.5 s at 1M)."""
    if not await store.has_ratings():
        log.info("the graph is empty: importing %s", settings.dataset)
        dataset = await asyncio.to_thread(default_dataset, settings.data_dir)
        await store.import_dataset(dataset, progress=False)
    else:
        await store.backend.apply_schema()
        await store.complete_search_fields()


def _leaving_cpus(work: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """``work(*args, **kwargs)`` on this worker thread with the torch threads that the caller's
    ``ml.cpus.leaving_cpus_free`` sets (a retrain beside live requests), as training does."""
    with cpus_left_free_here():
        return work(*args, **kwargs)


async def build_serving_model(
    store: GraphStore,
    settings: Settings,
    *,
    force_retrain: bool = False,
    nproc: int = 1,
    train_in_child: bool = False,
) -> ServingModel:
    """Load the saved model and its similar movies, or train one from the store's current data (and save
    both). ``train_in_child``: train in a child process (a retrain beside live requests)."""
    exported_at = int(time.time())  # before the ratings and the catalogue are read
    with logged_duration(log, "export of ratings"):
        interactions = await store.export_interactions()
    with logged_duration(log, "export of movie links"):
        links = await store.export_movie_links()
    with logged_duration(log, "catalogue"):
        catalogue = await Catalogue.load(store, interactions)
    recommender = None
    if not force_retrain:
        with logged_duration(log, "checkpoint load"):
            recommender = _load_checkpoint(settings, catalogue)
    trained = recommender is None
    if trained:
        recommender = await train_and_save(interactions, settings, nproc=nproc, in_child=train_in_child)
    similarity = await asyncio.to_thread(
        _leaving_cpus,
        similar_movies,
        recommender,
        catalogue,
        interactions,
        settings.similar_movies_path,
        refit=trained,
    )
    return await asyncio.to_thread(
        _leaving_cpus,
        ServingModel.build,
        recommender,
        catalogue,
        interactions,
        links,
        movies_as_of=exported_at,
        ratings_as_of=exported_at,
        similarity=similarity,
    )


async def train_and_save(
    interactions: Interactions, settings: Settings, *, nproc: int = 1, in_child: bool = False
) -> Recommender:
    """Train on ``interactions`` (a store export) for at most ``settings.train_epochs`` epochs (None:
    early stopping decides) and save the checkpoint that start-up loads. ``in_child``: in a child process
    (``ml.production.train_for_serving_in_child``), else on a worker thread of this one."""
    log.info("training a model on %d ratings from the store", len(interactions))
    config = serving_config(len(interactions), settings.train_epochs)
    with logged_duration(log, "training"):
        if in_child and nproc == 1:  # nproc > 1 trains in child processes anyway
            recommender = await asyncio.to_thread(train_for_serving_in_child, interactions.as_frame(), config)
        else:
            recommender = await asyncio.to_thread(
                train_for_serving, interactions.as_frame(), config, nproc=nproc
            )
    log.info("trained model %s", recommender.version)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(recommender.save, settings.checkpoint_path)
    return recommender


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
