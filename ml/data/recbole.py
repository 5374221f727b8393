"""Reader for RecBole atomic files: ``NAME.inter`` plus optional ``.item``, ``.user``, ``.kg``, ``.link``.

Each file has a typed header (``user_id:token<TAB>item_id:token<TAB>rating:float ...``); ``token_seq``
fields are space-separated lists (the genres of ml-100k's ``class`` field). The Freebase triples of
``.kg`` reach the movies through ``.link`` only when ``ml.data.link_check`` finds the links keyed by them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.data.dataset import Dataset, typed_users, users_from_ratings
from ml.data.knowledge_graph import KnowledgeGraphFiles, with_knowledge_graph
from ml.data.movielens import movies_frame
from ml.data.tables import numeric_column, ratings_frame, read_atomic

TITLE_FIELDS = ("movie_title", "title")
YEAR_FIELDS = ("release_year", "year")
GENRE_FIELDS = ("class", "genre", "genres")


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
    dataset = Dataset(name=stem.name, users=users, movies=movies, ratings=ratings)
    knowledge_graph = KnowledgeGraphFiles.named(stem)
    return with_knowledge_graph(dataset, knowledge_graph) if knowledge_graph.exist() else dataset


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
