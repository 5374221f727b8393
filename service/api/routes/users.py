from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BeforeValidator

from service.api.routes.movies import MovieId
from service.deps import CallerDep, CurrentUserId, ModelDep, SettingsDep, StoreDep, rate_limited
from service.errors import error_responses
from service.schemas import NewUser, PickedMovie, RatedMovie, Token, User, UserRatings
from service.security import hash_password, issue_token

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=2**53)]
MAX_MOVIE_IDS = 100
_MOVIE_ID = re.compile(r"[1-9][0-9]{0,15}")


def _movie_id_list(given: list[str]) -> list[int]:
    """``movie_ids=1,50,181`` (or the parameter repeated) -> [1, 50, 181], each id once, in order."""
    parts = [part.strip() for item in given for part in str(item).split(",")]
    if not all(_MOVIE_ID.fullmatch(part) and int(part) <= 2**53 for part in parts):
        raise ValueError("give movie ids as whole numbers from 1, separated by commas (e.g. 1,50,181)")
    movie_ids = list(dict.fromkeys(int(part) for part in parts))
    if len(movie_ids) > MAX_MOVIE_IDS:
        raise ValueError(f"at most {MAX_MOVIE_IDS} movie ids at a time, not {len(movie_ids)}")
    return movie_ids


MovieIds = Annotated[
    list[int] | None,
    Query(
        max_length=MAX_MOVIE_IDS,
        description=f"only these movies (1 to {MAX_MOVIE_IDS} ids, comma-separated: 1,50,181): the stars "
        "a page shows beside a few movies, without the whole list",
    ),
    BeforeValidator(_movie_id_list),
]


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
async def user_ratings(
    user_id: UserId, caller: CallerDep, store: StoreDep, model: ModelDep, movie_ids: MovieIds = None
) -> UserRatings:
    """The user's ratings and picks, newest first, or with `movie_ids` those of these movies only (a movie
    they have neither rated nor picked is left out; an alias id answers for the movie it was merged
    into). For that user's token or the admin key only."""
    caller.require_user(user_id)
    catalogue = model.catalogue
    if movie_ids is None:
        history = await store.user_history(user_id)
    else:
        wanted = list(dict.fromkeys(catalogue.canonical_id(movie_id) for movie_id in movie_ids))
        history = await store.user_history_of(user_id, wanted)
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
