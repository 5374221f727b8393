"""Reader for RecBole atomic files: ``NAME.inter`` plus optional ``.item``, ``.user``, ``.kg``, ``.link``.

Each file has a typed header (``user_id:token<TAB>item_id:token<TAB>rating:float ...``); ``token_seq``
fields are space-separated lists (the genres of ml-100k's ``class`` field).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.data.dataset import Dataset, typed_users, users_from_ratings
from ml.data.errors import DatasetError
from ml.data.knowledge_graph import credits_and_sequels
from ml.data.movielens import movies_frame
from ml.data.tables import numeric_column, ratings_frame, read_table

TITLE_FIELDS = ("movie_title", "title")
YEAR_FIELDS = ("release_year", "year")
GENRE_FIELDS = ("class", "genre", "genres")


def read_atomic(path: Path) -> pd.DataFrame:
    """An atomic file with its header's ``name:type`` reduced to ``name``."""
    frame = read_table(path, sep="\t", header=True)
    names = []
    for column in frame.columns:
        name, colon, _type = str(column).partition(":")
        if not colon:
            raise DatasetError(path, f"header field {column!r} is not of the form name:type", 1)
        names.append(name)
    frame.columns = names
    return frame


def load_recbole(inter_path: Path) -> Dataset:
    stem = inter_path.with_suffix("")
    inter = read_atomic(inter_path)
    ratings = ratings_frame(
        inter,
        inter_path,
        header_lines=1,
        columns={"user_id": "user_id", "movie_id": "item_id", "rating": "rating", "timestamp": "timestamp"},
    )
    movies = _movies(stem.with_suffix(".item"), ratings)
    users = _users(stem.with_suffix(".user"), ratings)
    kg_path, link_path = stem.with_suffix(".kg"), stem.with_suffix(".link")
    extra = {}
    if kg_path.is_file() and link_path.is_file():
        extra = dict(
            zip(("credits", "sequels"), credits_and_sequels(_kg(kg_path), _links(link_path)), strict=True)
        )
    return Dataset(name=stem.name, users=users, movies=movies, ratings=ratings, **extra)


def _first_present(frame: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    return next((name for name in candidates if name in frame), None)


def _movies(path: Path, ratings: pd.DataFrame) -> pd.DataFrame:
    if not path.is_file():
        ids = pd.Series(sorted(ratings["movie_id"].unique()))
        return movies_frame(ids, ids.astype(str), [[] for _ in ids])
    frame = read_atomic(path)
    ids = numeric_column(frame, "item_id", path, header_lines=1)
    title_field, year_field, genre_field = (
        _first_present(frame, f) for f in (TITLE_FIELDS, YEAR_FIELDS, GENRE_FIELDS)
    )
    titles = frame[title_field] if title_field else ids.astype(str)
    genres = [g.split() for g in frame[genre_field]] if genre_field else [[] for _ in range(len(frame))]
    movies = movies_frame(ids, titles, genres)
    if year_field:
        movies["year"] = (
            pd.to_numeric(frame[year_field], errors="coerce").astype("Int64").reset_index(drop=True)
        )
    return movies


def _users(path: Path, ratings: pd.DataFrame) -> pd.DataFrame:
    if not path.is_file():
        return users_from_ratings(ratings)
    frame = read_atomic(path)
    frame["user_id"] = numeric_column(frame, "user_id", path, header_lines=1)
    return typed_users(frame)


def _kg(path: Path) -> pd.DataFrame:
    frame = read_atomic(path)
    for column in ("head_id", "relation_id", "tail_id"):
        if column not in frame:
            raise DatasetError(path, f"missing column '{column}'", 1)
    return frame.rename(columns={"head_id": "head", "relation_id": "relation", "tail_id": "tail"})


def _links(path: Path) -> pd.DataFrame:
    frame = read_atomic(path)
    if "entity_id" not in frame:
        raise DatasetError(path, "missing column 'entity_id'", 1)
    return pd.DataFrame(
        {"movie_id": numeric_column(frame, "item_id", path, header_lines=1), "entity_id": frame["entity_id"]}
    )
