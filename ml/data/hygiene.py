"""Catalogue hygiene on load: placeholder movies dropped, films listed twice merged into one movie.

MovieLens carries a placeholder (ml-100k's movie 267: title "unknown", no year, genre "unknown") that
nobody can want recommended, and lists some films twice under two ids with the same title and year
(ml-100k has 18 such pairs, e.g. "Kull the Conqueror (1997)" as 266 and 680). Left in, a placeholder
shows up in lists, and a duplicate shows a film twice and splits its ratings between two movies.

A placeholder goes with its ratings, credits, sequels and links. A duplicate becomes an alias of the
canonical movie, the smallest id of its title and year: ratings, credits and sequels move onto the
canonical id, a user who rated both keeps the later rating (a person credited in both, the canonical's
credit), the genres of both are united, and the alias's links (``links.csv``) go: the movie keeps its
own. People left without credits go too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ml.data.dataset import ALIAS_COLUMNS, PLACEHOLDER_COLUMNS, Dataset

PLACEHOLDER_TITLES = frozenset({"", "unknown", "unkonwn"})
"""Titles that name no film (normalised); RecBole's copy of ml-100k spells its placeholder "unkonwn"."""


def normalised_title(title: str) -> str:
    """Case and punctuation do not tell films apart: 'That Darn Cat!' is 'that darn cat'."""
    return " ".join("".join(c if c.isalnum() else " " for c in title.casefold()).split())


def clean(dataset: Dataset) -> Dataset:
    """The dataset without placeholder movies, each film listed twice merged into one movie."""
    titles = dataset.movies["title"].map(normalised_title)
    is_placeholder = dataset.movies["year"].isna().to_numpy() & titles.isin(PLACEHOLDER_TITLES).to_numpy()
    placeholders = dataset.movies.loc[is_placeholder, PLACEHOLDER_COLUMNS].reset_index(drop=True)
    movies = dataset.movies[~is_placeholder]
    aliases = duplicate_aliases(movies, titles[~is_placeholder])
    if placeholders.empty and aliases.empty:
        return dataset
    dropped = placeholders["movie_id"].to_numpy(dtype=np.int64)
    credits = _merged_credits(_without(dataset.credits, dropped, "movie_id"), aliases)
    gone = np.concatenate([dropped, aliases["alias_id"].to_numpy(dtype=np.int64)])
    return dataclasses.replace(
        dataset,
        movies=_merged_movies(movies, aliases),
        ratings=_merged_ratings(_without(dataset.ratings, dropped, "movie_id"), aliases),
        credits=credits,
        sequels=_merged_sequels(dataset.sequels, dropped, aliases),
        people=dataset.people[dataset.people["person_id"].isin(credits["person_id"])].reset_index(drop=True),
        links=_without(dataset.links, gone, "movie_id").reset_index(drop=True),
        aliases=aliases,
        placeholders=placeholders,
    )


def duplicate_aliases(movies: pd.DataFrame, titles: pd.Series) -> pd.DataFrame:
    """``alias_id`` -> ``movie_id`` for every movie whose normalised title and year a smaller id has."""
    keys = pd.DataFrame(
        {"title": titles.to_numpy(), "year": movies["year"].to_numpy(), "id": movies["movie_id"].to_numpy()}
    )
    keys = keys[keys["year"].notna()]
    canonical = keys.groupby(["title", "year"], sort=False)["id"].transform("min")
    merged = keys["id"] != canonical
    aliases = pd.DataFrame({"alias_id": keys["id"][merged], "movie_id": canonical[merged]}, dtype=np.int64)
    return aliases.sort_values("alias_id", ignore_index=True)[ALIAS_COLUMNS]


def describe(dataset: Dataset) -> dict[str, list[dict]]:
    """What hygiene dropped and merged, for a person reading an import's result."""
    title_of = dataset.movies.set_index("movie_id")["title"]
    year_of = dataset.movies.set_index("movie_id")["year"]
    return {
        "placeholders_dropped": [
            {"movie_id": int(row.movie_id), "title": row.title} for row in dataset.placeholders.itertuples()
        ],
        "duplicates_merged": [
            {
                "alias_id": int(row.alias_id),
                "movie_id": int(row.movie_id),
                "title": title_of[row.movie_id],
                "year": int(year_of[row.movie_id]),
            }
            for row in dataset.aliases.itertuples()
        ],
    }


def _without(frame: pd.DataFrame, movie_ids: np.ndarray, column: str) -> pd.DataFrame:
    if not len(movie_ids):
        return frame
    return frame[~np.isin(frame[column].to_numpy(dtype=np.int64), movie_ids)]


def _canonical_ids(ids: np.ndarray, aliases: pd.DataFrame) -> np.ndarray:
    """``ids`` with every alias replaced by its movie (``aliases`` is sorted by alias_id)."""
    alias_ids = aliases["alias_id"].to_numpy(dtype=np.int64)
    if not len(alias_ids):
        return ids
    positions = np.minimum(np.searchsorted(alias_ids, ids), len(alias_ids) - 1)
    is_alias = alias_ids[positions] == ids
    return np.where(is_alias, aliases["movie_id"].to_numpy(dtype=np.int64)[positions], ids)


def _remapped(frame: pd.DataFrame, aliases: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = _canonical_ids(out[column].to_numpy(dtype=np.int64), aliases)
    return out.drop_duplicates(ignore_index=True)


def _merged_credits(credits: pd.DataFrame, aliases: pd.DataFrame) -> pd.DataFrame:
    """Credits on the canonical movie, one per person, movie and role: where a person has the same role
    in both copies, the canonical movie's own credit (and character) is kept."""
    from_alias = np.isin(credits["movie_id"].to_numpy(dtype=np.int64), aliases["alias_id"].to_numpy(np.int64))
    remapped = credits.assign(movie_id=_canonical_ids(credits["movie_id"].to_numpy(dtype=np.int64), aliases))
    own_first = remapped.iloc[np.argsort(from_alias, kind="stable")]
    return own_first.drop_duplicates(["person_id", "movie_id", "role"]).reset_index(drop=True)


def _merged_movies(movies: pd.DataFrame, aliases: pd.DataFrame) -> pd.DataFrame:
    """Alias rows go; each canonical movie gets the genres of its aliases after its own."""
    alias_ids = aliases["alias_id"].to_numpy(dtype=np.int64)
    is_alias = np.isin(movies["movie_id"].to_numpy(dtype=np.int64), alias_ids)
    kept = movies[~is_alias].reset_index(drop=True)
    extra_genres = (
        movies[is_alias]
        .assign(movie_id=lambda frame: _canonical_ids(frame["movie_id"].to_numpy(dtype=np.int64), aliases))
        .groupby("movie_id")["genres"]
        .agg(lambda lists: [genre for genres in lists for genre in genres])
    )
    kept["genres"] = [
        list(dict.fromkeys([*genres, *extra_genres.get(movie_id, [])]))
        for movie_id, genres in zip(kept["movie_id"], kept["genres"], strict=True)
    ]
    return kept


def _merged_ratings(ratings: pd.DataFrame, aliases: pd.DataFrame) -> pd.DataFrame:
    """One rating per (user, movie) after remapping: the later by timestamp, then by line."""
    out = ratings.copy()
    out["movie_id"] = _canonical_ids(out["movie_id"].to_numpy(dtype=np.int64), aliases)
    merged = out[np.isin(out["movie_id"].to_numpy(), aliases["movie_id"].to_numpy(dtype=np.int64))]
    by_time = merged.sort_values("timestamp", kind="stable")
    earlier = by_time.index[by_time.duplicated(["user_id", "movie_id"], keep="last")]
    return out.drop(index=earlier).reset_index(drop=True)


def _merged_sequels(sequels: pd.DataFrame, dropped: np.ndarray, aliases: pd.DataFrame) -> pd.DataFrame:
    kept = _without(_without(sequels, dropped, "movie_id"), dropped, "sequel_id")
    remapped = _remapped(kept, aliases, ["movie_id", "sequel_id"])
    return remapped[remapped["movie_id"] != remapped["sequel_id"]].reset_index(drop=True)
