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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ml.co_ratings import cap_heavy_raters

SHRINK = 20.0
GENRE_BONUS = 0.25
TOP_K = 50
BLOCK = 512


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


def genre_jaccard(genres: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Jaccard of genre sets between the movies ``rows`` and every movie: ``len(rows) × movies``."""
    shared = (genres[rows] @ genres.T).toarray()
    sizes = np.asarray(genres.sum(axis=1)).ravel()
    return shared / np.maximum(sizes[rows, None] + sizes[None, :] - shared, 1)


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
        n_users, n_movies = by_user.shape
        raters = np.asarray(by_user.sum(axis=0)).ravel().astype(np.float32)
        genres = sp.csr_matrix(genres, dtype=np.float32)
        k = min(top_k, max(n_movies - 1, 1))
        neighbours = np.full((n_movies, k), -1, np.int64)
        scores = np.full((n_movies, k), -np.inf, np.float32)
        for start in range(0, n_movies, BLOCK):
            rows = np.arange(start, min(start + BLOCK, n_movies))
            both = (by_movie[rows] @ by_user).toarray()  # float32: counts are exact below 2**24
            with np.errstate(divide="ignore", invalid="ignore"):
                pmi = np.log(both * n_users / np.outer(raters[rows], raters))
                score = np.where(both > 0, pmi * both / (both + SHRINK), -np.inf)
            score[np.arange(len(rows)), rows] = -np.inf
            best = score.max(axis=1, keepdims=True)
            score = score / np.where(np.isfinite(best) & (best > 0), best, 1.0)
            score += GENRE_BONUS * genre_jaccard(genres, rows)
            top = np.argpartition(-score, k - 1, axis=1)[:, :k]
            top = np.take_along_axis(top, np.argsort(-np.take_along_axis(score, top, 1), axis=1), 1)
            found = np.isfinite(np.take_along_axis(score, top, 1))
            neighbours[rows] = np.where(found, top, -1)
            scores[rows] = np.where(found, np.take_along_axis(score, top, 1), -np.inf)
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
