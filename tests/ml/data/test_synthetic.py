"""The synthetic generator writes MovieLens' exact formats with MovieLens' shape."""

from __future__ import annotations

import numpy as np

from ml.data import load_dataset
from ml.data.synthetic import SyntheticSize, generate, write_ml1m, write_ml25m

SMALL = SyntheticSize(users=400, movies=300, ratings=30_000)


def test_ml1m_format_round_trips_through_the_loader(tmp_path):
    directory = write_ml1m(tmp_path / "ml-1m", SMALL, seed=1)
    assert (directory / "ratings.dat").read_text().splitlines()[0].count("::") == 3
    dataset = load_dataset(directory)
    assert dataset.summary()["users"] == 400 and dataset.summary()["movies"] == 300
    assert len(dataset.ratings) == SMALL.ratings
    assert set(dataset.ratings["rating"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert dataset.users["occupation"].notna().all()


def test_ml25m_format_has_headers_and_half_stars(tmp_path):
    directory = write_ml25m(tmp_path / "ml-25m", SMALL, seed=1)
    assert (directory / "ratings.csv").read_text().startswith("userId,movieId,rating,timestamp\n")
    dataset = load_dataset(directory)
    assert len(dataset.ratings) == SMALL.ratings
    assert 0.5 in set(dataset.ratings["rating"]) and 4.5 in set(dataset.ratings["rating"])
    assert all(1 <= len(g) <= 3 for g in dataset.movies["genres"])


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
