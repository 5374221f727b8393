"""The typed in-memory form every MovieLens flavour is loaded into."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

USER_COLUMNS = ["user_id", "age", "gender", "occupation"]
MOVIE_COLUMNS = ["movie_id", "title", "year", "genres"]
RATING_COLUMNS = ["user_id", "movie_id", "rating", "timestamp"]
CREDIT_COLUMNS = ["person_id", "movie_id", "role", "character"]
PEOPLE_COLUMNS = ["person_id", "name", "birth_year"]
LINK_COLUMNS = ["movie_id", "imdb_id", "tmdb_id"]
SEQUEL_COLUMNS = ["movie_id", "sequel_id"]
ALIAS_COLUMNS = ["alias_id", "movie_id"]
PLACEHOLDER_COLUMNS = ["movie_id", "title"]


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})


@dataclass(frozen=True)
class Dataset:
    """Users, movies, ratings and (optionally) knowledge-graph facts of one dataset.

    Column types are fixed so that every consumer (graph import, training, evaluation) can rely on them:

    - ``users``: ``user_id`` int64, ``age`` Int64 (nullable), ``gender`` and ``occupation`` str or None
    - ``movies``: ``movie_id`` int64, ``title`` str, ``year`` Int64 (nullable), ``genres`` list[str]
    - ``ratings``: ``user_id``, ``movie_id`` int64, ``rating`` float64, ``timestamp`` int64
    - ``credits``: ``person_id`` str, ``movie_id`` int64, ``role`` one of ``Role`` names
      (``ACTED_IN``, ``DIRECTED``, ``WROTE``, ``PRODUCED``, ``SHOT``), ``character`` str or None (the
      part an actor played, from IMDb; Freebase credits have none); one row per person, movie and role
    - ``people``: ``person_id`` str (an IMDb ``nconst`` such as ``nm0000229``), ``name`` str,
      ``birth_year`` Int64 (nullable): every credited person when the credits come from IMDb
      (``ml.data.imdb``); empty for Freebase credits, whose entities have no names
    - ``links``: ``movie_id`` int64, ``imdb_id`` str (``tt0114709``) or None, ``tmdb_id`` Int64
      (nullable): the csv flavours' ``links.csv``, one row per movie of the dataset it lists
    - ``sequels``: ``movie_id``, ``sequel_id`` int64 (the second follows the first)
    - ``aliases``: ``alias_id``, ``movie_id`` int64: an id the files gave a film they list twice, and the
      movie (the smallest id of that title and year) it was merged into; no table above uses an alias
    - ``placeholders``: ``movie_id`` int64, ``title`` str: placeholder movies (no usable title, no year)
      dropped on load with their ratings, credits and sequels

    ``ml.data.hygiene`` fills the last two; a graph imported before it ran may still hold those ids.

    ``warnings`` are sentences for the person importing: what the files offered and the load refused,
    e.g. entity links keyed by another dataset's ids (``ml.data.link_check``).
    """

    name: str
    users: pd.DataFrame
    movies: pd.DataFrame
    ratings: pd.DataFrame
    credits: pd.DataFrame = field(default_factory=lambda: empty_frame(CREDIT_COLUMNS))
    sequels: pd.DataFrame = field(default_factory=lambda: empty_frame(SEQUEL_COLUMNS))
    aliases: pd.DataFrame = field(default_factory=lambda: empty_frame(ALIAS_COLUMNS))
    placeholders: pd.DataFrame = field(default_factory=lambda: empty_frame(PLACEHOLDER_COLUMNS))
    people: pd.DataFrame = field(default_factory=lambda: empty_frame(PEOPLE_COLUMNS))
    links: pd.DataFrame = field(default_factory=lambda: empty_frame(LINK_COLUMNS))
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Credits made before parts were known (person, movie, role) still have every credit column.
        if "character" not in self.credits:
            object.__setattr__(self, "credits", self.credits.assign(character=None))

    @property
    def genres(self) -> list[str]:
        """Every genre that at least one movie has, sorted."""
        return sorted({genre for genres in self.movies["genres"] for genre in genres})

    def summary(self) -> dict[str, int]:
        return {
            "users": len(self.users),
            "movies": len(self.movies),
            "ratings": len(self.ratings),
            "genres": len(self.genres),
            "people": int(self.credits["person_id"].nunique()),
            "named_people": len(self.people),
            "credits": len(self.credits),
            "placeholders_dropped": len(self.placeholders),
            "duplicates_merged": len(self.aliases),
        }


def typed_users(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "user_id": frame["user_id"].astype(np.int64),
            "age": pd.to_numeric(frame.get("age"), errors="coerce").astype("Int64")
            if "age" in frame
            else pd.array([pd.NA] * len(frame), dtype="Int64"),
        }
    )
    for column in ("gender", "occupation"):
        values = frame[column] if column in frame else pd.Series([None] * len(frame), index=frame.index)
        out[column] = values.astype(object).where(values.notna() & (values.astype(str) != ""), None)
    return out.sort_values("user_id", ignore_index=True)


def users_from_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """A user table for datasets that publish no demographics (ml-latest, ml-25m)."""
    return typed_users(pd.DataFrame({"user_id": np.unique(ratings["user_id"].to_numpy())}))
