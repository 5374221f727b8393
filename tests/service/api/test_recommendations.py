"""GET /recommendations: personalised, genre-filtered, never a rated movie, changed at once by a rating."""

from __future__ import annotations

from tests.service.api.conftest import sign_in


async def recommended_ids(api, user_id: int, **params) -> list[int]:
    response = await api.get("/recommendations", params={"user_id": user_id, **params})
    assert response.status_code == 200, response.text
    return [item["movie"]["id"] for item in response.json()["items"]]


async def rated_ids(api, user_id: int) -> set[int]:
    return {item["movie"]["id"] for item in (await api.get(f"/users/{user_id}/ratings")).json()["items"]}


async def test_recommendations_exclude_rated_movies_and_carry_reasons(api):
    response = await api.get("/recommendations", params={"user_id": 1, "k": 20})
    body = response.json()
    assert response.status_code == 200 and len(body["items"]) == 20
    assert not {i["movie"]["id"] for i in body["items"]} & await rated_ids(api, 1)
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert all(i["reason"] for i in body["items"])
    assert any(i["reason"].startswith(("You rated", "Same")) for i in body["items"])


async def test_rating_changes_the_next_recommendations_at_once(api):
    user = 5
    before = await recommended_ids(api, user, k=10)
    top = before[0]
    response = await api.post(
        "/ratings", json={"user_id": user, "movie_id": top, "rating": 1.0}, headers=await sign_in(api, user)
    )
    assert response.status_code == 201, response.text
    after = await recommended_ids(api, user, k=10)
    assert top not in after
    assert after != before[1:] + after[-1:] or len(set(after) - set(before)) >= 1
    assert top in await rated_ids(api, user)


async def test_genre_filter_holds_for_every_movie(api):
    response = await api.get("/recommendations", params={"user_id": 2, "genres": "Horror,Western", "k": 15})
    items = response.json()["items"]
    assert len(items) == 15
    assert all({"Horror", "Western"} & set(i["movie"]["genres"]) for i in items)


async def test_unknown_genre_is_422_listing_the_valid_ones(api):
    response = await api.get("/recommendations", params={"user_id": 2, "genres": "Action,Cartoons"})
    assert response.status_code == 422
    assert "Cartoons" in response.json()["detail"] and "Film-Noir" in response.json()["detail"]
    assert len(response.json()["valid_genres"]) == 19


async def test_bad_parameters_are_422_naming_the_field(api):
    for params, field in [
        ({"user_id": 1, "k": 0}, "k"),
        ({"user_id": 1, "k": 1000}, "k"),
        ({"user_id": "x"}, "user_id"),
        ({}, "user_id"),
    ]:
        response = await api.get("/recommendations", params=params)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == field


async def test_unknown_user_is_404(api):
    response = await api.get("/recommendations", params={"user_id": 99999})
    assert response.status_code == 404 and "user 99999" in response.json()["detail"]


async def test_similar_movies_are_embedding_neighbours_with_reasons(api):
    response = await api.get("/movies/50/similar", params={"k": 8})  # Star Wars
    body = response.json()
    assert response.status_code == 200 and len(body["items"]) == 8
    assert 50 not in [i["movie"]["id"] for i in body["items"]]
    assert all(i["reason"] for i in body["items"])
    assert (await api.get("/movies/99999/similar")).status_code == 404
