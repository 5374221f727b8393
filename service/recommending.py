"""Turning a user's history into ranked, explained movies (the body of GET /recommendations)."""

from __future__ import annotations

import numpy as np

from service.reasons import LOVED, Anchor
from service.schemas import ScoredMovie
from service.serving_model import ServingModel

MAX_ANCHORS = 50  # the user's loved movies considered when explaining; newest first


def loved_movies(history: list[dict]) -> list[Anchor]:
    """Movies the user rated ≥ 4, or, if none, their best-rated ones."""
    if not history:
        return []
    loved = [Anchor(int(r["movie_id"]), float(r["rating"])) for r in history if r["rating"] >= LOVED]
    if not loved:
        best = max(r["rating"] for r in history)
        loved = [Anchor(int(r["movie_id"]), float(r["rating"])) for r in history if r["rating"] == best]
    return loved[:MAX_ANCHORS]


def recommend_movies(
    model: ServingModel, vector: np.ndarray | None, history: list[dict], genres: list[str], k: int
) -> list[ScoredMovie]:
    catalogue = model.catalogue
    allowed = catalogue.in_genres(genres)
    rated = np.array([row["movie_id"] for row in history], dtype=np.int64)
    if vector is None:
        return _popular(model, allowed, rated, genres, k)
    ranked = model.recommender.recommend(vector, k, allowed_items=allowed, exclude=rated)
    loved = loved_movies(history)
    loved_ids = np.array([a.movie_id for a in loved], dtype=np.int64)
    rating_of = {a.movie_id: a for a in loved}
    movie_ids = [int(m) for m, _ in ranked]
    contributors = model.recommender.top_contributors(vector, np.array(movie_ids, dtype=np.int64), loved_ids)
    anchors = [rating_of.get(int(c)) for c in contributors]
    reasons = model.reasons.for_user(anchors, movie_ids, loved)
    return [
        ScoredMovie(movie=catalogue.movie(m), score=float(s), reason=reason)
        for (m, s), reason in zip(ranked, reasons, strict=True)
    ]


def _popular(model: ServingModel, allowed, rated: np.ndarray, genres: list[str], k: int) -> list[ScoredMovie]:
    catalogue = model.catalogue
    candidates = catalogue.ids if allowed is None else allowed
    ids, counts = catalogue.most_rated(candidates[~np.isin(candidates, rated)], k)
    top = max(int(counts[0]), 1) if len(counts) else 1
    reason = model.reasons.for_genres(genres)
    return [
        ScoredMovie(movie=catalogue.movie(int(m)), score=float(c) / top, reason=reason)
        for m, c in zip(ids, counts, strict=True)
    ]


def similar_movies(model: ServingModel, movie_id: int, k: int) -> list[ScoredMovie]:
    ranked = model.recommender.similar_items(movie_id, k)
    ids = [int(m) for m, _ in ranked]
    reasons = model.reasons.for_similar(movie_id, ids)
    return [
        ScoredMovie(movie=model.catalogue.movie(m), score=float(s), reason=reason)
        for (m, s), reason in zip(ranked, reasons, strict=True)
    ]
