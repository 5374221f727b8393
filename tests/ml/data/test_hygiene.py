"""Catalogue hygiene on load, on tiny datasets the tests write: placeholders go, films listed twice merge."""

from __future__ import annotations

from pathlib import Path

from ml.data import Dataset, load_dataset
from ml.data.hygiene import describe, normalised_title
from tests.ml.data.freebase_files import ML1M_FILMS, kg_lines, link_lines, recbole_item_lines
from tests.ml.data.test_loaders import write


def recbole_files(directory: Path, inter: str, item: str, kg: str = "", link: str = "") -> Path:
    write(directory / "tiny.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n" + inter)
    write(
        directory / "tiny.item",
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n" + item,
    )
    if kg:
        write(directory / "tiny.kg", "head_id:token\trelation_id:token\ttail_id:token\n" + kg)
        write(directory / "tiny.link", "item_id:token\tentity_id:token\n" + link)
    return directory / "tiny.inter"


def kull_twice(tmp_path: Path, *, franchise_films: bool = False) -> Dataset:
    """Kull the Conqueror as 266 and 680 (as in ml-100k); user 1 rated both, 680 later. With
    ``franchise_films``, the films of ``freebase_files`` too: enough sequel pairs for the link check to
    believe the links (alone, Kull's two pairs are too little evidence)."""
    more_items, more_kg, more_links = (
        (recbole_item_lines(ML1M_FILMS), kg_lines(), link_lines()) if franchise_films else ("", "", "")
    )
    return load_dataset(
        recbole_files(
            tmp_path,
            inter="1\t266\t2\t100\n1\t680\t5\t200\n2\t680\t4\t300\n3\t266\t3\t400\n3\t680\t1\t50\n"
            "1\t7\t4\t10\n",
            item="266\tKull the Conqueror\t1997\tAction Adventure\n"
            "680\tKull the Conqueror\t1997\tAction Fantasy\n"
            "7\tConan the Barbarian\t1982\tAction\n" + more_items,
            kg="m.kull\tfilm.film.directed_by\tm.nicolella\n"
            "m.kull2\tfilm.film.directed_by\tm.nicolella\n"
            "m.kull2\tfilm.film.actor\tm.sorbo\n"
            "m.conan\tfilm.film.sequel\tm.kull2\n"
            "m.kull\tfilm.film.prequel\tm.kull2\n" + more_kg,
            link="266\tm.kull\n680\tm.kull2\n7\tm.conan\n" + more_links,
        )
    )


def test_the_placeholder_movie_is_dropped_with_its_ratings(tmp_path):
    dataset = load_dataset(
        recbole_files(
            tmp_path,
            inter="1\t1\t4\t100\n1\t267\t3\t101\n2\t267\t5\t102\n",
            item="1\tToy Story\t1995\tAnimation\n267\tunkonwn\tunkonwn\tunknown\n",
            kg="m.unknown\tfilm.film.actor\tm.someone\nm.toy\tfilm.film.sequel\tm.unknown\n",
            link="1\tm.toy\n267\tm.unknown\n",
        )
    )
    assert dataset.movies["movie_id"].tolist() == [1]
    assert dataset.ratings["movie_id"].tolist() == [1]
    assert dataset.credits.empty and dataset.sequels.empty
    assert dataset.placeholders.to_dict("list") == {"movie_id": [267], "title": ["unkonwn"]}
    assert dataset.genres == ["Animation"]
    assert dataset.summary()["placeholders_dropped"] == 1


def test_a_title_without_a_year_is_kept_unless_it_names_no_film(tmp_path):
    directory = tmp_path / "ml-latest-small"
    write(directory / "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,3.0,2\n1,3,2.0,3\n")
    write(directory / "movies.csv", "movieId,title,genres\n1,Hyena Road,Drama\n2,unknown,Drama\n3,Unknown,\n")
    dataset = load_dataset(directory)
    assert dataset.movies["title"].tolist() == ["Hyena Road"]
    assert dataset.placeholders["movie_id"].tolist() == [2, 3]


def test_duplicate_titles_merge_into_one_movie_under_the_smallest_id(tmp_path):
    dataset = kull_twice(tmp_path)
    assert dataset.movies["movie_id"].tolist() == [266, 7]
    kull = dataset.movies.set_index("movie_id").loc[266]
    assert (kull.title, kull.year, kull.genres) == (
        "Kull the Conqueror",
        1997,
        ["Action", "Adventure", "Fantasy"],
    )
    assert dataset.aliases.to_dict("list") == {"alias_id": [680], "movie_id": [266]}
    assert dataset.summary()["duplicates_merged"] == 1


def test_a_user_who_rated_both_copies_keeps_the_later_rating(tmp_path):
    ratings = kull_twice(tmp_path).ratings
    kull = ratings[ratings["movie_id"] == 266].set_index("user_id")
    assert kull[["rating", "timestamp"]].to_dict("index") == {
        1: {"rating": 5.0, "timestamp": 200},
        2: {"rating": 4.0, "timestamp": 300},
        3: {"rating": 3.0, "timestamp": 400},
    }
    assert len(ratings) == 4 and ratings["movie_id"].isin([680]).sum() == 0


def test_credits_and_sequels_of_a_duplicate_move_to_its_movie_once(tmp_path):
    dataset = kull_twice(tmp_path, franchise_films=True)
    kull_and_conan = [7, 266, 680]
    credits = dataset.credits[dataset.credits["movie_id"].isin(kull_and_conan)]
    assert sorted(map(tuple, credits[["person_id", "movie_id", "role"]].to_numpy().tolist())) == [
        ("m.nicolella", 266, "DIRECTED"),
        ("m.sorbo", 266, "ACTED_IN"),
    ]
    # Conan -> Kull (680) becomes Conan -> Kull (266); Kull (266) -> Kull (680) would follow itself.
    sequels = dataset.sequels[dataset.sequels["movie_id"].isin(kull_and_conan)]
    assert sequels.to_dict("list") == {"movie_id": [7], "sequel_id": [266]}


def test_titles_differing_only_in_case_and_punctuation_merge_but_other_years_do_not(tmp_path):
    directory = tmp_path / "ml-latest-small"
    write(directory / "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,3.0,2\n1,3,2.0,3\n")
    write(
        directory / "movies.csv",
        "movieId,title,genres\n"
        "3,That Darn Cat! (1997),Comedy\n"
        "2,that darn cat (1997),Comedy\n"
        "1,That Darn Cat! (1965),Comedy\n",
    )
    dataset = load_dataset(directory)
    assert dataset.aliases.to_dict("list") == {"alias_id": [3], "movie_id": [2]}
    assert sorted(dataset.movies["movie_id"]) == [1, 2]
    assert normalised_title("  That  Darn Cat! ") == "that darn cat"


def test_a_clean_dataset_passes_unchanged(tmp_path):
    dataset = load_dataset(
        recbole_files(tmp_path, inter="1\t1\t4\t100\n", item="1\tToy Story\t1995\tAnimation\n")
    )
    assert dataset.aliases.empty and dataset.placeholders.empty
    assert describe(dataset) == {"placeholders_dropped": [], "duplicates_merged": []}


def test_the_report_names_what_was_dropped_and_merged(tmp_path):
    assert describe(kull_twice(tmp_path)) == {
        "placeholders_dropped": [],
        "duplicates_merged": [
            {"alias_id": 680, "movie_id": 266, "title": "Kull the Conqueror", "year": 1997}
        ],
    }


def test_the_shipped_ml100k_loses_its_placeholder_and_merges_its_18_duplicates(ml100k: Dataset):
    assert ml100k.placeholders["movie_id"].tolist() == [267]
    assert len(ml100k.aliases) == 18
    assert ml100k.aliases.set_index("alias_id")["movie_id"].to_dict()[680] == 266
    listed = set(ml100k.movies["movie_id"])
    assert not listed & {267, *ml100k.aliases["alias_id"]}
    assert not set(ml100k.ratings["movie_id"]) - listed
    titles = ml100k.movies["title"] + ml100k.movies["year"].astype(str)
    assert not titles.duplicated().any()
