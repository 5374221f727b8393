"""A tiny ml-latest-small and IMDb's people files about its films, in the formats both publish.

``links.csv`` is GroupLens's (``movieId,imdbId,tmdbId``, imdbId zero-padded to 7 digits); the dumps are
IMDb's (https://developer.imdb.com/non-commercial-datasets/): gzipped TSV, a header line, ``\\N`` for
null, ``characters`` a JSON list. The dumps also hold a film that is not in the dataset (Star Wars) and
its people, which a subset must leave out. Names, years and parts are IMDb's for these films.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from ml.data.imdb import CREW, IMDB_COLUMNS, NAMES, PRINCIPALS

# movieId: (title as movies.csv has it, genres, imdbId, tmdbId)
FILMS = {
    1: ("Toy Story (1995)", "Adventure|Animation|Children|Comedy|Fantasy", "0114709", "862"),
    2: ("Jumanji (1995)", "Adventure|Children|Fantasy", "0113497", "8844"),
    3: ("Grumpier Old Men (1995)", "Comedy|Romance", "0113228", "15602"),
    6: ("Heat (1995)", "Action|Crime|Thriller", "0113277", "949"),
}
STAR_WARS = "tt0076759"  # in the dumps, not in the dataset

# title.principals: tconst, ordering, nconst, category, job, characters (None is \N)
PRINCIPAL_ROWS = [
    ("tt0076759", "1", "nm0000434", "actor", None, '["Luke Skywalker"]'),
    ("tt0076759", "2", "nm0000184", "director", None, None),
    ("tt0113228", "1", "nm0000527", "actor", None, '["Max Goldman"]'),
    ("tt0113228", "2", "nm0000493", "actor", None, '["John Gustafson"]'),
    ("tt0113228", "3", "nm0222043", "director", None, None),
    ("tt0113277", "1", "nm0000199", "actor", None, '["Lt. Vincent Hanna"]'),
    ("tt0113277", "2", "nm0000134", "actor", None, '["Neil McCauley"]'),
    ("tt0113277", "3", "nm0000520", "director", None, None),
    ("tt0113277", "4", "nm0005883", "cinematographer", "director of photography", None),
    ("tt0113497", "1", "nm0000245", "actor", None, '["Alan Parrish"]'),
    ("tt0113497", "2", "nm0000379", "actress", None, '["Judy Shepherd"]'),
    ("tt0113497", "3", "nm0405103", "actor", None, '["Van Pelt","Sam Parrish"]'),
    ("tt0113497", "4", "nm0002653", "director", None, None),
    ("tt0114709", "1", "nm0000158", "actor", None, '["Woody"]'),
    ("tt0114709", "2", "nm0000741", "actor", None, '["Buzz Lightyear"]'),
    ("tt0114709", "3", "nm0005124", "director", None, None),
    ("tt0114709", "4", "nm0230032", "writer", "original story by", None),
    ("tt0114709", "5", "nm0037708", "producer", "producer", None),
    ("tt0114709", "6", "nm0005271", "composer", None, None),
]
# title.crew: tconst, directors, writers
CREW_ROWS = [
    ("tt0076759", "nm0000184", "nm0000184"),
    ("tt0113228", "nm0222043", "nm0425756"),
    ("tt0113277", "nm0000520", "nm0000520"),
    ("tt0113497", "nm0002653", "nm0378144,nm0886817"),
    ("tt0114709", "nm0005124", "nm0005124,nm0230032,nm0004056"),
]
# name.basics: nconst, primaryName, birthYear, deathYear, primaryProfession, knownForTitles
NAME_ROWS = [
    ("nm0000134", "Robert De Niro", "1943", None, "actor,producer,director", "tt0113277"),
    ("nm0000158", "Tom Hanks", "1956", None, "actor,producer,writer", "tt0114709"),
    ("nm0000184", "George Lucas", "1944", None, "producer,writer,director", "tt0076759"),
    ("nm0000199", "Al Pacino", "1940", None, "actor,producer,director", "tt0113277"),
    ("nm0000245", "Robin Williams", "1951", "2014", "actor,producer,writer", "tt0113497"),
    ("nm0000379", "Kirsten Dunst", "1982", None, "actress,producer,director", "tt0113497"),
    ("nm0000434", "Mark Hamill", "1951", None, "actor,writer,director", "tt0076759"),
    ("nm0000493", "Jack Lemmon", "1925", "2001", "actor,producer,director", "tt0113228"),
    ("nm0000520", "Michael Mann", "1943", None, "producer,writer,director", "tt0113277"),
    ("nm0000527", "Walter Matthau", "1920", "2000", "actor,director,producer", "tt0113228"),
    ("nm0000741", "Tim Allen", "1953", None, "actor,producer,writer", "tt0114709"),
    ("nm0002653", "Joe Johnston", "1950", None, "director,art_department,writer", "tt0113497"),
    ("nm0004056", "Andrew Stanton", "1965", None, "writer,producer,director", "tt0114709"),
    ("nm0005124", "John Lasseter", "1957", None, "producer,writer,director", "tt0114709"),
    ("nm0005271", "Randy Newman", "1943", None, "composer,soundtrack,actor", "tt0114709"),
    ("nm0005883", "Dante Spinotti", "1943", None, "cinematographer,camera_department", "tt0113277"),
    ("nm0037708", "Bonnie Arnold", None, None, "producer,production_manager", "tt0114709"),
    ("nm0222043", "Howard Deutch", "1950", None, "director,producer,actor", "tt0113228"),
    ("nm0230032", "Pete Docter", "1968", None, "writer,producer,director", "tt0114709"),
    ("nm0378144", "Jonathan Hensleigh", "1959", None, "writer,producer,director", "tt0113497"),
    ("nm0405103", "Jonathan Hyde", "1948", None, "actor", "tt0113497"),
    ("nm0425756", "Mark Steven Johnson", "1964", None, "writer,producer,director", "tt0113228"),
    ("nm0886817", "Chris Van Allsburg", "1949", None, "writer,art_department,producer", "tt0113497"),
]

# What the loader makes of them: (person_id, movie_id, role, character), sorted.
CREDITS = sorted(
    [
        ("nm0000158", 1, "ACTED_IN", "Woody"),
        ("nm0000741", 1, "ACTED_IN", "Buzz Lightyear"),
        ("nm0005124", 1, "DIRECTED", None),
        ("nm0230032", 1, "WROTE", None),
        ("nm0037708", 1, "PRODUCED", None),
        ("nm0005124", 1, "WROTE", None),  # title.crew only
        ("nm0004056", 1, "WROTE", None),  # title.crew only
        ("nm0000245", 2, "ACTED_IN", "Alan Parrish"),
        ("nm0000379", 2, "ACTED_IN", "Judy Shepherd"),
        ("nm0405103", 2, "ACTED_IN", "Van Pelt"),
        ("nm0002653", 2, "DIRECTED", None),
        ("nm0378144", 2, "WROTE", None),
        ("nm0886817", 2, "WROTE", None),
        ("nm0000527", 3, "ACTED_IN", "Max Goldman"),
        ("nm0000493", 3, "ACTED_IN", "John Gustafson"),
        ("nm0222043", 3, "DIRECTED", None),
        ("nm0425756", 3, "WROTE", None),
        ("nm0000199", 6, "ACTED_IN", "Lt. Vincent Hanna"),
        ("nm0000134", 6, "ACTED_IN", "Neil McCauley"),
        ("nm0000520", 6, "DIRECTED", None),
        ("nm0005883", 6, "SHOT", None),
        ("nm0000520", 6, "WROTE", None),
    ]
)
LEFT_OUT = {"nm0000434", "nm0000184", "nm0005271"}
"""Star Wars' people, and a composer (no role in the graph)."""


def tsv_gz(columns: list[str], rows: list[tuple]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join("\\N" if v is None else v for v in row) for row in rows]
    return gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)


def imdb_dumps(titles: set[str] | None = None) -> dict[str, bytes]:
    """The three files, of every title or only of ``titles`` (and the people their rows name)."""
    principals = [row for row in PRINCIPAL_ROWS if titles is None or row[0] in titles]
    crew = [row for row in CREW_ROWS if titles is None or row[0] in titles]
    named = {row[2] for row in principals} | {
        p for row in crew for p in (*row[1].split(","), *row[2].split(","))
    }
    names = [row for row in NAME_ROWS if titles is None or row[0] in named]
    return {
        PRINCIPALS: tsv_gz(IMDB_COLUMNS[PRINCIPALS], principals),
        CREW: tsv_gz(IMDB_COLUMNS[CREW], crew),
        NAMES: tsv_gz(IMDB_COLUMNS[NAMES], names),
    }


def dataset_titles(films: dict[int, tuple[str, str, str, str]] = FILMS) -> set[str]:
    return {f"tt{imdb_id}" for _, _, imdb_id, _ in films.values()}


def write_ml_latest_small(directory: Path, films: dict = FILMS, links: bool = True) -> Path:
    """ratings.csv, movies.csv and (unless ``links`` is False) links.csv, as GroupLens writes them."""
    directory.mkdir(parents=True, exist_ok=True)
    ratings = "".join(f"{user},{movie_id},4.0,{964982703 + user}\n" for movie_id in films for user in (1, 2))
    (directory / "ratings.csv").write_text("userId,movieId,rating,timestamp\n" + ratings)
    movies = "".join(f"{movie_id},{title},{genres}\n" for movie_id, (title, genres, _, _) in films.items())
    (directory / "movies.csv").write_text("movieId,title,genres\n" + movies)
    if links:
        rows = "".join(
            f"{movie_id},{imdb_id},{tmdb_id}\n" for movie_id, (_, _, imdb_id, tmdb_id) in films.items()
        )
        (directory / "links.csv").write_text("movieId,imdbId,tmdbId\n" + rows)
    return directory


def write_imdb_subset(dataset_dir: Path, titles: set[str] | None = None) -> Path:
    """``<dataset_dir>/imdb/`` as ``fetch_imdb_people`` leaves it: the rows of ``titles`` (default: the
    dataset's films)."""
    target = dataset_dir / "imdb"
    target.mkdir(parents=True, exist_ok=True)
    for name, data in imdb_dumps(dataset_titles() if titles is None else titles).items():
        (target / name).write_bytes(data)
    return target
