"""Data-parallel training: 2 CPU processes (gloo) make the single process's updates and metrics."""

import dataclasses

import numpy as np
import torch

from ml.distributed import run_data_parallel, train_distributed
from ml.evaluate import IndexedSplit
from ml.interactions import interaction_matrix
from ml.metrics import evaluate_ranking
from ml.models.lightgcn import LightGCN, graph_adjacency
from ml.production import train_for_serving
from ml.recommender import Recommender
from ml.split import split_interactions
from ml.train import NegativeSampler, _bpr_epoch, _softmax_epoch, current_shard, seed_everything
from tests.ml.synthetic import FAST_CONFIG, two_cluster_ratings

# 40 users: batches of 13 end with a 1-user batch, where rank 0's slice is empty.
STEP_CONFIGS = {
    "softmax": dataclasses.replace(FAST_CONFIG, user_batch_size=16),
    "softmax, weighted users, an empty slice": dataclasses.replace(
        FAST_CONFIG, user_batch_size=13, user_weight_power=0.5
    ),
    "bpr": dataclasses.replace(FAST_CONFIG, loss="bpr", batch_size=50, num_negatives=3),
}


class GradientRecorder(torch.optim.SGD):
    """Plain SGD that keeps each step's (summed over ranks) gradient."""

    def __init__(self, params) -> None:
        super().__init__(params, lr=0.05)
        self.gradients: list[torch.Tensor] = []

    def step(self, closure=None):
        self.gradients.append(self.param_groups[0]["params"][0].grad.clone())
        return super().step(closure)


def one_epoch_of_steps(users, items, n_users, n_items) -> dict[str, tuple[list[torch.Tensor], torch.Tensor]]:
    """Per config: every step's gradient and the weights after one epoch, as this process's shard."""
    shard = current_shard()
    train_matrix = interaction_matrix(users, items, n_users, n_items)
    results = {}
    for name, config in STEP_CONFIGS.items():
        seed_everything(config.seed)
        model = LightGCN(n_users, n_items, graph_adjacency(users, items, n_users, n_items), 16)
        shard.broadcast_parameters(model)
        optimizer = GradientRecorder(model.parameters())
        generator = torch.Generator().manual_seed(0)
        if config.loss == "softmax":
            _softmax_epoch(model, optimizer, config, train_matrix, generator, "cpu", shard)
        else:
            sampler, rng = NegativeSampler(train_matrix), np.random.default_rng(0)
            user_t, item_t = torch.from_numpy(users), torch.from_numpy(items)
            _bpr_epoch(model, optimizer, config, user_t, item_t, sampler, rng, generator, "cpu", shard)
        results[name] = (optimizer.gradients, model.embedding.weight.detach().clone())
    return results


def test_two_process_steps_equal_single_process_steps_on_the_same_batches():
    split = IndexedSplit.build(*split_interactions(two_cluster_ratings(), "random", seed=0))
    args = (*split.train_arrays(), len(split.users), len(split.items))
    single = one_epoch_of_steps(*args)
    parallel = run_data_parallel(one_epoch_of_steps, args, nproc=2)
    for name, (gradients, weights) in single.items():
        parallel_gradients, parallel_weights = parallel[name]
        assert len(parallel_gradients) == len(gradients) > 1, name
        for step, (expected, got) in enumerate(zip(gradients, parallel_gradients, strict=True)):
            # Only float32 summation order differs: relative error ~1e-7 of the largest entry.
            scale = expected.abs().max()
            assert (got - expected).abs().max() <= 1e-5 * scale, f"{name}, step {step}"
        torch.testing.assert_close(parallel_weights, weights, rtol=1e-5, atol=1e-6)


def test_ndcg20(model: Recommender, train, test) -> float:
    """Held-out NDCG@20 of a trained recommender, training items excluded."""
    users, items = model._users, model._items

    def matrix(frame):
        u, i = users.lookup(frame["user_id"].to_numpy()), items.lookup(frame["item_id"].to_numpy())
        known = (u >= 0) & (i >= 0)
        return interaction_matrix(u[known], i[known], len(users), len(items))

    def score(user_idx: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(model.user_embeddings[user_idx] @ model.item_embeddings.T)

    return evaluate_ranking(score, matrix(test), matrix(train), ks=(20,))["ndcg@20"]


test_ndcg20.__test__ = False  # a helper, not a test


def test_two_processes_reach_the_single_process_metrics():
    ratings = two_cluster_ratings(users_per_cluster=40, items_per_cluster=30, per_user=10)
    train, valid, test = split_interactions(ratings, "random", seed=0)
    # lr 0.005: validation NDCG still rises at epoch 10 of 12, so 40 steps shape the compared weights.
    config = dataclasses.replace(FAST_CONFIG, max_epochs=12, user_batch_size=16, learning_rate=0.005)
    single = Recommender.fit(train, config, valid=valid, progress=False)
    parallel = train_distributed(train, config, nproc=2, valid=valid)
    assert parallel.metrics["best_epoch"] == single.metrics["best_epoch"] >= 10
    # Same updates up to float32 summation order, so the metrics agree far inside 0.01.
    assert abs(test_ndcg20(parallel, train, test) - test_ndcg20(single, train, test)) < 0.01
    assert abs(parallel.metrics["valid_ndcg@20"] - single.metrics["valid_ndcg@20"]) < 0.01
    np.testing.assert_allclose(parallel.user_embeddings, single.user_embeddings, atol=1e-3)


def test_serving_training_runs_data_parallel_with_nproc():
    ratings = two_cluster_ratings()
    config = dataclasses.replace(FAST_CONFIG, max_epochs=6)
    single = train_for_serving(ratings, config)
    parallel = train_for_serving(ratings, config, nproc=2)
    assert parallel.metrics["best_epoch"] == single.metrics["best_epoch"]
    assert parallel.fingerprint == single.fingerprint
    assert parallel.data_as_of == single.data_as_of
    np.testing.assert_allclose(parallel.item_embeddings, single.item_embeddings, atol=1e-3)
