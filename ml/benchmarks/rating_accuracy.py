"""How close the predicted stars come to the stars people gave (``cinegraph bench experience``).

On a random 80/10/10 split: the model is trained on train (early stopping on valid), its rating scale
biases come from train and its score weight from valid (:mod:`ml.rating_scale`); every prediction is
scored on the test ratings. Baselines on the same test ratings: the global mean, each user's mean
rating (what a person would guess), and the bias predictor alone (``μ + b_u + b_i``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.recommender import Recommender


def _errors(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    error = np.asarray(predicted, np.float64) - actual
    return {
        "rmse": round(float(np.sqrt(np.mean(error**2))), 4),
        "mae": round(float(np.mean(np.abs(error))), 4),
    }


def rating_accuracy(model: Recommender, train: pd.DataFrame, test: pd.DataFrame) -> dict:
    """RMSE and MAE of the model's predicted stars and of the baselines, on ``test``'s known pairs."""
    users, items, actual = model.known_pairs(test)
    train_users, _, ratings = model.known_pairs(train)
    scale = model.rating_scale
    user_bias = model.user_biases(scale, train)
    counts = np.bincount(train_users, minlength=len(model.user_ids))
    user_mean = np.bincount(train_users, weights=ratings, minlength=len(model.user_ids)) / np.maximum(
        counts, 1
    )
    z = model.standardised_scores(users, items)
    biases_only = np.clip(scale.mean + user_bias[users] + scale.item_biases[items], 0.5, 5.0)
    return {
        "test_ratings": len(actual),
        "global mean": _errors(np.full(len(actual), ratings.mean()), actual),
        "user mean": _errors(user_mean[users], actual),
        "biases (μ + b_u + b_i)": _errors(biases_only, actual),
        "predicted stars (biases + LightGCN score)": _errors(
            scale.predict(user_bias[users], items, z), actual
        ),
        "score_weight": [round(float(w), 4) for w in scale.weights],
    }
