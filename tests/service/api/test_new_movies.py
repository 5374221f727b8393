"""An admin adds a movie: it is stored, searchable, has similar movies, shows on its neighbours' pages and
ranks in recommendations by each user's taste in the next request, before any retrain (its vectors come
from its graph neighbours: ``service.serving_model``, ``ml.cold_items``)."""

import pytest

from tests.service.api.conftest import ADMIN_KEY

pytestmark = pytest.mark.asyncio(loop_scope="session")
ADMIN = {"X-Admin-Key": ADMIN_KEY}
TOY_STORY, ALADDIN, LION_KING, BEAUTY, HERCULES = 1, 95, 71, 588, 993
SCREAM, HALLOWEEN, SHINING, ALIEN, PSYCHO = 288, 219, 200, 183, 185
KIDS = {"Animation", "Children's"}
TOY_STORY_3 = {"title": "Toy Story 3", "year": 2010, "genres": ["Animation", "Children's", "Comedy"]}


async def new_user(api, liked: list[int]) -> tuple[int, dict[str, str]]:
    created = (await api.post("/users", json={"liked_movie_ids": liked})).json()
    return created["user_id"], {"Authorization": f"Bearer {created['access_token']}"}


async def rank_in_animation(api, liked: list[int], movie_id: int) -> tuple[int, int]:
    """(rank of the movie, number of movies) in the user's Animation list."""
    user_id, headers = await new_user(api, liked)
    params = {"user_id": user_id, "genres": "Animation", "k": 100}
    items = (await api.get("/recommendations", params=params, headers=headers)).json()["items"]
    ids = [item["movie"]["id"] for item in items]
    return ids.index(movie_id), len(ids)


@pytest.fixture(scope="module")
def api(own_catalogue_api):
    """These tests add and change movies, and retrain: in a graph of their own, so that every other test
    sees ml-100k's catalogue as it is, whatever order tests run in."""
    return own_catalogue_api


@pytest.fixture(scope="module")
async def toy_story_3(api) -> dict:
    response = await api.post("/admin/movies", json=TOY_STORY_3, headers=ADMIN)
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(f"/movies/{response.json()['id']}")
    return response.json()


async def test_an_added_movie_is_stored_with_the_next_free_id(api, toy_story_3):
    assert toy_story_3["id"] > 1682  # after every ml-100k movie and alias
    stored = (await api.get(f"/movies/{toy_story_3['id']}")).json()
    assert (stored["title"], stored["year"], stored["ratings"]) == ("Toy Story 3", 2010, 0)
    assert set(stored["genres"]) == set(TOY_STORY_3["genres"])


async def test_an_added_movie_is_found_by_search_at_once(api, toy_story_3):
    found = (await api.get("/movies", params={"q": "toy story"})).json()["items"]
    assert toy_story_3["id"] in [movie["id"] for movie in found]


async def test_an_added_movie_has_similar_movies_of_its_kind_and_shows_on_theirs(api, toy_story_3):
    similar = (await api.get(f"/movies/{toy_story_3['id']}/similar")).json()["items"]
    assert len(similar) == 10
    assert sum(bool(KIDS & set(item["movie"]["genres"])) for item in similar) >= 7  # as for Toy Story itself
    nearest = similar[0]["movie"]["id"]
    theirs = (await api.get(f"/movies/{nearest}/similar", params={"k": 50})).json()["items"]
    assert toy_story_3["id"] in [item["movie"]["id"] for item in theirs]


async def test_an_added_movie_ranks_by_each_users_taste_without_a_retrain(api, toy_story_3):
    fan_rank, fan_total = await rank_in_animation(
        api, [TOY_STORY, ALADDIN, LION_KING, BEAUTY, HERCULES], toy_story_3["id"]
    )
    horror_rank, horror_total = await rank_in_animation(
        api, [SCREAM, HALLOWEEN, SHINING, ALIEN, PSYCHO], toy_story_3["id"]
    )
    assert fan_rank / fan_total < horror_rank / horror_total


async def test_a_replaced_movie_takes_its_new_genres_everywhere(api):
    added = (
        await api.post("/admin/movies", json={**TOY_STORY_3, "title": "Untitled Project"}, headers=ADMIN)
    ).json()
    body = {"title": "Scream 5", "year": 2022, "genres": ["Horror", "Thriller"]}
    replaced = await api.put(f"/admin/movies/{added['id']}", json=body, headers=ADMIN)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["title"] == "Scream 5"
    similar = (await api.get(f"/movies/{added['id']}/similar")).json()["items"]
    assert sum("Horror" in item["movie"]["genres"] for item in similar) >= 7
    assert not (await api.get("/movies", params={"q": "Untitled Project"})).json()["items"]


async def test_an_added_movie_survives_a_retrain(api, toy_story_3):
    assert (await api.post("/admin/retrain", headers=ADMIN)).status_code == 202
    for _ in range(600):
        state = (await api.get("/admin/retrain", headers=ADMIN)).json()["state"]
        if state != "running":
            break
        await __import__("asyncio").sleep(0.2)
    assert state == "succeeded"
    similar = (await api.get(f"/movies/{toy_story_3['id']}/similar")).json()["items"]
    assert len(similar) == 10


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"genres": ["Comdy"]}, 422, "unknown genre"),
        ({"genres": []}, 422, "genres"),
        ({"title": ""}, 422, "title"),
        ({"year": 1500}, 422, "year"),
        ({"imdb_id": "0114709"}, 422, "imdb_id"),
        ({"people": [{"person_id": "nm9999999", "role": "DIRECTED"}]}, 422, "nm9999999"),
        ({"people": [{"role": "DIRECTED"}]}, 422, "person_id"),
    ],
)
async def test_bad_movies_are_refused_with_a_reason_and_nothing_is_written(api, change, status, says):
    before = (await api.get("/movies", params={"q": "Bad Movie"})).json()["total"]
    response = await api.post(
        "/admin/movies", json={**TOY_STORY_3, "title": "Bad Movie", **change}, headers=ADMIN
    )
    assert response.status_code == status, response.text
    assert says in response.text
    assert (await api.get("/movies", params={"q": "Bad Movie"})).json()["total"] == before


async def test_only_the_admin_adds_movies(api):
    assert (await api.post("/admin/movies", json=TOY_STORY_3)).status_code == 403
    assert (await api.put("/admin/movies/1", json=TOY_STORY_3)).status_code == 403


async def test_replacing_a_movie_that_does_not_exist_is_404(api):
    response = await api.put("/admin/movies/999999", json=TOY_STORY_3, headers=ADMIN)
    assert response.status_code == 404
    assert "999999" in response.json()["detail"]
