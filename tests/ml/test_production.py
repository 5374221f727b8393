"""Training the served model: its settings by size, the held-out slice, refit or fold-in."""

import dataclasses

import numpy as np
import pytest

from ml import production
from ml.production import AT_SCALE, serving_config, train_for_serving, validation_split
from ml.recommender import Recommender
from ml.train import TrainConfig
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings


def test_the_product_trains_with_the_defaults_below_a_million_ratings_and_the_at_scale_settings_from_there():
    assert serving_config(100_000) == TrainConfig()
    assert serving_config(1_000_000) == TrainConfig(**AT_SCALE)
    assert serving_config(25_000_000, max_epochs=2) == TrainConfig(**AT_SCALE, max_epochs=2)


def test_with_every_user_ranked_a_tenth_of_each_users_ratings_is_held_out():
    ratings = two_cluster_ratings(per_user=10)
    train, valid = validation_split(ratings, dataclasses.replace(FAST_CONFIG, eval_users=None))
    assert len(train) + len(valid) == len(ratings)
    assert (valid.groupby("user_id").size() == 1).all() and valid.user_id.nunique() == 40


def test_with_a_sample_of_users_ranked_only_their_ratings_are_held_out():
    ratings = two_cluster_ratings(per_user=10)
    train, valid = validation_split(ratings, dataclasses.replace(FAST_CONFIG, eval_users=5))
    assert valid.user_id.nunique() == 5 and len(valid) == 5
    assert len(train) + len(valid) == len(ratings)
    assert set(train.user_id) == set(ratings.user_id)  # every user still trains
    shuffled = ratings.sample(frac=1.0, random_state=1)
    again = validation_split(shuffled, dataclasses.replace(FAST_CONFIG, eval_users=5))[1]
    assert sorted(again.user_id) == sorted(valid.user_id)  # a fixed sample, whatever the row order


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of ratings each Recommender.fit trains on."""
    trained_on, fit = [], Recommender.fit

    def recording_fit(ratings, *args, **kwargs):
        trained_on.append(len(ratings))
        return fit(ratings, *args, **kwargs)

    monkeypatch.setattr(Recommender, "fit", recording_fit)
    return trained_on


def test_when_a_tenth_of_all_ratings_is_held_out_the_model_is_refitted_on_all_of_them(fits):
    ratings = two_cluster_ratings(per_user=10)
    model = train_for_serving(ratings, dataclasses.replace(FAST_CONFIG, max_epochs=2))
    assert fits == [len(ratings) - 40, len(ratings)]
    assert model.metrics["interactions"] == len(ratings)


def test_when_few_ratings_are_held_out_they_are_folded_in_instead_of_a_second_training(fits):
    ratings = two_cluster_ratings(per_user=10)  # 400 ratings; 5 users' 5 held out: 1.25%
    assert production.REFIT_ABOVE_HELD_OUT_SHARE >= 5 / 400
    config = dataclasses.replace(FAST_CONFIG, max_epochs=2, eval_users=5)
    model = train_for_serving(ratings, config)

    assert fits == [len(ratings) - 5]
    _, valid = validation_split(ratings, config)
    for user in valid.user_id:
        history = ratings.loc[ratings.user_id == user, "item_id"].to_numpy()
        np.testing.assert_allclose(model.user_vector(user), model.fold_in(history, user_id=user), atol=1e-6)
    assert model.metrics["interactions"] == len(ratings)
    assert model.data_as_of == ratings.timestamp.max()
    assert "valid_ndcg@20" in model.metrics
