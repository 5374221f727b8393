"""A user's "not interested" movies: never recommended to them, nor listed as similar while they are
signed in, until they undo it."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.api.routes.movies import MovieId
from service.api.routes.users import UserId
from service.deps import CallerDep, ModelDep, StoreDep
from service.errors import error_responses
from service.schemas import NotInterestedMovie, NotInterestedMovies
from service.store.graph_store import NotFound

router = APIRouter(prefix="/users/{user_id}/not-interested", tags=["not interested"])


@router.get("", response_model=NotInterestedMovies, responses=error_responses(401, 403, 404))
async def not_interested(
    user_id: UserId, caller: CallerDep, store: StoreDep, model: ModelDep
) -> NotInterestedMovies:
    """The movies the user marked "not interested", newest first: for that user's token or the admin key."""
    caller.require_user(user_id)
    rows = await store.not_interested(user_id)
    catalogue = model.catalogue
    return NotInterestedMovies(
        user_id=user_id,
        items=[
            NotInterestedMovie(movie=catalogue.movie(row["movie_id"]), ts=row["ts"])
            for row in rows
            if row["movie_id"] in catalogue
        ],
    )


@router.put("/{movie_id}", response_model=NotInterestedMovie, responses=error_responses(401, 403, 404))
async def mark_not_interested(
    user_id: UserId, movie_id: MovieId, caller: CallerDep, store: StoreDep, model: ModelDep
) -> NotInterestedMovie:
    """Never recommend this movie to the user again (from their next request on), nor list it as similar
    while they are signed in. Marking it again changes nothing. An alias id marks the movie it was merged
    into, whose id the answer gives."""
    caller.require_user(user_id)
    canonical = model.catalogue.canonical_id(movie_id)
    if canonical not in model.catalogue:
        raise NotFound(f"movie {movie_id} does not exist")
    ts = await store.add_not_interested(user_id, canonical)
    return NotInterestedMovie(movie=model.catalogue.movie(canonical), ts=ts)


@router.delete(
    "/{movie_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404)
)
async def undo_not_interested(
    user_id: UserId, movie_id: MovieId, caller: CallerDep, store: StoreDep, model: ModelDep
) -> None:
    """Undo "not interested": the movie may be recommended to the user again. A 404 says whether the user,
    the movie or the mark is missing."""
    caller.require_user(user_id)
    await store.remove_not_interested(user_id, model.catalogue.canonical_id(movie_id))
