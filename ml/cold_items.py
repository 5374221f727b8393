"""Embeddings for movies nobody has rated yet, from their neighbours in the movie graph.

A movie that an admin just added (or one that was never rated) has no rating edges, so LightGCN gave
it no embedding. Its other edges (:mod:`ml.graph`: genres, release year, people) reach movies that do
have one, and those say where in the embedding space such a movie lies. Two message-passing rounds
over the movie–attribute edges and one ridge regression turn that into an embedding ``ê`` scored like
any other: ``u · ê``.

**Attribute embeddings** (movie → attribute). With ``μ`` the mean embedding
of the warm (trained) movies, an attribute ``a`` (a genre, a year, a person) whose warm movies are
``W(a)`` gets the shrunk mean deviation::

    d_a = Σ_{m ∈ W(a)} (e_m - μ) / (|W(a)| + λ_t)

so a person seen in one film says little and a genre with 500 films says a lot; the pseudo-count
``λ_t`` is one per attribute type.

**Movie features** (attribute → movie, :func:`leave_one_out_means`): a movie's type-``t`` feature
``f_t`` is the mean of its attributes' ``d_a``; an attribute with no warm movie (a person new to the
catalogue) counts as 0 in that mean. **When fitting, each warm movie is left out** of every sum it
is in, and of ``μ``: otherwise a person with two films hands each film half of its own embedding, the
fit learns to trust people far too much, and a cold movie, whose embedding is in no sum, gets that
trust without the signal (``tests/ml/test_cold_items.py`` holds this). The features a warm movie
is fitted on are then the ones it would have had as a cold movie.

**Combination**: ``ê = b + Σ_t f_t W_t``, one ``d × d`` map per type and a bias, fitted by ridge
regression of the warm movies' trained embeddings on their leave-one-out features. The ridge ``α``
is the one with the least leave-one-out error (exact for ridge: residual / (1 - leverage)) measured
in the metric of the users' second moment ``M = UᵀU / |U|``, i.e. the squared error of the *scores*
``u · ê`` rather than of the vectors. ``λ_t`` is the one whose feature, on its own and scaled by one
least-squares weight, predicts the scores best. Every choice is made on the warm movies only. (They
were trained together with the movie left out, through shared users and item–item edges, so their
features know a little more about it than a cold movie's do; that criterion therefore picks the
weakest ridge of the grid, where the benchmark would have preferred a stronger one.)

Each choice was compared on ``cinegraph bench cold-items`` (NDCG@20 ranking the cold movies) with
the alternative it replaced: one scalar weight per type instead of the maps, 5-year periods instead of
single years (``ml.graph``), one type per credit role instead of one person type, and the squared
error of the embeddings instead of the scores; each of those did no better (the first two worse).

A type whose graph has no nodes, or whose features explain nothing, is left out. The fit is a few
sparse products per type and pseudo-count, one ``3d × 3d`` eigendecomposition and a grid of cheap
solves, linear in the movies and their credits (``fit_s`` in ``cinegraph bench cold-items``' JSON is
the wall time; the service's two encoders at 25M ratings, 59,047 movies and 0.5M credits, d = 128:
40 s of its start-up in ``cinegraph bench serve --sizes 25m``, against 105 s when every edge carried its
own ``d``-wide row), so the service refits it whenever it loads a model instead of storing it.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor
from torch_geometric.nn import SimpleConv

from ml.graph import ATTRIBUTE_EDGES, MovieGraph

if TYPE_CHECKING:
    from ml.recommender import Recommender

log = logging.getLogger(__name__)

ATTRIBUTE_TYPES = ("genre", "period", "person")
SHRINKAGE_GRID = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0)
"""Candidate pseudo-counts ``λ_t`` (module docstring)."""
RIDGE_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
"""Candidate ridge strengths α for the maps, relative to the features' scale (module docstring)."""
_MEAN = SimpleConv(aggr="mean")  # parameter-free, so shared


@dataclass(frozen=True)
class Incidence:
    """One attribute type's movie–attribute edges (a movie may meet an attribute more than once, e.g. as
    director and writer), as the two sparse matrices the fit multiplies with: movies × attributes and
    its transpose, with a value per edge."""

    movies: Tensor  # each edge's movie, edges sorted by movie
    attributes: Tensor  # each edge's attribute
    shape: tuple[int, int]  # (movies, attributes)
    _by_movie: Tensor  # CSR row pointers over ``movies``
    _by_attribute: tuple[Tensor, Tensor, Tensor]  # (row pointers, movie of each edge, edge order)

    @classmethod
    def of(cls, graph: MovieGraph, node_type: str) -> Incidence:
        attributes, movies = _reverse_edges(graph, node_type)
        shape = (graph.data["movie"].num_nodes, graph.data[node_type].num_nodes)
        order = torch.argsort(movies, stable=True)
        movies, attributes = movies[order], attributes[order]
        by_attribute = torch.argsort(attributes, stable=True)
        return cls(
            movies,
            attributes,
            shape,
            _row_pointers(movies, shape[0]),
            (_row_pointers(attributes[by_attribute], shape[1]), movies[by_attribute], by_attribute),
        )

    def movies_by_attributes(self, values: Tensor) -> Tensor:
        """The movies × attributes matrix with ``values`` (one per edge, in edge order)."""
        return _csr(self._by_movie, self.attributes, values, self.shape)

    def attributes_by_movies(self, values: Tensor) -> Tensor:
        """The attributes × movies matrix with ``values`` (one per edge, in edge order)."""
        pointers, movies, order = self._by_attribute
        return _csr(pointers, movies, values[order], self.shape[::-1])

    def per_movie(self, values: Tensor) -> Tensor:
        """Each movie's sum of ``values`` over its edges."""
        return torch.zeros(self.shape[0], dtype=values.dtype).index_add_(0, self.movies, values)


def _csr(pointers: Tensor, columns: Tensor, values: Tensor, shape: tuple[int, int]) -> Tensor:
    with warnings.catch_warnings():  # "sparse CSR support is in beta", in the service's log at every start
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(pointers, columns, values, shape, check_invariants=False)


def _row_pointers(sorted_rows: Tensor, n_rows: int) -> Tensor:
    counts = torch.bincount(sorted_rows, minlength=n_rows)
    return torch.cat([torch.zeros(1, dtype=torch.int64), counts.cumsum(0)])


def leave_one_out_means(
    incidence: Incidence, totals: Tensor, own: Tensor, total: Tensor, shrinkage: float
) -> Tensor:
    """attribute → movie: the mean over a movie's attributes of their shrunk mean deviation, with the
    movie itself left out of both the attribute's movies and the global mean it deviates from.

    ``totals`` rows hold ``[S_a, n_a]`` per attribute (sum of its warm movies' embeddings, how many);
    ``own`` rows ``[s_m, n_m]`` per movie, the movie's own share of those sums: ``[e_m, 1]`` for a warm
    movie when fitting, zeros when serving. ``total`` is ``[Σ e, N]`` over all warm movies. Per edge::

        μ'_m = (Σ e - s_m) / (N - n_m)                   the global mean without the movie
        c    = n_a - n_m                                 the attribute's other warm movies
        d    = (S_a - s_m - c μ'_m) / (c + λ)            0 where c = 0

    Without the movie in ``μ'`` a genre that nearly every movie has would hand each movie
    ``-(e_m - μ) / n_a``, its own embedding with a minus sign, which a least-squares fit finds.

    With ``w = 1 / (c + λ)`` per edge, a movie's sum is ``Σ_a w S_a - s_m Σ_a w - μ'_m Σ_a w c``: one
    sparse product and two per-movie sums of scalars, rather than a ``d``-wide row per edge (at 25M
    ratings 0.5M credits × 129 doubles, several times over, was most of the service's start-up).
    """
    dim = own.size(1) - 1
    others = totals[incidence.attributes, dim] - own[incidence.movies, dim]
    weights = torch.where(others < 0.5, 0.0, 1.0 / (others + shrinkage).clamp_min(1e-12))
    sums = incidence.movies_by_attributes(weights) @ totals[:, :dim]
    rest = total - own
    prior = rest[:, :dim] / rest[:, dim:].clamp_min(1.0)
    sums -= own[:, :dim] * incidence.per_movie(weights)[:, None]
    sums -= prior * incidence.per_movie(weights * others)[:, None]
    degree = incidence.per_movie(torch.ones_like(weights))
    return sums / degree.clamp_min(1.0)[:, None]


def _shrunk_mean(sums: Tensor, counts: Tensor, shrinkage: float) -> Tensor:
    """``sums / (counts + λ)``, and 0 where there is nothing to average."""
    empty = counts < 0.5
    return torch.where(empty, 0.0, sums / torch.where(empty, 1.0, counts + shrinkage))


@dataclass(frozen=True)
class AttributeTable:
    """One attribute type's part of the encoder: each node's ``d_a`` and the type's weight."""

    node_type: str
    deviations: np.ndarray  # (n_attributes, d) float32: d_a of the module docstring
    shrinkage: float  # λ_t
    mapping: np.ndarray  # (d, d) float32: W_t, applied to the type's feature f_t (a row vector)


def _reverse_edges(graph: MovieGraph, node_type: str) -> Tensor:
    """attribute → movie edges of ``node_type`` (PyG's ``rev_`` edge type)."""
    _, relation, _ = ATTRIBUTE_EDGES[node_type]
    return graph.data[node_type, f"rev_{relation}", "movie"].edge_index


def _centred(x: np.ndarray) -> np.ndarray:
    return x - x.mean(axis=0, keepdims=True)


def _score_metric_factor(user_embeddings: np.ndarray | None, dim: int) -> np.ndarray:
    """``F`` with ``F Fᵀ = M = UᵀU / |U|``, so that ``||r F||² = mean_u (u · r)²``: the squared error of
    the scores an embedding error ``r`` causes (the identity without users)."""
    if user_embeddings is None or len(user_embeddings) == 0:
        return np.eye(dim)
    users = np.asarray(user_embeddings, np.float64)
    eigenvalues, vectors = np.linalg.eigh(users.T @ users / len(users))
    return vectors * np.sqrt(np.maximum(eigenvalues, 0.0))


def _explained(feature: np.ndarray, target: np.ndarray, whiten: np.ndarray) -> float:
    """Reduction of the squared error of centred ``target`` (rows times ``whiten``: the metric's
    factor) by the best multiple of ``feature`` plus a bias."""
    feature = _centred(feature) @ whiten
    gram = float(np.sum(feature * feature))
    return float(np.sum(feature * target)) ** 2 / gram if gram > 1e-12 else 0.0


def _best_shrinkage(
    graph: MovieGraph,
    node_type: str,
    own: Tensor,
    total: Tensor,
    rows: np.ndarray,
    whitened_targets: np.ndarray,
    whiten: np.ndarray,
    grid: Sequence[float],
) -> tuple[str, float, Tensor, np.ndarray] | None:
    """(type, λ_t, attribute totals, warm movies' leave-one-out features) for the ``λ_t`` whose feature
    alone explains most of the (centred, whitened) targets; None if no feature explains anything."""
    incidence = Incidence.of(graph, node_type)
    totals = incidence.attributes_by_movies(torch.ones(len(incidence.movies), dtype=own.dtype)) @ own
    best = (0.0, 0.0, np.zeros(0))
    for shrinkage in grid:
        features = leave_one_out_means(incidence, totals, own, total, shrinkage).numpy()[rows]
        gain = _explained(features, whitened_targets, whiten)
        if gain > best[0] * (1 + 1e-9):
            best = (gain, shrinkage, features)
    if best[0] <= 1e-9 * float(np.sum(whitened_targets**2)):
        return None
    return node_type, best[1], totals, best[2]


def _fit_maps(
    features: list[np.ndarray], targets: np.ndarray, whiten: np.ndarray, grid: Sequence[float]
) -> tuple[list[np.ndarray], float]:
    """Ridge maps ``W_t`` with ``targets ≈ b + Σ_t f_t W_t`` and the α whose leave-one-out error (exact
    for ridge: residual / (1 - leverage); in the metric whose factor is ``whiten``) is least.

    Each type's block is scaled to unit mean squared norm first, so that one α is fair to all.
    """
    if not features:
        return [], 0.0
    scales = [max(float(np.sqrt(np.mean(np.sum(_centred(f) ** 2, axis=1)))), 1e-12) for f in features]
    x = _centred(np.hstack([f / s for f, s in zip(features, scales, strict=True)]))
    y = _centred(targets)
    width = x.shape[1]
    # One eigendecomposition serves every α: (XᵀX + αI)⁻¹ = V diag(1 / (s + α)) Vᵀ.
    eigenvalues, vectors = np.linalg.eigh(x.T @ x)
    rotated, moment = x @ vectors, vectors.T @ (x.T @ y)
    best = (np.inf, 0.0, np.zeros((width, y.shape[1])))
    for ridge in grid:
        inverse = 1.0 / (np.maximum(eigenvalues, 0.0) + ridge * len(x) / width)
        leverage = (rotated**2) @ inverse
        residuals = (y - rotated @ (inverse[:, None] * moment)) / np.maximum(1.0 - leverage, 1e-6)[:, None]
        error = float(np.sum((residuals @ whiten) ** 2))
        if error < best[0]:
            best = (error, ridge, vectors @ (inverse[:, None] * moment))
    _, ridge, maps = best
    blocks = np.split(maps, len(features))
    return [block / scale for block, scale in zip(blocks, scales, strict=True)], ridge


@dataclass(frozen=True)
class ColdItemEncoder:
    """Embeddings for unrated movies, comparable with the trained movies' (module docstring).

    ``ColdItemEncoder.from_recommender(movie_graph(None, facts), model)`` fits it on a trained model;
    ``embed`` / ``embed_many`` describe new movies by their facts, ``embed_movies`` takes movies of
    the graph by id.
    """

    graph: MovieGraph
    bias: np.ndarray  # (d,) float32: the embedding of a movie with no known attribute
    tables: tuple[AttributeTable, ...]
    ridge: float = 0.0  # α picked for the maps
    fit_seconds: float = 0.0

    @classmethod
    def fit(
        cls,
        graph: MovieGraph,
        item_ids: np.ndarray,
        item_embeddings: np.ndarray,
        user_embeddings: np.ndarray | None = None,
        types: Sequence[str] = ATTRIBUTE_TYPES,
        shrinkage_grid: Sequence[float] = SHRINKAGE_GRID,
    ) -> ColdItemEncoder:
        """Fit on the warm movies ``item_ids`` (raw ids, all in ``graph``) and their ``item_embeddings`` rows.

        ``user_embeddings`` set the metric to the scores' squared error; without them it is the
        embeddings' plain squared error. ``types``: the attribute types to use.
        """
        start = time.perf_counter()
        unknown = sorted(set(types) - set(ATTRIBUTE_TYPES))
        if unknown:
            raise ValueError(f"unknown attribute types {unknown}; choose from {', '.join(ATTRIBUTE_TYPES)}")
        rows = graph.movies.index(np.asarray(item_ids, np.int64), "movie")
        targets = np.asarray(item_embeddings, np.float64)
        dim = targets.shape[1]
        whiten = _score_metric_factor(user_embeddings, dim)
        whitened_targets = _centred(targets) @ whiten
        # Each movie's own share of the attribute sums: [e_m, 1] for warm movies, zeros for the rest.
        own = torch.zeros(graph.data["movie"].num_nodes, dim + 1, dtype=torch.float64)
        own[torch.from_numpy(rows), :dim] = torch.from_numpy(targets)
        own[torch.from_numpy(rows), dim] = 1.0
        total = own.sum(dim=0, keepdim=True)

        chosen = []
        for node_type in types:
            if graph.data[node_type].num_nodes:
                choice = _best_shrinkage(
                    graph, node_type, own, total, rows, whitened_targets, whiten, shrinkage_grid
                )
                if choice is not None:
                    chosen.append(choice)
        maps, ridge = _fit_maps([features for *_, features in chosen], targets, whiten, RIDGE_GRID)
        bias = targets.mean(axis=0)
        tables = []
        prior = total[:, :dim] / total[:, dim:]  # serving leaves no movie out: d_a of the docstring
        for mapping, (node_type, shrinkage, totals, features) in zip(maps, chosen, strict=True):
            bias = bias - features.mean(axis=0) @ mapping
            deviations = _shrunk_mean(totals[:, :dim] - totals[:, dim:] * prior, totals[:, dim:], shrinkage)
            tables.append(
                AttributeTable(
                    node_type, deviations.numpy().astype(np.float32), shrinkage, mapping.astype(np.float32)
                )
            )
        seconds = time.perf_counter() - start
        encoder = cls(graph, bias.astype(np.float32), tuple(tables), ridge, seconds)
        log.info("cold-item encoder in %.2fs: %s", seconds, encoder.summary())
        return encoder

    @classmethod
    def from_recommender(
        cls, graph: MovieGraph, model: Recommender, types: Sequence[str] = ATTRIBUTE_TYPES
    ) -> ColdItemEncoder:
        """Fit on a :class:`ml.recommender.Recommender`'s movies, in the metric of its users' scores."""
        return cls.fit(graph, model.item_ids, model.item_embeddings, model.user_embeddings, types)

    @property
    def types(self) -> tuple[str, ...]:
        """The attribute types the encoder uses (those that predicted anything on the warm movies)."""
        return tuple(table.node_type for table in self.tables)

    def summary(self) -> dict:
        """What the fit chose: per type λ_t, the ridge α, and the time it took."""
        return {
            "shrinkage": {table.node_type: table.shrinkage for table in self.tables},
            "ridge": self.ridge,
            "fit_s": round(self.fit_seconds, 3),
        }

    def _combine(self, features: dict[str, Tensor], n: int) -> np.ndarray:
        out = np.tile(self.bias, (n, 1))
        for table in self.tables:
            out += features[table.node_type].numpy() @ table.mapping
        return out.astype(np.float32)

    def embed_movies(self, movie_ids: np.ndarray) -> np.ndarray:
        """(n, d) embeddings of movies of the graph (raw ids) from their attributes only, whether rated or
        not (e.g. every catalogue movie the model has not trained on)."""
        rows = self.graph.movies.index(np.asarray(movie_ids, np.int64), "movie")
        n_movies = self.graph.data["movie"].num_nodes
        features = {}
        for table in self.tables:
            size = (len(table.deviations), n_movies)
            reverse = _reverse_edges(self.graph, table.node_type)
            mean = _MEAN((torch.from_numpy(table.deviations), None), reverse, size=size)
            features[table.node_type] = mean[torch.from_numpy(rows)]
        return self._combine(features, len(rows))

    def embed_many(
        self,
        genres: Sequence[Sequence[str]],
        years: Sequence[float | None],
        people: Sequence[Sequence[str]] | None = None,
    ) -> np.ndarray:
        """(n, d) embeddings of n movies described by their genres, release years (None: unknown) and
        credited person ids; names the graph does not know count as attributes with no warm movie."""
        n = len(genres)
        people = people if people is not None else [[] for _ in range(n)]
        if not len(years) == len(people) == n:
            raise ValueError(f"genres, years and people describe {n}, {len(years)}, {len(people)} movies")
        described = {
            "genre": genres,
            "period": [[] if year is None or not np.isfinite(year) else [year] for year in years],
            "person": people,
        }
        features = {}
        for table in self.tables:
            values = described[table.node_type]
            movie = np.repeat(np.arange(n), [len(v) for v in values])
            flat = [value for row in values for value in row]
            attribute = self.graph.attribute_index(table.node_type, flat) if flat else np.zeros(0, np.int64)
            unknown = len(table.deviations)  # an extra all-zero row: known to nobody
            edge_index = torch.from_numpy(np.stack([np.where(attribute >= 0, attribute, unknown), movie]))
            padded = np.vstack([table.deviations, np.zeros((1, table.deviations.shape[1]), np.float32)])
            features[table.node_type] = _MEAN(
                (torch.from_numpy(padded), None), edge_index.to(torch.int64), size=(unknown + 1, n)
            )
        return self._combine(features, n)

    def embed(self, genres: Sequence[str], year: float | None, people: Sequence[str] = ()) -> np.ndarray:
        """(d,) embedding of one movie: :meth:`embed_many` for one."""
        return self.embed_many([genres], [year], [people])[0]
