"""``cinegraph bench kernels``: the two products that make up a LightGCN epoch at scale, timed alone.

- **Propagation** ``Â X`` (one layer, forward; the backward is the same product): CineGraph's
  :class:`~ml.models.lightgcn.Propagation` (user columns read column by column, two halves on two threads)
  against ``torch.sparse.mm`` on the whole CSR, each with all threads and with one.
- **Softmax over all movies** for one chunk of users (loss and the gradients of user and item
  embeddings): :func:`~ml.models.lightgcn.add_softmax_gradients` (by hand, one buffer) against autograd
  on the same loss, and its three matrix products (logits, then both gradients) with the logits laid
  out items × users, as it does, against users × items.

The graph is the one training builds (ratings plus item–item edges); embeddings are random, since the
cost of these kernels does not depend on their values. Each timing is the best of ``repeats`` runs.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import numpy as np
import torch

from ml.interactions import interaction_matrix
from ml.models.lightgcn import (
    Propagation,
    add_softmax_gradients,
    graph_adjacency,
    item_neighbor_graph,
    normalize_adjacency,
    torch_csr,
)
from ml.train import TrainConfig


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` runs after one warm-up run."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def autograd_softmax(
    users: torch.Tensor, items: torch.Tensor, rows: torch.Tensor, positives: torch.Tensor, temperature: float
) -> tuple[float, torch.Tensor, torch.Tensor]:
    """The softmax loss ``Σ_r logsumexp_j s_{u_r j}/τ - s_{u_r i_r}/τ`` and its gradients by autograd."""
    users, items = users.detach().requires_grad_(), items.detach().requires_grad_()
    logits = users @ items.T / temperature
    loss = (logits.logsumexp(dim=1)[rows] - logits[rows, positives]).sum()
    loss.backward()
    return float(loss.detach()), users.grad, items.grad


def softmax_products(users: torch.Tensor, items: torch.Tensor, out: torch.Tensor, items_major: bool) -> None:
    """The logits ``E_items E_usersᵀ`` into ``out`` and the two gradient products from them, in one layout."""
    user_grad, item_grad = torch.zeros_like(users), torch.zeros_like(items)
    if items_major:
        logits = torch.mm(items, users.T, out=out.view(len(items), len(users)))
        user_grad.addmm_(logits.T, items)
        item_grad.addmm_(logits, users)
    else:
        logits = torch.mm(users, items.T, out=out.view(len(users), len(items)))
        user_grad.addmm_(logits, items)
        item_grad.addmm_(logits.T, users)


def kernel_timings(
    users: np.ndarray,
    items: np.ndarray,
    n_users: int,
    n_items: int,
    dim: int = 64,
    chunk: int = 2048,
    repeats: int = 3,
    seed: int = 0,
) -> dict:
    """Seconds per call of each kernel on this graph (module docstring), and how far the pairs agree."""
    config = TrainConfig()
    ratings = interaction_matrix(users, items, n_users, n_items)
    links = item_neighbor_graph(ratings, config.item_neighbors) * config.item_link_weight
    normalized = normalize_adjacency(graph_adjacency(users, items, n_users, n_items, None, links))
    propagation = Propagation(normalized, n_users)
    csr = torch_csr(normalized, torch.device("cpu"))
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(normalized.shape[0], dim, generator=generator) * 0.1
    threads = torch.get_num_threads()
    report: dict = {"nodes": normalized.shape[0], "edges": normalized.nnz, "dim": dim, "threads": threads}

    ours, theirs = propagation(x), torch.sparse.mm(csr, x)
    report["propagation_max_difference"] = float((ours - theirs).abs().max())
    products = (("propagation", lambda: propagation(x)), ("sparse_mm", lambda: torch.sparse.mm(csr, x)))
    for name, run in products:
        report[f"{name}_s"] = round(best_seconds(run, repeats), 3)
        torch.set_num_threads(1)
        try:
            report[f"{name}_one_thread_s"] = round(best_seconds(run, repeats), 3)
        finally:
            torch.set_num_threads(threads)

    chunk_users = torch.randperm(n_users, generator=generator)[: min(chunk, n_users)].numpy()
    rows_of = ratings[chunk_users]
    rows = torch.from_numpy(np.repeat(np.arange(len(chunk_users)), np.diff(rows_of.indptr)))
    positives = torch.from_numpy(rows_of.indices.astype(np.int64))
    user_emb, item_emb = x[torch.from_numpy(chunk_users)], x[n_users : n_users + n_items]
    temperature = config.temperature

    scratch = torch.empty(len(user_emb) * len(item_emb))

    def by_hand() -> tuple[float, torch.Tensor, torch.Tensor]:
        user_grad, item_grad = torch.zeros_like(user_emb), torch.zeros_like(item_emb)
        value = add_softmax_gradients(
            user_emb, item_emb, rows, positives, temperature, None, 1.0, user_grad, item_grad, scratch
        )
        return value, user_grad, item_grad

    (hand_loss, hand_users, hand_items), (auto_loss, auto_users, auto_items) = (
        by_hand(),
        autograd_softmax(user_emb, item_emb, rows, positives, temperature),
    )
    report["softmax_users"], report["softmax_positives"] = len(chunk_users), len(positives)
    report["softmax_loss_relative_difference"] = abs(hand_loss - auto_loss) / max(abs(auto_loss), 1e-12)
    report["softmax_gradient_max_difference"] = float(
        max((hand_users - auto_users).abs().max(), (hand_items - auto_items).abs().max())
    )
    report["softmax_by_hand_s"] = round(best_seconds(by_hand, repeats), 3)
    report["softmax_autograd_s"] = round(
        best_seconds(lambda: autograd_softmax(user_emb, item_emb, rows, positives, temperature), repeats), 3
    )
    for layout, items_major in (("items_major", True), ("users_major", False)):
        products_once = functools.partial(softmax_products, user_emb, item_emb, scratch, items_major)
        report[f"softmax_products_{layout}_s"] = round(best_seconds(products_once, repeats), 3)
    return report
