"""The movie catalogue held in memory: titles, genres and popularity for ranking and display.

Movies change only on import, so the service reads them once at start-up (and on retrain); the per-request
path then filters by genre with precomputed id arrays instead of a database round trip.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from service.schemas import Movie
from service.store.graph_store import GraphStore, Interactions

GenreMode = Literal["any", "all"]


class UnknownGenre(ValueError):
    def __init__(self, unknown: list[str], valid: list[str]) -> None:
        self.unknown, self.valid = unknown, valid
        shown = ", ".join(repr(genre[:40]) for genre in unknown[:5])
        super().__init__(f"unknown genre(s) {shown}; valid genres: {', '.join(valid)}")


def _genre_members(ids: np.ndarray, movies: dict[int, Movie]) -> dict[str, np.ndarray]:
    """genre -> sorted ids of its movies, genres in name order."""
    members: dict[str, list[int]] = {}
    for movie_id in ids:
        for genre in movies[int(movie_id)].genres:
            members.setdefault(genre, []).append(int(movie_id))
    return {genre: np.array(m, dtype=np.int64) for genre, m in sorted(members.items())}


@dataclass(frozen=True)
class Catalogue:
    ids: np.ndarray  # sorted movie ids, int64
    movies: dict[int, Movie]
    genre_members: dict[str, np.ndarray]  # genre -> sorted movie ids
    rating_counts: np.ndarray  # aligned with ids
    aliases: dict[int, int] = field(default_factory=dict)
    """Ids of films the dataset listed twice -> the movie they were merged into (``ml.data.hygiene``)."""

    @classmethod
    def build(
        cls, rows: list[dict], interactions: Interactions, aliases: dict[int, int] | None = None
    ) -> Catalogue:
        movies = {
            int(row["id"]): Movie(
                id=row["id"], title=row["title"], year=row["year"], genres=sorted(row["genres"])
            )
            for row in rows
        }
        ids = np.array(sorted(movies), dtype=np.int64)
        positions = np.searchsorted(ids, interactions.movie_ids)
        known = (positions < len(ids)) & (ids[np.minimum(positions, len(ids) - 1)] == interactions.movie_ids)
        counts = np.bincount(positions[known], minlength=len(ids))
        return cls(
            ids=ids,
            movies=movies,
            genre_members=_genre_members(ids, movies),
            rating_counts=counts,
            aliases=dict(aliases or {}),
        )

    def with_movies(self, rows: list[dict]) -> Catalogue:
        """This catalogue with movies added or changed (rows as ``movie_catalogue`` gives them); the
        rating counts stay those of the model's snapshot (a new movie has none)."""
        movies = dict(self.movies)
        for row in rows:
            movies[int(row["id"])] = Movie(
                id=row["id"], title=row["title"], year=row["year"], genres=sorted(row["genres"])
            )
        ids = np.array(sorted(movies), dtype=np.int64)
        counts = np.zeros(len(ids), dtype=self.rating_counts.dtype)
        counts[np.searchsorted(ids, self.ids)] = self.rating_counts
        return Catalogue(ids, movies, _genre_members(ids, movies), counts, self.aliases)

    @classmethod
    async def load(cls, store: GraphStore, interactions: Interactions) -> Catalogue:
        return cls.build(await store.movie_catalogue(), interactions, await store.movie_aliases())

    @property
    def genre_names(self) -> list[str]:
        return list(self.genre_members)

    def __contains__(self, movie_id: int) -> bool:
        return movie_id in self.movies

    def movie(self, movie_id: int) -> Movie:
        return self.movies[movie_id]

    def canonical_id(self, movie_id: int) -> int:
        """The movie an alias id was merged into; any other id is its own."""
        return self.aliases.get(movie_id, movie_id)

    def genre_matrix(self) -> sp.csr_matrix:
        """movies (rows of ``ids``) × genres (``genre_names``), 1 where the movie has the genre."""
        rows = [np.searchsorted(self.ids, members) for members in self.genre_members.values()]
        columns = [np.full(len(r), g) for g, r in enumerate(rows)]
        shape = (len(self.ids), len(self.genre_members))
        if not rows:
            return sp.csr_matrix(shape, dtype=np.float32)
        rows_, columns_ = np.concatenate(rows), np.concatenate(columns)
        return sp.csr_matrix((np.ones(len(rows_), np.float32), (rows_, columns_)), shape=shape)

    def rating_matrix(self, interactions: Interactions) -> sp.csr_matrix:
        """users × movies (rows of ``ids``), 1 where the user rated the movie; unknown movies left out."""
        positions = np.searchsorted(self.ids, interactions.movie_ids)
        known = (positions < len(self.ids)) & (
            self.ids[np.minimum(positions, len(self.ids) - 1)] == interactions.movie_ids
        )
        _, users = np.unique(interactions.user_ids[known], return_inverse=True)
        matrix = sp.csr_matrix(
            (np.ones(int(known.sum()), np.float32), (users, positions[known])),
            shape=(int(users.max(initial=-1)) + 1, len(self.ids)),
        )
        matrix.sum_duplicates()
        return matrix

    def check_genres(self, genres: list[str]) -> None:
        unknown = [g for g in genres if g not in self.genre_members]
        if unknown:
            raise UnknownGenre(unknown, self.genre_names)

    def in_genres(self, genres: list[str], mode: GenreMode = "any") -> np.ndarray | None:
        """Movie ids with any (or all) of the genres; None means no filter."""
        if not genres:
            return None
        self.check_genres(genres)
        members = [self.genre_members[g] for g in genres]
        if mode == "all":
            return functools.reduce(np.intersect1d, members)
        return np.unique(np.concatenate(members))

    def most_rated(self, candidates: np.ndarray, k: int, skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(movie ids, rating counts) of the most-rated ``k`` candidates after ``skip``; ties by id."""
        counts = self.rating_counts[np.searchsorted(self.ids, candidates)]
        order = np.lexsort((candidates, -counts))[skip : skip + k]
        return candidates[order], counts[order]

    def most_rated_movies(self, movie_ids: list[int], k: int) -> list[Movie]:
        """The most-rated ``k`` of ``movie_ids`` that the catalogue holds, most rated first."""
        candidates = np.unique(np.asarray(movie_ids, np.int64))
        candidates = candidates[np.isin(candidates, self.ids)]
        return [self.movies[int(i)] for i in self.most_rated(candidates, k)[0]]

    def popular(self, k: int, genre: str | None = None, skip: int = 0) -> tuple[int, list[Movie]]:
        """(how many movies there are, the most-rated ``k`` after ``skip``), optionally of one genre."""
        if genre is not None:
            self.check_genres([genre])
        candidates = self.ids if genre is None else self.genre_members[genre]
        ids, _counts = self.most_rated(candidates, k, skip)
        return len(candidates), [self.movies[int(i)] for i in ids]
