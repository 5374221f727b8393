"""Entity links are believed only where they are keyed by the dataset's movie ids (``ml.data.link_check``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.data import Dataset, load_dataset, resolve_dataset
from ml.data.link_check import MIN_SEQUEL_PAIRS, check_links
from tests.ml.data.freebase_files import (
    CREDITS,
    ML1M_FILMS,
    ML100K_FILMS,
    SEQUELS,
    recbole_item_lines,
    write_knowledge_graph,
)
from tests.ml.data.test_loaders import ml100k_files, write

REFUSED_ON_ML100K_IDS = (
    "ml-100k.link: 0 of 6 (0%) sequel pairs share a title word, 4 of 6 (67%) are in year order; "
    "11 of 11 (100%) linked ids are films of the dataset, 11 of 11 (100%) films linked; "
    "links look keyed by other ids; people and sequels not imported"
)


def ml1m_files(directory: Path) -> Path:
    """An ml-1m directory whose movies are the franchise films, one rating each, plus Toy Story."""
    films = {1: ("Toy Story", 1995, "Animation|Children's|Comedy"), **ML1M_FILMS}
    write(
        directory / "movies.dat",
        "".join(
            f"{movie_id}::{title} ({year})::{genres}\n" for movie_id, (title, year, genres) in films.items()
        ),
    )
    write(directory / "ratings.dat", "".join(f"1::{movie_id}::4::978300760\n" for movie_id in films))
    return directory


def ml100k_recbole_files(directory: Path) -> Path:
    """RecBole's ml-100k layout, its movies being what ml-100k calls the ids of the franchise films."""
    write(
        directory / "ml-100k.inter",
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
        + "".join(f"1\t{movie_id}\t4\t881250949\n" for movie_id in ML100K_FILMS),
    )
    write(
        directory / "ml-100k.item",
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        + recbole_item_lines(ML100K_FILMS),
    )
    write_knowledge_graph(directory / "ml-100k")
    return directory / "ml-100k.inter"


def credit_rows(dataset: Dataset) -> list[tuple]:
    return sorted(map(tuple, dataset.credits[["person_id", "movie_id", "role"]].to_numpy().tolist()))


def sequel_rows(dataset: Dataset) -> list[tuple]:
    return sorted(map(tuple, dataset.sequels.to_numpy().tolist()))


def test_links_keyed_by_movielens_ids_bring_people_and_sequels_to_an_ml1m_dataset(tmp_path):
    data_dir = tmp_path / "data"
    ml1m_files(data_dir / "datasets" / "ml-1m")
    write_knowledge_graph(data_dir / "datasets" / "ml-100k" / "ml-100k")  # where the ml-100k fetch puts it
    dataset = resolve_dataset("ml-1m", data_dir)
    assert credit_rows(dataset) == CREDITS
    assert sequel_rows(dataset) == SEQUELS
    assert dataset.warnings == ()


def test_the_same_links_on_ids_that_mean_other_films_are_refused_with_the_evidence(tmp_path):
    dataset = load_dataset(ml100k_recbole_files(tmp_path / "ml-100k"))
    assert dataset.credits.empty and dataset.sequels.empty
    assert dataset.warnings == (REFUSED_ON_ML100K_IDS,)


def test_an_ml1m_dataset_without_fetched_triples_has_no_people_and_no_warning(tmp_path):
    data_dir = tmp_path / "data"
    ml1m_files(data_dir / "datasets" / "ml-1m")
    dataset = resolve_dataset("ml-1m", data_dir)
    assert dataset.credits.empty and dataset.sequels.empty and dataset.warnings == ()


def test_grouplens_ml100k_numbers_its_own_movies_and_is_never_offered_movielens_keyed_triples(tmp_path):
    files = write_knowledge_graph(tmp_path / "recbole" / "ml-100k")
    dataset = load_dataset(ml100k_files(tmp_path / "ml-100k"), files)
    assert dataset.credits.empty and dataset.sequels.empty and dataset.warnings == ()


def test_a_few_agreeing_sequel_pairs_are_too_little_evidence_to_believe():
    movies = pd.DataFrame(
        {"movie_id": [1380, 1381, 1387, 1388], "title": ["Grease", "Grease 2", "Jaws", "Jaws 2"]}
        | {"year": pd.array([1978, 1982, 1975, 1978], dtype="Int64")}
    )
    links = pd.DataFrame({"movie_id": [1380, 1381, 1387, 1388], "entity_id": ["a", "b", "c", "d"]})
    check = check_links(
        "few.link", links, pd.DataFrame({"movie_id": [1380, 1387], "sequel_id": [1381, 1388]}), movies
    )
    assert check.sharing_a_title_word == check.sequel_pairs == 2 < MIN_SEQUEL_PAIRS
    assert not check.passed
    assert check.message.endswith(
        f"too few sequel pairs to check the links (need {MIN_SEQUEL_PAIRS}); people and sequels not imported"
    )


def test_a_link_file_for_ids_the_dataset_lacks_is_refused():
    movies = pd.DataFrame(
        {"movie_id": list(ML1M_FILMS), "title": [t for t, _, _ in ML1M_FILMS.values()]}
        | {"year": pd.array([y for _, y, _ in ML1M_FILMS.values()], dtype="Int64")}
    )
    links = pd.DataFrame({"movie_id": [*ML1M_FILMS, *range(5000, 5030)], "entity_id": "m.x"})
    sequels = pd.DataFrame(SEQUELS, columns=["movie_id", "sequel_id"])
    check = check_links("other.link", links, sequels, movies)
    assert check.sharing_a_title_word == 5 and check.years_in_order == 6
    assert not check.passed and "11 of 41 (27%) linked ids are films of the dataset" in check.message
