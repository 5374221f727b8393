"""Request and response models of the HTTP API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

# Ids in JSON bodies are strict: 1 is an id, true, 1.0 and "1" are not.
Id = Annotated[int, Field(strict=True, ge=1, le=2**53)]
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z0-9_.-]{3,32}$"),
    Field(description="3 to 32 letters, digits, '_', '.' or '-'; not case-sensitive", examples=["ann"]),
]
Password = Annotated[str, Field(min_length=8, max_length=128, description="8 to 128 characters")]


class FieldError(BaseModel):
    loc: list[str]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    detail: str = Field(description="what went wrong, in words a person can act on")
    errors: list[FieldError] | None = Field(default=None, description="per invalid field (422 only)")
    valid_genres: list[str] | None = Field(default=None, description="with an unknown genre (422)")


class Movie(BaseModel):
    id: int
    title: str
    year: int | None = None
    genres: list[str]


class ScoredMovie(BaseModel):
    movie: Movie
    score: float = Field(description="the model's ranking score (no unit; compare within one list)")
    predicted_rating: float | None = Field(
        default=None,
        description="the stars (0.5-5) we think this user would give the movie, calibrated on held-out "
        "ratings; absent where no user is involved (similar movies)",
    )
    reason: str


class Recommendations(BaseModel):
    user_id: int
    genres: list[str]
    items: list[ScoredMovie]
    ratings: int = Field(description="how many movies the user rated: what the list is based on")
    picks: int = Field(description="how many movies the user picked when starting fresh (likes, not ratings)")
    mean_rating: float | None = Field(
        description="the user's average rating, to read their predicted stars against (none without ratings)"
    )
    model_version: str


class SimilarMovies(BaseModel):
    movie_id: int
    items: list[ScoredMovie]


class RatingIn(BaseModel):
    user_id: Id
    movie_id: Id
    rating: float = Field(
        strict=True, allow_inf_nan=False, ge=0.5, le=5.0, description="0.5 to 5.0 in steps of 0.5"
    )

    @field_validator("rating")
    @classmethod
    def _half_steps(cls, value: float) -> float:
        if (value * 2) % 1 != 0:
            raise ValueError("rating must be a multiple of 0.5 (0.5, 1.0, ... 5.0)")
        return value


class RatingOut(BaseModel):
    user_id: int
    movie_id: int
    rating: float
    ts: int


class RatedMovie(BaseModel):
    movie: Movie
    rating: float
    ts: int


class PickedMovie(BaseModel):
    movie: Movie
    ts: int


class UserRatings(BaseModel):
    user_id: int
    items: list[RatedMovie]
    picks: list[PickedMovie] = Field(description="movies picked when starting fresh and not rated since")


class User(BaseModel):
    id: int
    username: str | None = Field(default=None, description="set when the user has an account")
    has_password: bool = Field(default=False, description="whether the user can sign in with a password")
    age: int | None = None
    gender: str | None = None
    occupation: str | None = None
    ratings: int
    picks: int = Field(default=0, description="movies picked when starting fresh and not rated since")


class NewUser(BaseModel):
    liked_movie_ids: list[Id] = Field(min_length=5, max_length=200, description="at least 5 distinct movies")
    username: Username | None = Field(default=None, description="optional: sign in later with a password")
    password: Password | None = None

    @field_validator("liked_movie_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        distinct = list(dict.fromkeys(value))
        if len(distinct) < 5:
            raise ValueError("pick at least 5 different movies")
        return distinct

    @model_validator(mode="after")
    def _username_with_password(self) -> NewUser:
        if (self.username is None) != (self.password is None):
            raise ValueError("give both a username and a password, or neither")
        return self


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user_id: int


class DemoLogin(BaseModel):
    user_id: Id


class Credentials(BaseModel):
    username: Username
    password: Password


class MoviePage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[Movie]


class PopularMovies(BaseModel):
    items: list[Movie]


class PersonCredit(BaseModel):
    person_id: str
    role: str
    known_for: list[Movie]


class MovieDetails(Movie):
    ratings: int
    mean_rating: float | None
    people: list[PersonCredit]


class Genre(BaseModel):
    name: str
    movies: int


class ModelInfo(BaseModel):
    version: str
    trained_at: str
    metrics: dict[str, float]
    users: int
    movies: int


class RetrainStatus(BaseModel):
    state: str  # idle | running | failed | succeeded
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    model_version: str | None = None


class Health(BaseModel):
    status: str
    store: str
    store_reachable: bool
    model: ModelInfo
    retrain: RetrainStatus
