"""Turning a user's history into ranked, explained movies (the body of GET /recommendations)."""

from __future__ import annotations

import dataclasses

import numpy as np

from service.catalogue import GenreMode
from service.reasons import LOVED, Anchor, Reason
from service.schemas import ReasonEvidence, ScoredMovie
from service.serving_model import ServingModel
from service.store.graph_store import UserHistory

MAX_ANCHORS = 50  # the user's loved movies considered when explaining; newest first


def loved_movies(history: UserHistory) -> list[Anchor]:
    """Movies the user rated ≥ 4 or picked, newest first; if none, their best-rated ones."""
    ratings = history.ratings
    loved = [Anchor(int(r["movie_id"]), float(r["rating"])) for r in ratings if r["rating"] >= LOVED]
    loved += [Anchor(int(r["movie_id"]), None) for r in history.picks]
    if not loved and ratings:
        best = max(r["rating"] for r in ratings)
        loved = [Anchor(int(r["movie_id"]), float(r["rating"])) for r in ratings if r["rating"] == best]
    return loved[:MAX_ANCHORS]


def recommend_movies(
    model: ServingModel,
    user_id: int,
    vector: np.ndarray | None,
    history: UserHistory,
    genres: list[str],
    k: int,
    genre_mode: GenreMode = "any",
) -> list[ScoredMovie]:
    catalogue = model.catalogue
    allowed = catalogue.in_genres(genres, genre_mode)
    excluded = history.excluded_ids  # rated, picked, or marked not interested
    if vector is None:
        return _popular(model, allowed, excluded, genres, k, genre_mode)
    ranked = model.recommender.recommend(vector, k, allowed_items=allowed, exclude=excluded)
    loved = loved_movies(history)
    loved_ids = np.array([a.movie_id for a in loved], dtype=np.int64)
    rating_of = {a.movie_id: a for a in loved}
    movie_ids = [int(m) for m, _ in ranked]
    contributors = model.recommender.top_contributors(np.array(movie_ids, dtype=np.int64), loved_ids)
    anchors = [rating_of.get(int(c)) for c in contributors]
    reasons = model.reasons.for_user(anchors, movie_ids, loved)
    stars = model.recommender.predicted_ratings(
        vector, np.array(movie_ids, np.int64), history.rated_ids, history.rating_values
    )
    return [
        ScoredMovie(
            movie=catalogue.movie(m),
            score=float(s),
            predicted_rating=round(float(p), 1),
            reason=reason.text,
            evidence=_evidence(reason),
        )
        for (m, s), p, reason in zip(ranked, stars, reasons, strict=True)
    ]


def _evidence(reason: Reason) -> ReasonEvidence | None:
    if reason.evidence is None:
        return None
    return ReasonEvidence(**dataclasses.asdict(reason.evidence))


def _popular(
    model: ServingModel, allowed, excluded: np.ndarray, genres: list[str], k: int, genre_mode: GenreMode
) -> list[ScoredMovie]:
    catalogue = model.catalogue
    candidates = catalogue.ids if allowed is None else allowed
    ids, counts = catalogue.most_rated(candidates[~np.isin(candidates, excluded)], k)
    top = max(int(counts[0]), 1) if len(counts) else 1
    reason = model.reasons.for_genres(genres, genre_mode)
    return [
        ScoredMovie(movie=catalogue.movie(int(m)), score=float(c) / top, reason=reason)
        for m, c in zip(ids, counts, strict=True)
    ]


def similar_movies(
    model: ServingModel, movie_id: int, k: int, exclude: np.ndarray | None = None
) -> list[ScoredMovie]:
    """The movie's most similar movies, less ``exclude`` (a signed-in user's "not interested")."""
    ranked = model.similarity.similar(movie_id, k, exclude=exclude)
    ids = [int(m) for m, _ in ranked]
    reasons = model.reasons.for_similar(movie_id, ids)
    return [
        ScoredMovie(movie=model.catalogue.movie(m), score=float(s), reason=r.text, evidence=_evidence(r))
        for (m, s), r in zip(ranked, reasons, strict=True)
    ]
