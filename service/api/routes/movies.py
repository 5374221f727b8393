from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import RedirectResponse
from pydantic import AfterValidator

from service.deps import ModelDep, StoreDep, rate_limited
from service.errors import error_responses
from service.recommending import similar_movies
from service.schemas import Movie, MovieDetails, MoviePage, PersonCredit, PopularMovies, SimilarMovies
from service.store.graph_store import NotFound

router = APIRouter(prefix="/movies", tags=["movies"])

MovieId = Annotated[int, Path(ge=1, le=2**53)]


def _printable(text: str) -> str:
    if any(ord(character) < 32 or ord(character) == 127 for character in text):
        raise ValueError("must not contain control characters")
    return text


SearchText = Annotated[
    str, Query(max_length=200, description="part of the title, any case"), AfterValidator(_printable)
]
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
    if genre is not None:
        model.catalogue.check_genres([genre])
    skip = (page - 1) * page_size
    if not q.strip():  # browsing: the in-memory catalogue has the same order, most-rated first
        total, items = model.catalogue.popular(page_size, genre, skip)
        return MoviePage(total=total, page=page, page_size=page_size, items=items)
    total, rows = await store.search_movies(q.strip(), genre, skip=skip, limit=page_size)
    items = [Movie(id=r["id"], title=r["title"], year=r["year"], genres=sorted(r["genres"])) for r in rows]
    return MoviePage(total=total, page=page, page_size=page_size, items=items)


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
        await store.movie_people(movie_id), key=lambda p: (ROLE_ORDER.get(p["role"], 9), p["person_id"])
    )
    catalogue = model.catalogue
    return MovieDetails(
        id=movie["id"],
        title=movie["title"],
        year=movie["year"],
        genres=sorted(movie["genres"]),
        ratings=movie["ratings"],
        mean_rating=movie["mean_rating"],
        people=[
            PersonCredit(
                person_id=p["person_id"],
                role=p["role"],
                known_for=[catalogue.movie(m) for m in p["known_for"] if m in catalogue],
            )
            for p in people
        ],
    )


@router.get(
    "/{movie_id}/similar", response_model=SimilarMovies, responses={**ALIAS_REDIRECT, **error_responses(404)}
)
async def similar(
    request: Request, movie_id: MovieId, model: ModelDep, k: Annotated[int, Query(ge=1, le=100)] = 10
) -> SimilarMovies | RedirectResponse:
    """Movies people rated together far more often than chance, sharing genres (``ml.similarity``),
    each with a reason."""
    if movie_id in model.catalogue.aliases:
        return _to_canonical_movie(request, "similar", model.catalogue.canonical_id(movie_id))
    if movie_id not in model.catalogue:
        raise NotFound(f"movie {movie_id} does not exist")
    return SimilarMovies(movie_id=movie_id, items=similar_movies(model, movie_id, k))
