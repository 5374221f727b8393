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
    users = model._users.lookup(test["user_id"].to_numpy())
    items = model._items.lookup(test["item_id"].to_numpy())
    known = (users >= 0) & (items >= 0)
    users, items, actual = users[known], items[known], test["rating"].to_numpy(np.float64)[known]
    train_users = model._users.lookup(train["user_id"].to_numpy())
    train_items = model._items.lookup(train["item_id"].to_numpy())
    ratings = train["rating"].to_numpy(np.float64)
    trained = train_users >= 0
    scale = model.rating_scale
    user_bias = scale.user_biases(
        train_users[trained], train_items[trained], ratings[trained], len(model.user_ids)
    )
    sums = np.bincount(train_users[trained], weights=ratings[trained], minlength=len(model.user_ids))
    user_mean = sums / np.maximum(np.bincount(train_users[trained], minlength=len(model.user_ids)), 1)
    vectors = model.user_embeddings[users]
    z = model._score_moments.standardise(
        vectors, np.einsum("nd,nd->n", vectors, model.item_embeddings[items])[:, None]
    )
    biases_only = np.clip(scale.mean + user_bias[users] + scale.item_biases[items], 0.5, 5.0)
    return {
        "test_ratings": int(known.sum()),
        "global mean": _errors(np.full(len(actual), ratings.mean()), actual),
        "user mean": _errors(user_mean[users], actual),
        "biases (μ + b_u + b_i)": _errors(biases_only, actual),
        "predicted stars (biases + LightGCN score)": _errors(
            scale.predict(user_bias[users], items, z[:, 0]), actual
        ),
        "score_weight": [round(float(w), 4) for w in scale.weights],
    }
