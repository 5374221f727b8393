"""The graph store against the real embedded FalkorDB (and Neo4j when NEO4J_URI is set)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from ml.data import Dataset
from ml.data.dataset import typed_users
from ml.data.movielens import movies_frame
from service.store import graph_store
from service.store.backends import Conflict, StoreUnavailable
from service.store.graph_store import GraphStore, NotFound


def tiny_dataset() -> Dataset:
    users = typed_users(
        pd.DataFrame(
            {"user_id": [1, 2], "age": [30, 40], "gender": ["F", "M"], "occupation": ["writer", "other"]}
        )
    )
    movies = movies_frame(
        pd.Series([10, 20, 30]),
        pd.Series(["Alien (1979)", "Aliens (1986)", "Fargo (1996)"]),
        [["Horror", "Sci-Fi"], ["Action", "Sci-Fi"], ["Crime"]],
    )
    ratings = pd.DataFrame(
        {
            "user_id": [1, 1, 2],
            "movie_id": [10, 20, 30],
            "rating": [5.0, 4.0, 3.0],
            "timestamp": [100, 200, 300],
        }
    )
    credits = pd.DataFrame(
        {
            "person_id": ["m.scott", "m.weaver", "m.weaver"],
            "movie_id": [10, 10, 20],
            "role": ["DIRECTED", "ACTED_IN", "ACTED_IN"],
            "character": [None, "Ripley", "Ripley"],
        }
    )
    sequels = pd.DataFrame({"movie_id": [10], "sequel_id": [20]})
    # m.scott has no name: a source that knows him only by id
    born = pd.array([1949], dtype="Int64")
    people = pd.DataFrame({"person_id": ["m.weaver"], "name": ["Sigourney Weaver"], "birth_year": born})
    return Dataset("tiny", users, movies, ratings, credits, sequels, people=people)


def sorted_ratings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["user_id", "movie_id"], ignore_index=True)


async def test_importing_ml100k_gives_the_published_counts(ml100k_store: GraphStore, ml100k: Dataset):
    stats = await ml100k_store.stats()
    assert stats["users"] == 943
    assert stats["movies"] == 1682 - 1 - 18  # less the placeholder and the duplicates (ml.data.hygiene)
    assert stats["ratings"] == 99_684
    assert stats["genres"] == 19
    assert stats["people"] == stats["credits"] == 0  # the shipped links are refused (ml.data.link_check)
    genre_names = {g["name"] for g in await ml100k_store.genres()}
    assert "unknown" in genre_names and "Film-Noir" in genre_names


async def test_export_round_trips_the_imported_ratings(ml100k_store: GraphStore, ml100k: Dataset):
    exported = (await ml100k_store.export_interactions()).as_frame()
    expected = sorted_ratings(ml100k.ratings)
    actual = sorted_ratings(exported)
    np.testing.assert_array_equal(actual["user_id"], expected["user_id"])
    np.testing.assert_array_equal(actual["movie_id"], expected["movie_id"])
    np.testing.assert_allclose(actual["rating"], expected["rating"])
    np.testing.assert_array_equal(actual["timestamp"], expected["timestamp"])


async def test_export_in_pages_of_users_misses_and_repeats_nothing(
    ml100k_store: GraphStore, monkeypatch: pytest.MonkeyPatch
):
    whole = sorted_ratings((await ml100k_store.export_interactions()).as_frame())
    monkeypatch.setattr(graph_store, "EXPORT_PAGE_USERS", 100)  # 943 users: ten pages, the last short
    paged = sorted_ratings((await ml100k_store.export_interactions()).as_frame())
    pd.testing.assert_frame_equal(paged, whole)


async def test_export_pages_over_sparse_user_ids_and_skips_users_without_ratings(
    empty_store: GraphStore, monkeypatch: pytest.MonkeyPatch
):
    dataset = tiny_dataset()
    users = typed_users(pd.DataFrame({"user_id": [1, 2, 7, 1000], "age": [30, 40, None, None]}))
    ratings = pd.DataFrame(
        {
            "user_id": [1, 1, 2, 1000],
            "movie_id": [10, 20, 30, 10],
            "rating": [5.0, 4.5, 3.0, 0.5],
            "timestamp": [100, 200, 300, 1_700_000_000],
        }
    )
    await empty_store.import_dataset(
        Dataset("sparse", users, dataset.movies, ratings, dataset.credits, dataset.sequels), progress=False
    )
    monkeypatch.setattr(graph_store, "EXPORT_PAGE_USERS", 3)  # pages {1, 2, 7} and {1000}
    exported = await empty_store.export_interactions()
    assert exported.user_ids.dtype == np.int64 and exported.ratings.dtype == np.float32
    pd.testing.assert_frame_equal(sorted_ratings(exported.as_frame()), ratings.astype({"rating": "float32"}))


async def test_export_of_an_empty_graph_is_empty(empty_store: GraphStore):
    assert len(await empty_store.export_interactions()) == 0


async def test_export_of_movie_links_holds_every_genre_and_credit(ml100k_store: GraphStore, ml100k: Dataset):
    links = await ml100k_store.export_movie_links()
    assert len(links.genres) == sum(len(g) for g in ml100k.movies["genres"])
    assert len(links.person_ids) == len(ml100k.credits)
    assert set(links.roles) == set(ml100k.credits["role"])


async def test_movie_search_is_case_insensitive_paginated_and_genre_filtered(ml100k_store: GraphStore):
    total, page = await ml100k_store.search_movies("STAR WARS")
    assert total == 1 and page[0]["title"] == "Star Wars" and page[0]["year"] == 1977
    total, first = await ml100k_store.search_movies("star", skip=0, limit=5)
    _, second = await ml100k_store.search_movies("star", skip=5, limit=5)
    assert total > 10 and len(first) == len(second) == 5
    assert not {m["id"] for m in first} & {m["id"] for m in second}
    total_scifi, scifi = await ml100k_store.search_movies("star", "Sci-Fi", limit=100)
    assert 0 < total_scifi < total and all("Sci-Fi" in m["genres"] for m in scifi)


async def test_movie_and_user_lookups(ml100k_store: GraphStore):
    toy_story = await ml100k_store.movie(1)
    assert toy_story["title"] == "Toy Story" and set(toy_story["genres"]) == {
        "Animation",
        "Children's",
        "Comedy",
    }
    assert toy_story["ratings"] == 452
    assert await ml100k_store.movie_people(1) == []
    user = await ml100k_store.user(1)
    # 272 ratings in the files, less one of the placeholder and one of Chasing Amy's second id
    assert user == {
        "id": 1, "username": None, "has_password": False, "created": False,
        "age": 24, "gender": "M", "occupation": "technician", "ratings": 270, "picks": 0,
    }  # fmt: skip
    with pytest.raises(NotFound, match="movie 99999"):
        await ml100k_store.movie(99999)
    with pytest.raises(NotFound, match="user 99999"):
        await ml100k_store.user(99999)


async def test_import_is_idempotent(empty_store: GraphStore):
    dataset = tiny_dataset()
    await empty_store.import_dataset(dataset, progress=False)
    first = await empty_store.stats()
    await empty_store.import_dataset(dataset, progress=False)
    assert await empty_store.stats() == first == {
        "users": 2, "movies": 3, "ratings": 3, "genres": 4, "people": 2, "credits": 3
    }  # fmt: skip
    assert len(await empty_store.export_interactions()) == 3


async def test_an_import_removes_the_people_its_dataset_no_longer_states(empty_store: GraphStore):
    dataset = tiny_dataset()
    await empty_store.import_dataset(dataset, progress=False)
    kept = dataset.credits[dataset.credits["person_id"] == "m.weaver"]
    refused = dataclasses.replace(dataset, credits=kept, sequels=dataset.sequels.iloc[:0])
    await empty_store.import_dataset(refused, progress=False)
    stats = await empty_store.stats()
    assert (stats["people"], stats["credits"], stats["ratings"]) == (1, 2, 3)
    assert set((await empty_store.export_movie_links()).person_ids) == {"m.weaver"}


async def test_a_movie_lists_its_named_people_with_characters_and_their_other_movies(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    people = await empty_store.movie_people(10)
    assert [(p["person_id"], p["name"], p["role"], p["character"], p["other_movies"]) for p in people] == [
        ("m.weaver", "Sigourney Weaver", "ACTED_IN", "Ripley", [20])
    ]  # the unnamed director is in the graph, not on the page
    person = await empty_store.person("m.weaver")
    assert (person["name"], person["birth_year"]) == ("Sigourney Weaver", 1949)
    assert sorted((c["movie_id"], c["role"], c["character"]) for c in person["credits"]) == [
        (10, "ACTED_IN", "Ripley"),
        (20, "ACTED_IN", "Ripley"),
    ]
    with pytest.raises(NotFound, match="m.nobody"):
        await empty_store.person("m.nobody")


async def test_rating_again_overwrites_and_history_is_newest_first(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    await empty_store.upsert_rating(1, 30, 2.5, ts=400)
    await empty_store.upsert_rating(1, 30, 4.5, ts=500)
    history = await empty_store.user_history(1)
    assert [(h["movie_id"], h["rating"]) for h in history.ratings] == [(30, 4.5), (20, 4.0), (10, 5.0)]
    assert (await empty_store.stats())["ratings"] == 4


async def test_the_history_of_some_movies_holds_only_their_ratings_and_picks(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    user_id = await empty_store.create_user()
    await empty_store.add_picks(user_id, [10, 30], ts=400)
    await empty_store.upsert_rating(user_id, 20, 3.5, ts=500)
    history = await empty_store.user_history_of(user_id, [20, 30, 77])  # movie 77 does not exist
    assert (history.ratings, history.picks) == (
        [{"movie_id": 20, "rating": 3.5, "ts": 500}],
        [{"movie_id": 30, "ts": 400}],
    )
    assert not await empty_store.user_history_of(1, [30])  # user 1 rated 10 and 20 only
    with pytest.raises(NotFound, match="user 7"):
        await empty_store.user_history_of(7, [10])


async def test_rating_an_unknown_user_or_movie_raises_not_found(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    with pytest.raises(NotFound, match="user 7"):
        await empty_store.upsert_rating(7, 10, 3.0)
    with pytest.raises(NotFound, match="movie 77"):
        await empty_store.upsert_rating(1, 77, 3.0)
    assert (await empty_store.stats())["ratings"] == 3


async def test_a_rating_batch_with_an_unknown_movie_still_writes_the_others(empty_store: GraphStore):
    dataset = tiny_dataset()
    await empty_store.import_dataset(dataset, progress=False)
    more = pd.DataFrame(
        {"user_id": [2, 2, 2], "movie_id": [10, 55, 20], "rating": [4.0, 3.0, 2.5], "timestamp": [700] * 3}
    )  # movie 55 does not exist; the graph holds ratings, so this import MERGEs
    again = Dataset("tiny", dataset.users, dataset.movies, more, dataset.credits, dataset.sequels)
    await empty_store.import_dataset(again, progress=False)
    history = {h["movie_id"]: h["rating"] for h in (await empty_store.user_history(2)).ratings}
    assert history == {10: 4.0, 20: 2.5, 30: 3.0}


async def test_picks_are_kept_apart_from_ratings_and_a_later_rating_wins(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    user_id = await empty_store.create_user()
    await empty_store.add_picks(user_id, [10, 20, 55], ts=800)  # movie 55 does not exist
    history = await empty_store.user_history(user_id)
    assert history.ratings == []
    assert sorted(history.picked_ids.tolist()) == [10, 20]
    assert (await empty_store.stats())["ratings"] == 3  # picks are not ratings

    await empty_store.upsert_rating(user_id, 20, 2.0, ts=900)
    history = await empty_store.user_history(user_id)
    assert [(h["movie_id"], h["rating"]) for h in history.ratings] == [(20, 2.0)]
    assert history.picked_ids.tolist() == [10]
    assert sorted(history.seen_ids.tolist()) == [10, 20]
    assert history.newest_ts == 900


@pytest.mark.parametrize("unknown_movie_id", [5, 99])  # sorts first (shifts every position) or last
async def test_a_first_import_naming_an_unknown_movie_writes_every_other_rating_once(
    empty_store: GraphStore, unknown_movie_id: int
):
    dataset = tiny_dataset()
    unknown = pd.DataFrame(
        {"user_id": [1], "movie_id": [unknown_movie_id], "rating": [1.0], "timestamp": [50]}
    )
    ratings = pd.concat([dataset.ratings, unknown], ignore_index=True)
    with_unknown = Dataset("tiny", dataset.users, dataset.movies, ratings, dataset.credits, dataset.sequels)
    await empty_store.import_dataset(with_unknown, progress=False)
    await empty_store.import_dataset(with_unknown, progress=False)
    exported = sorted_ratings((await empty_store.export_interactions()).as_frame())
    assert exported[["user_id", "movie_id"]].values.tolist() == [[1, 10], [1, 20], [2, 30]]


class _FailingRatingWrites:
    """The real backend, except that the second ratings batch finds the database gone."""

    def __init__(self, backend) -> None:
        self._backend, self.rating_batches = backend, 0

    def __getattr__(self, name: str):
        return getattr(self._backend, name)

    async def run(self, statement_name: str, params=None):
        if statement_name in {"create_ratings", "import_ratings"}:
            self.rating_batches += 1
            if self.rating_batches == 2:
                raise StoreUnavailable("the database went away")
        return await self._backend.run(statement_name, params)


async def test_an_import_that_loses_the_store_raises_store_unavailable(empty_store: GraphStore):
    store = GraphStore(_FailingRatingWrites(empty_store.backend), batch_size=1)  # one rating per batch
    with pytest.raises(StoreUnavailable, match="went away"):
        await store.import_dataset(tiny_dataset(), progress=False)


async def test_accounts_have_unique_usernames_and_one_password(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    ann = await empty_store.create_user("ann", "hash-of-ann")
    assert await empty_store.account("ann") == {"id": ann, "password_hash": "hash-of-ann"}
    assert (await empty_store.user(ann))["created"] is True
    with pytest.raises(Conflict, match="taken"):
        await empty_store.create_user("ann", "another-hash")

    guest = await empty_store.create_user()
    assert (await empty_store.user(guest))["has_password"] is False
    with pytest.raises(Conflict, match="taken"):
        await empty_store.set_credentials(guest, "ann", "h")
    await empty_store.set_credentials(guest, "bob", "hash-of-bob")
    assert await empty_store.account("bob") == {"id": guest, "password_hash": "hash-of-bob"}
    with pytest.raises(Conflict, match="already has a password"):
        await empty_store.set_credentials(guest, "bobby", "h")
    with pytest.raises(NotFound):
        await empty_store.set_credentials(99999, "carol", "h")
    assert await empty_store.account("nobody") is None


async def test_the_export_says_who_rated_after_a_time(empty_store: GraphStore):
    await empty_store.import_dataset(tiny_dataset(), progress=False)  # user 1 at 100 and 200, user 2 at 300
    new_user = await empty_store.create_user()
    await empty_store.upsert_rating(new_user, 10, 4.0, ts=250)
    await empty_store.upsert_rating(2, 10, 2.0, ts=400)
    exported = await empty_store.export_interactions()
    expected = {0: [1, 2, new_user], 99: [1, 2, new_user], 100: [1, 2, new_user], 199: [1, 2, new_user]}
    expected |= {200: [2, new_user], 249: [2, new_user], 250: [2], 399: [2], 400: []}
    assert {ts: exported.users_rated_since(ts).tolist() for ts in expected} == expected


async def test_recent_raters_are_who_stored_a_rating_since_a_time_and_imports_are_not(
    empty_store: GraphStore,
):
    await empty_store.import_dataset(tiny_dataset(), progress=False)  # ratings at 100 to 300
    assert await empty_store.recent_raters(0) == []
    await empty_store.upsert_rating(1, 30, 4.0, ts=500)
    await empty_store.upsert_rating(2, 10, 2.0, ts=700)
    assert sorted(await empty_store.recent_raters(500)) == [1, 2]
    assert await empty_store.recent_raters(501) == [2]
    await empty_store.upsert_rating(2, 20, 3.0, ts=600)  # an older time does not hide the newest rating
    assert await empty_store.recent_raters(700) == [2]
    assert await empty_store.recent_raters(701) == []
