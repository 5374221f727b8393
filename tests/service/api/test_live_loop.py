"""The loop a person lives in: one rating nudges a list, picks are likes, predicted stars hold still."""

from __future__ import annotations

from tests.service.api.conftest import sign_in

HEAVY_USER = 13  # 636 ml-100k ratings


async def recommendations(api, user_id: int, headers: dict[str, str], **params) -> dict:
    response = await api.get("/recommendations", params={"user_id": user_id, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_rating_one_movie_as_a_heavy_user_keeps_most_of_the_list(api):
    headers = await sign_in(api, HEAVY_USER)
    before = [
        item["movie"]["id"] for item in (await recommendations(api, HEAVY_USER, headers, k=20))["items"]
    ]
    rated = before[0]
    response = await api.post(
        "/ratings", json={"user_id": HEAVY_USER, "movie_id": rated, "rating": 4.0}, headers=headers
    )
    assert response.status_code == 201, response.text

    after = [item["movie"]["id"] for item in (await recommendations(api, HEAVY_USER, headers, k=20))["items"]]
    assert rated not in after
    kept = set(before[1:]) & set(after)
    assert len(kept) >= 15, f"only {len(kept)} of the other 19 cards stayed"


async def test_a_new_user_from_five_picks_is_told_what_they_picked(api):
    picks = [50, 172, 181, 1, 121]  # Star Wars, Empire, Return of the Jedi, Toy Story, Independence Day
    created = (await api.post("/users", json={"liked_movie_ids": picks})).json()
    user_id, headers = created["user_id"], {"Authorization": f"Bearer {created['access_token']}"}

    body = await recommendations(api, user_id, headers, k=20)
    assert (body["ratings"], body["picks"]) == (0, 5)
    assert not {item["movie"]["id"] for item in body["items"]} & set(picks)
    reasons = [item["reason"] for item in body["items"]]
    assert any(reason.startswith("You picked") for reason in reasons), reasons
    assert not any("rated" in reason for reason in reasons), reasons

    history = (await api.get(f"/users/{user_id}/ratings", headers=headers)).json()
    assert history["items"] == []
    assert sorted(pick["movie"]["id"] for pick in history["picks"]) == sorted(picks)


async def test_rating_a_picked_movie_turns_the_pick_into_a_rating(api):
    picks = [98, 127, 174, 204, 56]
    created = (await api.post("/users", json={"liked_movie_ids": picks})).json()
    user_id, headers = created["user_id"], {"Authorization": f"Bearer {created['access_token']}"}
    rated = await api.post(
        "/ratings", json={"user_id": user_id, "movie_id": 98, "rating": 3.5}, headers=headers
    )
    assert rated.status_code == 201, rated.text

    history = (await api.get(f"/users/{user_id}/ratings", headers=headers)).json()
    assert [(item["movie"]["id"], item["rating"]) for item in history["items"]] == [(98, 3.5)]
    assert sorted(pick["movie"]["id"] for pick in history["picks"]) == sorted(picks[1:])
    body = await recommendations(api, user_id, headers)
    assert (body["ratings"], body["picks"]) == (1, 4)


async def test_predicted_stars_are_on_the_rating_scale_and_do_not_rescale_per_list(api):
    headers = await sign_in(api, 2)
    everything = (await recommendations(api, 2, headers, k=100))["items"]
    assert all(0.5 <= item["predicted_rating"] <= 5.0 for item in everything)
    assert len({item["predicted_rating"] for item in everything}) > 1
    predicted = {item["movie"]["id"]: item["predicted_rating"] for item in everything}

    dramas = (await recommendations(api, 2, headers, genres="Drama", k=10))["items"]
    for item in dramas:
        if item["movie"]["id"] in predicted:
            assert item["predicted_rating"] == predicted[item["movie"]["id"]]


async def test_similar_to_star_wars_puts_the_empire_strikes_back_in_the_top_5(api):
    response = await api.get("/movies/50/similar", params={"k": 5})
    assert response.status_code == 200, response.text
    similar = [item["movie"]["title"] for item in response.json()["items"]]
    assert "Empire Strikes Back, The" in similar, similar


async def test_similar_to_toy_story_is_mostly_animation_and_childrens_films(api):
    response = await api.get("/movies/1/similar", params={"k": 10})
    genres = [set(item["movie"]["genres"]) for item in response.json()["items"]]
    assert sum(bool(g & {"Animation", "Children's"}) for g in genres) >= 7, genres
