"""Catalogue hygiene as a client sees it: an alias id (a film ml-100k lists twice) redirects to its movie
and rates it, and neither the placeholder (267) nor an alias ever shows up in a list."""

from __future__ import annotations

import pytest

from ml.data import Dataset
from tests.service.api.conftest import sign_in
from tests.service.api.test_recommendations import recommended_ids

PLACEHOLDER = 267
KULL, KULL_ALIAS = 266, 680
SAMPLE_USERS = [40, 97, 181, 305, 450, 655, 870, 943]
SAMPLE_MOVIES = [1, 50, 181, KULL, 246, 304, 1429]


@pytest.fixture(scope="module")
def hidden_ids(ml100k: Dataset) -> set[int]:
    assert len(ml100k.aliases) == 18
    return {PLACEHOLDER, *ml100k.aliases["alias_id"].tolist()}


def assert_listed_once_and_none_hidden(ids: list[int], hidden_ids: set[int]) -> None:
    assert len(ids) == len(set(ids)), "a movie appears twice"
    assert not set(ids) & hidden_ids


async def test_an_alias_id_redirects_to_its_movie(api):
    details = await api.get(f"/movies/{KULL_ALIAS}")
    assert details.status_code == 308 and details.headers["location"].endswith(f"/movies/{KULL}")
    similar = await api.get(f"/movies/{KULL_ALIAS}/similar", params={"k": 5})
    assert similar.status_code == 308
    assert similar.headers["location"].endswith(f"/movies/{KULL}/similar?k=5")
    followed = await api.get(f"/movies/{KULL_ALIAS}", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["id"] == KULL
    assert followed.json()["title"] == "Kull the Conqueror"


async def test_the_placeholder_movie_does_not_exist(api):
    assert (await api.get(f"/movies/{PLACEHOLDER}")).status_code == 404
    assert (await api.get(f"/movies/{PLACEHOLDER}/similar")).status_code == 404


async def test_the_redirect_is_documented(api):
    paths = (await api.get("/openapi.json")).json()["paths"]
    for path in ("/movies/{movie_id}", "/movies/{movie_id}/similar"):
        assert "Location" in paths[path]["get"]["responses"]["308"]["headers"]


async def test_rating_an_alias_id_rates_its_movie(api):
    user = 41
    headers = await sign_in(api, user)
    response = await api.post(
        "/ratings", json={"user_id": user, "movie_id": KULL_ALIAS, "rating": 4.5}, headers=headers
    )
    assert response.status_code == 201 and response.json()["movie_id"] == KULL
    items = (await api.get(f"/users/{user}/ratings", headers=headers)).json()["items"]
    assert [
        (i["movie"]["id"], i["rating"]) for i in items if i["movie"]["title"] == "Kull the Conqueror"
    ] == [(KULL, 4.5)]


async def test_browsing_every_page_lists_each_movie_once(api, ml100k: Dataset, hidden_ids):
    ids: list[int] = []
    page, total = 1, None
    while total is None or len(ids) < total:
        body = (await api.get("/movies", params={"page": page, "page_size": 100})).json()
        total = body["total"]
        assert body["items"], f"page {page} is empty before {total} movies"
        ids += [movie["id"] for movie in body["items"]]
        page += 1
    assert total == len(ml100k.movies)
    assert_listed_once_and_none_hidden(ids, hidden_ids)


@pytest.mark.parametrize("query", ["kull", "unk", "the", "a"])
async def test_search_shows_no_placeholder_or_duplicate(api, hidden_ids, query):
    body = (await api.get("/movies", params={"q": query, "page_size": 100})).json()
    assert_listed_once_and_none_hidden([movie["id"] for movie in body["items"]], hidden_ids)
    if query == "kull":
        assert [movie["id"] for movie in body["items"]] == [KULL]


async def test_popular_lists_show_no_placeholder_or_duplicate(api, hidden_ids):
    for genre in (None, "unknown", "Drama", "Romance"):
        params = {"k": 100} | ({"genre": genre} if genre else {})
        items = (await api.get("/movies/popular", params=params)).json()["items"]
        assert_listed_once_and_none_hidden([movie["id"] for movie in items], hidden_ids)


@pytest.mark.parametrize("user", SAMPLE_USERS)
async def test_recommendations_show_no_placeholder_or_duplicate(api, hidden_ids, user):
    assert_listed_once_and_none_hidden(await recommended_ids(api, user, k=100), hidden_ids)


@pytest.mark.parametrize("movie", SAMPLE_MOVIES)
async def test_similar_movies_show_no_placeholder_or_duplicate(api, hidden_ids, movie):
    response = await api.get(f"/movies/{movie}/similar", params={"k": 100})
    assert response.status_code == 200
    assert_listed_once_and_none_hidden([item["movie"]["id"] for item in response.json()["items"]], hidden_ids)
