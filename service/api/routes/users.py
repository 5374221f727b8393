from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from service.api.routes.movies import MovieId
from service.deps import CallerDep, CurrentUserId, ModelDep, SettingsDep, StoreDep, rate_limited
from service.errors import error_responses
from service.schemas import NewUser, PickedMovie, RatedMovie, Token, User, UserRatings
from service.security import hash_password, issue_token

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=2**53)]


@router.post(
    "",
    response_model=Token,
    status_code=status.HTTP_201_CREATED,
    dependencies=[rate_limited("signup")],
    responses=error_responses(409, 429),
)
async def create_user(new_user: NewUser, store: StoreDep, model: ModelDep, settings: SettingsDep) -> Token:
    """Start fresh: a new user from a few movies they like (stored as picks, not ratings), with an
    account when a username and password are given; returns their token."""
    unknown = [m for m in new_user.liked_movie_ids if model.catalogue.canonical_id(m) not in model.catalogue]
    if unknown:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown movie id(s): {unknown[:10]}")
    picks = list(dict.fromkeys(model.catalogue.canonical_id(m) for m in new_user.liked_movie_ids))
    password_hash = None
    if new_user.password is not None:
        password_hash = await asyncio.to_thread(hash_password, new_user.password)
    user_id = await store.create_user(new_user.username, password_hash)
    await store.add_picks(user_id, picks)
    token = issue_token(settings.secret_key.get_secret_value(), user_id, settings.token_ttl_s)
    return Token(access_token=token, user_id=user_id)


@router.get("/me", response_model=User, responses=error_responses(401, 403, 404))
async def me(user_id: CurrentUserId, store: StoreDep) -> User:
    """The signed-in user's profile."""
    return User(**await store.user(user_id))


@router.get("/{user_id}", response_model=User, responses=error_responses(401, 403, 404))
async def get_user(user_id: UserId, caller: CallerDep, store: StoreDep) -> User:
    """A user's profile: for that user's token or the admin key only."""
    caller.require_user(user_id)
    return User(**await store.user(user_id))


@router.get("/{user_id}/ratings", response_model=UserRatings, responses=error_responses(401, 403, 404))
async def user_ratings(user_id: UserId, caller: CallerDep, store: StoreDep, model: ModelDep) -> UserRatings:
    """The user's ratings and picks, newest first: for that user's token or the admin key only."""
    caller.require_user(user_id)
    history = await store.user_history(user_id)
    catalogue = model.catalogue
    return UserRatings(
        user_id=user_id,
        items=[
            RatedMovie(movie=catalogue.movie(row["movie_id"]), rating=row["rating"], ts=row["ts"])
            for row in history.ratings
            if row["movie_id"] in catalogue
        ],
        picks=[
            PickedMovie(movie=catalogue.movie(row["movie_id"]), ts=row["ts"])
            for row in history.picks
            if row["movie_id"] in catalogue
        ],
    )


@router.delete(
    "/{user_id}/ratings/{movie_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["ratings"],
    responses=error_responses(401, 403, 404),
)
async def delete_rating(
    user_id: UserId, movie_id: MovieId, caller: CallerDep, store: StoreDep, model: ModelDep
) -> None:
    """Remove the user's rating of a movie: it leaves their history, and their next recommendations no
    longer count it and may suggest the movie again. For that user's token or the admin key only; a 404
    says whether the user, the movie or the rating is missing. An alias id (a film the dataset listed
    twice) removes the rating of the movie it was merged into."""
    caller.require_user(user_id)
    await store.delete_rating(user_id, model.catalogue.canonical_id(movie_id))
