"""The service-facing Recommender: queries, fold-in, explain, checkpoints."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from ml.fingerprint import interactions_fingerprint
from ml.recommender import CheckpointMismatch, Recommender
from ml.split import split_interactions
from tests.ml.synthetic import FAST_CONFIG, cluster_of_item, two_cluster_ratings


@pytest.fixture(scope="module")
def ratings():
    return two_cluster_ratings()


@pytest.fixture(scope="module")
def recommender(ratings):
    return Recommender.fit(ratings, FAST_CONFIG, progress=False)


def test_recommend_returns_raw_ids_best_first_and_respects_filters(recommender, ratings):
    recs = recommender.recommend(1000, k=5)
    assert len(recs) == 5
    assert [s for _, s in recs] == sorted((s for _, s in recs), reverse=True)
    assert (cluster_of_item([i for i, _ in recs]) == 0).all()

    allowed = np.array([600, 601, 602, 999_999])  # an unknown id is ignored
    assert {i for i, _ in recommender.recommend(1000, k=10, allowed_items=allowed)} == {600, 601, 602}
    best = recs[0][0]
    assert best not in {i for i, _ in recommender.recommend(1000, k=5, exclude=np.array([best]))}


def test_recommend_batch_agrees_with_recommend(recommender):
    ids, scores = recommender.recommend_batch(np.array([1000, 2000]), k=3)
    assert ids[1].tolist() == [i for i, _ in recommender.recommend(2000, k=3)]
    assert scores.shape == (2, 3)


def test_fold_in_propagated_part_is_exact_for_a_trained_user(recommender, ratings):
    history = ratings.loc[ratings.user_id == 1003, "item_id"].to_numpy()
    idx = recommender._items.lookup(history)
    propagated = recommender.item_history_vectors[idx].sum(0) / np.sqrt(len(idx))
    trained = recommender.user_vector(1003)
    # e_u = α0 e_u⁰ + propagated: the difference is the layer-0 part alone.
    free = trained - propagated
    assert np.linalg.norm(free) < np.linalg.norm(trained)
    folded = recommender.fold_in(history)
    cosine = folded @ trained / (np.linalg.norm(folded) * np.linalg.norm(trained))
    assert cosine > 0.9


def test_a_trained_users_own_history_gives_back_their_trained_vector(recommender, ratings):
    history = ratings.loc[ratings.user_id == 1003, "item_id"].to_numpy()
    updated = recommender.fold_in(history, user_id=1003)
    np.testing.assert_allclose(updated, recommender.user_vector(1003), rtol=1e-4, atol=1e-5)


def test_ratings_the_training_did_not_see_are_folded_into_their_users_vectors_and_no_others(ratings):
    seen, unseen, _ = split_interactions(ratings, "random", seed=0, ratios=(0.8, 0.2, 0.0))
    unseen = unseen[unseen.user_id.isin([1003, 2005])]
    every = pd.concat([seen, unseen])
    trained = Recommender.fit(seen, FAST_CONFIG, progress=False)
    model = trained.with_histories_of(np.array([1003, 2005, 777]), every)  # 777: a user it does not know

    for user in (1003, 2005):
        history = every.loc[every.user_id == user, "item_id"].to_numpy()
        np.testing.assert_allclose(model.user_vector(user), trained.fold_in(history, user_id=user), atol=1e-6)
        assert not np.allclose(model.user_vector(user), trained.user_vector(user))
    others = ~np.isin(model.user_ids, [1003, 2005])
    np.testing.assert_array_equal(model.user_embeddings[others], trained.user_embeddings[others])
    assert model.fingerprint == interactions_fingerprint(every.user_id, every.item_id, every.rating)
    assert model.data_as_of == every.timestamp.max()
    assert model.metrics["interactions"] == len(every)
    np.testing.assert_array_equal(model.rating_scale.weights, trained.rating_scale.weights)


def test_one_more_rating_nudges_a_trained_users_vector_instead_of_replacing_it(recommender, ratings):
    history = ratings.loc[ratings.user_id == 1003, "item_id"].to_numpy()
    new_item = next(i for i in recommender.item_ids if i not in set(history))
    trained = recommender.user_vector(1003)
    updated = recommender.fold_in(np.append(history, new_item), user_id=1003)
    from_scratch = recommender.fold_in(np.append(history, new_item))
    assert np.linalg.norm(updated - trained) < np.linalg.norm(from_scratch - trained)
    assert updated @ trained / (np.linalg.norm(updated) * np.linalg.norm(trained)) > 0.95


def test_fold_in_of_own_history_ranks_held_out_items_far_above_chance():
    ratings = two_cluster_ratings(users_per_cluster=30, per_user=10, seed=1)
    train, _, test = split_interactions(ratings, "random", seed=0, ratios=(0.7, 0.0, 0.3))
    new_user = 2005
    model = Recommender.fit(train[train.user_id != new_user], FAST_CONFIG, progress=False)
    history = train.loc[train.user_id == new_user, "item_id"].to_numpy()
    held_out = set(test.loc[test.user_id == new_user, "item_id"])
    recs = [i for i, _ in model.recommend(model.fold_in(history), k=5, exclude=history)]
    hits = len(held_out & set(recs))
    chance = len(held_out) * 5 / (len(model.item_ids) - len(history))
    assert hits >= max(1, 3 * chance)


def test_explain_terms_sum_to_the_propagated_part_of_the_score(recommender, ratings):
    history = ratings.loc[ratings.user_id == 2001, "item_id"].to_numpy()
    item = 605
    terms = recommender.explain(item, history, k=None)
    propagated = (
        recommender.fold_in(history, user_id=2001)
        - recommender.user_free_parts[recommender._users.index(np.int64(2001))[0]]
    )
    score = propagated @ recommender.item_embeddings[recommender._items.index(item)[0]]
    assert sum(t for _, t in terms) == pytest.approx(float(score), rel=1e-4)
    assert [t for _, t in terms] == sorted((t for _, t in terms), reverse=True)
    assert {i for i, _ in terms} <= set(history.tolist())


def test_checkpoint_round_trips(recommender, tmp_path):
    path = recommender.save(tmp_path / "model.npz")
    loaded = Recommender.load(path, expected_fingerprint=recommender.fingerprint)
    assert loaded.recommend(1000, k=5) == recommender.recommend(1000, k=5)
    assert loaded.version == recommender.version
    assert loaded.config == recommender.config
    assert loaded.data_as_of == recommender.data_as_of == 10 * 19 + 7 + 1
    assert loaded.has_user(1000) and not loaded.has_user(1)
    assert loaded.has_item(600) and not loaded.has_item(1)
    assert set(loaded.versions) >= {"torch", "numpy", "torch_geometric"}
    assert not list(tmp_path.glob("*.tmp"))


def test_checkpoint_refuses_other_data(recommender, tmp_path):
    path = recommender.save(tmp_path / "model.npz")
    other = interactions_fingerprint(np.array([1]), np.array([2]), np.array([3.0]))
    with pytest.raises(CheckpointMismatch, match="trained on data"):
        Recommender.load(path, expected_fingerprint=other)


def test_checkpoint_refuses_other_format_or_config(recommender, tmp_path, monkeypatch):
    path = recommender.save(tmp_path / "model.npz")
    monkeypatch.setattr("ml.recommender.FORMAT_VERSION", 999)
    with pytest.raises(CheckpointMismatch, match="format version"):
        Recommender.load(path)
    monkeypatch.undo()
    broken = dataclasses.replace(recommender)
    monkeypatch.setattr(broken.config.__class__, "to_dict", lambda self: {"no_such_field": 1})
    broken.save(tmp_path / "odd.npz")
    monkeypatch.undo()
    with pytest.raises(CheckpointMismatch, match="config"):
        Recommender.load(tmp_path / "odd.npz")


def test_fingerprint_ignores_row_order_but_not_content():
    users, items, values = np.array([1, 2, 3]), np.array([10, 20, 30]), np.array([4.0, 5.0, 3.0])
    order = np.array([2, 0, 1])
    base = interactions_fingerprint(users, items, values)
    assert interactions_fingerprint(users[order], items[order], values[order]) == base
    assert interactions_fingerprint(users, items, values + 1) != base


def test_top_contributors_agree_with_explain(recommender, ratings):
    rated = ratings.loc[ratings["user_id"] == ratings["user_id"].iloc[0], "item_id"].to_numpy()
    items = recommender.item_ids[:7]
    expected = [recommender.explain(int(item), rated, k=1)[0][0] for item in items]
    assert recommender.top_contributors(items, rated).tolist() == expected


def test_predicted_stars_follow_the_users_ratings_and_survive_a_checkpoint(ratings, tmp_path):
    train, valid, _ = split_interactions(ratings, "random", seed=0)
    model = Recommender.fit(train, FAST_CONFIG, valid=valid, progress=False)
    items = np.array([500, 501, 502])  # user 1000's cluster
    generous = model.predicted_ratings(1000, items, np.array([514]), np.array([5.0]))
    harsh = model.predicted_ratings(1000, items, np.array([514]), np.array([1.0]))
    assert ((harsh >= 0.5) & (harsh < generous) & (generous <= 5.0)).all()

    loaded = Recommender.load(model.save(tmp_path / "model.npz"))
    np.testing.assert_allclose(
        loaded.predicted_ratings(1000, items, np.array([514]), np.array([5.0])), generous, rtol=1e-6
    )
