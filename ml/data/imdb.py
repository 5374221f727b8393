"""People with names, from IMDb's non-commercial datasets, for the MovieLens flavours that ship ``links.csv``.

GroupLens publishes no people; RecBole's Freebase credits name entities (``m.0x...``), not people. The csv
flavours (ml-latest-small, ml-latest, ml-20m, ml-25m, ml-32m) link each movie to its IMDb title in
``links.csv`` (``movieId,imdbId,tmdbId``; ``imdbId`` 114709 is title ``tt0114709``), and IMDb publishes
who worked on every title, with names and birth years (https://developer.imdb.com/non-commercial-datasets/):

- ``title.principals.tsv.gz``: tconst, ordering, nconst, category, job, characters (a JSON list)
- ``title.crew.tsv.gz``: tconst, directors, writers (comma-separated nconsts)
- ``name.basics.tsv.gz``: nconst, primaryName, birthYear, deathYear, primaryProfession, knownForTitles

Gzipped TSV with a header line and ``\\N`` for null. The dumps are GBs, so ``fetch_imdb_people`` downloads
them once (resumable, checked: ``ml.data.download``) and keeps the dataset's rows in
``<dataset>/imdb/`` in the same format (``ml.data.imdb_subset``); the loader reads that subset and believes
it only when ``ml.data.imdb_check`` finds it fits the dataset's films.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from ml.data.dataset import CREDIT_COLUMNS, LINK_COLUMNS, PEOPLE_COLUMNS, Dataset
from ml.data.download import TIMEOUT, download
from ml.data.errors import DatasetError
from ml.data.imdb_check import check_imdb_people
from ml.data.imdb_subset import check_header, write_subset
from ml.data.tables import numeric_column, read_table

log = logging.getLogger(__name__)

IMDB_BASE_URL = "https://datasets.imdbws.com/"
PRINCIPALS, CREW, NAMES = IMDB_FILES = ("title.principals.tsv.gz", "title.crew.tsv.gz", "name.basics.tsv.gz")
IMDB_COLUMNS = {
    PRINCIPALS: ["tconst", "ordering", "nconst", "category", "job", "characters"],
    CREW: ["tconst", "directors", "writers"],
    NAMES: ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
}
IMDB_DIRECTORY = "imdb"
"""Where in a dataset's directory the subset lives."""
LINKS_FILE = "links.csv"

CATEGORY_ROLES = {
    "actor": "ACTED_IN",
    "actress": "ACTED_IN",
    "self": "ACTED_IN",
    "director": "DIRECTED",
    "writer": "WROTE",
    "producer": "PRODUCED",
    "cinematographer": "SHOT",
}
"""title.principals categories that are roles of the graph; composers, editors and the rest are left out."""
CREW_ROLES = {"directors": "DIRECTED", "writers": "WROTE"}
CHUNK_ROWS = 500_000


def tconst(imdb_id: int) -> str:
    """MovieLens's numeric imdbId as IMDb's title id: 114709 -> 'tt0114709' (at least 7 digits)."""
    return f"tt{imdb_id:07d}"


def read_links_csv(path: Path) -> pd.DataFrame:
    """``links.csv`` as ``LINK_COLUMNS`` (one row per movieId, the first); an empty id is None/NA."""
    frame = read_table(path, sep=",", header=True)
    movie_ids = numeric_column(frame, "movieId", path, header_lines=1)
    imdb_ids = _optional_ids(frame, "imdbId", path)
    links = pd.DataFrame(
        {
            "movie_id": movie_ids.to_numpy(),
            "imdb_id": [None if pd.isna(i) else tconst(int(i)) for i in imdb_ids],
            "tmdb_id": _optional_ids(frame, "tmdbId", path).array,
        }
    )
    return links.drop_duplicates("movie_id", ignore_index=True)[LINK_COLUMNS]


def _optional_ids(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    if column not in frame:
        raise DatasetError(path, f"missing column '{column}'", 1)
    raw = frame[column].str.strip()
    values = pd.to_numeric(raw.where(raw != ""), errors="coerce")
    bad = np.flatnonzero(np.where(values.isna(), raw != "", values % 1 != 0))
    if len(bad):
        raise DatasetError(
            path, f"'{column}' must be a whole number or empty, got {raw.iloc[bad[0]]!r}", bad[0] + 2
        )
    return values.astype("Int64")


# --- fetching -------------------------------------------------------------------------------------


def fetch_imdb_people(dataset_dir: Path, downloads_dir: Path, base_url: str = IMDB_BASE_URL) -> Path:
    """Download IMDb's three dumps into ``downloads_dir`` (once; see ``ml.data.download``) and write the
    rows of the dataset's films, and of the people they name, to ``<dataset_dir>/imdb/``; returns that."""
    links_path = dataset_dir / LINKS_FILE
    if not links_path.is_file():
        raise DatasetError(links_path, "file not found: only datasets with a links.csv can be linked to IMDb")
    titles = {title.encode() for title in read_links_csv(links_path)["imdb_id"].dropna()}
    if not titles:
        raise DatasetError(links_path, "no movie has an imdbId")
    raw = {name: downloads_dir / name for name in IMDB_FILES}
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client:
        for name in IMDB_FILES:
            download(f"{base_url.rstrip('/')}/{name}", raw[name], client=client)
    target = dataset_dir / IMDB_DIRECTORY
    people = write_subset(raw[PRINCIPALS], target / PRINCIPALS, IMDB_COLUMNS[PRINCIPALS], titles, (2,))
    people |= write_subset(raw[CREW], target / CREW, IMDB_COLUMNS[CREW], titles, (1, 2))
    write_subset(raw[NAMES], target / NAMES, IMDB_COLUMNS[NAMES], people)
    log.info("IMDb rows of %d titles and %d people in %s", len(titles), len(people), target)
    return target


# --- loading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImdbPeople:
    """Credits (``CREDIT_COLUMNS``) and people (``PEOPLE_COLUMNS``) of the linked movies, and how many
    linked movies the files list at all."""

    credits: pd.DataFrame
    people: pd.DataFrame
    linked_movies_found: int


def with_imdb_people(dataset: Dataset, directory: Path) -> Dataset:
    """The dataset with the credits and named people of the IMDb subset in ``directory``, in place of any
    Freebase credits (sequels stay), when ``ml.data.imdb_check`` believes them.

    Otherwise the dataset is unchanged but for a warning that says why.
    """
    missing = [name for name in IMDB_FILES if not (directory / name).is_file()]
    links = dataset.links[dataset.links["movie_id"].isin(dataset.movies["movie_id"])].dropna(
        subset=["imdb_id"]
    )
    if missing or links.empty:
        reason = (
            f"lacks {', '.join(missing)}" if missing else "is of no use: no movie has an imdbId in links.csv"
        )
        return _warned(dataset, f"{directory}: {reason}; IMDb people not imported")
    found = read_imdb_people(directory, links)
    linked_movies = links["movie_id"].nunique()
    check = check_imdb_people(
        str(directory), linked_movies, found.linked_movies_found, found.credits, found.people, dataset.movies
    )
    if not check.passed:
        return _warned(dataset, check.message)
    log.info(check.message)
    return dataclasses.replace(dataset, credits=found.credits, people=found.people)


def read_imdb_people(directory: Path, links: pd.DataFrame) -> ImdbPeople:
    """The credits and people the subset in ``directory`` gives the movies of ``links`` (``LINK_COLUMNS``).

    A person absent from name.basics, or listed there without a name, is left out with their credits:
    every credited person has a name.
    """
    movie_of = links.dropna(subset=["imdb_id"])[["imdb_id", "movie_id"]].rename(columns={"imdb_id": "tconst"})
    titles = set(movie_of["tconst"])
    principals = pd.concat(_rows(directory / PRINCIPALS, titles, "tconst"), ignore_index=True)
    crew = pd.concat(_rows(directory / CREW, titles, "tconst"), ignore_index=True)
    found = set(principals["tconst"]) | set(crew["tconst"])
    by_title = pd.concat([_principal_credits(principals), _crew_credits(crew)], ignore_index=True)
    credits = by_title.merge(movie_of, on="tconst")
    people = _people(
        pd.concat(_rows(directory / NAMES, set(credits["person_id"]), "nconst"), ignore_index=True)
    )
    credits = credits[credits["person_id"].isin(people["person_id"])]
    credits = credits.drop_duplicates(["person_id", "movie_id", "role"], ignore_index=True)
    people = people[people["person_id"].isin(credits["person_id"])].reset_index(drop=True)
    return ImdbPeople(
        credits=credits.astype({"movie_id": "int64"})[CREDIT_COLUMNS],
        people=people,
        linked_movies_found=int(movie_of.loc[movie_of["tconst"].isin(found), "movie_id"].nunique()),
    )


def _rows(path: Path, keys: set[str], key: str) -> Iterator[pd.DataFrame]:
    """The rows of a published-format file whose ``key`` is in ``keys``, in chunks (a whole dump, put
    there by hand, is read without holding it in memory); ``\\N`` becomes NA."""
    columns = IMDB_COLUMNS[path.name]
    yield pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    try:
        with gzip.open(path, "rb") as lines:
            check_header(path, lines.readline(), columns)
        with pd.read_csv(
            path, sep="\t", header=0, dtype=str, quoting=csv.QUOTE_NONE, na_values=["\\N"],
            keep_default_na=False, chunksize=CHUNK_ROWS, engine="c",
        ) as chunks:  # fmt: skip
            for chunk in chunks:
                yield chunk[chunk[key].isin(keys)]
    except pd.errors.ParserError as error:
        raise DatasetError(path, f"wrong number of fields ({error})") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise DatasetError(path, f"not a readable gzip file ({error})") from None


def _principal_credits(principals: pd.DataFrame) -> pd.DataFrame:
    """Principals in billing order; an actor's character is the first the JSON list names."""
    roles = principals["category"].map(CATEGORY_ROLES)
    kept = principals[roles.notna()].assign(
        role=roles, ordering=lambda f: pd.to_numeric(f["ordering"], errors="coerce")
    )
    kept = kept.sort_values(["tconst", "ordering"], kind="stable")
    characters = (
        kept["characters"].where(kept["role"] == "ACTED_IN").map(_first_character, na_action="ignore")
    )
    return pd.DataFrame(
        {
            "tconst": kept["tconst"],
            "person_id": kept["nconst"],
            "role": kept["role"],
            "character": characters.astype(object).where(characters.notna(), None),
        }
    )


def _crew_credits(crew: pd.DataFrame) -> pd.DataFrame:
    """title.crew's directors and writers, after the principals (which repeat most of them)."""
    parts = []
    for column, role in CREW_ROLES.items():
        people = crew[["tconst", column]].dropna().assign(person_id=lambda f, c=column: f[c].str.split(","))
        parts.append(people.explode("person_id")[["tconst", "person_id"]].assign(role=role, character=None))
    return pd.concat(parts, ignore_index=True)


def _first_character(raw: str) -> str | None:
    try:
        characters = json.loads(raw)
    except ValueError:
        return None
    return str(characters[0]) if isinstance(characters, list) and characters else None


def _people(names: pd.DataFrame) -> pd.DataFrame:
    named = names.dropna(subset=["primaryName"]).drop_duplicates("nconst")
    return pd.DataFrame(
        {
            "person_id": named["nconst"].to_numpy(dtype=object),
            "name": named["primaryName"].to_numpy(dtype=object),
            "birth_year": pd.to_numeric(named["birthYear"], errors="coerce").astype("Int64").array,
        }
    ).sort_values("person_id", ignore_index=True)[PEOPLE_COLUMNS]


def _warned(dataset: Dataset, message: str) -> Dataset:
    log.warning(message)
    return dataclasses.replace(dataset, warnings=(*dataset.warnings, message))
