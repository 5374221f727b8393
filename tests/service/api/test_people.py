"""People with names, on a dataset whose links reach IMDb's files: the movie page and the person page
show true credits, every reason that names a person rests on edges of the graph, and a movie an admin
adds with a known director reaches that director's fans first.

The dataset is the synthetic ml-25m-format one (``ml.data.synthetic``): its IMDb-format files credit
directors and actors who carry part of the planted taste, so people-based reasons occur."""

from pathlib import Path

import pytest
import pytest_asyncio

from ml.data import Dataset, load_dataset
from ml.data.synthetic import SyntheticSize, write_ml25m
from service.config import Settings
from service.store.factory import connect_store
from tests.service.api.conftest import ADMIN_KEY, NO_RATE_LIMITS, running_app, sign_in

pytestmark = pytest.mark.asyncio(loop_scope="session")
ADMIN = {"X-Admin-Key": ADMIN_KEY}


@pytest.fixture(scope="module")
def people_dataset(tmp_path_factory) -> tuple[Path, Dataset]:
    path = write_ml25m(
        tmp_path_factory.mktemp("people") / "synthetic", SyntheticSize(400, 300, 20_000), seed=0
    )
    return path, load_dataset(path)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people_api(tmp_path_factory, falkordb_server, people_dataset):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("people-api"),
        falkordb_port=falkordb_server.port,
        falkordb_password=falkordb_server.password(),
        graph_name="test_people",
        train_epochs=5,
        admin_key=ADMIN_KEY,
        **NO_RATE_LIMITS,
    )
    store = connect_store(settings)
    await store.import_dataset(people_dataset[1], progress=False)
    await store.close()
    async with running_app(settings) as client:
        yield client


def credits_of(dataset: Dataset) -> set[tuple[str, int, str]]:
    return {
        (p, int(m), r)
        for p, m, r in dataset.credits[["person_id", "movie_id", "role"]].itertuples(index=False)
    }


async def test_the_movie_page_names_its_people_with_their_roles_and_characters(people_api, people_dataset):
    dataset = people_dataset[1]
    movie_id = int(dataset.credits["movie_id"].value_counts().index[0])
    people = (await people_api.get(f"/movies/{movie_id}")).json()["people"]
    expected = dataset.credits[dataset.credits.movie_id == movie_id]
    names = dict(zip(dataset.people.person_id, dataset.people.name, strict=True))
    assert {(p["person_id"], p["role"]) for p in people} == set(
        zip(expected.person_id, expected.role, strict=True)
    )
    for person in people:
        assert person["name"] == names[person["person_id"]]
    characters = {
        (p, c)
        for p, r, c in zip(expected.person_id, expected.role, expected.character, strict=True)
        if r == "ACTED_IN"
    }
    assert {(p["person_id"], p["character"]) for p in people if p["role"] == "ACTED_IN"} == characters
    assert [p["role"] for p in people][0] == "DIRECTED"  # directors first


async def test_a_person_page_lists_every_credit_newest_first(people_api, people_dataset):
    dataset = people_dataset[1]
    busiest = dataset.credits["person_id"].value_counts().index[0]
    person = (await people_api.get(f"/people/{busiest}")).json()
    assert person["name"] == dataset.people.set_index("person_id").at[busiest, "name"]
    mine = dataset.credits[dataset.credits.person_id == busiest]
    assert {(c["movie"]["id"], c["role"]) for c in person["credits"]} == set(
        zip(mine.movie_id, mine.role, strict=True)
    )
    years = [c["movie"]["year"] for c in person["credits"]]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize(("person_id", "status"), [("nm9999999", 404), ("not an id!", 422), ("x" * 65, 422)])
async def test_unknown_or_malformed_people_are_refused(people_api, person_id, status):
    response = await people_api.get(f"/people/{person_id}")
    assert response.status_code == status
    assert response.json()["detail"]


async def test_every_reason_that_names_a_person_rests_on_their_credits(people_api, people_dataset):
    dataset = people_dataset[1]
    credits, checked = credits_of(dataset), 0
    for user_id in dataset.users["user_id"][:40]:
        headers = await sign_in(people_api, int(user_id))
        items = (
            await people_api.get(
                "/recommendations", params={"user_id": int(user_id), "k": 20}, headers=headers
            )
        ).json()["items"]
        rated = {
            int(m): float(r)
            for m, r in dataset.ratings[dataset.ratings.user_id == user_id][
                ["movie_id", "rating"]
            ].itertuples(index=False)
        }
        for item in items:
            evidence = item["evidence"]
            if evidence is None:
                assert "Directed by" not in item["reason"] and "With " not in item["reason"]
                continue
            checked += 1
            person, role, other = evidence["person_id"], evidence["role"], evidence["movie_id"]
            assert (person, item["movie"]["id"], role) in credits
            assert (person, other, role) in credits
            assert evidence["person_name"] in item["reason"]
            assert f"you rated {rated[other]:g}★" in item["reason"]  # a movie they rated, with their stars
            graph = (await people_api.get(f"/people/{person}")).json()["credits"]
            assert {item["movie"]["id"], other} <= {c["movie"]["id"] for c in graph if c["role"] == role}
    assert checked >= 20, "too few people-based reasons to check"


async def test_similar_movies_that_share_a_person_say_who(people_api, people_dataset):
    credits, checked = credits_of(people_dataset[1]), 0
    for movie_id in people_dataset[1].movies["movie_id"][:40]:
        for item in (await people_api.get(f"/movies/{int(movie_id)}/similar")).json()["items"]:
            if item["evidence"] is not None:
                checked += 1
                person, role = item["evidence"]["person_id"], item["evidence"]["role"]
                assert {(person, int(movie_id), role), (person, item["movie"]["id"], role)} <= credits
    assert checked >= 10


async def test_an_added_movie_by_a_known_director_reaches_that_directors_fans_first(
    people_api, people_dataset
):
    dataset = people_dataset[1]
    directed = dataset.credits[dataset.credits.role == "DIRECTED"]
    director = directed["person_id"].value_counts().index[0]
    their_movies = set(directed[directed.person_id == director]["movie_id"])
    genres = sorted(
        {g for gs in dataset.movies[dataset.movies.movie_id.isin(their_movies)]["genres"] for g in gs}
    )[:2]
    body = {
        "title": "The Next One",
        "year": 2019,
        "genres": genres,
        "people": [{"person_id": director, "role": "DIRECTED"}],
    }
    added = (await people_api.post("/admin/movies", json=body, headers=ADMIN)).json()
    assert added["people"][0]["person_id"] == director
    loved = dataset.ratings[dataset.ratings.rating >= 4]
    fans = loved[loved.movie_id.isin(their_movies)]["user_id"].value_counts()
    fans = [int(u) for u in fans.index[:10]]
    others = [
        int(u)
        for u in dataset.users["user_id"]
        if u not in set(loved[loved.movie_id.isin(their_movies)]["user_id"])
    ][:10]

    async def mean_rank(users: list[int]) -> float:
        ranks = []
        for user_id in users:
            headers = await sign_in(people_api, user_id)
            params = {"user_id": user_id, "k": 100}
            ids = [
                i["movie"]["id"]
                for i in (await people_api.get("/recommendations", params=params, headers=headers)).json()[
                    "items"
                ]
            ]
            ranks.append(ids.index(added["id"]) / len(ids) if added["id"] in ids else 1.0)
        return sum(ranks) / len(ranks)

    assert await mean_rank(fans) < await mean_rank(others)
