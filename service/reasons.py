"""Short, graph-grounded reasons for a recommendation, e.g.
"You rated Star Wars 5★; 212 people who loved it loved this" or "Same director as Fargo (you: 5★)".

Built once per model from the training snapshot: a sparse users × movies matrix of ratings ≥ 4 ("loved")
gives co-love counts by column products, and the DIRECTED/ACTED_IN edges give shared people.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from service.catalogue import Catalogue
from service.store.graph_store import Interactions, MovieLinks

LOVED = 4.0


_TRAILING_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<article>The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El)$")


def display_title(title: str) -> str:
    """MovieLens files 'Usual Suspects, The'; people say 'The Usual Suspects'."""
    match = _TRAILING_ARTICLE.match(title)
    if match is None:
        return title
    article = match.group("article")
    separator = "" if article.endswith("'") else " "
    return f"{article}{separator}{match.group('rest')}"


def stars(rating: float) -> str:
    return f"{rating:g}★"


@dataclass(frozen=True)
class Anchor:
    """A movie the user rated or picked, that a recommendation is explained by."""

    movie_id: int
    rating: float | None  # None: picked when starting fresh, never rated

    def you_did(self, title: str) -> str:
        """ "You rated Fargo 5★" or "You picked Fargo"."""
        return f"You picked {title}" if self.rating is None else f"You rated {title} {stars(self.rating)}"

    @property
    def which_you_did(self) -> str:
        return "which you picked" if self.rating is None else f"which you rated {stars(self.rating)}"


class ReasonBuilder:
    def __init__(self, interactions: Interactions, links: MovieLinks, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
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
        for movie_id, person_id, role in zip(
            links.person_movie_ids, links.person_ids, links.roles, strict=True
        ):
            if role in self._people:
                self._people[role][int(movie_id)].add(person_id)

    def co_loved(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """For each pair, how many people loved (rated ≥ 4) both movies."""
        if len(sources) == 0:
            return np.zeros(0, dtype=np.int64)
        a = self._loved[:, np.searchsorted(self.catalogue.ids, sources)]
        b = self._loved[:, np.searchsorted(self.catalogue.ids, targets)]
        return np.asarray(a.multiply(b).sum(axis=0)).ravel().astype(np.int64)

    def shared_person(
        self, movie_id: int, others: list[int], roles: tuple[str, ...]
    ) -> tuple[str, int] | None:
        """(role, other movie) for the first of ``others`` that shares a person in one of ``roles``."""
        for role in roles:
            mine = self._people[role].get(movie_id)
            if not mine:
                continue
            for other in others:
                if mine & self._people[role].get(other, set()):
                    return role, other
        return None

    def for_user(
        self, anchors: list[Anchor | None], recommended: list[int], loved_history: list[Anchor]
    ) -> list[str]:
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
                role, other = director or actor
                what = "director" if role == "DIRECTED" else "actor"
                reasons.append(f"Same {what} as {self._title(other)}, {anchor_of[other].which_you_did}")
            elif anchors[i] is not None:
                anchor, count = anchors[i], counts[i]
                people = (
                    f"{count} people who loved it loved this"
                    if count > 1
                    else "people with your taste liked this"
                )
                reasons.append(f"{anchor.you_did(self._title(anchor.movie_id))}; {people}")
            else:
                reasons.append("Popular with people who like what you like")
        return reasons

    def for_similar(self, source: int, similar: list[int]) -> list[str]:
        counts = self.co_loved(
            np.full(len(similar), source, dtype=np.int64), np.array(similar, dtype=np.int64)
        )
        reasons = []
        for movie_id, count in zip(similar, counts, strict=True):
            shared = self.shared_person(movie_id, [source], ("DIRECTED", "ACTED_IN"))
            if shared is not None:
                reasons.append("Same director" if shared[0] == "DIRECTED" else "Shares an actor")
            elif count > 1:
                reasons.append(f"{count} people who loved {self._title(source)} loved this too")
            else:
                reasons.append("Close in the taste graph")
        return reasons

    def for_genres(self, genres: list[str]) -> str:
        return f"Popular in {', '.join(genres)}" if genres else "Popular with everyone"

    def _title(self, movie_id: int) -> str:
        if movie_id not in self.catalogue:
            return f"movie {movie_id}"
        return display_title(self.catalogue.movie(movie_id).title)
