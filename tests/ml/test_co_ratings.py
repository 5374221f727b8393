"""Co-ratings at a cost that grows with the ratings: heavy raters are sampled down, others kept."""

import numpy as np
import scipy.sparse as sp

from ml.co_ratings import cap_heavy_raters, rater_cap


def ratings_with_one_heavy_rater() -> sp.csr_matrix:
    rng = np.random.default_rng(0)
    users = np.concatenate([np.repeat(np.arange(1, 200), 5), np.zeros(400, np.int64)])
    items = np.concatenate([rng.integers(0, 400, 199 * 5), np.arange(400)])
    matrix = sp.csr_matrix((np.ones(len(users), np.float32), (users, items)), shape=(200, 400))
    matrix.data[:] = 1.0
    return matrix


def test_within_budget_every_rating_counts():
    ratings = ratings_with_one_heavy_rater()
    assert (cap_heavy_raters(ratings, pairs_per_rating=1_000) != ratings).nnz == 0


def test_a_heavy_rater_is_sampled_down_to_the_budget_and_light_raters_are_kept():
    ratings = ratings_with_one_heavy_rater()
    capped = cap_heavy_raters(ratings, pairs_per_rating=20)
    counts, kept = np.diff(ratings.indptr), np.diff(capped.indptr)
    cap = rater_cap(counts, 20 * ratings.nnz)
    assert kept[0] == cap < counts[0]
    assert np.array_equal(kept[1:], np.minimum(counts[1:], cap))
    assert np.square(kept.astype(float)).sum() <= 20 * ratings.nnz
    assert (capped - capped.multiply(ratings)).nnz == 0  # a sample: nothing added
    assert (cap_heavy_raters(ratings, 20, seed=0) != capped).nnz == 0  # the same sample every time
    assert (cap_heavy_raters(ratings, 20, seed=1) != capped).nnz > 0


def test_the_cap_is_the_largest_within_budget():
    counts = np.array([1, 3, 10, 50])
    cap = rater_cap(counts, 300)
    assert np.square(np.minimum(counts, cap)).sum() <= 300 < np.square(np.minimum(counts, cap + 1)).sum()
    assert rater_cap(counts, 10_000) is None
