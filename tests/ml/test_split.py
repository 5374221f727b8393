"""Per-user 80/10/10 splits."""

import numpy as np
import pandas as pd

from ml.split import split_interactions


def _ratings(n_per_user: int = 20, users: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [
        (u, i, 4.0, int(t))
        for u in range(users)
        for i, t in zip(range(n_per_user), rng.permutation(n_per_user), strict=True)
    ]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])


def test_random_split_keeps_80_10_10_per_user_and_loses_nothing():
    ratings = _ratings()
    train, valid, test = split_interactions(ratings, "random", seed=3)
    for part, size in ((train, 16), (valid, 2), (test, 2)):
        assert (part.groupby("user_id").size() == size).all()
    merged = pd.concat([train, valid, test])
    assert len(merged.drop_duplicates(["user_id", "item_id"])) == len(ratings)


def test_temporal_split_puts_each_users_newest_interactions_in_test():
    train, valid, test = split_interactions(_ratings(), "temporal", seed=0)
    newest_train = train.groupby("user_id")["timestamp"].max()
    assert (valid.groupby("user_id")["timestamp"].min() > newest_train).all()
    assert (test.groupby("user_id")["timestamp"].min() > valid.groupby("user_id")["timestamp"].max()).all()


def test_split_is_reproducible_under_a_seed_and_varies_across_seeds():
    ratings = _ratings()
    first, again, other = (split_interactions(ratings, "random", seed=s)[2] for s in (7, 7, 8))
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_split_does_not_depend_on_row_order():
    ratings = _ratings()
    shuffled = ratings.sample(frac=1.0, random_state=0)
    for protocol in ("random", "temporal"):
        for a, b in zip(
            split_interactions(ratings, protocol, 5), split_interactions(shuffled, protocol, 5), strict=True
        ):
            pd.testing.assert_frame_equal(a, b)
