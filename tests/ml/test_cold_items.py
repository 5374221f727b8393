"""Movies nobody rated get embeddings from the graph: the HeteroData, the encoder, the benchmark."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import torch

from ml.benchmarks.cold_items import GENRE_SHARE, PRODUCT, RANDOM, cold_items_report
from ml.cold_items import ColdItemEncoder, Incidence, leave_one_out_means
from ml.commands import main
from ml.graph import MovieFacts, movie_graph
from ml.recommender import Recommender
from tests.ml.synthetic import FAST_CONFIG, cluster_of_user, two_cluster_ratings

BENCH_CONFIG = dataclasses.replace(FAST_CONFIG, max_epochs=10, eval_every=5)  # the harness, not accuracy


def tiny_facts() -> MovieFacts:
    """Movies 10, 20, 30 (rated) and 40 (nobody rated, no year); two people, one in two roles."""
    return MovieFacts(
        movie_ids=np.array([10, 20, 30, 40]),
        years=np.array([1994.0, 1996.0, 2001.0, np.nan]),
        genre_movie_ids=np.array([10, 10, 20, 30, 40, 40]),
        genres=np.array(["Action", "Drama", "Drama", "Comedy", "Action", "Action"]),  # 40: listed twice
        person_movie_ids=np.array([10, 20, 20, 40]),
        person_ids=np.array(["nm1", "nm1", "nm2", "nm2"]),
        roles=np.array(["DIRECTED", "DIRECTED", "ACTED_IN", "WROTE"]),
    )


def test_graph_has_every_node_and_edge_type_with_its_counts():
    ratings = pd.DataFrame(
        {"user_id": [7, 7, 9], "item_id": [10, 20, 30], "rating": [4.0, 2.0, 5.0], "timestamp": [1, 2, 3]}
    )
    graph = movie_graph(ratings, tiny_facts(), period_years=5)
    data = graph.data
    counts = {t: data[t].num_nodes for t in data.node_types}
    assert counts == {"user": 2, "movie": 4, "genre": 3, "period": 3, "person": 2}
    edges = {t: data[t].edge_index.shape[1] for t in data.edge_types}
    assert edges == {
        ("user", "rated", "movie"): 3,
        ("movie", "rev_rated", "user"): 3,
        ("movie", "in_genre", "genre"): 5,  # the duplicate (40, Action) counts once
        ("genre", "rev_in_genre", "movie"): 5,
        ("movie", "in_period", "period"): 3,  # 40 has no year
        ("period", "rev_in_period", "movie"): 3,
        ("movie", "credits", "person"): 4,
        ("person", "rev_credits", "movie"): 4,
    }
    assert data.validate()
    assert graph.periods.tolist() == [1990, 1995, 2000]
    rated = data["user", "rated", "movie"]
    assert graph.users.raw_ids[rated.edge_index[0]].tolist() == [7, 7, 9]
    assert graph.movies.raw_ids[rated.edge_index[1]].tolist() == [10, 20, 30]
    assert rated.rating.tolist() == [4.0, 2.0, 5.0]
    credits = data["movie", "credits", "person"]
    roles = {
        (int(graph.movies.raw_ids[m]), str(graph.people[p]), graph.roles[r])
        for (m, p), r in zip(credits.edge_index.T.tolist(), credits.role.tolist(), strict=True)
    }
    assert roles == {
        (10, "nm1", "DIRECTED"),
        (20, "nm1", "DIRECTED"),
        (20, "nm2", "ACTED_IN"),
        (40, "nm2", "WROTE"),
    }
    assert data["person", "rev_credits", "movie"].role.tolist() == credits.role.tolist()
    assert graph.attribute_index("period", [1997.0, 2020.0, np.nan]).tolist() == [1, -1, -1]


def cluster_facts(ratings: pd.DataFrame) -> MovieFacts:
    """Cluster A (500..) movies are Action, each with a cluster-A director; cluster B (600..) Drama.

    Directors ``a0..a4`` / ``b0..b4`` each made three movies of their cluster; one Comedy per cluster
    and a shared year keep genre and period from telling the clusters apart on their own.
    """
    movie_ids = np.unique(ratings["item_id"].to_numpy())
    cluster = np.where(movie_ids >= 600, "b", "a")
    genres = np.where(cluster == "a", "Action", "Drama")
    genres[[0, -1]] = "Comedy"
    directors = np.char.add(cluster, ((movie_ids % 100) // 3).astype(str))
    return MovieFacts(
        movie_ids=movie_ids,
        years=np.full(len(movie_ids), 1990.0),
        genre_movie_ids=movie_ids,
        genres=genres,
        person_movie_ids=movie_ids,
        person_ids=directors,
        roles=np.full(len(movie_ids), "DIRECTED"),
    )


@pytest.fixture(scope="module")
def clusters():
    ratings = two_cluster_ratings()
    model = Recommender.fit(ratings, FAST_CONFIG, progress=False)
    graph = movie_graph(ratings, cluster_facts(ratings))
    return model, ColdItemEncoder.from_recommender(graph, model)


@pytest.mark.parametrize(
    ("genres", "people"),
    [(["Action"], []), ([], ["a0"]), (["Comedy"], ["a1", "a2"])],
    ids=["genre", "director", "comedy by cluster-A directors"],
)
def test_a_cold_movie_like_cluster_a_scores_higher_for_cluster_a_users(clusters, genres, people):
    model, encoder = clusters
    embedding = encoder.embed(genres, 1990, people)
    scores = model.user_embeddings @ embedding
    in_a = cluster_of_user(model.user_ids) == 0
    assert scores[in_a].mean() > scores[~in_a].mean() + 3 * scores.std() / np.sqrt(len(scores))
    mirrored = encoder.embed(
        ["Drama"] if genres == ["Action"] else genres, 1990, [p.replace("a", "b") for p in people]
    )
    assert (model.user_embeddings[~in_a] @ mirrored).mean() > (model.user_embeddings[in_a] @ mirrored).mean()


def test_embed_many_agrees_with_embed_movies_for_graph_movies(clusters):
    _, encoder = clusters
    facts = cluster_facts(two_cluster_ratings())
    ids = facts.movie_ids[[0, 5, 20]]
    described = encoder.embed_many(
        [facts.genres[np.isin(facts.genre_movie_ids, i)].tolist() for i in ids],
        [1990] * 3,
        [facts.person_ids[np.isin(facts.person_movie_ids, i)].tolist() for i in ids],
    )
    np.testing.assert_allclose(described, encoder.embed_movies(ids), rtol=1e-5, atol=1e-6)
    unknown = encoder.embed(["No such genre"], None, ["nobody"])
    np.testing.assert_allclose(unknown, encoder.bias, atol=1e-6)  # nothing known: the bias alone


def test_leave_one_out_means_are_the_per_edge_formula_averaged_over_each_movies_edges():
    """nm2 meets movie 20 once and the unrated 40 twice (wrote it and acted in it), nm1
    directs 10 and 20: each movie's feature is the mean, over its edges, of its person's shrunk mean
    deviation without the movie, here written out edge by edge."""
    facts = dataclasses.replace(
        tiny_facts(),
        person_movie_ids=np.array([10, 20, 20, 40, 40]),
        person_ids=np.array(["nm1", "nm1", "nm2", "nm2", "nm2"]),
        roles=np.array(["DIRECTED", "DIRECTED", "ACTED_IN", "WROTE", "ACTED_IN"]),
    )
    graph = movie_graph(None, facts)
    rng = np.random.default_rng(0)
    own = torch.zeros(4, 4, dtype=torch.float64)
    warm = graph.movies.index(np.array([10, 20, 30]), "movie")
    own[warm, :3] = torch.from_numpy(rng.normal(size=(3, 3)))
    own[warm, 3] = 1.0
    total = own.sum(0, keepdim=True)
    incidence = Incidence.of(graph, "person")
    totals = incidence.attributes_by_movies(torch.ones(len(incidence.movies), dtype=torch.float64)) @ own
    shrinkage = 2.0

    person_to_movie = graph.data["person", "rev_credits", "movie"].edge_index.T.tolist()
    expected = torch.zeros(4, 3, dtype=torch.float64)
    for movie in range(4):
        edges = [person for person, m in person_to_movie if m == movie]
        prior = (total[0, :3] - own[movie, :3]) / max(float(total[0, 3] - own[movie, 3]), 1.0)
        for person in edges:
            others = float(totals[person, 3] - own[movie, 3])
            if others >= 0.5:
                rest = totals[person, :3] - own[movie, :3] - others * prior
                expected[movie] += rest / (others + shrinkage) / len(edges)

    got = leave_one_out_means(incidence, totals, own, total, shrinkage)
    torch.testing.assert_close(got, expected)
    movie_30 = graph.movies.index(np.array([30]), "movie")[0]
    assert got[movie_30].abs().max() == 0  # no people: nothing to average
    assert expected.abs().sum(1).gt(0).sum() == 3  # 10 and 20 through each other, 40 through 20


def test_fitting_leaves_each_movie_out_of_its_own_people():
    """Each movie has its own person: with the movie's embedding in its person's mean the person would
    predict the movie perfectly; left out, the person has nothing to say and gets no weight."""
    rng = np.random.default_rng(0)
    movie_ids = np.arange(1, 41)
    embeddings = rng.normal(size=(40, 8)).astype(np.float32)
    facts = MovieFacts(
        movie_ids=movie_ids,
        years=np.full(40, np.nan),
        genre_movie_ids=movie_ids,
        genres=np.full(40, "Drama"),  # every movie: a genre that says nothing
        person_movie_ids=movie_ids,
        person_ids=np.char.add("nm", movie_ids.astype(str)),
        roles=np.full(40, "DIRECTED"),
    )
    graph = movie_graph(None, facts)
    alone = ColdItemEncoder.fit(graph, movie_ids, embeddings)
    assert alone.types == ()

    # The same people on pairs of movies that share an embedding: now a person does predict the other.
    paired = dataclasses.replace(facts, person_ids=np.char.add("nm", ((movie_ids + 1) // 2).astype(str)))
    twins = np.repeat(embeddings[::2], 2, axis=0)
    shared = ColdItemEncoder.fit(movie_graph(None, paired), movie_ids, twins)
    assert shared.types == ("person",)
    np.testing.assert_allclose(shared.embed([], None, ["nm1"]), twins[0], atol=0.1 * np.abs(twins).mean())


def test_cold_item_benchmark_runs_end_to_end_on_tiny_data():
    ratings = two_cluster_ratings(users_per_cluster=30, per_user=10)
    report = cold_items_report(ratings, cluster_facts(ratings), BENCH_CONFIG, seeds=(0,))
    run = report["runs"][0]
    assert run["cold_movies"] == 3 and run["users"] > 0
    summary = report["summary"]
    assert {PRODUCT, GENRE_SHARE, RANDOM} <= set(summary)
    assert summary[PRODUCT]["ndcg@20"] > summary[RANDOM]["ndcg@20"]


def test_bench_cold_items_command_reads_a_dataset_folder(tmp_path, capsys):
    ratings = two_cluster_ratings(users_per_cluster=30, per_user=10)
    facts = cluster_facts(ratings)
    pd.DataFrame(
        {
            "movieId": facts.movie_ids,
            "title": [f"Movie {i} (1990)" for i in facts.movie_ids],
            "genres": facts.genres,
        }
    ).to_csv(tmp_path / "movies.csv", index=False)
    ratings.rename(columns={"user_id": "userId", "item_id": "movieId"}).to_csv(
        tmp_path / "ratings.csv", index=False
    )
    config = json.dumps(BENCH_CONFIG.to_dict())
    assert main(["bench", "cold-items", "--dataset", str(tmp_path), "--seeds", "0", "--config", config]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["people"] == 0 and set(printed["summary"]) >= {PRODUCT, RANDOM}
