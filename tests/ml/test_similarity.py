"""Similar movies: co-rated more often than chance, shrunk for rare pairs, nudged by shared genres."""

import numpy as np
import scipy.sparse as sp

from ml.interactions import interaction_matrix
from ml.similarity import MovieSimilarity
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
