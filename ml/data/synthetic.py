"""A synthetic MovieLens-like dataset at any size, with planted taste, in the exact published file formats.

The shape is MovieLens':
- item popularity is power-law: Zipf–Mandelbrot, p(rank) ∝ 1 / (rank + 40); a user rates a movie at
  most once, which caps the head of a taste cluster, so at ml-1m size the top movie gets 0.25% of the
  ratings and ~14x the median movie (ml-1m: 0.34%, ~28x; with ``taste_share=0``: 0.30%, ~21x),
- user activity is heavy-tailed (log-normal, at least ``min_ratings`` per user, as in MovieLens),
- every movie has 1–3 genres from MovieLens' 18, titles carry a release year,
- ratings follow MovieLens' star distribution (half stars for the csv flavour), shifted per movie,
- timestamps are spread over the collection period, each user's inside their own active window.

Planted taste (``taste_share`` > 0, the default), so that accuracy can be measured at any size:
- K taste clusters, K = √movies / 2.5 clipped to 20..50 (24 at ml-1m size, 41 at ml-10m, 50 at ml-25m;
  fewer below 300 movies, at least 15 movies a cluster). Every movie has one main cluster; each cluster
  favours 1–3 genres (a movie's first genre drawn is one of them 3 times in 4) and a decade (70% of its
  movies are from it).
- Every user has a mixed membership θ_u ~ Dirichlet(4 · m), m the clusters' shares of popularity: the
  median user's strongest cluster has weight 0.36, ~4.5 clusters effectively, and the clusters' demand
  matches their popularity.
- A rating is taste with probability ``taste_share`` (0.75): a cluster c ~ θ_u, then a movie of c by
  its popularity; otherwise noise: a movie by popularity alone. Each user's cluster counts are one
  multinomial draw, so generation is O(ratings) and vectorised. Repeats are redrawn (from the cluster
  by popularity, then uniformly in it, then anywhere: a heavy user runs out of their clusters).
- Stars = a draw from the star distribution + round(q_m + 2 · (θ_u[c_m] − mean θ)): higher where the
  movie's cluster is strong for the user; the movie's quality q_m has half its variance from its
  director. At ml-1m size a user's strongest cluster gets ~5x the ratings popularity would give it and
  0.5 more stars on average.
- People (:func:`write_imdb`, the csv flavour): directors (~4 movies each), writers and actors (~3.7
  credits each) come in one pool per cluster; a movie's director is from its cluster's pool 9 times in
  10, a writer 17 in 20, each actor 4 in 5 (the rest cross over to the pool of another film of the same
  year); producers and cinematographers share one pool without taste. Within a pool people are ordered
  by era, so careers span years and birth years precede the films. At ml-1m size, movies sharing a
  director share 2x the audience (cosine of rater sets) of random pairs, 1.7x that of a shared genre.
With ``taste_share=0`` every rating is popularity noise and stars ignore taste (genres, years and people
still follow the clusters, but nothing links the clusters to the users).

Files: :func:`write_ml1m` (``::`` .dat), :func:`write_ml25m` (csv with ``links.csv`` and IMDb's people
files in ``imdb/``). Generating and writing ml-25m size takes ~40 s of CPU and 2.6 GB at peak.
"""

from __future__ import annotations

import gzip
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ml.data.movielens import ML100K_GENRES

log = logging.getLogger(__name__)

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
POPULARITY_OFFSET = 40  # with taste, as flat a head as 60 gave without: a user rates a movie once
STAR_PROBABILITIES = np.array([0.06, 0.11, 0.27, 0.34, 0.22])  # ml-1m's 1..5 star shares
START_TS, END_TS = 946_684_800, 1_577_836_800  # 2000-01-01 .. 2020-01-01
GENRE_WEIGHTS = np.linspace(2.0, 0.3, len(GENRES)) / np.linspace(2.0, 0.3, len(GENRES)).sum()

TASTE_SHARE = 0.75  # the rest of the ratings are popularity noise
USER_CONCENTRATION = 4.0  # Dirichlet total: small = users concentrated on few clusters
MATCH_STARS = 2.0  # stars gained from a movie of the user's only cluster vs one they have no taste for
FAVOURED_GENRES_WEIGHT = 3.0  # vs 1.0 for all genres together: the first genre is favoured 3 times in 4
DECADE_SHARE = 0.7
MOVIES_PER_DIRECTOR, MOVIES_PER_WRITER, ACTORS_PER_MOVIE_OF_CLUSTER = 4, 3, 1.5
DIRECTOR_OWN_CLUSTER, WRITER_OWN_CLUSTER, ACTOR_OWN_CLUSTER = 0.9, 0.85, 0.8
IMDB_HEADERS = {
    "title.principals.tsv.gz": ["tconst", "ordering", "nconst", "category", "job", "characters"],
    "title.crew.tsv.gz": ["tconst", "directors", "writers"],
    "name.basics.tsv.gz": [
        "nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles",
    ],
}  # fmt: skip
IMDB_NULL = "\\N"
# Billing order in title.principals (cast first) and in primaryProfession.
CATEGORY_RANK = {"actor": 0, "actress": 0, "director": 1, "writer": 2, "producer": 3, "cinematographer": 4}
PROFESSION_RANK = {"director": 0, "actor": 1, "actress": 1, "writer": 2, "producer": 3, "cinematographer": 4}
WRITER_JOBS = ["screenplay", "written by", "story", "novel", "characters"]


@dataclass(frozen=True)
class PlantedTaste:
    """The hidden truth behind the ratings; row ``i`` is movie or user id ``i + 1``."""

    share: float
    movie_cluster: np.ndarray  # (movies,) main cluster
    user_mixture: np.ndarray  # (users, clusters) float32, rows sum to 1
    cluster_genres: list[list[str]]
    cluster_decade: np.ndarray

    @property
    def clusters(self) -> int:
        return len(self.cluster_decade)


@dataclass(frozen=True)
class SyntheticData:
    """Everything one seed generates.

    - ``ratings``, ``movies``, ``users``: the loader's typed frames (``ml.data.dataset``)
    - ``links``: ``movie_id``, ``imdb_id`` int (written as 7 digits), ``tmdb_id`` Int64 (a few missing)
    - ``people``: ``person_id`` int (``nm`` + 7 digits), ``name``, ``birth_year``, ``death_year`` Int64,
      ``professions`` (comma-separated categories), ``known_for`` (up to 4 movie ids, most popular first)
    - ``credits``: ``movie_id``, ``person_id``, ``category`` (IMDb's: actor, actress, director, writer,
      producer, cinematographer), ``job`` and ``character`` (str or None), ``ordering`` (1.. per movie)
    """

    ratings: pd.DataFrame
    movies: pd.DataFrame
    users: pd.DataFrame
    links: pd.DataFrame
    people: pd.DataFrame
    credits: pd.DataFrame
    taste: PlantedTaste


def cluster_count(movies: int) -> int:
    """K scaled with the catalogue: √movies / 2.5 in 20..50, and at least ~15 movies per cluster."""
    return int(max(1, min(np.clip(round(np.sqrt(movies) / 2.5), 20, 50), movies // 15)))


def generate(
    size: SyntheticSize,
    seed: int = 0,
    half_stars: bool = False,
    min_ratings: int = 20,
    taste_share: float = TASTE_SHARE,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(ratings, movies, users) frames in the loader's typed form."""
    data = synthesize(size, seed, half_stars, min_ratings, taste_share)
    return data.ratings, data.movies, data.users


def synthesize(
    size: SyntheticSize,
    seed: int = 0,
    half_stars: bool = False,
    min_ratings: int = 20,
    taste_share: float = TASTE_SHARE,
) -> SyntheticData:
    """Movies with clusters and people, users with mixtures, and their ratings."""
    if not 0.0 <= taste_share <= 1.0:
        raise ValueError(f"taste_share must be in [0, 1], not {taste_share}")
    rng = np.random.default_rng(seed)
    popularity = 1.0 / (np.arange(1, size.movies + 1) + POPULARITY_OFFSET)
    popularity = rng.permutation(popularity / popularity.sum())  # popular ids are spread over the range

    clusters = cluster_count(size.movies)
    movie_cluster = _movie_clusters(rng, size.movies, clusters)
    cluster_genres = _favoured_genres(rng, clusters)
    cluster_decade = rng.choice(np.arange(1920, 2020, 10), clusters, p=np.arange(1, 11) / 55)
    movies = _movies(rng, movie_cluster, cluster_genres, cluster_decade)
    credits, people = _credits(rng, movie_cluster, popularity, movies["year"].to_numpy(np.int64))

    cluster_mass = np.bincount(movie_cluster, weights=popularity, minlength=clusters)
    mixture = _user_mixtures(rng, size.users, cluster_mass)
    activity = rng.lognormal(mean=0.0, sigma=1.1, size=size.users)
    counts = min_ratings + np.floor(
        activity / activity.sum() * (size.ratings - min_ratings * size.users)
    ).astype(np.int64)
    counts = _fill_to_total(counts, size.ratings, cap=size.movies)
    users, rated = _distinct_pairs(rng, counts, popularity, movie_cluster, mixture, taste_share)
    log.info("drew %d distinct (user, movie) pairs", len(users))

    ratings = _stars(rng, users, rated, mixture, movie_cluster, credits, taste_share > 0)
    if half_stars:
        ratings = np.clip(ratings - 0.5 * rng.integers(0, 2, len(ratings)), 0.5, 5.0)
    span = END_TS - START_TS
    user_start = START_TS + rng.integers(0, span * 0.9, size.users)
    user_length = rng.integers(3_600, span // 10, size.users)
    timestamps = user_start[users] + (rng.random(len(users)) * user_length[users]).astype(np.int64)

    rating_frame = pd.DataFrame(
        {"user_id": users + 1, "movie_id": rated + 1, "rating": ratings, "timestamp": timestamps}
    )
    taste = PlantedTaste(taste_share, movie_cluster, mixture, cluster_genres, cluster_decade)
    return SyntheticData(
        rating_frame, movies, _users(rng, size.users), _links(rng, size.movies), people, credits, taste
    )


def _stars(
    rng: np.random.Generator,
    users: np.ndarray,
    movies: np.ndarray,
    mixture: np.ndarray,
    movie_cluster: np.ndarray,
    credits: pd.DataFrame,
    by_taste: bool,
) -> np.ndarray:
    """1..5 stars: MovieLens' distribution, shifted by the movie's quality (half of it its director's)
    and, ``by_taste``, by how strong the movie's cluster is for the user."""
    directed = credits[credits["category"] == "director"].drop_duplicates("movie_id")
    director_quality = rng.normal(0.0, 0.35, int(directed["person_id"].max()) + 1)
    quality = rng.normal(0.0, 0.35, len(movie_cluster))
    quality[directed["movie_id"].to_numpy() - 1] += director_quality[directed["person_id"].to_numpy()]
    shift = quality[movies]
    if by_taste:
        match = mixture[users, movie_cluster[movies]]
        shift += MATCH_STARS * (match - match.mean())
        del match
    stars = rng.choice(5, size=len(users), p=STAR_PROBABILITIES) + 1 + np.round(shift).astype(np.int64)
    return np.clip(stars, 1, 5).astype(np.float64)


# --- taste ----------------------------------------------------------------------------------------


def _movie_clusters(rng: np.random.Generator, n_movies: int, clusters: int) -> np.ndarray:
    """Each movie's main cluster; clusters differ in size and none is empty."""
    sizes = rng.dirichlet(np.full(clusters, 3.0))
    movie_cluster = rng.choice(clusters, n_movies, p=sizes)
    movie_cluster[rng.choice(n_movies, clusters, replace=False)] = np.arange(clusters)
    return movie_cluster.astype(np.int64)


def _favoured_genres(rng: np.random.Generator, clusters: int) -> list[list[str]]:
    counts = rng.choice([1, 2, 3], clusters, p=[0.4, 0.4, 0.2])
    order = _weighted_orders(rng, np.broadcast_to(GENRE_WEIGHTS, (clusters, len(GENRES))))
    return [sorted(np.array(GENRES)[row[:c]].tolist()) for row, c in zip(order, counts, strict=True)]


def _weighted_orders(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Per row, the columns in the order of a draw without replacement ∝ weights (Gumbel top-k)."""
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    return np.argsort(-keys, axis=1)


def _user_mixtures(rng: np.random.Generator, n_users: int, cluster_mass: np.ndarray) -> np.ndarray:
    """θ_u ~ Dirichlet(USER_CONCENTRATION · mass), through gammas (tiny shapes may all round to 0)."""
    shapes = USER_CONCENTRATION * cluster_mass / cluster_mass.sum()
    mixture = rng.gamma(np.maximum(shapes, 1e-3), size=(n_users, len(cluster_mass)))
    totals = mixture.sum(axis=1, keepdims=True)
    mixture = np.where(totals > 0, mixture / np.where(totals > 0, totals, 1.0), shapes / shapes.sum())
    return mixture.astype(np.float32)


# --- ratings --------------------------------------------------------------------------------------


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


class _Segments:
    """Weighted items grouped into segments (movies in clusters, people in pools): for many (segment,
    quantile) pairs at once, the item at that quantile of its segment's weight. One searchsorted over
    keys ``segment + CDF within the segment``, so segment s lives in (s, s + 1]; no segment is empty."""

    def __init__(self, segment_of_item: np.ndarray, weights: np.ndarray) -> None:
        self.order = np.argsort(segment_of_item, kind="stable")
        segments, weights = segment_of_item[self.order], weights[self.order]
        self.sizes = np.bincount(segments)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        running = np.cumsum(weights)
        before = np.repeat(running[self.starts] - weights[self.starts], self.sizes)
        mass = np.repeat(np.bincount(segments, weights=weights), self.sizes)
        self.keys = segments + (running - before) / mass
        self.keys[self.starts + self.sizes - 1] = np.arange(len(self.sizes)) + 1.0

    def at(self, segments: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
        position = np.searchsorted(self.keys, segments + quantiles, side="right")
        last = self.starts[segments] + self.sizes[segments] - 1
        return self.order[np.clip(position, self.starts[segments], last)]

    def uniform(self, rng: np.random.Generator, segments: np.ndarray) -> np.ndarray:
        offset = (rng.random(len(segments)) * self.sizes[segments]).astype(np.int64)
        return self.order[self.starts[segments] + offset]


class _MovieDraws:
    """Movies by popularity, overall or inside a cluster."""

    def __init__(self, popularity: np.ndarray, movie_cluster: np.ndarray) -> None:
        self.n_movies = len(popularity)
        self.cumulative = np.cumsum(popularity)
        self.clusters = _Segments(movie_cluster, popularity)

    def popular(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cumulative, rng.random(n)), self.n_movies - 1)

    def popular_in(self, rng: np.random.Generator, clusters: np.ndarray) -> np.ndarray:
        return self.clusters.at(clusters, rng.random(len(clusters)))

    def uniform_in(self, rng: np.random.Generator, clusters: np.ndarray) -> np.ndarray:
        return self.clusters.uniform(rng, clusters)


def _distinct_pairs(
    rng: np.random.Generator,
    counts: np.ndarray,
    popularity: np.ndarray,
    movie_cluster: np.ndarray,
    mixture: np.ndarray,
    taste_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per user, ``counts[u]`` distinct movies: a ``taste_share`` of them from clusters drawn from the
    user's mixture, the rest by popularity; duplicates are redrawn for the few users who have them."""
    n_users, clusters = mixture.shape
    draws = _MovieDraws(popularity, movie_cluster)
    mixture = mixture.astype(np.float64)
    mixture /= mixture.sum(axis=1, keepdims=True)  # float32 rows may sum to a hair over 1
    shares = np.concatenate([taste_share * mixture, np.full((n_users, 1), 1.0 - taste_share)], axis=1)
    del mixture
    per_cluster = rng.multinomial(counts, shares).ravel()  # (users, clusters + 1): the last is noise
    users = np.repeat(np.repeat(np.arange(n_users, dtype=np.int64), clusters + 1), per_cluster)
    source = np.repeat(np.tile(np.append(np.arange(clusters), -1), n_users), per_cluster)
    del per_cluster
    taste = source >= 0
    movies = np.empty(len(users), dtype=np.int64)
    movies[taste] = draws.popular_in(rng, source[taste])
    movies[~taste] = draws.popular(rng, int((~taste).sum()))

    _redraw_duplicates(rng, users, movies, source, draws, counts)
    return users, movies


def _redraw_duplicates(
    rng: np.random.Generator,
    users: np.ndarray,
    movies: np.ndarray,
    source: np.ndarray,
    draws: _MovieDraws,
    counts: np.ndarray,
) -> None:
    """Redraw, in place, all but one of each repeated (user, movie) pair. One sort of all the pairs,
    then each round only checks the redrawn pairs against the pairs kept so far."""
    n_movies = draws.n_movies
    keys = users * n_movies + movies
    order = np.argsort(keys)
    del keys
    kept_keys = movies[order] + users[order] * n_movies
    repeat = np.concatenate([[False], kept_keys[1:] == kept_keys[:-1]])
    pending = np.sort(order[repeat])
    del order
    kept_keys = kept_keys[~repeat]
    del repeat
    accepted = np.empty(0, dtype=np.int64)  # sorted, kept by earlier rounds
    for attempt in range(30):
        if len(pending) == 0:
            return
        from_cluster = source[pending] >= 0
        in_cluster, anywhere = pending[from_cluster], pending[~from_cluster]
        if attempt < 4:  # the same distribution again
            movies[in_cluster] = draws.popular_in(rng, source[in_cluster])
            movies[anywhere] = draws.popular(rng, len(anywhere))
        elif attempt < 8:  # the popular ones are taken: any movie of the cluster, or any at all
            movies[in_cluster] = draws.uniform_in(rng, source[in_cluster])
            movies[anywhere] = rng.integers(0, n_movies, len(anywhere))
        else:  # the user has rated most of their clusters
            movies[pending] = rng.integers(0, n_movies, len(pending))
        keys = users[pending] * n_movies + movies[pending]
        clash = _contains(kept_keys, keys) | _contains(accepted, keys) | _duplicates(keys)
        accepted = np.sort(np.concatenate([accepted, keys[~clash]]))
        pending = pending[clash]
    # The few left belong to users who rated most of the catalogue: give each an exact unrated movie.
    offsets = np.concatenate([[0], np.cumsum(counts)])
    for position in pending:
        taken = movies[offsets[users[position]] : offsets[users[position] + 1]]
        movies[position] = rng.choice(np.setdiff1d(np.arange(n_movies), taken))


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    position = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[position] == keys


def _duplicates(keys: np.ndarray) -> np.ndarray:
    """True for every occurrence of a key after its first."""
    duplicate = np.ones(len(keys), dtype=bool)
    duplicate[np.unique(keys, return_index=True)[1]] = False
    return duplicate


# --- movies, people, users ------------------------------------------------------------------------


def _movies(
    rng: np.random.Generator,
    movie_cluster: np.ndarray,
    cluster_genres: list[list[str]],
    cluster_decade: np.ndarray,
) -> pd.DataFrame:
    n = len(movie_cluster)
    favoured = np.array([[g in chosen for g in GENRES] for chosen in cluster_genres], dtype=np.float64)
    favoured *= FAVOURED_GENRES_WEIGHT / favoured.sum(axis=1, keepdims=True)
    order = _weighted_orders(rng, GENRE_WEIGHTS + favoured[movie_cluster])
    genre_count = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
    names = np.array(GENRES)
    genres = [sorted(names[row[:c]].tolist()) for row, c in zip(order, genre_count, strict=True)]
    in_decade = rng.random(n) < DECADE_SHARE
    years = np.where(
        in_decade, cluster_decade[movie_cluster] + rng.integers(0, 10, n), rng.integers(1920, 2020, n)
    )
    return pd.DataFrame(
        {
            "movie_id": np.arange(1, n + 1, dtype=np.int64),
            "title": [f"Synthetic Movie {i}" for i in range(1, n + 1)],
            "year": pd.array(years, dtype="Int64"),
            "genres": genres,
        }
    )


class _Pools:
    """Person ids of each kind. Directors, writers and actors have one pool per cluster, producers and
    cinematographers one pool for all. A pool's people are in order of era: each covers a stretch of the
    pool's movies sorted by year (a longer one if prolific), so a career spans years, not a century."""

    def __init__(self, rng: np.random.Generator, movie_cluster: np.ndarray, years: np.ndarray) -> None:
        self.rng, self.movie_cluster, self.years = rng, movie_cluster, years
        per_cluster = np.bincount(movie_cluster)
        sizes = {
            "director": np.maximum(1, np.round(per_cluster / MOVIES_PER_DIRECTOR)),
            "writer": np.maximum(1, np.round(per_cluster / MOVIES_PER_WRITER)),
            "actor": np.maximum(2, np.round(per_cluster * ACTORS_PER_MOVIE_OF_CLUSTER)),
            "producer": np.array([max(1, len(movie_cluster) // 5)]),
            "cinematographer": np.array([max(1, len(movie_cluster) // 8)]),
        }
        self.sizes = {kind: pools.astype(np.int64) for kind, pools in sizes.items()}
        totals = [int(pools.sum()) for pools in self.sizes.values()]
        self.first_id = dict(zip(self.sizes, np.cumsum([1, *totals])[:-1].tolist(), strict=True))
        self.people = {
            kind: _Segments(np.repeat(np.arange(len(pools)), pools), rng.lognormal(0.0, 0.5, pools.sum()))
            for kind, pools in self.sizes.items()
        }
        self.eras = {
            "cluster": _Eras(movie_cluster, years),
            "all": _Eras(np.zeros_like(movie_cluster), years),
        }
        self.by_year = np.argsort(years, kind="stable")

    def pick(
        self, kind: str, movies: np.ndarray, own_share: float = 1.0, spread: float = 0.015
    ) -> np.ndarray:
        """Per movie, someone of its era from its cluster's pool, else (cross-over) from another pool."""
        rng, n, pools = self.rng, len(movies), self.sizes[kind]
        if len(pools) == 1:
            segment, eras = np.zeros(n, dtype=np.int64), self.eras["all"]
        else:
            segment = np.where(
                rng.random(n) < own_share, self.movie_cluster[movies], self._cluster_of_a_peer(movies)
            )
            eras = self.eras["cluster"]
        era = eras.of(rng, segment, self.years[movies]) + rng.normal(0.0, spread, n)
        return self.first_id[kind] + self.people[kind].at(segment, np.clip(era, 0.0, 1.0 - 1e-9))

    def _cluster_of_a_peer(self, movies: np.ndarray) -> np.ndarray:
        """The cluster of a random movie of the same year: a cross-over goes where that era's films are,
        so it does not pile onto the few people of a cluster that made little that year."""
        sorted_years = self.years[self.by_year]
        low = np.searchsorted(sorted_years, self.years[movies])
        high = np.searchsorted(sorted_years, self.years[movies], side="right")
        peer = low + (self.rng.random(len(movies)) * (high - low)).astype(np.int64)
        return self.movie_cluster[self.by_year[peer]]


class _Eras:
    """Where a year falls among a segment's movies sorted by year: 0 before the first, 1 after the last."""

    def __init__(self, segment_of_movie: np.ndarray, years: np.ndarray) -> None:
        self.keys = np.sort(segment_of_movie * 10_000 + years)
        self.sizes = np.bincount(segment_of_movie)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])

    def of(self, rng: np.random.Generator, segment: np.ndarray, year: np.ndarray) -> np.ndarray:
        key = segment * 10_000 + year
        low, high = np.searchsorted(self.keys, key), np.searchsorted(self.keys, key, side="right")
        ahead = low - self.starts[segment] + rng.random(len(key)) * (high - low)  # ties spread at random
        return ahead / self.sizes[segment]


def _credits(
    rng: np.random.Generator, movie_cluster: np.ndarray, popularity: np.ndarray, years: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IMDb-style credits (movie, person, category, job, character, ordering) and the people in them."""
    n = len(movie_cluster)
    pools = _Pools(rng, movie_cluster, years)
    every = np.arange(n)
    co_directed, wrote, produced, shot = (every[rng.random(n) < p] for p in (0.05, 0.35, 0.5, 0.3))
    written = np.repeat(every, rng.choice([0, 1, 2], n, p=[0.15, 0.6, 0.25]))
    cast = np.repeat(every, rng.integers(3, 9, n))
    director = pools.pick("director", every, DIRECTOR_OWN_CLUSTER)
    parts = [
        ("director", every, director),
        ("director", co_directed, pools.pick("director", co_directed)),
        ("writer", wrote, director[wrote]),  # the director wrote it too
        ("writer", written, pools.pick("writer", written, WRITER_OWN_CLUSTER)),
        ("actor", cast, pools.pick("actor", cast, ACTOR_OWN_CLUSTER, spread=0.03)),
        ("producer", produced, pools.pick("producer", produced)),
        ("cinematographer", shot, pools.pick("cinematographer", shot)),
    ]
    credits = pd.concat(
        [pd.DataFrame({"movie_id": m, "person_id": p, "category": c}) for c, m, p in parts], ignore_index=True
    ).drop_duplicates(["movie_id", "person_id", "category"])
    people = _people(rng, credits, years)

    category = credits["category"].to_numpy().astype(object)
    female = people["gender"].reindex(credits["person_id"]).to_numpy() == "F"
    category[(category == "actor") & female] = "actress"
    job = np.full(len(credits), None, dtype=object)
    job[category == "writer"] = rng.choice(WRITER_JOBS, int((category == "writer").sum()))
    job[category == "producer"] = "producer"
    character = np.full(len(credits), None, dtype=object)
    cast_rows = np.isin(category, ["actor", "actress"])
    character[cast_rows] = _character_names(rng, category[cast_rows])
    credits = credits.assign(
        movie_id=credits["movie_id"] + 1,
        category=category,
        job=job,
        character=character,
        rank=credits["category"].map(CATEGORY_RANK).to_numpy(),
    ).sort_values(["movie_id", "rank"], kind="stable")
    credits["ordering"] = credits.groupby("movie_id").cumcount() + 1
    credits = credits.drop(columns="rank").reset_index(drop=True)
    return credits, _with_known_for(people, credits, popularity)


def _people(rng: np.random.Generator, credits: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Everyone credited: a unique readable name, gender, birth and death years, professions."""
    person = credits["person_id"].to_numpy()
    ids = np.unique(person)
    gender = np.where(rng.random(len(ids)) < 0.5, "F", "M")
    name = np.empty(len(ids), dtype=object)
    for g, firsts in (("F", FEMALE_NAMES), ("M", MALE_NAMES)):
        name[gender == g] = _unique_names(rng, int((gender == g).sum()), firsts)
    career = pd.Series(years[credits["movie_id"].to_numpy()]).groupby(person).agg(["min", "max"]).loc[ids]
    birth = career["min"].to_numpy() - rng.integers(20, 45, len(ids))
    death = np.maximum(birth + rng.integers(50, 100, len(ids)), career["max"].to_numpy())
    died = death <= 2024
    held = credits[["person_id", "category"]].drop_duplicates()
    held = held.assign(rank=held["category"].map(PROFESSION_RANK)).sort_values(["person_id", "rank"])
    held_by, categories = _grouped(held["person_id"].to_numpy(), held["category"].to_numpy())
    professions = pd.Series([",".join(c) for c in categories], index=held_by)
    return pd.DataFrame(
        {
            "person_id": ids,
            "name": name,
            "gender": gender,
            "birth_year": pd.Series(birth, dtype="Int64").mask(rng.random(len(ids)) < 0.08).array,
            "death_year": pd.Series(death, dtype="Int64").where(died).array,
            "professions": professions.reindex(ids).to_numpy(),
        },
        index=ids,
    )


def _unique_names(rng: np.random.Generator, n: int, firsts: tuple[str, ...]) -> np.ndarray:
    """'First Last', then 'First M. Last' once those run out (unique up to 27 x first x last names)."""
    plain = len(firsts) * len(LAST_NAMES)
    k = rng.permutation(n)
    combo = rng.permutation(plain)[k % plain]
    first = np.array(firsts, dtype=object)[combo // len(LAST_NAMES)]
    last = np.array(LAST_NAMES, dtype=object)[combo % len(LAST_NAMES)]
    initials = np.array(["", *(f" {chr(c)}." for c in range(ord("A"), ord("Z") + 1))], dtype=object)
    return first + initials[(k // plain) % 27] + " " + last


def _character_names(rng: np.random.Generator, categories: np.ndarray) -> np.ndarray:
    n = len(categories)
    female = np.array(FEMALE_NAMES, dtype=object)[rng.integers(0, len(FEMALE_NAMES), n)]
    male = np.array(MALE_NAMES, dtype=object)[rng.integers(0, len(MALE_NAMES), n)]
    firsts = np.where(categories == "actress", female, male)
    lasts = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)]
    return np.where(rng.random(n) < 0.5, firsts, firsts + " " + lasts)


def _with_known_for(people: pd.DataFrame, credits: pd.DataFrame, popularity: np.ndarray) -> pd.DataFrame:
    """Up to four movie ids a person is known for: their most popular movies."""
    ranked = credits[["person_id", "movie_id"]].drop_duplicates()
    ranked = ranked.assign(popularity=popularity[ranked["movie_id"].to_numpy() - 1])
    ranked = ranked.sort_values(["person_id", "popularity"], ascending=[True, False])
    top = ranked[ranked.groupby("person_id").cumcount() < 4]
    known_by, known = _grouped(top["person_id"].to_numpy(), top["movie_id"].to_numpy())
    known_for = pd.Series(known, index=known_by, dtype=object).reindex(people.index)
    return people.assign(known_for=known_for.to_numpy()).reset_index(drop=True)


def _grouped(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The distinct keys, sorted, and each one's values in their order (no Python call per group)."""
    order = np.argsort(keys, kind="stable")
    distinct, starts = np.unique(keys[order], return_index=True)
    return distinct, np.split(values[order], starts[1:])


def _links(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """IMDb and TMDB ids, distinct; like MovieLens, a few movies lack a TMDB id."""
    imdb = np.sort(rng.choice(np.arange(10_000, 10_000_000), n, replace=False))
    tmdb = pd.array(rng.choice(np.arange(1, 1_000_000), n, replace=False), dtype="Int64")
    tmdb[rng.random(n) < 0.002] = pd.NA
    return pd.DataFrame({"movie_id": np.arange(1, n + 1, dtype=np.int64), "imdb_id": imdb, "tmdb_id": tmdb})


def _users(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": np.arange(1, n + 1, dtype=np.int64),
            "gender": rng.choice(["F", "M"], n),
            "age": rng.choice([1, 18, 25, 35, 45, 50, 56], n),
            "occupation": rng.integers(0, 21, n),
        }
    )


# --- files ----------------------------------------------------------------------------------------


def write_ml1m(directory: Path, size: SyntheticSize, seed: int = 0, taste_share: float = TASTE_SHARE) -> Path:
    """ratings.dat / movies.dat / users.dat with '::' separators, as ml-1m is published."""
    ratings, movies, users = generate(size, seed, taste_share=taste_share)
    directory.mkdir(parents=True, exist_ok=True)
    columns = [ratings[c].to_numpy(np.int64) for c in ("user_id", "movie_id", "rating", "timestamp")]
    _write_rows(directory / "ratings.dat", None, columns, "::")
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


def write_ml25m(
    directory: Path, size: SyntheticSize, seed: int = 0, taste_share: float = TASTE_SHARE
) -> Path:
    """ratings.csv / movies.csv / links.csv with headers and half-star ratings, as ml-25m is published,
    and the movies' people as IMDb publishes them in ``imdb/`` (:func:`write_imdb`)."""
    data = synthesize(size, seed, half_stars=True, taste_share=taste_share)
    directory.mkdir(parents=True, exist_ok=True)
    ratings = data.ratings
    half_stars = np.frombuffer("".join(f"{0.5 * i:.1f}" for i in range(11)).encode(), np.uint8).reshape(11, 3)
    columns = [
        ratings["user_id"].to_numpy(),
        ratings["movie_id"].to_numpy(),
        half_stars[np.round(ratings["rating"].to_numpy() * 2).astype(np.int64)],  # '4.0', '3.5'
        ratings["timestamp"].to_numpy(),
    ]
    _write_rows(directory / "ratings.csv", "userId,movieId,rating,timestamp", columns, ",")
    movies = data.movies
    pd.DataFrame(
        {
            "movieId": movies["movie_id"],
            "title": movies["title"] + " (" + movies["year"].astype(str) + ")",
            "genres": ["|".join(g) for g in movies["genres"]],
        }
    ).to_csv(directory / "movies.csv", index=False)
    pd.DataFrame(
        {
            "movieId": data.links["movie_id"],
            "imdbId": data.links["imdb_id"].map("{:07d}".format),
            "tmdbId": data.links["tmdb_id"],
        }
    ).to_csv(directory / "links.csv", index=False)
    write_imdb(directory / "imdb", data)
    return directory


def _write_rows(path: Path, header: str | None, columns: list[np.ndarray], sep: str) -> None:
    """One line per row, the columns joined by ``sep``: non-negative integers below 2³² in decimal, or
    fixed text as an (n, width) uint8 array. numpy builds the bytes a million rows at a time, ~10x faster
    than pandas' to_csv (~0.5M rows/s, 50 s of the 25M dataset)."""
    glues = [np.frombuffer(glue.encode(), np.uint8) for glue in [sep] * (len(columns) - 1) + ["\n"]]
    with path.open("wb") as out:
        if header is not None:
            out.write(header.encode() + b"\n")
        for start in range(0, len(columns[0]), 1_000_000):
            texts, shown = [], []
            for column, glue in zip(columns, glues, strict=True):
                block = column[start : start + 1_000_000]
                text, keep = (block, np.ones(block.shape, bool)) if block.ndim == 2 else _decimal(block)
                texts += [text, np.broadcast_to(glue, (len(block), len(glue)))]
                shown += [keep, np.ones((len(block), len(glue)), bool)]
            out.write(np.hstack(texts)[np.hstack(shown)].tobytes())


def _decimal(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Right-aligned ASCII digits (n, width) of non-negative integers, and which of them to print."""
    if len(values) and not 0 <= values.min() <= values.max() < 2**32:
        raise ValueError("only integers in [0, 2**32) are written by _write_rows")
    rest = values.astype(np.uint32)  # division by 10 is several times faster than on int64
    width = len(str(int(rest.max()))) if len(rest) else 1
    digits = np.empty((width, len(rest)), np.uint8)
    for position in range(width - 1, -1, -1):
        quotient = rest // 10
        digits[position] = rest - quotient * 10
        rest = quotient
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (digits + 48).T, (values[:, None] >= powers) | (powers == 1)


def tconst(imdb_ids: np.ndarray | pd.Series) -> pd.Series:
    return "tt" + pd.Series(np.asarray(imdb_ids)).map("{:07d}".format)


def nconst(person_ids: np.ndarray | pd.Series) -> pd.Series:
    return "nm" + pd.Series(np.asarray(person_ids)).map("{:07d}".format)


def write_imdb(directory: Path, data: SyntheticData) -> Path:
    """IMDb's people files for the movies of ``links`` (https://developer.imdb.com/non-commercial-datasets/):
    gzipped, tab-separated, a header line, ``\\N`` for null, no quoting.

    - ``title.principals.tsv.gz``: tconst, ordering, nconst, category, job, characters (``["Name"]``)
    - ``title.crew.tsv.gz``: tconst, directors, writers (comma-separated nconsts)
    - ``name.basics.tsv.gz``: nconst, primaryName, birthYear, deathYear, primaryProfession,
      knownForTitles (comma-separated)
    """
    directory.mkdir(parents=True, exist_ok=True)
    title_of = tconst(data.links.sort_values("movie_id")["imdb_id"]).to_numpy()
    credits = data.credits
    principals = pd.DataFrame(
        {
            "tconst": title_of[credits["movie_id"].to_numpy() - 1],
            "ordering": credits["ordering"].astype(str).to_numpy(),
            "nconst": nconst(credits["person_id"]).to_numpy(),
            "category": credits["category"].to_numpy(),
            "job": credits["job"].to_numpy(),
            "characters": ('["' + credits["character"] + '"]').to_numpy(),
        }
    )
    _write_tsv_gz(directory / "title.principals.tsv.gz", principals)

    movie_ids = data.links["movie_id"].sort_values().to_numpy()
    crew = pd.DataFrame({"tconst": title_of[movie_ids - 1]})
    for column, category in (("directors", "director"), ("writers", "writer")):
        rows = credits[credits["category"] == category]
        by_movie, people = _grouped(rows["movie_id"].to_numpy(), nconst(rows["person_id"]).to_numpy())
        crew[column] = pd.Series([",".join(p) for p in people], index=by_movie).reindex(movie_ids).to_numpy()
    _write_tsv_gz(directory / "title.crew.tsv.gz", crew)

    people = data.people
    names = pd.DataFrame(
        {
            "nconst": nconst(people["person_id"]).to_numpy(),
            "primaryName": people["name"].to_numpy(),
            "birthYear": people["birth_year"].array,
            "deathYear": people["death_year"].array,
            "primaryProfession": people["professions"].to_numpy(),
            "knownForTitles": [",".join(title_of[np.asarray(m) - 1]) for m in people["known_for"]],
        }
    )
    _write_tsv_gz(directory / "name.basics.tsv.gz", names)
    return directory


def _write_tsv_gz(path: Path, frame: pd.DataFrame) -> None:
    """IMDb's TSV: header, tabs, ``\\N`` for null, no quoting; gzip without a timestamp (same bytes)."""
    assert list(frame.columns) == IMDB_HEADERS[path.name], path.name
    columns = [frame[c].astype(object).where(frame[c].notna(), IMDB_NULL).astype(str) for c in frame]
    lines = columns[0].str.cat(columns[1:], sep="\t")
    with (
        gzip.GzipFile(path, "wb", compresslevel=6, mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out,
    ):
        out.write("\t".join(frame.columns) + "\n")
        out.write("\n".join(lines) + "\n")


# Names for the people (readable, deliberately plain).
FEMALE_NAMES = (
    "Ada", "Alice", "Amelia", "Anna", "Beatrice", "Bella", "Carmen", "Chloe", "Clara", "Daisy", "Diana",
    "Edith", "Elena", "Eliza", "Emma", "Eva", "Fiona", "Frances", "Grace", "Hannah", "Helen", "Ines",
    "Iris", "Isabel", "Jane", "Julia", "June", "Katherine", "Laura", "Lena", "Lily", "Lucy", "Mabel",
    "Maria", "Marion", "Maya", "Nadia", "Nina", "Nora", "Olive", "Olivia", "Paula", "Pearl", "Rosa",
    "Ruby", "Ruth", "Sara", "Sofia", "Stella", "Susan", "Tessa", "Vera", "Viola", "Wendy", "Yara", "Zoe",
)  # fmt: skip
MALE_NAMES = (
    "Aaron", "Adam", "Albert", "Arthur", "Ben", "Carl", "Daniel", "David", "Edgar", "Edward", "Elliot",
    "Felix", "Frank", "George", "Harold", "Henry", "Hugo", "Isaac", "Jack", "James", "Jonas", "Julian",
    "Karl", "Leo", "Louis", "Lucas", "Marco", "Martin", "Max", "Miles", "Nathan", "Noah", "Oliver",
    "Oscar", "Owen", "Paul", "Peter", "Philip", "Ray", "Robert", "Roland", "Samuel", "Simon", "Stefan",
    "Thomas", "Tobias", "Victor", "Walter", "William", "Xavier", "Yusuf", "Zachary", "Ivan", "Omar",
    "Pablo", "Kenji",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Alvarez", "Andersen", "Baker", "Barnes", "Becker", "Bell", "Bishop", "Brandt", "Brooks",
    "Campbell", "Carter", "Castillo", "Chen", "Clarke", "Cole", "Costa", "Cruz", "Dalton", "Davies",
    "Dixon", "Duarte", "Ellis", "Evans", "Fischer", "Fleming", "Ford", "Foster", "Garcia", "Gibson",
    "Gordon", "Graham", "Grant", "Hale", "Hansen", "Harper", "Hayes", "Hughes", "Ito", "Jensen",
    "Keller", "Kim", "Knight", "Kowalski", "Lambert", "Larsen", "Lopez", "Marsh", "Meyer", "Miller",
    "Moreau", "Morgan", "Murphy", "Nakamura", "Nash", "Novak", "Olsen", "Ortiz", "Palmer", "Park",
    "Pearce", "Perez", "Quinn", "Reed", "Reyes", "Richter", "Rossi", "Russo", "Sanders", "Santos",
    "Schmidt", "Shaw", "Silva", "Sato", "Stone", "Sullivan", "Tanaka", "Taylor", "Torres", "Turner",
    "Vance", "Varga", "Vogel", "Wagner", "Walsh", "Ward", "Weber", "West", "Wolf", "Wright",
    "Young", "Yamada", "Zimmer", "Ziegler", "Lindqvist", "Moretti", "Okafor", "Petrov", "Haddad", "Kaur",
)  # fmt: skip
