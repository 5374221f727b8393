"""LightGCN training: learns a known structure, reproducibly, with honest negative sampling."""

import dataclasses

import numpy as np
import pytest
import torch

from ml.evaluate import IndexedSplit, evaluate_split
from ml.interactions import interaction_matrix
from ml.models.lightgcn import LightGCN, graph_adjacency
from ml.split import split_interactions
from ml.train import NegativeSampler, train_lightgcn
from tests.ml.synthetic import FAST_CONFIG, cluster_of_item, cluster_of_user, two_cluster_ratings


@pytest.mark.parametrize("loss", ["softmax", "bpr"])
def test_model_ranks_in_cluster_movies_first(loss):
    ratings = two_cluster_ratings()
    split = IndexedSplit.build(*split_interactions(ratings, "random", seed=0))
    users, items = split.train_arrays()
    config = dataclasses.replace(FAST_CONFIG, loss=loss, num_negatives=4, batch_size=64)
    result = train_lightgcn(
        users, items, len(split.users), len(split.items), config, split.valid, progress=False
    )
    user_final, item_final = (t.detach().numpy() for t in result.model())
    top = np.argsort(-(user_final @ item_final.T), axis=1)[:, :10]
    same_cluster = cluster_of_item(split.items.raw_ids[top]) == cluster_of_user(split.users.raw_ids)[:, None]
    assert same_cluster.mean() > 0.95


def test_training_reports_validation_metrics_apart_from_per_epoch_records():
    split = IndexedSplit.build(*split_interactions(two_cluster_ratings(), "random", seed=0))
    users, items = split.train_arrays()
    config = dataclasses.replace(FAST_CONFIG, max_epochs=4, eval_every=2)
    result = train_lightgcn(users, items, len(split.users), len(split.items), config, split.valid, False)
    assert "ndcg@20" in result.valid_metrics
    assert not {"epoch", "loss", "train_seconds"} & set(result.valid_metrics)
    assert [record["epoch"] for record in result.history] == [1, 2, 3, 4]
    assert all(record["train_seconds"] > 0 for record in result.history)


def test_same_seed_gives_same_metrics_and_other_seed_differs():
    ratings = two_cluster_ratings()
    train, valid, test = split_interactions(ratings, "random", seed=0)
    runs = [
        evaluate_split(train, valid, test, "lightgcn", dataclasses.replace(FAST_CONFIG, seed=s, max_epochs=8))
        for s in (1, 1, 2)
    ]
    assert runs[0].test == runs[1].test
    assert runs[0].valid == runs[1].valid
    first, _, other = (run.details for run in runs)
    assert runs[0].test != runs[2].test or first != other


def test_negative_sampling_never_returns_a_positive():
    rng = np.random.default_rng(0)
    n_items = 10
    users = np.repeat(np.arange(4), 8)
    items = np.concatenate([rng.choice(n_items, 8, replace=False) for _ in range(4)])
    keys = np.unique(users * n_items + items)
    negatives = NegativeSampler(interaction_matrix(users, items, 4, n_items)).sample(users, 500, rng)
    assert negatives.shape == (32, 500)
    assert not np.isin(users[:, None] * n_items + negatives, keys).any()
    # Uniform over each user's two free items.
    for user in range(4):
        free = np.setdiff1d(np.arange(n_items), items[users == user])
        drawn = negatives[users == user].ravel()
        assert set(drawn) == set(free)
        assert abs((drawn == free[0]).mean() - 0.5) < 0.05


def test_symmetric_sparse_backward_matches_dense_autograd():
    users, items = np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2])
    model = LightGCN(3, 3, graph_adjacency(users, items, 3, 3), embedding_dim=4, num_layers=2)
    user_final, item_final = model()
    (user_final.sum() + (item_final**2).sum()).backward()
    sparse_grad = model.embedding.weight.grad.clone()

    dense = model.adjacency.to_dense()
    weight = model.embedding.weight.detach().clone().requires_grad_(True)
    layers = [weight, dense @ weight, dense @ (dense @ weight)]
    final = sum(layers) / 3
    (final[:3].sum() + (final[3:] ** 2).sum()).backward()
    torch.testing.assert_close(sparse_grad, weight.grad)
