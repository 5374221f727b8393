"""Similar movies: co-rated more often than chance, shrunk for rare pairs, nudged by shared genres."""

import numpy as np
import pytest
import scipy.sparse as sp

from ml import similarity
from ml.interactions import interaction_matrix
from ml.similarity import GENRE_BONUS, SHRINK, TOP_K, MovieSimilarity, SimilarityMismatch
from tests.ml.synthetic import cluster_of_item, two_cluster_ratings


def ratings_matrix(rows: list[list[int]], n_movies: int) -> sp.csr_matrix:
    users = [u for u, movies in enumerate(rows) for _ in movies]
    movies = [m for row in rows for m in row]
    return sp.csr_matrix((np.ones(len(movies)), (users, movies)), shape=(len(rows), n_movies))


def no_genres(n_movies: int) -> sp.csr_matrix:
    return sp.csr_matrix((n_movies, 1))


def test_a_sequel_beats_the_movie_everybody_rated():
    # Movie 0 (the original) and 1 (its sequel) are rated by the same 30 fans; movie 2 by everyone.
    fans = [[0, 1, 2]] * 30
    others = [[2, 3]] * 60 + [[2, 4]] * 60
    index = MovieSimilarity.fit(
        ratings_matrix(fans + others, 5), no_genres(5), np.array([10, 11, 12, 13, 14])
    )
    assert [movie for movie, _ in index.similar(10, k=2)] == [11, 12]


def test_a_pair_rated_together_once_does_not_top_a_list():
    # Movie 1 is rated together with 0 by one user only; movie 2 by 25 of movie 0's 50 raters.
    rows = [[0, 1]] + [[0, 2]] * 24 + [[0]] * 25 + [[2, 3]] * 25 + [[3]] * 50
    index = MovieSimilarity.fit(ratings_matrix(rows, 4), no_genres(4), np.arange(4))
    assert index.similar(0, k=1)[0][0] == 2


def test_shared_genres_break_a_tie_and_unknown_or_lonely_movies_have_no_list():
    rows = [[0, 1, 2]] * 10 + [[3]] * 5
    genres = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=np.float32))
    index = MovieSimilarity.fit(ratings_matrix(rows, 4), genres, np.array([5, 6, 7, 8]))
    assert [movie for movie, _ in index.similar(5, k=2)] == [7, 6]
    assert index.similar(8, k=3) == []  # nobody rated it with another movie
    assert index.similar(99, k=3) == []
    assert [movie for movie, _ in index.similar(5, k=2, exclude=np.array([7]))] == [6]


def test_similar_movies_stay_in_their_cluster():
    ratings = two_cluster_ratings()
    users, user_rows = np.unique(ratings.user_id, return_inverse=True)
    movies, movie_rows = np.unique(ratings.item_id, return_inverse=True)
    rated = interaction_matrix(user_rows, movie_rows, len(users), len(movies))
    index = MovieSimilarity.fit(rated, no_genres(len(movies)), movies)
    similar = [movie for movie, _ in index.similar(600, k=5)]
    assert len(similar) == 5 and 600 not in similar
    assert (cluster_of_item(similar) == 1).all()


def reference_scores(rated: sp.csr_matrix, genres: sp.csr_matrix) -> np.ndarray:
    """The module docstring's ``score`` of every pair as one dense movies × movies matrix, in numpy:
    -inf where nobody rated both and on the diagonal."""
    both = (rated.T @ rated).toarray().astype(np.float32)
    raters = np.diag(both).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(both * rated.shape[0] / np.outer(raters, raters))
        score = np.where(both > 0, pmi * both / (both + SHRINK), -np.inf).astype(np.float32)
    np.fill_diagonal(score, -np.inf)
    best = score.max(axis=1, keepdims=True)
    score = score / np.where(np.isfinite(best) & (best > 0), best, np.float32(1.0))
    shared = (genres @ genres.T).toarray().astype(np.float32)
    sizes = np.asarray(genres.sum(axis=1)).ravel().astype(np.float32)
    return score + GENRE_BONUS * (shared / np.maximum(sizes[:, None] + sizes[None, :] - shared, 1))


def random_ratings(seed: int, n_users: int = 300, n_movies: int = 150) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Ratings with popular and unrated movies, a movie rated alone, and genre sets of 0–3 of 6 genres."""
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.0, n_movies) + 0.01
    popularity[-5:] = 0  # nobody rated them
    chosen = [rng.choice(n_movies, rng.integers(1, 30), replace=False, p=popularity / popularity.sum())
              for _ in range(n_users)]  # fmt: skip
    rows = [*map(list, chosen), [n_movies - 6]]  # a last user rates one movie alone
    rated = ratings_matrix(rows, n_movies)
    rated.data[:] = 1
    genres = sp.csr_matrix((rng.random((n_movies, 6)) < 0.25).astype(np.float32))
    return rated, genres


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_blocked_fit_finds_the_top_scores_of_the_formula(seed, monkeypatch):
    rated, genres = random_ratings(seed)
    monkeypatch.setattr(similarity, "BLOCK", 16)  # many blocks, the last one short
    index = MovieSimilarity.fit(rated, genres, np.arange(rated.shape[1]) * 10)
    expected = reference_scores(rated, genres)

    for movie, (neighbours, scores) in enumerate(zip(index.neighbours, index.scores, strict=True)):
        candidates = np.sort(expected[movie][np.isfinite(expected[movie])])[::-1][:TOP_K]
        found = neighbours >= 0
        assert found.sum() == len(candidates)  # -1 and -inf pad a short list
        assert np.isneginf(scores[~found]).all()
        # the best scores, best first, each the formula's score of the movie it names (ties in any order)
        np.testing.assert_allclose(scores[found], candidates, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(expected[movie][neighbours[found]], scores[found], rtol=1e-6, atol=1e-6)
        assert movie not in neighbours


def fitted_table() -> MovieSimilarity:
    rows = [[0, 1, 2]] * 10 + [[2, 3]] * 5
    return MovieSimilarity.fit(ratings_matrix(rows, 4), no_genres(4), np.array([5, 6, 7, 8]))


def test_a_saved_table_loads_back_for_its_model_and_movies_only(tmp_path):
    table = fitted_table()
    path = table.save(tmp_path / "model.similar.npz", model_version="v1")
    assert [p.name for p in tmp_path.iterdir()] == ["model.similar.npz"]  # no temp file left behind

    loaded = MovieSimilarity.load(path, "v1", np.array([5, 6, 7, 8]))
    for name in ("movie_ids", "neighbours", "scores"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(table, name))
    with pytest.raises(SimilarityMismatch, match="fitted for model v1, not v2"):
        MovieSimilarity.load(path, "v2", np.array([5, 6, 7, 8]))
    with pytest.raises(SimilarityMismatch, match="movies differ"):
        MovieSimilarity.load(path, "v1", np.array([5, 6, 7, 9]))


def test_a_table_of_other_code_or_an_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = fitted_table().save(tmp_path / "model.similar.npz", model_version="v1")
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # cut short, as by a full disk
    with pytest.raises(SimilarityMismatch, match="not a readable"):
        MovieSimilarity.load(path, "v1", np.array([5, 6, 7, 8]))
    path.write_bytes(b"not a table")
    with pytest.raises(SimilarityMismatch, match="not a readable"):
        MovieSimilarity.load(path, "v1", np.array([5, 6, 7, 8]))

    path.write_bytes(good)
    monkeypatch.setattr(similarity, "SHRINK", 30.0)
    with pytest.raises(SimilarityMismatch, match="another version of the code"):
        MovieSimilarity.load(path, "v1", np.array([5, 6, 7, 8]))
