"""Readers for MovieLens as GroupLens publishes it: ml-100k, ml-1m and ml-10m, ml-latest, ml-25m, ml-32m.

GroupLens publishes no people. Every flavour but ml-100k numbers its movies with one set of MovieLens
ids, the ids RecBole's Freebase links are keyed by; their loaders take those files as
``knowledge_graph`` and keep what passes the link check. ml-100k numbers its movies on its own. The csv
flavours link each movie to IMDb and TMDb (``links.csv``), the way to named people (``ml.data.imdb``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ml.data.dataset import LINK_COLUMNS, Dataset, empty_frame, typed_users, users_from_ratings
from ml.data.errors import DatasetError
from ml.data.imdb import IMDB_DIRECTORY, LINKS_FILE, read_links_csv, with_imdb_people
from ml.data.knowledge_graph import KnowledgeGraphFiles, with_knowledge_graph
from ml.data.tables import numeric_column, ratings_frame, read_table, require_file

ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
]  # fmt: skip

# ml-1m's README numbers the occupations; the graph stores the words.
ML1M_OCCUPATIONS = [
    "other", "academic/educator", "artist", "clerical/admin", "college/grad student", "customer service",
    "doctor/health care", "executive/managerial", "farmer", "homemaker", "K-12 student", "lawyer",
    "programmer", "retired", "sales/marketing", "scientist", "self-employed", "technician/engineer",
    "tradesman/craftsman", "unemployed", "writer",
]  # fmt: skip

NO_GENRES = "(no genres listed)"
_TITLE_YEAR = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)\s*$")


def split_title_year(raw_title: str) -> tuple[str, int | None]:
    """'Toy Story (1995)' -> ('Toy Story', 1995); titles without a year keep their text."""
    match = _TITLE_YEAR.match(raw_title)
    if match is None:
        return raw_title.strip(), None
    return match.group("title"), int(match.group("year"))


def movies_frame(ids: pd.Series, raw_titles: pd.Series, genres: list[list[str]]) -> pd.DataFrame:
    titles, years = (
        zip(*(split_title_year(t) for t in raw_titles), strict=True) if len(raw_titles) else ((), ())
    )
    return pd.DataFrame(
        {
            "movie_id": ids.astype(np.int64).to_numpy(),
            "title": list(titles),
            "year": pd.array(list(years), dtype="Int64"),
            "genres": genres,
        }
    )


def load_ml100k(directory: Path) -> Dataset:
    ratings_path = directory / "u.data"
    ratings = ratings_frame(
        read_table(ratings_path, sep="\t", names=["user", "item", "rating", "ts"]),
        ratings_path,
        header_lines=0,
        columns={"user_id": "user", "movie_id": "item", "rating": "rating", "timestamp": "ts"},
    )
    item_path = directory / "u.item"
    genre_names = _ml100k_genre_names(directory / "u.genre")
    item_columns = ["movie_id", "title", "release", "video_release", "imdb", *genre_names]
    items = read_table(item_path, sep="|", names=item_columns, encoding="latin-1")
    ids = numeric_column(items, "movie_id", item_path, header_lines=0)
    flags = np.column_stack(
        [numeric_column(items, g, item_path, header_lines=0).to_numpy() for g in genre_names]
    )
    genres = [[genre_names[j] for j in np.flatnonzero(row)] for row in flags]
    movies = movies_frame(ids, items["title"], genres)
    user_path = directory / "u.user"
    raw_users = read_table(user_path, sep="|", names=["user_id", "age", "gender", "occupation", "zip"])
    raw_users["user_id"] = numeric_column(raw_users, "user_id", user_path, header_lines=0)
    return Dataset(name=directory.name, users=typed_users(raw_users), movies=movies, ratings=ratings)


def _ml100k_genre_names(path: Path) -> list[str]:
    if not path.is_file():
        return ML100K_GENRES
    table = read_table(path, sep="|", names=["name", "index"], encoding="latin-1")
    return table["name"].tolist()


def load_ml1m(directory: Path, knowledge_graph: KnowledgeGraphFiles | None = None) -> Dataset:
    """ml-1m and ml-10m: '::'-separated .dat files (ml-10m has no users.dat), with the credits and
    sequels of ``knowledge_graph`` if its links pass the check."""
    ratings_path = directory / "ratings.dat"
    # '::' is a two-character separator; the C parser reads it as ':' with empty fields in between.
    raw = read_table(ratings_path, sep=":", names=["user", "_a", "item", "_b", "rating", "_c", "ts"])
    ratings = ratings_frame(
        raw,
        ratings_path,
        header_lines=0,
        columns={"user_id": "user", "movie_id": "item", "rating": "rating", "timestamp": "ts"},
    )
    movies_path = directory / "movies.dat"
    rows = _split_double_colon(movies_path, expected_fields=3)
    frame = pd.DataFrame(rows, columns=["movie_id", "title", "genres"])
    ids = numeric_column(frame, "movie_id", movies_path, header_lines=0)
    movies = movies_frame(ids, frame["title"], [_pipe_genres(g) for g in frame["genres"]])
    users_path = directory / "users.dat"
    if users_path.is_file():
        users_raw = pd.DataFrame(
            _split_double_colon(users_path, expected_fields=5),
            columns=["user_id", "gender", "age", "occupation", "zip"],
        )
        users_raw["user_id"] = numeric_column(users_raw, "user_id", users_path, header_lines=0)
        codes = numeric_column(users_raw, "occupation", users_path, header_lines=0)
        users_raw["occupation"] = [
            ML1M_OCCUPATIONS[c] if 0 <= c < len(ML1M_OCCUPATIONS) else None for c in codes
        ]
        users = typed_users(users_raw)
    else:
        users = users_from_ratings(ratings)
    return _with_optional_knowledge_graph(
        Dataset(name=directory.name, users=users, movies=movies, ratings=ratings), knowledge_graph
    )


def _split_double_colon(path: Path, *, expected_fields: int) -> list[list[str]]:
    require_file(path)
    rows = []
    with path.open(encoding="latin-1") as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split("::")
            if len(fields) != expected_fields:
                raise DatasetError(
                    path, f"expected {expected_fields} '::'-separated fields, got {len(fields)}", number
                )
            rows.append(fields)
    return rows


def _pipe_genres(raw: str) -> list[str]:
    return [] if raw in ("", NO_GENRES) else raw.split("|")


def load_ml_csv(directory: Path, knowledge_graph: KnowledgeGraphFiles | None = None) -> Dataset:
    """ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m: ratings.csv and movies.csv with headers, with
    the credits and sequels of ``knowledge_graph`` if its links pass the check, and ``links.csv`` when
    present. Named people from the IMDb subset in ``imdb/`` (``cinegraph data people``) replace the
    Freebase credits if they pass their own check (``ml.data.imdb``)."""
    ratings_path = directory / "ratings.csv"
    ratings = ratings_frame(
        read_table(ratings_path, sep=",", header=True),
        ratings_path,
        header_lines=1,
        columns={"user_id": "userId", "movie_id": "movieId", "rating": "rating", "timestamp": "timestamp"},
    )
    movies_path = directory / "movies.csv"
    frame = read_table(movies_path, sep=",", header=True)
    for column in ("title", "genres"):
        if column not in frame:
            raise DatasetError(movies_path, f"missing column '{column}'", 1)
    ids = numeric_column(frame, "movieId", movies_path, header_lines=1)
    movies = movies_frame(ids, frame["title"], [_pipe_genres(g) for g in frame["genres"]])
    links_path = directory / LINKS_FILE
    links = read_links_csv(links_path) if links_path.is_file() else empty_frame(LINK_COLUMNS)
    dataset = Dataset(
        name=directory.name,
        users=users_from_ratings(ratings),
        movies=movies,
        ratings=ratings,
        links=links[links["movie_id"].isin(movies["movie_id"])].reset_index(drop=True),
    )
    dataset = _with_optional_knowledge_graph(dataset, knowledge_graph)
    imdb_dir = directory / IMDB_DIRECTORY
    return with_imdb_people(dataset, imdb_dir) if imdb_dir.is_dir() else dataset


def _with_optional_knowledge_graph(dataset: Dataset, files: KnowledgeGraphFiles | None) -> Dataset:
    return dataset if files is None else with_knowledge_graph(dataset, files)
