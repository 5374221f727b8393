from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.catalogue import GenreMode
from service.deps import CallerDep, ModelDep, StoreDep, UserVectorsDep
from service.errors import error_responses
from service.recommending import recommend_movies
from service.schemas import Recommendations

router = APIRouter(prefix="/recommendations", tags=["recommendations"])


def parse_genres(genres: str) -> list[str]:
    return [g.strip() for g in genres.split(",") if g.strip()]


@router.get("", response_model=Recommendations, responses=error_responses(401, 403, 404))
async def recommendations(
    store: StoreDep,
    model: ModelDep,
    user_vectors: UserVectorsDep,
    caller: CallerDep,
    user_id: Annotated[int, Query(ge=1, le=2**53)],
    genres: Annotated[str, Query(max_length=500, description="comma-separated, e.g. Action,Comedy")] = "",
    genre_mode: Annotated[
        GenreMode, Query(description="any: a movie in any of the genres; all: in every one of them")
    ] = "any",
    k: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Recommendations:
    """Personalised top-k movies the user has not rated or picked, optionally within genres, each with a
    reason and the stars we predict the user would give it.

    Needs that user's token (the reasons tell what they rated) or the admin key."""
    caller.require_user(user_id)
    wanted = parse_genres(genres)
    model.catalogue.check_genres(wanted)
    history = await store.user_history(user_id)
    vector = user_vectors.vector(model, user_id, history)
    items = recommend_movies(model, user_id, vector, history, wanted, k, genre_mode)
    return Recommendations(
        user_id=user_id,
        genres=wanted,
        genre_mode=genre_mode,
        items=items,
        ratings=len(history.ratings),
        picks=len(history.picks),
        mean_rating=round(float(history.rating_values.mean()), 2) if history.ratings else None,
        model_version=model.version,
    )
