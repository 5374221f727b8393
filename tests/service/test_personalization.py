"""User vectors as the service computes them from a user's history in the store."""

import numpy as np
import pytest

from ml.recommender import Recommender
from service.personalization import UserVectors
from service.serving_model import ServingModel
from service.store.graph_store import UserHistory
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings


@pytest.fixture(scope="module")
def model() -> ServingModel:
    recommender = Recommender.fit(two_cluster_ratings(), FAST_CONFIG, progress=False)
    return ServingModel(
        recommender, catalogue=None, reasons=None, similarity=None
    )  # the recommender is enough


def history_of(user_id: int, ts_offset: int = 0) -> UserHistory:
    ratings = two_cluster_ratings()
    mine = ratings[ratings.user_id == user_id]
    return UserHistory(
        ratings=[
            {"movie_id": int(m), "rating": float(r), "ts": int(t) + ts_offset}
            for m, r, t in zip(mine.item_id, mine.rating, mine.timestamp, strict=True)
        ],
        picks=[],
    )


def test_an_unchanged_trained_user_gets_their_trained_vector(model):
    vector = UserVectors().vector(model, 1000, history_of(1000))
    np.testing.assert_array_equal(vector, model.recommender.user_vector(1000))


def test_a_new_rating_updates_a_trained_user_and_keeps_what_training_learned(model):
    history = history_of(1000)
    unseen = next(int(i) for i in range(500, 515) if i not in {r["movie_id"] for r in history.ratings})
    rated = UserHistory([{"movie_id": unseen, "rating": 4.0, "ts": 10**9}, *history.ratings], [])
    updated = UserVectors().vector(model, 1000, rated)
    trained = model.recommender.user_vector(1000)
    assert not np.allclose(updated, trained)
    cosine = updated @ trained / (np.linalg.norm(updated) * np.linalg.norm(trained))
    assert cosine > 0.95


def test_picks_alone_make_a_vector_that_prefers_their_cluster(model):
    picks = UserHistory(ratings=[], picks=[{"movie_id": m, "ts": 1} for m in (600, 601, 602, 603, 604)])
    vector = UserVectors().vector(model, 7777, picks)
    top = [movie for movie, _ in model.recommender.recommend(vector, k=5, exclude=picks.picked_ids)]
    assert all(600 <= movie < 615 for movie in top)


def test_a_user_with_neither_ratings_nor_picks_has_no_vector(model):
    assert UserVectors().vector(model, 1000, UserHistory([], [])) is None
