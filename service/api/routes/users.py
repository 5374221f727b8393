from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from service.auth import issue_token
from service.deps import ModelDep, SettingsDep, StoreDep
from service.schemas import NewUser, RatedMovie, Token, User, UserRatings

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1)]
LIKED_RATING = 5.0


@router.post("", response_model=Token, status_code=status.HTTP_201_CREATED)
async def create_user(new_user: NewUser, store: StoreDep, model: ModelDep, settings: SettingsDep) -> Token:
    """Cold start: a new user from a few liked movies (stored as 5★ ratings); returns their token."""
    unknown = [m for m in new_user.liked_movie_ids if m not in model.catalogue]
    if unknown:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown movie id(s): {unknown}")
    user_id = await store.create_user()
    await store.add_ratings(user_id, dict.fromkeys(new_user.liked_movie_ids, LIKED_RATING))
    token = issue_token(settings.secret_key.get_secret_value(), user_id, settings.token_ttl_s)
    return Token(access_token=token, user_id=user_id)


@router.get("/{user_id}", response_model=User)
async def get_user(user_id: UserId, store: StoreDep) -> User:
    return User(**await store.user(user_id))


@router.get("/{user_id}/ratings", response_model=UserRatings)
async def user_ratings(user_id: UserId, store: StoreDep, model: ModelDep) -> UserRatings:
    """The user's ratings, newest first."""
    history = await store.user_history(user_id)
    return UserRatings(
        user_id=user_id,
        items=[
            RatedMovie(movie=model.catalogue.movie(row["movie_id"]), rating=row["rating"], ts=row["ts"])
            for row in history
            if row["movie_id"] in model.catalogue
        ],
    )
