"""One loader for every published MovieLens layout and RecBole's atomic files, on files the tests write."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.data import Dataset, DatasetError, load_dataset
from tests.ml.data.freebase_files import (
    CREDITS,
    ML1M_FILMS,
    SEQUELS,
    recbole_item_lines,
    write_knowledge_graph,
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def ml100k_files(directory: Path) -> Path:
    write(directory / "u.data", "1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n")
    flags = lambda *on: "|".join("1" if i in on else "0" for i in range(19))  # noqa: E731
    write(
        directory / "u.item",
        f"10|Toy Story (1995)|01-Jan-1995||http://x|{flags(3, 4, 5)}\n"
        f"20|Amélie (2001)|01-Jan-2001||http://y|{flags(0)}\n",
        encoding="latin-1",
    )
    write(directory / "u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n")
    return directory


def test_ml100k_layout(tmp_path):
    dataset = load_dataset(ml100k_files(tmp_path / "ml-100k"))
    assert dataset.summary()["users"] == 2 and len(dataset.ratings) == 3
    toy = dataset.movies.set_index("movie_id").loc[10]
    assert (toy.title, toy.year, toy.genres) == ("Toy Story", 1995, ["Animation", "Children's", "Comedy"])
    assert dataset.movies.set_index("movie_id").loc[20].title == "Amélie"
    assert dataset.movies.set_index("movie_id").loc[20].genres == ["unknown"]
    assert dataset.users.iloc[1].to_dict() == {"user_id": 2, "age": 53, "gender": "F", "occupation": "other"}


def test_ml1m_layout_with_double_colon_separators(tmp_path):
    directory = tmp_path / "ml-1m"
    write(directory / "ratings.dat", "1::1193::5::978300760\n2::1::3::978300761\n")
    write(
        directory / "movies.dat",
        "1::Toy Story (1995)::Animation|Children's|Comedy\n"
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n",
    )
    write(directory / "users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n")
    dataset = load_dataset(directory)
    assert dataset.ratings.to_dict("list") == {
        "user_id": [1, 2], "movie_id": [1193, 1], "rating": [5.0, 3.0], "timestamp": [978300760, 978300761]
    }  # fmt: skip
    assert dataset.movies.set_index("movie_id").loc[1193].title == "One Flew Over the Cuckoo's Nest"
    assert dataset.users["occupation"].tolist() == ["K-12 student", "self-employed"]


def test_ml_latest_csv_layout(tmp_path):
    directory = tmp_path / "ml-latest-small"
    write(
        directory / "ratings.csv",
        "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n7,3,0.5,1\n",
    )
    write(
        directory / "movies.csv",
        "movieId,title,genres\n"
        "1,Toy Story (1995),Adventure|Animation\n"
        '3,"Grumpier Old Men, The (1995)",(no genres listed)\n',
    )
    dataset = load_dataset(directory)
    assert dataset.users["user_id"].tolist() == [1, 7]
    assert dataset.movies["title"].tolist() == ["Toy Story", "Grumpier Old Men, The"]
    assert dataset.movies["genres"].tolist() == [["Adventure", "Animation"], []]
    assert dataset.ratings["rating"].tolist() == [4.0, 4.5, 0.5]


def test_a_movie_rated_twice_by_one_user_keeps_the_later_line(tmp_path):
    directory = tmp_path / "ml-latest-small"
    write(
        directory / "ratings.csv",
        "userId,movieId,rating,timestamp\n1,1,2.0,100\n2,1,3.0,150\n1,1,4.5,50\n",
    )
    write(directory / "movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n")
    ratings = load_dataset(directory).ratings
    assert ratings[["user_id", "movie_id", "rating", "timestamp"]].values.tolist() == [
        [2, 1, 3.0, 150],
        [1, 1, 4.5, 50],
    ]


def test_recbole_atomic_files_with_a_knowledge_graph_keyed_by_their_ids(tmp_path):
    write(
        tmp_path / "tiny.inter",
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t480\t4\t100\n2\t1544\t5\t200\n",
    )
    write(
        tmp_path / "tiny.item",
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        + recbole_item_lines(ML1M_FILMS),
    )
    write_knowledge_graph(tmp_path / "tiny")
    dataset = load_dataset(tmp_path / "tiny.inter")
    # both ends of a fact become one credit; the language triple is no credit
    credits = dataset.credits[["person_id", "movie_id", "role"]]
    assert sorted(map(tuple, credits.to_numpy().tolist())) == CREDITS
    assert dataset.credits["character"].isna().all()  # Freebase names no parts
    assert sorted(map(tuple, dataset.sequels.to_numpy().tolist())) == SEQUELS
    assert dataset.movies.set_index("movie_id").loc[1544, "year"] == 1997
    assert "Musical" in dataset.genres and dataset.warnings == ()


def test_the_shipped_ml100k_has_the_published_shape_less_its_placeholder_and_duplicates(ml100k: Dataset):
    # 1682 movies less the placeholder and 18 duplicates; 100k ratings less the placeholder's 9 and the
    # earlier of two ratings by the 307 users who rated both copies of a film.
    assert ml100k.summary() == {
        "users": 943, "movies": 1663, "ratings": 99_684, "genres": 19, "people": 0, "named_people": 0,
        "credits": 0, "placeholders_dropped": 1, "duplicates_merged": 18,
    }  # fmt: skip


def test_the_shipped_ml100k_links_are_keyed_by_other_ids_and_refused_with_the_evidence(ml100k: Dataset):
    assert ml100k.credits.empty and ml100k.sequels.empty
    assert ml100k.warnings == (
        "ml-100k.link: 0 of 57 (0%) sequel pairs share a title word, 31 of 57 (54%) are in year order; "
        "1598 of 1598 (100%) linked ids are films of the dataset, 1598 of 1682 (95%) films linked; "
        "links look keyed by other ids; people and sequels not imported",
    )


@pytest.mark.parametrize(
    ("filename", "text", "line", "message"),
    [
        ("u.data", "1\t10\t5\t881250949\n1\tten\t3\t881250950\n", 2, "'item' must be a number, got 'ten'"),
        ("u.data", "1\t10\t5\t881250949\n1\t10\t3\n", 2, "must be a number"),
        ("u.data", "1\t10\t5\t881250949\n\n2\t10\t4\t5\n", 2, "must be a number"),
        ("u.data", "1\t10\t5\t881250949\t7\t8\n", 1, "wrong number of fields"),
    ],
)
def test_a_corrupt_file_names_the_file_and_line(tmp_path, filename, text, line, message):
    ml100k_files(tmp_path)
    write(tmp_path / filename, text)
    with pytest.raises(DatasetError, match=message) as caught:
        load_dataset(tmp_path)
    assert caught.value.path == tmp_path / filename
    assert caught.value.line == line
    assert f"{filename}, line {line}:" in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    ml100k_files(tmp_path)
    (tmp_path / "u.item").unlink()
    with pytest.raises(DatasetError, match=r"u\.item: file not found"):
        load_dataset(tmp_path)


def test_a_recbole_header_without_types_is_refused(tmp_path):
    write(tmp_path / "x.inter", "user_id\titem_id\n1\t2\n")
    with pytest.raises(DatasetError, match="line 1: header field 'user_id' is not of the form name:type"):
        load_dataset(tmp_path / "x.inter")


def test_a_directory_without_known_files_is_refused(tmp_path):
    write(tmp_path / "notes.txt", "hello")
    with pytest.raises(DatasetError, match="found no u.data"):
        load_dataset(tmp_path)
