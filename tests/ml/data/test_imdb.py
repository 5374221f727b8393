"""IMDb people for a csv-flavour dataset: the download (from a local server that speaks Range, If-Range and
ETag, and misbehaves on demand), the subset, the loader and its check, and the command."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from ml.data import Dataset, DatasetError, load_dataset
from ml.data.dataset import users_from_ratings
from ml.data.hygiene import clean
from ml.data.imdb import (
    CREW,
    IMDB_COLUMNS,
    IMDB_FILES,
    NAMES,
    PRINCIPALS,
    fetch_imdb_people,
    read_links_csv,
)
from ml.data.imdb_check import check_imdb_people
from ml.data.movielens import load_ml_csv, movies_frame
from service.cli import main
from tests.ml.data.imdb_files import (
    CREDITS,
    FILMS,
    LEFT_OUT,
    STAR_WARS,
    dataset_titles,
    imdb_dumps,
    write_imdb_subset,
    write_ml_latest_small,
)

# --- a local IMDb ---------------------------------------------------------------------------------


@dataclass
class Site:
    """What the server publishes and how it misbehaves; ``requests`` logs (path, Range, If-Range)."""

    files: dict[str, bytes]
    cuts: dict[str, int] = field(default_factory=dict)  # name -> responses still to cut halfway
    extra_length: dict[str, int] = field(default_factory=dict)  # name -> bytes Content-Length overstates
    ignore_if_range: bool = False
    requests: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    url: str = ""

    def etag(self, name: str) -> str:
        return '"' + hashlib.sha256(self.files[name]).hexdigest()[:16] + '"'


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            name = self.path.lstrip("/")
            wanted, if_range = self.headers.get("Range"), self.headers.get("If-Range")
            site.requests.append((name, wanted, if_range))
            if name not in site.files:
                self.send_error(404)
                return
            body, etag = site.files[name], site.etag(name)
            start = 0
            if wanted and (if_range is None or if_range == etag or site.ignore_if_range):
                start = int(wanted.removeprefix("bytes=").removesuffix("-"))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(206 if start else 200)
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(body) - start + site.extra_length.get(name, 0)))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.end_headers()
            payload = body[start:]
            if site.cuts.get(name, 0) > 0:
                site.cuts[name] -= 1
                payload = payload[: len(payload) // 2]  # then the connection closes
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    published = Site(files=imdb_dumps())
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(published))
    published.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield published
    server.shutdown()
    server.server_close()


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return write_ml_latest_small(tmp_path / "ml-latest-small")


def credit_rows(credits: pd.DataFrame) -> list[tuple]:
    return sorted(map(tuple, credits[["person_id", "movie_id", "role", "character"]].to_numpy().tolist()))


def gz_lines(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in gzip.decompress(path.read_bytes()).decode().splitlines()]


# --- download -------------------------------------------------------------------------------------


def test_the_dumps_are_downloaded_with_their_size_etag_and_sha256_and_a_second_call_downloads_nothing(
    site, dataset_dir, tmp_path
):
    downloads = tmp_path / "downloads"
    fetch_imdb_people(dataset_dir, downloads, base_url=site.url)
    for name in IMDB_FILES:
        assert (downloads / name).read_bytes() == site.files[name]
        manifest = json.loads((downloads / f"{name}.json").read_text())
        assert manifest == {
            "url": site.url + name,
            "size": len(site.files[name]),
            "etag": site.etag(name),
            "sha256": hashlib.sha256(site.files[name]).hexdigest(),
        }
        assert not (downloads / f"{name}.part").exists()
    asked = len(site.requests)
    fetch_imdb_people(dataset_dir, downloads, base_url=site.url)
    assert len(site.requests) == asked == 3


def test_a_transfer_cut_halfway_resumes_where_it_stopped(site, dataset_dir, tmp_path):
    site.cuts[PRINCIPALS] = 1
    fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    size = len(site.files[PRINCIPALS])
    assert [request for request in site.requests if request[0] == PRINCIPALS] == [
        (PRINCIPALS, None, None),
        (PRINCIPALS, f"bytes={size // 2}-", site.etag(PRINCIPALS)),
    ]
    assert (tmp_path / "downloads" / PRINCIPALS).read_bytes() == site.files[PRINCIPALS]


def test_a_download_that_keeps_breaking_keeps_its_part_for_the_next_run(site, dataset_dir, tmp_path):
    site.cuts[CREW] = 100
    with pytest.raises(DatasetError, match=r"title\.crew\.tsv\.gz.*the next run resumes from there"):
        fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    part = tmp_path / "downloads" / f"{CREW}.part"
    kept = part.stat().st_size
    assert 0 < kept < len(site.files[CREW])
    site.cuts[CREW] = 0
    fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    assert [request for request in site.requests if request[0] == CREW][-1] == (
        CREW,
        f"bytes={kept}-",
        site.etag(CREW),
    )
    assert (tmp_path / "downloads" / CREW).read_bytes() == site.files[CREW]


@pytest.mark.parametrize("ignore_if_range", [False, True], ids=["200-to-If-Range", "206-with-new-ETag"])
def test_a_file_that_changed_on_the_server_is_downloaded_again_from_the_start(
    site, dataset_dir, tmp_path, ignore_if_range
):
    site.cuts[NAMES] = 100
    with pytest.raises(DatasetError):
        fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    site.cuts[NAMES], site.ignore_if_range = 0, ignore_if_range
    site.files[NAMES] = gzip.compress(
        gzip.decompress(site.files[NAMES]) + b"nm9999999\tNew Person\t\\N\t\\N\t\\N\t\\N\n"
    )
    fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    assert (tmp_path / "downloads" / NAMES).read_bytes() == site.files[NAMES]
    manifest = json.loads((tmp_path / "downloads" / f"{NAMES}.json").read_text())
    assert manifest["etag"] == site.etag(NAMES)
    assert manifest["sha256"] == hashlib.sha256(site.files[NAMES]).hexdigest()


def test_a_size_that_disagrees_with_the_announced_one_is_refused_and_not_kept(site, dataset_dir, tmp_path):
    site.extra_length[CREW] = 100  # Content-Length says 100 bytes more than the file has
    with pytest.raises(DatasetError, match=r"title\.crew\.tsv\.gz: size mismatch: the server has \d+ bytes"):
        fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    assert not any(path.name.startswith(CREW) for path in (tmp_path / "downloads").iterdir())


def test_a_missing_file_on_the_server_is_a_clear_error(site, dataset_dir, tmp_path):
    del site.files[NAMES]
    with pytest.raises(DatasetError, match=r"name\.basics\.tsv\.gz: GET .* answered 404"):
        fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)


def test_an_unreachable_server_is_a_clear_error(dataset_dir, tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/"  # bound, not listening: refused
        with pytest.raises(DatasetError, match=r"title\.principals\.tsv\.gz: download of .* failed 3 times"):
            fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=url)


# --- subset ---------------------------------------------------------------------------------------


def test_the_subset_keeps_the_dataset_s_films_and_their_people_in_the_published_format(
    site, dataset_dir, tmp_path
):
    target = fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    assert target == dataset_dir / "imdb"
    for name in IMDB_FILES:
        assert gz_lines(target / name)[0] == IMDB_COLUMNS[name]
    principals, crew, names = (gz_lines(target / name)[1:] for name in IMDB_FILES)
    assert {row[0] for row in principals} == {row[0] for row in crew} == dataset_titles()
    assert STAR_WARS not in {row[0] for row in principals}
    assert (
        len(principals) == 17 and ["tt0114709", "1", "nm0000158", "actor", "\\N", '["Woody"]'] in principals
    )
    assert {row[0] for row in names} == {p for p, *_ in CREDITS} | {"nm0005271"}  # the composer is named
    assert sorted(path.name for path in target.iterdir()) == sorted(IMDB_FILES)  # no temporary files left


def test_a_dump_with_other_columns_is_refused(site, dataset_dir, tmp_path):
    site.files[CREW] = gzip.compress(b"tconst\tdirectors\n")
    with pytest.raises(
        DatasetError, match=r"title\.crew\.tsv\.gz, line 1: columns are .* expected the published"
    ):
        fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)


def test_a_dump_line_with_a_missing_field_is_named_by_its_line(site, dataset_dir, tmp_path):
    text = gzip.decompress(site.files[PRINCIPALS]).decode().splitlines()
    text[4] = text[4].rsplit("\t", 1)[0]  # a kept line (Grumpier Old Men) without its characters
    site.files[PRINCIPALS] = gzip.compress(("\n".join(text) + "\n").encode())
    with pytest.raises(DatasetError, match=r"title\.principals\.tsv\.gz, line 5: expected 6 fields, got 5"):
        fetch_imdb_people(dataset_dir, tmp_path / "downloads", base_url=site.url)
    assert not (dataset_dir / "imdb").exists() or not any((dataset_dir / "imdb").iterdir())


# --- loading --------------------------------------------------------------------------------------


def test_the_loader_gives_named_people_their_roles_and_characters(dataset_dir):
    write_imdb_subset(dataset_dir)
    dataset = load_ml_csv(dataset_dir)
    assert credit_rows(dataset.credits) == CREDITS
    people = dataset.people.set_index("person_id")
    assert people.loc["nm0000158", "name"] == "Tom Hanks" and people.loc["nm0000158", "birth_year"] == 1956
    assert pd.isna(people.loc["nm0037708", "birth_year"])
    assert set(people.index) == {p for p, *_ in CREDITS} and not LEFT_OUT & set(people.index)
    assert str(dataset.people["birth_year"].dtype) == "Int64" and dataset.warnings == ()


def test_links_become_imdb_and_tmdb_ids(tmp_path):
    directory = write_ml_latest_small(tmp_path / "ml-latest-small")
    (directory / "links.csv").write_text(
        "movieId,imdbId,tmdbId\n1,0114709,862\n2,113497,\n3,10872600,15602\n"
    )
    links = load_dataset(directory).links
    assert links["imdb_id"].tolist() == ["tt0114709", "tt0113497", "tt10872600"]
    assert str(links["tmdb_id"].dtype) == "Int64"
    assert links["tmdb_id"].astype(object).where(links["tmdb_id"].notna(), None).tolist() == [
        862,
        None,
        15602,
    ]


def test_a_links_file_with_a_word_for_an_id_names_the_line(tmp_path):
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n2,tt0113497,8844\n")
    with pytest.raises(DatasetError, match=r"links\.csv, line 3: 'imdbId' must be a whole number"):
        read_links_csv(tmp_path / "links.csv")


def test_load_dataset_end_to_end_after_the_command(site, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CINEGRAPH_DATA_DIR", str(tmp_path / "data"))
    write_ml_latest_small(tmp_path / "data" / "datasets" / "ml-latest-small")
    assert main(["data", "people", "ml-latest-small", "--source-url", site.url]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["linked_movies"] == printed["movies_with_credits"] == 4
    assert printed["credits"] == len(CREDITS) and printed["people"] == len({p for p, *_ in CREDITS})
    dataset = load_dataset(tmp_path / "data" / "datasets" / "ml-latest-small")
    assert credit_rows(dataset.credits) == CREDITS
    assert dataset.summary()["named_people"] == dataset.summary()["people"] == printed["people"]
    assert (tmp_path / "data" / "downloads" / PRINCIPALS).is_file()


def test_the_command_refuses_a_dataset_without_links_csv(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CINEGRAPH_DATA_DIR", str(tmp_path / "data"))
    directory = write_ml_latest_small(tmp_path / "data" / "datasets" / "ml-1m-like", links=False)
    assert main(["data", "people", "ml-1m-like", "--source-url", "http://127.0.0.1:9/"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {directory} has no links.csv") and "Traceback" not in err


def test_a_film_listed_twice_keeps_one_set_of_credits_and_its_own_links(tmp_path):
    films = {**FILMS, 200: ("Toy Story (1995)", "Animation", "0114709", "862")}
    directory = write_ml_latest_small(tmp_path / "ml-latest-small", films)
    write_imdb_subset(directory)
    dataset = load_dataset(directory)
    assert dataset.aliases.to_dict("list") == {"alias_id": [200], "movie_id": [1]}
    assert credit_rows(dataset.credits) == CREDITS
    assert 200 not in set(dataset.links["movie_id"]) and len(dataset.links) == 4


def test_files_filtered_for_another_dataset_are_refused_with_the_evidence(dataset_dir):
    write_imdb_subset(dataset_dir, titles={"tt0114709"})  # one of the four films
    dataset = load_ml_csv(dataset_dir)
    assert dataset.credits.empty and dataset.people.empty
    assert dataset.warnings == (
        f"{dataset_dir / 'imdb'}: 1 of 4 (25%) linked films are in the files, 0 of 6 (0%) dated credits "
        "name a person born after the film; the files lack most of the dataset's films (filtered for "
        "another dataset?); IMDb people not imported",
    )


def test_credits_of_people_born_after_their_films_say_the_links_mean_other_films():
    movies = pd.DataFrame({"movie_id": range(30), "year": pd.array([1950] * 30, dtype="Int64")})
    credits = pd.DataFrame({"person_id": [f"nm{i:07d}" for i in range(30)], "movie_id": range(30)})
    born = [1980] * 10 + [1920] * 20  # a third born 30 years after their film
    people = pd.DataFrame({"person_id": credits["person_id"], "birth_year": pd.array(born, dtype="Int64")})
    check = check_imdb_people("imdb", 30, 30, credits, people, movies)
    assert not check.passed and check.message.endswith(
        "links.csv looks to link other films; IMDb people not imported"
    )
    one_year_off = people.assign(birth_year=pd.array([1951] * 10 + [1920] * 20, dtype="Int64"))
    assert check_imdb_people("imdb", 30, 30, credits, one_year_off, movies).passed


def test_an_incomplete_subset_is_named_and_not_used(dataset_dir):
    (write_imdb_subset(dataset_dir) / NAMES).unlink()
    dataset = load_ml_csv(dataset_dir)
    assert dataset.credits.empty
    assert dataset.warnings == (f"{dataset_dir / 'imdb'}: lacks {NAMES}; IMDb people not imported",)


def test_a_person_credited_in_both_copies_of_a_film_keeps_the_canonical_movie_s_credit():
    movies = movies_frame(pd.Series([1, 200]), pd.Series(["Toy Story (1995)"] * 2), [["Animation"]] * 2)
    ratings = pd.DataFrame(
        {"user_id": [1, 1], "movie_id": [200, 1], "rating": [4.0, 5.0], "timestamp": [1, 2]}
    )
    credits = pd.DataFrame(
        {
            "person_id": ["nm0000158", "nm0000158", "nm0000741"],
            "movie_id": [200, 1, 200],
            "role": ["ACTED_IN"] * 3,
            "character": ["Sheriff Woody", "Woody", "Buzz Lightyear"],
        }
    )
    people = pd.DataFrame({"person_id": ["nm0000158", "nm0000741"], "name": ["Tom Hanks", "Tim Allen"]})
    links = pd.DataFrame({"movie_id": [1, 200], "imdb_id": ["tt0114709"] * 2, "tmdb_id": [862, 862]})
    dataset = clean(
        Dataset("twice", users_from_ratings(ratings), movies, ratings, credits, people=people, links=links)
    )
    assert credit_rows(dataset.credits) == [
        ("nm0000158", 1, "ACTED_IN", "Woody"),
        ("nm0000741", 1, "ACTED_IN", "Buzz Lightyear"),
    ]
    assert dataset.links["movie_id"].tolist() == [1] and len(dataset.people) == 2
