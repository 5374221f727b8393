"""Movies similar to a movie: how much more often than chance people rated both, plus shared genres.

For movies ``i`` and ``j`` with ``n_i`` and ``n_j`` raters, ``C_ij`` users who rated both and ``N`` users::

    pmi_ij   = log(C_ij N / (n_i n_j))              co-rated this much more often than chance
    s_ij     = pmi_ij · C_ij / (C_ij + SHRINK)      a pair seen by few users counts little
    score_ij = s_ij / max_k s_ik + GENRE_BONUS · J(genres_i, genres_j)      (only j with C_ij > 0)

Why each part (``cinegraph bench experience`` measures it; ``docs/benchmarks.md`` has the figures):

- PMI divides by the candidate's popularity: within a row it ranks by ``C_ij / n_j``, so a movie that
  everybody rated no longer lands on every list. Cosine between LightGCN embeddings, which this
  replaces, put Toy Story and Fargo next to Star Wars and The Empire Strikes Back 21st.
- The shrinkage ``C / (C + SHRINK)`` keeps movies with a handful of ratings from winning on one lucky
  co-rating.
- Dividing by the row's best score gives the genre Jaccard bonus the same weight for every movie (raw
  PMI is small for very popular movies).

The top ``TOP_K`` of every movie are computed once per model, a block of movies at a time (one sparse
product ``Xᵀ X`` per block, dense only as ``block × movies``), so no ``movies × movies`` matrix is held.
Heavy raters are sampled down first (:mod:`ml.co_ratings`; nothing is dropped at ml-100k's size).

Only the co-rated pairs (a block's non-zeros) are scored: ``log``, shrinkage, the row's best and the genre
bonus run in torch (every core) on them as vectors, in float32 with the formula's operations in its
order, and only the top-k runs over the dense block. At 59,047 movies and 1M synthetic ratings that took
20 s against 89 s for numpy over the whole dense block, with the same scores at every rank and the same
neighbours apart from ties (``tests/ml/test_similarity.py`` checks it against the formula). Where every
pair is co-rated (the synthetic 1M's 3,706 movies) both take about 1.5 s. A service saves the table
beside its checkpoint (:meth:`MovieSimilarity.save`): it is fitted again with a new model, not at every
start.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

from ml.co_ratings import PAIRS_PER_RATING, cap_heavy_raters
from ml.npz_files import save_npz_atomically

SHRINK = 20.0
GENRE_BONUS = 0.25
TOP_K = 50
BLOCK = 512
FORMAT_VERSION = 1
"""Of a saved table (:meth:`MovieSimilarity.save`); with the constants above it says which code fitted it."""


class SimilarityMismatch(ValueError):
    """A saved similar-movie table that cannot serve this model and catalogue (or cannot be read)."""


def similar_by_embedding(
    embedding: np.ndarray,
    genre_row: sp.csr_matrix,
    item_embeddings: np.ndarray,
    item_genres: sp.csr_matrix,
    top_k: int = TOP_K,
) -> tuple[np.ndarray, np.ndarray]:
    """(rows of ``item_embeddings``, scores) of the ``top_k`` movies closest to a movie nobody has rated,
    best first: cosine of the embeddings (``ml.cold_items`` builds it from genres, year and people) plus
    the same genre bonus as co-rated pairs, so that scores sit on the scale of :meth:`MovieSimilarity.fit`
    (the best co-rated neighbour scores 1 plus its bonus)."""
    norms = np.linalg.norm(item_embeddings, axis=1) * max(float(np.linalg.norm(embedding)), 1e-12)
    cosine = item_embeddings @ embedding / np.maximum(norms, 1e-12)
    shared = np.asarray((item_genres @ genre_row.T).todense()).ravel()
    sizes = np.asarray(item_genres.sum(axis=1)).ravel() + genre_row.sum()
    score = cosine + GENRE_BONUS * shared / np.maximum(sizes - shared, 1)
    k = min(top_k, len(score))
    top = np.argpartition(-score, k - 1)[:k]
    top = top[np.argsort(-score[top], kind="stable")]
    return top, score[top].astype(np.float32)


@dataclass(frozen=True)
class MovieSimilarity:
    movie_ids: np.ndarray  # sorted raw ids; row i of the tables
    neighbours: np.ndarray  # (movies, TOP_K) rows of movie_ids, best first; -1 pads a short list
    scores: np.ndarray  # (movies, TOP_K) float32, -inf where padded

    @classmethod
    def fit(
        cls, rated: sp.csr_matrix, genres: sp.csr_matrix, movie_ids: np.ndarray, top_k: int = TOP_K
    ) -> MovieSimilarity:
        """``rated``: users × movies (any value marks a rating); ``genres``: movies × genres, 0/1."""
        rated = cap_heavy_raters(sp.csr_matrix(rated))  # the product's cost grows with the ratings
        by_user = sp.csc_matrix((np.ones(rated.nnz, np.float32), rated.nonzero()), shape=rated.shape)
        by_movie = by_user.T.tocsr()
        n_movies = by_user.shape[1]
        pairs = PairScores(by_user, sp.csr_matrix(genres, dtype=np.float32))
        k = min(top_k, max(n_movies - 1, 1))
        neighbours = np.full((n_movies, k), -1, np.int64)
        scores = np.full((n_movies, k), -np.inf, np.float32)
        for start in range(0, n_movies, BLOCK):
            stop = min(start + BLOCK, n_movies)
            table = pairs.table(start, by_movie[start:stop] @ by_user)  # float32: counts exact below 2**24
            top_scores, top = torch.topk(table, k, dim=1)
            neighbours[start:stop] = torch.where(torch.isfinite(top_scores), top, -1).numpy()
            scores[start:stop] = top_scores.numpy()
        return cls(np.asarray(movie_ids, np.int64), neighbours, scores)

    def with_movies(
        self, movie_ids: np.ndarray, neighbour_ids: np.ndarray, scores: np.ndarray
    ) -> MovieSimilarity:
        """This table with the lists of ``movie_ids`` set to ``neighbour_ids`` (raw ids, one row per movie,
        best first, -1 padding) and ``scores``, and each movie entered in its neighbours' lists where it
        beats the last entry: a movie nobody has rated yet (``similar_by_embedding``) appears on its
        neighbours' pages too. Rows of other movies keep their order."""
        added = np.asarray(movie_ids, np.int64)
        all_ids = np.union1d(self.movie_ids, added)
        moved = np.searchsorted(all_ids, self.movie_ids)  # old row -> new row
        width = self.neighbours.shape[1]
        neighbours = np.full((len(all_ids), width), -1, np.int64)
        table = np.full(neighbours.shape, -np.inf, np.float32)
        neighbours[moved] = np.where(self.neighbours >= 0, moved[np.maximum(self.neighbours, 0)], -1)
        table[moved] = self.scores
        rows = np.searchsorted(all_ids, added)
        stale = np.isin(neighbours, rows)  # an update replaces the movie's old entries
        neighbours[stale], table[stale] = -1, -np.inf
        neighbour_ids = np.asarray(neighbour_ids, np.int64)[:, :width]
        scores = np.asarray(scores, np.float32)[:, :width]
        for row, ids, top in zip(rows, neighbour_ids, scores, strict=True):
            keep = (ids >= 0) & (ids != all_ids[row])
            ids, top = np.searchsorted(all_ids, ids[keep]), top[keep]
            neighbours[row], table[row] = -1, -np.inf
            neighbours[row, : len(ids)], table[row, : len(ids)] = ids, top
            for other, score in zip(ids, top, strict=True):
                entries = np.where(neighbours[other] >= 0, table[other], -np.inf)
                last = int(np.argmin(entries))
                if score > entries[last]:
                    entries[last], neighbours[other, last] = score, row
                    order = np.argsort(-entries, kind="stable")
                    neighbours[other], table[other] = neighbours[other, order], entries[order]
        return MovieSimilarity(all_ids, neighbours, table)

    def similar(self, movie_id: int, k: int, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``k`` ``(raw movie id, score)`` most similar to ``movie_id``, best first; none when the
        movie is unknown or nobody rated it with another."""
        row = np.searchsorted(self.movie_ids, movie_id)
        if row >= len(self.movie_ids) or self.movie_ids[row] != movie_id:
            return []
        found = self.neighbours[row] >= 0
        ids, scores = self.movie_ids[self.neighbours[row][found]], self.scores[row][found]
        if exclude is not None and len(exclude):
            keep = ~np.isin(ids, exclude)
            ids, scores = ids[keep], scores[keep]
        return list(zip(ids[:k].tolist(), scores[:k].astype(float).tolist(), strict=True))

    # ---------------------------------------------------------------- persistence

    def save(self, path: str | Path, model_version: str) -> Path:
        """Write the table for the recommender ``model_version`` atomically, as ``Recommender.save``, so a
        reader finds the old file or the new one (:func:`ml.npz_files.save_npz_atomically`)."""
        metadata = {"format_version": FORMAT_VERSION, "model_version": model_version, "formula": _formula()}
        return save_npz_atomically(
            path,
            metadata=np.array(json.dumps(metadata)),
            movie_ids=self.movie_ids,
            neighbours=self.neighbours,
            scores=self.scores,
        )

    @classmethod
    def load(cls, path: str | Path, model_version: str, movie_ids: np.ndarray) -> MovieSimilarity:
        """The table saved at ``path`` if this code fitted it for the recommender ``model_version`` over
        exactly the movies ``movie_ids``; :class:`SimilarityMismatch` saying why not otherwise."""
        try:
            with np.load(path, allow_pickle=False) as archive:
                metadata = json.loads(str(archive["metadata"]))
                table = cls(archive["movie_ids"], archive["neighbours"], archive["scores"])
        except (KeyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
            raise SimilarityMismatch(f"{path}: not a readable similar-movie table ({error})") from error
        if metadata.get("format_version") != FORMAT_VERSION or metadata.get("formula") != _formula():
            raise SimilarityMismatch(f"{path}: fitted by another version of the code")
        if metadata.get("model_version") != model_version:
            raise SimilarityMismatch(
                f"{path}: fitted for model {metadata.get('model_version')}, not {model_version}"
            )
        if not np.array_equal(table.movie_ids, np.asarray(movie_ids, np.int64)):
            raise SimilarityMismatch(
                f"{path}: fitted over {len(table.movie_ids)} movies; the catalogue's "
                f"{len(movie_ids)} movies differ"
            )
        table._check_shapes(path)
        return table

    def _check_shapes(self, path: str | Path) -> None:
        n = len(self.movie_ids)
        fits = (
            self.neighbours.ndim == 2
            and self.neighbours.shape == self.scores.shape
            and len(self.neighbours) == n
            and self.neighbours.dtype == np.int64
            and self.scores.dtype == np.float32
            and bool(((self.neighbours >= -1) & (self.neighbours < n)).all())
        )
        if not fits:
            raise SimilarityMismatch(f"{path}: its tables do not fit its {n} movies")


def _formula() -> dict[str, float]:
    """What a fitted table depends on besides the ratings, genres and movies (checked when loading)."""
    return {
        "shrink": SHRINK,
        "genre_bonus": GENRE_BONUS,
        "top_k": TOP_K,
        "pairs_per_rating": PAIRS_PER_RATING,
    }


class PairScores:
    """``score`` (module docstring) of a block of movies against every movie, from the co-rating counts.

    Only the co-rated pairs (the non-zeros of the block's ``Xᵀ X``) get a score: ``log``, shrinkage, the
    row's best and the genre Jaccard are computed on them as vectors, with the operations, their order
    and the float32 precision of the formula, and scattered into a dense ``block × movies`` table of -inf
    for the top-k. The vectors live in buffers reused from block to block (:class:`Scratch`).
    """

    def __init__(self, by_user: sp.csc_matrix, genres: sp.csr_matrix) -> None:
        self.n_users, self.n_movies = by_user.shape
        self.raters = torch.from_numpy(np.asarray(by_user.sum(axis=0)).ravel().astype(np.float32))
        # Movies share few distinct genre sets (1,639 in ml-25m): Jaccard is computed between sets.
        sets, genre_set = np.unique(genres.toarray(), axis=0, return_inverse=True)
        self.genre_sets = torch.from_numpy(sets)  # sets × genres
        self.genre_set = torch.from_numpy(genre_set.astype(np.int32).ravel())  # of each movie
        self.scratch = Scratch()

    def table(self, first: int, co_rated: sp.csr_matrix) -> torch.Tensor:
        """``block × movies`` float32 for the movies ``first, first + 1, …`` (the rows of ``co_rated``, their
        rows of ``Xᵀ X``): the score of each pair, -inf where nobody rated both and on the diagonal. The
        table is a buffer that the next call overwrites."""
        co_rated = sp.csr_matrix(co_rated)
        block, n = co_rated.shape[0], co_rated.nnz
        row = self.rows_of_pairs(co_rated.indptr)
        own = torch.add(row, first, out=self.scratch("own", n, np.int32))
        movie = torch.from_numpy(co_rated.indices.astype(np.int32, copy=False))
        score = self.shrunk_pmi(torch.from_numpy(co_rated.data), own, movie)
        diagonal = torch.eq(own, movie, out=self.scratch("chance", n, np.bool_))  # free after the pmi
        score.masked_fill_(diagonal, -torch.inf)
        best = np.full(block, -np.inf, np.float32)
        rated = np.diff(co_rated.indptr) > 0
        best[rated] = np.maximum.reduceat(score.numpy(), co_rated.indptr[:-1][rated])
        scale = torch.from_numpy(np.where(np.isfinite(best) & (best > 0), best, np.float32(1.0)))
        score.div_(torch.index_select(scale, 0, row, out=self.scratch("per pair", n)))
        flat = self.scratch("place", n, _index_type(block * self.n_movies)).copy_(row)
        flat.mul_(self.n_movies).add_(movie)  # of the pair in the block, row-major
        score.add_(self.genre_jaccard(first, block, row, movie).mul_(GENRE_BONUS))
        table = self.scratch("table", (block, self.n_movies)).fill_(-torch.inf)
        return table.view(-1).index_put_((flat,), score).view(block, self.n_movies)

    def rows_of_pairs(self, indptr: np.ndarray) -> torch.Tensor:
        """The row of each stored entry of a CSR matrix with row pointers ``indptr`` (int32): a cumulative
        sum of row starts, in reused buffers (``np.repeat`` would write a fresh array each block)."""
        n = int(indptr[-1])
        starts = self.scratch("row starts", n, np.int32).zero_().numpy()
        later = indptr[1:-1]
        np.add.at(starts, later[later < n], 1)  # an empty row starts where the next one does
        return torch.from_numpy(np.cumsum(starts, out=self.scratch("row", n, np.int32).numpy()))

    def shrunk_pmi(self, both: torch.Tensor, own: torch.Tensor, movie: torch.Tensor) -> torch.Tensor:
        """``pmi · C / (C + SHRINK)`` of co-rated pairs ``(own, movie)``, ``both`` their counts ``C > 0``."""
        n = len(both)
        chance = torch.index_select(self.raters, 0, own, out=self.scratch("chance", n))
        chance.mul_(torch.index_select(self.raters, 0, movie, out=self.scratch("per pair", n)))
        pmi = torch.mul(both, self.n_users, out=self.scratch("score", n)).div_(chance).log_()
        return pmi.mul_(both).div_(torch.add(both, SHRINK, out=chance))

    def genre_jaccard(self, first: int, block: int, row: torch.Tensor, movie: torch.Tensor) -> torch.Tensor:
        """Jaccard of the genre sets of the pairs (``first + row``, ``movie``): computed once per block
        between the block's movies and every distinct set, then looked up for each pair."""
        n = len(row)
        own = self.genre_sets[self.genre_set[first : first + block].long()]  # block × genres
        shared = own @ self.genre_sets.T  # block × sets
        union = own.sum(dim=1, keepdim=True) + self.genre_sets.sum(dim=1)[None, :] - shared
        jaccard = (shared / torch.clamp(union, min=1.0)).view(-1)
        sets = len(self.genre_sets)
        # The buffers of ``own`` and of the row starts are free again.
        lookup = self.scratch("own", n, _index_type(block * sets)).copy_(row).mul_(sets)
        lookup.add_(torch.index_select(self.genre_set, 0, movie, out=self.scratch("row starts", n, np.int32)))
        return torch.index_select(jaccard, 0, lookup, out=self.scratch("per pair", n))


def _index_type(size: int) -> type:
    """int32 for positions in a table of ``size`` entries where they fit (half the memory traffic)."""
    return np.int32 if size < 2**31 else np.int64


class Scratch:
    """Named buffers reused from block to block, allocated by numpy. A fresh 100 MB array costs its page
    faults (memory the kernel zeroes) on its first write, about as much as the arithmetic on it; and numpy
    asks for transparent huge pages for large arrays where torch does not (a fresh torch tensor cost 3× a
    numpy one here)."""

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def __call__(self, name: str, shape: int | tuple[int, ...], dtype: type = np.float32) -> torch.Tensor:
        """Buffer ``name`` as a tensor of ``shape`` and ``dtype`` (its old values, or garbage)."""
        size = int(np.prod(shape))
        nbytes = size * np.dtype(dtype).itemsize
        buffer = self._buffers.get(name)
        if buffer is None or buffer.nbytes < nbytes:
            buffer = np.empty(max(nbytes, 0 if buffer is None else buffer.nbytes * 5 // 4), np.uint8)
            self._buffers[name] = buffer
        return torch.from_numpy(buffer[:nbytes].view(dtype).reshape(shape))
