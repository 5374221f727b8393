"""Importing a cleaned dataset: aliases are written, and a graph an older version imported loses its
duplicate and placeholder movies without losing a rating."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.data import Dataset
from ml.data.dataset import typed_users
from ml.data.hygiene import clean
from ml.data.movielens import movies_frame
from service.store.graph_store import GraphStore, NotFound


def dataset_with_a_duplicate_and_a_placeholder() -> Dataset:
    """Fargo as 30 and 40, a placeholder 99; user 1 rated both Fargos (40 later), user 2 only 40."""
    users = typed_users(pd.DataFrame({"user_id": [1, 2, 3]}))
    movies = movies_frame(
        pd.Series([10, 30, 40, 99]),
        pd.Series(["Alien (1979)", "Fargo (1996)", "Fargo (1996)", "unknown"]),
        [["Sci-Fi"], ["Crime"], ["Crime", "Thriller"], ["unknown"]],
    )
    ratings = pd.DataFrame(
        {
            "user_id": [1, 1, 1, 2, 3, 3],
            "movie_id": [10, 30, 40, 40, 99, 10],
            "rating": [5.0, 4.0, 2.0, 3.0, 1.0, 4.0],
            "timestamp": [100, 200, 300, 400, 500, 600],
        }
    )
    return Dataset("fargo-twice", users, movies, ratings)


def ratings_by_user_and_movie(frame: pd.DataFrame) -> dict[tuple[int, int], tuple[float, int]]:
    return {
        (int(row.user_id), int(row.movie_id)): (float(row.rating), int(row.timestamp))
        for row in frame.itertuples()
    }


async def test_import_writes_the_aliases_and_again_changes_nothing(empty_store: GraphStore):
    dataset = clean(dataset_with_a_duplicate_and_a_placeholder())
    await empty_store.import_dataset(dataset, progress=False)
    assert await empty_store.movie_aliases() == {40: 30}
    stats = await empty_store.stats()
    exported = ratings_by_user_and_movie((await empty_store.export_interactions()).as_frame())
    assert exported == {(1, 10): (5.0, 100), (1, 30): (2.0, 300), (2, 30): (3.0, 400), (3, 10): (4.0, 600)}

    await empty_store.import_dataset(dataset, progress=False)
    assert await empty_store.movie_aliases() == {40: 30}
    assert await empty_store.stats() == stats
    assert ratings_by_user_and_movie((await empty_store.export_interactions()).as_frame()) == exported


async def test_an_older_graph_loses_its_duplicate_and_placeholder_and_keeps_every_rating_of_a_film(
    empty_store: GraphStore,
):
    raw = dataset_with_a_duplicate_and_a_placeholder()
    await empty_store.import_dataset(raw, progress=False)  # as a version without hygiene did
    await empty_store.upsert_rating(2, 40, 1.5, ts=900)  # rated through the API, after that import
    await empty_store.upsert_rating(3, 40, 4.5, ts=50)  # an older rating than user 3 has of ...
    await empty_store.upsert_rating(3, 30, 3.5, ts=60)  # ... the canonical movie, which wins

    await empty_store.import_dataset(clean(raw), progress=False)

    for gone in (40, 99):
        with pytest.raises(NotFound):
            await empty_store.movie(gone)
    assert sorted(row["id"] for row in await empty_store.movie_catalogue()) == [10, 30]
    assert ratings_by_user_and_movie((await empty_store.export_interactions()).as_frame()) == {
        (1, 10): (5.0, 100),
        (1, 30): (2.0, 300),
        (2, 30): (1.5, 900),
        (3, 10): (4.0, 600),
        (3, 30): (3.5, 60),
    }
    fargo = await empty_store.movie(30)
    assert sorted(fargo["genres"]) == ["Crime", "Thriller"] and fargo["ratings"] == 3
    assert await empty_store.movie_aliases() == {40: 30}
