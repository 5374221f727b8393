"""Start-up folds in the users who rated after the model's snapshot: found in the ratings export it was
built from, and, for ratings stored while it was being built, in the store's index of who rated when."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from ml.data import Dataset
from ml.data.dataset import typed_users
from ml.data.movielens import movies_frame
from ml.recommender import Recommender
from service.catalogue import Catalogue
from service.lifespan import warm_folded_in_users
from service.personalization import UserVectors
from service.serving_model import ServingModel
from service.store.graph_store import GraphStore
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings


def two_cluster_dataset(ratings: pd.DataFrame) -> Dataset:
    movie_ids = sorted(set(ratings.item_id))
    movies = movies_frame(
        pd.Series(movie_ids),
        pd.Series([f"Movie {m} (2000)" for m in movie_ids]),
        [["Drama" if m < 600 else "Comedy"] for m in movie_ids],
    )
    users = typed_users(pd.DataFrame({"user_id": sorted(set(ratings.user_id))}))
    credits = pd.DataFrame({"person_id": pd.Series(dtype=str), "movie_id": pd.Series(dtype=np.int64)}).assign(
        role=pd.Series(dtype=str), character=pd.Series(dtype=object)
    )
    sequels = pd.DataFrame({"movie_id": pd.Series(dtype=np.int64), "sequel_id": pd.Series(dtype=np.int64)})
    return Dataset(
        "two clusters", users, movies, ratings.rename(columns={"item_id": "movie_id"}), credits, sequels
    )


async def test_start_up_folds_in_who_rated_after_the_snapshot_before_and_after_the_export(
    empty_store: GraphStore,
):
    ratings = two_cluster_ratings()
    await empty_store.import_dataset(two_cluster_dataset(ratings), progress=False)
    recommender = Recommender.fit(ratings, FAST_CONFIG, progress=False)
    assert recommender.data_as_of < 300
    await empty_store.upsert_rating(1000, 600, 5.0, ts=300)  # after the snapshot, in the export
    exported_at = 400
    interactions = await empty_store.export_interactions()
    await empty_store.upsert_rating(2000, 500, 5.0, ts=500)  # stored after the export, before serving
    model = ServingModel.build(
        recommender,
        await Catalogue.load(empty_store, interactions),
        interactions,
        await empty_store.export_movie_links(),
        movies_as_of=exported_at,
        ratings_as_of=exported_at,
    )
    assert model.newer_raters.tolist() == [1000]

    app = SimpleNamespace(state=SimpleNamespace(store=empty_store, user_vectors=UserVectors()))
    folded = await warm_folded_in_users(app, model)

    assert folded == 2 == len(app.state.user_vectors)  # both folded in and cached
