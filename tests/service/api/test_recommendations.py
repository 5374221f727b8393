"""GET /recommendations: personalised, genre-filtered, never a rated movie, changed at once by a rating."""

from __future__ import annotations

from tests.service.api.conftest import ADMIN_KEY, sign_in


async def recommended_ids(api, user_id: int, headers: dict[str, str] | None = None, **params) -> list[int]:
    """As the user sees them: with their token (a MovieLens user's from the demo login unless given)."""
    headers = headers or await sign_in(api, user_id)
    response = await api.get("/recommendations", params={"user_id": user_id, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["movie"]["id"] for item in response.json()["items"]]


async def rated_ids(api, user_id: int, headers: dict[str, str] | None = None) -> set[int]:
    headers = headers or await sign_in(api, user_id)
    response = await api.get(f"/users/{user_id}/ratings", headers=headers)
    assert response.status_code == 200, response.text
    return {item["movie"]["id"] for item in response.json()["items"]}


async def test_recommendations_exclude_rated_movies_and_carry_reasons(api):
    response = await api.get(
        "/recommendations", params={"user_id": 1, "k": 20}, headers=await sign_in(api, 1)
    )
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
    params = {"user_id": 2, "genres": "Horror,Western", "k": 15}
    response = await api.get("/recommendations", params=params, headers=await sign_in(api, 2))
    items = response.json()["items"]
    assert len(items) == 15
    assert all({"Horror", "Western"} & set(i["movie"]["genres"]) for i in items)


async def test_unknown_genre_is_422_listing_the_valid_ones(api):
    params = {"user_id": 2, "genres": "Action,Cartoons"}
    response = await api.get("/recommendations", params=params, headers=await sign_in(api, 2))
    assert response.status_code == 422
    assert "Cartoons" in response.json()["detail"] and "Film-Noir" in response.json()["detail"]
    assert len(response.json()["valid_genres"]) == 19


async def test_bad_parameters_are_422_naming_the_field(api):
    headers = await sign_in(api, 1)
    for params, field in [
        ({"user_id": 1, "k": 0}, "k"),
        ({"user_id": 1, "k": 1000}, "k"),
        ({"user_id": "x"}, "user_id"),
        ({}, "user_id"),
    ]:
        response = await api.get("/recommendations", params=params, headers=headers)
        assert response.status_code == 422
        body = response.json()
        assert body["errors"][0]["loc"][-1] == field and body["detail"].startswith(f"{field}: ")


async def test_recommendations_need_that_users_token_or_the_admin_key(api):
    assert (await api.get("/recommendations", params={"user_id": 3})).status_code == 401
    other = await api.get("/recommendations", params={"user_id": 3}, headers=await sign_in(api, 4))
    assert other.status_code == 403 and "user 4" in other.json()["detail"]
    admin = await api.get("/recommendations", params={"user_id": 3}, headers={"X-Admin-Key": ADMIN_KEY})
    assert admin.status_code == 200


async def test_unknown_user_is_404(api):
    admin = {"X-Admin-Key": ADMIN_KEY}
    response = await api.get("/recommendations", params={"user_id": 99999}, headers=admin)
    assert response.status_code == 404 and "user 99999" in response.json()["detail"]


async def test_similar_movies_are_embedding_neighbours_with_reasons(api):
    response = await api.get("/movies/50/similar", params={"k": 8})  # Star Wars
    body = response.json()
    assert response.status_code == 200 and len(body["items"]) == 8
    assert 50 not in [i["movie"]["id"] for i in body["items"]]
    assert all(i["reason"] for i in body["items"])
    assert (await api.get("/movies/99999/similar")).status_code == 404
