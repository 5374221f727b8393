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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

SHRINK = 20.0
GENRE_BONUS = 0.25
TOP_K = 50
BLOCK = 512


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
