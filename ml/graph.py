"""The movie graph as PyG's ``HeteroData``: who rated what, and what each movie is.

One object the training data, the cold-item path (:mod:`ml.cold_items`) and the tests share, built
from the arrays the store exports (``service.store.graph_store.Interactions`` and ``MovieLinks``) or
from a loaded :class:`ml.data.Dataset`:

===========  =====================================================================================
node type    one node per
===========  =====================================================================================
``user``     user with at least one rating
``movie``    movie of the catalogue (rated or not) — a movie nobody rated is a node with no ratings
``genre``    genre that at least one movie has
``period``   release-year bucket of ``period_years`` years: by default one year (with 5, ``1995`` is
             1995–1999); single years predicted cold movies best (:mod:`ml.cold_items`)
``person``   person credited on at least one movie (only where the dataset has true credits)
===========  =====================================================================================

Edge types, each with its reverse ``rev_<relation>`` (PyG's ``ToUndirected``, which also copies the
edge attributes)::

    (user)  -[rated   {rating, time}]->  (movie)
    (movie) -[in_genre]->                (genre)
    (movie) -[in_period]->               (period)     none for a movie without a year
    (movie) -[credits {role}]->          (person)     role: index into ``MovieGraph.roles``

Node indices follow sorted raw ids (users, movies: ``IdMap``; genres and people: sorted names;
periods: sorted first years), so the same data always gives the same graph. The rating edges are
most of its memory (with their reverses ~56 bytes a rating: ~1.4 GB at 25M); the cold-item path needs
none of them, so ``movie_graph(None, facts)`` builds the catalogue part alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch_geometric.data import HeteroData
from torch_geometric.transforms import ToUndirected

from ml.interactions import IdMap, validate_interactions

RATED = ("user", "rated", "movie")
IN_GENRE = ("movie", "in_genre", "genre")
IN_PERIOD = ("movie", "in_period", "period")
CREDITS = ("movie", "credits", "person")
ATTRIBUTE_EDGES = {"genre": IN_GENRE, "period": IN_PERIOD, "person": CREDITS}
"""Attribute node type → the movie→attribute edge type that reaches it."""

DEFAULT_PERIOD_YEARS = 1


@dataclass(frozen=True)
class MovieFacts:
    """What the catalogue says about its movies, as parallel arrays.

    The fields after ``years`` are the store's ``MovieLinks`` arrays of the same names (whose
    ``person_names`` the graph does not need).
    """

    movie_ids: np.ndarray  # int64, every movie of the catalogue
    years: np.ndarray  # float64, aligned with movie_ids; NaN where unknown
    genre_movie_ids: np.ndarray  # int64 ┐ one row per (movie, genre)
    genres: np.ndarray  # str           ┘
    person_movie_ids: np.ndarray  # int64 ┐ one row per credit
    person_ids: np.ndarray  # str          │
    roles: np.ndarray  # str               ┘ e.g. ACTED_IN, DIRECTED

    @classmethod
    def from_frames(cls, movies: pd.DataFrame, credits: pd.DataFrame | None = None) -> MovieFacts:
        """From ``Dataset.movies`` (``movie_id``, ``year``, ``genres`` lists) and ``Dataset.credits``
        (``person_id``, ``movie_id``, ``role``; other columns are ignored)."""
        genre_rows = movies[["movie_id", "genres"]].explode("genres").dropna(subset=["genres"])
        credits = credits if credits is not None else pd.DataFrame(columns=["person_id", "movie_id", "role"])
        return cls(
            movie_ids=movies["movie_id"].to_numpy(np.int64),
            years=pd.to_numeric(movies["year"], errors="coerce").to_numpy(np.float64, na_value=np.nan),
            genre_movie_ids=genre_rows["movie_id"].to_numpy(np.int64),
            genres=genre_rows["genres"].to_numpy(str),
            person_movie_ids=credits["movie_id"].to_numpy(np.int64),
            person_ids=credits["person_id"].astype(str).to_numpy(str),
            roles=credits["role"].astype(str).to_numpy(str),
        )


def lookup_names(names: np.ndarray, values: np.ndarray | list[str]) -> np.ndarray:
    """Index of each value in the sorted string array ``names``, -1 where absent."""
    values = np.asarray(values, dtype=str)
    if len(names) == 0 or len(values) == 0:
        return np.full(len(values), -1, np.int64)
    pos = np.minimum(np.searchsorted(names, values), len(names) - 1)
    return np.where(names[pos] == values, pos, -1).astype(np.int64)


def period_start(years: np.ndarray, period_years: int) -> np.ndarray:
    """First year of each year's bucket (float, NaN stays NaN)."""
    return np.floor(np.asarray(years, np.float64) / period_years) * period_years


@dataclass(frozen=True)
class MovieGraph:
    """A ``HeteroData`` and the raw ids / names behind its node indices (module docstring)."""

    data: HeteroData
    users: IdMap  # raw user ids, node order
    movies: IdMap  # raw movie ids, node order
    genres: np.ndarray  # str, sorted: genre node i is genres[i]
    periods: np.ndarray  # int64, sorted first years: period node i covers periods[i] .. + period_years - 1
    people: np.ndarray  # str, sorted person ids
    roles: tuple[str, ...]  # credit edge attribute ``role`` r means roles[r]
    period_years: int

    def attribute_index(self, node_type: str, values: np.ndarray | list) -> np.ndarray:
        """Node indices of genres / periods (give years) / people, -1 where the graph has no such node."""
        if node_type == "genre":
            return lookup_names(self.genres, values)
        if node_type == "person":
            return lookup_names(self.people, values)
        if node_type == "period":
            starts = period_start(np.asarray(values, np.float64), self.period_years)
            index = np.full(len(starts), -1, np.int64)
            known = np.isfinite(starts)
            if len(self.periods):
                index[known] = IdMap(self.periods).lookup(starts[known].astype(np.int64))
            return index
        raise ValueError(f"unknown attribute node type {node_type!r}; one of {', '.join(ATTRIBUTE_EDGES)}")


def _edge_index(src: np.ndarray, dst: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.stack([np.asarray(src, np.int64), np.asarray(dst, np.int64)]))


def _tensor(values: np.ndarray, dtype: type) -> torch.Tensor:
    return torch.from_numpy(np.array(values, dtype=dtype))  # a copy: pandas hands out read-only views


def movie_graph(
    ratings: pd.DataFrame | None,
    facts: MovieFacts,
    period_years: int = DEFAULT_PERIOD_YEARS,
) -> MovieGraph:
    """The heterogeneous graph of ``ratings`` (a table with ``user_id``, ``item_id`` or ``movie_id``,
    optional ``rating``/``timestamp``; None for no users) and the catalogue's ``facts``.

    Movies are the catalogue's plus any the ratings or links name; a genre or credit row of a movie
    the catalogue lacks still makes that movie a node. Duplicate (movie, genre) and (movie, person,
    role) rows count once.
    """
    if ratings is not None and len(ratings):
        table = validate_interactions(ratings, source="graph ratings")
    else:
        table = pd.DataFrame({c: np.zeros(0, np.int64) for c in ("user_id", "item_id", "timestamp")})
        table["rating"] = np.zeros(0, np.float64)
    users = IdMap.from_ids(table["user_id"].to_numpy())
    movies = IdMap.from_ids(
        np.concatenate(
            [facts.movie_ids, table["item_id"].to_numpy(), facts.genre_movie_ids, facts.person_movie_ids]
        )
    )
    genre_pairs = pd.DataFrame({"movie": movies.lookup(facts.genre_movie_ids), "name": facts.genres})
    genre_pairs = genre_pairs.drop_duplicates()
    genres = np.unique(genre_pairs["name"].to_numpy(str))

    years = period_start(facts.years, period_years)
    dated = np.isfinite(years)
    periods = np.unique(years[dated]).astype(np.int64)

    credit_pairs = pd.DataFrame(
        {"movie": movies.lookup(facts.person_movie_ids), "person": facts.person_ids, "role": facts.roles}
    ).drop_duplicates()
    people = np.unique(credit_pairs["person"].to_numpy(str))
    roles, role_codes = np.unique(credit_pairs["role"].to_numpy(str), return_inverse=True)

    data = HeteroData()
    for node_type, count in (
        ("user", len(users)),
        ("movie", len(movies)),
        ("genre", len(genres)),
        ("period", len(periods)),
        ("person", len(people)),
    ):
        data[node_type].num_nodes = count
    data["period"].first_year = torch.from_numpy(periods)

    rated = data[RATED]
    rated.edge_index = _edge_index(
        users.lookup(table["user_id"].to_numpy()), movies.lookup(table["item_id"].to_numpy())
    )
    rated.rating = _tensor(table["rating"].to_numpy(), np.float32)
    rated.time = _tensor(table["timestamp"].to_numpy(), np.int64)
    data[IN_GENRE].edge_index = _edge_index(
        genre_pairs["movie"].to_numpy(), lookup_names(genres, genre_pairs["name"].to_numpy(str))
    )
    period_pairs = pd.DataFrame(
        {"movie": movies.lookup(facts.movie_ids[dated]), "start": years[dated].astype(np.int64)}
    ).drop_duplicates("movie")
    data[IN_PERIOD].edge_index = _edge_index(
        period_pairs["movie"].to_numpy(), np.searchsorted(periods, period_pairs["start"].to_numpy())
    )
    data[CREDITS].edge_index = _edge_index(
        credit_pairs["movie"].to_numpy(), lookup_names(people, credit_pairs["person"].to_numpy(str))
    )
    data[CREDITS].role = _tensor(np.reshape(role_codes, -1), np.int64)
    data = ToUndirected()(data)
    return MovieGraph(
        data=data,
        users=users,
        movies=movies,
        genres=genres,
        periods=periods,
        people=people,
        roles=tuple(roles.tolist()),
        period_years=period_years,
    )
