"""``cinegraph bench cold-items``: movies nobody has rated, recommended through the graph.

Protocol, per seed: ``COLD_SHARE`` of the catalogue's movies (seeded, drawn among movies with at least
``MIN_RATINGS`` ratings, so each has users to score) lose **every** rating; LightGCN is trained on the
rest with the product's :class:`~ml.train.TrainConfig` (early stopping on a per-user random 10%, as
``cinegraph bench experience``'s onboarding does). Every trained user who rated at least one cold
movie then gets a ranking of **the cold movies only**, scored with NDCG@20 and Recall@20 against all
their ratings of them: every rating is relevant, as in :mod:`ml.evaluate` (``positives`` with the
config's ``rating_threshold``, None by default).

Scorers (all see the catalogue's facts and the other movies' ratings, none the cold movies' ratings;
the baselines read every such rating, the model's users only the 90% it trained on):

- **product**: the trained user vector · the cold movie's :class:`~ml.cold_items.ColdItemEncoder`
  embedding (genres, period, people), fitted on the warm movies of the same model; and, where the
  dataset has people, the same without the person type;
- **genre share**: ``Σ_{g ∈ genres(c)} n_u(g) / n_u``, the user's share of training ratings that
  fall in each of the movie's genres, summed (a movie in two of the user's genres beats one in one);
- **content kNN**: cosine between movies' ``[genre one-hot, z-scored year]`` vectors; a cold movie's
  score is the sum of its similarities to the user's ``KNN_NEIGHBOURS`` most similar rated warm movies;
- **random**: the floor.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch

from ml.cold_items import ATTRIBUTE_TYPES, ColdItemEncoder
from ml.graph import MovieFacts, movie_graph
from ml.interactions import IdMap, interaction_matrix, positives, validate_interactions
from ml.metrics import ranking_metrics, top_k
from ml.recommender import Recommender
from ml.split import split_interactions
from ml.train import TrainConfig

log = logging.getLogger(__name__)

COLD_SHARE = 0.1
MIN_RATINGS = 10
LIST_LENGTH = 20
KNN_NEIGHBOURS = 20
PRODUCT = "product (user · cold embedding)"
PRODUCT_WITHOUT_PEOPLE = "product without people"
GENRE_SHARE = "genre share"
CONTENT_KNN = f"content kNN (genre+year, k={KNN_NEIGHBOURS})"
RANDOM = "random"

Scorer = Callable[[np.ndarray], np.ndarray]


def choose_cold_movies(ratings: pd.DataFrame, catalogue: np.ndarray, seed: int) -> np.ndarray:
    """``COLD_SHARE`` of the catalogue (at most all eligible), drawn among movies with ≥ ``MIN_RATINGS``."""
    counts = ratings["item_id"].value_counts()
    eligible = np.sort(counts.index[counts >= MIN_RATINGS].to_numpy(np.int64))
    size = min(len(eligible), max(1, round(COLD_SHARE * len(catalogue))))
    return np.sort(np.random.default_rng(seed).choice(eligible, size=size, replace=False))


def genre_matrix(facts: MovieFacts, movie_ids: np.ndarray) -> sp.csr_matrix:
    """Binary (movies × genres) matrix, rows aligned with ``movie_ids``; genre columns sorted by name."""
    names, columns = np.unique(facts.genres, return_inverse=True)
    rows = IdMap(np.asarray(movie_ids, np.int64)).lookup(facts.genre_movie_ids)
    known = rows >= 0
    return interaction_matrix(rows[known], np.reshape(columns, -1)[known], len(movie_ids), len(names))


def content_vectors(facts: MovieFacts, movie_ids: np.ndarray) -> np.ndarray:
    """Unit ``[genre one-hot, z-scored year]`` rows for ``movie_ids`` (an unknown year is the mean)."""
    genres = genre_matrix(facts, movie_ids).toarray()
    years = pd.Series(facts.years, index=facts.movie_ids).groupby(level=0).first()
    year = years.reindex(movie_ids).to_numpy(np.float64)
    known = np.isfinite(facts.years)
    z = (year - facts.years[known].mean()) / max(facts.years[known].std(), 1e-9)
    vectors = np.hstack([genres, np.nan_to_num(z, nan=0.0)[:, None]])
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def content_knn_scorer(
    history: sp.csr_matrix, similarity: np.ndarray, k: int = KNN_NEIGHBOURS, batch_size: int = 32
) -> Scorer:
    """Sum of each cold movie's ``k`` largest similarities (``similarity``: cold × warm) among the
    user's rated warm movies (``history``: users × warm)."""
    similarity_t = torch.from_numpy(similarity)

    def score(rows: np.ndarray) -> np.ndarray:
        out = []
        for start in range(0, len(rows), batch_size):
            rated = torch.from_numpy(history[rows[start : start + batch_size]].toarray() > 0)
            masked = torch.where(rated[:, None, :], similarity_t[None], float("-inf"))
            top = torch.topk(masked, min(k, masked.shape[-1]), dim=-1).values
            out.append(torch.where(torch.isfinite(top), top, 0.0).sum(-1).numpy())
        return np.concatenate(out) if out else np.zeros((0, similarity.shape[0]), np.float32)

    return score


def _score_table(scorers: dict[str, Scorer], target: sp.csr_matrix) -> dict[str, dict[str, float]]:
    rows = np.arange(target.shape[0])
    results = {}
    for name, score in scorers.items():
        top = top_k(score, rows, min(LIST_LENGTH, target.shape[1]), None)
        metrics = ranking_metrics(top, target, ks=(top.shape[1],))
        results[name] = {
            "ndcg@20": metrics[f"ndcg@{top.shape[1]}"],
            "recall@20": metrics[f"recall@{top.shape[1]}"],
        }
    return results


@dataclass
class ColdStart:
    """One seed's setting: the cold movies, the ratings without them, the model trained on those."""

    seed: int
    cold: np.ndarray  # raw movie ids, sorted
    warm: pd.DataFrame  # every rating of the other movies
    train: pd.DataFrame  # the per-user 90% of ``warm`` the model trained on (the rest stopped it)
    model: Recommender
    train_seconds: float


def train_without_cold(
    ratings: pd.DataFrame, facts: MovieFacts, config: TrainConfig, seed: int, progress: bool = False
) -> ColdStart:
    """Draw the cold movies, drop every rating of them, train on a per-user 90% (early stopping on 10%)."""
    table = validate_interactions(ratings, source="ratings")
    cold = choose_cold_movies(table, np.union1d(facts.movie_ids, table["item_id"].to_numpy()), seed)
    warm_ratings = table[~table["item_id"].isin(cold)]
    train, valid, _ = split_interactions(warm_ratings, "random", seed=seed, ratios=(0.9, 0.1, 0.0))
    started = time.perf_counter()
    model = Recommender.fit(train, dataclasses.replace(config, seed=seed), valid, progress)
    return ColdStart(seed, cold, warm_ratings, train, model, time.perf_counter() - started)


def score_cold_movies(
    ratings: pd.DataFrame, facts: MovieFacts, start: ColdStart, config: TrainConfig
) -> dict:
    """Every scorer's NDCG@20 and Recall@20 over the trained users who rated a cold movie."""
    model, cold = start.model, start.cold
    graph = movie_graph(start.train, facts)
    encoders = {PRODUCT: ColdItemEncoder.from_recommender(graph, model)}
    if graph.data["person"].num_nodes:
        types = tuple(t for t in ATTRIBUTE_TYPES if t != "person")
        encoders[PRODUCT_WITHOUT_PEOPLE] = ColdItemEncoder.from_recommender(graph, model, types)

    table = validate_interactions(ratings, source="ratings")
    held = positives(table[table["item_id"].isin(cold)], config.rating_threshold)
    users = IdMap(model.user_ids)
    user_rows = users.lookup(held["user_id"].to_numpy())
    cold_cols = IdMap(cold).lookup(held["item_id"].to_numpy())
    known = user_rows >= 0
    everyone = interaction_matrix(user_rows[known], cold_cols[known], len(users), len(cold))
    scored = np.flatnonzero(np.diff(everyone.indptr) > 0)  # trained users with a cold rating
    target = everyone[scored]
    user_vectors = model.user_embeddings[scored]

    # The baselines read every warm rating, the 10% that only stopped training included.
    history = model.interaction_matrix(positives(start.warm, config.rating_threshold))[scored]
    shares = np.asarray(history @ genre_matrix(facts, model.item_ids).toarray())
    shares /= np.maximum(np.diff(history.indptr), 1)[:, None]
    cold_genres = genre_matrix(facts, cold).toarray().T
    similarity = content_vectors(facts, cold) @ content_vectors(facts, model.item_ids).T
    random_scores = np.random.default_rng(start.seed).random((len(scored), len(cold))).astype(np.float32)

    embeddings = {name: encoder.embed_movies(cold) for name, encoder in encoders.items()}
    scorers: dict[str, Scorer] = {
        name: (lambda rows, e=embedding: user_vectors[rows] @ e.T) for name, embedding in embeddings.items()
    }
    scorers[GENRE_SHARE] = lambda rows: shares[rows] @ cold_genres
    scorers[CONTENT_KNN] = content_knn_scorer(history, similarity)
    scorers[RANDOM] = lambda rows: random_scores[rows]
    return {
        "seed": start.seed,
        "cold_movies": len(cold),
        "users": len(scored),
        "cold_ratings_per_user_median": float(np.median(np.diff(target.indptr))),
        "train_s": round(start.train_seconds, 1),
        "encoders": {name: encoder.summary() for name, encoder in encoders.items()},
        "metrics": _score_table(scorers, target),
    }


def cold_items_run(
    ratings: pd.DataFrame, facts: MovieFacts, config: TrainConfig, seed: int, progress: bool = False
) -> dict:
    """One seed of the protocol (module docstring): its metrics per scorer and what it cost."""
    start = train_without_cold(ratings, facts, config, seed, progress)
    run = score_cold_movies(ratings, facts, start, config)
    log.info("cold items, seed %d: %s", seed, run["metrics"])
    return run


def cold_items_report(
    ratings: pd.DataFrame,
    facts: MovieFacts,
    config: TrainConfig | None = None,
    seeds: tuple[int, ...] = (0, 1, 2),
    progress: bool = False,
) -> dict:
    """Every seed's run and, per scorer, the mean and standard deviation over seeds."""
    runs = [cold_items_run(ratings, facts, config or TrainConfig(), seed, progress) for seed in seeds]
    return summarise_runs(runs)


def summarise_runs(runs: list[dict]) -> dict:
    """Per scorer, the mean and standard deviation over the runs' seeds; the runs, rounded."""
    seeds = [run["seed"] for run in runs]
    summary = {}
    for name in runs[0]["metrics"]:
        summary[name] = {}
        for metric in ("ndcg@20", "recall@20"):
            values = np.array([run["metrics"][name][metric] for run in runs])
            summary[name][metric] = round(float(values.mean()), 4)
            summary[name][f"{metric}_std"] = round(float(values.std()), 4)
    for run in runs:
        run["metrics"] = {
            name: {k: round(v, 4) for k, v in metrics.items()} for name, metrics in run["metrics"].items()
        }
    return {"seeds": list(seeds), "summary": summary, "runs": runs}


def format_table(report: dict) -> str:
    """The summary as a fixed-width table (one row per scorer)."""
    lines = [f"{'scorer':<36} {'NDCG@20':>16} {'Recall@20':>16}"]
    for name, row in report["summary"].items():
        lines.append(
            f"{name:<36} {row['ndcg@20']:.4f} ±{row['ndcg@20_std']:.4f}   "
            f"{row['recall@20']:.4f} ±{row['recall@20_std']:.4f}"
        )
    return "\n".join(lines)
