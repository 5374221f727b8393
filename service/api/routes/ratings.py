from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from service.deps import CallerDep, ModelDep, StoreDep
from service.errors import error_responses
from service.schemas import RatingIn, RatingOut

router = APIRouter(prefix="/ratings", tags=["ratings"])


@router.post(
    "",
    response_model=RatingOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 404),
)
async def rate(rating: RatingIn, caller: CallerDep, store: StoreDep, model: ModelDep) -> RatingOut:
    """Store a rating (durable before the answer); the user's next recommendations fold it in.

    Rating the same movie again overwrites the earlier rating. Needs that user's token. An alias id (a
    film the dataset listed twice) rates the movie it was merged into, whose id the answer gives.
    """
    caller.require_user(rating.user_id)
    movie_id = model.catalogue.canonical_id(rating.movie_id)
    if movie_id not in model.catalogue:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"movie {rating.movie_id} does not exist")
    stored = await store.upsert_rating(rating.user_id, movie_id, rating.rating)
    return RatingOut(user_id=rating.user_id, movie_id=movie_id, rating=stored["rating"], ts=stored["ts"])
