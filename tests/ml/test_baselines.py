"""Baselines: popularity and EASE^R's closed form."""

import numpy as np
import pytest

from ml.models.baselines import EASE, Popularity


def test_popularity_scores_are_training_counts():
    model = Popularity().fit(np.array([0, 1, 1]), np.array([2, 2, 0]), n_users=2, n_items=3)
    assert model.score(np.array([0, 1])).tolist() == [[1, 0, 2], [1, 0, 2]]


def test_ease_weights_solve_the_constrained_ridge_problem():
    rng = np.random.default_rng(0)
    x = (rng.random((30, 6)) < 0.4).astype(float)
    users, items = np.nonzero(x)
    reg = 2.0
    model = EASE(reg=reg).fit(users, items, 30, 6)
    weights = model.weights.astype(float)
    assert np.allclose(np.diag(weights), 0)
    # KKT: (XᵀX + λI) B - XᵀX = -diag(μ), i.e. off-diagonal entries vanish.
    residual = (x.T @ x + reg * np.eye(6)) @ weights - x.T @ x
    assert np.allclose(residual - np.diag(np.diag(residual)), 0, atol=1e-4)
    assert model.score(np.array([0])) == pytest.approx(x[[0]] @ weights, abs=1e-5)
