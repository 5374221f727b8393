"""What start-up reads instead of recomputing: the similar movies saved beside the checkpoint, and one
rating instead of a count of them all to tell an empty graph."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest

from ml.recommender import Recommender
from ml.similarity import MovieSimilarity
from service import serving_model
from service.catalogue import Catalogue
from service.config import Settings
from service.serving_model import ensure_store_has_data, similar_movies
from service.store.graph_store import GraphStore, Interactions
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings
from tests.service.store.test_graph_store import tiny_dataset


@dataclasses.dataclass
class Trained:
    recommender: Recommender
    catalogue: Catalogue
    interactions: Interactions


def catalogue_of(movie_ids: list[int], interactions: Interactions) -> Catalogue:
    rows = [
        {"id": m, "title": f"Movie {m}", "year": 2000, "genres": ["Drama" if m < 600 else "Comedy"]}
        for m in movie_ids
    ]
    return Catalogue.build(rows, interactions)


@pytest.fixture(scope="module")
def trained() -> Trained:
    ratings = two_cluster_ratings()
    interactions = Interactions(
        ratings.user_id.to_numpy(np.int64),
        ratings.item_id.to_numpy(np.int64),
        ratings.rating.to_numpy(np.float32),
        ratings.timestamp.to_numpy(np.int64),
    )
    recommender = Recommender.fit(ratings, FAST_CONFIG, progress=False)
    return Trained(recommender, catalogue_of(sorted(set(ratings.item_id)), interactions), interactions)


@pytest.fixture
def fits(monkeypatch) -> list[int]:
    """One entry per fit of the similar movies."""
    calls: list[int] = []
    fit = serving_model.fit_similar_movies

    def counted(catalogue: Catalogue, interactions: Interactions) -> MovieSimilarity:
        calls.append(len(catalogue.ids))
        return fit(catalogue, interactions)

    monkeypatch.setattr(serving_model, "fit_similar_movies", counted)
    return calls


def assert_same_table(a: MovieSimilarity, b: MovieSimilarity) -> None:
    for name in ("movie_ids", "neighbours", "scores"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_similar_movies_are_fitted_once_then_loaded_for_the_same_model_and_movies(tmp_path, trained, fits):
    path = tmp_path / "models" / "lightgcn.similar.npz"
    first = similar_movies(trained.recommender, trained.catalogue, trained.interactions, path)
    assert fits == [30] and path.is_file()

    again = similar_movies(trained.recommender, trained.catalogue, trained.interactions, path)
    assert fits == [30]
    assert_same_table(again, first)


def test_another_model_or_catalogue_fits_them_again_and_saves_them(tmp_path, trained, fits):
    path = tmp_path / "lightgcn.similar.npz"
    similar_movies(trained.recommender, trained.catalogue, trained.interactions, path)
    retrained = dataclasses.replace(trained.recommender, trained_at="2031-01-01T00:00:00+00:00")
    similar_movies(retrained, trained.catalogue, trained.interactions, path)
    assert fits == [30, 30]
    assert MovieSimilarity.load(path, retrained.version, trained.catalogue.ids)  # saved for the new model

    one_more = catalogue_of([*trained.catalogue.ids.tolist(), 700], trained.interactions)
    table = similar_movies(retrained, one_more, trained.interactions, path)
    assert fits == [30, 30, 31]
    assert 700 in table.movie_ids


def test_a_corrupt_file_is_fitted_again_with_a_line_that_says_why(tmp_path, trained, fits, caplog):
    path = tmp_path / "lightgcn.similar.npz"
    path.write_bytes(b"PK\x03\x04 cut short")
    with caplog.at_level(logging.WARNING, logger="service.serving_model"):
        table = similar_movies(trained.recommender, trained.catalogue, trained.interactions, path)
    assert fits == [30]
    assert "not a readable similar-movie table" in caplog.text
    assert_same_table(MovieSimilarity.load(path, trained.recommender.version, trained.catalogue.ids), table)


def test_a_retrain_fits_them_afresh_and_overwrites_the_saved_ones(tmp_path, trained, fits):
    path = tmp_path / "lightgcn.similar.npz"
    similar_movies(trained.recommender, trained.catalogue, trained.interactions, path)
    before = path.stat().st_ino
    similar_movies(trained.recommender, trained.catalogue, trained.interactions, path, refit=True)
    assert fits == [30, 30]
    assert path.stat().st_ino != before  # a new file renamed over the old one
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # written by rename: no temp file left


async def test_the_store_check_reads_one_rating_instead_of_counting_them(
    empty_store: GraphStore, monkeypatch, tmp_path: Path
):
    assert not await empty_store.has_ratings()
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    assert await empty_store.has_ratings()
    statements: list[str] = []
    run = empty_store.backend.run

    async def recorded(statement_name: str, params: dict | None = None) -> list[dict]:
        statements.append(statement_name)
        return await run(statement_name, params)

    monkeypatch.setattr(empty_store.backend, "run", recorded)
    await ensure_store_has_data(empty_store, Settings(data_dir=tmp_path))
    assert "any_rating" in statements and "stats" not in statements
    assert (await empty_store.stats())["ratings"] == 3  # nothing imported again
