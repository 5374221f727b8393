from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import RedirectResponse
from pydantic import AfterValidator

from service.deps import CallerDep, ModelDep, StoreDep, rate_limited
from service.errors import error_responses
from service.recommending import similar_movies
from service.schemas import (
    Movie,
    MovieDetails,
    MoviePage,
    PersonCredit,
    PersonMatch,
    PopularMovies,
    SimilarMovies,
)
from service.store.graph_store import GraphStore, NotFound

router = APIRouter(prefix="/movies", tags=["movies"])

MovieId = Annotated[int, Path(ge=1, le=2**53)]


def _printable(text: str) -> str:
    if any(ord(character) < 32 or ord(character) == 127 for character in text):
        raise ValueError("must not contain control characters")
    return text


SearchText = Annotated[
    str,
    Query(
        max_length=200,
        description="a title or a person's name as typed: any case, accents or none, the article in front, "
        "behind ('Godfather, The') or left out, the last word unfinished, a typo or two",
    ),
    AfterValidator(_printable),
]
PEOPLE_IN_SEARCH = 5
GenreName = Annotated[str | None, Query(max_length=100), AfterValidator(lambda g: g and _printable(g))]
ROLE_ORDER = {"DIRECTED": 0, "WROTE": 1, "ACTED_IN": 2, "PRODUCED": 3, "SHOT": 4}
ALIAS_REDIRECT = {
    status.HTTP_308_PERMANENT_REDIRECT: {
        "description": "The id is an alias of a film the dataset listed twice: `Location` is the same "
        "request for the movie it was merged into",
        "headers": {
            "Location": {"description": "URL of the movie's canonical id", "schema": {"type": "string"}}
        },
    }
}


def _to_canonical_movie(request: Request, route_name: str, movie_id: int) -> RedirectResponse:
    """The same request (query included) for the canonical id; 308 keeps the method, and clients may
    remember it."""
    url = request.url_for(route_name, movie_id=str(movie_id)).include_query_params(**request.query_params)
    return RedirectResponse(str(url), status_code=status.HTTP_308_PERMANENT_REDIRECT)


@router.get(
    "", response_model=MoviePage, dependencies=[rate_limited("search")], responses=error_responses(429)
)
async def search_movies(
    store: StoreDep,
    model: ModelDep,
    q: SearchText = "",
    genre: GenreName = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MoviePage:
    """Browse (no `q`: the most-rated movies, optionally of one genre) or search as people type: the
    exact title first, then titles that begin with `q`, then titles with every word, each most rated
    first; typos are forgiven when the words as typed match nothing. The first page of a search without
    a genre also lists the people whose name matches."""
    if genre is not None:
        model.catalogue.check_genres([genre])
    skip = (page - 1) * page_size
    if not q.strip():  # browsing: the in-memory catalogue has the same order, most-rated first
        total, items = model.catalogue.popular(page_size, genre, skip)
        return MoviePage(total=total, page=page, page_size=page_size, items=items)
    people = PEOPLE_IN_SEARCH if page == 1 and genre is None else 0  # shown above the first page
    found = await store.search(q, genre, skip=skip, limit=page_size, people=people)
    items = [
        Movie(id=r["id"], title=r["title"], year=r["year"], genres=sorted(r["genres"])) for r in found.movies
    ]
    matches = [
        PersonMatch(
            id=p["id"],
            name=p["name"],
            birth_year=p["birth_year"],
            known_for=model.catalogue.most_rated_movies(p["movie_ids"], 2),
        )
        for p in found.people
    ]
    return MoviePage(total=found.total, page=page, page_size=page_size, items=items, people=matches)


@router.get("/popular", response_model=PopularMovies)
async def popular_movies(
    model: ModelDep, genre: GenreName = None, k: Annotated[int, Query(ge=1, le=100)] = 12
) -> PopularMovies:
    """The most-rated movies, optionally of one genre (for a new user to pick from)."""
    return PopularMovies(items=model.catalogue.popular(k, genre)[1])


@router.get("/{movie_id}", response_model=MovieDetails, responses={**ALIAS_REDIRECT, **error_responses(404)})
async def movie_details(
    request: Request, movie_id: MovieId, store: StoreDep, model: ModelDep
) -> MovieDetails | RedirectResponse:
    if movie_id in model.catalogue.aliases:
        return _to_canonical_movie(request, "movie_details", model.catalogue.canonical_id(movie_id))
    movie = await store.movie(movie_id)
    people = sorted(
        await store.movie_people(movie_id), key=lambda p: (ROLE_ORDER.get(p["role"], 9), p["name"])
    )
    catalogue = model.catalogue
    return MovieDetails(
        id=movie["id"],
        title=movie["title"],
        year=movie["year"],
        genres=sorted(movie["genres"]),
        ratings=movie["ratings"],
        mean_rating=movie["mean_rating"],
        imdb_id=movie["imdb_id"],
        tmdb_id=movie["tmdb_id"],
        people=[
            PersonCredit(
                person_id=p["person_id"],
                name=p["name"],
                role=p["role"],
                character=p["character"],
                known_for=catalogue.most_rated_movies(p["other_movies"], 3),
            )
            for p in people
        ],
    )


@router.get(
    "/{movie_id}/similar",
    response_model=SimilarMovies,
    responses={**ALIAS_REDIRECT, **error_responses(401, 403, 404)},
)
async def similar(
    request: Request,
    movie_id: MovieId,
    model: ModelDep,
    store: StoreDep,
    caller: CallerDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SimilarMovies | RedirectResponse:
    """Movies people rated together far more often than chance, sharing genres (``ml.similarity``),
    each with a reason. With a user's token, the movies that user marked "not interested" are left out."""
    if movie_id in model.catalogue.aliases:
        return _to_canonical_movie(request, "similar", model.catalogue.canonical_id(movie_id))
    if movie_id not in model.catalogue:
        raise NotFound(f"movie {movie_id} does not exist")
    hidden = await _not_interested_ids(store, caller.user_id)
    return SimilarMovies(movie_id=movie_id, items=similar_movies(model, movie_id, k, exclude=hidden))


async def _not_interested_ids(store: GraphStore, user_id: int | None) -> np.ndarray | None:
    """The signed-in user's "not interested" movies; None for nobody, or a user the store no longer holds."""
    if user_id is None:
        return None
    try:
        rows = await store.not_interested(user_id)
    except NotFound:
        return None
    return np.array([row["movie_id"] for row in rows], dtype=np.int64)
