"""Request and response models of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class Movie(BaseModel):
    id: int
    title: str
    year: int | None = None
    genres: list[str]


class ScoredMovie(BaseModel):
    movie: Movie
    score: float
    reason: str


class Recommendations(BaseModel):
    user_id: int
    genres: list[str]
    items: list[ScoredMovie]
    model_version: str


class SimilarMovies(BaseModel):
    movie_id: int
    items: list[ScoredMovie]


class RatingIn(BaseModel):
    user_id: int = Field(ge=1)
    movie_id: int = Field(ge=1)
    rating: float = Field(ge=0.5, le=5.0, description="0.5 to 5.0 in steps of 0.5")

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


class UserRatings(BaseModel):
    user_id: int
    items: list[RatedMovie]


class User(BaseModel):
    id: int
    age: int | None = None
    gender: str | None = None
    occupation: str | None = None
    ratings: int


class NewUser(BaseModel):
    liked_movie_ids: list[int] = Field(min_length=5, max_length=200, description="at least 5 distinct movies")

    @field_validator("liked_movie_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        distinct = list(dict.fromkeys(value))
        if len(distinct) < 5:
            raise ValueError("pick at least 5 different movies")
        return distinct


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user_id: int


class DemoLogin(BaseModel):
    user_id: int = Field(ge=1)


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
