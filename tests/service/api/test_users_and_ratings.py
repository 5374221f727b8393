"""Ratings, users, cold start and auth."""

from __future__ import annotations

import asyncio

from tests.service.api.conftest import sign_in
from tests.service.api.test_recommendations import rated_ids, recommended_ids


async def test_rating_again_overwrites(api):
    headers = await sign_in(api, 7)
    for rating in (2.0, 4.5):
        response = await api.post(
            "/ratings", json={"user_id": 7, "movie_id": 1000, "rating": rating}, headers=headers
        )
        assert response.status_code == 201
    items = (await api.get("/users/7/ratings", headers=headers)).json()["items"]
    assert [i["rating"] for i in items if i["movie"]["id"] == 1000] == [4.5]
    assert items[0]["movie"]["id"] == 1000  # newest first


async def test_bad_ratings_are_422_and_store_nothing(api):
    headers = await sign_in(api, 8)
    before = await rated_ids(api, 8)
    for body, field in [
        ({"user_id": 8, "movie_id": 1001, "rating": 5.5}, "rating"),
        ({"user_id": 8, "movie_id": 1001, "rating": 3.3}, "rating"),
        ({"user_id": 8, "movie_id": 1001, "rating": 0}, "rating"),
        ({"user_id": 8, "movie_id": "abc", "rating": 3}, "movie_id"),
        ({"user_id": 8, "rating": 3}, "movie_id"),
    ]:
        response = await api.post("/ratings", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["loc"][-1] == field
    response = await api.post(
        "/ratings", json={"user_id": 8, "movie_id": 99999, "rating": 3}, headers=headers
    )
    assert response.status_code == 404
    assert await rated_ids(api, 8) == before


async def test_rating_needs_that_users_token(api):
    body = {"user_id": 9, "movie_id": 1, "rating": 4.0}
    assert (await api.post("/ratings", json=body)).status_code == 401
    assert (
        await api.post("/ratings", json=body, headers={"Authorization": "Bearer 9.99999999999.forged"})
    ).status_code == 401
    response = await api.post("/ratings", json=body, headers=await sign_in(api, 10))
    assert response.status_code == 403 and "user 10" in response.json()["detail"]


async def test_demo_login_of_an_unknown_user_is_404(api):
    assert (await api.post("/auth/demo", json={"user_id": 99999})).status_code == 404


async def test_concurrent_ratings_lose_nothing(api):
    headers = await sign_in(api, 11)
    movies = list(range(1200, 1230))
    responses = await asyncio.gather(
        *(
            api.post("/ratings", json={"user_id": 11, "movie_id": m, "rating": 3.5}, headers=headers)
            for m in movies
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert set(movies) <= await rated_ids(api, 11)


async def test_new_user_from_five_likes_gets_personal_recommendations(api):
    horror = [
        218,
        219,
        201,
        184,
        185,
    ]  # Cape Fear, A Nightmare on Elm Street, Evil Dead II, Army of Darkness, Psycho
    response = await api.post("/users", json={"liked_movie_ids": horror})
    assert response.status_code == 201, response.text
    user_id = response.json()["user_id"]
    assert response.json()["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    personal = await recommended_ids(api, user_id, headers, k=20)
    assert not set(personal) & set(horror)
    popular = [m["id"] for m in (await api.get("/movies/popular", params={"k": 25})).json()["items"]]
    popular_unseen = [m for m in popular if m not in horror][:20]
    assert personal != popular_unseen
    assert len(set(personal) - set(popular_unseen)) >= 5

    # The token works for rating straight away.
    rated = await api.post(
        "/ratings", json={"user_id": user_id, "movie_id": personal[0], "rating": 5}, headers=headers
    )
    assert rated.status_code == 201


async def test_new_user_needs_five_distinct_existing_movies(api):
    assert (await api.post("/users", json={"liked_movie_ids": [1, 2, 3, 3, 3]})).status_code == 422
    response = await api.post("/users", json={"liked_movie_ids": [1, 2, 3, 4, 99999]})
    assert response.status_code == 422 and "99999" in response.json()["detail"]
