"""Search on the full-text indexes, on both backends: what a person types finds the movie or the person,
best match first (exact title, title that begins with the query, every word, typos), then most rated."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from ml.data import Dataset
from ml.data.dataset import typed_users
from ml.data.movielens import movies_frame
from service.config import Settings
from service.serving_model import ensure_store_has_data
from service.store.graph_store import GraphStore, NewCredit, NewMovie

# title (year), genres, how many users rated it
MOVIES = {
    1: ("Alien (1979)", ["Horror", "Sci-Fi"], 1),
    2: ("Alien, The (1990)", ["Comedy"], 2),
    3: ("Aliens (1986)", ["Action", "Sci-Fi"], 5),
    4: ("Alien Nation (1988)", ["Sci-Fi"], 3),
    5: ("Return of the Alien (2000)", ["Horror"], 4),
    6: ("Annie Allen (1995)", ["Drama"], 6),  # one letter from "alien", and the most rated
    7: ("Misérables, Les (1995)", ["Drama"], 1),
    8: ("Usual Suspects, The (1995)", ["Crime"], 1),
    9: ("Star Wars (1977)", ["Sci-Fi"], 3),
    10: ("Star Trek: The Wrath of Khan (1982)", ["Sci-Fi"], 1),
    11: ("Stargate (1994)", ["Sci-Fi"], 2),
    12: ("Schindler's List (1993)", ["Drama"], 1),
}
# person id, name (None: a source that knows them only by id), movies
PEOPLE = [
    ("p.ridley", "Ridley Scott", [1]),
    ("p.sigourney", "Sigourney Weaver", [1, 3]),
    ("p.jacki", "Jacki Weaver", [7]),
    ("p.glenn", "Scott Glenn", [6]),
    ("m.0xyz", None, [5]),
]


def searchable_dataset() -> Dataset:
    ids = list(MOVIES)
    movies = movies_frame(pd.Series(ids), pd.Series([MOVIES[i][0] for i in ids]), [MOVIES[i][1] for i in ids])
    raters = range(1, 1 + max(count for _, _, count in MOVIES.values()))
    users = typed_users(
        pd.DataFrame({"user_id": list(raters), "age": 30, "gender": "F", "occupation": "other"})
    )
    rated = [(user, movie) for movie, (_, _, count) in MOVIES.items() for user in range(1, count + 1)]
    ratings = pd.DataFrame(
        {
            "user_id": [user for user, _ in rated],
            "movie_id": [movie for _, movie in rated],
            "rating": 4.0,
            "timestamp": range(100, 100 + len(rated)),
        }
    )
    credits = pd.DataFrame(
        [(person, movie, "ACTED_IN", None) for person, _, movies in PEOPLE for movie in movies],
        columns=["person_id", "movie_id", "role", "character"],
    )
    people = pd.DataFrame(
        {
            "person_id": [person for person, name, _ in PEOPLE if name],
            "name": [name for _, name, _ in PEOPLE if name],
            "birth_year": pd.array([None] * sum(bool(name) for _, name, _ in PEOPLE), dtype="Int64"),
        }
    )
    return Dataset("searchable", users, movies, ratings, credits, people=people)


@pytest.fixture
async def store(empty_store: GraphStore) -> GraphStore:
    await empty_store.import_dataset(searchable_dataset(), progress=False)
    return empty_store


async def titles(store: GraphStore, query: str, genre: str | None = None, **page: int) -> list[str]:
    return [movie["title"] for movie in (await store.search_movies(query, genre, **page))[1]]


async def cypher(store: GraphStore, text: str, **params: Any) -> list[list[Any]]:
    """A statement outside the product's own: what a test reads or breaks on purpose."""
    if store.backend_name == "falkordb":
        return (await store.backend._graph.query(text, params)).result_set
    records, _, _ = await store.backend._driver.execute_query(text, params, database_=store.backend._database)
    return [list(record.values()) for record in records]


async def rating_count(store: GraphStore, movie_id: int) -> int | None:
    return (await cypher(store, "MATCH (m:Movie {id: $id}) RETURN m.ratings", id=movie_id))[0][0]


async def test_a_title_is_found_however_its_article_is_typed(store: GraphStore):
    for typed in ["The Usual Suspects", "Usual Suspects, The", "usual suspects", "USUAL SUSPECTS"]:
        assert (await titles(store, typed))[0] == "Usual Suspects, The", typed


async def test_accents_case_and_punctuation_do_not_matter(store: GraphStore):
    assert (await titles(store, "les miserables"))[0] == "Misérables, Les"
    assert (await titles(store, "MISÉRABLES"))[0] == "Misérables, Les"
    assert (await titles(store, "schindlers list"))[0] == "Schindler's List"
    assert (await titles(store, "star trek - the wrath of khan!"))[0] == "Star Trek: The Wrath of Khan"


async def test_typos_of_one_or_two_letters_are_forgiven(store: GraphStore):
    assert (await titles(store, "usual suspcts"))[0] == "Usual Suspects, The"  # one letter left out
    assert (await titles(store, "misreables"))[0] == "Misérables, Les"  # two letters swapped
    assert (await titles(store, "stargte"))[0] == "Stargate"


async def test_titles_are_found_while_they_are_typed(store: GraphStore):
    assert await titles(store, "star w") == ["Star Wars", "Star Trek: The Wrath of Khan"]
    assert (await titles(store, "schin"))[0] == "Schindler's List"
    assert (await titles(store, "the usu"))[0] == "Usual Suspects, The"


async def test_exact_titles_come_first_then_beginnings_then_words_each_most_rated_first(store: GraphStore):
    assert await titles(store, "alien") == [
        "Alien, The",  # exactly the query (with its article), rated twice
        "Alien",  # exactly the query, rated once
        "Aliens",  # begins with it, rated 5 times
        "Alien Nation",  # begins with it, rated 3 times
        "Return of the Alien",  # has the word, rated 4 times
    ]  # and not Annie Allen, one letter away and the most rated: typos only when nothing else matches


async def test_typos_are_looked_for_when_the_words_as_typed_match_nothing_and_ranked_by_popularity(
    store: GraphStore,
):
    assert await titles(store, "alienz") == [  # two edits allowed in a word of six letters
        "Annie Allen",
        "Aliens",
        "Return of the Alien",
        "Alien Nation",
        "Alien, The",
        "Alien",
    ]
    assert await titles(store, "annie alen") == ["Annie Allen"]


async def test_a_genre_narrows_the_search(store: GraphStore):
    assert await titles(store, "alien", "Sci-Fi") == ["Alien", "Aliens", "Alien Nation"]
    assert await titles(store, "alien", "Western") == []


async def test_pages_of_a_search_do_not_overlap_and_share_one_total(store: GraphStore):
    total, first = await store.search_movies("alien", limit=2)
    second_total, second = await store.search_movies("alien", skip=2, limit=2)
    beyond_total, beyond = await store.search_movies("alien", skip=40, limit=2)
    # The words as typed match: typos are not looked for (Annie Allen is not counted).
    assert total == second_total == beyond_total == 5
    assert [m["title"] for m in first + second] == ["Alien, The", "Alien", "Aliens", "Alien Nation"]
    assert beyond == []
    assert set(first[0]) == {"id", "title", "year", "genres"} and first[0]["year"] == 1990


@pytest.mark.parametrize(
    "typed",
    [
        '"unclosed',
        "@title:{x} | -y ~z",
        "%%alien%% *wild* $param",
        "AND OR NOT && || ! ^ ( ) [1 TO 5] \\ /",
        "'",
    ],
)
async def test_operators_of_either_index_in_a_query_are_plain_text(store: GraphStore, typed: str):
    total, page = await store.search_movies(typed)
    assert total == len(page)  # answered, whatever it found
    assert isinstance(await store.search_people(typed), list)


async def test_a_query_without_letters_or_digits_finds_nothing(store: GraphStore):
    assert await store.search_movies("?!  --") == (0, [])
    assert await store.search_people("...") == []


async def test_an_import_counts_each_movies_ratings_and_a_new_rating_adds_one_a_changed_one_none(
    store: GraphStore,
):
    assert [await rating_count(store, movie) for movie in (1, 3, 6)] == [1, 5, 6]
    await store.upsert_rating(2, 1, 3.0)  # user 2 had not rated Alien
    assert await rating_count(store, 1) == 2
    await store.upsert_rating(2, 1, 1.5)  # the same user changes their mind
    await store.upsert_rating(1, 1, 5.0)  # and so does user 1
    assert await rating_count(store, 1) == 2


async def test_a_new_rating_moves_a_movie_up_among_equal_matches(store: GraphStore):
    assert await titles(store, "star") == ["Star Wars", "Stargate", "Star Trek: The Wrath of Khan"]
    for user in (1, 2, 3):  # the Wrath of Khan, rated once, gets three more
        await store.upsert_rating(user + 1, 10, 4.0)
    assert (await titles(store, "star"))[0] == "Star Trek: The Wrath of Khan"


async def test_an_admins_movie_is_searchable_under_its_new_title_at_once(store: GraphStore):
    director = NewCredit("p.miyazaki", "DIRECTED", name="Hayao Miyazaki")
    movie_id = await store.save_movie(NewMovie("Spirited Away", 2001, ("Animation",), (director,)))
    assert (await titles(store, "spirited away"))[0] == "Spirited Away"
    assert await rating_count(store, movie_id) == 0
    assert [p["name"] for p in await store.search_people("miyazaki")] == ["Hayao Miyazaki"]
    await store.save_movie(NewMovie("Chihiro, The", 2001, ("Animation",), (director,)), movie_id)
    assert await titles(store, "spirited away") == []
    assert (await titles(store, "the chihiro"))[0] == "Chihiro, The"


async def test_people_are_found_by_name_best_match_first_then_by_how_much_their_movies_are_rated(
    store: GraphStore,
):
    found = await store.search_people("weaver")
    assert [p["name"] for p in found] == ["Sigourney Weaver", "Jacki Weaver"]  # 1 + 5 ratings against 1
    assert found[0]["id"] == "p.sigourney" and sorted(found[0]["movie_ids"]) == [1, 3]
    # "Scott Glenn" begins with the query; "Ridley Scott" only has the word
    assert [p["name"] for p in await store.search_people("scott")] == ["Scott Glenn", "Ridley Scott"]
    assert [p["name"] for p in await store.search_people("sigorney")] == ["Sigourney Weaver"]
    assert [p["name"] for p in await store.search_people("weaver", limit=1)] == ["Sigourney Weaver"]


async def test_a_graph_an_older_version_imported_gets_its_search_fields_at_start_up(store: GraphStore):
    await cypher(store, "MATCH (m:Movie) SET m.search_title = null, m.ratings = null")
    await cypher(store, "MATCH (p:Person) SET p.search_name = null")
    assert await titles(store, "alien") == []

    await ensure_store_has_data(store, Settings())

    assert (await titles(store, "the alien"))[0] == "Alien, The"
    assert await rating_count(store, 6) == 6
    assert [p["name"] for p in await store.search_people("ridley")] == ["Ridley Scott"]
