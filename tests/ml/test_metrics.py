"""Metric functions against values computed by hand on a 3-user example."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from ml.metrics import evaluate_ranking, ranking_metrics


def _targets(rows: list[list[int]], n_items: int = 6) -> sp.csr_matrix:
    r = [u for u, items in enumerate(rows) for _ in items]
    c = [i for items in rows for i in items]
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), n_items))


# User 0 ranks [0, 1, 2] and wants {1, 2}: hits at ranks 2 and 3.
# User 1 ranks [3, 4, 5] and wants {3}:    hit at rank 1.
# User 2 ranks [0, 1, 2] and wants {5}:    no hit.
TOP = np.array([[0, 1, 2], [3, 4, 5], [0, 1, 2]])
TARGET = _targets([[1, 2], [3], [5]])


def test_metrics_at_3_match_hand_computation():
    metrics = ranking_metrics(TOP, TARGET, ks=(3,), n_items=6)
    ndcg_user0 = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert metrics["recall@3"] == pytest.approx((1 + 1 + 0) / 3)
    assert metrics["precision@3"] == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert metrics["hit@3"] == pytest.approx(2 / 3)
    assert metrics["mrr@3"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert metrics["ndcg@3"] == pytest.approx((ndcg_user0 + 1 + 0) / 3)
    assert metrics["coverage@3"] == pytest.approx(6 / 6)


def test_metrics_at_1_match_hand_computation():
    metrics = ranking_metrics(TOP, TARGET, ks=(1,), n_items=6)
    assert metrics["recall@1"] == pytest.approx(1 / 3)  # only user 1
    assert metrics["ndcg@1"] == pytest.approx(1 / 3)
    assert metrics["precision@1"] == pytest.approx(1 / 3)
    assert metrics["mrr@1"] == pytest.approx(1 / 3)
    assert metrics["coverage@1"] == pytest.approx(2 / 6)  # items 0 and 3


def test_users_without_targets_are_skipped():
    target = _targets([[1, 2], [], [5]])
    metrics = ranking_metrics(TOP, target, ks=(3,))
    assert metrics["users"] == 2
    assert metrics["recall@3"] == pytest.approx(0.5)


def test_full_ranking_masks_excluded_items():
    # Scores prefer item 0 for everyone, but user 0 has seen it: their top-1 must be item 1.
    scores = torch.tensor([[5.0, 4.0, 1.0], [5.0, 4.0, 1.0]])
    target = _targets([[1], [0]], n_items=3)
    excluded = _targets([[0], []], n_items=3)
    metrics = evaluate_ranking(lambda users: scores[users], target, excluded, ks=(1,))
    assert metrics["hit@1"] == pytest.approx(1.0)
