"""Request and response models of the HTTP API."""

from __future__ import annotations

from typing import Annotated, Literal

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


class ReasonEvidence(BaseModel):
    """The graph edges a people-based reason rests on: the person has ``role`` on both the listed movie
    and ``movie_id`` (a movie you rated or picked, or the movie whose similar movies these are)."""

    person_id: str
    person_name: str
    role: str
    movie_id: int


class ScoredMovie(BaseModel):
    movie: Movie
    score: float = Field(description="the model's ranking score (no unit; compare within one list)")
    predicted_rating: float | None = Field(
        default=None,
        description="the stars (0.5-5) we think this user would give the movie, calibrated on held-out "
        "ratings; absent where no user is involved (similar movies)",
    )
    reason: str
    evidence: ReasonEvidence | None = Field(
        default=None, description="for a reason that names a person: the credits it rests on"
    )


class Recommendations(BaseModel):
    user_id: int
    genres: list[str]
    genre_mode: Literal["any", "all"] = Field(
        default="any", description="any: each movie has one of the genres at least; all: every one"
    )
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


class NotInterestedMovie(BaseModel):
    movie: Movie
    ts: int = Field(description="when the user first marked it, Unix seconds")


class NotInterestedMovies(BaseModel):
    user_id: int
    items: list[NotInterestedMovie] = Field(
        description="movies never recommended to the user nor listed as similar to them, newest first"
    )


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


class PersonMatch(BaseModel):
    """A person whose name matches a search (``GET /people/{id}`` has their credits)."""

    id: str
    name: str
    birth_year: int | None = None
    known_for: list[Movie] = Field(description="up to two of their movies, most rated first")


class MoviePage(BaseModel):
    total: int = Field(
        description="how many movies match; a query that matches very many titles (one or two letters, a "
        "lone 'the') ranks the titles that begin with it and the full-text index's first 500 matches"
    )
    page: int
    page_size: int
    items: list[Movie]
    people: list[PersonMatch] = Field(
        default_factory=list,
        description="named people whose name matches q, best first (at most 5; only on the first page of "
        "a search without a genre)",
    )


class PopularMovies(BaseModel):
    items: list[Movie]


class PersonCredit(BaseModel):
    person_id: str
    name: str
    role: str = Field(description="ACTED_IN, DIRECTED, WROTE, PRODUCED or SHOT")
    character: str | None = Field(default=None, description="who they played, where the source says")
    known_for: list[Movie] = Field(description="up to three of their other movies, most rated first")


class MovieCredit(BaseModel):
    movie: Movie
    role: str
    character: str | None = None


class PersonDetails(BaseModel):
    id: str
    name: str | None = Field(description="null for a person a source names only by id")
    birth_year: int | None = None
    credits: list[MovieCredit] = Field(description="newest first")


class MovieDetails(Movie):
    ratings: int
    mean_rating: float | None
    people: list[PersonCredit]
    imdb_id: str | None = Field(default=None, description="e.g. tt0114709, from the dataset's links.csv")
    tmdb_id: int | None = None


Role = Literal["ACTED_IN", "DIRECTED", "WROTE", "PRODUCED", "SHOT"]


class CreditIn(BaseModel):
    """A person on an admin's movie: an existing person by ``person_id``, or a new (or renamed) one with
    a ``name`` (an id is made when none is given)."""

    person_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,64}$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role
    character: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _named_or_known(self) -> CreditIn:
        if self.person_id is None and self.name is None:
            raise ValueError("give a person_id (an existing person) or a name (a new one)")
        return self


class MovieIn(BaseModel):
    """An admin's movie: added (POST /admin/movies) or replaced (PUT /admin/movies/{id})."""

    title: str = Field(min_length=1, max_length=300)
    year: int | None = Field(default=None, ge=1870, le=2100)
    genres: list[str] = Field(min_length=1, max_length=10, description="names from GET /genres")
    people: list[CreditIn] = Field(default_factory=list, max_length=200)
    imdb_id: str | None = Field(default=None, pattern=r"^tt\d{7,10}$")
    tmdb_id: int | None = Field(default=None, ge=1, le=2**31)


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
