"""Training LightGCN: config, vectorised negative sampling, early stopping on validation NDCG@20.

``train_lightgcn`` works on contiguous indices and returns the trained module;
``train_recommender`` is the entry point for the service and the CLI: raw ids in, a
:class:`ml.recommender.Recommender` out.

Every step can run data-parallel (:mod:`ml.distributed`): a :class:`Shard` says which slice of each
batch this process takes and how processes agree. The default, one process, takes whole batches.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from ml.interactions import interaction_matrix
from ml.metrics import evaluate_ranking
from ml.models.lightgcn import (
    LightGCN,
    add_softmax_gradients,
    bpr_loss,
    graph_adjacency,
    item_neighbor_graph,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a LightGCN run. Defaults are the product's model (see docs/ml.md)."""

    embedding_dim: int = 128
    num_layers: int = 3
    layer_weights: tuple[float, ...] | None = None  # α_k; None = uniform 1/(K+1)
    loss: Literal["softmax", "bpr"] = "softmax"
    num_negatives: int = 1  # bpr only: negatives per positive
    temperature: float = 0.25  # softmax only
    learning_rate: float = 0.02
    l2: float = 0.05  # λ on the layer-0 embeddings of the batch
    batch_size: int = 8192  # bpr: positives per step
    user_batch_size: int = 256  # softmax: users per step (all their positives)
    softmax_chunk: int = 2048  # softmax: users whose logits over all items are in memory at once
    max_steps_per_epoch: int | None = 8  # softmax: more users per step where needed (None: no limit)
    eval_every: int = 2  # epochs between validation evaluations
    eval_users: int | None = 20_000  # early stopping ranks for a fixed sample of this many users (None: all)
    max_epochs: int = 300
    patience: int = 10  # evaluations without a better validation NDCG@20
    min_gain: float = 0.0  # relative gain in validation NDCG@20 that counts as better for patience
    seed: int = 0
    device: str = "auto"  # "auto" = cuda when available
    rating_threshold: float | None = None  # None: every rating is a positive
    init_std: float = 0.1
    cosine: bool = False  # score = cos(e_u, e_i) instead of the dot product
    item_neighbors: int = 30  # item–item edges to each item's k most co-rated items (0: none)
    item_link_weight: float = 1.0  # weight of an item–item edge (a rating edge weighs 1)
    user_weight_power: float = 0.0  # softmax: weight each positive by |R_u|^-p (1 = users count equally)
    edge_dropout: float = 0.0  # share of training edges left out of the graph each epoch (DropEdge)
    max_seconds: float | None = None  # wall-clock budget; stops like early stopping

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["layer_weights"] = list(self.layer_weights) if self.layer_weights else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown, missing = set(data) - names, names - set(data)
        if unknown or missing:
            raise ValueError(
                f"config does not match TrainConfig: unknown {sorted(unknown)}, missing {sorted(missing)}"
            )
        data = dict(data)
        if data["layer_weights"] is not None:
            data["layer_weights"] = tuple(data["layer_weights"])
        return cls(**data)


TRAINING_RECORD_KEYS = ("epoch", "loss", "train_seconds")
"""The keys of a history record that are not validation metrics."""


@dataclass
class TrainResult:
    model: LightGCN
    best_epoch: int
    valid_metrics: dict[str, float]
    seconds: float
    epochs: int
    history: list[dict] = field(default_factory=list)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class NegativeSampler:
    """Uniform draws from each user's *non*-interacted items, exact and vectorised (no rejection).

    For a user with sorted positives ``p_0 < p_1 < ...``, the ``r``-th non-positive item is
    ``r + #{j : p_j - j <= r}``; one ``searchsorted`` over all users' ``p_j - j`` (offset by
    ``user * n_items`` so users don't mix) answers that for a whole batch at once.
    """

    def __init__(self, train: sp.csr_matrix) -> None:
        train = train.tocsr()
        train.sort_indices()
        n_users, self.n_items = train.shape
        self.indptr = train.indptr.astype(np.int64)
        counts = np.diff(self.indptr)
        rank = np.arange(train.nnz) - np.repeat(self.indptr[:-1], counts)
        owner = np.repeat(np.arange(n_users, dtype=np.int64), counts)
        self.keys = owner * self.n_items + (train.indices.astype(np.int64) - rank)
        self.free = np.maximum(self.n_items - counts, 1)  # a user who rated everything gets any item

    def sample(self, users: np.ndarray, num_negatives: int, rng: np.random.Generator) -> np.ndarray:
        """(len(users), num_negatives) item indices none of which the user interacted with."""
        users = np.asarray(users, dtype=np.int64)
        r = (rng.random((len(users), num_negatives)) * self.free[users][:, None]).astype(np.int64)
        below = np.searchsorted(self.keys, users[:, None] * self.n_items + r, side="right")
        return r + below - self.indptr[users][:, None]


@dataclass(frozen=True)
class Shard:
    """This process's part of data-parallel training; the base class is the single process.

    Rank ``r`` of ``world_size`` takes slice ``r`` of every batch. Each process scales its loss by the
    *global* batch's count (a local mean times ``local / global``), so summing the gradients over
    processes gives exactly the gradient of one process on the whole batch.
    :class:`ml.distributed.ProcessGroupShard` implements the collectives with ``torch.distributed``.
    """

    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def part(self, n: int) -> slice:
        """This rank's contiguous share of ``n`` batch positions (sizes differ by at most one)."""
        return slice(n * self.rank // self.world_size, n * (self.rank + 1) // self.world_size)

    def sum_gradients(self, model: torch.nn.Module) -> None:
        """Replace each parameter's gradient by its sum over processes (a missing one counts as 0)."""

    def sum(self, value: float) -> float:
        return value

    def broadcast(self, value):
        """Rank 0's ``value`` on every rank (a picklable object)."""
        return value

    def broadcast_parameters(self, model: torch.nn.Module) -> None:
        """Start every rank from rank 0's parameters."""


SINGLE_PROCESS = Shard()
_current_shard: ContextVar[Shard | None] = ContextVar("cinegraph_shard", default=None)


def current_shard() -> Shard:
    """The shard set by the innermost :func:`data_parallel`, else the single process."""
    return _current_shard.get() or SINGLE_PROCESS


@contextmanager
def data_parallel(shard: Shard) -> Iterator[Shard]:
    """Every ``train_lightgcn`` inside runs as ``shard`` (e.g. ``Recommender.fit`` in a worker process)."""
    token = _current_shard.set(shard)
    try:
        yield shard
    finally:
        _current_shard.reset(token)


def _step(optimizer: torch.optim.Optimizer, loss: torch.Tensor | None, shard: Shard, model) -> float:
    """One update from this rank's ``loss`` (None: its slice is empty, it adds a zero gradient)."""
    optimizer.zero_grad(set_to_none=True)
    if loss is not None:
        loss.backward()
    shard.sum_gradients(model)
    optimizer.step()
    return 0.0 if loss is None else float(loss.detach())


def _bpr_epoch(
    model, optimizer, config, user_t, item_t, sampler, rng, generator, device, shard: Shard = SINGLE_PROCESS
) -> float:
    """One pass over the positives in random batches, ``num_negatives`` sampled negatives each."""
    total = 0.0
    for batch in torch.randperm(len(user_t), generator=generator).split(config.batch_size):
        # Every rank draws the whole batch's negatives so that all ranks' ``rng`` stay in step.
        negatives = sampler.sample(user_t[batch].numpy(), config.num_negatives, rng)
        mine = shard.part(len(batch))
        users, items = user_t[batch[mine]].to(device), item_t[batch[mine]].to(device)
        negatives = torch.from_numpy(negatives[mine]).to(device)
        loss = None
        if len(users):
            user_final, item_final = model()
            loss = bpr_loss(user_final[users], item_final[items], item_final[negatives])
            loss = loss * (len(users) / len(batch))
            reg = model.l2(users, torch.cat([items, negatives.reshape(-1)])) / len(batch)
            loss = loss + config.l2 * reg
        total += _step(optimizer, loss, shard, model) * len(batch)
    return shard.sum(total) / len(user_t)


def _softmax_epoch(
    model, optimizer, config, train_matrix, generator, device, shard: Shard = SINGLE_PROCESS
) -> float:
    """One pass over the users in random batches; each step scores the batch against all items.

    A step propagates the graph once, whatever its size: the softmax runs over ``softmax_chunk`` users
    at a time on detached copies of the final embeddings, their gradients add up, and one backward
    pass takes the sum through the propagation (:func:`_softmax_step`). Memory stays
    ``softmax_chunk × n_items`` logits however many users a step takes, so at scale a few large steps
    make an epoch cost little more than its propagations.
    """
    total, count = 0.0, 0
    user_positives = np.diff(train_matrix.indptr)
    order = torch.randperm(model.n_users, generator=generator)
    for batch in order.split(users_per_step(config, model.n_users)):
        # The global batch's positive count (weighted: the sum of weights) scales every rank's share.
        counts = user_positives[batch.numpy()]
        share = counts.astype(np.float64)
        if config.user_weight_power:  # a user's positives weigh |R_u| * |R_u|^-p together
            share = share * np.where(counts > 0, share, 1.0) ** -config.user_weight_power
        n_items = int(counts.sum())
        if n_items == 0:
            continue
        batch = batch[shard.part(len(batch))]
        optimizer.zero_grad(set_to_none=True)
        loss = 0.0
        if int(user_positives[batch.numpy()].sum()):
            scale = float(share[shard.part(len(share))].sum() / share.sum())
            rows = train_matrix[batch.numpy()]
            loss = _softmax_step(model, config, rows, batch, n_items, scale, device)
        shard.sum_gradients(model)
        optimizer.step()
        total += loss * n_items
        count += n_items
    return shard.sum(total) / max(count, 1)


def users_per_step(config: TrainConfig, n_users: int) -> int:
    """``user_batch_size``, raised where an epoch would otherwise take more than ``max_steps_per_epoch``
    steps: every step propagates the whole graph, so at scale the step count sets an epoch's cost, and
    a few large steps learned as well as many small ones (``docs/ml.md``)."""
    if config.max_steps_per_epoch is None:
        return config.user_batch_size
    return max(config.user_batch_size, -(-n_users // config.max_steps_per_epoch))


def steps_per_epoch(config: TrainConfig, n_users: int) -> int:
    """Steps of :func:`users_per_step` users that make an epoch (every user once)."""
    return -(-n_users // users_per_step(config, n_users))


def _softmax_step(
    model,
    config,
    rows: sp.csr_matrix,
    batch: torch.Tensor,
    n_items: int,
    scale: float,
    device,
):
    """Gradients of one step's loss on ``batch`` (users; ``rows`` their positives); returns the loss.

    The loss is the (weighted) mean softmax loss of the batch's positives times ``scale`` (this rank's
    share of the global batch) plus ``l2 · ||E⁰_batch||² / n_items``, its softmax part computed in
    chunks of ``softmax_chunk`` users by :func:`add_softmax_gradients`.
    """
    user_final, item_final = model()
    batch = batch.to(device)
    users_out = user_final[batch]
    users, items_all = users_out.detach(), item_final.detach()
    user_grad, item_grad = torch.zeros_like(users), torch.zeros_like(items_all)
    per_user = np.diff(rows.indptr)
    weights = per_user.astype(np.float32) ** -config.user_weight_power if config.user_weight_power else None
    denominator = float((per_user * weights).sum()) if weights is not None else float(per_user.sum())
    scratch = items_all.new_empty(len(items_all) * min(config.softmax_chunk, len(batch)))  # the logits
    loss = 0.0
    for start in range(0, len(batch), config.softmax_chunk):
        end = min(start + config.softmax_chunk, len(batch))
        chunk = rows[start:end]
        local = torch.from_numpy(np.repeat(np.arange(end - start), np.diff(chunk.indptr))).to(device)
        positives = torch.from_numpy(chunk.indices.astype(np.int64)).to(device)
        if not len(positives):
            continue
        chunk_weights = None if weights is None else torch.from_numpy(weights[start:end]).to(device)[local]
        loss += add_softmax_gradients(
            users[start:end],
            items_all,
            local,
            positives,
            config.temperature,
            chunk_weights,
            scale / denominator,
            user_grad[start:end],
            item_grad,
            scratch,
        )
    torch.autograd.backward([users_out, item_final], [user_grad, item_grad])
    owners = torch.from_numpy(np.repeat(np.arange(len(batch)), per_user)).to(device)
    positives = torch.from_numpy(rows.indices.astype(np.int64)).to(device)
    reg = config.l2 * model.l2(batch[owners], positives) / n_items
    reg.backward()
    return loss + float(reg.detach())


def train_lightgcn(
    users: np.ndarray,
    items: np.ndarray,
    n_users: int,
    n_items: int,
    config: TrainConfig,
    valid: sp.csr_matrix | None = None,
    progress: bool = True,
    attributes: tuple[np.ndarray, np.ndarray, int] | None = None,
    item_links: sp.csr_matrix | None = None,
    shard: Shard | None = None,
) -> TrainResult:
    """Train on index arrays (positives); early-stop on ``valid`` (users x items) NDCG@20.

    ``attributes = (item_idx, attribute_idx, n_attributes)`` adds attribute nodes (e.g. genres).
    ``shard``: this process's part of data-parallel training (default: the one set by
    :func:`data_parallel`, else the single process). Rank 0 evaluates and decides when to stop; every
    rank ends with the same weights and history.
    """
    shard = shard or current_shard()
    start = time.perf_counter()
    seed_everything(config.seed)
    rng = np.random.default_rng(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    device = resolve_device(config.device)
    train_matrix = interaction_matrix(users, items, n_users, n_items)
    if item_links is None and config.item_neighbors > 0:
        item_links = item_neighbor_graph(train_matrix, config.item_neighbors) * config.item_link_weight
    full_graph = graph_adjacency(users, items, n_users, n_items, attributes, item_links)
    model = LightGCN(
        n_users,
        n_items,
        full_graph,
        config.embedding_dim,
        config.num_layers,
        list(config.layer_weights) if config.layer_weights else None,
        config.init_std,
        config.cosine,
    ).to(device)
    shard.broadcast_parameters(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    sampler = NegativeSampler(train_matrix)
    user_t, item_t = torch.from_numpy(users.astype(np.int64)), torch.from_numpy(items.astype(np.int64))

    if valid is not None:
        eval_users = validation_users(valid, config.eval_users, config.seed)
        eval_target, eval_seen = valid[eval_users], train_matrix[eval_users]
    best = {"ndcg@20": -1.0}
    best_state, best_epoch, history = None, 0, []
    stopping = EarlyStopping(config.patience, config.min_gain)
    bar = tqdm(
        range(1, config.max_epochs + 1),
        desc="lightgcn",
        disable=not (progress and shard.is_main),
        leave=False,
    )
    for epoch in bar:
        epoch_start = time.perf_counter()
        model.train()
        if config.edge_dropout > 0:
            keep = rng.random(len(users)) >= config.edge_dropout
            model.set_graph(
                graph_adjacency(users[keep], items[keep], n_users, n_items, attributes, item_links)
            )
        if config.loss == "softmax":
            epoch_loss = _softmax_epoch(model, optimizer, config, train_matrix, generator, device, shard)
        else:
            epoch_loss = _bpr_epoch(
                model, optimizer, config, user_t, item_t, sampler, rng, generator, device, shard
            )
        record = {"epoch": epoch, "loss": epoch_loss, "train_seconds": time.perf_counter() - epoch_start}
        if config.edge_dropout > 0:
            model.set_graph(full_graph)
        if valid is not None and (epoch % config.eval_every == 0 or epoch == config.max_epochs):
            metrics = (
                evaluate_model(model, eval_target, eval_seen, (20,), eval_users) if shard.is_main else None
            )
            record.update(shard.broadcast(metrics))
            if stopping.is_best(record["ndcg@20"]):
                best, best_epoch = record, epoch
                best_state = copy.deepcopy(model.state_dict())
        history.append(record)
        bar.set_postfix(loss=f"{record['loss']:.4f}", ndcg20=f"{record.get('ndcg@20', float('nan')):.4f}")
        out_of_time = config.max_seconds is not None and time.perf_counter() - start > config.max_seconds
        if shard.broadcast(stopping.exhausted or out_of_time):
            break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        best_epoch = len(history)
    seconds = time.perf_counter() - start
    log.info(
        "lightgcn: %d epochs, best %d, %.1fs, valid ndcg@20 %s",
        *(len(history), best_epoch, seconds, f"{best['ndcg@20']:.4f}" if valid is not None else "-"),
    )
    metrics = {k: v for k, v in best.items() if k not in TRAINING_RECORD_KEYS} if valid is not None else {}
    return TrainResult(model.cpu(), best_epoch, metrics, seconds, len(history), history)


@dataclass
class EarlyStopping:
    """Patience over validation NDCG@20. A value above the best is the best model whatever its gain; the
    count of evaluations without a gain restarts only at a value more than ``min_gain`` (relative) above
    the one it last restarted at, so that a long tail of tiny gains ends (0: any gain restarts it)."""

    patience: int
    min_gain: float = 0.0
    best: float = -np.inf
    counted_from: float = -np.inf
    stale: int = 0

    def is_best(self, value: float) -> bool:
        """Count the evaluation ``value``; whether it is the best so far."""
        if value > self.counted_from * (1 + self.min_gain):
            self.counted_from, self.stale = value, 0
        else:
            self.stale += 1
        best = value > self.best
        self.best = max(self.best, value)
        return best

    @property
    def exhausted(self) -> bool:
        return self.stale >= self.patience


def validation_users(valid: sp.csr_matrix, limit: int | None, seed: int) -> np.ndarray:
    """The users whose validation ranking decides early stopping: all with a target, or a fixed random
    sample of ``limit`` of them when there are more (ranking every user of a 25M dataset against every
    movie would cost more than an epoch)."""
    candidates = np.flatnonzero(np.diff(valid.indptr) > 0)
    if limit is None or len(candidates) <= limit:
        return candidates
    return np.sort(np.random.default_rng(seed).choice(candidates, limit, replace=False))


@torch.no_grad()
def evaluate_model(
    model: LightGCN,
    target: sp.csr_matrix,
    exclude: sp.csr_matrix,
    ks: tuple[int, ...] = (10, 20),
    users: np.ndarray | None = None,
) -> dict[str, float]:
    """Full-ranking metrics; row ``r`` of ``target`` and ``exclude`` is user ``users[r]`` (default: ``r``)."""
    model.eval()
    user_final, item_final = model()

    def score(rows: np.ndarray) -> torch.Tensor:
        user_idx = rows if users is None else users[rows]
        return (user_final[torch.from_numpy(user_idx).to(user_final.device)] @ item_final.T).cpu()

    return evaluate_ranking(score, target, exclude, ks)


def train_recommender(
    ratings: pd.DataFrame | tuple[np.ndarray, np.ndarray, np.ndarray],
    config: TrainConfig | None = None,
    valid: pd.DataFrame | None = None,
    progress: bool = True,
):
    """Train the product's model on raw-id ratings and return a :class:`ml.recommender.Recommender`.

    ``ratings``: a table with ``user_id``, ``item_id`` (or ``movie_id``), optional ``rating`` and
    ``timestamp``; or a ``(users, items, ratings)`` tuple of arrays (a store export). The checkpoint's
    fingerprint is ``interactions_fingerprint(users, items, ratings)`` of exactly these rows.
    ``valid``: same shape as a table; enables early stopping on its NDCG@20 (else ``max_epochs`` run).
    """
    from ml.recommender import Recommender

    if isinstance(ratings, tuple):
        users, items, values = ratings
        ratings = pd.DataFrame({"user_id": users, "item_id": items, "rating": values})
    return Recommender.fit(ratings, config or TrainConfig(), valid=valid, progress=progress)
