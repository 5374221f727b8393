"""Several genres mean "any of them" unless the caller asks for "all of them"."""

import pytest

from tests.service.api.conftest import sign_in

pytestmark = pytest.mark.asyncio(loop_scope="session")
USER = 1


async def recommended(api, **params) -> dict:
    headers = await sign_in(api, USER)
    response = await api.get("/recommendations", params={"user_id": USER, "k": 30, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_any_of_several_genres_is_the_default_and_is_said(api):
    body = await recommended(api, genres="Comedy,Horror")
    assert body["genre_mode"] == "any"
    genres = [set(item["movie"]["genres"]) for item in body["items"]]
    assert all(g & {"Comedy", "Horror"} for g in genres)
    assert not all({"Comedy", "Horror"} <= g for g in genres)  # any, not all


async def test_all_of_several_genres_gives_only_movies_with_every_one(api):
    body = await recommended(api, genres="Comedy,Horror", genre_mode="all")
    assert body["genre_mode"] == "all"
    assert body["items"]
    assert all({"Comedy", "Horror"} <= set(item["movie"]["genres"]) for item in body["items"])


async def test_an_unknown_mode_is_refused(api):
    headers = await sign_in(api, USER)
    params = {"user_id": USER, "genres": "Comedy", "genre_mode": "some"}
    response = await api.get("/recommendations", params=params, headers=headers)
    assert response.status_code == 422
    assert "genre_mode" in response.text
