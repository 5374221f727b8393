"""Feedback a person controls, in the store: removing a rating, and "not interested" with its undo."""

from __future__ import annotations

import pytest

from service.store.graph_store import GraphStore, NotFound
from tests.service.store.test_graph_store import tiny_dataset


@pytest.fixture
async def store(empty_store: GraphStore) -> GraphStore:
    """The tiny graph: user 1 rated movies 10 (5★, ts 100) and 20 (4★, ts 200); user 2 rated 30."""
    await empty_store.import_dataset(tiny_dataset(), progress=False)
    return empty_store


async def test_a_removed_rating_leaves_the_history_and_the_user_remembers_when(store: GraphStore):
    await store.delete_rating(1, 10, ts=900)

    history = await store.user_history(1)
    assert [(r["movie_id"], r["rating"]) for r in history.ratings] == [(20, 4.0)]
    assert history.ratings_removed_at == 900
    assert history.newest_ts == 200  # the history got shorter, not newer ...
    assert history.changed_at == 900  # ... and it still tells when it changed
    assert (await store.stats())["ratings"] == 2
    exported = (await store.export_interactions()).as_frame()
    assert (1, 10) not in set(zip(exported.user_id, exported.movie_id, strict=True))


async def stored_rating_count(store: GraphStore, movie_id: int) -> int | None:
    """``m.ratings`` as stored on the movie (search ranks by it; no statement of the product returns it)."""
    query, params = "MATCH (m:Movie {id: $id}) RETURN m.ratings AS ratings", {"id": movie_id}
    backend = store.backend
    if backend.name == "neo4j":
        records, _, _ = await backend._driver.execute_query(query, params, database_=backend._database)
        return records[0]["ratings"]
    return (await backend._graph.query(query, params)).result_set[0][0]


async def test_a_removed_rating_no_longer_counts_on_the_movie(store: GraphStore):
    await store.upsert_rating(2, 10, 3.0, ts=500)
    assert (await store.movie(10))["ratings"] == await stored_rating_count(store, 10) == 2

    await store.delete_rating(2, 10, ts=600)

    movie = await store.movie(10)
    assert movie["ratings"] == await stored_rating_count(store, 10) == 1  # the edges, and the count kept
    assert movie["mean_rating"] == 5.0


async def test_removing_a_rating_keeps_the_pick_it_had_superseded(store: GraphStore):
    user_id = await store.create_user()
    await store.add_picks(user_id, [10, 20], ts=800)
    await store.upsert_rating(user_id, 20, 2.0, ts=900)

    await store.delete_rating(user_id, 20, ts=1000)

    history = await store.user_history(user_id)
    assert history.ratings == []
    assert sorted(history.picked_ids.tolist()) == [10, 20]  # as before the rating


@pytest.mark.parametrize(
    ("user_id", "movie_id", "missing"),
    [
        (7, 10, "user 7 does not exist"),
        (1, 77, "movie 77 does not exist"),
        (1, 30, "user 1 has not rated movie 30"),
    ],
)
async def test_removing_a_rating_that_is_not_there_names_what_is_missing_and_removes_nothing(
    store: GraphStore, user_id: int, movie_id: int, missing: str
):
    with pytest.raises(NotFound, match=missing):
        await store.delete_rating(user_id, movie_id, ts=900)
    history = await store.user_history(1)
    assert len(history.ratings) == 2
    assert history.ratings_removed_at == 0
    assert (await store.stats())["ratings"] == 3


async def test_not_interested_is_kept_apart_from_ratings_listed_newest_first_and_undone(store: GraphStore):
    assert await store.add_not_interested(1, 30, ts=700) == 700
    assert await store.add_not_interested(1, 20, ts=800) == 800  # rated, and hidden as well

    assert [(r["movie_id"], r["ts"]) for r in await store.not_interested(1)] == [(20, 800), (30, 700)]
    history = await store.user_history(1)
    assert history.not_interested_ids.tolist() == [20, 30]
    assert set(history.excluded_ids.tolist()) == {10, 20, 30}
    assert len(history.ratings) == 2 and history.changed_at == 200  # the vector does not depend on it
    assert (await store.stats())["ratings"] == 3

    await store.remove_not_interested(1, 30)

    assert [r["movie_id"] for r in await store.not_interested(1)] == [20]
    assert (await store.user_history(1)).not_interested_ids.tolist() == [20]


async def test_marking_a_movie_twice_keeps_the_first_time(store: GraphStore):
    await store.add_not_interested(2, 10, ts=700)
    assert await store.add_not_interested(2, 10, ts=900) == 700
    assert await store.not_interested(2) == [{"movie_id": 10, "ts": 700}]


async def test_not_interested_of_an_unknown_user_movie_or_mark_names_what_is_missing(store: GraphStore):
    with pytest.raises(NotFound, match="user 7"):
        await store.add_not_interested(7, 10)
    with pytest.raises(NotFound, match="movie 77"):
        await store.add_not_interested(1, 77)
    with pytest.raises(NotFound, match="user 1 has not marked movie 10"):
        await store.remove_not_interested(1, 10)
    with pytest.raises(NotFound, match="user 7"):
        await store.not_interested(7)
    assert await store.not_interested(1) == []
