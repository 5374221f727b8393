"""One loader for every published MovieLens layout and RecBole's atomic files, on files the tests write."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.data import Dataset, DatasetError, load_dataset


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


def test_recbole_atomic_files_with_knowledge_graph(tmp_path):
    write(
        tmp_path / "tiny.inter",
        "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t10\t4\t100\n2\t20\t5\t200\n",
    )
    write(
        tmp_path / "tiny.item",
        "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        "10\tAlien\t1979\tHorror Sci-Fi\n"
        "20\tAliens\t1986\tAction Sci-Fi\n",
    )
    write(tmp_path / "tiny.link", "item_id:token\tentity_id:token\n10\tm.alien\n20\tm.aliens\n")
    write(
        tmp_path / "tiny.kg",
        "head_id:token\trelation_id:token\ttail_id:token\n"
        "m.alien\tfilm.film.directed_by\tm.scott\n"
        "m.scott\tfilm.director.film\tm.alien\n"
        "m.aliens\tfilm.film.actor\tm.weaver\n"
        "m.alien\tfilm.film.language\tm.english\n"
        "m.alien\tfilm.film.sequel\tm.aliens\n",
    )
    dataset = load_dataset(tmp_path / "tiny.inter")
    assert sorted(map(tuple, dataset.credits.to_numpy().tolist())) == [
        ("m.scott", 10, "DIRECTED"),
        ("m.weaver", 20, "ACTED_IN"),
    ]
    assert dataset.sequels.to_dict("list") == {"movie_id": [10], "sequel_id": [20]}
    assert dataset.genres == ["Action", "Horror", "Sci-Fi"]
    assert dataset.movies["year"].tolist() == [1979, 1986]


def test_the_shipped_ml100k_has_the_published_shape(ml100k: Dataset):
    assert ml100k.summary() | {"people": 0, "credits": 0} == {
        "users": 943, "movies": 1682, "ratings": 100_000, "genres": 19, "people": 0, "credits": 0
    }  # fmt: skip
    assert set(ml100k.credits["role"]) == {"ACTED_IN", "DIRECTED", "WROTE", "PRODUCED", "SHOT"}


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
