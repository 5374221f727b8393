"""``GraphStore``: CineGraph's data access, the same over Neo4j and the embedded FalkorDB."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from ml.data import Dataset
from service.store.backends import Conflict, GraphBackend, Row, StoreUnavailable
from service.store.search_text import SearchQuery, search_text, search_title

log = logging.getLogger(__name__)


EXPORT_PAGE_USERS = 2000
"""Users per page of the ratings export: ~300k ratings at MovieLens densities, one reply each. A single
reply of every rating outgrew the client's 60 s socket timeout at 10M ratings."""
EXPORT_PAGES_IN_FLIGHT = 2

BatchWriter = Callable[[int, dict[str, Any]], Awaitable[None]]
"""Writes one import batch: (number of rows, statement parameters)."""


class UnknownPeople(ValueError):
    def __init__(self, person_ids: list[str]) -> None:
        self.person_ids = person_ids
        shown = ", ".join(repr(person_id) for person_id in person_ids[:5])
        super().__init__(f"no person with id {shown}; give a name as well to add a new person")


class NotFound(LookupError):
    """A user or movie id that the graph does not hold."""


@dataclass(frozen=True)
class Interactions:
    """All ratings as parallel arrays, ready for training."""

    user_ids: np.ndarray  # int64
    movie_ids: np.ndarray  # int64
    ratings: np.ndarray  # float32
    timestamps: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.user_ids)

    def users_rated_since(self, ts: int) -> np.ndarray:
        """Sorted ids of the users with a rating newer than ``ts`` in the graph this export was read from
        (start-up folds them in without reading every rating a second time)."""
        return np.unique(self.user_ids[self.timestamps > ts])

    def as_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "user_id": self.user_ids,
                "movie_id": self.movie_ids,
                "rating": self.ratings,
                "timestamp": self.timestamps,
            }
        )


@dataclass(frozen=True)
class UserHistory:
    """What a user has told us: their ratings, the movies they picked when starting fresh, and the movies
    they marked "not interested".

    A pick says "I like this" without stars, so it is kept apart from ratings: it feeds the user's
    vector as a positive and is never shown as a rating. A picked movie the user later rated counts as
    rated only. "Not interested" does not touch the vector; those movies are only never shown. All
    lists are newest first. ``ratings_removed_at`` is when the user last removed a rating (0: never):
    removing one makes the history shorter without a newer timestamp, and the user's vector must see it.
    """

    ratings: list[Row]  # movie_id, rating, ts
    picks: list[Row]  # movie_id, ts
    not_interested: list[Row] = field(default_factory=list)  # movie_id, ts
    ratings_removed_at: int = 0

    @classmethod
    def from_rows(cls, rows: list[Row]) -> UserHistory:
        """From ``user_history.cypher`` rows (kind RATED, LIKED or NOT_INTERESTED, or one row of nulls),
        already newest first."""
        edges = [r for r in rows if r["movie_id"] is not None]
        ratings = [
            {"movie_id": r["movie_id"], "rating": r["rating"], "ts": r["ts"]}
            for r in edges
            if r["kind"] == "RATED"
        ]
        rated = {r["movie_id"] for r in ratings}
        picks = [
            {"movie_id": r["movie_id"], "ts": r["ts"]}
            for r in edges
            if r["kind"] == "LIKED" and r["movie_id"] not in rated
        ]
        hidden = [{"movie_id": r["movie_id"], "ts": r["ts"]} for r in edges if r["kind"] == "NOT_INTERESTED"]
        removed_at = max((int(r.get("removed_at") or 0) for r in rows), default=0)
        return cls(ratings, picks, hidden, removed_at)

    def __bool__(self) -> bool:
        return bool(self.ratings or self.picks)

    @property
    def rated_ids(self) -> np.ndarray:
        return np.array([r["movie_id"] for r in self.ratings], dtype=np.int64)

    @property
    def rating_values(self) -> np.ndarray:
        return np.array([r["rating"] for r in self.ratings], dtype=np.float32)

    @property
    def picked_ids(self) -> np.ndarray:
        return np.array([r["movie_id"] for r in self.picks], dtype=np.int64)

    @property
    def seen_ids(self) -> np.ndarray:
        """Every movie the user rated or picked: never recommended back to them."""
        return np.concatenate([self.rated_ids, self.picked_ids])

    @property
    def not_interested_ids(self) -> np.ndarray:
        return np.array([r["movie_id"] for r in self.not_interested], dtype=np.int64)

    @property
    def excluded_ids(self) -> np.ndarray:
        """Movies never recommended to the user: the ones they rated, picked or marked not interested."""
        return np.concatenate([self.seen_ids, self.not_interested_ids])

    @property
    def newest_ts(self) -> int:
        return max((int(r["ts"]) for r in (*self.ratings, *self.picks)), default=0)

    @property
    def changed_at(self) -> int:
        """When what the user's vector depends on last changed: their newest rating or pick, or the last
        time they removed a rating."""
        return max(self.newest_ts, self.ratings_removed_at)

    @property
    def fingerprint(self) -> bytes:
        """Digest of what the user's vector depends on (rated movies with their stars, and picks): equal
        fingerprints, equal fold-ins, however the history got there (a rating undone within a second)."""
        digest = hashlib.blake2b(digest_size=16)
        for part in (self.rated_ids, self.rating_values, self.picked_ids):
            digest.update(len(part).to_bytes(4, "little"))
            digest.update(part.tobytes())
        return digest.digest()


@dataclass(frozen=True)
class MovieLinks:
    """Movie–genre and movie–person edges as parallel arrays (side information for graph models)."""

    genre_movie_ids: np.ndarray
    genres: np.ndarray  # str
    person_movie_ids: np.ndarray
    person_ids: np.ndarray  # str
    roles: np.ndarray  # str
    person_names: np.ndarray  # str, or None for people a source named only by id (Freebase)


@dataclass(frozen=True)
class SearchResults:
    """What :meth:`GraphStore.search` found: how many movies match, one page of them, and people."""

    total: int
    movies: list[Row]  # id, title, year, genres
    people: list[Row]  # id, name, birth_year, movie_ids


@dataclass(frozen=True)
class NewCredit:
    person_id: str
    role: str  # ACTED_IN, DIRECTED, WROTE, PRODUCED or SHOT
    name: str | None = None  # given: the person is created or renamed; None: they must exist
    character: str | None = None


@dataclass(frozen=True)
class NewMovie:
    """What an admin states about a movie (``save_movie``)."""

    title: str
    year: int | None
    genres: tuple[str, ...]
    credits: tuple[NewCredit, ...] = ()
    imdb_id: str | None = None
    tmdb_id: int | None = None


def batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _none_if_missing(value: Any) -> Any:
    return (
        None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else value
    )


class GraphStore:
    """Domain operations on the movie graph; the backend only runs named statements.

    Operations that serve a request wait at most ``timeout_s`` for the database and then raise
    ``StoreUnavailable`` (503), so that a wedged database cannot hang every client; bulk imports and
    exports run as long as they need.
    """

    def __init__(self, backend: GraphBackend, batch_size: int = 5000, timeout_s: float = 2.0) -> None:
        self.backend = backend
        self.batch_size = batch_size
        self.timeout_s = timeout_s

    async def _within_timeout(self, work: Awaitable[Any]) -> Any:
        try:
            async with asyncio.timeout(self.timeout_s):  # no extra task, unlike wait_for
                return await work
        except TimeoutError:
            raise StoreUnavailable(
                f"{self.backend.name} did not answer within {self.timeout_s:g} s"
            ) from None

    async def _run(self, statement_name: str, params: dict[str, Any] | None = None) -> list[Row]:
        """A request's statement, bound by the timeout."""
        return await self._within_timeout(self.backend.run(statement_name, params))

    @property
    def backend_name(self) -> str:
        return self.backend.name

    async def close(self) -> None:
        await self.backend.close()

    async def ping(self) -> None:
        await self._run("genres")

    # --- import ---------------------------------------------------------------------------------

    async def import_dataset(self, dataset: Dataset, *, progress: bool = True) -> dict[str, float]:
        """Write the whole dataset in UNWIND batches; idempotent. Returns seconds per step."""
        await self.backend.apply_schema()
        sequels = dataset.sequels.astype("int64").to_dict("records")
        aliases = dataset.aliases.astype("int64").to_dict("records")
        # Movies an older import wrote that this dataset no longer lists: aliases (after their ratings
        # moved to the canonical movie) and placeholders.
        removed = [*(row["alias_id"] for row in aliases), *map(int, dataset.placeholders["movie_id"])]
        # Credits and sequels are replaced by the dataset's own, so that refused links do not outlive a check.
        movie_ids = [int(movie_id) for movie_id in dataset.movies["movie_id"]]
        size = self.batch_size
        run = self._statement_writer
        has_ratings = await self.has_ratings()
        write_ratings = self._rating_writer("import_ratings" if has_ratings else "create_ratings")
        users, movies = _user_rows(dataset.users), _movie_rows(dataset.movies, dataset.links)
        people = _people_rows(dataset.people)
        steps: list[tuple[str, BatchWriter, int, Iterator[tuple[int, dict[str, Any]]]]] = [
            ("genres", run("import_genres"), len(dataset.genres), _plain(dataset.genres, "names", size)),
            ("users", run("import_users"), len(users), _plain(users, "rows", size)),
            ("movies", run("import_movies"), len(movies), _plain(movies, "rows", size)),
            ("ratings", write_ratings, len(dataset.ratings), _rating_batches(dataset.ratings, size)),
            ("old facts", run("delete_movie_facts"), len(movie_ids), _plain(movie_ids, "ids", size)),
            ("credits", run("import_credits"), len(dataset.credits), _credit_batches(dataset.credits, size)),
            ("people", run("import_people"), len(people), _plain(people, "rows", size)),
            ("sequels", run("import_sequels"), len(sequels), _plain(sequels, "rows", size)),
            ("people without credits", run("delete_lone_people"), 1, iter([(1, {})])),
            ("aliases", run("import_movie_aliases"), len(aliases), _plain(aliases, "rows", size)),
            ("removed movies", run("delete_movies"), len(removed), _plain(removed, "ids", size)),
            ("rating counts", run("count_movie_ratings"), len(movie_ids), _plain(movie_ids, "ids", size)),
        ]  # fmt: skip
        timings: dict[str, float] = {}
        total = sum(rows for _, _, rows, _ in steps)
        with tqdm(
            total=total, desc=f"import {dataset.name}", unit="row", unit_scale=True, disable=not progress
        ) as bar:
            for step, write, _rows, step_batches in steps:
                started = time.perf_counter()
                await _write_overlapped(
                    write, step_batches, self.backend.import_batches_in_flight, bar.update
                )
                timings[step] = time.perf_counter() - started
        return timings

    # --- ratings and users ----------------------------------------------------------------------

    async def upsert_rating(self, user_id: int, movie_id: int, rating: float, ts: int | None = None) -> Row:
        ts = int(time.time()) if ts is None else ts
        rows = await self._run(
            "upsert_rating", {"user_id": user_id, "movie_id": movie_id, "rating": float(rating), "ts": ts}
        )
        if not rows:
            await self.user(user_id)  # raises NotFound naming the user if that is what is missing
            raise NotFound(f"movie {movie_id} does not exist")
        return rows[0]

    async def user(self, user_id: int) -> Row:
        rows = await self._run("user", {"user_id": user_id})
        if not rows:
            raise NotFound(f"user {user_id} does not exist")
        return rows[0]

    async def user_history(self, user_id: int) -> UserHistory:
        """The user's ratings, picks and "not interested" movies, newest first (:class:`UserHistory`)."""
        rows = await self._run("user_history", {"user_id": user_id})
        if not rows:
            raise NotFound(f"user {user_id} does not exist")
        return UserHistory.from_rows(rows)

    async def user_history_of(self, user_id: int, movie_ids: list[int]) -> UserHistory:
        """The user's ratings and picks of these movies only, newest first: a page showing the user's
        stars beside a few movies reads those, not the whole history (no "not interested" movies; a
        fingerprint of this is not the user's)."""
        rows = await self._run("user_history_of_movies", {"user_id": user_id, "movie_ids": list(movie_ids)})
        if not rows:
            raise NotFound(f"user {user_id} does not exist")
        return UserHistory.from_rows(rows)

    async def delete_rating(self, user_id: int, movie_id: int, ts: int | None = None) -> None:
        """Remove the user's rating of the movie (a pick of it, if any, stays); ``NotFound`` naming what
        is missing: the user, the movie, or the rating."""
        ts = int(time.time()) if ts is None else ts
        if not await self._run("delete_rating", {"user_id": user_id, "movie_id": movie_id, "ts": ts}):
            await self._require_user_and_movie(user_id, movie_id)
            raise NotFound(f"user {user_id} has not rated movie {movie_id}")

    async def add_not_interested(self, user_id: int, movie_id: int, ts: int | None = None) -> int:
        """Mark a movie "not interested" for the user (idempotent); returns when it was first marked."""
        ts = int(time.time()) if ts is None else ts
        rows = await self._run("add_not_interested", {"user_id": user_id, "movie_id": movie_id, "ts": ts})
        if not rows:
            await self.user(user_id)  # raises NotFound naming the user if that is what is missing
            raise NotFound(f"movie {movie_id} does not exist")
        return int(rows[0]["ts"])

    async def remove_not_interested(self, user_id: int, movie_id: int) -> None:
        """Undo "not interested"; ``NotFound`` naming what is missing: the user, the movie, or the mark."""
        if not await self._run("remove_not_interested", {"user_id": user_id, "movie_id": movie_id}):
            await self._require_user_and_movie(user_id, movie_id)
            raise NotFound(f"user {user_id} has not marked movie {movie_id} as not interested")

    async def not_interested(self, user_id: int) -> list[Row]:
        """The movies the user marked "not interested" (movie_id, ts), newest first."""
        rows = await self._run("not_interested", {"user_id": user_id})
        if not rows:
            raise NotFound(f"user {user_id} does not exist")
        return [row for row in rows if row["movie_id"] is not None]

    async def _require_user_and_movie(self, user_id: int, movie_id: int) -> None:
        await self.user(user_id)  # NotFound naming the user
        await self.movie(movie_id)  # NotFound naming the movie

    async def create_user(
        self, username: str | None = None, password_hash: str | None = None, attempts: int = 5
    ) -> int:
        """A new user (with an account when a username and password hash are given); ``Conflict`` when
        the username is taken."""
        if username is not None and await self.account(username) is not None:
            raise Conflict(f"the username {username!r} is taken")
        params = {"now": int(time.time()), "username": username, "password_hash": password_hash}
        for _ in range(attempts):
            try:
                return int((await self._run("create_user", params))[0]["id"])
            except Conflict:
                if username is not None and await self.account(username) is not None:
                    raise Conflict(f"the username {username!r} is taken") from None
                continue  # another writer took the same id at the same moment
        raise Conflict("could not allocate a user id; try again")

    async def account(self, username: str) -> Row | None:
        """``id`` and ``password_hash`` of the user with this username, or None."""
        rows = await self._run("account", {"username": username})
        return rows[0] if rows else None

    async def set_credentials(self, user_id: int, username: str, password_hash: str) -> None:
        """Give a user without a password a username and password (``Conflict`` when they already have
        one, or the username is taken)."""
        if await self.account(username) is not None:
            raise Conflict(f"the username {username!r} is taken")
        params = {"user_id": user_id, "username": username, "password_hash": password_hash}
        if not await self._run("set_credentials", params):
            await self.user(user_id)  # NotFound for an unknown user
            raise Conflict(f"user {user_id} already has a password")

    async def add_picks(self, user_id: int, movie_ids: list[int], ts: int | None = None) -> None:
        """A new user's picks: movies they like, stored as LIKED edges (not as ratings)."""
        ts = int(time.time()) if ts is None else ts
        await self._run("add_picks", {"user_id": user_id, "movie_ids": list(movie_ids), "ts": ts})

    def _statement_writer(self, statement_name: str) -> BatchWriter:
        async def write(_rows: int, params: dict[str, Any]) -> None:
            await self.backend.run(statement_name, params)

        return write

    def _rating_writer(self, statement_name: str) -> BatchWriter:
        """``import_ratings`` (MERGE) or, into a graph that held no ratings when the import began,
        ``create_ratings`` (CREATE): both look each movie of a batch up once and find it by position.
        Should any movie (or user) be missing, positions no longer line up and the statement skips rows,
        so the batch is written again by id, which MERGEs and so never duplicates what was written."""

        async def write(rows: int, params: dict[str, Any]) -> None:
            written = (await self.backend.run(statement_name, params))[0]["written"]
            if written < rows:
                await self.backend.run("import_ratings_by_id", params)

        return write

    async def has_ratings(self) -> bool:
        """Whether the graph holds any rating (reads one, where ``stats`` counts them all)."""
        return bool(await self.backend.run("any_rating"))

    async def recent_raters(self, since: int) -> list[int]:
        """Users who stored a rating at or after ``since`` (Unix seconds) through :meth:`upsert_rating`,
        from an index on the user (``recent_raters.cypher``): cheap at any size, blind to imports."""
        return [int(row["user_id"]) for row in await self.backend.run("recent_raters", {"since": since})]

    # --- movies ---------------------------------------------------------------------------------

    async def movie(self, movie_id: int) -> Row:
        rows = await self._run("movie", {"movie_id": movie_id})
        if not rows:
            raise NotFound(f"movie {movie_id} does not exist")
        return rows[0]

    async def movie_people(self, movie_id: int) -> list[Row]:
        """Named people credited on the movie: person_id, name, role, character, other_movies (ids)."""
        return await self._run("movie_people", {"movie_id": movie_id})

    async def person(self, person_id: str) -> Row:
        """id, name, birth_year and credits (movie_id, role, character) of one person."""
        rows = await self._run("person", {"person_id": person_id})
        if not rows:
            raise NotFound(f"person {person_id!r} does not exist")
        row = rows[0]
        return {**row, "credits": [credit for credit in row["credits"] if credit["movie_id"] is not None]}

    async def save_movie(self, movie: NewMovie, movie_id: int | None = None, attempts: int = 5) -> int:
        """Write an admin's movie: a new one (``movie_id`` None; the next free id) or new facts for an
        existing one (``NotFound`` if it does not exist). Its genres and credits replace the old ones;
        the people it names by id must exist, people given with a name are created or renamed.
        Returns the movie's id."""
        unknown = await self._unknown_people(movie)
        if unknown:
            raise UnknownPeople(unknown)
        params = {
            "title": movie.title,
            "search_title": search_title(movie.title),
            "year": movie.year,
            "imdb_id": movie.imdb_id,
            "tmdb_id": movie.tmdb_id,
            "now": int(time.time()),
        }
        if movie_id is None:
            for _ in range(attempts):
                try:
                    movie_id = int((await self._run("create_movie", params))[0]["id"])
                    break
                except Conflict:
                    continue  # another writer took the same id at the same moment (Neo4j)
            else:
                raise Conflict("could not allocate a movie id; try again")
        elif not await self._run("update_movie", {**params, "movie_id": movie_id}):
            raise NotFound(f"movie {movie_id} does not exist")
        await self._run("replace_movie_facts", {"movie_id": movie_id, "genres": list(movie.genres)})
        credits = [
            {"person_id": c.person_id, "role": c.role, "character": c.character} for c in movie.credits
        ]
        await self._run("import_credits", {"movies": [{"movie_id": movie_id, "credits": credits}]})
        named = [
            {"id": c.person_id, "name": c.name, "search_name": search_text(c.name), "birth_year": None}
            for c in movie.credits
            if c.name
        ]
        await self._run("import_people", {"rows": named})
        return movie_id

    async def _unknown_people(self, movie: NewMovie) -> list[str]:
        wanted = sorted({c.person_id for c in movie.credits if not c.name})
        if not wanted:
            return []
        found = {row["id"] for row in await self._run("existing_people", {"ids": wanted})}
        return [person_id for person_id in wanted if person_id not in found]

    async def search(
        self, query: str, genre: str | None = None, *, skip: int = 0, limit: int = 20, people: int = 0
    ) -> SearchResults:
        """Movies matching ``query`` (one page, optionally of one genre) and up to ``people`` named people,
        best match first: the title (or name) exactly, one that begins with the query, every word in it,
        the rest (typos); each by rating count (``service.store.search_text``). Typos are forgiven only
        when the words as typed match no movie and no person: "kull" finds Kull the Conqueror, not also
        every title with "full" or "kill", and a title does not bring names one letter from its words.
        Nothing for a query without letters or digits."""
        statements = {
            "search_movies" if genre is None else "search_movies_in_genre": {
                "genre": genre,
                "skip": skip,
                "limit": limit,
            },
            **({"search_people": {"limit": people}} if people else {}),
        }
        movies, *found_people = await self._search(query, statements)
        total, page = (movies[0]["total"], list(movies[0]["page"])) if movies else (0, [])
        return SearchResults(total, page, found_people[0] if found_people else [])

    async def search_movies(
        self, query: str, genre: str | None = None, *, skip: int = 0, limit: int = 20
    ) -> tuple[int, list[Row]]:
        """(how many movies match, one page of them: id, title, year, genres), as :meth:`search` finds
        them."""
        results = await self.search(query, genre, skip=skip, limit=limit)
        return results.total, results.movies

    async def search_people(self, query: str, *, limit: int = 5) -> list[Row]:
        """Named people matching ``query`` as :meth:`search` finds them: id, name, birth_year, movie_ids
        (every movie they are credited on)."""
        (people,) = await self._search(query, {"search_people": {"limit": limit}})
        return people

    async def _search(self, query: str, statements: dict[str, dict[str, Any]]) -> list[list[Row]]:
        """The rows of each search statement (run together), first for the words as typed, then, if none
        found anything, forgiving typos."""
        parsed = SearchQuery.parse(query)
        found: list[list[Row]] = [[] for _ in statements]
        passes = (False, True) if parsed.forgives_typos else (False,)
        for typos in passes if parsed else ():
            shared = {**parsed.params(), "index_query": self.backend.fulltext_query(parsed, typos)}
            found = await asyncio.gather(
                *(self._run(name, {**shared, **own}) for name, own in statements.items())
            )
            # A movie search answers one row with its total (0: nothing); a people search, one row a person.
            if any(row.get("total", 1) for rows in found for row in rows):
                break
        return found

    async def complete_search_fields(self) -> None:
        """Give a graph an older version imported what search needs: each movie's ``search_title`` and
        rating count, each named person's ``search_name`` (nothing to do in a graph that has them)."""
        movies = await self.backend.run("movies_missing_search_fields")
        people = await self.backend.run("people_missing_search_names")
        if movies or people:
            log.info("adding search fields to %d movies and %d people", len(movies), len(people))
        titles = [{"id": row["id"], "search_title": search_title(row["title"] or "")} for row in movies]
        names = [{"id": row["id"], "search_name": search_text(row["name"])} for row in people]
        ids = [row["id"] for row in movies]
        for statement_name, parameter, rows in [
            ("set_search_titles", "rows", titles),
            ("count_movie_ratings", "ids", ids),
            ("set_search_names", "rows", names),
        ]:
            for batch in batches(rows, self.batch_size):
                await self.backend.run(statement_name, {parameter: batch})

    async def movie_catalogue(self) -> list[Row]:
        return await self.backend.run("movie_catalogue")

    async def movie_aliases(self) -> dict[int, int]:
        """alias id -> movie id, for ids of films the dataset listed twice (``ml.data.hygiene``)."""
        rows = await self.backend.run("movie_aliases")
        return {int(row["alias_id"]): int(row["movie_id"]) for row in rows}

    async def genres(self) -> list[Row]:
        return await self._run("genres")

    async def stats(self) -> dict[str, int]:
        rows = await self.backend.run("stats")
        return {key: int(value) for key, value in rows[0].items()}

    # --- export for training ----------------------------------------------------------------------

    async def export_interactions(self) -> Interactions:
        """Every rating, read in pages of ``EXPORT_PAGE_USERS`` users with two pages in flight (the
        database answers one while the client parses the other)."""
        rows = await self.backend.run_numeric("export_user_ids")
        user_ids = np.sort(np.fromiter((row["user_id"] for row in rows), dtype=np.int64, count=len(rows)))
        in_flight = asyncio.Semaphore(EXPORT_PAGES_IN_FLIGHT)

        async def page(first: int, last: int) -> list[Row]:
            async with in_flight:
                params = {"first_user_id": first, "last_user_id": last}
                return await self.backend.run_numeric("export_interactions", params)

        pages = [
            page(int(ids[0]), int(ids[-1]))
            for ids in np.split(user_ids, range(EXPORT_PAGE_USERS, len(user_ids), EXPORT_PAGE_USERS))
            if len(ids)
        ]
        users = [row for rows in await asyncio.gather(*pages) for row in rows]
        lengths = np.fromiter((len(row["movie_ids"]) for row in users), dtype=np.int64, count=len(users))

        def joined(key: str, dtype: type) -> np.ndarray:
            return np.concatenate([row[key] for row in users]).astype(dtype) if users else np.empty(0, dtype)

        return Interactions(
            user_ids=np.repeat(np.array([row["user_id"] for row in users], dtype=np.int64), lengths),
            movie_ids=joined("movie_ids", np.int64),
            ratings=joined("ratings", np.float32),
            timestamps=joined("timestamps", np.int64),
        )

    async def movies_updated_since(self, ts: int) -> list[int]:
        """Ids of movies an admin added or changed at or after ``ts`` (Unix seconds)."""
        return [int(row["id"]) for row in await self.backend.run("movies_updated_since", {"since": ts})]

    async def movies_by_id(self, movie_ids: list[int]) -> tuple[list[Row], MovieLinks]:
        """Catalogue rows (as ``movie_catalogue``) and credits (as ``export_movie_links``) of some movies."""
        params = {"ids": list(movie_ids)}
        rows = await self.backend.run("movies_by_id", params)
        people = await self.backend.run("movies_people", params)
        genre_pairs = [(row["id"], genre) for row in rows for genre in row["genres"]]
        return rows, _movie_links(genre_pairs, people)

    async def export_movie_links(self) -> MovieLinks:
        genres = await self.backend.run("export_movie_genres")
        people = await self.backend.run("export_movie_people")
        return _movie_links([(row["movie_id"], row["genre"]) for row in genres], people)


def _movie_links(genre_pairs: list[tuple[int, str]], people: list[Row]) -> MovieLinks:
    return MovieLinks(
        genre_movie_ids=np.array([movie_id for movie_id, _ in genre_pairs], dtype=np.int64),
        genres=np.array([genre for _, genre in genre_pairs], dtype=object),
        person_movie_ids=column(people, "movie_id", np.int64),
        person_ids=column(people, "person_id", object),
        roles=column(people, "role", object),
        person_names=column(people, "name", object),
    )


def column(rows: list[Row], key: str, dtype: Any) -> np.ndarray:
    return np.array([row[key] for row in rows], dtype=dtype)


def _user_rows(users: pd.DataFrame) -> list[Row]:
    return [
        {
            "id": int(row.user_id),
            "age": _none_if_missing(row.age) if _none_if_missing(row.age) is None else int(row.age),
            "gender": _none_if_missing(row.gender),
            "occupation": _none_if_missing(row.occupation),
        }
        for row in users.itertuples(index=False)
    ]


def _nullable(values: pd.Series) -> np.ndarray:
    """A column as objects, with None for every kind of missing value (the drivers send None as null)."""
    return np.array([_none_if_missing(value) for value in values], dtype=object)


def _movie_rows(movies: pd.DataFrame, links: pd.DataFrame) -> list[Row]:
    by_movie = links.drop_duplicates("movie_id").set_index("movie_id") if len(links) else None

    def link(movie_id: int, column: str) -> Any:
        if by_movie is None or movie_id not in by_movie.index:
            return None
        value = _none_if_missing(by_movie.at[movie_id, column])
        return value if value is None or isinstance(value, str) else int(value)

    return [
        {
            "id": int(row.movie_id),
            "title": row.title,
            "search_title": search_title(row.title),
            "year": None if _none_if_missing(row.year) is None else int(row.year),
            "genres": list(row.genres),
            "imdb_id": link(int(row.movie_id), "imdb_id"),
            "tmdb_id": link(int(row.movie_id), "tmdb_id"),
        }
        for row in movies.itertuples(index=False)
    ]


def _people_rows(people: pd.DataFrame) -> list[Row]:
    return [
        {
            "id": str(row.person_id),
            "name": str(row.name),
            "search_name": search_text(str(row.name)),
            "birth_year": None if _none_if_missing(row.birth_year) is None else int(row.birth_year),
        }
        for row in people.itertuples(index=False)
    ]


async def _write_overlapped(
    write: BatchWriter,
    batches: Iterator[tuple[int, dict[str, Any]]],
    in_flight: int,
    written: Callable[[int], Any],
) -> None:
    """Keeps ``in_flight`` batches in flight, so that the client builds and encodes the next batch
    (Python work) while the database writes the current one.
    Batches of one step never depend on each other; a failed batch cancels the others and its error
    is raised as is (``StoreUnavailable`` stays a ``StoreUnavailable``)."""
    slots = asyncio.Semaphore(in_flight)

    async def write_one(rows: int, params: dict[str, Any]) -> None:
        try:
            await write(rows, params)
            written(rows)
        finally:
            slots.release()

    try:
        async with asyncio.TaskGroup() as group:
            for rows, params in batches:
                await slots.acquire()
                group.create_task(write_one(rows, params))
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None


def _plain(rows: list[Any], parameter: str, size: int) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((len(batch), {parameter: batch}) for batch in batches(rows, size))


def _grouped_batches(
    keys: np.ndarray, columns: dict[str, np.ndarray], key_name: str, items_name: str, size: int
) -> Iterator[tuple[np.ndarray, list[Row]]]:
    """Lazily, (row numbers, ``[{key_name: key, items_name: [item, ...]}, ...]``) of about ``size`` items.

    Items are built from the columns one batch at a time, so that 25M ratings never exist as 25M dicts.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    for start in range(0, len(order), size):
        stop = min(start + size, len(order))
        rows = order[start:stop]
        values = {name: column[rows].tolist() for name, column in columns.items()}
        items = [dict(zip(values, item, strict=True)) for item in zip(*values.values(), strict=True)]
        batch_keys = sorted_keys[start:stop]
        bounds = [0, *(1 + np.flatnonzero(batch_keys[1:] != batch_keys[:-1])), stop - start]
        groups = [
            {key_name: batch_keys[lo].item(), items_name: items[lo:hi]}
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        yield rows, groups


def _rating_batches(ratings: pd.DataFrame, size: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Ratings grouped by user, plus the batch's distinct movie ids; each rating carries the position
    of its movie in that list (``movie``) as well as the id."""
    user_ids = ratings["user_id"].to_numpy()
    columns = {
        "movie_id": ratings["movie_id"].to_numpy(dtype=np.int64),
        "rating": ratings["rating"].to_numpy(dtype=np.float64),
        "ts": ratings["timestamp"].to_numpy(dtype=np.int64),
    }
    order = np.argsort(user_ids, kind="stable")
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        batch = {name: column[rows] for name, column in columns.items()}
        distinct, batch["movie"] = np.unique(batch["movie_id"], return_inverse=True)
        [(_, groups)] = _grouped_batches(user_ids[rows], batch, "user_id", "ratings", len(rows))
        yield len(rows), {"movie_ids": distinct.tolist(), "users": groups}


def _credit_batches(credits: pd.DataFrame, size: int) -> Iterator[tuple[int, dict[str, Any]]]:
    columns = {
        "person_id": credits["person_id"].to_numpy(dtype=object),
        "role": credits["role"].to_numpy(dtype=object),
        "character": _nullable(credits["character"]),
    }
    keys = credits["movie_id"].to_numpy(dtype=np.int64)
    return (
        (len(rows), {"movies": groups})
        for rows, groups in _grouped_batches(keys, columns, "movie_id", "credits", size)
    )
