"""GET /users/{id}/ratings?movie_ids=...: the user's own stars on a few movies (a movie page, a page of
search results), without the whole list."""

from __future__ import annotations

import pytest

from tests.service.api.conftest import ADMIN_KEY, sign_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

TOY_STORY, GOLDENEYE, FOUR_ROOMS, GET_SHORTY, COPYCAT = 1, 2, 3, 4, 5
STAR_WARS, RETURN_OF_THE_JEDI, EMPIRE_STRIKES_BACK = 50, 181, 172
KULL, KULL_ALIAS = 266, 680


async def new_user(api) -> tuple[int, dict[str, str]]:
    """A user who picked five movies when starting fresh."""
    liked = [TOY_STORY, GOLDENEYE, FOUR_ROOMS, GET_SHORTY, COPYCAT]
    response = await api.post("/users", json={"liked_movie_ids": liked})
    assert response.status_code == 201, response.text
    return response.json()["user_id"], {"Authorization": f"Bearer {response.json()['access_token']}"}


async def rate(api, user_id: int, headers: dict[str, str], movie_id: int, rating: float) -> None:
    body = {"user_id": user_id, "movie_id": movie_id, "rating": rating}
    assert (await api.post("/ratings", json=body, headers=headers)).status_code == 201


async def ratings_of(api, user_id: int, headers: dict[str, str], movie_ids: str) -> dict:
    response = await api.get(f"/users/{user_id}/ratings", params={"movie_ids": movie_ids}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_only_the_asked_movies_come_back_with_their_stars(api):
    user_id, headers = await new_user(api)
    await rate(api, user_id, headers, STAR_WARS, 4.5)
    await rate(api, user_id, headers, RETURN_OF_THE_JEDI, 3.0)
    await rate(api, user_id, headers, COPYCAT, 2.0)  # picked, then rated: a rating only

    body = await ratings_of(
        api, user_id, headers, f"{STAR_WARS},{RETURN_OF_THE_JEDI},{EMPIRE_STRIKES_BACK},{TOY_STORY}"
    )
    assert sorted((item["movie"]["id"], item["rating"]) for item in body["items"]) == [
        (STAR_WARS, 4.5),
        (RETURN_OF_THE_JEDI, 3.0),
    ]
    assert {item["movie"]["title"] for item in body["items"]} == {
        "Star Wars",
        "Return of the Jedi",
    }
    assert [pick["movie"]["id"] for pick in body["picks"]] == [TOY_STORY]  # Empire: neither rated nor picked
    copycat = await ratings_of(api, user_id, headers, str(COPYCAT))
    assert ([item["rating"] for item in copycat["items"]], copycat["picks"]) == ([2.0], [])


async def test_the_stars_are_those_of_the_whole_list(api):
    headers = await sign_in(api, 1)
    whole = (await api.get("/users/1/ratings", headers=headers)).json()["items"]
    stars = {item["movie"]["id"]: item["rating"] for item in whole}
    listed = [movie["id"] for movie in (await api.get("/movies", params={"page_size": 100})).json()["items"]]
    asked = [*sorted(stars)[:40:4], *[m for m in listed if m not in stars][:10]]
    body = await ratings_of(api, 1, headers, ",".join(map(str, asked)))
    assert {item["movie"]["id"]: item["rating"] for item in body["items"]} == {
        m: stars[m] for m in asked if m in stars
    }
    assert len(body["items"]) == 10


async def test_a_user_without_any_of_them_gets_empty_lists(api):
    user_id, headers = await new_user(api)
    assert await ratings_of(api, user_id, headers, f"{STAR_WARS},{EMPIRE_STRIKES_BACK}") == {
        "user_id": user_id,
        "items": [],
        "picks": [],
    }


async def test_an_alias_id_answers_for_the_movie_it_was_merged_into(api):
    user_id, headers = await new_user(api)
    await rate(api, user_id, headers, KULL, 3.5)
    body = await ratings_of(api, user_id, headers, str(KULL_ALIAS))
    assert [(item["movie"]["id"], item["rating"]) for item in body["items"]] == [(KULL, 3.5)]


async def test_ids_may_repeat_or_come_as_repeated_parameters(api):
    user_id, headers = await new_user(api)
    await rate(api, user_id, headers, STAR_WARS, 5.0)
    response = await api.get(
        f"/users/{user_id}/ratings",
        params=[("movie_ids", f"{STAR_WARS}, {STAR_WARS}"), ("movie_ids", "9")],
        headers=headers,
    )
    assert [item["movie"]["id"] for item in response.json()["items"]] == [STAR_WARS]


@pytest.mark.parametrize(
    ("movie_ids", "says"),
    [
        ("", "whole numbers from 1"),
        ("0", "whole numbers from 1"),
        ("-3", "whole numbers from 1"),
        ("1.5", "whole numbers from 1"),
        ("50,,181", "whole numbers from 1"),
        ("50;181", "whole numbers from 1"),
        ("star wars", "whole numbers from 1"),
        (str(2**53 + 1), "whole numbers from 1"),
        (",".join(map(str, range(1, 102))), "at most 100 movie ids at a time, not 101"),
    ],
)
async def test_malformed_or_too_many_ids_are_422_with_a_reason(api, movie_ids, says):
    headers = await sign_in(api, 1)
    response = await api.get("/users/1/ratings", params={"movie_ids": movie_ids}, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("movie_ids: ") and says in body["detail"]
    assert body["errors"][0]["loc"] == ["query", "movie_ids"]
    if len(movie_ids) > 1:
        assert movie_ids not in response.text  # nothing sent is echoed back


async def test_a_hundred_ids_are_answered(api):
    headers = await sign_in(api, 1)
    body = await ratings_of(api, 1, headers, ",".join(map(str, range(1, 101))))
    assert body["items"] and all(item["movie"]["id"] <= 100 for item in body["items"])


async def test_only_that_user_or_the_admin_may_ask(api):
    url = "/users/1/ratings"
    params = {"movie_ids": str(STAR_WARS)}
    assert (await api.get(url, params=params)).status_code == 401
    other = await api.get(url, params=params, headers=await sign_in(api, 2))
    assert other.status_code == 403 and "user 2" in other.json()["detail"]
    admin = await api.get(url, params=params, headers={"X-Admin-Key": ADMIN_KEY})
    assert admin.status_code == 200 and [i["movie"]["id"] for i in admin.json()["items"]] == [STAR_WARS]
    missing = await api.get("/users/99999/ratings", params=params, headers={"X-Admin-Key": ADMIN_KEY})
    assert missing.status_code == 404 and "user 99999" in missing.json()["detail"]


async def test_the_parameter_is_documented(api):
    parameters = (await api.get("/openapi.json")).json()["paths"]["/users/{user_id}/ratings"]["get"][
        "parameters"
    ]
    [movie_ids] = [p for p in parameters if p["name"] == "movie_ids"]
    assert not movie_ids["required"] and "comma-separated" in movie_ids["description"]
