"""Predicted stars: shrunk biases, a calibrated score weight, and scores standardised per user."""

import numpy as np
import pytest

from ml.rating_scale import ITEM_SHRINK, USER_SHRINK, RatingScale, ScoreMoments


def test_biases_are_mean_deviations_shrunk_towards_zero():
    # Item 0: one 5★ rating; item 1: two 1★ ratings. μ = 7/3.
    scale = RatingScale.from_ratings(np.array([0, 1, 1]), np.array([5.0, 1.0, 1.0]), n_items=3)
    mean = 7 / 3
    assert scale.mean == pytest.approx(mean)
    assert scale.item_biases[0] == pytest.approx((5 - mean) / (1 + ITEM_SHRINK))
    assert scale.item_biases[1] == pytest.approx(2 * (1 - mean) / (2 + ITEM_SHRINK))
    assert scale.item_biases[2] == 0.0  # no ratings: no bias

    # A user who rated item 0 with 5★: their bias is what is left after μ and the item's bias.
    expected = (5 - mean - scale.item_biases[0]) / (1 + USER_SHRINK)
    assert scale.user_bias(np.array([0]), np.array([5.0])) == pytest.approx(expected)
    assert scale.user_bias(np.array([-1]), np.array([5.0])) == pytest.approx((5 - mean) / (1 + USER_SHRINK))
    assert scale.user_bias(np.zeros(0, np.int64), np.zeros(0)) == 0.0


def test_calibration_recovers_the_weight_of_the_score():
    rng = np.random.default_rng(0)
    scale = RatingScale.from_ratings(np.zeros(0, np.int64), np.zeros(0), n_items=50)
    scale = RatingScale(3.5, scale.item_biases, scale.weights)
    z = rng.standard_normal(5000)
    items = rng.integers(0, 50, 5000)
    ratings = 3.5 + 0.6 * z - 0.1 + rng.normal(0, 0.3, 5000)
    calibrated = scale.calibrate(np.zeros(5000), items, z, ratings)
    assert calibrated.weights[0] == pytest.approx(0.6, abs=0.02)
    assert calibrated.weights[1] == pytest.approx(-0.1, abs=0.02)


def test_predictions_stay_on_the_rating_scale():
    scale = RatingScale(4.0, np.array([0.5], np.float32), np.array([1.0, 0.0], np.float32))
    assert scale.predict(0.0, np.array([0, 0]), np.array([10.0, -10.0])).tolist() == [5.0, 0.5]


def test_standardised_scores_match_the_mean_and_spread_over_all_items():
    rng = np.random.default_rng(1)
    items = rng.standard_normal((200, 8)).astype(np.float32)
    users = rng.standard_normal((3, 8)).astype(np.float32)
    all_scores = users @ items.T
    expected = (all_scores - all_scores.mean(axis=1, keepdims=True)) / all_scores.std(axis=1, keepdims=True)
    picked = np.array([[0, 5], [7, 9], [199, 1]])
    got = ScoreMoments.of(items).standardise(users, np.take_along_axis(all_scores, picked, 1))
    np.testing.assert_allclose(got, np.take_along_axis(expected, picked, 1), rtol=1e-4, atol=1e-4)
