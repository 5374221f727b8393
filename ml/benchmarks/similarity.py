"""Are "similar movies" ones a person recognises? (``cinegraph bench experience``)

Every movie's top-10, from the LightGCN embeddings (cosine; what the product showed before) and from
:class:`ml.similarity.MovieSimilarity` (what it shows now), both from the same training ratings:

- **franchise hit@5 / hit@10**: over the franchise pairs found from the titles
  (:mod:`ml.benchmarks.franchises`), in both directions, the share whose partner is in the top 5 / 10;
- **popularity ratio**: for movies with ≥ ``MIN_RATINGS`` ratings, the median over movies of (median
  ratings of its list / its own ratings), and the share of list entries among the 100 most-rated
  movies (the "popular everywhere" symptom);
- **genre Jaccard**: mean Jaccard between a movie's genres and those of its list;
- **rare share**: list entries with fewer than 5 ratings (what the shrinkage guards against);
- a few lists to read, titles with their ratings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ml.benchmarks.franchises import franchise_pairs
from ml.recommender import Recommender
from ml.similarity import MovieSimilarity

LIST_LENGTH = 10
MIN_RATINGS = 20
READ = ("Star Wars", "Godfather, The", "Toy Story", "Alien", "Scream", "Terminator, The")


def _genre_matrix(movies: pd.DataFrame) -> sp.csr_matrix:
    names = sorted({genre for genres in movies["genres"] for genre in genres})
    column = {name: c for c, name in enumerate(names)}
    rows = [r for r, genres in enumerate(movies["genres"]) for _ in genres]
    columns = [column[g] for genres in movies["genres"] for g in genres]
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, columns)), shape=(len(movies), len(names)))


def _embedding_lists(model: Recommender) -> np.ndarray:
    unit = model.item_embeddings / np.maximum(
        np.linalg.norm(model.item_embeddings, axis=1, keepdims=True), 1e-12
    )
    scores = unit @ unit.T
    np.fill_diagonal(scores, -np.inf)
    top = np.argpartition(-scores, LIST_LENGTH, axis=1)[:, :LIST_LENGTH]
    return np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, 1), axis=1), 1)


def _scores(top: np.ndarray, pairs: pd.DataFrame, counts: np.ndarray, genres: np.ndarray) -> dict:
    """Measures of the module docstring for ``top`` (movies × 10 rows of the model's items; -1: none)."""
    source = np.concatenate([pairs["a_row"], pairs["b_row"]])
    partner = np.concatenate([pairs["b_row"], pairs["a_row"]])
    sources = np.flatnonzero(counts >= MIN_RATINGS)
    lists = top[sources]
    present = lists >= 0
    listed = np.where(present, lists, 0)
    ratio = np.nanmedian(np.where(present, counts[listed], np.nan), axis=1) / counts[sources]
    shared = (genres[sources][:, None, :] & genres[listed]).sum(-1)
    union = (genres[sources][:, None, :] | genres[listed]).sum(-1)
    jaccard = shared / np.maximum(union, 1)
    most_rated = np.argsort(-counts, kind="stable")[:100]
    return {
        "franchise_hit@5": round(float((top[source, :5] == partner[:, None]).any(1).mean()), 3),
        "franchise_hit@10": round(float((top[source, :10] == partner[:, None]).any(1).mean()), 3),
        "popularity_ratio_median": round(float(np.median(ratio)), 2),
        "share_among_100_most_rated": round(float(np.isin(lists, most_rated)[present].mean()), 3),
        "genre_jaccard": round(float(jaccard[present].mean()), 3),
        "share_under_5_ratings": round(float((counts[listed] < 5)[present].mean()), 3),
    }


def similarity_report(model: Recommender, train: pd.DataFrame, movies: pd.DataFrame) -> dict:
    """Before (embedding cosine) and after (``MovieSimilarity``), on the movies the model knows."""
    movies = movies.set_index("movie_id").loc[model.item_ids].reset_index()
    rated = model.interaction_matrix(train)
    counts = np.asarray(rated.sum(axis=0)).ravel()
    genre_matrix = _genre_matrix(movies)
    index = MovieSimilarity.fit(rated, genre_matrix, model.item_ids)
    rows = pd.Index(model.item_ids)
    after = np.full((len(rows), LIST_LENGTH), -1)
    for row, movie_id in enumerate(model.item_ids):
        found = rows.get_indexer([m for m, _ in index.similar(int(movie_id), LIST_LENGTH)])
        after[row, : len(found)] = found
    pairs = franchise_pairs(movies).assign(
        a_row=lambda f: rows.get_indexer(f["a"]), b_row=lambda f: rows.get_indexer(f["b"])
    )
    pairs = pairs[(pairs["a_row"] >= 0) & (pairs["b_row"] >= 0)]
    genres = genre_matrix.toarray().astype(bool)
    lists = {"before (LightGCN embedding cosine)": _embedding_lists(model), "after (ml.similarity)": after}
    titles = movies["title"].to_numpy()
    report: dict = {"franchise_pairs": len(pairs), "movies": len(rows)}
    for name, top in lists.items():
        report[name] = _scores(top, pairs, counts, genres)
        report[name]["lists"] = {
            title: [
                f"{titles[j]} [{int(counts[j])}]"
                for j in top[np.flatnonzero(titles == title)[0], :6]
                if j >= 0
            ]
            for title in READ
            if title in set(titles)
        }
    return report
