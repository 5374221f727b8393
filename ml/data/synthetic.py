"""A synthetic MovieLens-like dataset at any size, written in the exact published file formats.

Shape, not content, is what matters for scale tests, so the generator reproduces MovieLens' shape:
- item popularity is power-law: Zipf–Mandelbrot, p(rank) ∝ 1 / (rank + 60), whose flattened head gives
  the top movie ~0.3% of all ratings and ~15x the median movie at ml-1m size (ml-1m: 0.34%, ~28x),
- user activity is heavy-tailed (log-normal, at least ``min_ratings`` per user, as in MovieLens),
- every movie has 1–3 genres from MovieLens' 19, titles carry a release year,
- ratings follow MovieLens' star distribution (half stars for the csv flavour), shifted per movie,
- timestamps are spread over the collection period, each user's inside their own active window.

Everything is vectorised; 25M ratings take about a minute and ~2 GB of memory to generate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ml.data.movielens import ML100K_GENRES

GENRES = ML100K_GENRES[1:]  # 'unknown' is an ml-100k artefact


@dataclass(frozen=True)
class SyntheticSize:
    users: int
    movies: int
    ratings: int


# The published sizes of the MovieLens releases the scale benchmarks mimic.
SIZES = {
    "100k": SyntheticSize(943, 1_682, 100_000),
    "1m": SyntheticSize(6_040, 3_706, 1_000_209),
    "10m": SyntheticSize(69_878, 10_677, 10_000_054),
    "25m": SyntheticSize(162_541, 59_047, 25_000_095),
}
POPULARITY_OFFSET = 60
STAR_PROBABILITIES = np.array([0.06, 0.11, 0.27, 0.34, 0.22])  # ml-1m's 1..5 star shares
START_TS, END_TS = 946_684_800, 1_577_836_800  # 2000-01-01 .. 2020-01-01


def generate(size: SyntheticSize, seed: int = 0, half_stars: bool = False, min_ratings: int = 20):
    """(ratings, movies, users) frames in the loader's typed form."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / (np.arange(1, size.movies + 1) + POPULARITY_OFFSET)
    popularity = rng.permutation(popularity / popularity.sum())  # popular ids are spread over the range

    activity = rng.lognormal(mean=0.0, sigma=1.1, size=size.users)
    counts = min_ratings + np.floor(
        activity / activity.sum() * (size.ratings - min_ratings * size.users)
    ).astype(np.int64)
    counts = _fill_to_total(counts, size.ratings, cap=size.movies)

    users, movies = _distinct_pairs(rng, counts, popularity)
    movie_bias = rng.normal(0.0, 0.5, size.movies)
    stars = (
        rng.choice(5, size=len(users), p=STAR_PROBABILITIES)
        + 1
        + np.round(movie_bias[movies]).astype(np.int64)
    )
    ratings = np.clip(stars, 1, 5).astype(np.float64)
    if half_stars:
        ratings = np.clip(ratings - 0.5 * rng.integers(0, 2, len(ratings)), 0.5, 5.0)

    span = END_TS - START_TS
    user_start = START_TS + rng.integers(0, span * 0.9, size.users)
    user_length = rng.integers(3_600, span // 10, size.users)
    timestamps = user_start[users] + (rng.random(len(users)) * user_length[users]).astype(np.int64)

    rating_frame = pd.DataFrame(
        {"user_id": users + 1, "movie_id": movies + 1, "rating": ratings, "timestamp": timestamps}
    )
    return rating_frame, _movies(rng, size.movies), _users(rng, size.users)


def _fill_to_total(counts: np.ndarray, total: int, cap: int) -> np.ndarray:
    """Cap each user at the catalogue size and hand rounding and capping remainders to users with room."""
    counts = np.minimum(counts, cap)
    while (deficit := total - counts.sum()) > 0:
        room = np.flatnonzero(counts < cap)
        if len(room) == 0:
            raise ValueError(f"{total} ratings do not fit {len(counts)} users x {cap} movies")
        share = np.full(len(room), deficit // len(room))
        share[: deficit % len(room)] += 1
        counts[room] = np.minimum(counts[room] + share, cap)
    return counts


def _distinct_pairs(rng: np.random.Generator, counts: np.ndarray, popularity: np.ndarray):
    """Per user, ``counts[u]`` distinct movies drawn by popularity (rejection of duplicates, few rounds)."""
    n_movies = len(popularity)
    cumulative = np.cumsum(popularity)
    users = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    movies = np.minimum(np.searchsorted(cumulative, rng.random(len(users))), n_movies - 1)
    for _ in range(30):
        duplicate = _duplicates(users * n_movies + movies)
        if not duplicate.any():
            return users, movies
        # Redraw duplicates uniformly: the popular movies are already taken by those users.
        movies[duplicate] = rng.integers(0, n_movies, duplicate.sum())
    # The few left belong to users who rated most of the catalogue: give each an exact unrated movie.
    for position in np.flatnonzero(_duplicates(users * n_movies + movies)):
        taken = movies[users == users[position]]
        movies[position] = rng.choice(np.setdiff1d(np.arange(n_movies), taken))
    return users, movies


def _duplicates(keys: np.ndarray) -> np.ndarray:
    """True for every occurrence of a key after its first."""
    duplicate = np.ones(len(keys), dtype=bool)
    duplicate[np.unique(keys, return_index=True)[1]] = False
    return duplicate


def _movies(rng: np.random.Generator, n: int) -> pd.DataFrame:
    genre_count = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
    genre_weights = np.linspace(2.0, 0.3, len(GENRES))
    genre_weights /= genre_weights.sum()
    genres = [
        sorted(rng.choice(GENRES, size=c, replace=False, p=genre_weights).tolist()) for c in genre_count
    ]
    years = rng.integers(1920, 2020, n)
    return pd.DataFrame(
        {
            "movie_id": np.arange(1, n + 1, dtype=np.int64),
            "title": [f"Synthetic Movie {i}" for i in range(1, n + 1)],
            "year": pd.array(years, dtype="Int64"),
            "genres": genres,
        }
    )


def _users(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": np.arange(1, n + 1, dtype=np.int64),
            "gender": rng.choice(["F", "M"], n),
            "age": rng.choice([1, 18, 25, 35, 45, 50, 56], n),
            "occupation": rng.integers(0, 21, n),
        }
    )


def write_ml1m(directory: Path, size: SyntheticSize, seed: int = 0) -> Path:
    """ratings.dat / movies.dat / users.dat with '::' separators, as ml-1m is published."""
    ratings, movies, users = generate(size, seed)
    directory.mkdir(parents=True, exist_ok=True)
    lines = (
        ratings["user_id"].astype(str) + "::" + ratings["movie_id"].astype(str) + "::"
        + ratings["rating"].astype(int).astype(str) + "::" + ratings["timestamp"].astype(str)
    )  # fmt: skip
    (directory / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="latin-1")
    movie_lines = [
        f"{m}::{t} ({y})::{'|'.join(g)}"
        for m, t, y, g in zip(
            movies["movie_id"], movies["title"], movies["year"], movies["genres"], strict=True
        )
    ]
    (directory / "movies.dat").write_text("\n".join(movie_lines) + "\n", encoding="latin-1")
    user_lines = [
        f"{u}::{g}::{a}::{o}::00000"
        for u, g, a, o in zip(
            users["user_id"], users["gender"], users["age"], users["occupation"], strict=True
        )
    ]
    (directory / "users.dat").write_text("\n".join(user_lines) + "\n", encoding="latin-1")
    return directory


def write_ml25m(directory: Path, size: SyntheticSize, seed: int = 0) -> Path:
    """ratings.csv / movies.csv with headers and half-star ratings, as ml-25m is published."""
    ratings, movies, _users_unused = generate(size, seed, half_stars=True)
    directory.mkdir(parents=True, exist_ok=True)
    ratings.rename(columns={"user_id": "userId", "movie_id": "movieId"}).to_csv(
        directory / "ratings.csv", index=False, float_format="%.1f"
    )
    pd.DataFrame(
        {
            "movieId": movies["movie_id"],
            "title": movies["title"] + " (" + movies["year"].astype(str) + ")",
            "genres": ["|".join(g) for g in movies["genres"]],
        }
    ).to_csv(directory / "movies.csv", index=False)
    return directory
