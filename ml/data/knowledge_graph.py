"""Turning Freebase triples about films into the people and sequel edges of the movie graph.

The KB4Rec dump that RecBole ships states most facts twice, once from each end
(``film.film.directed_by`` and ``film.director.film``); both directions map to one edge here, and
duplicates collapse. Relations about things other than people (language, country, awards, ratings) are
left out: they add little to "why was this recommended" and a lot of nodes.

The triples are keyed by Freebase entities and reach a dataset only through its link file, which is
believed only when ``ml.data.link_check`` finds it keyed by the dataset's movie ids.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ml.data.dataset import CREDIT_COLUMNS, SEQUEL_COLUMNS, Dataset
from ml.data.errors import DatasetError
from ml.data.link_check import check_links
from ml.data.tables import numeric_column, read_atomic

log = logging.getLogger(__name__)

# relation -> role of the person; whether the film is the triple's head is derived from the links.
PERSON_ROLES = {
    "film.film.actor": "ACTED_IN",
    "film.actor.film": "ACTED_IN",
    "film.film.directed_by": "DIRECTED",
    "film.director.film": "DIRECTED",
    "film.film.written_by": "WROTE",
    "film.writer.film": "WROTE",
    "film.film.produced_by": "PRODUCED",
    "film.producer.film": "PRODUCED",
    "film.film.cinematography": "SHOT",
    "film.cinematographer.film": "SHOT",
}
ROLES = sorted(set(PERSON_ROLES.values()))


@dataclass(frozen=True)
class KnowledgeGraphFiles:
    """RecBole's Freebase triples (``NAME.kg``) and the links from movie ids to entities (``NAME.link``)."""

    triples: Path
    links: Path

    @classmethod
    def named(cls, stem: Path) -> KnowledgeGraphFiles:
        """``stem.kg`` and ``stem.link``, e.g. ``datasets/ml-100k/ml-100k``."""
        return cls(triples=stem.with_suffix(".kg"), links=stem.with_suffix(".link"))

    def exist(self) -> bool:
        return self.triples.is_file() and self.links.is_file()


def with_knowledge_graph(dataset: Dataset, files: KnowledgeGraphFiles) -> Dataset:
    """The dataset with the credits and sequels of ``files`` when its links pass the check.

    When they fail, the dataset keeps no people and no sequels and carries the check's message in
    ``warnings``: a fact reached through links keyed by other ids is about another film.
    """
    links = read_links(files.links)
    credits, sequels = credits_and_sequels(read_triples(files.triples), links)
    check = check_links(files.links.name, links, sequels, dataset.movies)
    if not check.passed:
        log.warning(check.message)
        return dataclasses.replace(dataset, warnings=(*dataset.warnings, check.message))
    log.info(check.message)
    return dataclasses.replace(dataset, credits=credits, sequels=sequels)


def read_triples(path: Path) -> pd.DataFrame:
    """A ``.kg`` file as columns head/relation/tail."""
    frame = read_atomic(path)
    for column in ("head_id", "relation_id", "tail_id"):
        if column not in frame:
            raise DatasetError(path, f"missing column '{column}'", 1)
    return frame.rename(columns={"head_id": "head", "relation_id": "relation", "tail_id": "tail"})


def read_links(path: Path) -> pd.DataFrame:
    """A ``.link`` file as columns movie_id (int64)/entity_id."""
    frame = read_atomic(path)
    if "entity_id" not in frame:
        raise DatasetError(path, "missing column 'entity_id'", 1)
    return pd.DataFrame(
        {"movie_id": numeric_column(frame, "item_id", path, header_lines=1), "entity_id": frame["entity_id"]}
    )


def credits_and_sequels(triples: pd.DataFrame, links: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``triples`` has columns head/relation/tail; ``links`` maps movie_id to its Freebase entity_id."""
    movie_by_entity = pd.Series(links["movie_id"].to_numpy(), index=links["entity_id"].to_numpy())
    movie_by_entity = movie_by_entity[~movie_by_entity.index.duplicated()]
    head_movie = triples["head"].map(movie_by_entity)
    tail_movie = triples["tail"].map(movie_by_entity)

    roles = triples["relation"].map(PERSON_ROLES)
    is_credit = roles.notna() & (head_movie.notna() ^ tail_movie.notna())
    film_is_head = head_movie.notna()
    credits = pd.DataFrame(
        {
            "person_id": triples["tail"].where(film_is_head, triples["head"]),
            "movie_id": head_movie.where(film_is_head, tail_movie),
            "role": roles,
        }
    )[is_credit]
    credits = credits.astype({"movie_id": "int64"}).drop_duplicates(ignore_index=True)
    credits["character"] = None  # the triples name no part an actor played

    both = head_movie.notna() & tail_movie.notna()
    sequel = both & (triples["relation"] == "film.film.sequel")
    prequel = both & (triples["relation"] == "film.film.prequel")
    sequels = pd.concat(
        [
            pd.DataFrame({"movie_id": head_movie[sequel], "sequel_id": tail_movie[sequel]}),
            pd.DataFrame({"movie_id": tail_movie[prequel], "sequel_id": head_movie[prequel]}),
        ]
    )
    sequels = sequels.astype("int64").drop_duplicates(ignore_index=True)
    return credits[CREDIT_COLUMNS], sequels[SEQUEL_COLUMNS]
