"""Short, graph-grounded reasons for a recommendation, e.g.
"You rated Star Wars 5★; 212 people who loved it loved this" or "Directed by Joel Coen, who also made
Fargo (you rated 5★)".

Built once per model from the training snapshot: a sparse users × movies matrix of ratings ≥ 4 ("loved")
gives co-love counts by column products, and the DIRECTED/ACTED_IN edges give shared people. Only people
with a name take part: credits come only from checked links (``ml.data.link_check``), and a person known
only by a source's id means nothing to a reader. A people-based reason carries its ``Evidence`` (the
person, the role and the other movie), so that a client, or a test, can check both edges in the graph.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from service.catalogue import Catalogue
from service.store.graph_store import Interactions, MovieLinks

LOVED = 4.0


# The same rule as the UI's displayTitle (frontend/js/format.js): the article may be followed by the
# original title in brackets, "Horseman on the Roof, The (Hussard sur le toit, Le)".
_TRAILING_ARTICLE = re.compile(
    r"^(?P<rest>.+?), (?P<article>The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El|Los|Las)(?P<suffix>\s*\(.*\))?$"
)


def display_title(title: str) -> str:
    """MovieLens files 'Usual Suspects, The'; people say 'The Usual Suspects'. A bracketed original
    title stays behind: 'The Horseman on the Roof (Hussard sur le toit, Le)'."""
    match = _TRAILING_ARTICLE.match(title)
    if match is None:
        return title
    article = match.group("article")
    separator = "" if article.endswith("'") else " "
    return f"{article}{separator}{match.group('rest')}{match.group('suffix') or ''}"


def stars(rating: float) -> str:
    return f"{rating:g}★"


@dataclass(frozen=True)
class Evidence:
    """The graph edges a people-based reason rests on: ``person -[role]-> movie_id`` and
    ``person -[role]-> recommended movie``."""

    person_id: str
    person_name: str
    role: str
    movie_id: int


@dataclass(frozen=True)
class Reason:
    text: str
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Anchor:
    """A movie the user rated or picked, that a recommendation is explained by."""

    movie_id: int
    rating: float | None  # None: picked when starting fresh, never rated

    def you_did(self, title: str) -> str:
        """ "You rated Fargo 5★" or "You picked Fargo"."""
        return f"You picked {title}" if self.rating is None else f"You rated {title} {stars(self.rating)}"

    @property
    def what_you_did(self) -> str:
        """ "you rated 5★" or "you picked it"."""
        return "you picked it" if self.rating is None else f"you rated {stars(self.rating)}"


class ReasonBuilder:
    def __init__(self, interactions: Interactions, links: MovieLinks, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._loved_ids = catalogue.ids  # columns of the loved matrix; later movies have no ratings yet
        loved = interactions.ratings >= LOVED
        users, user_rows = np.unique(interactions.user_ids[loved], return_inverse=True)
        columns = np.searchsorted(catalogue.ids, interactions.movie_ids[loved])
        self._loved = sp.csc_matrix(
            (np.ones(len(columns), dtype=np.float32), (user_rows, columns)),
            shape=(len(users), len(catalogue.ids)),
        )
        self._people: dict[str, dict[int, set[str]]] = {
            "DIRECTED": defaultdict(set),
            "ACTED_IN": defaultdict(set),
        }
        self._names: dict[str, str] = {}
        self._add_people(links)

    def with_movies(self, catalogue: Catalogue, credits: MovieLinks) -> ReasonBuilder:
        """This builder for a catalogue with added or changed movies whose credits are ``credits``
        (the movies' old credits are dropped); nobody has loved the new movies yet."""
        changed = set(map(int, np.unique(credits.person_movie_ids))) | set(
            map(int, np.setdiff1d(catalogue.ids, self.catalogue.ids))
        )
        builder = copy.copy(self)
        builder.catalogue = catalogue
        builder._people = {
            role: defaultdict(set, {m: set(p) for m, p in movies.items() if m not in changed})
            for role, movies in self._people.items()
        }
        builder._names = dict(self._names)
        builder._add_people(credits)
        return builder

    def _add_people(self, links: MovieLinks) -> None:
        for movie_id, person_id, role, name in zip(
            links.person_movie_ids, links.person_ids, links.roles, links.person_names, strict=True
        ):
            if role in self._people and name:
                self._people[role][int(movie_id)].add(person_id)
                self._names[person_id] = name

    def co_loved(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """For each pair, how many people loved (rated ≥ 4) both movies."""
        if len(sources) == 0:
            return np.zeros(0, dtype=np.int64)
        counts = np.zeros(len(sources), dtype=np.int64)
        a, b = self._loved_columns(sources), self._loved_columns(targets)
        both = (a >= 0) & (b >= 0)
        pairs = self._loved[:, a[both]].multiply(self._loved[:, b[both]])
        counts[both] = np.asarray(pairs.sum(axis=0)).ravel().astype(np.int64)
        return counts

    def _loved_columns(self, movie_ids: np.ndarray) -> np.ndarray:
        """Columns of the loved matrix; -1 for movies added after it was built."""
        columns = np.searchsorted(self._loved_ids, movie_ids)
        inside = columns < len(self._loved_ids)
        known = inside & (self._loved_ids[np.minimum(columns, len(self._loved_ids) - 1)] == movie_ids)
        return np.where(known, columns, -1)

    def shared_person(self, movie_id: int, others: list[int], roles: tuple[str, ...]) -> Evidence | None:
        """The first of ``others`` that shares a named person with ``movie_id`` in one of ``roles``."""
        for role in roles:
            mine = self._people[role].get(movie_id)
            if not mine:
                continue
            for other in others:
                shared = mine & self._people[role].get(other, set())
                if shared:
                    person_id = min(shared)
                    return Evidence(person_id, self._names[person_id], role, other)
        return None

    def for_user(
        self, anchors: list[Anchor | None], recommended: list[int], loved_history: list[Anchor]
    ) -> list[Reason]:
        """One reason per recommended movie; ``anchors[i]`` is the rated movie that most explains item i."""
        present = [i for i, a in enumerate(anchors) if a is not None]
        counts = dict(
            zip(
                present,
                self.co_loved(
                    np.array([anchors[i].movie_id for i in present], dtype=np.int64),
                    np.array([recommended[i] for i in present], dtype=np.int64),
                ),
                strict=True,
            )
        )
        loved_ids = [a.movie_id for a in loved_history]
        anchor_of = {a.movie_id: a for a in loved_history}
        reasons = []
        for i, movie_id in enumerate(recommended):
            # A shared director is rare and telling; a shared actor only when nothing better explains it
            # (most movies share some actor with a long rating history).
            director = self.shared_person(movie_id, loved_ids, ("DIRECTED",))
            actor = None if anchors[i] is not None else self.shared_person(movie_id, loved_ids, ("ACTED_IN",))
            if director or actor:
                evidence = director or actor
                title, done = self._title(evidence.movie_id), anchor_of[evidence.movie_id].what_you_did
                text = (
                    f"Directed by {evidence.person_name}, who also made {title} ({done})"
                    if evidence.role == "DIRECTED"
                    else f"With {evidence.person_name}, also in {title} ({done})"
                )
                reasons.append(Reason(text, evidence))
            elif anchors[i] is not None:
                anchor, count = anchors[i], counts[i]
                people = (
                    f"{count} people who loved it loved this"
                    if count > 1
                    else "people with your taste liked this"
                )
                reasons.append(Reason(f"{anchor.you_did(self._title(anchor.movie_id))}; {people}"))
            else:
                reasons.append(Reason("Popular with people who like what you like"))
        return reasons

    def for_similar(self, source: int, similar: list[int]) -> list[Reason]:
        counts = self.co_loved(
            np.full(len(similar), source, dtype=np.int64), np.array(similar, dtype=np.int64)
        )
        reasons = []
        for movie_id, count in zip(similar, counts, strict=True):
            shared = self.shared_person(movie_id, [source], ("DIRECTED", "ACTED_IN"))
            if shared is not None:
                what = "Also directed by" if shared.role == "DIRECTED" else "Also with"
                reasons.append(Reason(f"{what} {shared.person_name}", shared))
            elif count > 1:
                reasons.append(Reason(f"{count} people who loved {self._title(source)} loved this too"))
            else:
                reasons.append(Reason("Close in the taste graph"))
        return reasons

    def for_genres(self, genres: list[str], mode: str = "any") -> str:
        """ "Popular in Comedy or Horror" (any of them) or "Popular in Comedy and Horror" (all)."""
        if not genres:
            return "Popular with everyone"
        joined = (
            genres[0]
            if len(genres) == 1
            else f"{', '.join(genres[:-1])} {'and' if mode == 'all' else 'or'} {genres[-1]}"
        )
        return f"Popular in {joined}"

    def _title(self, movie_id: int) -> str:
        if movie_id not in self.catalogue:
            return f"movie {movie_id}"
        return display_title(self.catalogue.movie(movie_id).title)
