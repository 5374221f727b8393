"""The synthetic generator writes MovieLens' and IMDb's formats with MovieLens' shape and planted taste."""

from __future__ import annotations

import csv
import gzip
import itertools
import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ml.data import load_dataset
from ml.data.synthetic import SyntheticSize, generate, synthesize, write_ml1m, write_ml25m

SMALL = SyntheticSize(users=400, movies=300, ratings=30_000)
TASTE = SyntheticSize(users=2_000, movies=1_000, ratings=150_000)
IMDB_HEADERS = {
    "title.principals.tsv.gz": "tconst\tordering\tnconst\tcategory\tjob\tcharacters\n",
    "title.crew.tsv.gz": "tconst\tdirectors\twriters\n",
    "name.basics.tsv.gz": "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\n",
}


@pytest.fixture(scope="module")
def ml25m_directory(tmp_path_factory):
    return write_ml25m(tmp_path_factory.mktemp("synthetic") / "ml-25m", SMALL, seed=1)


def read_imdb(path) -> pd.DataFrame:
    """As IMDb's files are read: tabs, no quoting, ``\\N`` is null."""
    return pd.read_csv(
        path, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, na_values=["\\N"], keep_default_na=False
    )


def test_ml1m_format_round_trips_through_the_loader(tmp_path):
    directory = write_ml1m(tmp_path / "ml-1m", SMALL, seed=1)
    assert (directory / "ratings.dat").read_text().splitlines()[0].count("::") == 3
    dataset = load_dataset(directory)
    assert dataset.summary()["users"] == 400 and dataset.summary()["movies"] == 300
    assert len(dataset.ratings) == SMALL.ratings
    assert set(dataset.ratings["rating"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert dataset.users["occupation"].notna().all()


def test_ml25m_format_has_headers_and_half_stars(ml25m_directory):
    assert (ml25m_directory / "ratings.csv").read_text().startswith("userId,movieId,rating,timestamp\n")
    dataset = load_dataset(ml25m_directory)
    generated, _, _ = generate(SMALL, seed=1, half_stars=True)
    key = ["user_id", "movie_id"]
    loaded = dataset.ratings.sort_values(key, ignore_index=True)[generated.columns]
    pd.testing.assert_frame_equal(loaded, generated.sort_values(key, ignore_index=True), check_dtype=False)
    assert 0.5 in set(dataset.ratings["rating"]) and 4.5 in set(dataset.ratings["rating"])
    assert all(1 <= len(g) <= 3 for g in dataset.movies["genres"])


def test_the_loader_accepts_the_imdb_people(ml25m_directory):
    dataset = load_dataset(ml25m_directory)
    assert not dataset.warnings
    assert dataset.credits["movie_id"].nunique() == SMALL.movies
    assert {"DIRECTED", "ACTED_IN", "WROTE"} <= set(dataset.credits["role"])


def test_links_give_every_movie_a_distinct_seven_digit_imdb_id(ml25m_directory):
    text = (ml25m_directory / "links.csv").read_text()
    assert text.startswith("movieId,imdbId,tmdbId\n")
    links = pd.read_csv(ml25m_directory / "links.csv", dtype=str, keep_default_na=False)
    movies = pd.read_csv(ml25m_directory / "movies.csv")
    assert links["movieId"].astype(int).tolist() == movies["movieId"].tolist()
    assert links["imdbId"].str.fullmatch(r"\d{7}").all() and links["imdbId"].is_unique
    assert links["tmdbId"].str.fullmatch(r"\d*").all()


def test_imdb_people_files_are_in_the_published_format(ml25m_directory):
    imdb = ml25m_directory / "imdb"
    for name, header in IMDB_HEADERS.items():
        with gzip.open(imdb / name, "rt", encoding="utf-8") as lines:
            assert lines.readline() == header
            assert all(line.count("\t") == header.count("\t") for line in lines)
    titles = set("tt" + pd.read_csv(ml25m_directory / "links.csv", dtype=str)["imdbId"])
    principals = read_imdb(imdb / "title.principals.tsv.gz")
    crew = read_imdb(imdb / "title.crew.tsv.gz")
    names = read_imdb(imdb / "name.basics.tsv.gz")

    assert set(principals["tconst"]) <= titles and set(crew["tconst"]) == titles
    assert principals["nconst"].str.fullmatch(r"nm\d{7}").all()
    orderings = principals.groupby("tconst")["ordering"].agg(lambda o: sorted(map(int, o)))
    assert all(o == list(range(1, len(o) + 1)) for o in orderings)
    cast = principals["category"].isin(["actor", "actress"])
    assert set(principals["category"]) == {
        "actor",
        "actress",
        "director",
        "writer",
        "producer",
        "cinematographer",
    }
    assert principals.loc[~cast, "characters"].isna().all()
    assert all(isinstance(json.loads(c)[0], str) for c in principals.loc[cast, "characters"])

    assert crew["directors"].notna().all()
    crew_people = set(",".join(crew["directors"]).split(",")) | set(
        ",".join(crew["writers"].dropna()).split(",")
    )
    assert crew_people <= set(principals["nconst"])
    assert set(principals["nconst"]) == set(names["nconst"]) and names["nconst"].is_unique
    assert names["primaryName"].notna().all() and names["primaryName"].is_unique
    assert names["birthYear"].dropna().str.fullmatch(r"\d{4}").all()
    assert set(",".join(names["knownForTitles"]).split(",")) <= titles


def test_the_same_seed_writes_the_same_files(ml25m_directory, tmp_path):
    again = write_ml25m(tmp_path / "again", SMALL, seed=1)
    for name in ["ratings.csv", "links.csv", *(f"imdb/{n}" for n in IMDB_HEADERS)]:
        assert (again / name).read_bytes() == (ml25m_directory / name).read_bytes(), name


def test_the_shape_is_movielens_like():
    ratings, _, _ = generate(SyntheticSize(users=2_000, movies=1_000, ratings=150_000), seed=0)
    assert not ratings.duplicated(["user_id", "movie_id"]).any()
    per_user = ratings.groupby("user_id").size()
    assert per_user.min() >= 20 and per_user.max() > 5 * per_user.median()  # heavy-tailed activity
    per_movie = ratings["movie_id"].value_counts().to_numpy()
    assert per_movie[:100].sum() > 0.2 * len(ratings)  # the top 10% of movies hold twice their even share
    assert per_movie[0] > 5 * np.median(per_movie)
    assert (ratings.groupby("user_id")["timestamp"].agg(np.ptp) > 0).mean() > 0.9


def test_the_same_seed_gives_the_same_data():
    first, _, _ = generate(SMALL, seed=7)
    second, _, _ = generate(SMALL, seed=7)
    assert first.equals(second)


def favourite_cluster_lift(taste_share: float) -> tuple[float, float]:
    """How much more of their ratings users give their strongest cluster than popularity alone would
    (mean share / mean popularity mass of that cluster), and how many stars more they give it."""
    data = synthesize(TASTE, seed=0, taste_share=taste_share)
    users, movies = data.ratings["user_id"].to_numpy() - 1, data.ratings["movie_id"].to_numpy() - 1
    favourite = data.taste.user_mixture.argmax(axis=1)
    in_favourite = data.taste.movie_cluster[movies] == favourite[users]
    share = np.bincount(users, weights=in_favourite) / np.bincount(users)
    popularity = np.bincount(movies, minlength=TASTE.movies) / len(movies)
    mass = np.bincount(data.taste.movie_cluster, weights=popularity)
    stars = data.ratings["rating"].to_numpy()
    return share.mean() / mass[favourite].mean(), stars[in_favourite].mean() - stars[~in_favourite].mean()


def test_users_rate_their_planted_clusters_far_above_popularity():
    lift, extra_stars = favourite_cluster_lift(taste_share=0.75)
    assert lift > 3.0  # measured ~4
    assert extra_stars > 0.3  # measured ~0.55


def test_without_taste_clusters_are_only_popularity():
    lift, extra_stars = favourite_cluster_lift(taste_share=0.0)
    assert 0.9 < lift < 1.1 and abs(extra_stars) < 0.05


def audience_overlap(taste_share: float) -> dict[str, float]:
    """Mean cosine of the rater sets of movie pairs: sharing a director, sharing a first genre, random."""
    data = synthesize(TASTE, seed=0, taste_share=taste_share)
    users, movies = data.ratings["user_id"].to_numpy() - 1, data.ratings["movie_id"].to_numpy() - 1
    rated = sp.csr_matrix((np.ones(len(users)), (users, movies)))
    raters = np.asarray(rated.sum(axis=0)).ravel()
    cosine = (rated.T @ rated).toarray() / np.sqrt(np.outer(raters, raters))

    def pairs(groups: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        both = [pair for group in groups for pair in itertools.combinations(sorted(group), 2)]
        return tuple(np.array(both).T)

    directed = data.credits[data.credits["category"] == "director"]
    by_director = directed.groupby("person_id")["movie_id"].agg(lambda m: list(m - 1))
    first_genre = data.movies["genres"].str[0]
    by_genre = pd.Series(first_genre.index).groupby(first_genre.to_numpy()).agg(list)
    rng = np.random.default_rng(0)
    random_pairs = rng.integers(0, TASTE.movies, (2, 20_000))
    random_pairs = random_pairs[:, random_pairs[0] != random_pairs[1]]
    return {
        "director": cosine[pairs(by_director)].mean(),
        "genre": cosine[pairs(by_genre)].mean(),
        "random": cosine[tuple(random_pairs)].mean(),
    }


def test_movies_sharing_a_director_share_their_audience_beyond_genre():
    overlap = audience_overlap(taste_share=0.75)
    assert overlap["director"] > 1.4 * overlap["random"]  # measured ~1.8
    assert overlap["director"] > 1.3 * overlap["genre"]  # measured ~1.55
    without = audience_overlap(taste_share=0.0)
    assert without["director"] < 1.1 * without["random"]


def test_genres_and_decades_follow_the_clusters():
    data = synthesize(TASTE, seed=0)
    cluster = data.taste.movie_cluster
    favoured = [set(data.taste.cluster_genres[c]) for c in cluster]
    has_favoured = np.mean([bool(set(g) & f) for g, f in zip(data.movies["genres"], favoured, strict=True)])
    in_decade = (data.movies["year"].to_numpy() // 10 * 10 == data.taste.cluster_decade[cluster]).mean()
    assert 0.7 < has_favoured < 0.98 and 0.6 < in_decade < 0.9  # correlated, not determined
