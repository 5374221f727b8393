"""LightGCN training: learns a known structure, reproducibly, with honest negative sampling."""

import dataclasses

import numpy as np
import pytest
import torch

from ml.evaluate import IndexedSplit, evaluate_split
from ml.interactions import interaction_matrix
from ml.models import lightgcn
from ml.models.lightgcn import LightGCN, graph_adjacency
from ml.split import split_interactions
from ml.train import (
    EarlyStopping,
    NegativeSampler,
    TrainConfig,
    steps_per_epoch,
    train_lightgcn,
    users_per_step,
    validation_users,
)
from tests.ml.synthetic import FAST_CONFIG, cluster_of_item, cluster_of_user, two_cluster_ratings


def in_cluster_share_of_top_10(config: TrainConfig) -> float:
    ratings = two_cluster_ratings()
    split = IndexedSplit.build(*split_interactions(ratings, "random", seed=0))
    users, items = split.train_arrays()
    result = train_lightgcn(
        users, items, len(split.users), len(split.items), config, split.valid, progress=False
    )
    user_final, item_final = (t.detach().numpy() for t in result.model())
    top = np.argsort(-(user_final @ item_final.T), axis=1)[:, :10]
    same_cluster = cluster_of_item(split.items.raw_ids[top]) == cluster_of_user(split.users.raw_ids)[:, None]
    return float(same_cluster.mean())


@pytest.mark.parametrize("loss", ["softmax", "bpr"])
def test_model_ranks_in_cluster_movies_first(loss):
    config = dataclasses.replace(FAST_CONFIG, loss=loss, num_negatives=4, batch_size=64)
    assert in_cluster_share_of_top_10(config) > 0.95


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

    dense = torch.from_numpy(model.propagation.matrix.toarray())
    weight = model.embedding.weight.detach().clone().requires_grad_(True)
    layers = [weight, dense @ weight, dense @ (dense @ weight)]
    final = sum(layers) / 3
    (final[:3].sum() + (final[3:] ** 2).sum()).backward()
    torch.testing.assert_close(sparse_grad, weight.grad)


@pytest.mark.parametrize("user_weight_power", [0.0, 0.5])
def test_a_step_scored_in_chunks_learns_what_the_whole_batch_learns(user_weight_power):
    """Chunks bound the memory of a step's softmax; the gradient is the whole batch's, so the weights
    after an epoch match those of one chunk per step."""
    split = IndexedSplit.build(*split_interactions(two_cluster_ratings(), "random", seed=0))
    users, items = split.train_arrays()

    def weights_after_an_epoch(chunk: int) -> torch.Tensor:
        config = dataclasses.replace(
            FAST_CONFIG,
            max_epochs=1,
            user_batch_size=50,
            softmax_chunk=chunk,
            user_weight_power=user_weight_power,
        )
        result = train_lightgcn(users, items, len(split.users), len(split.items), config, progress=False)
        return result.model.embedding.weight.detach()

    whole, chunked = weights_after_an_epoch(50), weights_after_an_epoch(7)
    assert torch.allclose(whole, chunked, atol=1e-5)


def test_early_stopping_ranks_a_fixed_sample_of_users_with_targets():
    rng = np.random.default_rng(0)
    valid = interaction_matrix(rng.integers(0, 500, 800), rng.integers(0, 40, 800), 600, 40)
    with_targets = np.flatnonzero(np.diff(valid.indptr) > 0)
    sample = validation_users(valid, 100, seed=3)
    assert len(sample) == 100 and set(sample) <= set(with_targets)
    assert np.array_equal(sample, validation_users(valid, 100, seed=3))
    assert np.array_equal(validation_users(valid, None, seed=3), with_targets)
    assert np.array_equal(validation_users(valid, 10_000, seed=3), with_targets)


def counted(stopping: EarlyStopping, values: list[float]) -> list[tuple[bool, int, bool]]:
    """(is the best, evaluations without a gain, patience exhausted) after each value."""
    return [(stopping.is_best(value), stopping.stale, stopping.exhausted) for value in values]


def test_early_stopping_waits_patience_evaluations_without_a_better_ndcg():
    assert counted(EarlyStopping(patience=2), [0.1, 0.2, 0.2, 0.25, 0.19, 0.24]) == [
        (True, 0, False), (True, 0, False), (False, 1, False), (True, 0, False), (False, 1, False),
        (False, 2, True),
    ]  # fmt: skip


def test_with_a_minimum_gain_a_tail_of_tiny_gains_ends_while_the_best_model_is_still_kept():
    tiny_gains = [0.300, 0.301, 0.302, 0.3025]  # each under 1% above 0.300
    assert counted(EarlyStopping(patience=3, min_gain=0.01), tiny_gains) == [
        (True, 0, False), (True, 1, False), (True, 2, False), (True, 3, True),
    ]  # fmt: skip
    assert counted(EarlyStopping(patience=3, min_gain=0.01), [0.300, 0.302, 0.304]) == [
        (True, 0, False), (True, 1, False), (True, 0, False),  # 0.304 is 1.3% above 0.300
    ]  # fmt: skip


def test_at_scale_an_epoch_takes_a_few_large_steps_and_small_data_keeps_its_batch_size():
    config = TrainConfig(user_batch_size=256, max_steps_per_epoch=8)
    assert users_per_step(config, 943) == 256  # ml-100k: 4 steps as before
    assert users_per_step(config, 70_000) == 8_750  # 10M ratings: 8 steps
    assert users_per_step(dataclasses.replace(config, max_steps_per_epoch=None), 70_000) == 256
    assert steps_per_epoch(config, 943) == 4 and steps_per_epoch(config, 70_000) == 8


@pytest.mark.parametrize("parallel_nnz", [0, 10**9])
def test_propagation_equals_the_dense_product_in_one_thread_or_two(monkeypatch, parallel_nnz):
    monkeypatch.setattr(lightgcn, "PARALLEL_NNZ", parallel_nnz)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        rng = np.random.default_rng(0)
        users, items = rng.integers(0, 30, 200), rng.integers(0, 20, 200)
        links = lightgcn.item_neighbor_graph(lightgcn.graph_adjacency(users, items, 30, 20)[:30, 30:], 3)
        graph = lightgcn.graph_adjacency(users, items, 30, 20, (np.arange(20), np.arange(20) % 4, 4), links)
        propagation = lightgcn.Propagation(lightgcn.normalize_adjacency(graph), 30)
        x = torch.randn(graph.shape[0], 8)
        expected = torch.from_numpy(propagation.matrix.toarray()) @ x
        torch.testing.assert_close(propagation(x), expected, rtol=1e-5, atol=1e-6)
    finally:
        torch.set_num_threads(threads)


def softmax_loss(user_emb, item_emb, rows, pos_items, temperature, weights=None):
    """The loss by its definition, for autograd: ``Σ_r w_r (logsumexp_j s_{u_r j}/τ - s_{u_r i_r}/τ)``."""
    logits = user_emb @ item_emb.T / temperature
    losses = torch.logsumexp(logits, dim=1)[rows] - logits[rows, pos_items]
    return losses.sum() if weights is None else (losses * weights).sum()


@pytest.mark.parametrize("weighted", [False, True])
def test_softmax_gradients_by_hand_equal_autograd_on_the_definition(weighted):
    generator = torch.Generator().manual_seed(0)
    users, items = torch.randn(6, 4, generator=generator), torch.randn(9, 4, generator=generator)
    rows = torch.tensor([0, 0, 1, 2, 2, 2, 5, 5])  # users 3 and 4 have no positives in this chunk
    pos_items = torch.tensor([1, 1, 0, 3, 4, 8, 2, 7])  # a repeated positive counts twice
    weights = torch.rand(len(rows), generator=generator) if weighted else None
    user_grad, item_grad = torch.zeros_like(users), torch.zeros_like(items)
    value = lightgcn.add_softmax_gradients(
        users, items, rows, pos_items, 0.25, weights, 0.3, user_grad, item_grad
    )

    leaf_users, leaf_items = users.clone().requires_grad_(), items.clone().requires_grad_()
    expected = 0.3 * softmax_loss(leaf_users, leaf_items, rows, pos_items, 0.25, weights)
    expected.backward()
    assert value == pytest.approx(expected.item(), rel=1e-5)
    torch.testing.assert_close(user_grad, leaf_users.grad)
    torch.testing.assert_close(item_grad, leaf_items.grad)
