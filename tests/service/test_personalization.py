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
        recommender, catalogue=None, reasons=None, similarity=None, cold=None
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


def test_a_removed_rating_folds_a_trained_user_in_again_though_nothing_is_newer(model):
    history = history_of(1000)
    removed = history.ratings[0]["movie_id"]
    shorter = UserHistory(history.ratings[1:], [], ratings_removed_at=10**9)
    assert shorter.newest_ts <= model.data_as_of  # only the removal time tells that it changed

    vector = UserVectors().vector(model, 1000, shorter)

    assert not np.allclose(vector, model.recommender.user_vector(1000))
    expected = model.recommender.fold_in(shorter.rated_ids, shorter.rating_values, user_id=1000)
    np.testing.assert_allclose(vector, expected)
    unseen_in_cluster = 15 - len(shorter.ratings)
    top = [m for m, _ in model.recommender.recommend(vector, unseen_in_cluster, exclude=shorter.excluded_ids)]
    assert removed in top  # it may be recommended again


def test_a_rating_undone_within_the_same_second_is_not_served_a_stale_vector(model):
    vectors = UserVectors()
    history = history_of(2000)
    rated = {r["movie_id"] for r in history.ratings}
    first, second = [m for m in range(600, 615) if m not in rated][:2]
    for movie_id in (first, second):  # rate one, undo it and rate another, all in the second 10**9
        now = UserHistory([{"movie_id": movie_id, "rating": 4.0, "ts": 10**9}, *history.ratings], [])
        vector = vectors.vector(model, 2000, now)
        expected = model.recommender.fold_in(now.rated_ids, now.rating_values, user_id=2000)
        np.testing.assert_allclose(vector, expected)
