"""LightGCN: simplified graph convolution for recommendation (He et al., SIGIR 2020).

Users and items are the nodes of one bipartite graph with normalised adjacency
``Â = D^-1/2 A D^-1/2``. Layer 0 holds the only parameters, the embeddings ``E⁰``; each layer
propagates without weights or non-linearity and the final embedding is a weighted sum of layers::

    E^(k+1) = Â E^(k)                 e_u^(k+1) = Σ_{i ∈ N(u)} e_i^(k) / sqrt(|N(u)| |N(i)|)
    E       = Σ_k α_k E^(k)           score(u, i) = e_u · e_i

The graph may carry more than ratings (``graph_adjacency``): item–item edges (each item to its most
co-rated items, the default in :class:`ml.train.TrainConfig`) and attribute nodes such as genres.
Users still link only to items, so the user-side rule above holds with items' degrees counting
every edge they have.

Losses (both regularise the *layer-0* embeddings of the batch, ``λ/2 · ||E⁰_batch||² / B``):

* ``bpr``: ``-mean log σ(s_ui - s_uj)`` over each positive ``(u, i)`` and ``n`` sampled negatives ``j``
  (Rendle et al. 2009; the paper's loss).
* ``softmax``: ``-mean log softmax(s_u· / τ)_i`` over all items (the full-softmax / multinomial
  likelihood; its ``Σ_j exp`` is "every item is a negative", exact and cheap at MovieLens scale).

Propagation is a precomputed sparse ``Â`` (:class:`Propagation`: scipy blocks on the CPU, a
``torch.sparse_csr`` on a GPU) with a hand-written backward (``Â`` is symmetric, so the gradient of
``ÂX`` is ``Âᵀ G = Â G``) rather than PyG's ``LightGCN``/``LGConv``:
on ml-100k (2,625 nodes, 160k directed edges, d = 64, 3 layers, forward + backward, 2-core CPU) PyG's
``LightGCN.get_embedding`` takes ~330 ms per step (it re-normalises and scatters every call),
``torch.sparse.mm`` on the CSR with autograd ~30–45 ms, and the symmetric backward ~6.6 ms. Training
runs hundreds of steps, so the 50x matters (``python -m ml.models.lightgcn`` re-runs the benchmark).
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn
from torch.nn import functional as F

from ml.co_ratings import cap_heavy_raters

PARALLEL_NNZ = 2_000_000  # below this a product takes milliseconds: a thread would cost more than it saves


def _binary(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    matrix = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def graph_adjacency(
    users: np.ndarray,
    items: np.ndarray,
    n_users: int,
    n_items: int,
    attributes: tuple[np.ndarray, np.ndarray, int] | None = None,
    item_links: sp.csr_matrix | None = None,
) -> sp.csr_matrix:
    """Binary symmetric adjacency of the user–item graph, nodes ordered ``[users, items, attributes]``.

    ``attributes = (item_idx, attribute_idx, n_attributes)`` adds item–attribute edges (e.g. genres);
    ``item_links`` (symmetric, n_items²) adds item–item edges.
    """
    ratings = _binary(users, items, (n_users, n_items))
    if attributes is None:
        adjacency = sp.bmat([[None, ratings], [ratings.T, item_links]], format="csr", dtype=np.float32)
    else:
        attr_items, attr_ids, n_attrs = attributes
        links = _binary(attr_items, attr_ids, (n_items, n_attrs))
        adjacency = sp.bmat(
            [[None, ratings, None], [ratings.T, item_links, links], [None, links.T, None]],
            format="csr",
            dtype=np.float32,
        )
    return adjacency


def item_neighbor_graph(ratings: sp.csr_matrix, k: int, block_size: int = 2048) -> sp.csr_matrix:
    """Symmetric binary item–item graph: each item linked to its ``k`` most cosine-similar items.

    Similarity is co-occurrence in ``ratings`` (users x items; heavy raters sampled down by
    :func:`ml.co_ratings.cap_heavy_raters`, so the cost grows with the ratings) over sqrt of the
    popularity product; computed in blocks of items so memory stays ``block_size x n_items``, with the
    dense part (scaling, top-k) in torch, which uses every core.
    """
    by_user = cap_heavy_raters(ratings).astype(np.float32)
    by_item = by_user.T.tocsr()
    n_items = by_item.shape[0]
    norms = torch.from_numpy(np.sqrt(np.asarray(by_item.sum(axis=1)).ravel()).astype(np.float32))
    k = min(k, n_items - 1)
    rows, cols = [], []
    for start in range(0, n_items, block_size):
        block = np.arange(start, min(start + block_size, n_items))
        similarity = torch.from_numpy((by_item[block] @ by_user).toarray())
        similarity.div_(torch.clamp(norms[block, None] * norms[None, :], min=1e-9))
        similarity[torch.arange(len(block)), torch.from_numpy(block)] = 0.0
        values, top = torch.topk(similarity, k, dim=1, sorted=False)
        linked = (values > 0).numpy().ravel()
        rows.append(np.repeat(block, k)[linked])
        cols.append(top.numpy().ravel()[linked])
    links = _binary(np.concatenate(rows), np.concatenate(cols), (n_items, n_items))
    return ((links + links.T) > 0).astype(np.float32).tocsr()


def normalize_adjacency(adjacency: sp.csr_matrix) -> sp.csr_matrix:
    """``D^-1/2 A D^-1/2`` (float32 CSR, sorted indices)."""
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1e-12)), 0.0).astype(np.float32)
    norm = (sp.diags(inv_sqrt) @ adjacency @ sp.diags(inv_sqrt)).tocsr().astype(np.float32)
    norm.sort_indices()
    return norm


def torch_csr(matrix: sp.csr_matrix, device: torch.device) -> torch.Tensor:
    with warnings.catch_warnings():  # "sparse CSR support is in beta" on every construction
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(
            torch.from_numpy(matrix.indptr.astype(np.int64)),
            torch.from_numpy(matrix.indices.astype(np.int64)),
            torch.from_numpy(matrix.data),
            size=matrix.shape,
            check_invariants=False,
        ).to(device)


class Propagation:
    """``Â X`` for the symmetric normalised adjacency ``Â`` of a graph whose first ``n_users`` nodes are
    users (which link only to items).

    On the CPU the product is memory-bound: each stored edge reads a row of ``X``. Read row by row
    (one CSR product), the item rows gather the rows of their raters from the large user table, a
    cache miss per rating. Here the user columns are taken column by column instead (CSC): each user's
    row is read once, in order, and added into the rows of the items they rated, a table small enough
    to stay in cache; the other columns (items, attributes) are gathered as usual. At 10M ratings
    (d = 128) that is 0.5–0.6 s per product against 1.5 s for ``torch.sparse.mm`` on the whole CSR.
    On a GPU, ``torch.sparse.mm`` on the CSR (built once per device).
    """

    def __init__(self, normalized: sp.csr_matrix, n_users: int) -> None:
        self.matrix, self.n_users = normalized, n_users
        self.user_columns = normalized[:, :n_users].tocsc()
        self.other_columns = normalized[:, n_users:].tocsr()
        self._on_device: tuple[torch.device, torch.Tensor] | None = None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != "cpu":
            if self._on_device is None or self._on_device[0] != x.device:
                self._on_device = (x.device, torch_csr(self.matrix, x.device))
            return torch.sparse.mm(self._on_device[1], x)
        x = x.detach().contiguous().numpy()
        users, others = x[: self.n_users], x[self.n_users :]
        if self.matrix.nnz < PARALLEL_NNZ or torch.get_num_threads() < 2:
            out = self.user_columns @ users
            out += self.other_columns @ others
            return torch.from_numpy(out)
        # scipy releases the GIL in its sparse kernels: the two halves run on two cores.
        with ThreadPoolExecutor(1) as pool:
            from_users = pool.submit(self.user_columns.__matmul__, users)
            out = self.other_columns @ others
            out += from_users.result()
        return torch.from_numpy(out)


class _SymmetricSpMM(torch.autograd.Function):
    """``Â X`` for a symmetric sparse ``Â`` (constant): backward is ``Â G``, no transpose needed."""

    @staticmethod
    def forward(ctx, propagate: Propagation, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        ctx.propagate = propagate
        return propagate(x)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[None, torch.Tensor]:  # type: ignore[override]
        return None, ctx.propagate(grad)


class LightGCN(nn.Module):
    """LightGCN over a fixed normalised adjacency; ``forward()`` returns final (users, items)."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        graph: sp.csr_matrix,
        embedding_dim: int = 64,
        num_layers: int = 3,
        layer_weights: list[float] | None = None,
        init_std: float = 0.1,
        cosine: bool = False,
    ) -> None:
        super().__init__()
        self.n_users, self.n_items = n_users, n_items
        # Nodes past users and items (attributes such as genres) only pass messages; they are not scored.
        self.embedding = nn.Embedding(graph.shape[0], embedding_dim)
        nn.init.normal_(self.embedding.weight, std=init_std)
        self.set_graph(graph)
        alpha = layer_weights or [1.0 / (num_layers + 1)] * (num_layers + 1)
        if len(alpha) != num_layers + 1:
            raise ValueError(f"layer_weights needs {num_layers + 1} values, got {len(alpha)}")
        self.register_buffer("alpha", torch.tensor(alpha, dtype=torch.float32))
        self.num_layers = num_layers
        self.cosine = cosine

    def set_graph(self, graph: sp.csr_matrix) -> None:
        """Propagate over ``graph`` (binary adjacency) from now on; ``degree`` is its node degrees."""
        self.degree = np.asarray(graph.sum(axis=1)).ravel()
        self.propagation = Propagation(normalize_adjacency(graph), self.n_users)

    def layers(self) -> list[torch.Tensor]:
        """``[E⁰, E¹, ..., E^K]``, each (n_users + n_items) x d."""
        x = self.embedding.weight
        out = [x]
        for _ in range(self.num_layers):
            x = _SymmetricSpMM.apply(self.propagation, x)
            out.append(x)
        return out

    def forward(self) -> tuple[torch.Tensor, torch.Tensor]:
        final = sum(a * e for a, e in zip(self.alpha, self.layers(), strict=True))
        if self.cosine:
            final = F.normalize(final, dim=1)
        return final[: self.n_users], final[self.n_users : self.n_users + self.n_items]

    def l2(self, users: torch.Tensor, items: torch.Tensor) -> torch.Tensor:
        """``½ Σ ||e⁰||²`` over the batch's users and items (rows may repeat, as in the paper), each
        distinct row read once and counted as often as it repeats (a large step repeats popular items
        thousands of times)."""
        rows, counts = torch.cat([users, self.n_users + items]).unique(return_counts=True)
        weight = self.embedding.weight
        return 0.5 * (counts.to(weight.dtype) * weight[rows].pow(2).sum(1)).sum()


def bpr_loss(user_emb: torch.Tensor, pos_emb: torch.Tensor, neg_emb: torch.Tensor) -> torch.Tensor:
    """``-mean log σ(s⁺ - s⁻)``; ``neg_emb`` is (B, n_neg, d), ``user_emb``/``pos_emb`` (B, d)."""
    pos = (user_emb * pos_emb).sum(-1, keepdim=True)
    neg = torch.einsum("bd,bnd->bn", user_emb, neg_emb)
    return -F.logsigmoid(pos - neg).mean()


@torch.no_grad()
def add_softmax_gradients(
    user_emb: torch.Tensor,
    item_emb: torch.Tensor,
    rows: torch.Tensor,
    pos_items: torch.Tensor,
    temperature: float,
    weights: torch.Tensor | None,
    factor: float,
    user_grad: torch.Tensor,
    item_grad: torch.Tensor,
    scratch: torch.Tensor | None = None,
) -> float:
    """The full-softmax loss ``factor · Σ_r w_r (logsumexp_j s_{u_r j}/τ - s_{u_r i_r}/τ)`` over positives
    ``(rows, pos_items)`` (``rows`` index ``user_emb``, one row per user, so each user's logits over all
    items are computed once), its gradients added into ``user_grad`` and ``item_grad``; returns its
    value. ``weights``: one per positive (None: 1). ``scratch``: a float buffer of at least items ×
    users elements to hold the logits, reused across calls (a fresh one is allocated otherwise).

    By hand rather than by autograd: with ``W_u = Σ_{r: u_r = u} w_r``, ``∂/∂s_uj = W_u softmax_j -
    Σ_{r: u_r = u, i_r = j} w_r``, computed in place in the one buffer of the logits. At 25M ratings
    (59k movies) these passes over the logits are most of an epoch; autograd's version makes several
    more, each into a new buffer of the same size. The logits are laid out items × users: with d = 64,
    the three products (``E_items E_usersᵀ`` and the two gradients) ran faster that way round than
    users × items on this machine's MKL (``cinegraph bench kernels``: 0.74 against 0.88 s per 2,048
    users over 59,047 movies).
    """
    n_items, n = len(item_emb), len(user_emb)
    weights = (
        torch.ones(len(rows), dtype=user_emb.dtype, device=user_emb.device) if weights is None else weights
    )
    per_user = torch.zeros(n, dtype=user_emb.dtype, device=user_emb.device).index_add_(0, rows, weights)
    scaled_users = user_emb / temperature
    if scratch is None:
        logits = torch.mm(item_emb, scaled_users.T)
    else:
        logits = torch.mm(item_emb, scaled_users.T, out=scratch[: n_items * n].view(n_items, n))
    positive = logits[pos_items, rows]
    top = logits.amax(dim=0)
    logits.sub_(top).exp_()
    total = logits.sum(dim=0)
    value = factor * float((weights * (top + total.log())[rows]).sum() - (weights * positive).sum())
    gradient = logits.mul_(per_user * factor / temperature / total)  # W_u softmax, scaled
    gradient.index_put_((pos_items, rows), weights * (-factor / temperature), accumulate=True)
    user_grad.addmm_(gradient.T, item_emb)
    item_grad.addmm_(gradient, user_emb)
    return value


if __name__ == "__main__":  # pragma: no cover - benchmark, see the module docstring
    import time

    from torch_geometric.nn.models import LightGCN as PygLightGCN

    rng = np.random.default_rng(0)
    n_u, n_i, n_e = 943, 1682, 80_000
    u, i = rng.integers(0, n_u, n_e), rng.integers(0, n_i, n_e)
    ours = LightGCN(n_u, n_i, graph_adjacency(u, i, n_u, n_i))
    edge_index = torch.tensor(np.stack([np.r_[u, i + n_u], np.r_[i + n_u, u]]))
    pyg = PygLightGCN(n_u + n_i, 64, 3)
    for name, step in (
        ("pyg LightGCN", lambda: pyg.get_embedding(edge_index).sum().backward()),
        ("sparse CSR, symmetric backward", lambda: sum(t.sum() for t in ours()).backward()),
    ):
        step()
        start = time.perf_counter()
        for _ in range(20):
            step()
        print(f"{name}: {(time.perf_counter() - start) / 20 * 1e3:.1f} ms/step")
