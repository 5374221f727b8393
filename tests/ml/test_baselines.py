"""Baselines: popularity, EASE^R's closed form, and implicit ALS as a peer."""

import numpy as np
import pytest

from ml.evaluate import IndexedSplit, evaluate_split
from ml.metrics import evaluate_ranking
from ml.models.baselines import ALS, EASE, Popularity
from ml.split import split_interactions
from tests.ml.synthetic import cluster_of_item, cluster_of_user, two_cluster_ratings


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


def test_als_ranks_in_cluster_movies_first_with_the_alpha_and_l2_picked_on_validation():
    split = IndexedSplit.build(*split_interactions(two_cluster_ratings(), "random", seed=0))
    users, items = split.train_arrays()
    model = ALS(factors=8, iterations=10).fit(users, items, len(split.users), len(split.items))
    tried = model.tune(split.valid, alphas=(1.0, 10.0), regs=(0.05, 1.0))
    assert set(tried) == {(1.0, 0.05), (1.0, 1.0), (10.0, 0.05), (10.0, 1.0)}
    assert (model.alpha, model.regularization) == max(tried, key=tried.get)
    top = np.argsort(-model.score(np.arange(len(split.users))), axis=1)[:, :10]
    same_cluster = cluster_of_item(split.items.raw_ids[top]) == cluster_of_user(split.users.raw_ids)[:, None]
    assert same_cluster.mean() > 0.95


def test_the_harness_scores_als_like_any_other_model():
    train, valid, test = split_interactions(two_cluster_ratings(), "random", seed=0)
    result = evaluate_split(train, valid, test, model="als")
    assert result.test["ndcg@20"] > evaluate_split(train, valid, test, model="popularity").test["ndcg@20"]
    assert {"alpha", "reg"} <= set(result.details)


def test_als_tuned_on_a_sample_of_users_ranks_only_those():
    split = IndexedSplit.build(*split_interactions(two_cluster_ratings(), "random", seed=0))
    users, items = split.train_arrays()
    model = ALS(factors=8, iterations=10).fit(users, items, len(split.users), len(split.items))
    sample = np.array([0, 3, 5, 11])
    on_sample = model.tune(split.valid, alphas=(1.0,), regs=(1.0,), users=sample)
    expected = evaluate_ranking(
        lambda rows: model.score(sample[rows]), split.valid[sample], model.history[sample], ks=(20,)
    )["ndcg@20"]
    assert on_sample == {(1.0, 1.0): pytest.approx(expected)}
