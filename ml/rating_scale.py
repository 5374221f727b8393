"""Predicted star ratings: what a user would give a movie, on the 0.5–5★ scale people read.

LightGCN ranks what a user is likely to watch; its scores have no unit. The prediction shown to people is

    r̂_ui = μ + b_u + b_i + w · z_ui + c,      clipped to [0.5, 5]

- ``μ``: the mean rating; ``b_i``: the movie's mean deviation from it, shrunk towards 0 by ``ITEM_SHRINK``
  pseudo-ratings; ``b_u``: the user's mean deviation after the movies' biases, shrunk by ``USER_SHRINK``
  (Koren's baseline predictor, "Factor in the Neighbors", TKDD 2010, section 2.1). ``b_u`` is computed
  from the user's ratings when asked, so it follows every new rating.
- ``z_ui``: the LightGCN score standardised over all movies for that user, ``(s_ui - mean_u) / std_u``.
  Standardising makes it scale-free, so weights fitted with one model carry over to a refit of the same
  configuration (the service fits them on the held-out slice of its probe run, ``ml.production``).
- ``(w, c)``: least squares on held-out ratings the model did not see (:meth:`RatingScale.calibrate`).

``cinegraph bench ratings`` reports RMSE and MAE on a test split against the user-mean baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

ITEM_SHRINK = 25.0
USER_SHRINK = 10.0
LOWEST, HIGHEST = 0.5, 5.0


def _shrunk_means(groups: np.ndarray, residuals: np.ndarray, n_groups: int, shrink: float) -> np.ndarray:
    sums = np.bincount(groups, weights=residuals, minlength=n_groups)
    counts = np.bincount(groups, minlength=n_groups)
    return sums / (counts + shrink)


@dataclass(frozen=True)
class RatingScale:
    mean: float
    item_biases: np.ndarray  # (n_items,) aligned with the recommender's item rows
    weights: np.ndarray  # (2,): w and c

    @classmethod
    def from_ratings(cls, items: np.ndarray, ratings: np.ndarray, n_items: int) -> RatingScale:
        """μ and the movies' biases from (item row, rating) pairs; weights zero until calibrated."""
        ratings = np.asarray(ratings, np.float64)
        mean = float(ratings.mean()) if len(ratings) else (LOWEST + HIGHEST) / 2
        biases = _shrunk_means(np.asarray(items), ratings - mean, n_items, ITEM_SHRINK)
        return cls(mean, biases.astype(np.float32), np.zeros(2, np.float32))

    def user_biases(
        self, users: np.ndarray, items: np.ndarray, ratings: np.ndarray, n_users: int
    ) -> np.ndarray:
        """Every user's bias from (user row, item row, rating) triples; item rows < 0 count no item bias."""
        item_part = np.where(items >= 0, self.item_biases[np.maximum(items, 0)], 0.0)
        residuals = np.asarray(ratings, np.float64) - self.mean - item_part
        return _shrunk_means(np.asarray(users), residuals, n_users, USER_SHRINK)

    def user_bias(self, items: np.ndarray, ratings: np.ndarray) -> float:
        """One user's bias from the item rows (-1: unknown movie) and ratings of their history."""
        if len(ratings) == 0:
            return 0.0
        return float(self.user_biases(np.zeros(len(ratings), np.int64), items, ratings, 1)[0])

    def predict(
        self, user_bias: np.ndarray | float, item_rows: np.ndarray, standardised_scores: np.ndarray
    ) -> np.ndarray:
        """Predicted stars, clipped to the rating scale; shapes broadcast (users × items or one list)."""
        w, c = self.weights
        raw = self.mean + user_bias + self.item_biases[item_rows] + w * standardised_scores + c
        return np.clip(raw, LOWEST, HIGHEST)

    def calibrate(
        self,
        user_bias: np.ndarray,
        item_rows: np.ndarray,
        standardised_scores: np.ndarray,
        ratings: np.ndarray,
    ) -> RatingScale:
        """Fit (w, c) by least squares on held-out ratings; returns the calibrated scale."""
        residuals = np.asarray(ratings, np.float64) - self.mean - user_bias - self.item_biases[item_rows]
        design = np.column_stack([standardised_scores, np.ones(len(residuals))])
        weights, *_ = np.linalg.lstsq(design, residuals, rcond=None)
        return replace(self, weights=weights.astype(np.float32))


@dataclass(frozen=True)
class ScoreMoments:
    """Mean and covariance of the item embeddings: a user's score mean and variance over all items are
    ``v·m`` and ``vᵀ C v``, so standardising never needs all of a user's scores. Computed once per model."""

    centre: np.ndarray  # (d,)
    covariance: np.ndarray  # (d, d)

    @classmethod
    def of(cls, item_embeddings: np.ndarray) -> ScoreMoments:
        return cls(
            item_embeddings.mean(axis=0, dtype=np.float64),
            np.cov(item_embeddings.astype(np.float64), rowvar=False, bias=True),
        )

    def standardise(self, user_vectors: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """``(s_ui - mean_u) / std_u`` for the scores of ``user_vectors`` (n, d): ``scores`` is (n, k)."""
        user_vectors = np.atleast_2d(user_vectors).astype(np.float64)
        means = user_vectors @ self.centre
        variances = ((user_vectors @ self.covariance) * user_vectors).sum(axis=1)
        return (np.atleast_2d(scores) - means[:, None]) / np.sqrt(np.maximum(variances, 1e-12))[:, None]
