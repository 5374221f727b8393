"""Feedback a person controls: removing a rating and "not interested", each undone, each durable in the
store and seen by the next request; only by that user (or the admin), and bad input loses nothing."""

from __future__ import annotations

import httpx

from tests.service.api.conftest import ADMIN_KEY, sign_in
from tests.service.api.test_catalogue_hygiene import KULL, KULL_ALIAS
from tests.service.api.test_recommendations import rated_ids

ADMIN = {"X-Admin-Key": ADMIN_KEY}


async def scored(api: httpx.AsyncClient, user_id: int, headers: dict[str, str], **params) -> dict[int, float]:
    """movie id -> score of the user's recommendations, in their order."""
    response = await api.get("/recommendations", params={"user_id": user_id, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return {item["movie"]["id"]: item["score"] for item in response.json()["items"]}


async def similar_ids(
    api: httpx.AsyncClient, movie_id: int, headers: dict[str, str] | None = None
) -> list[int]:
    response = await api.get(f"/movies/{movie_id}/similar", params={"k": 50}, headers=headers or {})
    assert response.status_code == 200, response.text
    return [item["movie"]["id"] for item in response.json()["items"]]


async def rated_in_a_small_genre(api: httpx.AsyncClient, user_id: int, headers) -> tuple[int, str]:
    """One of the user's rated movies and its genre with the fewest movies (at most 100: every movie of
    that genre the user has not rated fits in one list)."""
    sizes = {genre["name"]: genre["movies"] for genre in (await api.get("/genres")).json()}
    items = (await api.get(f"/users/{user_id}/ratings", headers=headers)).json()["items"]
    size, genre, movie_id = min((sizes[g], g, i["movie"]["id"]) for i in items for g in i["movie"]["genres"])
    assert size <= 100
    return movie_id, genre


async def a_movie_listing_as_similar(api: httpx.AsyncClient, movie_id: int) -> int:
    for candidate in await similar_ids(api, movie_id):
        if movie_id in await similar_ids(api, candidate):
            return candidate
    raise AssertionError(f"no movie lists {movie_id} as similar")


# --- removing a rating --------------------------------------------------------------------------------


async def test_a_removed_rating_leaves_the_history_and_the_movie_can_be_recommended_again(api):
    user = 60  # a MovieLens user the model was trained on, with nothing rated since
    headers = await sign_in(api, user)
    movie_id, genre = await rated_in_a_small_genre(api, user, headers)
    before = await scored(api, user, headers, genres=genre, k=100)
    assert movie_id not in before

    response = await api.delete(f"/users/{user}/ratings/{movie_id}", headers=headers)

    assert response.status_code == 204 and response.content == b""
    assert movie_id not in await rated_ids(api, user, headers)
    after = await scored(api, user, headers, genres=genre, k=100)
    assert movie_id in after  # no longer excluded as seen
    # The vector changed at once, though the history got shorter and not newer than the model's data:
    # the same movies score differently.
    assert any(abs(after[m] - before[m]) > 1e-6 for m in before)
    again = await api.delete(f"/users/{user}/ratings/{movie_id}", headers=headers)
    assert again.status_code == 404
    assert again.json()["detail"] == f"user {user} has not rated movie {movie_id}"


async def test_a_rating_removed_after_it_was_given_lets_the_list_return(api):
    user = 61
    headers = await sign_in(api, user)
    before = list(await scored(api, user, headers, k=10))
    top = before[0]
    rated = await api.post(
        "/ratings", json={"user_id": user, "movie_id": top, "rating": 2.0}, headers=headers
    )
    assert rated.status_code == 201
    assert top not in await scored(api, user, headers, k=10)

    assert (await api.delete(f"/users/{user}/ratings/{top}", headers=headers)).status_code == 204

    after = list(await scored(api, user, headers, k=10))
    assert after[0] == top
    assert len(set(after) & set(before)) >= 8  # back to (about) the list before: folded in, not trained


async def test_removing_a_rating_is_only_for_that_user_and_names_what_is_missing(api):
    user = 62
    headers = await sign_in(api, user)
    rated = await rated_ids(api, user, headers)
    some_rated = min(rated)
    unrated = next(m for m in range(1, 2000) if m not in rated and m != 267)

    assert (await api.delete(f"/users/{user}/ratings/{some_rated}")).status_code == 401
    other = await api.delete(f"/users/{user}/ratings/{some_rated}", headers=await sign_in(api, 63))
    assert other.status_code == 403 and "user 63" in other.json()["detail"]
    for movie_id, detail in [
        (99999, "movie 99999 does not exist"),
        (unrated, f"user {user} has not rated movie {unrated}"),
    ]:
        response = await api.delete(f"/users/{user}/ratings/{movie_id}", headers=headers)
        assert response.status_code == 404 and response.json()["detail"] == detail
    unknown_user = await api.delete(f"/users/99999/ratings/{some_rated}", headers=ADMIN)
    assert unknown_user.status_code == 404 and unknown_user.json()["detail"] == "user 99999 does not exist"
    assert (await api.delete(f"/users/{user}/ratings/abc", headers=headers)).status_code == 422

    assert await rated_ids(api, user, headers) == rated


async def test_the_admin_may_remove_a_users_rating_and_an_alias_id_removes_its_movies(api):
    user = 64
    headers = await sign_in(api, user)
    await api.post("/ratings", json={"user_id": user, "movie_id": KULL, "rating": 3.0}, headers=headers)

    assert (await api.delete(f"/users/{user}/ratings/{KULL_ALIAS}", headers=ADMIN)).status_code == 204

    assert KULL not in await rated_ids(api, user, headers)


# --- not interested -----------------------------------------------------------------------------------


async def test_a_movie_marked_not_interested_is_never_recommended_nor_similar_until_undone(api):
    user = 65
    headers = await sign_in(api, user)
    before = list(await scored(api, user, headers, k=20))
    hidden = before[0]
    neighbour = await a_movie_listing_as_similar(api, hidden)

    marked = await api.put(f"/users/{user}/not-interested/{hidden}", headers=headers)

    assert marked.status_code == 200 and marked.json()["movie"]["id"] == hidden
    after = list(await scored(api, user, headers, k=20))
    assert hidden not in after
    assert after[:19] == before[1:]  # only that movie left: "not interested" does not change the vector
    for genre in (await api.get(f"/movies/{hidden}")).json()["genres"]:
        assert hidden not in await scored(api, user, headers, genres=genre, k=100)
    assert hidden not in await similar_ids(api, neighbour, headers)  # signed in: left out
    assert hidden in await similar_ids(api, neighbour)  # anyone else still sees it
    listed = (await api.get(f"/users/{user}/not-interested", headers=headers)).json()
    assert [item["movie"]["id"] for item in listed["items"]] == [hidden]
    assert listed["items"][0]["ts"] == marked.json()["ts"]
    assert hidden not in await rated_ids(api, user, headers)  # it is not a rating

    undone = await api.delete(f"/users/{user}/not-interested/{hidden}", headers=headers)

    assert undone.status_code == 204
    assert list(await scored(api, user, headers, k=20)) == before
    assert hidden in await similar_ids(api, neighbour, headers)
    assert (await api.get(f"/users/{user}/not-interested", headers=headers)).json()["items"] == []


async def test_marking_twice_keeps_one_mark_and_an_alias_marks_its_movie(api):
    user = 66
    headers = await sign_in(api, user)
    first = await api.put(f"/users/{user}/not-interested/{KULL_ALIAS}", headers=headers)
    second = await api.put(f"/users/{user}/not-interested/{KULL}", headers=headers)

    assert first.status_code == second.status_code == 200
    assert first.json()["movie"]["id"] == KULL and second.json()["ts"] == first.json()["ts"]
    listed = (await api.get(f"/users/{user}/not-interested", headers=headers)).json()["items"]
    assert [item["movie"]["id"] for item in listed] == [KULL]


async def test_not_interested_is_only_for_that_user_and_names_what_is_missing(api):
    user = 67
    headers = await sign_in(api, user)
    await api.put(f"/users/{user}/not-interested/1", headers=headers)
    someone_else = await sign_in(api, 68)

    assert (await api.put(f"/users/{user}/not-interested/2")).status_code == 401
    assert (await api.put(f"/users/{user}/not-interested/2", headers=someone_else)).status_code == 403
    assert (await api.delete(f"/users/{user}/not-interested/1", headers=someone_else)).status_code == 403
    assert (await api.get(f"/users/{user}/not-interested", headers=someone_else)).status_code == 403
    unknown_movie = await api.put(f"/users/{user}/not-interested/99999", headers=headers)
    assert unknown_movie.status_code == 404 and unknown_movie.json()["detail"] == "movie 99999 does not exist"
    not_marked = await api.delete(f"/users/{user}/not-interested/2", headers=headers)
    assert not_marked.status_code == 404
    assert not_marked.json()["detail"] == f"user {user} has not marked movie 2 as not interested"
    unknown_user = await api.get("/users/99999/not-interested", headers=ADMIN)
    assert unknown_user.status_code == 404 and unknown_user.json()["detail"] == "user 99999 does not exist"

    listed = (await api.get(f"/users/{user}/not-interested", headers=ADMIN)).json()["items"]
    assert [item["movie"]["id"] for item in listed] == [1]
