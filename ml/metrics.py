"""Full-ranking top-k metrics, vectorised over users.

For each user with at least one target item, the model scores *every* item, the user's excluded items
(training items; for test also validation items) are masked out, and the top ``k`` are compared with
the targets. With ``hits[r] = 1`` when the item at rank ``r`` (0-based) is a target, ``n`` the number
of targets:

* ``recall@k    = sum(hits[:k]) / n``
* ``precision@k = sum(hits[:k]) / k``
* ``hit@k       = 1 if any(hits[:k])``
* ``mrr@k       = 1 / (r + 1)`` for the first hit within ``k``, else 0
* ``ndcg@k      = sum(hits[r] / log2(r + 2)) / sum_{r < min(n, k)} 1 / log2(r + 2)``

each averaged over users (RecBole's definitions), and ``coverage@k``: the share of the catalogue that
appears in at least one user's top ``k``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
import torch

ScoreFn = Callable[[np.ndarray], "np.ndarray | torch.Tensor"]


def hit_matrix(top_items: np.ndarray, target: sp.csr_matrix) -> np.ndarray:
    """``hits[u, r]``: whether ``top_items[u, r]`` is among user ``u``'s targets (rows aligned)."""
    rows = np.repeat(np.arange(top_items.shape[0]), top_items.shape[1])
    return np.asarray(target[rows, top_items.ravel()]).reshape(top_items.shape) > 0


def ranking_metrics(
    top_items: np.ndarray, target: sp.csr_matrix, ks: Sequence[int] = (10, 20), n_items: int | None = None
) -> dict[str, float]:
    """Metrics of ranked lists ``top_items`` (users x max(ks) item indices) against ``target`` rows.

    Users without targets are skipped. ``n_items`` (the catalogue size) enables ``coverage@k``.
    """
    n_relevant = np.diff(target.indptr)
    keep = n_relevant > 0
    top_items, n_relevant = top_items[keep], n_relevant[keep]
    hits = hit_matrix(top_items, target[keep]).astype(np.float64)
    max_k = top_items.shape[1]
    discounts = 1.0 / np.log2(np.arange(max_k) + 2.0)
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])
    first_hit = np.where(hits.any(axis=1), hits.argmax(axis=1), max_k)
    metrics: dict[str, float] = {}
    for k in ks:
        if k > max_k:
            raise ValueError(f"k={k} exceeds the ranked list length {max_k}")
        found = hits[:, :k].sum(axis=1)
        metrics[f"recall@{k}"] = float(np.mean(found / n_relevant))
        metrics[f"ndcg@{k}"] = float(
            np.mean((hits[:, :k] @ discounts[:k]) / ideal[np.minimum(n_relevant, k)])
        )
        metrics[f"precision@{k}"] = float(np.mean(found / k))
        metrics[f"hit@{k}"] = float(np.mean(found > 0))
        metrics[f"mrr@{k}"] = float(np.mean(np.where(first_hit < k, 1.0 / (first_hit + 1.0), 0.0)))
        if n_items:
            metrics[f"coverage@{k}"] = float(len(np.unique(top_items[:, :k])) / n_items)
    metrics["users"] = int(keep.sum())
    return metrics


def mask_rows(scores: torch.Tensor, excluded: sp.csr_matrix) -> torch.Tensor:
    """Set ``scores[u, i] = -inf`` where ``excluded[u, i]`` is set (rows aligned), in place."""
    rows = np.repeat(np.arange(excluded.shape[0]), np.diff(excluded.indptr))
    scores[torch.from_numpy(rows), torch.from_numpy(excluded.indices.astype(np.int64))] = float("-inf")
    return scores


def top_k(
    score_users: ScoreFn, users: np.ndarray, k: int, exclude: sp.csr_matrix | None, batch_size: int = 2048
) -> np.ndarray:
    """Top-``k`` item indices for ``users`` (best first), in batches of users, excluded items masked."""
    chunks = []
    for start in range(0, len(users), batch_size):
        batch = users[start : start + batch_size]
        raw = score_users(batch)
        if isinstance(raw, torch.Tensor):
            scores = raw.detach().to(torch.float32, copy=True)
        else:
            scores = torch.from_numpy(np.array(raw, dtype=np.float32))
        if exclude is not None:
            mask_rows(scores, exclude[batch])
        chunks.append(torch.topk(scores, k, dim=1).indices.numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, k), dtype=np.int64)


def evaluate_ranking(
    score_users: ScoreFn,
    target: sp.csr_matrix,
    exclude: sp.csr_matrix | None,
    ks: Sequence[int] = (10, 20),
) -> dict[str, float]:
    """Full-ranking metrics of a scorer against ``target`` (users x items), excluding ``exclude``."""
    users = np.flatnonzero(np.diff(target.indptr) > 0)
    top_items = top_k(score_users, users, max(ks), exclude)
    return ranking_metrics(top_items, target[users], ks, n_items=target.shape[1])
