from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request, Response, status

from service.api.routes.movies import MovieId, movie_details
from service.deps import AdminDep, RetrainerDep
from service.errors import error_responses
from service.schemas import MovieDetails, MovieIn, RetrainStatus
from service.store.graph_store import GraphStore, NewCredit, NewMovie, UnknownPeople

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[AdminDep], responses=error_responses(403))


@router.post(
    "/retrain",
    response_model=RetrainStatus,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(409),
)
async def retrain(retrainer: RetrainerDep) -> RetrainStatus:
    """Retrain from the store in the background; the current model serves until the new one is swapped in."""
    if not retrainer.start():
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"a retrain is already running (since {retrainer.status.started_at}); see GET /admin/retrain",
        )
    return retrainer.status


@router.get("/retrain", response_model=RetrainStatus)
async def retrain_status(retrainer: RetrainerDep) -> RetrainStatus:
    return retrainer.status


def _new_movie(body: MovieIn) -> NewMovie:
    return NewMovie(
        title=body.title,
        year=body.year,
        genres=tuple(sorted(set(body.genres))),
        credits=tuple(
            NewCredit(
                person_id=credit.person_id or f"cg{uuid.uuid4().hex[:12]}",
                role=credit.role,
                name=credit.name,
                character=credit.character if credit.role == "ACTED_IN" else None,
            )
            for credit in body.people
        ),
        imdb_id=body.imdb_id,
        tmdb_id=body.tmdb_id,
    )


async def _save(request: Request, body: MovieIn, movie_id: int | None) -> MovieDetails:
    store: GraphStore = request.app.state.store
    request.app.state.model.catalogue.check_genres(body.genres)
    try:
        movie_id = await store.save_movie(_new_movie(body), movie_id)
    except UnknownPeople as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    await request.app.state.movie_sync.catch_up()
    return await movie_details(request, movie_id, store, request.app.state.model)


@router.post(
    "/movies",
    response_model=MovieDetails,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(422),
)
async def add_movie(request: Request, body: MovieIn, response: Response) -> MovieDetails:
    """Add a movie (title, year, genres, people, links). It is searchable, listed as similar and
    recommendable in the next request: until it has ratings and a retrain, its embedding comes from its
    graph neighbours (genres, year, people; ``ml.cold_items``)."""
    details = await _save(request, body, None)
    response.headers["Location"] = str(request.url_for("movie_details", movie_id=str(details.id)))
    return details


@router.put("/movies/{movie_id}", response_model=MovieDetails, responses=error_responses(404, 422))
async def replace_movie(request: Request, movie_id: MovieId, body: MovieIn) -> MovieDetails:
    """Replace a movie's title, year, genres, people and links. A movie with ratings keeps its trained
    embedding; one without gets a new one from its new neighbours."""
    return await _save(request, body, movie_id)
